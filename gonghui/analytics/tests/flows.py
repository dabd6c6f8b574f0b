"""Orders brought to a state through the tickets services, for the analytics tests."""
from __future__ import annotations

import datetime as dt

from gonghui.tickets import services
from gonghui.tickets.models import Ticket
from gonghui.tickets.tests.factories import file


def filed(world, **fields) -> Ticket:
    return file(world.agent, district=fields.pop("district", world.tianhe), **fields).ticket


def dispatched(world, ticket: Ticket, org=None) -> Ticket:
    return services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=org or world.tianhe)


def accepted(world, ticket: Ticket) -> Ticket:
    dispatched(world, ticket)
    return services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)


def replied(world, ticket: Ticket) -> Ticket:
    accepted(world, ticket)
    return services.ticket_reply(actor=world.handler, ticket_id=ticket.pk, text="经核实，单位已同意补发工资，本周内到账。")


def followed_up(world, ticket: Ticket, result: str) -> Ticket:
    replied(world, ticket)
    return services.ticket_follow_up(actor=world.agent, ticket_id=ticket.pk, result=result,
                                     comment="仍未收到工资" if result == "dissatisfied" else "")


def received_at(ticket: Ticket, moment: dt.datetime) -> Ticket:
    """Move an order's 受理 time (the rollup day), as if it had been filed then."""
    Ticket.objects.filter(pk=ticket.pk).update(created_at=moment)
    ticket.refresh_from_db()
    return ticket
