"""The document library end to end, at tablet size, in a real Chromium.

Personas: the secretary (thuky) uploads a real PDF through the office page,
attached to the current agenda item, and publishes it; delegate Alice (db010)
holds a 1024x768 touch tablet with the terminal open: she is told at once,
taps the current item's document, reads page 1 in the viewer overlay and adds
a private note, which is stored for her alone. The chair (db001) drives the
sitting from another device (a hub client).

The server processes the upload with its own background worker
(TASK_WORKER_IN_PROCESS); nothing is mocked.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
SUMMARY = "Tờ trình về dự thảo Nghị quyết phân bổ vốn đầu tư công năm 2027"
NOTE = "Hỏi UBND: vì sao vốn đối ứng giảm 12%?"


def make_pdf(path, pages: int = 3):
    """A real multi-page PDF with Vietnamese text, made with the project's own font."""
    from fpdf import FPDF

    from library import fonts

    pdf = FPDF(format="A4")
    pdf.add_font("Sans", "", fonts.regular())
    pdf.add_font("Sans", "B", fonts.bold())
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Sans", "B", 15)
        pdf.cell(0, 10, "ỦY BAN NHÂN DÂN TỈNH", new_x="LMARGIN", new_y="NEXT", align="C")
        pdf.set_font("Sans", "B", 18)
        pdf.multi_cell(0, 10, f"TỜ TRÌNH — trang {n}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Sans", "", 12)
        for i in range(12):
            pdf.multi_cell(0, 7, f"{i + 1}. Phân bổ vốn đầu tư công cho các huyện, thành phố năm 2027: "
                                 "ưu tiên công trình chuyển tiếp, giao thông nông thôn và trường học.",
                           new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


@pytest.fixture
def sitting(fresh_sitting, hub):
    """A fresh sitting, opened, on its first agenda item."""
    s = fresh_sitting()
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        chair.command("agenda.next")
        s["item"] = chair.snapshot["data"]["agenda"]["items"][0]["id"]
        s["session"] = None
    return s


def test_secretary_publishes_and_the_delegate_reads_the_current_items_document_and_notes_it(
        new_context, login, sitting, daphne_server, screens, tmp_path):
    session_id = daphne_server.shell(f"""
from meeting.models import Sitting
result = Sitting.objects.get(pk={sitting['id']}).session_id
""")
    # Alice's terminal, live before anything is published.
    terminal = new_context(**TABLET).new_page()
    login(terminal, "db010", next_url=f"/sitting/{sitting['id']}/terminal/")
    expect(terminal.locator("body")).to_have_attribute("data-connection", "live")

    # The secretary uploads the PDF on the office page, attached to the current item.
    pdf = tmp_path / "To trinh von dau tu cong.pdf"
    make_pdf(pdf)
    office = new_context(viewport={"width": 1280, "height": 900}).new_page()
    office.on("dialog", lambda d: d.accept())
    login(office, "thuky", next_url=f"/library/upload/?session={session_id}&item={sitting['item']}")
    office.set_input_files("#id_file", str(pdf))
    office.fill("[name=summary]", SUMMARY)
    office.fill("[name=number]", "215/TTr-UBND")
    office.select_option("#id_item", str(sitting["item"]))
    office.click("form[data-upload] button[type=submit]")
    expect(office.locator(".done-links")).to_be_visible(timeout=45000)  # uploaded and pages drawn
    doc_id = daphne_server.shell(f"""
from library.models import Document
result = Document.objects.get(summary={SUMMARY!r}).pk
""")

    # Drafts never reach a delegate's terminal.
    expect(terminal.locator("#now-docs")).to_be_hidden()

    office.goto(f"/library/session/{session_id}/")
    office.locator(f"form[action='/library/doc/{doc_id}/publish/'] button").click()
    expect(office.locator(f"form[action='/library/doc/{doc_id}/withdraw/']")).to_be_attached()

    # Alice is told at once, and the current item now carries the document.
    notice = terminal.locator("#docs-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Có 1 tài liệu mới")
    doc_button = terminal.locator(f"#now-docs-list .doc-btn[data-doc-id='{doc_id}']")
    expect(doc_button).to_contain_text(SUMMARY)
    expect(doc_button).to_contain_text("215/TTr-UBND")
    terminal.screenshot(path=str(screens / "library-terminal-notice.png"))

    # The notice opens the session's documents, grouped by agenda item.
    notice.tap()
    sheet = terminal.locator("#docs-sheet")
    expect(sheet).to_be_visible()
    expect(sheet.locator(f"#docs-item-{sitting['item']} .doc-btn.is-new")).to_contain_text(SUMMARY)
    terminal.screenshot(path=str(screens / "library-terminal-sheet.png"))
    terminal.locator("#docs-close").tap()
    expect(sheet).to_be_hidden()

    # One tap opens the viewer over the terminal; the hub connection stays up underneath.
    doc_button.tap()
    expect(terminal.locator("#doc-overlay")).to_be_visible()
    viewer = terminal.frame_locator("#doc-frame")
    expect(viewer.locator("#v-title")).to_have_text(SUMMARY)
    # The pages may still be being drawn: the viewer shows its progress and loads them as they come.
    expect(viewer.locator("#page-1")).to_have_class(re.compile(r"\bloaded\b"), timeout=40000)
    expect(viewer.locator("#v-count")).to_have_text("3")

    # A private note on the page being read.
    viewer.locator("#v-add-note").tap()
    viewer.locator("#v-note-text").fill(NOTE)
    viewer.locator("#v-note-save").tap()
    expect(viewer.locator(".v-pin")).to_have_count(1)
    expect(viewer.locator("#v-note-count")).to_have_text("1")
    viewer.locator("#v-side-toggle").tap()
    expect(viewer.locator("#v-notes")).to_contain_text(NOTE)
    terminal.screenshot(path=str(screens / "library-viewer-note.png"))

    stored = daphne_server.shell(f"""
from library.models import Annotation, ReadReceipt
result = {{"notes": [(a.user.username, a.page, a.kind, a.text) for a in Annotation.objects.filter(document_id={doc_id})],
          "readers": sorted(r.user.username for r in ReadReceipt.objects.filter(document_id={doc_id}))}}
""")
    assert stored["notes"] == [["db010", 1, "note", NOTE]]
    assert stored["readers"] == ["db010"]

    terminal.locator("#doc-close").tap()
    expect(terminal.locator("#doc-overlay")).to_be_hidden()
    expect(terminal.locator("body")).to_have_attribute("data-connection", "live")

    # The same terminal and viewer on a phone: Bob sees the document, not Alice's note.
    phone = new_context(**PHONE).new_page()
    login(phone, "db011", next_url=f"/sitting/{sitting['id']}/terminal/")
    expect(phone.locator("body")).to_have_attribute("data-connection", "live")
    expect(phone.locator(f"#now-docs-list .doc-btn[data-doc-id='{doc_id}']")).to_be_visible()
    phone.screenshot(path=str(screens / "library-terminal-phone.png"), full_page=True)
    phone.locator(f"#now-docs-list .doc-btn[data-doc-id='{doc_id}']").tap()
    bob_viewer = phone.frame_locator("#doc-frame")
    expect(bob_viewer.locator("#page-1")).to_have_class(re.compile(r"\bloaded\b"))
    expect(bob_viewer.locator(".v-pin")).to_have_count(0)
    phone.screenshot(path=str(screens / "library-viewer-phone.png"))
