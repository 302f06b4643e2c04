"""Opening and closing a sitting, announcements, attendance and quorum (meeting/services.py)."""

import pytest

from meeting import services as meeting
from meeting.models import Attendance, Body, Member, Sitting
from meeting.state import quorum_state
from realtime.models import SittingEvent
from realtime.service import ServiceError

pytestmark = pytest.mark.usefixtures("clock")


def _delegates(n):
    return list(Member.objects.filter(kind="delegate").order_by("code").values_list("pk", flat=True)[:n])


def _mark_present(actor, sitting_id, member_ids):
    for pk in member_ids:
        meeting.mark_attendance(actor, sitting_id, pk, "present")


def test_opening_makes_the_sitting_live_at_the_current_time(sitting, actors, clock):
    meeting.open_sitting(actors["chair"], sitting.pk)
    sitting.refresh_from_db()
    assert (sitting.status, sitting.opened_at, sitting.seq) == ("live", clock.now, 1)


def test_opening_emits_the_new_status(sitting, actors):
    meeting.open_sitting(actors["secretary"], sitting.pk)
    event = SittingEvent.objects.get(sitting=sitting)
    assert (event.seq, event.type, event.data["status"]) == (1, "sitting.status", "live")


def test_closing_makes_the_sitting_closed(live, actors, clock):
    clock.advance(3600)
    meeting.close_sitting(actors["chair"], live.pk)
    live.refresh_from_db()
    assert (live.status, live.closed_at) == ("closed", clock.now)


def test_closing_with_a_current_item_emits_its_end_then_the_status(live, actors):
    from agenda import services as agenda

    agenda.next_item(actors["chair"], live.pk)
    meeting.close_sitting(actors["chair"], live.pk)
    types = list(SittingEvent.objects.filter(sitting=live, seq__gt=2).values_list("type", flat=True))
    assert types == ["agenda.current", "sitting.status"]
    assert Sitting.objects.get(pk=live.pk).seq == 4


def test_a_closed_sitting_cannot_be_opened_again(live, actors):
    meeting.close_sitting(actors["chair"], live.pk)
    with pytest.raises(ServiceError) as e:
        meeting.open_sitting(actors["chair"], live.pk)
    assert e.value.code == "invalid_state"


def test_an_announcement_is_stored_trimmed_with_its_time(live, actors, clock):
    meeting.announce(actors["chair"], live.pk, "  Giải lao 15 phút ")
    live.refresh_from_db()
    assert (live.announcement, live.announcement_at) == ("Giải lao 15 phút", clock.now)


def test_an_empty_announcement_clears_it(live, actors):
    meeting.announce(actors["chair"], live.pk, "Giải lao")
    meeting.announce(actors["chair"], live.pk, "   ")
    live.refresh_from_db()
    assert (live.announcement, live.announcement_at) == ("", None)
    assert SittingEvent.objects.filter(sitting=live).last().data == {"announcement": None}


def test_a_delegate_checks_themselves_in_at_the_terminal(live, actors):
    result = meeting.check_in(actors["alice"], live.pk)
    record = Attendance.objects.get(sitting=live, member_id=actors["alice"].member_id)
    assert (record.status, record.method) == ("present", "terminal")
    assert result["status"] == "present"


def test_a_remote_delegate_checks_in_remotely(live, actors):
    meeting.check_in(actors["alice"], live.pk, method=Attendance.Method.REMOTE)
    assert Attendance.objects.get(sitting=live, member_id=actors["alice"].member_id).method == "remote"


def test_checking_in_twice_keeps_one_record(live, actors):
    meeting.check_in(actors["alice"], live.pk)
    meeting.check_in(actors["alice"], live.pk)
    assert Attendance.objects.filter(sitting=live, member_id=actors["alice"].member_id).count() == 1


def test_the_secretary_marks_a_delegate_absent_with_a_reason(live, actors):
    bob = actors["bob"].member_id
    meeting.mark_attendance(actors["secretary"], live.pk, bob, "excused", "  Đi công tác  ")
    record = Attendance.objects.get(sitting=live, member_id=bob)
    assert (record.status, record.method, record.reason) == ("excused", "secretary", "Đi công tác")


def test_marking_present_clears_the_reason(live, actors):
    bob = actors["bob"].member_id
    meeting.mark_attendance(actors["secretary"], live.pk, bob, "absent", "Ốm")
    meeting.mark_attendance(actors["secretary"], live.pk, bob, "present", "Ốm")
    assert Attendance.objects.get(sitting=live, member_id=bob).reason == ""


def test_an_unknown_status_is_refused_with_invalid_args(live, actors):
    with pytest.raises(ServiceError) as e:
        meeting.mark_attendance(actors["secretary"], live.pk, actors["bob"].member_id, "asleep")
    assert e.value.code == "invalid_args"


def test_the_attendance_event_carries_the_row_and_the_new_quorum(live, actors):
    meeting.check_in(actors["alice"], live.pk)
    event = SittingEvent.objects.filter(sitting=live).last()
    assert event.type == "attendance.updated"
    assert (event.data["row"]["member_id"], event.data["row"]["status"]) == (actors["alice"].member_id, "present")
    assert event.data["quorum"]["present"] == 1


@pytest.mark.full_council
def test_quorum_counts_present_delegates_of_the_body(live, actors):
    _mark_present(actors["secretary"], live.pk, _delegates(3))
    assert quorum_state(live) == {"present": 3, "total": 50, "required": 34, "met": False, "rule": "2/3"}


def test_a_guest_checking_in_is_not_counted_for_quorum(live, actors):
    meeting.check_in(actors["guest"], live.pk)
    assert quorum_state(live)["present"] == 0
    row = SittingEvent.objects.filter(sitting=live).last().data["row"]
    assert (row["kind"], row["counts"], row["status"]) == ("guest", False, "present")


def test_an_absent_delegate_is_not_counted_present(live, actors):
    meeting.mark_attendance(actors["secretary"], live.pk, actors["bob"].member_id, "absent")
    assert quorum_state(live)["present"] == 0


@pytest.mark.full_council
def test_quorum_needs_two_thirds_of_all_delegates(live, actors):
    ids = _delegates(34)
    _mark_present(actors["secretary"], live.pk, ids[:33])
    assert quorum_state(live)["met"] is False
    _mark_present(actors["secretary"], live.pk, ids[33:])
    assert quorum_state(live) == {"present": 34, "total": 50, "required": 34, "met": True, "rule": "2/3"}


@pytest.mark.full_council
def test_a_body_may_set_its_own_quorum_fraction(live, actors):
    Body.objects.filter(pk=live.body_id).update(quorum_numerator=1, quorum_denominator=2)
    live = Sitting.objects.select_related("body").get(pk=live.pk)
    _mark_present(actors["secretary"], live.pk, _delegates(25))
    assert quorum_state(live) == {"present": 25, "total": 50, "required": 25, "met": True, "rule": "1/2"}


@pytest.mark.full_council
def test_the_default_quorum_fraction_is_a_setting(live, actors, settings):
    settings.QUORUM_DEFAULT = (3, 4)
    assert quorum_state(live)["required"] == 38


# ---- reopening a sitting closed by mistake (issue 11, item 3) --------------------------------------

def test_a_sitting_closed_by_mistake_is_reopened_with_a_reason_audited_and_seen_by_every_client(live, actors, clock):
    from audit.models import AuditRecord

    meeting.close_sitting(actors["chair"], live.pk)
    clock.advance(10 * 60)
    meeting.reopen_sitting(actors["secretary"], live.pk, "Bấm nhầm nút Bế mạc khi còn nội dung chất vấn")
    live.refresh_from_db()
    assert (live.status, live.closed_at) == ("live", None)
    event = SittingEvent.objects.filter(sitting=live).latest("seq")
    assert (event.type, event.data["status"], event.data["closed_at"], event.data["reopen_until"]) == (
        "sitting.status", "live", None, None)
    audit = AuditRecord.objects.get(action="sitting.reopen")
    assert audit.detail["reason"] == "Bấm nhầm nút Bế mạc khi còn nội dung chất vấn"
    assert audit.role == "secretary" and audit.detail["closed_at"]


def test_the_closing_event_says_until_when_the_sitting_may_be_reopened(live, actors, clock, settings):
    settings.SITTING_REOPEN_MINUTES = 45
    meeting.close_sitting(actors["chair"], live.pk)
    event = SittingEvent.objects.filter(sitting=live, type="sitting.status").latest("seq")
    assert event.data["reopen_until"] == (clock.now + __import__("datetime").timedelta(minutes=45)).isoformat()


@pytest.mark.parametrize("minutes_after, setting", [(61, 60), (1, 0)], ids=["too late", "switched off"])
def test_reopening_after_the_window_is_refused_and_changes_nothing(live, actors, clock, settings, minutes_after, setting):
    settings.SITTING_REOPEN_MINUTES = setting
    meeting.close_sitting(actors["chair"], live.pk)
    clock.advance(minutes_after * 60)
    seq = Sitting.objects.get(pk=live.pk).seq
    with pytest.raises(ServiceError) as refused:
        meeting.reopen_sitting(actors["chair"], live.pk, "Mở lại")
    assert refused.value.code == "invalid_state"
    assert Sitting.objects.values_list("status", "seq").get(pk=live.pk) == ("closed", seq)


def test_reopening_needs_a_reason_a_closed_sitting_and_the_chairs_rights(live, actors):
    with pytest.raises(ServiceError) as refused:
        meeting.reopen_sitting(actors["chair"], live.pk, "Chưa bế mạc")
    assert refused.value.code == "invalid_state"
    meeting.close_sitting(actors["chair"], live.pk)
    with pytest.raises(ServiceError) as refused:
        meeting.reopen_sitting(actors["chair"], live.pk, "   ")
    assert refused.value.code == "invalid_args"
    with pytest.raises(ServiceError) as refused:
        meeting.reopen_sitting(actors["alice"], live.pk, "Tôi muốn họp tiếp")
    assert refused.value.code == "forbidden"
    assert Sitting.objects.get(pk=live.pk).status == "closed"


# ---- issue 11, item 4: everyone not yet recorded, in one step ----------------------------------------

def test_everyone_not_yet_recorded_is_marked_absent_in_one_step(live, actors):
    from audit.models import AuditRecord

    present = _delegates(3)
    _mark_present(actors["secretary"], live.pk, present)
    seq = Sitting.objects.get(pk=live.pk).seq
    result = meeting.mark_unrecorded(actors["secretary"], live.pk, "absent")
    expected = set(live.body.memberships.filter(active=True).values_list("member_id", flat=True)) - set(present)
    assert result == {"marked": len(expected)}
    rows = Attendance.objects.filter(sitting=live)
    assert {a.member_id for a in rows if a.status == "absent"} == expected
    assert {a.member_id for a in rows if a.status == "present"} == set(present)
    events = SittingEvent.objects.filter(sitting=live, seq__gt=seq).order_by("seq")
    assert [e.seq for e in events] == list(range(seq + 1, seq + 1 + len(expected)))
    assert all(e.type == "attendance.updated" and e.data["quorum"]["present"] == 3 for e in events)
    audit = AuditRecord.objects.filter(action="attendance.mark").latest("id")
    assert sorted(audit.detail["members"]) == sorted(expected)
    # Again: nobody left to mark, nothing changes.
    assert meeting.mark_unrecorded(actors["secretary"], live.pk, "absent") == {"marked": 0}
    assert SittingEvent.objects.filter(sitting=live).count() == seq + len(expected)


def test_marking_the_unrecorded_present_or_by_a_delegate_is_refused(live, actors):
    with pytest.raises(ServiceError) as refused:
        meeting.mark_unrecorded(actors["secretary"], live.pk, "present")
    assert refused.value.code == "invalid_args"
    with pytest.raises(ServiceError) as refused:
        meeting.mark_unrecorded(actors["alice"], live.pk, "absent")
    assert refused.value.code == "forbidden"
    assert not Attendance.objects.filter(sitting=live).exists()


# ---- issue 11, item 4: the selected members present, in one command --------------------------------

def test_the_selected_members_are_marked_present_in_one_change(live, actors):
    from audit.models import AuditRecord

    chosen = _delegates(5)
    meeting.check_in(actors["alice"], live.pk)  # already present, by the terminal: left as she is
    alice = actors["alice"].member_id
    meeting.mark_attendance(actors["secretary"], live.pk, chosen[0], "absent", "Đến muộn")
    seq = Sitting.objects.get(pk=live.pk).seq
    result = meeting.mark_selected(actors["secretary"], live.pk, [*chosen, chosen[1], alice], "present")
    changed = [pk for pk in chosen if pk != alice]
    assert result == {"marked": len(changed)}
    rows = {a.member_id: a for a in Attendance.objects.filter(sitting=live)}
    assert all(rows[pk].status == "present" and rows[pk].reason == "" for pk in chosen)
    assert rows[alice].method == "terminal"
    events = list(SittingEvent.objects.filter(sitting=live, seq__gt=seq).order_by("seq"))
    assert [e.data["row"]["member_id"] for e in events] == changed
    # Each event carries the quorum after its row: the count rises one by one.
    first = events[0].data["quorum"]["present"]
    assert [e.data["quorum"]["present"] for e in events] == list(range(first, first + len(changed)))
    assert events[-1].data["quorum"] == quorum_state(Sitting.objects.get(pk=live.pk))
    audit = AuditRecord.objects.filter(action="attendance.mark").latest("id")
    assert (audit.outcome, audit.detail["members"], audit.detail["status"]) == ("ok", changed, "present")


def test_marking_selected_members_refuses_an_unknown_member_and_changes_nothing(live, actors):
    chosen = _delegates(3)
    seq = Sitting.objects.get(pk=live.pk).seq
    with pytest.raises(ServiceError) as refused:
        meeting.mark_selected(actors["secretary"], live.pk, [*chosen, 999999], "present")
    assert refused.value.code == "not_found"
    with pytest.raises(ServiceError) as refused:
        meeting.mark_selected(actors["secretary"], live.pk, [], "present")
    assert refused.value.code == "invalid_args"
    with pytest.raises(ServiceError) as refused:
        meeting.mark_selected(actors["alice"], live.pk, chosen, "present")
    assert refused.value.code == "forbidden"
    assert not Attendance.objects.filter(sitting=live).exists()
    assert Sitting.objects.get(pk=live.pk).seq == seq
