"""The lifecycle's transitions and the computed progress (resolutions.services, resolutions.progress)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from audit.models import AuditRecord
from resolutions import progress, services
from resolutions.models import Resolution, ResolutionLink, Status, Task, Transition
from resolutions.services import ResolutionError
from tests.resolutions.fixtures import *  # noqa: F401,F403
from tests.resolutions.fixtures import adopt


def test_each_step_is_recorded_with_who_and_when(people, adopted):
    steps = list(Transition.objects.filter(resolution=adopted).values_list("from_status", "to_status", "by__username"))
    assert steps == [("planned", "drafting", "manager"), ("drafting", "reviewed", "manager"),
                     ("reviewed", "submitted", "manager"), ("submitted", "adopted", "manager")]
    assert AuditRecord.objects.filter(action="resolutions.transition").count() == 4


def test_a_step_out_of_order_is_refused_and_changes_nothing(people, term):
    resolution = Resolution.objects.create(title="Dự kiến", term=term, planned_year=2026)
    with pytest.raises(ResolutionError) as refused:
        services.transition(people["manager"], resolution, Status.ADOPTED, number="1/2026/NQ-HĐND",
                            decided_on=dt.date(2026, 7, 1))
    assert refused.value.code == "bad_transition"
    resolution.refresh_from_db()
    assert resolution.status == Status.PLANNED and resolution.number == ""


@pytest.mark.parametrize("who", ["clerk", "agent", "stranger"])
def test_only_resolution_staff_move_a_resolution(people, term, who):
    resolution = Resolution.objects.create(title="Dự kiến", term=term, planned_year=2026)
    with pytest.raises(ResolutionError) as refused:
        services.transition(people[who], resolution, Status.DRAFTING)
    assert refused.value.code == "forbidden"
    assert Resolution.objects.get(pk=resolution.pk).status == Status.PLANNED
    assert AuditRecord.objects.filter(action="resolutions.transition", outcome="forbidden").count() == 1


def test_adoption_needs_a_number_not_taken(people, term, adopted):
    other = Resolution.objects.create(title="Khác", term=term, planned_year=2026)
    with pytest.raises(ResolutionError) as refused:
        adopt(people["manager"], other, number=adopted.number)
    assert refused.value.code == "number_taken"
    assert Resolution.objects.get(pk=other.pk).status == Status.SUBMITTED


def test_adopting_a_replacement_marks_the_old_one_replaced(people, term, adopted):
    new = Resolution.objects.create(title="Thay thế", term=term, planned_year=2027)
    ResolutionLink.objects.create(source=new, target=adopted, kind=ResolutionLink.Kind.REPLACES)
    adopt(people["manager"], new, number="3/2027/NQ-HĐND", decided_on=dt.date(2027, 7, 1))
    adopted.refresh_from_db()
    assert adopted.status == Status.REPLACED
    assert adopted.transitions.last().to_status == Status.REPLACED


def test_progress_comes_from_indicators_and_milestones_weighted(people, adopted, finance, health):
    manager = people["manager"]
    by_figure = services.create_task(manager, resolution=adopted, title="Hỗ trợ học phí", lead_agency=finance,
                                     due_on=dt.date(2026, 12, 31), weight=3,
                                     indicators=[{"name": "Học sinh được hỗ trợ", "unit": "học sinh", "target": Decimal(2000)}])
    by_steps = services.create_task(manager, resolution=adopted, title="Ban hành hướng dẫn", lead_agency=health,
                                    due_on=dt.date(2026, 9, 30),
                                    milestones=[{"title": "Dự thảo hướng dẫn"}, {"title": "Ban hành", "weight": 3}])
    assert progress.resolution_progress(adopted) == 0
    from resolutions.models import IndicatorValue, ProgressReport
    from django.utils import timezone
    report = ProgressReport.objects.create(task=by_figure, agency=finance, text="Đã chi trả", reported_at=timezone.now())
    IndicatorValue.objects.create(report=report, indicator=by_figure.indicators.get(), value=Decimal(500))
    milestone = by_steps.milestones.get(title="Dự thảo hướng dẫn")
    milestone.done_on = dt.date(2026, 8, 1)
    milestone.save()
    # (3 × 1/4 + 1 × 1/4) / 4
    assert progress.resolution_progress(adopted) == Fraction(1, 4)
    assert progress.percent(Fraction(199, 200)) == 99
    assert progress.is_overdue(by_steps, dt.date(2026, 10, 1)) and not progress.is_overdue(by_figure, dt.date(2026, 10, 1))
    assert Task.objects.filter(resolution=adopted).count() == 2


def test_a_task_needs_one_origin_in_force(people, term, finance):
    planned = Resolution.objects.create(title="Dự kiến", term=term, planned_year=2026)
    with pytest.raises(ResolutionError) as refused:
        services.create_task(people["manager"], resolution=planned, title="x", lead_agency=finance, due_on=dt.date(2026, 1, 1))
    assert refused.value.code == "not_in_force"
    with pytest.raises(ResolutionError) as refused:
        services.create_task(people["manager"], title="x", lead_agency=finance, due_on=dt.date(2026, 1, 1))
    assert refused.value.code == "bad_origin"
    assert not Task.objects.exists()
