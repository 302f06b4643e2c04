"""The public pages of resolutions: only adopted, public resolutions; only a published public signed
document; the vote only when published; no internal note; filters and search; bad input 400/404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.models import AgendaItem
from library.models import Document
from meeting.models import Body, Sitting
from resolutions import services
from resolutions.models import Resolution, Status
from tests.resolutions.fixtures import *  # noqa: F401,F403
from tests.resolutions.fixtures import adopt
from tests.resolutions.test_office_pages import published_poll


def page(resolution):
    return reverse("resolutions:public_resolution", args=[resolution.pk])


LIST = "/public/resolutions/"


@pytest.fixture
def planned(people, term):
    return services.create_resolution(people["manager"], title="Dự kiến nghị quyết về biên chế", term=term,
                                      planned_year=2026)


def test_the_list_shows_adopted_resolutions_and_not_the_programme(client, adopted, planned):
    body = client.get(LIST).content.decode()
    assert adopted.title in body and adopted.number in body
    assert planned.title not in body


@pytest.mark.parametrize("status", [Status.DRAFTING, Status.WITHDRAWN])
def test_a_resolution_not_adopted_yet_or_withdrawn_has_no_public_page(client, people, planned, status):
    services.transition(people["manager"], planned, status)
    assert client.get(page(planned)).status_code == 404


def test_a_resolution_not_adopted_by_the_vote_has_no_public_page(client, people, planned):
    for status in (Status.DRAFTING, Status.REVIEWED, Status.SUBMITTED):
        services.transition(people["manager"], planned, status)
    services.transition(people["manager"], planned, Status.NOT_ADOPTED, decided_on=dt.date(2026, 7, 10))
    assert client.get(page(planned)).status_code == 404
    assert planned.title not in client.get(LIST).content.decode()


def test_a_resolution_the_office_keeps_off_the_public_pages_is_not_shown(client, people, adopted):
    services.update_resolution(people["manager"], adopted, public=False)
    assert client.get(page(adopted)).status_code == 404
    assert adopted.title not in client.get(LIST).content.decode()


def test_a_bad_id_answers_404(client, db):
    assert client.get("/public/resolutions/999999/").status_code == 404


def test_the_page_shows_number_dates_and_the_timeline_without_internal_notes(client, people, term):
    resolution = Resolution.objects.create(title="Phí tham quan", term=term, planned_year=2026)
    services.transition(people["manager"], resolution, Status.DRAFTING, note="GHI CHÚ NỘI BỘ: chờ ý kiến Sở Tư pháp")
    for status in (Status.REVIEWED, Status.SUBMITTED):
        services.transition(people["manager"], resolution, status)
    services.transition(people["manager"], resolution, Status.ADOPTED, number="20/2026/NQ-HĐND",
                        decided_on=dt.date(2026, 7, 10), effective_on=dt.date(2026, 7, 20))
    body = client.get(page(resolution)).content.decode()
    assert "20/2026/NQ-HĐND" in body and "10/07/2026" in body and "20/07/2026" in body
    assert "GHI CHÚ NỘI BỘ" not in body


@pytest.mark.parametrize("access,status,shown", [("public", "published", True), ("delegates", "published", False),
                                                 ("internal", "published", False), ("public", "draft", False),
                                                 ("public", "withdrawn", False)])
def test_the_signed_document_is_shown_only_if_the_library_publishes_it_to_everyone(client, people, adopted, access,
                                                                                    status, shown):
    signed = Document.objects.create(kind="resolution", summary="NQ đã ký", access=access, status=status)
    Resolution.objects.filter(pk=adopted.pk).update(signed_document=signed)
    response = client.get(page(adopted))
    assert (response.context["document"] == signed) is shown
    assert (reverse("library:view", args=[signed.pk]) in response.content.decode()) is shown


@pytest.fixture
def voted(people, term, adopted):
    plenary = Body.objects.create(name="HĐND tỉnh", kind=Body.Kind.PLENARY, term=term)
    sitting = Sitting.objects.create(body=plenary, title="Phiên bế mạc", starts_at=timezone.now(), is_public=True)
    item = AgendaItem.objects.create(sitting=sitting, title="Biểu quyết thông qua")
    poll = published_poll(item)
    Resolution.objects.filter(pk=adopted.pk).update(agenda_item=item, poll=poll)
    return poll


def test_the_published_vote_and_where_it_was_adopted_are_shown(client, adopted, voted):
    response = client.get(page(adopted))
    assert response.context["vote"]["rows"][0]["count"] == 40
    body = response.content.decode()
    assert "Tán thành" in body and "Phiên bế mạc" in body and "Biểu quyết thông qua" in body


def test_a_vote_not_yet_published_is_not_shown(client, adopted, voted):
    voted.rounds.update(status="closed")
    assert client.get(page(adopted)).context["vote"] is None


def test_the_vote_of_a_closed_sitting_is_not_shown(client, adopted, voted):
    Sitting.objects.filter(pk=voted.sitting_id).update(is_public=False)
    response = client.get(page(adopted))
    assert response.context["vote"] is None and "Phiên bế mạc" not in response.content.decode()


def test_tasks_show_agency_due_date_progress_and_overdue(client, people, adopted, finance):
    services.create_task(people["manager"], resolution=adopted, title="Chi trả hỗ trợ học phí", lead_agency=finance,
                         due_on=dt.date(2020, 1, 1), milestones=[{"title": "Hướng dẫn"}])
    body = client.get(page(adopted)).content.decode()
    assert "Chi trả hỗ trợ học phí" in body and "Sở Tài chính" in body and "01/01/2020" in body and "Quá hạn" in body


def test_links_show_only_public_resolutions(client, people, term, adopted, planned):
    services.link(people["manager"], planned, adopted, "amends")
    assert planned.title not in client.get(page(adopted)).content.decode()
    other = adopt(people["manager"], Resolution.objects.create(title="Sửa đổi học phí", term=term, planned_year=2026),
                  number="30/2026/NQ-HĐND")
    services.link(people["manager"], other, adopted, "amends")
    assert "30/2026/NQ-HĐND" in client.get(page(adopted)).content.decode()


def test_the_list_filters_by_year_area_status_and_finds_without_diacritics(client, people, term, adopted):
    second = adopt(people["manager"], Resolution.objects.create(title="Kế hoạch đầu tư công", term=term,
                                                                planned_year=2027, area="investment"),
                   number="3/2027/NQ-HĐND", decided_on=dt.date(2027, 7, 1))

    def titles(**query):
        return [r.pk for r, _p in client.get(LIST, query).context["rows"]]

    assert titles(year=2027) == [second.pk]
    assert titles(area="investment") == [second.pk]
    assert titles(q="hoc phi vung kho khan") == [adopted.pk]
    assert titles(q="3/2027") == [second.pk]
    assert titles(status="adopted") == [second.pk, adopted.pk]


def test_a_bad_public_filter_answers_400(client, adopted):
    assert client.get(LIST, {"status": "planned"}).status_code == 400


def test_the_portal_home_links_the_public_list(client, db):
    assert f'href="{LIST}"' in client.get("/").content.decode()
