"""The agency desk: a competent body's users work the transfers to their agency, never any identity.

Personas: see test_office_pages (agent works Sở TN&MT's desk, other_agent Sở Y tế's, clerk is petition staff).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from petitions import services
from petitions.models import Answer, Case, Transfer
from tests.petitions.test_office_pages import (DENOUNCER, agency, complaint, denunciation, land, login,  # noqa: F401
                                               make_case, media, other_agency, people)


@pytest.fixture
def forwarded(people, land, agency):
    """A petition the office received, classified and forwarded to Sở TN&MT through the services."""
    clerk = people["clerk"]
    case = services.submit(clerk, kind="petition", source="reception", subject="Đề nghị nạo vét kênh tiêu úng",
                           content="Kênh tiêu úng thôn 4 bị bồi lắng, mùa mưa ngập úng nhiều hộ dân trong thôn.",
                           identity={"full_name": "Hoàng Văn Kênh", "phone": "0913000111"}, field=land,
                           district="Nông Cống")
    services.decide(clerk, case, decision="forward", agency=agency, note="Đề nghị xem xét, trả lời.")
    return Transfer.objects.get(case=case)


def test_agent_sees_the_transfers_to_their_agency(client, people, forwarded, denunciation):
    login(client, people["agent"])
    page = client.get(reverse("petitions:agency_desk")).content.decode()
    assert forwarded.case.tracking_code in page and denunciation.tracking_code in page
    for tab in ("sent", "acknowledged", "clarification", "answered", "overdue", "all"):
        assert client.get(reverse("petitions:agency_desk"), {"tab": tab}).status_code == 200
    detail = client.get(reverse("petitions:agency_transfer", args=[forwarded.pk]))
    assert detail.status_code == 200
    assert "Kênh tiêu úng thôn 4" in detail.content.decode()


def test_other_agencies_do_not_see_the_transfer(client, people, forwarded):
    login(client, people["other_agent"])
    page = client.get(reverse("petitions:agency_desk")).content.decode()
    assert forwarded.case.tracking_code not in page
    assert client.get(reverse("petitions:agency_transfer", args=[forwarded.pk])).status_code == 404
    assert client.post(reverse("petitions:agency_action", args=[forwarded.pk, "acknowledge"])).status_code == 404
    forwarded.refresh_from_db()
    assert forwarded.status == Transfer.Status.SENT


@pytest.mark.parametrize("who", ["clerk", "stranger"])
def test_the_desk_is_refused_to_users_of_no_agency(client, people, forwarded, who):
    login(client, people[who])
    assert client.get(reverse("petitions:agency_desk")).status_code == 403
    assert client.get(reverse("petitions:agency_transfer", args=[forwarded.pk])).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client, forwarded):
    response = client.get(reverse("petitions:agency_desk"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_agency_answering(client, people, forwarded):
    from tests.library.samples import pdf

    login(client, people["agent"])
    url = lambda action: reverse("petitions:agency_action", args=[forwarded.pk, action])  # noqa: E731
    assert client.post(url("acknowledge")).status_code == 302
    assert client.post(url("clarify"), {"text": "Đề nghị cho biết vị trí cụ thể của đoạn kênh."}).status_code == 302
    forwarded.refresh_from_db()
    assert forwarded.status == Transfer.Status.CLARIFICATION and "vị trí cụ thể" in forwarded.clarification
    office = login(client, people["clerk"]).get(reverse("petitions:case", args=[forwarded.case_id])).content.decode()
    assert "vị trí cụ thể" in office
    login(client, people["agent"])
    short = client.post(url("answer"), {"text": "Đã xong."})
    assert short.status_code == 400 and not Answer.objects.exists()
    reply = SimpleUploadedFile("cong-van-tra-loi.pdf", pdf(), "application/pdf")
    response = client.post(url("answer"), {"text": "Sở đã bố trí kinh phí nạo vét kênh trong tháng tới.", "files": [reply]})
    assert response.status_code == 302
    answer = Answer.objects.get(transfer=forwarded)
    assert answer.review == Answer.Review.PENDING and answer.published_at is None
    case = Case.objects.get(pk=forwarded.case_id)
    assert case.status == Case.Status.ANSWERED and case.files.filter(original_name__startswith="cong-van").exists()
    # Reviewed by the office before anything is published.
    page = login(client, people["clerk"]).get(reverse("petitions:case", args=[case.pk])).content.decode()
    assert "Sở đã bố trí kinh phí" in page and "Chờ duyệt" in page


def test_desk_shows_a_forwarded_denunciation_only_as_its_redacted_copy(client, people, denunciation):
    from tests.library.samples import pdf

    transfer = denunciation.transfers.get()
    login(client, people["agent"])
    page = client.get(reverse("petitions:agency_transfer", args=[transfer.pk])).content.decode()
    # No redacted copy yet: nothing of the letter, no file at all.
    assert "Cán bộ địa chính xã thu tiền" not in page and "bien-lai.pdf" not in page and "don-viet-tay.jpg" not in page
    services.prepare_redacted_copy(people["inspector"], denunciation, subject="Tố cáo cán bộ địa chính xã thu tiền",
                                   content="Người tố cáo cho biết cán bộ địa chính xã thu tiền khi cấp giấy chứng nhận.",
                                   files=[SimpleUploadedFile("bien-lai-da-che.pdf", pdf(), "application/pdf")])
    page = client.get(reverse("petitions:agency_transfer", args=[transfer.pk])).content.decode()
    assert "Người tố cáo cho biết cán bộ địa chính" in page and "bien-lai-da-che.pdf" in page
    assert "don-viet-tay.jpg" not in page and "bien-lai.pdf" not in page
    for value in DENOUNCER.values():
        assert value not in page
    for f in denunciation.files.filter(redacted=False):
        assert client.get(reverse("petitions:agency_file", args=[transfer.pk, f.pk])).status_code == 404
    redacted = denunciation.files.get(redacted=True)
    response = client.get(reverse("petitions:agency_file", args=[transfer.pk, redacted.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_desk_does_not_show_the_sender_of_other_letters(client, people, forwarded):
    page = login(client, people["agent"]).get(reverse("petitions:agency_transfer", args=[forwarded.pk])).content.decode()
    assert "Hoàng Văn Kênh" not in page and "0913000111" not in page
