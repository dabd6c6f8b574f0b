"""Figures rolled up over time and over the org tree, in one grouped query each: the shared ground of the drives' 周调度 and
月分析 and of the later analytics (dashboards, 态势): per week or month (`period_series`, empty periods as zeros) and per org
directly under a given org (`by_sub_org`). They live beside the tree because a sub-org is a step of its materialized path;
any app may use them on its own rows, annotated with `day` and `org_path`."""
from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.db.models.functions import Substr, TruncMonth, TruncWeek

from gonghui.orgs.models import PATH_STEP_LENGTH, Org

WEEK, MONTH = "week", "month"
_TRUNCATE = {WEEK: TruncWeek, MONTH: TruncMonth}


def by_sub_org(rows: QuerySet, *, within: Org, **aggregates) -> dict[str, dict]:
    """Rows carrying an `org_path` summed per org directly under `within`, keyed by that org's path, in one query: a path's prefix one
    step longer than `within`'s names the sub-org. Rows held by `within` itself come under its own path."""
    length = len(within.path) + PATH_STEP_LENGTH
    return {row["prefix"]: row for row in rows.filter(org_path__startswith=within.path).values(prefix=Substr("org_path", 1, length))
            .annotate(**aggregates).order_by()}


def period_start(day: dt.date, period: str) -> dt.date:
    """The Monday of the week, or the first of the month, that `day` falls in."""
    return day - dt.timedelta(days=day.weekday()) if period == WEEK else day.replace(day=1)


def period_end(start: dt.date, period: str) -> dt.date:
    """The last day of the week or month that begins on `start`."""
    if period == WEEK:
        return start + dt.timedelta(days=6)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def period_buckets(*, start: dt.date, end: dt.date, period: str) -> list[dt.date]:
    """The start of every week or month from the one holding `start` to the one holding `end`: no gaps."""
    buckets, bucket = [], period_start(start, period)
    while bucket <= end:
        buckets.append(bucket)
        bucket = period_end(bucket, period) + dt.timedelta(days=1)
    return buckets


def period_series(rows: QuerySet, *, period: str, start: dt.date, end: dt.date, **aggregates) -> list[tuple[dt.date, dict[str, int]]]:
    """Rows carrying a `day` annotation, grouped into weeks or months in one query; empty buckets come back as zeros."""
    found = {_as_date(row["bucket"]): row for row in
             rows.annotate(bucket=_TRUNCATE[period]("day")).values("bucket").annotate(**aggregates).order_by()}
    return [(bucket, {name: found.get(bucket, {}).get(name) or 0 for name in aggregates})
            for bucket in period_buckets(start=start, end=end, period=period)]


def _as_date(value) -> dt.date:
    """TruncWeek/TruncMonth of a date column come back as datetimes on some databases."""
    return value.date() if isinstance(value, dt.datetime) else value
