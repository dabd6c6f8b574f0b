"""The time limits of an order per category, urgency and tier, across 2026's holidays and 调休 days (State Council notice)
and 2027 (provisional until an administrator enters the notice), worked out by hand."""
import datetime as dt

import pytest

from gonghui.tickets import sla
from gonghui.tickets.models import Channel, SlaPolicy, Ticket
from gonghui.worktime import services as worktime
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import LOCAL

pytestmark = pytest.mark.django_db


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL)


# filed and dispatched at `start`: category, urgency, tier → 签收 due, 办结 due (with the reason)
EXPECTED = [
    ("2026-09-30 11:00", "complaint", "normal", "general", "2026-10-08 18:00", "2026-10-13 18:00"),  # 国庆; Sat 10/10 works
    ("2026-09-30 11:00", "complaint", "urgent", "general", "2026-09-30 11:30", "2026-10-13 18:00"),  # 30 clock minutes
    ("2026-09-30 23:50", "help", "urgent", "complex", "2026-10-01 00:20", "2026-10-27 18:00"),  # around the clock; 15 working days after 国庆
    ("2026-02-12 10:00", "complaint", "normal", "difficult", "2026-02-13 18:00", "2026-03-04 18:00"),  # 春节; Sat 2/14, 2/28 work
    ("2026-02-12 10:00", "legal_aid", "normal", "complex", "2026-02-13 18:00", "2026-03-11 18:00"),
    ("2026-02-13 16:00", "complaint", "normal", "general", "2026-02-14 18:00", "2026-02-27 18:00"),  # Fri → make-up Saturday
    ("2026-04-30 15:00", "consult", "normal", "general", "2026-05-06 18:00", "2026-05-08 18:00"),  # 咨询 3 working days, 劳动节
    ("2026-04-30 15:00", "consult", "urgent", "difficult", "2026-04-30 15:30", "2026-05-18 18:00"),  # Sat 5/9 works
    ("2026-04-03 09:00", "suggestion", "normal", "general", "2026-04-07 18:00", "2026-04-13 18:00"),  # 清明 4/4–4/6
    ("2026-08-03 09:00", "petition", "normal", "general", "2026-08-04 18:00", "2026-10-08 23:59:59"),  # 信访 60 日, ends in 国庆
    ("2026-09-16 09:00", "petition", "normal", "complex", "2026-09-17 18:00", "2026-11-16 23:59:59"),  # 60 日: Sun 11/15 → Mon
    ("2027-09-30 10:00", "complaint", "normal", "general", "2027-10-06 18:00", "2027-10-12 18:00"),  # provisional 2027 国庆 10/1–10/5
    ("2027-02-04 10:00", "complaint", "normal", "difficult", "2027-02-11 18:00", "2027-02-24 18:00"),  # provisional 2027 春节 2/5–2/10
]


def timed(start: str, category: str, urgency: str, tier: str, channel: str = Channel.H5) -> Ticket:
    ticket = Ticket(category=category, urgency=urgency, tier=tier, channel=channel)
    calendar, at = work_calendar(), t(start)
    sla.start_limits(ticket, calendar, at=at)
    sla.start_dispatch_limits(ticket, calendar, at=at)
    return ticket


@pytest.mark.parametrize(("start", "category", "urgency", "tier", "accept", "resolve"), EXPECTED)
def test_expected_deadlines(start, category, urgency, tier, accept, resolve):
    ticket = timed(start, category, urgency, tier)
    assert (ticket.accept_due_at, ticket.resolve_due_at) == (t(accept), t(resolve))


def test_2027_follows_the_notice_once_an_administrator_enters_it(superuser):
    """调休 Saturdays the provisional data cannot know: entered, they count."""
    worktime.holiday_override_set(actor=superuser, date=dt.date(2027, 10, 9), kind="workday", name="国庆节调休上班")
    worktime.holiday_override_set(actor=superuser, date=dt.date(2027, 2, 20), kind="workday", name="春节调休上班")
    assert timed("2027-09-30 10:00", "complaint", "normal", "general").resolve_due_at == t("2027-10-11 18:00")
    assert timed("2027-02-04 10:00", "complaint", "normal", "difficult").resolve_due_at == t("2027-02-23 18:00")


def test_acknowledgement_limits_letters_by_the_clock_and_petitions_by_calendar_days():
    letter = timed("2026-09-30 20:00", "complaint", "normal", "general", channel=Channel.LETTER)
    assert letter.ack_due_at == t("2026-10-01 20:00") and letter.acknowledged_at is None  # 24 hours, holiday or not
    petition = timed("2026-09-16 09:00", "petition", "normal", "general")
    assert petition.ack_due_at == t("2026-10-08 23:59:59")  # 15 日 ending in 国庆 → the next working day
    form = timed("2026-09-30 20:00", "complaint", "normal", "general")
    assert form.ack_due_at is None and form.acknowledged_at is not None  # the H5 form answers at once with the number


def test_bounce_window_is_two_working_days_and_follow_up_one():
    ticket = timed("2026-09-30 11:00", "complaint", "normal", "general")
    assert ticket.bounce_until == t("2026-10-09 18:00")
    sla.start_follow_up_limit(ticket, work_calendar(), at=t("2026-02-13 16:00"))
    assert ticket.follow_up_due_at == t("2026-02-14 18:00")


def test_defaults_cover_every_kind_and_an_administrators_change_applies_to_new_orders():
    assert SlaPolicy.objects.count() == 6 * 2 * 3
    assert {(p.resolve_amount, p.resolve_unit) for p in SlaPolicy.objects.filter(category="complaint")} == {
        (5, "working_days"), (10, "working_days"), (15, "working_days")}
    SlaPolicy.objects.filter(category="complaint", urgency="normal", tier="general").update(resolve_amount=7)
    assert timed("2026-03-02 10:00", "complaint", "normal", "general").resolve_due_at == t("2026-03-11 18:00")


def test_the_reminder_comes_when_the_last_working_day_opens():
    ticket = timed("2026-02-12 10:00", "complaint", "normal", "general")
    ticket.state, ticket.created_at = "received", t("2026-02-12 10:00")
    sla.refresh_due(ticket, work_calendar())
    assert ticket.due_kind == "resolve" and ticket.warn_at == t("2026-02-26 09:00")  # due 2/26 18:00
    urgent = timed("2026-03-02 10:00", "complaint", "urgent", "general")
    urgent.state, urgent.dispatched_at = "assigned", t("2026-03-02 10:00")
    sla.refresh_due(urgent, work_calendar())
    assert urgent.due_kind == "accept" and urgent.warn_at == t("2026-03-02 10:24")
