"""What an uploaded file must pass before anything is stored.

`check_upload(upload, name)` reads the file once in chunks (size, SHA-256),
decides what it is from its content (never from its name or the browser's
content type), opens it with the library that will process it later, and
refuses it with a stable code and a Vietnamese message saying why and what to
do (docs/library.md):

    bad_name          path separators, "..", control or bidi characters, over 255 characters, no extension
    empty / too_large  0 bytes / over settings.DOCUMENT_MAX_BYTES
    unsupported_type  not PDF, DOCX, XLSX, PNG or JPEG (legacy .doc/.xls, ZIP, anything else)
    type_mismatch     the name says one format, the content is another (a PNG named .pdf)
    corrupt           PDFium cannot open it or it has no page; DOCX/XLSX without their main
                      part or unreadable by python-docx/openpyxl; an image Pillow cannot verify
    encrypted         a password-protected PDF; an encrypted Word/Excel file (Office stores
                      those in an OLE container, not a ZIP)
    zip_bomb          DOCX/XLSX whose ZIP entries claim more than ZIP_MAX_TOTAL bytes in all
                      (200 MB, or 20× the file if that is more), more than ZIP_MAX_ENTRIES
                      entries, one entry over 1 MB that expands more than ZIP_MAX_RATIO times
                      (real Office XML stays far below it), or entry names that climb out of
                      the archive. Nothing is ever extracted to disk: Python's zipfile never
                      inflates an entry past its declared size, so the declared sizes bound
                      what python-docx/openpyxl (and later the pipeline) can inflate.
    image_too_large   more pixels than Pillow's decompression-bomb limit
    active_content    a PDF with JavaScript, a Launch (or SubmitForm, ImportData…) action, an XFA
                      form or embedded files (library.pdfsafety)
    classified        a classification stamp (“MẬT”, “TỐI MẬT”, “TUYỆT MẬT”, “ĐỘ MẬT: …”) anywhere in
                      the text of every page, paragraph, table cell, header, footer, text box and
                      sheet (the rule: library.stamps; what is read: library.stamp_text)

What cannot be read is never passed silently: a PDF page without a text layer
(a scan, a picture), an image file, pictures inside a DOCX/XLSX. The file is
not refused; `CheckedFile.unreadable` says what could not be read, and
library.services holds the version until its uploader confirms it is not
classified (docs/library.md).

Reading happens on the caller's file object (an UploadedFile, BytesIO or an
open file); its position is left at 0 and no temporary file is created.
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class FileRefused(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class CheckedFile:
    kind: str
    extension: str
    content_type: str
    size: int
    sha256: str
    display_name: str
    page_count: int | None = None
    # What could not be read for a classification stamp (Vietnamese, for the uploader), or "".
    unreadable: str = ""


CHUNK = 1024 * 1024
MAX_NAME = 255

KINDS = {
    # kind: (stored extension, content type)
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "png": ("png", "image/png"),
    "jpeg": ("jpg", "image/jpeg"),
}
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "png": "png", "jpg": "jpeg", "jpeg": "jpeg", "jpe": "jpeg"}

ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_TOTAL = 200 * 1024 * 1024
ZIP_TOTAL_FACTOR = 20
ZIP_MAX_RATIO = 200
ZIP_RATIO_FROM = 1024 * 1024
# Small parts we read ourselves to tell DOCX from XLSX.
ZIP_MAX_PART = 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream names of an encrypted OOXML package inside its OLE container (UTF-16LE).
OLE_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

MAIN_PART_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}


def _describe(kind: str) -> str:
    return {
        "pdf": _("tài liệu PDF"),
        "docx": _("văn bản Word (DOCX)"),
        "xlsx": _("bảng tính Excel (XLSX)"),
        "png": _("ảnh PNG"),
        "jpeg": _("ảnh JPEG"),
        "zip": _("tệp nén ZIP"),
        "ole": _("tệp Office đời cũ (DOC/XLS, Office 97–2003)"),
    }.get(kind, _("tệp không rõ định dạng"))


def _accepted() -> str:
    return _("Hệ thống nhận tệp PDF, Word (DOCX), Excel (XLSX) và ảnh PNG, JPEG.")


# ---- the name -------------------------------------------------------------------

def clean_name(name: str) -> tuple[str, str]:
    """(display name, lower-case extension) or FileRefused("bad_name")."""
    def bad(why):
        return FileRefused("bad_name", _("Tên tệp “%(name)s” không hợp lệ: %(why)s. Hãy đổi tên tệp rồi tải lên lại.")
                           % {"name": _printable(name), "why": why})

    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise FileRefused("bad_name", _("Tệp chưa có tên. Hãy đặt tên tệp có đuôi (ví dụ: to-trinh.pdf) rồi tải lên lại."))
    if "/" in name or "\\" in name:
        raise bad(_("tên không được chứa dấu / hoặc \\"))
    if ".." in name:
        raise bad(_("tên không được chứa hai dấu chấm liền nhau"))
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name):
        raise bad(_("tên chứa ký tự điều khiển"))
    if len(name) > MAX_NAME:
        raise bad(_("tên dài quá %(n)d ký tự") % {"n": MAX_NAME})
    base, dot, ext = name.rpartition(".")
    if not dot or not base.strip() or not ext.strip():
        raise bad(_("tên không có đuôi tệp (như .pdf, .docx)"))
    return name, ext.strip().lower()


def _printable(name) -> str:
    text = "".join(c if unicodedata.category(c) not in ("Cc", "Cf", "Cs") else "?" for c in str(name or ""))
    return text if len(text) <= 80 else text[:77] + "…"


# ---- reading --------------------------------------------------------------------

def _stream(upload):
    """The file object to read: a Django File's own file when it has one."""
    inner = getattr(upload, "file", None)
    return inner if inner is not None and hasattr(inner, "read") and hasattr(inner, "seek") else upload


def _digest(stream, limit: int) -> tuple[int, str]:
    stream.seek(0)
    sha = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        sha.update(chunk)
    stream.seek(0)
    return size, sha.hexdigest()


def _too_large(limit: int) -> FileRefused:
    return FileRefused("too_large", _("Tệp lớn hơn giới hạn %(mb)s MB. Hãy nén, tách nhỏ tài liệu hoặc giảm độ phân giải "
                                     "ảnh quét rồi tải lên lại.") % {"mb": _mb(limit)})


def _mb(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.0f}" if mb >= 10 or mb == int(mb) else f"{mb:.1f}".replace(".", ",")


def _sniff(stream) -> str:
    stream.seek(0)
    head = stream.read(1024)
    stream.seek(0)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if b"%PDF-" in head:  # the spec lets junk precede the header; readers accept 1 KB of it
        return "pdf"
    return "unknown"


# ---- the checks -----------------------------------------------------------------

def check_upload(upload, name) -> CheckedFile:
    display_name, ext = clean_name(name)
    limit = settings.DOCUMENT_MAX_BYTES
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large(limit)
    stream = _stream(upload)
    try:
        size, sha256 = _digest(stream, limit)
        if size == 0:
            raise FileRefused("empty", _("Tệp “%(name)s” rỗng (0 byte). Hãy chọn đúng tệp tài liệu rồi tải lên lại.")
                              % {"name": display_name})
        claimed = EXTENSIONS.get(ext)
        sniffed = _sniff(stream)
        page_count, unreadable = None, ""
        if sniffed == "ole":
            _check_ole(stream, claimed, display_name)
        elif sniffed == "zip":
            sniffed, unreadable = _check_zip(stream, size, claimed, ext, display_name)
        else:
            _match(sniffed, claimed, ext, display_name)
            if sniffed == "pdf":
                page_count, unreadable = _check_pdf(stream, display_name)
            else:
                _check_image(stream, sniffed, display_name)
                unreadable = _("tệp là ảnh, hệ thống không đọc được chữ trong ảnh")
        kind = sniffed
    finally:
        stream.seek(0)
    extension, content_type = KINDS[kind]
    return CheckedFile(kind=kind, extension=extension, content_type=content_type, size=size, sha256=sha256,
                       display_name=display_name, page_count=page_count, unreadable=unreadable)


def _match(real: str, claimed: str | None, ext: str, display_name: str):
    if real not in KINDS:
        if claimed:
            raise FileRefused("unsupported_type", _(
                "Tệp “%(name)s” có đuôi .%(ext)s nhưng nội dung không phải %(kind)s (%(real)s). Hãy kiểm tra lại "
                "tệp: có thể đã chọn nhầm tệp hoặc tệp được lưu sai định dạng. %(accepted)s") % {
                "name": display_name, "ext": ext, "kind": _describe(claimed), "real": _describe(real),
                "accepted": _accepted()})
        raise FileRefused("unsupported_type", _("Định dạng của tệp “%(name)s” (%(real)s) không được hỗ trợ. %(accepted)s "
                                                "Hãy lưu hoặc xuất tài liệu sang một trong các định dạng đó.")
                          % {"name": display_name, "real": _describe(real), "accepted": _accepted()})
    if claimed != real:
        raise FileRefused("type_mismatch", _(
            "Tệp “%(name)s” có đuôi .%(ext)s nhưng nội dung thực là %(real)s. Hãy đổi đuôi tệp cho đúng với nội "
            "dung (.%(right)s) hoặc chọn đúng tệp rồi tải lên lại.") % {
            "name": display_name, "ext": ext, "real": _describe(real), "right": KINDS[real][0]})


def _corrupt(display_name: str, real: str) -> FileRefused:
    return FileRefused("corrupt", _("Không mở được tệp “%(name)s”: tệp %(kind)s bị hỏng hoặc không trọn vẹn. Hãy mở "
                                    "thử trên máy tính, lưu hoặc xuất lại rồi tải lên lại.")
                       % {"name": display_name, "kind": _describe(real)})


def _encrypted(display_name: str) -> FileRefused:
    return FileRefused("encrypted", _("Tệp “%(name)s” được đặt mật khẩu nên hệ thống không đọc được nội dung để hiển thị "
                                      "cho đại biểu. Hãy gỡ mật khẩu (lưu một bản không mật khẩu) rồi tải lên lại.")
                       % {"name": display_name})


def _classified(level: str) -> FileRefused:
    from .services import classified_message  # services imports this module

    return FileRefused("classified", classified_message(level))


# -- PDF

def _check_pdf(stream, display_name: str) -> tuple[int, str]:
    """(page count, what could not be read) after PDFium opened it, every page's text was read
    for a stamp and pypdf found no active content."""
    import pypdfium2 as pdfium

    from .pages import PDFIUM
    from .stamp_text import pdf_reading

    with PDFIUM:
        try:
            pdf = pdfium.PdfDocument(stream)
        except pdfium.PdfiumError as exc:
            if exc.err_code in (4, 5):  # FPDF_ERR_PASSWORD, FPDF_ERR_SECURITY
                raise _encrypted(display_name) from None
            raise _corrupt(display_name, "pdf") from None
        try:
            count = len(pdf)
            if count < 1:
                raise _corrupt(display_name, "pdf")
            try:
                reading = pdf_reading(pdf)
            except pdfium.PdfiumError:
                raise _corrupt(display_name, "pdf") from None
        finally:
            pdf.close()
    _refuse_stamped(reading.blocks)
    _refuse_active_content(stream, display_name)
    unreadable = ""
    if reading.unreadable_pages:
        pages = reading.unreadable_pages
        shown = ", ".join(str(n) for n in pages[:20]) + (", …" if len(pages) > 20 else "")
        unreadable = ngettext("trang %(pages)s không có lớp chữ (trang quét hoặc ảnh)",
                              "các trang %(pages)s không có lớp chữ (trang quét hoặc ảnh)",
                              len(pages)) % {"n": len(pages), "pages": shown}
    return count, unreadable


def _refuse_stamped(blocks):
    from .stamps import classification

    level = classification(blocks)
    if level:
        raise _classified(level)


def _refuse_active_content(stream, display_name: str):
    from .pdfsafety import Unreadable, active_content

    try:
        found = active_content(stream)
    except Unreadable:
        raise _corrupt(display_name, "pdf") from None
    if found:
        what = {"javascript": _("mã JavaScript"), "launch": _("lệnh mở chương trình hoặc gửi dữ liệu ra ngoài"),
                "embedded_file": _("tệp đính kèm bên trong")}[found]
        raise FileRefused("active_content", _(
            "Tệp “%(name)s” chứa %(what)s. Tài liệu của kỳ họp chỉ để đọc, nên hệ thống không nhận tệp PDF có "
            "nội dung tự chạy hoặc tệp ẩn bên trong. Hãy in lại ra PDF (Print to PDF) hoặc xuất lại từ Word, rồi "
            "tải lên lại.") % {"name": display_name, "what": what})


# -- images

def _check_image(stream, kind: str, display_name: str):
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(stream) as im:
                width, height = im.size
                if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
                    raise _image_too_large(display_name, width * height)
                im.verify()
            if kind == "jpeg":
                # verify() reads little of a JPEG: decode a 1/8 draft to catch a truncated one.
                stream.seek(0)
                with Image.open(stream) as im:
                    im.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    im.load()
    except Image.DecompressionBombError as exc:
        # Pillow refuses at open() past twice its limit; its message carries the pixel count.
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        raise _image_too_large(display_name, int(pixels.group(1)) if pixels else None) from None
    except FileRefused:
        raise
    except Exception:
        raise _corrupt(display_name, kind) from None


def _image_too_large(display_name, pixels: int | None) -> FileRefused:
    from PIL import Image

    limit = f"{(Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f}"
    if pixels:
        message = _("Ảnh “%(name)s” quá lớn (khoảng %(size)s triệu điểm ảnh, giới hạn %(limit)s triệu).")
    else:
        message = _("Ảnh “%(name)s” quá lớn (giới hạn %(limit)s triệu điểm ảnh).")
    message = message % {"name": display_name, "size": f"{(pixels or 0) / 1e6:.0f}", "limit": limit}
    return FileRefused("image_too_large", message + " " + _(
        "Hãy giảm kích thước ảnh hoặc quét lại ở độ phân giải thấp hơn (200–300 dpi) rồi tải lên lại."))


# -- Office

def _check_ole(stream, claimed: str | None, display_name: str):
    """An OLE (Compound File) container: an encrypted DOCX/XLSX, or a legacy .doc/.xls."""
    if claimed in ("docx", "xlsx") or _ole_has_encrypted_package(stream):
        raise _encrypted(display_name)
    raise FileRefused("unsupported_type", _(
        "Tệp “%(name)s” là %(real)s, định dạng này không được hỗ trợ. Hãy mở tệp bằng Word hoặc Excel, chọn Lưu "
        "thành (Save As) định dạng .docx hoặc .xlsx (hoặc xuất ra PDF) rồi tải lên lại.") % {
        "name": display_name, "real": _describe("ole")})


def _ole_has_encrypted_package(stream) -> bool:
    stream.seek(0)
    overlap = b""
    for _i in range(64):  # the directory sits near the start in the files Office writes
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        if OLE_ENCRYPTED in overlap + chunk:
            return True
        overlap = chunk[-len(OLE_ENCRYPTED):]
    return False


def _zip_bomb(display_name: str, why: str) -> FileRefused:
    return FileRefused("zip_bomb", _("Tệp “%(name)s” có cấu trúc nén bất thường (%(why)s) nên bị từ chối để bảo vệ máy "
                                     "chủ. Hãy mở tệp bằng Word hoặc Excel, lưu lại thành tệp mới rồi tải lên lại.")
                       % {"name": display_name, "why": why})


def _unsafe_member(name: str) -> bool:
    n = name.replace("\\", "/")
    return (n.startswith("/") or re.match(r"^[A-Za-z]:", n) is not None or ".." in n.split("/")
            or any(unicodedata.category(c) == "Cc" for c in n))


def _check_zip(stream, size: int, claimed: str | None, ext: str, display_name: str) -> tuple[str, str]:
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        if claimed in ("docx", "xlsx"):
            raise _corrupt(display_name, claimed) from None
        raise FileRefused("unsupported_type", _("Tệp “%(name)s” không phải định dạng được hỗ trợ. %(accepted)s")
                          % {"name": display_name, "accepted": _accepted()}) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > ZIP_MAX_ENTRIES:
            raise _zip_bomb(display_name, _("%(n)d mục nén, tối đa %(max)d") % {"n": len(infos), "max": ZIP_MAX_ENTRIES})
        total_limit = max(ZIP_MAX_TOTAL, ZIP_TOTAL_FACTOR * size)
        total = 0
        for info in infos:
            if _unsafe_member(info.filename):
                raise _zip_bomb(display_name, _("tên mục nén chứa đường dẫn không hợp lệ"))
            if info.flag_bits & 0x1:
                raise _encrypted(display_name)
            total += info.file_size
            if total > total_limit:
                raise _zip_bomb(display_name, _("giải nén ra hơn %(mb)s MB") % {"mb": _mb(total_limit)})
            if info.file_size > ZIP_RATIO_FROM and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
                raise _zip_bomb(display_name, _("một mục nén phình ra hơn %(r)d lần") % {"r": ZIP_MAX_RATIO})
        real, main_part = _office_kind(archive)
    if real is None:
        if claimed in ("docx", "xlsx"):
            raise _corrupt(display_name, claimed)
        _match("zip", claimed, ext, display_name)
    _match(real, claimed, ext, display_name)
    if not main_part:
        raise _corrupt(display_name, real)
    stream.seek(0)
    if not (_opens_docx(stream) if real == "docx" else _opens_xlsx(stream)):
        raise _corrupt(display_name, real)
    stream.seek(0)
    from .stamp_text import ParseError, ooxml_reading

    try:
        with zipfile.ZipFile(stream) as archive:
            reading = ooxml_reading(archive, real)
    except (ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _corrupt(display_name, real) from None
    _refuse_stamped(reading.blocks)
    unreadable = ""
    if reading.pictures:
        unreadable = ngettext("tệp có %(n)d hình ảnh, hệ thống không đọc được chữ trong ảnh",
                              "tệp có %(n)d hình ảnh, hệ thống không đọc được chữ trong ảnh",
                              reading.pictures) % {"n": reading.pictures}
    return real, unreadable


def _office_kind(archive: zipfile.ZipFile) -> tuple[str | None, bool]:
    """(docx | xlsx | None, whether its main part is in the archive), from [Content_Types].xml."""
    names = set(archive.namelist())
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return None, False
    if info.file_size > ZIP_MAX_PART:
        return None, False
    try:
        root = ElementTree.fromstring(archive.read(info))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError):
        return None, False
    for el in root:
        if el.tag.rpartition("}")[2] != "Override":
            continue
        kind = MAIN_PART_TYPES.get((el.get("ContentType") or "").strip())
        if kind:
            part = (el.get("PartName") or "").lstrip("/")
            return kind, part in names
    # A package without a main-part override: guess from its folders.
    if any(n.startswith("word/") for n in names):
        return "docx", "word/document.xml" in names
    if any(n.startswith("xl/") for n in names):
        return "xlsx", "xl/workbook.xml" in names
    return None, False


def _opens_docx(stream) -> bool:
    """python-docx (what the pipeline reads it with) opens it."""
    import docx

    try:
        docx.Document(stream)
        return True
    except Exception:
        return False


def _opens_xlsx(stream) -> bool:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception:
        return False
    workbook.close()
    return True


def classification(lines) -> str | None:
    """The classification level stamped in these lines or blocks of text, if any (library.stamps)."""
    from .stamps import classification as stamped

    return stamped(lines)


def sniff_bytes(data: bytes) -> str:
    """What these bytes look like (pdf, png, jpeg, zip, ole, unknown); for tests and tools."""
    return _sniff(io.BytesIO(data))
