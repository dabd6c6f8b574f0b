"""The periodic scan: one reminder before a deadline, breaches marked once, one automatic 督办 per order, one digest per
org per run, one audit event per run that changed something; a second run changes nothing."""
import datetime as dt

import pytest

from gonghui.audit.models import AuditEvent
from gonghui.notify.models import Notification
from gonghui.tickets import scan, services
from gonghui.tickets.models import EventKind, State, Supervision, Ticket, TicketEvent
from gonghui.tickets.tests.factories import file, worker

pytestmark = pytest.mark.django_db


def snapshot():
    return (list(Ticket.objects.order_by("pk").values_list("pk", "breached_at", "warned_at", "breach_count", "auto_supervised_at")),
            Supervision.objects.count(), TicketEvent.objects.count(), Notification.objects.count(),
            AuditEvent.objects.filter(action="tickets.sla.scanned").count())


def assigned(world, count: int) -> list[Ticket]:
    tickets = []
    for _ in range(count):
        ticket = file(worker(), district=world.tianhe).ticket
        tickets.append(services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.tianhe))
    return tickets


def test_breach_scan_twice_makes_one_supervision_and_one_digest(world):
    tickets = assigned(world, 3)
    after_due = max(t.accept_due_at for t in tickets) + dt.timedelta(minutes=1)
    first = scan.sla_scan(now=after_due)
    assert (first.breached, first.supervised) == (3, 3)
    assert Supervision.objects.filter(kind="auto").count() == 3
    assert set(Supervision.objects.values_list("org", flat=True)) == {world.city.pk}  # the org above 天河区
    digests = Notification.objects.filter(template_code="tickets.digest")
    assert digests.filter(recipient=world.handler).count() == 1 and "3 件工单已超时" in digests.get(recipient=world.handler).body
    assert digests.count() == first.digests == 3  # the district's three handlers (handler, colleague, admin), one each
    assert AuditEvent.objects.filter(action="tickets.sla.scanned").count() == 1
    assert TicketEvent.objects.filter(kind=EventKind.BREACHED, note="超过签收时限").count() == 3
    before = snapshot()
    second = scan.sla_scan(now=after_due + dt.timedelta(minutes=5))
    assert not second.changed and snapshot() == before


def test_a_reminder_comes_once_before_the_deadline_and_none_after_a_breach(world):
    (ticket,) = assigned(world, 1)
    result = scan.sla_scan(now=ticket.warn_at + dt.timedelta(seconds=1))
    assert (result.warned, result.breached) == (1, 0)
    assert "1 件工单即将到期" in Notification.objects.filter(template_code="tickets.digest", recipient=world.handler).get().body
    assert not scan.sla_scan(now=ticket.warn_at + dt.timedelta(seconds=2)).changed
    late = file(worker(), district=world.tianhe).ticket
    late = services.ticket_dispatch(actor=world.agent, ticket_id=late.pk, org=world.tianhe)
    result = scan.sla_scan(now=late.accept_due_at + dt.timedelta(hours=1))
    assert result.breached >= 1 and Ticket.objects.get(pk=late.pk).warned_at is not None


def test_a_new_deadline_after_a_breach_can_breach_again_but_supervision_stays_one(world):
    (ticket,) = assigned(world, 1)
    scan.sla_scan(now=ticket.accept_due_at + dt.timedelta(minutes=1))
    accepted = services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)
    assert accepted.breached_at is None and accepted.due_kind == "resolve"
    scan.sla_scan(now=accepted.resolve_due_at + dt.timedelta(minutes=1))
    accepted.refresh_from_db()
    assert accepted.breach_count == 2 and Supervision.objects.filter(ticket=accepted, kind="auto").count() == 1


def test_paused_and_finished_orders_are_never_flagged(world):
    (paused, finished) = assigned(world, 2)
    for ticket in (paused, finished):
        services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)
    services.ticket_request_material(actor=world.handler, ticket_id=paused.pk, what="请提供劳动合同")
    services.ticket_reply(actor=world.handler, ticket_id=finished.pk, text="经调解双方已达成一致。")
    services.ticket_follow_up(actor=world.agent, ticket_id=finished.pk, result="satisfied")
    result = scan.sla_scan(now=paused.resolve_due_at + dt.timedelta(days=60))
    assert result.breached == 0
    assert Ticket.objects.get(pk=finished.pk).state == State.CLOSED
