"""Real files for the library tests, made on the fly (nothing checked in).

Each generator returns bytes; `upload(data, name)` wraps them as a Django
upload the way a browser form delivers them.
"""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from library import fonts

WORDS = "Tờ trình về dự toán ngân sách địa phương năm 2027"


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf(pages=("Hội đồng nhân dân tỉnh", WORDS), *, stamp: str | None = None) -> bytes:
    """A PDF with one page per text, in the Vietnamese font; `stamp` on its own line above page 1."""
    from fpdf import FPDF

    doc = FPDF(format="A4")
    doc.add_font("text", "", fonts.regular())
    doc.set_font("text", size=12)
    for index, text in enumerate(pages):
        doc.add_page()
        if index == 0 and stamp:
            doc.cell(0, 8, stamp, new_x="LMARGIN", new_y="NEXT", align="R")
        doc.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def docx(paragraphs=("Báo cáo thẩm tra", WORDS), *, table=(("Nội dung", "Số tiền"), ("Chi đầu tư phát triển", "1.250 tỷ đồng"))) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx(sheets=None) -> bytes:
    import openpyxl

    sheets = sheets or {"Dự toán 2027": [("Nội dung", "Dự toán (triệu đồng)"), ("Chi thường xuyên", 4200000),
                                          ("Chi đầu tư phát triển", 1250000)]}
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def image(fmt="PNG", size=(320, 200), *, exif_orientation: int | None = None) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", size, "white")
    ImageDraw.Draw(im).rectangle((10, 10, size[0] // 2, size[1] // 2), fill="navy")
    out = io.BytesIO()
    kwargs = {}
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif.tobytes()
    im.save(out, fmt, **kwargs)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf()))
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt_pdf() -> bytes:
    """A PDF header and then garbage: no object, no page."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def truncated_docx() -> bytes:
    """A DOCX whose package lost its main part (word/document.xml)."""
    source = zipfile.ZipFile(io.BytesIO(docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info))
    return out.getvalue()


def zip_bomb_docx(claimed_mb: int = 300) -> bytes:
    """A real DOCX plus one entry of `claimed_mb` MB of zeros (compressed to a few hundred KB)."""
    out = io.BytesIO(docx())
    zero = bytes(1024 * 1024)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as target:
        with target.open("word/media/padding.bin", "w", force_zip64=True) as entry:
            for _ in range(claimed_mb):
                entry.write(zero)
    return out.getvalue()


def traversal_docx() -> bytes:
    out = io.BytesIO(docx())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as target:
        target.writestr("../../etc/cron.d/evil", "* * * * * root true\n")
    return out.getvalue()


def encrypted_office() -> bytes:
    """What Word saves when a password is set: an OLE compound file holding EncryptionInfo
    and EncryptedPackage streams (only the header and directory names matter to the check)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HH", 0x3E, 3) + b"\xfe\xff"
    header += bytes(512 - len(header))
    directory = b""
    for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage"):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        directory += raw + bytes(64 - len(raw)) + struct.pack("<H", len(raw)) + bytes(128 - 66)
    return header + directory + bytes(4096)


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A tiny PNG that claims width × height pixels (only the header is ever read)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    data = image("JPEG", (800, 600))
    return data[: len(data) // 3]


@pytest.fixture
def clerk(db):
    """Office staff who uploads documents, like the demo's secretary, without loading the whole
    demo council (whose own demo documents would then be queued too)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create(username="vanthu", first_name="Nguyễn Thị Văn Thư")
    user.user_permissions.add(Permission.objects.get(codename="operate_sitting"))
    return get_user_model().objects.get(pk=user.pk)
