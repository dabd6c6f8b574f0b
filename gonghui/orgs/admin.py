"""Django admin for the tree and ledger: read-only and scoped. Every write goes through the 工作台 (services,
scope checks with the manage actions, audit events), never admin forms."""
from django.contrib import admin

from gonghui.core.admin import ReadOnlyAdmin
from gonghui.orgs.models import Employer, GuidanceLink, Org, OrgMove


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
