"""Small real files of each kind people attach, for tests of uploads."""
import io
import zipfile

from PIL import Image


def picture(kind: str, *, size=(4, 3), **options) -> bytes:
    """A real picture (uploads of photos are parsed to strip their metadata), with Pillow's save options (exif=…)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, kind, **options)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = picture("PNG")
JPG = picture("JPEG")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48  # a Windows program


def office(part: str) -> bytes:
    """A zip package with the part that makes it a Word document (word/document.xml) or a workbook (xl/workbook.xml)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(part, "<document/>")
    return buffer.getvalue()


DOCX = office("word/document.xml")
XLSX = office("xl/workbook.xml")
