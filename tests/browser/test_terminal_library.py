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
    expect(docs).to_have_accessible_name(re.compile(r"^1 tài liệu của kỳ họp"))
    expect(docs).to_have_attribute("title", re.compile(r"^1 tài liệu của kỳ họp"))
    # The ✓ appears once the pages are kept on the tablet; the name says so in words.
    expect(docs).to_have_class(re.compile(r"\bsaved\b"), timeout=30000)
    expect(docs).to_have_accessible_name("1 tài liệu của kỳ họp, đã lưu đủ để đọc khi mất mạng")


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
