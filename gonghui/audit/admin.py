from django.contrib import admin

from gonghui.audit.models import AuditEvent
from gonghui.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "object_repr", "org_path")
    list_filter = ("action",)
    search_fields = ("action", "object_repr", "object_id")
    date_hierarchy = "created_at"

