"""At 1920×1080: the 工单统计 page's charts (drawn, and a category bar opens its orders) and the 预警规则 pages (a wrong
threshold refused with what was typed kept, then saved, then 停用). CSP violations count as console errors.
Screenshots: artifacts/screenshots/analytics-metrics-charts-1920.png, analytics-rules-*.png."""
import os

import pytest
from playwright.sync_api import expect

from gonghui.analytics import rollups
from gonghui.analytics.models import AlertRule
from gonghui.analytics.tests.alerting import rule
from gonghui.analytics.tests.flows import accepted, filed
from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)
from gonghui.tickets.tests.conftest import World
from gonghui.tickets.tests.test_browser import signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

LOAD = 20_000  # ms: ECharts and its data on a busy machine
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]


@pytest.fixture
def world(org):
    world = World(org)
    for _ in range(2):
        accepted(world, filed(world))
    filed(world, category="consult")
    rollups.rebuild_rollups()
    return world


def test_the_metrics_charts_draw_and_a_bar_opens_its_orders(live_server, divisions, open_page, shots, world):  # noqa: F811
    page = signed_in(open_page, live_server, world.city_admin, 1920, 1080)
    page.goto(f"{live_server.url}/workbench/analytics/metrics/?org={world.city.pk}&by=category")
    for chart in ("#chart-trend", "#chart-categories"):
        expect(page.locator(chart)).to_have_attribute("data-links-ready", "true", timeout=LOAD)
    page.get_by_text("图表数据（表格）").click()
    expect(page.locator("#category-table tbody tr")).to_have_count(2)
    expect(page.locator("#category-table tbody tr").first).to_contain_text("投诉")
    page.screenshot(path=shots / "analytics-metrics-charts-1920.png", full_page=True)
    # the first bar (投诉, the largest), found through ECharts rather than a guessed pixel
    holder = page.locator("#chart-categories")
    x, y = page.evaluate("""() => { const chart = echarts.getInstanceByDom(document.getElementById('chart-categories'));
        return chart.convertToPixel({seriesIndex: 0}, [0, 1]); }""")
    box = holder.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/tickets/**category=complaint**", timeout=LOAD)
    expect(page.locator("table.tickets tbody tr")).to_have_count(2)
    assert not page.js_errors, page.js_errors


def test_a_rule_is_refused_kept_saved_and_switched_off(live_server, divisions, open_page, shots, world):  # noqa: F811
    rule(world.tianhe, name="天河区同一单位多人反映")
    page = signed_in(open_page, live_server, world.city_admin, 1920, 1080)
    page.goto(f"{live_server.url}/workbench/analytics/rules/")
    expect(page.get_by_role("row", name="天河区同一单位多人反映")).to_be_visible()
    page.get_by_role("link", name="新建预警规则").click()
    page.get_by_label("规则名称").fill("广州市欠薪涉及人数")
    page.get_by_label("规则类型").select_option(label="同一单位涉及人数")
    page.get_by_label("问题类型").select_option(label="欠薪")
    page.get_by_label("统计天数").fill("7")
    page.get_by_label("黄色预警阈值").fill("30")
    page.get_by_label("橙色预警阈值").fill("20")
    page.get_by_label("红色预警阈值").fill("60")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("阈值须逐级升高：黄色 < 橙色 < 红色")).to_be_visible()
    expect(page.get_by_label("规则名称")).to_have_value("广州市欠薪涉及人数")
    expect(page.get_by_label("黄色预警阈值")).to_have_value("30")
    page.screenshot(path=shots / "analytics-rules-error-1920.png", full_page=True)
    page.get_by_label("黄色预警阈值").fill("10")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已新建预警规则“广州市欠薪涉及人数”")).to_be_visible()
    row = page.get_by_role("row", name="广州市欠薪涉及人数")
    expect(row.get_by_role("cell", name="欠薪", exact=True)).to_be_visible()  # the 问题类型 column
    page.screenshot(path=shots / "analytics-rules-list-1920.png", full_page=True)
    row.get_by_role("button", name="停用：广州市欠薪涉及人数").click()
    expect(page.get_by_text("已停用预警规则“广州市欠薪涉及人数”")).to_be_visible()
    expect(page.get_by_role("row", name="广州市欠薪涉及人数")).to_contain_text("停用")
    assert AlertRule.objects.get(name="广州市欠薪涉及人数").is_active is False
    unexpected = [error for error in page.js_errors if "status of 400" not in error]  # the refused form answers 400 on purpose
    assert len(page.js_errors) - len(unexpected) == 1 and unexpected == [], page.js_errors
