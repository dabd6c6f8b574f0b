"""Demo offerings in 广州, 东莞 and 佛山 made through the services by the demo cadres: a 职工夜校 term course, activities,
an online class, counselling slots with an external counsellor, rooms at the 工人文化宫, a 定制课堂; some open now with
seats left, one full with people waiting, one opening a few minutes after the demo starts. Demo workers (members of 天河区
石牌街道, phones 13800880001–12) have booked some."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import ExternalBinding, PartyType, Post, Role, User, UserKind
from gonghui.audit.services import audit_log
from gonghui.bookings import lottery, services
from gonghui.bookings.models import Kind, Lottery, Offering, OfferingStatus
from gonghui.core.registry import DemoOptions
from gonghui.core.validators import id_number_generate
from gonghui.members import services as member_services
from gonghui.orgs.models import Org

PASSWORD = "Gonghui@2026"
WORKERS = 12


def _user(username: str, name: str, *, kind: str, org_code: str | None = None, role: str = "") -> User | None:
    user, made = User.objects.get_or_create(username=username, defaults={"display_name": name, "kind": kind})
    if made:
        user.set_password(PASSWORD)
        user.save()
    if org_code:
        org = Org.objects.filter(code=org_code).first()
        if org is None:
            return None
        Post.objects.get_or_create(user=user, org=org, role=Role.objects.get(code=role))
    return user


def _workers(admin: User) -> list[User]:
    people = []
    for index in range(1, WORKERS + 1):
        phone = f"1380088{index:04d}"
        user = User.objects.filter(username=f"booking_worker_{index:02d}").first()
        if user is None:
            user = User.objects.create(username=f"booking_worker_{index:02d}", kind=UserKind.WORKER, phone=phone)
            application = member_services.join_submit(applicant=user, data=member_services.JoinInput(
                name=f"预约职工{index:02d}", id_number=id_number_generate(region_code="440106", birth_date=dt.date(1985 + index, 3, 1), sequence=800 + index),
                town_code="440106006"))
            if application.status == "pending":
                member_services.application_approve(actor=admin, application_id=application.pk)
        people.append(user)
    return people


def _offering(actor, org, *, sessions, capacity, publish=True, **fields) -> Offering:
    data = services.OfferingInput(**fields)
    made = services.offering_create(actor=actor, org=org, data=data)
    for start, hours, counsellor in sessions:
        services.session_add(actor=actor, offering_id=made.pk, starts_at=start, ends_at=start + dt.timedelta(hours=hours), capacity=capacity,
                             counsellor=counsellor)
    if publish:
        services.offering_set_status(actor=actor, offering_id=made.pk, status=OfferingStatus.PUBLISHED)
    return made


def _evening(days: int, hour: int = 19) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@transaction.atomic
def seed_bookings_demo() -> int:
    if Offering.objects.filter(title="Python 数据分析（精品课）").exists():
        return 0
    tianhe_cadre, yuexiu_cadre = User.objects.filter(username="th_cadre").first(), User.objects.filter(username="yx_cadre").first()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if tianhe_cadre is None or yuexiu_cadre is None or admin is None:
        return 0
    org = {code: Org.objects.get(code=code) for code in ("4401", "440106", "440104", "4419", "4406", "440106006")}
    city = _user("gz_bookings", "广州市工人文化宫预约管理员", kind=UserKind.CADRE, org_code="4401", role="bookings_officer")
    dongguan = _user("dg_bookings", "东莞职工服务中心预约管理员", kind=UserKind.CADRE, org_code="4419", role="bookings_officer")
    foshan = _user("fs_bookings", "佛山市总职工学堂管理员", kind=UserKind.CADRE, org_code="4406", role="bookings_officer")
    counsellor = _user("counsellor_chen", "陈老师（心理咨询师）", kind=UserKind.EXTERNAL)
    ExternalBinding.objects.get_or_create(user=counsellor, party_type=PartyType.COUNSELLOR)
    now = timezone.now()
    past = now - dt.timedelta(days=1)
    workers = _workers(admin)
    term = services.term_create(actor=tianhe_cadre, org=org["440106"], name="2026年秋季学期", starts_on=timezone.localdate() - dt.timedelta(days=30),
                                ends_on=timezone.localdate() + dt.timedelta(days=120), max_per_person=3)
    made = [
        _offering(tianhe_cadre, org["440106"], kind=Kind.COURSE, title="Python 数据分析（精品课）", opens_at=past, place="天河区职工服务中心 3楼电脑室",
                  description="深工夜校式精品课：每周四晚，共 8 次课，出勤八成可结业。", term_id=term.pk, whole_term=True, completion_percent=80,
                  sessions=[(_evening(3 + 7 * i), 2, None) for i in range(8)], capacity=30),
        _offering(tianhe_cadre, org["440106"], kind=Kind.COURSE, title="职场礼仪大师课", opens_at=past, place="天河区职工服务中心 报告厅",
                  term_id=term.pk, sessions=[(_evening(2), 2, None), (_evening(9), 2, None)], capacity=80),
        _offering(city, org["4401"], kind=Kind.ACTIVITY, title="广州职工羽毛球联赛报名", opens_at=past, place="广州市工人文化宫体育馆",
                  eligible_org_ids=[org["440106"].pk, org["440104"].pk], sessions=[(_evening(6, 9), 8, None)], capacity=40),
        _offering(yuexiu_cadre, org["440104"], kind=Kind.ACTIVITY, title="书法体验课（名家示范）", opens_at=past, place="越秀区工人文化宫 书画室",
                  eligible_org_ids=[org["440104"].pk, org["440106"].pk], sessions=[(_evening(4), 2, None)], capacity=2),
        _offering(city, org["4401"], kind=Kind.ACTIVITY, title="周末花艺沙龙", opens_at=now + dt.timedelta(minutes=10), place="广州市工人文化宫 2楼",
                  eligible_org_ids=[org["4401"].pk], sessions=[(_evening(5, 14), 2, None)], capacity=20),
        _offering(dongguan, org["4419"], kind=Kind.ONLINE, title="劳动法与劳动合同（线上课）", opens_at=past, members_only=False,
                  description="福工学堂式线上课，不限名额，完成学习后记录。", sessions=[(now + dt.timedelta(hours=1), 24 * 60, None)], capacity=None),
        _offering(tianhe_cadre, org["440106"], kind=Kind.COUNSELLING, title="职工心理咨询（一对一）", opens_at=past, place="天河区职工服务中心 心理咨询室",
                  description="每次 50 分钟，一人一个时段；话题仅咨询师可见。",
                  sessions=[(_evening(d, h), 1, counsellor) for d in (2, 3) for h in (14, 15, 16)], capacity=1),
        _offering(city, org["4401"], kind=Kind.ROOM, title="工人文化宫 多功能厅（工会活动场地）", opens_at=past, place="广州市工人文化宫 多功能厅",
                  description="基层工会开展活动可预约，每时段 1 家。", sessions=[(_evening(d, 9), 3, None) for d in (3, 4, 5)], capacity=1),
        _offering(foshan, org["4406"], kind=Kind.CUSTOM, title="定制课堂：安全生产与应急救护", opens_at=past, place="佛山市职工学堂",
                  requested_by_id=org["4406"].children.order_by("pk").first().pk, sessions=[(_evening(8), 3, None)], capacity=50),
    ]
    full = made[3].sessions.get()
    for worker in workers[:2]:
        services.booking_create(actor=worker, session_id=full.pk)
    for worker in workers[2:4]:
        services.waitlist_join(actor=worker, session_id=full.pk)
    services.booking_create(actor=workers[4], session_id=made[0].sessions.order_by("pk").first().pk)
    services.booking_create(actor=workers[5], session_id=made[2].sessions.get().pk)
    audit_log(actor=None, action="bookings.demo.seeded", data={"count": len(made)})
    return len(made)


def demo_bookings(*, options: DemoOptions) -> str:
    made = seed_bookings_demo()
    return (f"演示预约项目：新增 {made} 个（广州、东莞、佛山：夜校精品课、文体活动、线上课、心理咨询、场地、定制课堂；"
            "“书法体验课”已满并有候补，“周末花艺沙龙”10 分钟后开放报名；演示职工手机号 13800880001–13800880012）")


# ---------------------------------------------------------------- 抽签 (decision 0025)

LOTTERY_TITLES = ("非遗广绣体验课（抽签·报名中）", "粤剧唱腔入门（抽签·待开奖）", "龙舟体验日（抽签·已开奖）")
DEMO_DRAW = ([4, 9, 13, 21, 27, 32], 6)  # the demo's stand-in for the issue's real numbers


@contextmanager
def _at(moment: dt.datetime):
    """Run the services as at `moment`: the demo replays lotteries that started days ago, each step when it would have
    happened (publication before registration, the numbers after the public draw), so their audit trail reads true."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _draw_day(on_or_after: dt.date) -> dt.date:
    day = on_or_after
    while day.weekday() not in lottery.SSQ_DRAW_WEEKDAYS:
        day += dt.timedelta(days=1)
    return day


def _issue(day: dt.date) -> str:
    return f"{day.year}{(day.timetuple().tm_yday * 3) // 7 + 1:03d}"  # about three draws a week since 1 January


def _lottery(officer, org, *, title: str, opens_at: dt.datetime, closes_at: dt.datetime, draw_date: dt.date, workers) -> Lottery:
    with _at(opens_at - dt.timedelta(hours=1)):
        made = services.offering_create(actor=officer, org=org, data=services.OfferingInput(
            kind=Kind.COURSE, title=title, opens_at=opens_at, place="天河区职工服务中心 2楼活动室",
            description="名额有限，以公开抽签分配：报名得回执码，截止后公示全部回执码与名单哈希，按报名截止后开奖的一期双色球号码抽签，人人可核验。"))
        session = services.session_add(actor=officer, offering_id=made.pk, starts_at=_evening(10), ends_at=_evening(10) + dt.timedelta(hours=2),
                                        capacity=5, quotas=[services.QuotaInput(seats=2, org_id=Org.objects.get(code="440106006").pk)])
        draw = lottery.lottery_create(actor=officer, session_id=session.pk, data=lottery.LotteryInput(
            opens_at=opens_at, closes_at=closes_at, draw_issue=_issue(draw_date), draw_date=draw_date))
        lottery.lottery_publish(actor=officer, lottery_id=draw.pk)
    with _at(opens_at + dt.timedelta(hours=1)):
        for worker in workers:
            lottery.lottery_register(actor=worker, lottery_id=draw.pk)
    return draw


@transaction.atomic
def seed_lottery_demo() -> int:
    if Offering.objects.filter(title=LOTTERY_TITLES[0]).exists():
        return 0
    entering = User.objects.filter(username="th_cadre").first()
    if entering is None or not User.objects.filter(username="booking_worker_12").exists():
        return 0
    confirming = _user("th_bookings", "天河区总工会预约管理员", kind=UserKind.CADRE, org_code="440106", role="bookings_officer")
    tianhe = Org.objects.get(code="440106")
    workers = list(User.objects.filter(username__startswith="booking_worker_").order_by("username"))
    now = timezone.now()
    today = timezone.localdate()
    soon = _draw_day(today + dt.timedelta(days=3))
    _lottery(entering, tianhe, title=LOTTERY_TITLES[0], opens_at=now - dt.timedelta(hours=2), closes_at=now + dt.timedelta(days=2),
             draw_date=soon, workers=workers[:5])
    waiting_draw = _draw_day(today + dt.timedelta(days=1))
    awaiting = _lottery(entering, tianhe, title=LOTTERY_TITLES[1], opens_at=now - dt.timedelta(days=3), closes_at=now - dt.timedelta(hours=2),
                        draw_date=waiting_draw, workers=workers[:9])
    lottery.lottery_close(lottery_id=awaiting.pk)
    held = _draw_day(today - dt.timedelta(days=8))
    closes = timezone.make_aware(dt.datetime.combine(held - dt.timedelta(days=1), dt.time(20, 0)))
    past = _lottery(entering, tianhe, title=LOTTERY_TITLES[2], opens_at=closes - dt.timedelta(days=5), closes_at=closes, draw_date=held, workers=workers)
    drawn_at = timezone.make_aware(dt.datetime.combine(held, dt.time(21, 40)))
    with _at(closes + dt.timedelta(minutes=1)):
        lottery.lotteries_close_due()
    with _at(drawn_at):
        lottery.lottery_enter_numbers(actor=entering, lottery_id=past.pk, reds=DEMO_DRAW[0], blue=DEMO_DRAW[1])
    with _at(drawn_at + dt.timedelta(minutes=10)):
        lottery.lottery_confirm_numbers(actor=confirming, lottery_id=past.pk, reds=DEMO_DRAW[0], blue=DEMO_DRAW[1])
    return 3


def demo_lotteries(*, options: DemoOptions) -> str:
    made = seed_lottery_demo()
    return (f"演示抽签：新增 {made} 个（天河区：报名中、已截止待录入开奖号码、已开奖可核验；录入 th_cadre，复核 th_bookings，"
            "公示页 /h5/bookings/lottery/<编号>/）")
