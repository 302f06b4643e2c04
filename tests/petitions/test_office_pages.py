"""The office's pages over the register: list, reception desk, case page, identity log.

Personas (made here, not from the demo):
- clerk     — petition staff (petitions.handle_cases): receives, classifies, forwards; never a denouncer's identity.
- inspector — petition staff who also holds petitions.view_denouncer_identity: may reveal it, each read logged.
- agent     — works the agency desk of the Department of Natural Resources: no office page.
- stranger  — signed in, no right at all.
"""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from library.text import fold
from petitions import codes
from petitions.models import (Agency, AgencyMember, Answer, Case, CaseFile, Deadline, DeadlineRule, Field, Identity,
                              IdentityRead, Milestone, Transfer)

# The denouncer: none of this may ever reach a page of someone without the right.
DENOUNCER = {
    "full_name": "Trần Thị Bảo Mật",
    "id_number": "038190001234",
    "address": "12 Ngõ Kín, phường Hạc Thành",
    "phone": "0912345678",
    "email": "baomat@example.vn",
}
COMPLAINANT = {"full_name": "Lê Văn Khiếu", "id_number": "038190005678", "address": "5 Lê Lợi",
               "phone": "0987654321", "email": "khieu@example.vn"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def make_user(username, *perms):
    user = get_user_model().objects.create(username=username, first_name=username.title())
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return user


@pytest.fixture
def land(db):
    return Field.objects.create(code="dat-dai", name="Đất đai")


@pytest.fixture
def agency(land):
    a = Agency.objects.create(name="Sở Tài nguyên và Môi trường", short_name="Sở TN&MT", kind=Agency.Kind.DEPARTMENT)
    a.fields.add(land)
    return a


@pytest.fixture
def other_agency(db):
    return Agency.objects.create(name="Sở Y tế", kind=Agency.Kind.DEPARTMENT)


@pytest.fixture
def people(agency, other_agency):
    out = {
        "clerk": make_user("clerk", "petitions.handle_cases"),
        "inspector": make_user("inspector", "petitions.handle_cases", "petitions.view_denouncer_identity"),
        "agent": make_user("agent"),
        "other_agent": make_user("other_agent"),
        "stranger": make_user("stranger"),
    }
    AgencyMember.objects.create(agency=agency, user=out["agent"])
    AgencyMember.objects.create(agency=other_agency, user=out["other_agent"])
    return out


def _rule(step):
    return DeadlineRule.objects.filter(step=step).first() or DeadlineRule.objects.create(
        step=step, days=30, law="Luật Tố cáo 2018, Điều 30", valid_from=date(2019, 1, 1), max_extensions=2,
        extension_days=30)


def make_case(*, kind, subject, content, identity, field=None, status=Case.Status.RECEIVED, agency=None, due_on=None,
              district="Thanh Hóa", received_at=None):
    case = Case.objects.create(
        tracking_code=codes.new_code(), kind=kind, source=Case.Source.RECEPTION, subject=subject, content=content,
        folded=fold(f"{subject} {content}"), field=field, district=district, status=status, agency=agency,
        received_at=received_at or timezone.now(), due_on=due_on)
    Identity.objects.create(case=case, **identity)
    Milestone.objects.create(case=case, kind="received", at=case.received_at, text="Đã tiếp nhận đơn")
    return case


@pytest.fixture
def denunciation(people, land, agency):
    """A denunciation forwarded to the agency, with a pending answer, a plain scan and an identifying one."""
    today = timezone.localdate()
    case = make_case(kind=Case.Kind.DENUNCIATION, subject="Tố cáo cán bộ địa chính thu tiền trái phép",
                     content="Cán bộ địa chính xã thu tiền khi cấp giấy chứng nhận.", identity=DENOUNCER,
                     field=land, status=Case.Status.FORWARDED, agency=agency, due_on=today + timedelta(days=2))
    plain = CaseFile(case=case, original_name="bien-lai.pdf", content_type="application/pdf", size=9)
    plain.file.save("bien-lai.pdf", ContentFile(b"%PDF-1.4 receipt"), save=True)
    secret = CaseFile(case=case, original_name="don-viet-tay.jpg", content_type="image/jpeg", size=40, identifying=True)
    secret.file.save("don.jpg", ContentFile(f"handwriting of {DENOUNCER['full_name']} {DENOUNCER['phone']}".encode()),
                     save=True)
    transfer = Transfer.objects.create(case=case, agency=agency, sent_at=timezone.now(), sent_by=people["clerk"],
                                       due_on=today + timedelta(days=20), note="Đề nghị xác minh, trả lời.")
    Answer.objects.create(case=case, transfer=transfer, text="Đã kiểm tra, đang xác minh.", answered_by=people["agent"],
                          answered_at=timezone.now())
    Deadline.objects.create(case=case, rule=_rule("denunciation.resolve"), step="denunciation.resolve",
                            starts_on=today, due_on=today + timedelta(days=2))
    return case


@pytest.fixture
def complaint(people, land):
    return make_case(kind=Case.Kind.COMPLAINT, subject="Khiếu nại quyết định thu hồi đất", content="Thu hồi đất sai.",
                     identity=COMPLAINANT, field=land, due_on=timezone.localdate() - timedelta(days=1))


def login(client, user):
    client.force_login(user)
    return client


def office_pages(case):
    return [reverse("petitions:register"), reverse("petitions:reception"), reverse("petitions:case", args=[case.pk]),
            f"{reverse('petitions:register')}?q=dia+chinh", f"{reverse('petitions:register')}?due=soon&kind=denunciation"]


# ---- every page as petition staff -----------------------------------------------------------------

def test_clerk_opens_every_office_page(client, people, denunciation, complaint):
    login(client, people["clerk"])
    for url in office_pages(denunciation) + [reverse("petitions:case", args=[complaint.pk])]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("petitions:register")).content.decode()
    assert denunciation.tracking_code in page and complaint.tracking_code in page
    assert "due-overdue" in page and "due-soon" in page  # red / amber due dates


def test_register_filters_by_folded_text_kind_and_due(client, people, denunciation, complaint):
    login(client, people["clerk"])
    url = reverse("petitions:register")
    found = client.get(url, {"q": "THU HOI DAT"}).content.decode()
    assert complaint.tracking_code in found and denunciation.tracking_code not in found
    overdue = client.get(url, {"due": "overdue"}).content.decode()
    assert complaint.tracking_code in overdue and denunciation.tracking_code not in overdue
    by_kind = client.get(url, {"kind": "denunciation"}).content.decode()
    assert denunciation.tracking_code in by_kind and complaint.tracking_code not in by_kind
    by_code = client.get(url, {"q": denunciation.tracking_code.lower().replace("-", "")}).content.decode()
    assert denunciation.tracking_code in by_code and complaint.tracking_code not in by_code


def test_register_never_shows_identity_and_costs_constant_queries(client, people, land, complaint,
                                                                   django_assert_max_num_queries):
    for i in range(30):
        make_case(kind=Case.Kind.PETITION, subject=f"Kiến nghị số {i}", content="Đường hỏng", field=land,
                  identity={"full_name": f"Người gửi {i}"})
    login(client, people["clerk"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("petitions:register")).content.decode()
    assert "Kiến nghị số 29" in page
    assert COMPLAINANT["full_name"] not in page and "Người gửi 3" not in page


def test_register_pages_by_fifty(client, people, land):
    for i in range(51):
        make_case(kind=Case.Kind.FEEDBACK, subject=f"Phản ánh {i}", content="x", identity={})
    login(client, people["clerk"])
    first = client.get(reverse("petitions:register"))
    assert len(first.context["rows"]) == 50
    second = client.get(reverse("petitions:register"), {"page": 2})
    assert len(second.context["rows"]) == 1


def test_complainant_identity_is_shown_to_petition_staff(client, people, complaint):
    page = login(client, people["clerk"]).get(reverse("petitions:case", args=[complaint.pk])).content.decode()
    assert COMPLAINANT["full_name"] in page and COMPLAINANT["phone"] in page


# ---- refusals ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["agent", "stranger"])
def test_office_pages_are_refused_to_others(client, people, denunciation, who):
    login(client, people[who])
    for url in office_pages(denunciation) + [reverse("petitions:identity_log")]:
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("petitions:case_action", args=[denunciation.pk, "publish"]))
    assert response.status_code == 403


def test_office_pages_send_anonymous_users_to_sign_in(client, denunciation):
    for url in office_pages(denunciation):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_office_pages_are_refused_to_a_delegate(client, users, denunciation):
    login(client, users["alice"])
    for url in office_pages(denunciation):
        assert client.get(url).status_code == 403, url


def test_identity_log_is_refused_without_the_identity_right(client, people):
    response = login(client, people["clerk"]).get(reverse("petitions:identity_log"))
    assert response.status_code == 403
    assert "Chỉ người có quyền" in response.content.decode()


# ---- a denouncer's identity --------------------------------------------------------------------------

def _assert_no_identity(body: str, where: str):
    for key, value in DENOUNCER.items():
        assert value not in body, f"{key} leaked on {where}"


def test_no_page_shows_a_denouncers_identity_without_the_right(client, people, denunciation):
    """Every page and file view a clerk can reach, and a clerk's every try at the gate."""
    login(client, people["clerk"])
    files = list(denunciation.files.all())
    urls = office_pages(denunciation) + [reverse("petitions:identity_log")]
    urls += [reverse("petitions:case_file", args=[denunciation.pk, f.pk]) for f in files]
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        _assert_no_identity(body.decode(errors="replace"), url)
    page = client.get(reverse("petitions:case", args=[denunciation.pk])).content.decode()
    assert "Thông tin người tố cáo được bảo vệ" in page
    assert reverse("petitions:reveal_identity", args=[denunciation.pk]) not in page
    assert "don-viet-tay.jpg" not in page  # not even the identifying scan's name
    secret = next(f for f in files if f.identifying)
    for url, data in ((reverse("petitions:reveal_identity", args=[denunciation.pk]), {"purpose": "tò mò"}),
                      (reverse("petitions:case_file", args=[denunciation.pk, secret.pk]), {"purpose": "tò mò"})):
        response = client.post(url, data)
        assert response.status_code == 403
        body = b"".join(response.streaming_content) if response.streaming else response.content
        _assert_no_identity(body.decode(errors="replace"), url)
    # The agency desk, as the agent who holds the transfer.
    login(client, people["agent"])
    transfer = denunciation.transfers.get()
    urls = [reverse("petitions:agency_desk"), reverse("petitions:agency_desk") + "?tab=all",
            reverse("petitions:agency_transfer", args=[transfer.pk])]
    urls += [reverse("petitions:agency_file", args=[transfer.pk, f.pk]) for f in files]
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        _assert_no_identity(body.decode(errors="replace"), url)
    assert not IdentityRead.objects.exists()


def test_inspector_reveals_a_denouncers_identity_and_the_read_is_logged(client, people, denunciation):
    login(client, people["inspector"])
    page = client.get(reverse("petitions:case", args=[denunciation.pk])).content.decode()
    assert "Xem thông tin người tố cáo" in page
    _assert_no_identity(page, "case page before reveal")
    response = client.post(reverse("petitions:reveal_identity", args=[denunciation.pk]),
                           {"purpose": "Liên hệ bổ sung tài liệu"})
    assert response.status_code == 200
    body = response.content.decode()
    assert DENOUNCER["full_name"] in body and DENOUNCER["phone"] in body
    read = IdentityRead.objects.get()
    assert (read.user, read.case, read.purpose) == (people["inspector"], denunciation, "Liên hệ bổ sung tài liệu")
    log = client.get(reverse("petitions:identity_log")).content.decode()
    assert "Liên hệ bổ sung tài liệu" in log and denunciation.tracking_code in log


def test_reveal_without_a_purpose_is_refused_and_not_logged(client, people, denunciation):
    response = login(client, people["inspector"]).post(reverse("petitions:reveal_identity", args=[denunciation.pk]),
                                                       {"purpose": " "})
    assert response.status_code == 400
    _assert_no_identity(response.content.decode(), "reveal without purpose")
    assert not IdentityRead.objects.exists()


def test_identifying_scan_of_a_denunciation_is_served_only_with_a_purpose_and_logged(client, people, denunciation):
    login(client, people["inspector"])
    secret = denunciation.files.get(identifying=True)
    url = reverse("petitions:case_file", args=[denunciation.pk, secret.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"purpose": "Giám định chữ viết"})
    assert response.status_code == 200
    assert DENOUNCER["full_name"].encode() in b"".join(response.streaming_content)
    assert IdentityRead.objects.filter(user=people["inspector"], purpose="Giám định chữ viết").count() == 1


def test_a_denunciations_scan_reaches_a_clerk_only_as_the_redacted_scan(client, people, denunciation):
    """Every scan of a denunciation is identifying (handwriting, a signature) until the office marks a redacted one."""
    from petitions import services
    from tests.library.samples import pdf

    plain = denunciation.files.get(identifying=False)
    login(client, people["clerk"])
    assert client.get(reverse("petitions:case_file", args=[denunciation.pk, plain.pk])).status_code == 403
    services.prepare_redacted_copy(people["inspector"], denunciation, subject=denunciation.subject,
                                   content="Cán bộ địa chính xã thu tiền khi cấp giấy chứng nhận (bản đã che).",
                                   files=[SimpleUploadedFile("bien-lai-da-che.pdf", pdf(), "application/pdf")])
    redacted = denunciation.files.get(redacted=True)
    response = client.get(reverse("petitions:case_file", args=[denunciation.pk, redacted.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


# ---- reception staff entering a paper letter --------------------------------------------------------

def _reception_form(**over):
    data = {"source": "reception", "kind": "complaint", "subject": "Khiếu nại việc thu hồi đất nông nghiệp",
            "content": "Gia đình tôi bị thu hồi 500 m2 đất nông nghiệp nhưng chưa được bồi thường theo quy định.",
            "commune": "Xã Xuân Lai", "full_name": "Phạm Văn Đơn", "id_number": "038190009999",
            "address": "Thôn 2, xã Xuân Lai", "phone": "0911222333", "email": "don@example.vn"}
    data.update(over)
    return data


def test_reception_enters_a_paper_letter_with_scans_end_to_end(client, people, land, media):
    from tests.library.samples import image, pdf

    earlier = make_case(kind=Case.Kind.COMPLAINT, subject="Khiếu nại việc thu hồi đất nông nghiệp chưa bồi thường",
                        content="Thu hồi đất nông nghiệp chưa được bồi thường.", field=land, district="Thọ Xuân",
                        identity={"full_name": "Phạm Văn Đơn", "phone": "0911222333"})
    login(client, people["clerk"])
    assert client.get(reverse("petitions:reception")).status_code == 200
    scans = [SimpleUploadedFile("trang-1.pdf", pdf(), "application/pdf"),
             SimpleUploadedFile("cccd.png", image(), "image/png")]
    response = client.post(reverse("petitions:reception"),
                           _reception_form(field=land.pk, scans=scans, scans_identifying="on"))
    assert response.status_code == 302
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert response["Location"] == reverse("petitions:case", args=[case.pk]) + "?new=1"
    assert (case.kind, case.source, case.field) == ("complaint", "reception", land)
    assert (case.commune, case.district) == ("Xã Xuân Lai", "")  # no district for new data
    assert case.identity.full_name == "Phạm Văn Đơn"
    assert case.files.count() == 2 and all(f.identifying for f in case.files.all())
    assert case.due_on is not None
    page = client.get(response["Location"]).content.decode()
    assert case.tracking_code in page
    assert reverse("petitions:receipt", args=[case.tracking_code]) in page
    assert "Đơn có thể trùng" in page and earlier.tracking_code in page
    # The clerk confirms the duplicate.
    response = client.post(reverse("petitions:case_action", args=[case.pk, "duplicate"]), {"original": earlier.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.duplicate_of) == (Case.Status.DUPLICATE, earlier)


def test_an_oversized_scan_is_refused_and_nothing_is_stored(client, people, settings, media):
    from tests.library.samples import pdf

    settings.PETITION_MAX_FILE_BYTES = 1024
    big = SimpleUploadedFile("to.pdf", pdf() + b"%" * 4096, "application/pdf")
    response = login(client, people["clerk"]).post(reverse("petitions:reception"), _reception_form(scans=[big]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Chưa lưu được đơn" in body and "to.pdf" in body
    assert not Case.objects.exists() and not CaseFile.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_reception_requires_a_name_or_anonymous(client, people):
    response = login(client, people["clerk"]).post(reverse("petitions:reception"), _reception_form(full_name=""))
    assert response.status_code == 400 and not Case.objects.exists()
    assert "Ghi họ tên người gửi" in response.content.decode()


# ---- decisions on the case page ---------------------------------------------------------------------

def _received(client, people, land, **over):
    login(client, people["clerk"])
    client.post(reverse("petitions:reception"), _reception_form(**over))
    return Case.objects.latest("id")


def test_not_eligible_needs_a_coded_reason_and_changes_nothing_without_it(client, people, land):
    case = _received(client, people, land)
    url = reverse("petitions:case_action", args=[case.pk, "decide"])
    response = client.post(url, {"decision": "not_eligible", "reason": ""})
    assert response.status_code == 400
    assert "lý do" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED and case.decision == ""
    assert client.post(url, {"decision": "not_eligible", "reason": "limitation_expired"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.reason) == (Case.Status.NOT_ELIGIBLE, "limitation_expired")


def test_clerk_classifies_forwards_reviews_and_publishes(client, people, land, agency):
    case = _received(client, people, land, kind="petition")
    assert client.post(reverse("petitions:case_action", args=[case.pk, "classify"]), {
        "kind": "petition", "field": land.pk, "complexity": "normal", "instance": 1, "commune": "Xã Xuân Lai"}).status_code == 302
    page = client.get(reverse("petitions:case", args=[case.pk])).content.decode()
    assert "Phụ trách lĩnh vực" in page and agency.name in page
    assert client.post(reverse("petitions:case_action", args=[case.pk, "decide"]),
                       {"decision": "forward", "agency": agency.pk, "note": "Đề nghị xem xét"}).status_code == 302
    transfer = Transfer.objects.get(case=case, agency=agency)
    # The agency answers on its desk.
    login(client, people["agent"])
    client.post(reverse("petitions:agency_action", args=[transfer.pk, "acknowledge"]))
    client.post(reverse("petitions:agency_action", args=[transfer.pk, "answer"]),
                {"text": "Sở đã kiểm tra và sẽ bố trí kinh phí sửa chữa trong quý tới."})
    answer = Answer.objects.get(case=case)
    login(client, people["clerk"])
    # Returning needs a note; then the page says why, nothing changed.
    refused = client.post(reverse("petitions:case_action", args=[case.pk, "review"]), {"answer": answer.pk, "approve": "0"})
    assert refused.status_code == 400
    answer.refresh_from_db()
    assert answer.review == Answer.Review.PENDING
    assert client.post(reverse("petitions:case_action", args=[case.pk, "review"]),
                       {"answer": answer.pk, "approve": "1"}).status_code == 302
    assert client.post(reverse("petitions:case_action", args=[case.pk, "publish"])).status_code == 302
    assert client.post(reverse("petitions:case_action", args=[case.pk, "unsatisfactory"]),
                       {"questioning": "1"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.unsatisfactory, case.questioning_candidate) == (Case.Status.PUBLISHED, True, True)
    page = client.get(reverse("petitions:case", args=[case.pk])).content.decode()
    assert "Đề xuất chất vấn" in page and "Sở đã kiểm tra" in page


def test_extension_and_withdrawal_from_the_case_page(client, people, land):
    case = _received(client, people, land)
    before = case.due_on
    refused = client.post(reverse("petitions:case_action", args=[case.pk, "extend"]), {"note": ""})
    assert refused.status_code == 400
    response = client.post(reverse("petitions:case_action", args=[case.pk, "withdraw"]),
                           {"note": "Đơn rút đơn ngày 02/03, nhận trực tiếp"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN and before is not None
