"""The 12351 closed loop in a real browser: a worker files on a phone, the centre dispatches, a 天河 handler signs and
replies on the desk, the worker rates 不满意 and the order is handled again. Same set-up as gonghui/orgs/tests/test_browser.py
(CSP violations count as console errors); screenshots land in artifacts/screenshots/tickets-*.png."""
import os

import pytest
from django.test import Client
from playwright.sync_api import expect

from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)
from gonghui.tickets import services
from gonghui.tickets.models import State, Ticket
from gonghui.tickets.tests.conftest import World

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]
PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def signed_in(open_page, live_server, user, width: int, height: int, **options):  # noqa: F811
    client = Client()
    client.force_login(user)
    page = open_page(width, height, **options)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return page


def test_a_complaint_goes_round_the_loop_and_comes_back_when_the_worker_is_not_satisfied(live_server, divisions, open_page, shots, org):  # noqa: F811
    world = World(org)
    phone = signed_in(open_page, live_server, world.worker, 390, 844, **PHONE)
    phone.goto(f"{live_server.url}/h5/tickets/new/")
    phone.select_option("select[name=category]", "complaint")
    phone.fill("input[name=title]", "三个月未发工资")
    phone.fill("textarea[name=description]", "公司从九月起拖欠工资，多次讨要无果。")
    phone.fill("input[name=affected_count]", "12")
    phone.select_option("select[name=district]", str(world.tianhe.pk))
    phone.fill("#id_employer_query", "某某餐饮")  # not in the ledger: the worker types it by hand
    expect(phone.locator("#employer-options")).to_contain_text("台账中没有找到")
    phone.get_by_role("button", name="找不到这家单位，手动填写").click()
    phone.fill("input[name=employer_name]", "广州某某餐饮有限公司")
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator("h2")).to_have_text("已受理")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the form scrolls sideways on a phone"
    phone.screenshot(path=shots / "tickets-h5-filed-390.png", full_page=True)
    ticket = Ticket.objects.get()
    services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.tianhe)

    desk = signed_in(open_page, live_server, world.handler, 1366, 900)
    desk.goto(f"{live_server.url}/workbench/tickets/?queue=accept")
    row = desk.locator("table.tickets tbody tr").first
    expect(row).to_contain_text(ticket.number)
    expect(row.locator(".badge.clock")).to_contain_text("剩余")
    desk.screenshot(path=shots / "tickets-desk-1366.png")
    row.get_by_role("link", name=ticket.number).click()
    desk.get_by_role("button", name="签收").click()
    expect(desk.locator(".flash.success")).to_contain_text("已签收")
    desk.locator("summary", has_text="回复职工").click()
    desk.fill("textarea[name=text] >> nth=-1", "已约谈单位，单位承诺月底前补发。")
    desk.locator("form:has(input[value=reply]) button").click()
    expect(desk.locator(".flash.success")).to_contain_text("已回复职工")
    desk.screenshot(path=shots / "tickets-detail-replied-1366.png", full_page=True)
    assert not desk.js_errors, desk.js_errors

    phone.goto(f"{live_server.url}/h5/tickets/{ticket.pk}/")
    expect(phone.locator("body")).to_contain_text("已约谈单位")
    phone.get_by_label("不满意").check()
    phone.fill("textarea[name=comment]", "到现在还没发")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator(".flash")).to_contain_text("感谢您的评价")
    phone.screenshot(path=shots / "tickets-h5-reopened-390.png", full_page=True)
    assert not phone.js_errors, phone.js_errors
    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS and ticket.reopen_count == 1
