"""A scanned document on the office's upload page, in a real Chromium: the
secretary (thuky) uploads a PDF whose pages are pictures; the page does not
report it processed but takes her to the confirm step, which says what could
not be read; she ticks the box and confirms on a touch-sized button, and the
file is processed. Nothing is mocked (the server's own background worker).
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SUMMARY = "Biên bản kiểm tra hiện trường dự án (bản quét)"


def make_scan(path):
    """A two-page PDF: a typed page, then a page that is only a picture (no text layer)."""
    import io

    from fpdf import FPDF
    from PIL import Image, ImageDraw

    from library import fonts

    picture = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(picture).rectangle((40, 40, 560, 200), outline="black", width=4)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    pdf = FPDF(format="A4")
    pdf.add_font("Sans", "", fonts.regular())
    pdf.set_font("Sans", "", 12)
    pdf.add_page()
    pdf.multi_cell(0, 7, "Biên bản kiểm tra hiện trường dự án đường giao thông nông thôn.")
    pdf.add_page()
    pdf.image(Image.open(buffer), x=10, y=10, w=190)
    pdf.output(str(path))


def test_the_uploader_confirms_a_scan_is_not_classified_before_it_is_processed(new_context, login, daphne_server,
                                                                                 tmp_path):
    scan = tmp_path / "bien-ban-quet.pdf"
    make_scan(scan)
    office = new_context(viewport={"width": 1024, "height": 768}, has_touch=True).new_page()
    login(office, "thuky", next_url="/library/upload/")
    office.set_input_files("#id_file", str(scan))
    office.fill("[name=summary]", SUMMARY)
    office.click("form[data-upload] button[type=submit]")

    expect(office).to_have_url(re.compile(r"/library/version/\d+/confirm/$"), timeout=30000)
    expect(office.locator("h1")).to_have_text("Xác nhận tài liệu không mật")
    expect(office.locator(".confirm-held")).to_contain_text("trang 2 không có lớp chữ")
    confirm = office.locator(".confirm-form button[type=submit]")
    box = confirm.bounding_box()
    assert box and box["height"] >= 44  # a finger's target
    office.locator("[name=not_classified]").check()
    confirm.click()
    expect(office.locator(".flash")).to_contain_text("không chứa bí mật nhà nước")

    state = daphne_server.shell(f"""
from audit.models import AuditRecord
from library.models import Document
doc = Document.objects.get(summary={SUMMARY!r})
result = [doc.current_version.number, AuditRecord.objects.filter(action="library.confirm_unclassified",
          detail__document=doc.pk, user__username="thuky").count()]
""")
    assert state == [1, 1]
