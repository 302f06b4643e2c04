"""The public pages of resolutions: the list and a resolution's page, no sign-in, phone first.
What is shown is accounts.permissions' rule (public_resolutions, public_documents): a resolution once
adopted and not hidden by the office; its signed document only if the library publishes it to
everyone; no internal note, no draft, no one's vote."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django import forms

from accounts.permissions import RESOLUTION_PUBLIC_STATUSES, public_resolutions

from . import pages
from .models import Area, Resolution, Status

PAGE_SIZE = 30


class PublicFilter(forms.Form):
    q = forms.CharField(label=_("Tìm theo số hoặc nội dung"), required=False, max_length=200)
    year = forms.TypedChoiceField(label=_("Năm thông qua"), required=False, coerce=int, empty_value=None)
    area = forms.ChoiceField(label=_("Lĩnh vực"), required=False, choices=[("", "—")] + Area.choices)
    status = forms.ChoiceField(label=_("Tình trạng"), required=False,
                               choices=[("", "—")] + [(s, Status(s).label) for s in RESOLUTION_PUBLIC_STATUSES])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = (public_resolutions(Resolution.objects.exclude(decided_on=None))
                 .dates("decided_on", "year", order="DESC"))
        self.fields["year"].choices = [("", "—")] + [(d.year, d.year) for d in years]


def public_list(request):
    form = PublicFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    resolutions = public_resolutions(Resolution.objects.all())
    if data.get("year"):
        resolutions = resolutions.filter(decided_on__year=data["year"])
    if data.get("area"):
        resolutions = resolutions.filter(area=data["area"])
    if data.get("status"):
        resolutions = resolutions.filter(status=data["status"])
    q = (data.get("q") or "").strip()
    if q:
        resolutions = pages.search(resolutions, q)
    resolutions = resolutions.order_by("-decided_on", "-pk")
    page = Paginator(resolutions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    percent = pages.progress_of(rows)
    query = request.GET.copy()
    query.pop("page", None)
    invalid = bool(request.GET) and not form.is_valid()
    return render(request, "resolutions/public/list.html", {
        "form": form, "page": page, "rows": [(r, percent.get(r.pk)) for r in rows], "query": query.urlencode(),
        "invalid": invalid}, status=400 if invalid else 200)


def public_resolution(request, resolution_id: int):
    resolution = (public_resolutions(Resolution.objects.all())
                  .select_related("agenda_item__sitting__session", "poll__sitting", "term")
                  .filter(pk=resolution_id).first())
    if resolution is None:
        raise Http404("no such public resolution")
    tasks, overall = pages.tasks_with_progress(resolution, today=timezone.localdate())
    return render(request, "resolutions/public/resolution.html", {
        "resolution": resolution, "steps": pages.steps(resolution), "tasks": tasks, "overall": overall,
        "document": pages.public_signed_document(resolution), "vote": pages.vote(resolution, public=True),
        "adopted_at": pages.where_adopted(resolution, public=True), "links": pages.links(resolution, public=True),
        "timeline": resolution.transitions.all(),
    })
