"""The daily rollups equal the live counts: on a fixed set of orders with each definition's edge (延期, 未回访, the
boundary of a period, a duplicate), and after random changes (hypothesis); every figure's link lists exactly the orders
it counts; a cadre reads only their subtree's figures."""
import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.analytics import metrics, rollups
from gonghui.analytics.models import COUNTS, TicketDaily
from gonghui.analytics.tests.flows import accepted, dispatched, filed, followed_up, received_at, replied
from gonghui.tickets import selectors as ticket_selectors
from gonghui.tickets import services
from gonghui.tickets.facts import FACTS
from gonghui.tickets.models import Ticket
from gonghui.tickets.tests.factories import cadre_at, file
from gonghui.worktime.deadlines import LOCAL

pytestmark = pytest.mark.django_db

MAY_FIRST, MAY_LAST = dt.date(2026, 5, 1), dt.date(2026, 5, 31)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LOCAL)


def figures(actor, within, first=MAY_FIRST, last=MAY_LAST, dimension="org") -> metrics.Metrics:
    return metrics.metrics_for(actor=actor, within=within, period=metrics.Period(first, last), dimension=dimension)


@pytest.fixture
def may(world, monkeypatch):
    """Orders received in May 2026, one per edge, each at its own time."""
    made = {}
    now = local(dt.date(2026, 5, 11), 10)
    monkeypatch.setattr(timezone, "now", lambda: now)

    made["satisfied"] = followed_up(world, filed(world), "satisfied")
    made["unreached"] = followed_up(world, filed(world), "unreached")
    made["dissatisfied"] = followed_up(world, filed(world), "dissatisfied")  # reopened: 重新办理, not closed
    late = accepted(world, filed(world))
    Ticket.objects.filter(pk=late.pk).update(accept_due_at=late.accepted_at - dt.timedelta(minutes=1))
    made["late_accept"] = late
    # 延期: the reply comes after the first deadline but within the approved extension: on time
    extended = accepted(world, filed(world))
    extension = services.extension_request(actor=world.handler, ticket_id=extended.pk, amount=5, reason="需调取考勤记录核实")
    services.extension_decide(actor=world.city_admin, extension_id=extension.pk, approve=True)
    extended.refresh_from_db()
    first_due = extension.old_due_at
    now = first_due + dt.timedelta(hours=20)
    assert first_due < now < extended.resolve_due_at
    services.ticket_reply(actor=world.handler, ticket_id=extended.pk, text="经核实，单位已同意补发工资，本周内到账。")
    services.ticket_follow_up(actor=world.agent, ticket_id=extended.pk, result="basic")
    made["extended"] = extended
    # no 延期, replied after the deadline: late
    overdue = accepted(world, filed(world))
    now = overdue.resolve_due_at + dt.timedelta(hours=1)
    services.ticket_reply(actor=world.handler, ticket_id=overdue.pk, text="经核实，单位已同意补发工资，本周内到账。")
    services.ticket_follow_up(actor=world.agent, ticket_id=overdue.pk, result="satisfied")
    made["overdue"] = overdue
    # a repeated report by the same caller while the first is open: merged (重复诉求)
    first = filed(world, caller_phone="13912345678")
    made["open"] = dispatched(world, first)
    made["repeat"] = file(world.agent, district=world.tianhe, caller_phone="13912345678").ticket
    made["waiting"] = replied(world, filed(world))  # 待回访: follow-up due, not yet done
    for ticket in made.values():
        received_at(ticket, local(dt.date(2026, 5, 11), 9))
    # the period's edges: 23:59 on the last day counts, 00:00 of the next day does not, nor 23:59 the day before the first
    made["last_minute"] = received_at(filed(world), local(MAY_LAST, 23, 59))
    made["next_day"] = received_at(filed(world), local(dt.date(2026, 6, 1), 0, 0))
    made["day_before"] = received_at(filed(world), local(dt.date(2026, 4, 30), 23, 59))
    for ticket in made.values():
        ticket.refresh_from_db()
    monkeypatch.undo()
    rollups.rebuild_rollups(first=dt.date(2026, 4, 1), last=dt.date(2026, 6, 30))
    return made


def test_each_definition_on_a_fixed_set(world, may):
    total = figures(world.city_admin, world.city).total
    assert total.received == 10  # 9 on 11 May + the last minute of the 31st; not 1 June, not 30 April
    assert total.repeated == 1 and total.repeat_rate == pytest.approx(1 / 10)
    assert total.dispatched == 8 and total.accepted == 7  # the open one is waiting to be signed for
    assert total.accepted_on_time == 6 and total.accept_on_time_rate == pytest.approx(6 / 8)  # one signed late
    assert total.closed == 4  # satisfied, 未回访, extended (基本满意), overdue
    assert total.closed_on_time == 3 and total.close_on_time_rate == pytest.approx(3 / 4)  # the extended one is on time
    # the reopened order keeps its 不满意 until the next 回访; 未回访 is neither rated nor satisfied
    assert (total.satisfied, total.basic, total.dissatisfied, total.unreached) == (2, 1, 1, 1)
    assert total.rated == 4 and total.satisfaction_rate == pytest.approx(3 / 4)
    assert total.follow_up_due == 6 and total.follow_up_rate == pytest.approx(4 / 6)  # 5 asked (one 未回访) + 1 waiting
    assert total.open == 5  # reopened, signed late (in hand), waiting to be signed for, waiting for 回访, the 31st's


@pytest.mark.parametrize("dimension", ["org", "category", "employer"])
def test_every_figure_lists_the_orders_it_counts(world, may, dimension):
    result = figures(world.city_admin, world.city, dimension=dimension)
    for fact in FACTS:
        for figure in [result.total] + [figure for _label, figure in result.groups]:
            link = figure.link
            rows = ticket_selectors.ticket_list(actor=world.city_admin, filters=ticket_selectors.TicketFilters(
                org_id=link["org"], org_only=bool(link.get("org_only")), received_from=dt.date.fromisoformat(link["received_from"]),
                received_to=dt.date.fromisoformat(link["received_to"]), category=link.get("category", ""),
                employer_id=link.get("employer_id"), fact=fact))
            assert rows.count() == figure.counts[fact], (dimension, fact)


def test_the_list_behind_a_figure_opens_from_its_link(world, may, logged_in):
    total = figures(world.city_admin, world.city).total
    page = logged_in(world.city_admin).get(total.url("closed_on_time"))
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 3
    assert may["extended"].number in page.content.decode() and may["overdue"].number not in page.content.decode()


def test_handling_time_counts_working_days(world, may):
    total = figures(world.city_admin, world.city).total
    assert total.handling_days == sum(
        rollups.working_days_between(rollups.work_calendar(), ticket.created_at, ticket.closed_at)
        for ticket in Ticket.objects.filter(state="closed"))
    assert total.average_handling_days == pytest.approx(total.handling_days / 4)


def test_a_cadre_reads_only_their_subtree(world, may):
    yuexiu_admin = cadre_at(world.yuexiu)
    assert figures(yuexiu_admin, world.yuexiu).total.received == 0
    # orders count where they are held: the two not yet dispatched (and the merged duplicate) are the centre's, not 天河's
    assert figures(cadre_at(world.tianhe), world.tianhe).total.received == 8
    assert figures(cadre_at(world.tianhe), world.city).total.received == 8  # asking for the city gives only what lies under 天河


def test_the_refresh_follows_changes(world):
    rollups.refresh_rollups()  # the first run rebuilds everything and sets the mark
    ticket = filed(world)
    assert rollups.refresh_rollups() == 1
    assert TicketDaily.objects.get().received == 1
    accepted(world, ticket)
    rollups.refresh_rollups()
    assert TicketDaily.objects.get().accepted == 1


OPS = ("file", "dispatch", "accept", "reply", "satisfied", "unreached", "dissatisfied", "withdraw", "bounce", "repeat")


def _apply(world, op: str, pick: int) -> None:
    """One step on some order, if it can be taken in its state (refusals change nothing)."""
    from gonghui.core.exceptions import ApplicationError

    orders = list(Ticket.objects.order_by("pk"))
    ticket = orders[pick % len(orders)] if orders else None
    steps = {
        "dispatch": lambda: services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.tianhe),
        "accept": lambda: services.ticket_accept(actor=world.handler, ticket_id=ticket.pk),
        "reply": lambda: services.ticket_reply(actor=world.handler, ticket_id=ticket.pk, text="经核实，单位已同意补发工资，本周内到账。"),
        "satisfied": lambda: services.ticket_follow_up(actor=world.agent, ticket_id=ticket.pk, result="satisfied"),
        "unreached": lambda: services.ticket_follow_up(actor=world.agent, ticket_id=ticket.pk, result="unreached"),
        "dissatisfied": lambda: services.ticket_follow_up(actor=world.agent, ticket_id=ticket.pk, result="dissatisfied", comment="没解决"),
        "withdraw": lambda: services.ticket_close(actor=world.agent, ticket_id=ticket.pk, kind="referred", answer="属劳动监察职责，已转交",
                                                  agency="labour_inspection", referred_on=timezone.localdate()),
        "bounce": lambda: services.ticket_bounce(actor=world.handler, ticket_id=ticket.pk, reason="该单位不在本区，请重新派单"),
        "repeat": lambda: file(world.agent, district=world.tianhe, caller_phone=f"1391234{pick % 3:04d}"),
    }
    if op == "file" or ticket is None:
        file(world.agent, district=world.tianhe if pick % 2 else world.yuexiu, caller_phone=f"1391234{pick % 3:04d}",
             category=("complaint", "consult", "help")[pick % 3])
        return
    try:
        steps[op]()
    except ApplicationError:
        pass


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50)), min_size=1, max_size=25), refresh_at=st.integers(0, 25))
def test_rollups_equal_live_counts_after_random_changes(world, steps, refresh_at):
    Ticket.objects.filter(duplicate_of__isnull=False).delete()  # examples share the test's database: start empty
    Ticket.objects.all().delete()
    TicketDaily.objects.all().delete()
    rollups.RollupMark.objects.all().delete()
    rollups.refresh_rollups()
    for index, (op, pick) in enumerate(steps):
        _apply(world, op, pick)
        if index == refresh_at:
            rollups.refresh_rollups()  # a refresh in the middle: later changes must still be caught
    rollups.refresh_rollups()
    today = timezone.localdate()
    total = figures(world.city_admin, world.city, first=today - dt.timedelta(days=1), last=today).total
    live = Ticket.objects.all()
    for name in COUNTS:
        assert total.counts[name] == live.filter(FACTS[name][1]).count(), name
