"""The first sheet of a large xlsx, handed out piece by piece as calamine parses it (decision 0010).

calamine parses a whole sheet before it returns the first row: 5–13 s for a million rows, in which an import
can write nothing. It parses without holding the GIL, one sheet at a time. So the sheet's XML is cut at row ends
into pieces of a few MB, each made a sheet of an uncompressed copy of the workbook that keeps its shared strings,
styles and date system, and calamine parses the next piece in a thread while the caller works on this one. The
first piece goes into a copy of its own, so rows flow while the rest is still being copied.

Every value is calamine's own; only row numbers and column positions are carried across the pieces. Anything
this cutting cannot be sure of (rows without their numbers, a strict-OOXML sheet) is read by calamine whole, from a
copy too. calamine never reads the uploaded archive itself, only copies written from parts zipfile unzipped within
the sizes `core.uploads.check_package` allowed; and every row it is given was counted and its cells' places checked
first (`core.uploads.TableBudget`), since calamine lays a sheet out as a full grid (decision 0015).
"""
from __future__ import annotations

import io
import posixpath
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from python_calamine import CalamineWorkbook

from gonghui.core.exceptions import ApplicationError
from gonghui.core.uploads import MAX_ROW_BYTES, TableBudget, check_package

PIECE_BYTES = 4 << 20  # of sheet XML: about 10,000 rows
MAX_SHEET_BYTES = 4 << 30  # uncompressed: more than any sheet Excel can hold, less than a zip bomb
MAX_WORKBOOK_BYTES = 16 << 20  # xl/workbook.xml and its relationships are read whole; an office suite writes a few KB
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIP_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_TYPE = RELATIONSHIP_NS.decode() + "/worksheet"
PACKAGE_RELATIONSHIPS = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         b'<Relationship Id="rId1" Target="xl/workbook.xml" '
                         b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>')
SHEET_TARGET = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*>|<Relationship\b[^>]*>')
FIRST_SHEET_ID = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\b\w+:id="([^"]+)"')
WORKBOOK_PROPERTIES = re.compile(rb"<(?:\w+:)?workbookPr\b([^>]*)/>")
ROOT = re.compile(rb"<(?:(\w+):)?worksheet\b[^>]*>")
# Any prefix, any attribute order: for sheets read whole (the pieces use exact patterns for their prefix, faster)
ANY_ROW = re.compile(rb"<(?:\w+:)?row\b")
ANY_CELL = re.compile(rb"<(?:\w+:)?c\b")
ANY_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Za-z$]+)\$?([0-9]+)"')
ANY_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]+)"')
DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+(\d+)(?::[A-Z]+(\d+))?"')


class _Unsure(Exception):
    """Something the cutting leaves to calamine reading the whole sheet."""


def sheet_rows(data: bytes) -> tuple[Iterator[list], int]:
    """(the first sheet's rows as calamine gives them: from row 1, empty rows as []; about how many rows).
    Column A is at index 0 (calamine starts at the first column with data; the header's positions follow)."""
    check_package(data, what="表格")
    try:
        cutter = _Cutter(data)
    except ApplicationError:
        raise
    except Exception:  # _Unsure, or a broken archive: calamine reads the whole sheet, or refuses it in Chinese
        sheet = _whole_sheet(data)
        return _rows_of_whole_sheet(sheet, after=0), max(sheet.height - 1, 1)
    return cutter.rows(), cutter.estimate


def _whole_sheet(data: bytes):
    """calamine's whole first sheet, read from a stored copy of every part: the worksheets are counted and their cells'
    places checked as they are copied, so calamine is never given a grid the budget does not allow."""
    handle = tempfile.NamedTemporaryFile(prefix="gonghui-sheet-", suffix=".xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as copy:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                scan = _Scan() if info.filename.startswith("xl/worksheets/") else None
                with archive.open(info) as source, copy.open(info.filename, "w", force_zip64=True) as target:
                    if scan is None:
                        shutil.copyfileobj(source, target, PIECE_BYTES)
                        continue
                    while block := source.read(PIECE_BYTES):
                        scan.feed(block)
                        target.write(block)
                    scan.finish()
        handle.flush()
        return CalamineWorkbook.from_path(handle.name).get_sheet_by_index(0)
    except ApplicationError:
        raise
    except Exception as exc:  # zipfile's and calamine's own errors for broken archives
        raise ApplicationError("无法读取该 Excel 文件，请确认文件未损坏", code="file_unreadable") from exc
    finally:
        handle.close()


class _Scan:
    """Rows, cells and the cells' places in a worksheet's XML fed in blocks of any size (a sheet read whole)."""

    def __init__(self):
        self.budget, self.carry, self.long_row = TableBudget(), b"", False
        self.first_row = self.first_column = 1 << 30
        self.last_row = self.last_column = self.cells = 0

    def feed(self, block: bytes) -> None:
        if self.long_row:  # read to the end without keeping it: a broken archive is refused as broken
            return
        text = self.carry + block
        end = text.rfind(b">") + 1  # whole tags only; the rest waits for the next block
        text, self.carry = text[:end], text[end:]
        if len(self.carry) > MAX_ROW_BYTES:
            self.long_row, self.carry = True, b""
            return
        cells = len(ANY_CELL.findall(text))
        refs = ANY_CELL_REF.findall(text)
        numbers = [int(number) for number in ANY_ROW_NUMBER.findall(text) if len(number) <= 8]
        rows = len(ANY_ROW.findall(text))
        self.budget.add(rows=rows, cells=cells)
        self.cells += cells
        extent = _extent(refs)
        if extent:
            self._widen(*extent)
        if numbers:
            self._widen(min(numbers), max(numbers), 1, 1)
        unplaced = cells - len(refs)
        if unplaced or rows > len(numbers):
            # calamine places a cell without a reference after the one before it, and a row without a number after the
            # row before it: counted from the sheet's start, they stretch the grid at most this far
            self._widen(1, max(self.budget.rows, self.last_row), 1, max(unplaced, 1))

    def _widen(self, first_row: int, last_row: int, first_column: int, last_column: int) -> None:
        self.first_row, self.last_row = min(self.first_row, first_row), max(self.last_row, last_row)
        self.first_column, self.last_column = min(self.first_column, first_column), max(self.last_column, last_column)

    def finish(self) -> None:
        if self.long_row:
            TableBudget.refuse_long_row()
        if self.last_row:
            TableBudget.check_extent(first_row=self.first_row, last_row=self.last_row, first_column=self.first_column,
                                     last_column=self.last_column, cells=self.cells)


def _extent(refs: list[tuple[bytes, bytes]]) -> tuple[int, int, int, int] | None:
    """(first row, last row, first column, last column), 1-based, of cell references (letters, digits)."""
    if not refs:
        return None
    letters = {letter for letter, _ in refs}
    digits = {digit for _, digit in refs}
    if max(map(len, letters)) > 3 or max(map(len, digits)) > 8:  # past XFD, or past any sheet's last row
        TableBudget.check_extent(first_row=1, last_row=1 << 30, first_column=1, last_column=1 << 30, cells=len(refs))
    columns = [_column_number(letter) for letter in letters]
    rows = [int(digit) for digit in digits]
    return min(rows), max(rows), min(columns), max(columns)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper().replace(b"$", b""):
        number = number * 26 + letter - 64
    return number


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
        self.workbook = _small_part(archive, "xl/workbook.xml")
        sheet_path = _first_sheet_path(self.workbook, _small_part(archive, "xl/_rels/workbook.xml.rels"))
        self.shared = [name for name in ("xl/sharedStrings.xml", "xl/styles.xml") if name in names]
        self.stream = archive.open(sheet_path)
        self.unzipped = 0
        self.budget = TableBudget()
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
        """Keep the root element's opening tag (its namespace declarations, with or without a prefix), learn the tags
        of this sheet's prefix, and estimate how many rows there are."""
        blocks: list[bytes] = []
        while b"<sheetData" not in (text := b"".join(blocks)) and b":sheetData" not in text and (block := self._read()):
            if len(text) > MAX_ROW_BYTES:
                raise _Unsure("no rows near the start")
            blocks.append(block)
        root = ROOT.search(text)
        if root is None:
            raise _Unsure("no worksheet")
        prefix = root.group(1) or b""
        declaration = (b"xmlns:" + prefix if prefix else b"xmlns") + b'="' + MAIN_NS + b'"'
        tag = prefix + b":" if prefix else b""
        start = text.find(b"<" + tag + b"sheetData>")
        if start < 0 or declaration not in root.group(0):
            raise _Unsure("a strict-OOXML namespace, or an empty sheet")
        self.root = root.group(0)
        self.tag = tag
        self.row_end, self.data_end = b"</" + tag + b"row>", b"</" + tag + b"sheetData>"
        self.cell_ref = re.compile(rb"<" + re.escape(tag) + rb'c r="([A-Z]+)([0-9]+)"')
        self.cell_row = re.compile(rb"<" + re.escape(tag) + rb'c r="[A-Z]([0-9]+)"')
        dimension = DIMENSION.search(text, 0, start)
        if dimension and dimension.group(2):
            self.estimate = max(int(dimension.group(2)) - 1, 1)
        else:
            self.estimate = max(size // 400, 1)  # about what a row of a member list takes
        return text[start + len(tag) + len(b"<sheetData>"):]

    def _pieces(self) -> Iterator[bytes]:
        """The rows' XML, cut at row ends. A row that does not end within MAX_ROW_BYTES is refused: the text is
        never joined again and again while waiting for one."""
        text, self.buffer = bytearray(self.buffer), b""
        searched = 0  # the sheet's end tag is not before this
        while True:
            end = text.find(self.data_end, searched)
            if end >= 0:
                if text[:end].strip():
                    yield self._checked(bytes(text[:end]))
                return
            searched = max(len(text) - len(self.data_end), 0)
            cut = text.rfind(self.row_end)
            cut = cut + len(self.row_end) if cut >= 0 else 0
            if cut > PIECE_BYTES // 2:
                yield self._checked(bytes(text[:cut]))
                del text[:cut]
                searched = max(searched - cut, 0)
                cut = 0
            if len(text) - cut > MAX_ROW_BYTES:
                while self._read():  # to the end without keeping it: a broken archive is refused as broken
                    pass
                TableBudget.refuse_long_row()
            block = self._read()
            if not block or self.stopped:
                raise _Unsure("the sheet does not end" if not block else "the caller stopped reading")
            text += block

    def _checked(self, piece: bytes) -> bytes:
        """A piece whose rows all carry their numbers (calamine would number unnumbered rows from the piece's start),
        within the budget of rows and cells, and whose cells' places make a grid the budget allows."""
        tag = self.tag
        rows = piece.count(b"<" + tag + b"row")
        if rows != piece.count(b"<" + tag + b'row r="'):
            raise _Unsure("a row without its number")
        cells = piece.count(b"<" + tag + b"c ") + piece.count(b"<" + tag + b"c>")
        self.budget.add(rows=rows, cells=cells)
        rows_of_cells = self.cell_row.findall(piece)
        if len(rows_of_cells) == cells:
            # every cell in columns A–Z (a member list): the rows' span is all that needs knowing, and the cheapest to learn
            numbers = [int(number) for number in set(rows_of_cells)]
            extent = (min(numbers), max(numbers), 1, 26) if numbers else None
        else:  # a reference after other attributes, in lower case, or none, or columns past Z: the general patterns decide
            refs = self.cell_ref.findall(piece)
            if len(refs) != cells:
                refs = ANY_CELL_REF.findall(piece)
                if len(refs) != cells:
                    raise _Unsure("a cell without its reference")
            extent = _extent(refs)
        if extent:
            TableBudget.check_extent(first_row=extent[0], last_row=extent[1], first_column=extent[2], last_column=extent[3],
                                     cells=cells)
        return piece

    def _copy(self, pieces: list[bytes] | Iterator[bytes]) -> CalamineWorkbook:
        """An uncompressed workbook with one sheet per piece; the shared strings and styles are copied as they unzip."""
        handle = tempfile.NamedTemporaryFile(prefix="gonghui-sheet-", suffix=".xlsx")
        self.files.append(handle)
        count = 0
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive, zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as copy:
            copy.writestr("_rels/.rels", PACKAGE_RELATIONSHIPS)
            for name in self.shared:
                with archive.open(name) as source, copy.open(name, "w", force_zip64=True) as target:
                    shutil.copyfileobj(source, target, PIECE_BYTES)
            for count, piece in enumerate(pieces, start=1):
                copy.writestr(f"xl/worksheets/piece{count}.xml",
                              b"".join((self.root, b"<", self.tag, b"sheetData>", piece, self.data_end, b"</", self.tag, b"worksheet>")))
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
    properties = WORKBOOK_PROPERTIES.search(original)  # written without the original's prefix, if it had one
    sheets = b"".join(b'<sheet name="%d" sheetId="%d" r:id="rId%d"/>' % (n, n, n) for n in range(1, count + 1))
    return b"".join((b'<workbook xmlns="', MAIN_NS, b'" xmlns:r="', RELATIONSHIP_NS, b'">',
                     b"<workbookPr" + properties.group(1) + b"/>" if properties else b"", b"<sheets>", sheets, b"</sheets></workbook>"))


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as part:
        content = part.read(MAX_WORKBOOK_BYTES + 1)
    if len(content) > MAX_WORKBOOK_BYTES:
        raise _Unsure(f"{name} is not what an office suite writes")
    return content


def _relationships(count: int) -> bytes:
    return ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{n}" Type="{WORKSHEET_TYPE}" Target="worksheets/piece{n}.xml"/>'
                      for n in range(1, count + 1))
            + "</Relationships>").encode()
