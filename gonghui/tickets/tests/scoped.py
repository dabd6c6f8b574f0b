"""Scoped tickets models, one row each inside a place (see core/tests/places.py): an order filed on the 12351 line of
the place's city about the place's employer, dispatched to its district and signed for there."""
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.core.tests.files import PNG
from gonghui.tickets import services
from gonghui.tickets.models import (
    Attachment,
    DutyShift,
    Extension,
    Category,
    FollowUp,
    Review,
    Supervision,
    Ticket,
    TicketEvent,
    TicketHolding,
    TicketParty,
)
from gonghui.tickets.tests.factories import file, worker


def _signed(place, key: str = "ticket") -> Ticket:
    def make():
        ticket = file(place.city_cadre, district=place.district, employer=place.employer).ticket
        services.ticket_dispatch(actor=place.city_cadre, ticket_id=ticket.pk, org=place.district)
        return services.ticket_accept(actor=place.cadre, ticket_id=ticket.pk)
    return place.once(key, make)


def attachment(place) -> Attachment:
    upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    return services.ticket_attach(actor=place.cadre, ticket_id=_signed(place).pk, uploads=[upload])[0]


def follow_up(place) -> FollowUp:
    ticket = _signed(place, "answered")
    services.ticket_reply(actor=place.cadre, ticket_id=ticket.pk, text="已约谈单位负责人，工资已于本周补发。")
    services.ticket_follow_up(actor=place.city_cadre, ticket_id=ticket.pk, result="satisfied")
    return FollowUp.objects.get(ticket=ticket)


def review(place) -> Review:
    """A 复查 asked of the place's city about a 信访 matter its district closed."""
    ticket = file(place.city_cadre, district=place.district, employer=place.employer, category=Category.PETITION,
                  employer_name="").ticket
    services.ticket_dispatch(actor=place.city_cadre, ticket_id=ticket.pk, org=place.district)
    services.ticket_accept(actor=place.cadre, ticket_id=ticket.pk)
    services.ticket_reply(actor=place.cadre, ticket_id=ticket.pk, text="经核实，单位已依法补发拖欠工资。")
    services.ticket_follow_up(actor=place.city_cadre, ticket_id=ticket.pk, result="basic")
    return services.review_request(actor=place.city_cadre, ticket_id=ticket.pk, reason="信访人不服处理意见，来电申请复查。")


def duty_shift(place) -> DutyShift:
    now = timezone.now()
    return services.duty_shift_add(actor=place.cadre, org=place.district, user=place.cadre, starts_at=now, ends_at=now + dt.timedelta(hours=12))


FACTORIES = {
    Ticket: _signed,
    TicketHolding: lambda place: _signed(place).holdings.order_by("pk").last(),
    TicketEvent: lambda place: _signed(place).events.order_by("pk").first(),
    Attachment: attachment,
    Extension: lambda place: services.extension_request(actor=place.cadre, ticket_id=_signed(place).pk, amount=3, reason="需调取考勤记录核实"),
    Supervision: lambda place: services.ticket_supervise(actor=place.city_cadre, ticket_id=_signed(place).pk, note="请加快办理并按期答复"),
    FollowUp: follow_up,
    DutyShift: duty_shift,
    Review: review,
    TicketParty: lambda place: services.ticket_party_add(actor=place.city_cadre, ticket_id=_signed(place).pk, person=worker(),
                                                         note="诉求中点名的班组长"),
}
