"""The office imports the year's programme from a spreadsheet on a tablet and reads the tasks per
agency on a phone, in a real Chromium.

Persona "nhap_e2e" — resolution staff (resolutions.manage_resolutions): uploads a sheet with a
wrong row (the report names row 3, column "Lĩnh vực"; nothing is imported), then the corrected
sheet (two planned resolutions in the programme); then opens the dashboard of tasks per agency on
a phone, where nothing scrolls sideways, and follows the overdue figure to the agency's tasks."""

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

DEMO_PASSWORD = "hdnd-demo-2026"  # meeting.demo.DEMO_PASSWORD

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "device_scale_factor": 1}
HEADER = ["Trích yếu", "Lĩnh vực", "Năm", "Kỳ họp dự kiến (số thứ tự)", "Cơ quan chủ trì soạn thảo", "Ban thẩm tra"]


def sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def office(daphne_server):
    return daphne_server.shell(f"""
import datetime as dt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.utils import timezone
from meeting.models import Term
from petitions.models import Agency
from resolutions import services
from resolutions.models import Resolution
User = get_user_model()
staff, _ = User.objects.get_or_create(username="nhap_e2e", defaults={{"first_name": "Lê Thu Hà",
                                      "password": make_password({DEMO_PASSWORD!r})}})
staff.user_permissions.add(Permission.objects.get(codename="manage_resolutions", content_type__app_label="resolutions"))
staff = User.objects.get(pk=staff.pk)
year = timezone.localdate().year + 1
term = Term.objects.filter(start__year__lte=year, end__year__gte=year).first() or Term.objects.create(
    name="e2e", start=dt.date(year - 1, 1, 1), end=dt.date(year + 4, 1, 1))
agency, _ = Agency.objects.get_or_create(name="Sở Xây dựng (e2e)", defaults={{"kind": "department"}})
n = Resolution.objects.count() + 1
resolution = Resolution.objects.create(title="Hỗ trợ nhà ở e2e", term=term, planned_year=year - 1, lead_agency=agency)
for step in ("drafting", "reviewed", "submitted"):
    resolution = services.transition(staff, resolution, step)
resolution = services.transition(staff, resolution, "adopted", number=f"{{n}}/e2e/NQ-HĐND", decided_on=timezone.localdate())
late = services.create_task(staff, resolution=resolution, title="Rà soát hộ nghèo e2e", lead_agency=agency,
                            due_on=timezone.localdate() - dt.timedelta(days=3))
result = {{"agency": agency.pk, "year": year, "late": late.pk}}
""")


def test_the_office_imports_the_programme_and_reads_tasks_per_agency_on_a_phone(
        new_context, login, daphne_server, office, screens, tmp_path):
    page = new_context(**TABLET).new_page()
    login(page, "nhap_e2e")
    year = office["year"]
    good = [[f"Quy định mức thu phí e2e {year}", "Phí, lệ phí", year, "", "Sở Xây dựng (e2e)", ""],
            [f"Đặt tên đường e2e {year}", "khac", year, "", "", ""]]
    bad = tmp_path / "sai.xlsx"
    bad.write_bytes(sheet([good[0], [f"Biên chế e2e {year}", "Không có", year, "", "", ""]]))
    page.goto("/resolutions/import/")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Nhập").tap()
    expect(page.locator(".refusal")).to_contain_text("chưa nhập nghị quyết nào")
    expect(page.locator("table.import-errors tr[data-row='3']")).to_contain_text("Lĩnh vực")
    page.screenshot(path=str(screens / "resolution-import-errors.png"), full_page=True)

    fixed = tmp_path / "dung.xlsx"
    fixed.write_bytes(sheet(good))
    page.locator("input[type=file]").set_input_files(str(fixed))
    page.get_by_role("button", name="Nhập").tap()
    expect(page.locator(".flash")).to_contain_text("Đã nhập 2 nghị quyết")
    imported = daphne_server.shell(f"""
from resolutions.models import Resolution
result = sorted(Resolution.objects.filter(title__contains="e2e {year}").values_list("status", flat=True))
""")
    assert imported == ["planned", "planned"]

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/resolutions/tasks/agencies/")
    row = page.locator(f"tr[data-agency='{office['agency']}']")
    expect(row).to_contain_text("Sở Xây dựng (e2e)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screens / "resolution-dashboard-phone.png"), full_page=False)
    row.locator("a.tag.late").tap()
    expect(page.locator(f"tr[data-task='{office['late']}']")).to_be_visible()
