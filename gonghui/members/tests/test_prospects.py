"""潜在会员: matched by blind index, no plaintext kept, coverage by county and type, purged on time."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import NotFound
from gonghui.jobs.models import Job
from gonghui.members import prospects, services
from gonghui.members.models import Prospect, ProspectList
from gonghui.members.tests.factories import join, new_id_number
from gonghui.members.tests.test_imports import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(org):
    return PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user


@pytest.fixture
def upload(manager, org):
    member_id = new_id_number(region="440106")
    services.application_approve(actor=None, application_id=join(id_number=member_id, town_code="440106006").pk)
    ids = [member_id, new_id_number(region="440106"), new_id_number(region="440811"), new_id_number(region="440811")]
    rows = [["张一", ids[0], "13800000001", "", "", "货车司机", ""], ["张二", ids[1], "13800000002", "", "", "货车司机", ""],
            ["张三", ids[2], "13800000003", "", "", "货车司机", ""], ["张四", ids[3], "", "", "", "", ""], ["坏行", "123", "", "", "", "", ""]]
    data = csv_bytes(rows)
    prospect_list, skipped = prospects.prospect_list_upload(actor=manager, org=org("440106"), source="某货运平台", data=data)
    return prospect_list, skipped, ids


def test_matching_reports_members_and_targets_by_county_and_type(upload):
    prospect_list, skipped, _ = upload
    assert (prospect_list.total, prospect_list.already_members, skipped) == (4, 1, 1)
    rows = {(r["region"], r["form"]): (r["total"], r["members"]) for r in prospects.prospect_summary(prospect_list=prospect_list)}
    assert rows[("天河区总工会", "货车司机")] == (2, 1) and rows[("麻章区总工会", "货车司机")] == (1, 0)
    assert prospects.prospect_targets(prospect_list=prospect_list).count() == 3


def test_no_plaintext_is_kept(upload):
    _, _, ids = upload
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_prospect")
        raw = str(cursor.fetchall())
    assert all(identity not in raw for identity in ids) and "张一" not in raw and "13800000001" not in raw
    assert "张*" in raw and "138****0001" in raw
    assert not any(identity in str(event.data) for event in AuditEvent.objects.all() for identity in ids)


def test_lists_are_purged_on_their_date_and_the_purge_is_audited(upload):
    prospect_list, _, _ = upload
    assert prospects.prospects_purge(today=prospect_list.purge_on - dt.timedelta(days=1)) == 0
    assert prospects.prospects_purge(today=prospect_list.purge_on) == 4
    prospect_list.refresh_from_db()
    assert prospect_list.purged_at and prospect_list.total == 4 and not Prospect.objects.exists()
    assert AuditEvent.objects.get(action="members.prospects.purged").data == {"rows": 4}


def test_scope_and_pages(upload, client, cadre):
    prospect_list, _, _ = upload
    with pytest.raises(NotFound):
        prospects.prospect_list_get_for(actor=cadre("440104"), list_id=prospect_list.pk)
    client.force_login(cadre("440106"))
    page = client.get(reverse("members:prospect_detail", args=[prospect_list.pk])).content.decode()
    assert "麻章区总工会" in page and "50.0%" in page
    export = client.get(reverse("members:prospect_detail", args=[prospect_list.pk]), {"export": "xlsx"})
    assert export.status_code == 200 and export.content.startswith(b"PK")
    client.force_login(cadre("440104"))
    assert client.get(reverse("members:prospect_detail", args=[prospect_list.pk])).status_code == 404
    assert ProspectList.objects.count() == 1


def test_uploading_from_the_page_runs_a_job_and_keeps_no_file(client, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    data = csv_bytes([["李一", new_id_number(), "", "", "", "外卖骑手", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:prospects"), {"source": "某外卖平台", "keep_days": 7, "file": SimpleUploadedFile("名单.csv", data)})
    job = Job.objects.get()
    assert job.status == "succeeded" and "共 1 人" in job.summary and "原始文件未保存" in job.summary
    assert not job.input_file  # the uploaded plaintext list is gone
    assert ProspectList.objects.get().purge_on == timezone.localdate() + dt.timedelta(days=7)
