"""The office's task pages: the overview of tasks (filters, progress, overdue), a task's page
(indicators with charts, milestones, the agencies' reports and files), create, edit, cancel, accept
or return an agency's "done", and complete a resolution whose tasks are all done.

Views decide nothing: resolution_staff_required asks accounts.permissions, every change is a
service of services / services_tasks, and a refusal is shown with its message (400; 403 forbidden)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import resolution_staff_required
from accounts.permissions import may_read_task_files
from petitions.files import send as send_private_file

from . import services, services_tasks
from .forms_tasks import (ORIGIN_LABELS, IndicatorEditFormSet, IndicatorFormSet, MilestoneEditFormSet, MilestoneFormSet,
                          TaskFilterForm, TaskForm)
from .models import ReportFile, Resolution, Status, Task
from .services import ResolutionError
from .views_tasks_common import rows, task_detail

LIMIT = 500


def _status(refused: ResolutionError) -> int:
    return 403 if refused.code == "forbidden" else 400


def _filtered(form: TaskFilterForm, today):
    tasks = (Task.objects.select_related("lead_agency", "resolution")
             .prefetch_related("co_agencies", "indicators", "milestones"))
    d = form.cleaned_data
    status = d.get("status") or "open"
    if status != "all":
        tasks = tasks.filter(status=status)
    if d.get("agency"):
        tasks = tasks.filter(lead_agency=d["agency"]) | tasks.filter(co_agencies=d["agency"])
        tasks = tasks.distinct()
    if d.get("resolution"):
        tasks = tasks.filter(resolution=d["resolution"])
    if d.get("origin"):
        tasks = tasks.filter(**{f"{d['origin']}__isnull": False})
    if d.get("due") == "overdue":
        tasks = tasks.filter(status=Task.Status.OPEN, due_on__lt=today)
    elif d.get("due") == "soon":
        days = d.get("days")
        days = settings.RESOLUTION_TASK_REMIND_DAYS if days is None else days
        tasks = tasks.filter(status=Task.Status.OPEN, due_on__gte=today, due_on__lte=today + dt.timedelta(days=days))
    return tasks.order_by("due_on", "id")


@resolution_staff_required
def tasks(request):
    today = timezone.localdate()
    form = TaskFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "resolutions/tasks/list.html", {"form": form, "rows": [], "bad_filter": True}, status=400)
    if not request.GET:
        form = TaskFilterForm({})
        form.is_valid()
    found = _filtered(form, today)
    shown = rows(found[:LIMIT], today)
    return render(request, "resolutions/tasks/list.html", {
        "form": form, "rows": shown, "more": max(0, found.count() - LIMIT) if len(shown) == LIMIT else 0,
        "overdue": sum(1 for r in shown if r["overdue"]), "origins": ORIGIN_LABELS})


def _task_form_page(request, template_context, status=200):
    return render(request, "resolutions/tasks/form.html", template_context, status=status)


@resolution_staff_required
def task_new(request, resolution_id: int):
    resolution = get_object_or_404(Resolution, pk=resolution_id)
    in_force = resolution.status in (Status.ADOPTED, Status.IMPLEMENTING)
    form = TaskForm(request.POST or None)
    indicators = IndicatorFormSet(request.POST or None, prefix="ind")
    milestones = MilestoneFormSet(request.POST or None, prefix="ms")
    context = {"form": form, "indicators": indicators, "milestones": milestones, "resolution": resolution,
               "in_force": in_force, "creating": True}
    if request.method != "POST":
        return _task_form_page(request, context)
    if not (form.is_valid() and indicators.is_valid() and milestones.is_valid()):
        return _task_form_page(request, context, status=400)
    d = form.cleaned_data
    try:
        task = services_tasks.create_resolution_task(
            request.user, resolution, title=d["title"], description=d["description"], lead_agency=d["lead_agency"],
            co_agencies=list(d["co_agencies"]), due_on=d["due_on"], weight=d["weight"],
            indicators=[s for s in (f.spec() for f in indicators) if s],
            milestones=[s for s in (f.spec() for f in milestones) if s])
    except ResolutionError as refused:
        context["refusal"] = refused.message
        return _task_form_page(request, context, status=_status(refused))
    messages.success(request, _("Đã giao nhiệm vụ cho %(a)s.") % {"a": task.lead_agency.name})
    return redirect("resolutions:task", task_id=task.pk)


@resolution_staff_required
def task_edit(request, task_id: int):
    task = get_object_or_404(Task, pk=task_id)
    initial = {"title": task.title, "description": task.description, "lead_agency": task.lead_agency_id,
               "co_agencies": list(task.co_agencies.values_list("pk", flat=True)), "due_on": task.due_on, "weight": task.weight}
    form = TaskForm(request.POST or None, initial=initial)
    # The rows of indicators and milestones are optional in a POST (a form without them changes the task's
    # own fields only).
    posted = request.method == "POST"
    indicators = IndicatorEditFormSet(request.POST if posted and "ind-TOTAL_FORMS" in request.POST else None,
                                      prefix="ind", initial=[
        {"id": i.pk, "name": i.name, "unit": i.unit, "baseline": i.baseline, "target": i.target, "weight": i.weight}
        for i in task.indicators.all()])
    milestones = MilestoneEditFormSet(request.POST if posted and "ms-TOTAL_FORMS" in request.POST else None,
                                      prefix="ms", initial=[
        {"id": m.pk, "title": m.title, "due_on": m.due_on, "weight": m.weight} for m in task.milestones.all()])
    context = {"form": form, "task": task, "resolution": task.resolution, "in_force": task.status == Task.Status.OPEN,
               "indicators": indicators, "milestones": milestones, "editing": True}
    if request.method != "POST":
        return _task_form_page(request, context)
    if not (form.is_valid() and all(f.is_valid() for f in (indicators, milestones) if f.is_bound)):
        return _task_form_page(request, context, status=400)
    d = form.cleaned_data
    try:
        with transaction.atomic():
            services_tasks.edit_task(request.user, task, title=d["title"], description=d["description"],
                                     lead_agency=d["lead_agency"], co_agencies=list(d["co_agencies"]),
                                     due_on=d["due_on"], weight=d["weight"])
            services_tasks.set_measures(request.user, task,
                                        indicators=_measures(indicators), milestones=_measures(milestones))
    except ResolutionError as refused:
        context["refusal"] = refused.message
        return _task_form_page(request, context, status=_status(refused))
    messages.success(request, _("Đã lưu thay đổi của nhiệm vụ."))
    return redirect("resolutions:task", task_id=task.pk)


def _measures(formset) -> list[dict]:
    """What an edit page's rows of indicators (or milestones) ask services_tasks.set_measures to do."""
    if not formset.is_bound:
        return []
    return [m for m in (f.measure() for f in formset) if m]


def _page_context(task) -> dict:
    context = task_detail(task)
    task = context["task"]
    context.update(claim=services_tasks.pending_claim(task) if task.status == Task.Status.OPEN else None,
                   ready=bool(task.resolution_id) and services_tasks.ready_to_complete(task.resolution),
                   origin=_origin(task))
    return context


def _origin(task) -> str:
    for name, label in ORIGIN_LABELS.items():
        if getattr(task, f"{name}_id"):
            return str(label)
    return ""


@resolution_staff_required
def task_page(request, task_id: int):
    task = get_object_or_404(Task, pk=task_id)
    return render(request, "resolutions/tasks/task.html", _page_context(task))


@require_POST
@resolution_staff_required
def task_action(request, task_id: int, action: str):
    task = get_object_or_404(Task, pk=task_id)
    try:
        if action == "cancel":
            services_tasks.cancel_task(request.user, task, request.POST.get("reason", ""))
            done = _("Đã thôi theo dõi nhiệm vụ.")
        elif action == "accept":
            services_tasks.accept_done(request.user, task)
            done = _("Đã công nhận nhiệm vụ hoàn thành.")
        elif action == "return":
            services_tasks.return_report(request.user, task, request.POST.get("note", ""))
            done = _("Đã trả lại báo cáo để cơ quan bổ sung.")
        elif action == "complete":
            resolution = task.resolution
            if resolution is None:
                raise Http404("not a resolution's task")
            if not services_tasks.ready_to_complete(resolution):
                raise ResolutionError("not_ready", _("Nghị quyết còn nhiệm vụ chưa hoàn thành."))
            services.transition(request.user, resolution, Status.COMPLETED, note=_("Mọi nhiệm vụ đã hoàn thành."))
            done = _("Đã ghi nhận nghị quyết hoàn thành.")
        else:
            raise Http404("no such action")
    except ResolutionError as refused:
        messages.error(request, refused.message)
        return render(request, "resolutions/tasks/task.html", _page_context(task), status=_status(refused))
    messages.success(request, done)
    return redirect("resolutions:task", task_id=task.pk)


def report_file(request, task_id: int, file_id: int):
    """A report's file, for the office and the task's agencies only (accounts.permissions); anyone
    else is told nothing exists (404)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    task = get_object_or_404(Task, pk=task_id)
    if not may_read_task_files(request.user, task):
        raise Http404("no such file")
    f = get_object_or_404(ReportFile, pk=file_id, report__task=task)
    response = send_private_file(f.file, content_type=f.content_type or "application/octet-stream", filename=f.name,
                                 as_attachment=True)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

