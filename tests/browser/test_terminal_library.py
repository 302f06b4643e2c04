"""The delegate terminal's ways into the library, and its language, in a real Chromium (issue 11, items 6, 7).

Personas: delegate Hà (db017) holds a 1024x768 touch tablet with the terminal of a live
sitting whose first item carries a public report; delegate Khánh (db018) a 390x844 phone.
The chair (db001) drives the sitting from another device (a hub client).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_library_notes_offline import report_id  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


@pytest.fixture
def sitting(fresh_sitting, hub, daphne_server, report_id):  # noqa: F811
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
    return s


def open_terminal(new_context, login, username, sitting, device=TABLET):
    page = new_context(**device).new_page()
    login(page, username, next_url=f"/sitting/{sitting['id']}/terminal/")
    expect(page.locator("body")).to_have_attribute("data-connection", "live")
    return page


@pytest.mark.parametrize("device", [TABLET, PHONE], ids=["tablet", "phone"])
def test_search_is_one_tap_from_the_terminal_and_opens_over_the_sitting(
        new_context, login, sitting, report_id, device, screens):  # noqa: F811
    page = open_terminal(new_context, login, "db017" if device is TABLET else "db018", sitting, device)
    page.screenshot(path=str(screens / f"terminal-header-{'tablet' if device is TABLET else 'phone'}.png"))
    button = page.locator("#search-open")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a finger's size
    expect(button).to_have_accessible_name(re.compile("Tra cứu"))

    button.tap()
    expect(page.locator("#doc-overlay")).to_be_visible()
    expect(page.locator("#doc-overlay-title")).to_have_text("Tra cứu tài liệu")
    search = page.frame_locator("#doc-frame")
    expect(search.locator("#id_q")).to_be_visible()
    expect(search.locator("header.topbar")).to_have_count(0)  # no site chrome inside the terminal
    search.locator("#id_q").fill("ghi chú khi mất mạng")
    search.locator(".search-box button[type=submit]").tap()
    expect(search.locator(".count")).to_contain_text("Tìm thấy")
    result = search.locator(".result-title").first
    expect(result).to_contain_text("ghi chú khi mất mạng")
    page.screenshot(path=str(screens / f"terminal-search-{'tablet' if device is TABLET else 'phone'}.png"))

    result.tap()  # the embedded viewer, still over the live terminal
    expect(search.locator("#v-title")).to_have_text("Báo cáo ghi chú khi mất mạng")
    page.locator("#doc-close").tap()
    expect(page.locator("#doc-overlay")).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-connection", "live")


def test_the_documents_badge_says_what_its_number_and_tick_mean(new_context, login, sitting):
    page = open_terminal(new_context, login, "db017", sitting)
    docs = page.locator("#docs-open")
    expect(docs).to_be_visible()
    n = int(page.locator("#docs-count").text_content())  # the session's documents (earlier tests add some)
    assert n >= 1
    expect(docs).to_have_accessible_name(re.compile(rf"^{n} tài liệu của kỳ họp"))
    expect(docs).to_have_attribute("title", re.compile(rf"^{n} tài liệu của kỳ họp"))
    # The ✓ appears once the pages are kept on the tablet; the name says so in words.
    expect(docs).to_have_class(re.compile(r"\bsaved\b"), timeout=30000)
    expect(docs).to_have_accessible_name(f"{n} tài liệu của kỳ họp, đã lưu đủ để đọc khi mất mạng")


def test_the_terminal_switches_language_and_stays_on_the_sitting(new_context, login, sitting):
    page = open_terminal(new_context, login, "db017", sitting)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    switch = page.locator(".face-status .lang button[value=en]")
    box = switch.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    with page.expect_navigation():
        switch.tap()
    assert page.url.endswith(f"/sitting/{sitting['id']}/terminal/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#quorum-h")).to_have_text("Quorum")
    expect(page.locator("body")).to_have_attribute("data-connection", "live")
    page.locator(".face-status .lang button[value=vi]").tap()
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def test_the_office_reminds_the_unread_and_the_open_terminal_shows_it_until_read(
        new_context, login, fresh_sitting, daphne_server, tmp_path, screens):
    # The secretary (thuky) reminds from the read receipts page; Lan (db019) has the terminal open.
    from tests.browser.test_library_e2e import make_pdf

    s = fresh_sitting()
    pdf = tmp_path / "bao-cao-nhac.pdf"
    make_pdf(pdf, pages=1)
    doc_id = daphne_server.shell(f"""
import io
from django.contrib.auth import get_user_model
from library import services
from meeting.models import Sitting
secretary = get_user_model().objects.get(username="thuky")
sitting = Sitting.objects.get(pk={s['id']})
with open({str(pdf)!r}, "rb") as f:
    d = services.upload(secretary, io.BytesIO(f.read()), name="bao-cao-nhac.pdf", kind="report",
                        summary="Báo cáo cần đọc trước phiên họp", number="77/BC-UBND", session=sitting.session)
services.attach(secretary, d, sitting)
services.publish(secretary, [d])
result = d.pk
""")
    terminal = open_terminal(new_context, login, "db019", s)
    expect(terminal.locator("#read-reminders")).to_be_hidden()

    office = new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(office, "thuky", next_url=f"/library/doc/{doc_id}/reads/?unread=1")
    office.locator("form.remind button[type=submit]").click()
    expect(office.locator(".flash")).to_contain_text("Đã gửi lời nhắc đọc tới")

    # Told at once, over whatever the terminal shows.
    notice = terminal.locator(f".read-reminder[data-doc-id='{doc_id}']")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("77/BC-UBND — Báo cáo cần đọc trước phiên họp")
    terminal.screenshot(path=str(screens / "terminal-read-reminder.png"))
    # A second click on the office page sends nothing more.
    office.locator("form.remind button[type=submit]").click()
    expect(office.locator(".flash")).to_contain_text("vừa được nhắc")

    # Stored: a terminal opened later shows it too; "Đọc ngay" opens the document over the sitting.
    terminal.reload()
    expect(terminal.locator("body")).to_have_attribute("data-connection", "live")
    expect(notice).to_be_visible()
    notice.locator("button.primary").tap()
    expect(terminal.locator("#doc-overlay")).to_be_visible()
    expect(terminal.frame_locator("#doc-frame").locator("#v-title")).to_have_text("Báo cáo cần đọc trước phiên họp")
    expect(notice).to_have_count(0)
    terminal.locator("#doc-close").tap()
    terminal.reload()  # read now: no longer asked
    expect(terminal.locator("body")).to_have_attribute("data-connection", "live")
    expect(terminal.locator("#read-reminders")).to_be_hidden()
