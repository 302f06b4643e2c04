"""The office puts an agency's progress report on the resolution's public page, or takes it off
(docs/resolutions.md, "The public side"): services' kind of change — permission
(office_operation: resolution staff only), one transaction with the report locked, one audit record;
refusals are ResolutionError with a stable code."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from . import subscriptions
from .models import ProgressReport
from .services import _require, office_operation


def publish_report(user, report):
    """Put an agency's progress report on the resolution's public page (and the JSON export): its
    date, agency, text and figures, never its files. Only a report on a resolution's task; once the
    change is committed, the resolution's confirmed subscribers get one mail (resolutions.subscriptions)."""
    with office_operation(user, "resolutions.report_publish", report=report.pk) as op:
        report = ProgressReport.objects.select_for_update().select_related("task").get(pk=report.pk)
        _require(report.task.resolution_id is not None, "not_a_resolution_task",
                 _("Chỉ công khai được báo cáo về nhiệm vụ thực hiện nghị quyết."))
        _require(report.published_at is None, "already_published", _("Báo cáo này đã được công khai."))
        report.published_at = timezone.now()
        report.save(update_fields=["published_at"])
        op.detail.update(task=report.task_id, resolution=report.task.resolution_id)
        op.after_commit(lambda: subscriptions.notify_report(report.pk))
    return report


def unpublish_report(user, report):
    """Take a published report off the public page again (it stays on the office's and the desk's pages)."""
    with office_operation(user, "resolutions.report_unpublish", report=report.pk) as op:
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        _require(report.published_at is not None, "not_published", _("Báo cáo này chưa được công khai."))
        report.published_at = None
        report.save(update_fields=["published_at"])
        op.detail["task"] = report.task_id
    return report
