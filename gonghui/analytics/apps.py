from gonghui.core.registry import Action, DeclaringApp, DemoStep, MenuEntry, TodoProvider, UrlInclude

ALERTS = ("analytics.alerts",)


class AnalyticsConfig(DeclaringApp):
    """分析研判: 诉求工单 metrics from daily rollups, 群体性 early warning along the 三道防线, the 劳动关系态势 map."""

    name = "gonghui.analytics"
    verbose_name = "分析研判"

    actions = (
        Action("analytics.view", "查看统计分析与态势图", default_roles=("admin", "analyst", "dispatcher", "handler")),
        Action("analytics.alerts", "研判处置群体性预警", default_roles=("admin", "handler")),
        Action("analytics.rules", "维护预警规则", default_roles=("admin",)),
    )
    menu = (
        MenuEntry("分析研判", "工单统计", "analytics:metrics", actions=("analytics.view",), current=("analytics:metrics",), order=400),
        MenuEntry("分析研判", "劳动关系态势图", "analytics:map", actions=("analytics.view",), current=("analytics:map",), order=405),
        MenuEntry("分析研判", "群体性预警", "analytics:alerts", actions=ALERTS,
                  current=("analytics:alerts", "analytics:alert"), order=410),
        MenuEntry("分析研判", "预警规则", "analytics:rules", actions=("analytics.rules",),
                  current=("analytics:rules", "analytics:rule_new", "analytics:rule_edit"), order=415),
    )
    api_routers = ("gonghui.analytics.api.router",)
    urls = (UrlInclude("workbench/", "gonghui.analytics.urls"),)
    demo = (DemoStep(600, "gonghui.analytics.demo.demo_analytics"),)
    todo_providers = (TodoProvider("群体性预警待研判处置", "gonghui.analytics.desk.open_alerts", actions=ALERTS),)
    reference_data = ("gonghui.analytics.migrations.0002_reference_data.create",)
