"""The office puts an agency's report on the public page, or takes it off (services_public.publish_report,
unpublish_report): the form beside each report on the office's task page."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import resolution_staff_required

from . import services_public
from .models import ProgressReport
from .services import ResolutionError
from .views_tasks_office import _page_context, _status


@require_POST
@resolution_staff_required
def report_publish(request, task_id: int, report_id: int, action: str):
    report = get_object_or_404(ProgressReport.objects.select_related("task"), pk=report_id, task_id=task_id)
    try:
        if action == "publish":
            services_public.publish_report(request.user, report)
            done = _("Đã công khai báo cáo trên trang nghị quyết.")
        elif action == "unpublish":
            services_public.unpublish_report(request.user, report)
            done = _("Đã thôi công khai báo cáo.")
        else:
            raise Http404("no such action")
    except ResolutionError as refused:
        messages.error(request, refused.message)
        return render(request, "resolutions/tasks/task.html", _page_context(report.task), status=_status(refused))
    messages.success(request, done)
    return redirect("resolutions:task", task_id=task_id)
