"""The main pages under the Content-Security-Policy, in chromium on the demo data: the login, every 工作台 menu page of a
district cadre (and the pages where Alpine, htmx, charts and confirmations do something), the H5 pages of a worker who
joins. Any CSP refusal or other console error fails the test (the fixtures in gonghui/orgs/tests/test_browser.py turn
securitypolicyviolation events into console errors as well).
"""
import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from gonghui.members import services as member_services
from gonghui.members.models import Drive, JoinApplication, Segment
from gonghui.members.tests.factories import new_id_number
from gonghui.members.tests.test_browser import demo_sign_in
from gonghui.notify.sms import MemoryBackend
from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]

POLICY = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'self'",
          "frame-ancestors 'none'", "form-action 'self'", "img-src 'self' data: blob:")


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers["content-security-policy"]
    assert all(directive in policy for directive in POLICY) and "unsafe" not in policy, policy
    page.wait_for_load_state("networkidle")  # htmx fragments that load with the page have come back too


def test_the_main_pages_run_under_the_content_security_policy(live_server, divisions, open_page, shots):  # noqa: F811
    call_command("seed_demo", employers=300, stdout=io.StringIO())
    page = open_page(1366, 900)
    visit(page, f"{live_server.url}/accounts/login/")
    demo_sign_in(page, live_server, "th_cadre")
    menu = page.locator("nav.wb-menu a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(menu) > 15 and "/workbench/members/segments/" in menu
    for href in menu:
        if href != "/api/docs":  # Swagger UI: its own page
            visit(page, f"{live_server.url}{href}")

    visit(page, f"{live_server.url}/workbench/orgs/")  # Alpine (CSP build): a tree node opens and loads its children
    toggle = page.locator("#org-tree button.toggle").first
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_text("▾")
    expect(page.locator("#org-tree li ul").first.locator("a.node").first).to_be_visible()

    drive = Drive.objects.get(name="天河区新就业形态劳动者入会攻坚")
    visit(page, f"{live_server.url}/workbench/members/drives/{drive.pk}/")  # bars sized from data-, a chart tooltip
    expect(page.get_by_role("progressbar").locator("span")).to_have_attribute("style", re.compile(r"width: \d+%"))
    chart = page.locator("#chart-weeks[data-chart-ready]")
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6)
    expect(chart.locator(".chart-tip-mark").first).to_be_visible()
    page.screenshot(path=shots / "csp-drive-tooltip.png")
    visit(page, f"{live_server.url}/workbench/members/drives/{drive.pk}/monthly/")
    for selector in ("#chart-months", "#chart-visits", "#chart-orgs"):
        expect(page.locator(f"{selector}[data-chart-ready] canvas")).to_have_count(1)
    page.screenshot(path=shots / "csp-drive-monthly.png", full_page=True)

    visit(page, f"{live_server.url}/workbench/members/segments/")  # htmx: the live count
    page.get_by_label("新就业形态").select_option("food_delivery")
    expect(page).to_have_url(re.compile("new_form_type=food_delivery"))
    expect(page.locator("#segment-count .big-count")).to_be_visible()
    page.fill("input[name=name]", "内容安全策略检查")
    page.get_by_role("button", name="保存为分群").click()
    expect(page.locator("body")).to_contain_text("已保存分群")
    page.once("dialog", lambda dialog: dialog.dismiss())  # data-confirm: "cancel" keeps the segment
    page.get_by_role("button", name="删除分群").click()
    expect(page.locator("h1")).to_contain_text("内容安全策略检查")
    assert Segment.objects.filter(name="内容安全策略检查").exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除分群").click()
    page.wait_for_url("**/segments/saved/")
    assert not Segment.objects.filter(name="内容安全策略检查").exists()
    assert page.js_errors == []

    phone = open_page(390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)
    for path in ("/h5/", "/h5/services/", "/h5/find-union/?q=thq", "/h5/employer-check/"):
        visit(phone, f"{live_server.url}{path}")
    MemoryBackend.outbox.clear()
    visit(phone, f"{live_server.url}/accounts/h5-login/?next=/h5/member/join/")
    phone.fill("input[name=phone]", "13912340017")
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.locator("body")).to_contain_text("验证码已发送")
    phone.fill("input[name=code]", re.search(r"验证码为(\d{6})", MemoryBackend.outbox[-1].render()).group(1))
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url("**/h5/member/join/")
    phone.fill("input[name=name]", "钱策略")
    phone.fill("input[name=id_number]", new_id_number())
    phone.fill("#id_employer_query", "有限公司")  # Alpine: a result chosen from htmx's list
    option = phone.locator("button.option").first
    employer_name = option.get_attribute("data-employer-label")
    option.click()
    expect(phone.locator(".chosen")).to_contain_text(employer_name)
    expect(phone.locator("input[name=employer_id]")).to_have_value(option.get_attribute("data-employer-id"))
    phone.screenshot(path=shots / "csp-h5-join.png", full_page=True)
    phone.get_by_role("button", name="提交入会申请").click()
    phone.wait_for_url("**/h5/member/join/done/*/")
    application = JoinApplication.objects.filter(status="pending").latest("pk")  # the one just submitted
    member_services.application_approve(actor=None, application_id=application.pk)
    visit(phone, f"{live_server.url}/h5/member/card/")
    expect(phone.locator("#member-card img")).to_be_visible()
    phone.screenshot(path=shots / "csp-h5-card.png", full_page=True)
    for path in ("/h5/me/", "/h5/member/", "/h5/member/transfer/", "/h5/inbox/"):
        visit(phone, f"{live_server.url}{path}")
    assert phone.js_errors == []
