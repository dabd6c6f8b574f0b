"""Writing spreadsheets: what a cadre opens in Excel, and a million rows without holding them in memory."""
import io
import tracemalloc

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
