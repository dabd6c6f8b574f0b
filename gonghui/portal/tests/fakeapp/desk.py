import datetime as dt

from django.utils import timezone

from gonghui.core.registry import Figure, TodoItem, TodoList


def waiting(*, actor, limit: int) -> TodoList:
    """One case two hours overdue on a clock-hour limit, one due in three days (half a minute's slack: the desk reads
    the clock a moment later and shows whole minutes)."""
    now, slack = timezone.now(), dt.timedelta(seconds=30)
    items = [TodoItem("演示诉求：工资拖欠", "/workbench/fake/1/", due_at=now - dt.timedelta(hours=2) - slack, limit_unit="clock_hours"),
             TodoItem("演示诉求：加班费", "/workbench/fake/2/", due_at=now + dt.timedelta(days=3) + slack, limit_unit="clock_hours")]
    return TodoList(count=2, items=items[:limit], url="/workbench/fake/")


def figures(*, actor, org) -> list[Figure]:
    return [Figure("本月演示诉求", "7", f"{org.name}受理")]


def demo(*, options) -> str:
    return "演示诉求已载入"
