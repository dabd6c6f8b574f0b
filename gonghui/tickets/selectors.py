"""Reads of orders, always in the actor's scope (`Ticket.objects.restrict`): lists and queues, one order, its timeline,
its caller as the actor may see them, what the actor may do with it, a worker's own orders and the 查询码 page."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from gonghui.core.access import covers, reach
from gonghui.core.masking import mask_name, mask_phone
from gonghui.core.validators import InvalidIdentifier
from gonghui.tickets import services
from gonghui.tickets.facts import FACTS, fact_q
from gonghui.tickets.models import (
    DISPATCH,
    FOLLOW_UP,
    HANDLE,
    HANDLING_STATES,
    OPEN_STATES,
    SUPERVISE,
    VIEW,
    Attachment,
    Category,
    Extension,
    ExtensionStatus,
    State,
    Ticket,
    TicketEvent,
    TicketParty,
    Review,
    normalize_caller_phone,
)
from gonghui.worktime.calendar import WorkCalendar
from gonghui.worktime.deadlines import LOCAL, LimitUnit, remaining

QUEUES = {
    "dispatch": "待派单", "accept": "待签收", "handling": "办理中", "follow_up": "待回访", "overdue": "已超时", "supervised": "督办",
    "extension": "延期待审批", "closed": "已办结",
}


@dataclass(frozen=True)
class TicketFilters:
    queue: str = ""  # one of QUEUES
    state: str = ""
    category: str = ""
    urgency: str = ""
    tier: str = ""
    channel: str = ""
    org_id: int | None = None  # the holder lies under this org
    org_only: bool = False  # …or is that org itself (a figure's 本级 row)
    employer: str = ""  # name (contains) or USCC
    overdue: bool = False
    q: str = ""  # a number, a caller's phone, an employer's name
    # what a figure of the analytics pages counts (tickets.facts): the orders received (受理) in [received_from,
    # received_to] (local dates), of one ledger employer (employer_id, 0: none), having one fact
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    employer_id: int | None = None
    fact: str = ""


def _queue(rows: QuerySet, actor, queue: str, now: dt.datetime) -> QuerySet:
    """The desk's queues: what waits on the actor's orgs (the holder for handling, the centre for 派单 and 回访)."""
    if queue == "dispatch":
        return rows.filter(state=State.RECEIVED, pk__in=Ticket.objects.restrict(actor, DISPATCH).values("pk"))
    if queue == "accept":
        return rows.filter(state=State.ASSIGNED, pk__in=handled_by(actor).values("pk"))
    if queue == "handling":
        return rows.filter(state__in=(*HANDLING_STATES, State.WAITING_MATERIAL), pk__in=handled_by(actor).values("pk"))
    if queue == "follow_up":  # 回访 is the centre's, not the holder's (nor the orgs above the holder)
        return rows.filter(_centre_reached(actor, FOLLOW_UP), state=State.REPLIED)
    if queue == "overdue":
        return rows.filter(state__in=OPEN_STATES, paused_at__isnull=True, due_at__lt=now)
    if queue == "supervised":
        return rows.filter(state__in=OPEN_STATES, supervised_at__isnull=False)
    if queue == "extension":
        pending = Extension.objects.restrict(actor, SUPERVISE).filter(status=ExtensionStatus.PENDING).values("ticket_id")
        return rows.filter(pk__in=pending)
    if queue == "closed":
        return rows.exclude(state__in=OPEN_STATES)
    return rows


def _centre_reached(actor, action: str) -> Q:
    paths = reach(actor, action)
    if paths is None:
        return Q()
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(centre__path__startswith=path)
    return condition


def handled_by(actor) -> QuerySet[Ticket]:
    """Orders whose current holder is an org where the actor handles orders (a post with tickets.handle there itself),
    or that are assigned to them."""
    if actor.is_superuser:
        return Ticket.objects.all()
    from gonghui.core.access import active_posts

    orgs = [post.org_id for post in active_posts(actor) if HANDLE in post.role.permissions]
    return Ticket.objects.restrict(actor, VIEW).filter(Q(holder_id__in=orgs) | Q(assignee=actor))


def ticket_list(*, actor, filters: TicketFilters = TicketFilters(), now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """Orders the actor reads, filtered; open ones by time left (soonest due first, overdue on top), then the rest newest
    first."""
    now = now or timezone.now()
    rows = Ticket.objects.restrict(actor, VIEW).select_related("holder", "centre", "employer")
    rows = _queue(rows, actor, filters.queue, now)
    for name in ("state", "category", "urgency", "tier", "channel"):
        if getattr(filters, name):
            rows = rows.filter(**{name: getattr(filters, name)})
    if filters.org_id is not None:
        from gonghui.orgs.models import Org

        org = Org.objects.filter(pk=filters.org_id).first()
        if org is None:
            rows = rows.none()
        else:
            rows = rows.filter(holder=org) if filters.org_only else rows.filter(holder__path__startswith=org.path)
    if filters.employer.strip():
        text = filters.employer.strip()
        rows = rows.filter(Q(employer_name__icontains=text) | Q(employer_uscc=text.upper()))
    rows = _figure_filters(rows, filters)
    if filters.overdue:
        rows = rows.filter(state__in=OPEN_STATES, paused_at__isnull=True, due_at__lt=now)
    if filters.q.strip():
        rows = rows.filter(_search(filters.q.strip()))
    open_first = Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField())
    return rows.order_by(open_first, F("due_at").asc(nulls_last=True), "-id")


def _figure_filters(rows: QuerySet, filters: TicketFilters) -> QuerySet:
    if filters.received_from is not None:
        rows = rows.filter(created_at__gte=dt.datetime.combine(filters.received_from, dt.time.min, tzinfo=LOCAL))
    if filters.received_to is not None:
        rows = rows.filter(created_at__lt=dt.datetime.combine(filters.received_to + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL))
    if filters.employer_id is not None:
        rows = rows.filter(employer_id=filters.employer_id or None)
    if filters.fact in FACTS:
        rows = rows.filter(fact_q(filters.fact))
    return rows


def _search(text: str) -> Q:
    """A number (GH-…, or its tail), a caller's phone (exact, through the blind index) or an employer's name."""
    condition = Q(number=text.upper()) | Q(employer_name__icontains=text)
    if text.isdigit() and len(text) <= 6:
        condition |= Q(number__endswith=f"-{int(text):06d}")
    try:
        digest = Ticket._meta.get_field("caller_phone_index").index_for(normalize_caller_phone(text))
        condition |= Q(caller_phone_index=digest)
    except InvalidIdentifier:
        pass
    return condition


def ticket_get_for(*, actor, ticket_id) -> Ticket:
    return Ticket.objects.select_related("holder", "centre", "employer", "district", "assignee", "duplicate_of").restrict_get(
        actor, VIEW, ticket_id)


def ticket_timeline(*, actor, ticket: Ticket) -> list[TicketEvent]:
    """Every step for the orgs; for the worker, only the steps shown to them, without internal names."""
    events = TicketEvent.objects.restrict(actor, VIEW).filter(ticket=ticket).select_related("org")
    if services.is_owner(actor, ticket) and not services.is_dispatcher(actor, ticket):
        events = events.filter(visible_to_worker=True)
    return list(events.order_by("at", "id"))


def ticket_attachments(*, actor, ticket: Ticket) -> list[Attachment]:
    rows = Attachment.objects.restrict(actor, VIEW).filter(ticket=ticket)
    if services.is_owner(actor, ticket):
        rows = rows.filter(visible_to_worker=True)
    return list(rows.order_by("id"))


def pending_review(ticket: Ticket) -> Review | None:
    """The 复查/复核 awaiting its answer (at most one at a time)."""
    return ticket.reviews.filter(decided_at__isnull=True).select_related("org").first()


def ticket_reviews(*, actor, ticket: Ticket) -> list[Review]:
    return list(Review.objects.restrict(actor, VIEW).filter(ticket=ticket).select_related("org").order_by("id"))


def reviews_waiting(*, actor) -> QuerySet[Review]:
    """复查/复核 the actor's orgs owe an answer to, soonest due first."""
    return (Review.objects.restrict(actor, SUPERVISE).filter(decided_at__isnull=True).select_related("ticket", "org")
            .order_by("due_at", "id"))


def ticket_parties(*, actor, ticket: Ticket) -> list[TicketParty]:
    """被反映对象, for the orgs only: the worker never sees whom the centre recorded."""
    if services.is_owner(actor, ticket):
        return []
    return list(TicketParty.objects.restrict(actor, VIEW).filter(ticket=ticket).select_related("org", "employer", "person"))


@dataclass(frozen=True)
class Caller:
    name: str
    phone: str
    callback_phone: str
    hidden: bool  # 对承办单位匿名: the handlers see neither


def ticket_caller(*, actor, ticket: Ticket) -> Caller:
    """The caller as the actor may see them: masked for everyone (full values need the audited PII reveal), hidden from
    the handlers when the worker asked to stay anonymous; the dispatching centre always sees the masked values."""
    if ticket.anonymous and not services.is_dispatcher(actor, ticket) and not services.is_owner(actor, ticket) and not actor.is_superuser:
        return Caller(name="（匿名）", phone="", callback_phone="", hidden=True)
    return Caller(name=mask_name(ticket.caller_name), phone=mask_phone(ticket.caller_phone),
                  callback_phone=mask_phone(ticket.callback_phone), hidden=False)


def ticket_capabilities(*, actor, ticket: Ticket, now: dt.datetime | None = None) -> set[str]:
    """What the actor may do with this order now (the pages show these buttons; the services decide again)."""
    now = now or timezone.now()
    can: set[str] = set()
    state = ticket.state
    owner, handler, dispatcher = services.is_owner(actor, ticket), services.is_handler(actor, ticket), services.is_dispatcher(actor, ticket)
    above = services.supervising_org(actor, SUPERVISE, ticket.holder) is not None
    if dispatcher and state == State.RECEIVED:
        can |= {"dispatch", "close"} | ({"acknowledge"} if ticket.acknowledged_at is None else set())
    if handler:
        if state == State.ASSIGNED:
            can |= {"accept"}
        if state in (State.ASSIGNED, State.ACCEPTED) and ticket.bounce_until and now <= ticket.bounce_until:
            can |= {"bounce"}
        if state in HANDLING_STATES:
            can |= {"note", "request_material", "reply", "attach"}
        if state in (*HANDLING_STATES, State.WAITING_MATERIAL) and not ticket.extended:
            can |= {"extension_request"}
        if state in (State.ASSIGNED, *HANDLING_STATES):
            can |= {"transfer"}
    if dispatcher and state in (State.ASSIGNED, *HANDLING_STATES):
        can |= {"transfer"}
    if state == State.WAITING_MATERIAL and (owner or handler or dispatcher):
        can |= {"material_add"}
    if state == State.REPLIED and (owner or services.is_follow_up_agent(actor, ticket)):
        can |= {"follow_up"}
    if above and state in OPEN_STATES:
        can |= {"supervise"}
    if owner and state in OPEN_STATES:
        can |= {"withdraw", "attach"}
    if state in OPEN_STATES and (handler or dispatcher or above):
        can |= {"message"}
    if state in OPEN_STATES and (handler or dispatcher):
        can |= {"party_add"}
    return can | _review_capabilities(actor, ticket, now=now, owner=owner, dispatcher=dispatcher)


def _review_capabilities(actor, ticket: Ticket, *, now: dt.datetime, owner: bool, dispatcher: bool) -> set[str]:
    can: set[str] = set()
    if ticket.category != Category.PETITION or ticket.state != State.CLOSED:
        return can
    step = services.review_next(ticket)
    if step is not None and (owner or dispatcher) and now <= services.review_window_end(step[1]):
        can.add("review_request")
    pending = pending_review(ticket)
    if pending is not None and covers(reach(actor, SUPERVISE), pending.org.path):
        can.add("review_decide")
    return can


def my_tickets(*, actor) -> QuerySet[Ticket]:
    """我的诉求: the worker's own orders, newest first."""
    return Ticket.objects.restrict(actor, VIEW).filter(filed_by=actor).order_by("-id")


@dataclass(frozen=True)
class PublicView:
    """What the 查询码 page shows: the state and the replies, nothing about who handles it."""

    number: str
    state_label: str
    filed_at: dt.datetime
    merged_into: str
    steps: list[tuple[dt.datetime, str, str]]  # (when, step, text) of the steps shown to the worker
    material_wanted: bool = False  # the handler asked for more: the page offers the form


def ticket_public_lookup(*, number: str, query_code: str) -> PublicView:
    """The order with this number, if the 查询码 matches (else the same NotFound as for a missing number). A duplicate
    shows the order it was merged into."""
    ticket = services.query_code_ticket(number=number, query_code=query_code)
    shown = ticket.duplicate_of or ticket
    steps = [(event.at, event.get_kind_display(), event.note) for event in shown.events.filter(visible_to_worker=True).order_by("at", "id")]
    return PublicView(number=ticket.number, state_label=shown.get_state_display(), filed_at=ticket.created_at,
                      merged_into=ticket.duplicate_of.number if ticket.duplicate_of_id else "", steps=steps,
                      material_wanted=ticket.state == State.WAITING_MATERIAL)


def time_left(ticket: Ticket, *, calendar: WorkCalendar, now: dt.datetime) -> dt.timedelta | None:
    """Time left on the order's current deadline in its own kind of time (negative when overdue; frozen while paused)."""
    if ticket.due_at is None:
        return None
    return remaining(calendar, ticket.due_at, ticket.paused_at or now, LimitUnit(ticket.due_unit))
