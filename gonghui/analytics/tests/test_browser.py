"""The 态势 map at 1920×1080, the province by city, a city clicked on the map down to its districts (and 东莞's towns as
markers), and the metrics page; CSP violations count as console errors. Screenshots: artifacts/screenshots/analytics-*.png."""
import os

import pytest
from playwright.sync_api import expect

from gonghui.analytics import rollups, services
from gonghui.analytics.tests.alerting import employer_with_union, reports, rule
from gonghui.analytics.tests.flows import accepted, followed_up, filed
from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)
from gonghui.tickets.tests.conftest import World
from gonghui.tickets.tests.factories import cadre_at
from gonghui.tickets.tests.test_browser import signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

DRILL = 20_000  # ms: a drill-down fetches figures and a boundary file; on a busy machine that may take a while
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]


@pytest.fixture
def figures(org):
    world = World(org)
    for _ in range(3):
        accepted(world, filed(world))
    followed_up(world, filed(world), "satisfied")
    rule(world.city, yellow=2)
    reports(world, employer_with_union(world.shipai, name="广州石牌测试餐饮有限公司"), 3)
    services.alerts_evaluate()
    rollups.rebuild_rollups()
    return world


def test_the_map_goes_from_the_province_to_a_citys_districts(live_server, divisions, open_page, shots, org, figures):  # noqa: F811
    page = signed_in(open_page, live_server, cadre_at(org("44")), 1920, 1080)
    page.goto(f"{live_server.url}/workbench/analytics/map/")
    chart = page.locator("#situation-map")
    expect(chart).to_have_attribute("data-map-level", "44", timeout=DRILL)
    expect(page.locator("#map-table tbody tr")).to_have_count(21)
    page.screenshot(path=shots / "analytics-map-province-1920.png")
    click_on_map(page, chart, lng=113.45, lat=23.35, until="4401")  # 广州's centre
    expect(page.locator("#map-title")).to_have_text("广州市总工会", timeout=DRILL)
    expect(page.locator("#map-table tbody")).to_contain_text("天河")
    page.get_by_role("button", name="未解除预警").click()
    expect(page.get_by_role("button", name="未解除预警")).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=shots / "analytics-map-guangzhou-1920.png")
    page.locator("#map-table a", has_text="天河区").click()  # a district: its 街道 as markers around it
    expect(page.locator("#map-title")).to_have_text("天河区总工会", timeout=DRILL)
    expect(page.locator("#map-table tbody")).to_contain_text("石牌街道")
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(5, 5)
    page.screenshot(path=shots / "analytics-map-tianhe-1920.png")
    page.get_by_role("button", name="← 返回上级").click()
    expect(page.locator("#map-title")).to_have_text("广州市总工会", timeout=DRILL)
    page.get_by_role("button", name="← 返回上级").click()
    expect(chart).to_have_attribute("data-map-level", "44", timeout=DRILL)
    page.locator("#map-table a", has_text="东莞").click()  # no districts: its towns are markers
    expect(chart).to_have_attribute("data-map-level", "4419", timeout=DRILL)
    expect(page.locator("#map-table tbody")).to_contain_text("石龙镇")
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(5, 5)  # off the map: no hover colour in the picture
    page.screenshot(path=shots / "analytics-map-dongguan-1920.png")
    assert not page.js_errors, page.js_errors


def click_on_map(page, chart, *, lng, lat, until):
    """Clicks a place on the canvas until the map shows level `until`. A click is a pixel, and a pixel can miss while the
    browser is still laying the page out on a loaded machine, so a click that started no load is tried again."""
    for _ in range(5):
        x, y = page.evaluate("""([lng, lat]) => echarts.getInstanceByDom(document.getElementById('situation-map'))
            .convertToPixel({geoIndex: 0}, [lng, lat])""", [lng, lat])
        box = chart.bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_function("""() => !document.getElementById('situation-map').hasAttribute('aria-busy')""", timeout=DRILL)
        if chart.get_attribute("data-map-level") == until:
            return
        page.wait_for_timeout(500)
    expect(page.locator("#map-status")).to_be_hidden()  # a failed load names itself before the level check does
    expect(chart).to_have_attribute("data-map-level", until)


def test_the_metrics_page_links_each_figure_to_its_orders(live_server, divisions, open_page, shots, figures):  # noqa: F811
    page = signed_in(open_page, live_server, figures.city_admin, 1920, 1080)
    page.goto(f"{live_server.url}/workbench/analytics/metrics/?org={figures.city.pk}&by=org")
    expect(page.locator(".metrics-figures .stat").first).to_contain_text("受理量")
    page.screenshot(path=shots / "analytics-metrics-1920.png", full_page=True)
    page.locator(".metrics-figures a.stat", has_text="按时签收率").click()
    expect(page.locator(".notice")).to_contain_text("按时签收")
    expect(page.locator("table.tickets tbody tr")).to_have_count(4)
    assert not page.js_errors, page.js_errors
