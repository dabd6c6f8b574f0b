"""Every state × every action, one row each: a legal step moves the order where DESIGN.md's flow says; an illegal one is
refused with a Chinese message and changes nothing (state, holder and timeline as they were).

Each action is taken by the person entitled to it (the centre's agent, the holder's handler, the org above, the worker),
so only the state decides."""
import datetime as dt

import pytest
from django.utils import timezone

from gonghui.core.exceptions import ApplicationError
from gonghui.tickets import services
from gonghui.tickets.models import Channel, State, Ticket
from gonghui.tickets.tests.factories import file

pytestmark = pytest.mark.django_db


def to_state(world, state: str) -> Ticket:
    """An order of the worker's (a 网上信箱 letter, so 受理告知 is still due), brought to `state` through the services."""
    ticket = file(world.worker, district=world.tianhe, channel=Channel.LETTER).ticket
    if state == State.MERGED:
        return file(world.worker, district=world.tianhe, channel=Channel.LETTER).ticket
    if state == State.WITHDRAWN:
        return services.ticket_withdraw(actor=world.worker, ticket_id=ticket.pk)
    steps = [
        (State.ASSIGNED, lambda: services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.tianhe)),
        (State.ACCEPTED, lambda: services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)),
        (State.IN_PROGRESS, lambda: services.ticket_note(actor=world.handler, ticket_id=ticket.pk, text="已电话联系单位人事")),
        (State.WAITING_MATERIAL, lambda: services.ticket_request_material(actor=world.handler, ticket_id=ticket.pk, what="工资条和考勤记录")),
        (State.REPLIED, None),
        (State.CLOSED, lambda: services.ticket_follow_up(actor=world.worker, ticket_id=ticket.pk, result="satisfied")),
    ]
    for reached, step in steps:
        if state == State.RECEIVED:
            break
        if reached == State.REPLIED:
            services.ticket_material_add(actor=world.worker, ticket_id=ticket.pk, text="已上传工资条")
            services.ticket_reply(actor=world.handler, ticket_id=ticket.pk, text="经核实，单位已同意补发工资，本周内到账。")
        else:
            step()
        if reached == state:
            break
    ticket.refresh_from_db()
    assert ticket.state == state
    return ticket


ACTIONS = {
    "acknowledge": lambda w, t: services.ticket_acknowledge(actor=w.agent, ticket_id=t.pk),
    "dispatch": lambda w, t: services.ticket_dispatch(actor=w.agent, ticket_id=t.pk, org=w.tianhe),
    "close_referred": lambda w, t: services.ticket_close(actor=w.agent, ticket_id=t.pk, kind="referred", answer="属劳动监察职责，已转交",
                                                         agency="labour_inspection", referred_on=timezone.localdate()),
    "accept": lambda w, t: services.ticket_accept(actor=w.handler, ticket_id=t.pk),
    "bounce": lambda w, t: services.ticket_bounce(actor=w.handler, ticket_id=t.pk, reason="该单位不在本区，请重新派单"),
    "transfer": lambda w, t: services.ticket_transfer(actor=w.agent, ticket_id=t.pk, org=w.shipai, reason="由所在街道就近办理"),
    "note": lambda w, t: services.ticket_note(actor=w.handler, ticket_id=t.pk, text="约谈单位负责人"),
    "request_material": lambda w, t: services.ticket_request_material(actor=w.handler, ticket_id=t.pk, what="劳动合同复印件"),
    "material_add": lambda w, t: services.ticket_material_add(actor=w.worker, ticket_id=t.pk, text="补充劳动合同"),
    "reply": lambda w, t: services.ticket_reply(actor=w.handler, ticket_id=t.pk, text="经协调，单位同意本月补发全部工资。"),
    "follow_up": lambda w, t: services.ticket_follow_up(actor=w.agent, ticket_id=t.pk, result="basic"),
    "extension_request": lambda w, t: services.extension_request(actor=w.handler, ticket_id=t.pk, amount=5, reason="需等待仲裁结果"),
    "supervise": lambda w, t: services.ticket_supervise(actor=w.city_admin, ticket_id=t.pk, note="请加快办理，按期答复"),
    "withdraw": lambda w, t: services.ticket_withdraw(actor=w.worker, ticket_id=t.pk),
}

S = State
# action → {state it is legal in: state after it}
LEGAL = {
    "acknowledge": {S.RECEIVED: S.RECEIVED},
    "dispatch": {S.RECEIVED: S.ASSIGNED},
    "close_referred": {S.RECEIVED: S.CLOSED},
    "accept": {S.ASSIGNED: S.ACCEPTED},
    "bounce": {S.ASSIGNED: S.RECEIVED, S.ACCEPTED: S.RECEIVED},
    "transfer": {S.ASSIGNED: S.ASSIGNED, S.ACCEPTED: S.ASSIGNED, S.IN_PROGRESS: S.ASSIGNED},
    "note": {S.ACCEPTED: S.IN_PROGRESS, S.IN_PROGRESS: S.IN_PROGRESS, S.WAITING_MATERIAL: S.WAITING_MATERIAL},
    "request_material": {S.ACCEPTED: S.WAITING_MATERIAL, S.IN_PROGRESS: S.WAITING_MATERIAL},
    "material_add": {S.WAITING_MATERIAL: S.IN_PROGRESS},
    "reply": {S.ACCEPTED: S.REPLIED, S.IN_PROGRESS: S.REPLIED},
    "follow_up": {S.REPLIED: S.CLOSED},
    "extension_request": {S.ACCEPTED: S.ACCEPTED, S.IN_PROGRESS: S.IN_PROGRESS, S.WAITING_MATERIAL: S.WAITING_MATERIAL},
    "supervise": {S.ASSIGNED: S.ASSIGNED, S.ACCEPTED: S.ACCEPTED, S.IN_PROGRESS: S.IN_PROGRESS, S.WAITING_MATERIAL: S.WAITING_MATERIAL,
                  S.REPLIED: S.REPLIED},
    "withdraw": {S.RECEIVED: S.WITHDRAWN, S.ASSIGNED: S.WITHDRAWN, S.ACCEPTED: S.WITHDRAWN, S.IN_PROGRESS: S.WITHDRAWN,
                 S.WAITING_MATERIAL: S.WITHDRAWN, S.REPLIED: S.WITHDRAWN},
}
TABLE = [(state, action) for state in State.values for action in ACTIONS]


def test_the_table_covers_every_state_and_action():
    assert len(TABLE) == len(State.values) * len(ACTIONS) == 9 * 14
    assert set(LEGAL) == set(ACTIONS)


@pytest.mark.parametrize(("state", "action"), TABLE)
def test_transition(world, state, action):
    ticket = to_state(world, state)
    before = (ticket.state, ticket.holder_id, ticket.events.count(), ticket.due_at)
    expected = LEGAL[action].get(state)
    if expected is None:
        with pytest.raises(ApplicationError) as refused:
            ACTIONS[action](world, ticket)
        assert refused.value.message and any("\u4e00" <= char <= "\u9fff" for char in refused.value.message)
        ticket.refresh_from_db()
        assert (ticket.state, ticket.holder_id, ticket.events.count(), ticket.due_at) == before
    else:
        ACTIONS[action](world, ticket)
        ticket.refresh_from_db()
        assert ticket.state == expected
        assert ticket.events.count() > before[2]


def test_an_order_already_signed_for_names_who_signed_it(world):
    ticket = to_state(world, State.ASSIGNED)
    services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)
    with pytest.raises(ApplicationError, match="已由.*签收"):
        services.ticket_accept(actor=world.colleague, ticket_id=ticket.pk)


def test_bounce_only_within_two_working_days_of_dispatch(world, monkeypatch):
    ticket = to_state(world, State.ASSIGNED)
    later = ticket.bounce_until + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(ApplicationError, match="2 个工作日内才能退单"):
        services.ticket_bounce(actor=world.handler, ticket_id=ticket.pk, reason="不属于本单位职责范围")
