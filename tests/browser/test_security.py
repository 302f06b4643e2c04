"""The Content-Security-Policy in a real Chromium, and the seat check-in tap.

Every browser test fails when a page breaks the policy (the `new_context` fixture
watches the console); these add the pages no other browser test opens.

Personas: the administrator (admin) in Django's admin; delegate Alice (db010)
scanning the code on her seat; the chair (db001) opening the sitting over the hub.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_admin_works_under_the_policy(page, login):
    login(page, "admin", next_url="/admin/", form=True)  # the sign-in page under the policy too
    expect(page.locator("#site-name")).to_be_visible()
    page.goto("/admin/meeting/sitting/add/")
    expect(page.locator("input[name=_save]")).to_be_visible()
    page.goto("/admin/meeting/member/")
    expect(page.locator("#result_list")).to_be_visible()


def test_the_browser_refuses_inline_script_and_style(browser, daphne_server):
    # A context of its own: the violations here are the point, not a failure of the page.
    ctx = browser.new_context(base_url=daphne_server.url)
    try:
        page = ctx.new_page()
        page.goto("/")
        page.evaluate("""() => {
            const s = document.createElement("script");
            s.textContent = "document.body.dataset.injected = 'yes'";
            document.body.appendChild(s);
            document.body.insertAdjacentHTML("beforeend", '<p id="painted" style="color: rgb(255, 0, 0)">x</p>');
        }""")
        assert page.evaluate("document.body.dataset.injected") is None
        assert page.evaluate("getComputedStyle(document.getElementById('painted')).color") != "rgb(255, 0, 0)"
    finally:
        ctx.close()


def test_a_delegate_scans_her_seat_code_and_taps_to_check_in(new_context, login, fresh_sitting, hub, daphne_server):
    sitting = fresh_sitting()
    with hub("db001", sitting["id"]) as chair:
        chair.command("sitting.open")
    path = daphne_server.shell(f"""
from meeting.checkin import seat_token
from meeting.models import Member
seat = Member.objects.get(code="DB010").seat
result = "/sitting/{sitting['id']}/checkin/" + seat_token({sitting['id']}, seat.pk) + "/"
""")
    phone = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    login(phone, "db010", next_url=path)
    expect(phone.locator("h1")).to_have_text("Điểm danh tại ghế")
    with hub("db001", sitting["id"]) as chair:
        alice = next(r for r in chair.snapshot["data"]["attendance"] if r["seat"] == "A10")
        assert alice["status"] != "present"
    phone.get_by_role("button", name="Điểm danh").tap()
    expect(phone.locator("h1")).to_have_text("Đã điểm danh")
    with hub("db001", sitting["id"]) as chair:
        alice = next(r for r in chair.snapshot["data"]["attendance"] if r["seat"] == "A10")
    assert (alice["status"], alice["method"]) == ("present", "seat_qr")
