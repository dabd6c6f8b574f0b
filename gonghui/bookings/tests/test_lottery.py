"""抽签 end to end: a course's seats drawn among registrants from a public 双色球 result, two cadres for the numbers, the
draw once, winners booked through the booking engine, the rest on the waitlist in rank order; the published JSON checked
by `core.public_draw.verify` and by the standalone script, which name the check an alteration breaks."""
import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from gonghui.bookings import lottery, services
from gonghui.bookings.models import (
    Booking,
    BookingStatus,
    LotteryStatus,
    Outcome,
    Quota,
    Registration,
    Session,
    WaitlistEntry,
    WaitStatus,
)
from gonghui.bookings.services import Refused
from gonghui.bookings.tests.factories import cadre_at, member
from gonghui.bookings.tests.lotteries import BLUE, REDS, Timeline, drawn, lottery_course
from gonghui.core import public_draw
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.notify.models import Notification

pytestmark = pytest.mark.django_db
SCRIPT = Path(public_draw.__file__)


@pytest.fixture
def timeline(clock):
    line = Timeline.from_now()
    clock.set(line.now)
    return line


def register_all(made, people):
    return [lottery.lottery_register(actor=person, lottery_id=made.pk) for person in people]


def failed(result) -> str | None:
    return next((name for name, holds in public_draw.verify(result) if not holds), None)


def test_a_lottery_from_registration_to_a_draw_anyone_can_check(world, clock, timeline, client):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline, seats=3)
    people = [member() for _ in range(8)]
    codes = {r.user_id: r.code for r in register_all(made, people)}
    assert len(set(codes.values())) == 8 and all(len(c) == 8 for c in codes.values())
    with pytest.raises(ApplicationError, match="无需重复报名"):
        lottery.lottery_register(actor=people[0], lottery_id=made.pk)

    clock.set(timeline.after_close)
    with pytest.raises(ApplicationError, match="报名已于 .* 截止，不能再报名"):
        lottery.lottery_register(actor=member(), lottery_id=made.pk)
    made.refresh_from_db()  # the refused registration's read closed it: the list is published
    assert made.status == LotteryStatus.CLOSED and [e["code"] for e in made.entries] == sorted(codes.values())
    assert made.list_hash == public_draw.list_hash(list(codes.values()))
    sms = Notification.objects.filter(template_code="bookings.lottery_closed", channel="sms")
    assert sms.count() == 8 and all(made.list_hash in n.body and codes[n.recipient_id] in n.body for n in sms)

    second = cadre_at(world.tianhe)
    with pytest.raises(ApplicationError, match="开奖后才能录入"):
        lottery.lottery_enter_numbers(actor=world.officer, lottery_id=made.pk, reds=REDS, blue=BLUE)
    made = drawn(made, entered_by=world.officer, confirmed_by=second, clock=clock, timeline=timeline)
    assert made.status == LotteryStatus.DRAWN and made.draw_text == public_draw.ssq_text(issue=timeline.issue, reds=REDS, blue=BLUE)

    published = client.get(f"/h5/bookings/lottery/{made.pk}/result.json").json()  # anonymous: the public JSON
    assert failed(published) is None and published["count"] == 8 and len(published["winners"]) == 3
    session = Session.objects.get(pk=made.session_id)
    winners = [w["code"] for w in published["winners"]]
    booked = Booking.objects.filter(session=session, status=BookingStatus.ACTIVE)
    assert session.taken == 3 == booked.count() and {codes[b.user_id] for b in booked} == set(winners)
    line = WaitlistEntry.objects.filter(session=session, status=WaitStatus.WAITING).order_by("created_at", "pk")
    assert [codes[e.user_id] for e in line] == published["waitlist"]
    page = client.get(f"/h5/bookings/lottery/{made.pk}/").content.decode()
    assert all(code in page for code in codes.values()) and "李小明" not in page and "李*明" not in page


def test_the_verifier_and_the_script_reproduce_the_json_and_name_what_an_alteration_breaks(world, clock, timeline, client, tmp_path):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline, seats=2)
    register_all(made, [member() for _ in range(6)])
    made = drawn(made, entered_by=world.officer, confirmed_by=cadre_at(world.tianhe), clock=clock, timeline=timeline)
    published = json.loads(client.get(f"/h5/bookings/lottery/{made.pk}/result.json").content)

    def script(data) -> tuple[int, str]:
        path = tmp_path / "result.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        run = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60)
        return run.returncode, run.stdout

    code, out = script(published)
    assert code == 0 and "核验通过" in out
    altered_list = copy.deepcopy(published)
    altered_list["entries"][0]["code"] = "ZZZZZZZZ"
    altered_draw = copy.deepcopy(published)
    altered_draw["draw_text"] = public_draw.ssq_text(issue=timeline.issue, reds=[1, 2, 3, 4, 5, 6], blue=1)
    altered_rank = copy.deepcopy(published)
    altered_rank["winners"][0]["code"], altered_rank["waitlist"][0] = altered_rank["waitlist"][0], altered_rank["winners"][0]["code"]
    for data, check in ((altered_list, "list_hash"), (altered_draw, "seed"), (altered_rank, "ranking")):
        assert failed(data) == check
        code, out = script(data)
        assert code == 1 and f"（{check}）不符" in out, out


def test_quotas_fill_first_and_a_quota_short_of_people_leaves_its_seats_to_everyone(world, clock, timeline):
    quotas = [services.QuotaInput(seats=2, org_id=world.shipai.pk), services.QuotaInput(seats=2, new_form=True)]
    city = cadre_at(world.city)
    made = lottery_course(city, world.city, timeline=timeline, seats=5, quotas=quotas, eligible_org_ids=[world.city.pk])
    shipai = [member() for _ in range(3)]
    others = [member("440104001") for _ in range(5)]  # 越秀区 members: no quota of theirs
    rider = member("440104001", new_form_type="food_delivery")  # the only 新就业形态 registrant: one of two seats used
    regs = {r.user_id: r for r in register_all(made, [*shipai, *others, rider])}
    assert regs[shipai[0].pk].tags == ["org:440106006"] and regs[rider.pk].tags == ["new_form"] and regs[others[0].pk].tags == []
    made = drawn(made, entered_by=city, confirmed_by=cadre_at(world.city), clock=clock, timeline=timeline)
    seats = [w["seat"] for w in made.result["winners"]]
    assert seats == ["new_form", "org:440106006", "org:440106006", "general", "general"]
    won = {r.user_id for r in Registration.objects.filter(lottery=made, outcome=Outcome.WON)}
    assert rider.pk in won and len(won & {p.pk for p in shipai}) >= 2
    session = Session.objects.get(pk=made.session_id)
    assert session.taken == 5 and session.reserved == 3 and session.general_taken == 2
    assert sorted(Quota.objects.filter(session=session).values_list("seats", "taken")) == [(1, 1), (2, 2)]


def test_the_draw_waits_for_a_second_different_cadre_with_the_same_numbers_and_runs_once(world, clock, timeline):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline)
    register_all(made, [member() for _ in range(4)])
    clock.set(timeline.after_draw)
    lottery.lotteries_close_due()
    second, third = cadre_at(world.tianhe), cadre_at(world.tianhe)
    with pytest.raises(ApplicationError, match="请先由一位干部录入"):
        lottery.lottery_confirm_numbers(actor=second, lottery_id=made.pk, reds=REDS, blue=BLUE)
    with pytest.raises(ApplicationError, match="红球"):
        lottery.lottery_enter_numbers(actor=world.officer, lottery_id=made.pk, reds=[1, 1, 2, 3, 4, 5], blue=BLUE)
    with pytest.raises(ApplicationError, match="蓝球"):
        lottery.lottery_enter_numbers(actor=world.officer, lottery_id=made.pk, reds=REDS, blue=17)
    lottery.lottery_enter_numbers(actor=world.officer, lottery_id=made.pk, reds=REDS, blue=BLUE)
    with pytest.raises(ApplicationError, match="另一位干部复核"):
        lottery.lottery_confirm_numbers(actor=world.officer, lottery_id=made.pk, reds=REDS, blue=BLUE)
    with pytest.raises(ApplicationError, match="不一致，未开奖"):
        lottery.lottery_confirm_numbers(actor=second, lottery_id=made.pk, reds=REDS, blue=BLUE + 1)
    made.refresh_from_db()
    assert made.status == LotteryStatus.CLOSED and made.confirmed_by is None and not made.result
    assert not Booking.objects.filter(session_id=made.session_id).exists()
    lottery.lottery_confirm_numbers(actor=second, lottery_id=made.pk, reds=REDS, blue=BLUE)
    result = Session.objects.get(pk=made.session_id).taken
    for actor in (third, world.officer):
        with pytest.raises(ApplicationError, match="不能重新抽签"):
            lottery.lottery_confirm_numbers(actor=actor, lottery_id=made.pk, reds=REDS, blue=BLUE)
        with pytest.raises(ApplicationError, match="不能重新抽签"):
            lottery.lottery_enter_numbers(actor=actor, lottery_id=made.pk, reds=[1, 2, 3, 4, 5, 6], blue=1)
    assert Session.objects.get(pk=made.session_id).taken == result == 3


def test_publication_freezes_seats_quotas_and_eligibility_and_the_session_cannot_be_booked(world, timeline):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline, publish=False)
    session = Session.objects.select_related("offering").get(pk=made.session_id)
    lottery.lottery_publish(actor=world.officer, lottery_id=made.pk)
    for join in (services.booking_create, services.waitlist_join):
        with pytest.raises(Refused, match="以公开抽签分配"):
            join(actor=member(), session_id=session.pk)
    made.refresh_from_db()
    assert made.seats == 3 and made.quotas == {} and made.algorithm == public_draw.ALGORITHM and made.draw_id
    with pytest.raises(ApplicationError, match="已冻结"):
        services.session_update(actor=world.officer, session_id=session.pk, starts_at=session.starts_at, ends_at=session.ends_at, capacity=30)
    with pytest.raises(ApplicationError, match="已冻结"):
        services.offering_update(actor=world.officer, offering_id=session.offering_id,
                                 data=services.OfferingInput(kind="course", title="改名", opens_at=timezone.now(), members_only=False))
    from gonghui.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="bookings.lottery.published")
    assert event.data["seats"] == 3 and timeline.issue in event.data["public_draw"] and "SSQ" in event.data["draw_format"]


def test_the_draw_must_be_one_held_after_registration_closes(world, timeline):
    course_session = lottery_course(world.officer, world.tianhe, timeline=timeline, publish=False).session
    data = lottery.LotteryInput(opens_at=timeline.now, closes_at=timeline.closes_at, draw_issue=timeline.issue,
                                draw_date=timezone.localdate(timeline.now))
    with pytest.raises(ApplicationError, match="报名截止之后开奖|周二、四、日"):
        lottery.lottery_update(actor=world.officer, lottery_id=course_session.lottery.pk, data=data)


def test_withdraw_before_close_only(world, clock, timeline):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline)
    person, stays = member(), member()
    register_all(made, [person, stays])
    lottery.lottery_withdraw(actor=person, lottery_id=made.pk)
    again = lottery.lottery_register(actor=person, lottery_id=made.pk)  # may register again before close, with a new code
    clock.set(timeline.after_close)
    with pytest.raises(ApplicationError, match="不能撤回"):
        lottery.lottery_withdraw(actor=stays, lottery_id=made.pk)
    made.refresh_from_db()
    assert sorted(e["code"] for e in made.entries) == sorted([again.code, Registration.objects.get(user=stays).code])


def test_eligibility_is_the_bookings_one(world, timeline):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline)
    with pytest.raises(Refused, match="仅限天河区"):
        lottery.lottery_register(actor=member("440104001"), lottery_id=made.pk)
    from gonghui.bookings.tests.factories import verified

    with pytest.raises(Refused, match="仅限工会会员"):
        lottery.lottery_register(actor=verified(), lottery_id=made.pk)


def test_amendments_are_published_with_their_reason_and_the_draw_still_checks(world, clock, timeline, client):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline, seats=2)
    register_all(made, [member() for _ in range(5)])
    made = drawn(made, entered_by=world.officer, confirmed_by=cadre_at(world.tianhe), clock=clock, timeline=timeline)
    loser, first_waiting = made.result["winners"][0]["code"], made.result["waitlist"][0]
    lottery.lottery_disqualify(actor=world.officer, lottery_id=made.pk, code=loser, reason="经核实非本区会员")
    lottery.lottery_add_seat(actor=world.officer, lottery_id=made.pk, reason="场地调整，增加一个座位")
    published = client.get(f"/h5/bookings/lottery/{made.pk}/result.json").json()
    assert failed(published) is None
    assert [(a["kind"], a["code"], a["reason"]) for a in published["amendments"]] == [
        ("disqualified", loser, "经核实非本区会员"), ("seat_added", made.result["waitlist"][1], "场地调整，增加一个座位")]
    assert first_waiting in published["amendments"][0]["effect"]
    offered = WaitlistEntry.objects.filter(session_id=made.session_id, status=WaitStatus.OFFERED)
    assert offered.count() == 2 and Session.objects.get(pk=made.session_id).taken == 3
    assert "经核实非本区会员" in client.get(f"/h5/bookings/lottery/{made.pk}/").content.decode()
    client.force_login(Registration.objects.get(lottery=made, code=loser).user)
    assert "您的中签资格已取消" in client.get(f"/h5/bookings/lottery/{made.pk}/").content.decode()
    with pytest.raises(ApplicationError, match="原因"):
        lottery.lottery_add_seat(actor=world.officer, lottery_id=made.pk, reason=" ")


def test_another_districts_cadre_cannot_enter_numbers_nor_see_the_roster(world, clock, timeline, client):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline)
    register_all(made, [member() for _ in range(3)])
    clock.set(timeline.after_draw)
    lottery.lotteries_close_due()
    for call in (lottery.lottery_enter_numbers, lottery.lottery_confirm_numbers):
        with pytest.raises(NotFound):
            call(actor=world.yuexiu_officer, lottery_id=made.pk, reds=REDS, blue=BLUE)
    client.force_login(world.yuexiu_officer)
    assert client.get(f"/workbench/bookings/lottery/{made.pk}/").status_code == 404
    assert client.get(f"/api/lotteries/{made.pk}").status_code == 404
    assert client.post(f"/workbench/bookings/lottery/{made.pk}/numbers/", {"reds": "3 7 12 19 25 31", "blue": "9"}).status_code == 404
    client.force_login(world.officer)
    page = client.get(f"/workbench/bookings/lottery/{made.pk}/").content.decode()
    assert "李*明" in page and page.count('<td class="mono">') == 3


def test_the_cadre_pages_take_a_lottery_from_setting_up_to_the_draw(world, clock, timeline, client):
    made = lottery_course(world.officer, world.tianhe, timeline=timeline, publish=False)
    client.force_login(world.officer)
    assert client.post(f"/workbench/bookings/lottery/{made.pk}/publish/").status_code == 302
    register_all(made, [member() for _ in range(4)])
    clock.set(timeline.after_draw)
    client.force_login(world.officer)  # days later: a new sign-in
    assert "名单已公示" in client.post(f"/workbench/bookings/lottery/{made.pk}/close/", follow=True).content.decode()
    client.post(f"/workbench/bookings/lottery/{made.pk}/numbers/", {"reds": "3，7，12，19，25，31", "blue": "9"})
    client.force_login(second := cadre_at(world.tianhe))
    answer = client.post(f"/workbench/bookings/lottery/{made.pk}/confirm/", {"reds": "31 25 19 12 7 3", "blue": "9"}, follow=True)
    assert "复核一致，已完成抽签" in answer.content.decode()
    made.refresh_from_db()
    assert made.status == LotteryStatus.DRAWN and made.confirmed_by == second
    api = client.get(f"/api/lotteries/{made.pk}").json()
    assert api["status"] == "drawn" and failed(api["published"]) is None
