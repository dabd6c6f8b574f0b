"""The order's rules beyond the state table: confidentiality, who reads and who acts, intake (form token, duplicates,
查询码), routing, pausing, 延期, 督办, 重新办理 and 提级, attachments."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gonghui.accounts.models import Post, Role
from gonghui.accounts.tests.factories import employer_account
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.tests.files import EXE, PNG, picture
from gonghui.notify.models import Notification
from gonghui.notify.sms import MemoryBackend
from gonghui.orgs.models import Org, OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory
from gonghui.tickets import selectors, services
from gonghui.tickets.models import VIEW, Channel, EventKind, SlaPolicy, State, Ticket, TicketEvent, TicketHolding
from gonghui.tickets.tests.factories import cadre_at, file, phone, worker

pytestmark = pytest.mark.django_db


def dispatched(world, ticket, org=None):
    return services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=org or world.tianhe)


def signed(world, **fields):
    ticket = file(world.worker, district=world.tianhe, **fields).ticket
    dispatched(world, ticket)
    return services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)


# ---------------------------------------------------------------- confidentiality


@pytest.fixture
def named_employer(world):
    """A 石牌街道 employer with its own 企业工会 (and a 分会 under it) and an external account."""
    union = OrgFactory(parent=world.shipai, type=OrgType.ENTERPRISE, name="广州石牌某电子有限公司工会委员会")
    branch = OrgFactory(parent=union, type=OrgType.BRANCH, name="广州石牌某电子有限公司工会生产分会")
    employer = EmployerFactory(town=world.shipai, union=union, has_union=True, name="广州石牌某电子有限公司")
    return employer, union, branch


def test_an_order_about_an_employer_never_goes_to_its_own_union(world, named_employer):
    employer, union, branch = named_employer
    ticket = file(world.worker, district=world.tianhe, employer=employer).ticket
    for target in (union, branch):
        with pytest.raises(ApplicationError, match="回避"):
            services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=target)
    services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.shipai)
    services.ticket_accept(actor=world.street_handler, ticket_id=ticket.pk)
    with pytest.raises(ApplicationError, match="回避"):
        services.ticket_transfer(actor=world.street_handler, ticket_id=ticket.pk, org=union, reason="请企业工会先行调解")
    assert not TicketHolding.objects.filter(ticket=ticket, org__in=(union, branch)).exists()


def test_auto_routing_skips_the_employers_union_and_goes_to_its_street(world, named_employer):
    employer, union, _ = named_employer
    ticket = file(world.worker, district=world.tianhe, employer=employer).ticket
    routed = services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk)
    assert routed.holder == world.shipai


def test_the_employers_people_never_read_the_order_at_any_step(world, named_employer):
    """Its union's cadres (even one who also holds a post at the street that handles it) and its external account."""
    employer, union, branch = named_employer
    union_cadre, branch_cadre = cadre_at(union), cadre_at(branch)
    both = cadre_at(world.shipai, "handler")
    Post.objects.create(user=both, org=union, role=Role.objects.get(code="admin"))
    account = employer_account(employer=employer)
    ticket = file(world.worker, district=world.tianhe, employer=employer).ticket
    steps = [lambda: None,
             lambda: services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.shipai),
             lambda: services.ticket_accept(actor=world.street_handler, ticket_id=ticket.pk),
             lambda: services.ticket_reply(actor=world.street_handler, ticket_id=ticket.pk, text="已督促单位依法支付拖欠工资。")]
    for number, step in enumerate(steps):
        step()
        for outsider in (union_cadre, branch_cadre, both, account):
            assert not Ticket.objects.restrict(outsider, VIEW).filter(pk=ticket.pk).exists()
            assert not TicketEvent.objects.restrict(outsider, VIEW).filter(ticket=ticket).exists()
            with pytest.raises(NotFound):
                selectors.ticket_get_for(actor=outsider, ticket_id=ticket.pk)
        assert selectors.ticket_get_for(actor=world.agent if number == 0 else world.street_handler, ticket_id=ticket.pk) == ticket


# ---------------------------------------------------------------- who reads, who acts


def test_history_stays_readable_by_earlier_holders_after_transfer_but_not_actable(world):
    ticket = signed(world)
    services.ticket_transfer(actor=world.handler, ticket_id=ticket.pk, org=world.yuexiu, reason="单位实际在越秀区经营")
    assert selectors.ticket_get_for(actor=world.handler, ticket_id=ticket.pk).holder == world.yuexiu
    kinds = [event.kind for event in selectors.ticket_timeline(actor=world.handler, ticket=ticket)]
    assert kinds[-1] == EventKind.TRANSFERRED and EventKind.ACCEPTED in kinds
    with pytest.raises(PermissionDenied):
        services.ticket_note(actor=world.handler, ticket_id=ticket.pk, text="继续跟进")
    with pytest.raises(PermissionDenied):
        services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)
    services.ticket_accept(actor=world.yuexiu_handler, ticket_id=ticket.pk)
    assert set(TicketHolding.objects.filter(ticket=ticket).values_list("org__code", flat=True)) == {"4401", "440106", "440104"}


def test_a_sibling_district_reads_nothing_until_it_holds_the_order(world):
    ticket = signed(world)
    with pytest.raises(NotFound):
        selectors.ticket_get_for(actor=world.yuexiu_handler, ticket_id=ticket.pk)
    assert not selectors.ticket_list(actor=world.yuexiu_handler).filter(pk=ticket.pk).exists()


def test_a_higher_org_reads_down_its_subtree_and_handlers_act_only_at_their_own_org(world):
    ticket = file(world.worker, district=world.tianhe).ticket
    dispatched(world, ticket, world.shipai)
    assert selectors.ticket_get_for(actor=world.district_admin, ticket_id=ticket.pk)
    with pytest.raises(PermissionDenied, match="石牌"):
        services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)  # a 天河区 handler is not the 街道's
    services.ticket_accept(actor=world.street_handler, ticket_id=ticket.pk)


def test_a_worker_sees_their_own_orders_and_only_the_steps_meant_for_them(world):
    ticket = signed(world)
    services.ticket_note(actor=world.handler, ticket_id=ticket.pk, text="内部：单位法人电话 020-8888")
    other = worker()
    assert list(selectors.my_tickets(actor=world.worker)) == [ticket]
    assert not selectors.my_tickets(actor=other).exists()
    with pytest.raises(NotFound):
        selectors.ticket_get_for(actor=other, ticket_id=ticket.pk)
    steps = selectors.ticket_timeline(actor=world.worker, ticket=ticket)
    assert all(event.visible_to_worker for event in steps) and EventKind.NOTE not in [e.kind for e in steps]


def test_anonymous_to_handlers_hides_the_caller_from_them_but_not_from_the_centre(world):
    ticket = signed(world, anonymous=True, caller_name="王大明")
    assert selectors.ticket_caller(actor=world.handler, ticket=ticket).hidden
    centre_view = selectors.ticket_caller(actor=world.agent, ticket=ticket)
    assert centre_view.name == "王*明" and centre_view.phone.count("*") == 4


# ---------------------------------------------------------------- intake


def test_the_same_form_token_twice_files_one_order(world):
    token = services.form_token_issue()
    first = file(world.worker, district=world.tianhe, form_token=token)
    again = file(world.worker, district=world.tianhe, form_token=token, title="另一标题")
    assert first.created and not again.created and again.ticket == first.ticket
    assert Ticket.objects.filter(filed_by=world.worker).count() == 1
    with pytest.raises(ApplicationError, match="表单已失效"):
        file(worker(), district=world.tianhe, form_token=token)  # someone else's token opens nothing


def test_the_same_matter_within_a_week_is_linked_to_the_open_order(world):
    first = file(world.worker, district=world.tianhe).ticket
    second = file(world.worker, district=world.tianhe, description="还是拖欠工资的问题，补充说明。")
    assert second.merged_into == first and second.ticket.state == State.MERGED and second.ticket.duplicate_of == first
    assert first.events.filter(kind=EventKind.MERGED).exists()
    other_category = file(world.worker, district=world.tianhe, category="legal_aid")
    assert other_category.merged_into is None
    caller = phone()
    by_phone = file(world.agent, district=world.tianhe, caller_phone=caller).ticket
    assert file(world.agent, district=world.tianhe, caller_phone=caller).merged_into == by_phone
    Ticket.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert file(world.worker, district=world.tianhe).merged_into is None


def test_numbers_are_unique_per_day_and_ordered(world):
    numbers = [file(worker(), district=world.tianhe).ticket.number for _ in range(3)]
    day = timezone.localdate().strftime("%Y%m%d")
    assert len(set(numbers)) == 3 and all(n.startswith(f"GH-{day}-") and len(n) == 18 for n in numbers)
    assert numbers == sorted(numbers)


def test_a_caller_without_an_account_gets_a_query_code_for_the_public_page(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        filing = file(None, district=world.tianhe)
    assert len(filing.query_code) == 8 and filing.query_code not in filing.ticket.query_code_index
    assert filing.query_code in MemoryBackend.outbox[-1].render()
    view = selectors.ticket_public_lookup(number=filing.ticket.number, query_code=filing.query_code)
    assert view.state_label == "待派单" and view.steps
    for number, code in ((filing.ticket.number, "00000000"), ("GH-20260101-000001", filing.query_code), ("", "")):
        with pytest.raises(NotFound):
            selectors.ticket_public_lookup(number=number, query_code=code)


def test_a_hotline_consult_answered_on_the_call_is_closed_at_once(world):
    filing = file(world.agent, district=world.tianhe, category="consult", quick_answer="经济补偿按工作年限每满一年支付一个月工资。")
    assert filing.ticket.state == State.CLOSED and filing.ticket.closing_kind == "direct"
    with pytest.raises(ApplicationError, match="只有热线来电的咨询"):
        file(world.agent, district=world.tianhe, quick_answer="直接答复")


def test_bad_input_is_refused_by_field_and_files_nothing(world):
    cases = [({"category": "gossip"}, "category"), ({"affected_count": 0}, "affected_count"), ({"title": "x"}, "title"),
             ({"caller_phone": "12"}, "caller_phone"), ({"employer_uscc": "91440101MA59XXXX"}, "employer_uscc"),
             ({"employer_name": "", "category": "complaint"}, "employer_name")]
    for fields, name in cases:
        with pytest.raises(ApplicationError) as refused:
            file(None, district=world.tianhe, **fields)
        assert name in refused.value.fields, (fields, refused.value.message)
    with pytest.raises(ApplicationError, match="请选择问题发生的地区"):
        file(None)
    with pytest.raises(ApplicationError):
        file(None, district=world.tianhe, channel=Channel.HOTLINE)  # the hotline is for agents
    assert not Ticket.objects.exists()


def test_a_rider_is_routed_to_the_districts_food_delivery_federation(world):
    federation = Org.objects.filter(path__startswith=world.tianhe.path, type=OrgType.SECTOR_FEDERATION, sector="food_delivery").first()
    if federation is None:
        federation = OrgFactory(parent=world.tianhe, type=OrgType.SECTOR_FEDERATION, sector="food_delivery", name="天河区外卖配送行业工会联合会")
    ticket = file(world.worker, district=world.tianhe, new_form_type="food_delivery", topic="platform").ticket
    assert services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk).holder == federation


# ---------------------------------------------------------------- limits: pause, 延期, 督办, 重新办理, 提级


def test_request_material_pauses_the_limit_and_adding_it_resumes(world, monkeypatch):
    ticket = signed(world)
    due = ticket.resolve_due_at
    start = timezone.now()
    services.ticket_request_material(actor=world.handler, ticket_id=ticket.pk, what="请提供工资条")
    ticket.refresh_from_db()
    assert ticket.paused_at is not None and ticket.state == State.WAITING_MATERIAL
    assert not selectors.ticket_list(actor=world.handler, filters=selectors.TicketFilters(overdue=True)).exists()
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(days=14))  # two weeks waiting on the worker
    services.ticket_material_add(actor=world.worker, ticket_id=ticket.pk, text="工资条已拍照上传")
    ticket.refresh_from_db()
    assert ticket.paused_at is None and ticket.state == State.IN_PROGRESS
    assert ticket.resolve_due_at > due + dt.timedelta(days=13)  # about ten working days of pause given back


def test_one_extension_approved_by_the_org_above(world):
    ticket = file(world.worker, district=world.tianhe).ticket
    dispatched(world, ticket, world.shipai)
    services.ticket_accept(actor=world.street_handler, ticket_id=ticket.pk)
    with pytest.raises(ApplicationError, match="1 到 10 个工作日"):
        services.extension_request(actor=world.street_handler, ticket_id=ticket.pk, amount=11, reason="需调查取证")
    extension = services.extension_request(actor=world.street_handler, ticket_id=ticket.pk, amount=3, reason="需调查取证")
    with pytest.raises(ApplicationError, match="等待审批"):
        services.extension_request(actor=world.street_handler, ticket_id=ticket.pk, amount=3, reason="需调查取证")
    with pytest.raises(NotFound):
        services.extension_decide(actor=world.yuexiu_handler, extension_id=extension.pk, approve=True)
    with pytest.raises(PermissionDenied):  # the street's own admin is not the org above
        services.extension_decide(actor=cadre_at(world.shipai), extension_id=extension.pk, approve=True)
    old_due = Ticket.objects.get(pk=ticket.pk).resolve_due_at
    decided = services.extension_decide(actor=world.district_admin, extension_id=extension.pk, approve=True)
    assert decided.new_due_at > old_due and decided.decided_org == world.tianhe
    with pytest.raises(ApplicationError, match="已延期过一次"):
        services.extension_request(actor=world.street_handler, ticket_id=ticket.pk, amount=2, reason="还需时间")


def test_supervision_comes_from_above_and_tells_the_holder(world):
    ticket = signed(world)
    with pytest.raises(PermissionDenied):
        services.ticket_supervise(actor=world.handler, ticket_id=ticket.pk, note="自己督办自己")
    supervision = services.ticket_supervise(actor=world.city_admin, ticket_id=ticket.pk, note="涉及人数多，请加快办理")
    assert supervision.org == world.city and supervision.holder == world.tianhe
    assert Notification.objects.filter(recipient=world.handler, template_code="tickets.for_org", body__contains="督办").exists()


def test_dissatisfied_reopens_once_then_goes_to_the_org_above(world):
    ticket = file(world.worker, district=world.tianhe).ticket
    dispatched(world, ticket, world.shipai)
    services.ticket_accept(actor=world.street_handler, ticket_id=ticket.pk)
    services.ticket_reply(actor=world.street_handler, ticket_id=ticket.pk, text="已与单位沟通，单位称下月发放。")
    with pytest.raises(ApplicationError, match="不满意的原因"):
        services.ticket_follow_up(actor=world.worker, ticket_id=ticket.pk, result="dissatisfied")
    reopened = services.ticket_follow_up(actor=world.worker, ticket_id=ticket.pk, result="dissatisfied", comment="只是口头承诺")
    assert reopened.state == State.IN_PROGRESS and reopened.reopen_count == 1 and reopened.holder == world.shipai
    services.ticket_reply(actor=world.street_handler, ticket_id=ticket.pk, text="单位仍未支付，已建议申请劳动仲裁。")
    escalated = services.ticket_follow_up(actor=world.agent, ticket_id=ticket.pk, result="dissatisfied", comment="问题没有解决")
    assert escalated.state == State.ASSIGNED and escalated.holder == world.tianhe and escalated.escalated


def test_an_unanswered_follow_up_is_recorded_as_such_never_as_satisfied(world):
    ticket = signed(world)
    services.ticket_reply(actor=world.handler, ticket_id=ticket.pk, text="已协调单位支付拖欠的工资。")
    with pytest.raises(ApplicationError):
        services.ticket_follow_up(actor=world.worker, ticket_id=ticket.pk, result="unreached")  # only an agent records it
    closed = services.ticket_follow_up(actor=world.agent, ticket_id=ticket.pk, result="unreached")
    assert closed.state == State.CLOSED and closed.satisfaction == "unreached"
    assert closed.follow_ups.get().result == "unreached"


def test_a_referral_closes_with_the_agency_and_the_date(world):
    ticket = signed(world)
    with pytest.raises(ApplicationError, match="转交日期"):
        services.ticket_reply(actor=world.handler, ticket_id=ticket.pk, text="属劳动仲裁受理范围，已转交仲裁院。", agency="arbitration")
    services.ticket_reply(actor=world.handler, ticket_id=ticket.pk, text="属劳动仲裁受理范围，已转交仲裁院。", agency="arbitration",
                          referred_on=timezone.localdate())
    closed = services.ticket_follow_up(actor=world.agent, ticket_id=ticket.pk, result="basic")
    assert closed.closing_kind == "referred" and closed.referral_agency == "arbitration" and closed.referred_on == timezone.localdate()


def test_urgent_orders_go_to_whoever_is_on_duty_and_to_the_org_above_when_nobody_is(world):
    ticket = file(world.worker, district=world.tianhe, urgency="urgent").ticket
    dispatched(world, ticket, world.shipai)
    ticket.refresh_from_db()
    assert ticket.accept_due_at - ticket.dispatched_at == dt.timedelta(minutes=30)
    told = set(Notification.objects.filter(template_code="tickets.for_org", body__contains=ticket.number).filter(body__contains="新派工单")
               .values_list("recipient", flat=True))
    assert {world.street_handler.pk, world.handler.pk} <= told  # nobody on duty at the 街道: 天河区 hears too
    now = timezone.now()
    services.duty_shift_add(actor=world.district_admin, org=world.shipai, user=world.street_handler, starts_at=now - dt.timedelta(hours=1),
                            ends_at=now + dt.timedelta(hours=11))
    second = file(worker(), district=world.tianhe, urgency="urgent").ticket
    dispatched(world, second, world.shipai)
    told = set(Notification.objects.filter(template_code="tickets.for_org", body__contains=second.number).filter(body__contains="新派工单")
               .values_list("recipient", flat=True))
    assert told == {world.street_handler.pk}


# ---------------------------------------------------------------- attachments


def test_photos_lose_their_location_and_other_files_are_refused(world):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (23.0, 8.0, 0.0)}  # GPS
    photo = picture("JPEG", exif=exif.tobytes())
    filing = file(world.worker, district=world.tianhe, uploads=[SimpleUploadedFile("现场.jpg", photo)])
    stored = filing.ticket.attachments.get()
    assert stored.from_worker and b"Exif" not in stored.file.read()
    with pytest.raises(ApplicationError, match="不是"):
        file(worker(), district=world.tianhe, uploads=[SimpleUploadedFile("证据.pdf", EXE)])
    opened = services.attachment_open(actor=world.worker, attachment_id=stored.pk)
    assert opened == stored
    with pytest.raises(NotFound):
        services.attachment_open(actor=worker(), attachment_id=stored.pk)
    handler_file = services.ticket_attach(actor=world.handler, ticket_id=signed(world, employer_name="广州另一家物流有限公司").pk,
                                          uploads=[SimpleUploadedFile("约谈记录.png", PNG)])[0]
    with pytest.raises(NotFound):  # a handler's internal file is not the worker's to open
        services.attachment_open(actor=world.worker, attachment_id=handler_file.pk)


def test_time_limit_policies_are_changed_by_province_administrators_only(world, org):
    policy = SlaPolicy.objects.get(category="complaint", urgency="normal", tier="general")
    with pytest.raises(PermissionDenied):
        services.sla_policy_set(actor=world.city_admin, policy_id=policy.pk, limits={"resolve": (7, "working_days")})
    province = cadre_at(org("44"))
    with pytest.raises(ApplicationError, match="时限单位"):
        services.sla_policy_set(actor=province, policy_id=policy.pk, limits={"resolve": (7, "fortnights")})
    changed = services.sla_policy_set(actor=province, policy_id=policy.pk, limits={"resolve": (7, "working_days"), "extension_max": 8})
    assert (changed.resolve_amount, changed.extension_max) == (7, 8)
    assert AuditEvent.objects.filter(action="tickets.sla_policy.updated", object_id=str(policy.pk)).exists()
