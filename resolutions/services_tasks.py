"""The tasks' changes after their creation: the office edits, cancels, accepts an agency's "done" or
sends it back; an agency reports progress from its desk. Each one is resolutions.services' kind
of change: permission (accounts.permissions, through office_operation or desk_operation), one
transaction with the task locked, one audit record; refusals are ResolutionError with a code of
docs/resolutions.md ("Tasks, the agencies' reports and the daily job"), and change nothing.

Reports are never edited: a later report supersedes an earlier one's figures (progress.py reads
the latest value of each indicator)."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import agencies_of, may_manage_resolutions
from library.files import FileRefused, check_upload

from . import services
from .models import IndicatorValue, Milestone, ProgressReport, ReportFile, Resolution, Status, Task
from .services import ResolutionError, _require, desk_operation, office_operation

TEXT_MAX = 20_000
# DecimalField(max_digits=18, decimal_places=4): 14 digits before the point.
VALUE_LIMIT = Decimal(10) ** 14
ACCEPTED, RETURNED = "accepted", "returned"


def _who(user):
    return user if user is not None and user.is_authenticated else None


def _locked_open(task: Task) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    _require(task.status == Task.Status.OPEN, "task_closed",
             _("Nhiệm vụ đã kết thúc (hoàn thành hoặc không tiếp tục theo dõi); không thay đổi được nữa."))
    return task


def _check_fields(title, lead_agency, due_on, weight):
    _require(bool((title or "").strip()), "title_required", _("Cần nội dung nhiệm vụ."))
    _require(lead_agency is not None, "agency_required", _("Cần cơ quan chủ trì."))
    _require(due_on is not None, "due_required", _("Cần thời hạn hoàn thành."))
    _require(isinstance(weight, int) and weight >= 1, "bad_weight", _("Trọng số phải là số nguyên dương."))


# ---- the office -----------------------------------------------------------------------

def create_resolution_task(user, resolution: Resolution, *, title: str, lead_agency, due_on, weight: int = 1,
                           indicators=(), milestones=(), **fields) -> Task:
    """A task of an adopted resolution (services.create_task). The first task of a resolution still
    ADOPTED moves it to IMPLEMENTING (services.transition), in the same transaction: two audit
    records, resolutions.task_create and resolutions.transition."""
    if not may_manage_resolutions(user):
        # Refused and audited there, before any transaction of ours would take the record with it.
        return services.create_task(user, resolution=resolution, title=title, lead_agency=lead_agency, due_on=due_on)
    _check_fields(title, lead_agency, due_on, weight)
    for spec in indicators:
        _require(bool((spec.get("name") or "").strip()) and bool((spec.get("unit") or "").strip()), "bad_indicator",
                 _("Mỗi chỉ tiêu cần tên và đơn vị tính."))
    for spec in milestones:
        _require(bool((spec.get("title") or "").strip()), "bad_milestone", _("Mỗi mốc cần nội dung."))
    with transaction.atomic():
        task = services.create_task(user, resolution=resolution, title=title, lead_agency=lead_agency, due_on=due_on,
                                    weight=weight, indicators=indicators, milestones=milestones, **fields)
        if Resolution.objects.filter(pk=resolution.pk, status=Status.ADOPTED).exists():
            services.transition(user, resolution, Status.IMPLEMENTING,
                                note=_("Giao nhiệm vụ đầu tiên: %s") % task.title)
    return task


def edit_task(user, task: Task, *, title: str, lead_agency, due_on, weight: int = 1, description: str = "",
              co_agencies=()) -> Task:
    """Change an open task's own fields (indicators and milestones stay: reports point at them). A new
    due date lets the daily job remind and escalate again for it."""
    with office_operation(user, "resolutions.task_edit", task=task.pk) as op:
        task = _locked_open(task)
        _check_fields(title, lead_agency, due_on, weight)
        new = {"title": title.strip(), "description": description or "", "lead_agency_id": lead_agency.pk,
               "due_on": due_on, "weight": weight}
        changed = sorted(name for name, value in new.items() if getattr(task, name) != value)
        if "due_on" in changed:
            task.reminded_at = task.escalated_at = None
        for name, value in new.items():
            setattr(task, name, value)
        task.save()
        co = sorted(a.pk for a in co_agencies if a.pk != lead_agency.pk)
        if co != sorted(task.co_agencies.values_list("pk", flat=True)):
            task.co_agencies.set(co)
            changed.append("co_agencies")
        op.detail["changed"] = changed
    return task


INDICATOR_FIELDS = ("name", "unit", "baseline", "target", "weight")
MILESTONE_FIELDS = ("title", "due_on", "weight")


def set_measures(user, task: Task, *, indicators=(), milestones=()) -> Task:
    """Change an open task's indicators and milestones: each item a dict of their fields, with `id`
    for one the task has (changed, or removed with `remove`), without for a new one. An indicator
    with reported values and a milestone a report marked done stay (reports point at them): they
    can be changed, not removed. A target equal to the baseline is refused (no way to measure)."""
    from .models import Indicator

    with office_operation(user, "resolutions.task_measures", task=task.pk) as op:
        task = _locked_open(task)
        done = {"added": [], "changed": [], "removed": []}
        for model, items, fields, kind in ((Indicator, indicators, INDICATOR_FIELDS, "indicator"),
                                           (Milestone, milestones, MILESTONE_FIELDS, "milestone")):
            own = {row.pk: row for row in model.objects.filter(task=task)}
            for item in items:
                row = own.get(item["id"]) if item.get("id") is not None else None
                _require(item.get("id") is None or row is not None, f"foreign_{kind}",
                         _("Chỉ tiêu hoặc mốc này không thuộc nhiệm vụ."))
                if row is not None and item.get("remove"):
                    kept = (row.values.exists() if kind == "indicator"
                            else row.done_on is not None or row.done_report_id is not None)
                    _require(not kept, "measured", _("“%s” đã có báo cáo; chỉ sửa được, không xóa được.")
                             % (row.name if kind == "indicator" else row.title))
                    row.delete()
                    done["removed"].append(f"{kind}:{row.pk}")
                    continue
                values = {f: item[f] for f in fields if f in item}
                _require(bool(str(values.get(fields[0], getattr(row, fields[0], "")) or "").strip()), f"{kind}_name_required",
                         _("Cần tên của chỉ tiêu hoặc mốc."))
                _require(isinstance(values.get("weight", 1), int) and values.get("weight", 1) >= 1, "bad_weight",
                         _("Trọng số phải là số nguyên dương."))
                if kind == "indicator":
                    target = values.get("target", getattr(row, "target", None))
                    baseline = values.get("baseline", getattr(row, "baseline", 0)) or 0
                    _require(target is not None and Decimal(target) != Decimal(baseline), "bad_indicator",
                             _("Chỉ tiêu cần mục tiêu khác giá trị ban đầu."))
                if row is None:
                    row = model.objects.create(task=task, **values)
                    done["added"].append(f"{kind}:{row.pk}")
                elif any(getattr(row, f) != v for f, v in values.items()):
                    for f, v in values.items():
                        setattr(row, f, v)
                    row.save(update_fields=list(values))
                    done["changed"].append(f"{kind}:{row.pk}")
        op.detail.update(done)
    return task


def cancel_task(user, task: Task, reason: str) -> Task:
    """Stop following an open task, saying why (left out of the resolution's progress)."""
    with office_operation(user, "resolutions.task_cancel", task=task.pk) as op:
        task = _locked_open(task)
        reason = (reason or "").strip()
        _require(bool(reason), "reason_required", _("Ghi rõ lý do không tiếp tục theo dõi nhiệm vụ."))
        task.status, task.cancel_reason = Task.Status.CANCELLED, reason[:TEXT_MAX]
        task.save(update_fields=["status", "cancel_reason"])
        op.detail["reason"] = reason[:500]
    return task


def pending_claim(task: Task) -> ProgressReport | None:
    """The latest report saying "done" that the office has not answered yet."""
    return (task.reports.filter(claims_done=True, review="").order_by("-reported_at", "-id").first())


def _claim(task: Task) -> ProgressReport:
    report = pending_claim(task)
    _require(report is not None, "no_done_claim", _("Chưa có báo cáo hoàn thành nào chờ Văn phòng xem xét."))
    return report


def accept_done(user, task: Task) -> Task:
    """The office accepts the agency's "done": the task is done on the day that report was made."""
    with office_operation(user, "resolutions.task_accept", task=task.pk) as op:
        task = _locked_open(task)
        report = _claim(task)
        now = timezone.now()
        report.review, report.reviewed_at, report.reviewed_by = ACCEPTED, now, _who(user)
        report.save(update_fields=["review", "reviewed_at", "reviewed_by"])
        task.status, task.done_on = Task.Status.DONE, timezone.localdate(report.reported_at)
        task.save(update_fields=["status", "done_on"])
        op.detail["report"] = report.pk
    return task


def return_report(user, task: Task, note: str) -> ProgressReport:
    """The office sends the agency's "done" back with a note; the task stays open."""
    with office_operation(user, "resolutions.task_return", task=task.pk) as op:
        task = _locked_open(task)
        report = _claim(task)
        note = (note or "").strip()
        _require(bool(note), "note_required", _("Ghi rõ lý do trả lại để cơ quan bổ sung."))
        report.review, report.review_note = RETURNED, note[:TEXT_MAX]
        report.reviewed_at, report.reviewed_by = timezone.now(), _who(user)
        report.save(update_fields=["review", "review_note", "reviewed_at", "reviewed_by"])
        op.detail["report"] = report.pk
    return report


def ready_to_complete(resolution: Resolution) -> bool:
    """In implementation, with tasks, every one not cancelled done: the office may complete it."""
    tasks = resolution.tasks.exclude(status=Task.Status.CANCELLED)
    return (resolution.status == Status.IMPLEMENTING and tasks.exists()
            and not tasks.exclude(status=Task.Status.DONE).exists())


# ---- the agency's desk ----------------------------------------------------------------

def parse_value(raw) -> Decimal:
    """A figure as a person types it: "1500", "1500.5", "1500,5" (the Vietnamese decimal comma)."""
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ResolutionError("not_a_number", _("“%(v)s” không phải là một số.") % {"v": str(raw)[:40]}) from None
    _require(value.is_finite() and abs(value) < VALUE_LIMIT, "not_a_number",
             _("“%(v)s” không phải là một số hợp lệ.") % {"v": str(raw)[:40]})
    return value.quantize(Decimal("0.0001"))


def _check_files(files):
    """Every file checked before anything is stored: petitions' limits (PETITION_MAX_FILES,
    PETITION_MAX_FILE_BYTES) and the library's content checks (library.files.check_upload)."""
    files = [f for f in files if f]
    _require(len(files) <= settings.PETITION_MAX_FILES, "too_many_files",
             _("Chỉ được gửi kèm tối đa %(n)d tệp.") % {"n": settings.PETITION_MAX_FILES})
    checked = []
    for upload in files:
        name = getattr(upload, "name", "") or ""
        _require(getattr(upload, "size", 0) <= settings.PETITION_MAX_FILE_BYTES, "file_refused",
                 _("Tệp “%(name)s” lớn hơn giới hạn %(mb)s MB cho mỗi tệp.")
                 % {"name": name[:80], "mb": round(settings.PETITION_MAX_FILE_BYTES / 1048576, 1)})
        try:
            checked.append((upload, check_upload(upload, name)))
        except FileRefused as refused:
            raise ResolutionError("file_refused", refused.message) from None
    return checked


def _reporting_agency(user, task: Task):
    mine = agencies_of(user)
    return mine.filter(pk=task.lead_agency_id).first() or mine.filter(co_tasks=task).order_by("pk").first()


def report_progress(user, task: Task, *, text: str, values=None, milestones=(), files=(),
                    claims_done: bool = False) -> ProgressReport:
    """An agency's report on an open task of its own (lead or co-operating): text, a figure for each
    indicator (`values`: indicator id -> number; a blank figure is not reported), milestones done
    (ids), files, and whether it considers the task done (the office then accepts or returns it)."""
    with desk_operation(user, task, "resolutions.task_report", task_id=task.pk) as op:
        task = _locked_open(task)
        text = (text or "").strip()
        _require(bool(text), "text_required", _("Cần nội dung báo cáo."))
        _require(len(text) <= TEXT_MAX, "text_too_long", _("Nội dung báo cáo quá dài (tối đa %(n)d ký tự).") % {"n": TEXT_MAX})
        figures = {}
        for key, raw in (values or {}).items():
            if raw is None or str(raw).strip() == "":
                continue
            try:
                figures[int(key)] = parse_value(raw)
            except (TypeError, ValueError):
                raise ResolutionError("foreign_indicator", _("Chỉ tiêu không thuộc nhiệm vụ này.")) from None
        own = set(task.indicators.values_list("pk", flat=True))
        _require(set(figures) <= own, "foreign_indicator", _("Chỉ tiêu không thuộc nhiệm vụ này."))
        try:
            steps = {int(m) for m in milestones}
        except (TypeError, ValueError):
            raise ResolutionError("foreign_milestone", _("Mốc không thuộc nhiệm vụ này.")) from None
        _require(steps <= set(task.milestones.values_list("pk", flat=True)), "foreign_milestone",
                 _("Mốc không thuộc nhiệm vụ này."))
        checked = _check_files(files)
        now = timezone.now()
        report = ProgressReport.objects.create(task=task, agency=_reporting_agency(user, task), text=text,
                                               reported_at=now, reported_by=_who(user), claims_done=bool(claims_done))
        IndicatorValue.objects.bulk_create(IndicatorValue(report=report, indicator_id=i, value=v) for i, v in figures.items())
        done = list(Milestone.objects.filter(pk__in=steps, done_on__isnull=True).values_list("pk", flat=True))
        Milestone.objects.filter(pk__in=done).update(done_on=timezone.localdate(now), done_report=report)
        for upload, result in checked:
            stream = getattr(upload, "file", upload)
            stream.seek(0)
            stored = ReportFile(report=report, name=result.display_name, size=result.size, content_type=result.content_type)
            stored.file.save(f"{secrets.token_hex(8)}.{result.extension}", File(stream), save=False)
            stored.save()
        op.detail.update(report=report.pk, agency=report.agency_id, values=len(figures), milestones=done,
                         files=len(checked), claims_done=report.claims_done)
    return report

