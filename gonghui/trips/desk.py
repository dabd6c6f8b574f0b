"""待办 of 疗休养 on the cadre's desk: workers' requests for a place, waiting for their union."""
from __future__ import annotations

from django.urls import reverse

from gonghui.core.registry import TodoItem, TodoList
from gonghui.trips import selectors


def pending(*, actor, limit: int) -> TodoList:
    places = selectors.pending_requests(actor=actor)
    items = [TodoItem(f"疗休养申请 {p.member_number} · {p.departure.route.title} {p.departure.starts_on:%m-%d}", reverse("trips:requests"),
                      waiting_since=p.created_at) for p in places[:limit]]
    return TodoList(count=places.count(), items=items, url=reverse("trips:requests"))
