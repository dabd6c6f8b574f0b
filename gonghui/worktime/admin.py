from django.contrib import admin

from gonghui.audit.services import audit_log
from gonghui.core.admin import OneNotFound
from gonghui.worktime.models import HolidayOverride, HolidayYear, WorkSchedule


class AuditedAdmin(OneNotFound, admin.ModelAdmin):
    """Reference tables edited in the admin still leave an audit event per change."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        label = obj._meta.label_lower
        audit_log(actor=request.user, action=f"{label}.{'updated' if change else 'created'}", obj=obj,
                  data={field: str(form.cleaned_data.get(field)) for field in form.changed_data})

    def delete_model(self, request, obj):
        audit_log(actor=request.user, action=f"{obj._meta.label_lower}.deleted", obj=obj)
        super().delete_model(request, obj)


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(AuditedAdmin):
    list_display = ("date", "kind", "name", "note")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name", "note")


@admin.register(HolidayYear)
class HolidayYearAdmin(AuditedAdmin):
    list_display = ("year", "confirmed", "note")


@admin.register(WorkSchedule)
class WorkScheduleAdmin(AuditedAdmin):
    list_display = ("code", "name", "periods", "is_default")
