"""待办 of bookings on the cadre's desk: today's sessions to check in, and lotteries waiting for the 双色球 numbers to be
entered or confirmed by a second cadre."""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from gonghui.bookings import selectors
from gonghui.core.registry import TodoItem, TodoList


def today(*, actor, limit: int) -> TodoList:
    sessions = selectors.sessions_today(actor=actor)
    items = [TodoItem(f"{s.offering.title} {timezone.localtime(s.starts_at):%H:%M} 已预约 {s.taken} 人", reverse("bookings:roster", args=[s.pk]), due_at=s.starts_at,
                      limit_unit="clock_hours")
             for s in sessions[:limit]]
    return TodoList(count=sessions.count(), items=items, url=reverse("bookings:list"))


def _lottery_todo(lotteries, *, limit: int, stage: str) -> TodoList:
    items = [TodoItem(f"{lot.session.offering.title} · 双色球第{lot.draw_issue}期", reverse("bookings:lottery", args=[lot.pk]),
                      due_at=lot.session.starts_at, limit_unit="clock_hours") for lot in lotteries[:limit]]
    return TodoList(count=lotteries.count(), items=items, url=f"{reverse('bookings:lotteries')}?stage={stage}")


def lottery_numbers_to_enter(*, actor, limit: int) -> TodoList:
    to_enter, _ = selectors.lotteries_awaiting_numbers(actor=actor)
    return _lottery_todo(to_enter, limit=limit, stage=selectors.LotteryStage.TO_ENTER)


def lottery_numbers_to_confirm(*, actor, limit: int) -> TodoList:
    _, to_confirm = selectors.lotteries_awaiting_numbers(actor=actor)
    return _lottery_todo(to_confirm, limit=limit, stage=selectors.LotteryStage.TO_CONFIRM)
