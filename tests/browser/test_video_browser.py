"""A remote delegate in a real Chromium with a fake camera and microphone (issue 15, item 7).

She opens her single-use remote link, checks her devices, enters the video room (checked in as
present, remote), requests the floor from the same page; the chair gives it; the control room's
hall camera page (another Chromium page) hears her only while she holds it, though her browser
sends all along; she votes from the same page and the count has her ballot. The rule of who is
heard in live.js is held to the same table as video/live.py.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.video import (close_other_live_sittings, fake_media_switches, level, media_process, open_remote_link,
                                 wait_level)
from tests.video.live_cases import CASES

QUIET, HEARD = 0.004, 0.02  # RMS of the hall camera page's analyser (0..1); the tone is sent at 0.5


@pytest.fixture
def media_chromium(launch_chromium, tmp_path):
    """Chromium with a fake camera and a microphone that plays a steady 440 Hz tone."""
    return launch_chromium(*fake_media_switches(tmp_path))


def test_the_live_rule_in_the_browser_is_the_servers(page, daphne_server):
    page.goto(daphne_server.url + "/static/video/live.js")
    page.set_content("<html><body></body></html>")
    page.add_script_tag(url=daphne_server.url + "/static/video/live.js")
    for state, heard in CASES:
        assert page.evaluate("(s) => Array.from(VideoLive.liveMembers(s)).sort((a, b) => a - b)", state) == heard, state


def test_a_remote_delegate_joins_by_link_is_heard_only_with_the_floor_and_votes(
        media_chromium, daphne_server, fresh_sitting, hub, login, pair_display, screens):
    close_other_live_sittings(daphne_server, hub)
    s = fresh_sitting()
    sid = s["id"]
    alice_id = daphne_server.shell("from meeting.models import Member\nresult = Member.objects.get(code='DB010').pk")
    display_id = s["displays"][0]["id"]
    with hub("db001", sid) as chair:
        chair.command("sitting.open")
        chair.command("agenda.next")
        chair.command("display.set_slide", {"display_id": display_id, "slide": "auto"})
        present = [r["member_id"] for r in chair.snapshot["data"]["attendance"] if r["counts"]][:36]
        chair.command("attendance.mark_selected", {"member_ids": [m for m in present if m != alice_id]})

    with media_process(daphne_server):
        # The hall display follows the sitting.
        screen = media_chromium.new_context(base_url=daphne_server.url, locale="vi-VN",
                                            viewport={"width": 1920, "height": 1080}).new_page()
        pair_display(screen, display_id)
        slide = screen.locator("#hall-slide")
        expect(slide).not_to_have_attribute("data-slide", "remote_speaker")
        # The control room starts the hall camera page.
        desk = media_chromium.new_context(base_url=daphne_server.url, locale="vi-VN").new_page()
        login(desk, "thuky", next_url=f"/video/{sid}/hall/")
        desk.click("#hc-start")
        expect(desk.locator("#hc-conn")).to_have_text("connected", timeout=30000)

        # Alice opens her remote link on her laptop: paired, landed on her terminal, video open.
        alice = open_remote_link(media_chromium, daphne_server, "db010", sid)
        card = alice.locator("#video-terminal")
        expect(card.locator("#vid-check")).to_be_visible()
        expect(card.locator("#vid-camera option")).not_to_have_count(0)
        expect(card.locator("#vid-net")).to_have_attribute("data-level", "good")  # the network check
        alice.click("#vid-join")
        expect(card.locator("#vid-room")).to_be_visible()
        expect(card.locator("#vid-conn")).to_have_attribute("data-state", "connected", timeout=30000)
        expect(card.locator("#vid-mic-state")).to_have_text("Micro đã tắt")
        # Checked in: present, by the method "remote" (staff see it), and seen in the control room.
        expect(alice.locator("#me-state")).to_contain_text("Có mặt")
        with hub("db001", sid) as chair:
            row = [r for r in chair.snapshot["data"]["attendance"] if r["member_id"] == alice_id][0]
        assert (row["status"], row["method"]) == ("present", "remote")
        expect(desk.locator(f"#hc-people li[data-member='{alice_id}']")).to_contain_text("Micro đã tắt")
        alice.wait_for_function("() => document.getElementById('vid-hall').srcObject !== null")

        # Her browser sends all along; nothing of it reaches the hall.
        assert level(desk, 2.0) < QUIET

        # She requests the floor from the same page; the chair gives it.
        alice.click("#flt-request-speech")
        expect(alice.locator("#flt-mine")).to_contain_text("Phát biểu")
        with hub("db001", sid) as chair:
            request_id = chair.snapshot["data"]["floor"]["queue"][0]["id"]
            speech = chair.command("floor.next", {"expect_current": None})
        assert speech["speech_id"]
        expect(card.locator("#vid-mic-state")).to_have_text("Micro đang mở")
        heard = wait_level(desk, lambda v: v > HEARD)
        assert heard > HEARD, f"given the floor, her voice never reached the hall (level {heard})"
        # The hall display shows her, live: her camera's picture under her name and countdown.
        expect(slide).to_have_attribute("data-slide", "remote_speaker", timeout=20000)
        expect(slide.locator("[data-role=speaker-name]")).to_have_text(re.compile(r"\S"))
        screen.wait_for_function("() => { const v = document.querySelector('[data-role=remote-video]');"
                                 " return v && v.videoWidth > 0 && v.currentTime > 0; }", timeout=20000)
        screen.screenshot(path=str(screens / "video-hall-remote-speaker.png"))
        alice.screenshot(path=str(screens / "video-remote-delegate.png"))
        desk.screenshot(path=str(screens / "video-hall-camera.png"))

        with hub("db001", sid) as chair:
            chair.command("floor.stop", {"speech_id": speech["speech_id"]})
        expect(card.locator("#vid-mic-state")).to_have_text("Micro đã tắt")
        expect(slide).not_to_have_attribute("data-slide", "remote_speaker")
        quiet = wait_level(desk, lambda v: v < QUIET)
        assert quiet < QUIET, f"the floor taken back, her voice still reached the hall (level {quiet})"

        # She votes from the same page, and her ballot is counted like a seat's.
        with hub("db001", sid) as chair:
            poll = chair.command("vote.create", {"title": "Biểu quyết thông qua nghị quyết"})
            round_ = chair.command("vote.open", {"poll_id": poll["poll_id"]})
        vote = alice.locator("#vote-terminal")
        expect(vote).to_be_visible()
        vote.locator(".vtt-option[data-option=yes]").tap()
        expect(vote.locator("[data-role=voted]")).to_contain_text("Bạn đã biểu quyết")
        expect(vote.locator("[data-role=count]")).to_contain_text("Đã biểu quyết: 1/")
        with hub("db001", sid) as chair:
            rounds = [r for p in chair.snapshot["data"]["voting"]["polls"] for r in p["rounds"]
                      if r["id"] == round_["round_id"]]
        assert rounds[0]["voted"] == 1 and rounds[0]["voters"] == [alice_id]


def test_a_hall_tablet_is_not_offered_remote_video_a_signed_in_laptop_is(new_context, daphne_server, fresh_sitting,
                                                                          login):
    s = fresh_sitting()
    tablet = new_context(viewport={"width": 1280, "height": 800}).new_page()
    token = daphne_server.pairing_token("terminal", username="db012")
    tablet.goto(f"{daphne_server.url}/pair/{token}/")
    tablet.get_by_role("button", name="Ghép nối thiết bị này").click()
    tablet.goto(f"{daphne_server.url}/sitting/{s['id']}/terminal/")
    expect(tablet.locator("body")).to_have_attribute("data-connection", "live")
    expect(tablet.locator("#video-terminal")).to_be_hidden()  # a tap in the hall must not ask for the camera
    laptop = new_context(viewport={"width": 1280, "height": 800}).new_page()
    login(laptop, "db013", next_url=f"/sitting/{s['id']}/terminal/")
    expect(laptop.locator("#video-terminal #vid-open")).to_be_visible()
