"""Snapshot + events == fresh snapshot, for every audience (the reducer rules of
docs/protocol.md, tests/realtime/reducer.py), whether the events arrive live
or are replayed by `sync`; and recovery from a gap."""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from realtime.models import SittingEvent
from realtime.publish import encode
from realtime.snapshot import snapshot_for

from .reducer import ClientState, Gap

pytestmark = pytest.mark.django_db(transaction=True)

# One persona per audience.
AUDIENCES = {"chair": "staff", "display": "display", "alice": "delegate", "public": "public"}


async def fresh(sitting_id: int, audience: str) -> tuple[int, dict]:
    seq, state = await database_sync_to_async(snapshot_for)(sitting_id, audience)
    return seq, json.loads(encode(state))


def mixed_session(ids: dict):
    """(persona, command, args) — a long sitting touching every kind of event. `ids` is filled as it goes."""
    items = ids["items"]
    return [
        ("chair", "display.set_slide", {"display_id": ids["display_a"], "slide": "agenda"}),
        ("secretary", "sitting.open", {}),
        ("chair", "agenda.next", {}),
        ("alice", "attendance.check_in", {}),
        ("guest", "attendance.check_in", {}),
        ("secretary", "attendance.mark", {"member_id": ids["bob"], "status": "excused", "reason": "Đi công tác"}),
        ("chair", "sitting.announce", {"text": "Đề nghị các đại biểu tắt chuông điện thoại."}),
        ("chair", "agenda.next", {}),
        ("chair", "agenda.next", {}),
        ("secretary", "agenda.insert", {"title": "Báo cáo bổ sung của Ban Dân tộc", "kind": "report", "parent_id": items[2],
                                        "planned_minutes": 10}),
        ("secretary", "agenda.insert", {"title": "Thông qua Nghị quyết về biên chế", "after_id": items[5]}),
        ("chair", "agenda.move", {"item_id": items[9], "parent_id": None, "index": 1}),
        ("chair", "agenda.postpone", {"item_id": items[3]}),  # the current item
        ("chair", "agenda.next", {}),
        ("chair", "agenda.postpone", {"item_id": items[7]}),
        ("chair", "agenda.restore", {"item_id": items[3]}),
        ("chair", "agenda.jump", {"item_id": items[3]}),
        ("chair", "agenda.previous", {}),
        ("chair", "display.set_slide", {"display_id": ids["display_b"], "slide": "overview"}),
        ("admin", "display.assign", {"display_id": ids["display_b"], "sitting_id": ids["standing"]}),  # leaves
        ("secretary", "attendance.mark", {"member_id": ids["alice"], "status": "absent", "reason": "Về sớm"}),
        ("secretary", "attendance.mark", {"member_id": ids["alice"], "status": "present"}),
        ("chair", "sitting.announce", {"text": ""}),
        ("admin", "display.assign", {"display_id": ids["display_b"], "sitting_id": ids["plenary"]}),  # comes back
        ("chair", "agenda.jump", {"item_id": items[-1]}),
        ("chair", "sitting.close", {}),
    ]


async def run(senders: dict, persona: str, cmd: str, args: dict, users: dict):
    """One step of the session: a hub command, or (persona "admin") the office moving a display."""
    if persona == "admin":
        from displays import services as displays

        await database_sync_to_async(displays.assign)(users["secretary"], args["display_id"], args["sitting_id"])
        return
    await senders[persona].ok(cmd, args)


@pytest.fixture
def ids(sitting, users):
    from agenda.state import ordered_items
    from displays.models import Display
    from meeting.models import Sitting

    displays = list(Display.objects.filter(sitting=sitting).order_by("name").values_list("pk", flat=True))
    return {
        "items": [i.pk for i in ordered_items(sitting.pk)],
        "display_a": displays[0],
        "display_b": displays[1],
        "alice": users["alice"].member.pk,
        "bob": users["bob"].member.pk,
        "plenary": sitting.pk,
        "standing": Sitting.objects.exclude(pk=sitting.pk).get().pk,
    }


async def test_live_events_applied_to_the_snapshot_equal_a_fresh_snapshot_for_every_audience(hub, sitting, ids, users):
    watchers = {persona: await hub.connect(persona) for persona in AUDIENCES}
    senders = {**watchers, **await hub.connect_all("secretary", "guest")}
    for persona, cmd, args in mixed_session(ids):
        await run(senders, persona, cmd, args, users)
        for watcher_persona, watcher in watchers.items():
            await watcher.settle()
            seq, state = await fresh(sitting.pk, AUDIENCES[watcher_persona])
            assert watcher.seq == seq
            assert watcher.state == state, f"{watcher_persona} after {cmd}"
        if cmd == "display.assign":  # the display left, or came back to, the staff's list
            listed = ids["display_b"] in [d["id"] for d in watchers["chair"].state["displays"]]
            assert listed == (args["sitting_id"] == sitting.pk)
    assert watchers["chair"].seq >= len(mixed_session(ids))


async def test_events_replayed_by_sync_applied_to_the_first_snapshot_equal_a_fresh_snapshot(hub, sitting, ids, users):
    stale = {persona: await hub.connect(persona) for persona in AUDIENCES}
    for client in stale.values():
        client.apply_events = False  # keep the first snapshot; learn the rest from sync
    senders = {**await hub.connect_all("secretary", "guest"), "chair": await hub.connect("chair"),
               "alice": await hub.connect("alice")}
    for persona, cmd, args in mixed_session(ids):
        await run(senders, persona, cmd, args, users)
    for persona, client in stale.items():
        first = client.messages[0]
        reply = await client.reply_to(await client.send("sync", {"since_seq": first["seq"]}))
        replayed = ClientState()
        replayed.apply(first)
        for event in reply["data"]["events"]:
            replayed.apply(event)
        seq, state = await fresh(sitting.pk, AUDIENCES[persona])
        assert (replayed.seq, replayed.state) == (seq, state), persona


async def test_replayed_events_are_the_events_sent_live(hub, sitting, ids, users):
    live = await hub.connect("display")
    senders = await hub.connect_all("chair", "secretary", "alice", "guest")
    for persona, cmd, args in mixed_session(ids):
        await run(senders, persona, cmd, args, users)
    await live.settle()
    reply = await live.reply_to(await live.send("sync", {"since_seq": 0}))
    assert reply["data"]["events"] == live.events


async def test_a_client_that_missed_an_event_gets_exactly_the_missed_events_from_sync(hub):
    chair = await hub.connect("chair")
    alice = await hub.connect("alice")
    alice.apply_events = False
    await chair.ok("sitting.open")
    await chair.ok("agenda.next")
    await chair.ok("sitting.announce", {"text": "Giải lao"})
    received = [await alice.receive_event() for _ in range(3)]
    state = ClientState()
    state.apply(alice.messages[0])
    state.apply(received[0])
    with pytest.raises(Gap):
        state.apply(received[2])  # the second was lost in transit
    reply = await alice.reply_to(await alice.send("sync", {"since_seq": state.seq}))
    assert reply["data"]["events"] == received[1:]
    for event in reply["data"]["events"]:
        state.apply(event)
    assert state.state == (await fresh(chair.sitting_id, "delegate"))[1]


async def test_sync_from_the_current_seq_returns_no_events(hub):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    assert await chair.ok("sync", {"since_seq": chair.seq}) == {"events": []}


async def test_sync_replays_what_the_audience_may_see(hub, display_device):
    chair = await hub.connect("chair")
    public = await hub.connect("public")
    await chair.ok("display.set_slide", {"display_id": display_device.display_id, "slide": "agenda"})
    assert await public.ok("sync", {"since_seq": 0}) == {"events": [{"type": "skip", "seq": 1, "data": None}]}


@override_settings(HUB_MAX_REPLAY=2)
async def test_a_client_too_far_behind_gets_a_snapshot_instead(hub):
    chair = await hub.connect("chair")
    alice = await hub.connect("alice")
    await chair.ok("sitting.open")
    await chair.ok("agenda.next")
    await chair.ok("agenda.next")
    await alice.settle()
    reply = await alice.reply_to(await alice.send("sync", {"since_seq": 0}, id="s1"))
    assert (reply["type"], reply["in_response"], reply["seq"]) == ("snapshot", "s1", 3)
    assert reply["data"] == alice.state


async def test_a_client_ahead_of_the_server_gets_a_snapshot(hub):
    alice = await hub.connect("alice")
    reply = await alice.reply_to(await alice.send("sync", {"since_seq": 10**6}, id="s2"))
    assert (reply["type"], reply["seq"]) == ("snapshot", 0)


async def test_a_hole_in_the_event_log_is_answered_with_a_snapshot(hub):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    await chair.ok("agenda.next")
    await database_sync_to_async(lambda: SittingEvent.objects.filter(seq=1).delete())()
    reply = await chair.reply_to(await chair.send("sync", {"since_seq": 0}, id="s3"))
    assert (reply["type"], reply["seq"]) == ("snapshot", 2)


async def test_a_reconnecting_client_gets_a_fresh_snapshot(hub):
    chair = await hub.connect("chair")
    alice = await hub.connect("alice")
    await alice.close()
    await chair.ok("sitting.open")
    await chair.ok("agenda.next")
    again = await hub.connect("alice")
    assert again.seq == 2
    assert again.state == (await fresh(chair.sitting_id, "delegate"))[1]
