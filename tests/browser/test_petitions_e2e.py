"""A citizen's petition end to end, on a phone, in a real Chromium.

Personas: a citizen with a 390x844 touch phone, not signed in: submits a
kiến nghị from the home page, keeps the receipt, follows the status with the
tracking code; "donthu_e2e" — petition staff on a desktop: forwards the case
on its office page, approves and publishes the answer; "sogtvt" — the desk
of Sở Giao thông vận tải: answers on its agency desk. Nothing is mocked.
"""

import re

import pytest
from playwright.sync_api import expect

DEMO_PASSWORD = "hdnd-demo-2026"  # meeting.demo.DEMO_PASSWORD (as in conftest: Django is not set up for the server DB here)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SUBJECT = "Đề nghị sửa cầu treo bản Nà Pồng bị hư hỏng"
ANSWER = "Sở Giao thông vận tải đã bố trí vốn sửa chữa cầu treo bản Nà Pồng, hoàn thành trong tháng 6."


@pytest.fixture
def office(daphne_server):
    """Petition staff and an agency with its desk user, in the server's database."""
    return daphne_server.shell(f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from petitions.models import Agency, AgencyMember
User = get_user_model()
staff, _ = User.objects.get_or_create(username="donthu_e2e", defaults={{"first_name": "Nguyễn Thị Hoa",
                                      "password": make_password({DEMO_PASSWORD!r})}})
staff.user_permissions.add(Permission.objects.get(codename="handle_cases", content_type__app_label="petitions"))
agency, _ = Agency.objects.get_or_create(name="Sở Giao thông vận tải", defaults={{"kind": "department", "short_name": "Sở GTVT"}})
desk, _ = User.objects.get_or_create(username="sogtvt", defaults={{"first_name": "Cán bộ Sở GTVT",
                                     "password": make_password({DEMO_PASSWORD!r})}})
AgencyMember.objects.get_or_create(agency=agency, user=desk)
result = {{"agency": agency.pk}}
""")


def test_a_citizen_submits_on_a_phone_and_sees_the_published_answer(new_context, login, daphne_server, office, screens):
    citizen = new_context(**PHONE).new_page()
    citizen.goto("/")
    citizen.get_by_role("link", name="Gửi kiến nghị, phản ánh").click()
    expect(citizen.locator("h1")).to_contain_text("Gửi kiến nghị")
    citizen.locator("label.kind-choice", has_text="Kiến nghị").first.tap()
    citizen.fill("#id_subject", SUBJECT)
    citizen.fill("#id_content", "Cầu treo bản Nà Pồng bị đứt một dây cáp sau mưa lũ, học sinh đi học rất nguy hiểm.")
    citizen.fill("#id_commune", "Xã Lâm Bình")
    citizen.fill("#id_full_name", "Hoàng Văn Pính")
    citizen.fill("#id_phone", "0987 654 321")
    citizen.locator("#id_consent").tap()
    # Phone first: nothing scrolls sideways at 390 px.
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    citizen.screenshot(path=str(screens / "petition-phone-form.png"), full_page=True)
    citizen.get_by_role("button", name="Gửi đơn").tap()

    expect(citizen.locator("#receipt")).to_contain_text("Đơn của bạn đã được tiếp nhận")
    code = citizen.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    expect(citizen.locator(".qr-box svg")).to_be_visible()
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    citizen.screenshot(path=str(screens / "petition-phone-receipt.png"), full_page=True)

    # Later: the citizen types the code as read aloud (lower case, spaces) on the lookup page.
    citizen.goto("/public/letters/track/")
    citizen.fill("#id_code", code.replace("-", " ").lower())
    citizen.get_by_role("button", name="Tra cứu").tap()
    expect(citizen).to_have_url(re.compile(f"/public/letters/{code}/$"))
    expect(citizen.locator("#milestones")).to_contain_text("Đã tiếp nhận")
    expect(citizen.locator("#case")).to_contain_text(SUBJECT)
    expect(citizen.locator("main")).not_to_contain_text("Hoàng Văn Pính")
    status_url = citizen.url

    case_id = daphne_server.shell(f"from petitions.models import Case\nresult = Case.objects.get(tracking_code={code!r}).pk")

    # The office forwards it to the agency on the case page.
    staff = new_context(**DESKTOP).new_page()
    login(staff, "donthu_e2e")
    staff.goto(f"/petitions/case/{case_id}/")
    staff.locator(".decide-form input[name=decision][value=forward]").check()
    staff.select_option(".decide-form #agency", str(office["agency"]))
    staff.locator(".decide-form").get_by_role("button", name="Ghi quyết định").click()
    expect(staff.locator("main")).to_contain_text("Sở Giao thông vận tải")

    # The agency answers on its desk.
    desk = new_context(**DESKTOP).new_page()
    login(desk, "sogtvt")
    desk.goto("/agency/")
    desk.get_by_role("link", name=code).first.click()
    desk.get_by_label("Nội dung trả lời").fill(ANSWER)
    desk.get_by_role("button", name="Gửi trả lời").click()
    expect(desk.locator("main")).to_contain_text("hoàn thành trong tháng 6")

    # The citizen sees the step, not the answer: it is not reviewed yet.
    citizen.goto(status_url)
    expect(citizen.locator("#milestones")).to_contain_text("Đã chuyển cơ quan có thẩm quyền")
    expect(citizen.locator("main")).not_to_contain_text("hoàn thành trong tháng 6")

    # The office approves and publishes.
    staff.goto(f"/petitions/case/{case_id}/")
    staff.locator(".review-form").get_by_role("button", name="Duyệt").click()
    staff.get_by_role("button", name="Công khai kết quả trả lời").click()
    expect(staff.locator("main")).to_contain_text("Đã công khai kết quả")

    citizen.reload()
    expect(citizen.locator("#answer")).to_contain_text(ANSWER)
    expect(citizen.locator("#case-status")).to_have_text("Đã công khai kết quả")
    expect(citizen.locator("#milestones")).to_contain_text("Đã công khai kết quả")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    citizen.screenshot(path=str(screens / "petition-phone-status.png"), full_page=True)
