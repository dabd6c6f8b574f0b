"""Daytime hours: clock hours that run 08:00–22:00 every day (weekends and holidays too), never at night."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import LimitUnit, deadline

LOCAL = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LOCAL)


@pytest.mark.parametrize(("start", "hours", "due"), [
    (at(2026, 11, 26, 9, 0), 4, at(2026, 11, 26, 13, 0)),  # inside one day
    (at(2026, 11, 26, 21, 0), 4, at(2026, 11, 27, 11, 0)),  # one hour tonight, three tomorrow morning
    (at(2026, 11, 27, 2, 30), 1, at(2026, 11, 27, 9, 0)),  # started at night: counts from 08:00
    (at(2026, 11, 28, 20, 0), 16, at(2026, 11, 29, 22, 0)),  # a Saturday and Sunday count like any day
    (at(2026, 11, 26, 22, 0), 1, at(2026, 11, 27, 9, 0)),  # the close of the day is already night
])
def test_daytime_hours_skip_the_night(start, hours, due, db):
    assert deadline(work_calendar(), start, hours, LimitUnit.DAYTIME_HOURS) == due
