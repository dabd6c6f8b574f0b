"""Django admin for the tree and ledger: read-only and scoped. Every write goes through the 工作台 (services,
scope checks with the manage actions, audit events), never admin forms."""
from django.contrib import admin

from gonghui.audit.services import audit_log
from gonghui.core.admin import ReadOnlyAdmin
from gonghui.orgs.models import Assessment, AssessmentIndicator, AssessmentScheme, Employer, GuidanceLink, Org, OrgMove


@admin.register(Org)
class OrgAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "type", "parent", "depth", "is_active")
    list_filter = ("type", "is_active", "sector", "depth")
    search_fields = ("name", "short_name", "code", "name_initials", "name_pinyin")
    readonly_fields = ("parent", "path", "depth", "name_pinyin", "name_initials", "created_at", "updated_at")
    list_select_related = ("parent",)

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user)


@admin.register(Employer)
class EmployerAdmin(ReadOnlyAdmin):
    list_display = ("name", "uscc", "industry", "ownership", "headcount", "has_union", "town")
    list_filter = ("has_union", "industry", "ownership")
    search_fields = ("name", "uscc", "name_initials")
    autocomplete_fields = ("town", "union")
    list_select_related = ("town",)

    readonly_fields = ("uscc", "name_initials", "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user)


@admin.register(OrgMove)
class OrgMoveAdmin(ReadOnlyAdmin):
    list_display = ("moved_at", "org", "old_parent_name", "new_parent_name", "descendants_moved", "moved_by", "reason")
    search_fields = ("org__name", "reason")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(org__in=Org.objects.restrict(request.user))


@admin.register(GuidanceLink)
class GuidanceLinkAdmin(ReadOnlyAdmin):
    list_display = ("guide", "org", "note", "created_at")
    search_fields = ("guide__name", "org__name")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(guide__in=Org.objects.restrict(request.user))


class IndicatorInline(admin.TabularInline):
    model = AssessmentIndicator
    extra = 0


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    """Schemes are reference data set by the province/city: system administrators edit them, every change audited."""

    list_display = ("year", "name", "owner", "min_headcount", "is_open")
    inlines = [IndicatorInline]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_log(actor=request.user, action=f"orgs.assessment_scheme.{'updated' if change else 'created'}", obj=obj,
                  org_path=obj.owner.path, data={field: str(form.cleaned_data.get(field)) for field in form.changed_data})


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "union", "status", "total", "grade", "stars", "level")
    list_filter = ("status", "grade")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(union__in=Org.objects.restrict(request.user))
