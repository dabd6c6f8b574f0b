from django.contrib import admin

from gonghui.audit.models import AuditCheckpoint, AuditEvent, AuditFlag
from gonghui.core.admin import SuperuserOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(SuperuserOnlyAdmin):
    list_display = ("seq", "created_at", "actor_name", "action", "object_repr", "ip", "org_path", "key_id")
    list_filter = ("action",)
    search_fields = ("action", "object_repr", "object_id", "actor_name")
    date_hierarchy = "created_at"


@admin.register(AuditFlag)
class AuditFlagAdmin(SuperuserOnlyAdmin):
    list_display = ("event", "flagged_at", "reason")


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(SuperuserOnlyAdmin):
    list_display = ("created_at", "seq", "count", "key_id", "head_hash")
