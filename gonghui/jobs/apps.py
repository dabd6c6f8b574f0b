from django.apps import AppConfig


class JobsConfig(AppConfig):
    """后台任务: long work (imports, exports, reports) with progress the user can watch."""

    name = "gonghui.jobs"
    verbose_name = "后台任务"
