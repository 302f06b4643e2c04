"""The floor in real browsers (issue 13, items 5 and 8): a delegate requests the floor on the terminal
(a tablet, by touch) and sees their place in the queue, the chair gives the floor from the console
with one tap on "Tiếp theo", and the hall display shows the speaker with a countdown that runs.

Personas: delegate Alice (db010) on her tablet, delegate Bình (db011, a WebSocket of the test)
requesting after her, the chair (db001) at the console, and the hall display (a paired kiosk,
1920x1080) set to the "speaker" slide. Against a real Daphne on its own database
(tests/browser/conftest.py), nothing mocked; no wall-clock time is asserted, only that the
countdown went down.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}
HALL = {"width": 1920, "height": 1080}


def seconds(text: str) -> int:
    """'06:58' -> 418, '−00:03' -> -3 (the countdown as hub.js formats it)."""
    m = re.fullmatch(r"(−?)(?:(\d+):)?(\d{2}):(\d{2})", text.strip())
    assert m, f"not a countdown: {text!r}"
    sign, h, mm, ss = m.groups()
    value = int(h or 0) * 3600 + int(mm) * 60 + int(ss)
    return -value if sign else value


def test_a_request_on_the_terminal_the_floor_given_on_the_console_the_speaker_on_the_hall_display(
        new_context, login, fresh_sitting, pair_display, hub, screens):
    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        chair.command("agenda.next")
        chair.command("display.set_slide", {"display_id": display_id, "slide": "speaker"})
        rows = chair.snapshot["data"]["attendance"]
    alice = next(r for r in rows if r["seat"] == "A10")

    hall = new_context(viewport=HALL).new_page()
    assert pair_display(hall, display_id).endswith("/display/")
    expect(hall.locator("#hall-slide")).to_have_attribute("data-slide", "speaker")
    expect(hall.locator("[data-role=no-speaker]")).to_have_text("Chưa có đại biểu phát biểu")

    # Alice, on her tablet: present, then one tap to ask for the floor.
    terminal = new_context(**TABLET).new_page()
    login(terminal, "db010", next_url=f"/sitting/{s['id']}/terminal/")
    expect(terminal.locator("body")).to_have_attribute("data-connection", "live")
    terminal.tap("#check-in")
    expect(terminal.locator("#me .me-pill")).to_have_text("Có mặt")
    request = terminal.locator("#flt-request-speech")
    expect(request).to_be_enabled()
    box = request.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48, box
    expect(terminal.locator("#flt-request-reply")).to_be_disabled()  # nobody speaks yet: nobody to reply to
    request.tap()
    expect(terminal.locator("#flt-mine [data-role=place]")).to_have_text("Bạn đứng thứ 1")
    expect(request).to_be_disabled()  # one open request per kind

    # Bình asks after her: he is second, she stays first.
    with hub("db011", s["id"]) as binh:
        binh_id = binh.snapshot["you"]["member_id"]
        binh_name = next(r["name"] for r in rows if r["member_id"] == binh_id)
        binh.command("attendance.check_in")
        binh.command("floor.request", {"kind": "speech"})
    expect(terminal.locator("#flt-mine [data-role=place]")).to_have_text("Bạn đứng thứ 1")

    # The chair's console: the queue in order, one tap on "Tiếp theo".
    console = new_context(viewport={"width": 1440, "height": 900}).new_page()
    login(console, "db001", next_url=f"/sitting/{s['id']}/console/")
    expect(console.locator("#conn")).to_have_class(re.compile(r"\blive\b"))
    queue = console.locator("#fl-queue .fl-row .fl-name")
    expect(queue).to_have_count(2)
    expect(queue.first).to_have_text(alice["name"])
    expect(console.locator("#fl-next-target")).to_contain_text(alice["name"])
    console.click("#fl-next")

    expect(console.locator("#fl-speaker-name")).to_have_text(alice["name"])
    expect(queue).to_have_count(1)
    expect(console.locator("#fl-countdown")).to_be_visible()

    # The terminal: the floor is hers; the hall: her name and a countdown that runs.
    expect(terminal.locator("#flt-yours")).to_be_visible()
    expect(terminal.locator("#flt-mine [data-role=place]")).to_have_count(0)
    expect(hall.locator("[data-role=speaker-name]")).to_have_text(alice["name"])
    countdown = hall.locator("[data-role=countdown]")
    expect(countdown).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
    first = seconds(countdown.inner_text())
    second = first
    for _ in range(50):  # until it has gone down (a tick a second), at most 5 s
        hall.wait_for_timeout(100)
        second = seconds(countdown.inner_text())
        if second < first:
            break
    assert second < first, (first, second)
    size = hall.evaluate("() => parseFloat(getComputedStyle(document.querySelector('[data-role=countdown]')).fontSize)")
    assert size >= 150, size  # read from the back of the hall
    hall.screenshot(path=str(screens / "floor-hall-speaker.png"))
    terminal.screenshot(path=str(screens / "floor-terminal.png"))

    # Paused from the console: the hall says so and its countdown stands still; resumed, +1 minute.
    console.click("#fl-pause")
    expect(console.locator("#fl-pause")).to_have_text("Tiếp tục")
    clock = hall.locator(".fls-clock")
    expect(clock).to_have_class(re.compile(r"\bis-paused\b"))
    expect(hall.locator(".fls-clock-label")).to_have_text("Tạm dừng")
    paused = countdown.inner_text()
    hall.wait_for_timeout(1500)
    assert countdown.inner_text() == paused
    console.click("#fl-pause")
    expect(clock).not_to_have_class(re.compile(r"\bis-paused\b"))
    before = seconds(countdown.inner_text())
    console.click("#fl-plus1")
    expect(console.locator("#fl-countdown-note")).to_contain_text("đã thêm 01:00")
    hall.wait_for_function("""(before) => { const [m, s] = document.querySelector('[data-role=countdown]')
      .textContent.split(':').map(Number); return m * 60 + s > before + 30; }""", arg=before)

    # The next speakers on the hall: Bình, after Alice who speaks.
    with hub("db001", s["id"]) as chair:
        chair.command("display.set_slide", {"display_id": display_id, "slide": "speakers"})
    expect(hall.locator(".flq-now [data-role=speaker-name]")).to_have_text(alice["name"])
    expect(hall.locator(".flq-row .flq-name")).to_have_text([binh_name])

    # A refusal shows the server's own message: the secretary's "raised hand" for Bình, who already waits.
    console.click("#fl-add-box summary")
    console.select_option("#fl-add-member", str(binh_id))
    console.select_option("#fl-add-kind", "speech")
    console.click("#fl-add-form button[type=submit]")
    expect(console.locator("#toasts .toast")).to_contain_text("Đại biểu đã đăng ký loại này và đang chờ.")
    expect(queue).to_have_count(1)


def test_questioning_a_question_registered_on_the_terminal_called_answered_and_a_commitment_recorded(
        new_context, login, fresh_sitting, pair_display, hub, daphne_server, screens):
    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    official = daphne_server.shell(
        "from meeting.models import Member\n"
        "m = Member.objects.get(code='CB001')\n"
        "result = {'id': m.pk, 'name': m.full_name}")
    title = "Chất lượng giáo dục vùng cao"
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        chair.command("question.group_add", {"title": title, "official_ids": [official["id"]]})
        chair.command("display.set_slide", {"display_id": display_id, "slide": "questioning"})
        alice = next(r for r in chair.snapshot["data"]["attendance"] if r["seat"] == "A10")

    hall = new_context(viewport=HALL).new_page()
    assert pair_display(hall, display_id).endswith("/display/")
    expect(hall.locator("#hall-slide")).to_have_attribute("data-slide", "questioning")
    expect(hall.locator(".flc-group-title")).to_have_text([title])

    # Alice registers a question to the official on her tablet.
    terminal = new_context(**TABLET).new_page()
    login(terminal, "db010", next_url=f"/sitting/{s['id']}/terminal/")
    expect(terminal.locator("body")).to_have_attribute("data-connection", "live")
    terminal.tap("#flt-question-box summary")
    terminal.select_option("#flt-q-official", str(official["id"]))
    terminal.fill("#flt-question-form textarea", "Khi nào các điểm trường lẻ có đủ nhà công vụ cho giáo viên?")
    terminal.tap("#flt-question-form button[type=submit]")
    mine = terminal.locator("#flt-mine .flt-request-row")
    expect(mine).to_contain_text(title)
    expect(mine.locator("[data-role=place]")).to_have_text("Bạn đứng thứ 1")

    # The chair calls the group's next question, then gives the official the floor to answer.
    console = new_context(viewport={"width": 1440, "height": 900}).new_page()
    login(console, "db001", next_url=f"/sitting/{s['id']}/console/")
    expect(console.locator("#conn")).to_have_class(re.compile(r"\blive\b"))
    group = console.locator("#fl-groups .fl-group")
    expect(group.locator("h4")).to_have_text(title)
    group.locator(".fl-next-question").click()
    expect(console.locator("#fl-speaker-name")).to_have_text(alice["name"])
    expect(hall.locator("[data-role=asker] .flc-name")).to_have_text(alice["name"])
    expect(hall.locator("[data-role=answerer] .flc-name")).to_have_text(official["name"])
    expect(hall.locator(".flc-issue")).to_have_text(title)
    expect(hall.locator("[data-role=countdown]")).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
    expect(terminal.locator("#flt-yours")).to_be_visible()
    hall.screenshot(path=str(screens / "floor-hall-questioning.png"))

    group.get_by_role("button", name=f"Mời trả lời: {official['name']}").click()
    expect(console.locator("#fl-speaker-name")).to_have_text(official["name"])
    expect(hall.locator(".flc-kind")).to_have_text("Trả lời chất vấn")
    expect(hall.locator("[data-role=answerer] .flc-name")).to_have_text(official["name"])
    expect(hall.locator("[data-role=asker] .flc-name")).to_have_text(alice["name"])
    expect(terminal.locator("#flt-yours")).to_be_hidden()

    commit = group.locator(".fl-commit")
    commit.locator("input").fill("Hoàn thành 20 nhà công vụ trước năm học 2027-2028")
    commit.locator("button").click()
    expect(group.locator(".fl-commitments")).to_contain_text("Hoàn thành 20 nhà công vụ trước năm học 2027-2028")
    console.locator("#floor-panel").screenshot(path=str(screens / "floor-console-questioning.png"))


def test_the_floor_slides_with_a_long_queue_read_from_20_m_and_every_floor_control_is_touch_sized(
        new_context, login, fresh_sitting, pair_display, hub, screens):
    from tests.browser.test_hall_legibility import MEASURE, SMALLEST

    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        rows = [r for r in chair.snapshot["data"]["attendance"] if r["counts"]]
        chair.command("attendance.mark_selected", {"member_ids": [r["member_id"] for r in rows[:20]]})
        for n, r in enumerate(rows[:16]):
            chair.command("floor.add", {"member_id": r["member_id"], "kind": "order" if n == 5 else "speech"})
        chair.command("floor.next", {"expect_current": None})  # the point of order first
        chair.command("floor.add", {"member_id": rows[0]["member_id"], "kind": "reply"})

    hall = new_context(viewport=HALL).new_page()
    assert pair_display(hall, display_id).endswith("/display/")
    small = []
    with hub("db001", s["id"]) as chair:
        for key in ("speaker", "speakers", "questioning"):
            chair.command("display.set_slide", {"display_id": display_id, "slide": key})
            expect(hall.locator("#hall-slide")).to_have_attribute("data-slide", key)
            expect(hall.locator("[data-role=countdown]")).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
            texts = hall.evaluate(MEASURE)
            small += [f"{key}: {t['size']} px {t['class']!r} {t['text']!r}" for t in texts if t["size"] < SMALLEST]
            hall.screenshot(path=str(screens / f"floor-hall-{key}-full.png"))
    assert not small, "text under 48 px at 1920x1080:\n" + "\n".join(small)
    # The long queue: as many as fit, the reply first, then "and N more"; nothing cut at the bottom.
    expect(hall.locator("#hall-slide")).to_have_attribute("data-slide", "questioning")
    with hub("db001", s["id"]) as chair:
        chair.command("display.set_slide", {"display_id": display_id, "slide": "speakers"})
    expect(hall.locator(".flq-row").first).to_have_attribute("class", re.compile(r"kind-reply"))
    expect(hall.locator(".flq-more")).to_have_text(re.compile(r"^và \d+ đại biểu nữa$"))
    shown = hall.locator(".flq-row").count()
    more = int(re.search(r"\d+", hall.locator(".flq-more").inner_text()).group())
    assert shown + more == 16, (shown, more)
    cut = hall.evaluate("""() => { const list = document.querySelector('.flq-list').getBoundingClientRect();
      return [...document.querySelectorAll('.flq-list > li')].filter((li) => li.getBoundingClientRect().bottom > list.bottom + 1).length; }""")
    assert cut == 0

    # Every control of the floor on the console and the terminal: at least 48 px each way.
    console = new_context(viewport={"width": 1440, "height": 900}).new_page()
    login(console, "db001", next_url=f"/sitting/{s['id']}/console/")
    expect(console.locator("#fl-queue .fl-row")).to_have_count(16)
    terminal = new_context(**TABLET).new_page()
    login(terminal, "db010", next_url=f"/sitting/{s['id']}/terminal/")
    expect(terminal.locator("body")).to_have_attribute("data-connection", "live")  # its snapshot (and `you`) drawn
    expect(terminal.locator("#flt-actions")).to_be_visible(timeout=15000)
    tiny = """(root) => [...document.querySelectorAll(root + ' button, ' + root + ' summary, ' + root + ' select, ' + root + ' input')]
      .map((el) => [el.id || el.className || el.tagName, el.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0 && (r.height < 48 || r.width < 48)).map(([name, r]) => `${name} ${r.width}x${r.height}`)"""
    assert console.evaluate(tiny, "#floor-panel") == []
    assert terminal.evaluate(tiny, "#floor-terminal") == []
