"""The agency's side of the tasks, on the same desk as the letters (petitions.desk's sections): the
tasks its agencies lead or co-operate on, a task's page, and the progress report — text, a figure
for each indicator, milestones done, files, "we consider it done" — through
services_tasks.report_progress. A task of another agency does not exist here (404)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from petitions.desk import sections as desk_sections
from petitions.views_agency import agency_user_required

from . import desk, services_tasks
from .models import Task
from .services import ResolutionError
from .views_tasks_common import rows, task_detail

TABS = [
    ("open", gettext_lazy("Đang thực hiện")),
    ("overdue", gettext_lazy("Quá hạn")),
    ("done", gettext_lazy("Đã hoàn thành")),
    ("all", gettext_lazy("Tất cả")),
]
LIMIT = 300


def _tasks(request):
    return desk.agency_tasks(request.agencies)


@agency_user_required
def desk_page(request):
    tab = request.GET.get("tab", "open")
    if tab not in dict(TABS):
        tab = "open"
    today = timezone.localdate()
    tasks = (_tasks(request).select_related("lead_agency", "resolution")
             .prefetch_related("co_agencies", "indicators", "milestones"))
    if tab == "open":
        tasks = tasks.filter(status=Task.Status.OPEN)
    elif tab == "overdue":
        tasks = tasks.filter(status=Task.Status.OPEN, due_on__lt=today)
    elif tab == "done":
        tasks = tasks.filter(status=Task.Status.DONE)
    return render(request, "resolutions/desk/list.html", {
        "rows": rows(tasks.order_by("due_on", "id")[:LIMIT], today), "tab": tab, "tabs": TABS,
        "agencies": request.agencies, "desk_sections": desk_sections(request.agencies, desk.KEY)})


def _context(request, task) -> dict:
    context = task_detail(task)
    context.update(may_report=context["task"].status == Task.Status.OPEN,
                   desk_sections=desk_sections(request.agencies, desk.KEY), posted=request.POST)
    return context


@agency_user_required
def desk_task(request, task_id: int):
    task = get_object_or_404(_tasks(request), pk=task_id)
    return render(request, "resolutions/desk/task.html", _context(request, task))


@require_POST
@agency_user_required
def desk_report(request, task_id: int):
    task = get_object_or_404(_tasks(request), pk=task_id)
    values = {key[len("value_"):]: raw for key, raw in request.POST.items() if key.startswith("value_")}
    try:
        services_tasks.report_progress(
            request.user, task, text=request.POST.get("text", ""), values=values,
            milestones=request.POST.getlist("milestone"), files=request.FILES.getlist("files"),
            claims_done=request.POST.get("claims_done") == "1")
    except ResolutionError as refused:
        messages.error(request, refused.message)
        return render(request, "resolutions/desk/task.html", _context(request, task),
                      status=403 if refused.code == "forbidden" else 400)
    messages.success(request, _("Đã gửi báo cáo tiến độ."))
    return redirect("resolutions:desk_task", task_id=task.pk)
