"""An app as the next domain app would add it (诉求 work orders, here "fake"): everything it adds to the shells is
declared below, and nothing central names it except INSTALLED_APPS (which the test overrides)."""
from gonghui.core.registry import (
    Action,
    DeclaringApp,
    DemoStep,
    FigureProvider,
    H5Tile,
    MenuEntry,
    TodoProvider,
    UrlInclude,
)


class FakeAppConfig(DeclaringApp):
    name = "gonghui.portal.tests.fakeapp"
    label = "fakeapp"
    verbose_name = "演示诉求"

    actions = (Action("fake.handle", "办理演示诉求", default_roles=("reviewer",)),)
    menu = (MenuEntry("演示诉求", "诉求工单", "fake:list", actions=("fake.handle",), current=("fake:*",), order=300),)
    h5_tiles = (H5Tile("我要反映", "fake_h5:new", "向工会反映劳动权益问题", icon="user", order=15),)
    api_routers = ("gonghui.portal.tests.fakeapp.api.router",)
    urls = (UrlInclude("workbench/", "gonghui.portal.tests.fakeapp.urls", "cadre_patterns"),
            UrlInclude("h5/", "gonghui.portal.tests.fakeapp.urls", "worker_patterns"))
    demo = (DemoStep(999, "gonghui.portal.tests.fakeapp.desk.demo"),)
    todo_providers = (TodoProvider("演示诉求待办理", "gonghui.portal.tests.fakeapp.desk.waiting", actions=("fake.handle",)),)
    desk_figures = (FigureProvider("gonghui.portal.tests.fakeapp.desk.figures", actions=("fake.handle",)),)
