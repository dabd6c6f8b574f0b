"""Spreadsheet import: all or nothing, every bad row reported by row and column."""
import io

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError
from gonghui.core.spreadsheets import error_report_xlsx
from gonghui.orgs import imports
from gonghui.orgs.models import Employer, Org, OrgType
from gonghui.orgs.tests.factories import EmployerFactory, valid_uscc

pytestmark = pytest.mark.django_db

EMPLOYER_HEADER = ["统一社会信用代码", "单位名称", "行业门类", "经济类型", "所在街道/镇编码", "地址", "职工人数", "是否建会", "工会组织编码"]
ORG_HEADER = ["组织编码", "组织名称", "简称", "组织类型", "上级组织编码", "行业", "区划代码", "联系人", "联系电话", "地址", "成立日期"]


def xlsx(header, rows) -> bytes:
    """Build a workbook the way cadres do, numbers and all (an ID typed into a General cell is a number)."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    for col, value in enumerate(header):
        sheet.write(0, col, value)
    for row_index, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is not None:
                sheet.write(row_index, col, value)
    book.close()
    return output.getvalue()


def employer_row(uscc=None, name="广州示例科技有限公司", industry="I 信息传输、软件和信息技术服务业", ownership="非公有制企业",
                 town="440106001", address="天河路1号", headcount=50, has_union="否", union=None):
    return [uscc or valid_uscc(), name, industry, ownership, town, address, headcount, has_union, union]


class TestEmployerImport:
    def test_a_clean_file_creates_every_row_and_logs_one_event(self, superuser):
        rows = [employer_row(name=f"示例{i}有限公司") for i in range(30)]
        result = imports.employer_import_xlsx(actor=superuser, data=xlsx(EMPLOYER_HEADER, rows))
        assert result.ok and result.created == 30
        assert Employer.objects.count() == 30
        event = AuditEvent.objects.get(action="orgs.employer.imported")
        assert event.data["created"] == 30 and len(event.data["file_sha256"]) == 64

    def test_reimporting_the_same_file_updates_instead_of_duplicating(self, superuser):
        data = xlsx(EMPLOYER_HEADER, [employer_row(name="甲公司"), employer_row(name="乙公司")])
        imports.employer_import_xlsx(actor=superuser, data=data)
        again = imports.employer_import_xlsx(actor=superuser, data=data)
        assert (again.created, again.updated) == (0, 2)
        assert Employer.objects.count() == 2

    def test_error_report_lists_bad_rows_by_row_and_column_and_nothing_is_written(self, superuser, org):
        good = valid_uscc()
        altered = good[:-1] + ("1" if good[-1] != "1" else "2")
        rows = [
            employer_row(uscc=good, name="好公司"),                      # row 2: fine
            employer_row(uscc=altered, name="校验位错"),                  # row 3
            employer_row(uscc=9.14401067e17, name="被转成数字"),           # row 4: Excel ate the ID
            employer_row(name="", industry="Z 不存在"),                  # row 5: two errors
            employer_row(town="999999999"),                              # row 6
            employer_row(uscc=good, name="文件内重复"),                   # row 7
            employer_row(headcount="很多", has_union="可能"),             # row 8
            employer_row(town="440106"),                                 # row 9: a district, not a town
        ]
        result = imports.employer_import_xlsx(actor=superuser, data=xlsx(EMPLOYER_HEADER, rows))
        found = {(e.row, e.column) for e in result.errors}
        assert found == {
            (3, "统一社会信用代码"), (4, "统一社会信用代码"), (5, "单位名称"), (5, "行业门类"),
            (6, "所在街道/镇编码"), (7, "统一社会信用代码"), (8, "职工人数"), (8, "是否建会"), (9, "所在街道/镇编码"),
        }
        messages = {(e.row, e.column): e.message for e in result.errors}
        assert "校验位" in messages[(3, "统一社会信用代码")]
        assert "转成了数字" in messages[(4, "统一社会信用代码")]
        assert "第 2 行重复" in messages[(7, "统一社会信用代码")]
        assert not Employer.objects.exists() and result.created == 0
        assert not AuditEvent.objects.filter(action="orgs.employer.imported").exists()

        report = CalamineWorkbook.from_filelike(io.BytesIO(error_report_xlsx(result.errors))).get_sheet_by_index(0).to_python()
        assert report[0] == ["行号", "列", "错误说明"]
        assert [3.0, "统一社会信用代码"] == report[1][:2]

    def test_a_district_cadre_cannot_import_into_a_sibling_district(self, cadre):
        result = imports.employer_import_xlsx(actor=cadre("440106"), data=xlsx(EMPLOYER_HEADER, [employer_row(town="440104001")]))
        assert [(e.row, e.column) for e in result.errors] == [(2, "所在街道/镇编码")]
        assert "不在您有管理权限" in result.errors[0].message

    def test_existing_employer_is_updated_by_uscc(self, superuser, org):
        employer = EmployerFactory(town=org("440106001"), headcount=5)
        imports.employer_import_xlsx(actor=superuser, data=xlsx(EMPLOYER_HEADER, [employer_row(uscc=employer.uscc, headcount=80)]))
        employer.refresh_from_db()
        assert employer.headcount == 80

    @pytest.mark.parametrize(
        ("data", "message"),
        [(b"", "空的"), (b"name,uscc\n", "文件格式不正确"), (b"PK\x03\x04broken", "无法读取")],
    )
    def test_files_that_are_not_xlsx_are_refused(self, superuser, data, message):
        with pytest.raises(ApplicationError, match=message):
            imports.employer_import_xlsx(actor=superuser, data=data)

    def test_missing_columns_are_named(self, superuser):
        with pytest.raises(ApplicationError, match="表头缺少列：.*经济类型"):
            imports.employer_import_xlsx(actor=superuser, data=xlsx(EMPLOYER_HEADER[:3], [["x", "y", "z"]]))

    def test_export_round_trips_through_import(self, superuser, org):
        for i in range(3):
            EmployerFactory(town=org("440106001"), name=f"往返{i}公司")
        exported = imports.employer_export_xlsx(employers=Employer.objects.all())
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(exported)).get_sheet_by_index(0).to_python()
        assert sheet[0] == EMPLOYER_HEADER and len(sheet) == 4
        assert all(isinstance(row[0], str) and len(row[0]) == 18 for row in sheet[1:])
        result = imports.employer_import_xlsx(actor=superuser, data=exported)
        assert (result.created, result.updated, result.errors) == (0, 3, [])


class TestOrgImport:
    def test_rows_may_reference_parents_created_earlier_in_the_file(self, superuser, org):
        rows = [
            ["GZ-TEST-1", "广州测试集团有限公司工会委员会", "测试集团工会", "企业工会", "440106001", None, None, "李四", "020-12345678", None, "2020-05-01"],
            ["GZ-TEST-1-1", "测试集团第一分会", None, "分会/班组", "GZ-TEST-1", None, None, None, None, None, None],
        ]
        result = imports.org_import_xlsx(actor=superuser, data=xlsx(ORG_HEADER, rows))
        assert result.ok and result.created == 2
        branch = Org.objects.get(code="GZ-TEST-1-1")
        assert branch.parent.code == "GZ-TEST-1" and branch.type == OrgType.BRANCH
        assert branch.path.startswith(org("440106001").path)
        assert Org.objects.get(code="GZ-TEST-1").founded_on.isoformat() == "2020-05-01"

    def test_bad_rows_are_reported_and_nothing_is_created(self, superuser):
        before = Org.objects.count()
        rows = [
            ["OK-1", "正常工会", None, "企业工会", "440106001", None, None, None, None, None, None],
            ["BAD-1", "类型错", None, "居委会", "440106001", None, None, None, None, None, None],
            ["BAD-2", "上级不存在", None, "企业工会", "NOPE", None, None, None, None, None, None],
            ["BAD-3", "层级不对", None, "区/县总工会", "440106001", None, None, None, None, None, None],
            ["OK-1", "编码重复", None, "企业工会", "440106001", None, None, None, None, None, "2020-13-45"],
            ["BAD-4", "行业错", None, "行业工会联合会", "440106", "开飞机", None, None, None, None, None],
        ]
        result = imports.org_import_xlsx(actor=superuser, data=xlsx(ORG_HEADER, rows))
        assert {(e.row, e.column) for e in result.errors} == {
            (3, "组织类型"), (4, "上级组织编码"), (5, "上级组织编码"), (6, "组织编码"), (6, "成立日期"), (7, "行业"),
        }
        assert Org.objects.count() == before

    def test_import_cannot_move_an_org(self, superuser):
        rows = [["440106001", "五山街道总工会", None, "街道/镇总工会", "440104", None, None, None, None, None, None]]
        result = imports.org_import_xlsx(actor=superuser, data=xlsx(ORG_HEADER, rows))
        assert "调整上级" in result.errors[0].message

    def test_export_lists_the_subtree_with_codes_as_text(self, org):
        data = imports.org_export_xlsx(orgs=Org.objects.subtree_of(org("440106")))
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        assert sheet[0] == ORG_HEADER
        assert sheet[1][:2] == ["440106", "天河区总工会"]
        assert len(sheet) == 1 + Org.objects.subtree_of(org("440106")).count()


def test_a_cadre_cannot_take_over_an_employer_of_another_district_by_its_uscc(cadre, org):
    yuexiu = EmployerFactory(town=org("440104001"), name="越秀原有公司")
    result = imports.employer_import_xlsx(actor=cadre("440106"), data=xlsx(EMPLOYER_HEADER, [employer_row(uscc=yuexiu.uscc, name="改名")]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "统一社会信用代码")]
    yuexiu.refresh_from_db()
    assert (yuexiu.name, yuexiu.town.code) == ("越秀原有公司", "440104001")


class TestNumberCells:
    """Number cells as an office suite stores them: a whole number of a code's length is that code; anything else is refused."""

    def test_long_codes_and_phones_stored_as_numbers_are_taken_as_their_digits(self, superuser):
        rows = [[440106001901, "猎德村工会", None, "企业工会", 440106001, None, 440106001901, "张三", 18876030722, None, None]]
        result = imports.org_import_xlsx(actor=superuser, data=xlsx(ORG_HEADER, rows))
        assert result.ok, result.errors
        org = Org.objects.get(code="440106001901")  # not "440106001901.0"
        assert (org.division_code, org.contact_phone, org.parent.code) == ("440106001901", "18876030722", "440106001")

    def test_codes_that_lost_digits_as_numbers_are_refused_by_row_and_column(self, superuser):
        rows = [
            [123, "丢了零的编码", None, "企业工会", "440106001", None, None, None, None, None, None],       # 0123
            ["N-2", "座机", None, "企业工会", "440106001", None, None, None, 2083456789, None, None],        # 020-83456789
            ["N-3", "区划", None, "企业工会", "440106001", None, 4.40106001901234e17, None, None, None, None],
            ["N-4", "未来", None, "企业工会", "440106001", None, None, None, None, None, "2099-01-01"],
        ]
        result = imports.org_import_xlsx(actor=superuser, data=xlsx(ORG_HEADER, rows))
        found = {(e.row, e.column): e.message for e in result.errors}
        assert set(found) == {(2, "组织编码"), (3, "联系电话"), (4, "区划代码"), (5, "成立日期")}
        assert "开头的 0 可能已丢失" in found[(2, "组织编码")] and "123" in found[(2, "组织编码")]
        assert "转成了数字" in found[(3, "联系电话")] and "末几位已丢失" in found[(4, "区划代码")]
        assert found[(5, "成立日期")] == "成立日期不能晚于今天"
        assert not Org.objects.filter(name__in=["丢了零的编码", "座机", "区划", "未来"]).exists()

    @pytest.mark.parametrize("typed", ["2020-05-01", "2020/5/1", "2020.5.1", "2020年5月1日", "20200501", "'2020-05-01", "２０２０-05-01"])
    def test_founding_dates_in_the_forms_people_type(self, superuser, typed):
        rows = [[f"D-{len(typed)}", "日期工会", None, "企业工会", "440106001", None, None, None, None, None, typed]]
        assert imports.org_import_xlsx(actor=superuser, data=xlsx(ORG_HEADER, rows)).ok
        assert Org.objects.get(name="日期工会").founded_on.isoformat() == "2020-05-01"

    def test_employer_codes_as_numbers(self, superuser):
        rows = [employer_row(town=440106001, union=123)]
        result = imports.employer_import_xlsx(actor=superuser, data=xlsx(EMPLOYER_HEADER, rows))
        assert [(e.row, e.column) for e in result.errors] == [(2, "工会组织编码")] and "开头的 0" in result.errors[0].message
