"""The standing committee's six-monthly report on the implementation of the resolutions: the page
(choose the half-year) and its PDF and spreadsheet, all three from one resolutions.report.Summary."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import resolution_staff_required
from accounts.pages import problem

from . import report, report_export

YEARS = (2000, 2100)


def _period(request):
    """(year, half) from the query, this half-year by default; None when the input is not one."""
    year, half = report.current_half(timezone.localdate())
    try:
        year = int(request.GET.get("year") or year)
        half = int(request.GET.get("half") or half)
    except ValueError:
        return None
    if not (YEARS[0] <= year <= YEARS[1]) or half not in report.HALVES:
        return None
    return year, half


def _bad_period(request):
    return problem(request, "invalid_args", _("Chọn năm (2000–2100) và 6 tháng đầu năm hoặc 6 tháng cuối năm."),
                   status=400)


@require_GET
@resolution_staff_required
def page(request):
    period = _period(request)
    if period is None:
        return _bad_period(request)
    s = report.summary(*period)
    this_year = timezone.localdate().year
    return render(request, "resolutions/report/half_year.html", {
        "s": s, "may_manage": True, "bar": stacked_bar(s.totals), "years": range(this_year, this_year - 6, -1),
        "counts": [(key, str(label), s.totals[key]) for key, label in zip(report_export.COUNT_KEYS, report_export.COUNT_HEADS)],
    })


def stacked_bar(totals: dict) -> list[dict]:
    """The tasks' states as one bar: done on time, done late, overdue, open, each with its x and width
    in % of the whole (an SVG drawn on the server)."""
    parts = [("done", _("Hoàn thành đúng hạn"), totals["done"] - totals["done_late"]),
             ("done_late", _("Hoàn thành quá hạn"), totals["done_late"]),
             ("overdue", _("Quá hạn chưa xong"), totals["overdue"]), ("open", _("Đang thực hiện"), totals["open"])]
    whole, x, out = totals["total"], 0.0, []
    for key, label, n in parts:
        width = round(100.0 * n / whole, 2) if whole else 0
        out.append({"key": key, "label": label, "n": n, "x": round(x, 2), "w": width})
        x += width
    return out


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@resolution_staff_required
def pdf(request):
    period = _period(request)
    if period is None:
        return _bad_period(request)
    return _download(report_export.pdf(report.summary(*period)), "application/pdf",
                     "bao-cao-thuc-hien-nghi-quyet-%d-%d.pdf" % period)


@require_GET
@resolution_staff_required
def xlsx(request):
    period = _period(request)
    if period is None:
        return _bad_period(request)
    return _download(report_export.xlsx(report.summary(*period)),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "bao-cao-thuc-hien-nghi-quyet-%d-%d.xlsx" % period)
