"""No client stays behind unnoticed (issue 9): the ping reply and a regular heartbeat
tell every connection the sitting's current seq, so a client that missed events
(Redis down, a worker dead between commit and publish) learns it within one
heartbeat, syncs, and ends with exactly the state of a fresh snapshot."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from .hub import current_seq
from .downable_layer import DOWNABLE, DownableLayer
from .test_replay import AUDIENCES, fresh

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick_heartbeat(settings):
    settings.HUB_HEARTBEAT_SECONDS = 0.2


@pytest.fixture
def downable_layer(settings):
    settings.CHANNEL_LAYERS = DOWNABLE
    DownableLayer.down = False
    yield DownableLayer
    DownableLayer.down = False


async def test_the_ping_reply_carries_the_sittings_current_seq(hub):
    chair = await hub.connect("chair")
    alice = await hub.connect("alice")
    await chair.ok("sitting.open")
    await chair.ok("agenda.next")
    reply = await alice.ok("ping")
    assert reply["seq"] == await database_sync_to_async(current_seq)(chair.sitting_id) == 2


async def test_every_connection_hears_the_current_seq_in_a_heartbeat(hub, quick_heartbeat):
    watchers = {persona: await hub.connect(persona) for persona in AUDIENCES}
    await watchers["chair"].ok("sitting.open")
    await watchers["chair"].ok("sitting.announce", {"text": "Đề nghị các đại biểu về chỗ ngồi."})
    server_seq = await database_sync_to_async(current_seq)(watchers["chair"].sitting_id)
    assert server_seq == 2
    for persona, watcher in watchers.items():
        heartbeat = await watcher.receive_heartbeat()
        while heartbeat["seq"] < server_seq:  # one read before the last commit
            heartbeat = await watcher.receive_heartbeat()
        assert heartbeat["seq"] == server_seq, persona


async def test_clients_that_missed_events_while_redis_was_down_learn_it_from_the_heartbeat_and_sync(
        hub, quick_heartbeat, downable_layer):
    watchers = {persona: await hub.connect(persona) for persona in AUDIENCES}
    chair = watchers["chair"]
    await chair.ok("sitting.open")
    await chair.ok("agenda.next")
    for watcher in watchers.values():
        await watcher.settle()
    downable_layer.down = True
    # The chair moves on while no event can be published; the reply is not this test's subject.
    await chair.reply_to(await chair.send("agenda.next"))
    await chair.reply_to(await chair.send("sitting.announce", {"text": "Giải lao 15 phút."}))
    server_seq = await database_sync_to_async(current_seq)(chair.sitting_id)
    assert server_seq == 4
    for persona, watcher in watchers.items():
        assert watcher.seq == 2, f"{persona} got an event the layer could not have carried"
        heartbeat = await watcher.receive_heartbeat()
        while heartbeat["seq"] < server_seq:  # a heartbeat read before the last commit
            heartbeat = await watcher.receive_heartbeat()
        assert heartbeat["seq"] > watcher.seq
        await watcher.catch_up()
        assert (watcher.seq, watcher.state) == await fresh(chair.sitting_id, AUDIENCES[persona]), persona


def unpublished(sitting_id: int) -> list[int]:
    from realtime.models import SittingEvent

    return list(SittingEvent.objects.filter(sitting_id=sitting_id, published_at__isnull=True)
                .order_by("seq").values_list("seq", flat=True))


async def test_events_committed_while_redis_was_down_are_published_from_the_log_when_it_is_back(
        hub, quick_heartbeat, downable_layer, settings):
    settings.HUB_PUBLISH_TIMEOUT_MS = 50
    chair = await hub.connect("chair")
    alice = await hub.connect("alice")
    await chair.ok("sitting.open")
    await alice.settle()
    # The opening is marked published just after it is sent (Alice may have it first): wait for it.
    async with asyncio.timeout(10):
        while await database_sync_to_async(unpublished)(chair.sitting_id):
            await asyncio.sleep(0.02)
    downable_layer.down = True
    await chair.reply_to(await chair.send("agenda.next"))
    assert await database_sync_to_async(unpublished)(chair.sitting_id) == [2]
    downable_layer.down = False
    # Alice does not sync: the event reaches her live, republished from the stored log.
    async with asyncio.timeout(10):  # heartbeats keep arriving meanwhile: bound the whole wait
        event = await alice.receive_event()
        while event["seq"] <= 1:
            # The opening again: a beat's recovery that read it before it was marked published may
            # send it once more; a client drops a seq it has (docs/protocol.md), as Alice's does.
            event = await alice.receive_event()
    assert (event["type"], event["seq"]) == ("agenda.current", 2)
    assert (alice.seq, alice.state) == await fresh(chair.sitting_id, "delegate")
    async with asyncio.timeout(10):
        while await database_sync_to_async(unpublished)(chair.sitting_id):
            await alice.receive_heartbeat()  # marked published once sent; wait a beat


@pytest.fixture
def standing(sitting):
    """The demo's other sitting (of the Standing Committee)."""
    from meeting.models import Sitting

    return Sitting.objects.exclude(pk=sitting.pk).get()


async def test_a_heartbeat_costs_the_same_few_queries_however_many_connections_it_reaches(hub, quick_heartbeat,
                                                                                          standing):
    """Two sittings, eight connections: each heartbeat reads the seqs of both sittings in one query
    (and the recovery asks the log once), never once per connection."""
    from django.db import connection

    watchers = [await hub.connect(persona) for persona in ("chair", "secretary", "alice", "bob", "guest", "public")]
    watchers += [await hub.connect(persona, sitting_id=standing.pk) for persona in ("chair", "secretary")]
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # The hub's database work runs on one thread (Channels' database_sync_to_async): count there.
    await database_sync_to_async(lambda: connection.execute_wrappers.append(count))()
    try:
        await watchers[0].receive_heartbeat()
        queries.clear()
        beats = 3
        for _ in range(beats):
            await watchers[0].receive_heartbeat()
    finally:
        await database_sync_to_async(lambda: connection.execute_wrappers.remove(count))()
    for watcher in watchers:  # every connection, of either sitting, hears them
        heartbeat = await watcher.receive_heartbeat()
        assert heartbeat["seq"] == 0
    # Per beat: one seq read and one look at the log (and one at the per-member events' log, once a
    # module stores per-member events: the floor, voting); a beat's recovery may fall on either side
    # of a boundary. However many connections: that is the point.
    from realtime import registry

    per_beat = 3 if any(part.store for part in registry.member_events()) else 2
    assert len(queries) <= per_beat * (beats + 1), queries
