"""The tickets app's part of the cadre's desk (declared in TicketsConfig): orders waiting on the cadre's orgs, soonest
deadline first (each with its due time and the unit it counts in), and the org's order figures."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gonghui.core.registry import Figure, TodoItem, TodoList
from gonghui.core.templatetags.gonghui import percent
from gonghui.tickets import selectors
from gonghui.tickets.models import OPEN_STATES, VIEW, Satisfaction, State, Ticket
from gonghui.worktime.deadlines import LOCAL, LimitUnit


def _url(name: str, **kwargs) -> str:
    """The tickets pages once they are installed; until then the desk lists the orders without a link."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _queue(actor, queue: str, limit: int) -> TodoList:
    rows = selectors.ticket_list(actor=actor, filters=selectors.TicketFilters(queue=queue))
    listing = _url("tickets:list")
    items = [_item(ticket) for ticket in rows[:limit]]
    return TodoList(count=rows.count(), items=items, url=f"{listing}?queue={queue}" if listing else "")


def _item(ticket: Ticket) -> TodoItem:
    title = f"{ticket.number} {ticket.title}" + ("（紧急）" if ticket.urgency == "urgent" else "")
    url = _url("tickets:detail", ticket_id=ticket.pk)
    if ticket.paused_at is not None:  # waiting on the worker: no time runs, so show how long it has waited
        return TodoItem(title=title, url=url, waiting_since=ticket.paused_at, note=f"{ticket.holder.name} · 待补充材料（暂停计时）")
    return TodoItem(title=title, url=url, due_at=ticket.due_at, limit_unit=ticket.due_unit or "working_days",
                    note=f"{ticket.holder.name} · {ticket.get_due_kind_display()}" if ticket.due_kind else ticket.holder.name)


def to_dispatch(*, actor, limit: int) -> TodoList:
    """Received (or bounced) orders at the actor's dispatching centre."""
    return _queue(actor, "dispatch", limit)


def to_accept(*, actor, limit: int) -> TodoList:
    """Orders dispatched to the actor's own org (or assigned to them), to be signed for."""
    return _queue(actor, "accept", limit)


def to_handle(*, actor, limit: int) -> TodoList:
    """Signed orders being handled at the actor's org, against their 办结 limit."""
    return _queue(actor, "handling", limit)


def to_follow_up(*, actor, limit: int) -> TodoList:
    """Replied orders whose 回访 the actor's centre owes."""
    return _queue(actor, "follow_up", limit)


def reviews_due(*, actor, limit: int) -> TodoList:
    """信访复查/复核 the actor's orgs owe an answer to (30 days each)."""
    rows = selectors.reviews_waiting(actor=actor)
    items = [TodoItem(title=f"{review.ticket.number} {review.ticket.title}", url=_url("tickets:detail", ticket_id=review.ticket_id),
                      due_at=review.due_at, limit_unit=LimitUnit.CALENDAR_DAYS.value,
                      note=f"{review.org.name} · 信访{review.get_stage_display()}") for review in rows[:limit]]
    return TodoList(count=rows.count(), items=items, url="")


def figures(*, actor, org) -> list[Figure]:
    """Open and overdue orders held under the org, and this month's 按期办结率 and 满意率 (未回访 counts as neither)."""
    now = timezone.now()
    month_start = dt.datetime.combine(timezone.localdate().replace(day=1), dt.time.min, tzinfo=LOCAL)
    rows = Ticket.objects.restrict(actor, VIEW).filter(holder__path__startswith=org.path)
    counts = rows.aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, paused_at__isnull=True, due_at__lt=now)),
        closed=Count("pk", filter=Q(state=State.CLOSED, closed_at__gte=month_start)),
        on_time=Count("pk", filter=Q(state=State.CLOSED, closed_at__gte=month_start, breach_count=0)),
        rated=Count("pk", filter=Q(state=State.CLOSED, closed_at__gte=month_start,
                                   satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.DISSATISFIED))),
        satisfied=Count("pk", filter=Q(state=State.CLOSED, closed_at__gte=month_start,
                                       satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASIC))),
    )
    listing = _url("tickets:list")
    return [
        Figure("在办工单", f"{counts['open']:,}", f"其中已超时 {counts['overdue']:,} 件", f"{listing}?org_id={org.pk}" if listing else ""),
        Figure("本月按期办结率", percent(counts["on_time"] / counts["closed"]) if counts["closed"] else "—", f"本月办结 {counts['closed']:,} 件"),
        Figure("本月满意率", percent(counts["satisfied"] / counts["rated"]) if counts["rated"] else "—",
               f"已回访评价 {counts['rated']:,} 件（未回访不计入）"),
    ]
