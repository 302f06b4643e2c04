"""The ballot-counting board on the chair console, in a real browser (issue 14, item 5): the chair
elects the session's board on the console (no candidate on it), a secret election is voted and
closed, its publish button stays disabled until the board approves the count on the console, the
counting minutes are a PDF a tap away, then the result is published and the hall shows it.

Personas: the chair (db001) at the console; delegates voting over WebSockets of the test; the hall
display (a paired kiosk, 1920x1080). Against a real Daphne on its own database
(tests/browser/conftest.py), nothing mocked; no wall-clock time is asserted (the approval's time is
checked for its form, HH:MM, only). The demo's sittings share one session and so one board: the
test replaces whatever board an earlier test left.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

HALL = {"width": 1920, "height": 1080}
VOTERS = ("db003", "db004", "db005", "db006", "db007")  # demo delegates, signing in as themselves
TITLE = "Bầu Phó Chủ tịch Hội đồng nhân dân tỉnh"
TINY = """(root) => [...document.querySelectorAll(root + ' button, ' + root + ' summary, ' + root + ' select, '
  + root + ' input, ' + root + ' a.btn')]
  .map((el) => [el.id || el.className || el.tagName, el.getBoundingClientRect()])
  .filter(([, r]) => r.width > 0 && (r.height < 48 || r.width < 48)).map(([name, r]) => `${name} ${r.width}x${r.height}`)"""


@pytest.fixture(autouse=True)
def _patient_expect():
    expect.set_options(timeout=15000)
    yield
    expect.set_options(timeout=5000)


def test_the_board_elected_on_the_console_approves_a_secret_count_before_it_is_published(
        new_context, login, fresh_sitting, pair_display, hub, screens):
    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    voters = {}  # username -> member id
    for username in VOTERS:
        with hub(username, s["id"]) as client:
            voters[username] = client.snapshot["you"]["member_id"]
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        rows = [r for r in chair.snapshot["data"]["attendance"] if r["counts"]]
        others = [r for r in rows if r["member_id"] not in voters.values()]
        chair.command("attendance.mark_selected",
                      {"member_ids": sorted({*(r["member_id"] for r in rows[:36]), *voters.values()})})
        candidates, board = others[20:22], sorted(others[30:33], key=lambda r: r["member_id"])
        # more than half of the valid ballots elects (five ballots here)
        poll_id = chair.command("vote.create", {"title": TITLE, "kind": "election", "seats": 1, "base": "cast",
                                                "candidate_ids": [c["member_id"] for c in candidates]})["poll_id"]
    head = board[1]

    hall = new_context(viewport=HALL).new_page()
    assert pair_display(hall, display_id).endswith("/display/")

    # The chair elects the board on the console (replacing any board the session had).
    console = new_context(viewport={"width": 1440, "height": 900}).new_page()
    login(console, "db001", next_url=f"/sitting/{s['id']}/console/")
    expect(console.locator("#conn")).to_have_class(re.compile(r"\blive\b"))
    part = console.locator("#vt-board")
    expect(part).to_be_visible()
    expect(part.locator("#vt-board-h")).to_have_text("Ban kiểm phiếu")
    console.click("#vt-board-edit")
    form = console.locator("#vt-board-form")
    expect(form).to_be_visible()
    boxes = form.locator("input[type=checkbox]")
    expect(boxes).to_have_count(len([r for r in rows if r["kind"] == "delegate"]))
    for box in boxes.all():
        if box.is_checked():
            box.uncheck()
    save = console.locator("#vt-board-save")
    expect(save).to_be_disabled()
    for member in board[:2]:
        form.locator(f"input[data-member-id='{member['member_id']}']").check()
    expect(console.locator("#vt-board-count")).to_contain_text("đã chọn 2 (ít nhất 3 đại biểu)")
    expect(save).to_be_disabled()  # too few
    form.locator(f"input[data-member-id='{board[2]['member_id']}']").check()
    console.select_option("#vt-board-head", str(head["member_id"]))
    expect(save).to_be_enabled()
    assert console.evaluate(TINY, "#vt-board") == []
    console.locator("#voting-panel").screenshot(path=str(screens / "voting-console-board-form.png"))
    save.click()
    expect(console.locator("#toasts .toast.ok")).to_contain_text("Đã lưu Ban kiểm phiếu")
    expect(form).to_be_hidden()
    members = part.locator("#vt-board-list li")
    expect(members).to_have_count(3)
    expect(members.first).to_have_attribute("data-member-id", str(head["member_id"]))  # the head first, marked
    expect(members.first).to_contain_text("Trưởng ban")
    expect(part.locator("#vt-board-edit")).to_have_text("Sửa Ban kiểm phiếu")

    # A secret election: opened on the console, voted by five delegates over the hub, closed.
    poll = console.locator(f".vt-poll[data-poll-id='{poll_id}']")
    poll.locator(".vt-open").click()
    expect(console.locator("#vt-live")).to_be_visible()
    with hub("db001", s["id"]) as chair:
        chair.command("display.set_slide", {"display_id": display_id, "slide": "vote"})
    for i, username in enumerate(VOTERS):  # three for the first candidate, two for the second
        with hub(username, s["id"]) as client:
            round_id = next(r["id"] for p in client.snapshot["data"]["voting"]["polls"] if p["id"] == poll_id
                            for r in p["rounds"] if r["status"] == "open")
            client.command("vote.cast", {"round_id": round_id,
                                         "choice": {"chosen": [f"m{candidates[i % 2]['member_id']}"]}})
    expect(console.locator("#vt-voted")).to_have_text("5")
    console.click("#vt-close")
    expect(poll.locator(".vt-result")).to_be_visible()
    expect(hall.locator("[data-role=vote-status]")).to_have_text("Đã kết thúc biểu quyết — chờ công bố kết quả")

    # Not published before the board approved the count: the button says why.
    publish = poll.locator(".vt-publish")
    expect(publish).to_be_disabled()
    expect(publish).to_have_attribute("title", re.compile("Ban kiểm phiếu chưa phê chuẩn"))
    expect(poll.locator("[data-role=approved]")).to_have_text("Ban kiểm phiếu chưa phê chuẩn")
    minutes = poll.locator("a.vt-minutes")
    expect(minutes).to_have_attribute("href", f"/voting/round/{round_id}/minutes.pdf")
    console.locator("#voting-panel").screenshot(path=str(screens / "voting-console-board-waiting.png"))

    # The board approves on the console: the time of it, the minutes, and then the publish.
    poll.locator(".vt-approve").click()
    expect(poll.locator("[data-role=approved]")).to_have_text(re.compile(r"^Đã phê chuẩn lúc \d{2}:\d{2}$"))
    expect(poll.locator(".vt-approve")).to_have_count(0)
    expect(publish).to_be_enabled()
    response = console.request.get(minutes.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert console.evaluate(TINY, "#voting-panel") == []
    console.locator("#voting-panel").screenshot(path=str(screens / "voting-console-board-approved.png"))
    expect(hall.locator("[data-role=outcome]")).to_have_count(0)  # the hall has no result yet
    publish.click()
    expect(poll.locator(".vt-badge")).to_have_text("Đã công bố")
    expect(poll.locator("[data-role=approved]")).to_contain_text("Đã phê chuẩn lúc")
    poll.get_by_role("button", name="Chiếu kết quả").click()
    expect(hall.locator("#hall-slide")).to_have_attribute("data-slide", "vote_result")
    expect(hall.locator("[data-role=outcome]")).to_contain_text(candidates[0]["name"])
    expect(hall.locator("[data-role=cast]")).to_have_text("5")
    hall.screenshot(path=str(screens / "voting-hall-board-result.png"))

