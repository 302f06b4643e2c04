"""The agencies' reports on the public page: internal until the office publishes them
(services_public.publish_report, audited, resolution staff only); then date, agency, text and figures are
shown, never the files; the indicators' charts drawn from published reports only; the agency filter
of the public list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord
from resolutions import progress, services, services_public, services_tasks
from resolutions.services import ResolutionError
from tests.resolutions.supervision_fixtures import *  # noqa: F401,F403
from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403
from tests.library.samples import pdf
from tests.resolutions.tasks_fixtures import make_task


def page(resolution):
    return reverse("resolutions:public_resolution", args=[resolution.pk])


@pytest.fixture
def report(people, task):
    indicator = task.indicators.get()
    return services_tasks.report_progress(people["agent"], task, text="Đã hỗ trợ 700 học sinh đợt một",
                                          values={indicator.pk: "700"})


def test_an_unpublished_report_is_not_on_the_public_page(client, adopted, report):
    body = client.get(page(adopted)).content.decode()
    assert "Đã hỗ trợ 700 học sinh đợt một" not in body
    assert f'id="report-{report.pk}"' not in body


def test_a_published_report_shows_its_date_agency_text_and_figures(client, people, adopted, report):
    services_public.publish_report(people["manager"], report)
    body = client.get(page(adopted)).content.decode()
    assert f'id="report-{report.pk}"' in body
    assert "Đã hỗ trợ 700 học sinh đợt một" in body and "Sở Tài chính" in body
    assert "<strong>700</strong> học sinh" in body
    # The council's date (TIME_ZONE), not UTC's: from 17:00 UTC it is already the next day in Viet Nam.
    assert timezone.localtime(report.reported_at).strftime("%d/%m/%Y") in body


def test_a_published_reports_files_are_never_on_the_public_page(client, people, adopted, task):
    upload = SimpleUploadedFile("bien-ban.pdf", pdf(), content_type="application/pdf")
    made = services_tasks.report_progress(people["agent"], task, text="Kèm biên bản", files=[upload])
    services_public.publish_report(people["manager"], made)
    body = client.get(page(adopted)).content.decode()
    assert "Kèm biên bản" in body
    assert "bien-ban" not in body and "/file/" not in body


def test_an_unpublished_report_leaves_the_public_page_again(client, people, adopted, report):
    services_public.publish_report(people["manager"], report)
    services_public.unpublish_report(people["manager"], report)
    assert "Đã hỗ trợ 700 học sinh đợt một" not in client.get(page(adopted)).content.decode()


@pytest.mark.parametrize("name", ["agent", "co_agent", "clerk", "stranger"])
def test_only_resolution_staff_may_publish_a_report(people, co_agent, report, name):
    user = co_agent if name == "co_agent" else people[name]
    with pytest.raises(ResolutionError) as refused:
        services_public.publish_report(user, report)
    assert refused.value.code == "forbidden"
    report.refresh_from_db()
    assert report.published_at is None


def test_publishing_is_audited(people, report):
    services_public.publish_report(people["manager"], report)
    assert AuditRecord.objects.filter(action="resolutions.report_publish", outcome="ok").exists()


def test_a_report_is_published_once(people, report):
    services_public.publish_report(people["manager"], report)
    with pytest.raises(ResolutionError) as refused:
        services_public.publish_report(people["manager"], report)
    assert refused.value.code == "already_published"


def test_the_office_publishes_from_the_task_page(client, people, task, report):
    client.force_login(people["manager"])
    assert reverse("resolutions:report_publish", args=[task.pk, report.pk, "publish"]) in \
        client.get(reverse("resolutions:task", args=[task.pk])).content.decode()
    response = client.post(reverse("resolutions:report_publish", args=[task.pk, report.pk, "publish"]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.published_at is not None


@pytest.mark.parametrize("name", ["agent", "stranger"])
def test_a_desk_user_or_a_stranger_cannot_publish_by_a_forged_post(client, people, task, report, name):
    client.force_login(people[name])
    response = client.post(reverse("resolutions:report_publish", args=[task.pk, report.pk, "publish"]))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.published_at is None


def test_the_anonymous_is_sent_to_sign_in_and_nothing_is_published(client, task, report):
    response = client.post(reverse("resolutions:report_publish", args=[task.pk, report.pk, "publish"]))
    assert response.status_code == 302 and "login" in response["Location"]
    report.refresh_from_db()
    assert report.published_at is None


def test_a_report_of_another_task_answers_404(client, people, adopted, health, report):
    other = make_task(people["manager"], adopted, health, title="Việc khác")
    client.force_login(people["manager"])
    response = client.post(reverse("resolutions:report_publish", args=[other.pk, report.pk, "publish"]))
    assert response.status_code == 404


def test_an_unknown_action_answers_404(client, people, task, report):
    client.force_login(people["manager"])
    assert client.post(reverse("resolutions:report_publish", args=[task.pk, report.pk, "delete"])).status_code == 404


def test_the_chart_draws_only_published_values(client, people, adopted, task, report):
    indicator = task.indicators.get()
    later = services_tasks.report_progress(people["agent"], task, text="Đợt hai", values={indicator.pk: "1500"})
    services_public.publish_report(people["manager"], report)
    body = client.get(page(adopted)).content.decode()
    chart = body[body.index(f'id="indicator-{indicator.pk}"'):]
    chart = chart[:chart.index("</svg>")]
    assert chart.count('<circle class="dot"') == 1
    assert "700 học sinh" in chart and "1 500" not in chart
    assert later.text not in body


def test_the_list_filters_by_the_lead_agency_of_a_task(client, people, term, adopted, health):
    from resolutions.models import Resolution
    from tests.resolutions.fixtures import adopt

    other = adopt(people["manager"], Resolution.objects.create(title="Nghị quyết về y tế cơ sở", term=term,
                                                                planned_year=2026), number="13/2026/NQ-HĐND")
    make_task(people["manager"], other, health, title="Tiêm chủng")
    body = client.get("/public/resolutions/", {"agency": health.pk}).content.decode()
    assert other.title in body and adopted.title not in body


def test_the_list_filters_by_the_lead_agency_of_the_resolution(client, adopted, finance):
    body = client.get("/public/resolutions/", {"agency": finance.pk}).content.decode()
    assert adopted.title in body


def test_an_unknown_agency_in_the_filter_answers_400(client, adopted):
    assert client.get("/public/resolutions/", {"agency": "999999"}).status_code == 400


def _public_percent(client, resolution, task) -> int:
    import re

    body = client.get(page(resolution)).content.decode()
    row = body[body.index(f'id="task-{task.pk}"'):]
    return int(re.search(r'<span class="pct">(\d+)%</span>', row).group(1))


def test_an_unpublished_figure_does_not_move_the_public_progress(client, adopted, task, report):
    assert _public_percent(client, adopted, task) == 0


def test_a_published_figure_moves_the_public_progress(client, people, adopted, task, report):
    services_public.publish_report(people["manager"], report)
    assert _public_percent(client, adopted, task) == 35  # 700 of 2000


def test_the_public_list_shows_the_progress_of_published_reports_only(client, people, adopted, task, report):
    from resolutions import public_api

    assert public_api.progress_of([adopted]) == {adopted.pk: 0}
    services_public.publish_report(people["manager"], report)
    assert public_api.progress_of([adopted]) == {adopted.pk: 35}


def test_a_milestone_counts_publicly_once_its_report_is_published(client, people, adopted, steps_task):
    first = steps_task.milestones.get(title="Dự thảo hướng dẫn")
    made = services_tasks.report_progress(people["agent"], steps_task, text="Đã dự thảo", milestones=[first.pk])
    assert _public_percent(client, adopted, steps_task) == 0
    services_public.publish_report(people["manager"], made)
    assert _public_percent(client, adopted, steps_task) == 25  # weights 1 of 1 + 3


def test_a_publish_post_without_the_csrf_token_is_refused(people, task, report):
    from django.test import Client

    forged = Client(enforce_csrf_checks=True)
    forged.force_login(people["manager"])
    response = forged.post(reverse("resolutions:report_publish", args=[task.pk, report.pk, "publish"]))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.published_at is None



def test_a_report_on_a_supervisions_task_cannot_be_published(people, finance, ongoing):
    import datetime as dt

    recommendation = services.add_recommendation(people["manager"], ongoing, agency=finance,
                                                 text="Rà soát danh sách học sinh", due_on=dt.date(2026, 12, 31))
    tracked = services.track_recommendation(people["manager"], recommendation)
    made = services_tasks.report_progress(people["agent"], tracked, text="Đã rà soát")
    with pytest.raises(ResolutionError) as refused:
        services_public.publish_report(people["manager"], made)
    assert refused.value.code == "not_a_resolution_task"


def test_the_public_list_counts_a_milestone_once_its_report_is_published(people, adopted, steps_task):
    """The list's three-query count (pages.progress_of, published only) follows the page's rule."""
    from resolutions import public_api

    first = steps_task.milestones.get(title="Dự thảo hướng dẫn")
    made = services_tasks.report_progress(people["agent"], steps_task, text="Đã dự thảo", milestones=[first.pk])
    assert public_api.progress_of([adopted]) == {adopted.pk: 0}
    services_public.publish_report(people["manager"], made)
    assert public_api.progress_of([adopted]) == {adopted.pk: 25}
    assert public_api.progress_of([adopted]) == {
        adopted.pk: progress.percent(progress.weighted(list(adopted.tasks.all()), public_api.public_progress(adopted.tasks.all())))}
