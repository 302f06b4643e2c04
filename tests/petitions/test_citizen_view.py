"""The citizen says whether the published answer resolved the matter (issue 12, item 7): from the public
status page, by the case's tracking code (the access secret of that page), once; the office sees it in
the statistics and on the case page.

Personas: a citizen (the Django test client, holding the tracking code), someone else holding the same
link (a second client), and the service personas of service_fixtures (staff publishes, desk answers)."""

import pytest
from django.test import Client
from django.urls import reverse

from petitions import reports, services
from petitions.models import Case

from .service_fixtures import letter, media_folder, people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _published(people, case):
    services.decide(people["staff"], case, decision="forward", agency=people["env"])
    reply = services.answer(people["desk"], case.transfers.get(), "Sở đã bố trí kinh phí sửa đoạn đường trong quý III.")
    services.review_answer(people["staff"], reply, approve=True)
    return services.publish_answer(people["staff"], case)


def _say(client, case, satisfied, comment=""):
    return client.post(reverse("petitions:status", args=[case.tracking_code]),
                       {"form": "citizen_view", "satisfied": satisfied, "comment": comment})


def test_after_publication_the_citizen_says_once_and_the_first_word_stays(client, people):
    case = _published(people, letter())
    page = client.get(reverse("petitions:status", args=[case.tracking_code])).content.decode()
    assert 'id="citizen-view"' in page and "Kết quả này đã giải quyết được việc của bạn chưa?" in page
    response = _say(client, case, "no", "Đường vẫn chưa được sửa.")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.citizen_satisfied, case.citizen_comment) == (False, "Đường vẫn chưa được sửa.")
    assert case.citizen_said_at is not None
    page = client.get(reverse("petitions:status", args=[case.tracking_code])).content.decode()
    assert 'id="citizen-view"' not in page and "chưa giải quyết được việc của bạn" in page
    # Someone else with the same link cannot change it: refused, nothing changes.
    again = _say(Client(), case, "yes")
    assert again.status_code == 200 and "chỉ cho ý kiến một lần" in again.content.decode()
    case.refresh_from_db()
    assert case.citizen_satisfied is False
    with pytest.raises(services.PetitionError) as refused:
        services.record_citizen_view(case, satisfied=True)
    assert refused.value.code == "already_said"


def test_before_an_answer_is_published_there_is_nothing_to_judge(client, people):
    case = letter()
    assert 'id="citizen-view"' not in client.get(reverse("petitions:status", args=[case.tracking_code])).content.decode()
    response = _say(client, case, "yes")
    assert response.status_code == 200 and "khi kết quả trả lời đã được công khai" in response.content.decode()
    case.refresh_from_db()
    assert case.citizen_said_at is None and case.citizen_satisfied is None


def test_a_choice_is_required(client, people):
    case = _published(people, letter())
    response = _say(client, case, "")
    assert response.status_code == 200 and "Hãy chọn" in response.content.decode()
    assert Case.objects.get(pk=case.pk).citizen_said_at is None


def test_the_office_sees_the_citizens_word_in_the_statistics(client, people):
    # Four published letters: two satisfied, one not, one silent; one letter not published. Hand-counted:
    # 2 of the 3 who answered are satisfied = 66.7 %.
    cases = [_published(people, letter(subject=f"Đề nghị sửa đường liên thôn số {i}")) for i in range(4)]
    letter(subject="Đề nghị chưa có trả lời")
    services.record_citizen_view(cases[0], satisfied=True)
    services.record_citizen_view(cases[1], satisfied=True, comment="Cảm ơn")
    services.record_citizen_view(cases[2], satisfied=False)
    citizen = reports.statistics()["citizen"]
    assert citizen == {"published": 4, "satisfied": 2, "unsatisfied": 1, "said": 3, "rate": 66.7}
    client.force_login(people["staff"])
    page = client.get(reverse("petitions:statistics")).content.decode()
    assert 'data-kpi="citizen-satisfied">66,7 %' in page and "2 hài lòng, 1 chưa hài lòng" in page


def test_the_case_page_shows_the_citizens_word_to_the_office(client, people):
    case = _published(people, letter())
    services.record_citizen_view(case, satisfied=False, comment="Đường vẫn chưa được sửa.")
    client.force_login(people["staff"])
    page = client.get(reverse("petitions:case", args=[case.pk])).content.decode()
    assert "Chưa giải quyết được việc của công dân" in page and "Đường vẫn chưa được sửa." in page
