"""The cadre's 抽签 workbench: the list of every lottery in reach with its stage, editing a draft until it is published,
and the 待办 that ask one cadre to enter the 双色球 numbers and another to confirm them."""
import datetime as dt

import pytest

from gonghui.bookings import desk, lottery
from gonghui.bookings.models import Lottery
from gonghui.bookings.tests.factories import cadre_at, member
from gonghui.bookings.tests.lotteries import BLUE, REDS, Timeline, lottery_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def timeline(clock):
    line = Timeline.from_now()
    clock.set(line.now)
    return line


def titles(todo) -> list[str]:
    return [item.title for item in todo.items]


def test_the_list_shows_each_lottery_with_its_stage_and_finds_by_title_or_issue(world, timeline, client):
    draft = lottery_course(world.officer, world.tianhe, timeline=timeline, title="书法课（抽签）", publish=False)
    open_one = lottery_course(world.officer, world.tianhe, timeline=timeline, title="花艺课（抽签）")
    lottery.lottery_register(actor=member(), lottery_id=open_one.pk)
    client.force_login(world.officer)

    page = client.get("/workbench/bookings/lottery/").content.decode()
    assert "书法课（抽签）" in page and "花艺课（抽签）" in page and "未发布" in page and "报名中" in page
    assert "共 2 个抽签" in page
    assert "花艺课" not in client.get("/workbench/bookings/lottery/?q=书法").content.decode()
    assert "共 2 个抽签" in client.get(f"/workbench/bookings/lottery/?q={timeline.issue}").content.decode()
    only_drafts = client.get("/workbench/bookings/lottery/?stage=draft").content.decode()
    assert "书法课" in only_drafts and "花艺课" not in only_drafts
    assert "没有符合条件的抽签" in client.get("/workbench/bookings/lottery/?q=不存在的课").content.decode()
    assert client.get("/workbench/bookings/lottery/?stage=<script>&page=99").status_code == 200  # unknown filters: ignored
    assert draft.pk != open_one.pk


def test_another_districts_cadre_sees_none_of_them(world, timeline, client):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline, title="书法课（抽签）", publish=False)
    client.force_login(world.yuexiu_officer)
    assert "书法课" not in client.get("/workbench/bookings/lottery/").content.decode()
    assert client.get(f"/workbench/bookings/lottery/{made.pk}/edit/").status_code == 404
    assert client.post(f"/workbench/bookings/lottery/{made.pk}/edit/", {"draw_issue": "2026001"}).status_code == 404


def test_a_draft_is_edited_until_it_is_published_and_then_refused(world, timeline, client):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline, publish=False)
    client.force_login(world.officer)
    form = client.get(f"/workbench/bookings/lottery/{made.pk}/edit/").content.decode()
    assert "修改抽签（未发布）" in form and timeline.issue in form

    later_close = timeline.closes_at + dt.timedelta(days=2)
    fields = {"opens_at": f"{timeline.now:%Y-%m-%dT%H:%M}", "closes_at": f"{later_close:%Y-%m-%dT%H:%M}", "draw_issue": "20X6001",
              "draw_date": f"{timeline.draw_date:%Y-%m-%d}"}
    refused = client.post(f"/workbench/bookings/lottery/{made.pk}/edit/", fields)
    assert refused.status_code == 400 and "双色球期号应为7位数字" in refused.content.decode()
    assert 'value="20X6001"' in refused.content.decode()  # what was typed stays
    made.refresh_from_db()
    assert made.closes_at == timeline.closes_at

    next_draw = timeline.draw_date + dt.timedelta(days=7)
    fields.update(draw_issue=f"{next_draw.year}150", draw_date=f"{next_draw:%Y-%m-%d}")
    assert client.post(f"/workbench/bookings/lottery/{made.pk}/edit/", fields).status_code == 302
    made.refresh_from_db()
    assert (made.draw_issue, made.draw_date) == (f"{next_draw.year}150", next_draw)

    lottery.lottery_publish(actor=world.officer, lottery_id=made.pk)
    frozen = client.post(f"/workbench/bookings/lottery/{made.pk}/edit/", {**fields, "draw_issue": f"{next_draw.year}151"}, follow=True)
    assert "已冻结，不能再修改" in frozen.content.decode()
    made.refresh_from_db()
    assert made.draw_issue == f"{next_draw.year}150"


def test_the_todo_asks_for_the_numbers_after_the_draw_and_a_second_cadre_to_confirm(world, clock, timeline, client):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline, title="花艺课（抽签）")
    lottery.lottery_register(actor=member(), lottery_id=made.pk)
    second = cadre_at(world.tianhe)
    assert desk.lottery_numbers_to_enter(actor=world.officer, limit=5).count == 0  # registration still open

    clock.set(timeline.after_close)
    lottery.lotteries_close_due()
    assert desk.lottery_numbers_to_enter(actor=world.officer, limit=5).count == 0  # closed, but 双色球 not drawn yet

    clock.set(timeline.after_draw)
    to_enter = desk.lottery_numbers_to_enter(actor=world.officer, limit=5)
    assert to_enter.count == 1 and titles(to_enter) == [f"花艺课（抽签） · 双色球第{timeline.issue}期"]
    assert to_enter.items[0].url == f"/workbench/bookings/lottery/{made.pk}/"
    assert desk.lottery_numbers_to_enter(actor=world.yuexiu_officer, limit=5).count == 0

    lottery.lottery_enter_numbers(actor=world.officer, lottery_id=made.pk, reds=REDS, blue=BLUE)
    assert desk.lottery_numbers_to_enter(actor=world.officer, limit=5).count == 0
    assert desk.lottery_numbers_to_confirm(actor=world.officer, limit=5).count == 0  # nobody confirms their own entry
    assert desk.lottery_numbers_to_confirm(actor=second, limit=5).count == 1
    client.force_login(second)
    listed = client.get("/workbench/bookings/lottery/?stage=to_confirm").content.decode()
    assert "花艺课（抽签）" in listed and "待复核开奖号码" in listed

    lottery.lottery_confirm_numbers(actor=second, lottery_id=made.pk, reds=REDS, blue=BLUE)
    assert desk.lottery_numbers_to_confirm(actor=second, limit=5).count == 0
    assert Lottery.objects.get(pk=made.pk).status == "drawn"
