"""The six-monthly report's numbers, from hand-built data with known answers (resolutions.report):
done on time and done late, overdue with its days late, open, progress, what is in the period."""

import datetime as dt

import pytest
from django.utils import timezone

from resolutions import report, services
from resolutions.models import Milestone, Resolution, Status, Supervision, Task
from tests.resolutions.supervision_fixtures import *  # noqa: F401,F403
from tests.resolutions.supervision_fixtures import adopt, make_case, make_commitment

TODAY = dt.date(2027, 1, 10)  # the second half of 2026 is over: counted as at 31/12/2026


def done(task, on):
    Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE, done_on=on)


@pytest.fixture
def data(people, term, adopted, finance, health, economy):
    """Resolution 12/2026 (adopted 10/7/2026): four followed tasks and a cancelled one; 20/2026 with one;
    a supervision concluded in the half-year; a commitment and a voters' petition followed."""
    m = people["manager"]
    task = lambda **kw: services.create_task(m, resolution=adopted, lead_agency=finance, **kw)  # noqa: E731
    on_time = task(title="Ban hành hướng dẫn", due_on=dt.date(2026, 9, 30))
    late = task(title="Chi trả đợt 1", due_on=dt.date(2026, 10, 31))
    overdue = task(title="Chi trả đợt 2", due_on=dt.date(2026, 11, 30))
    halfway = services.create_task(m, resolution=adopted, lead_agency=health, title="Rà soát đối tượng",
                                   due_on=dt.date(2027, 3, 31), milestones=[{"title": "Xã"}, {"title": "Tỉnh"}])
    cancelled = task(title="Bỏ", due_on=dt.date(2026, 8, 1))
    done(on_time, dt.date(2026, 9, 20))
    done(late, dt.date(2026, 11, 15))
    Task.objects.filter(pk=cancelled.pk).update(status=Task.Status.CANCELLED)
    Milestone.objects.filter(task=halfway, title="Xã").update(done_on=dt.date(2026, 12, 1))
    second = adopt(m, Resolution.objects.create(title="Phí tham quan", term=term, planned_year=2026),
                   number="20/2026/NQ-HĐND", decided_on=dt.date(2026, 12, 20))
    services.create_task(m, resolution=second, lead_agency=health, title="Thu phí", due_on=dt.date(2027, 6, 30))
    old = adopt(m, Resolution.objects.create(title="Cũ", term=term, planned_year=2025), number="5/2025/NQ-HĐND",
                decided_on=dt.date(2025, 7, 1))
    Resolution.objects.filter(pk=old.pk).update(status=Status.REPLACED,
                                                status_changed_at=timezone.make_aware(dt.datetime(2026, 3, 1)))
    Resolution.objects.create(title="Còn trong chương trình", term=term, planned_year=2026)

    sup = services.create_supervision(m, body=economy, title="Giám sát học phí", resolutions=[adopted],
                                      starts_on=dt.date(2026, 9, 1))
    services.start_supervision(m, sup)
    services.add_recommendation(m, sup, agency=finance, text="Chi trả đúng hạn", due_on=dt.date(2026, 12, 1))
    services.add_recommendation(m, sup, agency=health, text="Công khai danh sách", due_on=dt.date(2027, 2, 1))
    services.record_findings(m, sup, findings="Chậm")
    services.conclude_supervision(m, sup, concluded_on=dt.date(2026, 10, 15))
    earlier = services.create_supervision(m, body=economy, title="Giám sát quý I", resolutions=[adopted])
    Supervision.objects.filter(pk=earlier.pk).update(status=Supervision.Status.CONCLUDED, ends_on=dt.date(2026, 5, 1))

    services.track_commitment(m, make_commitment(), lead_agency=finance, due_on=dt.date(2026, 12, 15))
    services.track_petition(m, make_case(agency=health), due_on=dt.date(2027, 2, 1))
    return {"adopted": adopted, "second": second, "overdue": overdue}


def row(summary, number):
    return next(r for r in summary.resolutions if r["number"] == number)


def test_the_half_years_are_january_to_june_and_july_to_december():
    assert report.half_year(2026, 1) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert report.half_year(2026, 2) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    with pytest.raises(ValueError):
        report.half_year(2026, 3)


def test_a_finished_half_year_is_counted_as_at_its_last_day(data):
    assert report.summary(2026, 2, today=TODAY).as_of == dt.date(2026, 12, 31)


def test_only_resolutions_in_force_during_the_period_are_reported(data):
    s = report.summary(2026, 2, today=TODAY)
    assert [r["number"] for r in s.resolutions] == ["12/2026/NQ-HĐND", "20/2026/NQ-HĐND"]
    # 5/2025 was replaced on 1/3/2026: in force during the first half, not the second.
    assert [r["number"] for r in report.summary(2026, 1, today=TODAY).resolutions] == ["5/2025/NQ-HĐND"]


def test_done_late_is_counted_within_done_and_cancelled_tasks_are_left_out(data):
    r = row(report.summary(2026, 2, today=TODAY), "12/2026/NQ-HĐND")
    assert (r["total"], r["done"], r["done_late"], r["overdue"], r["open"]) == (4, 2, 1, 1, 1)


def test_progress_is_the_tasks_weighted_as_reported_by_the_end_of_the_period(data):
    # (1 + 1 + 0 + 1/2) / 4 = 62.5 % shown 62 %
    assert row(report.summary(2026, 2, today=TODAY), "12/2026/NQ-HĐND")["progress"] == 62


def test_the_lead_agencies_of_a_resolutions_tasks_are_listed(data):
    assert row(report.summary(2026, 2, today=TODAY), "12/2026/NQ-HĐND")["agencies"] == ["Sở Tài chính", "Sở Y tế"]


def test_the_totals_add_up_the_resolutions(data):
    s = report.summary(2026, 2, today=TODAY)
    assert s.totals == {"total": 5, "done": 2, "done_late": 1, "overdue": 1, "open": 2}


def test_overdue_tasks_of_every_origin_with_their_days_late(data):
    s = report.summary(2026, 2, today=TODAY)
    late = {t["title"]: (t["agency"], t["days_late"]) for t in s.overdue}
    assert late == {"Chi trả đợt 2": ("Sở Tài chính", 31),
                    "Chi trả đúng hạn": ("Sở Tài chính", 30),
                    "Sở Tài chính hoàn thành chi trả học phí trước 31/12/2026": ("Sở Tài chính", 16)}


def test_a_task_done_after_the_period_was_overdue_at_its_end(data):
    done(data["overdue"], dt.date(2027, 1, 5))
    r = row(report.summary(2026, 2, today=TODAY), "12/2026/NQ-HĐND")
    assert (r["done"], r["overdue"]) == (2, 1)


def test_the_supervisions_concluded_in_the_period_with_their_recommendations(data):
    s = report.summary(2026, 2, today=TODAY)
    assert [sup["title"] for sup in s.supervisions] == ["Giám sát học phí"]
    states = [(r["agency"], r["state"]) for r in s.supervisions[0]["recommendations"]]
    assert states == [("Sở Tài chính", "overdue"), ("Sở Y tế", "open")]


def test_commitments_and_voters_petitions_followed_as_tasks(data):
    s = report.summary(2026, 2, today=TODAY)
    assert [(t["kind"], t["state"]) for t in s.tracked] == [("Cam kết khi trả lời chất vấn", "overdue"),
                                                            ("Kiến nghị cử tri", "open")]
    assert s.tracked_totals["total"] == 2 and s.tracked_totals["overdue"] == 1
