"""The calendar: packaged data, administrators' overrides, provisional years shown as such."""
import datetime as dt

import pytest
from django.urls import reverse

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.core.exceptions import ApplicationError, PermissionDenied
from gonghui.worktime import selectors, services
from gonghui.worktime.calendar import YearStatus, work_calendar
from gonghui.worktime.deadlines import LOCAL, LimitUnit, deadline
from gonghui.worktime.models import WorkSchedule
from gonghui.worktime.selectors import calendar_special_days, provisional_years

pytestmark = pytest.mark.django_db


def test_packaged_2026_knows_the_make_up_saturday():
    calendar = work_calendar()
    assert calendar.is_workday(dt.date(2026, 2, 14)) and not calendar.is_workday(dt.date(2026, 2, 16))
    assert calendar.year_status(2026) == YearStatus.OFFICIAL
    names = {d.date: d.name for d in calendar_special_days(calendar=calendar, year=2026)}
    assert names[dt.date(2026, 2, 16)] == "春节" and names[dt.date(2026, 2, 14)] == "春节调休上班"
    assert names[dt.date(2026, 10, 1)] == "国庆节"


def test_2027_is_provisional_and_still_works():
    calendar = work_calendar()
    assert calendar.year_status(2027) == YearStatus.PROVISIONAL
    assert not calendar.is_workday(dt.date(2027, 10, 1)) and not calendar.is_workday(dt.date(2027, 1, 1))
    assert deadline(calendar, dt.datetime(2027, 9, 30, 10, tzinfo=LOCAL), 1, LimitUnit.WORKING_DAYS).date() > dt.date(2027, 10, 1)
    assert provisional_years(calendar=calendar, today=dt.date(2026, 11, 26)) == [2027]
    assert provisional_years(calendar=calendar, today=dt.date(2026, 6, 1)) == []


def test_an_administrator_override_wins_and_confirming_ends_provisional(superuser):
    services.holiday_override_set(actor=superuser, date=dt.date(2027, 2, 20), kind="workday", name="春节调休上班", note="国办发明电〔2026〕X号")
    services.holiday_override_set(actor=superuser, date=dt.date(2026, 3, 9), kind="holiday", name="台风停工")
    calendar = work_calendar()
    assert calendar.is_workday(dt.date(2027, 2, 20))  # a Saturday
    assert not calendar.is_workday(dt.date(2026, 3, 9))  # a Monday, overridden
    assert deadline(calendar, dt.datetime(2026, 3, 6, 10, tzinfo=LOCAL), 1, LimitUnit.WORKING_DAYS).date() == dt.date(2026, 3, 10)
    services.holiday_year_confirm(actor=superuser, year=2027)
    assert work_calendar().year_status(2027) == YearStatus.CONFIRMED


def test_confirming_an_empty_year_and_bad_input_are_refused(superuser):
    with pytest.raises(ApplicationError, match="请先录入2028年"):
        services.holiday_year_confirm(actor=superuser, year=2028)
    with pytest.raises(ApplicationError, match="类型"):
        services.holiday_override_set(actor=superuser, date=dt.date(2027, 1, 1), kind="maybe", name="x")


def test_only_calendar_managers_edit(org):
    analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user
    with pytest.raises(PermissionDenied):
        services.holiday_override_set(actor=analyst, date=dt.date(2027, 1, 1), kind="holiday", name="元旦")


def test_business_hours_come_from_the_default_schedule():
    WorkSchedule.objects.filter(is_default=True).update(periods=[["08:30", "12:00"], ["14:00", "17:30"]])
    calendar = work_calendar()
    assert deadline(calendar, dt.datetime(2026, 3, 2, 11, tzinfo=LOCAL), 2, LimitUnit.WORKING_HOURS) == dt.datetime(2026, 3, 2, 15, tzinfo=LOCAL)


def test_calendar_page_banner_and_calculator(client, cadre):
    client.force_login(cadre("440106"))
    assert "节假日安排尚未确认，时限暂按" not in client.get(reverse("workbench:home")).content.decode()  # not a calendar admin
    page = client.get(reverse("worktime:calendar"), {"year": 2027}).content.decode()
    assert "2027 年的放假安排尚未确认" in page
    result = client.get(reverse("worktime:calendar"), {"year": 2026, "start": "2026-09-30T11:00", "amount": 1, "unit": "working_days"})
    assert "2026-10-08 18:00" in result.content.decode()
    bad = client.get(reverse("worktime:calendar"), {"start": "昨天", "amount": 0, "unit": "weeks"}).content.decode()
    assert "有效的日期/时间" in bad and "2026-10-08" not in bad


def test_calendar_admins_see_the_provisional_banner(client, org, monkeypatch):
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: dt.date(2026, 11, 26))
    editor = PostFactory(org=org("44"), role=Role.objects.get(code="calendar_admin")).user
    client.force_login(editor)
    assert "2027 年节假日安排尚未确认" in client.get(reverse("workbench:home")).content.decode()
