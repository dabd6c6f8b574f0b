"""Deadlines in four units (DESIGN.md rule 7), computed on a WorkCalendar.

- clock minutes / hours: around the clock (urgent cases);
- working hours: only inside business hours of working days;
- working days: counted from the day after the start, due at close of business of the last one;
- calendar days (法定 limits): due at the end of the last day; if that day is not a working day
  (a holiday or weekend), the limit ends with the next working day (民法典 §203);
- daytime hours: clock hours that run only in the waking day (08:00–22:00), every day of the week, holidays too: a worker
  asked to confirm something (a waitlist seat) is not woken by a limit that runs out at night.

All inputs and outputs are aware datetimes; days and hours are reckoned in Asia/Shanghai.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum
from zoneinfo import ZoneInfo

from gonghui.worktime.calendar import WorkCalendar

LOCAL = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)


class LimitUnit(StrEnum):
    CLOCK_MINUTES = "clock_minutes"
    CLOCK_HOURS = "clock_hours"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    DAYTIME_HOURS = "daytime_hours"

    @property
    def label(self) -> str:
        return UNIT_LABELS[self]

    @property
    def counts_working_time(self) -> bool:
        return self in (LimitUnit.WORKING_HOURS, LimitUnit.WORKING_DAYS)


UNIT_LABELS = {
    LimitUnit.CLOCK_MINUTES: "分钟（自然时间）", LimitUnit.CLOCK_HOURS: "小时（自然时间）",
    LimitUnit.WORKING_HOURS: "工作小时", LimitUnit.WORKING_DAYS: "工作日", LimitUnit.CALENDAR_DAYS: "日（自然日，法定期限）",
    LimitUnit.DAYTIME_HOURS: "小时（白天计时，夜间不计）",
}
DAYTIME = (dt.time(8, 0), dt.time(22, 0))  # the waking day in which daytime hours run


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("deadline arithmetic needs aware datetimes")
    return moment.astimezone(LOCAL)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=LOCAL)


def _periods_on(calendar: WorkCalendar, day: dt.date):
    if calendar.is_workday(day):
        for start, end in calendar.periods:
            yield _at(day, start), _at(day, end)


def add_working_time(calendar: WorkCalendar, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    """The moment `amount` of business time after `start` (a period's end counts as inside it).

    No time added is no move: a limit due at 18:00 that was paused over a night (no business time passed) stays due at
    18:00, rather than jumping to the next period's opening."""
    if amount == dt.timedelta():
        return start
    moment, remaining = _local(start), amount
    day = moment.date()
    while True:
        for period_start, period_end in _periods_on(calendar, day):
            if moment >= period_end:
                continue
            moment = max(moment, period_start)
            available = period_end - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
            moment = period_end
        day += dt.timedelta(days=1)
        moment = _at(day, dt.time.min)


def working_time_between(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Business time elapsed from `start` to `end` (negative when end is before start)."""
    if end < start:
        return -working_time_between(calendar, end, start)
    start, end = _local(start), _local(end)
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        for period_start, period_end in _periods_on(calendar, day):
            overlap = min(period_end, end) - max(period_start, start)
            if overlap > dt.timedelta():
                total += overlap
        day += dt.timedelta(days=1)
    return total


def add_daytime(start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    """The moment `amount` of daytime (08:00–22:00, any day) after `start`; a start at night counts from 08:00."""
    moment, remaining = _local(start), amount
    while True:
        opens, closes = _at(moment.date(), DAYTIME[0]), _at(moment.date(), DAYTIME[1])
        moment = max(moment, opens)
        if moment < closes:
            if remaining <= closes - moment:
                return moment + remaining
            remaining -= closes - moment
        moment = _at(moment.date() + dt.timedelta(days=1), dt.time.min)


def next_workday(calendar: WorkCalendar, day: dt.date) -> dt.date:
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def working_days_between(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime) -> int:
    """Working days after start's day up to and including end's day (negative when end is earlier): "还剩 N 个工作日"."""
    if end < start:
        return -working_days_between(calendar, end, start)
    first, last = _local(start).date(), _local(end).date()
    return sum(calendar.is_workday(first + dt.timedelta(days=offset)) for offset in range(1, (last - first).days + 1))


def add_working_days(calendar: WorkCalendar, start: dt.datetime, days: int) -> dt.datetime:
    day, counted = _local(start).date(), 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += calendar.is_workday(day)
    return _at(day, calendar.periods[-1][1])


def add_calendar_days(calendar: WorkCalendar, start: dt.datetime, days: int) -> dt.datetime:
    last_day = _local(start).date() + dt.timedelta(days=days)
    return _at(next_workday(calendar, last_day), END_OF_DAY)


def deadline(calendar: WorkCalendar, start: dt.datetime, amount: int, unit: LimitUnit) -> dt.datetime:
    if amount <= 0:
        raise ValueError("a time limit must be positive")
    if unit == LimitUnit.CLOCK_MINUTES:
        return start + dt.timedelta(minutes=amount)
    if unit == LimitUnit.CLOCK_HOURS:
        return start + dt.timedelta(hours=amount)
    if unit == LimitUnit.WORKING_HOURS:
        return add_working_time(calendar, start, dt.timedelta(hours=amount))
    if unit == LimitUnit.WORKING_DAYS:
        return add_working_days(calendar, start, amount)
    if unit == LimitUnit.DAYTIME_HOURS:
        return add_daytime(start, dt.timedelta(hours=amount))
    return add_calendar_days(calendar, start, amount)


def remaining(calendar: WorkCalendar, due: dt.datetime, now: dt.datetime, unit: LimitUnit) -> dt.timedelta:
    """Time left (negative when overdue), in the limit's own kind of time."""
    if unit.counts_working_time:
        return working_time_between(calendar, now, due)
    return due - now


REMINDER_SHARE = 5  # a reminder comes when a fifth of the limit is left …
REMINDER_CALENDAR_DAYS = 3  # … but no earlier than three days before a calendar-day limit ends


def reminder_moment(calendar: WorkCalendar, start: dt.datetime, due: dt.datetime, unit: LimitUnit) -> dt.datetime:
    """When to send the one 临期提醒 for a limit running from `start` to `due`, in the limit's own kind of time:

    - working days: when the last working day opens (a 1-working-day limit started that morning: half-way instead);
    - working hours: when a fifth of the business time is left;
    - clock time: when a fifth of the time is left (6 minutes before a 30-minute limit);
    - calendar days: three days before the end, or a fifth of the time when the limit is shorter than 15 days."""
    if due <= start:
        return due
    if unit == LimitUnit.WORKING_DAYS:
        opening = _at(_local(due).date(), calendar.periods[0][0])
        if opening > start:
            return opening
        return add_working_time(calendar, start, working_time_between(calendar, start, due) / 2)
    if unit == LimitUnit.WORKING_HOURS:
        span = working_time_between(calendar, start, due)
        return add_working_time(calendar, start, span - span / REMINDER_SHARE)
    if unit == LimitUnit.CALENDAR_DAYS:
        return due - min(dt.timedelta(days=REMINDER_CALENDAR_DAYS), (due - start) / REMINDER_SHARE)
    return due - (due - start) / REMINDER_SHARE


@dataclass(frozen=True)
class RunningLimit:
    """A limit that can be paused while the case waits on the worker, and resumed; pauses do not count."""

    unit: LimitUnit
    amount: int
    started_at: dt.datetime
    due_at: dt.datetime
    paused_at: dt.datetime | None = None
    paused_days: int = 0  # calendar-day limits: whole days spent paused so far

    @classmethod
    def start(cls, calendar: WorkCalendar, *, at: dt.datetime, amount: int, unit: LimitUnit) -> RunningLimit:
        return cls(unit=unit, amount=amount, started_at=at, due_at=deadline(calendar, at, amount, unit))

    def pause(self, *, at: dt.datetime) -> RunningLimit:
        if self.paused_at is not None:
            raise ValueError("already paused")
        return replace(self, paused_at=at)

    def resume(self, calendar: WorkCalendar, *, at: dt.datetime) -> RunningLimit:
        if self.paused_at is None:
            raise ValueError("not paused")
        if self.unit.counts_working_time:
            due = add_working_time(calendar, self.due_at, working_time_between(calendar, self.paused_at, at))
        elif self.unit == LimitUnit.CALENDAR_DAYS:  # count from the real last day, not one already moved past a holiday
            paused_days = self.paused_days + (_local(at).date() - _local(self.paused_at).date()).days
            return replace(self, due_at=add_calendar_days(calendar, self.started_at, self.amount + paused_days),
                           paused_at=None, paused_days=paused_days)
        else:
            due = self.due_at + (at - self.paused_at)
        return replace(self, due_at=due, paused_at=None)

    def extend(self, calendar: WorkCalendar, *, amount: int, unit: LimitUnit | None = None) -> RunningLimit:
        """An approved extension (延期): the due time moves by `amount` in `unit` (the limit's own unit by default),
        counted from the current due time. In the limit's own unit the amount grows too, so a calendar-day limit resumed
        later still counts from its real last day."""
        unit = unit or self.unit
        if unit != self.unit:
            return replace(self, due_at=deadline(calendar, self.due_at, amount, unit))
        if unit == LimitUnit.CALENDAR_DAYS:
            total = self.amount + amount
            return replace(self, amount=total, due_at=add_calendar_days(calendar, self.started_at, total + self.paused_days))
        return replace(self, amount=self.amount + amount, due_at=deadline(calendar, self.due_at, amount, unit))

    def reminder_at(self, calendar: WorkCalendar) -> dt.datetime:
        return reminder_moment(calendar, self.started_at, self.due_at, self.unit)

    def remaining(self, calendar: WorkCalendar, *, now: dt.datetime) -> dt.timedelta:
        """While paused, the clock stands still at the moment of pausing."""
        return remaining(calendar, self.due_at, self.paused_at or now, self.unit)
