from gonghui.core.registry import Action, DeclaringApp, MenuEntry, UrlInclude


class AuditConfig(DeclaringApp):
    name = "gonghui.audit"
    verbose_name = "审计日志"

    actions = (Action("audit.view", "查看审计日志", default_roles=("admin", "analyst")),)
    menu = (MenuEntry("安全与审计", "审计日志", "audit:search", actions=("audit.view",), current=("audit:*",), order=810),)
    urls = (UrlInclude("workbench/", "gonghui.audit.urls"),)
