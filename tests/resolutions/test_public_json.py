"""The JSON export of the public resolutions: the list (same filters, paginated) and one resolution
(status, dates, timeline, tasks with progress and published reports), Popolo-style organisation ids;
nothing internal: a non-public resolution answers 404, an unpublished report is never there."""

import pytest
from django.urls import reverse

from resolutions import public_api, services, services_public, services_tasks
from resolutions.models import Resolution
from tests.resolutions.fixtures import adopt
from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403

LIST = "/public/resolutions.json"


def one(resolution):
    return reverse("resolutions:public_resolution_json", args=[resolution.pk])


@pytest.fixture
def planned(people, term):
    return services.create_resolution(people["manager"], title="Dự kiến nghị quyết về biên chế", term=term,
                                      planned_year=2026)


def test_the_list_has_the_public_resolutions_only(client, adopted, planned):
    data = client.get(LIST).json()
    assert [r["id"] for r in data["results"]] == [f"resolution/{adopted.pk}"]
    assert data["count"] == 1 and data["results"][0]["number"] == adopted.number


def test_the_list_answers_json_with_the_council_as_organisation(client, adopted):
    response = client.get(LIST)
    assert response["Content-Type"] == "application/json"
    assert response.json()["organization"]["id"] == "council"


def test_the_list_takes_the_pages_filters(client, people, term, adopted, health):
    other = adopt(people["manager"], Resolution.objects.create(title="Nghị quyết về y tế cơ sở", term=term,
                                                                planned_year=2026, lead_agency=health),
                  number="13/2026/NQ-HĐND")
    data = client.get(LIST, {"agency": health.pk}).json()
    assert [r["id"] for r in data["results"]] == [f"resolution/{other.pk}"]


def test_a_bad_filter_answers_400_in_json(client, adopted):
    response = client.get(LIST, {"status": "drafting"})
    assert response.status_code == 400 and response.json()["error"] == "bad_filter"


def test_the_list_is_paginated_with_links(client, people, term, monkeypatch):
    monkeypatch.setattr(public_api, "JSON_PAGE_SIZE", 2)
    for n in range(3):
        adopt(people["manager"], Resolution.objects.create(title=f"Nghị quyết {n}", term=term, planned_year=2026),
              number=f"{n + 20}/2026/NQ-HĐND")
    first = client.get(LIST).json()
    assert first["pages"] == 2 and len(first["results"]) == 2 and first["next"].endswith("page=2")
    second = client.get(LIST, {"page": 2}).json()
    assert len(second["results"]) == 1 and second["next"] is None


def test_a_resolution_gives_status_dates_timeline_and_lead_agency(client, adopted, finance):
    data = client.get(one(adopted)).json()
    assert data["status"] == "adopted" and data["decided_on"] == "2026-07-10"
    assert [t["status"] for t in data["timeline"]] == ["drafting", "reviewed", "submitted", "adopted"]
    assert data["lead_agency"] == {"id": f"agency/{finance.pk}", "name": finance.name, "classification": "department",
                                   "parent_id": None}


def test_a_resolution_lists_each_organisation_once_with_popolo_ids(client, adopted, task, finance, education):
    ids = [o["id"] for o in client.get(one(adopted)).json()["organizations"]]
    assert sorted(ids) == sorted(["council", f"agency/{finance.pk}", f"agency/{education.pk}"])


def test_a_task_gives_its_progress_indicators_and_agencies(client, people, adopted, task, education):
    data = client.get(one(adopted)).json()["tasks"][0]
    assert data["id"] == f"task/{task.pk}" and data["progress_percent"] == 0
    assert data["co_agencies"][0]["id"] == f"agency/{education.pk}"
    assert data["indicators"][0]["target"] == "2000" and data["indicators"][0]["latest_published"] is None


def test_a_published_report_is_in_the_json_with_its_figures(client, people, adopted, task, finance):
    indicator = task.indicators.get()
    report = services_tasks.report_progress(people["agent"], task, text="Đợt một", values={indicator.pk: "700"})
    services_public.publish_report(people["manager"], report)
    reports = client.get(one(adopted)).json()["tasks"][0]["reports"]
    assert reports == [{"id": f"report/{report.pk}", "reported_at": reports[0]["reported_at"],
                        "published_at": reports[0]["published_at"], "organization_id": f"agency/{finance.pk}",
                        "text": "Đợt một", "figures": [{"indicator_id": f"indicator/{indicator.pk}", "value": "700"}]}]


def test_an_unpublished_report_is_never_in_the_json(client, people, adopted, task):
    indicator = task.indicators.get()
    services_tasks.report_progress(people["agent"], task, text="Bản nội bộ chưa công khai", values={indicator.pk: "900"})
    response = client.get(one(adopted))
    assert "Bản nội bộ chưa công khai" not in response.content.decode()
    data = response.json()["tasks"][0]
    assert data["reports"] == [] and data["indicators"][0]["latest_published"] is None


def test_a_resolution_not_public_answers_404(client, people, adopted, planned):
    assert client.get(one(planned)).status_code == 404
    services.update_resolution(people["manager"], adopted, public=False)
    assert client.get(one(adopted)).status_code == 404


def test_an_unknown_resolution_answers_404(client, db):
    assert client.get("/public/resolutions/999999.json").status_code == 404


@pytest.mark.parametrize("access,shown", [("public", True), ("internal", False)])
def test_the_signed_document_is_in_the_json_only_if_the_library_publishes_it_to_everyone(client, adopted, access, shown):
    from library.models import Document

    signed = Document.objects.create(kind="resolution", summary="NQ đã ký", access=access, status="published")
    Resolution.objects.filter(pk=adopted.pk).update(signed_document=signed)
    link = client.get(one(adopted)).json()["signed_document"]
    assert (link is not None and link.endswith(reverse("library:view", args=[signed.pk]))) is shown


def test_a_transitions_note_is_never_in_the_json(client, people, term):
    import datetime as dt

    resolution = Resolution.objects.create(title="Phí tham quan", term=term, planned_year=2026)
    services.transition(people["manager"], resolution, "drafting", note="GHI CHÚ NỘI BỘ: chờ ý kiến Sở Tư pháp")
    for status in ("reviewed", "submitted"):
        services.transition(people["manager"], resolution, status)
    services.transition(people["manager"], resolution, "adopted", number="21/2026/NQ-HĐND", decided_on=dt.date(2026, 7, 10))
    assert "GHI CHÚ NỘI BỘ" not in client.get(one(resolution)).content.decode()
