"""Uploads are judged by their bytes: the name can neither smuggle a file in nor keep a good one out."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.exceptions import ApplicationError
from gonghui.core.tests.files import DOCX, EXE, JPG, PDF, PNG, XLSX, office
from gonghui.core.uploads import display_name, sniff_upload

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
