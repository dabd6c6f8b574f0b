"""orgs.rollups: figures per week or month and per org directly under another, each one grouped query, gaps as zeros."""
import datetime as dt

import pytest
from django.db.models import Count, F, Q

from gonghui.orgs import rollups
from gonghui.orgs.models import Org, OrgType
from gonghui.orgs.tests.factories import OrgFactory


def test_period_buckets_have_no_gaps_across_years_and_short_months():
    assert rollups.period_buckets(start=dt.date(2025, 11, 20), end=dt.date(2026, 2, 1), period=rollups.MONTH) == [
        dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert rollups.period_end(dt.date(2028, 2, 1), rollups.MONTH) == dt.date(2028, 2, 29)
    assert rollups.period_buckets(start=dt.date(2025, 12, 31), end=dt.date(2026, 1, 12), period=rollups.WEEK) == [
        dt.date(2025, 12, 29), dt.date(2026, 1, 5), dt.date(2026, 1, 12)]
    assert rollups.period_buckets(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 1), period=rollups.WEEK) == []


@pytest.fixture
def founded(org):
    """Enterprise unions founded under two 天河 街道 on known days, for rows that carry `day` and `org_path`."""
    wushan, shipai = org("440106001"), org("440106006")
    days = {wushan: [dt.date(2026, 1, 5), dt.date(2026, 1, 31), dt.date(2026, 3, 2)], shipai: [dt.date(2026, 1, 6)]}
    for town, dates in days.items():
        for day in dates:
            OrgFactory(parent=town, type=OrgType.ENTERPRISE, founded_on=day)
    return Org.objects.filter(type=OrgType.ENTERPRISE, founded_on__isnull=False).annotate(day=F("founded_on"), org_path=F("path"))


@pytest.mark.django_db
def test_period_series_counts_each_month_and_week_with_empty_ones_as_zero(founded, django_assert_num_queries):
    with django_assert_num_queries(1):
        months = rollups.period_series(founded, period=rollups.MONTH, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31), n=Count("pk"))
    assert months == [(dt.date(2026, 1, 1), {"n": 3}), (dt.date(2026, 2, 1), {"n": 0}), (dt.date(2026, 3, 1), {"n": 1})]
    weeks = rollups.period_series(founded, period=rollups.WEEK, start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 25), n=Count("pk"))
    assert weeks == [(dt.date(2026, 1, 5), {"n": 2}), (dt.date(2026, 1, 12), {"n": 0}), (dt.date(2026, 1, 19), {"n": 0})]


@pytest.mark.django_db
def test_by_sub_org_sums_each_org_directly_under_the_given_one(founded, org, django_assert_num_queries):
    tianhe, wushan, shipai = org("440106"), org("440106001"), org("440106006")
    with django_assert_num_queries(1):
        rows = rollups.by_sub_org(founded, within=tianhe, n=Count("pk"), january=Count("pk", filter=Q(day__lt=dt.date(2026, 2, 1))))
    assert {prefix: (row["n"], row["january"]) for prefix, row in rows.items()} == {wushan.path: (3, 2), shipai.path: (1, 1)}
    assert rollups.by_sub_org(founded, within=org("440104"), n=Count("pk")) == {}
