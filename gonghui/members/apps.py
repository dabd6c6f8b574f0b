from gonghui.core.registry import Action, DeclaringApp, DemoStep, FigureProvider, H5Tile, MenuEntry, TodoProvider, UrlInclude

SECTION, VIEW, MANAGE = "会员", ("members.view",), ("members.manage",)


class MembersConfig(DeclaringApp):
    """会员: people, memberships, 一键入会 with routing, 一县一码, member cards, 会籍转接, 冒用 appeals."""

    name = "gonghui.members"
    verbose_name = "会员"

    actions = (
        Action("members.view", "查看会员", default_roles=("admin", "reviewer", "analyst")),
        Action("members.manage", "办理入会审核、会籍转接与冒用申诉", default_roles=("admin", "reviewer")),
        Action("members.card_verify", "验证会员卡（扫码查看会员的脱敏姓名、所属工会与会籍状态）", default_roles=("admin", "reviewer", "analyst")),
    )
    menu = (
        MenuEntry(SECTION, "会员名册", "members:list", actions=VIEW, current=("members:list", "members:detail"), order=200),
        MenuEntry(SECTION, "星级会员", "members:star_awards", actions=VIEW, order=205),
        MenuEntry(SECTION, "入会审核", "members:applications", actions=MANAGE, order=210),
        MenuEntry(SECTION, "导入会员", "members:import", actions=MANAGE, order=215),
        MenuEntry(SECTION, "会籍转接", "members:transfers", actions=MANAGE, order=220),
        MenuEntry(SECTION, "冒用申诉", "members:appeals", actions=MANAGE, order=225),
        MenuEntry(SECTION, "用户画像", "members:segments", actions=VIEW,
                  current=("members:segments", "members:segment_list", "members:segment_detail"), order=230),
        MenuEntry(SECTION, "潜在会员", "members:prospects", actions=VIEW, current=("members:prospects", "members:prospect_detail"), order=235),
        MenuEntry(SECTION, "入会行动", "members:drives", actions=VIEW,
                  current=("members:drives", "members:drive_detail", "members:drive_monthly", "members:drive_targets"), order=240),
        MenuEntry(SECTION, "建会台账", "members:ledger", actions=VIEW, order=245),
        MenuEntry(SECTION, "入会码", "members:join_codes", actions=VIEW, order=250),
        MenuEntry(SECTION, "验证会员卡", "members:verify_card", actions=("members.card_verify",), order=255),
    )
    h5_tiles = (
        H5Tile("一键入会", "members_h5:join", "手机号登录，填写实名信息，三步加入工会", icon="user", order=10),
        H5Tile("我的会籍", "members_h5:home", "电子会员卡、会籍转接、退会", order=20),
    )
    api_routers = ("gonghui.members.api.router", "gonghui.members.api_recruitment.router")
    urls = (UrlInclude("h5/", "gonghui.members.urls", "worker_patterns"), UrlInclude("workbench/", "gonghui.members.urls", "cadre_patterns"))
    demo = (DemoStep(400, "gonghui.members.demo.demo_members"), DemoStep(410, "gonghui.members.demo.demo_drives"),
            DemoStep(420, "gonghui.members.demo.demo_waiting"))
    todo_providers = (
        TodoProvider("入会申请待审核", "gonghui.members.desk.join_applications", actions=MANAGE),
        TodoProvider("会籍转接待接收", "gonghui.members.desk.transfers_to_accept", actions=MANAGE),
        TodoProvider("冒用申诉待审查", "gonghui.members.desk.appeals_pending", actions=MANAGE),
    )
    desk_figures = (FigureProvider("gonghui.members.desk.member_figures", actions=VIEW),)
    reference_data = ("gonghui.members.migrations.0002_templates_and_policies.create",)

    def ready(self):
        from gonghui.members.jobs import register_jobs

        register_jobs()
