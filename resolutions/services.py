"""Every change of the resolutions module: permission (accounts.permissions), one transaction, one
audit record (audit.operations), a Transition row for every status change. Refusals raise
ResolutionError with a stable code (docs/resolutions.md)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor, may_manage_resolutions, may_report_on_task
from audit.operations import ServiceError, operation

from .models import (IN_FORCE, TRANSITIONS, Indicator, Milestone, Resolution, ResolutionLink, Status, Task,
                     Transition)


class ResolutionError(ServiceError):
    """A refused resolutions request; `code` is stable (docs/resolutions.md)."""


def actor(user) -> Actor:
    return Actor(role="secretary" if may_manage_resolutions(user) else "", user=user)


def office_operation(user, action: str, **detail):
    """A change only the office's resolution staff may make."""
    return operation(actor(user), action, allowed=may_manage_resolutions(user), error=ResolutionError,
                     refusal=_("Chỉ cán bộ Văn phòng được giao theo dõi nghị quyết mới làm được việc này."),
                     detail=detail)


def desk_operation(user, task, action: str, **detail):
    """A change an agency desk makes on a task its agency leads or co-operates on."""
    return operation(Actor(role="", user=user), action, allowed=may_report_on_task(user, task), error=ResolutionError,
                     refusal=_("Nhiệm vụ này không giao cho cơ quan của bạn."), detail=detail)


# ---- the lifecycle ------------------------------------------------------------------

def _require(condition, code: str, message: str):
    if not condition:
        raise ResolutionError(code, message)


def transition(user, resolution: Resolution, to_status: str, *, note: str = "", **fields) -> Resolution:
    """Move `resolution` to `to_status` (models.TRANSITIONS), with the fields that step records:
    adopted needs `number` and `decided_on` (and may take `signed_document`, `effective_on`);
    not adopted needs `decided_on`. Adopting a resolution that replaces others marks them replaced."""
    with office_operation(user, "resolutions.transition", resolution=resolution.pk, to=to_status) as op:
        resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
        current = resolution.status
        _require(to_status in TRANSITIONS.get(current, set()), "bad_transition",
                 _("Không chuyển được từ “%(from)s” sang “%(to)s”.")
                 % {"from": Status(current).label, "to": Status(to_status).label if to_status in Status.values else to_status})
        allowed = {"number", "decided_on", "signed_document", "effective_on", "agenda_item", "poll"}
        unknown = set(fields) - allowed
        _require(not unknown, "bad_field", _("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
        for name, value in fields.items():
            setattr(resolution, name, value)
        if to_status == Status.ADOPTED:
            _require(bool((resolution.number or "").strip()), "number_required", _("Cần số, ký hiệu của nghị quyết."))
            _require(resolution.decided_on is not None, "date_required", _("Cần ngày thông qua."))
            _require(not Resolution.objects.filter(number=resolution.number.strip()).exclude(pk=resolution.pk).exists(),
                     "number_taken", _("Số, ký hiệu này đã có nghị quyết khác."))
            resolution.number = resolution.number.strip()
        if to_status == Status.NOT_ADOPTED:
            _require(resolution.decided_on is not None, "date_required", _("Cần ngày biểu quyết."))
        now = timezone.now()
        resolution.status = to_status
        resolution.status_changed_at = now
        resolution.save()
        Transition.objects.create(resolution=resolution, from_status=current, to_status=to_status, at=now,
                                  by=user if user and user.is_authenticated else None, note=note)
        op.detail["from"] = current
        if to_status == Status.ADOPTED:
            replaced = []
            for old in Resolution.objects.select_for_update().filter(
                    links_in__source=resolution, links_in__kind=ResolutionLink.Kind.REPLACES, status__in=IN_FORCE):
                Transition.objects.create(resolution=old, from_status=old.status, to_status=Status.REPLACED, at=now,
                                          by=user if user and user.is_authenticated else None,
                                          note=_("Thay thế bởi %s") % resolution.number)
                old.status, old.status_changed_at = Status.REPLACED, now
                old.save(update_fields=["status", "status_changed_at"])
                replaced.append(old.pk)
            if replaced:
                op.detail["replaced"] = replaced
    return resolution


# ---- tasks --------------------------------------------------------------------------

ORIGINS = ("resolution", "recommendation", "commitment", "petition")


def create_task(user, *, title: str, lead_agency, due_on, description: str = "", co_agencies=(), weight: int = 1,
                indicators=(), milestones=(), **origin) -> Task:
    """A task for an agency, from exactly one origin: resolution= (in force), recommendation=,
    commitment= (floor.Commitment) or petition= (petitions.Case). `indicators`: dicts with name, unit,
    target and optionally baseline and weight; `milestones`: dicts with title and optionally due_on,
    weight."""
    given = {k: v for k, v in origin.items() if v is not None}
    _require(set(given) <= set(ORIGINS) and len(given) == 1, "bad_origin", _("Nhiệm vụ cần đúng một nguồn giao."))
    (kind, source), = given.items()
    with office_operation(user, "resolutions.task_create", origin=kind, origin_id=source.pk) as op:
        if kind == "resolution":
            status = Resolution.objects.select_for_update().values_list("status", flat=True).get(pk=source.pk)
            _require(status in (Status.ADOPTED, Status.IMPLEMENTING), "not_in_force",
                     _("Chỉ giao nhiệm vụ cho nghị quyết đã thông qua, đang thực hiện."))
        elif kind in ("recommendation", "commitment"):
            _require(not Task.objects.filter(**{kind: source}).exists(), "already_tracked",
                     _("Nội dung này đã được theo dõi bằng một nhiệm vụ."))
        _require(bool((title or "").strip()), "title_required", _("Cần nội dung nhiệm vụ."))
        _require(isinstance(weight, int) and weight >= 1, "bad_weight", _("Trọng số phải là số nguyên dương."))
        task = Task.objects.create(title=title.strip(), description=description, lead_agency=lead_agency, due_on=due_on,
                                   weight=weight, created_by=user if user and user.is_authenticated else None,
                                   **{kind: source})
        task.co_agencies.set([a for a in co_agencies if a.pk != lead_agency.pk])
        for spec in indicators:
            _require(spec.get("target") is not None and spec.get("target") != spec.get("baseline", 0), "bad_indicator",
                     _("Chỉ tiêu cần mục tiêu khác giá trị ban đầu."))
            Indicator.objects.create(task=task, **spec)
        for spec in milestones:
            Milestone.objects.create(task=task, **spec)
        op.detail["task"] = task.pk
    return task
