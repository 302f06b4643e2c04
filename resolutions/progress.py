"""Progress, computed, never typed (issue: "never typed as a bare percentage").

- An indicator: how far its latest reported value has gone from the baseline to the target,
  between 0 and 1 (a value past the target counts 1; a target below the baseline, a reduction, works
  the same way).
- A task: 1 once done; else its indicators' progress weighted, else its milestones done weighted,
  else 0.
- A resolution: its tasks' progress weighted by Task.weight, cancelled tasks left out; None when it
  has no task to follow.
Exact arithmetic (Fraction); `percent` rounds for display only."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from .models import IndicatorValue, Task


def indicator_progress(baseline, target, value) -> Fraction:
    if value is None:
        return Fraction(0)
    span = Fraction(target) - Fraction(baseline)
    share = (Fraction(value) - Fraction(baseline)) / span
    return min(Fraction(1), max(Fraction(0), share))


def latest_values(tasks) -> dict[int, object]:
    """indicator id -> its value in the latest report that gave one."""
    rows = (IndicatorValue.objects.filter(indicator__task__in=tasks)
            .order_by("indicator_id", "report__reported_at", "report_id")
            .values_list("indicator_id", "value"))
    return dict(rows)  # later rows win


def task_progress(task: Task, values: dict | None = None) -> Fraction:
    if task.status == Task.Status.DONE:
        return Fraction(1)
    indicators = list(task.indicators.all())
    if indicators:
        values = latest_values([task]) if values is None else values
        total = sum(i.weight for i in indicators)
        return sum(Fraction(i.weight) * indicator_progress(i.baseline, i.target, values.get(i.pk)) for i in indicators) / total
    milestones = list(task.milestones.all())
    if milestones:
        total = sum(m.weight for m in milestones)
        return Fraction(sum(m.weight for m in milestones if m.done_on), total)
    return Fraction(0)


def tasks_progress(tasks) -> dict[int, Fraction]:
    """task id -> progress, for many tasks in three queries (prefetch indicators and milestones)."""
    tasks = list(tasks)
    values = latest_values(tasks)
    return {t.pk: task_progress(t, values) for t in tasks}


def weighted(tasks, progress: dict[int, Fraction]) -> Fraction | None:
    followed = [t for t in tasks if t.status != Task.Status.CANCELLED]
    total = sum(t.weight for t in followed)
    if not total:
        return None
    return sum(Fraction(t.weight) * progress[t.pk] for t in followed) / total


def resolution_progress(resolution) -> Fraction | None:
    tasks = list(resolution.tasks.prefetch_related("indicators", "milestones"))
    return weighted(tasks, tasks_progress(tasks))


def percent(share: Fraction | None) -> int | None:
    """A share as a whole percentage for display (half rounds down: 99.5 % is not done)."""
    if share is None:
        return None
    return int(share * 100)


def is_overdue(task: Task, today: dt.date) -> bool:
    return task.status == Task.Status.OPEN and task.due_on < today
