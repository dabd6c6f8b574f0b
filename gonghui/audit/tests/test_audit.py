"""The audit log is append-only and hash-chained; tampering is found and named."""
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from gonghui.audit.models import AuditEvent, AuditImmutable
from gonghui.audit.services import audit_log, audit_seal_pending, audit_verify
from gonghui.audit.tasks import verify_audit_chain
from gonghui.audit.tests.tampering import as_table_owner
from gonghui.orgs import imports, services
from gonghui.orgs.models import OrgType
from gonghui.orgs.tests.test_imports import EMPLOYER_HEADER, employer_row, xlsx

pytestmark = pytest.mark.django_db


def make_events(count: int, actor=None) -> list[AuditEvent]:
    """`count` sealed events after whatever the session's setup already logged (loading the divisions)."""
    audit_seal_pending()
    events = [audit_log(actor=actor, action="tests.thing.done", data={"n": i}) for i in range(count)]
    audit_seal_pending()
    return [AuditEvent.objects.get(pk=e.pk) for e in events]


def test_events_are_chained_in_order():
    events = make_events(5)
    first = events[0].seq
    assert [e.seq for e in events] == list(range(first, first + 5))
    assert all(b.prev_hash == a.hash for a, b in pairwise(events))
    assert audit_verify().ok and audit_verify().checked == events[-1].seq


def test_services_write_events_with_who_where_and_what(org, cadre, client):
    user = cadre("440106")
    client.force_login(user)
    client.patch(f"/api/orgs/{org('440106006').pk}", {"contact_name": "李雷"}, content_type="application/json",
                 HTTP_USER_AGENT="pytest-browser/1.0", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action="orgs.org.updated")
    assert (event.actor, event.ip, event.user_agent) == (user, "10.1.2.3", "pytest-browser/1.0")
    assert event.org_path == org("440106006").path
    assert event.data["after"] == {"contact_name": "李雷"}


def test_pii_never_reaches_the_log_in_clear():
    event = audit_log(actor=None, action="tests.pii", data={"note": "手机13812345678，身份证11010519491231002X"})
    assert event.data["note"] == "手机138****5678，身份证1101**********002X"


def test_the_orm_refuses_to_change_or_delete_events():
    event = make_events(1)[0]
    event.action = "tests.rewritten"
    with pytest.raises(AuditImmutable):
        event.save()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditImmutable):
        event.delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.all().delete()


def test_tampering_one_row_by_raw_sql_is_named_by_verify_audit():
    events = make_events(6)
    as_table_owner("UPDATE audit_auditevent SET data = %s WHERE id = %s", ['{"n": 999}', events[3].pk])
    report = audit_verify()
    seq = events[3].seq
    assert (report.ok, report.broken_event_id, report.broken_seq, report.checked) == (False, events[3].pk, seq, seq - 1)
    with pytest.raises(CommandError, match=f"第 {seq} 条（id={events[3].pk}）内容与哈希不符"):
        call_command("verify_audit")


def test_deleting_a_row_breaks_the_chain_at_the_next_one():
    events = make_events(4)
    as_table_owner("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    report = audit_verify()
    assert report.broken_event_id == events[2].pk and "缺失" in report.reason


def test_a_clean_chain_verifies(capsys):
    last = make_events(3)[-1]
    call_command("verify_audit")
    assert f"共校验 {last.seq} 条" in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
def test_postgresql_trigger_refuses_raw_update_and_delete():
    event = make_events(1)[0]
    for sql in ("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
        # a role allowed to pause triggers for bulk imports (decision 0008) still cannot get past this one
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, [event.pk])


def test_a_bulk_import_writes_one_event_per_batch(org):
    services.org_create(actor=None, name="批量前", type=OrgType.ENTERPRISE, parent=org("440106001"))
    before = AuditEvent.objects.count()
    imports.employer_import_xlsx(actor=None, data=xlsx(EMPLOYER_HEADER, [employer_row(name=f"批{i}") for i in range(50)]))
    assert AuditEvent.objects.count() == before + 1


def test_the_nightly_check_alerts_administrators_when_the_chain_breaks(settings, mailoutbox, caplog):
    settings.ADMINS = [("安全管理员", "security@example.org")]
    events = make_events(3)
    verify_audit_chain.call_local()
    assert mailoutbox == []
    as_table_owner("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["冒名", events[1].pk])
    verify_audit_chain.call_local()
    assert len(mailoutbox) == 1 and "审计日志校验失败" in mailoutbox[0].subject
    assert f"id={events[1].pk}" in mailoutbox[0].body and "审计日志" in caplog.text


def test_admin_login_goes_through_the_workbench_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"
