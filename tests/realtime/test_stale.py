"""Commands that move the hall say what they saw (issue 9): a stale one changes nothing.

Personas: the chair and the secretary, each at a console of the same live
sitting, and alice, a delegate following on her tablet.
"""

import json

import pytest
from channels.db import database_sync_to_async

from .hub import current_seq

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def consoles(hub):
    clients = await hub.connect_all("chair", "secretary", "alice")
    chair, secretary, alice = clients["chair"], clients["secretary"], clients["alice"]
    await chair.ok("sitting.open")
    await chair.ok("agenda.next")
    for client in (secretary, alice):
        await client.settle()
    return chair, secretary, alice


async def test_chair_and_secretary_pressing_next_together_move_one_item(consoles):
    chair, secretary, alice = consoles
    first, second = (i["id"] for i in chair.state["agenda"]["items"][:2])
    seen = {"expect_current": first}
    # Both press "next" having seen item 1; neither waits for the other.
    ids = (await chair.send("agenda.next", seen), await secretary.send("agenda.next", seen))
    replies = [await chair.reply_to(ids[0]), await secretary.reply_to(ids[1])]
    assert sorted(r["ok"] for r in replies) == [False, True]
    moved = next(r for r in replies if r["ok"])
    stale = next(r for r in replies if not r["ok"])
    assert moved["data"] == {"current_item_id": second}
    seq = await database_sync_to_async(current_seq)(chair.sitting_id)
    assert stale["error"]["code"] == "stale"
    assert stale["error"]["current"] == {"item_id": second, "seq": seq}
    for client in (chair, secretary, alice):
        await client.settle()
        assert client.state["agenda"]["current_item_id"] == second
    assert [e["type"] for e in alice.events[-1:]] == ["agenda.current"]
    assert alice.seq == seq


async def test_a_double_click_on_next_moves_the_hall_one_item(consoles):
    chair, _secretary, alice = consoles
    first, second = (i["id"] for i in chair.state["agenda"]["items"][:2])
    before = alice.seq
    one = await chair.send("agenda.next", {"expect_current": first})
    two = await chair.send("agenda.next", {"expect_current": first})
    assert (await chair.reply_to(one))["ok"] is True
    assert (await chair.reply_to(two))["error"]["code"] == "stale"
    await alice.settle()
    assert (alice.seq, alice.state["agenda"]["current_item_id"]) == (before + 1, second)


async def test_a_jump_the_hall_has_moved_past_is_refused(consoles):
    chair, secretary, _alice = consoles
    items = [i["id"] for i in chair.state["agenda"]["items"]]
    await secretary.ok("agenda.next")
    reply = await chair.command("agenda.jump", {"item_id": items[-1], "expect_current": items[0]})
    assert (reply["ok"], reply["error"]["code"], reply["error"]["current"]["item_id"]) == (False, "stale", items[1])
    assert chair.state["agenda"]["current_item_id"] == items[1]


async def test_a_navigation_command_that_does_not_say_what_it_saw_is_refused(consoles):
    chair, _secretary, _alice = consoles
    seq = chair.seq
    await chair.send_raw(json.dumps({"id": "n1", "cmd": "agenda.next", "args": {}}))
    reply = await chair.reply_to("n1")
    assert (reply["error"]["code"], reply["error"]["fields"]) == ("invalid_args", ["expect_current"])
    assert await database_sync_to_async(current_seq)(chair.sitting_id) == seq
