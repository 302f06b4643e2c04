"""The delegate terminal on a tablet (820x1180, touch) in a real Chromium.

Personas: delegate Alice (db010) holds the tablet; the chair (db001) drives
the sitting from another device (a hub WebSocket client). The terminal only
shows what the server says, and comes back by itself after a network drop or
a server restart.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}


@pytest.fixture
def sitting(fresh_sitting, hub):
    """A fresh sitting the chair has opened."""
    s = fresh_sitting()
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
    return s


@pytest.fixture
def tablet(new_context):
    return new_context(**TABLET)


@pytest.fixture
def terminal(tablet, login, sitting):
    """Alice's terminal for the sitting, connected."""
    page = tablet.new_page()
    login(page, "db010", next_url=f"/sitting/{sitting['id']}/terminal/")
    expect(page.locator("body")).to_have_attribute("data-connection", "live")
    return page


def test_delegate_taps_check_in_and_is_present(terminal):
    expect(terminal.locator("#me .me-pill")).to_have_text("Chưa điểm danh")
    terminal.tap("#check-in")
    expect(terminal.locator("#me .me-pill")).to_have_text("Có mặt")
    expect(terminal.locator("#check-in")).to_be_hidden()


def test_checking_in_raises_the_quorum_count(terminal):
    expect(terminal.locator("#q-present")).to_have_text("0")
    terminal.tap("#check-in")
    expect(terminal.locator("#q-present")).to_have_text("1")


def test_delegate_joins_remotely(terminal, hub, sitting):
    terminal.tap("#check-in-remote")
    expect(terminal.locator("#me .me-pill")).to_have_text("Có mặt")
    with hub("db001", sitting["id"]) as chair:
        alice = next(r for r in chair.snapshot["data"]["attendance"] if r["seat"] == "A10")
    assert (alice["status"], alice["method"]) == ("present", "remote")


def test_chair_advancing_highlights_the_new_item(terminal, hub, sitting):
    with hub("db001", sitting["id"]) as chair:
        chair.command("agenda.next")
        expect(terminal.locator(".t-item.current .t-num")).to_have_text("1")
        chair.command("agenda.next")
    expect(terminal.locator(".t-item.current .t-num")).to_have_text("2")
    expect(terminal.locator("#now-title")).to_have_text("Báo cáo tình hình kinh tế - xã hội năm 2026, phương hướng nhiệm vụ năm 2027")
    expect(terminal.locator("#now-presenter")).to_contain_text("Chủ tịch UBND tỉnh")


def test_current_item_far_down_is_scrolled_into_view(terminal, hub, sitting):
    with hub("db001", sitting["id"]) as chair:
        last = chair.snapshot["data"]["agenda"]["items"][-1]
        chair.command("agenda.jump", {"item_id": last["id"]})
    current = terminal.locator(".t-item.current")
    expect(current).to_contain_text("Bế mạc kỳ họp")
    expect(current).to_be_in_viewport()


def test_announcement_appears_on_the_terminal(terminal, hub, sitting):
    expect(terminal.locator("#announcement")).to_be_hidden()
    with hub("db001", sitting["id"]) as chair:
        chair.command("sitting.announce", {"text": "Mời các đại biểu về chỗ ngồi"})
    expect(terminal.locator("#announcement")).to_contain_text("Mời các đại biểu về chỗ ngồi")


def test_network_drop_is_shown_and_the_terminal_catches_up_by_itself(terminal, tablet, hub, sitting):
    with hub("db001", sitting["id"]) as chair:
        chair.command("agenda.next")
        expect(terminal.locator(".t-item.current .t-num")).to_have_text("1")
        expect(terminal.locator("#conn-banner")).to_be_hidden()

        tablet.set_offline(True)
        expect(terminal.locator("#conn-banner")).to_be_visible()
        expect(terminal.locator("#conn-banner")).to_contain_text("Mất kết nối")

        chair.command("agenda.next")  # while the tablet is offline
        expect(terminal.locator(".t-item.current .t-num")).to_have_text("1")

        tablet.set_offline(False)
    expect(terminal.locator("body")).to_have_attribute("data-connection", "live", timeout=20000)
    expect(terminal.locator("#conn-banner")).to_be_hidden()
    expect(terminal.locator(".t-item.current .t-num")).to_have_text("2")


def test_server_restart_is_shown_and_the_terminal_reconnects(terminal, running_server, hub, sitting):
    running_server.stop()
    expect(terminal.locator("#conn-banner")).to_contain_text("Mất kết nối")
    running_server.start()
    expect(terminal.locator("body")).to_have_attribute("data-connection", "live", timeout=20000)
    with hub("db001", sitting["id"]) as chair:
        chair.command("agenda.next")
    expect(terminal.locator(".t-item.current .t-num")).to_have_text("1")


def test_screenshot_of_the_terminal(tablet, login, sitting, hub, screens):
    """Not a check of looks: leaves /tmp/screens/terminal*.png for a person to look at."""
    with hub("db001", sitting["id"]) as chair:
        chair.command("agenda.next")
        chair.command("agenda.next")
        for r in [r for r in chair.snapshot["data"]["attendance"] if r["counts"]][1:30]:
            chair.command("attendance.mark", {"member_id": r["member_id"], "status": "present"})
        chair.command("sitting.announce", {"text": "Đề nghị các đại biểu tắt chuông điện thoại."})
    page = tablet.new_page()
    login(page, "db045", next_url=f"/sitting/{sitting['id']}/terminal/")
    expect(page.locator("body")).to_have_attribute("data-connection", "live")
    expect(page.locator(".t-item.current .t-num")).to_have_text("2")
    page.screenshot(path=str(screens / "terminal-present.png"))
    page2 = tablet.new_page()
    page2.set_viewport_size({"width": 820, "height": 1180})
    page.context.clear_cookies()
    login(page2, "db050", next_url=f"/sitting/{sitting['id']}/terminal/")
    expect(page2.locator("#check-in")).to_be_visible()
    page2.screenshot(path=str(screens / "terminal.png"))
    page2.set_viewport_size({"width": 1180, "height": 820})
    page2.screenshot(path=str(screens / "terminal-landscape.png"))
    tablet.set_offline(True)
    expect(page2.locator("#conn-banner")).to_contain_text("Mất kết nối")
    page2.set_viewport_size({"width": 820, "height": 1180})
    page2.screenshot(path=str(screens / "terminal-offline.png"))
    tablet.set_offline(False)
    assert re.search(r"/terminal/$", page2.url)


# ---- issue 11, item 1: a phone shows the whole agenda --------------------------------------------

PHONES = {"390x844": {"width": 390, "height": 844}, "390x667": {"width": 390, "height": 667}}


@pytest.mark.parametrize("size", PHONES, ids=list(PHONES))
def test_a_phone_reaches_every_agenda_item_with_an_announcement_and_the_current_items_documents(
        new_context, login, sitting, hub, daphne_server, size):
    with hub("db001", sitting["id"]) as chair:
        chair.command("agenda.next")
        first = chair.snapshot["data"]["agenda"]["items"][0]["id"]
        chair.command("sitting.announce", {"text": "Đề nghị các vị đại biểu tắt chuông điện thoại di động và "
                                                   "đăng ký phát biểu trên máy tính bảng tại chỗ ngồi."})
    daphne_server.shell(f"""
import io
from django.contrib.auth import get_user_model
from agenda.models import AgendaItem
from library import services
from tests.browser.test_library_e2e import make_pdf
import tempfile, pathlib
secretary = get_user_model().objects.get(username="thuky")
item = AgendaItem.objects.get(pk={first})
folder = pathlib.Path(tempfile.mkdtemp())
for n in range(3):
    make_pdf(folder / f"d{{n}}.pdf", pages=1)
    doc = services.upload(secretary, io.BytesIO((folder / f"d{{n}}.pdf").read_bytes()), name=f"to-trinh-{{n}}.pdf",
                          summary=f"Tờ trình số {{n + 1}} về nội dung của mục đầu tiên", session=item.sitting.session)
    services.attach(secretary, doc, item)
    services.publish(secretary, [doc])
result = True
""")
    phone = new_context(viewport=PHONES[size], has_touch=True, is_mobile=True).new_page()
    login(phone, "db010", next_url=f"/sitting/{sitting['id']}/terminal/")
    expect(phone.locator("body")).to_have_attribute("data-connection", "live")
    expect(phone.locator("#now-docs-list .doc-btn")).to_have_count(3)
    expect(phone.locator(".announcement")).to_be_visible()
    items = phone.locator(".t-item")
    assert items.count() >= 5
    assert phone.locator(".t-agenda").bounding_box()["height"] > 100  # not squeezed to nothing
    for i in (0, items.count() // 2, items.count() - 1):
        items.nth(i).scroll_into_view_if_needed()
        expect(items.nth(i)).to_be_in_viewport()
        box = items.nth(i).bounding_box()
        assert box["height"] >= 44  # a whole row, big enough to read and tap


def test_moving_into_a_sub_item_shows_its_parent_in_progress_not_done(terminal, hub, sitting):
    with hub("db001", sitting["id"]) as chair:
        items = chair.snapshot["data"]["agenda"]["items"]
        child = next(i for i in items if i["parent_id"] is not None)
        chair.command("agenda.jump", {"item_id": child["parent_id"]})
        chair.command("agenda.next")  # into the parent's first item
    parent_row = terminal.locator(f".t-item[data-item-id='{child['parent_id']}']")
    expect(terminal.locator(f".t-item.current[data-item-id='{child['id']}']")).to_be_visible()
    expect(parent_row).to_have_class(re.compile(r"\bstatus-current\b"))
    expect(parent_row).not_to_have_class(re.compile(r"(^|\s)current(\s|$)"))
    expect(parent_row.locator(".t-meta")).to_contain_text("Đang thực hiện")
    expect(parent_row.locator(".t-done")).to_have_count(0)


def test_check_in_is_offered_only_while_the_sitting_is_live(tablet, login, fresh_sitting, hub):
    s = fresh_sitting()
    page = tablet.new_page()
    login(page, "db010", next_url=f"/sitting/{s['id']}/terminal/")
    expect(page.locator("body")).to_have_attribute("data-connection", "live")
    expect(page.locator("#check-in")).to_be_hidden()
    expect(page.locator("#me")).to_contain_text("Bạn điểm danh được khi phiên họp khai mạc.")
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        expect(page.locator("#check-in")).to_be_visible()
        chair.command("sitting.close")
    expect(page.locator("#check-in")).to_be_hidden()
    expect(page.locator("#sitting-status")).to_have_text("Đã bế mạc")
