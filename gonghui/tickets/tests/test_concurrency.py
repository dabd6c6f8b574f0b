"""Racing writers on orders, with real threads and connections (PostgreSQL row locks; SQLite's IMMEDIATE transactions)."""
import pytest
from django.db import connection

from gonghui.core.exceptions import ApplicationError
from gonghui.orgs.tests.test_concurrency import run_in_threads
from gonghui.tickets import services
from gonghui.tickets.models import State, Ticket, TicketEvent
from gonghui.tickets.tests.factories import cadre_at, file, worker

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent writers: PostgreSQL")
THREADS = 6


@pytest.fixture
def places(transactional_db, divisions_after_flush):
    divisions_after_flush()
    from gonghui.orgs.models import Org

    return lambda code: Org.objects.get(code=code)


def test_two_handlers_signing_the_same_order_at_once_one_wins(places):
    tianhe, city = places("440106"), places("4401")
    agent = cadre_at(city, "dispatcher")
    handlers = [cadre_at(tianhe, "handler") for _ in range(THREADS)]
    ticket = file(worker(), district=tianhe).ticket
    services.ticket_dispatch(actor=agent, ticket_id=ticket.pk, org=tianhe)

    results = run_in_threads(lambda i: services.ticket_accept(actor=handlers[i], ticket_id=ticket.pk), THREADS)
    won = [r for r in results if isinstance(r, Ticket)]
    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(won) == 1 and len(lost) == THREADS - 1, results
    assert all("已由" in error.message for error in lost)
    ticket.refresh_from_db()
    assert ticket.state == State.ACCEPTED and ticket.assignee_id == won[0].assignee_id
    assert TicketEvent.objects.filter(ticket=ticket, kind="accepted").count() == 1


def test_a_form_sent_several_times_at_once_files_one_order(places):
    tianhe, applicant = places("440106"), worker()
    token = services.form_token_issue()
    results = run_in_threads(lambda i: file(applicant, district=tianhe, form_token=token), THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.ticket.pk for r in results}) == 1 and sum(r.created for r in results) == 1
    assert Ticket.objects.count() == 1


def test_orders_filed_at_once_get_distinct_numbers(places):
    tianhe = places("440106")
    results = run_in_threads(lambda i: file(worker(), district=tianhe).ticket, THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(r.number for r in results)
    assert len(set(numbers)) == THREADS and [int(n[-6:]) for n in numbers] == list(range(1, THREADS + 1))
