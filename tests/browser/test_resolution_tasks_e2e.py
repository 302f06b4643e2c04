"""A resolution's task end to end in a real Chromium: the desk of Sở Tài chính reports a figure on a
phone, from the same desk as its letters; the office's task page then shows the new progress.

Personas: "nq_e2e" — the office's resolution staff (resolutions.manage_resolutions) on a desktop;
"sotc_e2e" — the desk of Sở Tài chính, lead agency of the task, on a 390x844 touch phone."""

import pytest
from playwright.sync_api import expect

DEMO_PASSWORD = "hdnd-demo-2026"  # meeting.demo.DEMO_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def task(daphne_server):
    """An adopted resolution with a task for Sở Tài chính: 2,000 pupils to support."""
    return daphne_server.shell(f"""
import datetime as dt
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from meeting.models import Term
from petitions.models import Agency, AgencyMember
from resolutions import services, services_tasks
from resolutions.models import Resolution, Status
User = get_user_model()
office, _ = User.objects.get_or_create(username="nq_e2e", defaults={{"first_name": "Lê Thu Trang",
                                       "password": make_password({DEMO_PASSWORD!r})}})
office.user_permissions.add(Permission.objects.get(codename="manage_resolutions", content_type__app_label="resolutions"))
office = User.objects.get(pk=office.pk)
agency, _ = Agency.objects.get_or_create(name="Sở Tài chính (e2e)", defaults={{"kind": "department"}})
desk, _ = User.objects.get_or_create(username="sotc_e2e", defaults={{"first_name": "Cán bộ Sở Tài chính",
                                     "password": make_password({DEMO_PASSWORD!r})}})
AgencyMember.objects.get_or_create(agency=agency, user=desk)
term = Term.objects.order_by("-start").first()
resolution = Resolution.objects.create(title="Hỗ trợ học phí cho học sinh vùng khó khăn", term=term, planned_year=2026)
for status in (Status.DRAFTING, Status.REVIEWED, Status.SUBMITTED):
    resolution = services.transition(office, resolution, status)
number = f"{{resolution.pk}}/2026/NQ-HĐND"
resolution = services.transition(office, resolution, Status.ADOPTED, number=number, decided_on=dt.date(2026, 7, 10))
task = services_tasks.create_resolution_task(office, resolution, title="Chi trả hỗ trợ học phí năm học 2026-2027",
    lead_agency=agency, due_on=dt.date.today() + dt.timedelta(days=90),
    indicators=[{{"name": "Học sinh được hỗ trợ", "unit": "học sinh", "target": Decimal(2000)}}])
result = {{"task": task.pk, "indicator": task.indicators.get().pk}}
""")


def test_an_agency_reports_a_figure_on_its_phone_and_the_office_sees_the_progress(new_context, login, task, screens):
    desk = new_context(**PHONE).new_page()
    login(desk, "sotc_e2e")
    desk.goto("/agency/")
    desk.locator("nav.desk-sections").get_by_role("link", name="Nhiệm vụ thực hiện nghị quyết").tap()
    desk.get_by_role("link", name="Chi trả hỗ trợ học phí năm học 2026-2027").tap()
    desk.get_by_label("Nội dung báo cáo").fill("Đã chi trả cho 500 học sinh trong học kỳ I.")
    desk.get_by_role("textbox", name="Học sinh được hỗ trợ").fill("500")
    assert desk.evaluate("document.documentElement.scrollWidth") <= 390
    desk.get_by_role("button", name="Gửi báo cáo").tap()
    expect(desk.locator(".flash")).to_contain_text("Đã gửi báo cáo tiến độ.")
    expect(desk.locator("#task-progress")).to_contain_text("25%")
    desk.screenshot(path=str(screens / "resolution-task-desk-phone.png"), full_page=True)

    office = new_context(**DESKTOP).new_page()
    login(office, "nq_e2e")
    office.goto(f"/resolutions/tasks/{task['task']}/")
    expect(office.locator("#task-progress")).to_contain_text("25%")
    expect(office.locator(f"#indicator-{task['indicator']} .latest")).to_have_text("500")
    expect(office.locator(f"#indicator-{task['indicator']} svg.chart circle.dot")).to_have_count(1)
    expect(office.locator("main")).to_contain_text("Đã chi trả cho 500 học sinh trong học kỳ I.")
    office.locator(f"#indicator-{task['indicator']}").screenshot(path=str(screens / "resolution-task-office-chart.png"))
    office.screenshot(path=str(screens / "resolution-task-office.png"), full_page=True)
    office.goto("/resolutions/tasks/")
    expect(office.locator(f"tr[data-task='{task['task']}'] .pct")).to_have_text("25%")
    office.screenshot(path=str(screens / "resolution-tasks-office.png"), full_page=True)
