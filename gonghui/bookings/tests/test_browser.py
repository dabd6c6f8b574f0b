"""Booking on a phone in a real browser: a worker books a course in two taps, joins the waitlist of a full one, and a
天河 cadre reads the roster and exports it. Same set-up as gonghui/tickets/tests/test_browser.py (CSP violations count as
console errors); screenshots land in artifacts/screenshots/bookings-*.png."""
import io
import os

import openpyxl
import pytest
from playwright.sync_api import expect

from gonghui.bookings import services
from gonghui.bookings.models import Booking, Kind, WaitlistEntry
from gonghui.bookings.tests.conftest import World
from gonghui.bookings.tests.factories import member, offering
from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)
from gonghui.tickets.tests.test_browser import PHONE, signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]


def test_a_worker_books_a_course_joins_a_waitlist_and_a_cadre_exports_the_roster(live_server, divisions, open_page, shots, org):  # noqa: F811
    world = World(org)
    course = offering(world.officer, world.tianhe, kind=Kind.COURSE, title="职工夜校：手机摄影入门", capacity=30, completion_percent=80,
                      description="每周四晚上课，出勤八成可结业。")
    full = offering(world.officer, world.tianhe, title="书法体验课（名家示范）", capacity=1)
    services.booking_create(actor=member(), session_id=full.sessions.get().pk)
    person = member()

    phone = signed_in(open_page, live_server, person, 390, 844, **PHONE)
    phone.goto(f"{live_server.url}/h5/bookings/")
    phone.get_by_role("link", name="职工夜校：手机摄影入门").click()
    phone.get_by_role("button", name="预约").click()
    expect(phone.locator(".answer.ok")).to_contain_text("预约成功")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone"
    phone.screenshot(path=shots / "bookings-h5-booked-390.png", full_page=True)

    phone.goto(f"{live_server.url}/h5/bookings/{full.pk}/")
    phone.get_by_role("button", name="预约").click()
    expect(phone.locator(".answer.no")).to_contain_text("名额已满")
    phone.screenshot(path=shots / "bookings-h5-full-390.png", full_page=True)
    phone.get_by_role("button", name="加入候补").click()
    expect(phone.locator(".answer.ok")).to_contain_text("已加入候补")
    phone.goto(f"{live_server.url}/h5/bookings/mine/")
    expect(phone.locator("body")).to_contain_text("候补中")
    phone.get_by_role("link", name="职工夜校：手机摄影入门").first.click()
    expect(phone.locator(".qr-box img")).to_be_visible()
    phone.screenshot(path=shots / "bookings-h5-qr-390.png", full_page=True)
    assert not phone.js_errors, phone.js_errors
    assert Booking.objects.filter(user=person, status="active").count() == 1 and WaitlistEntry.objects.filter(user=person).count() == 1

    desk = signed_in(open_page, live_server, world.officer, 1366, 900)
    desk.goto(f"{live_server.url}/workbench/bookings/")
    desk.get_by_role("link", name="职工夜校：手机摄影入门").click()
    desk.get_by_role("link", name="名单").click()
    expect(desk.locator("table.roster")).to_contain_text("李*明")
    desk.screenshot(path=shots / "bookings-roster-1366.png", full_page=True)
    with desk.expect_download() as download:
        desk.get_by_role("link", name="导出 Excel").click()
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["李*明"]
    assert not desk.js_errors, desk.js_errors
    assert course.sessions.get().taken == 1
