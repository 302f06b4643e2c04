"""Notes written without network, in a real Chromium (issue 11, item 6).

Personas: delegate Cường (db013) reads a public report on a 1024x768
touch tablet and loses the network while writing a note: the note waits on
the tablet ("chờ gửi") and reaches the server once the network is back.
Delegate Dung (db014) writes one whose reply is lost on the way back (the
server stored it, the tablet never heard): sent again, it is still stored
once. Nothing is mocked; the lost reply is the browser's own request aborted
after the server answered it.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}


@pytest.fixture(scope="module")
def report_id(daphne_server, tmp_path_factory) -> int:
    """A public three-page report, uploaded and published through the library's services."""
    from tests.browser.test_library_e2e import make_pdf

    pdf = tmp_path_factory.mktemp("notes") / "bao-cao.pdf"
    make_pdf(pdf)
    return daphne_server.shell(f"""
import io
from django.contrib.auth import get_user_model
from library import services
from library.models import Document
secretary = get_user_model().objects.get(username="thuky")
with open({str(pdf)!r}, "rb") as f:
    d = services.upload(secretary, io.BytesIO(f.read()), name="bao-cao.pdf", kind=Document.Kind.REPORT,
                        summary="Báo cáo ghi chú khi mất mạng", access=Document.Access.PUBLIC)
services.publish(secretary, [d])
result = d.pk
""")


def stored_notes(daphne_server, username: str, doc_id: int) -> list:
    return daphne_server.shell(f"""
from library.models import Annotation
result = [[a.page, a.kind, a.text] for a in Annotation.objects.filter(user__username={username!r}, document_id={doc_id})]
""")


def open_viewer(new_context, login, username, doc_id):
    context = new_context(**TABLET)
    page = context.new_page()
    login(page, username, next_url=f"/library/doc/{doc_id}/")
    expect(page.locator("#page-1")).to_have_class(re.compile(r"\bloaded\b"), timeout=60000)
    return context, page


def write_note(page, text):
    page.locator("#v-add-note").tap()
    page.locator("#v-note-text").fill(text)
    page.locator("#v-note-save").tap()


def test_a_note_written_offline_waits_on_the_tablet_and_is_stored_once_back_online(
        new_context, login, daphne_server, report_id, screens):
    doc_id = report_id
    context, page = open_viewer(new_context, login, "db013", doc_id)
    note = "Viết khi mất mạng: hỏi Sở Tài chính về số liệu thu ngân sách"

    context.set_offline(True)
    expect(page.locator("#v-offline")).to_be_visible()
    write_note(page, note)
    expect(page.locator("#v-note-dialog")).not_to_be_visible()
    expect(page.locator("#v-toast")).to_contain_text("Chưa có mạng")
    expect(page.locator(".v-pin.pending")).to_have_count(1)
    expect(page.locator("#v-outbox")).to_contain_text("1 ghi chú đang chờ gửi")
    page.locator("#v-side-toggle").tap()
    expect(page.locator(".v-note-item.pending")).to_contain_text("Chờ gửi")
    page.screenshot(path=str(screens / "library-note-waiting.png"))
    assert stored_notes(daphne_server, "db013", doc_id) == []

    context.set_offline(False)
    expect(page.locator(".v-pin.pending")).to_have_count(0, timeout=15000)
    expect(page.locator(".v-pin")).to_have_count(1)
    expect(page.locator("#v-outbox")).to_be_hidden()
    assert stored_notes(daphne_server, "db013", doc_id) == [[1, "note", note]]

    # Opened again: the note is there once, nothing waits any more.
    page.reload()
    expect(page.locator(".v-pin")).to_have_count(1)
    expect(page.locator(".v-pin.pending")).to_have_count(0)
    assert stored_notes(daphne_server, "db013", doc_id) == [[1, "note", note]]


def test_a_note_whose_reply_was_lost_is_sent_again_and_stored_once(new_context, login, daphne_server, report_id):
    doc_id = report_id
    context, page = open_viewer(new_context, login, "db014", doc_id)
    note = "Câu trả lời bị mất trên đường về"

    def lose_the_reply(route):
        route.fetch()  # the server receives and stores the note...
        route.abort("connectionreset")  # ...and the tablet never hears back

    pattern = re.compile(rf"/library/doc/{doc_id}/annotations/")
    page.route(pattern, lose_the_reply)
    write_note(page, note)
    expect(page.locator(".v-pin.pending")).to_have_count(1)
    assert stored_notes(daphne_server, "db014", doc_id) == [[1, "note", note]]

    page.unroute(pattern)
    page.evaluate("window.LibraryViewer.sendWaiting()")
    expect(page.locator(".v-pin.pending")).to_have_count(0, timeout=15000)
    expect(page.locator(".v-pin")).to_have_count(1)
    assert stored_notes(daphne_server, "db014", doc_id) == [[1, "note", note]]


PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
LAYOUT = """() => {
  const box = (s) => { const b = document.querySelector(s).getBoundingClientRect();
                       return {top: b.top, bottom: b.bottom, left: b.left, right: b.right}; };
  return {head: box('.v-head'), pages: box('.v-pages'), thumbs: box('.v-thumbs'), here: box('.v-thumb.here'),
          height: innerHeight, scrolled: document.scrollingElement.scrollTop};
}"""


def test_on_a_phone_the_thumbnails_lie_over_the_pages_and_never_push_them_down(
        new_context, login, daphne_server, report_id, fresh_sitting, hub, screens):
    # Giang (db015) reads the current item's report in the terminal's overlay on a 390x844 phone.
    s = fresh_sitting()
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        chair.command("agenda.next")
        item = chair.snapshot["data"]["agenda"]["items"][0]["id"]
    daphne_server.shell(f"""
from django.contrib.auth import get_user_model
from agenda.models import AgendaItem
from library import services
from library.models import Document
services.attach(get_user_model().objects.get(username="thuky"), Document.objects.get(pk={report_id}),
                AgendaItem.objects.get(pk={item}))
result = 1
""")
    page = new_context(**PHONE).new_page()
    login(page, "db015", next_url=f"/sitting/{s['id']}/terminal/")
    expect(page.locator("body")).to_have_attribute("data-connection", "live")
    terminal_at = page.evaluate("() => document.scrollingElement.scrollTop")
    page.locator(f"#now-docs-list .doc-btn[data-doc-id='{report_id}']").tap()
    viewer = page.frame_locator("#doc-frame")
    expect(viewer.locator("#page-1")).to_have_class(re.compile(r"\bloaded\b"), timeout=60000)
    frame = page.locator("#doc-frame").element_handle().content_frame()
    first = frame.evaluate(LAYOUT)

    # The pages take the whole height under the tools: no strip of thumbnails below them.
    expect(viewer.locator("#v-thumbs")).to_be_hidden()
    assert abs(first["pages"]["bottom"] - first["height"]) <= 0.5
    assert first["pages"]["top"] == first["head"]["bottom"]

    # Reading on to the last page moves nothing around the pages, nor the terminal behind.
    frame.evaluate("() => document.querySelector('#v-pages').scrollBy(0, 5000)")
    expect(viewer.locator(".v-thumb.here")).to_have_attribute("data-page", "3")
    after = frame.evaluate(LAYOUT)
    assert (after["head"], after["pages"], after["scrolled"]) == (first["head"], first["pages"], 0)
    assert page.evaluate("() => document.scrollingElement.scrollTop") == terminal_at

    # "Các trang" lays the strip over the pages' bottom, the current page's thumbnail in sight;
    # the pages do not move.
    toggle = viewer.locator("#v-thumbs-toggle")
    box = toggle.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    toggle.tap()
    expect(viewer.locator("#v-thumbs")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    opened = frame.evaluate(LAYOUT)
    assert opened["pages"] == first["pages"]
    assert abs(opened["thumbs"]["bottom"] - first["pages"]["bottom"]) <= 0.5
    assert opened["thumbs"]["top"] > first["pages"]["top"] + 0.5 * (first["pages"]["bottom"] - first["pages"]["top"])
    assert opened["thumbs"]["left"] - 0.5 <= opened["here"]["left"] and opened["here"]["right"] <= opened["thumbs"]["right"] + 0.5
    page.screenshot(path=str(screens / "library-viewer-phone-thumbs.png"))

    # Choosing a page goes there and puts the strip away.
    viewer.locator(".v-thumb[data-page='2']").tap()
    expect(viewer.locator(".v-thumb.here")).to_have_attribute("data-page", "2")
    expect(viewer.locator("#v-thumbs")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert frame.evaluate(LAYOUT)["pages"] == first["pages"]
    assert page.evaluate("() => document.scrollingElement.scrollTop") == terminal_at
