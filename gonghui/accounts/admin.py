from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from gonghui.accounts.models import ExternalBinding, Post, Role, User


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
class PostAdmin(admin.ModelAdmin):
    list_display = ("user", "org", "role", "title")
    list_filter = ("role", "guidance_read")
    search_fields = ("user__username", "user__display_name", "org__name")
    autocomplete_fields = ("user", "org")
