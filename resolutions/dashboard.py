"""The office's dashboard of tasks per agency (issue 16, item 6): for each lead agency, its open tasks,
those due within 7 and 30 days, the overdue, the done on time and late, and the average progress of
its open tasks. Counted and averaged by the database in one query (conditional aggregates, the
progress of a task as correlated subqueries with progress.py's arithmetic), never by a Python loop
over the tasks. Cancelled tasks are left out. A task counts for its lead agency only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, F, FloatField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Greatest, Least

from petitions.models import Agency

from .models import Indicator, IndicatorValue, Milestone, Task


def _indicator_share():
    """An indicator's progress between 0 and 1 (progress.indicator_progress) from its latest value."""
    latest = (IndicatorValue.objects.filter(indicator=OuterRef("pk"))
              .order_by("-report__reported_at", "-report_id").values("value")[:1])
    span = Cast(F("target"), FloatField()) - Cast(F("baseline"), FloatField())
    raw = (Cast(Subquery(latest), FloatField()) - Cast(F("baseline"), FloatField())) / span
    return Greatest(Value(0.0), Least(Value(1.0), Coalesce(raw, Value(0.0), output_field=FloatField())),
                    output_field=FloatField())


def task_progress_expression():
    """An open task's progress, 0..1, as an SQL expression over Task (indicators weighted, else
    milestones done weighted, else 0): progress.task_progress in the database."""
    share = _indicator_share()
    by_indicators = (Indicator.objects.filter(task=OuterRef("pk")).order_by().values("task")
                     .annotate(p=Sum(F("weight") * share, output_field=FloatField())
                               / Cast(Sum("weight"), FloatField()))
                     .values("p"))
    by_milestones = (Milestone.objects.filter(task=OuterRef("pk")).order_by().values("task")
                     .annotate(p=Cast(Sum("weight", filter=Q(done_on__isnull=False)), FloatField())
                               / Cast(Sum("weight"), FloatField()))
                     .values("p"))
    return Coalesce(Subquery(by_indicators, output_field=FloatField()),
                    Subquery(by_milestones, output_field=FloatField()), Value(0.0), output_field=FloatField())


def per_agency(today: dt.date) -> list[dict]:
    """One row per lead agency with tasks followed, most overdue first."""
    open_ = Q(status=Task.Status.OPEN)
    done = Q(status=Task.Status.DONE)
    rows = (Task.objects.exclude(status=Task.Status.CANCELLED).order_by().values("lead_agency")
            .annotate(open=Count("pk", filter=open_),
                      due7=Count("pk", filter=open_ & Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7))),
                      due30=Count("pk", filter=open_ & Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=30))),
                      overdue=Count("pk", filter=open_ & Q(due_on__lt=today)),
                      on_time=Count("pk", filter=done & Q(done_on__lte=F("due_on"))),
                      late=Count("pk", filter=done & Q(done_on__gt=F("due_on"))),
                      average=Avg(task_progress_expression(), filter=open_)))
    rows = list(rows)
    names = dict(Agency.objects.filter(pk__in=[r["lead_agency"] for r in rows]).values_list("pk", "name"))
    for r in rows:
        r["agency"] = names.get(r["lead_agency"], "")
        r["percent"] = None if r["average"] is None else int(r["average"] * 100 + 1e-9)
    rows.sort(key=lambda r: (-r["overdue"], -r["open"], r["agency"]))
    return rows


def totals(rows: list[dict]) -> dict:
    keys = ("open", "due7", "due30", "overdue", "on_time", "late")
    return {k: sum(r[k] for r in rows) for k in keys}
