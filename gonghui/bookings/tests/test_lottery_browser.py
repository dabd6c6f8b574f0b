"""抽签 on a phone in a real browser: a worker registers for a lottery course and gets a receipt code; after close, the
numbers entered by one cadre and confirmed by another (test set-up), the worker sees the result and the verification page
recomputes the draw in the browser (WebCrypto) with every check passing, and names the check an altered JSON breaks.
Screenshots land in artifacts/screenshots/lottery-*.png."""
import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from gonghui.bookings import lottery
from gonghui.bookings.models import Lottery, Registration
from gonghui.bookings.tests.conftest import World
from gonghui.bookings.tests.factories import cadre_at, member
from gonghui.bookings.tests.lotteries import BLUE, REDS, Timeline, lottery_course
from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)
from gonghui.tickets.tests.test_browser import PHONE, signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]


def test_a_worker_registers_sees_the_result_and_verifies_it(live_server, divisions, open_page, shots, org):  # noqa: F811
    world = World(org)
    made = lottery_course(world.officer, world.tianhe, timeline=Timeline.from_now(), seats=2, title="非遗广绣体验课（抽签）")
    for _ in range(4):
        lottery.lottery_register(actor=member(), lottery_id=made.pk)
    person = member()

    phone = signed_in(open_page, live_server, person, 390, 844, **PHONE)
    phone.goto(f"{live_server.url}/h5/bookings/")
    phone.get_by_role("link", name="非遗广绣体验课（抽签）").click()
    phone.get_by_role("link", name="去抽签报名或查看结果").click()
    phone.get_by_role("button", name="报名抽签").click()
    code = Registration.objects.get(user=person).code
    expect(phone.locator(".flash.success")).to_contain_text(f"报名成功，您的回执码是 {code}", timeout=15000)
    expect(phone.locator(".receipt")).to_have_text(code)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone"
    phone.screenshot(path=shots / "lottery-h5-registered-390.png", full_page=True)

    # Registration ends and the public draw is held (moved in the rows), then two cadres enter the same numbers
    Lottery.objects.filter(pk=made.pk).update(closes_at=made.opens_at + dt.timedelta(minutes=1), draw_date=dt.date(2000, 1, 2))
    lottery.lotteries_close_due()
    lottery.lottery_enter_numbers(actor=world.officer, lottery_id=made.pk, reds=REDS, blue=BLUE)
    lottery.lottery_confirm_numbers(actor=cadre_at(world.tianhe), lottery_id=made.pk, reds=REDS, blue=BLUE)
    outcome = Registration.objects.get(user=person)

    phone.goto(f"{live_server.url}/h5/bookings/lottery/mine/")
    phone.get_by_role("link", name="非遗广绣体验课（抽签）").click()
    expect(phone.locator(".mine .answer")).to_contain_text("恭喜" if outcome.outcome == "won" else "候补第", timeout=15000)
    expect(phone.locator(".lottery-codes").nth(0 if outcome.outcome == "won" else 1)).to_contain_text(code)  # winners, then the waitlist
    phone.screenshot(path=shots / "lottery-h5-result-390.png", full_page=True)

    phone.get_by_role("link", name="自行核验结果").click()
    expect(phone.locator("#verify-summary")).to_have_text("核验通过：结果可由公开信息复现", timeout=20000)
    expect(phone.locator(".verify-checks li.pass")).to_have_count(5)
    phone.screenshot(path=shots / "lottery-h5-verify-390.png", full_page=True)

    phone.locator("summary").click()
    area = phone.locator("#verify-json")
    area.fill(area.input_value().replace(Lottery.objects.get(pk=made.pk).draw_text, "SSQ 2000001 01 02 03 04 05 06 + 01"))
    phone.get_by_role("button", name="按上面的数据重新核验").click()
    expect(phone.locator("#verify-summary")).to_have_text("核验失败：随机种子（seed）不符", timeout=20000)
    phone.screenshot(path=shots / "lottery-h5-verify-altered-390.png", full_page=True)
    assert not phone.js_errors, phone.js_errors

    desk = signed_in(open_page, live_server, world.officer, 1366, 900)
    desk.goto(f"{live_server.url}/workbench/bookings/lottery/{made.pk}/")
    expect(desk.locator("table.roster")).to_contain_text("李*明")
    desk.screenshot(path=shots / "lottery-workbench-1366.png", full_page=True)
    assert not desk.js_errors, desk.js_errors
