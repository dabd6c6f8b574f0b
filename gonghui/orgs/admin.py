"""Django admin for the tree and ledger: read-only and scoped. Every write goes through the 工作台 (services,
scope checks with the manage actions, audit events), never admin forms."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from gonghui.core.admin import ReadOnlyAdmin, ScopedAdmin
from gonghui.orgs.models import (
    Assessment,
    AssessmentDimension,
    AssessmentEvidence,
    AssessmentIndicator,
    AssessmentScheme,
    CultivationCandidate,
    CultivationPlan,
    Employer,
    GuidanceLink,
    ImprovementTask,
    Org,
    OrgMove,
)


@admin.register(Org)
class OrgAdmin(ScopedAdmin):
    list_display = ("name", "code", "type", "parent", "depth", "is_active")
    list_filter = ("type", "is_active", "sector", "depth")
    search_fields = ("name", "short_name", "code", "name_initials", "name_pinyin")
    readonly_fields = ("parent", "path", "depth", "name_pinyin", "name_initials", "created_at", "updated_at")
    list_select_related = ("parent",)

    scope_action = "orgs.view"


@admin.register(Employer)
class EmployerAdmin(ScopedAdmin):
    list_display = ("name", "uscc", "industry", "ownership", "headcount", "has_union", "town")
    list_filter = ("has_union", "industry", "ownership")
    search_fields = ("name", "uscc", "name_initials")
    autocomplete_fields = ("town", "union")
    list_select_related = ("town",)

    readonly_fields = ("uscc", "name_initials", "created_at", "updated_at")

    scope_action = "employers.view"


@admin.register(OrgMove)
class OrgMoveAdmin(ReadOnlyAdmin):
    list_display = ("moved_at", "org", "old_parent_name", "new_parent_name", "descendants_moved", "moved_by", "reason")
    search_fields = ("org__name", "reason")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(org__in=Org.objects.restrict(request.user, "orgs.view"))


@admin.register(GuidanceLink)
class GuidanceLinkAdmin(ReadOnlyAdmin):
    list_display = ("guide", "org", "note", "created_at")
    search_fields = ("guide__name", "org__name")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(guide__in=Org.objects.restrict(request.user, "orgs.view"))


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DimensionInline(ReadOnlyInline):
    model = AssessmentDimension
    fields = ("position", "name", "points")


class IndicatorInline(ReadOnlyInline):
    model = AssessmentIndicator
    fields = ("dimension", "position", "name", "weight")


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(ScopedAdmin):
    """Schemes are edited in the 工作台 (评价方案), where publication and the lock after the first submission are
    enforced and every change is audited; here they can only be looked at."""

    list_display = ("year", "name", "owner", "total_points", "min_headcount", "published_at", "is_open")
    list_filter = ("year", "is_open")
    search_fields = ("name", "owner__name")
    list_select_related = ("owner",)
    inlines = [DimensionInline, IndicatorInline]

    scope_action = "orgs.view"


@admin.register(AssessmentEvidence)
class AssessmentEvidenceAdmin(ScopedAdmin):
    """Metadata only: the file itself opens through the 工作台's access-checked, audited download."""

    list_display = ("name", "assessment", "indicator", "size", "uploaded_by", "created_at")
    search_fields = ("name", "assessment__union__name")
    list_select_related = ("assessment__union", "assessment__scheme", "indicator__dimension", "uploaded_by")
    fields = ("assessment", "indicator", "name", "size", "uploaded_by", "created_at", "download")
    readonly_fields = ("download", "created_at")

    @admin.display(description="文件")
    def download(self, obj):
        return format_html('<a href="{}">下载（记入审计日志）</a>', reverse("assessments:evidence", args=[obj.pk]))

    scope_action = "orgs.manage"


@admin.register(Assessment)
class AssessmentAdmin(ScopedAdmin):
    list_display = ("scheme", "union", "status", "total", "grade", "stars", "level")
    list_filter = ("status", "grade")

    scope_action = "orgs.view"


@admin.register(ImprovementTask)
class ImprovementTaskAdmin(ScopedAdmin):
    """激励整改 tasks are reported, confirmed and reopened in the 工作台 (audited, with the separation of duties); here
    they are only looked at, and the file opens through the same audited download."""

    list_display = ("description", "assessment", "due_on", "status", "done_on", "done_by", "reviewed_by", "overdue_flagged_at")
    list_filter = ("status", "due_on")
    search_fields = ("description", "assessment__union__name")
    list_select_related = ("assessment__union", "assessment__scheme", "done_by", "reviewed_by")
    fields = ("assessment", "indicator", "description", "due_on", "status", "done_on", "done_note", "done_by", "download",
              "review_note", "reviewed_by", "reviewed_at", "overdue_flagged_at", "created_at")
    readonly_fields = ("download", "created_at")

    @admin.display(description="整改佐证")
    def download(self, obj):
        if not obj.evidence_name:
            return "—"
        return format_html('<a href="{}">{}（下载记入审计日志）</a>', reverse("assessments:improvement_evidence", args=[obj.pk]),
                           obj.evidence_name)

    scope_action = "orgs.view"


class CandidateInline(ReadOnlyInline):
    model = CultivationCandidate
    fields = ("union", "aimed_level", "reached_level", "accepted_at", "accepted_by", "note")


@admin.register(CultivationPlan)
class CultivationPlanAdmin(ScopedAdmin):
    """Plans are kept in the 工作台 (分级培育计划), where only the running org's cadres change them and every change is
    audited; here they can only be looked at."""

    list_display = ("year", "name", "org", "target_primary", "target_intermediate", "target_advanced")
    list_filter = ("year",)
    search_fields = ("name", "org__name")
    list_select_related = ("org",)
    inlines = [CandidateInline]

    scope_action = "orgs.view"
