"""The audit page as a district cadre reads it: Chinese action names, the object's own name, the operator's name, data
as label → value with PII masked, and batch events found by the cadres of the org they concern."""
import re
from pathlib import Path

import pytest
from django.urls import reverse

from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.audit.labels import action_label
from gonghui.audit.models import AuditEvent
from gonghui.audit.services import audit_log
from gonghui.members import exports, imports, services
from gonghui.members.tests.factories import join, worker
from gonghui.members.tests.test_imports import csv_bytes, good_row
from gonghui.orgs import services as org_services

pytestmark = pytest.mark.django_db
SOURCE = Path(__file__).resolve().parents[2]


@pytest.fixture
def tianhe(org):
    return PostFactory(org=org("440106"), user=UserFactory(username="wb4d35f5cb3c1", display_name="陈志强")).user


@pytest.fixture
def yuexiu(org):
    return PostFactory(org=org("440104"), user=UserFactory(display_name="越秀干部")).user


def page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("audit:search"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_import_batch_is_found_by_the_importing_districts_cadre_and_not_by_another(client, org, tianhe, yuexiu):
    imports.member_import(actor=tianhe, data=csv_bytes([good_row(name=f"导入{i}") for i in range(3)]))
    event = AuditEvent.objects.get(action="members.membership.imported_batch")
    assert event.org_path == org("440106006").path
    html = page(client, tianhe, action="members.membership.imported_batch")
    assert "批量导入会员" in html and "陈志强" in html and org("440106006").name in html
    assert "行数：</span>3" in html and "wb4d35f5cb3c1" not in html
    assert "批量导入会员</td>" not in page(client, yuexiu)


def test_an_import_with_no_good_row_belongs_to_the_importers_scope(org, tianhe):
    imports.member_import(actor=tianhe, data=csv_bytes([good_row(town="999999")]), mode="good_rows")
    assert AuditEvent.objects.get(action="members.membership.imported_batch").org_path == org("440106").path


def test_a_masked_export_is_audited_where_the_list_was_narrowed(org, tianhe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.member_export_request(actor=tianhe, fmt="csv", within=org("440106006"))
    event = AuditEvent.objects.get(action="members.membership.exported")
    assert (event.org_path, event.object_repr, event.data["rows"]) == (org("440106006").path, f"会员导出 #{job.pk}", 0)


def test_the_page_names_actions_objects_operators_and_fields_in_chinese(client, org, tianhe):
    applicant = worker(display_name="")
    application = join(applicant=applicant, name="张小三", town_code="440106006")
    services.application_approve(actor=tianhe, application_id=application.pk)
    org_services.org_update(actor=tianhe, org=org("440106006"), contact_name="李雷")
    html = page(client, tianhe)
    assert "批准入会申请" in html and "提交入会申请" in html and "修改组织信息" in html
    assert "入会申请</span><br>张*三的入会申请" in html and "JoinApplication object" not in html
    assert "职工 张*三" in html and applicant.username not in html  # the worker by masked name, not the machine name
    assert "联系人：</span>— → 李雷" in html
    assert "members.application.approved" not in re.sub(r'(title|value)="[^"]*"', "", html)  # codes only in tooltips and filter values


def test_pii_in_event_data_is_masked_on_the_page(client, org, tianhe):
    audit_log(actor=tianhe, action="members.tags.changed", org_path=org("440106").path,
              data={"added": ["电话13812345678"], "reason": "身份证11010519491231002X"})
    html = page(client, tianhe)
    assert "138****5678" in html and "1101**********002X" in html
    assert "13812345678" not in html and "11010519491231002X" not in html


def test_events_written_before_labels_are_named_from_the_model_and_account(client, org, tianhe):
    application = join(name="王大锤", town_code="440106006")
    AuditEvent.objects.create(actor=tianhe, actor_name=tianhe.username, action="members.application.approved",
                              object_type="members.joinapplication", object_id=str(application.pk),
                              object_repr=f"JoinApplication object ({application.pk})", org_path=org("440106").path)
    html = page(client, tianhe, action="members.application.approved")
    assert "王*锤的入会申请" in html and "陈志强" in html and "JoinApplication object" not in html


def test_filters_by_org_date_and_operator_with_chinese_messages(client, org, tianhe, yuexiu):
    audit_log(actor=tianhe, action="members.tags.changed", org_path=org("440106006").path, data={"added": ["甲"]})
    audit_log(actor=tianhe, action="members.tags.changed", org_path=org("440106001").path, data={"added": ["乙"]})
    narrowed = page(client, tianhe, within=org("440106006").pk)
    assert "甲" in narrowed and "乙</div>" not in narrowed
    assert "乙" in page(client, tianhe, actor="陈志")
    assert "没有符合条件的记录" in page(client, tianhe, actor="别人")
    assert "开始日期“2026-13-01”不是有效日期" in page(client, tianhe, **{"from": "2026-13-01"})
    assert "开始日期晚于结束日期" in page(client, tianhe, **{"from": "2026-12-02", "to": "2026-12-01"})
    client.force_login(yuexiu)
    assert client.get(reverse("audit:search"), {"within": org("440106").pk}).status_code == 404  # as for a missing org
    assert client.get(reverse("audit:search"), {"within": 987654321}).status_code == 404


def test_the_list_is_paged(client, org, tianhe):
    for n in range(31):
        audit_log(actor=tianhe, action="members.tags.changed", org_path=org("440106").path, data={"added": [f"标签{n}"]})
    html = page(client, tianhe)
    assert "共 31 条" in html and "第 1 / 2 页" in html and "标签0<" not in html
    assert "标签0<" in page(client, tianhe, page=2)


def test_every_audit_action_in_the_code_has_a_chinese_label():
    written = set()
    for path in SOURCE.glob("*/**/*.py"):
        if "tests" in path.parts:
            continue
        written |= set(re.findall(r'audit_log\(\s*actor=[^,]+,\s*action="([a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert len(written) > 50
    assert [code for code in sorted(written) if action_label(code) == code] == []
