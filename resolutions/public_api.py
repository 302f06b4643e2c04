"""What the public sees of a resolution's implementation, for its page and for the JSON export
(docs/resolutions.md, "The public side"): each task with its computed progress and the agencies'
reports the office published (services_public.publish_report) — date, agency, text, figures; never an
unpublished report, never a report's files — and, per indicator, a chart of the published values
against the target. The progress shown to the public is progress.py's rule read from the published
reports only (an unpublished figure could otherwise be read back from a percentage); the office's
pages show it from every report. A task the office accepted as done is done on both.
Organisations carry Popolo-style identifiers ("agency/<id>", "body/<id>", "council"): stable as
long as the registry's rows are.

The JSON views: /public/resolutions.json (the public list, same filters as the page, paginated) and
/public/resolutions/<id>.json (one resolution). Non-public resolutions answer 404."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import public_resolutions

from . import pages, progress
from .models import IndicatorValue, ProgressReport, Resolution, Task
from .views_tasks_common import _fmt, chart

JSON_PAGE_SIZE = 50


# ---- organisations, Popolo style ------------------------------------------------------------

def council() -> dict:
    return {"id": "council", "name": settings.COUNCIL_NAME, "classification": "legislature"}


def agency_org(agency) -> dict | None:
    if agency is None:
        return None
    out = {"id": f"agency/{agency.pk}", "name": agency.name, "classification": agency.kind,
           "parent_id": None}
    if agency.short_name:
        out["other_names"] = [{"name": agency.short_name}]
    return out


def body_org(body) -> dict | None:
    if body is None:
        return None
    return {"id": f"body/{body.pk}", "name": body.name, "classification": body.kind, "parent_id": "council"}


# ---- the tasks as the public sees them --------------------------------------------------------

def published_reports(tasks) -> dict[int, list[ProgressReport]]:
    """task id -> its published reports, oldest first, each with `figures`: [(indicator, value)]."""
    reports = list(ProgressReport.objects.filter(task__in=tasks, published_at__isnull=False)
                   .select_related("agency").prefetch_related("values__indicator").order_by("reported_at", "id"))
    out = defaultdict(list)
    for r in reports:
        r.figures = sorted(((v.indicator, v.value) for v in r.values.all()), key=lambda x: x[0].pk)
        r.figures_text = [(i, _fmt(v)) for i, v in r.figures]
        out[r.task_id].append(r)
    return out


def _published_share(task: Task, values: dict, published: set) -> Fraction:
    """progress.task_progress's rule, read from published reports only: the latest published value of
    each indicator; a milestone counts once the report that marked it done is published."""
    if task.status == Task.Status.DONE:
        return Fraction(1)
    indicators = list(task.indicators.all())
    if indicators:
        total = sum(i.weight for i in indicators)
        return sum(Fraction(i.weight) * progress.indicator_progress(i.baseline, i.target, values.get(i.pk))
                   for i in indicators) / total
    milestones = list(task.milestones.all())
    if milestones:
        total = sum(m.weight for m in milestones)
        return Fraction(sum(m.weight for m in milestones if m.done_on and (m.done_report_id is None or
                                                                         m.done_report_id in published)), total)
    return Fraction(0)


def public_progress(tasks) -> dict[int, Fraction]:
    """task id -> its progress as the public may know it (published reports only)."""
    tasks = list(tasks)
    values = dict(IndicatorValue.objects.filter(indicator__task__in=tasks, report__published_at__isnull=False)
                  .order_by("indicator_id", "report__reported_at", "report_id").values_list("indicator_id", "value"))
    published = set(ProgressReport.objects.filter(task__in=tasks, published_at__isnull=False)
                            .values_list("pk", flat=True))
    return {t.pk: _published_share(t, values, published) for t in tasks}


def progress_of(resolutions) -> dict[int, int | None]:
    """resolution id -> its public progress in percent (None: no task), for a page of resolutions at once
    (pages.progress_of's three queries, from published reports only)."""
    return pages.progress_of(list(resolutions), published_only=True)


def public_tasks(resolution: Resolution, today=None) -> tuple[list[dict], int | None]:
    """Each task with its progress, overdue flag, published reports and indicators' charts, all from
    the published reports only, and the resolution's progress."""
    today = today or timezone.localdate()
    tasks = list(resolution.tasks.select_related("lead_agency").prefetch_related("indicators", "milestones",
                                                                                  "co_agencies"))
    shares = public_progress(tasks)
    rows = [{"task": t, "percent": progress.percent(shares[t.pk]), "overdue": progress.is_overdue(t, today)}
            for t in tasks]
    overall = progress.percent(progress.weighted(tasks, shares))
    reports = published_reports(tasks)
    for row in rows:
        task = row["task"]
        row["reports"] = reports.get(task.pk, [])
        history = defaultdict(list)
        for r in row["reports"]:
            for indicator, value in r.figures:
                history[indicator.pk].append((r.reported_at, value))
        row["indicators"] = []
        for i in task.indicators.all():
            points = history.get(i.pk, [])
            latest = points[-1][1] if points else None
            row["indicators"].append({
                "i": i, "points": points, "chart": chart(i, points), "latest": latest,
                "latest_text": _fmt(latest) if latest is not None else "", "target": _fmt(i.target),
                "percent": progress.percent(progress.indicator_progress(i.baseline, i.target, latest))})
    return rows, overall


def _public(resolution_id: int) -> Resolution:
    resolution = (public_resolutions(Resolution.objects.all())
                  .select_related("agenda_item__sitting__session", "poll__sitting", "term", "lead_agency",
                                  "reviewing_committee")
                  .filter(pk=resolution_id).first())
    if resolution is None:
        raise Http404("no such public resolution")
    return resolution


# ---- JSON -------------------------------------------------------------------------------------

def _date(d):
    return d.isoformat() if d else None


def _number(value):
    """A decimal as a JSON string without trailing zeros or an exponent ("2000", "12.5"), exact."""
    if value is None:
        return None
    return f"{value.normalize():f}"


def summary(request, resolution: Resolution, percent) -> dict:
    return {
        "id": f"resolution/{resolution.pk}", "number": resolution.number, "title": resolution.title,
        "status": resolution.status, "status_label": str(resolution.get_status_display()),
        "area": resolution.area, "decided_on": _date(resolution.decided_on),
        "effective_on": _date(resolution.effective_on), "progress_percent": percent,
        "organization_id": "council", "lead_agency": agency_org(resolution.lead_agency),
        "url": request.build_absolute_uri(reverse("resolutions:public_resolution", args=[resolution.pk])),
        "json": request.build_absolute_uri(reverse("resolutions:public_resolution_json", args=[resolution.pk])),
    }


def _task_json(row) -> dict:
    task = row["task"]
    return {
        "id": f"task/{task.pk}", "title": task.title, "status": task.status, "due_on": _date(task.due_on),
        "done_on": _date(task.done_on), "weight": task.weight, "overdue": row["overdue"],
        "progress_percent": row["percent"],
        "lead_agency": agency_org(task.lead_agency),
        "co_agencies": [agency_org(a) for a in task.co_agencies.all()],
        "indicators": [{"id": f"indicator/{x['i'].pk}", "name": x["i"].name, "unit": x["i"].unit,
                        "baseline": _number(x["i"].baseline), "target": _number(x["i"].target),
                        "latest_published": _number(x["latest"]), "progress_percent": x["percent"]}
                       for x in row["indicators"]],
        "milestones": [{"id": f"milestone/{m.pk}", "title": m.title, "due_on": _date(m.due_on),
                        "done_on": _date(m.done_on)} for m in task.milestones.all()],
        "reports": [{"id": f"report/{r.pk}", "reported_at": timezone.localtime(r.reported_at).isoformat(),
                     "published_at": timezone.localtime(r.published_at).isoformat(),
                     "organization_id": f"agency/{r.agency_id}", "text": r.text,
                     "figures": [{"indicator_id": f"indicator/{i.pk}", "value": _number(v)} for i, v in r.figures]}
                    for r in row["reports"]],
    }


def resolution_json(request, resolution_id: int):
    resolution = _public(resolution_id)
    rows, overall = public_tasks(resolution)
    data = summary(request, resolution, overall)
    data.update({
        "reviewing_committee": body_org(resolution.reviewing_committee),
        "signed_document": _signed(request, resolution),
        "timeline": [{"status": t.to_status, "label": str(t.get_to_status_display()),
                      "at": timezone.localtime(t.at).isoformat()} for t in resolution.transitions.all()],
        "tasks": [_task_json(row) for row in rows],
        "organizations": _organizations(resolution, rows),
    })
    return _json(data)


def _signed(request, resolution) -> str | None:
    """The signed document's page, only if the library lets everyone read it (pages.public_signed_document)."""
    document = pages.public_signed_document(resolution)
    return request.build_absolute_uri(reverse("library:view", args=[document.pk])) if document else None


def _organizations(resolution, rows) -> list[dict]:
    """Every organisation the document names, once (Popolo: an id, a name, a classification)."""
    seen = {"council": council()}
    for org in [agency_org(resolution.lead_agency), body_org(resolution.reviewing_committee)]:
        if org:
            seen[org["id"]] = org
    for row in rows:
        for agency in [row["task"].lead_agency, *row["task"].co_agencies.all(), *(r.agency for r in row["reports"])]:
            seen.setdefault(f"agency/{agency.pk}", agency_org(agency))
    return list(seen.values())


def list_json(request, resolutions, page_number):
    page = Paginator(resolutions, JSON_PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    percent = progress_of(rows)
    query = request.GET.copy()

    def page_url(n):
        query["page"] = n
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return _json({
        "count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
        "next": page_url(page.next_page_number()) if page.has_next() else None,
        "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
        "organization": council(),
        "results": [summary(request, r, percent.get(r.pk)) for r in rows],
    })


def _json(data, status=200):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response

