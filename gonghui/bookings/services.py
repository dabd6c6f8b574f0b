"""Every write of bookings: publishing offerings and sessions, booking, cancelling, the waitlist, check-in, no-shows and
messages to the people booked.

The seat is never read and then written: `_claim` is one conditional UPDATE (`taken < capacity`) per session in the
booking's transaction, and the database refuses a second active booking of one person on one session (a partial unique
constraint), so a repeat answers 已预约. Writers touch rows in one order — sessions by id, their quotas, waitlist entries,
then the person's term counter — so they queue and never deadlock.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connections, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Greatest, Length, Substr
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.services import object_grant_give
from gonghui.audit.services import audit_log
from gonghui.bookings.models import (
    CHECKIN,
    MANAGE,
    Booking,
    BookingStatus,
    Kind,
    NoShowBan,
    Offering,
    OfferingStatus,
    Quota,
    Session,
    Term,
    TermCounter,
    WaitlistEntry,
    WaitStatus,
)
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.locking import lock_row, lock_rows
from gonghui.core.prepared import prepared_cursor
from gonghui.core.request_context import request_info_withheld
from gonghui.members.segments import segment_covers
from gonghui.members.selectors import person_facts
from gonghui.notify.services import notify
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import LimitUnit, deadline

CHECKIN_SALT = "gonghui.bookings.checkin"
CHECKIN_TOKEN_SECONDS = 120  # the 我的预约 page shows a fresh code every 50 s
CHECKIN_EARLY = dt.timedelta(hours=1)  # the door opens an hour before a session starts
OFFER_MARGIN = dt.timedelta(minutes=30)  # a held seat must be confirmed this long before the session starts
MIN_OFFER = dt.timedelta(minutes=10)  # shorter than this is no real chance to confirm: the seat goes back on sale
ACTIVE = BookingStatus.ACTIVE
COUNSELLOR_ACTIONS = ["bookings.checkin", "bookings.view"]


class Refused(ApplicationError):
    """A booking attempt answered without a seat: full (the waitlist is offered), already booked, not open yet (with the
    opening time), not eligible (why), over the term's limit, suspended after no-shows, 实名 needed, or closed."""

    status_code = 409

    def __init__(self, message: str, *, code: str, waitlist: bool = False, opens_at: dt.datetime | None = None):
        super().__init__(message, code=code)
        self.waitlist, self.opens_at = waitlist, opens_at
        self.session: Session | None = None  # as judged, set by `booking_create`: the caller's copy may predate a change


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------- offerings, sessions, terms (cadres)


def _require(actor, model, action: str, pk):
    """The row if the actor may `action` it; NotFound when they cannot see it, PermissionDenied when they only read it."""
    row = model.objects.restrict(actor, action).filter(pk=pk).first()
    if row is not None:
        return row
    model.objects.restrict_get(actor, "bookings.view", pk)  # NotFound unless visible
    raise PermissionDenied("只有发布组织的干部可以修改")


def _require_org(actor, org) -> None:
    from gonghui.orgs.models import Org

    if not Org.objects.restrict(actor, MANAGE).filter(pk=org.pk).exists():
        raise PermissionDenied("您在该组织没有发布预约项目的权限")


@transaction.atomic
def term_create(*, actor, org, name: str, starts_on: dt.date, ends_on: dt.date, max_per_person: int) -> Term:
    _require_org(actor, org)
    if ends_on < starts_on:
        raise ApplicationError("结束日期不能早于开始日期", code="bookings.term_dates", fields={"ends_on": ["不能早于开始日期"]})
    if max_per_person < 1:
        raise ApplicationError("每人最多预约次数至少为 1", code="bookings.term_limit", fields={"max_per_person": ["至少为 1"]})
    term = Term.objects.create(org=org, name=name.strip(), starts_on=starts_on, ends_on=ends_on, max_per_person=max_per_person)
    audit_log(actor=actor, action="bookings.term.created", obj=term, org_path=org.path, data={"max_per_person": max_per_person})
    return term


@dataclass
class OfferingInput:
    kind: str
    title: str
    opens_at: dt.datetime
    description: str = ""
    place: str = ""
    term_id: int | None = None
    whole_term: bool = False
    completion_percent: int | None = None
    members_only: bool = True
    eligible_org_ids: list[int] = field(default_factory=list)
    segment_id: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    requested_by_id: int | None = None
    cancel_hours: int = 2


def _clean_offering(actor, org, data: OfferingInput) -> dict:
    from gonghui.members.segments import segment_get_for
    from gonghui.orgs.models import Org

    errors: dict[str, list[str]] = {}
    if data.kind not in Kind.values:
        errors["kind"] = ["请选择类型"]
    if not data.title.strip():
        errors["title"] = ["请填写名称"]
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        errors["max_age"] = ["最大年龄不能小于最小年龄"]
    if data.completion_percent is not None and not 1 <= data.completion_percent <= 100:
        errors["completion_percent"] = ["应在 1 到 100 之间"]
    if data.kind == Kind.CUSTOM and not data.requested_by_id:
        errors["requested_by"] = ["定制课堂请选择申请单位"]
    if errors:
        raise ApplicationError("请检查填写的内容：" + "；".join(f"{m[0]}" for m in errors.values()), code="bookings.offering_invalid", fields=errors)
    term = Term.objects.restrict(actor, "bookings.view").filter(pk=data.term_id).first() if data.term_id else None
    if data.term_id and term is None:
        raise ApplicationError("所选学期不存在", code="bookings.term", fields={"term": ["请重新选择"]})
    segment = segment_get_for(actor=actor, segment_id=data.segment_id) if data.segment_id else None
    # Any org may be named (the federation's course for several districts' members), not only the publisher's subtree
    eligible = list(Org.objects.filter(pk__in=[*data.eligible_org_ids, *([data.requested_by_id] if data.requested_by_id else [])]))
    requested_by = next((o for o in eligible if o.pk == data.requested_by_id), None) if data.requested_by_id else None
    return {"fields": {"kind": data.kind, "title": data.title.strip(), "description": data.description.strip(), "place": data.place.strip(),
                       "term": term, "whole_term": data.whole_term and data.kind == Kind.COURSE, "completion_percent": data.completion_percent,
                       "members_only": data.members_only or data.kind == Kind.CUSTOM, "segment": segment, "min_age": data.min_age,
                       "max_age": data.max_age, "requested_by": requested_by, "opens_at": data.opens_at, "cancel_hours": data.cancel_hours},
            "eligible": eligible}


@transaction.atomic
def offering_create(*, actor, org, data: OfferingInput) -> Offering:
    _require_org(actor, org)
    clean = _clean_offering(actor, org, data)
    offering = Offering.objects.create(org=org, created_by=actor, **clean["fields"])
    offering.eligible_orgs.set(clean["eligible"])
    audit_log(actor=actor, action="bookings.offering.created", obj=offering, org_path=org.path,
              data={"kind": offering.kind, "orgs": [o.code for o in clean["eligible"]]})
    return offering


@transaction.atomic
def offering_update(*, actor, offering_id, data: OfferingInput) -> Offering:
    offering = _require(actor, Offering, MANAGE, offering_id)
    offering = lock_row(Offering.objects.select_related("org"), offering.pk, required=True)
    _refuse_frozen(offering.pk)
    clean = _clean_offering(actor, offering.org, data)
    for name, value in clean["fields"].items():
        setattr(offering, name, value)
    offering.save()
    offering.eligible_orgs.set(clean["eligible"])
    audit_log(actor=actor, action="bookings.offering.updated", obj=offering, org_path=offering.org.path, data={"kind": offering.kind})
    return offering


@transaction.atomic
def offering_set_status(*, actor, offering_id, status: str) -> Offering:
    offering = _require(actor, Offering, MANAGE, offering_id)
    offering = lock_row(Offering.objects.select_related("org"), offering.pk, required=True)
    if status not in OfferingStatus.values:
        raise ApplicationError("状态不正确", code="bookings.status")
    if status == OfferingStatus.PUBLISHED and not offering.sessions.exists():
        raise ApplicationError("请先添加至少一个场次再发布", code="bookings.no_sessions")
    offering.status = status
    offering.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, action=f"bookings.offering.{status}", obj=offering, org_path=offering.org.path)
    return offering


def _refuse_frozen(offering_id: int) -> None:
    from gonghui.bookings.lottery import refuse_if_frozen

    refuse_if_frozen(offering_id=offering_id)


@dataclass
class QuotaInput:
    seats: int
    org_id: int | None = None
    new_form: bool = False


@transaction.atomic
def session_add(*, actor, offering_id, starts_at: dt.datetime, ends_at: dt.datetime, capacity: int | None,
                counsellor=None, quotas: list[QuotaInput] = ()) -> Session:
    """A session (课次/时段) of an offering. A counselling slot holds one person and is opened to its counsellor (an
    external account) by an object grant: they see and check in their own slots, nothing else."""
    from gonghui.orgs.models import Org

    offering = _require(actor, Offering, MANAGE, offering_id)
    _refuse_frozen(offering.pk)
    if ends_at <= starts_at:
        raise ApplicationError("结束时间应晚于开始时间", code="bookings.session_times", fields={"ends_at": ["应晚于开始时间"]})
    if offering.kind == Kind.COUNSELLING:
        capacity = 1
    if offering.kind == Kind.ONLINE:
        capacity = None
    elif capacity is None or capacity < 1:
        raise ApplicationError("请填写名额（至少 1 个）", code="bookings.capacity", fields={"capacity": ["至少 1 个"]})
    reserved = sum(q.seats for q in quotas)
    if capacity is not None and reserved > capacity:
        raise ApplicationError("预留名额之和不能超过总名额", code="bookings.quota_over", fields={"quotas": ["超过总名额"]})
    session = Session.objects.create(offering=offering, starts_at=starts_at, ends_at=ends_at, capacity=capacity, reserved=reserved,
                                     counsellor=counsellor if offering.kind == Kind.COUNSELLING else None)
    orgs = {o.pk: o for o in Org.objects.filter(pk__in=[q.org_id for q in quotas if q.org_id])}
    for quota in quotas:
        if quota.seats < 1 or (quota.org_id and quota.org_id not in orgs) or bool(quota.org_id) == quota.new_form:
            raise ApplicationError("预留名额填写不正确", code="bookings.quota", fields={"quotas": ["请检查预留对象和名额"]})
        Quota.objects.create(session=session, org=orgs.get(quota.org_id), new_form=quota.new_form, seats=quota.seats)
    if session.counsellor is not None:
        object_grant_give(actor=actor, grantee=session.counsellor, obj=session, actions=COUNSELLOR_ACTIONS, until=ends_at + dt.timedelta(days=30))
    audit_log(actor=actor, action="bookings.session.created", obj=session, org_path=offering.org.path,
              data={"capacity": capacity, "reserved": reserved, "starts_at": _local(starts_at)})
    return session


@transaction.atomic
def session_update(*, actor, session_id, starts_at: dt.datetime, ends_at: dt.datetime, capacity: int | None) -> Session:
    """Move a session or change its seats; never below the seats already taken."""
    session = _require(actor, Session, MANAGE, session_id)
    session = lock_row(Session.objects.select_related("offering__org"), session.pk, required=True)
    _refuse_frozen(session.offering_id)
    if ends_at <= starts_at:
        raise ApplicationError("结束时间应晚于开始时间", code="bookings.session_times", fields={"ends_at": ["应晚于开始时间"]})
    if session.offering.kind in (Kind.ONLINE, Kind.COUNSELLING):
        capacity = session.capacity
    elif capacity is None or capacity < max(session.taken, session.reserved, 1):
        raise ApplicationError(f"名额不能少于已占用的 {session.taken} 个和预留的 {session.reserved} 个", code="bookings.capacity",
                               fields={"capacity": ["少于已占用名额"]})
    before = {"capacity": session.capacity, "starts_at": _local(session.starts_at)}
    session.starts_at, session.ends_at, session.capacity = starts_at, ends_at, capacity
    session.save(update_fields=["starts_at", "ends_at", "capacity", "updated_at"])
    audit_log(actor=actor, action="bookings.session.updated", obj=session, org_path=session.offering.org.path,
              data={"before": before, "capacity": capacity, "starts_at": _local(starts_at)})
    return session


# ---------------------------------------------------------------- booking (workers)


@dataclass(frozen=True)
class Booker:
    """What decides a booking about the person, read in one query with the session's own facts."""

    person_id: int
    union_id: int | None
    union_path: str
    member_status: str | None
    new_form: str
    birth_month: dt.date
    already: bool
    banned_until: dt.datetime | None
    term_count: int
    in_orgs: bool
    in_segment: bool
    stamp: dt.datetime | None  # when the session or its offering last changed (None: it is gone or withdrawn)
    seat_free: bool


# What booking reads of a session and its offering: the columns its rules use, not whole rows of five tables (the button's
# query is compiled and planned on every press)
LIGHT_FIELDS = (
    "offering_id", "starts_at", "ends_at", "capacity", "taken", "reserved", "by_lottery",
    *(f"offering__{name}" for name in ("org_id", "kind", "title", "status", "whole_term", "members_only", "segment_id", "min_age",
                                       "max_age", "opens_at", "term_id", "cancel_hours", "completion_percent")),
    "offering__org__path", "offering__org__name", "offering__term__name", "offering__term__max_per_person",
    "offering__segment__org_id", "offering__segment__filters", "offering__segment__org__path",
)


def bookable_session(*, session_id) -> Session:
    """The session with its offering, the segment and whether the offering names orgs: one query. Unpublished offerings
    are missing to workers."""
    through = Offering.eligible_orgs.through
    session = (Session.objects.select_related("offering__org", "offering__segment__org", "offering__term").only(*LIGHT_FIELDS)
               .annotate(has_orgs=Exists(through.objects.filter(offering_id=OuterRef("offering_id"))),
                         stamp=Greatest("updated_at", "offering__updated_at"))
               .filter(pk=session_id, offering__status=OfferingStatus.PUBLISHED).first()) if str(session_id).isdecimal() else None
    if session is None:
        raise NotFound()
    _RULES[session.pk] = session
    return session


# The rules of sessions people press 预约 on, as last read in this process: the button checks them against the session's
# `stamp` in the same query as the person's facts (`_booker`) and reads them again when the session or its offering has
# changed since, so they are never stale; seats are never taken from here (`taken` comes from the database).
_RULES: dict[int, Session] = {}
RULES_KEPT = 2000


def remembered_session(*, session_id) -> Session:
    """`bookable_session`, from this process's memory when it has read it before (the stamp is checked when booking)."""
    session = _RULES.get(int(session_id)) if str(session_id).isdecimal() else None
    if session is not None:
        return session
    if len(_RULES) > RULES_KEPT:
        _RULES.clear()
    return bookable_session(session_id=session_id)


def forget_sessions() -> None:
    _RULES.clear()


def _booker_query(*, user, session: Session, now: dt.datetime):
    """The person's facts as one query; each rule the offering does not use adds nothing to it."""
    offering = session.offering
    mine = Booking.objects.filter(user=user, status=ACTIVE)
    mine = mine.filter(session__offering=offering) if offering.whole_term else mine.filter(session=session)
    current = Session.objects.filter(pk=session.pk, offering__status=OfferingStatus.PUBLISHED)
    facts = person_facts(user=user).annotate(
        already=Exists(mine), banned_until=Subquery(NoShowBan.objects.filter(user=user, until__gt=now).order_by("-until").values("until")[:1]),
        stamp=Subquery(current.annotate(stamp=Greatest("updated_at", "offering__updated_at")).values("stamp")[:1]),
        seat_free=Exists(current.filter(Q(capacity__isnull=True) | Q(taken__lt=F("capacity")))))
    names = ["pk", "union_id", "union_path", "member_status", "new_form", "birth_month", "already", "banned_until", "stamp", "seat_free"]
    if offering.term_id:
        facts = facts.annotate(term_count=Subquery(TermCounter.objects.filter(term_id=offering.term_id, user=user).values("count")[:1]))
        names.append("term_count")
    if session.has_orgs:
        through = Offering.eligible_orgs.through
        facts = facts.annotate(in_orgs=Exists(through.objects.filter(
            offering_id=offering.pk, org__path=Substr(OuterRef("membership__union__path"), 1, Length("org__path")))))
        names.append("in_orgs")
    if offering.segment_id:
        facts = facts.annotate(in_segment=Exists(segment_covers(segment=offering.segment).filter(pk=OuterRef("membership_pk"))))
        names.append("in_segment")
    return facts.values_list(*names).order_by("pk")[:1], names


# The booker query compiled once per thread for each session as remembered (and day, for a segment's ages), with
# stand-ins for the person and the moment that are swapped for the real ones on each press: building and compiling the
# ORM query cost more CPU than the rest of the button together. A compiler belongs to its thread's connection.
_COMPILED = threading.local()
_USER_STAND_IN = -917_000_017
_NOW_STAND_IN = dt.datetime(1901, 1, 1, tzinfo=dt.UTC)


def _compiled(session: Session, now: dt.datetime, connection):
    kept = getattr(_COMPILED, "queries", None)
    if kept is None or len(kept) > RULES_KEPT:
        kept = _COMPILED.queries = {}
    key = (session.pk, session.stamp, timezone.localdate(now))
    if key not in kept:
        query, names = _booker_query(user=User(pk=_USER_STAND_IN), session=session, now=_NOW_STAND_IN)
        compiler = query.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        kept[key] = (compiler, sql, params, names)
    return kept[key]


def _booker(*, user, session: Session, now: dt.datetime) -> Booker | None:
    """The person's facts in one query (SQL compiled once per session, see `_compiled`; planned once per connection)."""
    connection = connections[Booking.objects.db]
    compiler, sql, params, names = _compiled(session, now, connection)
    adapt = connection.ops.adapt_datetimefield_value
    stand_in_now, real_now = adapt(_NOW_STAND_IN), adapt(now)
    params = tuple(user.pk if p == _USER_STAND_IN and type(p) is int else real_now if type(p) is type(stand_in_now) and p == stand_in_now else p
                   for p in params)
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchone()
    if raw is None:
        return None
    row = dict(zip(names, next(compiler.results_iter([[raw]])), strict=True))
    row["person_id"] = row.pop("pk")
    row["in_segment"] = row.get("in_segment", True)
    row["in_orgs"] = row.get("in_orgs", False)
    row["term_count"] = row.get("term_count") or 0
    row["new_form"] = row["new_form"] or ""
    row["union_path"] = row["union_path"] or ""
    return Booker(**row)


def _read(*, actor, session: Session, now: dt.datetime) -> tuple[Session, Booker | None]:
    """The person's facts for a session whose rules may have been remembered; read again when the session or its
    offering changed since (or there is no 实名 row to carry the stamp)."""
    booker = _booker(user=actor, session=session, now=now)
    if booker is None or booker.stamp != session.stamp:
        session = bookable_session(session_id=session.pk)
        booker = _booker(user=actor, session=session, now=now)
    return session, booker


def _age_on(birth_month: dt.date, today: dt.date) -> int:
    return today.year - birth_month.year - (today.month < birth_month.month)


def _refuse_open(session: Session, now: dt.datetime) -> None:
    offering = session.offering
    if session.by_lottery:
        raise Refused("该场次名额以公开抽签分配，请在抽签页报名", code="bookings.by_lottery")
    if now < offering.opens_at:
        raise Refused(f"尚未开放报名，将于 {_local(offering.opens_at)} 开放", code="bookings.not_open", opens_at=offering.opens_at)
    if session.starts_at <= now and offering.kind != Kind.ONLINE:
        raise Refused("该场次已开始，不能再预约", code="bookings.closed")


def _refuse_person(session: Session, booker: Booker | None, now: dt.datetime) -> None:
    """Why this person may not book, in the order a person can act on it."""
    offering = session.offering
    if booker is None:
        raise Refused("请先完成实名认证再预约", code="bookings.identity")
    if booker.already:
        raise Refused("您已预约该项目，无需重复预约", code="bookings.already")
    if booker.banned_until:
        raise Refused(f"您近期多次预约后未到场，{_local(booker.banned_until)} 前暂停预约", code="bookings.banned")
    member = booker.member_status == "active"
    if offering.members_only and not member:
        raise Refused("该项目仅限工会会员报名，入会后即可预约", code="bookings.not_eligible")
    if session.has_orgs and not (member and booker.in_orgs):
        raise Refused("该项目仅限指定工会的会员报名", code="bookings.not_eligible")
    if not session.has_orgs and offering.members_only and not booker.union_path.startswith(offering.org.path):
        raise Refused(f"该项目仅限{offering.org.name}所属工会的会员报名", code="bookings.not_eligible")
    if offering.segment_id and not booker.in_segment:
        raise Refused("该项目仅面向特定会员群体，您不在报名范围内", code="bookings.not_eligible")
    age = _age_on(booker.birth_month, timezone.localdate(now))
    if offering.min_age is not None and age < offering.min_age:
        raise Refused(f"该项目要求年满 {offering.min_age} 周岁", code="bookings.not_eligible")
    if offering.max_age is not None and age > offering.max_age:
        raise Refused(f"该项目限 {offering.max_age} 周岁及以下", code="bookings.not_eligible")
    if offering.term_id and booker.term_count >= offering.term.max_per_person:
        raise Refused(f"{offering.term.name}每人最多预约 {offering.term.max_per_person} 次，您已达上限", code="bookings.limit")


def _full(session: Session) -> Refused:
    return Refused("名额已满，可以加入候补，有人取消时按顺序通知", code="bookings.full", waitlist=True)


def _quota_for(session: Session, booker: Booker) -> Quota | None:
    """The quota the person's seat comes from first (their org's, else the 新就业形态 one), if the session has quotas."""
    if not session.reserved:
        return None
    quotas = list(session.quotas.select_related("org"))
    for quota in quotas:
        if quota.org is not None and booker.union_path.startswith(quota.org.path):
            return quota
    return next((q for q in quotas if q.new_form and booker.new_form), None)


def _claim(session: Session, quota: Quota | None) -> Quota | None:
    """Take one seat of the session with conditional UPDATEs (never read-then-write); the quota the seat came from.
    Raises `Refused` (full); the caller's transaction then undoes any part already taken."""
    seats = Session.objects.filter(pk=session.pk)
    if session.capacity is None:
        seats.update(taken=F("taken") + 1, general_taken=F("general_taken") + 1)  # enrolments counted, no limit
        return None
    if quota is None:
        if seats.filter(taken__lt=F("capacity"), general_taken__lt=F("capacity") - F("reserved")).update(
                taken=F("taken") + 1, general_taken=F("general_taken") + 1):
            return None
        raise _full(session)
    if not seats.filter(taken__lt=F("capacity")).update(taken=F("taken") + 1):
        raise _full(session)
    if Quota.objects.filter(pk=quota.pk, taken__lt=F("seats")).update(taken=F("taken") + 1):
        return quota
    if seats.filter(general_taken__lt=F("capacity") - F("reserved")).update(general_taken=F("general_taken") + 1):
        return None
    raise _full(session)


def _release(session_id: int, quota_id: int | None) -> None:
    Session.objects.filter(pk=session_id).update(taken=F("taken") - 1, general_taken=F("general_taken") - (0 if quota_id else 1))
    if quota_id:
        Quota.objects.filter(pk=quota_id).update(taken=F("taken") - 1)


def _count(term: Term | None, user) -> None:
    """One more booking against the person's term limit: a conditional UPDATE of their counter row (created at 0 the first
    time; a racing first insert loses on the unique constraint and updates the row the winner made)."""
    if term is None:
        return
    counter = TermCounter.objects.filter(term=term, user=user)
    if counter.filter(count__lt=term.max_per_person).update(count=F("count") + 1):
        return
    if not counter.exists():
        try:
            with transaction.atomic():
                TermCounter.objects.create(term=term, user=user, count=1)
            return
        except IntegrityError:
            if counter.filter(count__lt=term.max_per_person).update(count=F("count") + 1):
                return
    raise Refused(f"{term.name}每人最多预约 {term.max_per_person} 次，您已达上限", code="bookings.limit")


def _uncount(term_id: int | None, user_id: int) -> None:
    if term_id:
        TermCounter.objects.filter(term_id=term_id, user_id=user_id, count__gt=0).update(count=F("count") - 1)


def _audit_booking(*, actor, action: str, session: Session, booking: Booking | None = None, data: dict | None = None) -> None:
    """Counselling: the audit records that it happened, never who or why (no actor, IP or user agent; the slot as the
    object)."""
    if session.offering.is_private:
        with request_info_withheld():
            audit_log(actor=None, action=action, obj=session, org_path=session.offering.org.path, data={"private": True})
    else:
        audit_log(actor=actor, action=action, obj=booking or session, org_path=session.offering.org.path, data=data or {})


def booking_create(*, actor, session_id=None, session: Session | None = None, topic: str = "") -> list[Booking]:
    """预约: one session, or every remaining session of a whole-term course (all or none). Raises `Refused` with the
    reason; a repeat answers 已预约 (the partial unique constraint when two clicks race). `session`: one the caller has
    just read with `bookable_session` (the button's view, which rate-limits only attempts on real sessions).

    The refusals are read before any transaction opens (a read that can only refuse; the seat itself is only ever taken
    by `_claim`'s conditional UPDATE): the person's facts with whether a seat is free and the session's stamp in one
    query, plus the session itself when it is not remembered or has changed; no transaction."""
    now = timezone.now()
    session, booker = _read(actor=actor, session=session or bookable_session(session_id=session_id), now=now)
    try:
        _refuse_before_claim(session, booker, now)
        return _book(actor=actor, session=session, booker=booker, now=now, topic=topic)
    except Refused as refusal:
        refusal.session = session
        raise


def _refuse_before_claim(session: Session, booker: Booker | None, now: dt.datetime) -> None:
    """Every refusal the reads can tell: not open, already booked or full, then the person's own."""
    _refuse_open(session, now)
    if booker is not None and not booker.seat_free and not session.offering.whole_term:
        if booker.already:
            raise Refused("您已预约该项目，无需重复预约", code="bookings.already")
        raise _full(session)
    _refuse_person(session, booker, now)


@transaction.atomic
def _book(*, actor, session: Session, booker: Booker, now: dt.datetime, topic: str) -> list[Booking]:
    """The writes of a booking, once the reads found nothing to refuse: seats (conditional UPDATEs in id order), the term
    counter, the rows (the partial unique constraint answers a racing repeat), audit and message, in one transaction."""
    offering = session.offering
    sessions = list(offering.sessions.filter(starts_at__gt=now).order_by("pk")) if offering.whole_term else [session]
    if not sessions:
        raise Refused("该课程已没有可预约的课次", code="bookings.closed")
    quotas = {s.pk: _claim(s, _quota_for(s, booker)) for s in sessions}  # in id order
    _count(offering.term, actor)
    group = Booking._meta.get_field("group").default()
    try:
        with transaction.atomic():
            bookings = Booking.objects.bulk_create([
                Booking(session=s, user=actor, person_id=booker.person_id, member_union_id=booker.union_id if booker.member_status == "active" else None,
                        quota=quotas[s.pk], group=group, counted=offering.term_id is not None, topic=topic.strip()[:500] if offering.is_private else "")
                for s in sessions])
    except IntegrityError:
        raise Refused("您已预约该项目，无需重复预约", code="bookings.already") from None
    _audit_booking(actor=actor, action="bookings.booking.created", session=session, booking=bookings[0],
                   data={"sessions": len(bookings), "whole_term": offering.whole_term})
    notify(recipient=actor, template_code="bookings.booked", dedupe_key=f"bookings:booked:{bookings[0].pk}",
           params={"title": offering.title, "when": _local(sessions[0].starts_at), "code": bookings[0].code}, link="/h5/bookings/mine/")
    return bookings


def _own_booking(actor, booking_id) -> Booking:
    rows = Booking.objects.filter(user=actor) if actor.is_authenticated else Booking.objects.none()
    booking = rows.select_related("session__offering__org", "session__offering__term").filter(pk=booking_id).first() if str(booking_id).isdecimal() else None
    if booking is None:
        raise NotFound()
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking_id) -> list[Booking]:
    """取消: the person's booking (a whole-term booking as a whole) before the offering's deadline. Each freed seat goes
    to the first in line on the waitlist, or back on sale."""
    booking = _own_booking(actor, booking_id)
    offering = booking.session.offering
    group = list(Booking.objects.filter(group=booking.group, status=ACTIVE).select_related("session").order_by("session_id"))
    if not group:
        raise ApplicationError("该预约已取消", code="bookings.cancelled")
    now = timezone.now()
    first = min(b.session.starts_at for b in group)
    if first - dt.timedelta(hours=offering.cancel_hours) <= now:
        raise ApplicationError(f"开始前 {offering.cancel_hours} 小时内不能取消，如不能参加请联系主办方", code="bookings.cancel_closed")
    held = [_term_anchor(offering), *_term_sessions(offering, now)] if offering.whole_term else []
    lock_rows(Session, sorted({b.session_id for b in group} | {s.pk for s in held}))  # sessions in id order, as booking takes them
    cancelled = Booking.objects.filter(pk__in=[b.pk for b in group], status=ACTIVE).update(status=BookingStatus.CANCELLED, cancelled_at=now)
    if cancelled != len(group):
        raise ApplicationError("该预约已取消", code="bookings.cancelled")
    for b in group:
        b.status, b.cancelled_at = BookingStatus.CANCELLED, now
        _release(b.session_id, b.quota_id)
        if not offering.whole_term:
            _offer_next(b.session, now=now)
    if offering.whole_term:
        _offer_term(offering, now=now)
    if booking.counted:
        _uncount(offering.term_id, actor.pk)
    _audit_booking(actor=actor, action="bookings.booking.cancelled", session=booking.session, booking=booking, data={"sessions": len(group)})
    return group


@transaction.atomic
def booking_finish(*, actor, booking_id) -> Booking:
    """线上课: the person finished the class (the platform's callback or the worker's own 完成学习)."""
    booking = _own_booking(actor, booking_id)
    if booking.session.offering.kind != Kind.ONLINE or booking.status != ACTIVE:
        raise ApplicationError("只有已报名的线上课可以标记完成", code="bookings.not_online")
    if booking.finished_at is None:
        Booking.objects.filter(pk=booking.pk).update(finished_at=timezone.now())
        audit_log(actor=actor, action="bookings.booking.finished", obj=booking, org_path=booking.session.offering.org.path)
    booking.refresh_from_db()
    return booking


# ---------------------------------------------------------------- waitlist (候补)


WAIT_CONFIRM_HOURS = 4  # daytime hours: an offer made at 21:00 runs until 11:00 the next morning, not through the night


def confirm_deadline(*, session: Session, now: dt.datetime) -> dt.datetime | None:
    """When a held seat must be confirmed: WAIT_CONFIRM_HOURS of daytime (the limit does not run at night), and in any case
    OFFER_MARGIN before the session starts; None when that leaves no real chance (the seat goes back on sale)."""
    due = min(deadline(work_calendar(), now, WAIT_CONFIRM_HOURS, LimitUnit.DAYTIME_HOURS), session.starts_at - OFFER_MARGIN)
    return due if due - now >= MIN_OFFER else None


@transaction.atomic
def waitlist_join(*, actor, session_id=None, session: Session | None = None, topic: str = "") -> WaitlistEntry:
    """候补: only for a full session, with the same eligibility as booking."""
    now = timezone.now()
    session, booker = _read(actor=actor, session=session or bookable_session(session_id=session_id), now=now)
    _refuse_open(session, now)
    _refuse_person(session, booker, now)
    whole_term = session.offering.whole_term
    if whole_term:
        if not _term_sessions(session.offering, now):
            raise Refused("该课程已没有可预约的课次", code="bookings.closed")
        if not _term_sessions(session.offering, now).filter(capacity__isnull=False, taken__gte=F("capacity")).exists():
            raise ApplicationError("该课程还有名额，请直接整期报名", code="bookings.not_full")
        session = _term_anchor(session.offering)
    elif booker.seat_free:
        raise ApplicationError("该场次还有名额，请直接预约", code="bookings.not_full")
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(session=session, user=actor, topic=topic.strip()[:500] if session.offering.is_private else "",
                                                 member_union_id=booker.union_id if booker.member_status == "active" else None,
                                                 quota=None if whole_term else _quota_for(session, booker))
    except IntegrityError:
        raise ApplicationError("您已在候补名单中", code="bookings.already_waiting") from None
    _audit_booking(actor=actor, action="bookings.waitlist.joined", session=session, data={"session": session.pk})
    return entry


def _term_anchor(offering) -> Session:
    """A whole-term course keeps one waitlist, on its first session by id: one line (and one entry a person) for the
    whole term, found the same way by every writer."""
    return offering.sessions.order_by("pk").first()


def _term_sessions(offering, now: dt.datetime, *, held_at: dt.datetime | None = None):
    """The sessions a whole-term booking (or a held whole-term offer, `held_at`) covers: those not yet started."""
    sessions = offering.sessions.filter(starts_at__gt=held_at or now).order_by("pk")
    return sessions.filter(created_at__lte=held_at) if held_at else sessions


def _notify_offer(entry: WaitlistEntry, session: Session, due: dt.datetime) -> None:
    notify(recipient=entry.user, template_code="bookings.waitlist_offer", dedupe_key=f"bookings:offer:{entry.pk}",
           params={"title": session.offering.title, "when": _local(session.starts_at), "confirm_by": _local(due)},
           link=f"/h5/bookings/waitlist/{entry.pk}/")


def _offer_term(offering, *, now: dt.datetime) -> WaitlistEntry | None:
    """Hold a seat in every remaining session of a whole-term course for the first in line, all or none (the caller holds
    those sessions' row locks, taken in id order). The confirmation window ends before the first remaining session."""
    sessions = list(_term_sessions(offering, now))
    if not sessions:
        return None
    due = confirm_deadline(session=min(sessions, key=lambda s: s.starts_at), now=now)
    if due is None:
        return None
    anchor = _term_anchor(offering)
    waiting = WaitlistEntry.objects.filter(session_id=anchor.pk, status=WaitStatus.WAITING).order_by("created_at", "pk")
    for entry in lock_rows(WaitlistEntry, list(waiting.values_list("pk", flat=True)[:20])):
        if entry.status != WaitStatus.WAITING:
            continue
        try:
            with transaction.atomic():
                for s in sessions:  # in id order; a miss undoes the seats already held
                    _claim(s, None)
        except Refused:
            return None  # general seats are not free in every session: a later one in line would miss too
        entry.status, entry.offered_at, entry.confirm_by = WaitStatus.OFFERED, now, due
        entry.save(update_fields=["status", "offered_at", "confirm_by", "updated_at"])
        _notify_offer(entry, min(sessions, key=lambda s: s.starts_at), due)
        return entry
    return None


def _let_go(session: Session, entry: WaitlistEntry, *, now: dt.datetime) -> None:
    """An offer left or expired: its held seats go to the next in line, or back on sale (the caller holds the locks)."""
    if session.offering.whole_term:
        for s in _term_sessions(session.offering, now, held_at=entry.offered_at):
            _release(s.pk, None)
        _offer_term(session.offering, now=now)
    else:
        _release(session.pk, entry.quota_id)
        _offer_next(session, now=now)


def _lock_offer(entry: WaitlistEntry) -> Session:
    """The row locks of an offer's seats, in the one order: the held sessions by id (the anchor too), then the entry."""
    session = lock_row(Session.objects.select_related("offering__org", "offering__term"), entry.session_id, required=True)
    if session.offering.whole_term and entry.offered_at:
        lock_rows(Session, list(_term_sessions(session.offering, entry.offered_at, held_at=entry.offered_at).filter(pk__gt=session.pk)
                                .values_list("pk", flat=True)))
    return session


def _offer_next(session: Session, *, now: dt.datetime) -> WaitlistEntry | None:
    """Hold the seat just freed for the first in line who can take it (the caller holds the session's row lock)."""
    due = confirm_deadline(session=session, now=now)
    if due is None:
        return None
    waiting = WaitlistEntry.objects.filter(session_id=session.pk, status=WaitStatus.WAITING).order_by("created_at", "pk")
    for entry in lock_rows(WaitlistEntry.objects.select_related("quota"), list(waiting.values_list("pk", flat=True)[:20])):
        if entry.status != WaitStatus.WAITING:
            continue
        try:
            with transaction.atomic():
                entry.quota = _claim(session, entry.quota)
        except Refused:
            continue  # the freed seat is one this person's quota cannot use: the next one may
        entry.status, entry.offered_at, entry.confirm_by = WaitStatus.OFFERED, now, due
        entry.save(update_fields=["status", "offered_at", "confirm_by", "quota", "updated_at"])
        _notify_offer(entry, session, due)
        return entry
    return None


@transaction.atomic
def waitlist_confirm(*, actor, entry_id) -> Booking:
    """确认候补: the held seat becomes the person's booking (the term limit counted now)."""
    entry = WaitlistEntry.objects.filter(user=actor, pk=entry_id).select_related("session").first() if actor.is_authenticated and str(entry_id).isdecimal() else None
    if entry is None:
        raise NotFound()
    session = _lock_offer(entry)
    entry = lock_row(WaitlistEntry, entry.pk, required=True)
    if entry.status != WaitStatus.OFFERED or entry.confirm_by <= timezone.now():
        raise ApplicationError("该候补名额已失效或已确认", code="bookings.offer_gone")
    _count(session.offering.term, actor)
    person = person_facts(user=actor).values("pk").first()
    held = list(_term_sessions(session.offering, entry.offered_at, held_at=entry.offered_at)) if session.offering.whole_term else [session]
    group = Booking._meta.get_field("group").default()
    try:
        with transaction.atomic():
            booking, *_ = Booking.objects.bulk_create([
                Booking(session=s, user=actor, person_id=person["pk"] if person else None, member_union_id=entry.member_union_id,
                        quota=entry.quota, topic=entry.topic, group=group, counted=session.offering.term_id is not None) for s in held])
    except IntegrityError:
        raise Refused("您已预约该场次", code="bookings.already") from None
    entry.status = WaitStatus.CONFIRMED
    entry.save(update_fields=["status", "updated_at"])
    _audit_booking(actor=actor, action="bookings.waitlist.confirmed", session=session, booking=booking)
    return booking


@transaction.atomic
def waitlist_leave(*, actor, entry_id) -> WaitlistEntry:
    entry = WaitlistEntry.objects.filter(user=actor, pk=entry_id).first() if actor.is_authenticated and str(entry_id).isdecimal() else None
    if entry is None:
        raise NotFound()
    session = _lock_offer(entry)
    entry = lock_row(WaitlistEntry, entry.pk, required=True)
    if entry.status not in (WaitStatus.WAITING, WaitStatus.OFFERED):
        raise ApplicationError("您已不在候补名单中", code="bookings.not_waiting")
    offered = entry.status == WaitStatus.OFFERED
    entry.status = WaitStatus.LEFT
    entry.save(update_fields=["status", "updated_at"])
    if offered:
        _let_go(session, entry, now=timezone.now())
    _audit_booking(actor=actor, action="bookings.waitlist.left", session=session, data={"session": session.pk})
    return entry


def waitlist_expire(*, now: dt.datetime | None = None) -> int:
    """Offers not confirmed in time pass on to the next in line (or the seat goes back on sale). Idempotent: an offer is
    handled once, under its session's lock; runs every few minutes."""
    now = now or timezone.now()
    due = list(WaitlistEntry.objects.filter(status=WaitStatus.OFFERED, confirm_by__lte=now)[:500])
    passed = 0
    for found in due:
        with transaction.atomic():
            session = _lock_offer(found)
            entry = lock_row(WaitlistEntry, found.pk)
            if entry is None or entry.status != WaitStatus.OFFERED or entry.confirm_by > now:
                continue
            entry.status = WaitStatus.EXPIRED
            entry.save(update_fields=["status", "updated_at"])
            _let_go(session, entry, now=now)
            passed += 1
    if passed:
        audit_log(actor=None, action="bookings.waitlist.expired", data={"count": passed})
    return passed


# ---------------------------------------------------------------- check-in and no-shows


def checkin_token(*, booking: Booking) -> str:
    return signing.dumps({"b": booking.pk}, salt=CHECKIN_SALT, compress=True)


@transaction.atomic
def booking_checkin(*, actor, token: str) -> Booking:
    """签到: a scan of the booking's QR (signed, valid CHECKIN_TOKEN_SECONDS) by someone who checks in on that session:
    the publisher's cadres or the slot's counsellor. A second scan answers that the person is already in."""
    try:
        payload = signing.loads(token.strip(), salt=CHECKIN_SALT, max_age=CHECKIN_TOKEN_SECONDS)
    except signing.SignatureExpired:
        raise ApplicationError("签到码已过期，请让对方刷新后重新出示", code="bookings.token_expired", fields={"token": ["已过期"]}) from None
    except signing.BadSignature:
        raise ApplicationError("无效的签到码", code="bookings.token_forged", fields={"token": ["无效"]}) from None
    booking = Booking.objects.select_related("session__offering__org").filter(pk=payload.get("b")).first()
    if booking is None or not Session.objects.restrict(actor, CHECKIN).filter(pk=booking.session_id).exists():
        raise ApplicationError("该签到码不属于您负责的场次", code="bookings.not_yours", fields={"token": ["不属于您负责的场次"]})
    booking = lock_row(Booking.objects.select_related("session__offering__org"), booking.pk, required=True)
    session, now = booking.session, timezone.now()
    if booking.status != ACTIVE:
        raise ApplicationError("该预约已取消", code="bookings.cancelled")
    if not session.starts_at - CHECKIN_EARLY <= now <= session.ends_at:
        raise ApplicationError(f"不在签到时间内（{_local(session.starts_at - CHECKIN_EARLY)} 至 {_local(session.ends_at)}）", code="bookings.checkin_time")
    if booking.checked_in_at is not None:
        raise ApplicationError(f"已于 {_local(booking.checked_in_at)} 签到", code="bookings.checked_in")
    booking.checked_in_at = now
    booking.save(update_fields=["checked_in_at", "updated_at"])
    _audit_booking(actor=actor, action="bookings.booking.checked_in", session=session, booking=booking)
    return booking


def no_show_rules() -> tuple[int, int, int]:
    """(no-shows, within days, suspended for days): settings BOOKINGS_NO_SHOW_LIMIT, _WINDOW_DAYS, _BAN_DAYS."""
    return settings.BOOKINGS_NO_SHOW_LIMIT, settings.BOOKINGS_NO_SHOW_WINDOW_DAYS, settings.BOOKINGS_NO_SHOW_BAN_DAYS


def no_shows_record(*, now: dt.datetime | None = None) -> dict:
    """After a session ends, active bookings never checked in are 爽约; a person with `limit` of them within `window`
    days cannot book for `ban` days. Each session is handled once (its mark, under its row lock)."""
    now = now or timezone.now()
    limit, window, ban_days = no_show_rules()
    ended = list(Session.objects.filter(ends_at__lte=now, no_shows_recorded_at__isnull=True).exclude(offering__kind=Kind.ONLINE)
                 .order_by("pk").values_list("pk", flat=True)[:500])
    marked, bans = 0, 0
    for session_id in ended:
        with transaction.atomic():
            session = lock_row(Session, session_id)
            if session is None or session.no_shows_recorded_at is not None:
                continue
            missing = Booking.objects.filter(session=session, status=ACTIVE, checked_in_at__isnull=True)
            users = list(missing.values_list("user_id", flat=True))
            marked += missing.update(no_show=True)
            session.no_shows_recorded_at = now
            session.save(update_fields=["no_shows_recorded_at"])
            bans += _suspend(users, now=now, limit=limit, window=window, ban_days=ban_days)
    if marked or bans:
        audit_log(actor=None, action="bookings.no_shows.recorded", data={"count": marked, "bans": bans})
    return {"sessions": len(ended), "no_shows": marked, "bans": bans}


def _suspend(user_ids: list[int], *, now: dt.datetime, limit: int, window: int, ban_days: int) -> int:
    if not user_ids:
        return 0
    since = now - dt.timedelta(days=window)
    counts = (Booking.objects.filter(user_id__in=user_ids, no_show=True, session__ends_at__gte=since)
              .values("user_id").annotate(n=Count("pk")).filter(n__gte=limit))
    banned = set(NoShowBan.objects.filter(user_id__in=user_ids, until__gt=now).values_list("user_id", flat=True))
    made = 0
    for row in counts:
        if row["user_id"] in banned:
            continue
        ban = NoShowBan.objects.create(user_id=row["user_id"], until=now + dt.timedelta(days=ban_days), no_shows=row["n"])
        notify(recipient=ban.user, template_code="bookings.suspended", dedupe_key=f"bookings:ban:{ban.pk}",
               params={"count": row["n"], "days": window, "until": _local(ban.until)}, link="/h5/bookings/mine/")
        made += 1
    return made


# ---------------------------------------------------------------- messages to the people booked


@transaction.atomic
def session_message(*, actor, session_id, text: str) -> int:
    """通知: one message to everyone booked on the session (inbox), sent through notify. Counselling: the text is the
    cadre's; the recipients are not recorded anywhere but in their own inboxes."""
    session = _require(actor, Session, MANAGE, session_id)
    text = text.strip()
    if not text or len(text) > 500:
        raise ApplicationError("请填写通知内容（500 字以内）", code="bookings.message_text", fields={"text": ["500 字以内"]})
    session = Session.objects.select_related("offering__org").get(pk=session.pk)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    users = Booking.objects.filter(session=session, status=ACTIVE).select_related("user")
    sent = 0
    for booking in users:
        notify(recipient=booking.user, template_code="bookings.message", dedupe_key=f"bookings:message:{session.pk}:{digest}:{booking.user_id}",
               params={"title": session.offering.title, "when": _local(session.starts_at), "text": text}, link="/h5/bookings/mine/")
        sent += 1
    audit_log(actor=actor, action="bookings.session.messaged", obj=session, org_path=session.offering.org.path, data={"count": sent})
    return sent


def roster_export_audit(*, actor, session: Session, rows: int) -> None:
    audit_log(actor=actor, action="bookings.roster.exported", obj=session, org_path=session.offering.org.path, data={"count": rows})

