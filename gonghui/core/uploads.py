"""Files people attach (appeal proof, assessment evidence): judged by their bytes, capped in size, served as downloads.

A name says nothing: a program renamed to .pdf is refused, and a real PDF named .jpg is kept as a PDF. Uploaded
files are never linked from MEDIA_URL; each app serves them through a view that checks access and writes an
audit event, using `download_response`.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from django.http import FileResponse

from gonghui.core.exceptions import ApplicationError
from gonghui.core.spreadsheets import XLSX_CONTENT_TYPE
from gonghui.core.spreadsheets import XLSX_MAGIC as ZIP_MAGIC  # docx and xlsx are both zip packages



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
    """The kind of an uploaded file, or a Chinese error naming what is accepted. Leaves the file at its start."""
    kinds = [KINDS[extension] for extension in allowed]

    def refuse(message: str, code: str):
        raise ApplicationError(message, code=code, fields={field: [message]} if field else None)

    if upload.size > max_bytes:
        refuse(f"{what}“{display_name(upload.name)}”超过 {max_bytes // (1024 * 1024)} MB，请压缩后再上传", "upload.too_large")
    if not upload.size:
        refuse(f"{what}“{display_name(upload.name)}”是空文件", "upload.empty")
    head = upload.read(8)
    upload.seek(0)
    members = None
    for kind in kinds:
        if not head.startswith(kind.magic):
            continue
        if not kind.member:
            return kind
        members = _zip_members(upload) if members is None else members
        if kind.member in members:
            return kind
    labels = "、".join(kind.label for kind in kinds)
    refuse(f"{what}“{display_name(upload.name)}”不是 {labels} 文件（按文件内容判断，改扩展名无效）", "upload.wrong_type")


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
