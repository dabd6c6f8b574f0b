"""知识库 in a real browser: the 12351 agent finds an answer and 用此答复 fills the quick answer of a 咨询; a worker on a
390 px phone sees "这些解答也许能帮到您" as they type. Screenshots: artifacts/screenshots/knowledge-*.png."""
import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.orgs.tests.test_browser import browser, divisions, open_page, shots  # noqa: F401 (fixtures)
from gonghui.tickets import knowledge
from gonghui.tickets.tests.conftest import World
from gonghui.tickets.tests.test_browser import PHONE, signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("divisions_after_flush")]
WAGE = "广州市全日制就业劳动者月最低工资标准为2500元，非全日制就业劳动者小时最低工资标准为23.7元。"


def _answers(world):
    for title, text, topic in (("广州最低工资标准是多少？", WAGE, "wages"),
                               ("外卖骑手送餐途中受伤，有保障吗？", "广东是新就业形态就业人员职业伤害保障试点省份，送餐途中受伤应及时通过平台App报案。",
                                "platform")):
        knowledge.knowledge_answer_create(actor=world.city_admin, data=knowledge.AnswerInput(
            title=title, answer=text, category="consult", topic=topic, region_id=world.city.pk,
            review_on=timezone.localdate() + dt.timedelta(days=200), status="published"))


def test_the_agent_answers_a_consultation_from_the_knowledge_base(live_server, divisions, open_page, shots, org):  # noqa: F811
    world = World(org)
    _answers(world)
    page = signed_in(open_page, live_server, world.agent, 1366, 1000)
    page.goto(f"{live_server.url}/workbench/tickets/hotline/")
    page.select_option("select[name=district]", str(world.tianhe.pk))
    page.fill("#kb_q", "最低工资是多少")
    item = page.locator("#kb-results .kb-item").first
    expect(item).to_contain_text("2500元")
    item.get_by_role("button", name="用此答复").click()
    expect(page.locator("#id_quick_answer")).to_have_value(WAGE)
    expect(page.locator("#id_category")).to_have_value("consult")
    expect(page.locator("#id_title")).to_have_value("广州最低工资标准是多少？")
    page.screenshot(path=shots / "knowledge-hotline-1366.png", full_page=True)
    assert page.js_errors == []


def test_a_worker_sees_answers_before_filing(live_server, divisions, open_page, shots, org):  # noqa: F811
    world = World(org)
    _answers(world)
    phone = signed_in(open_page, live_server, world.worker, 390, 844, **PHONE)
    phone.goto(f"{live_server.url}/h5/tickets/new/")
    phone.select_option("select[name=district]", str(world.tianhe.pk))
    phone.fill("textarea[name=description]", "我送外卖途中摔伤了，平台不管，怎么办？")
    help_box = phone.locator(".kb-help")
    expect(help_box).to_contain_text("这些解答也许能帮到您")
    expect(help_box).to_contain_text("外卖骑手送餐途中受伤")
    help_box.locator("summary").first.click()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the form scrolls sideways on a phone"
    help_box.scroll_into_view_if_needed()
    phone.screenshot(path=shots / "knowledge-h5-390.png", full_page=True)
    assert phone.js_errors == []
