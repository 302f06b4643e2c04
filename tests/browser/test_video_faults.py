"""Remote video under faults, seen on the chair's console (issue 15, items 1 and 6).

The console shows who is remote and how their connection is. The media process dies: the console
says so within one of its polls, the remote delegate is "connection lost" and still present, and the
sitting goes on (she votes). It comes back: her page joins again by itself, without a new link. The
chair shows her out with a reason: her page says why, and her link's device is revoked.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.video import close_other_live_sittings, fake_media_switches, media_process, open_remote_link



@pytest.fixture
def media_chromium(launch_chromium, tmp_path):
    return launch_chromium(*fake_media_switches(tmp_path))


def test_the_console_follows_a_remote_delegate_through_a_dead_media_process_and_shows_her_out(
        media_chromium, daphne_server, fresh_sitting, hub, login, screens):
    close_other_live_sittings(daphne_server, hub)
    s = fresh_sitting()
    sid = s["id"]
    alice_id = daphne_server.shell("from meeting.models import Member\nresult = Member.objects.get(code='DB010').pk")
    with hub("db001", sid) as chair:
        chair.command("sitting.open")
        present = [r["member_id"] for r in chair.snapshot["data"]["attendance"] if r["counts"]][:36]
        chair.command("attendance.mark_selected", {"member_ids": [m for m in present if m != alice_id]})

    console = media_chromium.new_context(base_url=daphne_server.url, locale="vi-VN",
                                         viewport={"width": 1440, "height": 900}).new_page()
    login(console, "db001", next_url=f"/sitting/{sid}/console/")
    panel = console.locator("#video-panel")

    videod = media_process(daphne_server)
    videod.__enter__()
    try:
        alice = open_remote_link(media_chromium, daphne_server, "db010", sid)
        alice.click("#vid-join")
        card = alice.locator("#video-terminal")
        expect(card.locator("#vid-conn")).to_have_attribute("data-state", "connected", timeout=30000)

        # The console: she is there, connected (the media process's report), the server answers.
        person = panel.locator(f".vc-person[data-member='{alice_id}']")
        expect(person).to_have_class(re.compile(r"\blink-connected\b"), timeout=20000)
        expect(panel.locator("#vc-media")).to_have_text("Máy chủ video hoạt động", timeout=15000)
        expect(person.locator(".vc-micstate")).to_have_text("Micro đã tắt")
        console.locator("#video-panel").screenshot(path=str(screens / "video-console-panel.png"))
    finally:
        videod.__exit__(None, None, None)  # the media process dies

    # Within one poll the console says so; she is lost, not absent; the sitting goes on.
    expect(panel.locator("#vc-media")).to_have_text("Máy chủ video không hoạt động — phiên họp vẫn tiếp tục",
                                                     timeout=15000)
    expect(person).to_have_class(re.compile(r"\blink-lost\b"))
    expect(person.locator(".vc-state")).to_contain_text("Mất kết nối từ")
    console.locator("#video-panel").screenshot(path=str(screens / "video-console-media-down.png"))
    with hub("db001", sid) as chair:
        row = [r for r in chair.snapshot["data"]["attendance"] if r["member_id"] == alice_id][0]
        assert row["status"] == "present"
        poll = chair.command("vote.create", {"title": "Biểu quyết khi máy chủ video không hoạt động"})
        chair.command("vote.open", {"poll_id": poll["poll_id"]})
    vote = alice.locator("#vote-terminal")
    vote.locator(".vtt-option[data-option=yes]").tap()
    expect(vote.locator("[data-role=voted]")).to_contain_text("Bạn đã biểu quyết")

    # The media process is back: her page joins again by itself, no new link.
    with media_process(daphne_server):
        expect(card.locator("#vid-conn")).to_have_attribute("data-state", "connected", timeout=90000)
        expect(person).to_have_class(re.compile(r"\blink-connected\b"), timeout=30000)
        expect(panel.locator("#vc-media")).to_have_text("Máy chủ video hoạt động", timeout=15000)
        expect(person.locator(".vc-state")).to_contain_text("mất 1 lần")  # the same joining, resumed

        # The chair shows her out, with a reason: her page says why; the link's device is revoked.
        person.get_by_role("button", name="Mời ra").click()
        person.locator("input").fill("Kiểm tra chức năng mời ra")
        person.locator("form").get_by_role("button", name="Mời ra").click()
        expect(person).to_have_count(0)
        # Her page leaves the room and says why: the chair's reason when it is told before the hub
        # closes the revoked device, else that the device no longer follows the sitting.
        expect(alice.locator("#vid-check-note")).to_contain_text(
            re.compile("Chủ tọa đã mời bạn ra khỏi phòng họp trực tuyến|Thiết bị này không còn được theo dõi phiên họp"))
        expect(card.locator("#vid-room")).to_be_hidden()
        revoked = daphne_server.shell("from accounts.models import Device\nresult = list(Device.objects.filter("
                                      "kind='remote').order_by('-pk').values_list('revoked', flat=True)[:1])")
        assert revoked == [True]
