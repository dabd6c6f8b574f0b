from django.contrib import admin

from gonghui.core.admin import SuperuserOnlyAdmin
from gonghui.jobs.models import Job


@admin.register(Job)
class JobAdmin(SuperuserOnlyAdmin):
    list_display = ("id", "kind", "owner", "status", "progress_done", "progress_total", "summary", "created_at", "finished_at")
    list_filter = ("status", "kind")
    search_fields = ("owner__username", "input_name", "summary")
