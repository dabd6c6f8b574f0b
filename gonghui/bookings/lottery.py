"""抽签: a session's seats drawn among registrants so that anyone can check the draw (decision 0025).

The draw itself is `core.public_draw` (list hash, seed from a public 双色球 result, ranking with quotas); this module is
its life in the bookings app:

    draft ──publish──► open (seats, quotas and eligibility frozen; the public draw named) ──close──► closed (codes, count
    and list hash published, SMS to every registrant) ──numbers entered by one cadre, confirmed by another──► drawn

The draw runs once, in the confirming transaction, under the lottery's row lock and a named lock: a second confirmation
finds it drawn and is refused. Winners become Bookings whose seats are claimed through the booking engine's own counters
(`services._claim`), the rest become the session's waitlist in rank order, so freed seats go on through `_offer_next`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.bookings import services
from gonghui.bookings.models import (
    MANAGE,
    Amendment,
    AmendmentKind,
    Booking,
    BookingStatus,
    Kind,
    Lottery,
    LotteryStatus,
    Offering,
    OfferingStatus,
    Outcome,
    Quota,
    Registration,
    RegistrationStatus,
    Session,
    WaitlistEntry,
)
from gonghui.core import public_draw
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.core.locking import advisory_lock, lock_row
from gonghui.notify.services import notify

SSQ_DRAW_WEEKDAYS = (1, 3, 6)  # 双色球 is drawn on Tuesdays, Thursdays and Sundays
SSQ_DRAW_TIME = dt.time(21, 15)  # Beijing time
DRAW_FORMAT = "SSQ {期号} {6个红球，升序，两位数} + {蓝球，两位数}，如 SSQ 2026140 03 07 12 19 25 31 + 09"
CODE_ATTEMPTS = 5


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def draw_moment(lottery: Lottery) -> dt.datetime:
    """When the named 双色球 draw takes place (its numbers can be entered only after it)."""
    return timezone.make_aware(dt.datetime.combine(lottery.draw_date, SSQ_DRAW_TIME))


def quota_tag(quota: Quota) -> str:
    """The name a quota has in the published draw: `org:<org code>` or `new_form` (no names, nothing private)."""
    return f"org:{quota.org.code}" if quota.org_id else "new_form"


def _quotas(session: Session) -> dict[str, Quota]:
    quotas = {quota_tag(q): q for q in session.quotas.select_related("org")}
    if len(quotas) != session.quotas.count():
        raise ApplicationError("同一组织只能有一项预留名额", code="bookings.lottery_quotas")
    return quotas


def _require_lottery(actor, lottery_id, action: str = MANAGE) -> Lottery:
    lottery = services._require(actor, Lottery, action, lottery_id)
    return lock_row(Lottery.objects.select_related("session__offering__org"), lottery.pk, required=True)


# ---------------------------------------------------------------- set-up and publication (cadres)


@dataclass
class LotteryInput:
    opens_at: dt.datetime
    closes_at: dt.datetime
    draw_issue: str
    draw_date: dt.date


def _clean(data: LotteryInput) -> None:
    errors: dict[str, list[str]] = {}
    if data.closes_at <= data.opens_at:
        errors["closes_at"] = ["报名截止时间应晚于开始时间"]
    issue = data.draw_issue.strip()
    if not (issue.isdigit() and len(issue) == 7):
        errors["draw_issue"] = ["双色球期号应为7位数字，如 2026140"]
    elif int(issue[:4]) != data.draw_date.year:
        errors["draw_issue"] = [f"期号前四位应为开奖年份 {data.draw_date.year}"]
    if data.draw_date.weekday() not in SSQ_DRAW_WEEKDAYS:
        errors["draw_date"] = ["双色球在每周二、四、日开奖，请核对开奖日期"]
    elif timezone.make_aware(dt.datetime.combine(data.draw_date, SSQ_DRAW_TIME)) <= data.closes_at:
        errors["draw_date"] = ["所选双色球应在报名截止之后开奖（开奖时间 21:15），否则结果在名单公示前已知"]
    if errors:
        raise ApplicationError("请检查填写的内容：" + "；".join(m[0] for m in errors.values()), code="bookings.lottery_invalid", fields=errors)


@transaction.atomic
def lottery_create(*, actor, session_id, data: LotteryInput) -> Lottery:
    """Put a session in lottery mode (抽签) instead of first come: it can no longer be booked directly."""
    session = services._require(actor, Session, MANAGE, session_id)
    session = lock_row(Session.objects.select_related("offering__org"), session.pk, required=True)
    offering = session.offering
    if offering.kind not in (Kind.COURSE, Kind.ACTIVITY, Kind.CUSTOM) or session.capacity is None:
        raise ApplicationError("只有有名额限制的课程和活动可以抽签", code="bookings.lottery_kind")
    if offering.whole_term or offering.term_id:
        raise ApplicationError("整期报名或计入学期限额的课程不能抽签，请为抽签单独发布项目", code="bookings.lottery_term")
    if session.taken or Lottery.objects.filter(session=session).exists():
        raise ApplicationError("该场次已有预约或已设置抽签", code="bookings.lottery_exists")
    _clean(data)
    lottery = Lottery.objects.create(session=session, opens_at=data.opens_at, closes_at=data.closes_at, draw_issue=data.draw_issue.strip(),
                                     draw_date=data.draw_date, created_by=actor)
    Session.objects.filter(pk=session.pk).update(by_lottery=True, updated_at=timezone.now())
    audit_log(actor=actor, action="bookings.lottery.created", obj=lottery, org_path=offering.org.path,
              data={"session": session.pk, "closes_at": _local(data.closes_at), "draw_issue": lottery.draw_issue})
    return lottery


@transaction.atomic
def lottery_update(*, actor, lottery_id, data: LotteryInput) -> Lottery:
    lottery = _require_lottery(actor, lottery_id)
    if lottery.status != LotteryStatus.DRAFT:
        raise ApplicationError("抽签已发布，报名时间和开奖期号不能再修改", code="bookings.lottery_frozen")
    _clean(data)
    lottery.opens_at, lottery.closes_at, lottery.draw_issue, lottery.draw_date = data.opens_at, data.closes_at, data.draw_issue.strip(), data.draw_date
    lottery.save()
    audit_log(actor=actor, action="bookings.lottery.updated", obj=lottery, org_path=lottery.session.offering.org.path,
              data={"closes_at": _local(data.closes_at), "draw_issue": lottery.draw_issue})
    return lottery


@transaction.atomic
def lottery_publish(*, actor, lottery_id) -> Lottery:
    """发布: the seats, quotas and eligibility freeze, and the audit event records them with the algorithm's version and the
    exact public draw that will seed it, before anyone has registered. Publishes the offering too."""
    lottery = _require_lottery(actor, lottery_id)
    if lottery.status != LotteryStatus.DRAFT:
        raise ApplicationError("抽签已发布", code="bookings.lottery_published")
    now = timezone.now()
    if lottery.closes_at <= now:
        raise ApplicationError("报名截止时间已过，请先修改报名时间", code="bookings.lottery_late")
    session = lock_row(Session.objects.select_related("offering__org"), lottery.session_id, required=True)
    offering = session.offering
    quotas = {tag: quota.seats for tag, quota in _quotas(session).items()}
    lottery.status, lottery.published_at, lottery.algorithm = LotteryStatus.OPEN, now, public_draw.ALGORITHM
    lottery.seats, lottery.quotas = session.capacity, quotas
    lottery.draw_id = f"gonghui.bookings.offering:{offering.pk}/session:{session.pk}"
    lottery.save()
    if offering.status != OfferingStatus.PUBLISHED:
        Offering.objects.filter(pk=offering.pk).update(status=OfferingStatus.PUBLISHED, updated_at=now)
    audit_log(actor=actor, action="bookings.lottery.published", obj=lottery, org_path=offering.org.path, data={
        "draw_id": lottery.draw_id, "seats": lottery.seats, "quotas": quotas, "algorithm": lottery.algorithm,
        "public_draw": f"福彩双色球 第{lottery.draw_issue}期（{lottery.draw_date:%Y-%m-%d} 21:15 开奖）", "draw_format": DRAW_FORMAT,
        "opens_at": _local(lottery.opens_at), "closes_at": _local(lottery.closes_at), "eligibility": _eligibility(offering)})
    return lottery


def _eligibility(offering: Offering) -> dict:
    return {"members_only": offering.members_only, "orgs": sorted(o.code for o in offering.eligible_orgs.all()),
            "segment": offering.segment_id, "min_age": offering.min_age, "max_age": offering.max_age}


def refuse_if_frozen(*, offering_id: int) -> None:
    """Seats, quotas and eligibility of an offering with a published lottery no longer change (amendments aside)."""
    if Lottery.objects.filter(session__offering_id=offering_id).exclude(status=LotteryStatus.DRAFT).exists():
        raise ApplicationError("该项目的抽签已发布，名额、预留和报名条件已冻结，不能修改；开奖后的变更请在抽签页公示", code="bookings.lottery_frozen")


# ---------------------------------------------------------------- registration (workers)


def lottery_public(*, lottery_id) -> Lottery:
    """A published lottery as anyone sees it (drafts are missing); closed on this read when its time has come."""
    lottery = (Lottery.objects.select_related("session__offering__org").exclude(status=LotteryStatus.DRAFT).filter(pk=lottery_id).first()
               if str(lottery_id).isdecimal() else None)
    if lottery is None:
        raise NotFound()
    if lottery.status == LotteryStatus.OPEN and lottery.closes_at <= timezone.now():
        lottery_close(lottery_id=lottery.pk)
        lottery.refresh_from_db()
    return lottery


def lottery_register(*, actor, lottery_id) -> Registration:
    """报名: the same eligibility as booking the session; one active registration per person (a database constraint);
    a random receipt code, shown to the person and, at close, published with everyone else's."""
    lottery = lottery_public(lottery_id=lottery_id)
    now = timezone.now()
    if lottery.status != LotteryStatus.OPEN or now >= lottery.closes_at:
        raise ApplicationError(f"报名已于 {_local(lottery.closes_at)} 截止，不能再报名", code="bookings.lottery_closed")
    if now < lottery.opens_at:
        raise ApplicationError(f"尚未开始报名，将于 {_local(lottery.opens_at)} 开始", code="bookings.lottery_not_open")
    session = services.bookable_session(session_id=lottery.session_id)
    booker = services._booker(user=actor, session=session, now=now)
    if booker is not None and Registration.objects.filter(lottery=lottery, user=actor, status=RegistrationStatus.ACTIVE).exists():
        raise ApplicationError("您已报名本次抽签，无需重复报名", code="bookings.lottery_already")
    services._refuse_person(session, booker, now)
    tags = sorted(quota_tag(q) for q in _quotas(session).values()
                  if (q.org_id and booker.union_path.startswith(q.org.path)) or (q.new_form and booker.new_form))
    return _register(actor=actor, lottery=lottery, booker=booker, tags=tags)


@transaction.atomic
def _register(*, actor, lottery: Lottery, booker, tags: list[str]) -> Registration:
    lottery = lock_row(Lottery.objects.select_related("session__offering__org"), lottery.pk, required=True)
    if lottery.status != LotteryStatus.OPEN or timezone.now() >= lottery.closes_at:
        raise ApplicationError(f"报名已于 {_local(lottery.closes_at)} 截止，不能再报名", code="bookings.lottery_closed")
    for _ in range(CODE_ATTEMPTS):
        code = public_draw.receipt_code()
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    lottery=lottery, user=actor, person_id=booker.person_id, code=code, tags=tags,
                    member_union_id=booker.union_id if booker.member_status == "active" else None)
            break
        except IntegrityError:
            if Registration.objects.filter(lottery=lottery, user=actor, status=RegistrationStatus.ACTIVE).exists():
                raise ApplicationError("您已报名本次抽签，无需重复报名", code="bookings.lottery_already") from None
    else:
        raise ApplicationError("系统繁忙，请稍后再试", code="busy")
    offering = lottery.session.offering
    audit_log(actor=actor, action="bookings.lottery.registered", obj=registration, org_path=offering.org.path, data={"code": code})
    notify(recipient=actor, template_code="bookings.lottery_registered", dedupe_key=f"bookings:lottery:reg:{registration.pk}",
           params={"title": offering.title, "code": code, "closes_at": _local(lottery.closes_at)}, link=f"/h5/bookings/lottery/{lottery.pk}/")
    return registration


def lottery_withdraw(*, actor, lottery_id) -> Registration:
    """撤回报名 before close: the code leaves the list that will be published."""
    return _withdraw(actor=actor, lottery=lottery_public(lottery_id=lottery_id))  # a close on this read stays, whatever follows


@transaction.atomic
def _withdraw(*, actor, lottery: Lottery) -> Registration:
    lottery = lock_row(Lottery.objects.select_related("session__offering__org"), lottery.pk, required=True)
    registration = Registration.objects.filter(lottery=lottery, user=actor, status=RegistrationStatus.ACTIVE).first() if actor.is_authenticated else None
    if registration is None:
        raise ApplicationError("您没有报名本次抽签", code="bookings.lottery_not_registered")
    if lottery.status != LotteryStatus.OPEN or timezone.now() >= lottery.closes_at:
        raise ApplicationError("报名已截止，名单已公示，不能撤回", code="bookings.lottery_closed")
    registration.status, registration.withdrawn_at = RegistrationStatus.WITHDRAWN, timezone.now()
    registration.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_log(actor=actor, action="bookings.lottery.withdrawn", obj=registration, org_path=lottery.session.offering.org.path, data={"code": registration.code})
    return registration


# ---------------------------------------------------------------- close: the list is published


@transaction.atomic
def lottery_close(*, lottery_id, actor=None) -> Lottery:
    """截止: publish the sorted codes with the quotas each may take, their count and the list hash, and send every registrant
    the hash and their own code (SMS and inbox). Idempotent: the scan, the first read after close and a cadre's 公示名单
    may all call it."""
    if actor is not None:
        _require_lottery(actor, lottery_id)
    lottery = lock_row(Lottery.objects.select_related("session__offering__org"), lottery_id, required=True)
    if lottery.status != LotteryStatus.OPEN:
        return lottery
    now = timezone.now()
    if now < lottery.closes_at:
        raise ApplicationError(f"报名尚未截止（{_local(lottery.closes_at)} 截止），不能提前公示", code="bookings.lottery_not_closed")
    registrations = list(Registration.objects.filter(lottery=lottery, status=RegistrationStatus.ACTIVE).select_related("user").order_by("code"))
    lottery.entries = [{"code": r.code, "tags": sorted(r.tags)} for r in registrations]
    lottery.list_hash = public_draw.list_hash([r.code for r in registrations])
    lottery.status, lottery.closed_at = LotteryStatus.CLOSED, now
    lottery.save()
    offering = lottery.session.offering
    for registration in registrations:
        notify(recipient=registration.user, template_code="bookings.lottery_closed", dedupe_key=f"bookings:lottery:closed:{registration.pk}",
               params={"title": offering.title, "count": len(registrations), "list_hash": lottery.list_hash, "code": registration.code,
                       "issue": lottery.draw_issue}, link=f"/h5/bookings/lottery/{lottery.pk}/")
    audit_log(actor=actor, action="bookings.lottery.closed", obj=lottery, org_path=offering.org.path,
              data={"count": len(registrations), "list_hash": lottery.list_hash})
    return lottery


def lotteries_close_due(*, now: dt.datetime | None = None) -> int:
    """The periodic scan: every lottery whose registration has ended is closed (each once, under its row lock)."""
    due = list(Lottery.objects.filter(status=LotteryStatus.OPEN, closes_at__lte=now or timezone.now()).values_list("pk", flat=True)[:200])
    for lottery_id in due:
        lottery_close(lottery_id=lottery_id)
    return len(due)


# ---------------------------------------------------------------- the draw: two cadres, once


def _numbers(lottery: Lottery, reds: list[int], blue: int) -> str:
    try:
        return public_draw.ssq_text(issue=lottery.draw_issue, reds=list(reds), blue=blue)
    except public_draw.DrawError as exc:
        raise ApplicationError(str(exc), code="bookings.lottery_numbers", fields={"numbers": [str(exc)]}) from None


def _ready_for_numbers(lottery: Lottery) -> None:
    if lottery.status == LotteryStatus.DRAWN:
        raise ApplicationError("已经开奖，抽签只进行一次，不能重新抽签", code="bookings.lottery_drawn")
    if lottery.status != LotteryStatus.CLOSED:
        raise ApplicationError("报名截止、名单公示后才能录入开奖号码", code="bookings.lottery_not_closed")
    if timezone.now() < draw_moment(lottery):
        raise ApplicationError(f"双色球第{lottery.draw_issue}期将于 {_local(draw_moment(lottery))} 开奖，开奖后才能录入", code="bookings.lottery_too_early")


@transaction.atomic
def lottery_enter_numbers(*, actor, lottery_id, reds: list[int], blue: int) -> Lottery:
    """录入开奖号码: the first cadre types the public result. Typing again replaces it (the confirmer must then be another)."""
    lottery = _require_lottery(actor, lottery_id)
    _ready_for_numbers(lottery)
    text = _numbers(lottery, reds, blue)
    lottery.entered_reds, lottery.entered_blue, lottery.entered_by, lottery.entered_at = sorted(reds), blue, actor, timezone.now()
    lottery.save(update_fields=["entered_reds", "entered_blue", "entered_by", "entered_at", "updated_at"])
    audit_log(actor=actor, action="bookings.lottery.numbers_entered", obj=lottery, org_path=lottery.session.offering.org.path, data={"draw_text": text})
    return lottery


@transaction.atomic
def lottery_confirm_numbers(*, actor, lottery_id, reds: list[int], blue: int) -> Lottery:
    """复核开奖号码: a second cadre types the same numbers; only then does the draw run (here, once). A mismatch, the same
    cadre, numbers not yet entered or a draw already run is refused and changes nothing."""
    lottery = _require_lottery(actor, lottery_id)
    advisory_lock(f"bookings.lottery:{lottery.pk}")
    _ready_for_numbers(lottery)
    if lottery.entered_by_id is None:
        raise ApplicationError("请先由一位干部录入开奖号码", code="bookings.lottery_no_numbers")
    if lottery.entered_by_id == actor.pk:
        raise ApplicationError("开奖号码须由另一位干部复核，录入人不能自己确认", code="bookings.lottery_same_cadre")
    text = _numbers(lottery, reds, blue)
    if text != _numbers(lottery, lottery.entered_reds, lottery.entered_blue):
        raise ApplicationError("复核的号码与录入的不一致，未开奖。请核对双色球官方公告后重新录入或复核", code="bookings.lottery_mismatch",
                               fields={"numbers": ["与录入的号码不一致"]})
    lottery.confirmed_by, lottery.draw_text = actor, text
    return _draw(actor=actor, lottery=lottery)


def _draw(*, actor, lottery: Lottery) -> Lottery:
    """Run the draw on the list published at close and turn it into bookings and the waitlist (the caller holds the locks)."""
    if public_draw.list_hash([e["code"] for e in lottery.entries]) != lottery.list_hash:
        raise ApplicationError("公示名单与哈希不符，已停止抽签，请联系系统管理员", code="bookings.lottery_tampered")
    session = lock_row(Session.objects.select_related("offering__org"), lottery.session_id, required=True)
    entries = [public_draw.Entry(code=e["code"], tags=tuple(e["tags"])) for e in lottery.entries]
    result = public_draw.publication(draw_id=lottery.draw_id, entries=entries, draw_text=lottery.draw_text, seats=lottery.seats, quotas=lottery.quotas)
    now = timezone.now()
    quotas = _quotas(session)
    _leave_unused_quota_seats(session, quotas, result["winners"])
    registrations = {r.code: r for r in Registration.objects.filter(lottery=lottery, status=RegistrationStatus.ACTIVE)}
    offering = session.offering
    for position, winner in enumerate(result["winners"], start=1):
        registration = registrations[winner["code"]]
        quota = services._claim(session, quotas.get(winner["seat"]))
        booking = Booking.objects.create(session=session, user_id=registration.user_id, person_id=registration.person_id,
                                         member_union_id=registration.member_union_id, quota=quota)
        registration.outcome, registration.position, registration.booking = Outcome.WON, position, booking
        registration.save(update_fields=["outcome", "position", "booking", "updated_at"])
        notify(recipient=registration.user, template_code="bookings.lottery_won", dedupe_key=f"bookings:lottery:won:{registration.pk}",
               params={"title": offering.title, "code": registration.code, "when": _local(session.starts_at)}, link=f"/h5/bookings/lottery/{lottery.pk}/")
    for position, code in enumerate(result["waitlist"], start=1):
        registration = registrations[code]
        quota = next((quotas[tag] for tag in sorted(registration.tags) if tag in quotas), None)
        # created_at in rank order: the booking engine offers freed seats by (created_at, pk)
        WaitlistEntry.objects.create(session=session, user_id=registration.user_id, member_union_id=registration.member_union_id, quota=quota)
        registration.outcome, registration.position = Outcome.WAITLISTED, position
        registration.save(update_fields=["outcome", "position", "updated_at"])
        notify(recipient=registration.user, template_code="bookings.lottery_waitlisted", dedupe_key=f"bookings:lottery:wait:{registration.pk}",
               params={"title": offering.title, "code": code, "position": position}, link=f"/h5/bookings/lottery/{lottery.pk}/")
    lottery.status, lottery.drawn_at, lottery.result = LotteryStatus.DRAWN, now, result
    lottery.save()
    audit_log(actor=actor, action="bookings.lottery.drawn", obj=lottery, org_path=offering.org.path, data={
        "draw_text": lottery.draw_text, "seed": result["seed"], "winners": len(result["winners"]), "waitlist": len(result["waitlist"]),
        "entered_by": lottery.entered_by_id, "confirmed_by": actor.pk})
    return lottery


def _leave_unused_quota_seats(session: Session, quotas: dict[str, Quota], winners: list[dict]) -> None:
    """A quota with fewer registrants than seats leaves the rest to everyone (as the draw does): its reservation shrinks to
    the seats it filled, so the booking engine's general seats are exactly the draw's general winners."""
    filled = {tag: sum(1 for w in winners if w["seat"] == tag) for tag in quotas}
    unused = 0
    for tag, quota in quotas.items():
        if filled[tag] < quota.seats:
            unused += quota.seats - filled[tag]
            Quota.objects.filter(pk=quota.pk).update(seats=filled[tag])
            quota.seats = filled[tag]
    if unused:
        Session.objects.filter(pk=session.pk).update(reserved=F("reserved") - unused)
        session.reserved -= unused


# ---------------------------------------------------------------- amendments, published with their reason


@transaction.atomic
def lottery_disqualify(*, actor, lottery_id, code: str, reason: str) -> Amendment:
    """取消中签资格 (e.g. the winner is found not eligible): their booking is cancelled and the seat goes to the first on
    the waitlist, in rank order; published with the reason."""
    lottery = _require_lottery(actor, lottery_id)
    reason = _reason(reason)
    registration = Registration.objects.filter(lottery=lottery, code=code.strip().upper(), outcome=Outcome.WON).select_related("booking").first() \
        if lottery.status == LotteryStatus.DRAWN else None
    if registration is None or registration.booking is None or registration.booking.status != BookingStatus.ACTIVE:
        raise ApplicationError("找不到该回执码的有效中签记录", code="bookings.lottery_no_winner", fields={"code": ["不是有效的中签回执码"]})
    session = lock_row(Session.objects.select_related("offering__org"), lottery.session_id, required=True)
    now = timezone.now()
    booking = registration.booking
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED, cancelled_at=now, updated_at=now)
    services._release(session.pk, booking.quota_id)
    offered = services._offer_next(session, now=now)
    effect = f"名额顺延给候补 {_code_of(lottery, offered)}" if offered else "没有可顺延的候补，名额空出"
    return _amend(actor=actor, lottery=lottery, kind=AmendmentKind.DISQUALIFIED, code=registration.code, reason=reason, effect=effect)


@transaction.atomic
def lottery_add_seat(*, actor, lottery_id, reason: str) -> Amendment:
    """增加名额 after the draw: one more seat, offered to the first on the waitlist; published with the reason."""
    lottery = _require_lottery(actor, lottery_id)
    reason = _reason(reason)
    if lottery.status != LotteryStatus.DRAWN:
        raise ApplicationError("开奖前名额已冻结；开奖后才能增加名额并公示", code="bookings.lottery_frozen")
    session = lock_row(Session.objects.select_related("offering__org"), lottery.session_id, required=True)
    Session.objects.filter(pk=session.pk).update(capacity=F("capacity") + 1, updated_at=timezone.now())
    session.refresh_from_db()
    offered = services._offer_next(session, now=timezone.now())
    effect = f"新增名额给候补 {_code_of(lottery, offered)}" if offered else "没有候补，新增名额空出"
    return _amend(actor=actor, lottery=lottery, kind=AmendmentKind.SEAT_ADDED, code=_code_of(lottery, offered) if offered else "", reason=reason, effect=effect)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not 2 <= len(reason) <= 200:
        raise ApplicationError("请填写变更原因（2–200 字），原因将公示", code="bookings.lottery_reason", fields={"reason": ["请填写原因"]})
    return reason


def _code_of(lottery: Lottery, entry: WaitlistEntry | None) -> str:
    if entry is None:
        return ""
    return Registration.objects.filter(lottery=lottery, user_id=entry.user_id, status=RegistrationStatus.ACTIVE).values_list("code", flat=True).first() or ""


def _amend(*, actor, lottery: Lottery, kind: str, code: str, reason: str, effect: str) -> Amendment:
    amendment = Amendment.objects.create(lottery=lottery, kind=kind, code=code, reason=reason, effect=effect, created_by=actor)
    audit_log(actor=actor, action="bookings.lottery.amended", obj=lottery, org_path=lottery.session.offering.org.path,
              data={"kind": kind, "code": code, "reason": reason, "effect": effect})
    return amendment


# ---------------------------------------------------------------- what is published


def published_json(*, lottery: Lottery) -> dict:
    """The published record: after the draw, exactly `public_draw.publication` (what `verify` reads) plus the amendments;
    before it, the frozen parameters and, after close, the list. Never a name."""
    session = lottery.session
    head = {"title": session.offering.title, "session_starts_at": _local(session.starts_at),
            "public_draw": {"game": "福彩双色球", "issue": lottery.draw_issue, "draw_date": f"{lottery.draw_date:%Y-%m-%d}", "format": DRAW_FORMAT},
            "registration": {"opens_at": _local(lottery.opens_at), "closes_at": _local(lottery.closes_at)}}
    if lottery.status == LotteryStatus.DRAWN:
        body = dict(lottery.result)
    else:
        body = {"algorithm": lottery.algorithm, "draw_id": lottery.draw_id, "seats": lottery.seats, "quotas": lottery.quotas}
        if lottery.status == LotteryStatus.CLOSED:
            body.update(entries=lottery.entries, count=len(lottery.entries), list_hash=lottery.list_hash)
    amendments = [{"at": _local(a.created_at), "kind": a.kind, "kind_label": a.get_kind_display(), "code": a.code, "reason": a.reason,
                   "effect": a.effect} for a in lottery.amendments.all()]
    return {**body, **head, "amendments": amendments}

