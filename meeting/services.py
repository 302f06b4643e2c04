"""State changes of a sitting: open, close, announce, attendance.

Each function is a command of the hub and also what views call."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.permissions import Actor
from audit.operations import ServiceError
from realtime.service import change, refuse

from .models import Attendance, Member, Membership, RollCall, Sitting
from .quorum import quorum
from .state import (announcement_state, attendance_row, attendance_rows, confirmed_ids, counted_ids, iso,
                    open_roll_call, quorum_state, reopen_until, roll_call_data, sitting_state)

MAX_ANNOUNCEMENT = 500
MAX_REASON = 500


def open_sitting(actor: Actor, sitting_id: int) -> dict:
    with change(actor, "sitting.open", sitting_id, live=False) as c:
        s = c.sitting
        if s.status != Sitting.Status.SCHEDULED:
            raise ServiceError("invalid_state", _("Chỉ khai mạc được phiên họp chưa bắt đầu."))
        s.status = Sitting.Status.LIVE
        s.opened_at = timezone.now()
        s.save(update_fields=["status", "opened_at"])
        c.emit("sitting.status", _status(s))
    return {}


# What other modules end when a sitting closes (the turn at the floor, a vote): fn(change, now),
# called under the sitting's lock before it is marked closed (on_closing, from their ready()).
_CLOSING: list = []


def on_closing(fn) -> None:
    if fn not in _CLOSING:
        _CLOSING.append(fn)


def close_sitting(actor: Actor, sitting_id: int) -> dict:
    from agenda.services import stop_current

    with change(actor, "sitting.close", sitting_id) as c:
        s = c.sitting
        now = timezone.now()
        stopped = stop_current(s, now)
        if stopped:
            c.emit("agenda.current", stopped)
        roll_call = open_roll_call(s)
        if roll_call is not None:
            # Ended with the sitting; nobody is recorded absent for it (the chair did not decide so).
            _end_roll_call(c, roll_call, mark_absent=False, now=now)
            c.detail["roll_call_ended"] = roll_call.pk
        for fn in _CLOSING:
            fn(c, now)
        s.status = Sitting.Status.CLOSED
        s.closed_at = now
        s.save(update_fields=["status", "closed_at"])
        c.emit("sitting.status", _status(s))
    return {}


def reopen_sitting(actor: Actor, sitting_id: int, reason: str) -> dict:
    """Reopen a sitting closed by mistake, within settings.SITTING_REOPEN_MINUTES of its closing.
    The reason is required and audited; every client sees the sitting live again. The agenda's
    current item was stopped at the closing: the chair takes it up again with next or a jump."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ServiceError("invalid_args", _("Hãy ghi lý do mở lại phiên họp (tối đa %(n)d ký tự).") % {"n": MAX_REASON})
    with change(actor, "sitting.reopen", sitting_id, live=False, detail={"reason": reason}) as c:
        s = c.sitting
        if s.status != Sitting.Status.CLOSED:
            raise ServiceError("invalid_state", _("Chỉ mở lại được phiên họp đã bế mạc."))
        until = reopen_until(s)
        now = timezone.now()
        if until is None or now > until:
            raise ServiceError("invalid_state", _("Đã quá thời hạn mở lại phiên họp (%(n)d phút sau khi bế mạc).") % {
                "n": settings.SITTING_REOPEN_MINUTES})
        c.detail["closed_at"] = s.closed_at.isoformat()
        s.status = Sitting.Status.LIVE
        s.closed_at = None
        s.save(update_fields=["status", "closed_at"])
        c.emit("sitting.status", _status(s))
    return {}


def _status(s: Sitting) -> dict:
    full = sitting_state(s)
    return {k: full[k] for k in ("status", "opened_at", "closed_at", "reopen_until")}


def announce(actor: Actor, sitting_id: int, text: str) -> dict:
    text = text.strip()
    if len(text) > MAX_ANNOUNCEMENT:
        raise ServiceError("invalid_args", _("Thông báo dài quá %(n)d ký tự.") % {"n": MAX_ANNOUNCEMENT})
    with change(actor, "sitting.announce", sitting_id, detail={"text": text}) as c:
        s = c.sitting
        s.announcement = text
        s.announcement_at = timezone.now() if text else None
        s.save(update_fields=["announcement", "announcement_at"])
        c.emit("sitting.announcement", {"announcement": announcement_state(s)})
    return {}


def check_in(actor: Actor, sitting_id: int, *, method: str = Attendance.Method.TERMINAL, seat_id: int | None = None) -> dict:
    """A delegate checks themselves in: at the terminal, by the seat's QR code, or remotely.

    With `seat_id` (the seat whose QR code was scanned), a seat assigned to
    another member is refused: nobody checks in from someone else's place."""
    if method not in (Attendance.Method.TERMINAL, Attendance.Method.SEAT_QR, Attendance.Method.REMOTE):
        raise ServiceError("invalid_args", _("Cách điểm danh không hợp lệ."))
    if actor.member_id is None:
        # A refusal like any other forbidden command: audited.
        refuse(actor, "attendance.self", sitting_id, "forbidden", _("Chỉ đại biểu mới tự điểm danh được."))
    if seat_id is not None:
        holder = Member.objects.filter(seat_id=seat_id).values_list("pk", flat=True).first()
        if holder is not None and holder != actor.member_id:
            refuse(actor, "attendance.self", sitting_id, "seat_mismatch",
                   _("Ghế này đã được xếp cho đại biểu khác. Hãy quét mã QR tại ghế của mình."))
    return _set_attendance(actor, "attendance.self", sitting_id, actor.member_id, Attendance.Status.PRESENT, method, "")


def mark_attendance(actor: Actor, sitting_id: int, member_id: int, status: str, reason: str = "") -> dict:
    """The secretary records a member present, absent, or absent with a reason."""
    if status not in Attendance.Status.values:
        raise ServiceError("invalid_args", _("Trạng thái điểm danh không hợp lệ."))
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ServiceError("invalid_args", _("Lý do dài quá %(n)d ký tự.") % {"n": MAX_REASON})
    if status == Attendance.Status.PRESENT:
        reason = ""
    return _set_attendance(actor, "attendance.mark", sitting_id, member_id, status, Attendance.Method.SECRETARY, reason)


def mark_unrecorded(actor: Actor, sitting_id: int, status: str, reason: str = "") -> dict:
    """The secretary records everyone expected who is not recorded yet as absent (or absent with a
    reason) in one step: reaching the count by hand took one dialog per member. One change, one
    audit record naming them, an attendance.updated per member (the quorum after each)."""
    if status not in (Attendance.Status.ABSENT, Attendance.Status.EXCUSED):
        raise ServiceError("invalid_args", _("Chỉ ghi được vắng hoặc vắng có lý do cho những người chưa điểm danh."))
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ServiceError("invalid_args", _("Lý do dài quá %(n)d ký tự.") % {"n": MAX_REASON})
    method = Attendance.Method.SECRETARY
    with change(actor, "attendance.mark", sitting_id, detail={"status": status, "method": method}) as c:
        expected = Membership.objects.filter(body_id=c.sitting.body_id, active=True).values_list("member_id", flat=True)
        recorded = Attendance.objects.filter(sitting=c.sitting).values_list("member_id", flat=True)
        members = sorted(set(expected) - set(recorded))
        now = timezone.now()
        Attendance.objects.bulk_create([Attendance(sitting=c.sitting, member_id=m, status=status, method=method,
                                                   reason=reason, at=now) for m in members])
        c.detail["members"] = members
        quorum = quorum_state(c.sitting)  # absences leave the count of those present as it was
        for member_id in members:
            c.emit("attendance.updated", {"row": attendance_row(c.sitting, member_id), "quorum": quorum})
    return {"marked": len(members)}


MAX_SELECTED = 500


def mark_selected(actor: Actor, sitting_id: int, member_ids: list[int], status: str, reason: str = "") -> dict:
    """The secretary records several members at once (the ones selected on the console), present by
    default: reaching quorum by hand took one dialog per member. One change (one transaction, one audit
    record naming them), an attendance.updated per member whose status changes, each with the quorum
    after it; a member already recorded so is left as they are (how they checked in stays). An unknown
    member refuses the whole command (`not_found`), and nothing changes."""
    if status not in Attendance.Status.values:
        raise ServiceError("invalid_args", _("Trạng thái điểm danh không hợp lệ."))
    ids = list(dict.fromkeys(member_ids))  # in the order given, each once
    if not ids or len(ids) > MAX_SELECTED:
        raise ServiceError("invalid_args", _("Hãy chọn từ 1 đến %(n)d thành viên.") % {"n": MAX_SELECTED})
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ServiceError("invalid_args", _("Lý do dài quá %(n)d ký tự.") % {"n": MAX_REASON})
    if status == Attendance.Status.PRESENT:
        reason = ""
    method = Attendance.Method.SECRETARY
    with change(actor, "attendance.mark", sitting_id, detail={"status": status, "method": method}) as c:
        # Checked after the permission: a role that may not mark attendance learns nothing about members.
        if Member.objects.filter(pk__in=ids).count() != len(ids):
            raise ServiceError("not_found", _("Không tìm thấy thành viên."))
        records = {a.member_id: a for a in Attendance.objects.filter(sitting=c.sitting, member_id__in=ids)}
        now = timezone.now()
        # During a roll call, marking present a member present from before confirms them (their record's time).
        roll_call = open_roll_call(c.sitting)
        confirms_from = roll_call.started_at if roll_call is not None and status == Attendance.Status.PRESENT else None
        marked = []
        for member_id in ids:
            record = records.get(member_id)
            if record is None:
                Attendance.objects.create(sitting=c.sitting, member_id=member_id, status=status, method=method,
                                          reason=reason, at=now)
            elif record.status == status and record.reason == reason and (confirms_from is None or record.at >= confirms_from):
                continue
            else:
                record.status, record.method, record.reason, record.at = status, method, reason, now
                record.save(update_fields=["status", "method", "reason", "at"])
            marked.append(member_id)
            c.emit("attendance.updated", {"row": attendance_row(c.sitting, member_id), "quorum": quorum_state(c.sitting)})
        c.detail["members"] = marked
        if marked and roll_call is not None:
            _follow_roll_call(c, roll_call)
    return {"marked": len(marked)}


def _set_attendance(actor, action, sitting_id, member_id, status, method, reason) -> dict:
    detail = {"member_id": member_id, "status": status, "method": method}
    with change(actor, action, sitting_id, detail=detail) as c:
        # Checked after the permission: a role that may not mark attendance learns nothing about members.
        if not Member.objects.filter(pk=member_id).exists():
            raise ServiceError("not_found", _("Không tìm thấy thành viên."))
        now = record_presence(c, member_id, status, method, reason)
    return {"status": status, "at": iso(now)}


def record_presence(c, member_id: int, status: str, method: str, reason: str = ""):
    """Record `member_id`'s attendance inside a change that is already open (`c`), this module's or
    another's (the video module's join checks a remote participant in: docs/decisions/0014 §4), with
    the event that tells every client and the roll call followed. Returns the time recorded."""
    now = timezone.now()
    record, created = Attendance.objects.get_or_create(
        sitting=c.sitting, member_id=member_id,
        defaults={"status": status, "method": method, "reason": reason, "at": now},
    )
    if not created:
        record.status, record.method, record.reason, record.at = status, method, reason, now
        record.save(update_fields=["status", "method", "reason", "at"])
    row = attendance_row(c.sitting, member_id)
    c.emit("attendance.updated", {"row": row, "quorum": quorum_state(c.sitting)})
    if row["counts"]:
        _follow_roll_call(c)
    return now


# ---- the roll call before a vote (điểm danh lại) ---------------------------------------
#
# The chair or the secretary starts it; every delegate counted for quorum and recorded present at
# that moment confirms (attendance.check_in, or the secretary marks them present), which sets their
# record's time: "confirmed" = present, recorded at or after the start (state.confirmed_ids). A
# delegate not recorded yet who checks in during it is present and confirmed. Ending it records
# those present who did not confirm absent (mark_absent). Nothing happens when its countdown runs
# out: the chair ends it.

ROLL_CALL_MIN_S = 10
ROLL_CALL_MAX_S = 600
# The reason recorded for a delegate who did not confirm: a record of the council, in Vietnamese.
ROLL_CALL_REASON = gettext_noop("Không xác nhận khi điểm danh lại")


def roll_call_open(sitting) -> bool:
    """Whether a roll call of the sitting is open. For a module that must wait for it: voting opens
    no round while one is (`raise roll_call_refusal()`). Given the Sitting read under its lock
    (`change().sitting`), no query; given its id, one."""
    if isinstance(sitting, Sitting):
        return sitting.roll_call_since is not None
    return RollCall.objects.filter(sitting_id=sitting, ended_at__isnull=True).exists()


def roll_call_refusal() -> ServiceError:
    """The refusal of what must wait for the open roll call to end (code `roll_call_open`)."""
    return ServiceError("roll_call_open", _("Đang điểm danh lại: hãy kết thúc điểm danh trước."))


def _user_id(actor: Actor):
    return getattr(actor.user, "pk", None) if actor.user is not None else None


def start_roll_call(actor: Actor, sitting_id: int, seconds: int | None = None) -> dict:
    """Open a roll call of the sitting, with a countdown of `seconds` (shown only) or none. One change:
    the roll call row (who was present when it started), one audit record, `roll_call.changed`."""
    if seconds is not None and not ROLL_CALL_MIN_S <= seconds <= ROLL_CALL_MAX_S:
        raise ServiceError("invalid_args", _("Thời gian điểm danh lại từ %(min)d đến %(max)d giây.") % {
            "min": ROLL_CALL_MIN_S, "max": ROLL_CALL_MAX_S})
    with change(actor, "attendance.roll_call", sitting_id, detail={"start": True, "seconds": seconds}) as c:
        if open_roll_call(c.sitting) is not None:
            raise roll_call_refusal()
        now = timezone.now()
        expected = sorted(Attendance.objects.filter(sitting=c.sitting, member_id__in=counted_ids(c.sitting),
                                                    status=Attendance.Status.PRESENT).values_list("member_id", flat=True))
        roll_call = RollCall.objects.create(
            sitting=c.sitting, started_at=now, ends_at=now + timedelta(seconds=seconds) if seconds else None,
            started_by_id=_user_id(actor), expected=expected)
        c.sitting.roll_call_since = now
        c.sitting.save(update_fields=["roll_call_since"])
        c.detail.update({"roll_call_id": roll_call.pk, "expected": expected})
        own = _confirm_own(c, roll_call, now)
        c.emit("roll_call.changed", roll_call_data(roll_call, confirmed=set(own)))
    return {"roll_call_id": roll_call.pk}


def end_roll_call(actor: Actor, sitting_id: int, mark_absent: bool = True) -> dict:
    """Close the open roll call (`no_roll_call` when none is). With mark_absent, every delegate present
    when it started who did not confirm is recorded absent (by the secretary, with the reason
    ROLL_CALL_REASON): one attendance.updated per member, each with the quorum after it, as
    mark_unrecorded does; then `roll_call.changed` with the counts it keeps."""
    with change(actor, "attendance.roll_call", sitting_id, detail={"end": True, "mark_absent": bool(mark_absent)}) as c:
        roll_call = open_roll_call(c.sitting)
        if roll_call is None:
            raise ServiceError("no_roll_call", _("Không có lần điểm danh lại nào đang diễn ra."))
        now = timezone.now()
        _confirm_own(c, roll_call, now)
        _end_roll_call(c, roll_call, mark_absent=bool(mark_absent), now=now)
    return {"confirmed": len(roll_call.confirmed), "marked_absent": len(roll_call.marked_absent)}


def _confirm_own(c, roll_call: RollCall, now) -> list[int]:
    """Who starts or ends a roll call is in the hall: the chair, a delegate present when it started,
    confirms by doing so (the console, where a chair acts, offers no check-in), and is never recorded
    absent by their own end of it. Their record's time moves to now; attendance.updated."""
    user_id = _user_id(c.actor)
    if user_id is None:
        return []
    own = list(Attendance.objects.filter(sitting=c.sitting, member__user_id=user_id, member_id__in=roll_call.expected,
                                         status=Attendance.Status.PRESENT, at__lt=roll_call.started_at)
               .values_list("member_id", flat=True))
    if own:
        Attendance.objects.filter(sitting=c.sitting, member_id__in=own).update(at=now)
        c.detail["confirmed_self"] = own
        for member_id in own:
            c.emit("attendance.updated", {"row": attendance_row(c.sitting, member_id), "quorum": quorum_state(c.sitting)})
    return own


def _end_roll_call(c, roll_call: RollCall, *, mark_absent: bool, now) -> None:
    sitting = c.sitting
    roll_call.sitting = sitting
    confirmed = confirmed_ids(sitting, roll_call)
    members = []
    if mark_absent:
        # Present when it started (their record older than its start), still counted, not confirmed.
        members = sorted(Attendance.objects.filter(
            sitting=sitting, member_id__in=roll_call.expected, status=Attendance.Status.PRESENT,
            at__lt=roll_call.started_at).filter(member_id__in=counted_ids(sitting)).values_list("member_id", flat=True))
        if members:
            Attendance.objects.filter(sitting=sitting, member_id__in=members).update(
                status=Attendance.Status.ABSENT, method=Attendance.Method.SECRETARY, reason=ROLL_CALL_REASON, at=now)
    roll_call.ended_at = now
    roll_call.ended_by_id = _user_id(c.actor)
    roll_call.confirmed = sorted(confirmed)
    roll_call.marked_absent = members
    roll_call.save(update_fields=["ended_at", "ended_by", "confirmed", "marked_absent"])
    sitting.roll_call_since = None
    sitting.save(update_fields=["roll_call_since"])
    c.detail.update({"roll_call_id": roll_call.pk, "confirmed": roll_call.confirmed, "members": members})
    if members:
        after = quorum_state(sitting)  # each of them counted present before: the quorum after each one
        fraction = sitting.body.quorum_fraction
        rows = attendance_rows(sitting, members)
        for i, member_id in enumerate(members):
            c.emit("attendance.updated", {
                "row": rows[member_id],
                "quorum": quorum(after["present"] + len(members) - 1 - i, after["total"], fraction)})
    c.emit("roll_call.changed", roll_call_data(roll_call))


def _follow_roll_call(c, roll_call: RollCall | None = None) -> None:
    """An attendance change of a delegate counted for quorum while a roll call is open: its counts."""
    if roll_call is None:
        roll_call = open_roll_call(c.sitting)
    if roll_call is not None:
        roll_call.sitting = c.sitting
        c.emit("roll_call.changed", roll_call_data(roll_call))
