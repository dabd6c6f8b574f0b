"""潜在会员: matched by blind index, no plaintext kept, coverage by county and type, purged on time."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import NotFound
from gonghui.core.masking import mask_id_number
from gonghui.core.spreadsheets import error_report_xlsx
from gonghui.jobs.models import Job
from gonghui.members import prospects, services
from gonghui.members.models import Membership, MembershipStatus, Person, Prospect, ProspectList
from gonghui.members.services import LIVE_STATUSES
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
    prospect_list, errors = prospects.prospect_list_upload(actor=manager, org=org("440106"), source="某货运平台", data=data)
    return prospect_list, errors, ids


def test_matching_reports_members_and_targets_by_county_and_type(upload):
    prospect_list, errors, _ = upload
    assert (prospect_list.total, prospect_list.already_members, [(e.row, e.column) for e in errors]) == (4, 1, [(6, "身份证号")])
    rows = {(r["region"], r["form"]): (r["total"], r["members"]) for r in prospects.prospect_summary(prospect_list=prospect_list)}
    assert rows[("天河区", "货车司机")] == (2, 1) and rows[("麻章区", "货车司机")] == (1, 0)
    assert prospects.prospect_targets(prospect_list=prospect_list).count() == 3


def test_counties_read_as_places_and_other_provinces_by_name(org):
    assert prospects.region_labels(codes={"440106", "360731", "990101"}) == {
        "440106": "天河区", "360731": "江西省 360731", "990101": "未知省份 990101"}


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
    assert "麻章区" in page and "50.0%" in page
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
    prospect_list = ProspectList.objects.get()
    assert prospect_list.purge_on == timezone.localdate() + dt.timedelta(days=7)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f'href="{reverse("members:prospect_detail", args=[prospect_list.pk])}"' in page and f"查看名单 #{prospect_list.pk}" in page


def test_people_who_join_after_the_upload_leave_the_targets_and_the_upload_figure_stays(upload, client, cadre, django_assert_num_queries):
    prospect_list, _, ids = upload
    services.application_approve(actor=None, application_id=join(id_number=ids[2], town_code="440106006").pk)  # 张三 joins
    left = Membership.objects.get(person__id_index=id_index(ids[0]))
    Membership.objects.filter(pk=left.pk).update(status=MembershipStatus.LEFT)  # 张一 has left since
    with django_assert_num_queries(2):  # the figures in one query, the county names in another
        rows = prospects.prospect_summary(prospect_list=prospect_list)
    totals = prospects.prospect_totals(rows=rows)
    assert (totals["total"], totals["at_upload"], totals["members"], totals["joined_since"], totals["targets"]) == (4, 1, 1, 1, 3)
    direct = {p.pk for p in prospect_list.prospects.all()
              if not Membership.objects.filter(person__id_index=p.id_index, status__in=LIVE_STATUSES).exists()}
    assert set(prospects.prospect_targets(prospect_list=prospect_list).values_list("pk", flat=True)) == direct
    prospect_list.refresh_from_db()
    assert prospect_list.already_members == 1  # as at upload

    client.force_login(cadre("440106"))
    page = client.get(reverse("members:prospect_detail", args=[prospect_list.pk])).content.decode()
    assert "上传时 1 人已是会员，现 1 人" in page and "上传后新入会" in page
    export = client.get(reverse("members:prospect_detail", args=[prospect_list.pk]), {"export": "xlsx"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert sorted(row[0] for row in sheet[1:]) == ["张*", "张*", "张*"] and len(sheet) == 4
    assert sheet[0][3:5] == ["户籍地", "户籍区县代码"] and sorted(row[3] for row in sheet[1:]) == ["天河区", "天河区", "麻章区"]
    assert mask_id_number(ids[2]) not in str(sheet) and mask_id_number(ids[0]) in str(sheet)


def test_bad_rows_are_reported_by_row_and_column_with_masked_names_only(manager, org):
    good, repeated = new_id_number(), new_id_number()
    rows = [["王小明", good, "12345", "", "", "外卖骑手", ""],  # a bad phone: reported, the row still matched
            ["李大力", repeated, "", "", "", "开飞机", ""],  # a type nobody offers: reported, matched as 未注明
            ["李大力", repeated, "", "", "", "", ""],  # the same person again
            ["赵六", good[:-1] + ("0" if good[-1] != "0" else "1"), "", "", "", "", ""],  # a wrong check digit
            ["", "", "", "", "", "", ""],  # blank: no row at all
            ["孙七", "4.40106E+17", "", "", "", "", ""]]  # an ID Excel turned into a number
    prospect_list, errors = prospects.prospect_list_upload(actor=manager, org=org("440106"), source="某平台", data=csv_bytes(rows))
    assert prospect_list.total == 2
    assert [(e.row, e.column) for e in errors] == [(2, "手机号"), (3, "新就业形态"), (4, "身份证号"), (5, "身份证号"), (7, "身份证号")]
    assert "与第 3 行的身份证号重复" in errors[2].message and "校验位" in errors[3].message
    assert "王*明" in errors[0].message and mask_id_number(good) in errors[0].message and "李*力" in errors[1].message
    report = CalamineWorkbook.from_filelike(io.BytesIO(error_report_xlsx(errors))).get_sheet_by_index(0).to_python()
    text = str(report)
    assert report[0] == ["行号", "列", "错误说明"] and len(report) == 6
    assert not any(plain in text for plain in (good, repeated, "王小明", "李大力", "赵六", "孙七", "12345", good[:-1]))
    assert Prospect.objects.get(prospect_list=prospect_list, id_index=id_index(good)).phone_masked == ""


def test_the_job_offers_the_problem_report_and_keeps_no_file(client, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    data = csv_bytes([["李一", new_id_number(), "1380013800", "", "", "外卖骑手", ""], ["李二", "440106", "", "", "", "", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:prospects"), {"source": "某外卖平台", "keep_days": 7, "file": SimpleUploadedFile("名单.csv", data)})
    job = Job.objects.get()
    assert job.status == "succeeded" and "1 行身份证号无效或重复未比对" in job.summary and "1 行手机号或新就业形态有误" in job.summary
    assert not job.input_file and job.result_name.endswith("问题报告.xlsx")
    report = CalamineWorkbook.from_filelike(io.BytesIO(job.result_file.read())).get_sheet_by_index(0).to_python()
    assert [row[:2] for row in report[1:]] == [[2.0, "手机号"], [3.0, "身份证号"]] and "李*" in report[2][2] and "李二" not in str(report)


def id_index(id_number: str) -> str:
    return Person._meta.get_field("id_index").index_for(id_number)
