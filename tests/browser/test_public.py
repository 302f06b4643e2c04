"""The public observer page on a phone, in a real Chromium against a real Daphne.

Personas: a public observer (anonymous phone browser), the chair (db001)
driving the sitting over the hub.
"""

import pytest

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(new_context):
    return new_context(**PHONE).new_page()


def test_observer_on_a_phone_sees_the_current_item_change(phone, fresh_sitting, hub, screens):
    from playwright.sync_api import expect

    s = fresh_sitting()
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        chair.command("agenda.next")
        items = chair.snapshot["data"]["agenda"]["items"]
        phone.goto(f"/public/sitting/{s['id']}/")
        expect(phone.locator("[data-role=connection]")).to_have_attribute("data-status", "live")
        expect(phone.locator("[data-role=current-title]")).to_have_text(items[0]["title"])

        chair.command("agenda.next")
        expect(phone.locator("[data-role=current-title]")).to_have_text(items[1]["title"])
        expect(phone.locator("[data-role=current]")).not_to_contain_text("null")
        expect(phone.locator(f'.obs-agenda-item[data-item-id="{items[0]["id"]}"]')).to_have_attribute("data-status", "done")
        chair.command("sitting.announce", {"text": "Phiên họp tạm nghỉ 10 phút."})
        expect(phone.locator("[data-role=announcement]")).to_contain_text("tạm nghỉ 10 phút")
    phone.screenshot(path=str(screens / "public-sitting.png"))
    phone.screenshot(path=str(screens / "public-sitting-full.png"), full_page=True)


def test_observer_sees_the_quorum_count_rise(phone, fresh_sitting, hub):
    from playwright.sync_api import expect

    s = fresh_sitting()
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        phone.goto(f"/public/sitting/{s['id']}/")
        expect(phone.locator(".obs-present")).to_have_text("0")
        member = chair.snapshot["data"]["attendance"][0]["member_id"]
        chair.command("attendance.mark", {"member_id": member, "status": "present"})
        expect(phone.locator(".obs-present")).to_have_text("1")


def test_observer_page_fits_a_phone_without_sideways_scrolling(phone, fresh_sitting):
    s = fresh_sitting()
    phone.goto(f"/public/sitting/{s['id']}/")
    phone.wait_for_selector(".obs-agenda-item")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_public_list_on_a_phone_links_to_the_observer_page(phone, fresh_sitting, screens):
    s = fresh_sitting()
    phone.goto("/public/")
    with phone.expect_navigation():
        phone.click(f'[data-sitting-id="{s["id"]}"] a.sitting-title')
    assert phone.url.endswith(f"/public/sitting/{s['id']}/")
    phone.goto("/public/")
    phone.screenshot(path=str(screens / "public-list.png"), full_page=True)


def test_after_the_closing_the_public_page_says_closed_and_not_live(phone, fresh_sitting, hub):
    from playwright.sync_api import expect

    s = fresh_sitting()
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
        phone.goto(f"/public/sitting/{s['id']}/")
        expect(phone.locator("[data-role=connection]")).to_have_text("Trực tiếp")
        chair.command("sitting.close")
    expect(phone.locator("[data-role=status]")).to_have_text("Đã bế mạc")
    expect(phone.locator("[data-role=connection]")).to_be_hidden()
