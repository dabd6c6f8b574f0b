"""Member import: every kind of bad row reported, both modes, idempotent, GB18030 (the export: test_exports.py)."""
import datetime
import io

import pytest
import xlsxwriter
from hypothesis import given, settings, strategies as st
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.audit.models import AuditEvent
from gonghui.core import crypto
from gonghui.core.exceptions import ApplicationError
from gonghui.core.validators import id_number_generate
from gonghui.jobs.models import Job
from gonghui.members import imports, services
from gonghui.members.models import Membership, Person
from gonghui.members.tests.factories import join, new_id_number

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "身份证号", "手机号", "所在工会编码", "入会日期", "新就业形态", "平台企业"]


def csv_bytes(rows, encoding="utf-8") -> bytes:
    lines = [",".join(HEADER)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    for col, title in enumerate(HEADER):
        sheet.write_string(0, col, title)
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row):
            sheet.write(r, c, cell)  # numbers stay numbers, as when a cadre types an ID into a General cell
    book.close()
    return output.getvalue()


def good_row(name="王五", town="440106006", **kwargs):
    return [name, kwargs.get("id_number") or new_id_number(), kwargs.get("phone", "13700137000"), town, "2026-03-01", kwargs.get("form", ""), ""]


@pytest.fixture
def manager(org):
    return PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user


def test_a_clean_csv_imports_everyone_with_one_audit_event_per_batch(manager):
    result = imports.member_import(actor=manager, data=csv_bytes([good_row(name=f"导入{i}") for i in range(12)]))
    assert (result.rows, result.created, result.errors) == (12, 12, [])
    person = Person.objects.first()
    assert person.membership.union.code == "440106006" and person.membership.events.get().kind == "imported"
    assert AuditEvent.objects.filter(action="members.membership.imported_batch").count() == 1


def test_planted_errors_of_each_kind_are_reported_by_row_and_column(manager, org):
    elsewhere = new_id_number()
    services.application_approve(actor=None, application_id=join(id_number=elsewhere, town_code="440106001").pk)
    duplicate = new_id_number()
    good = new_id_number()
    rows = [
        good_row(id_number=good),                                 # 2 fine
        good_row(id_number=good[:-1] + ("0" if good[-1] != "0" else "1")),  # 3 bad checksum
        ["数字", 4.40106199506e17, "13700137000", "440106006", "", "", ""],  # 4 Excel turned the ID into a number
        good_row(phone="1234"),                                   # 5 bad phone
        good_row(town="999999"),                                  # 6 unknown org
        good_row(id_number=duplicate),                            # 7 fine
        good_row(id_number=duplicate),                            # 8 duplicate within the file
        good_row(id_number=elsewhere, town="440106006"),          # 9 already a member of another union
        good_row(town="440104001"),                               # 10 a union outside the cadre's district
        good_row(form="开飞机"),                                    # 11 not a 新就业形态 type
    ]
    result = imports.member_import(actor=manager, data=xlsx_bytes(rows))
    found = {(e.row, e.column): e.message for e in result.errors}
    assert set(found) == {(3, "身份证号"), (4, "身份证号"), (5, "手机号"), (6, "所在工会编码"), (8, "身份证号"),
                          (9, "身份证号"), (10, "所在工会编码"), (11, "新就业形态")}
    assert "校验位" in found[(3, "身份证号")] and "转成了数字" in found[(4, "身份证号")]
    assert "第 7 行" in found[(8, "身份证号")] and "五山**总工会" in found[(9, "身份证号")]
    assert result.created == 0 and Membership.objects.count() == 1  # all or nothing: only the earlier member exists


def test_good_rows_mode_keeps_the_good_rows(manager):
    result = imports.member_import(actor=manager, data=csv_bytes([good_row(), good_row(phone="bad"), good_row()]), mode="good_rows")
    assert result.created == 2 and [(e.row, e.column) for e in result.errors] == [(3, "手机号")]


def test_reuploading_the_same_file_creates_nothing(manager):
    data = csv_bytes([good_row(name=f"重复{i}") for i in range(5)])
    imports.member_import(actor=manager, data=data)
    again = imports.member_import(actor=manager, data=data)
    assert (again.created, again.unchanged, again.errors) == (0, 5, []) and Membership.objects.count() == 5


def test_gb18030_csv_from_excel_is_read(manager):
    result = imports.member_import(actor=manager, data=csv_bytes([good_row(name="欧阳修")], encoding="gb18030"))
    assert result.created == 1 and Person.objects.get().name == "欧阳修"


@pytest.mark.parametrize(("data", "message"), [(b"", "空的"), (b"\x00\x01binary", "文件格式不正确"), ("姓名,电话\n".encode(), "表头缺少列")])
def test_unusable_files_are_refused(manager, data, message):
    with pytest.raises(ApplicationError, match=message):
        imports.member_import(actor=manager, data=data)


def test_the_import_runs_as_a_job_from_the_page(client, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    upload = SimpleUploadedFile("名册.csv", csv_bytes([good_row(), good_row(phone="bad")]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:import"), {"file": upload, "mode": "good_rows"})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == "succeeded" and "新增会员 1 人" in job.summary and "1 行有错" in job.summary and job.result_file


def test_former_members_and_bad_values_are_reported_not_crashing(manager, org):
    application = join(town_code="440106006")
    member = services.application_approve(actor=None, application_id=application.pk)
    services.membership_leave(user=member.person.user, reason="离职")
    rows = [good_row(id_number=member.person.id_number), ["长平台", new_id_number(), "", "440106006", "2026-01-01", "", "平" * 101],
            ["未来", new_id_number(), "", "440106006", "2099-01-01", "", ""]]
    result = imports.member_import(actor=manager, data=csv_bytes(rows), mode="good_rows")
    assert {(e.row, e.column) for e in result.errors} == {(2, "身份证号"), (3, "平台企业"), (4, "入会日期")}
    assert result.created == 0


def test_a_batch_with_someone_already_on_file_falls_back_to_sorting_person_by_person(manager):
    """The first batch is inserted optimistically; a known person makes the unique blind index refuse it, the batch
    rolls back to its savepoint, and it is written again person by person: nothing half-written, nothing lost."""
    known = new_id_number()
    imports.member_import(actor=manager, data=csv_bytes([good_row(id_number=known)]))
    rows = [good_row(name=f"新人{i}") for i in range(5)] + [good_row(id_number=known)]
    result = imports.member_import(actor=manager, data=csv_bytes(rows))
    assert (result.created, result.unchanged, result.errors) == (5, 1, [])
    assert Person.objects.count() == 6 and Membership.objects.count() == 6


def test_a_bad_file_found_by_the_reading_thread_gives_its_chinese_message(manager):
    with pytest.raises(ApplicationError, match="表头缺少列"):
        imports.member_import(actor=manager, data="名字,电话\n张三,1\n".encode())
    assert not Person.objects.exists()


def test_someone_registered_between_the_lookup_and_the_insert_is_sorted_again(manager, monkeypatch):
    """The sorted path can still collide with a person committed meanwhile (say by 一键入会): that batch is rolled back
    to its savepoint and sorted once more, counting nobody twice."""
    known = new_id_number()
    imports.member_import(actor=manager, data=csv_bytes([good_row(id_number=known)]))
    real_existing, calls = imports._existing, []

    def stale_once(candidates):
        calls.append(len(candidates))
        return {} if len(calls) == 1 else real_existing(candidates)  # the first lookup misses the known person

    monkeypatch.setattr(imports, "_existing", stale_once)
    result = imports.member_import(actor=manager, data=csv_bytes([good_row(name="新来的"), good_row(id_number=known)]),
                                   mode="good_rows")
    assert (result.created, result.unchanged, result.errors, len(calls)) == (1, 1, [], 2)
    assert Person.objects.count() == 2


class TestPeopleOnFileWithoutAMembership:
    """一键入会 registers the person before anyone decides: such a person is on file with no membership at all."""

    def test_a_pending_application_is_refused_by_row_and_the_rest_of_the_file_imports(self, manager):
        application = join(town_code="440106006")
        rows = [good_row(name="新来的"), good_row(id_number=application.person.id_number)]
        result = imports.member_import(actor=manager, data=csv_bytes(rows), mode="good_rows")
        assert [(e.row, e.column, e.message) for e in result.errors] == [(3, "身份证号", "该人员有待审核的入会申请，请先处理申请")]
        assert result.created == 1 and not Membership.objects.filter(person=application.person).exists()
        application.refresh_from_db()
        assert application.status == "pending"

    def test_a_pending_application_stops_an_all_or_nothing_file(self, manager):
        application = join(town_code="440106006")
        result = imports.member_import(actor=manager, data=csv_bytes([good_row(), good_row(id_number=application.person.id_number)]))
        assert [e.message for e in result.errors] == ["该人员有待审核的入会申请，请先处理申请"] and not Membership.objects.exists()

    def test_someone_turned_down_once_joins_as_a_new_member_keeping_their_person_and_employment(self, manager, org):
        application = join(town_code="440106006", name="曾申请", new_form_type="courier")
        services.application_reject(actor=None, application_id=application.pk, reason="信息不全")
        person = application.person
        rows = [good_row(name="新来的"), good_row(name="曾申请", id_number=person.id_number, form="外卖骑手")]
        result = imports.member_import(actor=manager, data=csv_bytes(rows))  # all or nothing: nothing to refuse
        assert (result.created, result.unchanged, result.errors) == (2, 0, [])
        membership = Membership.objects.get(person=person)
        assert (membership.union, membership.status, str(membership.joined_on)) == (org("440106006"), "active", "2026-03-01")
        assert membership.member_number == services.member_number_for(person_id=person.pk, joined_on=membership.joined_on)
        assert [e.kind for e in membership.events.all()] == ["imported"] and Person.objects.count() == 2
        person.refresh_from_db()
        assert person.employment.new_form_type == "courier"  # what they stated themselves stays

    def test_without_an_employment_they_get_the_one_in_the_file(self, manager):
        application = join(town_code="440106006")
        services.application_reject(actor=None, application_id=application.pk, reason="信息不全")
        application.person.employment.delete()
        result = imports.member_import(actor=manager, data=csv_bytes([good_row(id_number=application.person.id_number, form="外卖骑手")]))
        assert result.created == 1 and Person.objects.get().employment.new_form_type == "food_delivery"

    def test_importing_the_file_again_changes_nothing(self, manager):
        application = join(town_code="440106006")
        services.application_reject(actor=None, application_id=application.pk, reason="信息不全")
        data = csv_bytes([good_row(id_number=application.person.id_number)])
        imports.member_import(actor=manager, data=data)
        again = imports.member_import(actor=manager, data=data)
        assert (again.created, again.unchanged, again.errors) == (0, 1, []) and Membership.objects.count() == 1


# ---------------------------------------------------------------- the fast path agrees with the full check

TODAY = datetime.date(2026, 11, 26)
GOOD_ID = id_number_generate(region_code="440106", birth_date=datetime.date(1990, 2, 28), sequence=17)
CELL_VARIANTS = {
    "name": ["王五", " 王五 ", "张", "", "欧" * 30, "欧" * 31, None, 12],
    "id_number": [GOOD_ID, GOOD_ID.lower(), f" {GOOD_ID} ", GOOD_ID[:17], GOOD_ID[:17] + str((int(GOOD_ID[17]) + 1) % 10) if GOOD_ID[17] != "X" else GOOD_ID[:17] + "0",
                  "99" + GOOD_ID[2:], GOOD_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
                  id_number_generate(region_code="440106", birth_date=datetime.date(2027, 1, 1), sequence=3),
                  "440106199002300012", "4.40106E+17", 440106199002280017.0, None, "", "'" + GOOD_ID,
                  id_number_generate(region_code="440106", birth_date=datetime.date(2015, 5, 5), sequence=5)],  # eleven
    "phone": ["", "13800138000", "+86 138 0013 8000", "138-0013-8000", "12345678901", "1380013800", "１３８００１３８０００", None,
              13800138000.0, 3800138000.0, "'13800138000"],
    "union_code": ["440106006", "440106999", "", None, 440106006.0, 4401.0, "'440106006"],
    "joined_on": ["", "2026-03-01", "2026/03/01", "2026-3-1", "2030-01-01", "坏日期", datetime.date(2026, 3, 1), None,
                  "2026年3月1日", "2026.3.1", "20260301", "'2026-03-01", "2026-03-012", "2026-03-01 到 2026-04-01", 46082.0,
                  "1980-01-01", "2000-01-01", "2006-02-27", "2006-02-28"],  # born 1990-02-28: before birth, aged 9, a day short of 16, 16
    "new_form_type": ["", "外卖骑手", "宇航员", None],
    "platform_company": ["", "美团", "平" * 101, None],
}

FAST_FORMS = {"name": {"王五", " 王五 ", "欧" * 30}, "id_number": {GOOD_ID, f" {GOOD_ID} "}, "phone": {"", "13800138000"},
              "union_code": {"440106006"}, "joined_on": {"", "2026-03-01", "2026/03/01", "2006-02-28"}, "new_form_type": {"", "外卖骑手"},
              "platform_company": {"", "美团"}}


def checker():
    positions = {column.key: index for index, column in enumerate(imports.COLUMNS)}
    return imports._Checker(unions={"440106006": 42}, positions=positions, today=TODAY)


def stored(candidate):
    """A candidate's values with its ciphertexts opened (each seal draws a fresh nonce)."""
    opened = [crypto.decrypt(value, aad=Person._meta.get_field(name).aad) if value else value
              for name, value in (("name", candidate.name_sealed), ("id_number", candidate.id_sealed), ("phone", candidate.phone_sealed))]
    return candidate._replace(name_sealed=opened[0], id_sealed=opened[1], phone_sealed=opened[2])


def agrees(row) -> bool:
    """The fast path and the full check agree on `row`; True if the fast path took it."""
    check = checker()
    try:
        fast = check._fast(5, [cell.strip() for cell in check.pick(row)])
    except (AttributeError, IndexError):  # what check() treats as "take the full check"
        fast = None
    errors = []
    full = checker()._check_in_full(5, row, errors)
    if fast is not None:
        assert full is not None and stored(fast) == stored(full)
    assert (full is None) == bool(errors)
    return fast is not None


@pytest.mark.parametrize(("column", "value"), [(key, value) for key, values in CELL_VARIANTS.items() for value in values])
def test_each_odd_cell_on_its_own_gets_the_same_verdict_on_both_paths(column, value):
    row = [CELL_VARIANTS[c.key][0] if c.key != column else value for c in imports.COLUMNS]
    assert agrees(row) == (value in FAST_FORMS.get(column, ()))  # the forms a template-made file has stay fast


@settings(max_examples=300, deadline=None)
@given(cells=st.fixed_dictionaries({key: st.sampled_from(values[:1] * len(values) + values) for key, values in CELL_VARIANTS.items()}),
       width=st.sampled_from([7, 7, 7, 6, 4]))
def test_any_mix_of_odd_cells_gets_the_same_verdict_on_both_paths(cells, width):
    agrees([cells[column.key] for column in imports.COLUMNS][:width])


def test_a_plain_row_takes_the_fast_path_and_a_repeated_id_falls_back_to_the_full_message():
    check = checker()
    row = ["王五", GOOD_ID, "13800138000", "440106006", "2026-03-01", "外卖骑手", "美团"]
    assert check._fast(2, row) is not None  # already stripped
    errors = []
    assert check.check(3, row, errors) is None
    assert [(e.row, e.column) for e in errors] == [(3, "身份证号")] and "第 2 行" in errors[0].message


# ---------------------------------------------------------------- dates and numbers as people type them


def born(year: int, month: int = 6, day: int = 15, sequence: int = 21) -> str:
    return id_number_generate(region_code="440106", birth_date=datetime.date(year, month, day), sequence=sequence)


def one_row(manager, row, *, xlsx=False):
    result = imports.member_import(actor=manager, data=xlsx_bytes([row]) if xlsx else csv_bytes([row]))
    return result, Membership.objects.select_related("person").first()


@pytest.mark.parametrize("typed", ["2024-05-01", "2024/5/1", "2024.5.1", "2024年5月1日", "20240501", " 2024-5-1 ", "'2024-05-01",
                                   "２０２４－０５－０１", "2024-05-01 00:00:00"])
def test_join_dates_in_the_forms_people_type(manager, typed):
    result, membership = one_row(manager, ["王五", born(1990), "13700137000", "440106006", typed, "", ""])
    assert result.errors == [] and membership.joined_on == datetime.date(2024, 5, 1)


@pytest.mark.parametrize("cell", [datetime.datetime(2024, 5, 1), 45413, 20240501])  # a date cell, a serial, 20240501 as a number
def test_join_dates_as_office_suites_store_them(manager, cell):
    result, membership = one_row(manager, ["王五", born(1990), "13700137000", "440106006", cell, "", ""], xlsx=True)
    assert result.errors == [] and membership.joined_on == datetime.date(2024, 5, 1)


@pytest.mark.parametrize(("typed", "message"), [
    ("2024-05-012", "格式不正确"), ("2024-05-01 到 2024-06-01", "格式不正确"), ("2024-02-30", "不存在"), ("2024/13/1", "不存在"),
    ("2024-05/01", "格式不正确"), ("5/1/2024", "格式不正确"), ("2099-01-01", "不能晚于今天"),
])
def test_dates_that_are_not_one_day_are_refused_never_cut_short(manager, typed, message):
    result, membership = one_row(manager, ["王五", born(1990), "13700137000", "440106006", typed, "", ""])
    assert [(e.row, e.column) for e in result.errors] == [(2, "入会日期")] and message in result.errors[0].message
    assert membership is None


def test_no_one_joins_before_they_are_born_or_before_sixteen(manager):
    today = timezone.localdate()
    rows = [
        ["出生前", born(2000), "", "440106006", "1999-01-01", "", ""],
        ["十岁", born(2005), "", "440106006", "2015-07-01", "", ""],                 # joined at ten
        ["十岁今天", born(today.year - 10, 1, 1), "", "440106006", "", "", ""],       # ten today, no date given
        ["刚满十六", born(2000, 2, 29, sequence=33), "", "440106006", "2016-03-01", "", ""],  # 16 on 1 March in a common year
        ["差一天", born(2000, 3, 2, sequence=35), "", "440106006", "2016-03-01", "", ""],
    ]
    result = imports.member_import(actor=manager, data=csv_bytes(rows), mode="good_rows")
    found = {(e.row, e.column): e.message for e in result.errors}
    assert set(found) == {(2, "入会日期"), (3, "入会日期"), (4, "身份证号"), (6, "入会日期")}
    assert "早于出生日期" in found[(2, "入会日期")] and "未满16周岁" in found[(3, "入会日期")]
    assert "未满16周岁" in found[(4, "身份证号")] and "2000-03-02" in found[(6, "入会日期")]
    assert result.created == 1


def test_codes_typed_with_an_apostrophe_or_full_width_digits_or_stored_as_numbers_are_read_as_meant(manager):
    id_number, other = born(1990), born(1991)
    wide = other.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    result = imports.member_import(actor=manager, data=xlsx_bytes([
        ["王五", "'" + id_number, 13812345678, 440106006, "2024-05-01", "", ""],
        ["赵六", wide, "'13912345678", "'440106006", "2024-05-01", "", ""],
        ["孙八", other, "", "440106006", "2024-05-01", "", ""],  # the same person as 赵六, typed in ASCII
    ]))
    assert [(e.row, e.column, e.message) for e in result.errors] == [(4, "身份证号", "与第 3 行的身份证号重复")]
    result = imports.member_import(actor=manager, data=xlsx_bytes([
        ["王五", "'" + id_number, 13812345678, 440106006, "2024-05-01", "", ""],
        ["赵六", wide, "'13912345678", "'440106006", "2024-05-01", "", ""],
    ]))
    assert result.errors == [] and result.created == 2
    assert {(p.id_number, p.phone) for p in Person.objects.all()} == {(id_number, "13812345678"), (other, "13912345678")}


def test_codes_that_lost_digits_as_numbers_are_refused_by_row_and_column(manager):
    result = imports.member_import(actor=manager, data=xlsx_bytes([
        ["王五", born(1990), 3812345678, "440106006", "", "", ""],   # a phone short of a digit
        ["赵六", born(1991), "13700137000", 4401, "", "", ""],         # a code that lost its leading zeros
        ["钱七", 4.40106199006151e17, "13700137000", "440106006", "", "", ""],
    ]))
    found = {(e.row, e.column): e.message for e in result.errors}
    assert set(found) == {(2, "手机号"), (3, "所在工会编码"), (4, "身份证号")}
    assert "开头的 0 可能已丢失" in found[(3, "所在工会编码")] and "转成了数字" in found[(4, "身份证号")]


def test_the_job_page_shows_the_first_rows_of_the_error_report_masked(client, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    rows = [good_row(town="13812345678")] + [good_row(phone="bad") for _ in range(24)]  # a phone typed as the union code
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:import"), {"file": SimpleUploadedFile("名册.csv", csv_bytes(rows)), "mode": "all_or_nothing"})
    job = Job.objects.get()
    assert job.problem_count == 25 and len(job.problems) == 20
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "前 20 处问题（共 25 处" in page and page.count("<tr><td>") == 20
    assert "找不到工会编码“138****5678”" in page and "13812345678" not in page
    assert "<td>21</td><td>手机号</td>" in page and "<td>22</td>" not in page
