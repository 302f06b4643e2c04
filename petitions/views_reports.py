"""Reports for the council, petition staff only: the session's summary of voters'
petitions (PDF, spreadsheet) and the register's statistics with charts."""


from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.decorators import petition_staff_required
from meeting.models import Session

from . import deadlines, reports
from .models import VoterMeeting


@require_GET
@petition_staff_required
def index(request):
    """Sessions with voters' petitions collected for them or answers reported at them (the next regular
    session after those), each with its summary as PDF and spreadsheet."""
    collected = set(VoterMeeting.objects.order_by().values_list("session_id", flat=True).distinct())
    starts = Session.objects.filter(pk__in=collected).values_list("start_date", flat=True).distinct()
    reporting = {s.pk for s in (deadlines.next_regular_session(day) for day in starts) if s is not None}
    sessions = (Session.objects.filter(pk__in=collected | reporting).select_related("body")
                .order_by("-start_date", "-pk"))
    return render(request, "petitions/reports/index.html", {"sessions": sessions})


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@petition_staff_required
def session_pdf(request, session_id):
    session = get_object_or_404(Session.objects.select_related("body"), pk=session_id)
    data = reports.session_pdf(reports.session_summary(session))
    return _download(data, "application/pdf", f"kien-nghi-cu-tri-ky-hop-{session.pk}.pdf")


@require_GET
@petition_staff_required
def session_xlsx(request, session_id):
    session = get_object_or_404(Session.objects.select_related("body"), pk=session_id)
    data = reports.session_xlsx(reports.session_summary(session))
    return _download(data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"kien-nghi-cu-tri-ky-hop-{session.pk}.xlsx")


def _bars(rows, key, width=100.0):
    """Each row gets `pct` (its bar's share of the longest, in %) for the SVG."""
    top = max((row[key] or 0 for row in rows), default=0)
    for row in rows:
        row["pct"] = round(width * (row[key] or 0) / top, 2) if top else 0
    return rows


@require_GET
@petition_staff_required
def statistics(request):
    stats = reports.statistics()
    _bars(stats["per_kind"], "n")
    _bars(stats["per_agency"], "received")
    _bars(stats["per_month"], "n")
    for row in stats["on_time"]:
        row["pct"] = row["rate"] or 0
    months = stats["per_month"]
    step = 100.0 / max(len(months), 1)
    for i, row in enumerate(months):
        row["x"] = round(i * step + step * 0.15, 2)
        row["w"] = round(step * 0.7, 2)
        row["y"] = round(100 - row["pct"], 2)
        row["cx"] = round(i * step + step / 2, 2)
    return render(request, "petitions/reports/statistics.html", {"s": stats, "agency_rows": stats["per_agency"][:15]})
