from django.apps import AppConfig


class WorktimeConfig(AppConfig):
    """工作日历与时限: working days, business hours and deadlines in four units."""

    name = "gonghui.worktime"
    verbose_name = "工作日历与时限"
