"""The analytics app's part of the cadre's desk: open 群体性 alerts routed to the cadre's orgs, soonest step deadline
first (研判 within hours for a red one, 处置 within days)."""
from __future__ import annotations

from django.urls import reverse

from gonghui.analytics import selectors
from gonghui.core.registry import TodoItem, TodoList
from gonghui.worktime.deadlines import LimitUnit


def open_alerts(*, actor, limit: int) -> TodoList:
    rows = selectors.open_alerts(actor=actor)
    items = [TodoItem(title=f"{alert.get_level_display()}预警 · {alert.subject}", url=reverse("analytics:alert", kwargs={"alert_id": alert.pk}),
                      due_at=alert.due_at, limit_unit=LimitUnit.WORKING_HOURS if alert.level == "red" and alert.state == "judging" else LimitUnit.WORKING_DAYS,
                      note=alert.get_state_display()) for alert in rows[:limit]]
    return TodoList(count=rows.count(), items=items, url=reverse("analytics:alerts"))
