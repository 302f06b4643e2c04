"""What the office's and the agency's task pages share: the rows with their computed progress
(progress.py, never typed), a task's indicators, milestones and reports, the indicators' charts
(a small server-side SVG: no script, no third-party library), and the reports' files."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from . import progress
from .models import IndicatorValue, Task

W, H, PAD_X, PAD_Y = 320, 140, 44, 16


def rows(tasks, today=None) -> list[dict]:
    """Each task with its progress (percent, as progress.percent shows it) and due state."""
    today = today or timezone.localdate()
    tasks = list(tasks)
    shares = progress.tasks_progress(tasks)
    soon = today + dt.timedelta(days=settings.RESOLUTION_TASK_REMIND_DAYS)
    out = []
    for t in tasks:
        overdue = progress.is_overdue(t, today)
        due = "overdue" if overdue else ("soon" if t.status == Task.Status.OPEN and t.due_on <= soon else "")
        out.append({"t": t, "percent": progress.percent(shares[t.pk]), "overdue": overdue, "due": due})
    return out


def _fmt(value: Decimal) -> str:
    value = Decimal(value).normalize()
    text = f"{value:,f}".replace(",", " ")
    return text.replace(".", ",") if "." in text else text


def _n(coordinate: float) -> str:
    """An SVG coordinate as text: a point, never the locale's decimal comma (the template would localize a float)."""
    return f"{coordinate:.1f}"


def chart(indicator, points: list[tuple]) -> dict:
    """An indicator's reported values over time against its target: coordinates for the template's SVG.
    `points`: (reported_at, value) in time order."""
    values = [Decimal(v) for _, v in points]
    low = min([indicator.baseline, indicator.target, *values])
    high = max([indicator.baseline, indicator.target, *values])
    span = (high - low) or Decimal(1)

    def y(v) -> str:
        return _n(PAD_Y + float((high - Decimal(v)) / span) * (H - 2 * PAD_Y))

    if points:
        t0, t1 = points[0][0].timestamp(), points[-1][0].timestamp()
        width = (t1 - t0) or 1

        def x(at) -> str:
            if t1 == t0:
                return _n(W / 2)
            return _n(PAD_X + (at.timestamp() - t0) / width * (W - PAD_X - 8))
    dots = [{"x": x(at), "y": y(v), "label": f"{timezone.localtime(at):%d/%m/%Y}: {_fmt(v)} {indicator.unit}"}
            for at, v in points] if points else []
    return {"w": W, "h": H, "x0": PAD_X, "x1": W - 4, "target_y": y(indicator.target), "baseline_y": y(indicator.baseline),
            "target": _fmt(indicator.target), "baseline": _fmt(indicator.baseline), "dots": dots,
            "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
            "first": f"{timezone.localtime(points[0][0]):%d/%m/%Y}" if points else "",
            "last": f"{timezone.localtime(points[-1][0]):%d/%m/%Y}" if len(points) > 1 else ""}


def task_detail(task: Task) -> dict:
    """The task page's parts, for the office and for the agency alike."""
    task = (Task.objects.select_related("lead_agency", "resolution", "recommendation", "petition")
            .prefetch_related("co_agencies", "indicators", "milestones").get(pk=task.pk))
    share = progress.task_progress(task)
    history = defaultdict(list)
    for indicator_id, at, value in (IndicatorValue.objects.filter(indicator__task=task)
                                    .order_by("report__reported_at", "report_id")
                                    .values_list("indicator_id", "report__reported_at", "value")):
        history[indicator_id].append((at, value))
    indicators = []
    for i in task.indicators.all():
        points = history.get(i.pk, [])
        latest = points[-1][1] if points else None
        indicators.append({"i": i, "latest": _fmt(latest) if latest is not None else "",
                           "percent": progress.percent(progress.indicator_progress(i.baseline, i.target, latest)),
                           "target": _fmt(i.target), "baseline": _fmt(i.baseline), "chart": chart(i, points)})
    reports = list(task.reports.select_related("agency", "reported_by").prefetch_related("files", "values__indicator")
                   .order_by("-reported_at", "-id"))
    done_by_report = defaultdict(list)
    for m in task.milestones.all():
        if m.done_report_id:
            done_by_report[m.done_report_id].append(m)
    return {"task": task, "percent": progress.percent(share), "overdue": progress.is_overdue(task, timezone.localdate()),
            "indicators": indicators, "milestones": list(task.milestones.all()),
            "reports": [{"r": r, "values": [(v.indicator, _fmt(v.value)) for v in r.values.all()],
                         "milestones": done_by_report.get(r.pk, [])} for r in reports]}
