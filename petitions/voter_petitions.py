"""Voters' petitions as the council handles them (issue 12, item 4).

Collected at voter-contact meetings before or after a session (petitions.services.
record_voter_meeting: one case each; answered at the meeting: closed there and
never reopened), then:

1. **compiled** by the office for the session they were collected for, by
   delegate group, with the Fatherland Front's (Ủy ban MTTQ) summary as text
   and/or a file; each pending petition gets its competent body
   (`compile_session`);
2. **forwarded**: one recorded forwarding per body (`PetitionForwarding`), each
   petition a `Transfer` the agency desk answers as any other (`forward_session`);
   the answer is due `VOTER_PETITION_ANSWER_WORKING_DAYS` working days before
   the **next regular session** (petitions.deadlines);
3. **answered** by the agency, reviewed and published by the office
   (petitions.services.answer / review_answer / publish_answer);
4. **reported** at that next regular session: its session report lists them
   (petitions.reports.session_summary, `reported`).

Refusal codes: forbidden, invalid, bad_state, file_refused (PetitionError).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict

from django.core.files import File

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import deadlines
from .models import Agency, Case, PetitionCompilation, PetitionForwarding, Transfer
from .services import (PetitionError, _bad_state, _check_files, _detail, _file_items, _milestone, _now, _operation,
                       _require_staff, _notify_agency, clean_text)

ST = Case.Status
# A petition still waiting to be forwarded (answered at the meeting ones are closed).
TO_FORWARD = (ST.RECEIVED, ST.CLASSIFIED)
FRONT_SUMMARY_MAX = 20000


def collected_for(session):
    """The voters' petitions collected for `session` (meetings before or after it)."""
    return Case.objects.filter(kind=Case.Kind.VOTER_PETITION, meeting__session=session)


def by_delegate_group(session) -> list[dict]:
    """The session's petitions by delegate group: [{"group", "meetings", "petitions"}], groups by name."""
    cases = (collected_for(session).select_related("meeting__delegate_group", "agency", "field")
             .order_by("meeting__delegate_group__name", "meeting__delegate_group_id", "meeting__held_on", "id"))
    groups: OrderedDict = OrderedDict()
    for case in cases:
        group = case.meeting.delegate_group
        entry = groups.setdefault(group.pk, {"group": group, "meetings": set(), "petitions": []})
        entry["meetings"].add(case.meeting_id)
        entry["petitions"].append(case)
    return [{**g, "meetings": len(g["meetings"])} for g in groups.values()]


def _plenary(session):
    if session is None or session.body.kind != "plenary":
        raise PetitionError("invalid", _("Kiến nghị cử tri được tổng hợp theo kỳ họp của Hội đồng nhân dân."), "session")


def compile_session(user, session, *, front_summary="", front_file=None, assignments: dict | None = None
                    ) -> PetitionCompilation:
    """Record (or update) the compilation of `session`'s petitions: the Front's summary and, for each
    petition still to forward, its competent body (`assignments`: {case id: Agency or None}).
    A petition answered at the meeting, or already forwarded, cannot be assigned (`bad_state`)."""
    _require_staff(user, "petitions.compile_voter_petitions")
    _plenary(session)
    summary = clean_text(front_summary)
    if len(summary) > FRONT_SUMMARY_MAX:
        raise PetitionError("invalid", _("Báo cáo tổng hợp của Ủy ban MTTQ quá dài."), "front_summary")
    checked = _check_files(_file_items([front_file], False)) if front_file else []
    assignments = dict(assignments or {})
    for agency in assignments.values():
        if agency is not None and (not isinstance(agency, Agency) or not agency.active):
            raise PetitionError("invalid", _("Hãy chọn cơ quan có thẩm quyền đang hoạt động."), "agency")
    with _operation(user, "petitions.compile_voter_petitions") as op:
        cases = {c.pk: c for c in collected_for(session).select_for_update().filter(pk__in=list(assignments))}
        unknown = set(assignments) - set(cases)
        if unknown:
            raise PetitionError("invalid", _("Kiến nghị không thuộc kỳ họp này."), "assignments")
        for pk, agency in assignments.items():
            case = cases[pk]
            if case.answered_on_spot or case.status not in TO_FORWARD:
                raise _bad_state(case, _("giao cơ quan giải quyết"))
            if case.agency_id != getattr(agency, "pk", None):
                case.agency = agency
                if case.status == ST.RECEIVED:
                    case.status = ST.CLASSIFIED
                case.save(update_fields=["agency", "status", "updated_at"])
        compilation, _created = PetitionCompilation.objects.get_or_create(
            session=session, defaults={"compiled_at": _now(), "compiled_by": user})
        compilation.front_summary = summary
        if checked:
            upload, result, _identifying = checked[0]
            stream = getattr(upload, "file", upload)
            stream.seek(0)
            compilation.front_file.save(f"{secrets.token_hex(8)}.{result.extension}", File(stream), save=False)
            compilation.front_file_name = result.display_name
        compilation.compiled_by = user
        compilation.save()
        _detail(op, None, session=session.pk, compilation=compilation.pk, assigned=len(assignments),
                front_file=bool(checked))
    return compilation


def forward_session(user, session, *, note="") -> list[PetitionForwarding]:
    """Forward every compiled petition of `session` that has its body and is not forwarded yet:
    one PetitionForwarding per body, one Transfer per petition, due as the voter_petition.answer
    step says (petitions.deadlines). Refused (`bad_state`) when nothing is ready to forward."""
    _require_staff(user, "petitions.forward_voter_petitions")
    _plenary(session)
    note = clean_text(note)[:5000]
    compilation = PetitionCompilation.objects.filter(session=session).first()
    if compilation is None:
        raise PetitionError("bad_state", _("Hãy tổng hợp kiến nghị của kỳ họp trước khi chuyển."), "session")
    with _operation(user, "petitions.forward_voter_petitions") as op:
        ready = list(collected_for(session).select_for_update().filter(status__in=TO_FORWARD, answered_on_spot=False,
                                                                      agency__isnull=False).order_by("agency_id", "id"))
        if not ready:
            raise PetitionError("bad_state", _("Không có kiến nghị nào đã giao cơ quan mà chưa chuyển."), "session")
        report = deadlines.report_session(session)
        now = _now()
        forwardings, transfers = {}, []
        for case in ready:
            step = (case.deadlines.filter(step=deadlines.FIRST_STEP[Case.Kind.VOTER_PETITION], met_at__isnull=True).first()
                    or deadlines.open_step(case, deadlines.FIRST_STEP[Case.Kind.VOTER_PETITION], case.meeting.held_on))
            forwarding = forwardings.get(case.agency_id)
            if forwarding is None:
                forwarding = forwardings[case.agency_id] = PetitionForwarding.objects.create(
                    compilation=compilation, agency=case.agency, report_session=report, due_on=step.due_on,
                    sent_at=now, sent_by=user, note=note)
            transfers.append(Transfer.objects.create(case=case, agency=case.agency, sent_at=now, sent_by=user,
                                                     due_on=step.due_on, note=note, forwarding=forwarding))
            case.status, case.decision = ST.FORWARDED, Case.Decision.FORWARD
            case.save(update_fields=["status", "decision", "updated_at"])
            _milestone(case, "forwarded", gettext_noop("Đã chuyển đến %(agency)s để xem xét, giải quyết."),
                       {"agency": case.agency.name})
        for transfer in transfers:
            transaction.on_commit(lambda t=transfer: _notify_agency(t))
        _detail(op, None, session=session.pk, forwardings=[f.pk for f in forwardings.values()], petitions=len(ready))
    return list(forwardings.values())


def reported_at(session):
    """The voters' petitions whose answers are reported at `session`: those collected for the regular
    or other plenary sessions whose next regular session is `session` (none if it is not regular)."""
    from meeting.models import Session

    if session.kind != Session.Kind.REGULAR or session.body.kind != "plenary":
        return Case.objects.none()
    previous = (Session.objects.filter(body__kind="plenary", kind=Session.Kind.REGULAR, start_date__lt=session.start_date)
                .order_by("-start_date", "-pk").values_list("start_date", flat=True).first())
    sessions = Session.objects.filter(body__kind="plenary", start_date__lt=session.start_date)
    if previous is not None:
        sessions = sessions.filter(start_date__gte=previous)
    return Case.objects.filter(kind=Case.Kind.VOTER_PETITION, meeting__session__in=sessions)
