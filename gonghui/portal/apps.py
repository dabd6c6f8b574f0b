from gonghui.core.registry import DeclaringApp, DemoStep, H5Tile, UrlInclude


class PortalConfig(DeclaringApp):
    """The two shells: the worker H5 and the cadre 工作台 with its 待办 desk, built from what the apps declare."""

    name = "gonghui.portal"
    verbose_name = "门户"

    h5_tiles = (
        H5Tile("找工会", "h5_find_union", "按名称或拼音首字母查找各级工会组织", icon="union", order=30),
        H5Tile("单位建会查询", "h5_employer_check", "查一查您的单位是否已建立工会", icon="building", order=40),
    )
    urls = (UrlInclude("h5/", "gonghui.portal.urls"), UrlInclude("workbench/", "gonghui.portal.urls", "workbench_patterns"))
    demo = (DemoStep(200, "gonghui.portal.demo.demo_logins"),)
