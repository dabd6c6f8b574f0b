"""End-to-end checks in a real browser: Debian chromium driven by Playwright against pytest-django's live server.

Run just these with `pytest -m browser`; screenshots land in artifacts/screenshots/ (gitignored).

The live server needs `transactional_db`, and a transactional test ends by flushing every table, which
would wipe the divisions the session fixture in conftest.py loaded once. So each test here loads them
itself (idempotent), and conftest's `divisions_after_flush` puts them back after this module's last
flush, for whatever runs next; it is used module-wide so that happens even when the tests skip.
"""
import datetime as dt
import os
import re
from pathlib import Path

import pyotp
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.members import imports as member_imports
from gonghui.members import segments
from gonghui.members import services as member_services
from gonghui.members.models import Membership, Segment
from gonghui.members.tests.factories import new_id_number
from gonghui.core.tests.files import EXE, PDF, PNG
from gonghui.notify.sms import MemoryBackend
from gonghui.orgs import assessment
from gonghui.orgs.models import ImprovementTask, OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory
from gonghui.orgs.tests.test_imports import EMPLOYER_HEADER, employer_row, xlsx

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there unless told.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
PASSWORD = "Test@pass2026"
EMPLOYER_NAME = "广州天河测试科技有限公司"
SHIPAI = "440106006"  # 石牌街道, 天河区
TOTP_TEST_SECRET = "JBSWY3DPEHPK3PXPGONGHUITESTSECRT"
CSP_VIOLATIONS_TO_CONSOLE = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " at "
                + event.sourceFile + ":" + event.lineNumber);
});
"""


def sign_in(page: Page, live_server, user, *, lands_on: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lands_on)


@pytest.fixture
def divisions(transactional_db, divisions_after_flush):
    """Roles, templates and the real tree, even when an earlier transactional test flushed them."""
    divisions_after_flush()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium (/usr/bin/chromium) is not installed: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(request) -> Path:
    folder = request.config.rootpath / "artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def open_page(browser):
    """open_page(width, height) → a fresh page whose JS errors end up in page.js_errors."""
    contexts = []

    def _open(width: int = 1366, height: int = 900, **options) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.js_errors = []

        def on_console(msg):
            # No page links a favicon, so chromium's automatic /favicon.ico request 404s; that is not a JS error.
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
                page.js_errors.append(f"console: {msg.text} ({msg.location.get('url')}) on {page.url}")

        # Chromium reports a CSP refusal in the console ("Refused to …"); the event names the directive and the source too.
        context.add_init_script(CSP_VIOLATIONS_TO_CONSOLE)
        page.on("console", on_console)
        page.on("pageerror", lambda exc: page.js_errors.append(f"pageerror: {exc} on {page.url}"))
        return page

    yield _open
    for context in contexts:
        context.close()


def test_district_cadre_logs_in_with_totp_and_works_in_their_subtree(live_server, divisions, cadre, org, open_page, shots):
    user = cadre("440106")  # 天河区总工会: TOTP optional at district level, this cadre has turned it on
    user.totp_secret = TOTP_TEST_SECRET
    user.save()
    employer = EmployerFactory(town=org(SHIPAI), name=EMPLOYER_NAME, headcount=120)
    sibling = EmployerFactory(town=org("440104001"), name="越秀区某商贸有限公司")  # 越秀区: not this cadre's
    page = open_page()

    sign_in(page, live_server, user, lands_on="**/accounts/login/totp/")
    page.fill("input[name=code]", pyotp.TOTP(TOTP_TEST_SECRET).now())
    page.screenshot(path=shots / "totp-step.png")
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url("**/workbench/")

    page.goto(f"{live_server.url}/workbench/orgs/")
    tree = page.locator("#org-tree")
    expect(tree).to_contain_text("天河区总工会")
    expect(tree).not_to_contain_text("广州市总工会")
    page.locator("input[name=q][type=search]").first.fill("天河")
    hit = page.locator("#search-results a.search-hit").filter(has_text="天河区总工会").first
    expect(hit).to_be_visible()
    page.screenshot(path=shots / "tree-search.png", full_page=True)

    hit.click()
    panel = page.locator("#org-panel")
    expect(panel.locator("h2")).to_contain_text("天河区总工会")
    expect(panel).to_contain_text("建会率")
    link = panel.locator("a.employer-link").filter(has_text=EMPLOYER_NAME)
    expect(link).to_be_visible()
    page.screenshot(path=shots / "org-panel.png", full_page=True)

    link.click()
    page.wait_for_url(f"**/workbench/employers/{employer.pk}/")
    expect(page.locator("h1")).to_contain_text(EMPLOYER_NAME)
    expect(page.locator("body")).to_contain_text(employer.uscc)
    page.screenshot(path=shots / "employer-detail.png", full_page=True)

    response = page.goto(f"{live_server.url}/workbench/employers/{sibling.pk}/")
    assert response.status == 404
    expect(page.locator("body")).to_contain_text("对象不存在或无权访问")
    expect(page.locator("body")).not_to_contain_text("越秀区某商贸有限公司")
    page.screenshot(path=shots / "sibling-employer-refused.png")

    unexpected = [error for error in page.js_errors if f"/employers/{sibling.pk}/" not in error]  # the 404 itself is expected
    assert unexpected == []


def test_worker_finds_a_union_by_pinyin_initials_on_a_phone(live_server, divisions, open_page, shots):
    page = open_page(390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)

    page.goto(f"{live_server.url}/h5/")
    tabs = page.get_by_role("navigation", name="底部导航")
    for label in ("首页", "办事", "我的"):
        expect(tabs.get_by_role("link", name=label)).to_be_visible()
    page.screenshot(path=shots / "h5-home.png", full_page=True)

    page.get_by_role("search").locator("input[name=q]").fill("thq")
    page.get_by_role("search").get_by_role("button", name="搜索").click()
    page.wait_for_url("**/h5/find-union/?q=thq")
    expect(page.locator(".result-list")).to_contain_text("天河区总工会")
    page.screenshot(path=shots / "h5-find-union.png", full_page=True)

    assert page.js_errors == []


def test_cadre_uploads_employers_watches_progress_and_downloads_the_error_report(
    live_server, divisions, cadre, open_page, shots, tmp_path
):

    user = cadre("440106")
    rows = [employer_row(name=f"浏览器导入{i}有限公司") for i in range(40)] + [employer_row(uscc="91440106MA59ABCD01", name="校验位错")]
    upload = tmp_path / "用人单位.xlsx"
    upload.write_bytes(xlsx(EMPLOYER_HEADER, rows))
    page = open_page()
    sign_in(page, live_server, user, lands_on="**/workbench/")

    page.goto(f"{live_server.url}/workbench/import/employers/")
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url("**/workbench/jobs/*/")
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#job-progress")).to_contain_text("发现 1 处错误")
    page.screenshot(path=shots / "import-progress.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载错误报告").click()
    report = tmp_path / "report.xlsx"
    download_info.value.save_as(report)

    sheet = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert sheet[1][:2] == [42.0, "统一社会信用代码"]
    assert page.js_errors == []


def test_worker_joins_from_a_county_code_on_a_phone_and_a_cadre_approves(live_server, divisions, cadre, org, open_page, shots):
    code = member_services.join_code_for(org=org("440106"))
    EmployerFactory(town=org(SHIPAI), name="天河扫码测试科技有限公司")
    reviewer = PostFactory(org=org("440106"), role=Role.objects.get(code="reviewer")).user
    MemoryBackend.outbox.clear()
    phone = open_page(390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)

    phone.goto(f"{live_server.url}/h5/join/{code.token}/")  # what the county's QR opens
    phone.wait_for_url("**/accounts/h5-login/**")
    phone.fill("input[name=phone]", "13912345678")  # step 1: phone login
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.locator("body")).to_contain_text("验证码已发送")
    sms_code = re.search(r"验证码为(\d{6})", MemoryBackend.outbox[-1].render()).group(1)
    phone.fill("input[name=code]", sms_code)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url("**/h5/member/join/")

    expect(phone.locator("body")).to_contain_text("天河区总工会")  # step 2: real-name form, county preselected
    phone.fill("input[name=name]", "周扫码")
    phone.fill("input[name=id_number]", new_id_number())
    phone.fill("#id_employer_query", "天河扫码")
    phone.locator("button.option").filter(has_text="天河扫码测试科技有限公司").click()
    phone.screenshot(path=shots / "h5-join-form.png", full_page=True)
    phone.get_by_role("button", name="提交入会申请").click()
    phone.wait_for_url("**/h5/member/join/done/*/")  # step 3: submitted
    expect(phone.locator("body")).to_contain_text("石牌街道总工会")
    phone.screenshot(path=shots / "h5-join-submitted.png", full_page=True)

    desk = open_page()
    sign_in(desk, live_server, reviewer, lands_on="**/workbench/")
    desk.goto(f"{live_server.url}/workbench/members/applications/")
    expect(desk.locator("article.application")).to_contain_text("周*码")
    desk.screenshot(path=shots / "cadre-join-queue.png", full_page=True)
    desk.locator("article.application").get_by_role("button", name="通过").click()
    expect(desk.locator("body")).to_contain_text("已通过")

    phone.goto(f"{live_server.url}/h5/member/card/")
    card = phone.locator("#member-card")
    expect(card).to_contain_text("周扫码")
    expect(card).to_contain_text("石牌街道总工会")
    expect(card.locator("img")).to_be_visible()
    phone.screenshot(path=shots / "h5-member-card.png", full_page=True)
    assert phone.js_errors == [] and desk.js_errors == []


def test_cadre_imports_members_downloads_the_report_and_builds_a_segment(live_server, divisions, cadre, org, open_page, shots, tmp_path):
    manager = PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user
    rows = [["姓名", "身份证号", "手机号", "所在工会编码", "入会日期", "新就业形态", "平台企业"]]
    rows += [[f"导入{i}号", new_id_number(), "13700137000", SHIPAI, "2026-03-01", "外卖骑手" if i % 2 else "", "美团"] for i in range(30)]
    rows += [["坏行", "4401061995", "13700137000", SHIPAI, "", "", ""]]
    upload = tmp_path / "会员名册.csv"
    upload.write_text("\n".join(",".join(row) for row in rows), encoding="gb18030")  # as Excel saves CSV in China
    page = open_page()
    sign_in(page, live_server, manager, lands_on="**/workbench/")

    page.goto(f"{live_server.url}/workbench/members/import/")
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_label("只导入正确的行，错误行另行处理").check()
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url("**/workbench/jobs/*/")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#job-progress")).to_contain_text("新增会员 30 人")
    page.screenshot(path=shots / "member-import-progress.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载结果文件").click()
    report = tmp_path / "report.xlsx"
    download_info.value.save_as(report)
    assert CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()[1][:2] == [32.0, "身份证号"]

    # The builder opens with no filters; every choice below is made in the page (htmx counts, no reload), so a save that
    # copied the filters of the page load would save an empty segment.
    page.goto(f"{live_server.url}/workbench/members/segments/")
    count = page.locator("#segment-count")
    page.get_by_label("新就业形态").select_option("food_delivery")
    expect(count).to_contain_text("15 名会员符合条件")
    expect(page).to_have_url(re.compile(r"new_form_type=food_delivery"))  # the address bar follows the builder
    page.get_by_label("查找组织").fill("石牌")
    shipai = org(SHIPAI)
    page.locator("#segment-within").select_option(str(shipai.pk))  # waits for the search's options
    expect(page).to_have_url(re.compile(rf"within={shipai.pk}"))  # that count has come back (it is 15 before and after)
    expect(count).to_contain_text("15 名会员符合条件")
    page.get_by_label("年龄上限").fill("200")
    expect(count).to_contain_text("年龄应在 0 到 120 岁之间（填整数）")
    page.get_by_label("年龄上限").fill("")
    expect(count).to_contain_text("15 名会员符合条件")
    expect(page).to_have_url(re.compile(rf"age_max=&.*within={shipai.pk}"))  # the address follows the last count too
    assert "csrfmiddlewaretoken" not in page.url and "org_q" not in page.url
    page.screenshot(path=shots / "member-segment-builder.png", full_page=True)
    page.get_by_role("button", name="保存为分群").click()  # no name yet: refused, everything kept
    expect(page.get_by_role("alert").filter(has_text="请给分群起个名字")).to_be_visible()
    expect(page.get_by_label("新就业形态")).to_have_value("food_delivery")
    expect(page.locator("#segment-within")).to_have_value(str(shipai.pk))
    live = int(count.locator(".big-count").inner_text())
    page.fill("input[name=name]", "石牌外卖骑手会员")
    page.get_by_role("button", name="保存为分群").click()
    expect(page.locator("body")).to_contain_text("已保存分群")
    segment = Segment.objects.get(name="石牌外卖骑手会员")
    assert segment.filters["new_form_type"] == "food_delivery" and segment.filters["within"] == shipai.pk
    assert segments.segment_resolve(actor=manager, segment=segment).count() == live == 15
    expect(page.locator("#segment-facts")).to_contain_text("外卖骑手")
    expect(page.locator("#segment-facts")).to_contain_text(shipai.name)
    expect(count).to_contain_text(f"{live} 名会员符合条件")
    page.screenshot(path=shots / "member-segment.png", full_page=True)
    page.get_by_role("link", name="← 已保存的分群").click()
    expect(page.locator("#segment-table")).to_contain_text("石牌外卖骑手会员")
    assert page.js_errors == []


def test_cadre_exports_the_filtered_member_list_masked_and_in_full(live_server, divisions, org, open_page, shots, tmp_path):
    manager = PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user
    rows = [["姓名", "身份证号", "手机号", "所在工会编码", "入会日期", "新就业形态", "平台企业"]]
    rows += [[f"导出{i}号", new_id_number(), f"1370013{i:04d}", SHIPAI, "2026-03-01", "", ""] for i in range(30)]
    member_imports.member_import(actor=manager, data="\n".join(",".join(row) for row in rows).encode())
    Membership.objects.filter(member_number__in=Membership.objects.order_by("pk").values_list("member_number", flat=True)[:5]).update(status="frozen")
    page = open_page()
    sign_in(page, live_server, manager, lands_on="**/workbench/")

    page.goto(f"{live_server.url}/workbench/members/?status=active")
    expect(page.locator("body")).to_contain_text("共 25 人")
    full_shot(page, shots / "member-list-export.png")
    page.get_by_role("button", name="导出 Excel（脱敏）").click()
    page.wait_for_url("**/workbench/jobs/*/")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#job-progress")).to_contain_text("共导出 25 名会员（姓名、身份证号、手机号已脱敏）")
    full_shot(page, shots / "member-export-progress.png")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载结果文件（会员名册.xlsx）").click()
    masked = tmp_path / "masked.xlsx"
    download_info.value.save_as(masked)
    sheet = CalamineWorkbook.from_path(str(masked)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 26 and {row[7] for row in sheet[1:]} == {"在会"} and sheet[1][3].startswith("137****")

    page.goto(f"{live_server.url}/workbench/members/?status=frozen")
    reason = page.get_by_label("导出理由")
    reason.evaluate("input => input.removeAttribute('minlength')")  # what the server says when the browser does not check
    reason.fill("核对")
    page.get_by_role("button", name="导出完整信息（留痕）").click()
    expect(page.get_by_role("alert")).to_have_text("导出完整个人信息须填写理由（至少4个字）")
    expect(page.get_by_label("导出理由")).to_have_value("核对")
    expect(page.locator("body")).to_contain_text("共 5 人")  # still the filtered list
    full_shot(page, shots / "member-export-reason-refused.png")
    page.get_by_label("导出理由").fill("年度会员核对")
    page.get_by_role("button", name="导出完整信息（留痕）").click()
    page.wait_for_url("**/workbench/jobs/*/")
    expect(page.locator("#job-progress")).to_contain_text("共导出 5 名会员（含完整个人信息，已记入审计日志）")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载结果文件（会员名册（含完整信息）.xlsx）").click()
    full = tmp_path / "full.xlsx"
    download_info.value.save_as(full)
    sheet = CalamineWorkbook.from_path(str(full)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 6 and {row[1] for row in sheet[1:]} <= {f"导出{i}号" for i in range(30)} and "*" not in sheet[1][3]
    page.goto(f"{live_server.url}/workbench/jobs/")
    expect(page.locator("table.grid")).to_contain_text("会员导出")
    full_shot(page, shots / "job-list-exports.png")
    assert [error for error in page.js_errors if "status of 400" not in error] == []  # the refused reason answers 400


def full_shot(page: Page, path: Path) -> None:
    """A full-page screenshot from the top, so a sticky header is not captured halfway down the page."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def test_city_cadre_builds_and_publishes_a_scheme_and_a_union_uploads_evidence(live_server, divisions, cadre, org, open_page, shots, tmp_path):
    city = cadre("4401")  # 广州市总: TOTP is required at city level
    city.totp_secret = TOTP_TEST_SECRET
    city.save()
    union = OrgFactory(parent=org(SHIPAI), type=OrgType.ENTERPRISE, name="广州天河测试科技有限公司工会委员会")
    EmployerFactory(town=org(SHIPAI), union=union, name=EMPLOYER_NAME, headcount=150)
    company = cadre(union.code)
    files = {"年度总结.pdf": EXE, "工会章程.pdf": PDF, "活动照片.png": PNG}  # the first is a program renamed to .pdf
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    desk = open_page()
    sign_in(desk, live_server, city, lands_on="**/accounts/login/totp/")
    desk.fill("input[name=code]", pyotp.TOTP(TOTP_TEST_SECRET).now())
    desk.get_by_role("button", name="验证并登录").click()
    desk.wait_for_url("**/workbench/")

    desk.goto(f"{live_server.url}/workbench/assessments/")
    desk.get_by_role("link", name="新建评价方案").click()
    desk.get_by_label("新建方式").select_option("zhuhai")
    desk.get_by_label("方案名称").fill("广州市百人以上非公企业工会评价")
    full_shot(desk, shots / "scheme-new.png")
    desk.get_by_role("button", name="创建草稿").click()
    desk.wait_for_url("**/assessments/schemes/*/edit/")

    politics = desk.locator(".dimension").first
    politics.get_by_label("维度分值", exact=True).fill("0")
    politics.locator(".dimension-head").get_by_role("button", name="保存").click()
    politics = desk.locator(".dimension").first
    expect(politics.locator(".row-errors")).to_contain_text("维度分值应为 1 到 100 之间的整数")
    expect(politics.get_by_label("维度分值", exact=True)).to_have_value("0")  # what was typed stays
    full_shot(desk, shots / "scheme-editor-error.png")

    politics.get_by_label("维度分值", exact=True).fill("15")
    politics.locator(".dimension-head").get_by_role("button", name="保存").click()
    politics = desk.locator(".dimension").first
    politics.locator("form.indent").first.get_by_label("指标分值", exact=True).fill("10")
    politics.locator("form.indent").first.get_by_role("button", name="保存").click()
    politics = desk.locator(".dimension").first
    expect(politics).to_contain_text("指标合计 10 / 15 分")
    politics.get_by_label("新指标名称").fill("职工思想政治教育活动")
    politics.get_by_label("新指标分值").fill("5")
    politics.get_by_role("button", name="添加指标").click()
    expect(desk.locator("body")).to_contain_text("各项分值已核对无误，可以发布")
    desk.get_by_role("button", name="下移维度工会自身建设").click()
    expect(desk.locator(".dimension").nth(2)).to_contain_text("指标合计 15 / 15 分")
    desk.get_by_label("第2档分数线").fill("85")
    desk.get_by_role("button", name="保存设置").click()
    expect(desk.get_by_label("第2档分数线")).to_have_value("85")
    desk.get_by_role("button", name="发布方案").click()
    expect(desk.locator("h1 .badge")).to_have_text("已发布")
    full_shot(desk, shots / "scheme-editor-published.png")
    scheme_url = re.match(r".*/assessments/schemes/\d+/", desk.url).group(0)

    phone = open_page()  # the enterprise union's own cadre
    sign_in(phone, live_server, company, lands_on="**/workbench/")
    phone.goto(scheme_url)
    phone.fill("input[name=union_code]", union.code)
    phone.get_by_role("button", name="参评").click()
    phone.wait_for_url(re.compile(r".*/assessments/\d+/$"))
    phone.set_input_files("input[name=files]", str(tmp_path / "年度总结.pdf"))
    phone.get_by_role("button", name="上传材料").click()
    expect(phone.locator("#evidence")).to_contain_text("“年度总结.pdf”不是 PDF、JPG、PNG、Word（.docx）、Excel（.xlsx） 文件")
    full_shot(phone, shots / "evidence-refused.png")
    phone.set_input_files("input[name=files]", [str(tmp_path / "工会章程.pdf"), str(tmp_path / "活动照片.png")])
    phone.get_by_label("对应指标").select_option(label="思想政治引领：职工思想政治教育活动")
    phone.get_by_role("button", name="上传材料").click()
    evidence = phone.locator(".evidence-list")
    expect(evidence).to_contain_text("工会章程.pdf")
    expect(evidence).to_contain_text("活动照片.png")
    expect(evidence).to_contain_text("思想政治引领：职工思想政治教育活动")
    for score in phone.locator("input[name^=score_]").all():
        score.fill("4")
    phone.locator("textarea[name=evidence]").fill("工会章程和活动照片已上传，台账另附。")
    full_shot(phone, shots / "evidence-uploaded.png")
    phone.get_by_role("button", name="提交自主申报").click()
    expect(phone.locator("h1 .badge")).to_have_text("已自主申报")

    desk.goto(phone.url)  # the 市总 reviews: the file opens through the audited download
    with desk.expect_download() as download_info:
        desk.get_by_role("link", name="工会章程.pdf").click()
    assert Path(download_info.value.path()).read_bytes() == PDF
    desk.goto(f"{scheme_url}edit/")
    expect(desk.locator("body")).to_contain_text("已有 1 家工会提交自主申报：总分、等级线、维度和指标已锁定")
    expect(desk.get_by_role("button", name="撤回发布（修改评分项）")).to_have_count(0)
    full_shot(desk, shots / "scheme-editor-locked.png")
    desk.goto(f"{live_server.url}/workbench/assessments/?q=百人以上&year=2026")
    expect(desk.locator("table.grid")).to_contain_text("2026年 广州市百人以上非公企业工会评价")
    expect(desk.locator("table.grid")).to_contain_text("接受申报")
    full_shot(desk, shots / "scheme-list.png")
    assert desk.js_errors == [] and phone.js_errors == []


def test_a_union_uploads_and_removes_evidence_without_losing_the_scores_it_typed(live_server, divisions, setting, open_page, shots, tmp_path):
    item = assessment.assessment_start(actor=setting["company"], scheme=setting["scheme"], union=setting["union"])
    for name, data in {"年度总结.pdf": EXE, "工会章程.pdf": PDF}.items():  # the first is a program renamed to .pdf
        (tmp_path / name).write_bytes(data)
    page = open_page()
    sign_in(page, live_server, setting["company"], lands_on="**/workbench/")
    page.goto(f"{live_server.url}{reverse('assessments:detail', args=[item.pk])}")
    score = page.get_by_label("思想政治引领自评分")
    score.fill("12.5")
    page.locator("textarea[name=evidence]").fill("制度文件已上传，活动照片另附。")
    page.evaluate("window.notReloaded = true")  # gone if the browser loads the page again

    page.set_input_files("input[name=files]", str(tmp_path / "年度总结.pdf"))
    page.get_by_role("button", name="上传材料").click()
    expect(page.locator("#evidence")).to_contain_text("“年度总结.pdf”不是 PDF、JPG、PNG、Word（.docx）、Excel（.xlsx） 文件")
    expect(score).to_have_value("12.5")

    page.set_input_files("input[name=files]", str(tmp_path / "工会章程.pdf"))
    page.get_by_label("对应指标").select_option(label="工会自身建设：工会自身建设工作成效")
    page.get_by_role("button", name="上传材料").click()
    expect(page.locator("#evidence .flash.success")).to_have_text("已上传 1 个佐证材料")
    expect(page.locator(".evidence-list")).to_contain_text("工会章程.pdf")
    expect(page.locator(".evidence-list")).to_contain_text("工会自身建设：工会自身建设工作成效")
    expect(score).to_have_value("12.5")
    expect(page.locator("textarea[name=evidence]")).to_have_value("制度文件已上传，活动照片另附。")
    assert page.evaluate("window.notReloaded") is True
    full_shot(page, shots / "evidence-scores-kept.png")

    page.once("dialog", lambda dialog: dialog.accept())  # 删除“工会章程.pdf”？
    page.locator(".evidence-list").get_by_role("button", name="删除").click()
    expect(page.locator("#evidence")).to_contain_text("还没有上传材料")
    expect(score).to_have_value("12.5")
    assert page.evaluate("window.notReloaded") is True

    for other in page.locator("input[name^=score_]").all()[1:]:
        other.fill("10")
    page.get_by_role("button", name="提交自主申报").click()
    expect(page.locator("h1 .badge")).to_have_text("已自主申报")
    item.refresh_from_db()
    assert item.self_scores[str(setting["scheme"].indicators.first().pk)] == 12.5
    assert page.js_errors == []


def test_a_refused_step_keeps_the_scores_and_a_failing_union_works_its_improvement_tasks(
        live_server, divisions, setting, org, open_page, shots, tmp_path):
    item = assessment.assessment_start(actor=setting["company"], scheme=setting["scheme"], union=setting["union"])
    (tmp_path / "整改报告.pdf").write_bytes(PDF)
    phone = open_page()  # the enterprise union's own cadre
    sign_in(phone, live_server, setting["company"], lands_on="**/workbench/")
    phone.goto(f"{live_server.url}{reverse('assessments:detail', args=[item.pk])}")
    for score in phone.locator("input[name^=score_]").all():
        score.fill("4")
    phone.locator("textarea[name=evidence]").fill("见附件")
    phone.get_by_role("button", name="提交自主申报").click()
    expect(phone.locator(".field.has-error")).to_contain_text("请填写佐证说明（至少10个字）")
    expect(phone.get_by_label("思想政治引领自评分")).to_have_value("4")
    expect(phone.locator("textarea[name=evidence]")).to_have_value("见附件")
    full_shot(phone, shots / "assessment-refused-kept.png")
    phone.locator("textarea[name=evidence]").fill("见附件：工会章程、会员台账、活动照片。")
    phone.get_by_role("button", name="提交自主申报").click()
    expect(phone.locator("h1 .badge")).to_have_text("已自主申报")
    assessment.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=True, comment="如实申报，推荐评定")

    city = setting["city"]  # 广州市总: TOTP is required at city level
    city.totp_secret = TOTP_TEST_SECRET
    city.save()
    desk = open_page()
    sign_in(desk, live_server, city, lands_on="**/accounts/login/totp/")
    desk.fill("input[name=code]", pyotp.TOTP(TOTP_TEST_SECRET).now())
    desk.get_by_role("button", name="验证并登录").click()
    desk.wait_for_url("**/workbench/")
    desk.goto(phone.url)
    expect(desk.locator("form.form-card")).to_contain_text("评定为 不合格")
    expect(desk.locator("select[name=stars]")).to_have_count(0)  # 不合格: no stars to pick
    desk.locator("select[name=level]").select_option(label="初级")
    desk.get_by_label("整改期限（自然日）").fill("0")
    desk.get_by_role("button", name="市总评定").click()
    expect(desk.locator(".field.has-error")).to_contain_text("整改期限应为 1 到 365 天的整数")
    expect(desk.locator("select[name=level]")).to_have_value("basic")  # the choice made stays
    full_shot(desk, shots / "assessment-award-refused.png")
    desk.get_by_label("整改期限（自然日）").fill("60")
    desk.get_by_role("button", name="市总评定").click()
    expect(desk.locator("h1 .badge")).to_have_text("市总已评定")
    expect(desk.locator(".stats")).to_contain_text("不合格不评星")
    desk.goto(f"{live_server.url}{reverse('assessments:scheme', args=[setting['scheme'].pk])}")
    desk.get_by_label("范围").select_option(label="　天河区总工会")
    desk.get_by_role("button", name="筛选").click()
    expect(desk.locator("h2#ranking")).to_contain_text("天河区总工会")
    expect(desk.locator("table.grid tbody tr").first).to_contain_text("某科技公司工会委员会")
    full_shot(desk, shots / "assessment-ranking-district.png")
    desk.get_by_role("link", name="评价历史").first.click()
    expect(desk.locator("h1")).to_contain_text("某科技公司工会委员会 · 评价历史")
    expect(desk.locator("table.grid")).to_contain_text("不合格")
    full_shot(desk, shots / "assessment-union-history.png")

    phone.reload()
    first_task = phone.locator("article.improvement").first
    expect(first_task).to_contain_text("剩余")
    first_task.get_by_text("填写整改情况").click()
    first_task.get_by_label("整改情况（至少10个字）").fill("已修订工会制度，组织学习三次。")
    first_task.get_by_label("整改佐证（可选）").set_input_files(str(tmp_path / "整改报告.pdf"))
    first_task.get_by_role("button", name="报告整改完成").click()
    expect(phone.locator(".flash.success")).to_have_text("已报告整改完成，等待区总确认")
    expect(phone.locator("article.improvement").first).to_contain_text("已报完成，待确认")
    full_shot(phone, shots / "improvement-reported.png")

    late = ImprovementTask.objects.filter(assessment=item, status="open").order_by("pk").first()
    ImprovementTask.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=7))
    district = open_page()
    sign_in(district, live_server, setting["district"], lands_on="**/workbench/")
    district.get_by_role("link", name="激励整改").click()
    overdue = district.locator("table.grid tbody tr.overdue")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text(late.description)
    expect(overdue).to_contain_text("已超期")
    full_shot(district, shots / "improvement-list-overdue.png")
    district.get_by_role("link", name="待确认").click()
    rows = district.locator("table.grid tbody tr")
    expect(rows).to_have_count(1)
    full_shot(district, shots / "improvement-list.png")
    rows.first.get_by_role("link", name="办理").click()
    reported = district.locator(f"#task-{ImprovementTask.objects.get(assessment=item, status='done').pk}")
    expect(reported.get_by_role("link", name="整改报告.pdf")).to_be_visible()
    reported.get_by_role("button", name="退回继续整改").click()
    expect(reported.locator(".error-text")).to_contain_text("请填写退回原因")
    reported.get_by_label("意见（退回时必填，企业工会会看到）").fill("核实无误")
    reported.get_by_role("button", name="确认销号").click()
    expect(reported).to_contain_text("已确认销号")
    assert desk.js_errors == [] and phone.js_errors == [] and district.js_errors == []
