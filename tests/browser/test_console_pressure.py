"""The chair console under pressure (issue 11, item 4) in a real Chromium against a real Daphne:
several members present in one command, the current and next items in view on a laptop screen,
a live thumbnail of each hall display, the keyboard reaching attendance and announcements in a few
presses, and the member dialog with "Có mặt" first."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LIVE = re.compile(r"\blive\b")


def open_console(new_context, login, sitting, hub, size=(1440, 900)):
    page = new_context(viewport={"width": size[0], "height": size[1]}).new_page()
    login(page, "db001", next_url=f"/sitting/{sitting['id']}/console/")
    expect(page.locator("#conn")).to_have_class(LIVE)
    with hub("db001", sitting["id"]) as chair:
        chair.command("sitting.open")
    expect(page.locator("#sitting-status")).to_have_text("Đang họp")
    return page


def audited_marks(daphne_server, sitting_id: int) -> list[list[int]]:
    return daphne_server.shell(
        "from audit.models import AuditRecord\n"
        f"result = [r.detail.get('members') for r in AuditRecord.objects.filter(action='attendance.mark', "
        f"outcome='ok', sitting_id={sitting_id}).order_by('id')]")


def test_the_secretary_selects_several_members_and_marks_them_present_in_one_command(
        new_context, login, fresh_sitting, hub, daphne_server):
    sitting = fresh_sitting()
    page = open_console(new_context, login, sitting, hub)
    page.click("#select-mode")
    expect(page.locator("#select-bar")).to_be_visible()
    chosen = ["A1", "A2", "A3", "B4", "C5"]
    for seat in chosen:
        page.click(f'.seat[data-seat="{seat}"]')
    # A second tap takes a seat out of the selection; no dialog opens in selection mode.
    page.click('.seat[data-seat="C5"]')
    expect(page.locator('.seat[data-seat="C5"]')).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#member-dialog")).not_to_have_attribute("open", "")
    expect(page.locator("#mark-selected")).to_have_text("Ghi có mặt (4)")
    page.dblclick("#mark-selected")  # a double tap sends one command
    expect(page.locator("#q-present")).to_have_text("4")
    for seat in chosen[:4]:
        expect(page.locator(f'.seat[data-seat="{seat}"]')).to_have_class(re.compile(r"\bpresent\b"))
    expect(page.locator('.seat[data-seat="C5"]')).to_have_class(re.compile(r"\bnone\b"))
    expect(page.locator("#select-bar")).to_be_hidden()
    # Quorum by hand: everyone not yet recorded, in three taps.
    page.click("#select-mode")
    page.click("#select-unrecorded")
    expect(page.locator("#mark-selected")).to_have_text("Ghi có mặt (46)")
    page.click("#mark-selected")
    expect(page.locator("#q-present")).to_have_text("50")
    expect(page.locator("#q-badge")).to_have_text("Đủ túc số")
    marks = audited_marks(daphne_server, sitting["id"])
    assert [len(m) for m in marks] == [4, 46]


@pytest.mark.parametrize("size", [(1366, 768), (1280, 800)])
def test_the_current_and_next_items_stay_in_view_on_a_laptop_screen(new_context, login, fresh_sitting, hub, size):
    sitting = fresh_sitting()
    page = open_console(new_context, login, sitting, hub, size)
    width, height = size
    moves = 0
    while page.locator("#agenda-next").get_attribute("data-target"):
        target = page.locator("#agenda-next").get_attribute("data-target")
        page.click("#agenda-next")
        expect(page.locator(f'.item.current[data-item-id="{target}"]')).to_have_count(1)
        page.wait_for_function("() => !document.getElementById('agenda-next').matches('[aria-busy]')")
        boxes = page.evaluate("""() => {
          const box = (el) => { const r = el.getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]; };
          const next = document.getElementById('agenda-next').dataset.target;
          const row = next && document.querySelector(`.item[data-item-id="${next}"]`);
          return {list: box(document.getElementById('agenda-list')), now: box(document.getElementById('now-card')),
                  button: box(document.getElementById('agenda-next')),
                  current: box(document.querySelector('.item.current')), next: row ? box(row) : null,
                  scrolled: window.scrollY};
        }""")
        assert boxes["scrolled"] == 0
        for name in ("now", "button", "current", "next"):
            box = boxes[name]
            if box is None:
                continue
            top, bottom, left, right = box
            assert 0 <= top and bottom <= height and 0 <= left and right <= width, (name, box, moves)
            if name in ("current", "next"):  # inside the list's visible part, not hidden by its scrolling
                assert boxes["list"][0] - 1 <= top and bottom <= boxes["list"][1] + 1, (name, box, boxes["list"], moves)
        moves += 1
    assert moves >= 10


def test_each_hall_display_shows_a_live_thumbnail_in_its_card(new_context, login, fresh_sitting, hub):
    sitting = fresh_sitting()
    page = open_console(new_context, login, sitting, hub)
    first = sitting["displays"][0]["id"]
    frames = page.locator(".display-card .display-thumb iframe")
    expect(frames).to_have_count(2)
    expect(frames.first).to_have_attribute("src", f"/display/preview/{first}/")
    thumb = page.frame_locator(f'.display-card[data-display-id="{first}"] .display-thumb iframe')
    expect(thumb.locator("#hall-slide")).to_have_attribute("data-slide", "overview")
    page.evaluate(f"""() => {{ document.querySelector('.display-card[data-display-id="{first}"] iframe').dataset.kept = "1"; }}""")
    page.click(f'.display-card[data-display-id="{first}"] .slide-btn[data-slide="agenda"]')
    expect(page.locator(f'.display-card[data-display-id="{first}"] .now-slide')).to_have_text("Chương trình phiên họp")
    expect(thumb.locator("#hall-slide")).to_have_attribute("data-slide", "agenda")
    # The same frame, not one loaded again at every change.
    expect(page.locator(f'.display-card[data-display-id="{first}"] iframe[data-kept="1"]')).to_have_count(1)
    # Not a Tab stop: the preview link is.
    assert frames.first.get_attribute("tabindex") == "-1"


def _focused(page) -> dict:
    return page.evaluate("""() => { const a = document.activeElement;
      return {id: a.id, seat: a.dataset ? a.dataset.seat || null : null,
              panel: a.closest('section.panel') ? a.closest('section.panel').id : null}; }""")


def test_the_keyboard_reaches_attendance_and_announcements_in_a_few_presses(new_context, login, fresh_sitting, hub):
    sitting = fresh_sitting()
    page = open_console(new_context, login, sitting, hub, (1366, 768))

    def presses_until(check, limit=60) -> int:
        for n in range(1, limit + 1):
            page.keyboard.press("Tab")
            if check(_focused(page)):
                return n
        raise AssertionError(f"not reached in {limit} Tab presses; focus on {_focused(page)}")

    # The second Tab stop of the page is the link to attendance; Enter, then the seat map in a few more.
    assert presses_until(lambda f: f["id"] == "" and page.evaluate(
        "() => document.activeElement.getAttribute('href')") == "#attendance-panel") == 2
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "attendance-panel"
    # The view toggle, the roll call (its button and countdown, by the quorum it checks), the bulk
    # buttons, then the seat map.
    assert presses_until(lambda f: f["seat"] is not None) <= 7
    assert _focused(page)["seat"] == "A1"
    # One Tab stop for the whole seat map: the arrow keys move inside it.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert _focused(page)["seat"] == "B2"
    page.keyboard.press("Enter")
    expect(page.locator("#member-dialog")).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    # From the seat map, the announcement is the next stop.
    assert presses_until(lambda f: f["id"] == "ann-text") == 1
    # And from the top of the page, the announcement takes three presses and Enter.
    page.goto(page.url.split("#")[0])  # the top of the page, not the fragment a skip link left in the address
    expect(page.locator("#conn")).to_have_class(LIVE)
    n = presses_until(lambda f: page.evaluate("() => document.activeElement.getAttribute('href')") == "#announce-panel")
    assert n == 3
    page.keyboard.press("Enter")
    assert presses_until(lambda f: f["id"] == "ann-text") == 1


def test_the_member_dialog_puts_present_first_and_enter_marks_present(new_context, login, fresh_sitting, hub):
    sitting = fresh_sitting()
    page = open_console(new_context, login, sitting, hub)
    page.click('.seat[data-seat="A7"]')
    dialog = page.locator("#member-dialog")
    expect(dialog).to_have_attribute("open", "")
    first = dialog.locator("button, input").first
    expect(first).to_have_text("Có mặt")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator('.seat[data-seat="A7"]')).to_have_class(re.compile(r"\bpresent\b"))
    expect(page.locator("#q-present")).to_have_text("1")


def test_in_the_list_a_member_found_without_diacritics_is_selected_and_marked_present(new_context, login, fresh_sitting, hub):
    sitting = fresh_sitting()
    page = open_console(new_context, login, sitting, hub)
    page.click("#view-list")
    page.click("#select-mode")
    page.fill("#member-search", "hung")
    rows = page.locator("#member-rows tr.member-row")
    expect(rows.first).to_contain_text("Hùng")
    found = rows.count()
    for n in range(found):
        rows.nth(n).click()
    expect(page.locator("#member-rows tr.member-row[aria-selected=true]")).to_have_count(found)
    expect(page.locator("#select-count")).to_have_text(f"Đã chọn {found} người")
    rows.first.focus()  # a row is chosen by keyboard too: Space takes it out again, and back in
    page.keyboard.press(" ")
    expect(page.locator("#member-rows tr.member-row[aria-selected=true]")).to_have_count(found - 1)
    page.keyboard.press(" ")
    page.click("#mark-selected")
    expect(page.locator("#q-present")).to_have_text(str(found))
    expect(page.locator("#member-rows tr.member-row.present")).to_have_count(found)
