"""The cadre's desk and the batch approval it leads to, in a real browser at desk and phone widths.

Same set-up as gonghui/orgs/tests/test_browser.py (CSP violations count as console errors); screenshots land in
artifacts/screenshots/.
"""
import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.members.models import JoinApplication
from gonghui.members.tests.factories import join
from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots, sign_in  # noqa: F401 (fixtures)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]


def test_a_district_cadre_goes_from_the_desk_to_a_batch_approval(live_server, divisions, cadre, open_page, shots):  # noqa: F811
    user = cadre("440106")
    late = join(town_code="440106006", name="赵大一")
    JoinApplication.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=3))
    join(town_code="440106001", name="钱大二")
    join(town_code="440106001", name="孙大三")

    page = open_page(1366, 900)
    sign_in(page, live_server, user, lands_on="**/workbench/")
    expect(page.locator(".todo-title").first).to_have_text("赵*一 申请加入石牌街道总工会")
    expect(page.locator(".todo.overdue")).to_have_count(1)
    expect(page.locator(".todo.overdue .badge")).to_contain_text("已超时")
    page.screenshot(path=shots / "portal-desk-1366.png", full_page=True)

    page.get_by_role("link", name="入会申请待审核 3").click()
    page.get_by_label("全选本页可通过的申请").check()
    chosen = page.locator("[data-checked-count=ids]")
    expect(chosen).to_have_text("（3 份）")
    page.get_by_label("选择 孙*三").uncheck()
    expect(chosen).to_have_text("（2 份）")
    page.get_by_role("button", name=re.compile("^通过所选")).click()
    expect(page.locator(".flash.success")).to_have_text("已通过 2 份入会申请，已通知申请人")
    expect(page.locator("article.application")).to_have_count(1)
    page.screenshot(path=shots / "portal-batch-approved-1366.png")
    assert not page.js_errors, page.js_errors

    phone = open_page(390, 844)
    sign_in(phone, live_server, user, lands_on="**/workbench/")
    expect(phone.locator(".todo-title")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the desk scrolls sideways on a phone"
    phone.screenshot(path=shots / "portal-desk-390.png", full_page=True)
