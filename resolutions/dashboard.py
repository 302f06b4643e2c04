"""The office's dashboard of tasks per agency (issue 16, item 6): for each lead agency, its open tasks,
those due within 7 and 30 days, the overdue, the done on time and late, and the average progress of
its open tasks. Counted and averaged by the database (conditional aggregates; the progress of the
open tasks by joins and a window, progress.py's arithmetic in SQL), never by a Python loop over the
tasks. Cancelled tasks are left out. A task counts for its lead agency only."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Count, F, Q

from petitions.models import Agency

from .models import Indicator, IndicatorValue, Milestone, ProgressReport, Task


# The average progress of each agency's open tasks: each indicator's latest value (ROW_NUMBER over
# its values by the report's time, as progress.latest_values), an indicator's share clamped to 0..1,
# a task's indicators weighted, else its milestones done weighted, else 0. Joins and one window over
# the open tasks' values: correlated subqueries per task cost 1.3 s at 40,000 tasks on PostgreSQL
# (docs/performance.md, "Resolutions"). "* 1.0": SQLite divides integers as integers.
AVERAGE_SQL = """
WITH ind AS (
  SELECT i.id, i.task_id, i.weight, i.baseline, i.target
  FROM {indicator} i JOIN {task} t ON t.id = i.task_id WHERE t.status = %s
), ranked AS (
  SELECT v.indicator_id, v.value,
         ROW_NUMBER() OVER (PARTITION BY v.indicator_id ORDER BY r.reported_at DESC, r.id DESC) AS n
  FROM {value} v JOIN ind ON ind.id = v.indicator_id JOIN {report} r ON r.id = v.report_id
), shared AS (
  SELECT ind.task_id, (v.value - ind.baseline) * 1.0 / (ind.target - ind.baseline) AS raw, ind.weight
  FROM ind LEFT JOIN ranked v ON v.indicator_id = ind.id AND v.n = 1
), by_indicators AS (
  SELECT task_id, SUM(weight * CASE WHEN raw IS NULL OR raw < 0 THEN 0.0 WHEN raw > 1 THEN 1.0 ELSE raw END) * 1.0
                  / SUM(weight) AS p
  FROM shared GROUP BY task_id
), by_milestones AS (
  SELECT m.task_id, SUM(CASE WHEN m.done_on IS NULL THEN 0 ELSE m.weight END) * 1.0 / SUM(m.weight) AS p
  FROM {milestone} m JOIN {task} t ON t.id = m.task_id WHERE t.status = %s GROUP BY m.task_id
)
SELECT t.lead_agency_id, AVG(COALESCE(bi.p, bm.p, 0.0))
FROM {task} t LEFT JOIN by_indicators bi ON bi.task_id = t.id LEFT JOIN by_milestones bm ON bm.task_id = t.id
WHERE t.status = %s GROUP BY t.lead_agency_id
"""


def average_progress() -> dict[int, float]:
    """agency id -> the average progress (0..1) of the open tasks it leads."""
    sql = AVERAGE_SQL.format(indicator=Indicator._meta.db_table, task=Task._meta.db_table,
                             value=IndicatorValue._meta.db_table, report=ProgressReport._meta.db_table,
                             milestone=Milestone._meta.db_table)
    open_ = Task.Status.OPEN.value
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Compiling this query just in time costs more than running it (0.6 s of 0.9 s measured).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [open_, open_, open_])
        return {agency: float(average) for agency, average in cursor.fetchall()}


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
                      late=Count("pk", filter=done & Q(done_on__gt=F("due_on")))))
    rows = list(rows)
    averages = average_progress()
    names = dict(Agency.objects.filter(pk__in=[r["lead_agency"] for r in rows]).values_list("pk", "name"))
    for r in rows:
        r["agency"] = names.get(r["lead_agency"], "")
        r["average"] = averages.get(r["lead_agency"])
        r["percent"] = None if r["average"] is None else int(r["average"] * 100 + 1e-9)
    rows.sort(key=lambda r: (-r["overdue"], -r["open"], r["agency"]))
    return rows


def totals(rows: list[dict]) -> dict:
    keys = ("open", "due7", "due30", "overdue", "on_time", "late")
    return {k: sum(r[k] for r in rows) for k in keys}
