"""The office's dashboard of tasks per agency (resolutions.dashboard): counted by the database, the
same figures as the tasks themselves say; resolution staff only; each figure links to the tasks
overview filtered by the agency."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from resolutions import dashboard, progress, services_tasks
from resolutions.models import Task
from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403
from tests.resolutions.tasks_fixtures import make_task

URL = "/resolutions/tasks/agencies/"


def today():
    return timezone.localdate()


def row_of(agency):
    return next(r for r in dashboard.per_agency(today()) if r["lead_agency"] == agency.pk)


def due_in(days):
    return today() + dt.timedelta(days=days)


@pytest.fixture
def board(people, adopted, finance, health):
    """Sở Tài chính: one overdue, one due in 5 days, one in 20, one in 90, one done on time, one done
    late, one cancelled. Sở Y tế: one due in 60 days."""
    m = people["manager"]
    made = {name: make_task(m, adopted, finance, due_on=due_in(days), title=name)
            for name, days in (("overdue", -3), ("d5", 5), ("d20", 20), ("d90", 90), ("ontime", 10), ("late", -10),
                               ("cancelled", -30))}
    Task.objects.filter(pk=made["ontime"].pk).update(status=Task.Status.DONE, done_on=due_in(2))
    Task.objects.filter(pk=made["late"].pk).update(status=Task.Status.DONE, done_on=due_in(-1))
    services_tasks.cancel_task(m, made["cancelled"], "Không còn phù hợp")
    made["health"] = make_task(m, adopted, health, due_on=due_in(60), title="health")
    return made


def test_open_tasks_are_counted_per_lead_agency(board, finance, health):
    assert row_of(finance)["open"] == 4 and row_of(health)["open"] == 1


def test_due_within_7_and_30_days_are_counted(board, finance):
    r = row_of(finance)
    assert (r["due7"], r["due30"]) == (1, 2)


def test_overdue_counts_open_tasks_past_their_date_only(board, finance):
    assert row_of(finance)["overdue"] == 1


def test_done_on_time_and_late_are_told_apart(board, finance):
    r = row_of(finance)
    assert (r["on_time"], r["late"]) == (1, 1)


def test_a_cancelled_task_is_not_counted(people, adopted, health):
    services_tasks.cancel_task(people["manager"], make_task(people["manager"], adopted, health, due_on=due_in(-5)), "Bỏ")
    assert [r for r in dashboard.per_agency(today()) if r["lead_agency"] == health.pk] == []


def test_average_progress_is_the_open_tasks_progress_arithmetic(people, adopted, finance):
    agent = people["agent"]
    a = make_task(people["manager"], adopted, finance, due_on=due_in(10),
                  indicators=[{"name": "Học sinh", "unit": "học sinh", "target": Decimal(200)},
                              {"name": "Trường", "unit": "trường", "baseline": Decimal(10), "target": Decimal(4),
                               "weight": 3}])
    b = make_task(people["manager"], adopted, finance, due_on=due_in(10), indicators=[],
                  milestones=[{"title": "Kế hoạch"}, {"title": "Xong", "weight": 3}])
    ids = list(a.indicators.values_list("pk", flat=True))
    services_tasks.report_progress(agent, a, text="Lần 1", values={ids[0]: "50", ids[1]: "9"})
    services_tasks.report_progress(agent, a, text="Lần 2", values={ids[0]: "120"})
    services_tasks.report_progress(agent, b, text="Kế hoạch xong", milestones=[b.milestones.get(title="Kế hoạch").pk])
    shares = progress.tasks_progress(Task.objects.filter(pk__in=[a.pk, b.pk]).prefetch_related("indicators", "milestones"))
    expected = float(sum(shares.values()) / 2)
    assert row_of(finance)["average"] == pytest.approx(expected) and 0 < expected < 1


def test_the_dashboard_reads_the_same_few_queries_whatever_the_tasks(people, adopted, finance):
    def count():
        with CaptureQueriesContext(connection) as queries:
            dashboard.per_agency(today())
        return len(queries)

    make_task(people["manager"], adopted, finance, due_on=due_in(3), title="Một")
    few = count()
    for i in range(4):
        make_task(people["manager"], adopted, finance, due_on=due_in(i), title=f"Thêm {i}")
    assert count() == few <= 6


def test_the_page_links_each_figure_to_the_overview_filtered_by_agency(client, people, board, finance):
    client.force_login(people["manager"])
    body = client.get(URL).content.decode()
    tasks = reverse("resolutions:tasks")
    assert f'{tasks}?agency={finance.pk}&amp;status=open&amp;due=overdue' in body
    assert finance.name in body


def test_the_overdue_link_lists_the_agencys_overdue_tasks(client, people, board, finance):
    client.force_login(people["manager"])
    body = client.get(reverse("resolutions:tasks"), {"agency": finance.pk, "status": "open", "due": "overdue"}).content.decode()
    assert f'data-task="{board["overdue"].pk}"' in body and f'data-task="{board["d5"].pk}"' not in body


@pytest.mark.parametrize("who", ["agent", "clerk", "stranger"])
def test_the_dashboard_is_refused_to_anyone_but_resolution_staff(client, people, board, who):
    client.force_login(people[who])
    assert client.get(URL).status_code == 403


def test_the_anonymous_are_sent_to_sign_in(client, board):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
