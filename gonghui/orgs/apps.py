from gonghui.core.registry import Action, DeclaringApp, DemoStep, FigureProvider, MenuEntry, TodoProvider, UrlInclude

SECTION = "组织建设"


class OrgsConfig(DeclaringApp):
    name = "gonghui.orgs"
    verbose_name = "工会组织与单位台账"

    actions = (
        Action("orgs.view", "查看工会组织", default_roles=("admin", "handler", "lawyer", "reviewer", "analyst")),
        Action("orgs.manage", "管理工会组织（新建、编辑、调整上级、导入）", default_roles=("admin",)),
        Action("employers.view", "查看用人单位台账", default_roles=("admin", "handler", "reviewer", "analyst")),
        Action("employers.manage", "管理用人单位台账（登记、编辑、导入）", default_roles=("admin",)),
    )
    menu = (
        MenuEntry(SECTION, "组织树", "orgs:tree", actions=("orgs.view",),
                  current=("orgs:tree", "orgs:detail", "orgs:create", "orgs:edit", "orgs:move"), order=100),
        MenuEntry(SECTION, "用人单位台账", "orgs:employer_list", actions=("employers.view",),
                  current=("orgs:employer_list", "orgs:employer_detail", "orgs:employer_create", "orgs:employer_edit"), order=110),
        MenuEntry(SECTION, "导入工会组织", "orgs:import", actions=("orgs.manage",), url_kwargs={"kind": "orgs"}, order=120),
        MenuEntry(SECTION, "工会评价与星级评定", "assessments:schemes", actions=("orgs.view",), current=("assessments:*",), order=130),
        MenuEntry(SECTION, "激励整改", "assessments:improvements", actions=("orgs.view",), order=140),
        MenuEntry(SECTION, "分级培育计划", "cultivation:plans", actions=("orgs.view",), current=("cultivation:*",), order=150),
        MenuEntry(SECTION, "导入用人单位", "orgs:import", actions=("employers.manage",), url_kwargs={"kind": "employers"}, order=160),
    )
    api_routers = ("gonghui.orgs.api.router", "gonghui.orgs.api_assessment.router")
    urls = (UrlInclude("workbench/", "gonghui.orgs.urls"), UrlInclude("workbench/", "gonghui.orgs.urls_assessment"),
            UrlInclude("workbench/", "gonghui.orgs.urls_cultivation"))
    demo = (DemoStep(100, "gonghui.orgs.demo.demo_orgs"), DemoStep(300, "gonghui.orgs.demo.demo_cultivation"),
            DemoStep(310, "gonghui.orgs.demo.demo_improvements"))
    todo_providers = (TodoProvider("整改任务待完成", "gonghui.orgs.desk.improvements_due", actions=("orgs.view",)),)
    desk_figures = (FigureProvider("gonghui.orgs.desk.coverage_figures", actions=("orgs.view",)),)
    reference_data = ("gonghui.orgs.migrations.0007_improvement_templates.create",)

    def ready(self):
        from gonghui.orgs.jobs import register_jobs

        register_jobs()
