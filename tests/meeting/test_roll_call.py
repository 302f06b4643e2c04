"""The attendance check right before a vote (điểm danh lại; issue 14, item 2) over real WebSockets:
the chair starts a roll call, the delegates present confirm from their terminals (or the secretary
marks them), and ending it records absent those who did not confirm; every audience's state
follows, equal to a fresh snapshot, and the attendance rows and the quorum say who is present now."""

import pytest
from channels.db import database_sync_to_async

from audit.models import AuditRecord
from meeting import services
from meeting.models import Attendance, Member, RollCall
from tests.realtime.conftest import cookies, hub  # noqa: F401 (fixtures)
from tests.realtime.hub import current_seq
from tests.realtime.test_replay import AUDIENCES, fresh

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Không xác nhận khi điểm danh lại"


@database_sync_to_async
def delegate_ids() -> list[int]:
    """The sitting's twenty delegates (the demo's DB001–DB020), by code."""
    return list(Member.objects.filter(kind="delegate").order_by("code").values_list("pk", flat=True))


@database_sync_to_async
def member_id(code: str) -> int:
    return Member.objects.get(code=code).pk


async def settle_all(clients):
    for client in clients.values():
        await client.settle()


async def agree_with_a_fresh_snapshot(clients, sitting_id):
    for persona, audience in AUDIENCES.items():
        await clients[persona].settle()
        seq, state = await fresh(sitting_id, audience)
        assert (clients[persona].seq, clients[persona].state) == (seq, state), persona


@pytest.fixture
async def present(hub, sitting):
    """The sitting open, every delegate but the last recorded present by the secretary; a client of
    every audience (and the secretary, Bob, the guest) following it."""
    clients = await hub.connect_all("chair", "secretary", "alice", "bob", "guest", "display", "public")
    await clients["chair"].ok("sitting.open")
    delegates = await delegate_ids()
    await clients["secretary"].ok("attendance.mark_selected", {"member_ids": delegates[:-1]})
    await settle_all(clients)
    assert clients["public"].state["quorum"]["present"] == 19
    assert clients["public"].state["roll_call"] is None
    return clients


async def test_delegates_confirm_and_those_who_did_not_are_recorded_absent_at_the_end(present, sitting):
    c = present
    chair, secretary = c["chair"], c["secretary"]
    delegates = await delegate_ids()
    alice, bob = await member_id("DB010"), await member_id("DB011")
    late = delegates[-1]  # not recorded when it starts: arrives during it

    # the chair (DB001, a delegate present) starts it from the console, and so confirms
    started = await chair.ok("attendance.roll_call_start", {"seconds": 60})
    await settle_all(c)
    for client in c.values():
        rc = client.state["roll_call"]
        assert (rc["id"], rc["expected"], rc["confirmed"], rc["ended_at"], rc["marked_absent"]) == (
            started["roll_call_id"], 19, 1, None, None)
        assert rc["ends_at"] is not None and rc["ends_at"] > rc["started_at"]

    await c["alice"].ok("attendance.check_in")                                       # at her terminal
    await c["bob"].ok("attendance.check_in", {"remote": True})                       # remotely
    await secretary.ok("attendance.mark", {"member_id": delegates[2], "status": "present"})  # no tablet at hand
    # the selected ones: Alice already confirmed is left as she is, the other is confirmed
    assert await secretary.ok("attendance.mark_selected", {"member_ids": [delegates[1], alice]}) == {"marked": 1}
    await secretary.ok("attendance.mark", {"member_id": late, "status": "present"})  # arrives: present, confirmed
    seq = await database_sync_to_async(current_seq)(sitting.pk)
    await c["guest"].ok("attendance.check_in")  # a guest is not counted: the roll call does not change
    await settle_all(c)
    assert [e["type"] for e in c["chair"].events if e["seq"] > seq] == ["attendance.updated"]
    for client in c.values():
        assert (client.state["roll_call"]["expected"], client.state["roll_call"]["confirmed"]) == (20, 6)
    await agree_with_a_fresh_snapshot(c, sitting.pk)

    seq = await database_sync_to_async(current_seq)(sitting.pk)
    assert await chair.ok("attendance.roll_call_end", {}) == {"confirmed": 6, "marked_absent": 14}
    await settle_all(c)
    confirmed = {delegates[0], alice, bob, delegates[2], delegates[1], late}
    for client in c.values():
        rc = client.state["roll_call"]
        assert (rc["expected"], rc["confirmed"], rc["marked_absent"]) == (20, 6, 14)
        assert rc["ended_at"] is not None
        assert client.state["quorum"]["present"] == 6 and client.state["quorum"]["met"] is False
        rows = {r["member_id"]: r for r in client.state["attendance"]}
        assert {m for m in delegates if rows[m]["status"] == "present"} == confirmed
        assert {m for m in delegates if rows[m]["status"] == "absent"} == set(delegates) - confirmed
    staff_rows = {r["member_id"]: r for r in chair.state["attendance"]}
    assert {(staff_rows[m]["method"], staff_rows[m]["reason"]) for m in set(delegates) - confirmed} == {
        ("secretary", REASON)}
    # one attendance.updated per member, each with the quorum after it, then the roll call's counts
    events = [e for e in chair.events if e["seq"] > seq]
    assert [e["type"] for e in events] == ["attendance.updated"] * 14 + ["roll_call.changed"]
    assert [e["data"]["quorum"]["present"] for e in events[:-1]] == list(range(19, 5, -1))
    await agree_with_a_fresh_snapshot(c, sitting.pk)

    # the minutes' record: who was present when it started, who confirmed, who was recorded absent
    row = await database_sync_to_async(RollCall.objects.get)()
    assert sorted(row.expected) == sorted(delegates[:-1])
    assert set(row.confirmed) == confirmed and set(row.marked_absent) == set(delegates) - confirmed
    audits = await database_sync_to_async(lambda: list(
        AuditRecord.objects.filter(action="attendance.roll_call", outcome="ok").order_by("pk")
        .values_list("detail", flat=True)))()
    assert [("start" in d, "end" in d) for d in audits] == [(True, False), (False, True)]
    assert set(audits[1]["members"]) == set(delegates) - confirmed
    assert await database_sync_to_async(services.roll_call_open)(sitting.pk) is False
    await database_sync_to_async(sitting.refresh_from_db)()
    assert services.roll_call_open(sitting) is False and sitting.roll_call_since is None


async def test_ending_without_marking_absent_keeps_everyone_present(present, sitting):
    chair = present["chair"]
    await chair.ok("attendance.roll_call_start")  # no countdown
    await present["alice"].ok("attendance.check_in")
    assert present["alice"].state["roll_call"]["ends_at"] is None
    assert await database_sync_to_async(services.roll_call_open)(sitting.pk) is True
    await database_sync_to_async(sitting.refresh_from_db)()
    assert services.roll_call_open(sitting) is True  # from the row, no query
    assert await chair.ok("attendance.roll_call_end", {"mark_absent": False}) == {"confirmed": 2, "marked_absent": 0}
    await settle_all(present)
    assert present["public"].state["quorum"]["present"] == 19
    rc = present["public"].state["roll_call"]
    assert (rc["expected"], rc["confirmed"], rc["marked_absent"]) == (19, 2, 0)
    await agree_with_a_fresh_snapshot(present, sitting.pk)


async def test_refusals(hub, sitting):
    c = await hub.connect_all("chair", "secretary", "alice", "display", "public")
    assert await c["chair"].error("attendance.roll_call_start") == "sitting_not_live"
    await c["chair"].ok("sitting.open")
    for who in ("alice", "display", "public"):
        assert await c[who].error("attendance.roll_call_start") == "forbidden"
    assert await c["chair"].error("attendance.roll_call_start", {"seconds": 5}) == "invalid_args"
    assert await c["chair"].error("attendance.roll_call_start", {"seconds": 601}) == "invalid_args"
    assert await c["chair"].error("attendance.roll_call_end") == "no_roll_call"
    await c["secretary"].ok("attendance.roll_call_start", {"seconds": 10})
    assert await c["chair"].error("attendance.roll_call_start") == "roll_call_open"
    assert await c["alice"].error("attendance.roll_call_end") == "forbidden"
    await c["chair"].ok("attendance.roll_call_end")
    assert await c["chair"].error("attendance.roll_call_end") == "no_roll_call"
    # a second one may follow the first
    await c["chair"].ok("attendance.roll_call_start")
    assert await database_sync_to_async(RollCall.objects.count)() == 2
    outcomes = await database_sync_to_async(lambda: sorted(
        AuditRecord.objects.filter(action="attendance.roll_call").values_list("outcome", flat=True)))()
    assert outcomes == ["forbidden"] * 4 + ["ok"] * 3  # a forbidden command is audited, as every one


async def test_closing_the_sitting_ends_the_roll_call_and_records_nobody_absent(present, sitting):
    chair = present["chair"]
    await chair.ok("attendance.roll_call_start", {"seconds": 30})
    await present["alice"].ok("attendance.check_in")
    seq = await database_sync_to_async(current_seq)(sitting.pk)
    await chair.ok("sitting.close")
    await settle_all(present)
    events = [e["type"] for e in chair.events if e["seq"] > seq]
    assert events[-2:] == ["roll_call.changed", "sitting.status"]
    rc = present["public"].state["roll_call"]
    assert (rc["confirmed"], rc["marked_absent"]) == (2, 0) and rc["ended_at"] is not None
    assert present["public"].state["quorum"]["present"] == 19
    assert await database_sync_to_async(
        Attendance.objects.filter(status="absent").count)() == 0
    await agree_with_a_fresh_snapshot(present, sitting.pk)


@pytest.mark.django_db
def test_a_burst_of_confirmations_committed_together_sends_the_roll_call_once(sitting, actors):
    """Every delegate confirming at once: their check-ins run as one group (realtime.service.run_group),
    each with its own attendance.updated, and of the roll call's counts only the last is kept
    (`roll_call.changed` coalesces: its data is absolute)."""
    from realtime.commands import COMMANDS
    from realtime.models import SittingEvent
    from realtime.service import GroupItem, run_group

    from accounts.permissions import actor_for

    services.open_sitting(actors["chair"], sitting.pk)
    members = list(Member.objects.filter(kind="delegate").exclude(user=sitting.chair)  # the chair checks in nowhere
                   .select_related("user").order_by("code")[:8])
    services.mark_selected(actors["secretary"], sitting.pk, [m.pk for m in members], "present")
    services.start_roll_call(actors["chair"], sitting.pk, 60)
    sitting.refresh_from_db()
    seq = sitting.seq
    schema, call = COMMANDS["attendance.check_in"]
    items = []
    for n, m in enumerate(members[:6]):
        actor = actor_for(sitting, user=m.user)
        model = schema.model_validate({})
        items.append(GroupItem(actor=actor, command_id=n + 1, cmd="attendance.check_in", args={},
                               call=lambda actor=actor, model=model: call(actor, sitting.pk, model)))
    outcomes = run_group(sitting.pk, items)
    assert [o.ok for o in outcomes] == [True] * 6
    events = list(SittingEvent.objects.filter(sitting=sitting, seq__gt=seq).order_by("seq").values_list("type", "data"))
    assert [t for t, _d in events] == ["attendance.updated"] * 6 + ["roll_call.changed"]
    assert (events[-1][1]["expected"], events[-1][1]["confirmed"]) == (8, 6)
    assert services.end_roll_call(actors["chair"], sitting.pk) == {"confirmed": 6, "marked_absent": 2}


async def test_the_chair_ending_a_roll_call_the_secretary_started_is_not_recorded_absent(present, sitting):
    c = present
    chair_member = await member_id("DB001")
    await c["secretary"].ok("attendance.roll_call_start")
    await c["chair"].settle()
    rows = {r["member_id"]: r for r in c["chair"].state["attendance"]}
    assert c["chair"].state["roll_call"]["confirmed"] == 0 and rows[chair_member]["status"] == "present"
    assert await c["chair"].ok("attendance.roll_call_end") == {"confirmed": 1, "marked_absent": 18}
    await settle_all(c)
    rows = {r["member_id"]: r for r in c["public"].state["attendance"]}
    assert rows[chair_member]["status"] == "present" and c["public"].state["quorum"]["present"] == 1
    await agree_with_a_fresh_snapshot(c, sitting.pk)
