"""The 诉求工单 pages as people use them: a worker files on H5 and follows the order, a caller without an account follows it
by 查询码, the 12351 agent takes a call, a 天河 handler works the desk. Each refusal keeps what was typed and changes
nothing; another district's order and another worker's order answer as a missing one."""
import pytest
from django.urls import reverse

from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import NOT_FOUND_MESSAGE
from gonghui.notify.sms import MemoryBackend
from gonghui.tickets import services
from gonghui.tickets.models import State, Ticket
from gonghui.tickets.tests.factories import file, worker

pytestmark = pytest.mark.django_db
MISSING = 987654321


def h5_form(client, **changes) -> dict:
    page = client.get(reverse("tickets_h5:new")).content.decode()
    token = page.split('name="form_token" value="')[1].split('"')[0]
    return {"form_token": token, "category": "complaint", "topic": "wages", "title": "三个月未发工资",
            "description": "公司从九月起拖欠工资，多次讨要无果。", "affected_count": "12", "district": "", "employer_name": "广州某某餐饮有限公司",
            "employer_uscc": "", "new_form_type": "", "caller_name": "", "caller_phone": "", "contact_preference": "phone", **changes}


def dispatched_to_tianhe(world, employer_name: str = "广州某某餐饮有限公司"):
    ticket = file(world.worker, district=world.tianhe, employer_name=employer_name).ticket
    return services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.tianhe)


class TestWorkerOnH5:
    def test_files_once_even_when_the_form_is_sent_twice_and_sees_it_in_my_orders(self, client, world):
        client.force_login(world.worker)
        form = h5_form(client, district=str(world.tianhe.pk))
        first = client.post(reverse("tickets_h5:new"), form)
        again = client.post(reverse("tickets_h5:new"), form)
        ticket = Ticket.objects.get()
        assert first.status_code == again.status_code == 200 and ticket.number in first.content.decode()
        assert "已提交过" in again.content.decode() and ticket.filed_by == world.worker and ticket.affected_count == 12
        mine = client.get(reverse("tickets_h5:mine")).content.decode()
        assert ticket.number in mine and "三个月未发工资" in mine

    def test_a_refused_form_keeps_what_was_typed(self, client, world):
        client.force_login(world.worker)
        page = client.post(reverse("tickets_h5:new"), h5_form(client, title="三个月未发工资啊", district="")).content.decode()
        assert "请选择问题发生的地区" in page and "三个月未发工资啊" in page and not Ticket.objects.exists()

    def test_a_caller_without_an_account_gets_a_query_code_and_follows_the_order_by_it(self, client, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("tickets_h5:new"), h5_form(client, district=str(world.tianhe.pk), caller_phone="13812345678"))
        ticket = Ticket.objects.get()
        code = response.content.decode().split('class="mono secret">')[1].split("<")[0]
        assert len(code) >= 6 and any(code in message.text for message in MemoryBackend.outbox)
        found = client.post(reverse("tickets_h5:query"), {"number": ticket.number, "code": code}).content.decode()
        assert "待派单" in found and "诉求已受理" in found
        wrong = client.post(reverse("tickets_h5:query"), {"number": ticket.number, "code": "000000" if code != "000000" else "111111"})
        unknown = client.post(reverse("tickets_h5:query"), {"number": "GH-20990101-000001", "code": code})
        assert "工单编号或查询码不正确" in wrong.content.decode() and "工单编号或查询码不正确" in unknown.content.decode()
        assert ticket.title not in wrong.content.decode()

    def test_rates_dissatisfied_and_the_order_is_handled_again(self, client, world):
        ticket = dispatched_to_tianhe(world)
        services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)
        services.ticket_reply(actor=world.handler, ticket_id=ticket.pk, text="已约谈单位，单位承诺月底前补发。")
        client.force_login(world.worker)
        detail = client.get(reverse("tickets_h5:detail", args=[ticket.pk])).content.decode()
        assert "请评价办理结果" in detail and "已约谈单位" in detail
        response = client.post(reverse("tickets_h5:act", args=[ticket.pk]), {"op": "follow_up", "result": "dissatisfied", "comment": "没有补发"})
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.state == State.IN_PROGRESS and ticket.reopen_count == 1

    def test_another_workers_order_answers_as_a_missing_one(self, client, world):
        ticket = file(world.worker, district=world.tianhe).ticket
        client.force_login(worker())
        other, missing = client.get(reverse("tickets_h5:detail", args=[ticket.pk])), client.get(reverse("tickets_h5:detail", args=[MISSING]))
        assert other.status_code == missing.status_code == 404 and NOT_FOUND_MESSAGE in other.content.decode()
        assert client.post(reverse("tickets_h5:act", args=[ticket.pk]), {"op": "withdraw"}).status_code == 404
        assert Ticket.objects.get().state == State.RECEIVED


class TestHandlerDesk:
    def test_the_desk_lists_the_queue_with_its_clock_and_bulk_signs(self, client, world):
        first, second = dispatched_to_tianhe(world), dispatched_to_tianhe(world, "广州另一家物流有限公司")  # two matters, not a duplicate
        client.force_login(world.handler)
        page = client.get(reverse("tickets:list"), {"queue": "accept"}).content.decode()
        assert first.number in page and second.number in page and "剩余" in page
        response = client.post(reverse("tickets:bulk"), {"op": "accept", "ids": [first.pk, second.pk, MISSING]})
        assert response.status_code == 302
        assert set(Ticket.objects.values_list("state", flat=True)) == {State.ACCEPTED}
        assert client.get(reverse("tickets:list"), {"q": first.number}).content.decode().count(first.number) >= 1

    def test_a_handler_signs_notes_and_replies_on_the_detail_page(self, client, world):
        ticket = dispatched_to_tianhe(world)
        client.force_login(world.handler)
        act = reverse("tickets:act", args=[ticket.pk])
        assert client.post(act, {"op": "accept"}).status_code == 302
        refused = client.post(act, {"op": "reply", "text": "短"})
        assert refused.status_code == 400 and 'value="reply"' in refused.content.decode()
        assert client.post(act, {"op": "reply", "text": "已约谈单位，单位承诺月底前补发。"}).status_code == 302
        assert Ticket.objects.get().state == State.REPLIED
        assert client.post(act, {"op": "accept"}).status_code == 400  # wrong state: refused, nothing changes
        assert Ticket.objects.get().state == State.REPLIED

    def test_the_centre_names_a_party_and_a_mistyped_one_is_kept_and_refused(self, client, world):
        ticket = file(world.worker, district=world.tianhe).ticket
        client.force_login(world.agent)
        act = reverse("tickets:act", args=[ticket.pk])
        refused = client.post(act, {"op": "party_add", "kind": "employer", "uscc": "91440106ABC", "note": "劳务派遣单位"})
        body = refused.content.decode()
        assert refused.status_code == 400 and "统一社会信用代码不正确" in body and 'value="91440106ABC"' in body and "劳务派遣单位" in body
        assert client.post(act, {"op": "party_add", "kind": "org", "org_code": world.shipai.code, "note": "反映街道工会推诿"}).status_code == 302
        page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
        assert "被反映对象（回避）" in page and world.shipai.name in page
        client.force_login(world.worker)
        assert world.shipai.name not in client.get(reverse("tickets_h5:detail", args=[ticket.pk])).content.decode()

    def test_another_districts_order_answers_as_a_missing_one(self, client, world):
        ticket = dispatched_to_tianhe(world)
        client.force_login(world.yuexiu_handler)
        for name in ("tickets:detail",):
            other, missing = client.get(reverse(name, args=[ticket.pk])), client.get(reverse(name, args=[MISSING]))
            assert other.status_code == missing.status_code == 404
        assert client.post(reverse("tickets:act", args=[ticket.pk]), {"op": "accept"}).status_code == 404
        assert ticket.number not in client.get(reverse("tickets:list")).content.decode()
        assert Ticket.objects.get().state == State.ASSIGNED

    def test_the_export_is_an_audited_xlsx_of_the_filtered_list(self, client, world):
        dispatched_to_tianhe(world)
        client.force_login(world.handler)
        response = client.get(reverse("tickets:export"), {"queue": "accept"})
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert AuditEvent.objects.filter(action="tickets.ticket.exported").count() == 1


def hotline_form(client, **changes) -> dict:
    page = client.get(reverse("tickets:hotline")).content.decode()
    token = page.split('name="form_token" value="')[1].split('"')[0]
    return {"form_token": token, "caller_phone": "13812345678", "category": "consult", "topic": "contract", "urgency": "normal",
            "tier": "general", "title": "试用期多长", "description": "三年合同试用期最长多久？", "affected_count": "1",
            "contact_preference": "phone", **changes}


class TestHotline:
    def test_a_pure_consultation_is_answered_and_closed_on_the_call(self, client, world):
        client.force_login(world.agent)
        response = client.post(reverse("tickets:hotline"), hotline_form(
            client, district=str(world.tianhe.pk), quick_answer="三年以上固定期限合同试用期不得超过六个月。"))
        ticket = Ticket.objects.get()
        assert response.status_code == 302 and ticket.state == State.CLOSED and ticket.closing_kind == "direct"

    def test_the_agent_picks_the_employer_from_the_ledger_and_keeps_it_after_a_refusal(self, client, world):
        from gonghui.orgs.tests.factories import EmployerFactory

        employer = EmployerFactory(town=world.shipai, name="广州石牌某物流有限公司")
        client.force_login(world.agent)
        page = client.get(reverse("tickets:hotline")).content.decode()
        assert 'id="id_employer_query"' in page and page.count('name="employer_id"') == 1
        refused = client.post(reverse("tickets:hotline"), hotline_form(client, category="complaint", topic="wages", title="",
                                                                      employer_id=str(employer.pk)))
        body = refused.content.decode()
        assert refused.status_code == 200 and not Ticket.objects.exists()
        assert 'data-employer-label="广州石牌某物流有限公司"' in body and body.count('name="employer_id"') == 1
        client.post(reverse("tickets:hotline"), hotline_form(client, category="complaint", topic="wages", title="拖欠三个月工资",
                                                             employer_id=str(employer.pk), district=str(world.tianhe.pk)))
        assert Ticket.objects.get().employer == employer

    def test_a_forged_employer_id_is_not_shown_as_chosen(self, client, world):
        client.force_login(world.agent)
        refused = client.post(reverse("tickets:hotline"), hotline_form(client, title="", employer_id=str(MISSING))).content.decode()
        assert 'data-employer-id=""' in refused and 'data-employer-label=""' in refused

    def test_a_worker_cannot_open_the_agent_screen(self, client, world):
        client.force_login(world.handler)
        assert client.get(reverse("tickets:hotline")).status_code == 403


class TestAttachments:
    def test_a_photo_filed_on_h5_opens_for_the_handler_only_through_the_audited_view(self, client, world):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from gonghui.core.tests.files import EXE, PNG

        client.force_login(world.worker)
        refused = client.post(reverse("tickets_h5:new"), {**h5_form(client, district=str(world.tianhe.pk)),
                                                          "files": [SimpleUploadedFile("工资条.exe", EXE)]})
        assert refused.status_code == 200 and "三个月未发工资" in refused.content.decode() and not Ticket.objects.exists()
        client.post(reverse("tickets_h5:new"), {**h5_form(client, district=str(world.tianhe.pk)),
                                                "files": [SimpleUploadedFile("工资条.png", PNG, content_type="image/png")]})
        ticket = Ticket.objects.get()
        attachment = ticket.attachments.get()
        services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.tianhe)
        client.force_login(world.handler)
        assert reverse("tickets:attachment", args=[attachment.pk]) in client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
        download = client.get(reverse("tickets:attachment", args=[attachment.pk]))
        assert download.status_code == 200 and b"".join(download.streaming_content)[:8] == PNG[:8]
        assert AuditEvent.objects.filter(action="tickets.attachment.viewed").count() == 1
        client.force_login(world.yuexiu_handler)
        assert client.get(reverse("tickets:attachment", args=[attachment.pk])).status_code == 404
        assert AuditEvent.objects.filter(action="tickets.attachment.viewed").count() == 1


def test_the_follow_up_queue_is_the_centres_not_the_holders(client, world):
    ticket = dispatched_to_tianhe(world)
    services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)
    services.ticket_reply(actor=world.handler, ticket_id=ticket.pk, text="已约谈单位，单位承诺月底前补发。")
    client.force_login(world.district_admin)  # 天河区总 holds the order and the follow_up action, but 回访 is 市总's
    assert ticket.number not in client.get(reverse("tickets:list"), {"queue": "follow_up"}).content.decode()
    client.force_login(world.agent)
    assert ticket.number in client.get(reverse("tickets:list"), {"queue": "follow_up"}).content.decode()


def test_a_caller_without_an_account_adds_material_by_query_code(client, world):
    filing = file(None, district=world.tianhe)
    ticket = services.ticket_dispatch(actor=world.agent, ticket_id=filing.ticket.pk, org=world.tianhe)
    services.ticket_accept(actor=world.handler, ticket_id=ticket.pk)
    services.ticket_request_material(actor=world.handler, ticket_id=ticket.pk, what="请补充工资条或考勤记录")
    query = reverse("tickets_h5:query")
    page = client.post(query, {"number": ticket.number, "code": filing.query_code}).content.decode()
    assert "请补充工资条" in page and "提交材料" in page
    short = client.post(query, {"op": "material_add", "number": ticket.number, "code": filing.query_code, "text": "好"}).content.decode()
    assert "请填写补充说明（至少2个字）" in short and ">好<" in short and Ticket.objects.get().state == State.WAITING_MATERIAL
    forged = client.post(query, {"op": "material_add", "number": ticket.number, "code": "000000", "text": "这是补充的考勤记录"})
    assert "工单编号或查询码不正确" in forged.content.decode() and Ticket.objects.get().state == State.WAITING_MATERIAL
    done = client.post(query, {"op": "material_add", "number": ticket.number, "code": filing.query_code, "text": "这是补充的考勤记录"})
    assert "已补充材料" in done.content.decode()
    assert Ticket.objects.get().state == State.IN_PROGRESS and Ticket.objects.get().paused_at is None


def test_an_employer_chosen_from_the_ledger_is_kept_after_a_refusal_and_filed(client, world):
    from gonghui.orgs.tests.factories import EmployerFactory

    employer = EmployerFactory(town=world.shipai, name="广州石牌某科技有限公司")
    client.force_login(world.worker)
    refused = client.post(reverse("tickets_h5:new"), h5_form(client, employer_id=str(employer.pk), employer_name="", title="")).content.decode()
    assert 'data-employer-label="广州石牌某科技有限公司"' in refused and not Ticket.objects.exists()
    client.post(reverse("tickets_h5:new"), h5_form(client, employer_id=str(employer.pk), employer_name="", district=str(world.tianhe.pk)))
    assert Ticket.objects.get().employer == employer


def test_bulk_dispatch_routes_each_order_and_reports_the_refused(world):
    waiting = [file(world.worker, district=world.tianhe, employer_name=f"广州第{n}餐饮有限公司").ticket for n in range(3)]
    services.ticket_dispatch(actor=world.agent, ticket_id=waiting[0].pk, org=world.tianhe)  # already sent: refused, the rest go on
    outcome = services.tickets_bulk(actor=world.agent, op="dispatch", ticket_ids=[t.pk for t in waiting] + [MISSING])
    assert outcome.done == 2 and [pk for pk, _ in outcome.refused] == [waiting[0].pk, MISSING]
    assert set(Ticket.objects.values_list("state", flat=True)) == {State.ASSIGNED}
    with pytest.raises(services.ApplicationError, match="一次最多处理"):
        services.tickets_bulk(actor=world.agent, op="accept", ticket_ids=list(range(1, services.BULK_AT_ONCE + 2)))


class TestDutyRoster:
    @staticmethod
    def tomorrow() -> str:
        """A day that is always ahead (a fixed date became today, and the shift no longer 待值班)."""
        import datetime as dt

        from django.utils import timezone

        return f"{timezone.localdate() + dt.timedelta(days=1):%Y-%m-%d}"

    def shift(self, world, **changes) -> dict:
        return {"org_code": world.tianhe.code, "username": world.colleague.username, "starts_at": f"{self.tomorrow()}T08:00",
                "ends_at": f"{self.tomorrow()}T20:00", **changes}

    def test_a_handler_puts_a_colleague_on_duty_and_a_refusal_keeps_the_form(self, client, world):
        from gonghui.tickets.models import DutyShift

        client.force_login(world.handler)
        early = f"{self.tomorrow()}T07:00"
        refused = client.post(reverse("tickets:duty"), self.shift(world, ends_at=early))
        body = refused.content.decode()
        assert refused.status_code == 200 and "结束时间须晚于开始时间" in body and f'value="{early}"' in body
        assert not DutyShift.objects.exists()
        assert client.post(reverse("tickets:duty"), self.shift(world)).status_code == 302
        shift = DutyShift.objects.get()
        assert shift.user == world.colleague and shift.org == world.tianhe
        listing = client.get(reverse("tickets:duty")).content.decode()
        assert str(world.colleague) in listing and "待值班" in listing
        assert client.post(reverse("tickets:duty_remove", args=[shift.pk])).status_code == 302
        assert not DutyShift.objects.exists()
        assert AuditEvent.objects.filter(action="tickets.duty_shift.removed").count() == 1

    def test_another_districts_shift_answers_as_a_missing_one_and_an_ended_one_stays(self, client, world):
        import datetime as dt

        from django.utils import timezone

        from gonghui.tickets.models import DutyShift

        now = timezone.now()
        theirs = services.duty_shift_add(actor=world.yuexiu_handler, org=world.yuexiu, user=world.yuexiu_handler,
                                         starts_at=now, ends_at=now + dt.timedelta(hours=8))
        client.force_login(world.handler)
        assert client.post(reverse("tickets:duty_remove", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("tickets:duty_remove", args=[MISSING])).status_code == 404
        assert str(world.yuexiu_handler) not in client.get(reverse("tickets:duty")).content.decode()
        ended = DutyShift.objects.create(org=world.tianhe, user=world.handler, starts_at=now - dt.timedelta(days=2),
                                         ends_at=now - dt.timedelta(days=1))
        client.post(reverse("tickets:duty_remove", args=[ended.pk]))
        assert DutyShift.objects.filter(pk=ended.pk).exists()
        assert str(world.handler) in client.get(reverse("tickets:duty"), {"when": "past"}).content.decode()
