"""Links to questioning and to voters' petitions, for resolution staff: the commitments officials
made while answering questions (floor.Commitment) and whether each is followed as a task; the
voters' petitions (never a protected case) with the resolutions that answer them and their task."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import resolution_staff_required
from accounts.pages import problem
from floor.models import Commitment
from petitions.models import Case

from . import services
from .forms_supervision import PetitionLinkForm, TrackForm
from .links import voter_petitions
from .models import PetitionAnswer, Task
from .services import ResolutionError
from .views_supervision import refusal_status

PAGE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE).get_page(request.GET.get("page"))


def _commitments_context(request, **extra):
    rows = (Commitment.objects.select_related("official", "question__sitting", "question__member")
            .order_by("-recorded_at", "-id"))
    state = request.GET.get("state", "")
    if state == "tracked":
        rows = rows.filter(task__isnull=False)
    elif state == "untracked":
        rows = rows.filter(task__isnull=True)
    page = _page(request, rows)
    tasks = {t.commitment_id: t for t in Task.objects.filter(commitment__in=list(page.object_list)).select_related("lead_agency")}
    return {"page": page, "state": state, "form": TrackForm(), "may_manage": True,
            "rows": [{"c": c, "task": tasks.get(c.pk)} for c in page.object_list], **extra}


@require_GET
@resolution_staff_required
def commitments(request):
    return render(request, "resolutions/supervision/commitments.html", _commitments_context(request))


@require_POST
@resolution_staff_required
def commitment_track(request, commitment_id):
    commitment = get_object_or_404(Commitment, pk=commitment_id)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "resolutions/supervision/commitments.html",
                      _commitments_context(request, error=_("Dữ liệu không hợp lệ: kiểm tra cơ quan và thời hạn.")), status=400)
    try:
        services.track_commitment(request.user, commitment, lead_agency=form.cleaned_data["lead_agency"],
                                  due_on=form.cleaned_data["due_on"])
    except ResolutionError as error:
        return render(request, "resolutions/supervision/commitments.html",
                      _commitments_context(request, error=error.message, error_row=commitment.pk),
                      status=refusal_status(error))
    messages.success(request, _("Cam kết đã được theo dõi như một nhiệm vụ."))
    return redirect("resolutions:commitments")


# ---- voters' petitions ---------------------------------------------------------------------------

@require_GET
@resolution_staff_required
def petitions(request):
    rows = voter_petitions(Case.objects.all()).select_related("agency").order_by("-received_at", "-id")
    text = (request.GET.get("q") or "").strip()[:200]
    if text:
        rows = rows.filter(Q(subject__icontains=text) | Q(tracking_code__iexact=text))
    page = _page(request, rows)
    cases = list(page.object_list)
    answers = {}
    for answer in PetitionAnswer.objects.filter(case__in=cases).select_related("resolution"):
        answers.setdefault(answer.case_id, []).append(answer.resolution)
    tasks = {t.petition_id: t for t in Task.objects.filter(petition__in=cases)}
    return render(request, "resolutions/supervision/petitions.html", {
        "page": page, "q": text, "may_manage": True,
        "rows": [{"case": c, "resolutions": answers.get(c.pk, []), "task": tasks.get(c.pk)} for c in cases]})


def _case_or_404(case_id):
    """A voters' petition this module may show; any other case (a denunciation, a protected
    sender's letter, a complaint) is not found here."""
    return get_object_or_404(voter_petitions(Case.objects.select_related("agency")), pk=case_id)


def _petition_context(request, case, **extra):
    return {"case": case, "may_manage": True,
            "answers": PetitionAnswer.objects.filter(case=case).select_related("resolution", "linked_by"),
            "task": Task.objects.filter(petition=case).select_related("lead_agency").first(),
            "link_form": extra.pop("link_form", None) or PetitionLinkForm(),
            "track_form": extra.pop("track_form", None) or TrackForm(initial={"lead_agency": case.agency_id}),
            **extra}


@require_GET
@resolution_staff_required
def petition(request, case_id):
    case = _case_or_404(case_id)
    return render(request, "resolutions/supervision/petition.html", _petition_context(request, case))


@require_POST
@resolution_staff_required
def petition_action(request, case_id, action):
    case = _case_or_404(case_id)
    try:
        if action == "link":
            form = PetitionLinkForm(request.POST)
            if not form.is_valid():
                return render(request, "resolutions/supervision/petition.html",
                              _petition_context(request, case, link_form=form), status=400)
            services.link_petition(request.user, case, form.cleaned_data["resolution"], note=form.cleaned_data["note"])
            messages.success(request, _("Đã liên kết kiến nghị với nghị quyết."))
        elif action == "unlink":
            answer = get_object_or_404(PetitionAnswer, case=case, pk=request.POST.get("answer") or 0)
            services.unlink_petition(request.user, answer)
            messages.success(request, _("Đã bỏ liên kết."))
        elif action == "track":
            form = TrackForm(request.POST)
            if not form.is_valid():
                return render(request, "resolutions/supervision/petition.html",
                              _petition_context(request, case, track_form=form), status=400)
            services.track_petition(request.user, case, **form.cleaned_data)
            messages.success(request, _("Kiến nghị đã được theo dõi như một nhiệm vụ."))
        else:
            return problem(request, "not_found", _("Không có thao tác này."), status=404)
    except ResolutionError as error:
        return render(request, "resolutions/supervision/petition.html",
                      _petition_context(request, case, error=error.message), status=refusal_status(error))
    except ValueError:
        return problem(request, "invalid_args", _("Dữ liệu gửi lên không hợp lệ."), status=400)
    return redirect("resolutions:voter_petition", case.pk)
