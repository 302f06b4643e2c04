"""Denunciations as Luật Tố cáo 2018 says (issue 12, item 5) and the smaller errors (item 6), each with a
worked example. Cases are received through the services; where a hand-counted date is needed, the case's
day of receipt is set to a fixed day before the step that depends on it.

- art. 24(1): 7 working days to accept, 10 only when it must be checked at several places;
- art. 24(2): outside competence, forwarded within 5 working days of receipt, the denouncer notified;
- art. 25: an anonymous or pseudonymous letter is information, never a denunciation with a deadline;
- art. 29: after acceptance, the denouncer and the accused party are notified;
- a complaint set to second instance follows the second-instance rule (Luật Khiếu nại art. 37);
- a forwarded case's agency counts from its own receipt and acceptance;
- one definition of "on time" for the dashboard, the statistics and the session report.
"""

import datetime as dt

import pytest
from django.utils import timezone

from accounts import permissions as perms
from petitions import codes, deadlines, reports, services, views_dashboard
from petitions.models import Case, Deadline, DeadlineRule, VoterMeeting

from .service_fixtures import WHO, letter, media_folder, people, redact  # noqa: F401  (fixtures)

D = dt.date
pytestmark = pytest.mark.django_db


def received_on(case, day: dt.date):
    """The case was received on `day` (09:00): its receipt and its open steps start then."""
    Case.objects.filter(pk=case.pk).update(received_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))))
    case.deadlines.filter(met_at__isnull=True).update(starts_on=day)
    case.refresh_from_db()
    deadlines.recompute_open(case)
    return case


def denunciation(**kw):
    return letter(None, kind="denunciation", subject="Tố cáo cán bộ địa chính xã nhận tiền",
                  content="Cán bộ địa chính xã Tràng Đà nhận tiền của người dân để làm sổ đỏ nhanh, có biên nhận.", **kw)


# ---- item 5: denunciations -----------------------------------------------------------------------

def test_acceptance_takes_10_working_days_only_when_checked_at_several_places(people):
    case = received_on(denunciation(), D(2026, 3, 2))
    # Monday 2/3/2026 + 7 working days = Wednesday 11/3, complex or not.
    services.classify(people["staff"], case, complexity="very_complex")
    assert case.deadlines.get(step="denunciation.accept").due_on == D(2026, 3, 11)
    # The art. 24(1) ground: + 10 working days = Monday 16/3.
    services.classify(people["staff"], case, multi_site=True)
    assert case.deadlines.get(step="denunciation.accept").due_on == D(2026, 3, 16)


def test_outside_competence_forwarded_within_5_working_days_and_the_denouncer_notified(people):
    staff = people["staff"]
    case = received_on(denunciation(), D(2026, 8, 20))
    redact(people, case)
    case = services.decide(staff, case, decision="forward", agency=people["env"], note="Chuyển Sở TN&MT theo thẩm quyền.")
    # Received Thursday 20/8/2026: 5 working days = 21 (1), 24 (2), 25 (3), 26 (4), Thursday 27/8 (5).
    forward = case.deadlines.get(step="denunciation.forward")
    assert (forward.starts_on, forward.due_on) == (D(2026, 8, 20), D(2026, 8, 27)) and forward.met_at is not None
    assert "Điều 24 khoản 2" in forward.rule.law
    notice = case.deadlines.get(step="denunciation.forward_notice")
    assert (notice.due_on, notice.met_at) == (D(2026, 8, 27), None)
    assert not case.deadlines.filter(step="denunciation.accept", starts_on=D(2026, 8, 20)).exists()
    # The agency's own acceptance counts from its receipt (today), not what was left of the office's.
    agency_accept = case.deadlines.get(step="denunciation.accept")
    assert agency_accept.starts_on == timezone.localdate() and agency_accept.met_at is None

    with pytest.raises(services.PetitionError) as named:
        services.record_denouncer_notice(staff, case, f"Đã báo ông {WHO['full_name']}")
    assert named.value.code == "identity_in_note"
    services.record_denouncer_notice(staff, case, "Thông báo số 21/TB-HĐND ngày 25/8/2026")
    notice.refresh_from_db()
    assert notice.met_at is not None
    stone = case.milestones.get(kind="notified")
    assert "chuyển tố cáo" in stone.text and WHO["full_name"] not in stone.text


def test_an_anonymous_letter_is_information_not_a_denunciation(people):
    staff = people["staff"]
    case = denunciation(anonymous=True, identity={})
    assert case.information_only and case.identity_protected
    assert not case.deadlines.exists() and case.due_on is None  # no time limit of the law on denunciations
    with pytest.raises(services.PetitionError) as accepted:
        services.decide(staff, case, decision="accept", note="Nêu rõ người vi phạm, có biên nhận.")
    assert accepted.value.code == "information_only"
    with pytest.raises(services.PetitionError) as bare:
        services.decide(staff, case, decision="forward", agency=people["env"])
    assert bare.value.code == "evidence_required"
    case.refresh_from_db()
    assert case.status == "received" and not case.transfers.exists()

    redact(people, case)
    case = services.decide(staff, case, decision="forward", agency=people["env"],
                           note="Nêu rõ cán bộ địa chính xã Tràng Đà, có biên nhận: chuyển để thanh tra, kiểm tra.")
    transfer = case.transfers.get()
    assert case.status == "forwarded" and transfer.due_on is None and not case.deadlines.exists()
    assert "thanh tra, kiểm tra" in case.milestones.get(kind="forwarded").text


def test_a_pseudonymous_denunciation_goes_the_article_25_way_and_stays_protected(people):
    staff = people["staff"]
    case = denunciation()
    assert case.deadlines.filter(step="denunciation.accept", met_at__isnull=True).exists()
    with pytest.raises(services.PetitionError) as named:
        services.treat_as_information(staff, case, f"Người ký tên {WHO['full_name']} không gửi đơn")
    assert named.value.code == "identity_in_note"
    case = services.treat_as_information(staff, case, "Xác minh: người đứng tên đơn không gửi đơn này.")
    assert case.information_only and not case.deadlines.filter(met_at__isnull=True).exists()
    with pytest.raises(services.PetitionError) as accepted:
        services.decide(staff, case, decision="accept", note="x")
    assert accepted.value.code == "information_only"
    assert perms.identity_protected(case) and not perms.may_view_identity(staff, case)


def test_acceptance_opens_the_notices_to_the_denouncer_and_to_the_accused(people):
    staff = people["staff"]
    case = services.decide(staff, denunciation(), decision="accept")
    accused = case.deadlines.get(step="denunciation.notify_accused")
    denouncer = case.deadlines.get(step="denunciation.notify")
    assert accused.due_on == denouncer.due_on and accused.met_at is None
    assert not accused.rule.verified  # the clause of art. 29 was not confirmed here
    with pytest.raises(services.PetitionError) as named:
        services.record_accused_notice(staff, case, f"Đã báo, người tố cáo là {WHO['full_name']}")
    assert named.value.code == "identity_in_note"
    services.record_accused_notice(staff, case, "Thông báo số 22/TB-HĐND ngày 2/12/2026")
    accused.refresh_from_db()
    assert accused.met_at is not None and denouncer.met_at is None
    assert not case.milestones.get(kind="accused_notified").public


# ---- item 6: the smaller errors --------------------------------------------------------------------

def complaint(staff):
    return letter(staff, kind="complaint", source="reception", subject="Khiếu nại quyết định thu hồi đất",
                  content="Tôi khiếu nại quyết định thu hồi đất số 125/QĐ-UBND vì bồi thường không đúng diện tích.")


def test_a_complaint_set_to_second_instance_follows_the_second_instance_rule(people):
    staff = people["staff"]
    case = services.decide(staff, complaint(staff), decision="accept")
    Deadline.objects.filter(case=case, step="complaint.first_instance").update(starts_on=D(2026, 3, 2))
    deadlines.recompute_open(case)
    # First instance: accepted 2/3/2026 + 30 days = Wednesday 1/4/2026 (Luật Khiếu nại art. 28).
    assert case.deadlines.get(met_at__isnull=True).due_on == D(2026, 4, 1)
    case = services.classify(staff, case, instance=2)
    # Second instance: 2/3/2026 + 45 days = Thursday 16/4/2026 (art. 37).
    step = case.deadlines.get(met_at__isnull=True)
    assert (step.step, step.due_on) == ("complaint.second_instance", D(2026, 4, 16))
    assert "Điều 37" in step.rule.law
    case.refresh_from_db()
    assert case.due_on == D(2026, 4, 16)


def test_a_forwarded_petition_does_not_inherit_what_is_left_of_the_offices_10_working_days(people):
    staff = people["staff"]
    case = received_on(letter(None), D(2026, 3, 2))
    # The office's 10 working days from Monday 2/3/2026: Monday 16/3/2026 (Luật Tiếp công dân art. 28(1)).
    assert case.deadlines.get().due_on == D(2026, 3, 16)
    case = services.decide(staff, case, decision="forward", agency=people["env"], note="Đề nghị Sở trả lời.")
    transfer = case.transfers.get()
    office, agency = case.deadlines.order_by("id")
    assert office.met_at is not None and office.due_on == D(2026, 3, 16)
    today = timezone.localdate()
    cal = deadlines.calendar()
    assert agency.starts_on == today and agency.met_at is None
    assert transfer.due_on == agency.due_on == deadlines.add_working_days(today, 10, cal.holidays, cal.working_weekends)


def test_a_forwarded_complaints_resolution_counts_from_the_agencys_acceptance(people):
    staff, desk = people["staff"], people["desk"]
    case = received_on(complaint(staff), D(2026, 3, 2))
    case = services.decide(staff, case, decision="forward", agency=people["env"], note="Chuyển Sở TN&MT.")
    transfer = case.transfers.get()
    # Sent: the agency accepts within 10 days of its receipt (Luật Khiếu nại art. 27), not from 2/3.
    receipt = case.deadlines.get(step="complaint.accept", met_at__isnull=True)
    assert receipt.starts_on == timezone.localdate() and transfer.due_on == receipt.due_on
    assert not case.deadlines.filter(step="complaint.first_instance").exists()
    services.acknowledge(desk, transfer)
    transfer.refresh_from_db()
    receipt.refresh_from_db()
    resolve = case.deadlines.get(step="complaint.first_instance")
    assert receipt.met_at is not None
    assert resolve.starts_on == timezone.localdate(transfer.acknowledged_at) and resolve.met_at is None
    assert transfer.due_on == resolve.due_on


def test_dashboard_statistics_and_session_report_agree_on_on_time(people):
    """Hand-counted on 15/6/2026, one step per voters' petition of one session:
    a due 10/6 met 9/6 (on time), b due 10/6 met 12/6 (late), c due 12/6 still open (late),
    d due 20/6 open (not judged yet), e due 30/6 met 14/6 (on time, done early): 2 of 4 = 50%.
    Before, the dashboard said 2/4 (50%) and the statistics 1/3 (33.3%, e left out)."""
    from meeting.models import Body, Session, Term

    today = D(2026, 6, 15)
    term = Term.objects.create(name="2026–2031", start=D(2026, 3, 1), end=D(2031, 3, 1))
    plenary = Body.objects.create(name="HĐND tỉnh", kind="plenary", term=term)
    group = Body.objects.create(name="Tổ đại biểu số 1", kind="standing", term=term)
    session = Session.objects.create(body=plenary, number=2, title="Kỳ họp thứ hai", start_date=D(2026, 7, 8),
                                     end_date=D(2026, 7, 10))
    meeting = VoterMeeting.objects.create(held_on=D(2026, 6, 1), place="Nhà văn hóa thôn 5", district="",
                                          delegate_group=group, session=session, when="before", voters=80)
    rule = DeadlineRule.objects.filter(step="voter_petition.answer").first()

    def step(due, met=None, status="forwarded"):
        case = Case.objects.create(tracking_code=codes.new_code(), kind="voter_petition", source="voter_meeting",
                                   subject="Kiến nghị sửa đường", content="…", meeting=meeting, status=status,
                                   received_at=timezone.make_aware(dt.datetime(2026, 6, 1, 9)),
                                   due_on=None if met else due)
        Deadline.objects.create(case=case, rule=rule, step=rule.step, starts_on=D(2026, 6, 1), due_on=due,
                                met_at=timezone.make_aware(dt.datetime.combine(met, dt.time(10))) if met else None)

    step(D(2026, 6, 10), D(2026, 6, 9), "answered")
    step(D(2026, 6, 10), D(2026, 6, 12), "answered")
    step(D(2026, 6, 12))
    step(D(2026, 6, 20))
    step(D(2026, 6, 30), D(2026, 6, 14), "answered")

    office = views_dashboard.counts(today)[None]
    dashboard_rate = deadlines.on_time_rate(office["on_time"], office["judged"])
    stats = reports.statistics(today)
    summary = reports.session_summary(session, today).on_time
    assert (office["on_time"], office["judged"]) == (2, 4)
    assert (stats["on_time_met"], stats["on_time_total"]) == (2, 4)
    assert (summary["on_time"], summary["judged"]) == (2, 4)
    assert dashboard_rate == stats["on_time_rate"] == summary["rate"] == 50.0
    assert "50.0%" in reports.on_time_sentence(summary)
    # The report's spreadsheet carries the same line.
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(reports.session_xlsx(reports.session_summary(session, today))))
    cells = [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row if cell]
    assert any("50.0%" in str(cell) and "2/4" in str(cell) for cell in cells)
