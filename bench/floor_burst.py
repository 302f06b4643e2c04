"""Floor burst benchmark: 500 delegates request to speak within 2 s while 20 displays watch (issue 13, item 9).

    .venv/bin/python bench/floor_burst.py                           # 1 Daphne, SQLite, in-memory layer
    .venv/bin/python bench/floor_burst.py --workers 2 --redis --postgres

It starts what it measures as bench/hub_fanout.py does (bench/fanout/servers.py:
a fresh database, `migrate`, `load_demo --delegates N+1`, W Daphne workers, all
torn down at the end) and pairs N terminals, D displays and the chair's console
through the real path (`manage.py issue_tokens`, GET + POST /pair/<token>/, the
`sessionid` cookie). Clients are spread round-robin over the workers.

1. The chair alone connects, opens the sitting and records every delegate
   present (attendance.mark_selected: the body's rules let only delegates
   present request the floor), before anyone else is there to be told.
2. Every terminal and display connects (16 handshakes in flight) and follows
   the sitting by the rules of docs/protocol.md: snapshot, events in seq order,
   `sync` on a gap or on a heartbeat ahead of its seq. A display keeps the ids
   in state.floor.queue (floor.requested, floor.left, floor.queue,
   state.replaced); a terminal keeps its own `you.floor` from floor.mine.
3. The burst: each terminal sends floor.request {"kind": "speech"} once, at a
   random moment within --spread (2 s), each with its own command id.

    ack latency (per request)   = its ok reply received - its frame written
    display latency (per display) = the moment its state.floor.queue holds all N
                                    requests - the moment the last request was written
on one CLOCK_MONOTONIC. A request unanswered within --timeout (30 s) is not
acked; a display short of N at --timeout counts as infinitely late.

4. The database is read (`manage.py shell`): `queued` = delegates with exactly
   one waiting speech request, numbered once, that a fresh snapshot's queue
   shows exactly once, in registration (`number`) order.

The last line is exactly:
    floor-burst requests=500 acked=... queued=... ack_p99_ms=... display_p99_ms=...
p99 is the nearest-rank 99th percentile. Target: acked = queued = N, ack p99 <=
500 ms, display p99 <= 250 ms. Exit status 1 when a request is not acked or not
queued exactly once. Loopback only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time

from fanout.clients import Chair, ClientSpec, _headers, pair_all
from fanout.servers import (PYTHON, ROOT, BenchError, Servers, Target, cpu_ms, loadavg, log, machine, profiling,
                            rss_mib)
from hub_reconnect import pct, wait_until

# A batch of the sitting's events (docs/protocol.md "Batches"), told apart from one of per-member
# events by its first event's `seq`: a terminal passes over it unread, as over a floor.requested.
SITTING_BATCH = re.compile(r'\{"type":"batch","events":\[\{"type":"[a-z._]+","seq":')

DB_FLOOR = """
import json
from floor.models import Request
rows = Request.objects.filter(sitting_id={sitting}).values_list("id", "member_id", "kind", "status", "number",
                                                               "requested_at")
print("FLOOR " + json.dumps([[*row[:5], row[5].timestamp()] for row in rows]))
"""


def now_ns() -> int:
    return time.monotonic_ns()


class Peer:
    """One terminal or display on its WebSocket, following the sitting by the protocol's rules."""

    def __init__(self, i: int, spec: ClientSpec, want: int):
        self.i, self.spec, self.want = i, spec, want
        self.ws = None
        self.task: asyncio.Task | None = None
        self.seq = -1
        self.queue: set[int] = set()
        self.t_full = 0  # when state.floor.queue first held `want` requests (displays)
        self.member_id = None
        self.mine: dict | None = None  # you.floor (terminals)
        self.replies: dict[str, asyncio.Future] = {}
        self.syncs = 0
        self.frames = 0  # frames received (a batch counts once)
        self.frames_before = 0
        self.sync_pending = False
        self.sync_ids: set[str] = set()
        self.n = 0
        self.pending: dict[str, str] = {}  # command id -> frame, unanswered: sent again after a reconnect
        self.closes: list[int | None] = []  # close codes of the connections the server ended
        self.attempts_failed = 0  # handshakes dropped or refused, tried again
        self.lost: str | None = None  # why it never came back
        self.stopping = False
        self.sem: asyncio.Semaphore | None = None
        self.timeout = 30.0
        self.prefix = os.urandom(3).hex()

    @property
    def display(self) -> bool:
        return self.spec.kind == "display"

    # ---- the protocol's client rules (docs/protocol.md, "Sequence numbers") ----

    def _floor(self, state_floor: dict | None, t: int) -> None:
        self.queue = {r["id"] for r in (state_floor or {}).get("queue") or ()}
        self._check(t)

    def _check(self, t: int) -> None:
        if not self.t_full and len(self.queue) >= self.want:
            self.t_full = t

    def _snapshot(self, msg: dict, t: int) -> None:
        self.seq = msg["seq"]
        you = msg.get("you") or {}
        self.member_id = you.get("member_id", self.member_id)
        if "floor" in you:
            self.mine = you["floor"]
        self._floor((msg.get("data") or {}).get("floor"), t)

    def _event(self, msg: dict, t: int) -> None:
        typ, data = msg["type"], msg.get("data") or {}
        if typ == "floor.requested":
            self.queue.add(data["request"]["id"])
        elif typ == "floor.left":
            self.queue.discard(data["request_id"])
        elif typ == "floor.queue":
            self.queue = {r["id"] for r in data["queue"]}
        elif typ == "state.replaced":
            self._floor(data.get("floor"), t)
        self.seq = msg["seq"]
        self._check(t)

    async def _sync(self, delay: float = 0.0, behind: int | None = None) -> None:
        """Ask for what was missed; after a heartbeat ahead (`behind`: its seq), only if the events
        have not arrived within `delay` (as hub.js: they may be on their way)."""
        if self.sync_pending or self.ws is None:
            return
        self.sync_pending = True
        if delay:
            await asyncio.sleep(delay)
        if behind is not None and self.seq >= behind:
            self.sync_pending = False
            return
        self.syncs += 1
        with contextlib.suppress(Exception):
            self.sync_ids.add(f"f{self.prefix}-{self.i}-{self.n + 1}")
            await self.send("sync", {"since_seq": self.seq})

    async def send(self, cmd: str, args: dict) -> tuple[int, asyncio.Future]:
        """Write a command; return (ns just before writing, future of (reply, ns received))."""
        self.n += 1
        corr = f"f{self.prefix}-{self.i}-{self.n}"  # an idempotency key: unique per sender
        fut = asyncio.get_running_loop().create_future()
        self.replies[corr] = fut
        text = json.dumps({"id": corr, "cmd": cmd, "args": args}, separators=(",", ":"))
        self.pending[corr] = text
        t0 = now_ns()
        if self.ws is not None:  # else it goes when the device is back (_come_back)
            with contextlib.suppress(Exception):
                await self.ws.send(text)
        return t0, fut

    def _reply(self, msg: dict, t: int) -> None:
        corr = str(msg.get("in_response"))
        fut = self.replies.pop(corr, None)
        self.pending.pop(corr, None)
        if corr in self.sync_ids:  # the reply to our sync: a fresh snapshot, or the events missed
            self.sync_ids.discard(corr)
            self.sync_pending = False
            if msg.get("type") == "snapshot":
                self._snapshot(msg, t)
            elif msg.get("ok"):
                for ev in (msg.get("data") or {}).get("events") or ():
                    if ev["seq"] == self.seq + 1:
                        self._event(ev, t)
        elif fut is not None and not fut.done():
            fut.set_result((msg, t))

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        ws = self.ws
        with contextlib.suppress(ConnectionClosed, asyncio.CancelledError):
            async for text in ws:
                t = now_ns()
                self.frames += 1
                if not self.display and (text.startswith('{"type":"floor.requested"') or SITTING_BATCH.match(text)):
                    continue  # a terminal draws the queue; the bench needs only its own replies from it
                msg = json.loads(text)
                # A batch frame (docs/protocol.md "Batches"): each of its events as if it came alone.
                for one in (msg["events"] if msg.get("type") == "batch" else (msg,)):
                    self._message(one, t)
        if not self.stopping and ws.close_code is not None:
            self.closes.append(ws.close_code)
            self.ws = None
            asyncio.ensure_future(self._come_back(ws.close_code))

    def _message(self, msg: dict, t: int) -> None:
        if "in_response" in msg:
            self._reply(msg, t)
            return
        if "pseq" in msg:  # a per-member event: what this delegate alone is told
            if msg.get("type") == "floor.mine":
                self.mine = msg["data"]
            return
        seq = msg.get("seq")
        if not isinstance(seq, int):
            return  # hub.status
        typ = msg.get("type")
        if typ == "snapshot":
            self._snapshot(msg, t)
        elif typ == "heartbeat":
            if self.display and seq > self.seq:  # rule 6: behind with nothing to show it; wait a moment first, as hub.js
                asyncio.ensure_future(self._sync(random.uniform(0.25, 1.0), behind=seq))
        elif not self.display:
            self.seq = max(self.seq, seq)  # a terminal keeps no state here beyond its seq
        elif seq == self.seq + 1:
            self._event(msg, t)
        elif seq > self.seq + 1:  # rule 4: a gap
            asyncio.ensure_future(self._sync())

    async def _come_back(self, code: int | None) -> None:
        """As hub.js: back after 1-5 s when asked to try again later (4503), at once otherwise; the
        commands left unanswered are sent again with the same id (answered once: decision 0005)."""
        await asyncio.sleep(random.uniform(1, 5) if code == 4503 else random.uniform(0.1, 0.5))
        self.sync_pending = False
        self.sync_ids.clear()
        try:
            await self.connect(self.sem, self.timeout)
        except BenchError as e:
            self.lost = str(e)
            return
        for text in list(self.pending.values()):
            await self.ws.send(text)

    async def connect(self, sem: asyncio.Semaphore, timeout: float) -> None:
        """Connect until the snapshot arrives; a dropped or refused handshake is tried again with
        hub.js's backoff (min(10 s, 0.5 s x 2^retry) x [0.5, 1)) for up to `timeout` seconds."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidMessage

        self.sem, self.timeout = sem, timeout
        deadline = time.monotonic() + timeout
        retry = 0
        while True:
            ws = None
            try:
                async with sem:
                    ws = await connect(self.spec.ws_url, additional_headers=_headers(self.spec), compression=None,
                                       ping_interval=None, max_size=16 * 1024 * 1024,
                                       open_timeout=max(1.0, deadline - time.monotonic()), close_timeout=2)
                    first = await asyncio.wait_for(ws.recv(), max(1.0, deadline - time.monotonic()))
                break
            except (TimeoutError, OSError, InvalidHandshake, InvalidMessage, ConnectionClosed) as e:
                if ws is not None:
                    ws.transport.abort()
                self.attempts_failed += 1
                if time.monotonic() >= deadline:
                    raise BenchError(f"{self.spec.kind} {self.i}: could not connect: {type(e).__name__}: {e}") from None
                await asyncio.sleep(min(10.0, 0.5 * 2 ** retry) * random.uniform(0.5, 1.0))
                retry += 1
        msg = json.loads(first)
        if msg.get("type") != "snapshot":
            raise BenchError(f"{self.spec.kind} {self.i}: first message is not a snapshot: {first[:200]}")
        self.ws = ws
        self._snapshot(msg, now_ns())
        self.task = asyncio.create_task(self._read())

    async def close(self) -> None:
        self.stopping = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 3)
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


async def staff_command(chair: Chair, cmd: str, args: dict, timeout: float) -> dict:
    _t0, fut = await chair.send(cmd, args)
    reply, _t = await asyncio.wait_for(fut, timeout)
    if not reply.get("ok"):
        raise BenchError(f"{cmd} refused: {reply.get('error')}")
    return reply["data"]


async def prepare(chair_spec: ClientSpec, chair: Chair, timeout: float) -> None:
    """The chair opens the sitting and records every delegate present, before anyone else connects."""
    from websockets.asyncio.client import connect

    async with connect(chair_spec.ws_url, additional_headers=_headers(chair_spec), compression=None,
                       ping_interval=None, max_size=16 * 1024 * 1024, open_timeout=timeout) as ws:
        snap = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    delegates = [r["member_id"] for r in snap["data"]["attendance"] if r["kind"] == "delegate" and r["counts"]]
    await chair.connect(chair_spec, timeout)
    if chair.status == "scheduled":
        await staff_command(chair, "sitting.open", {}, timeout)
    elif chair.status != "live":
        raise BenchError(f"the sitting is {chair.status}")
    for k in range(0, len(delegates), 500):  # attendance.mark_selected takes 500 at a time
        await staff_command(chair, "attendance.mark_selected",
                            {"member_ids": delegates[k:k + 500], "status": "present"}, timeout * 3)
    log(f"prepare: sitting live, {len(delegates)} delegates recorded present (seq {chair.seq})")


def db_floor(target: Target) -> list[tuple]:
    code = DB_FLOOR.format(sitting=int(target.sitting))
    r = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=target.env, capture_output=True,
                       text=True, timeout=120, check=False)
    line = next((ln for ln in r.stdout.splitlines() if ln.startswith("FLOOR ")), None)
    if r.returncode != 0 or line is None:
        raise BenchError(f"reading the floor from the database failed ({r.returncode}): {r.stderr[-2000:]}")
    return [tuple(row) for row in json.loads(line[len("FLOOR "):])]


async def fresh_queue(spec: ClientSpec, timeout: float) -> list[dict]:
    """state.floor.queue of a fresh snapshot (a new connection of the chair's console)."""
    from websockets.asyncio.client import connect

    async with connect(spec.ws_url, additional_headers=_headers(spec), compression=None, ping_interval=None,
                       max_size=64 * 1024 * 1024, open_timeout=timeout) as ws:
        return json.loads(await asyncio.wait_for(ws.recv(), timeout))["data"]["floor"]["queue"]


async def run(args, target: Target) -> dict:
    chair_spec, specs = await asyncio.get_running_loop().run_in_executor(None, pair_all, target, args.pair_threads)
    n = sum(s.kind == "terminal" for s in specs)
    peers = [Peer(i, s, n) for i, s in enumerate(specs)]
    terminals = [p for p in peers if not p.display]
    displays = [p for p in peers if p.display]
    chair = Chair()
    servers = [p for p in target.procs if p.name.startswith("daphne")]
    try:
        await prepare(chair_spec, chair, args.timeout)
        t = time.monotonic()
        sem = asyncio.Semaphore(args.connect_concurrency)
        await asyncio.gather(*(p.connect(sem, args.timeout) for p in peers))
        log(f"connect: {len(peers)} devices have their snapshot in {time.monotonic() - t:.1f} s")
        if any(p.queue for p in displays):
            raise BenchError("the list of speakers is not empty before the burst")
        await asyncio.sleep(args.pause)

        # ---- the burst ----
        load_burst = loadavg()
        for p in displays:
            p.frames_before = p.frames
        cpu_before = {p.name: cpu_ms(p.popen.pid) for p in servers}
        self_before = cpu_ms(os.getpid())
        rng = random.Random(args.seed)
        sent: dict[int, int] = {}  # terminal -> ns written
        acks: dict[int, tuple[dict, int]] = {}

        async def request(p: Peer, delay: float):
            await asyncio.sleep(delay)
            t0, fut = await p.send("floor.request", {"kind": "speech"})
            sent[p.i] = t0
            with contextlib.suppress(TimeoutError):
                acks[p.i] = await asyncio.wait_for(fut, args.timeout)

        delays = [rng.uniform(0, args.spread) for _ in terminals]
        with profiling(args.profile, servers, "burst"):
            t_burst = now_ns()
            await asyncio.gather(*(request(p, d) for p, d in zip(terminals, delays)))
            t_last_send = max(sent.values())
            await wait_until(lambda: all(p.t_full for p in displays), args.timeout)
            cpu_after = {p.name: cpu_ms(p.popen.pid) for p in servers}
            self_after = cpu_ms(os.getpid())
        # you.floor: each terminal's own request, as floor.mine told it
        await wait_until(lambda: all(p.mine and p.mine["requests"] for p in terminals), min(args.timeout, 30))

        # ---- what the server holds ----
        rows = await asyncio.get_running_loop().run_in_executor(None, db_floor, target)
        queue = await fresh_queue(chair_spec, args.timeout)
        rss = ", ".join(f"{p.name} {rss_mib(p.popen.pid) or 0:.0f} MiB" for p in servers) or "n/a"
        return {"terminals": terminals, "displays": displays, "sent": sent, "acks": acks, "rows": rows,
                "queue": queue, "t_burst": t_burst, "t_last_send": t_last_send, "load_burst": load_burst,
                "cpu": {k: (cpu_after[k] or 0) - (cpu_before[k] or 0) for k in cpu_before},
                "self_cpu": (self_after or 0) - (self_before or 0), "rss": rss}
    finally:
        await chair.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*(p.close() for p in peers), return_exceptions=True), 30)


def report(args, target: Target, r: dict, load_before: str) -> int:
    terminals, displays, acks, sent = r["terminals"], r["displays"], r["acks"], r["sent"]
    ok = {i: (msg, t) for i, (msg, t) in acks.items() if msg.get("ok")}
    refused = {}
    for msg, _t in acks.values():
        if not msg.get("ok"):
            code = (msg.get("error") or {}).get("code")
            refused[code] = refused.get(code, 0) + 1
    ack_ms = [(ok[p.i][1] - sent[p.i]) / 1e6 if p.i in ok else math.inf for p in terminals]
    display_ms = [(p.t_full - r["t_last_send"]) / 1e6 if p.t_full else math.inf for p in displays]

    # queued exactly once: one waiting speech per delegate in the database, numbered once, shown once by a
    # fresh snapshot, the queue in registration order
    speeches = [row for row in r["rows"] if row[2] == "speech" and row[3] == "waiting"]
    per_member: dict[int, list] = {}
    for row in speeches:
        per_member.setdefault(row[1], []).append(row)
    numbers = [row[4] for row in r["rows"]]
    shown: dict[int, int] = {}
    for q in r["queue"]:
        shown[q["id"]] = shown.get(q["id"], 0) + 1
    in_order = [q["number"] for q in r["queue"]] == sorted(q["number"] for q in r["queue"])
    acked_ids = {msg["data"]["request_id"] for msg, _t in ok.values()}
    queued = sum(1 for p in terminals
                 if len(per_member.get(p.member_id, ())) == 1
                 and shown.get(per_member[p.member_id][0][0]) == 1
                 and numbers.count(per_member[p.member_id][0][4]) == 1
                 and per_member[p.member_id][0][0] in acked_ids)
    mine_ok = sum(1 for p in terminals if p.i in ok and p.mine
                  and [q["id"] for q in p.mine["requests"]] == [ok[p.i][0]["data"]["request_id"]])

    print()
    print(f"machine: {machine()}")
    print(f"server:  {target.description}; sitting {target.sitting}")
    print(f"clients: {len(terminals)} terminals + {len(displays)} displays in one process; requests spread over "
          f"{args.spread:.1f} s (seed {args.seed})")
    print(f"load average before: {load_before}; at the burst: {r['load_burst']}; after: {loadavg()}")
    print(f"burst: last request written {(r['t_last_send'] - r['t_burst']) / 1e9:.2f} s after the first moment;"
          f" replies ok {len(ok)}, refused {refused or 'none'}, unanswered {len(terminals) - len(acks)}")
    print(f"database: {len(r['rows'])} requests ({len(speeches)} waiting speeches of {len(per_member)} delegates);"
          f" fresh snapshot queue {len(r['queue'])} ({sum(v > 1 for v in shown.values())} shown twice),"
          f" {'in registration order' if in_order else 'NOT in registration order'};"
          f" you.floor right on {mine_ok}/{len(terminals)} terminals")
    stamps = sorted(row[5] for row in speeches)
    if stamps:
        print(f"server: registered the {len(stamps)} requests over {stamps[-1] - stamps[0]:.2f} s (requested_at, first to"
              f" last), {len(stamps) / max(stamps[-1] - stamps[0], 1e-3):.0f} a second")
    finite = [x for x in ack_ms if not math.isinf(x)]
    if finite:
        print("ack ms: min {:.0f} p50 {:.0f} p90 {:.0f} p99 {:.0f} max {:.0f}".format(
            min(finite), pct(finite, 50), pct(finite, 90), pct(finite, 99), max(finite)))
    dfin = [x for x in display_ms if not math.isinf(x)]
    print(f"display ms after the last request: {len(dfin)}/{len(displays)} displays full; "
          + (f"min {min(dfin):.0f} p50 {pct(dfin, 50):.0f} max {max(dfin):.0f}" if dfin else "none")
          + f"; syncs sent by displays: {sum(p.syncs for p in displays)}"
          + f"; frames a display received during the burst: {statistics.median(p.frames - p.frames_before for p in displays):.0f} (median)")
    closes: dict = {}
    for p in terminals + displays:
        for code in p.closes:
            closes[code] = closes.get(code, 0) + 1
    print(f"connections the server closed (code: count), each device back at once or after 1-5 s (4503) with its"
          f" unanswered command sent again: {closes or 'none'}; handshakes tried again:"
          f" {sum(p.attempts_failed for p in terminals + displays)}; devices never back:"
          f" {sum(p.lost is not None for p in terminals + displays)}")
    cpu = ", ".join(f"{k} {v / 1000:.2f} s" for k, v in r["cpu"].items())
    print(f"CPU from the burst until every display was full: {cpu}; bench (clients + chair) {r['self_cpu'] / 1000:.2f} s;"
          f" server RSS {r['rss']}")
    n = len(terminals)
    exact = len(ok) == n and queued == n and in_order
    met = exact and pct(ack_ms, 99) <= 500 and pct(display_ms, 99) <= 250
    print(f"targets (acked = queued = {n}, ack p99 <= 500 ms, display p99 <= 250 ms): {'met' if met else 'MISSED'}")
    print(f"floor-burst requests={n} acked={len(ok)} queued={queued} "
          f"ack_p99_ms={pct(ack_ms, 99):.1f} display_p99_ms={pct(display_ms, 99):.1f}")
    return 0 if exact else 1


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--terminals", "-n", type=int, default=500, help="delegate terminals N (default 500)")
    p.add_argument("--displays", "-d", type=int, default=20, help="hall displays D (default 20)")
    p.add_argument("--spread", type=float, default=2.0, help="requests are written at random within this many s (2)")
    p.add_argument("--seed", type=int, default=1, help="seed of the request moments (default 1)")
    p.add_argument("--timeout", type=float, default=30.0, help="s for a reply, and for every display to be full")
    p.add_argument("--pause", type=float, default=1.0, help="s of quiet before the burst (default 1)")
    p.add_argument("--workers", "-w", type=int, default=1, help="Daphne workers (default 1; >1 needs --redis)")
    p.add_argument("--redis", action="store_true", help="RedisPubSubChannelLayer instead of the in-memory layer")
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    p.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database instead of SQLite")
    p.add_argument("--connect-concurrency", type=int, default=16, help="handshakes in flight when connecting")
    p.add_argument("--pair-threads", type=int, default=16, help="HTTP pairing threads (default 16)")
    p.add_argument("--daphne-verbosity", type=int, default=0, help="Daphne -v (default 0)")
    p.add_argument("--settings", default="config.settings", help="DJANGO_SETTINGS_MODULE for the server we start")
    p.add_argument("--max-seconds", type=float, default=1800.0, help="servers we start stop by themselves after this")
    p.add_argument("--profile", metavar="DIR", help="py-spy stacks and flame graphs of every server process during the"
                                                    " burst (py-spy on PATH)")
    a = p.parse_args(argv)
    a.url = None
    if a.workers < 1 or a.terminals < 1 or a.displays < 1:
        p.error("--workers, --terminals and --displays must be >= 1")
    if a.workers > 1 and not a.redis:
        p.error("--workers > 1 needs --redis: the in-memory layer does not cross processes")
    if a.terminals > 5000 or a.displays > 200 or a.timeout > 600 or not 0 <= a.spread <= 60:
        p.error("keep it bounded: at most 5000 terminals, 200 displays, --timeout 600, --spread 0-60")
    return a


def main(argv=None) -> int:
    args = parse_args(argv)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    load_before = loadavg()
    log(f"floor-burst: {args.terminals} terminals + {args.displays} displays; load average {load_before}")
    try:
        with Servers(args) as servers:
            target = servers.own()
            try:
                r = asyncio.run(run(args, target))
            except BaseException:
                for p in servers.procs:
                    if p.popen.poll() is not None:
                        print(f"--- {p.name} exited ({p.popen.returncode}); last lines:\n{p.tail()}", file=sys.stderr)
                raise
            return report(args, target, r, load_before)
    except BenchError as e:
        print(f"floor-burst: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("floor-burst: interrupted; servers stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
