"""Sections of the agency desk that other modules add, without petitions importing them.

The desk (views_agency.desk, URL petitions:agency_desk) is where an agency's users work: the
letters forwarded to them, and whatever else other modules give agencies to do (the resolutions'
tasks). A module registers its section from its own AppConfig.ready():

    petitions.desk.register("resolutions", _("Nhiệm vụ thực hiện nghị quyết"), "resolutions:desk", counts)

`counts(agencies)` -> {"open": n, "overdue": m} for the user's agencies. The desk and the module's
own pages show the same row of sections ({% include "petitions/agency/_sections.html" %}), so they
read as one desk. petitions never imports the module; the module imports this.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str
    counts: Callable


_SECTIONS: dict[str, Section] = {}


def _letters(agencies) -> dict:
    from django.utils import timezone

    from .models import Transfer
    from .views_agency import OPEN

    transfers = Transfer.objects.filter(agency__in=agencies, status__in=OPEN)
    return {"open": transfers.count(), "overdue": transfers.filter(due_on__lt=timezone.localdate()).count()}


def register(key: str, label, url_name: str, counts: Callable) -> None:
    if key in _SECTIONS or key == "letters":
        raise ValueError(f"desk section {key!r} registered twice")
    _SECTIONS[key] = Section(key, label, url_name, counts)


def sections(agencies, current: str) -> list[dict]:
    """The desk's sections for these agencies, the letters first: key, label, href, counts, current."""
    out = [Section("letters", _("Đơn được chuyển đến"), "petitions:agency_desk", _letters), *_SECTIONS.values()]
    return [{"key": s.key, "label": s.label, "href": reverse(s.url_name), "counts": s.counts(agencies),
             "current": s.key == current} for s in out]
