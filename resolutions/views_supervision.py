"""Supervisions by the committees and the standing committee: list, create, detail with the
lifecycle (planned → ongoing → concluded), findings, recommendations and their tasks' progress.
Resolution staff run them; a member of the supervising body reads them (accounts.permissions)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.decorators import resolution_staff_required
from accounts.pages import problem

from . import progress, services
from .forms_supervision import FindingsForm, RecommendationForm, SupervisionForm
from .models import Supervision, Task
from .services import ResolutionError

STEPS = (Supervision.Status.PLANNED, Supervision.Status.ONGOING, Supervision.Status.CONCLUDED)
# A refused service call -> the page's HTTP status (a request the state does not allow is a conflict).
REFUSAL_STATUS = {"forbidden": 403, "bad_transition": 409, "not_ongoing": 409, "already_tracked": 409,
                  "already_linked": 409}


def refusal_status(error: ResolutionError) -> int:
    return REFUSAL_STATUS.get(error.code, 400)


def _refused_page(request):
    return problem(request, "forbidden", _("Bạn không thuộc cơ quan tiến hành cuộc giám sát này."),
                   title=_("Không có quyền truy cập"))



def list_view(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.may_read_supervisions(request.user):
        return problem(request, "forbidden", _("Trang này dành cho cán bộ theo dõi nghị quyết và thành viên các Ban, "
                                               "Thường trực HĐND."), title=_("Không có quyền truy cập"))
    rows = (permissions.readable_supervisions(Supervision.objects.all(), request.user)
            .select_related("body").prefetch_related("resolutions", "recommendations__task")
            .order_by("-created_at", "-id"))
    status = request.GET.get("status", "")
    if status in Supervision.Status.values:
        rows = rows.filter(status=status)
    return render(request, "resolutions/supervision/list.html", {
        "supervisions": rows, "status": status, "statuses": Supervision.Status.choices,
        "may_manage": permissions.may_manage_resolutions(request.user)})


@require_http_methods(["GET", "POST"])
@resolution_staff_required
def create_view(request):
    form = SupervisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                supervision = services.create_supervision(request.user, **form.cleaned_data)
            except ResolutionError as error:
                form.add_error(None, error.message)
                status = refusal_status(error)
            else:
                messages.success(request, _("Đã lập kế hoạch giám sát."))
                return redirect("resolutions:supervision", supervision.pk)
        else:
            status = 400
    return render(request, "resolutions/supervision/create.html", {"form": form, "may_manage": True}, status=status)


@require_http_methods(["GET", "POST"])
@resolution_staff_required
def edit_view(request, supervision_id):
    """The plan of a supervision not started yet (services.update_supervision); started, it is a record."""
    supervision = get_object_or_404(Supervision, pk=supervision_id)
    initial = {"body": supervision.body_id, "title": supervision.title, "plan": supervision.plan,
               "starts_on": supervision.starts_on, "ends_on": supervision.ends_on,
               "resolutions": list(supervision.resolutions.values_list("pk", flat=True)),
               "team": list(supervision.team.values_list("pk", flat=True))}
    form = SupervisionForm(request.POST or None, initial=initial)
    status = 200
    if supervision.status != Supervision.Status.PLANNED:
        return problem(request, "bad_transition", _("Chỉ sửa được kế hoạch của cuộc giám sát chưa bắt đầu."),
                       status=409)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_supervision(request.user, supervision, **form.cleaned_data)
            except ResolutionError as error:
                form.add_error(None, error.message)
                status = refusal_status(error)
            else:
                messages.success(request, _("Đã sửa kế hoạch giám sát."))
                return redirect("resolutions:supervision", supervision.pk)
        else:
            status = 400
    return render(request, "resolutions/supervision/create.html",
                  {"form": form, "may_manage": True, "editing": supervision}, status=status)


def task_url(task) -> str | None:
    """The task's office page (resolutions:task, the tasks pages) once it exists; None before."""
    try:
        return reverse("resolutions:task", args=[task.pk])
    except NoReverseMatch:
        return None


def _detail_context(request, supervision, **forms):
    recommendations = list(supervision.recommendations.select_related("agency"))
    tasks = list(Task.objects.filter(recommendation__in=recommendations).select_related("lead_agency")
                 .prefetch_related("indicators", "milestones"))
    share = progress.tasks_progress(tasks)
    by_rec = {t.recommendation_id: t for t in tasks}
    today = timezone.localdate()
    rows = []
    for rec in recommendations:
        task = by_rec.get(rec.pk)
        rows.append({"rec": rec, "task": task, "pct": progress.percent(share[task.pk]) if task else None,
                     "task_url": task_url(task) if task else None,
                     "overdue": bool(task and progress.is_overdue(task, today))})
    report = supervision.report
    may_manage = permissions.may_manage_resolutions(request.user)
    ongoing = supervision.status == Supervision.Status.ONGOING
    return {
        "s": supervision, "rows": rows, "may_manage": may_manage,
        "steps": [{"value": v, "label": Supervision.Status(v).label, "done": STEPS.index(v) < STEPS.index(supervision.status),
                   "current": v == supervision.status} for v in STEPS],
        "team": supervision.team.order_by("full_name"),
        "resolutions": supervision.resolutions.order_by("decided_on", "number"),
        "report_readable": bool(report and permissions.may_read_document(request.user, report)),
        "findings_form": forms.get("findings_form") or (FindingsForm(initial={"findings": supervision.findings,
                                                                              "report": supervision.report_id})
                                                        if may_manage and ongoing else None),
        "rec_form": forms.get("rec_form") or (RecommendationForm() if may_manage and ongoing else None),
        "error": forms.get("error"),
    }


def detail_view(request, supervision_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    supervision = get_object_or_404(Supervision.objects.select_related("body", "report"), pk=supervision_id)
    if not permissions.may_read_supervision(request.user, supervision):
        return _refused_page(request)
    return render(request, "resolutions/supervision/detail.html", _detail_context(request, supervision))


ACTIONS = ("start", "findings", "recommend", "conclude", "track")


@require_POST
@resolution_staff_required
def action_view(request, supervision_id, action):
    supervision = get_object_or_404(Supervision.objects.select_related("body", "report"), pk=supervision_id)
    if action not in ACTIONS:
        return problem(request, "not_found", _("Không có thao tác này."), status=404)
    forms = {}
    try:
        if action == "start":
            services.start_supervision(request.user, supervision)
            messages.success(request, _("Cuộc giám sát đã bắt đầu."))
        elif action == "findings":
            form = forms["findings_form"] = FindingsForm(request.POST)
            if not form.is_valid():
                return _again(request, supervision, forms, 400)
            services.record_findings(request.user, supervision, **form.cleaned_data)
            messages.success(request, _("Đã lưu kết quả giám sát."))
        elif action == "recommend":
            form = forms["rec_form"] = RecommendationForm(request.POST)
            if not form.is_valid():
                return _again(request, supervision, forms, 400)
            services.add_recommendation(request.user, supervision, **form.cleaned_data)
            messages.success(request, _("Đã thêm kiến nghị."))
        elif action == "conclude":
            services.conclude_supervision(request.user, supervision)
            messages.success(request, _("Đã kết luận cuộc giám sát; các kiến nghị được theo dõi như nhiệm vụ."))
        else:
            recommendation = get_object_or_404(supervision.recommendations, pk=request.POST.get("recommendation") or 0)
            services.track_recommendation(request.user, recommendation)
            messages.success(request, _("Kiến nghị đã được theo dõi như một nhiệm vụ."))
    except ResolutionError as error:
        supervision.refresh_from_db()
        forms["error"] = error.message
        return _again(request, supervision, forms, refusal_status(error))
    except ValueError:
        return problem(request, "invalid_args", _("Dữ liệu gửi lên không hợp lệ."), status=400)
    return redirect("resolutions:supervision", supervision.pk)


def _again(request, supervision, forms, status):
    return render(request, "resolutions/supervision/detail.html", _detail_context(request, supervision, **forms),
                  status=status)
