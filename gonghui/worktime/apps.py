from gonghui.core.registry import Action, DeclaringApp, DefaultRole, MenuEntry, UrlInclude


class WorktimeConfig(DeclaringApp):
    """工作日历与时限: working days, business hours and deadlines in four units."""

    name = "gonghui.worktime"
    verbose_name = "工作日历与时限"

    # The calendar is the whole province's, so its editors hold a role of their own (given at the 省总), not every admin.
    actions = (Action("calendar.manage", "维护工作日历（节假日、调休、办公时间）", default_roles=("calendar_admin",)),)
    default_roles = (DefaultRole("calendar_admin", "工作日历管理员", "维护全省节假日、调休与办公时间"),)
    menu = (MenuEntry("系统", "工作日历", "worktime:calendar", current=("worktime:*",), order=910),)
    urls = (UrlInclude("workbench/", "gonghui.worktime.urls"),)
    reference_data = ("gonghui.worktime.migrations.0002_default_schedule.create_default",)
