"""A resolution from the programme to adopted through the office's page, then read on a phone.

Personas: "nghiquyet" — the office's resolution staff (resolutions.demo), on a tablet: moves a
planned resolution through drafting, review, the vote (the demo sitting's voting item) to adopted
with its number; a citizen on a 390x844 phone, not signed in: finds it on the public list by its
number and opens its page. Nothing is mocked."""

import re
import secrets

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


@pytest.fixture
def planned(daphne_server):
    """A planned resolution of the demo council and the demo sitting's voting item."""
    return daphne_server.shell("""
from django.contrib.auth import get_user_model
from agenda.models import AgendaItem
from meeting.models import Term
from resolutions import services
office = get_user_model().objects.get(username="nghiquyet")
item = AgendaItem.objects.filter(title__startswith="Biểu quyết thông qua Nghị quyết").order_by("pk").first()
made = services.create_resolution(office, title="Quy định mức hỗ trợ người có công tham gia kháng chiến",
                                  term=Term.objects.order_by("pk").first(), planned_year=2026, area="social")
from resolutions.models import Resolution
taken = Resolution.objects.exclude(number="").values_list("number", flat=True).first()
result = {"id": made.pk, "item": item.pk, "taken": taken}
""")


def step(page, label: str):
    page.locator("#next-steps summary", has_text=label).click()
    return page.locator("#next-steps details[open] form")


def test_the_office_adopts_a_planned_resolution_and_a_citizen_reads_it_on_a_phone(new_context, login, planned, screens):
    number = f"{secrets.randbelow(900) + 100}/2026/NQ-HĐND"
    office = new_context(**TABLET).new_page()
    login(office, "nghiquyet")
    office.goto(f"/resolutions/{planned['id']}/")
    expect(office.locator(".steps .current")).to_contain_text("Trong chương trình")
    for label in ("Đang soạn thảo", "Đã thẩm tra"):
        form = step(office, label)
        with office.expect_navigation():
            form.get_by_role("button").click()
        expect(office.locator(".steps .current")).to_contain_text(label)
    form = step(office, "Trình kỳ họp biểu quyết")
    form.locator("select[name$=agenda_item]").select_option(str(planned["item"]))
    with office.expect_navigation():
        form.get_by_role("button").click()
    expect(office.locator(".steps .current")).to_contain_text("Trình kỳ họp biểu quyết")
    # A first try with a number another resolution has: refused on the page, nothing changed.
    form = step(office, "Đã thông qua")
    form.locator("input[name$=number]").fill(planned["taken"])
    form.locator("input[name$=decided_on]").fill("2026-12-10")
    with office.expect_navigation():
        form.get_by_role("button").click()
    expect(office.locator(".refusal")).to_contain_text("đã có nghị quyết khác")
    expect(office.locator(".steps .current")).to_contain_text("Trình kỳ họp biểu quyết")
    form = office.locator("#next-steps details[open] form")
    form.locator("input[name$=number]").fill(number)
    form.locator("input[name$=decided_on]").fill("2026-12-10")
    with office.expect_navigation():
        form.get_by_role("button").click()
    expect(office.locator(".steps .current")).to_contain_text("Đã thông qua")
    expect(office.locator("#facts")).to_contain_text(number)
    expect(office.locator("#history li")).to_have_count(4)
    office.screenshot(path=str(screens / "resolution-office-adopted.png"), full_page=True)

    citizen = new_context(**PHONE).new_page()
    citizen.goto("/")
    citizen.get_by_role("link", name="Nghị quyết của HĐND tỉnh và tiến độ thực hiện").click()
    citizen.fill("input[name=q]", number)
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Lọc").tap()
    citizen.get_by_role("link", name=re.compile("người có công")).tap()
    expect(citizen.locator("h1")).to_contain_text("người có công")
    expect(citizen.locator(".res-head")).to_contain_text(number)
    expect(citizen.locator(".res-head")).to_contain_text("10/12/2026")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    citizen.screenshot(path=str(screens / "resolution-public-phone.png"), full_page=True)
