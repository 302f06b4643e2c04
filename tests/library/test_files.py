"""library.files: what an upload must pass before anything is stored.

The secretary (office staff) uploads through library.services.upload, the one
write path; every refusal has a stable code, a Vietnamese message saying why
and what to do, and leaves no row and no file behind.
"""

import io
import os

import pytest
from django.test import override_settings

from library import files, services
from library.models import Document, DocumentVersion

from . import samples
from .samples import clerk  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _stored() -> set[str]:
    """Every file in the documents storage (where the model's field really writes)."""
    folder = DocumentVersion._meta.get_field("file").storage.location
    return {os.path.join(root, name) for root, _dirs, names in os.walk(folder) for name in names}


@pytest.fixture
def refused(clerk):
    """Upload through services.upload; return the refusal after checking nothing was stored."""
    def run(data: bytes, name: str):
        before = (Document.objects.count(), DocumentVersion.objects.count(), _stored())
        with pytest.raises(services.LibraryError) as caught:
            services.upload(clerk, samples.upload(data, name), name=name, summary="Tờ trình về dự toán ngân sách")
        assert (Document.objects.count(), DocumentVersion.objects.count(), _stored()) == before
        return caught.value
    return run


def test_a_vietnamese_pdf_passes_with_its_page_count_and_digest():
    data = samples.pdf(("Trang một", "Trang hai", "Trang ba"))
    upload = samples.upload(data, "Tờ trình 125-TTr-UBND.pdf", content_type="text/plain")
    checked = files.check_upload(upload, upload.name)
    assert (checked.kind, checked.extension, checked.content_type) == ("pdf", "pdf", "application/pdf")
    assert checked.page_count == 3 and checked.size == len(data)
    import hashlib

    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.display_name == "Tờ trình 125-TTr-UBND.pdf"
    assert upload.tell() == 0  # the caller stores it from the start


@pytest.mark.parametrize("kind, name, data", [
    ("docx", "Báo cáo thẩm tra.docx", samples.docx),
    ("xlsx", "Dự toán 2027.XLSX", samples.xlsx),
    ("png", "sơ đồ.png", lambda: samples.image("PNG")),
    ("jpeg", "ảnh chụp.jpeg", lambda: samples.image("JPEG")),
])
def test_office_files_and_images_pass_by_their_content(kind, name, data):
    checked = files.check_upload(io.BytesIO(data()), name)
    assert checked.kind == kind and checked.display_name == name


def test_a_good_upload_is_stored_once(sitting, users):
    before = _stored()
    doc = services.upload(users["secretary"], samples.upload(samples.pdf(), "to-trinh.pdf"),
                          summary="Tờ trình về dự toán", session=sitting.session)
    version = doc.current_version
    assert (version.file_kind, version.page_count, version.original_name) == ("pdf", 2, "to-trinh.pdf")
    assert len(_stored() - before) == 1


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "thu muc/to-trinh.pdf", "a\\b.pdf", "..pdf",
                                  "to-trinh\x00.pdf", "to\u202etrinh.pdf", "a" * 252 + ".pdf", "to-trinh", ".pdf", "   "])
def test_a_bad_name_is_refused(refused, name):
    error = refused(samples.pdf(), name)
    assert error.code == "bad_name" and "tên tệp" in error.message.lower()


def test_an_empty_file_is_refused(refused):
    error = refused(b"", "to-trinh.pdf")
    assert error.code == "empty" and "0 byte" in error.message


@override_settings(DOCUMENT_MAX_BYTES=2 * 1024 * 1024)
def test_a_file_over_the_limit_is_refused_saying_the_limit(refused):
    error = refused(samples.pdf() + bytes(3 * 1024 * 1024), "to-trinh.pdf")
    assert error.code == "too_large" and "2 MB" in error.message


@pytest.mark.parametrize("data, name", [(b"Hello, just text\n" * 10, "ghi-chu.txt"), (b"MZ\x90\x00" + bytes(200), "setup.exe"),
                                        (b"{\\rtf1 ...}", "to-trinh.pdf")])
def test_formats_we_do_not_show_are_refused(refused, data, name):
    error = refused(data, name)
    assert error.code == "unsupported_type" and "PDF" in error.message


def test_a_plain_zip_is_not_an_office_file(refused):
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "xin chào")
    assert refused(out.getvalue(), "ho-so.zip").code == "unsupported_type"


def test_a_legacy_word_file_is_refused_with_how_to_convert(refused):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    error = refused(ole, "to-trinh.doc")
    assert error.code == "unsupported_type" and ".docx" in error.message


@pytest.mark.parametrize("data, name, real", [
    (lambda: samples.image("PNG"), "to-trinh.pdf", "ảnh PNG"),
    (samples.pdf, "anh.jpg", "tài liệu PDF"),
    (samples.docx, "du-toan.xlsx", "Word"),
])
def test_a_name_that_lies_about_the_content_is_refused_saying_what_it_is(refused, data, name, real):
    error = refused(data(), name)
    assert error.code == "type_mismatch" and real in error.message


@pytest.mark.parametrize("data, name", [
    (samples.corrupt_pdf, "to-trinh.pdf"),
    (lambda: samples.pdf()[:300], "to-trinh.pdf"),
    (samples.truncated_docx, "bao-cao.docx"),
    (lambda: b"PK\x03\x04" + bytes(500), "bao-cao.docx"),
    (samples.truncated_jpeg, "anh.jpg"),
    (lambda: samples.image("PNG")[:60], "anh.png"),
])
def test_a_damaged_file_is_refused(refused, data, name):
    error = refused(data(), name)
    assert error.code == "corrupt" and "hỏng" in error.message


def test_a_password_protected_pdf_is_refused(refused):
    error = refused(samples.encrypted_pdf(), "to-trinh.pdf")
    assert error.code == "encrypted" and "mật khẩu" in error.message


@pytest.mark.parametrize("name", ["bao-cao.docx", "du-toan.xlsx"])
def test_an_encrypted_office_file_is_refused(refused, name):
    assert refused(samples.encrypted_office(), name).code == "encrypted"


def test_a_docx_that_inflates_to_hundreds_of_megabytes_is_refused(refused):
    data = samples.zip_bomb_docx(210)
    assert len(data) < 2 * 1024 * 1024
    error = refused(data, "bao-cao.docx")
    assert error.code == "zip_bomb" and "200 MB" in error.message


def test_one_entry_with_an_absurd_compression_ratio_is_refused(refused):
    error = refused(samples.zip_bomb_docx(20), "bao-cao.docx")
    assert error.code == "zip_bomb" and "200 lần" in error.message


def test_entry_names_that_climb_out_of_the_archive_are_refused(refused):
    error = refused(samples.traversal_docx(), "bao-cao.docx")
    assert error.code == "zip_bomb" and "đường dẫn" in error.message


def test_an_image_with_too_many_pixels_is_refused_before_decoding(refused):
    error = refused(samples.png_bomb(20000, 20000), "so-do.png")
    assert error.code == "image_too_large" and "400 triệu" in error.message


@pytest.mark.parametrize("stamp, level", [("MẬT", "mat"), ("TỐI MẬT", "toi_mat"), ("TUYỆT MẬT", "tuyet_mat"),
                                          ("ĐỘ MẬT: TỐI MẬT", "toi_mat")])
def test_a_classification_stamp_on_the_first_page_refuses_the_pdf(refused, stamp, level):
    error = refused(samples.pdf(stamp=stamp), "bao-cao.pdf")
    assert error.code == "classified" and error.message == services.classified_message(level)


def test_a_classification_stamp_in_a_docx_or_xlsx_refuses_it(refused):
    assert refused(samples.docx(paragraphs=("TUYỆT MẬT", "Báo cáo")), "bao-cao.docx").code == "classified"
    sheet = {"Bảng 1": [("MẬT",), ("Nội dung", "Số tiền")]}
    assert refused(samples.xlsx(sheet), "du-toan.xlsx").code == "classified"


def test_the_word_mat_inside_a_sentence_is_not_a_stamp():
    text = ("Báo cáo về công tác bảo vệ bí mật nhà nước", "Tài liệu MẬT phải được quản lý theo quy định")
    assert files.check_upload(io.BytesIO(samples.pdf(text)), "bao-cao.pdf").kind == "pdf"


def test_the_content_type_the_browser_sends_is_ignored():
    upload = samples.upload(samples.image("PNG"), "to-trinh.pdf", content_type="application/pdf")
    with pytest.raises(files.FileRefused) as caught:
        files.check_upload(upload, upload.name)
    assert caught.value.code == "type_mismatch"


def test_an_open_file_is_read_and_left_at_its_start(tmp_path):
    path = tmp_path / "source.pdf"
    path.write_bytes(samples.pdf())
    with open(path, "rb") as fh:
        fh.read(10)
        checked = files.check_upload(fh, "to-trinh.pdf")
        assert fh.tell() == 0 and checked.page_count == 2
    assert os.listdir(tmp_path) == ["source.pdf"]
