"""State changes of a sitting: open, close, announce, attendance.

Each function is a command of the hub and also what views call."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor
from audit.operations import ServiceError
from realtime.service import change, refuse

from .models import Attendance, Member, Membership, Sitting
from .state import announcement_state, attendance_row, iso, quorum_state, reopen_until, sitting_state

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
        marked = []
        for member_id in ids:
            record = records.get(member_id)
            if record is None:
                Attendance.objects.create(sitting=c.sitting, member_id=member_id, status=status, method=method,
                                          reason=reason, at=now)
            elif record.status == status and record.reason == reason:
                continue
            else:
                record.status, record.method, record.reason, record.at = status, method, reason, now
                record.save(update_fields=["status", "method", "reason", "at"])
            marked.append(member_id)
            c.emit("attendance.updated", {"row": attendance_row(c.sitting, member_id), "quorum": quorum_state(c.sitting)})
        c.detail["members"] = marked
    return {"marked": len(marked)}


def _set_attendance(actor, action, sitting_id, member_id, status, method, reason) -> dict:
    detail = {"member_id": member_id, "status": status, "method": method}
    with change(actor, action, sitting_id, detail=detail) as c:
        # Checked after the permission: a role that may not mark attendance learns nothing about members.
        if not Member.objects.filter(pk=member_id).exists():
            raise ServiceError("not_found", _("Không tìm thấy thành viên."))
        now = timezone.now()
        record, created = Attendance.objects.get_or_create(
            sitting=c.sitting, member_id=member_id,
            defaults={"status": status, "method": method, "reason": reason, "at": now},
        )
        if not created:
            record.status, record.method, record.reason, record.at = status, method, reason, now
            record.save(update_fields=["status", "method", "reason", "at"])
        c.emit("attendance.updated", {"row": attendance_row(c.sitting, member_id), "quorum": quorum_state(c.sitting)})
    return {"status": status, "at": iso(now)}
