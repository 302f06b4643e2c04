"""A denouncer's identity follows the identity, never the case's current kind (issue 8, items 1-3).

Personas (tests/petitions/service_fixtures.py):
- staff    — "donthu", petition officer WITHOUT the identity right: the attacker of the issue;
- guardian — "baomat", petition officer who holds petitions.view_denouncer_identity;
- desk     — "sotnmt", works the desk of Sở Tài nguyên và Môi trường.
The denouncer is Nguyễn Văn Tố, who writes his own name, ID number and phone into the letter.
"""

import json

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditRecord
from library.text import fold
from petitions import notify, services
from petitions.models import Agency, Case, IdentityRead

from .service_fixtures import media_folder, people, png_bytes  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

TO = {"full_name": "Nguyễn Văn Tố", "id_number": "038190001234", "phone": "0987654321",
      "email": "nvto@example.vn", "address": "Xóm Đồi Chè, xã Tân Tiến"}
LETTER = ("Tôi là Nguyễn Văn Tố, CCCD 038190001234, điện thoại 0987.654.321, trú tại Xóm Đồi Chè, xã Tân Tiến. "
          "Tôi tố cáo ông trưởng thôn Khuôn Hẻ thu tiền đóng góp xây nhà văn hóa trái quy định, mỗi hộ 2 triệu đồng.")
REDACTED = ("Người tố cáo (thông tin đã được che) tố cáo ông trưởng thôn Khuôn Hẻ thu tiền đóng góp xây nhà văn hóa "
            "trái quy định, mỗi hộ 2 triệu đồng.")
SUBJECT = "Tố cáo trưởng thôn Khuôn Hẻ thu tiền trái quy định"


def denunciation(**kw):
    kw.setdefault("files", [(png_bytes(), "don-viet-tay.png", True), (png_bytes(), "bien-lai.png", False)])
    return services.submit(None, kind="denunciation", source="web", subject=SUBJECT, content=LETTER,
                           identity=dict(TO), district="Huyện Yên Sơn", **kw)


def needles():
    """The denouncer in the spellings a leak could take."""
    return [TO["full_name"], fold(TO["full_name"]), TO["phone"], "0987.654.321", TO["id_number"], TO["email"],
            TO["address"]]


def assert_clean(text, where):
    folded = fold(text)
    for needle in needles():
        assert fold(needle) not in folded, f"{needle!r} on {where}"


def page(client, user, url, method="get", data=None):
    client.force_login(user)
    response = getattr(client, method)(url, data or {})
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return response.status_code, body.decode("utf-8", errors="replace")


# ---- 1. reclassifying a denunciation ----------------------------------------------------------------

def test_changing_a_denunciation_away_needs_the_identity_right(people):
    case = denunciation()
    for kind in ("complaint", "petition", "feedback"):
        with pytest.raises(services.PetitionError) as refused:
            services.classify(people["staff"], case, kind=kind, kind_reason="Thực chất là kiến nghị")
        assert refused.value.code == "needs_identity_right"
    case.refresh_from_db()
    assert case.kind == "denunciation"
    assert AuditRecord.objects.filter(action="petitions.classify", outcome="needs_identity_right",
                                      user=people["staff"]).count() == 3


def test_changing_a_denunciation_away_is_its_own_audited_decision_with_a_reason(people):
    case = denunciation()
    with pytest.raises(services.PetitionError) as refused:
        services.classify(people["guardian"], case, kind="complaint")
    assert refused.value.code == "reason_required"
    services.classify(people["guardian"], case, kind="complaint", kind_reason="Người gửi khiếu nại quyết định của UBND xã")
    row = AuditRecord.objects.get(action="petitions.reclassify_denunciation")
    assert row.user == people["guardian"] and row.detail["to"] == "complaint"
    assert row.detail["reason"].startswith("Người gửi khiếu nại")


def test_a_former_denunciation_still_hides_its_denouncer_from_an_officer_without_the_right(client, people):
    case = denunciation()
    services.classify(people["guardian"], case, kind="petition", kind_reason="Nội dung là kiến nghị")
    status, body = page(client, people["staff"], reverse("petitions:case", args=[case.pk]))
    assert status == 200
    assert_clean(body, "the case page of a former denunciation")
    scan = case.files.get(original_name="don-viet-tay.png")
    status, body = page(client, people["staff"], reverse("petitions:case_file", args=[case.pk, scan.pk]))
    assert status == 403
    with pytest.raises(services.PetitionError):
        services.reveal_identity(people["staff"], case, purpose="Liên hệ", where="office.case")
    # The guardian still reads it, and the read is logged as a denouncer's.
    services.reveal_identity(people["guardian"], case, purpose="Thông báo thụ lý", where="office.case")
    assert IdentityRead.objects.filter(case=case, user=people["guardian"]).count() == 1


def test_a_former_denunciation_is_never_public(client, people):
    case = denunciation()
    services.classify(people["guardian"], case, kind="feedback", kind_reason="Nội dung là phản ánh")
    services.prepare_redacted_copy(people["guardian"], case, subject=SUBJECT, content=REDACTED)
    services.decide(people["staff"], case, decision="forward", agency=people["env"])
    reply = services.answer(people["desk"], case.transfers.get(), "UBND xã đã kiểm tra, yêu cầu trưởng thôn trả lại tiền.")
    services.review_answer(people["staff"], reply, approve=True)
    services.publish_answer(people["staff"], case)
    client.logout()
    for url in (reverse("petitions:open311_requests", args=["json"]), reverse("petitions:api_cases"),
                reverse("petitions:answers")):
        body = client.get(url).content.decode()
        assert case.tracking_code not in body and "Khuôn Hẻ" not in body, url
    detail = client.get(reverse("petitions:open311_request", args=[case.tracking_code, "json"]))
    assert detail.status_code == 404 and "Khuôn Hẻ" not in detail.content.decode()


def test_a_sender_who_filed_a_denunciation_keeps_that_protection_on_other_letters(client, people):
    denunciation()
    other = services.submit(None, kind="petition", source="web", subject="Đề nghị sửa cầu treo qua suối Khuôn Hẻ",
                            content="Cầu treo qua suối Khuôn Hẻ đã hỏng, đề nghị sửa chữa trước mùa mưa.",
                            identity={"full_name": "NGUYEN VAN TO", "phone": "+84 987 654 321"})
    status, body = page(client, people["staff"], reverse("petitions:case", args=[other.pk]))
    assert status == 200 and "NGUYEN VAN TO" not in body
    with pytest.raises(services.PetitionError):
        services.reveal_identity(people["staff"], other, purpose="Trả lời công dân", where="office.case")


def test_a_denouncers_later_letter_is_never_public(client, people):
    # The same sender files feedback (a public kind) that names them as the denouncer: the API, the export
    # and the answers page ask the one rule (the sender filed a denunciation), not the letter's own kind.
    denunciation()
    later = services.submit(None, kind="feedback", source="web", subject="Phản ánh tiếp về trưởng thôn Khuôn Hẻ",
                            content="Tôi là người đã tố cáo trưởng thôn Khuôn Hẻ; đến nay ông ấy vẫn thu tiền các hộ.",
                            identity={"full_name": "Nguyen Van To", "phone": "+84 987 654 321"})
    plain = services.submit(None, kind="feedback", source="web", subject="Phản ánh đèn đường thôn 3 bị hỏng",
                            content="Đèn đường thôn 3 đã hỏng hai tháng nay, đề nghị sửa chữa.",
                            identity={"full_name": "Trần Thị Lành", "phone": "0911222333"})
    services.classify(people["staff"], later, kind="petition")
    services.prepare_redacted_copy(people["guardian"], later, subject=later.subject, content=later.content)
    services.decide(people["staff"], later, decision="forward", agency=people["env"])
    reply = services.answer(people["desk"], later.transfers.get(), "UBND xã đã kiểm tra và yêu cầu dừng thu tiền.")
    services.review_answer(people["staff"], reply, approve=True)
    services.publish_answer(people["staff"], later)
    client.logout()
    body = client.get(reverse("petitions:open311_requests", args=["json"])).content.decode()
    assert plain.tracking_code in body  # the API itself works
    for url in (reverse("petitions:open311_requests", args=["json"]), reverse("petitions:api_cases"),
                reverse("petitions:answers")):
        body = client.get(url).content.decode()
        assert later.tracking_code not in body and "Khuôn Hẻ" not in body, url
    assert client.get(reverse("petitions:open311_request", args=[later.tracking_code, "json"])).status_code == 404


LATER = ("Tôi là Nguyễn Văn Tố, điện thoại 0987 654 321, người đã tố cáo trưởng thôn Khuôn Hẻ. Đề nghị làm rõ "
         "khoản thu đóng góp xây nhà văn hóa thôn năm 2026.")


def _later_letter(subject="Kiến nghị làm rõ khoản thu xây nhà văn hóa thôn Khuôn Hẻ"):
    """The denouncer writes again, a petition this time, naming himself in it."""
    return services.submit(None, kind="petition", source="web", subject=subject, content=LATER,
                           identity={"full_name": "Nguyễn Văn Tố", "phone": "0987654321"},
                           files=[(png_bytes(), "don-lan-hai.png", False)])


def test_a_denouncers_later_letter_shows_officers_without_the_right_neither_its_words_nor_its_scans(client, people):
    denunciation()
    later = _later_letter()
    status, body = page(client, people["staff"], reverse("petitions:case", args=[later.pk]))
    assert status == 200
    assert_clean(body, "the case page of a denouncer's later letter")
    scan = later.files.get()
    assert page(client, people["staff"], reverse("petitions:case_file", args=[later.pk, scan.pk]))[0] == 403
    _status, body = page(client, people["staff"], reverse("petitions:register") + "?q=nha+van+hoa+thon+nam+2026")
    assert later.tracking_code not in body


def test_a_denouncers_later_letter_whose_summary_names_him_is_shielded_at_intake(people):
    denunciation()
    later = _later_letter(subject="Nguyễn Văn Tố kiến nghị làm rõ khoản thu")
    assert "Tố" not in later.subject and "Nguyễn Văn Tố kiến nghị" in later.content


@pytest.mark.parametrize("how", ["filed", "classified"])
def test_an_earlier_letter_whose_summary_names_the_denouncer_is_shielded_once_he_denounces(client, people, how):
    earlier = _later_letter(subject="Nguyễn Văn Tố kiến nghị làm rõ khoản thu")  # before any denunciation
    assert earlier.subject.startswith("Nguyễn Văn Tố")
    if how == "filed":
        denunciation()
    else:
        letter = services.submit(None, kind="complaint", source="web", subject=SUBJECT, content=LETTER,
                                 identity=dict(TO))
        services.classify(people["staff"], letter, kind="denunciation")
    earlier.refresh_from_db()
    assert "Tố" not in earlier.subject and "Nguyễn Văn Tố kiến nghị" in earlier.content
    _status, body = page(client, people["staff"], reverse("petitions:register"))
    assert_clean(body, "the register")


def test_a_denouncers_later_letter_reaches_the_agency_only_as_a_redacted_copy(client, people,
                                                                            django_capture_on_commit_callbacks):
    env = people["env"]
    Agency.objects.filter(pk=env.pk).update(channel="email", email="vanthu@stnmt.example.vn")
    env.refresh_from_db()
    denunciation()
    later = _later_letter()
    with pytest.raises(services.PetitionError) as refused:
        services.decide(people["staff"], later, decision="forward", agency=env)
    assert refused.value.code == "redaction_required"
    services.prepare_redacted_copy(people["guardian"], later, subject="Kiến nghị làm rõ khoản thu xây nhà văn hóa",
                                   content="Người gửi (thông tin đã che) đề nghị làm rõ khoản thu đóng góp xây nhà "
                                           "văn hóa thôn năm 2026.")
    with pytest.raises(services.PetitionError) as refused:
        services.decide(people["staff"], later, decision="forward", agency=env, note="Người gửi: ông Tố, đt 0987.654.321")
    assert refused.value.code == "identity_in_note"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(people["staff"], later, decision="forward", agency=env, note="Đề nghị trả lời.")
    assert len(mail.outbox) == 1
    assert_clean(mail.outbox[0].body, "the agency's e-mail")
    transfer = later.transfers.get()
    status, body = page(client, people["desk"], reverse("petitions:agency_transfer", args=[transfer.pk]))
    assert status == 200 and "làm rõ khoản thu" in body
    assert_clean(body, "the agency's desk page")
    assert_clean(page(client, people["desk"], reverse("petitions:agency_desk"))[1], "the agency's desk list")
    assert page(client, people["desk"], reverse("petitions:agency_file",
                                                args=[transfer.pk, later.files.get().pk]))[0] in (403, 404)


def test_the_register_search_does_not_find_a_denunciation_by_its_denouncers_name_without_the_right(client, people):
    case = denunciation()
    _status, body = page(client, people["staff"], reverse("petitions:register") + "?q=Nguyen+Van+To")
    assert case.tracking_code not in body
    _status, body = page(client, people["guardian"], reverse("petitions:register") + "?q=Nguyen+Van+To")
    assert case.tracking_code in body


# ---- 2. the duplicate finder ----------------------------------------------------------------------

def _same_sender_letter(client, user):
    client.force_login(user)
    response = client.post(reverse("petitions:reception"), {
        "source": "reception", "kind": "petition", "subject": "Đề nghị sửa cầu treo qua suối Khuôn Hẻ",
        "content": "Cầu treo qua suối Khuôn Hẻ đã hỏng, đề nghị sửa chữa trước mùa mưa.",
        "full_name": "Nguyễn Văn Tố", "phone": "0987 654 321"})
    assert response.status_code == 302
    return Case.objects.get(kind="petition")


def test_the_duplicate_finder_does_not_link_a_sender_to_their_denunciation(client, people):
    accused = denunciation()
    new = _same_sender_letter(client, people["staff"])
    status, body = page(client, people["staff"], reverse("petitions:case", args=[new.pk]) + "?new=1")
    assert status == 200
    assert accused.tracking_code not in body and "cùng người gửi" not in body and "thu tiền" not in body
    assert f'name="original" value="{accused.pk}"' not in body
    assert "Có thể trùng đơn; hãy hỏi cán bộ có quyền xem thông tin người tố cáo" in body
    # The guardian sees the link, and may act on it.
    _status, body = page(client, people["guardian"], reverse("petitions:case", args=[new.pk]))
    assert accused.tracking_code in body and "cùng người gửi" in body


def test_the_duplicate_finder_shows_a_denunciation_to_a_plain_officer_only_masked(people):
    accused = denunciation()
    other = services.submit(None, kind="petition", source="web", subject="Đề nghị sửa cầu treo qua suối Khuôn Hẻ",
                            content="Cầu treo qua suối Khuôn Hẻ đã hỏng, đề nghị sửa chữa trước mùa mưa.",
                            identity={"full_name": "Nguyễn Văn Tố", "email": "nvto@example.vn"})
    masked = services.duplicates_for(people["staff"], other)
    assert masked and all(d["case"] is None for d in masked)
    shown = services.duplicates_for(people["guardian"], other)
    assert [d["case"].pk for d in shown] == [accused.pk]


def test_linking_a_duplicate_to_a_protected_case_needs_the_identity_right(people):
    accused = denunciation()
    other = services.submit(None, kind="petition", source="web", subject="Đề nghị sửa cầu treo qua suối Khuôn Hẻ",
                            content="Cầu treo qua suối Khuôn Hẻ đã hỏng, đề nghị sửa chữa trước mùa mưa.",
                            identity={"full_name": "Trần Văn Khác", "phone": "0911000222"})
    with pytest.raises(services.PetitionError) as refused:
        services.mark_duplicate(people["staff"], other, accused)
    assert refused.value.code == "needs_identity_right"
    other.refresh_from_db()
    assert other.status == "received"


# ---- 3. what reaches the agency -------------------------------------------------------------------

def test_a_denunciation_is_forwarded_only_once_the_office_prepared_a_redacted_copy(people):
    case = denunciation()
    with pytest.raises(services.PetitionError) as refused:
        services.decide(people["staff"], case, decision="forward", agency=people["env"])
    assert refused.value.code == "redaction_required" and not case.transfers.exists()


def test_only_the_identity_right_prepares_the_redacted_copy(people):
    case = denunciation()
    with pytest.raises(services.PetitionError) as refused:
        services.prepare_redacted_copy(people["staff"], case, subject=SUBJECT, content=REDACTED)
    assert refused.value.code == "needs_identity_right"


SPELLINGS = ["Người tố cáo là Nguyễn Văn Tố.", "Người tố cáo là NGUYEN VAN TO.", "liên hệ nguyễn  văn   tố",
             "điện thoại 0987.654.321", "điện thoại 0987 654 321", "điện thoại +84 987 654 321",
             "điện thoại (+84) 987-654-321", "CCCD 0381 9000 1234", "CCCD 038.190.001.234", "email NVTO@Example.vn",
             "ở xóm Đồi Chè, xã Tân Tiến",
             # Separators the first check missed, invisible and full-width digits, look-alike letters, a
             # name typed as combining marks (Unikey's composite Unicode), an e-mail written out.
             "điện thoại 0987,654,321", "điện thoại 0987_654_321", "điện thoại 0987–654–321",
             "điện thoại 0987·654·321", "đt 0987\u200b654\u200b321", "đt ０９８７６５４３２１", "CCCD 038,190,001,234",
             "CCCD 038–190–001–234", "người tố cáo là Nguyễn Văn T\u043e", "người tố cáo là Nguyê\u0303n Văn Tô\u0301",
             "email nvto (a còng) example chấm vn"]


@pytest.mark.parametrize("leak", SPELLINGS)
def test_the_redacted_copy_is_checked_for_the_denouncer_in_any_spelling(people, leak):
    case = denunciation()
    with pytest.raises(services.PetitionError) as refused:
        services.prepare_redacted_copy(people["guardian"], case, subject=SUBJECT, content=REDACTED + " " + leak)
    assert refused.value.code == "identity_in_redaction"
    assert not Case.objects.filter(pk=case.pk, redacted_copy__isnull=False).exists()
    with pytest.raises(services.PetitionError):
        services.decide(people["staff"], case, decision="forward", agency=people["env"])


@pytest.mark.parametrize("leak", SPELLINGS)
def test_the_covering_note_is_checked_for_the_denouncer_in_any_spelling(people, leak):
    case = denunciation()
    services.prepare_redacted_copy(people["guardian"], case, subject=SUBJECT, content=REDACTED)
    with pytest.raises(services.PetitionError) as refused:
        services.decide(people["staff"], case, decision="forward", agency=people["env"], note="Đề nghị xác minh. " + leak)
    assert refused.value.code == "identity_in_note" and not case.transfers.exists()


def test_a_plain_text_without_the_denouncer_passes_the_check(people):
    case = denunciation()
    services.prepare_redacted_copy(people["guardian"], case, subject=SUBJECT, content=REDACTED + " Điện thoại trụ sở "
                                   "UBND xã: 0207 3822 111; năm 2026, 45 hộ.")
    case = services.decide(people["staff"], case, decision="forward", agency=people["env"],
                           note="Đề nghị xác minh, giữ bí mật người tố cáo.")
    assert case.status == "forwarded"


def test_the_agency_gets_only_the_redacted_copy_by_desk_email_and_webhook(client, people,
                                                                         django_capture_on_commit_callbacks):
    env = people["env"]
    Agency.objects.filter(pk=env.pk).update(channel="email", email="vanthu@stnmt.example.vn")
    case = denunciation()
    services.prepare_redacted_copy(people["guardian"], case, subject=SUBJECT, content=REDACTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the agency is told after the forward commits
        services.decide(people["staff"], case, decision="forward", agency=Agency.objects.get(pk=env.pk))
    transfer = case.transfers.get()
    [message] = mail.outbox
    assert "trưởng thôn Khuôn Hẻ" in message.body
    assert_clean(message.subject + message.body, "the agency's email")
    webhook = json.dumps(notify.payload(transfer), ensure_ascii=False)
    assert "trưởng thôn Khuôn Hẻ" in webhook
    assert_clean(webhook, "the webhook body")
    seen = services.forwarded_content(people["desk"], transfer)
    assert seen["content"] == REDACTED and seen["files"] == []  # scans of a denunciation are identifying
    for url in (reverse("petitions:agency_desk"), reverse("petitions:agency_transfer", args=[transfer.pk])):
        status, body = page(client, people["desk"], url)
        assert status == 200
        assert_clean(body, url)
    for f in case.files.all():
        status, _body = page(client, people["desk"], reverse("petitions:agency_file", args=[transfer.pk, f.pk]))
        assert status == 404, f.original_name


def test_a_scan_the_office_marks_as_redacted_reaches_the_agency(client, people):
    case = denunciation()
    services.prepare_redacted_copy(people["guardian"], case, subject=SUBJECT, content=REDACTED,
                                   files=[(png_bytes(), "bien-lai-da-che.png")])
    services.decide(people["staff"], case, decision="forward", agency=people["env"])
    transfer = case.transfers.get()
    seen = services.forwarded_content(people["desk"], transfer)
    assert [f.original_name for f in seen["files"]] == ["bien-lai-da-che.png"]
    status, _body = page(client, people["desk"], reverse("petitions:agency_file", args=[transfer.pk, seen["files"][0].pk]))
    assert status == 200
    assert AuditRecord.objects.filter(action="petitions.prepare_redacted_copy", user=people["guardian"]).exists()


def test_the_identity_log_shows_who_changed_a_denunciations_kind_and_who_tried(client, people):
    case = denunciation()
    with pytest.raises(services.PetitionError):
        services.classify(people["staff"], case, kind="petition", kind_reason="Thử")
    services.classify(people["guardian"], case, kind="petition", kind_reason="Nội dung là kiến nghị về nhà văn hóa")
    status, body = page(client, people["guardian"], reverse("petitions:identity_log") + f"?case={case.tracking_code}")
    assert status == 200
    decisions = body.split('id="identity-decisions"')[1]
    assert decisions.count("Đổi đơn tố cáo sang loại khác") == 2
    assert "Bị từ chối" in decisions and "Đã thực hiện" in decisions and "Nội dung là kiến nghị về nhà văn hóa" in decisions
    assert "Nguyễn Thị Hoa" in decisions and "Trần Văn Bảo" in decisions
    assert_clean(body, "the identity log")


@pytest.mark.parametrize("step", ["accept", "withdraw", "reclassify"])
def test_every_note_on_a_denunciation_that_officers_read_is_checked_for_the_denouncer(people, step):
    """Decision notes, withdrawal notes and the reason for a changed kind show on the case page to officers
    without the right: they may not carry the denouncer either."""
    case = denunciation()
    leak = "Đã gặp bà con, SĐT 0987 654 321"
    with pytest.raises(services.PetitionError) as refused:
        if step == "accept":
            services.decide(people["staff"], case, decision="accept", note=leak)
        elif step == "withdraw":
            services.withdraw(people["staff"], case, leak)
        else:
            services.classify(people["guardian"], case, kind="complaint", kind_reason=leak)
    assert refused.value.code == "identity_in_note"
    case.refresh_from_db()
    assert case.kind == "denunciation" and case.status == "received" and not case.decision_note


def test_the_guardian_prepares_the_redacted_copy_on_the_case_page_and_officers_read_only_that(client, people):
    case = denunciation()
    status, body = page(client, people["staff"], reverse("petitions:case", args=[case.pk]))
    assert status == 200 and "nhà văn hóa" not in body  # the letter as written names him: not for this officer
    status, body = page(client, people["guardian"], reverse("petitions:reveal_identity", args=[case.pk]), "post",
                        {"purpose": "Lập bản sao đã che để chuyển cơ quan"})
    assert status == 200 and 'action="/petitions/case/%d/redact/"' % case.pk in body and "0987.654.321" in body
    redact = reverse("petitions:case_action", args=[case.pk, "redact"])
    status, body = page(client, people["guardian"], redact, "post",
                        {"subject": SUBJECT, "content": REDACTED + " Liên hệ: 0987 654 321."})
    assert status == 400 and "số điện thoại" in body and not Case.objects.filter(redacted_copy__isnull=False).exists()
    status, _body = page(client, people["guardian"], redact, "post", {"subject": SUBJECT, "content": REDACTED})
    assert status == 302
    status, body = page(client, people["staff"], reverse("petitions:case", args=[case.pk]))
    assert "nhà văn hóa" in body and "Người tố cáo (thông tin đã được che)" in body
    assert_clean(body, "the case page with the redacted copy")
    status, _body = page(client, people["staff"], redact, "post", {"subject": SUBJECT, "content": REDACTED + " Thêm."})
    assert status == 400 and case.redacted_copy.content == REDACTED


# ---- the summary line: a citizen may write their own name into it ------------------------------------

NAMED_SUBJECT = "Nguyễn Văn Tố (0987 654 321) tố cáo trưởng thôn Khuôn Hẻ"


def test_a_denunciation_whose_summary_names_the_denouncer_shows_officers_a_neutral_summary(client, people):
    case = services.submit(None, kind="denunciation", source="web", subject=NAMED_SUBJECT, content=LETTER,
                           identity=dict(TO), district="Huyện Yên Sơn")
    for url in (reverse("petitions:register"), reverse("petitions:case", args=[case.pk]), reverse("petitions:dashboard")):
        status, body = page(client, people["staff"], url)
        assert status == 200
        assert_clean(body, url)
    # Nothing is lost: the guardian reads the summary as the citizen wrote it, with the letter.
    case.refresh_from_db()
    assert NAMED_SUBJECT in case.content
    assert NAMED_SUBJECT not in case.subject


def test_a_letter_classified_as_a_denunciation_has_its_named_summary_shielded_too(client, people):
    case = services.submit(people["staff"], kind="complaint", source="reception", subject=NAMED_SUBJECT,
                           content=LETTER, identity=dict(TO), district="Huyện Yên Sơn")
    services.classify(people["staff"], case, kind="denunciation")
    status, body = page(client, people["staff"], reverse("petitions:register"))
    assert status == 200
    assert_clean(body, "the register after classifying as a denunciation")
    case.refresh_from_db()
    assert NAMED_SUBJECT in case.content
