"""The public side of a resolution in a real Chromium: the office publishes an agency's report from the
task page on a tablet; a citizen on a 390x844 phone, not signed in, reads the published report and its
figure on the chart, does not see the unpublished one, and asks to follow the resolution by e-mail.

Personas: "nq_pub" — the office's resolution staff (resolutions.manage_resolutions) on a tablet; the
desk of "Sở Tài chính (public e2e)" reports through its service beforehand. Nothing is mocked."""

import pytest
from playwright.sync_api import expect

DEMO_PASSWORD = "hdnd-demo-2026"  # meeting.demo.DEMO_PASSWORD

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


@pytest.fixture
def reported(daphne_server):
    """An adopted resolution, a task for Sở Tài chính, two reports of its desk (none published yet)."""
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
office, _ = User.objects.get_or_create(username="nq_pub", defaults={{"first_name": "Lê Thu Trang",
                                       "password": make_password({DEMO_PASSWORD!r})}})
office.user_permissions.add(Permission.objects.get(codename="manage_resolutions", content_type__app_label="resolutions"))
office = User.objects.get(pk=office.pk)
agency, _ = Agency.objects.get_or_create(name="Sở Tài chính (public e2e)", defaults={{"kind": "department"}})
desk, _ = User.objects.get_or_create(username="sotc_pub", defaults={{"password": make_password({DEMO_PASSWORD!r})}})
AgencyMember.objects.get_or_create(agency=agency, user=desk)
term = Term.objects.order_by("-start").first()
resolution = Resolution.objects.create(title="Hỗ trợ học phí cho học sinh vùng khó khăn (công khai)", term=term,
                                       planned_year=2026)
for status in (Status.DRAFTING, Status.REVIEWED, Status.SUBMITTED):
    resolution = services.transition(office, resolution, status)
resolution = services.transition(office, resolution, Status.ADOPTED, number=f"{{resolution.pk}}/2026/NQ-HĐND-P",
                                 decided_on=dt.date(2026, 7, 10))
task = services_tasks.create_resolution_task(office, resolution, title="Chi trả hỗ trợ học phí năm học 2026-2027",
    lead_agency=agency, due_on=dt.date.today() + dt.timedelta(days=90),
    indicators=[{{"name": "Học sinh được hỗ trợ", "unit": "học sinh", "target": Decimal(2000)}}])
indicator = task.indicators.get()
first = services_tasks.report_progress(desk, task, text="Đã chi trả cho 500 học sinh trong học kỳ I.",
                                       values={{indicator.pk: "500"}})
second = services_tasks.report_progress(desk, task, text="Bản nháp nội bộ: 900 học sinh, chưa đối chiếu.",
                                        values={{indicator.pk: "900"}})
result = {{"resolution": resolution.pk, "task": task.pk, "first": first.pk, "indicator": indicator.pk}}
""")


def test_the_office_publishes_a_report_and_a_citizen_reads_it_on_a_phone(new_context, login, reported, screens):
    office = new_context(**TABLET).new_page()
    login(office, "nq_pub")
    office.goto(f"/resolutions/tasks/{reported['task']}/")
    with office.expect_navigation():
        office.locator(f"form[action$='/reports/{reported['first']}/publish/'] button").tap()
    expect(office.locator("#publish")).to_contain_text("Đã công khai")

    citizen = new_context(**PHONE).new_page()
    citizen.goto(f"/public/resolutions/{reported['resolution']}/")
    task = citizen.locator(f"#task-{reported['task']}")
    expect(task.locator(f"#report-{reported['first']}")).to_contain_text("Đã chi trả cho 500 học sinh")
    expect(task).not_to_contain_text("Bản nháp nội bộ")
    expect(task.locator(".pct").first).to_have_text("25%")  # 500 of 2,000: the unpublished 900 does not count
    chart = task.locator(f"#indicator-{reported['indicator']} svg.chart")
    expect(chart.locator("circle.dot")).to_have_count(1)
    box = chart.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390  # fits the phone's width
    citizen.screenshot(path=str(screens / "resolution-public-phone.png"), full_page=True)
    citizen.get_by_label("Email của bạn").fill("cu.tri@example.vn")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Đăng ký nhận thông báo").tap()
    expect(citizen.locator("#asked")).to_be_visible()
