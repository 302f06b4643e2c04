"""The hall display in a real Chromium, 1920x1080, against a real Daphne.

Personas: the hall display (a kiosk browser paired through /pair/<token>/),
the chair (db001, drives the sitting from the chair console or, for setting
the scene, over the hub).
"""

import re

import pytest

pytestmark = pytest.mark.browser

HALL = {"width": 1920, "height": 1080}


@pytest.fixture
def hall(new_context, pair_display):
    """Pair a fresh kiosk browser as a display and wait until it shows its sitting live."""

    def open_hall(display_id: int):
        page = new_context(viewport=HALL).new_page()
        landed = pair_display(page, display_id)
        assert landed.endswith("/display/"), landed
        page.wait_for_selector("body[data-connection=live] #hall-slide[data-slide]")
        return page

    return open_hall


def items_of(snapshot) -> list[dict]:
    return snapshot["data"]["agenda"]["items"]


def test_chair_advances_the_agenda_and_the_hall_display_shows_the_new_item(hall, fresh_sitting, hub, new_context, login, screens):
    from playwright.sync_api import expect

    s = fresh_sitting()
    display = hall(s["displays"][0]["id"])
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        chair.command("agenda.next")
        items = items_of(chair.snapshot)
    expect(display.locator(".ov-title")).to_have_text(items[0]["title"])

    console = new_context(viewport={"width": 1440, "height": 900}).new_page()
    login(console, "db001", next_url=f"/sitting/{s['id']}/console/")
    console.wait_for_selector("body:not(.disconnected)[data-sitting-status=live]")
    console.click("#agenda-next")

    expect(display.locator(".ov-title")).to_have_text(items[1]["title"])
    expect(display.locator(".ov-number")).to_have_text(items[1]["number"])
    display.screenshot(path=str(screens / "display-overview.png"))


def _spend(daphne_server, item_id: int, seconds: int) -> None:
    """Record time already spent on an item (as earlier runs of it would have)."""
    daphne_server.shell("from agenda.models import AgendaItem\n"
                        f"AgendaItem.objects.filter(pk={item_id}).update(elapsed_before_s={seconds})\n"
                        "result = None")


@pytest.mark.parametrize("spent_share, level", [(0.9, "near"), (1.2, "over")])
def test_item_time_bar_turns_amber_near_the_planned_time_and_red_past_it(hall, fresh_sitting, hub, daphne_server,
                                                                          spent_share, level):
    from playwright.sync_api import expect

    s = fresh_sitting()
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        item = next(i for i in items_of(chair.snapshot) if i["planned_minutes"])
        chair.command("agenda.jump", {"item_id": item["id"]})
    _spend(daphne_server, item["id"], int(item["planned_minutes"] * 60 * spent_share))
    display = hall(s["displays"][0]["id"])
    expect(display.locator(".ov-item .hall-timer")).to_have_attribute("data-level", level)


def test_display_follows_the_slide_the_chair_chooses(hall, fresh_sitting, hub):
    from playwright.sync_api import expect

    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    display = hall(display_id)
    with hub("db001", s["id"]) as chair:
        chair.command("display.set_slide", {"display_id": display_id, "slide": "attendance"})
        seats = sum(1 for r in chair.snapshot["data"]["attendance"] if r["seat"])
    expect(display.locator("#hall-slide")).to_have_attribute("data-slide", "attendance")
    expect(display.locator("svg.at-map .at-seat")).to_have_count(seats)


def test_agenda_slide_highlights_the_current_item_and_strikes_the_done_ones(hall, fresh_sitting, hub):
    from playwright.sync_api import expect

    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    display = hall(display_id)
    with hub("db001", s["id"]) as chair:
        items = items_of(chair.snapshot)
        chair.command("display.set_slide", {"display_id": display_id, "slide": "agenda"})
        chair.command("sitting.open")
        chair.command("agenda.next")
        chair.command("agenda.next")
    first = display.locator(f'.ag-row[data-item-id="{items[0]["id"]}"]')
    second = display.locator(f'.ag-row[data-item-id="{items[1]["id"]}"]')
    expect(second).to_have_class(re.compile("is-current"))
    expect(first).to_have_class(re.compile("is-done"))
    assert "line-through" in first.locator(".ag-title").evaluate("e => getComputedStyle(e).textDecorationLine")


def test_agenda_slide_marks_a_postponed_item(hall, fresh_sitting, hub):
    from playwright.sync_api import expect

    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    display = hall(display_id)
    with hub("db001", s["id"]) as chair:
        last = items_of(chair.snapshot)[-1]
        chair.command("display.set_slide", {"display_id": display_id, "slide": "agenda"})
        chair.command("sitting.open")
        chair.command("agenda.postpone", {"item_id": last["id"]})
    row = display.locator(f'.ag-row[data-item-id="{last["id"]}"]')
    expect(row).to_have_attribute("data-status", "postponed")
    expect(row.locator(".ag-status")).to_be_visible()


def test_seat_map_colours_a_seat_when_its_delegate_is_marked_present(hall, fresh_sitting, hub):
    from playwright.sync_api import expect

    s = fresh_sitting()
    display_id = s["displays"][1]["id"]  # "Màn hình phụ" shows the attendance slide
    display = hall(display_id)
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        row = next(r for r in chair.snapshot["data"]["attendance"] if r["seat"] == "A3")
        seat = display.locator('.at-seat[data-seat="A3"]')
        expect(seat).to_have_attribute("data-status", "none")
        chair.command("attendance.mark", {"member_id": row["member_id"], "status": "present"})
    expect(seat).to_have_attribute("data-status", "present")


def test_announcement_appears_on_the_hall_display(hall, fresh_sitting, hub):
    from playwright.sync_api import expect

    s = fresh_sitting()
    display = hall(s["displays"][0]["id"])
    text = "Đề nghị các đại biểu tắt chuông điện thoại."
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        chair.command("sitting.announce", {"text": text})
    expect(display.locator("[data-role=announcement]")).to_contain_text(text)


def test_display_says_when_the_sitting_has_not_opened_yet(hall, fresh_sitting):
    from playwright.sync_api import expect

    s = fresh_sitting()
    display = hall(s["displays"][0]["id"])
    expect(display.locator(".hall-status")).to_have_attribute("data-status", "scheduled")
    expect(display.locator(".ov-idle-title")).to_have_text(s["title"])


def test_disconnected_display_shows_it_and_comes_back_by_itself(hall, fresh_sitting, running_server, screens):
    from playwright.sync_api import expect

    s = fresh_sitting()
    display = hall(s["displays"][0]["id"])
    badge = display.locator("#hall-connection")
    expect(badge).to_be_hidden()
    running_server.stop()
    expect(badge).to_be_visible(timeout=30000)
    expect(badge).to_contain_text(re.compile("mất kết nối", re.IGNORECASE))
    display.screenshot(path=str(screens / "display-offline.png"))
    running_server.start()
    expect(badge).to_be_hidden(timeout=30000)
    expect(display.locator("body")).to_have_attribute("data-connection", "live")


def test_waiting_display_shows_the_sitting_it_is_given(new_context, pair_display, fresh_sitting, daphne_server):
    """Assigning a display to a sitting is reference data (the admin): the
    waiting page notices on its next poll of the server."""
    from playwright.sync_api import expect

    s = fresh_sitting()
    display_id = daphne_server.shell(
        "from displays.models import Display\n"
        f"result = Display.objects.create(name='Màn hình sảnh #{s['id']}').pk")
    page = new_context(viewport=HALL).new_page()
    pair_display(page, display_id)
    expect(page.locator("body")).to_have_class(re.compile("is-idle"))
    daphne_server.shell(
        "from displays.models import Display\n"
        f"Display.objects.filter(pk={display_id}).update(sitting_id={s['id']})\n"
        "result = None")
    expect(page.locator(".hall-sitting")).to_have_text(s["title"], timeout=45000)


def test_unknown_slide_key_falls_back_to_the_overview(hall, fresh_sitting):
    s = fresh_sitting()
    display = hall(s["displays"][0]["id"])
    assert display.evaluate("HallSlides.resolve('no-such-slide')") == "overview"


def test_hall_page_has_no_scrollbars(hall, fresh_sitting):
    s = fresh_sitting()
    display = hall(s["displays"][0]["id"])
    size = display.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [HALL["width"], HALL["height"]]


def test_every_registered_slide_draws_at_1920x1080(hall, fresh_sitting, hub, screens):
    """Each slide renders from the same state; the screenshots are for reading from afar."""
    from playwright.sync_api import expect

    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    display = hall(display_id)
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        for _ in range(4):
            chair.command("agenda.next")
        for i, row in enumerate(chair.snapshot["data"]["attendance"][:40]):
            status = "absent" if i % 13 == 5 else "excused" if i % 9 == 4 else "present"
            chair.command("attendance.mark", {"member_id": row["member_id"], "status": status,
                                              "reason": "Công tác" if status == "excused" else ""})
        chair.command("sitting.announce", {"text": "Giải lao 15 phút. Đề nghị các đại biểu trở lại hội trường lúc 10 giờ 15."})
        # "auto" draws no slide of its own: it shows one of these (tests/browser/test_display_follows.py).
        keys = [sl["key"] for sl in chair.snapshot["data"]["slides"] if sl["key"] != "auto"]
        for key in keys:
            chair.command("display.set_slide", {"display_id": display_id, "slide": key})
            expect(display.locator("#hall-slide")).to_have_attribute("data-slide", key)
            expect(display.locator("#hall-slide .hall-band")).to_be_visible()
            display.screenshot(path=str(screens / f"display-{key}.png"))
        # Back to the announcement slide (modules' slides, the floor's and voting's, come after it).
        chair.command("display.set_slide", {"display_id": display_id, "slide": "announcement"})
        chair.command("sitting.announce", {"text": ""})
        expect(display.locator("[data-role=no-announcement]")).to_be_visible()
        display.screenshot(path=str(screens / "display-announcement-none.png"))


def test_unpaired_kiosk_is_told_how_to_pair(new_context, live_server_url, screens):
    page = new_context(viewport=HALL).new_page()
    page.goto(live_server_url + "/display/")
    assert "mã QR" in page.inner_text("main")
    page.screenshot(path=str(screens / "display-not-paired.png"))
