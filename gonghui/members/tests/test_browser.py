"""月分析 and 周调度 in a real browser: the demo data's 天河 drive, charts drawn by the vendored ECharts, xlsx downloaded.

Same set-up as gonghui/orgs/tests/test_browser.py (Debian chromium, Playwright, live server, transactional database);
screenshots land in artifacts/screenshots/.
"""
import io
import os

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from gonghui.accounts.demo import DEMO_PASSWORD
from gonghui.members.models import Drive
from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]

CHARTS = ("#chart-months", "#chart-visits", "#chart-orgs")


def demo_sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/workbench/")


def drawn_series(page: Page, selector: str) -> list[str]:
    """The series names ECharts holds for a chart: proof it was initialised with our data, not just a blank canvas."""
    return page.evaluate("s => echarts.getInstanceByDom(document.querySelector(s)).getOption().series.map(x => x.name)", selector)


def test_district_cadre_reads_the_monthly_analysis_of_the_demo_drive(live_server, divisions, open_page, shots, tmp_path):  # noqa: F811
    call_command("seed_demo", employers=300, stdout=io.StringIO())
    drive = Drive.objects.get(name="天河区新就业形态劳动者入会攻坚")
    page = open_page(1366, 900)
    demo_sign_in(page, live_server, "th_cadre")

    page.goto(f"{live_server.url}/workbench/members/drives/{drive.pk}/monthly/")
    for selector in CHARTS:
        page.wait_for_selector(f"{selector}[data-chart-ready] canvas")
    assert drawn_series(page, "#chart-months") == ["本月完成", "累计完成", "序时进度", "目标"]
    assert drawn_series(page, "#chart-visits") == ["接触人数", "现场入会", "走访次数"]
    expect(page.locator("#table-orgs")).to_contain_text("石牌街道总工会")
    expect(page.locator("#table-orgs")).to_contain_text("落后序时进度")
    rows = page.locator("#table-months tbody tr")
    expect(rows).to_have_count(5)  # five months of the demo drive so far, empty ones included
    page.screenshot(path=shots / "drive-monthly.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载月度数据（xlsx）").click()
    sheet_path = tmp_path / "months.xlsx"
    download_info.value.save_as(sheet_path)
    sheet = CalamineWorkbook.from_path(str(sheet_path)).get_sheet_by_index(0).to_python()
    shown = [[cell.strip() for cell in row.split("\t")][:3] for row in rows.evaluate_all("rs => rs.map(r => r.innerText)")]
    assert [[row[0], str(int(row[1])), str(int(row[2]))] for row in sheet[1:]] == shown

    first_month = page.locator("#month-select option").first.get_attribute("value")
    page.select_option("#month-select", first_month)
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(f"**/monthly/?month={first_month}")
    page.wait_for_selector("#chart-months[data-chart-ready] canvas")
    expect(page.locator("#table-months tbody tr")).to_have_count(1)

    page.goto(f"{live_server.url}/workbench/members/drives/{drive.pk}/monthly/?month=2026-13")
    expect(page.locator(".flash.error").first).to_contain_text("月份格式不正确")
    page.wait_for_selector("#chart-months[data-chart-ready] canvas")

    page.get_by_role("link", name="周调度").click()
    page.wait_for_selector("#chart-weeks[data-chart-ready] canvas")
    assert drawn_series(page, "#chart-weeks") == ["本周完成", "累计完成", "序时进度", "目标"]
    page.screenshot(path=shots / "drive-weekly.png", full_page=True)

    phone = open_page(390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)
    demo_sign_in(phone, live_server, "th_cadre")
    phone.goto(f"{live_server.url}/workbench/members/drives/{drive.pk}/monthly/")
    for selector in CHARTS:
        phone.wait_for_selector(f"{selector}[data-chart-ready] canvas")
    width = phone.evaluate("document.querySelector('#chart-months canvas').getBoundingClientRect().width")
    assert 200 < width <= 390
    phone.screenshot(path=shots / "drive-monthly-phone.png", full_page=True)

    unexpected = [error for error in page.js_errors if "month=2026-13" not in error]  # that page answers 400 on purpose
    assert unexpected == [] and phone.js_errors == []
