"""A delegate forwards a citizen's letter to the office; the citizen gets the receipt."""

import pytest
from django.urls import reverse

from petitions.models import Case

pytestmark = pytest.mark.django_db

LETTER = {
    "kind": "petition", "subject": "Đề nghị làm lại cầu treo thôn Khuôn Hẻ",
    "content": "Cầu treo thôn Khuôn Hẻ xuống cấp, học sinh đi lại nguy hiểm; cử tri đề nghị tỉnh đầu tư làm lại.",
    "commune": "Xã Lâm Bình", "full_name": "Hoàng Văn Sáu", "phone": "0987 654 321",
}


def test_a_delegate_forwards_a_letter_and_the_citizen_gets_the_receipt(client, users, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(users["alice"])
    form = client.get(reverse("petitions:delegate_forward")).content.decode()
    assert 'name="kind"' in form and 'name="source"' not in form  # a delegate's letters are source "delegate"
    response = client.post(reverse("petitions:delegate_forward"), LETTER)
    case = Case.objects.get(subject=LETTER["subject"])
    assert response.status_code == 302 and response.url == reverse("petitions:receipt", args=[case.tracking_code])
    assert case.source == "delegate" and case.forwarded_by_member == users["alice"].member
    assert case.identity.full_name == "Hoàng Văn Sáu"
    receipt = client.get(response.url).content.decode()
    assert case.tracking_code in receipt and "<svg" in receipt


def test_a_guest_and_an_anonymous_visitor_may_not_forward(client, users):
    client.force_login(users["guest"])
    assert client.get(reverse("petitions:delegate_forward")).status_code == 403
    assert client.post(reverse("petitions:delegate_forward"), LETTER).status_code == 403
    client.logout()
    assert client.get(reverse("petitions:delegate_forward")).status_code == 302
    assert not Case.objects.filter(subject=LETTER["subject"]).exists()


def test_a_refused_letter_keeps_what_was_typed_and_stores_nothing(client, users):
    client.force_login(users["alice"])
    response = client.post(reverse("petitions:delegate_forward"), {**LETTER, "content": "Ngắn quá"})
    assert response.status_code == 400 and "Hoàng Văn Sáu" in response.content.decode()
    assert not Case.objects.filter(subject=LETTER["subject"]).exists()


def test_the_delegates_home_page_links_to_forwarding_and_voter_meetings(client, users):
    client.force_login(users["alice"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("petitions:delegate_forward") in page and reverse("petitions:meetings") in page
    client.force_login(users["guest"])
    assert reverse("petitions:delegate_forward") not in client.get(reverse("home")).content.decode()
