"""A 天河区总 cadre at 1440×900 books a group trip to 清远 for named members and reads its funding split; a worker asks
for a place on a phone. Same set-up as gonghui/bookings/tests/test_browser.py (CSP violations count as console errors);
screenshots land in artifacts/screenshots/trips-*.png."""
import os

import pytest
from playwright.sync_api import expect

from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)
from gonghui.tickets.tests.test_browser import PHONE, signed_in
from gonghui.trips.models import Batch
from gonghui.trips.tests.conftest import World
from gonghui.trips.tests.factories import member

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]


def test_a_union_cadre_books_a_group_trip_for_named_members_and_sees_its_funding(live_server, divisions, open_page, shots, org):  # noqa: F811
    world = World(org)
    people = [member(name=name) for name in ("张伟", "李娜", "王芳")]
    desk = signed_in(open_page, live_server, world.th, 1440, 900)
    desk.goto(f"{live_server.url}/workbench/trips/")
    desk.get_by_label("基地所在市").select_option("4418")
    expect(desk.get_by_role("link", name="清远连州三日疗休养")).to_be_visible(timeout=15000)
    desk.screenshot(path=shots / "trips-routes-1440.png", full_page=True)
    desk.get_by_role("link", name="清远连州三日疗休养").click()
    desk.get_by_role("link", name="组团报名").click()
    expect(desk.locator("table.funding")).to_contain_text("680.00", timeout=15000)
    for person in people[:2]:
        desk.get_by_label(person.member_number).check()
    desk.screenshot(path=shots / "trips-book-1440.png", full_page=True)
    desk.get_by_role("button", name="确认报名").click()
    expect(desk.locator("#funding")).to_contain_text("1,360.00", timeout=15000)  # 2 × ¥680 the members pay themselves
    expect(desk.locator("#funding")).to_contain_text("600.00")  # 2 × ¥300 奖补, and as much 配套
    expect(desk.locator("body")).to_contain_text("张*")
    desk.screenshot(path=shots / "trips-batch-1440.png", full_page=True)
    desk.goto(f"{live_server.url}/workbench/trips/ledger/")
    expect(desk.locator("#ledger")).to_contain_text("天河区总工会", timeout=15000)
    desk.screenshot(path=shots / "trips-ledger-1440.png", full_page=True)
    assert not desk.js_errors, desk.js_errors
    assert Batch.objects.get().participants.count() == 2

    phone = signed_in(open_page, live_server, people[2].person.user, 390, 844, **PHONE)
    phone.goto(f"{live_server.url}/h5/trips/")
    phone.get_by_role("link", name="清远连州三日疗休养").click()
    expect(phone.locator("body")).to_contain_text("个人承担 680.00 元", timeout=15000)
    phone.get_by_role("button", name="申请参加").click()
    expect(phone.locator("body")).to_contain_text("待工会审批", timeout=15000)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone"
    phone.screenshot(path=shots / "trips-h5-requested-390.png", full_page=True)
    assert not phone.js_errors, phone.js_errors
