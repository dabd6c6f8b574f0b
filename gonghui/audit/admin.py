from django.contrib import admin

from gonghui.audit.models import AuditEvent
from gonghui.core.admin import SuperuserOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(SuperuserOnlyAdmin):
    list_display = ("seq", "created_at", "actor_name", "action", "object_repr", "ip", "org_path")
    list_filter = ("action",)
    search_fields = ("action", "object_repr", "object_id", "actor_name")
    date_hierarchy = "created_at"

