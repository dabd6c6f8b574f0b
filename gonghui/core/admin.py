from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (history, audit): the admin may look, never touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
