from django.contrib import admin
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.db import transaction

from gonghui.audit.models import AuditCheckpoint, AuditEvent, AuditFlag
from gonghui.audit.services import audit_log
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


@transaction.atomic
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, with one audit event per batch naming every deleted id (it replaces the site-wide action)."""
    confirmed = bool(request.POST.get("post"))
    doomed = [(str(obj.pk), str(obj)) for obj in queryset] if confirmed else []
    response = django_delete_selected(modeladmin, request, queryset)
    if confirmed and response is None:  # None: deleted; a page back means it asked again or found protected rows
        audit_log(actor=request.user, action=f"{modeladmin.model._meta.label_lower}.bulk_deleted",
                  data={"count": len(doomed), "ids": [pk for pk, _ in doomed], "objects": [name for _, name in doomed][:100]})
    return response


delete_selected.allowed_permissions = django_delete_selected.allowed_permissions
delete_selected.short_description = django_delete_selected.short_description
admin.site.add_action(delete_selected, "delete_selected")
