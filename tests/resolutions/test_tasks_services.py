"""The office's task services (resolutions.services_tasks): create, edit, cancel, accept or return an
agency's "done" — each audited, each refusal with its code and nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import AuditRecord
from resolutions import services_tasks
from resolutions.models import Status, Task, Transition
from resolutions.services import ResolutionError
from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403
from tests.resolutions.tasks_fixtures import DUE, make_task


def _claim(user, task, text="Đã chi trả cho toàn bộ học sinh"):
    return services_tasks.report_progress(user, task, text=text, claims_done=True)


def test_the_first_task_moves_an_adopted_resolution_into_implementation(task, adopted):
    adopted.refresh_from_db()
    assert adopted.status == Status.IMPLEMENTING
    step = Transition.objects.filter(resolution=adopted).last()
    assert (step.from_status, step.to_status, step.by.username) == ("adopted", "implementing", "manager")
    assert AuditRecord.objects.filter(action="resolutions.task_create", outcome="ok").count() == 1


def test_a_second_task_leaves_the_resolution_in_implementation(people, task, adopted, health):
    make_task(people["manager"], adopted, health, title="Kiểm tra y tế học đường")
    assert Transition.objects.filter(resolution=adopted, to_status="implementing").count() == 1
    assert adopted.tasks.count() == 2


def test_a_task_keeps_its_indicators_milestones_and_co_agencies(people, adopted, finance, education):
    t = make_task(people["manager"], adopted, finance, co=[education, finance],
                  indicators=[{"name": "Kinh phí", "unit": "triệu đồng", "baseline": Decimal(100), "target": Decimal(900),
                               "weight": 2}],
                  milestones=[{"title": "Ban hành kế hoạch", "due_on": dt.date(2026, 9, 1)}])
    assert list(t.co_agencies.all()) == [education]  # the lead is not its own co-operating agency
    assert t.indicators.get().weight == 2 and t.milestones.get().due_on == dt.date(2026, 9, 1)


@pytest.mark.parametrize("field, value, code", [
    ("title", "  ", "title_required"), ("lead_agency", None, "agency_required"), ("due_on", None, "due_required"),
    ("weight", 0, "bad_weight"),
])
def test_a_task_without_its_own_fields_is_refused(people, adopted, finance, field, value, code):
    fields = {"title": "Nhiệm vụ", "lead_agency": finance, "due_on": DUE, "weight": 1, field: value}
    with pytest.raises(ResolutionError) as refused:
        services_tasks.create_resolution_task(people["manager"], adopted, **fields)
    assert refused.value.code == code
    assert not Task.objects.exists()
    adopted.refresh_from_db()
    assert adopted.status == Status.ADOPTED


def test_an_indicator_without_a_unit_is_refused(people, adopted, finance):
    with pytest.raises(ResolutionError) as refused:
        make_task(people["manager"], adopted, finance, indicators=[{"name": "Kinh phí", "unit": "", "target": Decimal(5)}])
    assert refused.value.code == "bad_indicator"
    assert not Task.objects.exists()


def test_a_task_for_a_resolution_not_in_force_is_refused(people, term, finance):
    from resolutions.models import Resolution

    planned = Resolution.objects.create(title="Dự kiến", term=term, planned_year=2027)
    with pytest.raises(ResolutionError) as refused:
        make_task(people["manager"], planned, finance)
    assert refused.value.code == "not_in_force"
    assert not Task.objects.exists()


@pytest.mark.parametrize("who", ["agent", "clerk", "stranger"])
def test_only_resolution_staff_create_tasks_and_the_refusal_is_audited(people, adopted, finance, who):
    with pytest.raises(ResolutionError) as refused:
        make_task(people[who], adopted, finance)
    assert refused.value.code == "forbidden"
    assert not Task.objects.exists()
    assert AuditRecord.objects.filter(action="resolutions.task_create", outcome="forbidden").count() == 1


def test_editing_an_open_task_is_audited_with_what_changed(people, task, health, education):
    services_tasks.edit_task(people["manager"], task, title="Hỗ trợ học phí năm học 2026-2027", lead_agency=task.lead_agency,
                             co_agencies=[education, health], due_on=dt.date(2027, 3, 31), weight=2)
    task.refresh_from_db()
    assert (task.title, task.due_on, task.weight) == ("Hỗ trợ học phí năm học 2026-2027", dt.date(2027, 3, 31), 2)
    assert set(task.co_agencies.all()) == {education, health}
    record = AuditRecord.objects.get(action="resolutions.task_edit")
    assert record.detail["changed"] == ["due_on", "title", "weight", "co_agencies"]


def test_a_new_due_date_lets_the_daily_job_remind_again(people, task):
    Task.objects.filter(pk=task.pk).update(reminded_at=dt.datetime(2026, 12, 25, tzinfo=dt.UTC))
    services_tasks.edit_task(people["manager"], task, title=task.title, lead_agency=task.lead_agency, due_on=dt.date(2027, 6, 30))
    task.refresh_from_db()
    assert task.reminded_at is None


def test_an_agent_cannot_edit_a_task(people, task):
    with pytest.raises(ResolutionError) as refused:
        services_tasks.edit_task(people["agent"], task, title="Đổi", lead_agency=task.lead_agency, due_on=DUE)
    assert refused.value.code == "forbidden"
    task.refresh_from_db()
    assert task.title == "Hỗ trợ học phí"


def test_cancelling_needs_a_reason_and_keeps_it(people, task):
    with pytest.raises(ResolutionError) as refused:
        services_tasks.cancel_task(people["manager"], task, "   ")
    assert refused.value.code == "reason_required"
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN
    services_tasks.cancel_task(people["manager"], task, "Nghị quyết đã điều chỉnh nội dung này")
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED and task.cancel_reason == "Nghị quyết đã điều chỉnh nội dung này"
    assert AuditRecord.objects.filter(action="resolutions.task_cancel", outcome="ok").count() == 1


def test_a_closed_task_is_not_edited(people, task):
    services_tasks.cancel_task(people["manager"], task, "Không còn phù hợp")
    with pytest.raises(ResolutionError) as refused:
        services_tasks.edit_task(people["manager"], task, title="Khác", lead_agency=task.lead_agency, due_on=DUE)
    assert refused.value.code == "task_closed"
    assert Task.objects.get(pk=task.pk).title == "Hỗ trợ học phí"


def test_accepting_without_a_done_report_is_refused(people, task):
    services_tasks.report_progress(people["agent"], task, text="Đang triển khai")
    with pytest.raises(ResolutionError) as refused:
        services_tasks.accept_done(people["manager"], task)
    assert refused.value.code == "no_done_claim"
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN


def test_accepting_the_agencys_done_closes_the_task_on_the_reports_day(people, task):
    report = _claim(people["agent"], task)
    services_tasks.accept_done(people["manager"], task)
    task.refresh_from_db()
    report.refresh_from_db()
    assert task.status == Task.Status.DONE
    from django.utils import timezone
    assert task.done_on == timezone.localdate(report.reported_at)
    assert (report.review, report.reviewed_by.username) == ("accepted", "manager")
    assert AuditRecord.objects.get(action="resolutions.task_accept").detail["report"] == report.pk


def test_returning_a_done_report_needs_a_note_and_keeps_the_task_open(people, task):
    report = _claim(people["agent"], task)
    with pytest.raises(ResolutionError) as refused:
        services_tasks.return_report(people["manager"], task, "")
    assert refused.value.code == "note_required"
    services_tasks.return_report(people["manager"], task, "Thiếu danh sách học sinh được hỗ trợ")
    report.refresh_from_db()
    task.refresh_from_db()
    assert report.review == "returned" and report.review_note == "Thiếu danh sách học sinh được hỗ trợ"
    assert task.status == Task.Status.OPEN
    assert services_tasks.pending_claim(task) is None


def test_an_agent_cannot_accept_its_own_done(people, task):
    _claim(people["agent"], task)
    with pytest.raises(ResolutionError) as refused:
        services_tasks.accept_done(people["agent"], task)
    assert refused.value.code == "forbidden"
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN


def test_ready_to_complete_when_every_task_not_cancelled_is_done(people, task, adopted, health):
    other = make_task(people["manager"], adopted, health, title="Kiểm tra")
    _claim(people["agent"], task)
    services_tasks.accept_done(people["manager"], task)
    adopted.refresh_from_db()
    assert not services_tasks.ready_to_complete(adopted)
    services_tasks.cancel_task(people["manager"], other, "Gộp vào nhiệm vụ khác")
    assert services_tasks.ready_to_complete(adopted)
