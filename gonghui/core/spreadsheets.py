"""Reading and writing spreadsheets as cadres really have them (DESIGN.md rule 9).

Reading uses python-calamine, a piece at a time (`xlsx_stream`); writing uses XlsxWriter in constant-memory mode.
Upload bytes are sniffed, never trusted from the file name.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import xlsxwriter
from django.conf import settings
from gonghui.core.exceptions import ApplicationError
from gonghui.core.uploads import MAX_CELLS, MAX_ROW_BYTES, MAX_ROWS, ZIP_MAGIC as XLSX_MAGIC, check_package
from gonghui.core.xlsx_stream import sheet_rows


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: the header cadres see and the key the code uses."""

    key: str
    header: str
    text: bool = False  # ID-like columns are formatted as text so Excel keeps every digit
    width: int = 16
    # A column of codes, read by `code_cell`: a number cell is taken as its digits only if it has one of these lengths
    digits: tuple[int, ...] | None = None
    date: bool = False  # read by `date_cell`


class CellError(ValueError):
    """A cell that cannot be read as its column says, with the Chinese message for the row's report."""

    @property
    def message(self) -> str:
        return self.args[0]


# Full-width ASCII (０-９, Ａ-Ｚ, －, ／ …) as typed with a Chinese input method, and the ideographic space
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+")  # 4.40106E+17: what Excel writes for a code it took for a number
DATE_FORMS = re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
                        r"|(?P<cy>[0-9]{4})年(?P<cm>[0-9]{1,2})月(?P<cd>[0-9]{1,2})日?"
                        r"|(?P<ny>[0-9]{4})(?P<nm>[0-9]{2})(?P<nd>[0-9]{2})")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel counts a 29 February 1900 that never was)
DATE_HINT = "应为 2026-11-26（也可写 2026/11/26、2026.11.26、2026年11月26日 或 20261126）"


def typed_text(value) -> str:
    """A cell as text the way a person meant it: trimmed, full-width digits and letters as ASCII, and without the
    apostrophe typed in front to keep a code as text (a csv or some office suites keep it literally)."""
    text = str(value).translate(FULL_WIDTH).strip()
    return text[1:].lstrip() if text.startswith("'") else text


def code_cell(value, *, digits: tuple[int, ...] = ()) -> str:
    """A code (phone, union or division code, ID number, credit code) as text, read once for every import. A number cell
    is taken as its digits only when it is a whole number of one of the `digits` lengths (a phone's 11, a code's 9 or 12);
    otherwise it has lost digits: its leading zeros, or everything past the 15th (an ID number, DESIGN rule 9)."""
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime)):
        raise CellError("单元格应为编码，不是日期或是/否，请将该列设为文本后重新填写")
    if isinstance(value, (int, float)):
        # the message names the number only while it is short: a longer one is most of an ID or a phone number
        if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e15):
            raise CellError("单元格被表格软件转成了数字（末几位已丢失），请将该列设为文本后重新填写")
        text = str(int(value))
        if len(text) in digits:
            return text
        shown = f"{text}，" if len(text) <= 9 else ""
        raise CellError(f"单元格被表格软件转成了数字（{shown}开头的 0 可能已丢失），请将该列设为文本后重新填写")
    text = typed_text(value)
    if SCIENTIFIC.fullmatch(text):
        raise CellError(f"单元格被表格软件转成了数字（{text}，末几位已丢失），请将该列设为文本后重新填写")
    return text


def date_cell(value) -> dt.date | None:
    """A date as people type it or office suites store it (a date cell, a serial number, 20261126, 2026/11/26, 2026.11.26,
    2026年11月26日), or None for an empty cell. Anything more or less (2026-11-012, a range, a day that does not exist)
    is refused, never cut to the first ten characters."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(f"日期格式不正确，{DATE_HINT}")
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 19000101 <= value <= 99991231:
            value = str(int(value))  # 20261126 typed into a General cell
        elif 1 <= value < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        else:
            raise CellError(f"日期“{value:g}”格式不正确，{DATE_HINT}")
    text = typed_text(value)
    match = DATE_FORMS.fullmatch(text)
    if match is None:
        raise CellError(f"日期“{text[:30]}”格式不正确，{DATE_HINT}")
    year, month, day = (match["y"] or match["cy"] or match["ny"], match["m"] or match["cm"] or match["nm"],
                        match["d"] or match["cd"] or match["nd"])
    try:
        parsed = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(f"日期“{text}”不存在，请核对") from None
    if parsed.year < 1900:
        raise CellError(f"日期“{text}”不在合理范围内，请核对")
    return parsed


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
    check_package(data, what="表格")


def table_rows(data: bytes, *, max_bytes: int) -> tuple[Iterator[list], int]:
    """(raw rows with the header first, about how many rows) of an xlsx's first sheet or a UTF-8/GB18030 csv, each
    bounded in what it expands to before it is read (core.uploads): an xlsx by its parts, rows and cells' places, a
    csv by its lines, its cells and the length of a line."""
    if len(data) > max_bytes:
        raise ApplicationError(f"文件过大：不能超过 {max_bytes // 1024 // 1024} MB", code="file_too_large")
    if not data.strip():
        raise ApplicationError("上传的文件是空的", code="file_empty")
    if data.startswith(XLSX_MAGIC):
        return sheet_rows(data)
    if b"\x00" in data[:4096]:
        raise ApplicationError("文件格式不正确：请上传 .xlsx 或 .csv 文件", code="file_type")
    lines = data.count(b"\n")
    if lines > MAX_ROWS:
        raise ApplicationError(f"表格超过 {MAX_ROWS:,} 行，请拆分成多个文件后分别导入", code="upload.too_many_rows")
    if data.count(b",") > MAX_CELLS:
        raise ApplicationError(f"表格超过 {MAX_CELLS:,} 个单元格，请删除多余的行列或拆分成多个文件", code="upload.too_many_cells")
    text = io.TextIOWrapper(io.BytesIO(data), encoding=_encoding(data), newline="")  # decoded as read, never held whole
    return _csv_rows(text), max(lines - 1, 1)


def _csv_rows(text: io.TextIOWrapper) -> Iterator[list]:
    """csv.reader over lines of at most MAX_ROW_BYTES characters (a line is never read whole past that), with csv's
    own complaints (a field over its limit, a stray quote) in Chinese."""
    def lines() -> Iterator[str]:
        while line := text.readline(MAX_ROW_BYTES + 1):
            if len(line) > MAX_ROW_BYTES:
                raise ApplicationError(f"CSV 中有一行过长（超过 {MAX_ROW_BYTES >> 20} MB 字符），或文件缺少换行，已拒绝",
                                       code="upload.row_too_large")
            yield line

    reader = csv.reader(lines())
    try:
        yield from reader
    except csv.Error as exc:
        raise ApplicationError(f"CSV 第 {reader.line_num} 行格式不正确（引号不配对或单元格过长），请用办公软件另存为 CSV 后再上传",
                               code="file_type") from exc


def _encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) if the whole file is valid UTF-8, else GB18030 (what Excel saves as "CSV" in China)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(data[start:start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ApplicationError("无法识别文件编码：请保存为 UTF-8 或 GB18030（GBK）编码的 CSV", code="file_encoding")


def read_xlsx_rows(data: bytes, *, columns: Sequence[Column]) -> Iterator[tuple[int, dict, list[RowError]]]:
    """Yield (excel_row_number, {key: value}, problems) for each non-empty row of the first sheet: code columns read by
    `code_cell`, date columns by `date_cell`; a cell that cannot be read is None and named in `problems`.

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
    positions = [(column, header.index(column.header)) for column in columns]
    for offset, cells in enumerate(rows, start=2):
        values, problems = {}, []
        for column, index in positions:
            try:
                values[column.key] = _cell(cells, index, column)
            except CellError as exc:
                values[column.key] = None
                problems.append(RowError(offset, column.header, exc.message))
        if problems or any(value not in (None, "") for value in values.values()):
            yield offset, values, problems


def _cell(cells: list, index: int, column: Column):
    value = cells[index] if index < len(cells) else None
    if value == "":
        return None if column.date else ""
    if column.digits is not None:
        return code_cell(value, digits=column.digits)
    if column.date:
        return date_cell(value)
    if isinstance(value, str):
        return typed_text(value) if column.text else value.strip()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e9:
        return int(value)  # calamine returns every number as float; small whole numbers (headcount) are ints
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


# A csv cell starting with one of these is a formula to an office suite (=HYPERLINK(…) sends the sheet away): it is
# written after an apostrophe, which shows but never runs. xlsx cells are written as strings and need nothing.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A code (ID number, phone, member number, union code, masked or not) that an office suite would take for a number and
# round to 15 digits or strip of its leading zeros: written as ="…", a formula of a literal text, which Excel, WPS and
# LibreOffice all open as that text (tests/test_csv_office.py converts with LibreOffice). Only such plain codes.
PLAIN_CODE = re.compile(r"[0-9A-Za-z*][0-9A-Za-z*\-]*")


def csv_cell(value, *, text: bool = False) -> str:
    """One cell of a csv export, as an office suite will open it: a `text` column's code stays the same text, and no
    cell runs as a formula (DESIGN rule 11)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)) and not text:
        return str(value)
    value = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
    if text and PLAIN_CODE.fullmatch(value):
        return f'="{value}"'
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_csv_to(target, *, columns: Sequence[Column], rows: Iterable[dict]) -> int:
    """Write the rows to the path `target` as UTF-8 with a BOM (which makes Excel read UTF-8); returns how many. Every csv
    export writes through here, so every cell goes through `csv_cell`."""
    count = 0
    with open(target, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([csv_cell(column.header) for column in columns])
        for row in rows:
            writer.writerow([csv_cell(row.get(column.key), text=column.text) for column in columns])
            count += 1
    return count


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
