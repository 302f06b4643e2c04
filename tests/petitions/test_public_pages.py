"""The citizen's pages: submit, receipt, status, lookups, subscriptions, published answers.

Personas: a citizen (an anonymous browser, the Django test client), a second
browser (someone else holding the same link), and the service personas of
service_fixtures (staff forwards and publishes, desk answers).
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from petitions import codes, services
from petitions.models import Case, Transfer
from petitions.views_public import LOOKUP_LIMIT

from .service_fixtures import WHO, letter, media_folder, people, redact  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "petition",
    "subject": "Đề nghị sửa đường liên thôn bị sạt lở",
    "content": "Đoạn đường liên thôn từ thôn 3 đi thôn 5 bị sạt lở sau mưa lũ, đề nghị sửa chữa sớm.",
    "commune": "Xã Yên Sơn",
    "full_name": WHO["full_name"], "phone": WHO["phone"], "email": WHO["email"], "address": WHO["address"],
    "consent": "on",
}
PERSONAL = [WHO["full_name"], WHO["phone"], WHO["email"], WHO["address"], "0912345678"]


def _answered(people, case, text="Sở đã bố trí kinh phí sửa đoạn đường trong quý III."):
    """Forward, answer on the agency's desk, approve, publish: the whole office side."""
    services.decide(people["staff"], case, decision="forward", agency=people["env"])
    transfer = Transfer.objects.get(case=case)
    answer = services.answer(people["desk"], transfer, text)
    services.review_answer(people["staff"], answer, approve=True)
    return services.publish_answer(people["staff"], case)


def test_submit_is_in_the_database_before_the_receipt_which_shows_code_and_qr(client, people):
    response = client.post(reverse("petitions:submit"), FORM)
    assert response.status_code == 302
    case = Case.objects.get()  # committed before the redirect to the receipt
    assert response["Location"] == reverse("petitions:receipt", args=[case.tracking_code])
    assert case.kind == "petition" and case.source == "web" and case.identity.full_name == WHO["full_name"]
    page = client.get(response["Location"]).content.decode()
    assert case.tracking_code in page
    assert "<svg" in page and 'class="qr"' in page
    assert "/public/letters/%s/" % case.tracking_code in page
    assert "In biên nhận" in page


def test_receipt_is_not_shown_to_another_browser(client, people):
    client.post(reverse("petitions:submit"), FORM)
    case = Case.objects.get()
    response = Client().get(reverse("petitions:receipt", args=[case.tracking_code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:status", args=[case.tracking_code])


def test_refusal_is_shown_beside_the_form_and_input_is_kept(client, people):
    response = client.post(reverse("petitions:submit"), {**FORM, "phone": "", "email": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "số điện thoại hoặc email" in page
    assert FORM["subject"] in page and FORM["content"] in page
    assert not Case.objects.exists()


def test_a_too_short_content_is_refused_by_the_service_next_to_its_field(client, people):
    response = client.post(reverse("petitions:submit"), {**FORM, "content": "Ngắn quá"})
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()
    assert not Case.objects.exists()


def test_a_complaint_cannot_be_sent_anonymously_but_a_denunciation_can(client, people):
    refused = client.post(reverse("petitions:submit"), {**FORM, "kind": "complaint", "anonymous": "on"})
    assert refused.status_code == 400 and not Case.objects.exists()
    anonymous = {k: v for k, v in FORM.items() if k not in ("full_name", "phone", "email", "address", "consent")}
    accepted = client.post(reverse("petitions:submit"), {**anonymous, "kind": "denunciation", "anonymous": "on"})
    assert accepted.status_code == 302
    case = Case.objects.get()
    assert case.anonymous and case.kind == "denunciation"


def test_submissions_are_rate_limited_per_client_and_the_input_is_kept(client, people, settings):
    settings.PETITION_SUBMISSIONS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(reverse("petitions:submit"), FORM).status_code == 302
    response = client.post(reverse("petitions:submit"), FORM)
    assert response.status_code == 400
    assert "quá nhiều đơn" in response.content.decode() and FORM["content"] in response.content.decode()
    assert Case.objects.count() == 2


@pytest.mark.parametrize("kind", ["petition", "feedback", "complaint", "denunciation"])
def test_status_page_shows_milestones_and_no_personal_data(client, people, kind):
    case = letter(kind=kind)
    if kind == "denunciation":
        redact(people, case)
    services.decide(people["staff"], case, decision="forward", agency=people["env"])
    page = client.get(reverse("petitions:status", args=[case.tracking_code])).content.decode()
    assert "Đã tiếp nhận" in page and "Đã chuyển cơ quan có thẩm quyền" in page
    assert re.search(r"\d\d/\d\d/\d{4}", page)  # each milestone with its date
    for personal in PERSONAL:
        assert personal not in page


def test_a_denunciation_status_page_shows_neither_content_nor_identity(client, people):
    case = letter(kind="denunciation", subject="Tố cáo cán bộ địa chính thu tiền trái phép",
                  content="Ông Nguyễn Văn X, cán bộ địa chính xã, thu tiền trái phép khi làm sổ đỏ cho dân.")
    page = client.get(reverse("petitions:status", args=[case.tracking_code])).content.decode()
    assert "Đơn tố cáo" in page and "Đã tiếp nhận" in page
    assert "cán bộ địa chính" not in page and "Nguyễn Văn X" not in page
    for personal in PERSONAL:
        assert personal not in page


def test_a_code_typed_loosely_finds_the_case(client, people):
    case = letter()
    loose = case.tracking_code.replace("-", " ").lower()
    response = client.get(reverse("petitions:track"), {"code": loose})
    assert response.status_code == 302 and response["Location"] == reverse("petitions:status", args=[case.tracking_code])


def test_unknown_and_guessed_codes_get_the_same_neutral_page(client, people):
    letter()
    guessed = codes.new_code()
    while Case.objects.filter(tracking_code=guessed).exists():
        guessed = codes.new_code()

    def neutral(response):
        return re.search(r'<div class="refusal"[^>]*id="not-found">(.*?)</div>', response.content.decode(), re.S).group(1)

    pages = [client.get(reverse("petitions:track"), {"code": guessed}),
             client.get(reverse("petitions:track"), {"code": "not a code"}),
             client.get(reverse("petitions:status", args=[guessed])),
             client.get(reverse("petitions:status", args=["AAAA-0000-OOOO"]))]
    assert {r.status_code for r in pages} == {404}
    assert len({neutral(r) for r in pages}) == 1
    assert "Không tìm thấy" in neutral(pages[0])


def test_lookups_are_rate_limited_per_client_even_for_a_real_code(client, people):
    case = letter()
    for _ in range(LOOKUP_LIMIT):
        assert client.get(reverse("petitions:track"), {"code": codes.new_code()}).status_code == 404
    limited = client.get(reverse("petitions:track"), {"code": case.tracking_code})
    assert limited.status_code == 429
    assert "quá nhiều lần" in limited.content.decode()
    assert client.get(reverse("petitions:status", args=[case.tracking_code])).status_code == 429
    # Another client is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(reverse("petitions:status", args=[case.tracking_code])).status_code == 200


def test_subscribe_and_confirm_by_email(client, people, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = letter()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("petitions:status", args=[case.tracking_code]), {"email": "theo.doi@example.vn"})
    assert response.status_code == 200 and "Đã gửi thư xác nhận" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["theo.doi@example.vn"]
    path = re.search(r"https?://[^/\s]+(/public/letters/subscribe/[^/\s]+/)", mail.outbox[0].body).group(1)
    confirmed = client.get(path)
    assert confirmed.status_code == 200 and "Đã xác nhận" in confirmed.content.decode()
    assert case.subscriptions.get().confirmed_at is not None
    assert client.get(reverse("petitions:subscribe_confirm", args=["no-such-token"])).status_code == 404


def test_published_answer_on_the_status_page_and_in_the_search_with_or_without_diacritics(client, people):
    case = _answered(people, letter(field=people["land"], commune="Xã Yên Sơn"))
    letter(subject="Đề nghị lắp đèn chiếu sáng", content="Đề nghị lắp đèn chiếu sáng đường vào trường tiểu học thôn 2.")
    status_page = client.get(reverse("petitions:status", args=[case.tracking_code])).content.decode()
    assert "Kết quả trả lời" in status_page and "bố trí kinh phí" in status_page
    assert "Đã công khai kết quả" in status_page
    for q in ("sạt lở", "sat lo", "SẠT LỞ đường"):
        page = client.get(reverse("petitions:answers"), {"q": q}).content.decode()
        assert case.subject in page and "bố trí kinh phí" in page, q
    assert case.subject not in client.get(reverse("petitions:answers"), {"q": "chiếu sáng"}).content.decode()
    by_commune = client.get(reverse("petitions:answers"), {"commune": "Xã Yên Sơn", "field": people["land"].pk})
    assert case.subject in by_commune.content.decode()
    elsewhere = client.get(reverse("petitions:answers"), {"commune": "Xã Na Hang"})
    assert case.subject not in elsewhere.content.decode()
    # Unpublished letters are not listed; nor is identity.
    assert "lắp đèn" not in client.get(reverse("petitions:answers")).content.decode()
    for personal in PERSONAL:
        assert personal not in client.get(reverse("petitions:answers")).content.decode()


def test_voter_petitions_are_listed_per_meeting_with_level_and_answer(client, people, sitting):
    from meeting.models import Member

    alice = Member.objects.get(code="DB010")
    services.record_voter_meeting(
        people["staff"], held_on=sitting.session.start_date, place="Nhà văn hóa thôn Cầu",
        commune="Xã Yên Phú", delegate_group=alice.delegate_group, session=sitting.session, when="before", voters=120,
        delegates=[alice], petitions=[
            {"subject": "Đề nghị nâng cấp trạm y tế xã", "content": "", "field": people["health"], "level": "province",
             "answered_on_spot": False, "answer_text": ""},
            {"subject": "Hỗ trợ giống cây trồng sau lũ", "content": "", "field": people["land"], "level": "commune",
             "answered_on_spot": True, "answer_text": "Xã đã cấp giống ngô cho các hộ bị thiệt hại."}])
    page = client.get(reverse("petitions:voter_petitions")).content.decode()
    assert "Nhà văn hóa thôn Cầu" in page and alice.full_name in page
    assert "Đề nghị nâng cấp trạm y tế xã" in page and "Đang chờ trả lời" in page
    assert "Đã trả lời tại hội nghị" in page and "cấp giống ngô" in page
    assert "Tỉnh" in page and "Xã, phường, đặc khu" in page
    health_only = client.get(reverse("petitions:voter_petitions"), {"field": people["health"].pk}).content.decode()
    assert "trạm y tế" in health_only and "giống cây trồng" not in health_only
    other_commune = client.get(reverse("petitions:voter_petitions"), {"commune": "Xã Na Hang"}).content.decode()
    assert "Nhà văn hóa thôn Cầu" not in other_commune
    # The on-the-spot answer is also among the published answers.
    assert "cấp giống ngô" in client.get(reverse("petitions:answers"), {"q": "giong cay"}).content.decode()


def test_the_home_page_links_to_the_citizens_pages(client, sitting):
    page = client.get("/").content.decode()
    assert reverse("petitions:submit") in page and reverse("petitions:track") in page
