from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from gonghui.core.exceptions import NOT_FOUND_MESSAGE


class OneNotFound:
    """A missing or out-of-scope id gets the project's one not-found message, not Django's «ID 为…的…不存在», which would
    name the model and echo the id."""

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        self.message_user(request, NOT_FOUND_MESSAGE, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:index", current_app=self.admin_site.name))


class ReadOnlyAdmin(OneNotFound, admin.ModelAdmin):
    """For records that only services write (history, audit): the admin may look, never touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserOnlyAdmin(ReadOnlyAdmin):
    """Records that are not scoped to an org (jobs, messages, the whole audit log): system administrators only."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_queryset(self, request):
        # Empty for everyone else, so a page of an existing row answers as a missing one (not 403 against a redirect).
        rows = super().get_queryset(request)
        return rows if request.user.is_superuser else rows.none()


class ScopedAdmin(ReadOnlyAdmin):
    """Read-only admin of a model that declares an access rule: the list holds what `restrict` gives the user."""

    scope_action = ""  # e.g. "orgs.view"

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, self.scope_action)
