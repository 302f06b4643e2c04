"""The office's pages of resolutions: the programme (list, counts, filters), a new or edited
resolution, a resolution's page (its steps, the next steps with their fields, the history, the
file, the links, the tasks' progress, the vote). Resolution staff only (accounts.decorators);
every change through resolutions.services; a refusal is shown on the page, nothing changed."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import resolution_staff_required
from accounts.permissions import resolution_is_public

from . import forms, links, pages, services
from .models import TRANSITIONS, Resolution, ResolutionDocument, ResolutionLink, Status
from .services import ResolutionError

PAGE_SIZE = 50
# A refusal's HTTP status: not allowed 403, a step that no longer fits 409, bad input 400.
REFUSAL_STATUS = {"forbidden": 403, "bad_transition": 409}


def filtered(data: dict):
    resolutions = Resolution.objects.all()
    for name, field in (("year", "planned_year"), ("area", "area"), ("term", "term")):
        if data.get(name):
            resolutions = resolutions.filter(**{field: data[name]})
    q = (data.get("q") or "").strip()
    if q:
        resolutions = resolutions.filter(pk__in=pages.matching_ids(resolutions, q))
    return resolutions


@resolution_staff_required
def programme(request):
    form = forms.ProgrammeFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    base = filtered(data)
    counts = dict(base.order_by().values_list("status").annotate(n=Count("id")))
    shown = base.filter(status=data["status"]) if data.get("status") else base
    page = Paginator(shown.select_related("lead_agency", "reviewing_committee", "term"), PAGE_SIZE
                     ).get_page(request.GET.get("page"))
    resolutions = list(page.object_list)
    percent = pages.progress_of([r for r in resolutions if r.status in (Status.ADOPTED, Status.IMPLEMENTING,
                                                                        Status.COMPLETED)])
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("status", None)
    return render(request, "resolutions/office/programme.html", {
        "form": form, "page": page, "rows": [(r, percent.get(r.pk)) for r in resolutions],
        "counts": [(s, s.label, counts.get(s.value, 0)) for s in Status], "total": sum(counts.values()),
        "status": data.get("status") or "", "query": query.urlencode(),
        "invalid": bool(request.GET) and not form.is_valid(),
    }, status=400 if request.GET and not form.is_valid() else 200)


def _refusal_status(error: ResolutionError) -> int:
    return REFUSAL_STATUS.get(error.code, 400)


@resolution_staff_required
def create(request):
    form = forms.ResolutionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                resolution = services.create_resolution(request.user, **form.cleaned_data)
            except ResolutionError as error:
                form.add_error(None, error.message)
                status = _refusal_status(error)
            else:
                messages.success(request, _("Đã thêm nghị quyết vào chương trình."))
                return redirect("resolutions:resolution", resolution.pk)
        else:
            status = 400
    return render(request, "resolutions/office/edit.html", {"form": form, "resolution": None}, status=status)


@resolution_staff_required
def edit(request, resolution_id: int):
    resolution = get_object_or_404(Resolution, pk=resolution_id)
    initial = {name: getattr(resolution, name) for name in services.EDITABLE[resolution.status]}
    form = forms.ResolutionForm(request.POST or None, initial=initial, status=resolution.status)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_resolution(request.user, resolution, **form.cleaned_data)
            except ResolutionError as error:
                form.add_error(None, error.message)
                status = _refusal_status(error)
            else:
                messages.success(request, _("Đã lưu."))
                return redirect("resolutions:resolution", resolution.pk)
        else:
            status = 400
    return render(request, "resolutions/office/edit.html", {"form": form, "resolution": resolution}, status=status)


def _resolution(resolution_id: int) -> Resolution:
    return get_object_or_404(Resolution.objects.select_related(
        "term", "planned_session", "lead_agency", "reviewing_committee", "agenda_item__sitting__session",
        "poll__sitting", "signed_document"), pk=resolution_id)


def _page(request, resolution, *, status=200, step_forms=None, attach_form=None, link_form=None, refusal="",
          correct_form=None):
    step_forms = step_forms or {}
    steps = [{"status": s, "label": Status(s).label,
              "form": step_forms.get(s) or forms.step_form(s, resolution=resolution)}
             for s in pages.next_steps(resolution)]
    tasks, overall = pages.tasks_with_progress(resolution)
    link_form = link_form or forms.LinkForm()
    link_form.fields["target"].queryset = Resolution.objects.exclude(pk=resolution.pk)
    return render(request, "resolutions/office/resolution.html", {
        "resolution": resolution, "steps": pages.steps(resolution), "next_steps": steps,
        "history": resolution.transitions.select_related("by"), "documents": pages.documents(resolution),
        "links": pages.links(resolution, public=False), "tasks": tasks, "overall": overall,
        "vote": pages.vote(resolution, public=False), "adopted_at": pages.where_adopted(resolution, public=False),
        "attach_form": attach_form or forms.AttachForm(), "link_form": link_form, "refusal": refusal,
        "is_public": resolution_is_public(resolution),
        "related": links.for_resolution(resolution),
        "correct_form": correct_form or (forms.CorrectNumberForm() if resolution.number else None),
    }, status=status)


@resolution_staff_required
def resolution_page(request, resolution_id: int):
    return _page(request, _resolution(resolution_id))


@require_POST
@resolution_staff_required
def transition(request, resolution_id: int, to_status: str):
    resolution = _resolution(resolution_id)
    if to_status not in Status.values:
        raise Http404
    form = forms.step_form(to_status, request.POST, resolution=resolution)
    if to_status not in TRANSITIONS.get(resolution.status, set()):
        return _page(request, resolution, status=409, refusal=_("Không chuyển được từ “%(from)s” sang “%(to)s”.") % {
            "from": Status(resolution.status).label, "to": Status(to_status).label})
    if not form.is_valid():
        return _page(request, resolution, status=400, step_forms={to_status: form},
                     refusal=_("Chưa chuyển được: xem lại các trường được đánh dấu."))
    try:
        services.transition(request.user, resolution, to_status, note=form.cleaned_data.get("note", ""),
                            **form.service_fields())
    except ResolutionError as error:
        return _page(request, _resolution(resolution_id), status=_refusal_status(error),
                     step_forms={to_status: form}, refusal=error.message)
    messages.success(request, _("Đã chuyển sang “%s”.") % Status(to_status).label)
    return redirect("resolutions:resolution", resolution.pk)


@require_POST
@resolution_staff_required
def attach_document(request, resolution_id: int):
    resolution = _resolution(resolution_id)
    form = forms.AttachForm(request.POST)
    if not form.is_valid():
        return _page(request, resolution, status=400, attach_form=form,
                     refusal=_("Chưa thêm được tài liệu: xem lại các trường được đánh dấu."))
    try:
        services.attach_document(request.user, resolution, form.cleaned_data["document"], form.cleaned_data["role"])
    except ResolutionError as error:
        return _page(request, resolution, status=_refusal_status(error), attach_form=form, refusal=error.message)
    messages.success(request, _("Đã thêm tài liệu vào hồ sơ."))
    return redirect("resolutions:resolution", resolution.pk)


@require_POST
@resolution_staff_required
def detach_document(request, resolution_id: int, attached_id: int):
    attached = get_object_or_404(ResolutionDocument, pk=attached_id, resolution_id=resolution_id)
    services.detach_document(request.user, attached)
    messages.success(request, _("Đã bỏ tài liệu khỏi hồ sơ (thư viện vẫn giữ tài liệu)."))
    return redirect("resolutions:resolution", resolution_id)


@require_POST
@resolution_staff_required
def add_link(request, resolution_id: int):
    resolution = _resolution(resolution_id)
    form = forms.LinkForm(request.POST)
    if not form.is_valid():
        return _page(request, resolution, status=400, link_form=form,
                     refusal=_("Chưa liên kết được: xem lại các trường được đánh dấu."))
    try:
        services.link(request.user, resolution, form.cleaned_data["target"], form.cleaned_data["kind"])
    except ResolutionError as error:
        return _page(request, resolution, status=_refusal_status(error), link_form=form, refusal=error.message)
    messages.success(request, _("Đã liên kết."))
    return redirect("resolutions:resolution", resolution.pk)


@require_POST
@resolution_staff_required
def remove_link(request, resolution_id: int, link_id: int):
    made = get_object_or_404(ResolutionLink.objects.filter(Q(source_id=resolution_id) | Q(target_id=resolution_id)),
                             pk=link_id)
    services.unlink(request.user, made)
    messages.success(request, _("Đã bỏ liên kết."))
    return redirect("resolutions:resolution", resolution_id)


@require_POST
@resolution_staff_required
def correct_number(request, resolution_id: int):
    resolution = _resolution(resolution_id)
    form = forms.CorrectNumberForm(request.POST)
    if not form.is_valid():
        return _page(request, resolution, status=400, correct_form=form,
                     refusal=_("Chưa đính chính được: xem lại các trường được đánh dấu."))
    try:
        services.correct_number(request.user, resolution, form.cleaned_data["number"], reason=form.cleaned_data["reason"])
    except ResolutionError as error:
        return _page(request, resolution, status=_refusal_status(error), correct_form=form, refusal=error.message)
    messages.success(request, _("Đã đính chính số, ký hiệu."))
    return redirect("resolutions:resolution", resolution.pk)
