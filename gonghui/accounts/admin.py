from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q

from gonghui.accounts.models import ApiKey, ExternalBinding, ObjectGrant, Post, Role, User
from gonghui.core.admin import OneNotFound, ReadOnlyAdmin, ScopedAdmin, SuperuserOnlyAdmin


class PostInline(admin.TabularInline):
    """Shown, never edited here: posts are granted and revoked in 工作台 → 岗位管理 (post_grant/post_revoke, audited)."""

    model = Post
    extra = 0
    can_delete = False
    fields = readonly_fields = ("org", "role", "title", "guidance_read")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ExternalBindingInline(admin.TabularInline):
    model = ExternalBinding
    extra = 0
    autocomplete_fields = ("employer",)


@admin.register(User)
class GonghuiUserAdmin(OneNotFound, UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("工会信息", {"fields": ("kind", "display_name")}),)
    list_filter = ("kind", "is_staff", "is_active")
    list_display = ("username", "display_name", "kind", "is_staff", "is_active", "last_login")
    inlines = [PostInline, ExternalBindingInline]


@admin.register(Role)
class RoleAdmin(ReadOnlyAdmin):
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


@admin.register(ApiKey)
class ApiKeyAdmin(SuperuserOnlyAdmin):
    """Issued and revoked in 工作台 → 接口密钥, where the secret is shown once; the admin only looks."""

    list_display = ("client_name", "prefix", "org", "created_at", "issued_by", "last_used_at", "last_used_ip", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("client_name", "prefix")
    exclude = ("secret_hash",)
    list_select_related = ("org", "issued_by")
