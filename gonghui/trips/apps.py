from gonghui.core.registry import Action, DeclaringApp, DefaultRole, DemoStep, H5Tile, MenuEntry, TodoProvider, UrlInclude


class TripsConfig(DeclaringApp):
    """疗休养: accredited bases, routes with departures, group batches and workers' requests, 奖补/配套 funding with a
    ledger and budgets per org and year, 劳模名单 (decision 0026)."""

    name = "gonghui.trips"
    verbose_name = "职工疗休养"

    default_roles = (DefaultRole("trips_officer", "疗休养专干", "管理基地与线路，组团报名，审批职工申请，申领与审核奖补"),)
    actions = (
        Action("trips.view", "查看疗休养基地、线路、批次与经费台账", default_roles=("admin", "trips_officer", "analyst")),
        Action("trips.book", "组团报名疗休养、审批职工申请、申领奖补", default_roles=("admin", "trips_officer")),
        Action("trips.manage", "认定基地、发布线路、维护劳模名单、设置经费政策与预算、审核拨付奖补", default_roles=("admin", "trips_officer")),
    )
    menu = (
        MenuEntry("疗休养", "线路与团期", "trips:routes", actions=("trips.view",),
                  current=("trips:routes", "trips:route", "trips:route_new", "trips:batch_new"), order=470),
        MenuEntry("疗休养", "组团批次", "trips:batches", actions=("trips.view",), current=("trips:batches", "trips:batch"), order=471),
        MenuEntry("疗休养", "职工申请", "trips:requests", actions=("trips.book",), order=472),
        MenuEntry("疗休养", "疗休养基地", "trips:bases", actions=("trips.view",), current=("trips:bases", "trips:base", "trips:base_new"), order=473),
        MenuEntry("疗休养", "奖补申领", "trips:claims", actions=("trips.view",), current=("trips:claims", "trips:claim"), order=474),
        MenuEntry("疗休养", "经费台账", "trips:ledger", actions=("trips.view",), order=475),
        MenuEntry("疗休养", "劳模名单", "trips:model_workers", actions=("trips.manage",), order=476),
    )
    h5_tiles = (H5Tile("我要疗休养", "trips_h5:routes", "疗休养线路、报名与审批进度", icon="calendar", order=24),)
    urls = (UrlInclude("h5/", "gonghui.trips.urls", "worker_patterns"), UrlInclude("workbench/", "gonghui.trips.urls", "cadre_patterns"))
    api_routers = ("gonghui.trips.api.router",)
    demo = (DemoStep(660, "gonghui.trips.demo.demo_trips"),)
    todo_providers = (TodoProvider("疗休养待办", "gonghui.trips.desk.pending", actions=("trips.book",)),)
    reference_data = ("gonghui.trips.migrations.0002_cancellation.create",)
