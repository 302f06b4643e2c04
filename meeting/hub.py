"""The meeting module's parts of the hub (realtime/registry.py; docs/modules.md).

State: `sitting`, `announcement`, `attendance` (staff also see how each row was recorded and
why a member is absent), `quorum` and `roll_call` (the attendance check before a vote). Events:
`sitting.status`, `sitting.announcement`, `attendance.updated`, `roll_call.changed`. Commands: open,
close, announce, check in, mark attendance (one member, the selected ones, everyone not yet
recorded), start and end a roll call.
Registered from MeetingConfig.ready(); the browser side is meeting/static/meeting/hub-events.js.
"""

import copy
from typing import Annotated, Literal

from django.db.models import Q
from pydantic import Field, conint, conlist, constr

from realtime import registry
from realtime.messages import Count, Id, Message, NoResult, Time, literal
from realtime.schemas import Id as ArgId
from realtime.schemas import NoArgs, Strict

from . import services
from .models import Attendance, Body, Member, Membership, Seat, Session, Sitting
from .state import announcement_state, attendance_state, quorum_state, roll_call_state, row_order, sitting_state

SittingStatus = literal(Sitting.Status.values)
AttendanceStatus = literal(Attendance.Status.values)
AttendanceMethod = literal(Attendance.Method.values)
MemberKind = literal(Member.Kind.values)
BodyKind = literal(Body.Kind.values)


# ---- the state ------------------------------------------------------------

class SittingInfo(Message):
    id: Id
    title: str
    body: str
    body_kind: BodyKind
    session: str | None
    starts_at: Time
    place: str
    is_public: bool
    status: SittingStatus
    opened_at: Time | None
    closed_at: Time | None
    reopen_until: Time | None = Field(description="a closed sitting may be reopened (sitting.reopen) until then")


class Announcement(Message):
    text: Annotated[str, Field(min_length=1)]
    at: Time


class AttendanceRow(Message):
    """A member expected at the sitting (or who checked in anyway), as everyone sees it."""

    member_id: Id
    name: str
    kind: MemberKind
    group: str | None
    seat: str | None
    seat_row: Count | None
    seat_number: Count | None
    counts: bool = Field(description="counted for quorum (a delegate of the sitting's body)")
    status: AttendanceStatus | None = Field(description="null: not recorded yet")
    at: Time | None


class StaffAttendanceRow(AttendanceRow):
    """The chair's and secretary's view of a row: how it was recorded and why absent."""

    method: AttendanceMethod | None
    reason: str


class Quorum(Message):
    present: Count = Field(description="delegates counted for quorum who are present")
    total: Count = Field(description="delegates counted for quorum")
    required: Count
    met: bool
    rule: Annotated[str, Field(pattern=r"^\d+/\d+$", description="fraction of the total that must be present")]


class RollCallState(Message):
    """The attendance check right before a vote (điểm danh lại): the open one, else the last ended."""

    id: Id
    started_at: Time
    ends_at: Time | None = Field(description="the countdown's end (server clock), null: no countdown; "
                                             "nothing happens by itself then, the chair ends it")
    ended_at: Time | None = Field(description="null while it is open")
    expected: Count = Field(description="delegates counted for quorum to confirm: present when it started, "
                                        "and any who checked in since")
    confirmed: Count = Field(description="of them, recorded present at or after started_at")
    marked_absent: Count | None = Field(description="recorded absent when it ended (null while open)")


# Attendance fields only the chair and secretary see.
STAFF_ONLY_ATTENDANCE = ("method", "reason")


def attendance_row_for(row: dict, audience: str) -> dict:
    if audience == "staff":
        return row
    return {k: v for k, v in row.items() if k not in STAFF_ONLY_ATTENDANCE}


# ---- events ---------------------------------------------------------------

class SittingStatusData(Message):
    status: SittingStatus
    opened_at: Time | None
    closed_at: Time | None
    reopen_until: Time | None


class AnnouncementData(Message):
    announcement: Announcement | None


class AttendanceData(Message):
    row: AttendanceRow
    quorum: Quorum


class StaffAttendanceData(Message):
    row: StaffAttendanceRow
    quorum: Quorum


def _apply_status(state, data):
    state["sitting"].update(copy.deepcopy(data))


def _apply_announcement(state, data):
    state["announcement"] = copy.deepcopy(data["announcement"])


def _apply_roll_call(state, data):
    state["roll_call"] = copy.deepcopy(data)


def _apply_attendance(state, data):
    row = copy.deepcopy(data["row"])
    rows = [r for r in state["attendance"] if r["member_id"] != row["member_id"]]
    rows.append(row)
    rows.sort(key=row_order)
    state["attendance"] = rows
    state["quorum"] = copy.deepcopy(data["quorum"])


# ---- commands -------------------------------------------------------------

class AnnounceArgs(Strict):
    text: constr(max_length=500)


class ReopenArgs(Strict):
    reason: constr(min_length=1, max_length=500)


class MarkUnrecordedArgs(Strict):
    status: Literal["absent", "excused"]
    reason: constr(max_length=500) = ""


class MarkedResult(Message):
    marked: Count = Field(description="how many members were recorded")


class MarkSelectedArgs(Strict):
    member_ids: conlist(ArgId, min_length=1, max_length=services.MAX_SELECTED)
    status: Literal["present", "absent", "excused"] = "present"
    reason: constr(max_length=500) = ""


class CheckInArgs(Strict):
    remote: bool = False


class MarkArgs(Strict):
    member_id: ArgId
    status: Literal["present", "absent", "excused"]
    reason: constr(max_length=500) = ""


class AttendanceResult(Message):
    status: AttendanceStatus
    at: Time


class RollCallStartArgs(Strict):
    seconds: conint(ge=services.ROLL_CALL_MIN_S, le=services.ROLL_CALL_MAX_S) | None = None


class RollCallEndArgs(Strict):
    mark_absent: bool = True


class RollCallStarted(Message):
    roll_call_id: Id


class RollCallEnded(Message):
    confirmed: Count
    marked_absent: Count


# ---- sources: rows the state is built from (realtime.external) --------------

def _open_sittings():
    """Sittings whose clients may still be following them: not closed (a closed one is a record)."""
    return Sitting.objects.exclude(status=Sitting.Status.CLOSED)


def _sittings_of_bodies(body_ids) -> list[int]:
    return list(_open_sittings().filter(body_id__in=body_ids).values_list("pk", flat=True))


def _sittings_of_members(member_ids) -> list[int]:
    """Where these members are on the attendance list: their bodies' sittings, and any they checked in to."""
    bodies = Membership.objects.filter(member_id__in=member_ids).values("body_id")
    return list(_open_sittings().filter(Q(body_id__in=bodies) | Q(attendance__member_id__in=member_ids))
                .distinct().values_list("pk", flat=True))


def _sources():
    registry.register_source(Sitting, lambda sitting: [sitting.pk])
    registry.register_source(Session, lambda session: list(session.sittings.values_list("pk", flat=True)))
    registry.register_source(Body, lambda body: _sittings_of_bodies([body.pk]) + _sittings_of_members(
        list(body.group_members.values_list("pk", flat=True))))  # a group's name is on its members' rows
    registry.register_source(Member, lambda member: _sittings_of_members([member.pk]))
    registry.register_source(Membership, lambda membership: _sittings_of_bodies([membership.body_id]))
    registry.register_source(Seat, lambda seat: _sittings_of_members(
        list(Member.objects.filter(seat=seat).values_list("pk", flat=True))))


def register():
    _sources()
    registry.register_slice("sitting", sitting_state, SittingInfo, order=10, select_related=("body", "session"))
    registry.register_slice("announcement", announcement_state, Announcement | None, order=20)
    registry.register_slice("attendance", attendance_state, list[AttendanceRow], order=40,
                            schemas={"staff": list[StaffAttendanceRow]},
                            shape=lambda rows, audience: [attendance_row_for(r, audience) for r in rows])
    registry.register_slice("quorum", quorum_state, Quorum, order=50)
    registry.register_slice("roll_call", roll_call_state, RollCallState | None, order=55)

    registry.register_event(
        "sitting.status", SittingStatusData, apply=_apply_status,
        doc="The sitting was opened, closed or reopened. Merge `data` into state.sitting.")
    registry.register_event(
        "sitting.announcement", AnnouncementData, apply=_apply_announcement,
        doc="The announcement to the hall changed (null: withdrawn). state.announcement = data.announcement.")
    registry.register_event(
        "attendance.updated", AttendanceData, apply=_apply_attendance,
        schemas={"staff": StaffAttendanceData},
        shape=lambda data, audience: {**data, "row": attendance_row_for(data["row"], audience)},
        doc="One member's attendance changed, and with it the quorum (staff also see how it was recorded "
            "and the reason). Replace the member's row (keep the seat order), state.quorum = data.quorum.")

    registry.register_event(
        "roll_call.changed", RollCallState, apply=_apply_roll_call, coalesce=lambda data: data["id"],
        doc="A roll call started, a delegate confirmed during it (or the secretary marked them), or it ended. "
            "state.roll_call = data.")

    registry.register_command("sitting.open", NoArgs, lambda actor, sid, a: services.open_sitting(actor, sid),
                              result=NoResult, action="sitting.open")
    registry.register_command("sitting.close", NoArgs, lambda actor, sid, a: services.close_sitting(actor, sid),
                              result=NoResult, action="sitting.close")
    registry.register_command("sitting.reopen", ReopenArgs,
                              lambda actor, sid, a: services.reopen_sitting(actor, sid, a.reason),
                              result=NoResult, action="sitting.reopen")
    registry.register_command("sitting.announce", AnnounceArgs,
                              lambda actor, sid, a: services.announce(actor, sid, a.text),
                              result=NoResult, action="sitting.announce")
    registry.register_command(
        "attendance.check_in", CheckInArgs,
        lambda actor, sid, a: services.check_in(
            actor, sid, method=Attendance.Method.REMOTE if a.remote else Attendance.Method.TERMINAL),
        result=AttendanceResult, action="attendance.self")
    registry.register_command("attendance.mark_unrecorded", MarkUnrecordedArgs,
                              lambda actor, sid, a: services.mark_unrecorded(actor, sid, a.status, a.reason),
                              result=MarkedResult, action="attendance.mark")
    registry.register_command("attendance.mark_selected", MarkSelectedArgs,
                              lambda actor, sid, a: services.mark_selected(actor, sid, a.member_ids, a.status, a.reason),
                              result=MarkedResult, action="attendance.mark")
    registry.register_command("attendance.mark", MarkArgs,
                              lambda actor, sid, a: services.mark_attendance(actor, sid, a.member_id, a.status, a.reason),
                              result=AttendanceResult, action="attendance.mark")

    registry.register_command("attendance.roll_call_start", RollCallStartArgs,
                              lambda actor, sid, a: services.start_roll_call(actor, sid, a.seconds),
                              result=RollCallStarted, action="attendance.roll_call")
    registry.register_command("attendance.roll_call_end", RollCallEndArgs,
                              lambda actor, sid, a: services.end_roll_call(actor, sid, a.mark_absent),
                              result=RollCallEnded, action="attendance.roll_call")

    registry.register_error("roll_call_open", "A roll call (attendance check before a vote) is open: end it first. "
                                              "Starting a second one; opening a vote round.")
    registry.register_error("no_roll_call", "No roll call is open: there is none to end.")
    registry.register_error("not_present", "Only a member checked in present (in the hall or remote) may do this: "
                                           "request the floor (where the body's rules say so), vote.")
    registry.register_error("seat_mismatch", "The seat whose QR code was scanned is assigned to another member "
                                             "(seat check-in). Audited.")
    registry.register_error("forged", "A seat QR code we did not sign for this sitting (seat check-in page, not sent by the hub).")
    registry.register_error("expired", "A seat QR code of a sitting that has ended (seat check-in page, not sent by the hub).")

    registry.register_script("meeting/hub-events.js")
