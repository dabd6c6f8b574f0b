from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q

from gonghui.accounts.models import ExternalBinding, ObjectGrant, Post, Role, User
from gonghui.core.admin import ReadOnlyAdmin, ScopedAdmin


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    autocomplete_fields = ("org",)


class ExternalBindingInline(admin.TabularInline):
    model = ExternalBinding
    extra = 0
    autocomplete_fields = ("employer",)


@admin.register(User)
class GonghuiUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("工会信息", {"fields": ("kind", "display_name")}),)
    list_filter = ("kind", "is_staff", "is_active")
    list_display = ("username", "display_name", "kind", "is_staff", "is_active", "last_login")
    inlines = [PostInline, ExternalBindingInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "permissions", "description")
    search_fields = ("code", "name")


@admin.register(Post)
class PostAdmin(ScopedAdmin):
    """Posts of the user's own subtree, looked at; they are held and given up through the 工作台."""

    list_display = ("user", "org", "role", "title")
    list_filter = ("role", "guidance_read")
    search_fields = ("user__username", "user__display_name", "org__name")
    scope_action = "accounts.manage"


@admin.register(ObjectGrant)
class ObjectGrantAdmin(ReadOnlyAdmin):
    """Grants are given and revoked only through the audited services; here they are looked at: all of them by a
    superuser, otherwise those the user gave or received."""

    list_display = ("grantee", "content_type", "object_id", "actions", "valid_since", "valid_until", "granted_by", "revoked_at")
    list_filter = ("content_type",)
    list_select_related = ("grantee", "granted_by", "content_type")

    def get_queryset(self, request):
        grants = super().get_queryset(request)
        if request.user.is_superuser:
            return grants
        return grants.filter(Q(granted_by=request.user) | Q(grantee=request.user))
