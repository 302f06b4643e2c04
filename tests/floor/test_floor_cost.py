"""What one request to speak costs the database (issue 13: 500 requests within 2 s, bench/floor_burst.py).

The floor's own part of `floor.request` is three statements, however long the queue: one read of the
delegate with everything the request needs (active in the body, present, no open request of the kind,
the body's rules, the current item, the list and its end, their own requests and turn), the list's
next number (one UPDATE … RETURNING, or the list's row created with the first), the request's INSERT.
The write path's own share (the sitting's lock, the actor read again, the audit record, the seq, the
event and the per-member event) is measured beside it, by a change of the same actor that emits the
same events and does nothing else, so that this bound holds whatever the write path costs.
On SQLite, and on PostgreSQL in the PostgreSQL run (DATABASE_URL).

Personas: tests/conftest.py (the demo council): the chair opens the sitting and its first item; alice
and bob (delegates), a few others, checked in as present.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agenda import services as agenda
from floor import services as floor
from floor.models import FloorList, Request
from floor.state import you_floor
from meeting import services as meeting
from meeting.models import Member
from realtime.models import MemberEvent
from realtime.service import change

pytestmark = pytest.mark.django_db

FLOOR_OWN = 3  # the maker's read, the next number, the INSERT
# floor.next from one speaker to the next: the current turn, the head with its member, the rules, the
# turn ended, the new one, the request heard, the speaker's state (current and last), each one's
# own requests (you.floor) read back.
NEXT_OWN = 10


@pytest.fixture
def live(sitting, actors):
    meeting.open_sitting(actors["chair"], sitting.pk)
    agenda.next_item(actors["chair"], sitting.pk)
    delegates = list(Member.objects.filter(kind=Member.Kind.DELEGATE).order_by("code").values_list("pk", flat=True))
    meeting.mark_selected(actors["chair"], sitting.pk, delegates, "present")
    return sitting


def statements(call) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [q["sql"] for q in ctx.captured_queries]


def write_path_alone(actor, sitting_id: int, *member_ids: int, action="floor.request", events=1) -> list[str]:
    """The write path's statements for a change like the one measured (same actor and action, as many
    events, one stored per-member event for each member), with no work of the floor's."""
    def call():
        with change(actor, action, sitting_id) as c:
            for _ in range(events):
                c.emit("floor.left", {"request_id": 0})
            for member_id in member_ids:
                c.emit_to(member_id, "floor.mine", {"requests": [], "speaking": None})
    return statements(call)


def mine_told(sitting, member_id: int) -> dict:
    return MemberEvent.objects.filter(sitting=sitting, member_id=member_id, type="floor.mine").latest("pseq").data


def test_a_speech_request_costs_the_floor_three_statements_however_long_the_queue(live, actors, users):
    alice = actors["alice"]
    others = Member.objects.filter(kind=Member.Kind.DELEGATE).exclude(pk=alice.member_id).exclude(
        user=live.chair).order_by("code")[:8]
    for m in others:  # a queue of points of order and speeches ahead of her
        floor.add_request(actors["secretary"], live.pk, m.pk, "order" if m.pk % 2 else "speech")
    core = write_path_alone(alice, live.pk, alice.member_id)
    sql = statements(lambda: floor.request_floor(alice, live.pk, "speech"))
    assert len(sql) - len(core) <= FLOOR_OWN, "\n".join(sql)
    mine = Request.objects.get(member_id=alice.member_id, status="waiting")
    queued = list(Request.objects.filter(sitting=live, status="waiting").order_by("position", "number"))
    assert queued[-1] == mine  # a speech joins the end
    assert mine.number == 9 and FloorList.objects.get(sitting=live).numbered == 9
    # What she is told is what a read of her requests gives.
    assert mine_told(live, alice.member_id) == you_floor(live.pk, alice.member_id) == {
        "requests": [{"id": mine.pk, "kind": "speech", "issue_id": None}], "speaking": None}


def test_next_costs_the_floor_ten_statements(live, actors, users):
    chair, alice, bob = actors["chair"], actors["alice"], actors["bob"]
    floor.request_floor(alice, live.pk, "speech")
    floor.request_floor(bob, live.pk, "speech")
    floor.next_speaker(chair, live.pk)  # alice speaks
    core = write_path_alone(chair, live.pk, alice.member_id, bob.member_id, action="floor.manage", events=2)
    sql = statements(lambda: floor.next_speaker(chair, live.pk))  # bob now, alice's turn ends
    assert len(sql) - len(core) <= NEXT_OWN, "\n".join(sql)
    assert mine_told(live, bob.member_id) == you_floor(live.pk, bob.member_id)
    assert mine_told(live, bob.member_id)["speaking"] is not None


def test_the_list_is_made_with_the_first_number_and_counted_on(live, actors):
    assert not FloorList.objects.filter(sitting=live).exists()
    first = floor.request_floor(actors["alice"], live.pk, "speech")["request_id"]
    second = floor.request_floor(actors["bob"], live.pk, "order")["request_id"]
    assert [Request.objects.get(pk=pk).number for pk in (first, second)] == [1, 2]
    assert FloorList.objects.get(sitting=live).numbered == 2
    floor.set_closed(actors["chair"], live.pk, True)
    with pytest.raises(floor.ServiceError) as refused:
        floor.request_floor(actors["bob"], live.pk, "speech")
    assert refused.value.code == "list_closed"
    assert FloorList.objects.get(sitting=live).numbered == 2  # a refusal takes no number


def test_what_a_delegate_at_the_floor_or_with_another_request_is_told_is_what_the_read_gives(live, actors):
    alice, bob = actors["alice"], actors["bob"]
    floor.request_floor(alice, live.pk, "speech")
    floor.next_speaker(actors["chair"], live.pk)  # alice speaks
    floor.request_floor(alice, live.pk, "order")  # at the floor, no other open request
    told = mine_told(live, alice.member_id)
    assert told["speaking"] is not None and len(told["requests"]) == 1
    assert told == you_floor(live.pk, alice.member_id)
    floor.request_floor(bob, live.pk, "speech")
    floor.request_floor(bob, live.pk, "reply")  # another open request: read back
    told = mine_told(live, bob.member_id)
    assert [r["kind"] for r in told["requests"]] == ["speech", "reply"]
    assert told == you_floor(live.pk, bob.member_id)


def test_refusals_keep_their_codes_in_their_order(live, actors, users):
    secretary, alice = actors["secretary"], users["alice"].member

    def refused(member_id, kind="speech", issue_id=None):
        with pytest.raises(floor.ServiceError) as e:
            floor.add_request(secretary, live.pk, member_id, kind, issue_id=issue_id)
        return e.value.code

    assert refused(10**9) == "not_found"
    assert refused(users["guest"].member.pk) == "not_delegate"
    floor.add_request(secretary, live.pk, alice.pk, "speech")
    assert refused(alice.pk) == "already_requested"
    assert refused(alice.pk, "reply") == "no_speaker"  # nobody at the floor
    assert refused(alice.pk, "followup") == "no_such_issue"
    meeting.mark_selected(actors["chair"], live.pk, [alice.pk], "absent")
    assert refused(alice.pk) == "not_present"  # before already_requested, as ever
