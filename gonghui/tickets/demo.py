"""Demo orders: a few hundred across 天河区 (and its 外卖配送行业工会联合会), 越秀区 and 东莞's towns, in every state, made
through the services by demo workers, the 12351 agents of 广州 and 东莞 and the demo cadres. Each is then dated back by
a few days (its whole story, so the timeline stays in order) with its deadlines worked out again from the moved start,
so the desk shows orders close to their deadline and overdue ones; one scan flags the overdue and raises their 督办."""
from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gonghui.accounts.auth import totp_required
from gonghui.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from gonghui.accounts.models import Post, Role, User, UserKind
from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError
from gonghui.core.registry import DemoOptions
from gonghui.orgs.models import Employer, Org, OrgType
from gonghui.tickets import scan, services, sla
from gonghui.tickets.models import (
    Category,
    Channel,
    DutyShift,
    State,
    Ticket,
    TicketEvent,
    TicketHolding,
    Topic,
)
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import RunningLimit, deadline

ORDERS = 300
# (username, display name, org code, role): the 12351 seats and the federation's handler
DEMO_STAFF = [("gz_12351", "广州12351坐席", "4401", "dispatcher"), ("dg_12351", "东莞12351坐席", "4419", "dispatcher"),
              ("th_waimai", "天河外卖行业工会联合会干事", "SF-440106-food_delivery", "handler")]
# what each order is brought to, in turn (merged ones come from a second filing)
PLAN = ([State.RECEIVED] * 3 + [State.ASSIGNED] * 4 + [State.ACCEPTED] * 2 + [State.IN_PROGRESS] * 4 + [State.WAITING_MATERIAL]
        + [State.REPLIED] * 2 + [State.CLOSED] * 6 + [State.WITHDRAWN] + ["bounced", "transferred", "reopened", "merged"])
TITLES = {
    Topic.WAGES: ("拖欠工资三个月", "单位以效益不好为由拖欠我们三个月工资，多次讨要无果。"),
    Topic.SOCIAL_INSURANCE: ("单位未缴社保", "入职一年多，单位一直没有给我们缴纳社会保险。"),
    Topic.CONTRACT: ("未签劳动合同", "工作八个月了单位仍不与我签订书面劳动合同。"),
    Topic.HOURS: ("长期加班无加班费", "每天工作十二小时，周末也要上班，没有任何加班费。"),
    Topic.DISMISSAL: ("被无故辞退", "单位口头通知我明天不用来了，没有任何补偿。"),
    Topic.INJURY: ("工伤不予认定", "上班途中发生交通事故，单位不肯配合申报工伤。"),
    Topic.PLATFORM: ("平台派单超时扣款", "系统派单路线不合理，超时就被扣款，申诉没人处理。"),
}


def _staff() -> dict[str, User]:
    users = {}
    for username, name, code, role in DEMO_STAFF:
        org = Org.objects.filter(code=code).first()
        if org is None:
            continue
        user, _ = User.objects.get_or_create(username=username, defaults={"display_name": name, "kind": UserKind.CADRE})
        Post.objects.get_or_create(user=user, org=org, role=Role.objects.get(code=role))
        user.set_password(DEMO_PASSWORD)
        if totp_required(user):  # a 市 seat signs in with TOTP, like the other demo accounts there
            user.totp_secret = user.totp_secret or DEMO_TOTP_SECRET
        user.save()
        users[username] = user
    return users


def _worker(index: int) -> User:
    user, made = User.objects.get_or_create(username=f"ticket_worker{index:03d}", defaults={"kind": UserKind.WORKER,
                                                                                            "display_name": f"职工{index:03d}"})
    if made:
        user.phone = f"1390013{index:04d}"
        user.set_unusable_password()
        user.save()
    return user


def _places() -> list[tuple[Org, Org, User, User]]:
    """(centre, district or town, the centre's agent, a handler there) for each area the demo fills."""
    users, staff = User.objects, _staff()
    places = []
    for code, handler in (("440106", "th_cadre"), ("440104", "yx_cadre")):
        district = Org.objects.filter(code=code).first()
        if district is not None and users.filter(username=handler).exists() and "gz_12351" in staff:
            places.append((Org.objects.get(code="4401"), district, staff["gz_12351"], users.get(username=handler)))
    dongguan = Org.objects.filter(code="4419").first()
    admin = users.filter(username="dg_admin").first()
    if dongguan is not None and admin is not None and "dg_12351" in staff:
        handler_role = Role.objects.get(code="handler")
        for town in Org.objects.filter(parent=dongguan, type=OrgType.TOWN).order_by("code")[:4]:
            handler, _ = users.get_or_create(username=f"dg_{town.code}", defaults={"display_name": f"{town.short_name or town.name}工会干事",
                                                                                   "kind": UserKind.CADRE})
            Post.objects.get_or_create(user=handler, org=town, role=handler_role)
            places.append((dongguan, town, staff["dg_12351"], handler))
    return places


def _handle(ticket: Ticket, goal: str, *, agent: User, handler: User, rng: random.Random) -> None:
    """Bring a freshly filed order to `goal` through the services."""
    worker = ticket.filed_by
    if goal == State.RECEIVED:
        return
    if goal == State.WITHDRAWN:
        services.ticket_withdraw(actor=worker, ticket_id=ticket.pk, reason="问题已自行解决")
        return
    services.ticket_dispatch(actor=agent, ticket_id=ticket.pk, org=ticket.district if not ticket.new_form_type else None)
    ticket.refresh_from_db()
    holder_handler = handler if ticket.holder == ticket.district else (
        User.objects.filter(username="th_waimai").first() or handler)
    if goal == "bounced":
        services.ticket_bounce(actor=holder_handler, ticket_id=ticket.pk, reason="该单位实际经营地不在本辖区，请重新派单")
        return
    if goal == State.ASSIGNED:
        return
    services.ticket_accept(actor=holder_handler, ticket_id=ticket.pk)
    if goal == State.ACCEPTED:
        return
    services.ticket_note(actor=holder_handler, ticket_id=ticket.pk, text="已电话联系单位人事负责人，约定本周面谈。")
    if goal == "transferred":
        town = Org.objects.filter(parent=ticket.holder, type=OrgType.TOWN, is_active=True).order_by("code").first()
        if town is not None:
            services.ticket_transfer(actor=holder_handler, ticket_id=ticket.pk, org=town, reason="由单位所在街道就近协调")
        return
    if goal == State.IN_PROGRESS:
        if rng.random() < 0.3:
            services.extension_request(actor=holder_handler, ticket_id=ticket.pk, amount=5, reason="需调取考勤和工资发放记录")
        return
    if goal == State.WAITING_MATERIAL:
        services.ticket_request_material(actor=holder_handler, ticket_id=ticket.pk, what="请上传工资条、考勤记录或聊天记录截图")
        return
    referral = rng.random() < 0.2
    services.ticket_reply(actor=holder_handler, ticket_id=ticket.pk, text="经约谈，单位承认拖欠并承诺本月底前足额支付，我们将跟进落实。"
                          if not referral else "该事项属劳动保障监察职责，已于今日将材料转交区劳动保障监察大队。",
                          agency="labour_inspection" if referral else "", referred_on=timezone.localdate() if referral else None)
    if goal == State.REPLIED:
        return
    if goal == "reopened":
        services.ticket_follow_up(actor=worker, ticket_id=ticket.pk, result="dissatisfied", comment="只是口头承诺，工资还没有到账")
        return
    result = rng.choice(["satisfied", "satisfied", "satisfied", "basic", "unreached"])
    services.ticket_follow_up(actor=agent, ticket_id=ticket.pk, result=result)


def _date_back(ticket: Ticket, by: dt.timedelta, calendar) -> None:
    """The order's whole story `by` earlier, and its deadlines counted again from the moved starts (demo only)."""
    moved = ("created_at", "acknowledged_at", "dispatched_at", "accepted_at", "replied_at", "closed_at", "resolve_started_at", "paused_at",
             "supervised_at")
    if not by:
        return
    Ticket.objects.filter(pk=ticket.pk).update(**{name: F(name) - by for name in moved})
    TicketEvent.objects.filter(ticket=ticket).update(at=F("at") - by)
    TicketHolding.objects.filter(ticket=ticket).update(since=F("since") - by, until=F("until") - by)
    ticket.refresh_from_db()
    limits = sla.ticket_limits(ticket)
    limit = RunningLimit.start(calendar, at=ticket.resolve_started_at, amount=limits.resolve[0], unit=limits.resolve[1])
    ticket.set_resolve_limit(limit if ticket.paused_at is None else limit.pause(at=ticket.paused_at))
    if sla.needs_acknowledgement(ticket):
        ticket.ack_due_at = deadline(calendar, ticket.created_at, *limits.ack)
    if ticket.dispatched_at is not None and ticket.state == State.ASSIGNED:
        sla.start_dispatch_limits(ticket, calendar, at=ticket.dispatched_at)
    if ticket.replied_at is not None and ticket.state == State.REPLIED:
        sla.start_follow_up_limit(ticket, calendar, at=ticket.replied_at)
    sla.refresh_due(ticket, calendar)
    ticket.save()


def seed_tickets_demo(*, orders: int = ORDERS, seed: int = 2026) -> int:
    """Returns the orders made; none when the demo's workers have filed before."""
    if Ticket.objects.filter(filed_by__username__startswith="ticket_worker").exists():
        return 0
    places = _places()
    if not places:
        return 0
    rng, calendar, made, previous = random.Random(seed), work_calendar(), 0, None
    for index in range(orders):
        centre, area, agent, handler = places[index % len(places)]
        goal = PLAN[index % len(PLAN)]
        topic = rng.choice(list(TITLES))
        rider = area.code == "440106" and index % 5 == 0
        if rider:
            topic = Topic.PLATFORM
        employer = Employer.objects.filter(town__path__startswith=area.path).order_by("pk")[rng.randrange(50)] if Employer.objects.filter(
            town__path__startswith=area.path).count() >= 50 else None
        title, text = TITLES[topic]
        data = services.TicketInput(
            channel=rng.choice([Channel.H5, Channel.H5, Channel.LETTER]), category=rng.choice(
                [Category.COMPLAINT] * 5 + [Category.HELP, Category.LEGAL_AID, Category.CONSULT]),
            topic=topic, urgency="urgent" if index % 17 == 0 else "normal", tier=rng.choice(["general"] * 4 + ["difficult", "complex"]),
            title=title, description=text, affected_count=rng.choice([1, 1, 1, 3, 12, 46]), district_id=area.pk,
            employer_id=employer.pk if employer is not None and not rider else None,
            employer_name="" if employer is not None and not rider else "某外卖平台配送站",
            new_form_type="food_delivery" if rider else "", caller_name=f"职工{index:03d}", anonymous=index % 11 == 0)
        worker = _worker(index)
        if goal == "merged" and previous is not None:
            worker, data = previous  # the same worker about the same matter again: linked to the open order
        previous = (worker, data)
        try:
            with transaction.atomic():
                filing = services.ticket_file(actor=worker, data=data)
                if goal != "merged":
                    _handle(filing.ticket, goal, agent=agent, handler=handler, rng=rng)
        except ApplicationError:
            continue  # a step the demo's data does not allow here (no federation, a conflicted route …)
        made += 1
        _date_back(Ticket.objects.get(pk=filing.ticket.pk), dt.timedelta(hours=rng.choice([0, 2, 20, 50, 100, 150, 200, 260])), calendar)
    scan.sla_scan()
    audit_log(actor=None, action="tickets.demo.seeded", data={"created": made})
    return made


def seed_duty_demo() -> int:
    """值班 for the demo's handling orgs: each handler on duty from this morning for a day, unless a shift is running."""
    now, made = timezone.now(), 0
    start = timezone.localtime(now).replace(hour=8, minute=0, second=0, microsecond=0)
    for _, area, _, handler in _places():
        if DutyShift.objects.filter(org=area, ends_at__gt=now).exists():
            continue
        try:
            services.duty_shift_add(actor=handler, org=area, user=handler, starts_at=start, ends_at=start + dt.timedelta(hours=24))
        except ApplicationError:
            continue  # the handler holds no handling post at that org
        made += 1
    return made


def demo_tickets(*, options: DemoOptions) -> str:
    made, shifts = seed_tickets_demo(), seed_duty_demo()
    return (f"演示诉求工单：新增 {made} 件（天河区、越秀区、东莞各镇街和天河外卖配送行业工会联合会，各状态都有，部分临期或已超时），"
            f"值班安排 {shifts} 项")
