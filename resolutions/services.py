"""Every change of the resolutions module: permission (accounts.permissions), one transaction, one
audit record (audit.operations), a Transition row for every status change. Refusals raise
ResolutionError with a stable code (docs/resolutions.md)."""

from __future__ import annotations

from functools import partial

from django.db import transaction
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


def _record_step(**fields) -> Transition:
    """A status change kept as a Transition row; once committed, the resolution's confirmed
    subscribers get one mail (resolutions.subscriptions)."""
    from .subscriptions import notify_transition

    step = Transition.objects.create(**fields)
    transaction.on_commit(partial(notify_transition, step.pk), robust=True)
    return step


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
        resolution.folded = search_text(resolution.title, resolution.number)
        resolution.save()
        _record_step(resolution=resolution, from_status=current, to_status=to_status, at=now,
                                  by=user if user and user.is_authenticated else None, note=note)
        op.detail["from"] = current
        if to_status == Status.ADOPTED:
            replaced = []
            for old in Resolution.objects.select_for_update().filter(
                    links_in__source=resolution, links_in__kind=ResolutionLink.Kind.REPLACES, status__in=IN_FORCE):
                _record_step(resolution=old, from_status=old.status, to_status=Status.REPLACED, at=now,
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
        resolution = Resolution.objects.create(created_by=user if user and user.is_authenticated else None,
                                               folded=search_text(values["title"], ""), **values)
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
            resolution.folded = search_text(resolution.title, resolution.number)
            resolution.save(update_fields=[*changed, "folded"])
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
        resolution.folded = search_text(resolution.title, number)
        resolution.save(update_fields=["number", "folded"])
        op.detail.update({"from": old, "to": number, "reason": reason})
    return resolution


# ---- supervisions (docs/resolutions.md, "Supervision") ------------------------------------
# A committee or the standing committee supervises resolutions in force: planned → ongoing →
# concluded. Recommendations are added while it is ongoing; at its conclusion each becomes a task
# (create_task(recommendation=...)), exactly once.

SUPERVISING_KINDS = ("committee", "standing")


def _user_or_none(user):
    return user if user and user.is_authenticated else None


def _check_supervision(body, title, starts_on, ends_on, resolutions, team) -> None:
    _require(body is not None and body.kind in SUPERVISING_KINDS, "bad_body",
             _("Chỉ Thường trực HĐND hoặc một Ban của HĐND mới tiến hành giám sát."))
    _require(bool((title or "").strip()), "title_required", _("Cần tên cuộc giám sát."))
    _require(not (starts_on and ends_on and ends_on < starts_on), "bad_dates",
             _("Ngày kết thúc không được trước ngày bắt đầu."))
    _require(bool(resolutions), "resolution_required", _("Cần chọn ít nhất một nghị quyết được giám sát."))
    _require(all(r.status in IN_FORCE for r in resolutions), "not_in_force",
             _("Chỉ giám sát nghị quyết đã thông qua, đang thực hiện hoặc đã hoàn thành."))
    members = set(body.memberships.filter(active=True).values_list("member_id", flat=True))
    _require(all(m.pk in members for m in team), "bad_team",
             _("Thành viên đoàn giám sát phải là thành viên của cơ quan giám sát."))


def create_supervision(user, *, body, title: str, plan: str = "", starts_on=None, ends_on=None,
                       resolutions=(), team=()):
    """A planned supervision by `body` (a committee or the standing committee) of `resolutions` (in
    force), with `team` (members of that body)."""
    from .models import Supervision

    resolutions, team = list(resolutions), list(team)
    with office_operation(user, "resolutions.supervision_create", body=getattr(body, "pk", None)) as op:
        _check_supervision(body, title, starts_on, ends_on, resolutions, team)
        supervision = Supervision.objects.create(body=body, title=title.strip(), plan=plan, starts_on=starts_on,
                                                 ends_on=ends_on, created_by=_user_or_none(user))
        supervision.resolutions.set(resolutions)
        supervision.team.set(team)
        op.detail.update(supervision=supervision.pk, resolutions=[r.pk for r in resolutions])
    return supervision


def update_supervision(user, supervision, *, body, title: str, plan: str = "", starts_on=None, ends_on=None,
                       resolutions=(), team=()):
    """Change a supervision's plan (its body, title, plan, dates, resolutions, team) while it is only
    planned, with create_supervision's checks; once it has started, its record stands."""
    from .models import Supervision

    resolutions, team = list(resolutions), list(team)
    with office_operation(user, "resolutions.supervision_update", supervision=supervision.pk) as op:
        supervision = _locked_supervision(supervision)
        _require(supervision.status == Supervision.Status.PLANNED, "bad_transition",
                 _("Chỉ sửa được kế hoạch của cuộc giám sát chưa bắt đầu."))
        _check_supervision(body, title, starts_on, ends_on, resolutions, team)
        before = {f: str(getattr(supervision, f)) for f in ("body_id", "title", "plan", "starts_on", "ends_on")}
        supervision.body, supervision.title, supervision.plan = body, title.strip(), plan
        supervision.starts_on, supervision.ends_on = starts_on, ends_on
        supervision.save(update_fields=["body", "title", "plan", "starts_on", "ends_on"])
        supervision.resolutions.set(resolutions)
        supervision.team.set(team)
        op.detail["changed"] = [f for f, v in before.items() if str(getattr(supervision, f)) != v]
        op.detail.update(resolutions=[r.pk for r in resolutions], team=[m.pk for m in team])
    return supervision


def _locked_supervision(supervision):
    from .models import Supervision

    return Supervision.objects.select_for_update().get(pk=supervision.pk)


def start_supervision(user, supervision):
    """planned → ongoing."""
    from .models import Supervision

    with office_operation(user, "resolutions.supervision_start", supervision=supervision.pk):
        supervision = _locked_supervision(supervision)
        _require(supervision.status == Supervision.Status.PLANNED, "bad_transition",
                 _("Chỉ bắt đầu được cuộc giám sát đang ở bước kế hoạch."))
        supervision.status = Supervision.Status.ONGOING
        if supervision.starts_on is None:
            supervision.starts_on = timezone.localdate()
        supervision.save(update_fields=["status", "starts_on"])
    return supervision


def record_findings(user, supervision, *, findings: str, report=None):
    """The findings text and the report document (a library Document) of an ongoing supervision."""
    from .models import Supervision

    with office_operation(user, "resolutions.supervision_findings", supervision=supervision.pk) as op:
        supervision = _locked_supervision(supervision)
        _require(supervision.status == Supervision.Status.ONGOING, "not_ongoing",
                 _("Chỉ ghi kết quả khi cuộc giám sát đang diễn ra."))
        supervision.findings = (findings or "").strip()
        supervision.report = report
        supervision.save(update_fields=["findings", "report"])
        op.detail["report"] = getattr(report, "pk", None)
    return supervision


def add_recommendation(user, supervision, *, agency, text: str, due_on):
    """A recommendation to `agency`, due `due_on`, while the supervision is ongoing."""
    from .models import Recommendation, Supervision

    with office_operation(user, "resolutions.recommendation_add", supervision=supervision.pk) as op:
        supervision = _locked_supervision(supervision)
        _require(supervision.status == Supervision.Status.ONGOING, "not_ongoing",
                 _("Chỉ thêm kiến nghị khi cuộc giám sát đang diễn ra."))
        _require(agency is not None, "agency_required", _("Cần cơ quan được kiến nghị."))
        _require(bool((text or "").strip()), "text_required", _("Cần nội dung kiến nghị."))
        _require(due_on is not None, "date_required", _("Cần thời hạn thực hiện kiến nghị."))
        recommendation = Recommendation.objects.create(supervision=supervision, agency=agency, text=text.strip(),
                                                       due_on=due_on)
        op.detail["recommendation"] = recommendation.pk
    return recommendation


def _recommendation_task(user, recommendation) -> Task:
    return create_task(user, recommendation=recommendation, title=recommendation.text[:1000],
                       lead_agency=recommendation.agency, due_on=recommendation.due_on,
                       description=_("Kiến nghị của cuộc giám sát “%s”.") % recommendation.supervision.title)


def track_recommendation(user, recommendation) -> Task:
    """The recommendation as a task of its agency, due when it is due, before the supervision's
    conclusion (which tracks the rest). Exactly once: already_tracked."""
    from .models import Recommendation, Supervision

    with office_operation(user, "resolutions.recommendation_track", recommendation=recommendation.pk) as op:
        recommendation = (Recommendation.objects.select_for_update().select_related("supervision", "agency")
                          .get(pk=recommendation.pk))
        _require(recommendation.supervision.status != Supervision.Status.PLANNED, "not_ongoing",
                 _("Cuộc giám sát chưa bắt đầu."))
        _require(not Task.objects.filter(recommendation=recommendation).exists(), "already_tracked",
                 _("Nội dung này đã được theo dõi bằng một nhiệm vụ."))
        task = _recommendation_task(user, recommendation)
        op.detail["task"] = task.pk
    return task


def conclude_supervision(user, supervision, *, concluded_on=None):
    """ongoing → concluded, on `concluded_on` (today by default; kept as the supervision's end date,
    ends_on). Needs its findings. Every recommendation not yet tracked becomes a task, in the same
    transaction."""
    from .models import Supervision

    with office_operation(user, "resolutions.supervision_conclude", supervision=supervision.pk) as op:
        supervision = _locked_supervision(supervision)
        _require(supervision.status == Supervision.Status.ONGOING, "bad_transition",
                 _("Chỉ kết luận được cuộc giám sát đang diễn ra."))
        _require(bool(supervision.findings.strip()), "findings_required",
                 _("Cần ghi kết quả giám sát trước khi kết luận."))
        day = concluded_on or timezone.localdate()
        _require(supervision.starts_on is None or day >= supervision.starts_on, "bad_dates",
                 _("Ngày kết luận không được trước ngày bắt đầu."))
        supervision.status = Supervision.Status.CONCLUDED
        supervision.ends_on = day
        supervision.save(update_fields=["status", "ends_on"])
        tracked = []
        for recommendation in supervision.recommendations.filter(task__isnull=True).select_related("agency"):
            recommendation.supervision = supervision
            tracked.append(_recommendation_task(user, recommendation).pk)
        op.detail["tasks"] = tracked
    return supervision


# ---- links: questioning commitments and voters' petitions --------------------------------

def track_commitment(user, commitment, *, lead_agency, due_on=None, title: str = "") -> Task:
    """A commitment made while answering questions (floor.Commitment) as a task of `lead_agency`,
    due `due_on` (the commitment's own date by default). Exactly once (already_tracked)."""
    from floor.models import Commitment

    with office_operation(user, "resolutions.commitment_track", commitment=commitment.pk) as op:
        commitment = Commitment.objects.select_for_update().select_related("official").get(pk=commitment.pk)
        due = due_on or commitment.due
        _require(not Task.objects.filter(commitment=commitment).exists(), "already_tracked",
                 _("Nội dung này đã được theo dõi bằng một nhiệm vụ."))
        _require(lead_agency is not None, "agency_required", _("Cần cơ quan chủ trì thực hiện cam kết."))
        _require(due is not None, "date_required", _("Cần thời hạn thực hiện cam kết."))
        task = create_task(user, commitment=commitment, title=(title or commitment.text).strip()[:1000],
                           lead_agency=lead_agency, due_on=due,
                           description=_("Cam kết của %(o)s khi trả lời chất vấn.") % {"o": commitment.official.full_name})
        op.detail["task"] = task.pk
    return task


def _require_voter_petition(case):
    from accounts.permissions import case_protected

    _require(case.kind == "voter_petition" and not case_protected(case), "bad_petition",
             _("Chỉ liên kết, theo dõi kiến nghị cử tri."))


def link_petition(user, case, resolution, *, note: str = ""):
    """`resolution` (in force) answers the voters' petition `case` (once per pair: already_linked)."""
    from .models import PetitionAnswer

    with office_operation(user, "resolutions.petition_link", case=case.pk, resolution=resolution.pk) as op:
        _require_voter_petition(case)
        _require(resolution.status in IN_FORCE, "not_in_force",
                 _("Chỉ liên kết với nghị quyết đã thông qua, đang thực hiện hoặc đã hoàn thành."))
        _require(not PetitionAnswer.objects.filter(case=case, resolution=resolution).exists(), "already_linked",
                 _("Kiến nghị này đã được liên kết với nghị quyết đó."))
        answer = PetitionAnswer.objects.create(case=case, resolution=resolution, note=(note or "").strip(),
                                               linked_by=_user_or_none(user), linked_at=timezone.now())
        op.detail["answer"] = answer.pk
    return answer


def unlink_petition(user, answer):
    """Undo a link made by mistake (audited with what it was)."""
    with office_operation(user, "resolutions.petition_unlink", case=answer.case_id, resolution=answer.resolution_id):
        answer.delete()


def track_petition(user, case, *, lead_agency=None, due_on=None, title: str = "") -> Task:
    """A voters' petition as a task of `lead_agency` (the agency the petition went to by default),
    due `due_on`. Once (already_tracked): a petition is followed by one task."""
    from petitions.models import Case

    with office_operation(user, "resolutions.petition_track", case=case.pk) as op:
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require_voter_petition(case)
        agency = lead_agency or case.agency
        _require(not Task.objects.filter(petition=case).exists(), "already_tracked",
                 _("Nội dung này đã được theo dõi bằng một nhiệm vụ."))
        _require(agency is not None, "agency_required", _("Cần cơ quan chủ trì giải quyết kiến nghị."))
        _require(due_on is not None, "date_required", _("Cần thời hạn giải quyết kiến nghị."))
        task = create_task(user, petition=case, title=(title or case.subject).strip()[:1000], lead_agency=agency,
                           due_on=due_on, description=_("Kiến nghị cử tri %s.") % case.tracking_code)
        op.detail["task"] = task.pk
    return task


# ---- search (H8: docs/resolutions.md, "Search, dashboard, import") ---------------------------

def search_text(title: str, number: str) -> str:
    """What the search matches: number and title folded (library.text.fold), kept in
    Resolution.folded by create_resolution, update_resolution, transition and correct_number."""
    from library.text import fold

    return fold(f"{number or ''} {title or ''}".strip())
