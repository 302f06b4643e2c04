"""After a failover, clients spread back over the workers (issue 9 item 5).

Two real Daphne workers on a PostgreSQL database of the test's own and Redis (a channel prefix of
its own). Worker b is up with no connection, as a worker is once restarted after it died and its
clients reconnected to a; the clients of a follow the sitting. Each worker writes its connection
count to Redis every heartbeat (1 s here) and one well above the workers' mean asks half of the
excess among its idle terminals and public viewers to reconnect with 4503 (realtime/consumers.py,
_Balancer). Here the test is the proxy: a client asked to reconnect comes back on the worker with
fewer connections, as nginx's least_conn sends it (deploy/nginx.conf).

4503 is also what a worker closes a connect with when its queue of connects is full. It was 1013,
the standard "Try Again Later", which Daphne's WebSocket library does not let a server send: the
close raised in the worker, and the client got 1011 (internal error) and came back at once.
"""

import asyncio
import contextlib

import pytest
import websockets

from .cluster import Client, Worker, open_socket, sign_in
from .test_multiprocess import own_database

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.asyncio, pytest.mark.own_servers]

MIN_EXCESS = 4


@contextlib.contextmanager
def workers_on_own_database(tmp_path_factory, **settings):
    """Workers a and b (not started) on a database of their own with the demo council, over Redis
    with a channel prefix of their own; yields (a, b, the plenary sitting's id)."""
    with own_database(tmp_path_factory, "test_hub_balance", log_level="WARNING", **settings) as (env, sittings, logs):
        workers = [Worker("a", env, logs), Worker("b", env, logs)]
        try:
            yield workers[0], workers[1], sittings["plenary"]
        finally:
            for worker in workers:
                worker.stop()


@pytest.fixture
def pair(tmp_path_factory):
    with workers_on_own_database(tmp_path_factory, HUB_HEARTBEAT_SECONDS=1, HUB_REBALANCE_MIN_EXCESS=MIN_EXCESS) as (a, b, sitting):
        # b is started by the test, once a has every client: a worker restarted after a failover.
        a.start()
        yield a, b, sitting


class Viewer:
    """A public client of the sitting that reads every frame (so it sees its close at once)."""

    def __init__(self, name, worker, ws):
        self.name, self.worker, self.ws = name, worker, ws
        self.closed = asyncio.get_running_loop().create_task(self._follow())

    @classmethod
    async def open(cls, name, worker, sitting_id):
        ws = await open_socket(worker, sitting_id, None)
        assert '"type":"snapshot"' in (await asyncio.wait_for(ws.recv(), 30)).replace(" ", "")
        return cls(name, worker, ws)

    async def _follow(self):
        try:
            async for _frame in self.ws:
                pass
        except websockets.ConnectionClosed:
            pass
        return self.ws.close_code


@pytest.mark.timeout(300)
async def test_a_worker_well_above_the_mean_sends_idle_clients_to_the_other_until_they_are_even(pair):
    a, b, sitting = pair
    chair = await Client.connect(a, sitting, sign_in(a.base, "db001"))
    chair_closed = asyncio.get_running_loop().create_task(chair.ws.wait_closed())
    viewers = [await Viewer.open(f"v{i}", a, sitting) for i in range(20)]
    await asyncio.sleep(2)
    assert not any(v.closed.done() for v in viewers)  # a alone: nobody to even out with
    await asyncio.get_running_loop().run_in_executor(None, b.start)  # b comes back, with no connection
    moves = []  # (viewer, its worker, close code)
    loop_time = asyncio.get_running_loop().time
    last_move = loop_time()
    deadline = loop_time() + 60
    # The proxy's part: a viewer asked to reconnect comes back on the worker with fewer connections.
    while loop_time() < deadline and loop_time() - last_move < 10:
        await asyncio.sleep(0.2)
        for i, viewer in enumerate(viewers):
            if viewer.closed.done():
                moves.append((viewer.name, viewer.worker, viewer.closed.result()))
                on_a = sum(v.worker is a for v in viewers if not v.closed.done()) + 1  # the chair
                on_b = sum(v.worker is b for v in viewers if not v.closed.done())
                viewers[i] = await Viewer.open(viewer.name, b if on_b < on_a else a, sitting)
                last_move = loop_time()
    on_a = sum(v.worker is a for v in viewers) + 1
    on_b = sum(v.worker is b for v in viewers)
    # a had 21 and b none: the mean 10.5, a asked ceil(10.5 / 2) = 6, then (15 against 6) 3 more; then
    # 12 against 9 is within MIN_EXCESS of the mean and nothing moves any more (10 s quiet above).
    assert moves, "nobody was asked to reconnect"
    assert {(worker.name, code) for _name, worker, code in moves} == {("a", 4503)}  # a only, "try again later"
    assert on_a - (on_a + on_b) / 2 < MIN_EXCESS
    assert 6 <= len(moves) <= 12, moves
    assert not chair_closed.done()  # a console is never asked
    await chair.command("ping")
    for viewer in viewers:
        await viewer.ws.close()
    await chair.close()
    assert "hub balance: 21 connection(s) here, the 2 workers' mean" in a.log_text()
    assert "hub balance" not in b.log_text()


@pytest.fixture
def no_queue(tmp_path_factory):
    with workers_on_own_database(tmp_path_factory, HUB_CONNECTS_AT_ONCE=1, HUB_CONNECT_QUEUE=0) as (a, _b, sitting):
        yield a.start(), sitting


async def test_a_connect_beyond_a_full_queue_is_closed_with_4503_over_a_real_socket(no_queue):
    worker, sitting = no_queue

    async def connect():
        ws = await open_socket(worker, sitting, None)
        try:
            frame = await asyncio.wait_for(ws.recv(), 20)
            return "snapshot" if '"snapshot"' in frame else frame
        except websockets.ConnectionClosed:
            return ws.close_code
        finally:
            await ws.close()

    # One connect reads at a time and none may wait: of 40 at once (the first builds the snapshot),
    # the others are told to try again later, each at once, none left waiting.
    outcomes = await asyncio.gather(*(connect() for _ in range(40)))
    assert set(outcomes) == {"snapshot", 4503}, outcomes
    assert "invalid close code" not in worker.log_text()
