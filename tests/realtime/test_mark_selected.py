"""attendance.mark_selected over the hub (issue 11, item 4): several members present in one command,
every audience's snapshot + events equal to a fresh snapshot, malformed ones refused with nothing changed."""

import pytest
from channels.db import database_sync_to_async

from .hub import current_seq
from .test_replay import AUDIENCES, fresh

pytestmark = pytest.mark.django_db(transaction=True)


def _delegates(state: dict, n: int) -> list[int]:
    return [r["member_id"] for r in state["attendance"] if r["counts"]][:n]


async def test_the_secretary_marks_the_selected_members_present_and_every_audience_follows(hub, sitting):
    watchers = {persona: await hub.connect(persona) for persona in AUDIENCES}
    secretary = await hub.connect("secretary")
    await secretary.ok("sitting.open")
    chosen = _delegates(secretary.state, 12)
    before = secretary.state["quorum"]["present"]
    reply = await secretary.ok("attendance.mark_selected", {"member_ids": chosen})
    assert reply == {"marked": 12}
    for persona, watcher in watchers.items():
        await watcher.settle()
        seq, state = await fresh(sitting.pk, AUDIENCES[persona])
        assert (watcher.seq, watcher.state) == (seq, state), persona
    assert watchers["public"].state["quorum"]["present"] == before + 12
    present = {r["member_id"] for r in watchers["chair"].state["attendance"] if r["status"] == "present"}
    assert set(chosen) <= present
    # The same selection again: nothing left to change, no event.
    seq = await database_sync_to_async(current_seq)(sitting.pk)
    assert await secretary.ok("attendance.mark_selected", {"member_ids": chosen}) == {"marked": 0}
    assert await database_sync_to_async(current_seq)(sitting.pk) == seq


@pytest.mark.parametrize("args, code", [
    ({"member_ids": []}, "invalid_args"),
    ({"member_ids": [0]}, "invalid_args"),
    ({"member_ids": ["1"]}, "invalid_args"),
    ({"member_ids": list(range(1, 502))}, "invalid_args"),
    ({"member_ids": [1], "status": "late"}, "invalid_args"),
    ({"member_ids": [1], "extra": True}, "invalid_args"),
    ({"member_ids": [999999]}, "not_found"),
])
async def test_a_malformed_selection_is_refused_and_changes_nothing(hub, sitting, args, code):
    secretary = await hub.connect("secretary")
    await secretary.ok("sitting.open")
    seq = await database_sync_to_async(current_seq)(sitting.pk)
    assert await secretary.error("attendance.mark_selected", args) == code
    assert await database_sync_to_async(current_seq)(sitting.pk) == seq


async def test_a_delegate_may_not_mark_others(hub, sitting):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    alice = await hub.connect("alice")
    assert await alice.error("attendance.mark_selected", {"member_ids": _delegates(chair.state, 2)}) == "forbidden"
