"""回避 beyond the employer: a complaint that names a union, another employer or a person. The order never goes to them nor
shows to them at any step; naming the current holder takes the order back to the centre; a named cadre is not told."""
import pytest

from gonghui.accounts.tests.factories import employer_account
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.notify.models import Notification
from gonghui.orgs.models import OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory
from gonghui.tickets import selectors, services
from gonghui.tickets.models import VIEW, EventKind, State, Ticket, TicketEvent, TicketHolding, TicketParty
from gonghui.tickets.tests.factories import cadre_at, file

pytestmark = pytest.mark.django_db


def received(world):
    return file(world.worker, district=world.tianhe).ticket


def test_a_named_union_never_receives_the_order_nor_anything_under_it(world):
    ticket = received(world)
    services.ticket_party_add(actor=world.agent, ticket_id=ticket.pk, org=world.shipai, note="反映街道工会推诿")
    community = OrgFactory(parent=world.shipai, type=OrgType.COMMUNITY)
    for target in (world.shipai, community):
        with pytest.raises(ApplicationError, match="回避"):
            services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=target)
    assert services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.tianhe).holder == world.tianhe
    assert not Ticket.objects.restrict(world.street_handler, VIEW).filter(pk=ticket.pk).exists()
    assert selectors.ticket_get_for(actor=world.district_admin, ticket_id=ticket.pk) == ticket  # the org above still reads it


def test_naming_the_holder_takes_the_order_back_to_the_centre_out_of_its_sight(world):
    ticket = received(world)
    services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.shipai)
    services.ticket_accept(actor=world.street_handler, ticket_id=ticket.pk)
    services.ticket_party_add(actor=world.agent, ticket_id=ticket.pk, org=world.shipai)
    ticket.refresh_from_db()
    assert ticket.state == State.RECEIVED and ticket.holder == ticket.centre and ticket.assignee is None
    assert TicketHolding.objects.get(ticket=ticket, until__isnull=True).how == TicketHolding.How.RECALLED
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.RECALLED).exists()
    with pytest.raises(NotFound):  # not even the history it held: it is a party now
        selectors.ticket_get_for(actor=world.street_handler, ticket_id=ticket.pk)
    assert services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk).holder != world.shipai


def test_a_named_employer_keeps_its_union_and_account_out(world):
    agency_union = OrgFactory(parent=world.shipai, type=OrgType.ENTERPRISE, name="广州某劳务派遣有限公司工会")
    agency = EmployerFactory(town=world.shipai, union=agency_union, has_union=True, name="广州某劳务派遣有限公司")
    account, union_cadre = employer_account(employer=agency), cadre_at(agency_union)
    ticket = received(world)
    services.ticket_party_add(actor=world.agent, ticket_id=ticket.pk, employer=agency, note="劳务派遣单位")
    with pytest.raises(ApplicationError, match="回避"):
        services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=agency_union)
    for outsider in (account, union_cadre):
        assert not Ticket.objects.restrict(outsider, VIEW).filter(pk=ticket.pk).exists()
        assert not TicketParty.objects.restrict(outsider, VIEW).exists()


def test_a_named_person_never_reads_it_nor_hears_of_it_and_is_taken_off_it(world):
    ticket = received(world)
    services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.tianhe)
    services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)
    services.ticket_party_add(actor=world.agent, ticket_id=ticket.pk, person=world.handler, note="反映该干部态度恶劣")
    ticket.refresh_from_db()
    assert ticket.holder == world.tianhe and ticket.assignee is None  # the org stays; the person does not
    with pytest.raises(NotFound):
        selectors.ticket_get_for(actor=world.handler, ticket_id=ticket.pk)
    assert selectors.ticket_get_for(actor=world.colleague, ticket_id=ticket.pk) == ticket
    Notification.objects.all().delete()
    services.ticket_supervise(actor=world.city_admin, ticket_id=ticket.pk, note="请尽快办理")
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert world.colleague.pk in told and world.handler.pk not in told


def test_who_may_name_a_party_and_what_is_refused(world):
    ticket = received(world)
    with pytest.raises(PermissionDenied):
        services.ticket_party_add(actor=world.worker, ticket_id=ticket.pk, org=world.shipai)
    with pytest.raises(NotFound):
        services.ticket_party_add(actor=world.yuexiu_handler, ticket_id=ticket.pk, org=world.shipai)
    with pytest.raises(ApplicationError, match="请填写一个"):
        services.ticket_party_add(actor=world.agent, ticket_id=ticket.pk)
    with pytest.raises(ApplicationError, match="派单中心本身"):
        services.ticket_party_add(actor=world.agent, ticket_id=ticket.pk, org=world.city)
    services.ticket_party_add(actor=world.agent, ticket_id=ticket.pk, org=world.shipai)
    with pytest.raises(ApplicationError, match="已登记"):
        services.ticket_party_add(actor=world.agent, ticket_id=ticket.pk, org=world.shipai)
    assert TicketParty.objects.count() == 1
    assert AuditEvent.objects.filter(action="tickets.ticket.party_named").count() == 1


def test_the_worker_does_not_see_whom_the_centre_named(world):
    ticket = file(world.worker, district=world.tianhe).ticket
    services.ticket_party_add(actor=world.agent, ticket_id=ticket.pk, person=world.handler)
    assert selectors.ticket_parties(actor=world.worker, ticket=ticket) == []
    assert [p.person for p in selectors.ticket_parties(actor=world.agent, ticket=ticket)] == [world.handler]
    assert not any(e.kind == EventKind.PARTY_NAMED for e in selectors.ticket_timeline(actor=world.worker, ticket=ticket))
