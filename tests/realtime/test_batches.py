"""Batches (docs/protocol.md "Batches"): what was committed while the publisher was busy reaches
each connection as one frame, not a frame per event (the fan-out's cost is per frame).

The changes here are committed back to back on the event loop's own thread, as a burst of
commands leaves them: each commit hands its events to the loop (realtime.publish._dispatch) and
the publisher, which runs only once the test lets the loop go on, finds them all queued. So the
batches below are what a burst makes, not a race the test hopes to win.
"""

import asyncio
import contextlib
import threading

import pytest
from channels.db import database_sync_to_async

from displays import services as displays
from displays.models import Display
from meeting import services as meeting
from realtime import consumers
from realtime.publish import BATCH_MAX_EVENTS
from tests.realtime.toy import hub as toy

from .hub import current_seq
from .test_registry import toy_module  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_the_loop(monkeypatch):
    """Database work run straight on the loop's thread (Django refuses that unless told): the
    loop runs nothing else meanwhile, as while a burst's commits arrive faster than it sends."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def event_frames(client) -> list[dict]:
    """The frames of events and per-member events this client got (not snapshots, replies, heartbeats)."""
    return [f for f in client.frames
            if f.get("type") not in ("snapshot", "heartbeat", "hub.status") and "in_response" not in f]


def seqs(frame: dict) -> list[int]:
    return [e["seq"] for e in (frame["events"] if frame["type"] == "batch" else [frame])]


def burst(actors, sitting_id, display_id, alice, bob, n: int = 1) -> None:
    """A burst of changes, each its own command and commit: an announcement everyone sees, a slide
    only staff and displays see (`skip` for the others), a note for Alice alone; then one for Bob."""
    for i in range(n):
        meeting.announce(actors["chair"], sitting_id, f"Thông báo số {i}")
        displays.set_slide(actors["chair"], sitting_id, display_id, ("agenda", "overview")[i % 2])
        toy.poke(actors["chair"], sitting_id, alice, f"ghi chú {i}")
    toy.poke(actors["chair"], sitting_id, bob, "cho Bob")


async def fresh(hub, who):
    client = await hub.connect(who)
    await client.close()
    hub.clients.remove(client)
    return client.seq, client.state, client.private


async def test_a_burst_reaches_each_connection_as_one_batch_shaped_for_its_audience(
        toy_module, hub, sitting, actors, users, on_the_loop):  # noqa: F811
    clients = {who: await hub.connect(who) for who in ("chair", "display", "alice", "bob", "public")}
    await clients["chair"].ok("sitting.open")
    for client in clients.values():
        await client.settle()
    seq = clients["chair"].seq
    before = {who: len(c.frames) for who, c in clients.items()}
    display_id = Display.objects.get(sitting=sitting, name="Màn hình chính").pk
    alice, bob = clients["alice"].private["member_id"], clients["bob"].private["member_id"]

    burst(actors, sitting.pk, display_id, alice, bob, n=2)  # 4 events, 3 per-member events

    for client in clients.values():
        await client.settle()
    await clients["alice"].settle_private()
    await clients["bob"].settle_private()
    for client in clients.values():
        await client.expect_nothing(0.2)
    got = {who: [f for f in event_frames(c) if c.frames.index(f) >= before[who]] for who, c in clients.items()}
    events = [f for f in got["chair"] if "pseq" not in f and f.get("type") == "batch"]
    assert [seqs(f) for f in events] == [[seq + 1, seq + 2, seq + 3, seq + 4]]
    # Each audience: one batch of the four, in seq order, a `skip` where it may not see the slide.
    shaped = {who: [[e["type"] for e in f["events"] if "pseq" not in e] for f in frames if f["type"] == "batch"
                    and "seq" in f["events"][0]] for who, frames in got.items()}
    staff_view = ["sitting.announcement", "display.updated"] * 2
    hidden = ["sitting.announcement", "skip"] * 2
    assert shaped == {"chair": [staff_view], "display": [staff_view], "alice": [hidden], "bob": [hidden],
                      "public": [hidden]}
    # Alice's two notes in one frame of her own, Bob's one as a plain frame; nobody else's.
    private = {who: [[(e["type"], e["pseq"]) for e in (f["events"] if f["type"] == "batch" else [f])]
                     for f in frames if (f["events"][0] if f["type"] == "batch" else f).get("pseq") is not None]
               for who, frames in got.items()}
    assert private == {"chair": [], "display": [], "public": [],
                       "alice": [[("toy.poked", 1), ("toy.poked", 2)]], "bob": [[("toy.poked", 1)]]}
    # The same events as if they had come one by one: each state is a fresh snapshot's.
    for who, client in clients.items():
        assert (client.seq, client.state, client.private) == await fresh(hub, who), who


async def test_a_long_burst_is_cut_into_bounded_batches_in_order(toy_module, hub, sitting, actors, on_the_loop):  # noqa: F811
    public = await hub.connect("public")
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    await public.settle()
    seq = public.seq
    before = len(public.frames)
    for i in range(BATCH_MAX_EVENTS + 5):
        meeting.announce(actors["chair"], sitting.pk, f"Thông báo {i}")
    await public.settle(timeout=30)
    frames = [f for f in public.frames[before:] if f.get("type") not in ("heartbeat", "hub.status")
              and "in_response" not in f]
    assert [len(seqs(f)) for f in frames] == [BATCH_MAX_EVENTS, 5]
    assert [s for f in frames for s in seqs(f)] == list(range(seq + 1, seq + BATCH_MAX_EVENTS + 6))
    assert (public.seq, public.state) == (await fresh(hub, "public"))[:2]


async def test_a_connection_reading_its_snapshot_during_a_burst_gets_exactly_what_follows_its_snapshot(
        toy_module, hub, sitting, actors, users, on_the_loop):  # noqa: F811
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    display_id = Display.objects.get(sitting=sitting, name="Màn hình chính").pk
    alice = users["alice"].member.pk
    bob = users["bob"].member.pk
    relay = consumers._relay()
    # The connect's read (who it is, its snapshot) waits behind these until the test lets it go.
    gate = threading.Event()
    for _thread in range(relay.readers._max_workers):
        relay.readers.submit(gate.wait)
    connecting = asyncio.get_running_loop().create_task(hub.connect("alice"))
    try:
        async with asyncio.timeout(10):
            while not relay.opening.get(sitting.pk) or relay.readers._work_queue.qsize() < 1:
                await asyncio.sleep(0.01)
        [opener] = relay.opening[sitting.pk]
        # A first burst while it reads: relayed to it for every audience, each event alone.
        burst(actors, sitting.pk, display_id, alice, bob)
        # (The sitting's opening may reach it too: sent to the chair's group first, then the others'.)
        async with asyncio.timeout(10):
            while len([s for _g, s, _t in opener.pending if s > chair.seq]) < 2 * 4 or len(opener.pending_private) < 2:
                await asyncio.sleep(0.01)
        assert sorted({seq for _group, seq, _text in opener.pending if seq > chair.seq}) == [chair.seq + 1, chair.seq + 2]
        # Its read now, at the first burst's seq; then a second burst, after its snapshot.
        gate.set()
        client = await connecting
        at = await database_sync_to_async(current_seq)(sitting.pk)
        burst(actors, sitting.pk, display_id, alice, bob)
    finally:
        gate.set()
        if not connecting.done():
            connecting.cancel()
            with contextlib.suppress(BaseException):
                await connecting
    assert (client.frames[0]["type"], client.frames[0]["seq"], client.private["pseq"]) == ("snapshot", at, 1)
    await client.settle()
    await client.settle_private()
    await client.expect_nothing(0.2)
    # Exactly the events after its snapshot (none of the first burst, though relayed to it while it
    # read), and its own second note, once.
    frames = event_frames(client)
    assert [s for f in frames if "pseq" not in (f["events"][0] if f["type"] == "batch" else f) for s in seqs(f)] \
        == [at + 1, at + 2]
    assert [e["pseq"] for e in client.member_events] == [2]
    assert (client.seq, client.state, client.private) == await fresh(hub, "alice")
