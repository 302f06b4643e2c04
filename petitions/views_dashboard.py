"""The deadlines dashboard: per agency, open cases, due soon, overdue, and this year's
on-time rate (the plan's "100% answered on time" target).

Petition staff only. Two aggregate queries whatever the register's size (cases
grouped by agency on the indexed (agency, status) / due_on columns, deadlines
met this year grouped by agency); no per-case Python.

Counting: a case is open while its status is not final and it has an open step
(Case.due_on, kept by petitions.deadlines.refresh_case_due); "due soon" is due
within PETITION_REMIND_DAYS days, from today; "overdue" is due before today.
The on-time rate of the year is the register's one definition
(petitions.deadlines.judged_steps, also used by the statistics page and the
session report): of the steps judged this year — met, or open past their due
date — those met on or before their due date. Cases are counted under the
agency now responsible (not yet forwarded: "the office").

The page also warns when the holiday calendar is not confirmed for the next 12
months (petitions.deadlines.calendar_warning).
"""

import datetime as dt

from django.conf import settings
from django.db.models import Count, F, Q
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import petition_staff_required
from accounts.permissions import may_review_identity_reads

from .deadlines import FINISHED_STATUSES, calendar_warning, judged_steps, on_time_rate
from .models import Agency, Case, Deadline


def counts(today: dt.date) -> dict:
    """{agency_id or None: {open, soon, overdue, judged, on_time}} — two aggregate queries."""
    soon = today + dt.timedelta(days=settings.PETITION_REMIND_DAYS)
    out: dict = {}
    cases = (Case.objects.exclude(status__in=FINISHED_STATUSES).filter(due_on__isnull=False)
             .order_by().values("agency_id")
             .annotate(open=Count("id"),
                       soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=soon)),
                       overdue=Count("id", filter=Q(due_on__lt=today))))
    for row in cases:
        out[row["agency_id"]] = {"open": row["open"], "soon": row["soon"], "overdue": row["overdue"],
                                 "judged": 0, "on_time": 0}
    judged, on_time_q = judged_steps(Deadline.objects.order_by(), today, since=dt.date(today.year, 1, 1))
    for row in (judged.values(agency_id=F("case__agency_id"))
                .annotate(judged=Count("id"), on_time=Count("id", filter=on_time_q))):
        entry = out.setdefault(row["agency_id"], {"open": 0, "soon": 0, "overdue": 0, "judged": 0, "on_time": 0})
        entry["judged"], entry["on_time"] = row["judged"], row["on_time"]
    return out


def _register(query: str) -> str:
    try:
        return reverse("petitions:register") + query
    except NoReverseMatch:
        return ""


@require_GET
@petition_staff_required
def dashboard(request):
    today = timezone.localdate()
    data = counts(today)
    names = dict(Agency.objects.filter(pk__in=[k for k in data if k is not None]).values_list("pk", "name"))
    rows = []
    for agency_id, c in data.items():
        rows.append({
            "id": agency_id,
            "name": names.get(agency_id, "") if agency_id else _("Văn phòng (chưa chuyển cơ quan)"),
            **c,
            "rate": on_time_rate(c["on_time"], c["judged"]),
            "link": _register(f"?agency={agency_id}" if agency_id else ""),
            "link_soon": _register((f"?agency={agency_id}&" if agency_id else "?") + "due=soon"),
            "link_overdue": _register((f"?agency={agency_id}&" if agency_id else "?") + "due=overdue"),
        })
    # Most overdue first: where the head's attention is needed.
    rows.sort(key=lambda r: (-r["overdue"], -r["soon"], r["name"]))
    total = {k: sum(r[k] for r in rows) for k in ("open", "soon", "overdue", "judged", "on_time")}
    total["rate"] = on_time_rate(total["on_time"], total["judged"])
    # The on-time chart: one horizontal bar per agency with a rate (inline SVG, no script).
    chart = [{"name": r["name"], "rate": r["rate"], "y": 4 + 28 * i, "width": 3 * r["rate"],
              "good": r["rate"] >= 100, "low": r["rate"] < 80}
             for i, r in enumerate(x for x in rows if x["rate"] is not None)]
    return render(request, "petitions/dashboard.html", {
        "rows": rows, "total": total, "today": today, "remind_days": settings.PETITION_REMIND_DAYS,
        "chart": chart, "chart_height": 28 * len(chart) + 8,
        "link_soon": _register("?due=soon"), "link_overdue": _register("?due=overdue"),
        "may_review_reads": may_review_identity_reads(request.user),
        "calendar_warning": calendar_warning(today),
    })
