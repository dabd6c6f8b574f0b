"""Deadlines across 2026's holidays and 调休 days, worked out by hand from the State Council notice."""
import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from gonghui.worktime.calendar import DEFAULT_PERIODS, WorkCalendar, _parse
from gonghui.worktime.deadlines import (
    LOCAL,
    LimitUnit,
    RunningLimit,
    add_working_time,
    deadline,
    remaining,
    working_days_between,
    working_time_between,
)

CAL = WorkCalendar(periods=tuple((_parse(a), _parse(b)) for a, b in DEFAULT_PERIODS))  # 09:00-12:00, 13:30-18:00
WD, WH, CD = LimitUnit.WORKING_DAYS, LimitUnit.WORKING_HOURS, LimitUnit.CALENDAR_DAYS


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL)


EXPECTED = [
    # start (Asia/Shanghai), amount, unit, due — with the reason
    ("2026-02-12 10:00", 1, WD, "2026-02-13 18:00"),  # Thu → Fri
    ("2026-02-12 10:00", 2, WD, "2026-02-14 18:00"),  # Sat 2/14 is a 春节 make-up working day
    ("2026-02-12 10:00", 3, WD, "2026-02-24 18:00"),  # 春节 2/15–2/23 skipped
    ("2026-02-13 16:00", 5, WD, "2026-02-27 18:00"),  # 2/14, 2/24, 2/25, 2/26, 2/27
    ("2026-02-13 16:00", 6, WD, "2026-02-28 18:00"),  # Sat 2/28 is a working day too
    ("2026-04-03 09:00", 1, WD, "2026-04-07 18:00"),  # 清明 4/4–4/6
    ("2026-04-30 15:00", 3, WD, "2026-05-08 18:00"),  # 劳动节 5/1–5/5
    ("2026-04-30 15:00", 4, WD, "2026-05-09 18:00"),  # Sat 5/9 make-up day
    ("2026-09-30 11:00", 1, WD, "2026-10-08 18:00"),  # 国庆 10/1–10/7
    ("2026-09-30 11:00", 3, WD, "2026-10-10 18:00"),  # Sat 10/10 make-up day
    ("2026-09-18 10:00", 1, WD, "2026-09-20 18:00"),  # Sun 9/20 make-up day, Sat 9/19 is not
    ("2025-12-31 10:00", 1, WD, "2026-01-04 18:00"),  # 元旦 1/1–1/3, Sun 1/4 works
    ("2026-02-14 10:00", 15, WD, "2026-03-13 18:00"),  # fifteen working days across 春节
    ("2026-03-06 17:00", 1, WD, "2026-03-09 18:00"),  # an ordinary weekend
    ("2026-02-13 16:00", 4, WH, "2026-02-14 11:00"),  # 2 h Friday, 2 h on the make-up Saturday
    ("2026-02-14 17:00", 2, WH, "2026-02-24 10:00"),  # 1 h left, then after 春节
    ("2026-04-30 11:00", 1, WH, "2026-04-30 12:00"),  # ends exactly at the lunch break
    ("2026-04-30 11:30", 1, WH, "2026-04-30 14:00"),  # lunch 12:00–13:30 does not count
    ("2026-09-30 17:00", 8, WH, "2026-10-08 17:30"),  # 1 h, then 国庆, then 7 h
    ("2026-10-01 10:00", 1, WH, "2026-10-08 10:00"),  # started on a holiday
    ("2026-03-02 07:00", 1, WH, "2026-03-02 10:00"),  # started before opening
    ("2026-02-16 23:30", 60, LimitUnit.CLOCK_MINUTES, "2026-02-17 00:30"),  # urgent: around the clock
    ("2026-10-01 08:00", 24, LimitUnit.CLOCK_HOURS, "2026-10-02 08:00"),
    ("2026-02-01 09:00", 15, CD, "2026-02-24 23:59:59"),  # last day 2/16 in 春节 → first working day
    ("2026-03-02 09:00", 15, CD, "2026-03-17 23:59:59"),  # an ordinary 15 日
    ("2026-09-16 09:00", 15, CD, "2026-10-08 23:59:59"),  # last day 10/1 → after 国庆
    ("2026-04-19 09:00", 15, CD, "2026-05-06 23:59:59"),  # last day 5/4 → after 劳动节
    ("2026-01-30 09:00", 15, CD, "2026-02-14 23:59:59"),  # last day is a working Saturday: stays
    ("2026-03-21 09:00", 14, CD, "2026-04-07 23:59:59"),  # last day 4/4 → after 清明
    ("2026-08-03 09:00", 60, CD, "2026-10-08 23:59:59"),  # 信访 60 日 ending in 国庆
]


@pytest.mark.parametrize(("start", "amount", "unit", "due"), EXPECTED)
def test_expected_deadlines(start, amount, unit, due):
    assert deadline(CAL, t(start), amount, unit) == t(due)


def test_aware_times_are_required_and_limits_positive():
    with pytest.raises(ValueError):
        deadline(CAL, dt.datetime(2026, 3, 2, 9), 1, WH)
    with pytest.raises(ValueError):
        deadline(CAL, t("2026-03-02 09:00"), 0, WD)


def test_utc_input_is_reckoned_in_shanghai():
    start = dt.datetime(2026, 2, 13, 8, 0, tzinfo=dt.UTC)  # 16:00 in Shanghai
    assert deadline(CAL, start, 4, WH) == t("2026-02-14 11:00")


def test_remaining_and_elapsed_working_time():
    due = t("2026-02-24 10:00")
    assert remaining(CAL, due, t("2026-02-14 17:00"), WH) == dt.timedelta(hours=2)
    assert remaining(CAL, due, t("2026-02-24 11:00"), WH) == -dt.timedelta(hours=1)
    assert working_time_between(CAL, t("2026-02-13 08:00"), t("2026-02-24 09:30")) == dt.timedelta(hours=15, minutes=30)
    assert remaining(CAL, t("2026-03-17 23:59:59"), t("2026-03-16 23:59:59"), CD) == dt.timedelta(days=1)


def test_working_days_left_counts_days_not_hours():
    due = deadline(CAL, t("2026-02-12 10:00"), 3, WD)  # 2026-02-24 18:00, across 春节
    assert working_days_between(CAL, t("2026-02-12 10:00"), due) == 3
    assert working_days_between(CAL, t("2026-02-24 09:00"), due) == 0
    assert working_days_between(CAL, t("2026-02-26 09:00"), due) == -2


def test_a_paused_limit_does_not_count_the_pause():
    limit = RunningLimit.start(CAL, at=t("2026-03-02 09:00"), amount=8, unit=WH)  # 7.5 h on Monday + 0.5 h
    assert limit.due_at == t("2026-03-03 09:30")
    paused = limit.pause(at=t("2026-03-02 15:00"))  # waiting for the worker's documents; 3.5 h were left
    assert paused.remaining(CAL, now=t("2026-03-05 12:00")) == dt.timedelta(hours=3, minutes=30)  # frozen
    resumed = paused.resume(CAL, at=t("2026-03-03 09:30"))  # 3.5 h of business time passed while waiting
    assert resumed.due_at == t("2026-03-03 14:30")  # 09:30 + 2.5 h to lunch + 1 h after it
    assert resumed.remaining(CAL, now=t("2026-03-03 09:30")) == dt.timedelta(hours=3, minutes=30)
    with pytest.raises(ValueError):
        resumed.resume(CAL, at=t("2026-03-04 09:00"))


def test_a_pause_with_no_business_hours_in_it_keeps_the_due_time():
    limit = RunningLimit.start(CAL, at=t("2026-03-05 10:00"), amount=1, unit=WD)  # Thursday → due Friday 18:00
    assert limit.due_at == t("2026-03-06 18:00")
    resumed = limit.pause(at=t("2026-03-06 18:30")).resume(CAL, at=t("2026-03-07 10:00"))  # Friday evening to Saturday
    assert resumed.due_at == t("2026-03-06 18:00")
    at_lunch = RunningLimit.start(CAL, at=t("2026-03-02 11:00"), amount=1, unit=WH)  # due 12:00, the lunch break's start
    assert at_lunch.pause(at=t("2026-03-02 12:00")).resume(CAL, at=t("2026-03-02 13:30")).due_at == t("2026-03-02 12:00")
    assert add_working_time(CAL, t("2026-03-07 10:00"), dt.timedelta()) == t("2026-03-07 10:00")  # nothing added, no move


def test_pausing_across_a_holiday_for_calendar_days_and_clock_units():
    legal = RunningLimit.start(CAL, at=t("2026-03-02 09:00"), amount=15, unit=CD).pause(at=t("2026-03-05 10:00"))
    assert legal.resume(CAL, at=t("2026-03-08 10:00")).due_at == t("2026-03-20 23:59:59")  # three days later
    # last day Sat 2026-03-21 moves to Mon 03-23; one paused day makes the real last day Sun 03-22 → still Mon 03-23
    weekend = RunningLimit.start(CAL, at=t("2026-03-06 09:00"), amount=15, unit=CD)
    assert weekend.due_at == t("2026-03-23 23:59:59")
    assert weekend.pause(at=t("2026-03-10 10:00")).resume(CAL, at=t("2026-03-11 10:00")).due_at == t("2026-03-23 23:59:59")
    urgent = RunningLimit.start(CAL, at=t("2026-03-02 09:00"), amount=2, unit=LimitUnit.CLOCK_HOURS).pause(at=t("2026-03-02 10:00"))
    assert urgent.resume(CAL, at=t("2026-03-02 10:30")).due_at == t("2026-03-02 11:30")


# ------------------------------------------------------------------ properties

starts = st.datetimes(min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 6, 30)).map(lambda d: d.replace(tzinfo=LOCAL))
amounts = st.integers(min_value=1, max_value=40)


def in_business_hours(moment: dt.datetime) -> bool:
    local = moment.astimezone(LOCAL)
    return CAL.is_workday(local.date()) and any(a < local.time() <= b for a, b in CAL.periods)


@settings(max_examples=150, deadline=None)
@given(start=starts, a=amounts, b=amounts)
def test_working_days_add_up(start, a, b):
    assert deadline(CAL, deadline(CAL, start, a, WD), b, WD) == deadline(CAL, start, a + b, WD)


@settings(max_examples=150, deadline=None)
@given(start=starts, a=amounts, b=amounts)
def test_working_hours_add_up_and_are_monotonic(start, a, b):
    assert deadline(CAL, deadline(CAL, start, a, WH), b, WH) == deadline(CAL, start, a + b, WH)
    assert deadline(CAL, start, a, WH) <= deadline(CAL, start, a + b, WH)


@settings(max_examples=150, deadline=None)
@given(start=starts, amount=amounts, unit=st.sampled_from(list(LimitUnit)))
def test_every_unit_is_monotonic_and_after_the_start(start, amount, unit):
    assert start < deadline(CAL, start, amount, unit) <= deadline(CAL, start, amount + 1, unit)


@settings(max_examples=150, deadline=None)
@given(start=starts, amount=amounts, unit=st.sampled_from([WD, WH]))
def test_working_units_never_land_outside_working_time(start, amount, unit):
    assert in_business_hours(deadline(CAL, start, amount, unit))


@settings(max_examples=100, deadline=None)
@given(start=starts, minutes=st.integers(min_value=1, max_value=60 * 60))
def test_elapsed_working_time_inverts_adding_it(start, minutes):
    due = add_working_time(CAL, start, dt.timedelta(minutes=minutes))
    assert working_time_between(CAL, start, due) == dt.timedelta(minutes=minutes)


@settings(max_examples=100, deadline=None)
@given(start=starts, amount=st.integers(min_value=1, max_value=90))
def test_calendar_days_end_on_a_working_day(start, amount):
    due = deadline(CAL, start, amount, CD).astimezone(LOCAL)
    assert CAL.is_workday(due.date()) and due.date() >= (start.astimezone(LOCAL).date() + dt.timedelta(days=amount))


def business_resumes_after(moment: dt.datetime) -> dt.datetime:
    """When business time next runs after `moment`: itself inside a period, else the next period's opening."""
    step = dt.timedelta(microseconds=1)
    return add_working_time(CAL, moment, step) - step


@settings(max_examples=200, deadline=None)
@given(start=starts, amount=st.integers(min_value=1, max_value=10), unit=st.sampled_from([WD, WH]),
       pause_after=st.timedeltas(min_value=dt.timedelta(), max_value=dt.timedelta(days=20)), share=st.floats(min_value=0, max_value=1))
def test_pausing_over_a_span_with_no_business_hours_never_moves_the_deadline(start, amount, unit, pause_after, share):
    limit = RunningLimit.start(CAL, at=start, amount=amount, unit=unit)
    paused_at = start + pause_after
    resumed_at = paused_at + (business_resumes_after(paused_at) - paused_at) * share  # anywhere up to the next opening
    assert working_time_between(CAL, paused_at, resumed_at) == dt.timedelta()
    assert limit.pause(at=paused_at).resume(CAL, at=resumed_at).due_at == limit.due_at


@settings(max_examples=150, deadline=None)
@given(start=starts, amount=st.integers(min_value=1, max_value=10), unit=st.sampled_from([WD, WH]),
       pause_after=st.timedeltas(min_value=dt.timedelta(), max_value=dt.timedelta(days=20)),
       paused_for=st.timedeltas(min_value=dt.timedelta(), max_value=dt.timedelta(days=20)))
def test_a_resumed_limit_leaves_as_much_working_time_as_there_was_at_the_pause(start, amount, unit, pause_after, paused_for):
    paused = RunningLimit.start(CAL, at=start, amount=amount, unit=unit).pause(at=start + pause_after)
    left = paused.remaining(CAL, now=paused.paused_at)
    resumed = paused.resume(CAL, at=paused.paused_at + paused_for)
    if left > dt.timedelta():  # an overdue limit stays overdue by the business time that passed
        assert resumed.remaining(CAL, now=paused.paused_at + paused_for) == left
