"""A committee's supervision concluded by the office on a tablet, in a real Chromium.

Personas: "giamsat_e2e" — resolution staff of the council office (resolutions.manage_resolutions)
on a touch tablet: adds a recommendation to an ongoing supervision of Ban Kinh tế - Ngân sách,
records the findings, concludes it, and sees the recommendation followed as a task of Sở Tài chính
with its progress bar. Nothing is mocked."""

import pytest
from playwright.sync_api import expect

DEMO_PASSWORD = "hdnd-demo-2026"  # meeting.demo.DEMO_PASSWORD

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "device_scale_factor": 1}
RECOMMENDATION = "Chi trả đủ hỗ trợ học phí cho học sinh trước ngày 31/3/2027"


@pytest.fixture
def ongoing(daphne_server):
    """An adopted resolution and an ongoing supervision of it, in the server's database."""
    return daphne_server.shell(f"""
import datetime as dt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from meeting.models import Body, Term
from petitions.models import Agency
from resolutions import services
from resolutions.models import Resolution
User = get_user_model()
staff, _ = User.objects.get_or_create(username="giamsat_e2e", defaults={{"first_name": "Phạm Thị Lan",
                                      "password": make_password({DEMO_PASSWORD!r})}})
staff.user_permissions.add(Permission.objects.get(codename="manage_resolutions", content_type__app_label="resolutions"))
staff = User.objects.get(pk=staff.pk)
term = Term.objects.first() or Term.objects.create(name="2026–2031", start=dt.date(2026, 3, 15), end=dt.date(2031, 3, 14))
body, _ = Body.objects.get_or_create(name="Ban Kinh tế - Ngân sách (e2e)", defaults={{"kind": "committee", "term": term}})
agency, _ = Agency.objects.get_or_create(name="Sở Tài chính (e2e)", defaults={{"kind": "department"}})
n = Resolution.objects.count() + 1
resolution = Resolution.objects.create(title="Hỗ trợ học phí vùng khó khăn", term=term, planned_year=2026, lead_agency=agency)
for step in ("drafting", "reviewed", "submitted"):
    resolution = services.transition(staff, resolution, step)
resolution = services.transition(staff, resolution, "adopted", number=f"{{n}}/2026/NQ-HĐND-e2e", decided_on=dt.date(2026, 7, 10))
services.create_task(staff, resolution=resolution, title="Ban hành hướng dẫn chi trả", lead_agency=agency, due_on=dt.date(2026, 9, 30))
services.create_task(staff, resolution=resolution, title="Chi trả học kỳ II", lead_agency=agency, due_on=dt.date(2027, 5, 31))
supervision = services.create_supervision(staff, body=body, title=f"Giám sát hỗ trợ học phí {{n}}", resolutions=[resolution])
services.start_supervision(staff, supervision)
result = {{"supervision": supervision.pk, "agency": agency.pk}}
""")


def test_the_office_concludes_a_supervision_and_its_recommendation_becomes_a_tracked_task(
        new_context, login, daphne_server, ongoing, screens):
    page = new_context(**TABLET).new_page()
    login(page, "giamsat_e2e")
    page.goto(f"/resolutions/supervisions/{ongoing['supervision']}/")
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Đang giám sát")

    form = page.locator("form#recommend")
    form.locator("select[name=agency]").select_option(str(ongoing["agency"]))
    form.locator("textarea[name=text]").fill(RECOMMENDATION)
    form.locator("input[name=due_on]").fill("2027-03-31")
    form.get_by_role("button", name="Thêm kiến nghị").tap()
    expect(page.locator("#recommendations")).to_contain_text(RECOMMENDATION)
    expect(page.locator("#recommendations").get_by_role("button", name="Theo dõi như nhiệm vụ")).to_be_visible()

    page.locator("#findings textarea[name=findings]").fill("Hai xã chi trả chậm do thiếu hồ sơ.")
    page.locator("#findings").get_by_role("button", name="Lưu kết quả").tap()
    expect(page.locator("#findings .letter")).to_contain_text("Hai xã chi trả chậm")

    page.locator("#conclude").tap()
    expect(page.locator(".flash")).to_contain_text("Đã kết luận cuộc giám sát")
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Đã kết luận")
    row = page.locator("#recommendations tr", has_text=RECOMMENDATION)
    expect(row).to_contain_text("Đã theo dõi")
    expect(row.locator("svg.progress")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    page.screenshot(path=str(screens / "resolution-supervision-concluded.png"), full_page=True)

    tasks = daphne_server.shell(f"""
from resolutions.models import Task
result = [[t.lead_agency_id, t.due_on.isoformat(), t.status]
          for t in Task.objects.filter(recommendation__supervision_id={ongoing['supervision']})]
""")
    assert tasks == [[ongoing["agency"], "2027-03-31", "open"]]
    # The six-monthly report counts the new task among the open ones, and offers its PDF and spreadsheet.
    page.goto("/resolutions/report/")
    expect(page.locator("#totals")).to_be_visible()
    expect(page.locator("#states svg")).to_be_visible()
    expect(page.get_by_role("link", name="Tải PDF")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    page.screenshot(path=str(screens / "resolution-six-monthly-report.png"), full_page=True)
    # On a phone nothing scrolls sideways: the wide tables scroll inside their card.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screens / "resolution-six-monthly-report-phone.png"), full_page=False)
