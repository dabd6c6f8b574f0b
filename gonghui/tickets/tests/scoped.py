"""Scoped tickets models, one row each inside a place (see core/tests/places.py): an order filed on the 12351 line of
the place's city about the place's employer, dispatched to its district and signed for there."""
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from django.http import QueryDict

from gonghui.accounts.api_keys import api_key_authenticate, api_key_issue
from gonghui.core.tests.files import PNG
from gonghui.tickets import knowledge, open311, services
from gonghui.tickets.models import (
    Attachment,
    DutyShift,
    Extension,
    Category,
    FollowUp,
    KnowledgeAnswer,
    Open311Request,
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


def open311_request(place) -> Open311Request:
    """A request a city's integration posted through Open311 about the place's district."""
    _, secret = api_key_issue(actor=place.city_cadre, client_name="12345热线", org=place.city_cadre.posts.get().org,
                              actions=["tickets.view", "tickets.dispatch"])
    params = QueryDict(mutable=True)
    params.update({"service_code": "complaint", "description": "公司拖欠两个月工资，多次讨要无果。", "phone": "13800138000",
                   "address_id": place.district.division_code, "attribute[employer_name]": place.employer.name})
    number = open311.open311_file(actor=api_key_authenticate(raw=secret, ip=None), params=params)["service_request_id"]
    return Open311Request.objects.get(ticket__number=number)


def knowledge_answer(place) -> KnowledgeAnswer:
    return knowledge.knowledge_answer_create(actor=place.cadre, data=knowledge.AnswerInput(
        title="本区职工服务中心在哪里？", answer="区职工服务中心提供劳动争议调解和法律咨询，工作日9:00-17:30。", category="consult",
        region_id=place.district.pk, review_on=timezone.localdate() + dt.timedelta(days=365), status="published"))


FACTORIES = {
    Ticket: _signed,
    TicketHolding: lambda place: _signed(place).holdings.order_by("pk").last(),
    TicketEvent: lambda place: _signed(place).events.order_by("pk").first(),
    Attachment: attachment,
    Extension: lambda place: services.extension_request(actor=place.cadre, ticket_id=_signed(place).pk, amount=3, reason="需调取考勤记录核实"),
    Supervision: lambda place: services.ticket_supervise(actor=place.city_cadre, ticket_id=_signed(place).pk, note="请加快办理并按期答复"),
    FollowUp: follow_up,
    DutyShift: duty_shift,
    Open311Request: open311_request,
    KnowledgeAnswer: knowledge_answer,
    Review: review,
    TicketParty: lambda place: services.ticket_party_add(actor=place.city_cadre, ticket_id=_signed(place).pk, person=worker(),
                                                         note="诉求中点名的班组长"),
}
