"""The roll call before a vote (điểm danh lại) in a real Chromium: the chair starts it on the console,
Alice's terminal (a tablet) asks her to confirm with one big button, the console counts her, and
ending it records absent the delegates present before who did not confirm."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}


def test_the_chair_starts_a_roll_call_a_delegate_confirms_on_the_terminal_and_the_console_counts_her(
        new_context, login, fresh_sitting, hub, screens):
    sitting = fresh_sitting()
    with hub("db001", sitting["id"]) as chair:
        chair.command("sitting.open")
        others = [r["member_id"] for r in chair.snapshot["data"]["attendance"]
                  if r["counts"] and r["seat"] in ("A2", "A3")]  # not A1: the chair
        chair.command("attendance.mark_selected", {"member_ids": others})  # present, by the secretary

    terminal = new_context(**TABLET).new_page()
    login(terminal, "db010", next_url=f"/sitting/{sitting['id']}/terminal/")
    expect(terminal.locator("body")).to_have_attribute("data-connection", "live")
    terminal.tap("#check-in")
    expect(terminal.locator("#me .me-pill")).to_have_text("Có mặt")
    expect(terminal.locator("#rollcall")).to_be_hidden()

    console = new_context(viewport={"width": 1366, "height": 768}).new_page()
    login(console, "db001", next_url=f"/sitting/{sitting['id']}/console/")
    expect(console.locator("#conn")).to_have_class(re.compile(r"\blive\b"))
    expect(console.locator("#q-present")).to_have_text("3")
    console.select_option("#rc-seconds", "30")
    console.click("#rc-start")
    expect(console.locator("#rc-open")).to_be_visible()
    expect(console.locator("#rc-confirmed")).to_have_text("0")
    expect(console.locator("#rc-expected")).to_have_text("3")
    expect(console.locator("#rc-countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(console.locator(".seat.pending")).to_have_count(3)

    banner = terminal.locator("#rollcall")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Điểm danh lại trước biểu quyết")
    expect(banner).to_contain_text("Bấm để xác nhận có mặt")
    expect(terminal.locator("#rollcall-countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
    terminal.screenshot(path=str(screens / "roll-call-terminal.png"))
    terminal.tap("#rollcall-confirm")
    expect(terminal.locator("#rollcall-done")).to_be_visible()
    expect(terminal.locator("#rollcall-done")).to_have_text("Đã xác nhận")
    expect(terminal.locator("#rollcall-confirm")).to_be_hidden()

    expect(console.locator("#rc-confirmed")).to_have_text("1")
    expect(console.locator(".seat.pending")).to_have_count(2)
    console.screenshot(path=str(screens / "roll-call-console.png"))
    console.click("#rc-end")
    expect(console.locator("#rcd-text")).to_have_text("2 đại biểu chưa xác nhận sẽ được ghi vắng.")
    console.click("#rcd-confirm")
    expect(console.locator("#rc-idle")).to_be_visible()
    expect(console.locator("#rc-last")).to_contain_text("1/3 xác nhận, 2 ghi vắng")
    expect(console.locator("#q-present")).to_have_text("1")
    expect(terminal.locator("#rollcall")).to_be_hidden()
    expect(terminal.locator("#q-present")).to_have_text("1")
    expect(terminal.locator("#me .me-pill")).to_have_text("Có mặt")


def test_a_hall_display_following_the_sitting_shows_the_roll_call_while_it_is_open(
        new_context, fresh_sitting, pair_display, hub):
    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    hall = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    assert pair_display(hall, display_id).endswith("/display/")
    slide = hall.locator("#hall-slide")
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        rows = [r for r in chair.snapshot["data"]["attendance"] if r["counts"] and r["seat"] != "A1"]
        chair.command("attendance.mark_selected", {"member_ids": [r["member_id"] for r in rows[:4]]})
        chair.command("display.set_slide", {"display_id": display_id, "slide": "auto"})
        expect(slide).to_have_attribute("data-slide", "overview")
        chair.command("attendance.roll_call_start", {"seconds": 60})
        expect(slide).to_have_attribute("data-slide", "attendance")
        line = hall.locator("[data-role=roll-call]")
        expect(line).to_have_text("Đang điểm danh lại: 0/4 đã xác nhận")
        chair.command("attendance.mark", {"member_id": rows[0]["member_id"], "status": "present"})
        expect(line).to_have_text("Đang điểm danh lại: 1/4 đã xác nhận")
        chair.command("attendance.roll_call_end", {"mark_absent": False})
        expect(slide).to_have_attribute("data-slide", "overview")
