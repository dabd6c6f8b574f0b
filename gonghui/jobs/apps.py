from gonghui.core.registry import DeclaringApp, MenuEntry, TodoProvider, UrlInclude


class JobsConfig(DeclaringApp):
    """后台任务: long work (imports, exports, reports) with progress the user can watch."""

    name = "gonghui.jobs"
    verbose_name = "后台任务"

    menu = (MenuEntry("系统", "我的任务", "jobs:list", current=("jobs:*",), order=900),)
    api_routers = ("gonghui.jobs.api.router",)
    urls = (UrlInclude("workbench/", "gonghui.jobs.urls"),)
    todo_providers = (TodoProvider("后台任务已完成", "gonghui.jobs.desk.finished_jobs"),)
