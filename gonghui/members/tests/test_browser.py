"""月分析 and 周调度, the 建会 ledger and a 潜在会员 list in a real browser, on the demo data; charts drawn by the vendored ECharts,
xlsx downloaded.

Same set-up as gonghui/orgs/tests/test_browser.py (Debian chromium, Playwright, live server, transactional database);
screenshots land in artifacts/screenshots/.
"""
import io
import os
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from gonghui.accounts.demo import DEMO_PASSWORD
from gonghui.members import services
from gonghui.members.models import Drive, ProspectList
from gonghui.members.tests.factories import join, new_id_number
from gonghui.members.tests.test_imports import csv_bytes
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


def test_district_cadre_finds_the_worst_covered_employers_in_the_ledger(live_server, divisions, open_page, shots, tmp_path):  # noqa: F811
    call_command("seed_demo", employers=300, stdout=io.StringIO())
    page = open_page(1366, 900)
    demo_sign_in(page, live_server, "th_cadre")
    page.goto(f"{live_server.url}/workbench/members/ledger/")
    rows = page.locator("#ledger-coverage tbody tr")
    expect(rows.first.locator("td").nth(6)).to_have_text("0.0%")  # worst first: an employer nobody has reached
    page.screenshot(path=shots / "ledger.png", full_page=True)

    page.select_option("select[name=has_union]", "1")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**has_union=1**")
    expect(page.locator("#ledger-coverage .badge.warn")).to_have_count(0)

    first_town = page.locator("#ledger-coverage tbody tr").first.locator("td").nth(2).inner_text().strip()  # where a unionised one is
    town = page.locator("#ledger-org option", has_text=first_town)
    town_name = town.inner_text().strip()
    page.select_option("#ledger-org", town.get_attribute("value"))
    page.get_by_role("button", name="切换").click()
    expect(page.locator("h1 small")).to_contain_text(town_name)
    expect(page.locator("select[name=has_union]")).to_have_value("1")  # the filters go along
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出当前结果（xlsx）").click()
    sheet_path = tmp_path / "ledger.xlsx"
    download_info.value.save_as(sheet_path)
    sheet = CalamineWorkbook.from_path(str(sheet_path)).get_sheet_by_index(0).to_python()
    shown = [row.split("\t")[0].strip() for row in page.locator("#ledger-coverage tbody tr").evaluate_all("rs => rs.map(r => r.innerText)")]
    assert shown and [row[0] for row in sheet[1:]] == shown  # one page here, so the export is the page
    page.screenshot(path=shots / "ledger-town.png", full_page=True)
    assert page.js_errors == []


def test_a_prospect_list_reports_its_bad_rows_and_shows_who_joined_since(live_server, divisions, open_page, shots, tmp_path):  # noqa: F811
    call_command("seed_demo", employers=300, stdout=io.StringIO())
    page = open_page(1366, 900)
    demo_sign_in(page, live_server, "th_cadre")
    ids = [new_id_number(region="440106") for _ in range(4)]
    rows = [["张一", ids[0], "13800000001", "", "", "外卖骑手", ""], ["张二", ids[1], "1380000", "", "", "外卖骑手", ""],
            ["张三", ids[2], "", "", "", "快递员", ""], ["张四", ids[3], "", "", "", "快递员", ""], ["错行", "440106", "", "", "", "", ""]]
    listing = tmp_path / "名单.csv"
    listing.write_bytes(csv_bytes(rows))
    page.goto(f"{live_server.url}/workbench/members/prospects/")
    page.fill("input[name=source]", "某外卖平台")
    page.set_input_files("input[name=file]", str(listing))
    page.get_by_role("button", name="上传并比对").click()
    page.wait_for_url("**/jobs/*/")
    expect(page.locator("body")).to_contain_text("请下载问题报告", timeout=15_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("下载结果文件")).click()
    report_path = tmp_path / "report.xlsx"
    download_info.value.save_as(report_path)
    report = CalamineWorkbook.from_path(str(report_path)).get_sheet_by_index(0).to_python()
    assert [row[1] for row in report[1:]] == ["手机号", "身份证号"] and "错行" not in str(report) and "1380000" not in str(report)
    page.screenshot(path=shots / "prospect-job.png", full_page=True)

    services.application_approve(actor=None, application_id=join(id_number=ids[2], town_code="440106006").pk)  # 张三 joins since
    prospect_list = ProspectList.objects.get()
    page.goto(f"{live_server.url}/workbench/members/prospects/{prospect_list.pk}/")
    expect(page.locator("main")).to_contain_text("上传时 0 人已是会员，现 1 人")
    page.screenshot(path=shots / "prospect-detail.png", full_page=True)
    page.goto(f"{live_server.url}/workbench/members/prospects/")
    page.screenshot(path=shots / "prospects.png", full_page=True)
    page.goto(f"{live_server.url}/workbench/members/drives/")
    expect(page.locator("main")).to_contain_text("距结束还有")
    page.screenshot(path=shots / "drives.png", full_page=True)
    assert page.js_errors == []
