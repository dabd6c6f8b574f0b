"""Files are hostile until proven otherwise (DESIGN rule 11): every upload is judged here before anything reads it.

- What a file is comes from its bytes: a program renamed to .pdf is refused, a real PDF named .jpg is kept as a PDF.
- What a file expands to is bounded before it is read (decision 0015): a zip package (xlsx, docx) by its central
  directory — how many parts, each part's and all parts' unzipped size, and how far a part is compressed — and a
  table (xlsx or csv) by its rows, cells and the width of a row, counted as it is read (`TableBudget`).
- Photos lose their metadata (EXIF with the place and time a phone records, XMP, comments) on upload
  (`strip_photo_metadata`), without being decoded again.

Uploaded files are never linked from MEDIA_URL; each app serves them through a view that checks access and writes an
audit event, using `download_response`.
"""
from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from django.http import FileResponse

from gonghui.core.exceptions import ApplicationError

ZIP_MAGIC = b"PK\x03\x04"  # docx and xlsx are both zip packages
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What an upload may expand to. A sheet of Excel's 1,048,576 member rows unzips to about 370 MB and compresses about
# 8:1; a zip bomb compresses hundreds or a thousand to one.
MAX_PARTS = 1000
MAX_PART_BYTES = 1 << 30
MAX_TOTAL_BYTES = 3 << 29
MAX_RATIO = 100  # unzipped : zipped, for a part of more than RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1 << 20
MAX_ROWS = 1_048_576  # Excel's
MAX_COLUMNS = 702  # column ZZ
MAX_CELLS = 16 * MAX_ROWS
MAX_ROW_BYTES = 4 << 20  # one row's XML, or one csv line
MIN_DENSE_CELLS = 1 << 20  # calamine lays a sheet out as a full grid: an area this large is allowed whatever it holds
DENSE_PER_CELL = 8  # ... and beyond it, this many grid places per cell the file holds
MAX_PIXELS = 64_000_000  # a photo's width × height: 64 MP, more than a phone camera takes


def _refuse(message: str, code: str, field: str | None = None):
    raise ApplicationError(message, code=code, fields={field: [message]} if field else None)


def check_package(source, *, what: str = "文件", field: str | None = None) -> None:
    """Refuse a zip package (xlsx, docx) whose parts unzip too far, before a byte of them is unzipped. (A broken
    archive passes: whatever reads it next refuses it as broken.)

    The part count and the central directory's size come from its end record, so a directory of millions of entries
    is refused before it is parsed. Sizes are the directory's own: zipfile stops at a part's stated size and fails its
    checksum if the part holds more, and calamine only ever reads copies written from parts zipfile read
    (`core.xlsx_stream`), so a part cannot expand beyond what is checked here."""
    handle = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
    try:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        tail_start = max(size - (1 << 16) - 22, 0)
        handle.seek(tail_start)
        tail = handle.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or len(tail) < end + 22:
            return  # not a zip archive at all: what reads it refuses it in its own words
        parts, directory_bytes = struct.unpack("<HI", tail[end + 10:end + 16])
        if parts > MAX_PARTS or directory_bytes > MAX_PARTS * 1024:
            _refuse(f"{what}包含的部件过多（超过 {MAX_PARTS} 个），不像办公软件保存的文件，已拒绝", "upload.too_many_parts", field)
        try:
            with zipfile.ZipFile(handle) as package:
                infos = package.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return
    finally:
        handle.seek(0)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES:
            _refuse(f"{what}解压后过大（超过 {MAX_TOTAL_BYTES >> 20} MB），请拆分后再上传", "upload.expands_too_far", field)
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            _refuse(f"{what}解压后是压缩时的 {MAX_RATIO} 倍以上，可能是“压缩炸弹”，已拒绝。请用办公软件重新保存后再上传",
                    "upload.expands_too_far", field)


class TableBudget:
    """Rows and cells of a table (an xlsx sheet or a csv) as it is read: past Excel's size it is refused."""

    def __init__(self):
        self.rows = self.cells = 0

    def add(self, *, rows: int, cells: int) -> None:
        self.rows += rows
        self.cells += cells
        if self.rows > MAX_ROWS:
            _refuse(f"表格超过 {MAX_ROWS:,} 行，请拆分成多个文件后分别导入", "upload.too_many_rows")
        if self.cells > MAX_CELLS:
            _refuse(f"表格超过 {MAX_CELLS:,} 个单元格，请删除多余的行列或拆分成多个文件", "upload.too_many_cells")

    @staticmethod
    def check_extent(*, first_row: int, last_row: int, first_column: int, last_column: int, cells: int) -> None:
        """calamine lays cells out as a full grid from the first to the last row and column that hold one (1-based)."""
        if last_column > MAX_COLUMNS:
            _refuse(f"表格在第 {first_row} 行起有超出第 {MAX_COLUMNS} 列（ZZ 列）的单元格，请删除多余的列后再上传", "upload.too_wide")
        if last_row > MAX_ROWS:
            _refuse(f"表格有超出第 {MAX_ROWS:,} 行的单元格，不像办公软件保存的文件，已拒绝", "upload.too_many_rows")
        if (last_row - first_row + 1) * (last_column - first_column + 1) > max(MIN_DENSE_CELLS, DENSE_PER_CELL * cells):
            _refuse(f"表格第 {first_row}–{last_row} 行几乎是空的却跨度极大（空行或空列过多），请删除多余的空行空列后再上传",
                    "upload.too_sparse")

    @staticmethod
    def refuse_long_row() -> None:
        _refuse(f"表格中有一行过大（超过 {MAX_ROW_BYTES >> 20} MB），或文件缺少行结束标记，已拒绝", "upload.row_too_large")



@dataclass(frozen=True)
class FileKind:
    extension: str
    label: str
    content_type: str
    magic: bytes
    member: str = ""  # Office files are zip packages; this part tells a Word document from a workbook


KINDS = {
    kind.extension: kind
    for kind in (
        FileKind("pdf", "PDF", "application/pdf", b"%PDF-"),
        FileKind("jpg", "JPG", "image/jpeg", b"\xff\xd8\xff"),
        FileKind("png", "PNG", "image/png", b"\x89PNG\r\n\x1a\n"),
        FileKind("docx", "Word（.docx）", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP_MAGIC,
                 "word/document.xml"),
        FileKind("xlsx", "Excel（.xlsx）", XLSX_CONTENT_TYPE, ZIP_MAGIC, "xl/workbook.xml"),
    )
}


PHOTO_KINDS = ("jpg", "png")
# What a picture needs to be shown as it was taken; every other segment or chunk (EXIF with GPS, XMP, IPTC, comments,
# text, a second picture after the end) is dropped.
PNG_KEEP = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"bKGD",
            b"hIST", b"sPLT", b"cICP", b"acTL", b"fcTL", b"fdAT"}
JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
ORIENTATION_TAG = 0x0112


class _Broken(Exception):
    pass


def strip_photo_metadata(data: bytes, *, what: str = "照片", field: str | None = None) -> bytes:
    """The same JPEG or PNG without its metadata, byte for byte otherwise (nothing is decoded or compressed again).
    A JPEG keeps its EXIF orientation, rewritten as the only tag, so a phone's portrait photo still stands upright.
    A picture larger than MAX_PIXELS or one that does not parse is refused."""
    try:
        cleaned, width, height = (_png_cleaned if data.startswith(b"\x89PNG") else _jpeg_cleaned)(data)
    except (_Broken, struct.error, IndexError):
        _refuse(f"{what}已损坏，无法作为图片读取", "upload.broken", field)
    if width * height > MAX_PIXELS:
        _refuse(f"{what}的像素过多（{width}×{height}），请缩小后再上传", "upload.too_many_pixels", field)
    return cleaned


def _png_cleaned(data: bytes) -> tuple[bytes, int, int]:
    kept, position, width, height = [data[:8]], 8, 0, 0
    while True:
        length, chunk_type = struct.unpack(">I4s", data[position:position + 8])
        chunk = data[position:position + 12 + length]
        if len(chunk) < 12 + length:
            raise _Broken
        if chunk_type == b"IHDR":
            width, height = struct.unpack(">II", chunk[8:16])
        if chunk_type in PNG_KEEP:
            kept.append(chunk)
        position += 12 + length
        if chunk_type == b"IEND":
            return b"".join(kept), width, height


def _jpeg_cleaned(data: bytes) -> tuple[bytes, int, int]:
    kept, position, width, height, orientation = [b"\xff\xd8"], 2, 0, 0, None
    while position < len(data):
        if data[position] != 0xFF:
            raise _Broken
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # the end: a second picture or anything else after it is dropped
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            kept.append(data[position:position + 2])
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        segment = data[position:position + 2 + length]
        if len(segment) < 2 + length or length < 2:
            raise _Broken
        position += 2 + length
        if marker == 0xE1 and segment[4:10] == b"Exif\x00\x00":
            orientation = orientation or _exif_orientation(segment[10:])
        if marker in JPEG_FRAMES:
            height, width = struct.unpack(">HH", segment[5:9])
        metadata = 0xE0 <= marker <= 0xEF or marker == 0xFE  # APPn and comments
        if not metadata or marker in (0xE0, 0xEE) or (marker == 0xE2 and segment[4:16] == b"ICC_PROFILE\x00"):
            kept.append(segment)  # JFIF, Adobe colour transform and the colour profile stay: the picture needs them
        if marker == 0xDA:  # entropy-coded data runs to the next marker that is not a restart or a stuffed 0xFF00
            end = position
            while True:
                end = data.find(b"\xff", end)
                if end < 0 or end + 1 >= len(data):
                    raise _Broken
                if data[end + 1] == 0 or 0xD0 <= data[end + 1] <= 0xD7:
                    end += 2
                    continue
                break
            kept.append(data[position:end])
            position = end
    kept.append(b"\xff\xd9")
    if not width:
        raise _Broken
    if orientation not in (None, 1):
        kept.insert(2 if kept[1][1] == 0xE0 else 1, _orientation_segment(orientation))
    return b"".join(kept), width, height


def _exif_orientation(tiff: bytes) -> int | None:
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return None
    (offset,) = struct.unpack(order + "I", tiff[4:8])
    (count,) = struct.unpack(order + "H", tiff[offset:offset + 2])
    for index in range(min(count, 512)):
        entry = tiff[offset + 2 + 12 * index:offset + 14 + 12 * index]
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag == ORIENTATION_TAG and kind == 3:
            value = struct.unpack(order + "H", entry[8:10])[0]
            return value if 1 <= value <= 8 else None
    return None


def _orientation_segment(orientation: int) -> bytes:
    """An APP1 segment whose EXIF holds the orientation alone."""
    exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + struct.pack(">HHHIHHI", 1, ORIENTATION_TAG, 3, 1, orientation, 0, 0)
    return b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif


def _zip_members(upload) -> set[str]:
    """The part names of a zip package, read from its central directory (nothing is decompressed)."""
    try:
        with zipfile.ZipFile(upload) as package:
            return set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()
    finally:
        upload.seek(0)


def sniff_upload(upload, *, allowed: Iterable[str], max_bytes: int, what: str, field: str | None = None) -> FileKind:
    """The kind of an uploaded file, or a Chinese error naming what is accepted. A zip package is checked for what it
    expands to (`check_package`); a photo's content is replaced by the same picture without its metadata
    (`strip_photo_metadata`). Leaves the file at its start."""
    kinds = [KINDS[extension] for extension in allowed]
    shown = f"{what}“{display_name(upload.name)}”"
    if upload.size > max_bytes:
        _refuse(f"{shown}超过 {max_bytes // (1024 * 1024)} MB，请压缩后再上传", "upload.too_large", field)
    if not upload.size:
        _refuse(f"{shown}是空文件", "upload.empty", field)
    head = upload.read(8)
    upload.seek(0)
    members = None
    for kind in kinds:
        if not head.startswith(kind.magic):
            continue
        if kind.extension in PHOTO_KINDS:
            _replace_content(upload, strip_photo_metadata(upload.read(), what=shown, field=field))
            return kind
        if not kind.member:
            return kind
        if members is None:
            check_package(upload, what=shown, field=field)
            members = _zip_members(upload)
        if kind.member in members:
            return kind
    labels = "、".join(kind.label for kind in kinds)
    _refuse(f"{shown}不是 {labels} 文件（按文件内容判断，改扩展名无效）", "upload.wrong_type", field)


def _replace_content(upload, data: bytes) -> None:
    """Django's uploaded files (in memory or on disk) read through `.file`: the cleaned bytes take its place."""
    upload.file = io.BytesIO(data)
    upload.size = len(data)


def display_name(name: str, kind: FileKind | None = None, *, limit: int = 80) -> str:
    """The name to show and to download under: no directories, not too long, and the extension of what the file is."""
    stem = PurePath(str(name or "").replace("\\", "/")).name.strip() or "文件"
    if kind is not None:
        stem = PurePath(stem).stem or "文件"
    stem = stem[:limit]
    return f"{stem}.{kind.extension}" if kind is not None else stem


def download_response(field_file, *, filename: str) -> FileResponse:
    """Always an attachment with the type the bytes were sniffed as, so a browser never renders it inline."""
    kind = KINDS.get(PurePath(filename).suffix.lstrip(".").lower())
    return FileResponse(field_file.open("rb"), as_attachment=True, filename=filename,
                        content_type=kind.content_type if kind else "application/octet-stream")
