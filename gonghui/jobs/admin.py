from django.contrib import admin

from gonghui.core.admin import ReadOnlyAdmin
from gonghui.jobs.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "owner", "status", "progress_done", "progress_total", "summary", "created_at", "finished_at")
    list_filter = ("status", "kind")
    search_fields = ("owner__username", "input_name", "summary")
