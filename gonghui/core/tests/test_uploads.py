"""Uploads are judged by their bytes: the name can neither smuggle a file in nor keep a good one out."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.exceptions import ApplicationError
from gonghui.core.tests.files import DOCX, EXE, JPG, PDF, PNG, XLSX, office, picture
from gonghui.core.uploads import display_name, sniff_upload, strip_photo_metadata

EVERYTHING = ("pdf", "jpg", "png", "docx", "xlsx")


def sniff(name: str, data: bytes, *, allowed=EVERYTHING, max_bytes=1024 * 1024):
    return sniff_upload(SimpleUploadedFile(name, data), allowed=allowed, max_bytes=max_bytes, what="材料", field="files")


@pytest.mark.parametrize(("data", "extension"), [(PDF, "pdf"), (JPG, "jpg"), (PNG, "png"), (DOCX, "docx"), (XLSX, "xlsx")])
def test_each_kind_is_known_by_its_content_whatever_its_name(data, extension):
    assert sniff("扫描件.bin", data).extension == extension


def test_a_renamed_program_or_a_plain_zip_is_refused_with_the_accepted_kinds_named():
    with pytest.raises(ApplicationError, match="不是 PDF、JPG、PNG、Word（.docx）、Excel（.xlsx） 文件") as refused:
        sniff("制度汇编.pdf", EXE)
    assert refused.value.fields == {"files": [refused.value.message]} and refused.value.code == "upload.wrong_type"
    with pytest.raises(ApplicationError, match="改扩展名无效"):
        sniff("台账.docx", office("other/readme.txt"))
    with pytest.raises(ApplicationError, match="不是 JPG、PNG 文件"):
        sniff("照片.jpg", PDF, allowed=("jpg", "png"))


def test_size_cap_and_empty_files():
    with pytest.raises(ApplicationError, match="超过 1 MB") as refused:
        sniff("大文件.pdf", PDF + b"0" * 1024 * 1024)
    assert refused.value.code == "upload.too_large"
    with pytest.raises(ApplicationError, match="空文件"):
        sniff("空.pdf", b"")


def test_the_file_is_left_at_its_start():
    upload = SimpleUploadedFile("表.xlsx", XLSX)
    sniff_upload(upload, allowed=EVERYTHING, max_bytes=1024 * 1024, what="材料")
    assert upload.read() == XLSX


def test_display_names_drop_directories_and_take_the_sniffed_extension():
    kinds = {extension: sniff("x", data) for extension, data in (("pdf", PDF), ("jpg", JPG))}
    assert display_name("C:\\Users\\张三\\会议记录.jpg", kinds["pdf"]) == "会议记录.pdf"
    assert display_name("../../etc/passwd", kinds["jpg"]) == "passwd.jpg"
    assert display_name("", kinds["pdf"]) == "文件.pdf"
    assert len(display_name("长" * 300 + ".pdf", kinds["pdf"])) == 84


def gps_photo(kind: str = "JPEG", *, orientation: int | None = None) -> bytes:
    """A photo as a phone takes it: the place (GPS), the camera and the time in its EXIF."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"  # Make
    exif[0x0132] = "2026:11:26 09:30:00"  # DateTime
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(0x8825).update({1: "N", 2: (23.0, 7.0, 30.0), 3: "E", 4: (113.0, 19.0, 12.0)})  # 广州天河
    return picture(kind, size=(40, 30), exif=exif.tobytes(), **({"quality": 90} if kind == "JPEG" else {}))


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_a_photo_loses_its_location_and_every_other_metadata_on_upload(kind):
    from PIL import Image

    data = gps_photo(kind)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the place is there before
    upload = SimpleUploadedFile("现场照片.jpg", data)
    sniff_upload(upload, allowed=EVERYTHING, max_bytes=1024 * 1024, what="照片")
    stored = upload.read()
    assert upload.size == len(stored) < len(data)
    assert b"Xiaomi" not in stored and b"2026:11:26" not in stored
    picture_after = Image.open(io.BytesIO(stored))
    assert not picture_after.getexif().get_ifd(0x8825) and not picture_after.getexif()
    picture_after.load()  # still a whole picture, the same pixels (nothing was encoded again)
    assert picture_after.size == (40, 30)
    assert picture_after.tobytes() == Image.open(io.BytesIO(data)).tobytes()


def test_a_portrait_photo_keeps_its_orientation_alone():
    from PIL import Image

    stored = strip_photo_metadata(gps_photo(orientation=6))
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {0x0112: 6}


def test_what_follows_a_jpeg_end_is_dropped_and_a_clean_picture_stays_byte_for_byte():
    assert strip_photo_metadata(JPG) == JPG and strip_photo_metadata(PNG) == PNG
    assert strip_photo_metadata(JPG + b"second picture with its own EXIF") == JPG


def test_a_broken_or_huge_picture_is_refused():
    with pytest.raises(ApplicationError, match="已损坏") as refused:
        sniff("照片.jpg", JPG[:40])
    assert refused.value.fields == {"files": [refused.value.message]}
    huge = bytearray(PNG)
    huge[16:24] = (30_000).to_bytes(4, "big") * 2  # IHDR says 30,000 × 30,000
    with pytest.raises(ApplicationError, match="像素过多"):
        strip_photo_metadata(bytes(huge))
