"""Files are hostile until proven otherwise: what an upload expands to is bounded before it is read (decision 0015)."""
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core import uploads, xlsx_stream
from gonghui.core.exceptions import ApplicationError
from gonghui.core.spreadsheets import table_rows
from gonghui.core.tests import hostile
from gonghui.core.tests.test_xlsx_stream import calamine_rows, trimmed
from gonghui.core.uploads import sniff_upload

ROOT = Path(__file__).resolve().parents[3]


def read(data: bytes) -> list[list]:
    rows, _ = table_rows(data, max_bytes=400 << 20)
    return list(rows)


def test_a_sheet_whose_row_never_ends_is_refused_without_holding_it():
    with pytest.raises(ApplicationError, match="表格中有一行过大（超过 4 MB），或文件缺少行结束标记") as refused:
        read(hostile.sheet_without_row_end())
    assert refused.value.code == "upload.row_too_large"


def test_a_row_that_never_ends_in_a_broken_archive_is_refused_as_broken():
    data = bytearray(hostile.sheet_without_row_end())
    middle = data.find(b"xl/worksheets/sheet1.xml") + 300_000
    data[middle:middle + 64] = b"\x00" * 64
    with pytest.raises(ApplicationError, match="无法读取该 Excel 文件"):
        read(bytes(data))


def test_a_shared_strings_bomb_is_refused_before_it_is_unzipped():
    with pytest.raises(ApplicationError, match="压缩炸弹") as refused:
        read(hostile.shared_strings_bomb())
    assert refused.value.code == "upload.expands_too_far"


def test_a_namespace_prefixed_sheet_is_read_in_pieces(monkeypatch):
    monkeypatch.setattr(xlsx_stream, "PIECE_BYTES", 64 << 10)
    monkeypatch.setattr(xlsx_stream, "_whole_sheet", lambda data: pytest.fail("calamine read the whole sheet"))
    data = hostile.prefixed_sheet(rows=3_000)
    rows = read(data)
    assert len(rows) == 3_000 and rows[2_999][2] == 3_000.0
    assert trimmed(rows) == trimmed(calamine_rows(data))


@pytest.mark.parametrize(("column", "row"), [("ZZ", 1_048_576), ("C", 1_000_000), ("AAA", 1), ("A", 99_999_999)])
def test_cells_far_apart_are_refused_before_calamine_lays_out_the_grid_between_them(column, row):
    with pytest.raises(ApplicationError, match="跨度极大|超出第|不像办公软件") as refused:
        read(hostile.far_cell_sheet(column=column, row=row))
    assert refused.value.code in ("upload.too_sparse", "upload.too_wide", "upload.too_many_rows")


def test_a_sheet_read_whole_is_bounded_the_same_way():
    """Rows without their numbers go to calamine whole: its copy is scanned as it is written."""
    sheet = (f'<worksheet xmlns="{hostile.MAIN_NS}"><sheetData><row><c><v>1</v></c></row>'
             '<row><c r="ZZ900000"><v>2</v></c></row></sheetData></worksheet>')
    with pytest.raises(ApplicationError, match="跨度极大"):
        read(hostile.workbook(sheet))


def test_blank_rows_cost_little_until_the_grid_they_make_is_out_of_proportion():
    def sheet(last: int) -> bytes:
        return hostile.workbook(f'<worksheet xmlns="{hostile.MAIN_NS}"><sheetData><row r="1"><c r="A1"><v>1</v></c>'
                                f'<c r="B1"><v>1</v></c></row><row r="{last}"><c r="A{last}"><v>2</v></c></row></sheetData></worksheet>')
    rows = read(sheet(5_000))
    assert rows[0] == [1.0, 1.0] and rows[4_999][0] == 2.0 and len(rows) == 5_000
    with pytest.raises(ApplicationError, match="表格第 1–900000 行几乎是空的却跨度极大"):  # 1.8 million places for 3 cells
        read(sheet(900_000))


def test_too_many_rows_or_parts_are_refused(monkeypatch):
    with pytest.raises(ApplicationError, match="部件过多") as refused:
        read(hostile.many_parts())
    assert refused.value.code == "upload.too_many_parts"
    monkeypatch.setattr(uploads, "MAX_ROWS", 100)
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 102))
    with pytest.raises(ApplicationError, match="表格超过 100 行"):
        read(hostile.workbook(f'<worksheet xmlns="{hostile.MAIN_NS}"><sheetData>{body}</sheetData></worksheet>'))


def test_a_csv_line_that_never_ends_is_refused():
    with pytest.raises(ApplicationError, match="CSV 中有一行过长") as refused:
        read(hostile.csv_without_line_end())
    assert refused.value.code == "upload.row_too_large"


def test_a_csv_with_a_broken_quote_or_too_many_lines_is_refused_in_chinese(monkeypatch):
    with pytest.raises(ApplicationError, match="CSV 第 2 行格式不正确"):
        read(("姓名,身份证号\n\"" + "张" * 200_000 + "\n").encode())
    monkeypatch.setattr("gonghui.core.spreadsheets.MAX_ROWS", 10)
    with pytest.raises(ApplicationError, match="表格超过 10 行"):
        read(("姓名\n" * 20).encode())


def test_an_attached_word_document_is_bounded_too():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"<w:document>" + b" " * (200 << 20) + b"</w:document>")
    with pytest.raises(ApplicationError, match="压缩炸弹") as refused:
        sniff_upload(SimpleUploadedFile("年度总结.docx", buffer.getvalue()), allowed=("docx", "pdf"), max_bytes=10 << 20,
                     what="文件", field="files")
    assert refused.value.fields == {"files": [refused.value.message]} and "“年度总结.docx”" in refused.value.message


def test_the_reader_stays_near_its_baseline_memory_on_each_hostile_file():
    """Each file in a fresh process (bench/hostile_files.py): peak memory above the same process having read a small
    good file. Before decision 0015 these 600 KB files took the import worker to 1.4–2.0 GB."""
    output = subprocess.run([sys.executable, str(ROOT / "bench" / "hostile_files.py"), "--json"], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    figures = json.loads(output.stdout)
    assert set(figures) == set(hostile.HOSTILE)
    for name, figure in figures.items():
        assert figure["refused"] or name == "prefixed_sheet", name
        assert figure["above_baseline_mb"] < 64, (name, figure)
