"""Time limits of an order (decision 0019): which policy applies, when each limit runs out, and which one the order runs
against now. All arithmetic is `worktime`'s; this module only chooses amounts, units and starting moments.

- 受理告知 (`ack`): a 网上信箱 letter within 24 clock hours (GB/T 33358-2016); a 信访 matter, whatever the channel, with a
  written notice within 15 calendar days (信访工作条例 §23). Other channels answer at once with the order's number.
- 签收 (`accept`): from 派单, 1 working day (due at close of business), urgent orders 30 clock minutes around the clock.
- 办结 (`resolve`): from 受理, by category and tier; paused while 待补充材料; one 延期.
- 退单 (`bounce`): only within 2 working days of 派单.
- 回访 (`follow_up`): from 回复.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gonghui.tickets.models import Category, Channel, DueKind, SlaPolicy, State, Ticket, Tier, Urgency
from gonghui.worktime.calendar import WorkCalendar
from gonghui.worktime.deadlines import LimitUnit, RunningLimit, deadline, reminder_moment

WD, CD, CH, CM = LimitUnit.WORKING_DAYS, LimitUnit.CALENDAR_DAYS, LimitUnit.CLOCK_HOURS, LimitUnit.CLOCK_MINUTES
RESOLVE_DAYS = {Tier.GENERAL: 5, Tier.DIFFICULT: 10, Tier.COMPLEX: 15}
CONSULT_GENERAL_DAYS = 3


@dataclass(frozen=True)
class Limits:
    ack: tuple[int, LimitUnit]
    accept: tuple[int, LimitUnit]
    resolve: tuple[int, LimitUnit]
    bounce: tuple[int, LimitUnit]
    extension_max: int  # in the resolve limit's unit
    follow_up: tuple[int, LimitUnit]


def default_limits(category: str, urgency: str, tier: str) -> Limits:
    """The defaults of decision 0019 (the SlaPolicy table starts with these; administrators change the table)."""
    petition = category == Category.PETITION
    if petition:
        resolve = (60, CD)
    elif category == Category.CONSULT and tier == Tier.GENERAL:
        resolve = (CONSULT_GENERAL_DAYS, WD)
    else:
        resolve = (RESOLVE_DAYS[Tier(tier)], WD)
    return Limits(
        ack=(15, CD) if petition else (24, CH),
        accept=(30, CM) if urgency == Urgency.URGENT else (1, WD),
        resolve=resolve,
        bounce=(2, WD),
        extension_max=30 if petition else 10,
        follow_up=(1, WD),
    )


def default_policy_rows() -> list[dict]:
    rows = []
    for category in Category.values:
        for urgency in Urgency.values:
            for tier in Tier.values:
                limits = default_limits(category, urgency, tier)
                rows.append({
                    "category": category, "urgency": urgency, "tier": tier,
                    "ack_amount": limits.ack[0], "ack_unit": limits.ack[1].value,
                    "accept_amount": limits.accept[0], "accept_unit": limits.accept[1].value,
                    "resolve_amount": limits.resolve[0], "resolve_unit": limits.resolve[1].value,
                    "bounce_amount": limits.bounce[0], "bounce_unit": limits.bounce[1].value,
                    "extension_max": limits.extension_max,
                    "follow_up_amount": limits.follow_up[0], "follow_up_unit": limits.follow_up[1].value,
                })
    return rows


def limits_for(category: str, urgency: str, tier: str) -> Limits:
    """The administrators' policy for this kind of order, or the default when its row was never created."""
    policy = SlaPolicy.objects.filter(category=category, urgency=urgency, tier=tier).first()
    if policy is None:
        return default_limits(category, urgency, tier)
    return Limits(ack=(policy.ack_amount, LimitUnit(policy.ack_unit)), accept=(policy.accept_amount, LimitUnit(policy.accept_unit)),
                  resolve=(policy.resolve_amount, LimitUnit(policy.resolve_unit)),
                  bounce=(policy.bounce_amount, LimitUnit(policy.bounce_unit)), extension_max=policy.extension_max,
                  follow_up=(policy.follow_up_amount, LimitUnit(policy.follow_up_unit)))


def ticket_limits(ticket: Ticket) -> Limits:
    return limits_for(ticket.category, ticket.urgency, ticket.tier)


def needs_acknowledgement(ticket: Ticket) -> bool:
    return ticket.channel == Channel.LETTER or ticket.category == Category.PETITION


def start_limits(ticket: Ticket, calendar: WorkCalendar, *, at: dt.datetime) -> None:
    """At 受理: the 办结 limit starts, and the 受理告知 one for letters and 信访."""
    limits = ticket_limits(ticket)
    amount, unit = limits.resolve
    ticket.set_resolve_limit(RunningLimit.start(calendar, at=at, amount=amount, unit=unit))
    if needs_acknowledgement(ticket):
        ticket.ack_due_at = deadline(calendar, at, *limits.ack)
    else:
        ticket.acknowledged_at = at


def start_dispatch_limits(ticket: Ticket, calendar: WorkCalendar, *, at: dt.datetime) -> None:
    """At 派单 or 转办: 签收 and the 退单 window run from now."""
    limits = ticket_limits(ticket)
    ticket.accept_due_at = deadline(calendar, at, *limits.accept)
    ticket.bounce_until = deadline(calendar, at, *limits.bounce)


def start_follow_up_limit(ticket: Ticket, calendar: WorkCalendar, *, at: dt.datetime) -> None:
    ticket.follow_up_due_at = deadline(calendar, at, *ticket_limits(ticket).follow_up)


@dataclass(frozen=True)
class Current:
    kind: str
    due_at: dt.datetime
    unit: LimitUnit
    started_at: dt.datetime


def current_deadline(ticket: Ticket) -> Current | None:
    """The earliest limit the order's state runs against (None once it is finished)."""
    limits = ticket_limits(ticket)
    resolve = Current(DueKind.RESOLVE, ticket.resolve_due_at, LimitUnit(ticket.resolve_unit), ticket.resolve_started_at)
    candidates: list[Current] = []
    if ticket.state == State.RECEIVED:
        if ticket.acknowledged_at is None and ticket.ack_due_at is not None:
            candidates.append(Current(DueKind.ACKNOWLEDGE, ticket.ack_due_at, limits.ack[1], ticket.created_at or ticket.resolve_started_at))
        candidates.append(resolve)
    elif ticket.state == State.ASSIGNED:
        if ticket.accept_due_at is not None:
            candidates.append(Current(DueKind.ACCEPT, ticket.accept_due_at, limits.accept[1], ticket.dispatched_at))
        candidates.append(resolve)
    elif ticket.state in (State.ACCEPTED, State.IN_PROGRESS, State.WAITING_MATERIAL):
        candidates.append(resolve)
    elif ticket.state == State.REPLIED and ticket.follow_up_due_at is not None:
        candidates.append(Current(DueKind.FOLLOW_UP, ticket.follow_up_due_at, limits.follow_up[1], ticket.replied_at))
    return min(candidates, key=lambda c: c.due_at) if candidates else None


def refresh_due(ticket: Ticket, calendar: WorkCalendar) -> None:
    """Point the order at its current deadline. A new deadline (another step, or a moved due time) gets its own reminder
    and breach mark; the same deadline keeps them, so a 转办 after a breach is not a second breach."""
    current = current_deadline(ticket)
    if current is None:
        ticket.due_at, ticket.due_kind, ticket.due_unit, ticket.warn_at = None, "", "", None
        ticket.warned_at = ticket.breached_at = None  # the count of breaches stays in breach_count
        return
    if (ticket.due_kind, ticket.due_at) != (current.kind, current.due_at):
        ticket.warned_at = ticket.breached_at = None
    ticket.due_at, ticket.due_kind, ticket.due_unit = current.due_at, current.kind, current.unit.value
    ticket.warn_at = reminder_moment(calendar, current.started_at, current.due_at, current.unit)
