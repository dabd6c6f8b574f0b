from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gonghui.worktime.calendar import WorkCalendar, YearStatus, work_calendar
from gonghui.worktime.models import HolidayOverride


@dataclass(frozen=True)
class SpecialDay:
    date: dt.date
    is_workday: bool
    name: str


def calendar_special_days(*, calendar: WorkCalendar, year: int) -> list[SpecialDay]:
    """Holidays on weekdays and working weekend days: the days that differ from an ordinary week."""
    overrides = {o.date: o for o in HolidayOverride.objects.filter(date__year=year)}
    days, day = [], dt.date(year, 1, 1)
    while day.year == year:
        workday = calendar.is_workday(day)
        if workday == (day.weekday() >= 5) or day in overrides:
            days.append(SpecialDay(day, workday, calendar.day_name(day, overrides) or ("调休上班" if workday else "休息")))
        day += dt.timedelta(days=1)
    return days


def provisional_years(*, calendar: WorkCalendar | None = None, today: dt.date | None = None) -> list[int]:
    """This year and, from October, next year, when only provisional holiday data covers them."""
    calendar = calendar or work_calendar()
    today = today or timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    return [year for year in years if calendar.year_status(year) == YearStatus.PROVISIONAL]
