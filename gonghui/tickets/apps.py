from gonghui.core.registry import Action, DeclaringApp, DefaultRole, DemoStep, FigureProvider, H5Tile, MenuEntry, TodoProvider, UrlInclude

DISPATCH, HANDLE, FOLLOW_UP, SUPERVISE = ("tickets.dispatch",), ("tickets.handle",), ("tickets.follow_up",), ("tickets.supervise",)


class TicketsConfig(DeclaringApp):
    """诉求工单: intake (H5, 网上信箱, 12351 热线, API), 派单 down the org tree, SLA in the right units, 督办, 回访."""

    name = "gonghui.tickets"
    verbose_name = "诉求工单"

    default_roles = (DefaultRole("dispatcher", "派单员", "12351 热线坐席与派单中心：受理、派单、直接办结、回访",
                                 actions=("orgs.view",)),)
    actions = (
        Action("tickets.view", "查看诉求工单", default_roles=("admin", "handler", "dispatcher", "analyst")),
        Action("tickets.dispatch", "受理与派单（热线录入、派单、直接办结、受理告知）", default_roles=("admin", "dispatcher")),
        Action("tickets.handle", "办理诉求工单（签收、办理、回复、退单、转办、申请延期）", default_roles=("admin", "handler")),
        Action("tickets.supervise", "督办下级工单、审批延期", default_roles=("admin",)),
        Action("tickets.follow_up", "回访诉求工单", default_roles=("admin", "dispatcher")),
        Action("tickets.admin_sla", "维护诉求工单时限标准（省总）", default_roles=("admin",)),
    )
    menu = (
        MenuEntry("诉求工单", "工单办理", "tickets:list", actions=("tickets.view",),
                  current=("tickets:list", "tickets:detail", "tickets:act", "tickets:export"), order=300),
        MenuEntry("诉求工单", "热线受理", "tickets:hotline", actions=DISPATCH, order=305),
        MenuEntry("诉求工单", "值班安排", "tickets:duty", actions=HANDLE, order=306),
    )
    h5_tiles = (
        H5Tile("我要反映", "tickets_h5:new", "欠薪、工伤、劳动合同等问题，向工会反映", icon="chat", order=15),
        H5Tile("我的诉求", "tickets_h5:mine", "查看办理进度、补充材料、评价", order=16),
        H5Tile("查询码查进度", "tickets_h5:query", "没有账号？用短信中的编号和查询码查询", order=17),
    )
    urls = (UrlInclude("h5/", "gonghui.tickets.urls", "worker_patterns"), UrlInclude("workbench/", "gonghui.tickets.urls", "cadre_patterns"))
    api_routers = ("gonghui.tickets.api.router",)
    demo = (DemoStep(500, "gonghui.tickets.demo.demo_tickets"),)
    demo_logins = (("gz_12351", "广州12351热线坐席：受理、派单、直接办结、回访（需动态口令）"),
                   ("dg_12351", "东莞12351热线坐席（需动态口令）"),
                   ("th_waimai", "天河区外卖配送行业工会联合会：办理骑手诉求"))
    todo_providers = (
        TodoProvider("诉求工单待派单", "gonghui.tickets.desk.to_dispatch", actions=DISPATCH),
        TodoProvider("诉求工单待签收", "gonghui.tickets.desk.to_accept", actions=HANDLE),
        TodoProvider("诉求工单办理中", "gonghui.tickets.desk.to_handle", actions=HANDLE),
        TodoProvider("诉求工单待回访", "gonghui.tickets.desk.to_follow_up", actions=FOLLOW_UP),
        TodoProvider("信访复查/复核待答复", "gonghui.tickets.desk.reviews_due", actions=SUPERVISE),
    )
    desk_figures = (FigureProvider("gonghui.tickets.desk.figures", actions=("tickets.view",)),)
    reference_data = ("gonghui.tickets.migrations.0002_reference_data.create",)
