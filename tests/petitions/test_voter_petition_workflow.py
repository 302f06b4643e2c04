"""Voters' petitions from a voter-contact meeting to the answer reported at the next regular session
(issue 12, item 4).

Personas: staff ("donthu", petition staff) compiles, forwards, reviews and publishes; the desk of the
provincial People's Committee ("ubndtinh") answers what is forwarded to it; delegate Alice records her
group's meeting and may not compile or forward.

The council: session 5 (regular) opens Wednesday 2/12/2026; an extraordinary session opens Friday
15/1/2027; session 6 (regular) opens Tuesday 6/7/2027. Petitions collected at a meeting on Thursday
12/11/2026 for session 5 are answered 10 working days before session 6 and reported there. Counted back
from 6/7/2027 (the opening day does not count; no holiday in June 2027): 5/7 (1), 2/7 (2), 1/7 (3),
30/6 (4), 29/6 (5), 28/6 (6), 25/6 (7), 24/6 (8), 23/6 (9), 22/6/2027 (10). The old rule made them due
on 1/12/2026, the day before the very session they were collected for.
"""

import datetime as dt
import io
import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from meeting.models import Body, Member, Session, Term
from petitions import reports, services, voter_petitions
from petitions.models import Agency, AgencyMember, Case, PetitionCompilation, PetitionForwarding, Transfer
from tests.petitions.service_fixtures import media_folder, people, png_bytes  # noqa: F401 (fixtures)

D = dt.date
DUE = D(2027, 6, 22)
ROAD = "Nâng cấp đường ĐT.188 đoạn qua xã Hùng Đức"
RAIL = "Đề nghị Trung ương sớm đầu tư đường cao tốc Tuyên Quang – Hà Giang giai đoạn 2"
WATER = "Sửa chữa công trình nước sạch thôn Đồng Tâm"
ANSWER = "UBND tỉnh đã bố trí vốn năm 2027 để nâng cấp đường ĐT.188 đoạn qua xã Hùng Đức."


@pytest.fixture
def council(people, settings):
    settings.VOTER_PETITION_ANSWER_WORKING_DAYS = 10
    term = Term.objects.create(name="2026–2031", start=D(2026, 3, 1), end=D(2031, 3, 1))
    plenary = Body.objects.create(name="Hội đồng nhân dân tỉnh Tuyên Quang", kind="plenary", term=term)
    group = Body.objects.create(name="Tổ đại biểu số 3", kind="group", term=term)
    fifth = Session.objects.create(body=plenary, number=5, title="Kỳ họp thứ năm", start_date=D(2026, 12, 2),
                                   end_date=D(2026, 12, 4))
    extra = Session.objects.create(body=plenary, number=6, title="Kỳ họp thứ sáu (bất thường)", kind="extraordinary",
                                   start_date=D(2027, 1, 15), end_date=D(2027, 1, 15))
    sixth = Session.objects.create(body=plenary, number=7, title="Kỳ họp thứ bảy", start_date=D(2027, 7, 6),
                                   end_date=D(2027, 7, 9))
    ubnd = Agency.objects.create(name="Ủy ban nhân dân tỉnh Tuyên Quang", kind=Agency.Kind.PEOPLES_COMMITTEE)
    delegation = Agency.objects.create(name="Đoàn đại biểu Quốc hội tỉnh Tuyên Quang", kind=Agency.Kind.CENTRAL,
                                       level="central")
    User = get_user_model()
    desk = User.objects.create(username="ubndtinh", first_name="Văn phòng UBND tỉnh")
    AgencyMember.objects.create(agency=ubnd, user=desk)
    alice_user = User.objects.create(username="alice", first_name="Alice")
    Member.objects.create(full_name="Hoàng Thị Alice", code="DB003", kind="delegate", delegate_group=group,
                          user=alice_user)
    return {**people, "fifth": fifth, "extra": extra, "sixth": sixth, "group": group, "ubnd": ubnd,
            "delegation": delegation, "desk": User.objects.get(pk=desk.pk), "alice": User.objects.get(pk=alice_user.pk)}


@pytest.fixture
def meeting(council):
    return services.record_voter_meeting(
        council["alice"], held_on=D(2026, 11, 12), place="Nhà văn hóa xã Hùng Đức",
        commune="xã Hùng Đức",
        delegate_group=council["group"], session=council["fifth"], when="before", voters=150, petitions=[
            {"subject": ROAD, "level": "province"},
            {"subject": RAIL, "level": "central"},
            {"subject": WATER, "level": "province", "answered_on_spot": True,
             "answer_text": "Chủ tịch UBND xã đã trả lời: sửa xong trong tháng 12/2026."},
        ])


def petitions_of(meeting):
    return {c.subject: c for c in meeting.petitions.all()}


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def test_petitions_are_due_ten_working_days_before_the_next_regular_session(meeting):
    by = petitions_of(meeting)
    # Not 1/12/2026 (the day before the session they were collected for), and not before the extraordinary one.
    assert by[ROAD].due_on == by[RAIL].due_on == DUE
    assert by[ROAD].deadlines.get().due_on == DUE


def test_a_petition_answered_at_the_meeting_stays_closed(council, meeting):
    water = petitions_of(meeting)[WATER]
    assert water.status == Case.Status.CLOSED and water.due_on is None
    with pytest.raises(services.PetitionError) as refused:
        voter_petitions.compile_session(council["staff"], council["fifth"], assignments={water.pk: council["ubnd"]})
    assert refused.value.code == "bad_state"
    water.refresh_from_db()
    assert water.status == Case.Status.CLOSED and water.agency_id is None
    assert not PetitionCompilation.objects.exists()


def test_from_collection_to_the_answer_reported_at_the_next_session(council, meeting):
    staff, fifth, sixth = council["staff"], council["fifth"], council["sixth"]
    by = petitions_of(meeting)

    # Compiled by delegate group with the Front's summary (text and file); each pending petition gets its body.
    compilation = voter_petitions.compile_session(
        staff, fifth, front_summary="Ủy ban MTTQ tỉnh tổng hợp 3 ý kiến, kiến nghị của cử tri trước kỳ họp thứ năm.",
        front_file=(png_bytes(), "bao-cao-mttq.png"),
        assignments={by[ROAD].pk: council["ubnd"], by[RAIL].pk: council["delegation"]})
    assert compilation.front_file and compilation.front_file_name == "bao-cao-mttq.png"
    groups = voter_petitions.by_delegate_group(fifth)
    assert [(g["group"].name, g["meetings"], len(g["petitions"])) for g in groups] == [("Tổ đại biểu số 3", 1, 3)]

    # Forwarded: one recorded forwarding per body, due 22/6/2027, reported at session 7 (not the extraordinary one).
    made = voter_petitions.forward_session(staff, fifth, note="Đề nghị trả lời trước kỳ họp thường lệ giữa năm 2027.")
    assert sorted((f.agency.name, f.transfers.count(), f.due_on, f.report_session_id) for f in made) == [
        ("Đoàn đại biểu Quốc hội tỉnh Tuyên Quang", 1, DUE, sixth.pk),
        ("Ủy ban nhân dân tỉnh Tuyên Quang", 1, DUE, sixth.pk)]
    road = Case.objects.get(pk=by[ROAD].pk)
    assert road.status == Case.Status.FORWARDED and road.agency == council["ubnd"]
    assert road.transfers.get().due_on == DUE
    assert Case.objects.get(pk=by[WATER].pk).status == Case.Status.CLOSED
    # Nothing left to forward: a second forward is refused and records nothing.
    with pytest.raises(services.PetitionError) as refused:
        voter_petitions.forward_session(staff, fifth)
    assert refused.value.code == "bad_state"
    assert PetitionForwarding.objects.count() == 2

    # The provincial People's Committee answers; the office approves and publishes.
    reply = services.answer(council["desk"], road.transfers.get(), ANSWER)
    services.review_answer(staff, reply, approve=True)
    services.publish_answer(staff, road)

    # Reported at session 7: the three petitions of session 5 with their answers; the meeting's answer too.
    summary = reports.session_summary(sixth, today=D(2027, 7, 1))
    assert [c.subject for c in summary.reported] == [ROAD, RAIL, WATER]
    assert summary.reported_totals == {"received": 3, "answered": 2, "pending": 1, "overdue": 1}
    assert reports.answer_text(summary.reported[0]) == ANSWER
    assert reports.due_text(summary.reported[1]) == "22/06/2027"
    # Session 5's own report does not claim them as answers reported there, nor does the extraordinary one's.
    assert reports.session_summary(fifth, today=D(2026, 12, 1)).reported == []
    assert reports.session_summary(council["extra"], today=D(2027, 1, 14)).reported == []

    text = pdf_text(reports.session_pdf(summary))
    assert "V. Kết quả trả lời kiến nghị cử tri gửi đến kỳ họp trước, báo cáo tại kỳ họp này" in text
    assert "Tổng số 3 kiến nghị; đã trả lời 2; đang giải quyết 1, trong đó quá hạn 1" in text
    assert "bố trí vốn năm 2027" in text and "22/06/2027" in text
    book = load_workbook(io.BytesIO(reports.session_xlsx(summary)))
    rows = [[c.value for c in row] for row in book["Báo cáo tại kỳ họp"].iter_rows(min_row=2)]
    assert [(r[2], r[5], r[6], r[8]) for r in rows][0] == (ROAD, "Ủy ban nhân dân tỉnh Tuyên Quang", "22/06/2027", ANSWER)


def test_the_due_date_follows_a_regular_session_scheduled_later(council, meeting):
    """Session 7 moved to Tuesday 1/6/2027: 10 working days back, 31/5 (1), 28 (2), 27 (3), 26 (4), 25 (5),
    24 (6), 21 (7), 20 (8), 19 (9), 18/5/2027 (10); the open forwarding follows."""
    from petitions import deadlines

    staff, fifth = council["staff"], council["fifth"]
    road = petitions_of(meeting)[ROAD]
    voter_petitions.compile_session(staff, fifth, assignments={road.pk: council["ubnd"]})
    voter_petitions.forward_session(staff, fifth)
    Session.objects.filter(pk=council["sixth"].pk).update(start_date=D(2027, 6, 1), end_date=D(2027, 6, 4))
    assert deadlines.resync_session_deadlines() == 2  # ROAD and RAIL
    road.refresh_from_db()
    assert road.due_on == road.transfers.get().due_on == D(2027, 5, 18)


def test_an_agency_of_another_session_or_an_inactive_one_is_refused(council, meeting):
    road = petitions_of(meeting)[ROAD]
    council["ubnd"].active = False
    council["ubnd"].save()
    with pytest.raises(services.PetitionError) as refused:
        voter_petitions.compile_session(council["staff"], council["fifth"], assignments={road.pk: council["ubnd"]})
    assert refused.value.code == "invalid"
    with pytest.raises(services.PetitionError) as refused:
        voter_petitions.compile_session(council["staff"], council["sixth"], assignments={road.pk: council["delegation"]})
    assert refused.value.code == "invalid"
    road.refresh_from_db()
    assert road.agency_id is None and road.status == Case.Status.RECEIVED
    assert not PetitionCompilation.objects.exists()


def test_a_delegate_may_not_compile_or_forward(council, meeting):
    with pytest.raises(services.PetitionError) as refused:
        voter_petitions.compile_session(council["alice"], council["fifth"])
    assert refused.value.code == "forbidden"
    with pytest.raises(services.PetitionError) as refused:
        voter_petitions.forward_session(council["alice"], council["fifth"])
    assert refused.value.code == "forbidden"


# ---- the office's pages ---------------------------------------------------------------------

def test_the_office_compiles_and_forwards_from_its_pages(client, council, meeting):
    by = petitions_of(meeting)
    client.force_login(council["staff"])
    register = client.get(reverse("petitions:register"))
    assert reverse("petitions:voter_sessions") in register.content.decode()
    listing = client.get(reverse("petitions:voter_sessions"))
    assert listing.status_code == 200
    assert reverse("petitions:voter_session", args=[council["fifth"].pk]) in listing.content.decode()
    url = reverse("petitions:voter_session", args=[council["fifth"].pk])
    page = client.get(url).content.decode()
    assert "Tổ đại biểu số 3" in page and f'name="agency-{by[ROAD].pk}"' in page
    assert f'name="agency-{by[WATER].pk}"' not in page  # answered at the meeting: nothing to assign

    # An agency id that is not an active agency: refused, nothing saved.
    bad = client.post(url, {"action": "compile", f"agency-{by[ROAD].pk}": "999999"})
    assert bad.status_code == 400 and not PetitionCompilation.objects.exists()

    done = client.post(url, {"action": "compile", "front_summary": "Báo cáo của Ủy ban MTTQ tỉnh.",
                             f"agency-{by[ROAD].pk}": str(council["ubnd"].pk),
                             f"agency-{by[RAIL].pk}": str(council["delegation"].pk)})
    assert done.status_code == 302
    client.post(url, {"action": "forward", "note": ""})
    assert Transfer.objects.filter(forwarding__compilation__session=council["fifth"]).count() == 2
    page = client.get(url).content.decode()
    assert "22/06/2027" in page and "Kỳ họp thứ bảy" in page


def test_the_compile_pages_are_for_petition_staff_only(client, council, meeting):
    client.force_login(council["alice"])
    assert client.get(reverse("petitions:voter_sessions")).status_code == 403
    response = client.post(reverse("petitions:voter_session", args=[council["fifth"].pk]), {"action": "forward"})
    assert response.status_code == 403
    assert not PetitionForwarding.objects.exists()
