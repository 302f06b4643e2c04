"""The life cycle of each kind of case, through petitions.services only."""

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditRecord
from meeting.models import Body, Member
from petitions import services
from petitions.models import Answer, Case, Deadline, Milestone, Transfer

from .service_fixtures import letter, media_folder, people, redact  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _forward_answer_publish(people, case, text="Sở đã kiểm tra thực địa và bố trí kinh phí sửa chữa trong quý II."):
    staff, desk = people["staff"], people["desk"]
    case = services.decide(staff, case, decision="forward", agency=people["env"], note="Đề nghị Sở xem xét, trả lời.")
    transfer = case.transfers.get()
    services.acknowledge(desk, transfer)
    reply = services.answer(desk, transfer, text)
    services.review_answer(staff, reply, approve=True)
    return services.publish_answer(staff, case), transfer, reply


def _public_kinds(case):
    return list(case.milestones.filter(public=True).values_list("kind", flat=True))


def test_a_petition_from_the_web_goes_from_receipt_to_a_published_answer(people):
    case = letter(None, client="client-1")
    assert case.status == "received" and case.tracking_code
    assert case.deadlines.get().step == "petition.answer" and case.due_on is not None
    case = services.classify(people["staff"], case, field=people["land"])
    assert case.status == "classified"
    case, transfer, reply = _forward_answer_publish(people, case)
    assert case.status == "published" and case.agency == people["env"]
    # The office's 10 working days were met by the forward; the agency has 10 of its own from its receipt.
    office, agency = Deadline.objects.filter(case=case, step="petition.answer").order_by("id")
    assert office.met_at is not None and agency.starts_on == timezone.localdate(transfer.sent_at)
    assert transfer.due_on == agency.due_on
    reply.refresh_from_db()
    assert reply.review == "approved" and reply.published_at is not None
    assert not case.deadlines.filter(met_at__isnull=True).exists() and case.due_on is None
    assert _public_kinds(case) == ["received", "classified", "forwarded", "acknowledged", "answered", "published"]
    forwarded = case.milestones.get(kind="forwarded")
    assert "Sở Tài nguyên và Môi trường" in forwarded.text
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"petitions.submit", "petitions.decide", "petitions.answer", "petitions.publish_answer"} <= actions


def test_a_complaint_is_accepted_then_resolved_within_the_first_instance_limit(people):
    staff = people["staff"]
    case = letter(staff, kind="complaint", source="reception", subject="Khiếu nại quyết định thu hồi đất",
                  content="Tôi khiếu nại quyết định thu hồi đất số 125/QĐ-UBND vì bồi thường không đúng diện tích.")
    assert case.deadlines.get().step == "complaint.accept"
    case = services.classify(staff, case, field=people["land"], complexity="complex")
    case = services.decide(staff, case, decision="accept")
    assert case.status == "accepted"
    steps = dict(case.deadlines.values_list("step", "met_at"))
    assert steps["complaint.accept"] is not None and steps["complaint.first_instance"] is None
    case, transfer, _reply = _forward_answer_publish(people, case)
    # The agency's first instance counts from its acceptance (acknowledge), not from the office's.
    transfer.refresh_from_db()
    agency_step = Deadline.objects.filter(case=case, step="complaint.first_instance").order_by("id").last()
    assert transfer.due_on == agency_step.due_on
    assert case.status == "published"


def test_a_second_instance_complaint_gets_the_second_instance_step(people):
    staff = people["staff"]
    case = letter(staff, kind="complaint", source="post", subject="Khiếu nại lần hai về bồi thường",
                  content="Không đồng ý với quyết định giải quyết khiếu nại lần đầu của Chủ tịch UBND huyện.")
    case = services.classify(staff, case, instance=2)
    case = services.decide(staff, case, decision="accept")
    assert case.deadlines.filter(step="complaint.second_instance", met_at__isnull=True).exists()


def test_a_denunciation_is_accepted_forwarded_and_published_without_identity(people):
    staff = people["staff"]
    case = letter(None, kind="denunciation", subject="Tố cáo cán bộ địa chính xã nhận tiền",
                  content="Cán bộ địa chính xã Tràng Đà nhận tiền của người dân để làm sổ đỏ nhanh, có biên nhận kèm theo.")
    assert case.deadlines.get().step == "denunciation.accept"
    case = services.decide(staff, case, decision="accept")
    assert case.deadlines.filter(step="denunciation.resolve", met_at__isnull=True).exists()
    redact(people, case)  # an agency reads only the office's redacted copy
    case, _transfer, _reply = _forward_answer_publish(people, case, text="Kết luận: nội dung tố cáo đúng một phần; đã xử lý kỷ luật.")
    assert case.status == "published"
    for stone in case.milestones.all():
        assert "Lê Văn Tám" not in stone.text and "0912" not in stone.text


def test_an_anonymous_denunciation_naming_the_violator_with_evidence_is_forwarded(people):
    staff = people["staff"]
    case = letter(None, kind="denunciation", anonymous=True, subject="Tố cáo trạm trưởng trạm cân thu tiền",
                  content="Ông Trần Văn B, trạm trưởng trạm cân Km 12, thu tiền xe quá tải; kèm ảnh chụp sổ thu tiền.")
    assert case.anonymous and not hasattr(case, "identity_cache") and not Case.objects.filter(pk=case.pk, identity__isnull=False).exists()
    with pytest.raises(services.PetitionError) as refused:
        services.decide(staff, case, decision="forward", agency=people["env"])
    assert refused.value.code == "evidence_required"
    redact(people, case)
    case = services.decide(staff, case, decision="forward", agency=people["env"],
                           note="Đơn nêu rõ người vi phạm (trạm trưởng trạm cân Km 12) và có ảnh sổ thu tiền.")
    assert case.status == "forwarded" and case.transfers.count() == 1


def test_feedback_can_be_sent_anonymously_and_answered(people):
    case = letter(None, kind="feedback", anonymous=True, subject="Phản ánh đèn đường hỏng",
                  content="Đèn chiếu sáng trên đường Bình Thuận hỏng cả tháng nay, buổi tối rất tối.")
    case, _t, _r = _forward_answer_publish(people, case)
    assert case.status == "published"


def test_a_returned_answer_goes_back_to_the_agency_and_cannot_be_published(people):
    staff, desk = people["staff"], people["desk"]
    case = services.decide(staff, letter(None), decision="forward", agency=people["env"])
    transfer = case.transfers.get()
    reply = services.answer(desk, transfer, "Sở đã nhận và sẽ trả lời sau khi kiểm tra thực tế.")
    with pytest.raises(services.PetitionError) as refused:
        services.publish_answer(staff, case)
    assert refused.value.code == "bad_state"
    with pytest.raises(services.PetitionError) as refused:
        services.review_answer(staff, reply, approve=False)
    assert refused.value.code == "note_required"
    services.review_answer(staff, reply, approve=False, note="Chưa nêu thời gian sửa chữa cụ thể.")
    transfer.refresh_from_db()
    case.refresh_from_db()
    assert transfer.status == "returned" and case.status == "forwarded"
    assert not case.milestones.filter(kind="answered", public=True).exists()
    second = services.answer(desk, transfer, "Sở sẽ sửa chữa đoạn đường trước ngày 30/6, kinh phí 500 triệu đồng.")
    services.review_answer(staff, second, approve=True)
    assert services.publish_answer(staff, case).status == "published"


def test_the_agency_may_ask_for_clarification_then_answer(people):
    staff, desk = people["staff"], people["desk"]
    case = services.decide(staff, letter(None), decision="forward", agency=people["env"])
    transfer = services.ask_clarification(desk, case.transfers.get(), "Đề nghị cho biết vị trí cụ thể của đoạn sạt lở.")
    assert transfer.status == "clarification" and "vị trí" in transfer.clarification
    reply = services.answer(desk, transfer, "Sở đã xác định vị trí và lập phương án sửa chữa khẩn cấp.")
    assert reply.review == "pending"


def test_not_eligible_needs_a_coded_reason_and_keeps_the_case(people):
    staff = people["staff"]
    case = letter(None)
    with pytest.raises(services.PetitionError) as refused:
        services.decide(staff, case, decision="not_eligible")
    assert refused.value.code == "reason_required"
    case = services.decide(staff, case, decision="not_eligible", reason="already_settled", note="Đã trả lời năm 2025.")
    assert case.status == "not_eligible" and case.reason == "already_settled"
    assert Case.objects.filter(pk=case.pk).exists()
    stone = case.milestones.get(kind="not_eligible")
    assert stone.public and "Đã được giải quyết đúng pháp luật" in stone.text
    assert not case.deadlines.filter(met_at__isnull=True).exists()


def test_guide_needs_a_note(people):
    staff = people["staff"]
    case = letter(None)
    with pytest.raises(services.PetitionError) as refused:
        services.decide(staff, case, decision="guide")
    assert refused.value.code == "note_required"
    case = services.decide(staff, case, decision="guide", note="Hướng dẫn công dân gửi đơn đến UBND huyện Yên Sơn.")
    assert case.status == "guided" and case.decision_note.startswith("Hướng dẫn")


def test_a_complaint_can_be_withdrawn_and_then_nothing_more_happens(people):
    staff = people["staff"]
    case = letter(staff, kind="complaint", source="reception", subject="Khiếu nại về tiền bồi thường",
                  content="Tôi khiếu nại việc chậm chi trả tiền bồi thường giải phóng mặt bằng dự án đường tránh.")
    case = services.decide(staff, case, decision="accept")
    case = services.withdraw(staff, case, "Đơn rút đơn ngày 05/3, nộp trực tiếp tại Ban Tiếp công dân.")
    assert case.status == "withdrawn" and case.milestones.filter(kind="withdrawn", public=True).exists()
    assert not case.deadlines.filter(met_at__isnull=True).exists()
    with pytest.raises(services.PetitionError) as refused:
        services.decide(staff, case, decision="forward", agency=people["env"])
    assert refused.value.code == "bad_state"


def test_answering_a_closed_case_is_out_of_turn(people):
    staff, desk = people["staff"], people["desk"]
    case, transfer, _reply = _forward_answer_publish(people, letter(None))
    with pytest.raises(services.PetitionError) as refused:
        services.answer(desk, transfer, "Một trả lời nữa cho đơn đã công khai kết quả giải quyết.")
    assert refused.value.code == "bad_state"
    assert Answer.objects.filter(case=case).count() == 1
    case = services.mark_unsatisfactory(staff, case, questioning_candidate=True)
    assert case.unsatisfactory and case.questioning_candidate


def test_a_denunciation_deadline_extends_at_most_the_rules_times(people):
    staff = people["staff"]
    case = letter(None, kind="denunciation", subject="Tố cáo sai phạm trong đấu thầu",
                  content="Tố cáo Ban quản lý dự án huyện chia nhỏ gói thầu để chỉ định thầu, có hồ sơ kèm theo.")
    case = services.classify(staff, case, complexity="very_complex")
    case = services.decide(staff, case, decision="accept")
    first = case.deadlines.get(step="denunciation.resolve").due_on
    d1 = services.extend_deadline(staff, case, "Quyết định gia hạn số 12/QĐ ngày 01/4.")
    d2 = services.extend_deadline(staff, case, "Quyết định gia hạn số 20/QĐ ngày 01/5.")
    assert d1.due_on > first and d2.due_on > d1.due_on and d2.extensions == 2
    with pytest.raises(services.PetitionError) as refused:
        services.extend_deadline(staff, case, "Quyết định gia hạn lần ba.")
    assert refused.value.code == "extension_refused"


def test_a_voter_meeting_records_its_petitions_on_the_spot_or_pending(people, sitting):
    group = Body.objects.filter(kind="group").first()
    secretary_delegate = Member.objects.filter(delegate_group=group).first().user
    meeting = services.record_voter_meeting(
        secretary_delegate, held_on=timezone.localdate() - dt.timedelta(days=2), place="Nhà văn hóa thôn 3",
        commune="Xã Yên Sơn", delegate_group=group, session=sitting.session, when="before",
        voters=120, delegates=list(Member.objects.filter(delegate_group=group)[:2]),
        petitions=[
            {"subject": "Đề nghị nâng cấp trạm y tế xã", "content": "Trạm y tế xuống cấp.", "field": people["health"],
             "level": "province", "answered_on_spot": False},
            {"subject": "Chế độ cho người có công", "level": "central", "answered_on_spot": False},
            {"subject": "Lịch cắt điện", "level": "commune", "answered_on_spot": True,
             "answer_text": "Điện lực huyện đã thông báo lịch cắt điện trên loa truyền thanh xã."},
        ])
    cases = list(meeting.petitions.order_by("id"))
    assert [c.kind for c in cases] == ["voter_petition"] * 3 and {c.source for c in cases} == {"voter_meeting"}
    assert [c.level for c in cases] == ["province", "central", "commune"]
    pending, _central, spot = cases
    assert pending.status == "received" and pending.deadlines.get().step == "voter_petition.answer"
    assert spot.status == "closed" and spot.answered_on_spot
    assert spot.answers.get().review == "approved" and not spot.deadlines.exists()
    assert meeting.delegates.count() == 2
    # A delegate of another group may not enter this group's meeting.
    stranger = Member.objects.exclude(delegate_group=group).filter(delegate_group__isnull=False).first().user
    with pytest.raises(services.PetitionError) as refused:
        services.record_voter_meeting(stranger, held_on=timezone.localdate(), place="Nhà văn hóa", commune="Xã Yên Sơn",
                                      delegate_group=group, session=sitting.session, when="after", petitions=[])
    assert refused.value.code == "forbidden"


def test_a_pending_voter_petition_is_forwarded_and_answered(people, sitting):
    group = Body.objects.filter(kind="group").first()
    meeting = services.record_voter_meeting(
        people["staff"], held_on=timezone.localdate(), place="Hội trường UBND xã", commune="Xã Yên Sơn",
        delegate_group=group, session=sitting.session, when="after",
        petitions=[{"subject": "Ô nhiễm từ bãi rác", "content": "Bãi rác thôn 7 gây ô nhiễm nguồn nước.", "level": "province"}])
    case, transfer, _reply = _forward_answer_publish(people, meeting.petitions.get())
    transfer.refresh_from_db()
    assert case.status == "published" and transfer.status == Transfer.Status.ACCEPTED


def test_subscribers_get_public_steps_by_email_once_confirmed(people, mailoutbox, django_capture_on_commit_callbacks):
    case = letter(None)
    with django_capture_on_commit_callbacks(execute=True):
        sub = services.subscribe(case, "Theo.Doi@Example.vn")
    assert len(mailoutbox) == 1 and f"/public/letters/subscribe/{sub.token}/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.classify(people["staff"], case, field=people["land"])
    assert len(mailoutbox) == 1  # not confirmed yet: nothing
    services.confirm_subscription(sub.token)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(people["staff"], case, decision="forward", agency=people["env"])
    assert len(mailoutbox) == 2
    mail = mailoutbox[1]
    assert mail.to == ["theo.doi@example.vn"] and case.tracking_code in mail.body and "Lê Văn Tám" not in mail.body
    assert Milestone.objects.filter(case=case, kind="forwarded").exists()
    with pytest.raises(services.PetitionError) as refused:
        services.confirm_subscription("not-a-token")
    assert refused.value.code == "not_found"


def test_the_demo_register_has_every_kind_and_state(sitting, media_folder):  # noqa: F811
    from petitions.demo import load_demo_petitions
    from petitions.models import VoterMeeting

    load_demo_petitions(sitting.session)
    load_demo_petitions(sitting.session)  # a second run changes nothing
    assert set(Case.objects.values_list("kind", flat=True)) == set(Case.Kind.values)
    assert {"published", "answered", "forwarded", "guided", "not_eligible", "duplicate", "withdrawn", "received",
            "closed"} <= set(Case.objects.values_list("status", flat=True))
    assert VoterMeeting.objects.get().petitions.count() == 4
    denounced = Case.objects.filter(kind="denunciation", anonymous=False).get()
    name = denounced.identity.full_name
    assert name and not any(name in t.note for t in Transfer.objects.all())
