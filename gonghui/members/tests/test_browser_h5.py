"""The worker's H5 pages on a phone (390×844) in a real browser: a pending application, 我的, a refused join form that
keeps the chosen employer, stacked full-width fields, a union opened from 找工会, and the member card offline.

Same set-up as gonghui/orgs/tests/test_browser.py; screenshots land in artifacts/screenshots/h5-*.png.
"""
import os
import re

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from gonghui.members import services
from gonghui.members.tests.factories import join, worker
from gonghui.orgs import services as org_services
from gonghui.orgs.tests.factories import EmployerFactory
from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]
PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def phone_for(open_page, live_server, user) -> Page:  # noqa: F811
    """A 390×844 phone signed in as `user` (the SMS login has its own browser test)."""
    client = Client()
    client.force_login(user)
    page = open_page(390, 844, **PHONE)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return page


def test_a_pending_applicant_and_a_non_member_on_a_phone(live_server, divisions, open_page, shots, org):  # noqa: F811
    application = join(town_code="440106006", name="周八")
    page = phone_for(open_page, live_server, application.applicant)

    page.goto(f"{live_server.url}/h5/member/")
    expect(page.get_by_role("heading", name="入会申请审核中")).to_be_visible()
    expect(page.locator("main")).to_contain_text("石牌街道总工会")
    expect(page.get_by_role("link", name="一键入会")).to_have_count(0)
    page.screenshot(path=shots / "h5-member-pending.png", full_page=True)
    page.goto(f"{live_server.url}/h5/member/join/")
    page.wait_for_url(f"**/h5/member/join/done/{application.pk}/")
    expect(page.get_by_role("heading", name="申请已提交")).to_be_visible()

    page.goto(f"{live_server.url}/h5/me/")
    expect(page.get_by_role("heading", name="周*")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(application.applicant.username)
    page.screenshot(path=shots / "h5-me.png", full_page=True)

    stranger = phone_for(open_page, live_server, worker())
    stranger.goto(f"{live_server.url}/h5/member/transfer/")
    stranger.wait_for_url("**/h5/member/join/")
    expect(stranger.get_by_role("status")).to_contain_text("您还不是工会会员，请先入会；入会后可办理会籍转接")
    assert page.js_errors == [] and stranger.js_errors == []


def test_a_refused_join_form_keeps_the_employer_and_stacks_its_fields(live_server, divisions, open_page, shots, org):  # noqa: F811
    EmployerFactory(town=org("440106006"), name="天河某某科技有限公司")
    page = phone_for(open_page, live_server, worker())
    page.goto(f"{live_server.url}/h5/member/join/")
    page.fill("input[name=name]", "吴九")
    page.fill("input[name=id_number]", "440106199513011234")  # 13th month
    page.fill("#id_employer_query", "天河某某")
    page.locator("button.option").filter(has_text="天河某某科技有限公司").click()
    page.get_by_role("button", name="提交入会申请").click()
    expect(page.get_by_role("alert").filter(has_text="出生日期无效")).to_be_visible()
    expect(page.locator(".chosen")).to_contain_text("已选：天河某某科技有限公司")
    page.screenshot(path=shots / "h5-join-error-keeps-employer.png", full_page=True)

    page.get_by_role("button", name="更换").click()
    page.get_by_role("button", name="找不到我的单位 / 新就业形态无固定单位").click()
    field, label = page.locator("#id_employer_name"), page.locator("label[for=id_employer_name]")
    expect(field).to_be_visible()
    form_box, field_box, label_box = page.locator("form.h5-form").bounding_box(), field.bounding_box(), label.bounding_box()
    assert label_box["y"] + label_box["height"] <= field_box["y"]  # the label above its field, not beside it
    assert field_box["width"] >= form_box["width"] - 40  # the field as wide as the form (less its padding)
    page.locator("#id_employer_name").scroll_into_view_if_needed()
    page.screenshot(path=shots / "h5-join-not-listed.png", full_page=True)
    assert page.js_errors == []


def test_a_union_found_by_find_union_opens_its_page(live_server, divisions, open_page, shots, org):  # noqa: F811
    org_services.org_update(actor=None, org=org("440106006"), address="天河区石牌东路1号", contact_phone="020-38000000",
                            office_hours="周一至周五 9:00-12:00，14:00-17:30")
    page = open_page(390, 844, **PHONE)
    page.goto(f"{live_server.url}/h5/find-union/?q=石牌")
    page.get_by_role("link", name=re.compile("石牌街道总工会")).first.click()
    page.wait_for_url("**/h5/unions/*/")
    expect(page.get_by_role("heading", name="石牌街道总工会")).to_be_visible()
    for text in ("天河区石牌东路1号", "020-38000000", "周一至周五 9:00-12:00，14:00-17:30", "一键入会", "会籍转接"):
        expect(page.locator("main")).to_contain_text(text)
    page.screenshot(path=shots / "h5-union.png", full_page=True)
    assert page.js_errors == []


def test_the_member_card_offline_says_so_with_its_last_update(live_server, divisions, open_page, shots, org):  # noqa: F811
    membership = services.application_approve(actor=None, application_id=join(town_code="440106006", name="郑十").pk)
    page = phone_for(open_page, live_server, membership.person.user)
    page.goto(f"{live_server.url}/h5/member/card/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")  # installed and claimed this page
    page.reload()  # now through the worker, which keeps this copy
    page.wait_for_function("() => caches.match('/h5/member/card/').then((hit) => hit !== undefined)")
    expect(page.locator("#offline-badge")).to_be_hidden()
    updated = page.locator(".card-updated").inner_text()
    assert re.fullmatch(r"最后更新 \d\d:\d\d", updated)
    assert page.js_errors == []

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#offline-badge")).to_be_visible()
    expect(page.locator("#offline-badge")).to_have_text("离线")
    expect(page.locator(".card-updated")).to_have_text(updated)
    expect(page.locator("#offline-note")).to_contain_text("当前离线")
    expect(page.locator(".qr-valid")).to_be_hidden()  # no validity time that has passed
    expect(page.locator("#member-card")).to_contain_text("郑十")
    page.screenshot(path=shots / "h5-card-offline.png", full_page=True)

    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#offline-badge")).to_be_hidden()
