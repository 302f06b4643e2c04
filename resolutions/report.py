"""The standing committee's six-monthly report on the implementation of the council's resolutions
(báo cáo kết quả giám sát việc thực hiện nghị quyết, 6 tháng), produced from the data.

The period is a half-year: 1/1–30/6 or 1/7–31/12. Everything is counted as it stood at the end of
the period, or today for the half-year still running ("as of"):

- a resolution is in the report when it was in force during the period: adopted on or before the
  period's end and not replaced, nor completed, before its start;
- its tasks (those from the resolution itself) created by then, cancelled ones left out: done (the
  office accepted it done on or before "as of"), of which done late (after its due date), overdue
  (not done and past its due date), open (not done and not yet due); total = done + overdue + open;
- progress as resolutions.progress computes it, from the indicator values reported and the
  milestones done by "as of", weighted by Task.weight;
- overdue tasks of every origin, with their agency and the days late at "as of";
- the supervisions concluded in the period (Supervision.ends_on, which the conclusion sets), with
  their recommendations and each one's state;
- commitments made while answering questions and voters' petitions followed as tasks.

The page, the PDF and the spreadsheet (resolutions.report_export) all read one `Summary`, so their
numbers cannot differ."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import progress
from .models import IN_FORCE, IndicatorValue, Resolution, Status, Supervision, Task

HALVES = (1, 2)
COUNTS = ("total", "done", "done_late", "overdue", "open")


def half_year(year: int, half: int) -> tuple[dt.date, dt.date]:
    """The first (1/1–30/6) or second (1/7–31/12) half of `year`."""
    if half not in HALVES:
        raise ValueError(half)
    return (dt.date(year, 1, 1), dt.date(year, 6, 30)) if half == 1 else (dt.date(year, 7, 1), dt.date(year, 12, 31))


def current_half(today: dt.date) -> tuple[int, int]:
    return today.year, 1 if today.month <= 6 else 2


@dataclass
class Summary:
    year: int
    half: int
    start: dt.date
    end: dt.date
    as_of: dt.date
    resolutions: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    overdue: list[dict] = field(default_factory=list)
    supervisions: list[dict] = field(default_factory=list)
    tracked: list[dict] = field(default_factory=list)
    tracked_totals: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.half == 1:
            return _("6 tháng đầu năm %(y)d") % {"y": self.year}
        return _("6 tháng cuối năm %(y)d") % {"y": self.year}


# ---- one task's state at a day -----------------------------------------------------------------

def state(task: Task, as_of: dt.date) -> str:
    """done | done_late | overdue | open, as the task stood at the end of `as_of`."""
    if task.status == Task.Status.DONE and task.done_on and task.done_on <= as_of:
        return "done_late" if task.done_on > task.due_on else "done"
    return "overdue" if task.due_on < as_of else "open"


STATE_LABELS = {
    "done": gettext_lazy("Đã hoàn thành"),
    "done_late": gettext_lazy("Hoàn thành quá hạn"),
    "overdue": gettext_lazy("Quá hạn"),
    "open": gettext_lazy("Đang thực hiện"),
}


def state_label(key: str) -> str:
    return str(STATE_LABELS[key])


def count(states) -> dict:
    """States of tasks -> the report's counts (done includes done late)."""
    out = dict.fromkeys(COUNTS, 0)
    for key in states:
        out["total"] += 1
        if key in ("done", "done_late"):
            out["done"] += 1
            out["done_late"] += key == "done_late"
        else:
            out[key] += 1
    return out


def _end_of(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def progress_at(tasks: list[Task], as_of: dt.date) -> dict[int, Fraction]:
    """task id -> progress from what was reported by the end of `as_of` (resolutions.progress's rules)."""
    rows = (IndicatorValue.objects.filter(indicator__task__in=tasks, report__reported_at__lt=_end_of(as_of))
            .order_by("indicator_id", "report__reported_at", "report_id").values_list("indicator_id", "value"))
    values = dict(rows)
    out = {}
    for task in tasks:
        if task.status == Task.Status.DONE and task.done_on and task.done_on <= as_of:
            out[task.pk] = Fraction(1)
            continue
        indicators = list(task.indicators.all())
        milestones = list(task.milestones.all())
        if indicators:
            total = sum(i.weight for i in indicators)
            out[task.pk] = sum(Fraction(i.weight) * progress.indicator_progress(i.baseline, i.target, values.get(i.pk))
                               for i in indicators) / total
        elif milestones:
            total = sum(m.weight for m in milestones)
            out[task.pk] = Fraction(sum(m.weight for m in milestones if m.done_on and m.done_on <= as_of), total)
        else:
            out[task.pk] = Fraction(0)
    return out


def _followed(as_of: dt.date):
    """Tasks that existed by `as_of` and are followed (not cancelled)."""
    return (Task.objects.exclude(status=Task.Status.CANCELLED).filter(created_at__lt=_end_of(as_of))
            .select_related("lead_agency").prefetch_related("indicators", "milestones"))


def in_force_during(start: dt.date, end: dt.date):
    ended_before = Q(status__in=(Status.REPLACED, Status.COMPLETED), status_changed_at__lt=_end_of(start - dt.timedelta(days=1)))
    return (Resolution.objects.filter(status__in=(*IN_FORCE, Status.REPLACED), decided_on__lte=end)
            .exclude(ended_before).order_by("decided_on", "id"))


# ---- the summary -------------------------------------------------------------------------------

def summary(year: int, half: int, today: dt.date | None = None) -> Summary:
    start, end = half_year(year, half)
    today = today or timezone.localdate()
    as_of = min(today, end)
    out = Summary(year=year, half=half, start=start, end=end, as_of=as_of)
    resolutions = list(in_force_during(start, end))
    tasks = list(_followed(as_of).filter(Q(resolution__in=resolutions) | Q(resolution__isnull=True)))
    share = progress_at(tasks, as_of)
    states = {t.pk: state(t, as_of) for t in tasks}

    by_resolution: dict[int, list[Task]] = {}
    for task in tasks:
        if task.resolution_id:
            by_resolution.setdefault(task.resolution_id, []).append(task)
    for resolution in resolutions:
        own = by_resolution.get(resolution.pk, [])
        row = {"id": resolution.pk, "number": resolution.number, "title": resolution.title,
               "status": resolution.get_status_display(), **count(states[t.pk] for t in own),
               "progress": progress.percent(progress.weighted(own, share)),
               "agencies": sorted({t.lead_agency.name for t in own})}
        out.resolutions.append(row)
    out.totals = count(states[t.pk] for t in tasks if t.resolution_id)

    for task in sorted(tasks, key=lambda t: (t.due_on, t.pk)):
        if states[task.pk] == "overdue":
            out.overdue.append({"id": task.pk, "title": task.title, "origin": origin_label(task),
                                "agency": task.lead_agency.name, "due_on": task.due_on,
                                "days_late": (as_of - task.due_on).days})

    out.supervisions = _supervisions(start, end, as_of)
    tracked = [t for t in tasks if t.commitment_id or t.petition_id]
    for task in sorted(tracked, key=lambda t: (t.due_on, t.pk)):
        out.tracked.append({"id": task.pk, "kind": origin_label(task), "title": task.title, "agency": task.lead_agency.name,
                            "due_on": task.due_on, "state": states[task.pk], "state_label": state_label(states[task.pk]),
                            "progress": progress.percent(share[task.pk])})
    out.tracked_totals = count(states[t.pk] for t in tracked)
    return out


def origin_label(task: Task) -> str:
    if task.resolution_id:
        return _("Nghị quyết")
    if task.recommendation_id:
        return _("Kiến nghị giám sát")
    if task.commitment_id:
        return _("Cam kết khi trả lời chất vấn")
    return _("Kiến nghị cử tri")


def _supervisions(start: dt.date, end: dt.date, as_of: dt.date) -> list[dict]:
    supervisions = (Supervision.objects.filter(status=Supervision.Status.CONCLUDED, ends_on__gte=start, ends_on__lte=end)
                    .select_related("body").prefetch_related("recommendations__agency", "resolutions")
                    .order_by("ends_on", "id"))
    rows = []
    for supervision in supervisions:
        recommendations = list(supervision.recommendations.all())
        tasks = {t.recommendation_id: t for t in _followed(as_of).filter(recommendation__in=recommendations)}
        share = progress_at(list(tasks.values()), as_of)
        items = []
        for rec in recommendations:
            task = tasks.get(rec.pk)
            key = state(task, as_of) if task else None
            items.append({"agency": rec.agency.name, "text": rec.text, "due_on": rec.due_on,
                          "state": key or "untracked",
                          "state_label": state_label(key) if key else _("Chưa theo dõi"),
                          "progress": progress.percent(share[task.pk]) if task else None})
        rows.append({"id": supervision.pk, "title": supervision.title, "body": supervision.body.name,
                     "concluded_on": supervision.ends_on,
                     "resolutions": [r.number or r.title for r in supervision.resolutions.all()],
                     "recommendations": items, **count(i["state"] for i in items if i["state"] != "untracked")})
    return rows
