"""Every read of bookings. Cadres read through the one access rule (`restrict`); workers read published offerings and
their own bookings and waitlist entries."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from gonghui.bookings.models import (
    MANAGE,
    VIEW,
    Booking,
    BookingStatus,
    Kind,
    Lottery,
    LotteryStatus,
    Offering,
    OfferingStatus,
    Registration,
    RegistrationStatus,
    Session,
    Term,
    WaitlistEntry,
    WaitStatus,
)
from gonghui.bookings.lottery import SSQ_DRAW_TIME, draw_moment
from gonghui.core.exceptions import NotFound


def offering_list(*, actor, q: str = "", kind: str = "", status: str = "", when: str = "") -> QuerySet[Offering]:
    """Offerings the cadre reads: their subtree's, and those open to their orgs' members. `when`: upcoming / past."""
    offerings = Offering.objects.restrict(actor, VIEW).select_related("org")
    q = q.strip()
    if q:
        offerings = offerings.filter(Q(title__icontains=q) | Q(place__icontains=q))
    if kind in Kind.values:
        offerings = offerings.filter(kind=kind)
    if status in OfferingStatus.values:
        offerings = offerings.filter(status=status)
    now = timezone.now()
    if when == "upcoming":
        offerings = offerings.filter(Exists(Session.objects.filter(offering=OuterRef("pk"), ends_at__gt=now)))
    elif when == "past":
        offerings = offerings.exclude(Exists(Session.objects.filter(offering=OuterRef("pk"), ends_at__gt=now)))
    return offerings.annotate(session_count=Count("sessions")).order_by("-opens_at", "-pk")


def offering_get_for(*, actor, offering_id, action: str = VIEW) -> Offering:
    return Offering.objects.select_related("org", "term", "segment", "requested_by").restrict_get(actor, action, offering_id)


def offering_can_manage(*, actor, offering: Offering) -> bool:
    return Offering.objects.restrict(actor, MANAGE).filter(pk=offering.pk).exists()


def session_get_for(*, actor, session_id, action: str = VIEW) -> Session:
    return Session.objects.select_related("offering__org").restrict_get(actor, action, session_id)


def session_list(*, actor, offering_id: int | None = None, kind: str = "", when: str = "") -> QuerySet[Session]:
    """Sessions of the offerings the cadre reads, soonest first. `when`: upcoming (not ended) / past."""
    sessions = Session.objects.restrict(actor, VIEW).select_related("offering")
    if offering_id is not None:
        sessions = sessions.filter(offering_id=offering_id)
    if kind in Kind.values:
        sessions = sessions.filter(offering__kind=kind)
    now = timezone.now()
    if when == "upcoming":
        sessions = sessions.filter(ends_at__gt=now)
    elif when == "past":
        sessions = sessions.filter(ends_at__lte=now)
    return sessions.order_by("starts_at", "pk")


def term_choices(*, actor) -> QuerySet[Term]:
    return Term.objects.restrict(actor, VIEW).order_by("-starts_on")[:50]


def sessions_today(*, actor) -> QuerySet[Session]:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return (Session.objects.restrict(actor, "bookings.checkin").filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
            .select_related("offering").order_by("starts_at"))


@dataclass(frozen=True)
class RosterRow:
    code: str
    name: str  # masked; "—" for counselling (the person stays anonymous)
    union: str
    status: str
    checked_in_at: dt.datetime | None
    no_show: bool
    finished_at: dt.datetime | None


def roster(*, actor, session: Session) -> list[RosterRow]:
    """名单 of a session as the actor may read it: the publisher's cadres every booking, a participating org's cadres
    their own members only (the one access rule). Counselling: booking codes only, no name, no union, no topic."""
    from gonghui.core.masking import mask_name

    bookings = (Booking.objects.restrict(actor, VIEW).filter(session=session).select_related("person", "member_union")
                .order_by("status", "pk"))
    private = session.offering.kind == Kind.COUNSELLING
    return [RosterRow(code=b.code, name="—" if private else (mask_name(b.person.name) if b.person else "未实名"),
                      union="—" if private else (b.member_union.name if b.member_union else "非会员"), status=b.get_status_display(),
                      checked_in_at=b.checked_in_at, no_show=b.no_show, finished_at=b.finished_at) for b in bookings]


def roster_counts(*, actor, session: Session) -> dict:
    rows = Booking.objects.restrict(actor, VIEW).filter(session=session, status=BookingStatus.ACTIVE)
    return {"active": rows.count(), "checked_in": rows.filter(checked_in_at__isnull=False).count(),
            "waiting": WaitlistEntry.objects.restrict(actor, VIEW).filter(session=session, status=WaitStatus.WAITING).count()}


def counsellor_slots(*, actor) -> QuerySet[Session]:
    """A counsellor's own slots (object grants), with each slot's booking code and topic: theirs to read, nobody else's."""
    return (Session.objects.restrict(actor, "bookings.checkin").filter(offering__kind=Kind.COUNSELLING)
            .select_related("offering").order_by("starts_at"))


def counsellor_bookings(*, actor, session: Session) -> QuerySet[Booking]:
    if session.counsellor_id != actor.pk:
        raise NotFound()
    return Booking.objects.filter(session=session, status=BookingStatus.ACTIVE).only("code", "topic", "checked_in_at", "session_id")


# ---------------------------------------------------------------- workers


def open_offerings(*, kind: str = "", q: str = "") -> QuerySet[Offering]:
    """Published offerings with a session still ahead (or an online class), newest opening first: every worker browses
    them; who may book is decided when they book."""
    now = timezone.now()
    offerings = Offering.objects.filter(status=OfferingStatus.PUBLISHED).filter(
        Q(kind=Kind.ONLINE) | Exists(Session.objects.filter(offering=OuterRef("pk"), starts_at__gt=now))).select_related("org")
    if kind in Kind.values:
        offerings = offerings.filter(kind=kind)
    q = q.strip()
    if q:
        offerings = offerings.filter(title__icontains=q)
    return offerings.order_by("-opens_at", "-pk")


def public_offering(*, offering_id) -> Offering:
    offering = Offering.objects.select_related("org", "term").filter(pk=offering_id, status=OfferingStatus.PUBLISHED).first() \
        if str(offering_id).isdecimal() else None
    if offering is None:
        raise NotFound()
    return offering


def offering_sessions(*, offering: Offering, user=None) -> list[Session]:
    """The sessions a worker can still book, each marked with the worker's own booking or place in line."""
    now = timezone.now()
    sessions = offering.sessions.order_by("starts_at", "pk")
    if offering.kind != Kind.ONLINE:
        sessions = sessions.filter(starts_at__gt=now)
    if user is not None and user.is_authenticated:
        sessions = sessions.annotate(
            mine=Exists(Booking.objects.filter(session=OuterRef("pk"), user=user, status=BookingStatus.ACTIVE)),
            waiting=Exists(WaitlistEntry.objects.filter(session=OuterRef("pk"), user=user, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED])))
    return list(sessions[:100])


def my_bookings(*, user) -> QuerySet[Booking]:
    return (Booking.objects.filter(user=user).select_related("session__offering__org")
            .order_by("-session__starts_at", "-pk")) if user.is_authenticated else Booking.objects.none()


def my_booking(*, user, booking_id) -> Booking:
    booking = my_bookings(user=user).filter(pk=booking_id).first() if str(booking_id).isdecimal() else None
    if booking is None:
        raise NotFound()
    return booking


def _with_position(entries: QuerySet[WaitlistEntry]) -> QuerySet[WaitlistEntry]:
    """`position`: the place in line (1 is next) among those still waiting on the same session (a whole-term course's line)."""
    ahead = (WaitlistEntry.objects.filter(session=OuterRef("session"), status=WaitStatus.WAITING)
             .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")))
             .order_by().values("session").annotate(n=Count("pk")).values("n"))
    return entries.annotate(position=Coalesce(Subquery(ahead), 0) + 1)


def my_waits(*, user) -> QuerySet[WaitlistEntry]:
    return _with_position(WaitlistEntry.objects.filter(user=user, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED])
                          .select_related("session__offering").order_by("session__starts_at")) if user.is_authenticated else WaitlistEntry.objects.none()


def my_wait(*, user, entry_id) -> WaitlistEntry:
    entry = (_with_position(WaitlistEntry.objects.filter(user=user, pk=entry_id)).select_related("session__offering").first()
             if user.is_authenticated and str(entry_id).isdecimal() else None)
    if entry is None:
        raise NotFound()
    return entry


def completion(*, user, offering: Offering) -> dict | None:
    """结业: sessions attended of a course with a completion rule, and whether the rule is met."""
    if offering.completion_percent is None:
        return None
    total = offering.sessions.count()
    attended = Booking.objects.filter(user=user, session__offering=offering, checked_in_at__isnull=False).count()
    return {"attended": attended, "total": total, "done": total > 0 and attended * 100 >= offering.completion_percent * total}



# ---------------------------------------------------------------- lotteries (抽签)


def lottery_get_for(*, actor, lottery_id, action: str = VIEW) -> Lottery:
    return Lottery.objects.select_related("session__offering__org", "entered_by", "confirmed_by").restrict_get(actor, action, lottery_id)


class LotteryStage:
    """Where a lottery stands for the cadre, finer than its status: after close it waits first for the public draw, then
    for one cadre to enter the numbers, then for another to confirm them."""

    TO_ENTER = "to_enter"
    TO_CONFIRM = "to_confirm"
    CHOICES = ((LotteryStatus.DRAFT, "未发布"), (LotteryStatus.OPEN, "报名中"), ("awaiting_draw", "已截止，等待双色球开奖"),
               (TO_ENTER, "待录入开奖号码"), (TO_CONFIRM, "待复核开奖号码"), (LotteryStatus.DRAWN, "已开奖"))


def _drawn_before(now: dt.datetime) -> Q:
    """Lotteries whose 双色球 draw (21:15 Beijing time on `draw_date`) took place before `now`."""
    local = timezone.localtime(now)
    last_draw_day = local.date() if local.time() >= SSQ_DRAW_TIME else local.date() - dt.timedelta(days=1)
    return Q(draw_date__lte=last_draw_day)


def _stage_filter(stage: str, now: dt.datetime) -> Q | None:
    closed = Q(status=LotteryStatus.CLOSED)
    return {
        LotteryStatus.DRAFT: Q(status=LotteryStatus.DRAFT), LotteryStatus.DRAWN: Q(status=LotteryStatus.DRAWN),
        LotteryStatus.OPEN: Q(status=LotteryStatus.OPEN),
        "awaiting_draw": closed & ~_drawn_before(now),
        LotteryStage.TO_ENTER: closed & _drawn_before(now) & Q(entered_by__isnull=True),
        LotteryStage.TO_CONFIRM: closed & Q(entered_by__isnull=False),
    }.get(stage)


def lottery_stage_label(*, lottery: Lottery, now: dt.datetime) -> str:
    """The stage of one lottery, as `LotteryStage.CHOICES` names it (the same rules as the list's filter)."""
    if lottery.status != LotteryStatus.CLOSED:
        return lottery.get_status_display()
    if lottery.entered_by_id:
        return dict(LotteryStage.CHOICES)[LotteryStage.TO_CONFIRM]
    drawn = draw_moment(lottery) <= now
    return dict(LotteryStage.CHOICES)[LotteryStage.TO_ENTER if drawn else "awaiting_draw"]


def lottery_list(*, actor, q: str = "", stage: str = "", action: str = VIEW) -> QuerySet[Lottery]:
    """抽签列表: the lotteries the cadre reads, searchable by the offering's title or the 双色球期号, filtered by stage, with
    the count of active registrations."""
    lotteries = Lottery.objects.restrict(actor, action).select_related("session__offering__org", "entered_by")
    if q.strip():
        lotteries = lotteries.filter(Q(session__offering__title__icontains=q.strip()) | Q(draw_issue=q.strip()))
    wanted = _stage_filter(stage, timezone.now())
    if wanted is not None:
        lotteries = lotteries.filter(wanted)
    active = Count("registrations", filter=Q(registrations__status=RegistrationStatus.ACTIVE))
    return lotteries.annotate(registrant_count=active).order_by("-closes_at", "-pk")


def lotteries_awaiting_numbers(*, actor) -> tuple[QuerySet[Lottery], QuerySet[Lottery]]:
    """待办: lotteries whose numbers the actor may enter now, and those whose numbers another cadre entered and the actor
    may confirm (never one's own entry: the service refuses it)."""
    now = timezone.now()
    manageable = Lottery.objects.restrict(actor, MANAGE).select_related("session__offering").order_by("draw_date", "pk")
    return (manageable.filter(_stage_filter(LotteryStage.TO_ENTER, now)),
            manageable.filter(_stage_filter(LotteryStage.TO_CONFIRM, now)).exclude(entered_by=actor))


@dataclass(frozen=True)
class RegistrationRow:
    code: str
    name: str  # masked
    union: str
    status: str
    outcome: str
    position: int | None


def lottery_roster(*, actor, lottery: Lottery) -> list[RegistrationRow]:
    """报名名单 as the actor may read it: the publisher's cadres everyone, a participating org's cadres their own members."""
    from gonghui.core.masking import mask_name

    rows = (Registration.objects.restrict(actor, VIEW).filter(lottery=lottery).select_related("person", "member_union")
            .order_by("status", "-outcome", F("position").asc(nulls_last=True), "code"))
    return [RegistrationRow(code=r.code, name=mask_name(r.person.name) if r.person else "未实名", union=r.member_union.name if r.member_union else "非会员",
                            status=r.get_status_display(), outcome=r.get_outcome_display(), position=r.position) for r in rows]


def my_registration(*, user, lottery: Lottery) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(lottery=lottery, user=user, status=RegistrationStatus.ACTIVE).select_related("booking").first()


def my_registrations(*, user) -> QuerySet[Registration]:
    return (Registration.objects.filter(user=user, status=RegistrationStatus.ACTIVE).select_related("lottery__session__offering")
            .order_by("-lottery__closes_at")) if user.is_authenticated else Registration.objects.none()


def session_lotteries(*, offering: Offering) -> dict[int, Lottery]:
    """The published lotteries of an offering's sessions, by session id (the H5 detail links them instead of 预约)."""
    return {lot.session_id: lot for lot in Lottery.objects.filter(session__offering=offering).exclude(status=LotteryStatus.DRAFT)}
