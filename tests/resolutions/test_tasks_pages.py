"""The office's task pages, as each person meets them: `manager` follows and decides; the agencies'
desk users (`agent`, `co_agent`), `clerk` (letters only) and `stranger` are refused (403), the
anonymous sent to sign in; a forged POST changes nothing."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from resolutions import progress, services_tasks
from resolutions.models import Status, Task
from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403
from tests.resolutions.tasks_fixtures import make_task

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def as_(client, people):
    def login(name):
        client.force_login(people[name])
        return client
    return login


def _percent_shown(html: str, task_id: int) -> int:
    row = re.search(rf'<tr[^>]*data-task="{task_id}".*?</tr>', html, re.S).group(0)
    return int(re.search(r'<span class="pct">(\d+)%</span>', row).group(1))


def test_the_overview_shows_each_tasks_progress_as_progress_py_computes_it(as_, people, task):
    services_tasks.report_progress(people["agent"], task, text="Đợt 1", values={task.indicators.get().pk: "700"})
    page = as_("manager").get(reverse("resolutions:tasks"))
    assert page.status_code == 200
    assert _percent_shown(page.content.decode(), task.pk) == progress.percent(progress.task_progress(task)) == 35


def test_the_overview_flags_an_overdue_task(as_, people, adopted, finance):
    late = make_task(people["manager"], adopted, finance, title="Việc đã quá hạn", due_on=dt.date(2020, 1, 1))
    html = as_("manager").get(reverse("resolutions:tasks")).content.decode()
    row = re.search(rf'<tr class="due-overdue" data-task="{late.pk}"', html)
    assert row is not None


def test_the_overview_filters_by_agency_and_overdue(as_, people, task, adopted, health):
    late = make_task(people["manager"], adopted, health, title="Kiểm tra y tế", due_on=dt.date(2020, 1, 1))
    client = as_("manager")
    html = client.get(reverse("resolutions:tasks"), {"agency": health.pk}).content.decode()
    assert f'data-task="{late.pk}"' in html and f'data-task="{task.pk}"' not in html
    html = client.get(reverse("resolutions:tasks"), {"due": "overdue"}).content.decode()
    assert f'data-task="{late.pk}"' in html and f'data-task="{task.pk}"' not in html


def test_the_overview_filters_tasks_due_within_n_days(as_, people, task, adopted, health):
    from django.utils import timezone

    soon = make_task(people["manager"], adopted, health, title="Sắp đến hạn", due_on=timezone.localdate() + dt.timedelta(days=3))
    html = as_("manager").get(reverse("resolutions:tasks"), {"due": "soon", "days": "5"}).content.decode()
    assert f'data-task="{soon.pk}"' in html and f'data-task="{task.pk}"' not in html


def test_the_overview_filters_by_a_co_operating_agency_and_origin(as_, task, education):
    html = as_("manager").get(reverse("resolutions:tasks"), {"agency": education.pk, "origin": "resolution"}).content.decode()
    assert f'data-task="{task.pk}"' in html
    html = as_("manager").get(reverse("resolutions:tasks"), {"origin": "petition"}).content.decode()
    assert f'data-task="{task.pk}"' not in html


@pytest.mark.parametrize("query", [{"agency": "abc"}, {"days": "-3"}, {"origin": "rumour"}, {"agency": "999999"}])
def test_a_bad_filter_is_a_400_saying_so(as_, task, query):
    page = as_("manager").get(reverse("resolutions:tasks"), query)
    assert page.status_code == 400
    assert "Bộ lọc không hợp lệ" in page.content.decode()


@pytest.mark.parametrize("who", ["agent", "co_agent", "clerk", "stranger"])
def test_the_office_pages_refuse_anyone_but_resolution_staff(client, people, co_agent, task, who):
    client.force_login(co_agent if who == "co_agent" else people[who])
    for url in (reverse("resolutions:tasks"), reverse("resolutions:task", args=[task.pk]),
                reverse("resolutions:task_edit", args=[task.pk]), reverse("resolutions:task_new", args=[task.resolution_id])):
        assert client.get(url).status_code == 403, url


def test_the_anonymous_are_sent_to_sign_in(client, task):
    page = client.get(reverse("resolutions:task", args=[task.pk]))
    assert page.status_code == 302 and "/login" in page["Location"]


def test_the_task_page_shows_indicators_chart_milestones_and_reports(as_, people, task):
    services_tasks.report_progress(people["agent"], task, text="Đã chi trả học kỳ I", values={task.indicators.get().pk: "500"})
    services_tasks.report_progress(people["agent"], task, text="Đã chi trả học kỳ II", values={task.indicators.get().pk: "1200"})
    html = as_("manager").get(reverse("resolutions:task", args=[task.pk])).content.decode()
    assert "Học sinh được hỗ trợ" in html and '<strong class="latest">1 200</strong>' in html
    assert html.count('<circle class="dot"') == 2 and '<polyline class="line"' in html and 'class="target"' in html
    assert "Đã chi trả học kỳ I" in html and "Đã chi trả học kỳ II" in html
    assert '<span class="pct">60%</span>' in html


def test_the_chart_coordinates_are_numbers_whatever_the_locale(as_, people, task):
    services_tasks.report_progress(people["agent"], task, text="Đợt 1", values={task.indicators.get().pk: "500"})
    html = as_("manager").get(reverse("resolutions:task", args=[task.pk])).content.decode()
    chart = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    coordinates = re.findall(r' (?:cx|cy|x1|x2|y1|y2|x|y)="([^"]*)"', chart)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in coordinates), coordinates


def test_the_office_gives_a_task_through_the_form(as_, adopted, finance, education):
    page = as_("manager").post(reverse("resolutions:task_new", args=[adopted.pk]), {
        "title": "Hỗ trợ học phí", "lead_agency": finance.pk, "co_agencies": [education.pk], "due_on": "2026-12-31",
        "weight": "2", "ind-TOTAL_FORMS": "1", "ind-INITIAL_FORMS": "0", "ind-0-name": "Học sinh", "ind-0-unit": "người",
        "ind-0-target": "2000", "ms-TOTAL_FORMS": "1", "ms-INITIAL_FORMS": "0", "ms-0-title": "Ban hành hướng dẫn"})
    task = Task.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse("resolutions:task", args=[task.pk])
    assert (task.weight, task.indicators.get().target, task.milestones.get().title) == (2, Decimal(2000), "Ban hành hướng dẫn")
    adopted.refresh_from_db()
    assert adopted.status == Status.IMPLEMENTING


def test_a_task_form_without_a_due_date_is_a_400_and_creates_nothing(as_, adopted, finance):
    page = as_("manager").post(reverse("resolutions:task_new", args=[adopted.pk]), {
        "title": "Hỗ trợ", "lead_agency": finance.pk, "weight": "1", "ind-TOTAL_FORMS": "0", "ind-INITIAL_FORMS": "0",
        "ms-TOTAL_FORMS": "0", "ms-INITIAL_FORMS": "0"})
    assert page.status_code == 400 and not Task.objects.exists()


def test_a_forged_post_by_an_agent_creates_nothing(as_, adopted, finance):
    page = as_("agent").post(reverse("resolutions:task_new", args=[adopted.pk]), {
        "title": "Tự giao", "lead_agency": finance.pk, "due_on": "2026-12-31", "weight": "1",
        "ind-TOTAL_FORMS": "0", "ind-INITIAL_FORMS": "0", "ms-TOTAL_FORMS": "0", "ms-INITIAL_FORMS": "0"})
    assert page.status_code == 403 and not Task.objects.exists()


def test_editing_through_the_page(as_, task, finance):
    page = as_("manager").post(reverse("resolutions:task_edit", args=[task.pk]), {
        "title": "Hỗ trợ học phí (điều chỉnh)", "lead_agency": finance.pk, "due_on": "2027-01-31", "weight": "1"})
    assert page.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.due_on) == ("Hỗ trợ học phí (điều chỉnh)", dt.date(2027, 1, 31))


def test_cancelling_without_a_reason_is_a_400_with_the_message(as_, task):
    page = as_("manager").post(reverse("resolutions:task_action", args=[task.pk, "cancel"]), {"reason": ""})
    assert page.status_code == 400 and "Ghi rõ lý do" in page.content.decode()
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN


def test_a_forged_accept_by_the_agent_is_refused_and_changes_nothing(as_, people, task):
    services_tasks.report_progress(people["agent"], task, text="Xong", claims_done=True)
    page = as_("agent").post(reverse("resolutions:task_action", args=[task.pk, "accept"]))
    assert page.status_code == 403
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN


def test_an_action_is_post_only(as_, task):
    assert as_("manager").get(reverse("resolutions:task_action", args=[task.pk, "cancel"])).status_code == 405


def test_an_unknown_action_is_a_404(as_, task):
    assert as_("manager").post(reverse("resolutions:task_action", args=[task.pk, "explode"])).status_code == 404


def test_accept_return_and_complete_from_the_task_page(as_, people, task, adopted):
    client = as_("manager")
    services_tasks.report_progress(people["agent"], task, text="Xong", claims_done=True)
    assert "Công nhận hoàn thành" in client.get(reverse("resolutions:task", args=[task.pk])).content.decode()
    client.post(reverse("resolutions:task_action", args=[task.pk, "return"]), {"note": "Thiếu chứng từ"})
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN
    services_tasks.report_progress(people["agent"], task, text="Đã bổ sung chứng từ", claims_done=True)
    client.post(reverse("resolutions:task_action", args=[task.pk, "accept"]))
    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE
    html = client.get(reverse("resolutions:task", args=[task.pk])).content.decode()
    assert "Ghi nhận nghị quyết hoàn thành" in html
    page = client.post(reverse("resolutions:task_action", args=[task.pk, "complete"]))
    assert page.status_code == 302
    adopted.refresh_from_db()
    assert adopted.status == Status.COMPLETED


def test_completing_with_a_task_still_open_is_refused(as_, task, adopted):
    page = as_("manager").post(reverse("resolutions:task_action", args=[task.pk, "complete"]))
    assert page.status_code == 400
    adopted.refresh_from_db()
    assert adopted.status == Status.IMPLEMENTING


# ---- indicators and milestones changed on the edit page -------------------------------------------

def _rows(prefix, rows, extra=1):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows) + extra), f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "40"}
    for k, row in enumerate(rows):
        data.update({f"{prefix}-{k}-{name}": value for name, value in row.items()})
    return data


def test_the_office_changes_adds_and_removes_indicators_on_the_edit_page(as_, people, task, finance):
    indicator = task.indicators.get()
    unmeasured = task.indicators.create(name="Xã được hướng dẫn", unit="xã", target=62)
    page = as_("manager").get(reverse("resolutions:task_edit", args=[task.pk])).content.decode()
    assert indicator.name in page and unmeasured.name in page
    data = {"title": task.title, "lead_agency": finance.pk, "due_on": "2026-12-31", "weight": "1",
            **_rows("ind", [{"id": indicator.pk, "name": indicator.name, "unit": indicator.unit, "baseline": "0",
                             "target": "2500", "weight": "2"},
                            {"id": unmeasured.pk, "name": unmeasured.name, "unit": "xã", "target": "62", "remove": "on"},
                            {"name": "Hồ sơ được duyệt", "unit": "hồ sơ", "target": "1800"}], extra=0)}
    response = as_("manager").post(reverse("resolutions:task_edit", args=[task.pk]), data)
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.target, indicator.weight) == (2500, 2)
    assert sorted(task.indicators.values_list("name", flat=True)) == sorted([indicator.name, "Hồ sơ được duyệt"])


def test_an_indicator_with_reported_values_is_kept(as_, people, task, finance):
    from resolutions import services_tasks
    from resolutions.services import ResolutionError

    indicator = task.indicators.get()
    services_tasks.report_progress(people["agent"], task, text="Đã chi trả", values={indicator.pk: "500"})
    data = {"title": task.title, "lead_agency": finance.pk, "due_on": "2026-12-31", "weight": "1",
            **_rows("ind", [{"id": indicator.pk, "name": indicator.name, "target": "2000", "remove": "on"}], extra=0)}
    response = as_("manager").post(reverse("resolutions:task_edit", args=[task.pk]), data)
    assert response.status_code in (400, 409) and task.indicators.filter(pk=indicator.pk).exists()
    with pytest.raises(ResolutionError) as refused:
        services_tasks.set_measures(people["manager"], task, indicators=[{"id": indicator.pk, "remove": True}])
    assert refused.value.code == "measured"


def test_another_tasks_indicator_is_refused(people, task, adopted, health):
    from resolutions import services_tasks
    from resolutions.services import ResolutionError
    from tests.resolutions.tasks_fixtures import make_task

    other = make_task(people["manager"], adopted, health, title="Nhiệm vụ khác")
    with pytest.raises(ResolutionError) as refused:
        services_tasks.set_measures(people["manager"], task, indicators=[
            {"id": other.indicators.get().pk, "name": "x", "target": 5}])
    assert refused.value.code == "foreign_indicator"
    assert other.indicators.get().name != "x"


def test_a_milestone_is_added_and_changed(people, steps_task):
    from resolutions import services_tasks

    first = steps_task.milestones.get(title="Dự thảo hướng dẫn")
    services_tasks.set_measures(people["manager"], steps_task, milestones=[
        {"id": first.pk, "title": "Dự thảo hướng dẫn (lấy ý kiến các xã)", "weight": 2},
        {"title": "Tập huấn cho xã", "weight": 1}])
    assert sorted(steps_task.milestones.values_list("title", "weight")) == [
        ("Ban hành", 3), ("Dự thảo hướng dẫn (lấy ý kiến các xã)", 2), ("Tập huấn cho xã", 1)]
