"""The office's dashboard of tasks due and overdue per agency (resolutions.dashboard counts them).
Who may open it is accounts.permissions' (resolution_staff_required)."""

from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import resolution_staff_required

from . import dashboard as board


@resolution_staff_required
def dashboard(request):
    today = timezone.localdate()
    rows = board.per_agency(today)
    return render(request, "resolutions/dashboard/agencies.html", {
        "rows": rows, "totals": board.totals(rows), "today": today})
