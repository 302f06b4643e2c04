"""What the relay writes (decision 0013): what the channel layer brought while the relay was writing
reaches each connection as one frame, in seq order with no gap and each event once; under Daphne
a frame is framed once for every connection and written as Daphne itself would have written it;
the heartbeat does not announce events still on their way to this process's connections.
"""

import asyncio
import functools

import pytest
from channels.db import database_sync_to_async
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport

from meeting import services as meeting
from realtime import consumers
from realtime.heartbeat import Ticker
from realtime.models import SittingEvent
from realtime.publish import event_messages, member_messages
from realtime.wire import WIRE, Capture, DaphneWire, Frame, capture
from tests.realtime.toy import hub as toy

from .test_batches import event_frames, on_the_loop, seqs  # noqa: F401 (the fixture)
from .test_registry import toy_module  # noqa: F401 (the fixture)


def stored(sitting_id: int, first: int, last: int) -> dict[int, tuple[int, str, dict]]:
    return {seq: (seq, type_, data) for seq, type_, data in SittingEvent.objects.filter(
        sitting_id=sitting_id, seq__gte=first, seq__lte=last).values_list("seq", "type", "data")}


@pytest.mark.django_db(transaction=True)
async def test_what_the_layer_brought_meanwhile_is_one_frame_per_connection_in_seq_order(
        toy_module, hub, sitting, actors, users, on_the_loop):  # noqa: F811
    clients = {who: await hub.connect(who) for who in ("chair", "alice", "public")}
    await clients["chair"].ok("sitting.open")
    for client in clients.values():
        await client.settle()
    seq = clients["chair"].seq
    alice = clients["alice"].private["member_id"]
    pseq = clients["alice"].private["pseq"]
    before = {who: len(c.frames) for who, c in clients.items()}
    # Four changes committed here, on the loop, so nothing is sent before the relay has been handed
    # the layer's messages below: as from two processes, out of order and one of them twice.
    for i in range(4):
        meeting.announce(actors["chair"], sitting.pk, f"Thông báo {i}")
    toy.poke(actors["chair"], sitting.pk, alice, "một")
    toy.poke(actors["chair"], sitting.pk, alice, "hai")
    log = stored(sitting.pk, seq + 1, seq + 6)
    events = [log[s] for s in sorted(log) if log[s][1] == "sitting.announcement"]
    assert len(events) == 4
    notes = [(alice, p, "toy.poked", data) for p, data in enumerate(
        [{"pokes": n, "note": note} for n, note in ((1, "một"), (2, "hai"))], start=pseq + 1)]
    brought = []
    for run in ([events[0]], [events[2], events[3]], [events[1]], [events[2]]):
        brought += [message for _seqs, messages in event_messages(sitting.pk, run) for _group, message in messages]
    brought += [message for _chunk, message in member_messages(sitting.pk, notes[:1])]
    brought += [message for _chunk, message in member_messages(sitting.pk, notes[1:])]

    await consumers._relay()._deliver(brought)

    for client in clients.values():
        await client.settle()
    await clients["alice"].settle_private()
    announced = [e[0] for e in events]
    for who, client in clients.items():
        got = [f for f in event_frames(client)[:] if client.frames.index(f) >= before[who]]
        sitting_frames = [f for f in got if "pseq" not in (f["events"][0] if f["type"] == "batch" else f)]
        # The first frame is the relay's, with the four in order; the publisher's own sending of
        # them comes after and is dropped by the client as already had.
        assert seqs(sitting_frames[0]) == announced, who
        own = [f for f in got if f not in sitting_frames]
        if who == "alice":
            assert [[e["pseq"] for e in f["events"]] for f in own[:1]] == [[pseq + 1, pseq + 2]]
        else:
            assert own == [], who
    assert clients["alice"].private["pseq"] == pseq + 2


def test_runs_are_consecutive_seqs_in_order():
    parts = [(3, "c"), (4, "d"), (7, "g"), (8, "h"), (10, "j")]
    assert consumers._runs(parts) == [[(3, "c"), (4, "d")], [(7, "g"), (8, "h")], [(10, "j")]]


# ---- under Daphne: framed once, as Daphne frames it ----

def _daphne():
    server = Server(application=None, endpoints=["tcp:port=0:interface=127.0.0.1"])
    server.connections = {}
    server.ws_factory = WebSocketFactory(server, server="Daphne")
    return server


def _open(server):
    """A WebSocket connection of Daphne's, open (past its handshake), writing to a test transport."""
    protocol = server.ws_factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 40000))
    transport = StringTransport()
    protocol.makeConnection(transport)
    protocol.state, protocol.websocket_version = protocol.STATE_OPEN, 13
    protocol.client_addr = ["127.0.0.1", 40000]
    server.connections[protocol] = {}
    return protocol, transport


@pytest.mark.parametrize("size", [10, 200, 70_000])
def test_a_frame_written_directly_is_what_daphne_would_have_written(size):
    server = _daphne()
    text = ('{"type":"sitting.announcement","seq":7,"data":"Kỳ họp thứ hai"}' * (size // 60 + 1))[:size]
    frame = Frame(text)
    direct = [_open(server) for _ in range(3)]
    for protocol, _transport in direct:
        wire = consumers_wire(server, protocol)
        wire.write(frame)
    through, through_transport = _open(server)
    asyncio.run(server.handle_reply(through, {"type": "websocket.send", "text": text}))
    assert through_transport.value()
    assert {transport.value() for _p, transport in direct} == {through_transport.value()}


def consumers_wire(server, protocol) -> DaphneWire:
    """The wire capture() finds for a connection Daphne serves: its send is Daphne's."""
    scopes = []

    async def app(scope, receive, send):
        scopes.append(scope)

    asyncio.run(capture(app)({"type": "websocket"}, None, functools.partial(server.handle_reply, protocol)))
    return scopes[0][WIRE]


def test_a_closing_or_disconnected_connection_gets_nothing():
    server = _daphne()
    closing, closing_transport = _open(server)
    gone, gone_transport = _open(server)
    wires = [consumers_wire(server, p) for p in (closing, gone)]
    closing.state = closing.STATE_CLOSING
    server.connections[gone]["disconnected"] = True
    for wire in wires:
        wire.write(Frame('{"type":"heartbeat","seq":1}'))
    assert (closing_transport.value(), gone_transport.value()) == (b"", b"")


def test_no_wire_for_another_server_or_an_http_request():
    server = _daphne()
    protocol, _transport = _open(server)
    scopes = []

    async def app(scope, receive, send):
        scopes.append(scope)

    async def other_send(message):
        pass

    asyncio.run(capture(app)({"type": "websocket"}, None, other_send))
    asyncio.run(capture(app)({"type": "http"}, None, functools.partial(server.handle_reply, protocol)))
    assert [WIRE in scope for scope in scopes] == [False, False]


def test_the_projects_websocket_application_captures_the_wire():
    from config.asgi import application

    assert isinstance(application.application_mapping["websocket"], Capture)


# ---- the heartbeat waits for events on their way ----

async def test_the_heartbeat_announces_an_event_only_once_written_here_or_seen_a_heartbeat_ago():
    relay = consumers._relay()
    ticker = Ticker(relay)
    sitting_id = 10_000_001  # a sitting of its own in this process's relay
    assert ticker.announced(sitting_id, 40) == 40  # the first heartbeat here: the database's seq
    # A burst: the database is at 90, this process has written up to 55.
    relay.relayed[sitting_id] = 55
    assert ticker.announced(sitting_id, 90) == 55
    # A heartbeat later: 90 was seen then; 60 written since; the database now at 120.
    relay.relayed[sitting_id] = 60
    assert ticker.announced(sitting_id, 120) == 90  # 61-90 still not here: lost, the clients sync
    relay.relayed[sitting_id] = 120
    assert ticker.announced(sitting_id, 120) == 120
    # Another sitting, never written here: the database's first, then what was seen a beat ago.
    assert ticker.announced(sitting_id + 1, 7) == 7
    assert ticker.announced(sitting_id + 1, 9) == 7
    del relay.relayed[sitting_id]


@pytest.mark.django_db(transaction=True)
async def test_a_quiet_sittings_heartbeat_says_the_databases_seq(hub, sitting):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    await chair.settle()
    relay = consumers._relay()
    seqs_now = await database_sync_to_async(lambda: {sitting.pk: sitting.__class__.objects.get(pk=sitting.pk).seq})()
    assert relay.ticker.announced(sitting.pk, seqs_now[sitting.pk]) == chair.seq
    assert relay.ticker.announced(sitting.pk, seqs_now[sitting.pk]) == chair.seq
