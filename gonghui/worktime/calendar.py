"""Which days are working days in mainland China, and where each answer comes from.

Order of authority: an administrator's override (HolidayOverride) → the chinese-calendar
package (State Council notices, 2004–2026 in the pinned version) → the `holidays` package's
CN data as a provisional fallback (fixed holidays only: it cannot know future 调休 Saturdays).
A year answered from the fallback is "provisional" and the 工作台 says so to administrators.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

import chinese_calendar
import holidays

from gonghui.worktime.models import DayKind, HolidayOverride, HolidayYear, WorkSchedule

DEFAULT_PERIODS = (("09:00", "12:00"), ("13:30", "18:00"))


class YearStatus(StrEnum):
    OFFICIAL = "official"  # packaged State Council data
    CONFIRMED = "confirmed"  # entered and confirmed by an administrator
    PROVISIONAL = "provisional"  # fallback: fixed holidays only, no 调休


@lru_cache(maxsize=1)
def packaged_years() -> range:
    years = sorted({day.year for day in chinese_calendar.holidays})
    return range(years[0], years[-1] + 1)


@lru_cache(maxsize=32)
def _fallback_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("CN", years=year))


def _parse(hhmm: str) -> dt.time:
    hours, minutes = hhmm.split(":")
    return dt.time(int(hours), int(minutes))


@dataclass
class WorkCalendar:
    """A snapshot of the calendar (overrides loaded once) plus the business hours to use."""

    periods: tuple[tuple[dt.time, dt.time], ...]
    overrides: dict[dt.date, bool] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in packaged_years():
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5 and day not in _fallback_holidays(day.year)

    def year_status(self, year: int) -> YearStatus:
        if year in self.confirmed_years:
            return YearStatus.CONFIRMED
        if year in packaged_years():
            return YearStatus.OFFICIAL
        return YearStatus.PROVISIONAL

    def day_name(self, day: dt.date, overrides_by_date: dict | None = None) -> str:
        """'春节' for a holiday, '春节调休上班' for a make-up working day, '' for an ordinary day."""
        override = (overrides_by_date or {}).get(day)
        if override is not None:
            return override.name
        if day.year in packaged_years():
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            label = HOLIDAY_NAMES.get(name, "") if name else ""
            if not on_holiday and day.weekday() >= 5:
                return f"{label}调休上班"
            return label if on_holiday and name else ""
        return _fallback_names(day.year).get(day, "")


HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@lru_cache(maxsize=32)
def _fallback_names(year: int) -> dict[dt.date, str]:
    return {day: f"{name}（暂定）" for day, name in holidays.country_holidays("CN", years=year, language="zh_CN").items()}


def work_calendar(*, schedule_code: str | None = None) -> WorkCalendar:
    """The calendar as administrators have configured it right now."""
    schedule = (
        WorkSchedule.objects.filter(code=schedule_code).first() if schedule_code else WorkSchedule.objects.filter(is_default=True).first()
    )
    periods = tuple(schedule.periods) if schedule else DEFAULT_PERIODS
    return WorkCalendar(
        periods=tuple((_parse(a), _parse(b)) for a, b in periods),
        overrides={o.date: o.kind == DayKind.WORKDAY for o in HolidayOverride.objects.all()},
        confirmed_years=frozenset(HolidayYear.objects.filter(confirmed=True).values_list("year", flat=True)),
    )
