"""What the office's and the public pages of a resolution show, computed once for both: the
lifecycle as steps, the tasks with their computed progress, the vote's published result, the
documents of the file. Who may see which part is accounts.permissions' (the public views pass
`public=True`)."""

from __future__ import annotations

from fractions import Fraction

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts import permissions
from library.models import Document, DocumentVersion
from library.text import fold

from . import progress
from .models import (TRANSITIONS, Indicator, IndicatorValue, Milestone, Resolution, ResolutionDocument, ResolutionLink,
                     Status, Task)

# The main road of a resolution, drawn as a step bar; the side ends (not adopted, withdrawn,
# replaced) are drawn after the step they left from.
ROAD = [Status.PLANNED, Status.DRAFTING, Status.REVIEWED, Status.SUBMITTED, Status.ADOPTED, Status.IMPLEMENTING,
        Status.COMPLETED]
SIDE_ENDS = {Status.NOT_ADOPTED: Status.SUBMITTED, Status.WITHDRAWN: None, Status.REPLACED: None}


def steps(resolution: Resolution) -> list[dict]:
    """The step bar: each road step done, current or to come; a side end replaces the rest."""
    reached = {t.to_status for t in resolution.transitions.all()} | {Status.PLANNED}
    current = resolution.status
    out = []
    if current in SIDE_ENDS:
        last_on_road = max((ROAD.index(s) for s in reached if s in ROAD), default=0)
        for status in ROAD[:last_on_road + 1]:
            out.append({"status": status, "label": Status(status).label, "state": "done"})
        out.append({"status": current, "label": Status(current).label, "state": "current end"})
        return out
    position = ROAD.index(current)
    for i, status in enumerate(ROAD):
        state = "done" if i < position else "current" if i == position else "todo"
        out.append({"status": status, "label": Status(status).label, "state": state})
    return out


def next_steps(resolution: Resolution) -> list:
    """The statuses the office may move it to, in the road's order (models.TRANSITIONS)."""
    order = ROAD + [Status.NOT_ADOPTED, Status.WITHDRAWN]
    return sorted(TRANSITIONS.get(resolution.status, set()), key=order.index)


def tasks_with_progress(resolution: Resolution, today=None) -> tuple[list[dict], int | None]:
    """Each task with its progress (percent) and overdue flag, and the resolution's progress."""
    today = today or timezone.localdate()
    tasks = list(resolution.tasks.select_related("lead_agency").prefetch_related("indicators", "milestones",
                                                                                  "co_agencies"))
    shares = progress.tasks_progress(tasks)
    rows = [{"task": t, "percent": progress.percent(shares[t.pk]), "overdue": progress.is_overdue(t, today)}
            for t in tasks]
    return rows, progress.percent(progress.weighted(tasks, shares))


def progress_of(resolutions, *, published_only: bool = False) -> dict[int, int | None]:
    """resolution id -> its progress in percent (None: no task), for a page of resolutions at once:
    three queries whatever the number of tasks, each indicator's latest value chosen by the database
    (not every report's values read into Python); the arithmetic is progress's. `published_only`: as
    the public may know it (public_api's rule): the latest published value of each indicator, a
    milestone done once the report that marked it done is published."""
    ids = [r.pk for r in resolutions]
    tasks = list(Task.objects.filter(resolution_id__in=ids).values_list("pk", "resolution_id", "status", "weight"))
    values = IndicatorValue.objects.filter(indicator=OuterRef("pk"))
    if published_only:
        values = values.filter(report__published_at__isnull=False)
    latest = values.order_by("-report__reported_at", "-report_id").values("value")[:1]
    indicators: dict[int, list] = {}
    for task_id, baseline, target, weight, value in (
            Indicator.objects.filter(task__resolution_id__in=ids).annotate(latest=Subquery(latest))
            .values_list("task_id", "baseline", "target", "weight", "latest")):
        indicators.setdefault(task_id, []).append((weight, progress.indicator_progress(baseline, target, value)))
    milestones: dict[int, list] = {}
    for task_id, weight, done_on, report_id, report_published in Milestone.objects.filter(
            task__resolution_id__in=ids).values_list("task_id", "weight", "done_on", "done_report_id",
                                                     "done_report__published_at"):
        done = done_on and (not published_only or report_id is None or report_published is not None)
        milestones.setdefault(task_id, []).append((weight, Fraction(1 if done else 0)))
    totals: dict[int, list] = {}
    for task_id, resolution_id, status, weight in tasks:
        if status == Task.Status.CANCELLED:
            continue
        if status == Task.Status.DONE:
            share = Fraction(1)
        else:
            parts = indicators.get(task_id) or milestones.get(task_id) or [(1, Fraction(0))]
            share = sum(Fraction(w) * p for w, p in parts) / sum(w for w, _p in parts)
        pair = totals.setdefault(resolution_id, [Fraction(0), 0])
        pair[0] += weight * share
        pair[1] += weight
    return {pk: (progress.percent(totals[pk][0] / totals[pk][1]) if totals.get(pk) and totals[pk][1] else None)
            for pk in ids}


def vote(resolution: Resolution, *, public: bool) -> dict | None:
    """The poll's latest published round, as counts per option (never who voted). On the public
    pages only an open poll of a sitting the public may follow (voting.exports.visible's rule)."""
    poll = resolution.poll
    if poll is None:
        return None
    if public and (poll.secret or not permissions.may_view(permissions.PUBLIC, poll.sitting)):
        return None
    published = poll.rounds.filter(status="published").order_by("-number").first()
    if published is None or not published.result:
        return None
    result = published.result
    counts = result.get("counts") or {}
    percents = result.get("percent") or {}
    # In the ballot's order (a JSON object's keys come back in any order from PostgreSQL's jsonb).
    options = [(key, label) for key, label in poll.options.order_by("position", "pk").values_list("key", "label")
               if key in counts]
    return {"poll": poll, "round": published, "passed": result.get("passed"), "present": published.present,
            "total": published.total,
            "rows": [{"label": label, "count": counts[key], "percent": percents.get(key)} for key, label in options]}


def where_adopted(resolution: Resolution, *, public: bool) -> dict | None:
    item = resolution.agenda_item
    if item is None:
        return None
    sitting = item.sitting
    if public and not permissions.may_view(permissions.PUBLIC, sitting):
        return {"session": sitting.session, "sitting": None, "item": None}
    return {"session": sitting.session, "sitting": sitting, "item": item}


def documents(resolution: Resolution) -> list[dict]:
    """The file: each document with its role and, for a draft, the library's versions."""
    rows = []
    attached = list(resolution.documents.select_related("document__current_version"))
    drafts = [a.document_id for a in attached if a.role == ResolutionDocument.Role.DRAFT]
    versions: dict[int, list] = {}
    for v in DocumentVersion.objects.filter(document_id__in=drafts).order_by("document_id", "-number"):
        versions.setdefault(v.document_id, []).append(v)
    for a in attached:
        rows.append({"attached": a, "document": a.document, "versions": versions.get(a.document_id, [])})
    return rows


def public_signed_document(resolution: Resolution):
    """The signed document, if the library's public rule lets everyone read it."""
    if resolution.signed_document_id is None:
        return None
    return permissions.public_documents(Document.objects.filter(pk=resolution.signed_document_id)).first()


def links(resolution: Resolution, *, public: bool) -> dict:
    out_links = ResolutionLink.objects.filter(source=resolution).select_related("target")
    in_links = ResolutionLink.objects.filter(target=resolution).select_related("source")
    if public:
        visible = permissions.public_resolutions(Resolution.objects.all())
        out_links = out_links.filter(target__in=visible)
        in_links = in_links.filter(source__in=visible)
    return {"out": list(out_links), "in": list(in_links)}


def search(resolutions, q: str):
    """`resolutions` whose number and title hold every word of `q`, with or without diacritics
    (library.text.fold, the library's folding), filtered by the database on Resolution.folded."""
    for word in fold(q).split():
        resolutions = resolutions.filter(folded__contains=word)
    return resolutions


def matching_ids(resolutions, q: str) -> list[int]:
    """The ids of `resolutions` that `search` finds."""
    return list(search(resolutions, q).values_list("pk", flat=True))
