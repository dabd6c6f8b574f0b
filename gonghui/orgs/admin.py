"""Django admin for the tree and ledger. Writes that touch paths go through services, never admin forms."""
from django.contrib import admin

from gonghui.core.admin import ReadOnlyAdmin
from gonghui.orgs.models import Employer, GuidanceLink, Org, OrgMove


class GuidanceInline(admin.TabularInline):
    model = GuidanceLink
    fk_name = "org"
    extra = 0
    autocomplete_fields = ("guide",)


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "type", "parent", "depth", "is_active")
    list_filter = ("type", "is_active", "sector", "depth")
    search_fields = ("name", "short_name", "code", "name_initials", "name_pinyin")
    readonly_fields = ("parent", "path", "depth", "name_pinyin", "name_initials", "created_at", "updated_at")
    inlines = [GuidanceInline]
    list_select_related = ("parent",)

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user)

    def has_add_permission(self, request):
        # New orgs need a path allocated under a locked parent: use the 工作台 or the API.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "industry", "ownership", "headcount", "has_union", "town")
    list_filter = ("has_union", "industry", "ownership")
    search_fields = ("name", "uscc", "name_initials")
    autocomplete_fields = ("town", "union")
    list_select_related = ("town",)

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user)
    readonly_fields = ("uscc", "name_initials", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False


@admin.register(OrgMove)
class OrgMoveAdmin(ReadOnlyAdmin):
    list_display = ("moved_at", "org", "old_parent_name", "new_parent_name", "descendants_moved", "moved_by", "reason")
    search_fields = ("org__name", "reason")

