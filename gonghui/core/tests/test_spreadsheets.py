"""Writing spreadsheets: what a cadre opens in Excel, and a million rows without holding them in memory."""
import datetime
import io
import tracemalloc

import pytest

from python_calamine import CalamineWorkbook

from gonghui.core.spreadsheets import Column, write_xlsx, write_xlsx_to

COLUMNS = (Column("id", "身份证号", text=True), Column("name", "姓名"), Column("count", "人数"))


def test_text_columns_stay_text_and_numbers_stay_numbers():
    data = write_xlsx(columns=COLUMNS, rows=[{"id": "440106199001011234", "name": "张三", "count": 12}], sheet_name="名册")
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["名册"]
    assert book.get_sheet_by_index(0).to_python() == [["身份证号", "姓名", "人数"], ["440106199001011234", "张三", 12.0]]


def test_rows_go_to_the_file_as_they_come_not_into_memory(tmp_path):
    """XlsxWriter keeps every cell until close unless constant-memory mode is on (and `in_memory` turns it off):
    3,000 rows of nine cells held would be about 12 MB."""
    columns = [Column(f"c{i}", f"列{i}", text=i % 2 == 0) for i in range(9)]
    rows = ({column.key: f"第{n}行{column.header}" for column in columns} for n in range(3000))
    tracemalloc.start()
    try:
        written = write_xlsx_to(tmp_path / "大表.xlsx", columns=columns, rows=rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert written == 3000 and peak < 3 * 1024 * 1024
    sheet = CalamineWorkbook.from_path(str(tmp_path / "大表.xlsx")).get_sheet_by_index(0).to_python()
    assert len(sheet) == 3001 and sheet[3000][8] == "第2999行列8"


def test_a_code_stored_as_a_number_is_its_digits_only_at_its_length():
    from gonghui.core.spreadsheets import CellError, code_cell

    assert code_cell(18876030722.0, digits=(11,)) == "18876030722" and code_cell(440106001901.0, digits=(6, 9, 12)) == "440106001901"
    assert code_cell(" '４４０１０６ ", digits=()) == "440106" and code_cell(None) == ""
    for value, digits, message in [(123.0, (9,), "开头的 0"), (4.40106197507101e17, (18,), "末几位已丢失"), ("4.40106E+17", (), "末几位已丢失"),
                                   (12.5, (2,), "末几位"), (True, (1,), "不是日期或是/否")]:
        with pytest.raises(CellError, match=message):
            code_cell(value, digits=digits)


def test_dates_are_read_strictly_in_every_form_people_type():
    from gonghui.core.spreadsheets import CellError, date_cell

    may_day = datetime.date(2024, 5, 1)
    for value in ["2024-05-01", "2024/5/1", "2024.5.1", "2024年5月1日", "2024年5月1", "20240501", "'2024-05-01", "２０２４／５／１",
                  "2024-05-01 08:30", 45413, 45413.75, 20240501, may_day, datetime.datetime(2024, 5, 1, 8)]:
        assert date_cell(value) == may_day, value
    assert date_cell("") is None and date_cell(None) is None
    for value in ["2024-05-012", "2024-05-01 到 2024-06-01", "2024-5/1", "01/05/2024", "2024-02-30", "1899-12-31", "五月一日", -3, True]:
        with pytest.raises(CellError):
            date_cell(value)
