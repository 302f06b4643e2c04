"""The resolutions' part of the agency desk (petitions.desk): the tasks an agency leads or co-operates
on. Registered from ResolutionsConfig.ready(); petitions never imports resolutions."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY = "resolutions"


def agency_tasks(agencies):
    """The tasks of these agencies, as lead or as co-operating agency (each task once)."""
    from .models import Task

    ids = [a.pk for a in agencies]
    return Task.objects.filter(Q(lead_agency__in=ids) | Q(co_agencies__in=ids)).distinct()


def counts(agencies) -> dict:
    from .models import Task

    open_ = agency_tasks(agencies).filter(status=Task.Status.OPEN)
    return {"open": open_.count(), "overdue": open_.filter(due_on__lt=timezone.localdate()).count()}


def register() -> None:
    from petitions import desk

    desk.register(KEY, _("Nhiệm vụ thực hiện nghị quyết"), "resolutions:desk", counts)
