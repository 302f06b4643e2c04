"""The supervision pages per role: resolution staff run them; a member of the supervising body reads
them; a member of another body, an agency's desk and a stranger are refused; anonymous signs in first.
Bad input answers 400 with nothing changed."""

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from resolutions import services
from resolutions.services import ResolutionError
from resolutions.models import Recommendation, Supervision, Task
from tests.resolutions.supervision_fixtures import *  # noqa: F401,F403


@pytest.fixture
def signed_in(client):
    def do(user):
        client.force_login(user)
        return client
    return do


def test_the_manager_lists_and_opens_a_supervision(signed_in, people, supervision):
    client = signed_in(people["manager"])
    listing = client.get(reverse("resolutions:supervisions"))
    assert listing.status_code == 200 and supervision.title in listing.content.decode()
    page = client.get(reverse("resolutions:supervision", args=[supervision.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Trần Văn Ban" in body and "12/2026/NQ-HĐND" in body and "Bắt đầu giám sát" in body


def test_a_member_of_the_supervising_body_reads_it_without_the_buttons(signed_in, committee_people, supervision):
    client = signed_in(committee_people["member_user"])
    assert supervision.title in client.get(reverse("resolutions:supervisions")).content.decode()
    page = client.get(reverse("resolutions:supervision", args=[supervision.pk]))
    assert page.status_code == 200
    assert "Bắt đầu giám sát" not in page.content.decode()


def test_a_member_of_another_committee_does_not_see_it(signed_in, committee_people, supervision):
    client = signed_in(committee_people["outsider"])
    assert supervision.title not in client.get(reverse("resolutions:supervisions")).content.decode()
    assert client.get(reverse("resolutions:supervision", args=[supervision.pk])).status_code == 403


@pytest.mark.parametrize("who", ["stranger", "agent", "clerk"])
def test_people_of_no_committee_are_refused(signed_in, people, supervision, who):
    client = signed_in(people[who])
    assert client.get(reverse("resolutions:supervisions")).status_code == 403
    assert client.get(reverse("resolutions:supervision", args=[supervision.pk])).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, supervision):
    for url in (reverse("resolutions:supervisions"), reverse("resolutions:supervision", args=[supervision.pk]),
                reverse("resolutions:supervision_create")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_committee_member_cannot_start_it_by_a_forged_post(signed_in, committee_people, supervision):
    client = signed_in(committee_people["member_user"])
    response = client.post(reverse("resolutions:supervision_action", args=[supervision.pk, "start"]))
    assert response.status_code == 403
    assert Supervision.objects.get(pk=supervision.pk).status == Supervision.Status.PLANNED


def test_the_manager_creates_a_supervision_from_the_form(signed_in, people, economy, adopted, committee_people):
    client = signed_in(people["manager"])
    assert client.get(reverse("resolutions:supervision_create")).status_code == 200
    response = client.post(reverse("resolutions:supervision_create"), {
        "body": economy.pk, "title": "Giám sát học phí", "plan": "Kế hoạch", "starts_on": "2026-09-01",
        "resolutions": [adopted.pk], "team": [committee_people["head"].pk]})
    supervision = Supervision.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("resolutions:supervision", args=[supervision.pk])


def test_a_team_member_of_another_body_is_refused_on_the_form(signed_in, people, economy, adopted, committee_people):
    client = signed_in(people["manager"])
    response = client.post(reverse("resolutions:supervision_create"), {
        "body": economy.pk, "title": "Giám sát", "resolutions": [adopted.pk], "team": [committee_people["other"].pk]})
    assert response.status_code == 400
    assert "phải là thành viên của cơ quan giám sát" in response.content.decode()
    assert not Supervision.objects.exists()


def test_a_form_without_a_title_is_a_400(signed_in, people, economy, adopted):
    client = signed_in(people["manager"])
    response = client.post(reverse("resolutions:supervision_create"), {"body": economy.pk, "resolutions": [adopted.pk]})
    assert response.status_code == 400 and not Supervision.objects.exists()


def test_the_manager_runs_a_supervision_to_its_conclusion(signed_in, people, supervision, finance):
    client = signed_in(people["manager"])
    def act(name, data=None):
        return client.post(reverse("resolutions:supervision_action", args=[supervision.pk, name]), data or {})

    assert act("start").status_code == 302
    assert act("recommend", {"agency": finance.pk, "text": "Chi trả đúng hạn", "due_on": "2027-03-31"}).status_code == 302
    assert act("findings", {"findings": "Chậm ở 2 xã"}).status_code == 302
    assert act("conclude").status_code == 302
    task = Task.objects.get(recommendation__supervision=supervision)
    page = client.get(reverse("resolutions:supervision", args=[supervision.pk])).content.decode()
    assert task.lead_agency == finance and "Đã theo dõi" in page and 'data-progress="0"' in page


def test_concluding_without_findings_says_why(signed_in, people, ongoing):
    client = signed_in(people["manager"])
    response = client.post(reverse("resolutions:supervision_action", args=[ongoing.pk, "conclude"]))
    assert response.status_code == 400
    assert "Cần ghi kết quả giám sát" in response.content.decode()
    assert Supervision.objects.get(pk=ongoing.pk).status == Supervision.Status.ONGOING


def test_a_recommendation_with_a_bad_date_is_a_400(signed_in, people, ongoing, finance):
    client = signed_in(people["manager"])
    response = client.post(reverse("resolutions:supervision_action", args=[ongoing.pk, "recommend"]),
                           {"agency": finance.pk, "text": "Chi trả", "due_on": "31/31/2027"})
    assert response.status_code == 400 and not Recommendation.objects.exists()


def test_tracking_twice_is_a_conflict(signed_in, people, ongoing, finance):
    rec = services.add_recommendation(people["manager"], ongoing, agency=finance, text="Chi trả", due_on=dt.date(2027, 3, 31))
    client = signed_in(people["manager"])
    url = reverse("resolutions:supervision_action", args=[ongoing.pk, "track"])
    assert client.post(url, {"recommendation": rec.pk}).status_code == 302
    assert client.post(url, {"recommendation": rec.pk}).status_code == 409
    assert client.post(url, {"recommendation": "x"}).status_code == 400
    assert Task.objects.filter(recommendation=rec).count() == 1


def test_an_unknown_action_is_a_404(signed_in, people, supervision):
    client = signed_in(people["manager"])
    assert client.post(reverse("resolutions:supervision_action", args=[supervision.pk, "delete"])).status_code == 404


def test_a_post_without_the_csrf_token_is_refused(people, supervision):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people["manager"])
    response = client.post(reverse("resolutions:supervision_action", args=[supervision.pk, "start"]))
    assert response.status_code == 403
    assert Supervision.objects.get(pk=supervision.pk).status == Supervision.Status.PLANNED


# ---- the plan changed while planned ---------------------------------------------------------------

def _edited(economy, adopted, committee_people, **changes):
    return {"body": economy.pk, "title": "Giám sát hỗ trợ học phí năm 2026 (điều chỉnh)", "plan": "Thêm 2 xã.",
            "starts_on": "2026-10-01", "ends_on": "2026-10-31", "resolutions": [adopted.pk],
            "team": [committee_people["member"].pk], **changes}


def test_the_manager_changes_a_planned_supervision_through_its_page(signed_in, people, economy, adopted,
                                                                    committee_people, supervision):
    client = signed_in(people["manager"])
    detail = client.get(reverse("resolutions:supervision", args=[supervision.pk])).content.decode()
    assert reverse("resolutions:supervision_edit", args=[supervision.pk]) in detail
    page = client.get(reverse("resolutions:supervision_edit", args=[supervision.pk])).content.decode()
    assert supervision.title in page
    response = client.post(reverse("resolutions:supervision_edit", args=[supervision.pk]),
                           _edited(economy, adopted, committee_people))
    assert response.status_code == 302
    supervision.refresh_from_db()
    assert supervision.title.endswith("(điều chỉnh)") and supervision.ends_on == dt.date(2026, 10, 31)
    assert list(supervision.team.all()) == [committee_people["member"]]
    record = AuditRecord.objects.filter(action="resolutions.supervision_update").get()
    assert set(record.detail["changed"]) == {"title", "plan", "starts_on", "ends_on"}


def test_a_started_supervision_keeps_its_plan(signed_in, people, economy, adopted, committee_people, ongoing):
    client = signed_in(people["manager"])
    response = client.post(reverse("resolutions:supervision_edit", args=[ongoing.pk]),
                           _edited(economy, adopted, committee_people))
    assert response.status_code == 409
    with pytest.raises(ResolutionError) as refused:
        services.update_supervision(people["manager"], ongoing, **{
            **_edited(economy, adopted, committee_people), "body": economy, "resolutions": [adopted], "team": []})
    assert refused.value.code == "bad_transition"
    assert Supervision.objects.get(pk=ongoing.pk).title == "Giám sát hỗ trợ học phí năm 2026"


def test_a_bad_change_is_a_400_and_changes_nothing(signed_in, people, economy, adopted, committee_people, supervision):
    client = signed_in(people["manager"])
    response = client.post(reverse("resolutions:supervision_edit", args=[supervision.pk]),
                           _edited(economy, adopted, committee_people, team=[committee_people["other"].pk]))
    assert response.status_code == 400
    assert Supervision.objects.get(pk=supervision.pk).plan == "Làm việc với Sở Tài chính và 3 xã."


@pytest.mark.parametrize("who", ["member_user", "outsider"])
def test_a_committee_member_cannot_change_the_plan(signed_in, economy, adopted, committee_people, supervision, who):
    client = signed_in(committee_people[who])
    response = client.post(reverse("resolutions:supervision_edit", args=[supervision.pk]),
                           _edited(economy, adopted, committee_people))
    assert response.status_code == 403
    assert Supervision.objects.get(pk=supervision.pk).plan == "Làm việc với Sở Tài chính và 3 xã."
