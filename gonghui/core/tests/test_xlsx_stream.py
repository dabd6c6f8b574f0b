"""The streaming xlsx reader gives the rows calamine gives, and hands over to calamine at what it does not know."""
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings, strategies as st
from python_calamine import CalamineWorkbook

from gonghui.core import xlsx_stream
from gonghui.core.exceptions import ApplicationError
from gonghui.core.xlsx_stream import sheet_rows

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PLAIN_STYLES = '<cellXfs><xf numFmtId="0"/></cellXfs>'


def calamine_rows(data: bytes) -> list[list]:
    """calamine's rows, with column A at index 0 (the streamed rows' alignment)."""
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    column = (sheet.start or (0, 0))[1]
    return [[""] * column + row for row in sheet.iter_rows()]


def trimmed(rows: list[list]) -> list[list]:
    """Rows without trailing empty cells and without trailing empty rows: calamine pads to the widest row."""
    rows = [list(row) for row in rows]
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch):
    """Pieces of a few rows, so that even a small sheet is cut into many (and the first goes into its own copy)."""
    monkeypatch.setattr(xlsx_stream, "PIECE_BYTES", 300)


@pytest.fixture
def streamed_only(monkeypatch):
    """Fails the test if calamine has to read the whole sheet."""
    def refuse(data):
        raise AssertionError("calamine read the whole sheet")
    monkeypatch.setattr(xlsx_stream, "_whole_sheet", refuse)


def streamed(data: bytes) -> list[list]:
    rows, _ = sheet_rows(data)
    return list(rows)


def assert_same_as_calamine(data: bytes) -> None:
    assert trimmed(streamed(data)) == trimmed(calamine_rows(data))


def xlsxwriter_book(write, *, constant_memory: bool = False) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": constant_memory, "in_memory": True})
    write(book, book.add_worksheet())
    book.close()
    return buffer.getvalue()


def package(sheet_data: str, *, shared: list[str] = (), styles: str = "", workbook_pr: str = "",
            before_rows: str = '<dimension ref="A1:C3"/>', prefix: str = "") -> bytes:
    """A hand-written xlsx, for the shapes a library will not write."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns{":" + prefix if prefix else ""}="{MAIN_NS}"'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                         '<Default Extension="xml" ContentType="application/xml"/>'
                         '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                         '<Override PartName="/xl/worksheets/data.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                         '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                         '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                         '</Types>')
        archive.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                         '</Relationships>')
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                         f'{workbook_pr}<sheets><sheet name="名单" sheetId="1" r:id="rId7"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         '<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/>'
                         '<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/>'
                         '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
                         '</Relationships>')
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN_NS}">' + "".join(shared) + "</sst>")
        archive.writestr("xl/styles.xml", f'<styleSheet xmlns="{MAIN_NS}">{styles or PLAIN_STYLES}</styleSheet>')
        archive.writestr("xl/worksheets/data.xml", f'<{p}worksheet {ns}>{before_rows}<{p}sheetData>{sheet_data}</{p}sheetData></{p}worksheet>')
    return buffer.getvalue()


# ------------------------------------------------------------------ what libraries and office programs write


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared strings", "inline strings"])
def test_xlsxwriter_values_read_as_calamine_reads_them(streamed_only, constant_memory):
    def write(book, sheet):
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        chinese_date = book.add_format({"num_format": 'yyyy"年"m"月"d"日"'})
        builtin_date = book.add_format({"num_format": 14})
        text = book.add_format({"num_format": "@"})
        number = book.add_format({"num_format": "0_ ;[Red]\\-0\\ "})
        sheet.write_row(0, 0, ["姓名", "身份证号", "手机号", "入会日期", "人数"])
        sheet.write_string(1, 0, "  王 伟  ", text)
        sheet.write_string(1, 1, "44010619800101123X", text)
        sheet.write_number(1, 2, 13800138000)
        sheet.write_datetime(1, 3, dt.datetime(2026, 11, 26), date)
        sheet.write_number(1, 4, 3, number)
        sheet.write_string(2, 0, "a&b<c>\"'\t_x000D_ 尾")
        sheet.write_number(2, 1, 4.401061980010113e+17)
        sheet.write_datetime(2, 3, dt.datetime(2001, 3, 1), chinese_date)
        sheet.write_datetime(2, 4, dt.datetime(1900, 3, 1), builtin_date)
        sheet.write_boolean(3, 0, True)
        sheet.write_boolean(3, 1, False)
        sheet.write_formula(3, 2, '="x"&"y"', None, "xy")
        sheet.write_formula(3, 3, "=1+2", None, 3)
        sheet.write_number(3, 4, -1.5e-7)
        sheet.write_blank(4, 2, None, text)  # a styled empty cell inside the rows
        sheet.write_string(6, 6, "远处的格")  # a gap of a row, and columns beyond the header's
    assert_same_as_calamine(xlsxwriter_book(write, constant_memory=constant_memory))


def test_openpyxl_workbook_reads_as_calamine_reads_it(streamed_only):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "入会日期", None, "备注"])
    sheet.append(["李娜", "440106198001011234", dt.date(2026, 1, 5), None, 12])
    sheet.append([None, None, None, None, None])
    sheet.append(["张 三", "11010519491231002X", dt.datetime(2024, 2, 29), 7.25, "<b>&amp;</b>"])
    sheet["C4"].number_format = "yyyy/m/d"
    buffer = io.BytesIO()
    book.save(buffer)
    assert_same_as_calamine(buffer.getvalue())


def test_a_sheet_that_starts_lower_and_further_right(streamed_only):
    def write(book, sheet):
        sheet.write_row(3, 2, ["姓名", "身份证号"])
        sheet.write_row(4, 2, ["王芳", "440106198001011234"])
    data = xlsxwriter_book(write)
    rows = streamed(data)
    assert rows[:3] == [[], [], []]  # rows count from the sheet's first, so error reports name the rows Excel shows
    assert rows[3][2:] == ["姓名", "身份证号"] and rows[4][2:] == ["王芳", "440106198001011234"]
    assert_same_as_calamine(data)


def test_shared_strings_with_runs_and_a_pronunciation_guide(streamed_only):
    shared = ['<si><t>姓名</t><phoneticPr fontId="1" type="noConversion"/></si>',
              '<si><r><rPr><b/></rPr><t xml:space="preserve">王 </t></r><r><t>芳</t></r></si>',
              '<si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh></si>',
              '<si><t>a&amp;b &#x4E2D;&#25991; _x005F_x000D_ _x000D_</t></si>',
              "<si><t/></si>"]
    data = package('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
                   '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c></row>', shared=shared)
    assert streamed(data)[0] == ["姓名", "王 芳", "漢字"]
    assert streamed(data)[1][0] == "a&b 中文 _x000D_ \r"
    assert_same_as_calamine(data)


@pytest.mark.parametrize("format_id", [0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15, 16, 17, 37, 38, 39, 40, 48, 49])
def test_builtin_number_formats(streamed_only, format_id):
    styles = f'<cellXfs><xf numFmtId="0"/><xf numFmtId="{format_id}"/></cellXfs>'
    data = package('<row r="1"><c r="A1" s="1"><v>46352</v></c><c r="B1" s="1"><v>61</v></c><c r="C1"><v>7</v></c></row>',
                   styles=styles)
    assert_same_as_calamine(data)


@pytest.mark.parametrize("code", ["yyyy-mm-dd", "yyyy/m/d", 'yyyy"年"m"月"d"日"', "mmm-yy", "d\\-m", "0_ ", "#,##0.00_);[Red]\\(#,##0.00\\)",
                                  '"共"0"人"', "0.0%", "# ?/?"])
def test_custom_number_formats(streamed_only, code):
    styles = (f'<numFmts count="1"><numFmt numFmtId="176" formatCode="{code.replace(chr(34), "&quot;")}"/></numFmts>'
              '<cellXfs><xf numFmtId="0"/><xf numFmtId="176"/></cellXfs>')
    data = package('<row r="1"><c r="A1" s="1"><v>46352</v></c><c r="B1"><v>2.5</v></c></row>'
                   '<row r="2"><c r="A2" s="1"><v>61</v></c></row>', styles=styles)
    assert_same_as_calamine(data)


# ------------------------------------------------------------------ what calamine reads whole


def test_a_namespace_prefix_is_read_whole():
    data = package('<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>前缀</x:t></x:is></x:c></x:row>', prefix="x")
    assert trimmed(streamed(data)) == trimmed(calamine_rows(data)) == [["前缀"]]


def test_rows_without_numbers_further_down_are_read_whole_from_where_the_pieces_stopped():
    numbered = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>第{n}行</t></is></c><c r="B{n}"><v>{n}</v></c></row>'
                       for n in range(1, 41))
    unnumbered = "".join(f'<row><c t="inlineStr"><is><t>第{n}行</t></is></c></row>' for n in range(41, 46))
    data = package(numbered + unnumbered, before_rows="")
    rows = streamed(data)
    assert [row[0] for row in rows] == [f"第{n}行" for n in range(1, 46)]  # none lost, none given twice
    assert trimmed(rows) == trimmed(calamine_rows(data))


def test_a_1904_workbook_keeps_its_date_system(streamed_only):
    styles = '<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
    data = package('<row r="1"><c r="A1" s="1"><v>44890</v></c></row>', styles=styles, workbook_pr='<workbookPr date1904="1"/>')
    assert trimmed(streamed(data)) == trimmed(calamine_rows(data)) == [[dt.date(2026, 11, 26)]]


def test_the_copies_are_removed_when_reading_ends_or_stops(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_stream.tempfile, "tempdir", str(tmp_path))
    def write(book, sheet):
        for row in range(200):
            sheet.write_row(row, 0, ["姓名", str(row)])
    data = xlsxwriter_book(write)
    rows, _ = sheet_rows(data)
    next(rows)
    assert list(tmp_path.iterdir())
    rows.close()
    assert not list(tmp_path.iterdir())
    assert len(list(sheet_rows(data)[0])) == 200 and not list(tmp_path.iterdir())


def test_a_sheet_that_unzips_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx_stream, "MAX_SHEET_BYTES", 5_000)
    def write(book, sheet):
        for row in range(500):
            sheet.write_row(row, 0, ["姓名", str(row)])
    with pytest.raises(ApplicationError, match="表格过大") as refused:
        list(sheet_rows(xlsxwriter_book(write))[0])
    assert refused.value.code == "file_too_large"


def test_a_broken_file_is_refused_in_chinese():
    with pytest.raises(ApplicationError, match="无法读取该 Excel 文件") as refused:
        list(sheet_rows(b"PK\x03\x04 not really a zip")[0])
    assert refused.value.code == "file_unreadable"


def test_a_file_broken_after_its_first_rows_is_refused_in_chinese(monkeypatch):
    monkeypatch.setattr(xlsx_stream, "PIECE_BYTES", 100_000)
    def write(book, sheet):
        for row in range(60_000):
            sheet.write_row(row, 0, [f"姓名{row}", str(row * 7919)])
    data = bytearray(xlsxwriter_book(write, constant_memory=True))
    middle = data.find(b"xl/worksheets/sheet1.xml") + 200_000
    data[middle:middle + 64] = b"\x00" * 64  # past the first piece: found while copying the rest
    with pytest.raises(ApplicationError, match="无法读取该 Excel 文件"):
        list(sheet_rows(bytes(data))[0])


def test_the_row_count_comes_from_the_dimension(streamed_only):
    def write(book, sheet):
        for row in range(1001):
            sheet.write_row(row, 0, ["姓名", str(row)])
    rows, about = sheet_rows(xlsxwriter_book(write, constant_memory=True))
    assert about == 1000 and len(list(rows)) == 1001


def test_an_empty_sheet_has_no_rows():
    assert streamed(package("", before_rows="")) == []
    assert streamed(xlsxwriter_book(lambda book, sheet: None)) == []


# ------------------------------------------------------------------ anything a cadre may type


cell_values = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("&<>\"'_x000D\t\n\r\x01 "),
            max_size=12),
    st.integers(min_value=-10**15, max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.none(),
)


@settings(max_examples=120, deadline=None)
@given(grid=st.lists(st.lists(cell_values, max_size=6), min_size=1, max_size=8), constant_memory=st.booleans(),
       writer=st.sampled_from(["xlsxwriter", "openpyxl"]))
def test_any_grid_reads_as_calamine_reads_it(grid, constant_memory, writer):
    if writer == "xlsxwriter":
        def write(book, sheet):
            date = book.add_format({"num_format": "yyyy-mm-dd"})
            for r, row in enumerate(grid):
                for c, value in enumerate(row):
                    if isinstance(value, dt.date):
                        sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
                    elif isinstance(value, str):
                        sheet.write_string(r, c, value)
                    elif value is not None:
                        sheet.write(r, c, value)
        data = xlsxwriter_book(write, constant_memory=constant_memory)
    else:
        book = openpyxl.Workbook()
        for row in grid:
            # openpyxl refuses control characters, and writes a bare CR that XML reading turns into LF
            book.active.append([value.replace("\r", "").replace("\x01", "") if isinstance(value, str) else value for value in row])
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    assert_same_as_calamine(data)
