from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from gonghui.accounts.models import Post, User


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    autocomplete_fields = ("org",)


@admin.register(User)
class GonghuiUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("工会信息", {"fields": ("display_name",)}),)
    list_display = ("username", "display_name", "is_staff", "is_active", "last_login")
    inlines = [PostInline]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("user", "org", "role", "title")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "org__name")
    autocomplete_fields = ("user", "org")
