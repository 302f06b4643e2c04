"""The hub's commands: name -> (argument schema, service call).

Explicit on purpose: every command a client can send is listed here, each
calling one domain service. Later modules add their rows.
"""

from agenda import services as agenda
from displays import services as displays
from meeting import services as meeting
from meeting.models import Attendance

from . import schemas as s

COMMANDS = {
    "sitting.open": (s.NoArgs, lambda actor, sid, a: meeting.open_sitting(actor, sid)),
    "sitting.close": (s.NoArgs, lambda actor, sid, a: meeting.close_sitting(actor, sid)),
    "sitting.announce": (s.AnnounceArgs, lambda actor, sid, a: meeting.announce(actor, sid, a.text)),
    # Navigation is relative to the current item: the client says which one it saw (`stale` otherwise).
    "agenda.next": (s.NavigateArgs, lambda actor, sid, a: agenda.next_item(actor, sid, expect_current=a.expect_current)),
    "agenda.previous": (s.NavigateArgs, lambda actor, sid, a: agenda.previous_item(actor, sid, expect_current=a.expect_current)),
    "agenda.jump": (s.JumpArgs, lambda actor, sid, a: agenda.jump_to(actor, sid, a.item_id, expect_current=a.expect_current)),
    "agenda.insert": (s.InsertArgs, lambda actor, sid, a: agenda.insert_item(actor, sid, **a.model_dump())),
    "agenda.move": (s.MoveArgs, lambda actor, sid, a: agenda.move_item(actor, sid, a.item_id, parent_id=a.parent_id, index=a.index)),
    "agenda.postpone": (s.ItemArgs, lambda actor, sid, a: agenda.postpone_item(actor, sid, a.item_id)),
    "agenda.restore": (s.ItemArgs, lambda actor, sid, a: agenda.restore_item(actor, sid, a.item_id)),
    "attendance.check_in": (s.CheckInArgs, lambda actor, sid, a: meeting.check_in(
        actor, sid, method=Attendance.Method.REMOTE if a.remote else Attendance.Method.TERMINAL)),
    "attendance.mark": (s.MarkArgs, lambda actor, sid, a: meeting.mark_attendance(actor, sid, a.member_id, a.status, a.reason)),
    "display.set_slide": (s.SlideArgs, lambda actor, sid, a: displays.set_slide(actor, sid, a.display_id, a.slide)),
}
