"""What one connect costs the database (issue 9 item 5, the morning rush): counted, so it cannot
grow back unnoticed. 520 tablets reconnect at once; every query and every trip to a read thread
of a connect is paid 520 times, queued behind the others.

A connect is ONE trip to a hub read thread (realtime.consumers.SittingConsumer._resolve_and_read):
the session, the sitting's row (its seq is the snapshot's), the user, what the role needs to know
of them (accounts.permissions: one query for the permission, the member and the membership), or
the display device with its display; the snapshot at that seq is built once and shared
(realtime.snapshot). Personas: tests/conftest.py.
"""

import asyncio
import threading

import pytest
from django.db import connection
from django.test import override_settings

from realtime import registry
from realtime.consumers import _relay

from .hub import HubClient
from .test_connect_admission import Queries, communicator, on_read_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

# Queries of one connect once the sitting's snapshot at its seq is built (the first connect's).
QUERIES = {
    "chair": 3,  # session, sitting, user (the chair is named by the sitting)
    "secretary": 3,  # the same
    # session, sitting, user, and the delegate's role facts in one query; then what the member alone
    # sees (realtime.private.you_for, decision 0008): the sitting with the member's pseq, each
    # registered `you` part (you.floor, you.vote, you.video: one query each), and the marks again
    "alice": 4 + 5,
    "guest": 4 + 5,  # the same: an invited member of the body
    "display": 3,  # session, sitting, device with its display
    "public": 1,  # the sitting (no session cookie)
}


class Trips:
    """Counts the jobs a connect hands the hub's read threads (each one a hop there and back,
    queued behind every other connect's in a storm)."""

    def __init__(self):
        self.count = 0

    def __enter__(self):
        readers = _relay().readers
        submit = readers.submit

        def counted(*args, **kwargs):
            self.count += 1
            return submit(*args, **kwargs)

        readers.submit = counted
        return self

    def __exit__(self, *exc):
        del _relay().readers.submit


@override_settings(HUB_CONNECTS_AT_ONCE=1)
async def test_a_connect_is_one_read_of_a_few_queries(sitting, cookies, hub):
    await hub.connect("chair")  # builds the snapshot at this seq, for every connect after it
    seen = {}
    for who in QUERIES:
        async with Queries() as queries:
            with Trips() as trips:
                client = await hub.connect(who)
        assert client.seq == 0 and client.state["sitting"]["id"] == sitting.pk
        seen[who] = (trips.count, len(queries.seen))
    assert seen == {who: (1, n) for who, n in QUERIES.items()}, seen


class PauseAfterSittingRead:
    """On the read thread: once a connect has read the sitting's row (and with it the seq its
    snapshot will be at), wait until released, before its next query (the row fetched: SQLite
    locks the table while a statement is open)."""

    def __init__(self, table):
        self.marker = f'"{table}"."secretary_id"'
        self.sitting_read = False
        self.reached = threading.Event()
        self.released = threading.Event()

    def __call__(self, execute, sql, params, many, context):
        if self.sitting_read and not self.reached.is_set():
            self.reached.set()
            self.released.wait(10)
        self.sitting_read = self.sitting_read or self.marker in sql
        return execute(sql, params, many, context)

    async def __aenter__(self):
        await on_read_threads(lambda: connection.execute_wrappers.append(self))
        return self

    async def __aexit__(self, *exc):
        self.released.set()
        await on_read_threads(lambda: connection.execute_wrappers.remove(self))


@override_settings(HUB_CONNECTS_AT_ONCE=1)
async def test_an_event_committed_while_a_connect_reads_follows_its_snapshot(sitting, cookies, hub):
    """The connect is relayed its sitting's events (every audience's) from before its read, and
    keeps its own audience's: a change committed after its read took the seq reaches it once,
    shaped for it, right after the snapshot."""
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    bob = await hub.connect("bob")  # the snapshot at this seq is built and cached
    seq = bob.seq
    async with PauseAfterSittingRead(type(sitting)._meta.db_table) as pause:
        alice = communicator(sitting.pk, cookies["alice"])
        await alice.send_input({"type": "websocket.connect"})
        assert (await alice.receive_output(1))["type"] == "websocket.accept"
        assert await asyncio.get_running_loop().run_in_executor(None, pause.reached.wait, 5)
        # Alice's read has the seq; the chair moves the hall on before her snapshot is sent.
        await chair.ok("agenda.next")
        await bob.settle()  # the relay has the event (and gave it to alice's connect too)
        pause.released.set()
        client = HubClient(sitting.pk, alice)
        snapshot = await client.receive()
        if registry.you_parts("delegate"):
            # What the member alone sees is read between two reads of the seq (decision 0008): the
            # second met the event, so the connect took a fresh snapshot with it, and no event follows.
            assert snapshot["type"] == "snapshot" and snapshot["seq"] == seq + 1
        else:
            assert snapshot["type"] == "snapshot" and snapshot["seq"] == seq
            event = await client.receive_event()
            assert event["seq"] == seq + 1
        await client.expect_nothing(0.2)  # once: not one per audience
    # Her state is the delegates' state now, as a new connect reads it.
    fresh = await hub.connect("bob")
    assert client.seq == fresh.seq == seq + 1
    assert client.state == fresh.state
    await alice.disconnect()
