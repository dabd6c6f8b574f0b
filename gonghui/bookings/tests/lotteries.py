"""Lotteries made the way the pages make them: a course session set to 抽签, published, people registered, closed,
numbers entered by one cadre and confirmed by another. `Timeline` holds the moments a test moves the clock to."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gonghui.bookings import lottery
from gonghui.bookings.models import Kind, Lottery
from gonghui.bookings.tests.factories import offering

REDS, BLUE = [31, 3, 12, 7, 25, 19], 9


def next_draw_day(after: dt.date) -> dt.date:
    day = after + dt.timedelta(days=1)
    while day.weekday() not in lottery.SSQ_DRAW_WEEKDAYS:
        day += dt.timedelta(days=1)
    return day


@dataclass
class Timeline:
    """Registration open now for a day; the 双色球 draw on the next draw day after that; the course a week later."""

    now: dt.datetime
    closes_at: dt.datetime
    draw_date: dt.date
    after_close: dt.datetime
    after_draw: dt.datetime

    @classmethod
    def from_now(cls, now: dt.datetime | None = None) -> Timeline:
        now = now or timezone.now()
        closes_at = now + dt.timedelta(days=1)
        draw_date = next_draw_day(timezone.localdate(closes_at))
        after_draw = timezone.make_aware(dt.datetime.combine(draw_date, dt.time(22, 0)))
        return cls(now=now, closes_at=closes_at, draw_date=draw_date, after_close=closes_at + dt.timedelta(minutes=1), after_draw=after_draw)

    @property
    def issue(self) -> str:
        return f"{self.draw_date.year}{self.draw_date.timetuple().tm_yday // 2 + 1:03d}"


def lottery_course(officer, org, *, timeline: Timeline, seats: int = 3, quotas=(), title: str = "职工夜校：非遗广绣体验课（抽签）",
                   publish: bool = True, **fields) -> Lottery:
    course = offering(officer, org, kind=Kind.COURSE, title=title, capacity=seats, quotas=quotas, publish=False,
                      starts_in=timeline.after_draw - timezone.now() + dt.timedelta(days=7), **fields)
    made = lottery.lottery_create(actor=officer, session_id=course.sessions.get().pk, data=lottery.LotteryInput(
        opens_at=timeline.now - dt.timedelta(hours=1), closes_at=timeline.closes_at, draw_issue=timeline.issue, draw_date=timeline.draw_date))
    if publish:
        made = lottery.lottery_publish(actor=officer, lottery_id=made.pk)
    return made


def drawn(made: Lottery, *, entered_by, confirmed_by, clock, timeline: Timeline) -> Lottery:
    """Close, then the numbers entered and confirmed by two cadres after the public draw."""
    clock.set(timeline.after_draw)
    lottery.lotteries_close_due()
    lottery.lottery_enter_numbers(actor=entered_by, lottery_id=made.pk, reds=REDS, blue=BLUE)
    return lottery.lottery_confirm_numbers(actor=confirmed_by, lottery_id=made.pk, reds=REDS, blue=BLUE)
