"""A hall display set to follow the sitting ("auto"; displays/static/displays/display.js
HallSlides.choose) shows by itself what is happening: a speaker when someone has the floor, an
announcement just made, the vote while it is open, then its published result; the overview when
nothing claims the screen. Driven over the hub as the console drives it; a real Daphne, a real
Chromium, nothing mocked; no wall-clock time asserted."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

HALL = {"width": 1920, "height": 1080}
TITLE = "Thông qua Nghị quyết về giá dịch vụ khám bệnh, chữa bệnh"


@pytest.fixture(autouse=True)
def _patient_expect():
    expect.set_options(timeout=15000)
    yield
    expect.set_options(timeout=5000)


def test_a_display_following_the_sitting_shows_the_speaker_the_announcement_the_vote_and_its_result(
        new_context, fresh_sitting, pair_display, hub):
    s = fresh_sitting()
    display_id = s["displays"][0]["id"]
    hall = new_context(viewport=HALL).new_page()
    assert pair_display(hall, display_id).endswith("/display/")
    slide = hall.locator("#hall-slide")

    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        rows = [r for r in chair.snapshot["data"]["attendance"] if r["counts"]]
        chair.command("display.set_slide", {"display_id": display_id, "slide": "auto"})
        expect(slide).to_have_attribute("data-slide", "overview")  # nothing claims the screen yet

        # Someone has the floor: the speaker, by itself.
        speech = chair.command("floor.give", {"expect_current": None, "member_id": rows[0]["member_id"],
                                              "kind": "free"})
        expect(slide).to_have_attribute("data-slide", "speaker")
        chair.command("floor.stop", {"speech_id": speech["speech_id"]})
        expect(slide).to_have_attribute("data-slide", "overview")

        # An announcement holds the screen for its first minute.
        chair.command("sitting.announce", {"text": "Mời các đại biểu về chỗ ngồi để biểu quyết"})
        expect(slide).to_have_attribute("data-slide", "announcement")

        # A vote open takes the screen before anything else; its published result follows it.
        chair.command("attendance.mark_selected", {"member_ids": [r["member_id"] for r in rows[:40]]})
        poll = chair.command("vote.create", {"title": TITLE})["poll_id"]
        round_id = chair.command("vote.open", {"poll_id": poll})["round_id"]
        expect(slide).to_have_attribute("data-slide", "vote")
        expect(hall.locator("[data-role=vote-title]")).to_have_text(TITLE)
        chair.command("vote.close", {"round_id": round_id})
        expect(slide).not_to_have_attribute("data-slide", "vote")  # closed, not yet published: the vote lets go
        chair.command("vote.publish", {"round_id": round_id})
        expect(slide).to_have_attribute("data-slide", "vote_result")
        expect(hall.locator("[data-role=outcome]")).to_have_text("Không thông qua")

        # The chair's own choice still wins: a display set to a slide shows that slide.
        chair.command("display.set_slide", {"display_id": display_id, "slide": "agenda"})
        expect(slide).to_have_attribute("data-slide", "agenda")
