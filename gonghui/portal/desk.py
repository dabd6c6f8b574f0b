"""The cadre's desk (工作台首页): the 待办 the apps' providers find in the cadre's scope, most urgent first, and the figures
of the org they act for. What to gather comes from the apps' declarations; how urgent an item is, from its time limit."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gonghui.accounts.selectors import actions_for
from gonghui.core import registry
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import LimitUnit, remaining, working_days_between

PER_PROVIDER = 10  # each provider's most urgent items; the desk shows the most urgent of all of them
SHOWN = 15
DAY_UNITS = (LimitUnit.WORKING_DAYS, LimitUnit.CALENDAR_DAYS)


@dataclass(frozen=True)
class DeskItem:
    kind: str
    item: registry.TodoItem
    overdue: bool = False
    days_left: int | None = None  # day limits: working days to the deadline (negative once past), as the queues show
    left: dt.timedelta | None = None  # hour and minute limits: time left in the limit's own kind of time
    waited: dt.timedelta | None = None  # no limit: how long since it began waiting

    def urgency(self) -> tuple:
        """Items with a deadline first, soonest (so the overdue) first; then those without one, longest waiting first."""
        if self.item.due_at is not None:
            return (0, self.item.due_at)
        return (1, self.item.waiting_since or dt.datetime.max.replace(tzinfo=dt.UTC))


@dataclass(frozen=True)
class DeskGroup:
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class Desk:
    items: list[DeskItem]
    groups: list[DeskGroup]
    total: int
    figures: list[registry.Figure]


def _timed(kind: str, item: registry.TodoItem, *, calendar, now: dt.datetime) -> DeskItem:
    if item.due_at is None:
        return DeskItem(kind, item, waited=now - item.waiting_since if item.waiting_since else None)
    unit = LimitUnit(item.limit_unit)
    overdue = item.due_at < now
    if unit in DAY_UNITS:
        return DeskItem(kind, item, overdue, days_left=working_days_between(calendar, now, item.due_at))
    return DeskItem(kind, item, overdue, left=remaining(calendar, item.due_at, now, unit))


def desk_for(*, actor, org, now: dt.datetime | None = None) -> Desk:
    """`org`: the org the cadre acts for (the org switcher), whose figures are shown; None for nobody's."""
    now, actions = now or timezone.now(), actions_for(user=actor)
    calendar = work_calendar()
    items, groups = [], []
    for provider, collect in registry.todo_provider_list(actions=actions):
        found = collect(actor=actor, limit=PER_PROVIDER)
        if found.count:
            groups.append(DeskGroup(provider.label, found.count, found.url))
            items += [_timed(provider.label, item, calendar=calendar, now=now) for item in found.items]
    items.sort(key=DeskItem.urgency)
    figures = [figure for collect in registry.figure_provider_list(actions=actions) for figure in collect(actor=actor, org=org)] if org else []
    return Desk(items=items[:SHOWN], groups=groups, total=sum(group.count for group in groups), figures=figures)
