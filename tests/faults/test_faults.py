"""Fault tests (issue 9, item 7): real processes, and services the test starts itself.

One PostgreSQL cluster (initdb into a temporary folder) and one redis-server, both
on spare ports and both the module's own, so that it may kill, freeze and restart
them; two Daphne workers on them; the demo council; a scripted chair and about
twenty terminals that follow the plenary sitting by the protocol's rules
(tests/realtime/cluster.Terminal: reconnect to a worker that is up, sync on a gap
or a heartbeat ahead). After each fault every terminal must end *exact*: its
reduced state equal to a fresh snapshot, as its own audience sees it, at the
database's seq.

The fifth fault of the issue, the same command id sent at once through two
workers, is tests/realtime/test_multiprocess.py::
test_the_same_command_id_through_two_workers_changes_the_sitting_once.

What each fault does to a sitting, from these tests: docs/faults.md.
"""

import asyncio
import collections
import os
import secrets
import time

import pytest

from tests.realtime.cluster import Client, OwnPostgres, OwnRedis, Terminal, Worker, load_demo, sign_in, snapshot_of, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.own_servers]

OUTAGE_S = 10  # how long Redis stays stopped, and frozen (the 10 s)
HEARTBEAT_S = 1  # HUB_HEARTBEAT_SECONDS for the workers: a behind client learns it within a second
PUBLISH_TIMEOUT_MS = 500  # HUB_PUBLISH_TIMEOUT_MS: recovery republishes events older than 4 × this
POOL_TIMEOUT_S = 2  # DATABASE_POOL_TIMEOUT
# Personas following the plenary (public) sitting: staff, two delegates and the public.
PERSONAS = ("db001", "db010", "db011", None)
FOLLOWERS = 20


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    """PostgreSQL and Redis of the module's own, two Daphne workers, the demo council."""
    logs = tmp_path_factory.mktemp("faults")
    postgres = redis = None
    workers = []
    try:
        postgres = OwnPostgres()
        redis = OwnRedis(logs)
        postgres.start()
        redis.start()
        # What migrate leaves, copied from pytest's migrated test database; else created and migrated here.
        migrated = postgres.create_migrated("hub")
        if not migrated:
            with postgres.connect() as admin:
                admin.execute('CREATE DATABASE "hub"')
        env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE")}
        env.update({
            "DATABASE_URL": postgres.url("hub"),
            "REDIS_URL": redis.url,
            "CHANNEL_PREFIX": f"faults{secrets.token_hex(4)}",
            "SECRET_KEY": secrets.token_hex(32),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "HUB_HEARTBEAT_SECONDS": str(HEARTBEAT_S),
            "HUB_PUBLISH_TIMEOUT_MS": str(PUBLISH_TIMEOUT_MS),
            # With PostgreSQL down every database call waits this long for a pooled connection, on
            # the worker's one database thread (10 s by default: docs/faults.md).
            "DATABASE_POOL_TIMEOUT": str(POOL_TIMEOUT_S),
        })
        sittings = load_demo(env, migrate=not migrated)
        workers = Worker.start_together(Worker("a", env, logs), Worker("b", env, logs))
        sessions = {name: sign_in(workers[0].base, name) if name else None for name in PERSONAS}
        db = postgres.connect("hub")
        chair_pk = db.execute("SELECT id FROM auth_user WHERE username = 'db001'").fetchone()[0]
        db.close()
        yield Hall(postgres, redis, workers, sittings, sessions, chair_pk)
    finally:
        for worker in workers:
            worker.kill()
        if redis is not None:
            redis.destroy()
        if postgres is not None:
            postgres.destroy()


class Hall:
    def __init__(self, postgres, redis, workers, sittings, sessions, chair_pk):
        self.postgres, self.redis, self.workers = postgres, redis, workers
        self.sitting_id, self.standing_id = sittings["plenary"], sittings["standing"]
        self.sessions, self.chair_pk = sessions, chair_pk

    def sql(self, query: str, *params):
        with self.postgres.connect("hub") as db:
            return db.execute(query, params).fetchall()

    def seq(self) -> int:
        return self.seq_of(self.sitting_id)

    def seq_of(self, sitting_id: int) -> int:
        return self.sql("SELECT seq FROM meeting_sitting WHERE id = %s", sitting_id)[0][0]

    def outcome(self, command_id: str):
        """The stored outcome (ok, error) of one of the chair's commands, or None."""
        rows = self.sql("SELECT ok, error FROM realtime_commandoutcome WHERE who = %s AND sitting_id = %s "
                        "AND command_id = %s", f"user:{self.chair_pk}", self.sitting_id, f"s:{command_id}")
        return rows[0] if rows else None

    def ensure_up(self):
        """Every service and worker running, as the next test expects (a failed test may have left one down)."""
        if not self.postgres.running():
            self.postgres.start()
        if self.redis.proc.poll() is not None:
            self.redis.start()
        else:
            self.redis.thaw()
        for worker in self.workers:
            if not worker.alive:
                worker.start()

    async def follow(self, *, chair_home: int = 0, catch_up: bool = True) -> tuple[Terminal, list[Terminal]]:
        """The chair's console and FOLLOWERS terminals, spread over both workers and the personas."""
        chair = await Terminal("chair", self.workers, self.sitting_id, self.sessions["db001"], home=chair_home).start()
        followers = []
        for n in range(FOLLOWERS):
            persona = PERSONAS[n % len(PERSONAS)]
            terminal = Terminal(f"t{n}-{persona or 'public'}", self.workers, self.sitting_id, self.sessions[persona],
                                home=n % 2, catch_up=catch_up)
            terminal.persona = persona
            followers.append(terminal)
        await asyncio.gather(*(t.start() for t in followers))
        chair.persona = "db001"
        if chair.state.state["sitting"]["status"] != "live":
            await chair.ok("sitting.open")
        return chair, followers

    async def assert_exact(self, terminals: list[Terminal], timeout: float = 90):
        """Every terminal reaches the database's seq, and its state is a fresh snapshot's at that seq."""
        seq = self.seq()
        await wait_until(lambda: all(t.state.seq == seq for t in terminals), timeout,
                         f"every terminal at seq {seq} (behind: "
                         f"{[(t.name, t.state.seq) for t in terminals if t.state.seq != seq]})")
        fresh = {}
        for persona in {t.persona for t in terminals}:
            fresh[persona] = await snapshot_of(self.workers, self.sitting_id, self.sessions[persona])
        assert self.seq() == seq, "the sitting moved while the terminals were compared"
        wrong = [t.name for t in terminals if (t.state.seq, t.state.state) != fresh[t.persona]]
        assert not wrong, f"terminals not exact at seq {seq}: {wrong}"
        print(f"{len(terminals)} terminals exact at seq {seq}: {sum(t.connects for t in terminals)} connects, "
              f"{sum(t.syncs for t in terminals)} syncs, {sum(t.events_applied for t in terminals)} events applied")


    async def assert_live(self, terminals: list[Terminal]):
        """Events flow live again: with catching up turned off, one more change reaches every terminal
        (through the channel layer, or the recovery's republication; not through a sync)."""
        for t in terminals:
            t.catch_up = False
        syncs = [t.syncs for t in terminals]
        await terminals[0].ok("sitting.announce", {"text": "Kiểm tra cập nhật trực tiếp"})
        seq = self.seq()
        await wait_until(lambda: all(t.state.seq == seq for t in terminals), 60,
                         f"every terminal at seq {seq} without a sync")
        assert [t.syncs for t in terminals] == syncs


class Chair:
    """A scripted chair: moves through the agenda (forward, then back), announcing between moves.
    Keeps every reply, for the checks against the stored outcomes."""

    def __init__(self, terminal: Terminal):
        self.terminal = terminal
        self.current = terminal.state.state["agenda"]["current_item_id"]
        self.forward = True
        self.replies: list[dict] = []
        self.steps = 0

    async def step(self) -> dict:
        self.steps += 1
        started = time.monotonic()
        if self.steps % 3 == 0:
            reply = await self.terminal.command("sitting.announce", {"text": f"Thông báo số {self.steps}"})
        else:
            cmd = "agenda.next" if self.forward else "agenda.previous"
            reply = await self.terminal.command(cmd, {"expect_current": self.current})
            if reply["ok"]:
                self.current = reply["data"]["current_item_id"]
            elif reply["error"]["code"] == "no_such_item":
                self.forward = not self.forward  # the end (or the start) of the agenda
            elif reply["error"]["code"] == "stale":
                self.current = reply["error"]["current"]["item_id"]
        reply["took_s"] = round(time.monotonic() - started, 2)  # reported, never asserted
        self.replies.append(reply)
        return reply

    def report(self, what: str):
        """One line for the log (-rP): what the chair saw, for docs/faults.md."""
        codes = collections.Counter("ok" if r["ok"] else r["error"]["code"] for r in self.replies)
        slowest = max(r["took_s"] for r in self.replies)
        print(f"{what}: {len(self.replies)} commands {dict(codes)}, slowest reply {slowest} s "
              f"(a loaded machine: for the record only)")

    async def step_works(self) -> bool:
        """One step; False when it was refused `unavailable` (the database cannot be reached)."""
        reply = await self.step()
        return reply["ok"] or reply["error"]["code"] != "unavailable"

    async def drive(self, steps: int):
        for _ in range(steps):
            await self.step()

    async def drive_until(self, stop: asyncio.Event):
        while not stop.is_set():
            await self.step()
            await asyncio.sleep(0.05)


async def stop_all(terminals):
    await asyncio.gather(*(t.stop() for t in terminals))


async def test_a_worker_killed_mid_sitting_its_terminals_come_back_exact_through_the_other(hall):
    hall.ensure_up()
    chair, followers = await hall.follow(chair_home=1)  # the chair's console is on worker b
    try:
        script = Chair(chair)
        await script.drive(4)
        stop = asyncio.Event()
        driving = asyncio.get_running_loop().create_task(script.drive_until(stop))
        await asyncio.sleep(0.5)
        hall.workers[1].kill()  # SIGKILL, mid-sitting, while the chair drives
        await wait_until(lambda: all(t.worker is hall.workers[0] for t in [chair, *followers]), 60,
                         "every terminal reconnected to worker a")
        stop.set()
        await driving
        await script.drive(3)
        # Every command had one outcome, none was refused but by the agenda's own end.
        assert all(r["ok"] or r["error"]["code"] == "no_such_item" for r in script.replies), script.replies
        script.report("worker killed")
        await hall.assert_exact([chair, *followers])
        await hall.assert_live([chair, *followers])
    finally:
        await stop_all([chair, *followers])
        hall.ensure_up()


async def test_a_worker_killed_between_commit_and_publish_the_event_still_reaches_everyone(hall):
    """Redis frozen, so the committed event cannot be published; the worker that committed it
    is killed; Redis thaws. The event must reach every terminal of the other worker by itself:
    these terminals do not sync on a heartbeat, only the recovery's republication can bring it."""
    hall.ensure_up()
    chair, followers = await hall.follow(chair_home=1, catch_up=False)
    try:
        script = Chair(chair)
        await script.drive(2)
        await hall.assert_exact([chair, *followers])
        on_a = [t for t in followers if t.worker is hall.workers[0]]
        assert on_a
        hall.redis.freeze()
        reply = await chair.command("sitting.announce", {"text": "Công bố kết quả biểu quyết"})
        assert reply["ok"], reply  # committed: the reply says so, publishing or not
        seq = hall.seq()
        assert hall.sql("SELECT published_at FROM realtime_sittingevent WHERE sitting_id = %s AND seq = %s",
                        hall.sitting_id, seq) == [(None,)]
        hall.workers[1].kill()
        hall.redis.thaw()
        await wait_until(lambda: all(t.state.seq == seq for t in on_a), 60,
                         f"the terminals of worker a at seq {seq}")
        assert all(t.syncs == 0 and t.connects == 1 for t in on_a)  # they got it as an event, live
        assert all(t.state.state["announcement"]["text"] == "Công bố kết quả biểu quyết" for t in on_a)
        await wait_until(lambda: hall.sql("SELECT published_at IS NOT NULL FROM realtime_sittingevent "
                                          "WHERE sitting_id = %s AND seq = %s", hall.sitting_id, seq) == [(True,)],
                         30, "the event marked published by the recovery")
        await hall.assert_exact([chair, *followers])
    finally:
        hall.redis.thaw()
        await stop_all([chair, *followers])
        hall.ensure_up()


async def connect_everywhere(hall):
    """A new connection to each worker gets its snapshot: to the sitting the hall follows, and to
    one nobody follows (its channel-layer groups are new on that worker: subscribing needs Redis)."""
    for worker in hall.workers:
        for sitting_id in (hall.sitting_id, hall.standing_id):
            client = await Client.connect(worker, sitting_id, hall.sessions["db001"])
            await client.close()
            assert client.state.seq <= hall.seq_of(sitting_id)


async def _outage(hall, what, begin, end, connect_during: bool):
    """The chair drives through an outage of OUTAGE_S seconds; every reply must be the truth."""
    chair, followers = await hall.follow()
    try:
        script = Chair(chair)
        await script.drive(3)
        stop = asyncio.Event()
        driving = asyncio.get_running_loop().create_task(script.drive_until(stop))
        before = len(script.replies)
        begin()
        outage = asyncio.get_running_loop().create_task(asyncio.sleep(OUTAGE_S))
        if connect_during:
            await connect_everywhere(hall)
            # And a terminal on each worker that comes during the outage and stays: it must end
            # exact and live like those that were there before (its worker's relay may have to
            # join the layer's groups again once the layer is back).
            late = [Terminal(f"late{n}", hall.workers, hall.sitting_id, hall.sessions["db010"], home=n) for n in (0, 1)]
            for terminal in late:
                terminal.persona = "db010"
            await asyncio.gather(*(t.start() for t in late))
            followers = [*followers, *late]
            assert not outage.done(), "connecting took the whole outage"
        await outage
        during = len(script.replies) - before
        end()
        await asyncio.sleep(1)
        stop.set()
        await driving
        await script.drive(3)
        # Commands were answered during the outage, and every answer is the truth: an ok reply
        # has its outcome stored (the change committed); no refusal hides a change that committed.
        assert during >= 2, f"only {during} command(s) answered in {OUTAGE_S} s of outage"
        for reply in script.replies:
            stored = hall.outcome(reply["id"])
            if reply["ok"] or reply["error"]["code"] in ("stale", "no_such_item"):
                assert stored is not None and stored[0] == reply["ok"], (reply, stored)
            else:
                assert reply["error"]["code"] != "internal" or stored is None, (reply, stored)
        script.report(f"{what}, {during} answered during the outage")
        await hall.assert_exact([chair, *followers])
        await hall.assert_live([chair, *followers])
        return script, followers
    finally:
        await stop_all([chair, *followers])
        hall.ensure_up()


async def test_redis_stopped_for_10_s_commands_answered_truthfully_and_terminals_exact_after(hall):
    hall.ensure_up()
    script, _ = await _outage(hall, "Redis stopped", hall.redis.kill, hall.redis.start, connect_during=True)
    assert all(r["ok"] or r["error"]["code"] == "no_such_item" for r in script.replies), script.replies


async def test_a_terminal_connects_while_redis_is_stopped(hall):
    # It failed with HTTP 500: Channels gave every consumer a layer channel of its own (a Redis
    # SUBSCRIBE). Connections now have none; the relay joins its groups when Redis is back.
    hall.ensure_up()
    hall.redis.kill()
    try:
        await connect_everywhere(hall)
    finally:
        hall.redis.start()
        hall.ensure_up()


async def test_redis_frozen_for_10_s_commands_answered_truthfully_and_terminals_exact_after(hall):
    hall.ensure_up()
    script, _ = await _outage(hall, "Redis frozen", hall.redis.freeze, hall.redis.thaw, connect_during=True)
    assert all(r["ok"] or r["error"]["code"] == "no_such_item" for r in script.replies), script.replies


async def test_postgresql_restarted_commands_refused_cleanly_while_it_is_down(hall):
    hall.ensure_up()
    chair, followers = await hall.follow()
    try:
        script = Chair(chair)
        await script.drive(3)
        hall.postgres.stop("fast")
        refused = []
        for n in range(3):
            started = time.monotonic()
            refused.append(await chair.command("sitting.announce", {"text": f"Khi mất cơ sở dữ liệu {n}"}))
            print(f"PostgreSQL down: {refused[-1]['error']['code'] if not refused[-1]['ok'] else 'ok'} "
                  f"after {time.monotonic() - started:.2f} s (for the record only)")
        assert [r["ok"] or r["error"]["code"] for r in refused] == ["unavailable"] * 3, refused
        ping = await chair.command("ping")  # the link works: answered, with the seq unknown
        assert ping["ok"] and ping["data"]["seq"] is None, ping
        assert all(w.alive for w in hall.workers)
        assert all(t.connects == 1 for t in [chair, *followers])  # no socket was closed
        hall.postgres.start()
        assert all(hall.outcome(r["id"]) is None for r in refused)  # nothing of them was stored
        # Back: commands work again, by themselves, within a bounded wait (the workers' connection
        # pools reconnect with a backoff); meanwhile still `unavailable`, and nothing stored.
        await wait_until(script.step_works, 60, "a command carried out after the restart")
        # A pool's idle connections from before a restart fail at their first use: end every
        # connection of the workers (as the restart did), and the next commands must still work.
        hall.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'hub' "
                 "AND pid <> pg_backend_pid()")
        await script.drive(3)
        refused += [r for r in script.replies if not r["ok"] and r["error"]["code"] == "unavailable"]
        assert all(hall.outcome(r["id"]) is None for r in refused)
        script.replies = [r for r in script.replies if r not in refused]
        script.report("after PostgreSQL restarted")
        assert all(r["ok"] or r["error"]["code"] == "no_such_item" for r in script.replies), [r.get("error") for r in script.replies]
        await hall.assert_exact([chair, *followers])
        await hall.assert_live([chair, *followers])
    finally:
        await stop_all([chair, *followers])
        hall.ensure_up()
