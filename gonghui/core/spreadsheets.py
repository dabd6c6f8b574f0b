"""Reading and writing spreadsheets as cadres really have them (DESIGN.md rule 9).

Reading uses python-calamine, a piece at a time (`xlsx_stream`); writing uses XlsxWriter in constant-memory mode.
Upload bytes are sniffed, never trusted from the file name.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import xlsxwriter
from django.conf import settings
from gonghui.core.exceptions import ApplicationError
from gonghui.core.xlsx_stream import sheet_rows

XLSX_MAGIC = b"PK\x03\x04"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: the header cadres see and the key the code uses."""

    key: str
    header: str
    text: bool = False  # ID-like columns are formatted as text so Excel keeps every digit
    width: int = 16


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based, as Excel shows it (the header is row 1)
    column: str
    message: str


def sniff_xlsx(data: bytes) -> None:
    if len(data) > settings.IMPORT_MAX_BYTES:
        limit_mb = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        raise ApplicationError(f"文件过大：不能超过 {limit_mb} MB", code="file_too_large")
    if not data:
        raise ApplicationError("上传的文件是空的", code="file_empty")
    if not data.startswith(XLSX_MAGIC):
        raise ApplicationError("文件格式不正确：请上传 Excel 2007 及以上的 .xlsx 文件", code="file_type")


def read_xlsx_rows(data: bytes, *, columns: Sequence[Column]) -> Iterator[tuple[int, dict]]:
    """Yield (excel_row_number, {key: value}) for each non-empty row of the first sheet.

    The header row is matched by the Chinese header text so column order may differ.
    """
    sniff_xlsx(data)
    rows = sheet_rows(data)[0]
    header = next(rows, None)
    if header is None:
        raise ApplicationError("表格没有内容", code="file_empty")
    header = [str(cell).strip() for cell in header]
    missing = [column.header for column in columns if column.header not in header]
    if missing:
        raise ApplicationError(
            "表头缺少列：" + "、".join(missing) + "。请使用下载的导入模板",
            code="missing_columns",
            fields={"header": missing},
        )
    positions = {column.key: header.index(column.header) for column in columns}
    for offset, cells in enumerate(rows, start=2):
        values = {key: _cell(cells, index) for key, index in positions.items()}
        if any(value not in (None, "") for value in values.values()):
            yield offset, values


def _cell(cells: list, index: int):
    value = cells[index] if index < len(cells) else None
    if isinstance(value, str):
        value = value.strip()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        # calamine returns every number as float; small whole numbers (headcount) are ints
        return int(value) if abs(value) < 1e9 else value
    return value


def write_xlsx(*, columns: Sequence[Column], rows: Iterable[dict], sheet_name: str = "Sheet1") -> bytes:
    output = io.BytesIO()
    write_xlsx_to(output, columns=columns, rows=rows, sheet_name=sheet_name)
    return output.getvalue()


def write_xlsx_to(target, *, columns: Sequence[Column], rows: Iterable[dict], sheet_name: str = "Sheet1") -> int:
    """Write the rows to `target` (a path or a binary file); returns how many. In XlsxWriter's constant-memory mode each
    row goes to a temporary file as soon as the next begins, so a million rows take the memory of one. (Its `in_memory`
    option would switch that mode off.)"""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    sheet = workbook.add_worksheet(sheet_name)
    header_format = workbook.add_format({"bold": True, "bg_color": "#FDE9E7", "border": 1})
    text_format = workbook.add_format({"num_format": "@"})
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width, text_format if column.text else None)
        sheet.write_string(0, index, column.header, header_format)
    row_index = 0
    for row_index, row in enumerate(rows, start=1):
        for col_index, column in enumerate(columns):
            _write_cell(sheet, row_index, col_index, row.get(column.key), text_format if column.text else None)
    workbook.close()
    return row_index


def _write_cell(sheet, row: int, col: int, value, text_format) -> None:
    if value is None or value == "":
        return
    if text_format is not None or isinstance(value, str):
        sheet.write_string(row, col, str(value), text_format)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否")
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value)
    elif isinstance(value, (dt.date, dt.datetime)):
        sheet.write_string(row, col, value.isoformat())
    else:
        sheet.write_string(row, col, str(value))


ERROR_REPORT_COLUMNS = (
    Column("row", "行号", width=8),
    Column("column", "列", width=20),
    Column("message", "错误说明", width=60),
)


def error_report_xlsx(errors: Sequence[RowError]) -> bytes:
    return write_xlsx(
        columns=ERROR_REPORT_COLUMNS,
        rows=({"row": e.row, "column": e.column, "message": e.message} for e in errors),
        sheet_name="错误报告",
    )
