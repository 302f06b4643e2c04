"""The public pages of resolutions: the list and a resolution's page, no sign-in, phone first.
What is shown is accounts.permissions' rule (public_resolutions, public_documents): a resolution once
adopted and not hidden by the office; its signed document only if the library publishes it to
everyone; no internal note, no draft, no one's vote."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django import forms
from django.views.decorators.http import require_POST

from accounts.permissions import RESOLUTION_PUBLIC_STATUSES, public_resolutions
from petitions.models import Agency

from . import pages, public_api, subscriptions
from .models import Area, Resolution, Status, Task
from .services import ResolutionError

PAGE_SIZE = 30


class PublicFilter(forms.Form):
    q = forms.CharField(label=_("Tìm theo số hoặc nội dung"), required=False, max_length=200)
    year = forms.TypedChoiceField(label=_("Năm thông qua"), required=False, coerce=int, empty_value=None)
    area = forms.ChoiceField(label=_("Lĩnh vực"), required=False, choices=[("", "—")] + Area.choices)
    status = forms.ChoiceField(label=_("Tình trạng"), required=False,
                               choices=[("", "—")] + [(s, Status(s).label) for s in RESOLUTION_PUBLIC_STATUSES])
    # The lead agency of the resolution or of one of its tasks (only agencies some public resolution names).
    agency = forms.ModelChoiceField(label=_("Cơ quan chủ trì"), required=False, queryset=Agency.objects.none(),
                                    empty_label="—")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = (public_resolutions(Resolution.objects.exclude(decided_on=None))
                 .dates("decided_on", "year", order="DESC"))
        self.fields["year"].choices = [("", "—")] + [(d.year, d.year) for d in years]
        visible = public_resolutions(Resolution.objects.all())
        self.fields["agency"].queryset = Agency.objects.filter(
            Q(pk__in=visible.values("lead_agency_id"))
            | Q(pk__in=Task.objects.filter(resolution__in=visible).values("lead_agency_id"))).order_by("name")


def _filtered(request):
    """The public list's filter form and the resolutions it selects (the page and the JSON export)."""
    form = PublicFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    resolutions = public_resolutions(Resolution.objects.all())
    if data.get("agency"):
        agency = data["agency"]
        resolutions = resolutions.filter(Q(lead_agency=agency) | Q(pk__in=agency.lead_tasks.values("resolution_id")))
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
    invalid = bool(request.GET) and not form.is_valid()
    return form, resolutions, invalid


def public_list(request):
    form, resolutions, invalid = _filtered(request)
    page = Paginator(resolutions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    percent = public_api.progress_of(rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "resolutions/public/list.html", {
        "form": form, "page": page, "rows": [(r, percent.get(r.pk)) for r in rows], "query": query.urlencode(),
        "invalid": invalid}, status=400 if invalid else 200)


def public_list_json(request):
    """The public list as JSON (public_api.list_json): the same filters; a bad filter answers 400."""
    form, resolutions, invalid = _filtered(request)
    if invalid:
        return public_api._json({"error": "bad_filter", "message": str(_("Bộ lọc không hợp lệ.")),
                                 "fields": sorted(form.errors)}, status=400)
    return public_api.list_json(request, resolutions.select_related("lead_agency"), request.GET.get("page"))


def public_resolution(request, resolution_id: int, subscribe_form=None, status=200):
    resolution = public_api._public(resolution_id)
    tasks, overall = public_api.public_tasks(resolution, today=timezone.localdate())
    return render(request, "resolutions/public/resolution.html", {
        "resolution": resolution, "steps": pages.steps(resolution), "tasks": tasks, "overall": overall,
        "document": pages.public_signed_document(resolution), "vote": pages.vote(resolution, public=True),
        "adopted_at": pages.where_adopted(resolution, public=True), "links": pages.links(resolution, public=True),
        "timeline": resolution.transitions.all(),
        "subscribe_form": subscribe_form or SubscribeForm(),
    }, status=status)


# ---- following a resolution by e-mail (resolutions.subscriptions) ------------------------------

class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Email của bạn"), max_length=254)


@require_POST
def subscribe(request, resolution_id: int):
    resolution = public_api._public(resolution_id)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return public_resolution(request, resolution.pk, subscribe_form=form, status=400)
    try:
        subscriptions.subscribe(resolution, form.cleaned_data["email"], client=request.META.get("REMOTE_ADDR", ""),
                                base_url=request.build_absolute_uri("/"))
    except ResolutionError as refused:
        form.add_error("email", refused.message)
        return public_resolution(request, resolution.pk, subscribe_form=form,
                                 status=429 if refused.code == "rate_limited" else 400)
    return render(request, "resolutions/public/subscription.html", {"resolution": resolution, "asked": True})


def subscription_confirm(request, token: str):
    """The confirmation link's page: a button (POST) confirms, so a mail scanner opening the link does not."""
    sub = subscriptions.find(token)
    if sub is None:
        raise Http404("no such subscription")
    if request.method == "POST":
        sub = subscriptions.confirm(token)
    return render(request, "resolutions/public/subscription.html",
                  {"resolution": sub.resolution, "confirming": sub.confirmed_at is None, "confirmed": sub.confirmed_at})


def unsubscribe(request, token: str):
    """The link in every mail: a button (POST) stops the mails; an unknown token answers 404."""
    sub = subscriptions.held(token)
    if request.method == "POST":
        if not subscriptions.unsubscribe(token):
            raise Http404("no such subscription")
        return render(request, "resolutions/public/subscription.html", {"stopped": True})
    if sub is None:
        raise Http404("no such subscription")
    return render(request, "resolutions/public/subscription.html", {"resolution": sub.resolution, "stopping": True})


def public_resolution_json(request, resolution_id: int):
    return public_api.resolution_json(request, resolution_id)
