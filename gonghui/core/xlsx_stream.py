"""The first sheet of a large xlsx, handed out piece by piece as calamine parses it (decision 0010).

calamine parses a whole sheet before it returns the first row: 5–13 s for a million rows, in which an import
can write nothing. It parses without holding the GIL, one sheet at a time. So the sheet's XML is cut at row ends
into pieces of a few MB, each made a sheet of an uncompressed copy of the workbook that keeps its shared strings,
styles and date system, and calamine parses the next piece in a thread while the caller works on this one. The
first piece goes into a copy of its own, so rows flow while the rest is still being copied.

Every value is calamine's own; only row numbers and column positions are carried across the pieces. Anything
this cutting cannot be sure of (a namespace prefix, rows without their numbers) is read by calamine whole, as
before.
"""
from __future__ import annotations

import io
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from python_calamine import CalamineWorkbook

from gonghui.core.exceptions import ApplicationError

PIECE_BYTES = 4 << 20  # of sheet XML: about 10,000 rows
MAX_SHEET_BYTES = 4 << 30  # uncompressed: more than any sheet Excel can hold, less than a zip bomb
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIP_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_TYPE = RELATIONSHIP_NS.decode() + "/worksheet"
PACKAGE_RELATIONSHIPS = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         b'<Relationship Id="rId1" Target="xl/workbook.xml" '
                         b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>')
SHEET_TARGET = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*>|<Relationship\b[^>]*>')
FIRST_SHEET_ID = re.compile(rb'<sheet\b[^>]*?\br:id="([^"]+)"')
WORKBOOK_PROPERTIES = re.compile(rb"<workbookPr\b[^>]*/>")
DIMENSION = re.compile(rb'<dimension ref="[A-Z]+(\d+)(?::[A-Z]+(\d+))?"')


class _Unsure(Exception):
    """Something the cutting leaves to calamine reading the whole sheet."""


def sheet_rows(data: bytes) -> tuple[Iterator[list], int]:
    """(the first sheet's rows as calamine gives them: from row 1, empty rows as []; about how many rows).
    Column A is at index 0 (calamine starts at the first column with data; the header's positions follow)."""
    try:
        cutter = _Cutter(data)
    except ApplicationError:
        raise
    except Exception:  # _Unsure, or a broken archive: calamine reads the whole sheet, or refuses it in Chinese
        sheet = _whole_sheet(data)
        return _rows_of_whole_sheet(sheet, after=0), max(sheet.height - 1, 1)
    return cutter.rows(), cutter.estimate


def _whole_sheet(data: bytes):
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    except Exception as exc:  # calamine's own error types for broken archives
        raise ApplicationError("无法读取该 Excel 文件，请确认文件未损坏", code="file_unreadable") from exc


def _rows_of_whole_sheet(sheet, *, after: int, width: int = 0) -> Iterator[list]:
    """calamine's rows from the 0-based row `after` on, with column A at index 0."""
    first_column = (sheet.start or (0, 0))[1]
    for number, cells in enumerate(sheet.iter_rows()):
        if number >= after:
            cells = [""] * first_column + cells if first_column else cells
            yield cells + [""] * (width - len(cells)) if len(cells) < width else cells


class _Cutter:
    """Reads the original sheet's XML once, as it unzips, and writes it out in pieces (see the module's docstring)."""

    def __init__(self, data: bytes):
        self.data = data
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        self.workbook = archive.read("xl/workbook.xml")
        sheet_path = _first_sheet_path(self.workbook, archive.read("xl/_rels/workbook.xml.rels"))
        self.shared = {name: archive.read(name) for name in ("xl/sharedStrings.xml", "xl/styles.xml") if name in names}
        self.stream = archive.open(sheet_path)
        self.unzipped = 0
        self.buffer = self._read_to_rows(archive.getinfo(sheet_path).file_size)
        self.next_row = 0  # 0-based: the first row not yet given
        self.width = 0  # the header's: rows are padded to it, as calamine pads a whole sheet's to its widest
        self.files: list = []
        self.stopped = False  # set when the caller stops reading early, so the copying stops too

    def _read(self) -> bytes:
        block = self.stream.read(PIECE_BYTES)
        self.unzipped += len(block)
        if self.unzipped > MAX_SHEET_BYTES:
            raise ApplicationError("表格过大：请拆分成多个文件后分别导入", code="file_too_large")
        return block

    def _read_to_rows(self, size: int) -> bytes:
        """Keep the root element's opening tag (its namespace declarations) and estimate how many rows there are."""
        text = b""
        while b"<sheetData" not in text and (block := self._read()):
            text += block
        root = text.find(b"<worksheet ")
        start = text.find(b"<sheetData>")
        self.root = text[root:text.find(b">", root) + 1]
        if root < 0 or start < 0 or b'xmlns="' + MAIN_NS + b'"' not in self.root:
            raise _Unsure("a namespace prefix, or an empty sheet")
        dimension = DIMENSION.search(text, 0, start)
        if dimension and dimension.group(2):
            self.estimate = max(int(dimension.group(2)) - 1, 1)
        else:
            self.estimate = max(size // 400, 1)  # about what a row of a member list takes
        return text[start + len(b"<sheetData>"):]

    def _pieces(self) -> Iterator[bytes]:
        """The rows' XML, cut at row ends."""
        text, self.buffer = self.buffer, b""
        while True:
            end = text.find(b"</sheetData>")
            if end >= 0:
                if text[:end].strip():
                    yield _checked(text[:end])
                return
            cut = text.rfind(b"</row>") + len(b"</row>")
            if cut > PIECE_BYTES // 2:
                yield _checked(text[:cut])
                text = text[cut:]
            block = self._read()
            if not block or self.stopped:
                raise _Unsure("the sheet does not end" if not block else "the caller stopped reading")
            text += block

    def _copy(self, pieces: list[bytes] | Iterator[bytes]) -> CalamineWorkbook:
        """An uncompressed workbook with one sheet per piece."""
        handle = tempfile.NamedTemporaryFile(prefix="gonghui-sheet-", suffix=".xlsx")
        self.files.append(handle)
        count = 0
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as copy:
            copy.writestr("_rels/.rels", PACKAGE_RELATIONSHIPS)
            for name, content in self.shared.items():
                copy.writestr(name, content)
            for count, piece in enumerate(pieces, start=1):
                copy.writestr(f"xl/worksheets/piece{count}.xml", b"".join((self.root, b"<sheetData>", piece, b"</sheetData></worksheet>")))
            copy.writestr("xl/workbook.xml", _workbook(self.workbook, count))
            copy.writestr("xl/_rels/workbook.xml.rels", _relationships(count))
        handle.flush()
        return CalamineWorkbook.from_path(handle.name), count

    def rows(self) -> Iterator[list]:
        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="xlsx-pieces")  # one copies, one parses
        try:
            yield from self._rows_in_pieces(pool)
        except ApplicationError:
            raise
        except Exception:  # a piece the cutting or calamine could not take: calamine reads the whole sheet and decides
            yield from _rows_of_whole_sheet(_whole_sheet(self.data), after=self.next_row, width=self.width)
        finally:
            self.stopped = True
            pool.shutdown(wait=True, cancel_futures=True)
            for handle in self.files:
                handle.close()

    def _rows_in_pieces(self, pool: ThreadPoolExecutor) -> Iterator[list]:
        pieces = self._pieces()
        first = next(pieces, None)
        if first is None:
            return
        head = self._copy([first])
        rest: Future = pool.submit(self._copy, pieces)  # copied while the first piece is parsed and used
        yield from self._rows_of(pool, *head)
        yield from self._rows_of(pool, *rest.result())

    def _rows_of(self, pool: ThreadPoolExecutor, workbook: CalamineWorkbook, count: int) -> Iterator[list]:
        parsing = pool.submit(workbook.get_sheet_by_index, 0)
        for index in range(count):
            sheet = parsing.result()
            if index + 1 < count:
                parsing = pool.submit(workbook.get_sheet_by_index, index + 1)  # parsed while this one is used
            yield from self._rows_of_piece(sheet)

    def _rows_of_piece(self, sheet) -> Iterator[list]:
        if sheet.start is None:
            return
        first_row, first_column = sheet.start
        if first_row < self.next_row:
            raise _Unsure("rows out of order")
        rows = sheet.to_python(skip_empty_area=True)
        gap, self.next_row = first_row - self.next_row, first_row + len(rows)  # nothing below can fail
        self.width = self.width or len(rows[0]) + first_column
        for _ in range(gap):
            yield []
        for cells in rows:
            if first_column:
                cells = [""] * first_column + cells
            if len(cells) < self.width:
                cells.extend([""] * (self.width - len(cells)))
            yield cells


def _checked(piece: bytes) -> bytes:
    """A piece whose rows all carry their numbers: calamine would number unnumbered rows from the piece's start."""
    if piece.count(b"<row") != piece.count(b'<row r="'):
        raise _Unsure("a row without its number")
    return piece


def _first_sheet_path(workbook: bytes, relationships: bytes) -> str:
    sheet = FIRST_SHEET_ID.search(workbook)
    if sheet is None:
        raise _Unsure("no sheet, or a namespace prefix")
    for match in SHEET_TARGET.finditer(relationships):
        if match.group(1) == sheet.group(1):
            target = re.search(rb'\bTarget="([^"]+)"', match.group(0)).group(1).decode()
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    raise _Unsure("the first sheet's relationship")


def _workbook(original: bytes, count: int) -> bytes:
    """The copy's workbook: the original's date system (1900 or 1904), then one sheet per piece."""
    properties = WORKBOOK_PROPERTIES.search(original)
    sheets = b"".join(b'<sheet name="%d" sheetId="%d" r:id="rId%d"/>' % (n, n, n) for n in range(1, count + 1))
    return b"".join((b'<workbook xmlns="', MAIN_NS, b'" xmlns:r="', RELATIONSHIP_NS, b'">',
                     properties.group(0) if properties else b"", b"<sheets>", sheets, b"</sheets></workbook>"))


def _relationships(count: int) -> bytes:
    return ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{n}" Type="{WORKSHEET_TYPE}" Target="worksheets/piece{n}.xml"/>'
                      for n in range(1, count + 1))
            + "</Relationships>").encode()
