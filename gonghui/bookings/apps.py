from gonghui.core.registry import Action, DeclaringApp, DefaultRole, DemoStep, H5Tile, MenuEntry, TodoProvider, UrlInclude


class BookingsConfig(DeclaringApp):
    """预约: 职工夜校 courses, 文体活动, online classes, 定制课堂, 心理咨询 and rooms; seats under flash demand, waitlists,
    check-in by QR, no-shows."""

    name = "gonghui.bookings"
    verbose_name = "预约服务"

    default_roles = (DefaultRole("bookings_officer", "预约活动管理员", "发布课程、活动与场地，查看名单，扫码签到"),)
    actions = (
        Action("bookings.view", "查看预约项目与名单", default_roles=("admin", "bookings_officer", "analyst")),
        Action("bookings.manage", "发布与管理预约项目（课程、活动、心理咨询、场地）", default_roles=("admin", "bookings_officer")),
        Action("bookings.checkin", "预约签到（扫描预约二维码）", default_roles=("admin", "bookings_officer")),
    )
    menu = (
        MenuEntry("预约服务", "课程与活动", "bookings:list", actions=("bookings.view",),
                  current=("bookings:list", "bookings:new", "bookings:detail", "bookings:edit", "bookings:session_new",
                           "bookings:session_edit", "bookings:roster", "bookings:export", "bookings:message", "bookings:lottery_new"), order=450),
        MenuEntry("预约服务", "抽签", "bookings:lotteries", actions=("bookings.view",), current=("bookings:lotteries", "bookings:lottery", "bookings:lottery_edit"),
                  order=452),
        MenuEntry("预约服务", "扫码签到", "bookings:checkin", actions=("bookings.checkin",), order=455),
    )
    h5_tiles = (
        H5Tile("课程活动预约", "bookings_h5:list", "职工夜校、文体活动、线上课、心理咨询、场地", icon="calendar", order=22),
        H5Tile("我的预约", "bookings_h5:mine", "签到码、取消预约、候补", order=23),
        H5Tile("我的抽签", "bookings_h5:lottery_mine", "抽签回执码与结果，可自行核验", order=24),
    )
    urls = (UrlInclude("h5/", "gonghui.bookings.urls", "worker_patterns"), UrlInclude("workbench/", "gonghui.bookings.urls", "cadre_patterns"))
    api_routers = ("gonghui.bookings.api.router",)
    demo = (DemoStep(650, "gonghui.bookings.demo.demo_bookings"), DemoStep(655, "gonghui.bookings.demo.demo_lotteries"))
    todo_providers = (TodoProvider("今日预约场次", "gonghui.bookings.desk.today", actions=("bookings.checkin",)),
                      TodoProvider("抽签待录入开奖号码", "gonghui.bookings.desk.lottery_numbers_to_enter", actions=("bookings.manage",)),
                      TodoProvider("抽签待复核开奖号码", "gonghui.bookings.desk.lottery_numbers_to_confirm", actions=("bookings.manage",)))
    reference_data = ("gonghui.bookings.migrations.0002_reference_data.create", "gonghui.bookings.migrations.0003_lottery.create")
