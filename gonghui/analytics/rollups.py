"""Daily rollups of 诉求工单 figures (`TicketDaily`), written from the orders and never by hand.

The figures are counted in the database with the conditions of `tickets.facts` (the ones the desk list filters by, so a
figure and the list behind it agree), grouped by 受理 day × holder × category × tier × channel × employer; handling time
in working days is added per closed order with the working-day calendar. `refresh_rollups` rebuilds the days of the orders
changed since its last run (huey, every 10 minutes); `rebuild_rollups` rebuilds a range of days (`manage.py
rebuild_rollups`). Each rebuild deletes the days' rows and writes them again in one transaction under an advisory lock.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from gonghui.analytics.models import COUNTS, RollupMark, TicketDaily
from gonghui.core.locking import advisory_lock
from gonghui.tickets.facts import fact_q, orders_received_between, receipt_times_changed_since
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import LOCAL, working_days_between

KEYS = ("day", "holder_id", "category", "tier", "channel", "employer_id")
MARK = "ticket_daily"
CHUNK_DAYS = 31


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LOCAL).date()


def _rows_for(first: dt.date, last: dt.date) -> list[TicketDaily]:
    orders = orders_received_between(_start(first), _start(last + dt.timedelta(days=1))).annotate(
        day=TruncDate("created_at", tzinfo=LOCAL))
    grouped = orders.values(*KEYS).annotate(**{name: Count("pk", filter=fact_q(name)) for name in COUNTS}).order_by()
    handling: dict[tuple, int] = defaultdict(int)
    calendar = work_calendar()
    for row in orders.filter(fact_q("closed")).values(*KEYS, "created_at", "closed_at").order_by():
        handling[tuple(row[key] for key in KEYS)] += working_days_between(calendar, row["created_at"], row["closed_at"])
    return [TicketDaily(day=row["day"], org_id=row["holder_id"], category=row["category"], tier=row["tier"], channel=row["channel"],
                        employer_id=row["employer_id"], handling_days=handling[tuple(row[key] for key in KEYS)],
                        **{name: row[name] for name in COUNTS}) for row in grouped]


def _rebuild(first: dt.date, last: dt.date) -> int:
    TicketDaily.objects.filter(day__gte=first, day__lte=last).delete()
    return len(TicketDaily.objects.bulk_create(_rows_for(first, last), batch_size=1000))


def _ranges(days: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) ranges of at most CHUNK_DAYS."""
    ranges: list[list[dt.date]] = []
    for day in sorted(days):
        if ranges and day == ranges[-1][1] + dt.timedelta(days=1) and (day - ranges[-1][0]).days < CHUNK_DAYS:
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    return [(first, last) for first, last in ranges]


def rebuild_rollups(*, first: dt.date | None = None, last: dt.date | None = None) -> int:
    """Rebuild every day from `first` (default: the first order's day) to `last` (default: today); returns rows written."""
    if first is None:
        earliest = orders_received_between(dt.datetime.min.replace(tzinfo=dt.UTC), timezone.now()).aggregate(at=Min("created_at"))["at"]
        first = local_day(earliest) if earliest else timezone.localdate()
    last = last or timezone.localdate()
    days = {first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)}
    written = 0
    for start, end in _ranges(days):
        with transaction.atomic():
            advisory_lock("analytics.rollups")
            written += _rebuild(start, end)
    return written


def refresh_rollups(*, now: dt.datetime | None = None) -> int:
    """Rebuild the days of every order changed since the last run (the first run rebuilds everything); returns the days."""
    now = now or timezone.now()
    with transaction.atomic():
        advisory_lock("analytics.rollups")
        mark = RollupMark.objects.select_for_update().filter(name=MARK).first()
        if mark is None:
            RollupMark.objects.create(name=MARK, refreshed_from=now)
            days = None
        else:
            days = {local_day(moment) for moment in receipt_times_changed_since(mark.refreshed_from)}
            # a little overlap: an order saved while the last run was reading is looked at again, never missed
            mark.refreshed_from = now - dt.timedelta(minutes=1)
            mark.save(update_fields=["refreshed_from"])
            for first, last in _ranges(days):
                _rebuild(first, last)
    if days is None:
        rebuild_rollups()
        return -1
    return len(days)
