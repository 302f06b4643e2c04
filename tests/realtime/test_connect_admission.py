"""The morning rush (issue 9 item 5): a storm of connects degrades into a queue, and work queued
for a client that has gone is dropped.

Personas (tests/conftest.py): alice and bob (delegates), guest, the display and the public
connect while the hub's read threads are held busy, as they are when 500 tablets reconnect at
once. A process reads for its connects on HUB_CONNECTS_AT_ONCE threads (realtime.consumers);
what waits for them is read from their queue and from the queries they run.
"""

import asyncio
import threading

import pytest
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import override_settings

from realtime.consumers import CLOSE_TRY_AGAIN_LATER, _relay

from .hub import ORIGIN, HubClient, Refused, _application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def on_read_threads(func):
    """Run func on the process's hub read threads (this test's event loop has its own)."""
    return asyncio.get_running_loop().run_in_executor(_relay().readers, func)


class BusyReadThreads:
    """Holds every hub read thread with a job that waits until released."""

    def __init__(self):
        self.release_event = threading.Event()
        self.jobs = []

    async def __aenter__(self):
        self.jobs = [on_read_threads(self.release_event.wait) for _ in range(_relay().readers._max_workers)]
        await asyncio.sleep(0.05)
        return self

    async def release(self):
        self.release_event.set()
        await asyncio.gather(*self.jobs)

    async def __aexit__(self, *exc):
        await self.release()


def queued_on_read_threads() -> int:
    return _relay().readers._work_queue.qsize()


class Queries:
    """Every query the hub's read thread runs (HUB_CONNECTS_AT_ONCE=1: one), with its parameters."""

    def __init__(self):
        self.seen = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append((sql, repr(params)))
        return execute(sql, params, many, context)

    async def __aenter__(self):
        # `connection` looked up on that thread (each thread has its own).
        await on_read_threads(lambda: connection.execute_wrappers.append(self))
        return self

    async def __aexit__(self, *exc):
        await on_read_threads(lambda: connection.execute_wrappers.remove(self))

    def mentioning(self, text: str) -> int:
        return sum(text in params for _sql, params in self.seen)


def communicator(sitting_id, cookie):
    headers = [(b"host", b"127.0.0.1"), (b"origin", ORIGIN)]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(_application(), f"/ws/sitting/{sitting_id}/", headers=headers)


async def snapshot_of(comm, sitting_id, timeout=5):
    client = HubClient(sitting_id, comm)
    message = await client.receive(timeout)
    assert message["type"] == "snapshot"
    return client


@override_settings(HUB_CONNECTS_AT_ONCE=1)
async def test_a_connect_whose_client_left_while_it_waited_reads_nothing(sitting, cookies, hub):
    async with Queries() as queries:
        async with BusyReadThreads() as busy:
            alice = communicator(sitting.pk, cookies["alice"])
            await alice.send_input({"type": "websocket.connect"})
            await asyncio.sleep(0.1)
            # The tablet goes (its Wi-Fi, a reload) before the hub got to its connect.
            await alice.send_input({"type": "websocket.disconnect", "code": 1006})
            await asyncio.sleep(0.1)
            await busy.release()
        await alice.wait(timeout=5)
        # The read thread is free and serves the next connect in full.
        bob = await hub.connect("bob")
        assert bob.seq == 0
    assert queries.mentioning(cookies["bob"]) >= 1  # bob's session was read: the count sees it
    # Nothing was done for alice: not even her session was read.
    assert queries.mentioning(cookies["alice"]) == 0


@override_settings(HUB_CONNECTS_AT_ONCE=2)
async def test_a_storm_of_connects_waits_its_turn_and_every_one_gets_its_snapshot(sitting, cookies):
    who = ["alice", "bob", "guest", "display", "public"]
    comms = [communicator(sitting.pk, cookies[name]) for name in who]
    try:
        async with BusyReadThreads() as busy:
            for comm in comms:
                await comm.send_input({"type": "websocket.connect"})
            for comm in comms:  # accepted at once, not when their turn comes
                assert (await comm.receive_output(1))["type"] == "websocket.accept"
            await asyncio.sleep(0.2)
            # Two connects' reads wait for the read threads, not five: the others wait their
            # turn, and a client that leaves meanwhile costs nothing more.
            assert queued_on_read_threads() == 2
            await busy.release()
        clients = [await snapshot_of(comm, sitting.pk) for comm in comms]
        assert [c.you["role"] for c in clients] == ["delegate", "delegate", "guest", "display", "public"]
    finally:
        for comm in comms:
            await comm.disconnect()


@override_settings(HUB_CONNECTS_AT_ONCE=1, HUB_CONNECT_QUEUE=1)
async def test_beyond_the_queue_a_connect_is_told_to_try_again_later(sitting, cookies):
    alice, bob, guest = (communicator(sitting.pk, cookies[name]) for name in ("alice", "bob", "guest"))
    try:
        async with BusyReadThreads():
            for comm in (alice, bob):
                assert (await comm.connect())[0] is True
            await asyncio.sleep(0.1)
            accepted, _ = await guest.connect()
            assert accepted is True
            with pytest.raises(Refused) as refused:
                await HubClient(sitting.pk, guest).receive()
            assert refused.value.code == CLOSE_TRY_AGAIN_LATER == 4503
        # The queue itself is served: the two waiting get their snapshots.
        for comm in (alice, bob):
            await snapshot_of(comm, sitting.pk)
        # And once it has room, the one told to try again later gets in.
        again = communicator(sitting.pk, cookies["guest"])
        assert (await again.connect())[0] is True
        await snapshot_of(again, sitting.pk)
        await again.disconnect()
    finally:
        for comm in (alice, bob):
            await comm.disconnect()


async def test_the_chairs_command_does_not_wait_behind_a_storm_of_connects(sitting, cookies, hub):
    chair = await hub.connect("chair")
    comms = [communicator(sitting.pk, cookies[name]) for name in ("alice", "bob", "guest", "display", "public")]
    try:
        async with BusyReadThreads():
            for comm in comms:
                await comm.send_input({"type": "websocket.connect"})
            await asyncio.sleep(0.1)
            # Their reads wait; the chair's command (a write, on the command thread) does not.
            await chair.ok("sitting.open")
        for comm in comms:
            assert (await comm.receive_output(1))["type"] == "websocket.accept"
            client = await snapshot_of(comm, sitting.pk)
            assert client.state["sitting"]["status"] == "live"  # their snapshots come after the change
    finally:
        for comm in comms:
            await comm.disconnect()
