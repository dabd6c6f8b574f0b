"""待办 of bookings on the cadre's desk: today's sessions to check in."""
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
