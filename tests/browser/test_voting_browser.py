"""Voting in real browsers (issue 14, items 4 and 9): the chair prepares and opens a poll on the
console, two delegates vote on their terminals (tablets, by touch), the chair closes and publishes,
and the hall display shows the vote while it runs, then the result and the seat map.

Personas: the chair (db001) at the console; delegates Alice (db010) and Bình (db011) on their
tablets; the hall display (a paired kiosk, 1920x1080). Quorum: before the vote the chair marks
thirty-six delegates present in bulk (the secretary's attendance.mark_selected, over a WebSocket of the
test). Against a real Daphne on its own database (tests/browser/conftest.py), nothing mocked; no
wall-clock time is asserted.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_hall_legibility import MEASURE, SMALLEST

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]  # a busy machine: many pages, one after the other

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}
HALL = {"width": 1920, "height": 1080}
TITLE = "Thông qua Nghị quyết về kế hoạch đầu tư công trung hạn giai đoạn 2026-2030"


@pytest.fixture(autouse=True)
def _patient_expect():
    """Each page here waits on others (a tap on one tablet, the count on the hall): on a machine shared
    with other work a state may take longer than the 5 s Playwright waits by default."""
    expect.set_options(timeout=15000)
    yield
    expect.set_options(timeout=5000)


def member_id(hub, username: str, sitting_id: int) -> int:
    with hub(username, sitting_id) as client:
        return client.snapshot["you"]["member_id"]


def terminal_of(new_context, login, username: str, sitting_id: int):
    page = new_context(**TABLET).new_page()
    login(page, username, next_url=f"/sitting/{sitting_id}/terminal/")
    expect(page.locator("body")).to_have_attribute("data-connection", "live")
    return page


def small_texts(hall, key: str) -> list[str]:
    return [f"{key}: {t['size']} px {t['class']!r} {t['text']!r}" for t in hall.evaluate(MEASURE) if t["size"] < SMALLEST]


def test_a_poll_opened_on_the_console_voted_on_two_terminals_closed_published_and_shown_in_the_hall(
        new_context, login, fresh_sitting, pair_display, hub, screens):
    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    alice_id = member_id(hub, "db010", s["id"])
    binh_id = member_id(hub, "db011", s["id"])
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        rows = [r for r in chair.snapshot["data"]["attendance"] if r["counts"]]

    hall = new_context(viewport=HALL).new_page()
    assert pair_display(hall, display_id).endswith("/display/")
    expect(hall.locator("#hall-slide")).to_have_attribute("data-slide", "overview")

    # The chair prepares the poll on the console: the default rule, more than half of all delegates.
    console = new_context(viewport={"width": 1440, "height": 900}).new_page()
    login(console, "db001", next_url=f"/sitting/{s['id']}/console/")
    expect(console.locator("#conn")).to_have_class(re.compile(r"\blive\b"))
    expect(console.locator("#vt-empty")).to_be_visible()
    console.click("#vt-create-box summary")
    console.fill("#vt-create-form textarea[name=title]", TITLE)
    expect(console.locator("#vt-preset")).to_have_value("half")
    console.click("#vt-create-form button[type=submit]")
    poll = console.locator(".vt-poll").filter(has_text=TITLE)
    expect(poll).to_have_count(1)
    expect(poll.locator(".vt-poll-meta")).to_contain_text("quá nửa tổng số đại biểu")

    # No quorum yet (nobody is present): the chair is told why, and nothing opens.
    poll.locator(".vt-open").click()
    expect(console.locator("#toasts .toast.error")).to_contain_text("Chưa đủ túc số: có mặt 0/50")
    expect(console.locator("#vt-live")).to_be_hidden()
    console.locator("#toasts .toast.error .toast-x").click()  # read: put away

    # Quorum (two thirds of the council here): thirty-six delegates marked present in bulk, Alice and Bình among them.
    present = sorted({*(r["member_id"] for r in rows[:34]), alice_id, binh_id})
    with hub("db001", s["id"]) as chair:
        chair.command("attendance.mark_selected", {"member_ids": present})
    poll.locator(".vt-open").click()
    live = console.locator("#vt-live")
    expect(live).to_be_visible()
    expect(console.locator("#vt-voted")).to_have_text("0")
    expect(console.locator("#vt-present")).to_have_text(str(len(present)))
    expect(console.locator("#vt-missing-summary")).to_have_text(f"Chưa biểu quyết: {len(present)}")

    # On the hall, from the console's own button.
    live.get_by_role("button", name="Chiếu lên màn hình hội trường").click()
    expect(hall.locator("#hall-slide")).to_have_attribute("data-slide", "vote")
    expect(hall.locator("[data-role=vote-title]")).to_have_text(TITLE)
    expect(hall.locator("[data-role=vote-status]")).to_have_text("Đang biểu quyết")
    expect(hall.locator("[data-role=voted]")).to_have_text("0")

    # Alice and Bình vote on their tablets: one tap each, the ballot on a sheet over the page.
    alice = terminal_of(new_context, login, "db010", s["id"])
    binh = terminal_of(new_context, login, "db011", s["id"])
    for page, option in ((alice, "yes"), (binh, "no")):
        card = page.locator("#vote-terminal")
        expect(card).to_be_visible()
        expect(card.locator("#vtt-title")).to_have_text(TITLE)
        button = card.locator(f".vtt-option[data-option={option}]")
        expect(button).to_be_enabled()
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48, box
        if page is alice:
            page.screenshot(path=str(screens / "voting-terminal-ballot.png"))
        button.tap()
        expect(card.locator("[data-role=voted]")).to_contain_text("Bạn đã biểu quyết")
        expect(card.locator(".vtt-option")).to_have_count(0)  # no second ballot
    expect(alice.locator("#vote-terminal [data-role=choice]")).to_have_text("Bạn đã chọn: Tán thành")
    expect(binh.locator("#vote-terminal [data-role=choice]")).to_have_text("Bạn đã chọn: Không tán thành")
    expect(alice.locator("#vote-terminal [data-role=count]")).to_have_text(f"Đã biểu quyết: 2/{len(present)} đại biểu có mặt")
    alice.screenshot(path=str(screens / "voting-terminal-voted.png"))

    # Live everywhere: the hall's count, the console's count and who has not voted yet.
    expect(hall.locator("[data-role=voted]")).to_have_text("2")
    expect(console.locator("#vt-voted")).to_have_text("2")
    expect(console.locator("#vt-missing-summary")).to_have_text(f"Chưa biểu quyết: {len(present) - 2}")
    expect(console.locator(f"#vt-missing-list li[data-member-id='{alice_id}']")).to_have_count(0)
    expect(console.locator("#vt-missing-list li")).to_have_count(len(present) - 2)
    hall.screenshot(path=str(screens / "voting-hall-vote.png"))
    small = small_texts(hall, "vote")
    console.locator("#voting-panel").screenshot(path=str(screens / "voting-console-live.png"))

    # The chair closes: the console has the result at once (2 of 50 is not more than half of all).
    console.click("#vt-close")
    expect(live).to_be_hidden()
    result = poll.locator(".vt-result")
    expect(result.locator("[data-role=outcome]")).to_have_text("Không thông qua")
    expect(result.locator("[data-option=yes] [data-role=count]")).to_have_text("1")
    expect(result.locator("[data-option=no] [data-role=count]")).to_have_text("1")
    expect(result.locator("[data-option=abstain] [data-role=count]")).to_have_text("0")
    expect(result).to_contain_text("cần tối thiểu 26")
    expect(result.locator(f".vt-seat.opt-yes[data-member-id='{alice_id}']")).to_have_count(1)
    expect(hall.locator("[data-role=vote-status]")).to_have_text("Đã kết thúc biểu quyết — chờ công bố kết quả")
    expect(alice.locator("#vtt-status")).to_have_text("Đã kết thúc biểu quyết, chờ công bố kết quả")
    expect(alice.locator("#vote-terminal [data-role=outcome]")).to_have_count(0)  # not published yet

    # Published: the terminals and the hall.
    poll.locator(".vt-publish").click()
    expect(poll.locator(".vt-badge")).to_have_text("Đã công bố")
    expect(alice.locator("#vote-terminal [data-role=outcome]")).to_have_text("Không thông qua")
    expect(binh.locator("#vote-terminal [data-role=outcome]")).to_have_text("Không thông qua")
    poll.get_by_role("button", name="Chiếu kết quả").click()
    expect(hall.locator("#hall-slide")).to_have_attribute("data-slide", "vote_result")
    expect(hall.locator("[data-role=outcome]")).to_have_text("Không thông qua")
    expect(hall.locator("[data-option=yes] [data-role=count]")).to_have_text("1")
    expect(hall.locator("[data-option=no] [data-role=count]")).to_have_text("1")
    expect(hall.locator("[data-role=cast]")).to_have_text("2")
    hall.screenshot(path=str(screens / "voting-hall-result.png"))
    small += small_texts(hall, "vote_result")

    poll.get_by_role("button", name="Chiếu sơ đồ").click()
    expect(hall.locator("#hall-slide")).to_have_attribute("data-slide", "vote_seats")
    alice_seat = next(r["seat"] for r in rows if r["member_id"] == alice_id)
    expect(hall.locator(f".vx-seat[data-seat='{alice_seat}']")).to_have_attribute("data-choice", "opt-yes")
    expect(hall.locator(".vx-legend-item[data-choice=opt-no] strong")).to_have_text("1")
    hall.screenshot(path=str(screens / "voting-hall-seats.png"))
    small += small_texts(hall, "vote_seats")
    console.locator("#voting-panel").screenshot(path=str(screens / "voting-console-result.png"))
    assert not small, "text under 48 px at 1920x1080:\n" + "\n".join(small)

    # Every control of the voting panel and the ballot: at least 48 px each way.
    tiny = """(root) => [...document.querySelectorAll(root + ' button, ' + root + ' summary, ' + root + ' select, ' + root + ' input')]
      .map((el) => [el.id || el.className || el.tagName, el.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0 && (r.height < 48 || r.width < 48)).map(([name, r]) => `${name} ${r.width}x${r.height}`)"""
    assert console.evaluate(tiny, "#voting-panel") == []

    # A re-vote is a new round; the first one stays on record with its result.
    poll.get_by_role("button", name="Biểu quyết lại").click()
    expect(live).to_be_visible()
    expect(console.locator("#vt-live-label")).to_have_text("Đang biểu quyết — lần 2")
    expect(alice.locator("#vote-terminal .vtt-option[data-option=yes]")).to_be_enabled()
    expect(poll.locator(".vt-history")).to_contain_text("Lần 1: Đã công bố")
    assert alice.evaluate(tiny, "#vote-terminal") == []


def test_a_secret_election_on_the_terminal_up_to_the_seats_then_confirm_with_a_receipt_for_the_voter_alone(
        new_context, login, fresh_sitting, hub, screens):
    s = fresh_sitting()
    alice_id = member_id(hub, "db010", s["id"])
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        rows = [r for r in chair.snapshot["data"]["attendance"] if r["counts"]]
        chair.command("attendance.mark_selected", {"member_ids": sorted({*(r["member_id"] for r in rows[:36]), alice_id})})
        candidates = [r for r in rows if r["member_id"] != alice_id][:3]
        poll_id = chair.command("vote.create", {"title": "Bầu Ủy viên Thường trực HĐND tỉnh", "kind": "election", "seats": 2,
                                                "duration_s": 600,
                                                "candidate_ids": [c["member_id"] for c in candidates]})["poll_id"]
        chair.command("vote.open", {"poll_id": poll_id})

    alice = terminal_of(new_context, login, "db010", s["id"])
    card = alice.locator("#vote-terminal")
    expect(card.locator("#vtt-meta")).to_contain_text("bỏ phiếu kín")
    # A timed round: the countdown of the server's clock, going down.
    countdown = card.locator("[data-role=countdown]")
    expect(countdown).to_have_text(re.compile(r"^(09|10):\d{2}$"))
    first = countdown.inner_text()
    for _ in range(50):  # until it has gone down (a tick a second), at most 5 s
        alice.wait_for_timeout(100)
        if countdown.inner_text() < first:
            break
    assert countdown.inner_text() < first, (first, countdown.inner_text())
    confirm = card.locator(".vtt-confirm")
    expect(confirm).to_be_disabled()
    buttons = card.locator(".vtt-candidate")
    expect(buttons).to_have_count(3)
    buttons.nth(0).tap()
    buttons.nth(2).tap()
    expect(buttons.nth(1)).to_be_disabled()  # two seats: a third cannot be chosen
    buttons.nth(2).tap()  # changed her mind
    buttons.nth(1).tap()
    alice.screenshot(path=str(screens / "voting-terminal-election.png"))
    confirm.tap()
    expect(card.locator("[data-role=voted]")).to_contain_text("Bạn đã biểu quyết")
    # The receipt (vote.receipt, never stored) names her choice on her screen alone.
    expect(card.locator("[data-role=choice]")).to_contain_text(f"{candidates[0]['name']}, {candidates[1]['name']}")
    expect(alice.locator("#toasts .toast.ok")).to_contain_text("Phiếu kín của bạn đã được ghi nhận")

    # The console: the count, and no list of who has not voted (a secret ballot never says).
    console = new_context(viewport={"width": 1440, "height": 900}).new_page()
    login(console, "db001", next_url=f"/sitting/{s['id']}/console/")
    expect(console.locator("#vt-voted")).to_have_text("1")
    expect(console.locator("#vt-missing")).to_be_hidden()
    # Held and resumed: the terminal says so.
    console.click("#vt-hold")
    expect(alice.locator("#vtt-status")).to_have_text("Chủ tọa tạm dừng biểu quyết")
    expect(console.locator("#vt-hold")).to_have_text("Tiếp tục")
    console.click("#vt-hold")
    expect(alice.locator("#vtt-status")).to_have_text("Đang biểu quyết")
    console.click("#vt-close")
    result = console.locator(".vt-poll .vt-result")
    expect(result.locator("[data-option]")).to_have_count(3)
    expect(result.locator(f"[data-option=m{candidates[0]['member_id']}] [data-role=count]")).to_have_text("1")
    expect(result.locator(".vt-seats")).to_have_count(0)  # no seat map for a secret ballot

    # Voided with its reason, which stays on record; the terminal is told.
    card_on_console = console.locator(".vt-poll")
    card_on_console.get_by_role("button", name="Hủy lần biểu quyết…").click()
    card_on_console.locator(".vt-void-form input").fill("Thiết bị của một tổ gặp sự cố")
    card_on_console.get_by_role("button", name="Xác nhận hủy").click()
    expect(card_on_console.locator(".vt-history")).to_contain_text("Lần 1: Đã hủy — Thiết bị của một tổ gặp sự cố")
    expect(alice.locator("#vtt-status")).to_have_text("Lần biểu quyết đã bị hủy: Thiết bị của một tổ gặp sự cố")
    alice.locator("#vtt-fold").tap()
    expect(card).to_be_hidden()



def test_a_confidence_rating_each_official_rated_then_confirmed_and_the_published_counts_on_the_hall(
        new_context, login, fresh_sitting, pair_display, hub, screens):
    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    alice_id = member_id(hub, "db010", s["id"])
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        rows = [r for r in chair.snapshot["data"]["attendance"] if r["counts"]]
        chair.command("attendance.mark_selected", {"member_ids": sorted({*(r["member_id"] for r in rows[:36]), alice_id})})
        officials = [r for r in rows if r["member_id"] != alice_id][:2]
        poll_id = chair.command("vote.create", {"title": "Lấy phiếu tín nhiệm người giữ chức vụ do HĐND bầu", "kind": "rating",
                                                "candidate_ids": [o["member_id"] for o in officials]})["poll_id"]
        round_id = chair.command("vote.open", {"poll_id": poll_id})["round_id"]

    alice = terminal_of(new_context, login, "db010", s["id"])
    card = alice.locator("#vote-terminal")
    rating = card.locator(".vtt-rating")
    expect(rating).to_have_count(2)
    confirm = card.locator(".vtt-confirm")
    rating.nth(0).locator("[data-level=high]").tap()
    expect(confirm).to_be_disabled()  # every official rated first
    rating.nth(1).locator("[data-level=low]").tap()
    expect(rating.nth(1).locator("[data-level=low]")).to_have_attribute("aria-checked", "true")
    alice.screenshot(path=str(screens / "voting-terminal-rating.png"))
    confirm.tap()
    expect(card.locator("[data-role=voted]")).to_contain_text("Bạn đã biểu quyết")
    expect(card.locator("[data-role=choice]")).to_contain_text(f"{officials[1]['name']}: Tín nhiệm thấp")

    with hub("db001", s["id"]) as chair:
        chair.command("vote.close", {"round_id": round_id})
        # a secret count is published once the ballot-counting board (no official rated on it) approved it
        board = [r["member_id"] for r in rows[30:33]]
        chair.command("vote.board", {"member_ids": board, "head_id": board[0]})
        chair.command("vote.approve", {"round_id": round_id})
        chair.command("vote.publish", {"round_id": round_id})
        chair.command("display.set_slide", {"display_id": display_id, "slide": "vote_result"})
    hall = new_context(viewport=HALL).new_page()
    assert pair_display(hall, display_id).endswith("/display/")
    expect(hall.locator("#hall-slide")).to_have_attribute("data-slide", "vote_result")
    row = hall.locator(f".vr-table tr[data-option=m{officials[1]['member_id']}]")
    expect(row.locator(".level-low .vr-cell-num")).to_have_text("1")
    expect(row.locator(".level-high .vr-cell-num")).to_have_text("0")
    expect(hall.locator("[data-role=outcome]")).to_have_count(0)  # a rating has counts and flags, no pass or fail
    hall.screenshot(path=str(screens / "voting-hall-rating.png"))
    assert small_texts(hall, "vote_result") == []
    expect(card.locator(".vtt-counts")).to_contain_text(officials[1]["name"])
