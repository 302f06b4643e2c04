"""Reports for the council: the session's summary of voters' petitions (PDF, XLSX) and the statistics page.

Personas: staff (petition staff) reads every report; alice (a delegate) and the
public read none; desk (Sở TN&MT) answers what is forwarded to it.
"""

import datetime as dt
import io
import unicodedata

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from meeting.models import Body
from petitions import reports, services
from petitions.models import Case
from tests.petitions.service_fixtures import letter, media_folder, people  # noqa: F401 (fixtures)

ROAD = "Đề nghị nâng cấp đường liên xã Kim Bình – Hòa Phú"
WATER = "Thôn Nà Khà chưa có nước sạch sinh hoạt"
LAND = "Chậm cấp giấy chứng nhận quyền sử dụng đất cho 12 hộ"
SCHOOL = "Xây thêm phòng học điểm trường Nà Mỏ"


@pytest.fixture
def session_report(people, sitting):
    """One voter-contact meeting before the session: four petitions.
    ROAD (province) forwarded to Sở TN&MT, answered, approved, published, then judged unsatisfactory
    and proposed for questioning; WATER (province) forwarded and overdue; LAND (commune) answered at
    the meeting; SCHOOL (central) not forwarded yet."""
    staff, desk, env = people["staff"], people["desk"], people["env"]
    group = Body.objects.filter(kind="group").first()
    session = sitting.session
    meeting = services.record_voter_meeting(
        staff, held_on=dt.date.today() - dt.timedelta(days=40), place="Nhà văn hóa xã Kim Bình",
        commune="Xã Kim Bình", delegate_group=group, session=session, when="before",
        voters=120, petitions=[
            {"subject": ROAD, "content": ROAD + ", mùa mưa đi lại rất khó khăn.", "field": people["land"], "level": "province"},
            {"subject": WATER, "content": WATER + ", đề nghị đầu tư công trình nước.", "field": people["health"],
             "level": "province"},
            {"subject": LAND, "content": LAND + ".", "field": people["land"], "level": "commune",
             "answered_on_spot": True, "answer_text": "UBND xã đã hẹn cấp trong tháng tới."},
            {"subject": SCHOOL, "content": SCHOOL + ".", "field": None, "level": "central"},
        ])
    by = {c.subject: c for c in meeting.petitions.all()}
    road = services.decide(staff, by[ROAD], decision="forward", agency=env)
    water = services.decide(staff, by[WATER], decision="forward", agency=env)
    reply = services.answer(desk, road.transfers.get(), "Sở TN&MT đã bố trí vốn nâng cấp đường trong năm 2027.")
    services.review_answer(staff, reply, approve=True)
    services.publish_answer(staff, road)
    services.mark_unsatisfactory(staff, road, questioning_candidate=True)
    Case.objects.filter(pk=water.pk).update(due_on=dt.date.today() - dt.timedelta(days=3))
    Case.objects.filter(pk=by[SCHOOL].pk).update(due_on=dt.date.today() + dt.timedelta(days=20))
    return session


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def test_summary_counts_by_level_and_agency(session_report):
    summary = reports.session_summary(session_report)
    assert summary.totals == {"received": 4, "answered": 2, "pending": 2, "overdue": 1}
    levels = {row["level"]: row for row in summary.by_level}
    assert levels["province"]["received"] == 2 and levels["province"]["answered"] == 1
    assert levels["province"]["overdue"] == 1 and levels["commune"]["answered"] == 1
    assert [row["level"] for row in summary.by_level] == ["central", "province", "commune"]
    agencies = {row["name"]: row for row in summary.by_agency}
    env = agencies["Sở Tài nguyên và Môi trường"]
    assert (env["received"], env["answered"], env["pending"], env["overdue"]) == (2, 1, 1, 1)
    assert [c.subject for c in summary.candidates] == [ROAD]
    assert summary.meetings == 1 and summary.voters == 120


def test_session_pdf_has_the_counts_and_the_answers_in_vietnamese(client, people, session_report):
    client.force_login(people["staff"])
    response = client.get(reverse("petitions:report_session_pdf", args=[session_report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Tổng hợp kiến nghị của cử tri và kết quả giải quyết" in text
    assert "tổng số 4 kiến nghị; đã trả lời 2; đang giải quyết 2, trong đó quá hạn 1" in text
    assert "Sở Tài nguyên và Môi trường 2 1 1 1" in text
    assert "Tổng cộng 4 2 2 1" in text
    assert "bố trí vốn nâng cấp đường trong năm 2027" in text
    assert "UBND xã đã hẹn cấp trong tháng tới" in text
    assert "Quá hạn" in text
    assert "đề xuất chất vấn" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_session_xlsx_cells(client, people, session_report):
    client.force_login(people["staff"])
    response = client.get(reverse("petitions:report_session_xlsx", args=[session_report.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Theo cấp", "Theo cơ quan", "Danh sách", "Đề xuất chất vấn", "Báo cáo tại kỳ họp"]
    agencies = {row[0]: row[1:] for row in book["Theo cơ quan"].iter_rows(min_row=3, values_only=True)}
    assert agencies["Sở Tài nguyên và Môi trường"] == (2, 1, 1, 1)
    assert agencies["Tổng cộng"] == (4, 2, 2, 1)
    rows = {row[2]: row for row in book["Danh sách"].iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {ROAD, WATER, LAND, SCHOOL}
    assert rows[ROAD][9].startswith("Sở TN&MT đã bố trí vốn") and rows[ROAD][10] == "Có" and rows[ROAD][11] == "Có"
    assert rows[WATER][8] == "Quá hạn" and rows[SCHOOL][8] == "Đang giải quyết"
    assert [row[1] for row in book["Đề xuất chất vấn"].iter_rows(min_row=2, values_only=True)] == [ROAD]


@pytest.mark.parametrize("who", ["alice", "public"])
def test_reports_are_for_petition_staff_only(client, users, session_report, who):
    if who == "alice":
        client.force_login(users["alice"])
    for name, args in (("report_session_pdf", [session_report.pk]), ("report_session_xlsx", [session_report.pk]),
                       ("statistics", []), ("reports", [])):
        response = client.get(reverse(f"petitions:{name}", args=args))
        assert response.status_code in (302, 403)
        assert response.get("Content-Type", "").startswith("text/html")


def test_reports_index_links_the_session(client, people, session_report):
    client.force_login(people["staff"])
    page = client.get(reverse("petitions:reports")).content.decode()
    assert reverse("petitions:report_session_pdf", args=[session_report.pk]) in page


def test_statistics_counts_per_kind_agency_month_and_on_time(client, people, session_report):
    letter(kind="feedback", anonymous=True)
    letter(kind="complaint")
    stats = reports.statistics()
    kinds = {row["key"]: row["n"] for row in stats["per_kind"]}
    assert kinds == {"voter_petition": 4, "feedback": 1, "complaint": 1}
    assert stats["total"] == 6
    assert stats["per_month"][-1]["n"] == 6 and len(stats["per_month"]) == 12
    agencies = {row["name"]: row for row in stats["per_agency"]}
    assert agencies["Sở Tài nguyên và Môi trường"]["received"] == 2
    client.force_login(people["staff"])
    page = client.get(reverse("petitions:statistics")).content.decode()
    assert '<tr data-kind="voter_petition">' in page and "<svg" in page
    assert f'data-month="{dt.date.today():%m/%Y}">{dt.date.today():%m/%Y}<br><strong>6</strong>' in page


def test_on_time_rate_counts_met_and_late_deadlines(people, session_report):
    from petitions.models import Deadline

    today = dt.date.today()
    due = Deadline.objects.filter(due_on__lte=today)
    before = reports.statistics()
    case = letter(kind="feedback", anonymous=True)
    Deadline.objects.filter(case=case).update(due_on=today - dt.timedelta(days=1), met_at=None)  # late: not met by today
    after = reports.statistics()
    assert after["on_time_total"] == before["on_time_total"] + 1
    assert after["on_time_met"] == before["on_time_met"]
    late = {row["name"]: row for row in after["on_time"]}["Văn phòng (chưa chuyển)"]
    assert late["rate"] < 100
    assert due.count() >= 1
