"""The hall display's language, in a real Chromium at 1920x1080 (issue 11, item 7).

Personas: a hall display (a kiosk browser paired through /pair/<token>/) of a sitting not yet
opened. Whoever sets the kiosk up picks its language once: with the switch in its corner, or by
starting it on /display/?lang=en. The page and its scripts' texts (the slides, drawn in the
browser from the translation catalog) follow, and stay so through the page's own reloads.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HALL = {"width": 1920, "height": 1080}


@pytest.fixture
def hall(new_context, pair_display, fresh_sitting):
    page = new_context(viewport=HALL).new_page()
    s = fresh_sitting()
    assert pair_display(page, s["displays"][0]["id"]).endswith("/display/")
    page.wait_for_selector("body[data-connection=live] #hall-slide[data-slide]")
    return page


def test_the_switch_in_the_corner_turns_the_hall_to_english_and_back(hall, screens):
    expect(hall.locator("html")).to_have_attribute("lang", "vi")
    expect(hall.locator("#hall-slide")).to_contain_text("Phiên họp chưa khai mạc")
    with hall.expect_navigation():
        hall.locator(".hall-language button[value=en]").click()
    assert hall.url.endswith("/display/")
    hall.wait_for_selector("body[data-connection=live] #hall-slide[data-slide]")
    expect(hall.locator("html")).to_have_attribute("lang", "en")
    expect(hall.locator("#hall-slide")).to_contain_text("The sitting has not opened yet")
    hall.screenshot(path=str(screens / "display-english.png"))
    with hall.expect_navigation():
        hall.locator(".hall-language button[value=vi]").click()
    expect(hall.locator("html")).to_have_attribute("lang", "vi")
    expect(hall.locator("#hall-slide")).to_contain_text("Phiên họp chưa khai mạc")


def test_a_kiosk_started_on_lang_en_shows_the_hall_in_english_and_keeps_it(hall):
    hall.goto("/display/?lang=en")
    hall.wait_for_selector("body[data-connection=live] #hall-slide[data-slide]")
    expect(hall.locator("html")).to_have_attribute("lang", "en")
    expect(hall.locator("#hall-slide")).to_contain_text("The sitting has not opened yet")
    hall.goto("/display/")  # the choice is kept (the language cookie), as through the page's own reloads
    hall.wait_for_selector("body[data-connection=live] #hall-slide[data-slide]")
    expect(hall.locator("html")).to_have_attribute("lang", "en")
    expect(hall.locator("#hall-slide")).to_contain_text("The sitting has not opened yet")
