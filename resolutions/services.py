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
from .models import ResolutionDocument


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


# ---- the programme, the file, the links (the office's pages: docs/resolutions.md) --------------

# The fields the office may edit, by status. Before adoption the plan and the drafting facts;
# from adoption on, the number, the title, the dates and the vote are fixed by the signed text (a
# transition records them): only the area, the public flag, the signed document and the date it
# takes effect (often known later) remain.
PLAN_FIELDS = ("title", "area", "term", "planned_year", "planned_session", "lead_agency", "reviewing_committee", "public")
ADOPTED_FIELDS = ("area", "public", "signed_document", "effective_on")
EDITABLE = {
    Status.PLANNED: PLAN_FIELDS, Status.DRAFTING: PLAN_FIELDS, Status.REVIEWED: PLAN_FIELDS,
    Status.SUBMITTED: PLAN_FIELDS, Status.NOT_ADOPTED: PLAN_FIELDS,
    Status.ADOPTED: ADOPTED_FIELDS, Status.IMPLEMENTING: ADOPTED_FIELDS, Status.COMPLETED: ADOPTED_FIELDS,
    Status.REPLACED: ("public",), Status.WITHDRAWN: (),
}
YEARS = (2000, 2100)


def _check_plan(values: dict):
    """The rules of a resolution's own fields (create and update)."""
    from meeting.models import Body

    if "title" in values:
        values["title"] = (values["title"] or "").strip()
        _require(bool(values["title"]), "title_required", _("Cần trích yếu của nghị quyết."))
    if "planned_year" in values:
        year = values["planned_year"]
        _require(isinstance(year, int) and YEARS[0] <= year <= YEARS[1], "bad_year",
                 _("Năm trong chương trình không hợp lệ."))
    if values.get("reviewing_committee") is not None:
        _require(values["reviewing_committee"].kind == Body.Kind.COMMITTEE, "bad_committee",
                 _("Ban thẩm tra phải là một ban của HĐND."))
    if values.get("signed_document") is not None:
        _require(values["signed_document"].kind == "resolution", "bad_document",
                 _("Văn bản đã ký phải là tài liệu loại “Nghị quyết” trong thư viện."))
    if values.get("planned_session") is not None and values.get("term") is not None:
        body = values["planned_session"].body
        _require(body.term_id in (None, values["term"].pk), "bad_session",
                 _("Kỳ họp dự kiến không thuộc nhiệm kỳ đã chọn."))


def create_resolution(user, *, title: str, term, planned_year: int, area: str = "other", planned_session=None,
                      lead_agency=None, reviewing_committee=None, public: bool = True) -> Resolution:
    """A planned resolution in the year's programme."""
    values = dict(title=title, term=term, planned_year=planned_year, area=area, planned_session=planned_session,
                  lead_agency=lead_agency, reviewing_committee=reviewing_committee, public=public)
    with office_operation(user, "resolutions.create", year=planned_year) as op:
        _check_plan(values)
        resolution = Resolution.objects.create(created_by=user if user and user.is_authenticated else None, **values)
        op.detail["resolution"] = resolution.pk
    return resolution


def update_resolution(user, resolution: Resolution, **values) -> Resolution:
    """Change the fields the current status allows (EDITABLE); anything else is refused whole."""
    with office_operation(user, "resolutions.update", resolution=resolution.pk, fields=sorted(values)) as op:
        resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
        allowed = EDITABLE.get(resolution.status, ())
        locked = sorted(set(values) - set(allowed))
        _require(not locked, "field_locked",
                 _("Ở trạng thái “%(status)s” không sửa được: %(fields)s.")
                 % {"status": Status(resolution.status).label, "fields": ", ".join(locked)})
        checked = dict(values)
        if "planned_session" in checked and "term" not in checked:
            checked["term"] = resolution.term
        _check_plan(checked)
        changed = [name for name in values if getattr(resolution, name) != checked[name]]
        for name in changed:
            setattr(resolution, name, checked[name])
        if changed:
            resolution.save(update_fields=changed)
        op.detail["changed"] = changed
    return resolution


def attach_document(user, resolution: Resolution, document, role: str) -> ResolutionDocument:
    """Put a library document in the resolution's file with its role (submission, draft, …)."""
    with office_operation(user, "resolutions.document_attach", resolution=resolution.pk, document=document.pk,
                          role=role) as op:
        _require(role in ResolutionDocument.Role.values, "bad_role", _("Vai trò tài liệu không hợp lệ."))
        _require(document.status != "withdrawn", "bad_document", _("Tài liệu này đã bị thu hồi."))
        Resolution.objects.select_for_update().filter(pk=resolution.pk).first()
        _require(not ResolutionDocument.objects.filter(resolution=resolution, document=document).exists(),
                 "already_attached", _("Tài liệu này đã có trong hồ sơ nghị quyết."))
        attached = ResolutionDocument.objects.create(resolution=resolution, document=document, role=role)
        op.detail["attached"] = attached.pk
    return attached


def detach_document(user, attached: ResolutionDocument) -> None:
    """Take a document out of the resolution's file (the library keeps it)."""
    with office_operation(user, "resolutions.document_detach", resolution=attached.resolution_id,
                          document=attached.document_id):
        ResolutionDocument.objects.filter(pk=attached.pk).delete()


def _reaches(start_id: int, goal_id: int) -> bool:
    """Whether following links (source -> target) from start reaches goal."""
    seen, frontier = {start_id}, [start_id]
    while frontier:
        nxt = list(ResolutionLink.objects.filter(source_id__in=frontier).values_list("target_id", flat=True))
        if goal_id in nxt:
            return True
        frontier = [i for i in nxt if i not in seen]
        seen.update(frontier)
    return False


def link(user, source: Resolution, target: Resolution, kind: str) -> ResolutionLink:
    """`source` amends or replaces `target` (shown on both pages). Refused: itself, a pair already
    linked (either way), a chain that would come back to `source`."""
    with office_operation(user, "resolutions.link", source=source.pk, target=target.pk, kind=kind) as op:
        _require(kind in ResolutionLink.Kind.values, "bad_kind", _("Loại liên kết không hợp lệ."))
        _require(source.pk != target.pk, "self_link", _("Một nghị quyết không sửa đổi, thay thế chính nó."))
        Resolution.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).count()
        _require(not ResolutionLink.objects.filter(source__in=[source, target], target__in=[source, target]).exists(),
                 "link_exists", _("Hai nghị quyết này đã được liên kết."))
        _require(not _reaches(target.pk, source.pk), "link_cycle",
                 _("Liên kết này tạo thành vòng: nghị quyết đích đã (gián tiếp) sửa đổi, thay thế nghị quyết nguồn."))
        made = ResolutionLink.objects.create(source=source, target=target, kind=kind)
        op.detail["link"] = made.pk
    return made


def unlink(user, made: ResolutionLink) -> None:
    """Remove a link entered by mistake (a replacement already recorded by an adoption stays replaced)."""
    with office_operation(user, "resolutions.unlink", source=made.source_id, target=made.target_id, kind=made.kind):
        ResolutionLink.objects.filter(pk=made.pk).delete()


def correct_number(user, resolution: Resolution, number: str, *, reason: str) -> Resolution:
    """Correct an adopted resolution's number and symbol (a typing error found after adoption): the
    one way to change it, with a reason, kept in the audit record (old, new, reason). Not a step of
    its life: no Transition."""
    with office_operation(user, "resolutions.correct_number", resolution=resolution.pk) as op:
        resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
        _require(bool(resolution.number), "not_adopted_yet", _("Nghị quyết chưa có số, ký hiệu để đính chính."))
        number, reason = (number or "").strip(), (reason or "").strip()
        _require(bool(number), "number_required", _("Cần số, ký hiệu của nghị quyết."))
        _require(bool(reason), "reason_required", _("Cần nêu lý do đính chính."))
        _require(number != resolution.number, "bad_field", _("Số, ký hiệu mới trùng số hiện tại."))
        _require(not Resolution.objects.filter(number=number).exclude(pk=resolution.pk).exists(),
                 "number_taken", _("Số, ký hiệu này đã có nghị quyết khác."))
        old = resolution.number
        resolution.number = number
        resolution.save(update_fields=["number"])
        op.detail.update({"from": old, "to": number, "reason": reason})
    return resolution
