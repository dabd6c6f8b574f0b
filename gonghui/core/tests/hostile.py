"""Hostile uploads, built small (about 600 KB, as the files that drove the import worker to 1.4–2.0 GB), for the
tests and for `bench/hostile_files.py`, which measures the reader's peak memory on each."""
import io
import random
import zipfile

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def workbook(sheet: bytes | str, *, shared: bytes | str | None = None, extra: dict | None = None) -> bytes:
    """An xlsx whose first sheet (and shared strings) are exactly the bytes given, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
                         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>')
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                         '<sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" Type="{SHEET_TYPE}" '
                         'Target="worksheets/sheet1.xml"/></Relationships>')
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", shared)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _noise(count: int, seed: int) -> list[str]:
    """Short random words: enough entropy that the part compresses as real data does, not as a bomb."""
    rng = random.Random(seed)
    return [f"{rng.getrandbits(24):06x}" for _ in range(count)]


def sheet_without_row_end(cells: int = 130_000) -> bytes:
    """One row that never ends: the piece reader joined its text again and again waiting for `</row>`."""
    body = "".join(f'<c t="inlineStr"><is><t>{word}</t></is></c>' for word in _noise(cells, 1))
    return workbook(f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">{body}')


def shared_strings_bomb(strings: int = 12_000_000) -> bytes:
    """A shared-strings table that unzips to hundreds of MB (read whole, as the workbook opened)."""
    item = "<si><t>工会</t></si>"
    shared = f'<sst xmlns="{MAIN_NS}">'.encode() + item.encode() * strings + b"</sst>"
    return workbook(f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
                    shared=shared)


def prefixed_sheet(rows: int = 25_000) -> bytes:
    """A sheet whose elements carry a namespace prefix (x:row, x:c), as some generators write: read whole before."""
    words = _noise(rows * 3, 2)
    body = "".join(f'<x:row r="{n}"><x:c r="A{n}" t="inlineStr"><x:is><x:t>{words[3 * n - 3]}</x:t></x:is></x:c>'
                   f'<x:c r="B{n}" t="inlineStr"><x:is><x:t>{words[3 * n - 2]}</x:t></x:is></x:c>'
                   f'<x:c r="C{n}"><x:v>{n}</x:v></x:c></x:row>' for n in range(1, rows + 1))
    return workbook(f'<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData>{body}</x:sheetData></x:worksheet>')


def far_cell_sheet(column: str = "ZZ", row: int = 1_048_576) -> bytes:
    """Two cells far apart: calamine lays out the grid between them (here 702 × 1,048,576 places)."""
    return workbook(f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1"><v>1</v></c>'
                    f'<c r="{column}{row}"><v>2</v></c></row></sheetData></worksheet>')


def many_parts(parts: int = 5_000) -> bytes:
    return workbook(f'<worksheet xmlns="{MAIN_NS}"><sheetData/></worksheet>', extra={f"xl/media/p{n}.xml": "" for n in range(parts)})


def csv_without_line_end(cells: int = 700_000) -> bytes:
    return ("姓名,身份证号\n" + ",".join(_noise(cells, 3))).encode()


HOSTILE = {
    "sheet_without_row_end": sheet_without_row_end,
    "shared_strings_bomb": shared_strings_bomb,
    "prefixed_sheet": prefixed_sheet,
    "far_cell_sheet": far_cell_sheet,
    "many_parts": many_parts,
    "csv_without_line_end": csv_without_line_end,
}
