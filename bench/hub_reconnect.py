"""Hub reconnect benchmark: 500 terminals + 20 displays drop at once and come back within one second.

    .venv/bin/python bench/hub_reconnect.py                           # 1 Daphne, SQLite, in-memory layer
    .venv/bin/python bench/hub_reconnect.py --workers 2 --redis --postgres

It starts what it measures as bench/hub_fanout.py does (bench/fanout/servers.py:
a fresh database, `migrate`, `load_demo`, W Daphne workers, all torn down at
the end) and pairs N terminals, D displays and the chair's console through the
real path (`manage.py issue_tokens`, GET + POST /pair/<token>/, the
`sessionid` cookie). Clients are spread round-robin over the workers.

1. Every device connects (16 handshakes in flight, as hub_fanout does) and
   follows the sitting as docs/protocol.md says (snapshot, events in seq
   order, `sync` on a gap or on a heartbeat ahead of it).
2. The chair opens the sitting and moves the agenda --moves times; every
   device must follow (so there is state to get back).
3. The drop: every device's TCP connection is aborted in the same loop turn
   (no close frame, as when a hall's Wi-Fi goes), then each device reconnects
   after a random delay in [0, --spread) seconds (default 1 s), with no limit
   on handshakes in flight. A handshake that fails is retried with hub.js's
   backoff (min(10 s, 0.5 s x 2^retry) x [0.5, 1)) until --timeout (60 s).
   With --storm-moves K the chair also moves the agenda K times during the
   spread (the snapshots then race the events).
4. Once every device has its snapshot (or at --timeout), the chair moves the
   agenda once more, and the devices get --settle seconds (10) to reach that
   seq (applying the event, or syncing after a gap or a heartbeat).
5. The server's state is read from the database (`manage.py shell`).

A device is **exact** when it got its snapshot within --timeout and, at the
end, its seq equals the sitting's seq in the database, its current agenda item
equals the database's, every agenda item's status equals the database's, and
its sitting status equals the database's.

    latency (per device) = its snapshot received - its reconnect started
                           (after its random delay; retries included)
    total_s = the last device exact - the first reconnect started
              (when a device never got exact: until the bench gave up)

The last line is exactly:
    hub-reconnect clients=520 exact=... total_s=... p50_ms=... p99_ms=...
p50 is the median, p99 the nearest-rank 99th percentile over all devices (a
device with no snapshot counts as infinitely late). Exit status 1 when a
device is not exact. Loopback only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import time

from fanout.clients import Chair, ClientSpec, _headers, pair_all
from fanout.servers import PYTHON, ROOT, BenchError, Servers, Target, cpu_ms, loadavg, log, machine, rss_mib

DB_STATE = """
import json
from meeting.models import Sitting
s = Sitting.objects.get(pk={sitting})
items = {{str(i.id): i.status for i in s.agenda_items.all()}}
cur = [int(k) for k, v in items.items() if v == "current"]
print("STATE " + json.dumps({{"seq": s.seq, "status": s.status, "items": items, "current": cur[0] if cur else None}}))
"""


def now_ns() -> int:
    return time.monotonic_ns()


class Device:
    """One terminal or display: a WebSocket and the state it keeps by the protocol's rules."""

    def __init__(self, i: int, spec: ClientSpec):
        self.i = i
        self.spec = spec
        self.ws = None
        self.task: asyncio.Task | None = None
        self.reset()

    def reset(self) -> None:
        self.seq = -1
        self.status = None
        self.current = None
        self.items: dict[str, str] = {}
        self.t_start = 0  # reconnect started (ns)
        self.t_snapshot = 0  # its snapshot arrived (ns)
        self.t_seq: dict[int, int] = {}  # seq -> when this device reached it
        self.attempts = 0
        self.error: str | None = None
        self.syncs = 0
        self.sync_pending = False
        self.n = 0

    # ---- the protocol's client rules (docs/protocol.md, "Sequence numbers") ----

    def _reach(self, seq: int, t: int) -> None:
        self.seq = seq
        self.t_seq.setdefault(seq, t)

    def _snapshot(self, msg: dict, t: int) -> None:
        data = msg.get("data") or {}
        self.status = (data.get("sitting") or {}).get("status")
        agenda = data.get("agenda") or {}
        self.current = agenda.get("current_item_id")
        self.items = {str(it["id"]): it["status"] for it in agenda.get("items") or []}
        self._reach(msg["seq"], t)

    def _event(self, msg: dict, t: int) -> None:
        typ, data = msg["type"], msg.get("data") or {}
        if typ == "agenda.current":
            self.current = data.get("current_item_id")
            for it in data.get("items") or []:
                self.items[str(it["id"])] = it["status"]
        elif typ == "sitting.status":
            self.status = data.get("status")
        self._reach(msg["seq"], t)

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
        self.n += 1
        self.syncs += 1
        with contextlib.suppress(Exception):
            await self.ws.send(json.dumps({"id": f"r{self.i}-{os.getpid()}-{self.n}", "cmd": "sync",
                                           "args": {"since_seq": self.seq}}))

    async def _read(self, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed, asyncio.CancelledError):
            async for text in ws:
                t = now_ns()
                if isinstance(text, bytes):
                    continue
                msg = json.loads(text)
                # A batch frame (docs/protocol.md "Batches"): each of its events as if it came alone.
                for one in (msg["events"] if msg.get("type") == "batch" else (msg,)):
                    self._message(one, t)

    def _message(self, msg: dict, t: int) -> None:
        if "in_response" in msg:  # the reply to our sync
            self.sync_pending = False
            if msg.get("type") == "snapshot":
                self._snapshot(msg, t)
            elif msg.get("ok"):
                for ev in (msg.get("data") or {}).get("events") or []:
                    if ev["seq"] == self.seq + 1:
                        self._event(ev, t)
            return
        seq = msg.get("seq")
        if not isinstance(seq, int):
            return  # hub.status
        typ = msg.get("type")
        if typ == "snapshot":
            self._snapshot(msg, t)
        elif typ == "heartbeat":
            if seq > self.seq:  # rule 6: behind with nothing to show it; wait a moment first, as hub.js
                asyncio.ensure_future(self._sync(random.uniform(0.25, 1.0), behind=seq))
        elif seq == self.seq + 1:
            self._event(msg, t)
        elif seq > self.seq + 1:  # rule 4: a gap
            asyncio.ensure_future(self._sync())

    # ---- connecting ----

    async def connect(self, deadline: float, sem: asyncio.Semaphore | None) -> None:
        """Connect until the first message (the snapshot) arrives; retry with hub.js's backoff until `deadline`."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidMessage

        retry = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.error = self.error or "timeout"
                return
            self.attempts += 1
            ws = None
            try:
                async with sem or contextlib.nullcontext():
                    ws = await connect(self.spec.ws_url, additional_headers=_headers(self.spec), compression=None,
                                       ping_interval=None, max_size=16 * 1024 * 1024, open_timeout=remaining,
                                       close_timeout=2)
                    first = await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
                t = now_ns()
                msg = json.loads(first)
                if msg.get("type") != "snapshot":
                    raise BenchError(f"{self.spec.kind} {self.i}: first message is not a snapshot: {first[:200]}")
                self.ws = ws
                self.t_snapshot = t
                self._snapshot(msg, t)
                self.task = asyncio.create_task(self._read(ws))
                self.error = None
                return
            except (TimeoutError, OSError, InvalidHandshake, InvalidMessage, ConnectionClosed) as e:
                self.error = f"{type(e).__name__}: {e}"[:200]
                if ws is not None:
                    ws.transport.abort()
                backoff = min(10.0, 0.5 * 2 ** retry) * random.uniform(0.5, 1.0)
                retry += 1
                await asyncio.sleep(max(0.0, min(backoff, deadline - time.monotonic())))

    def drop(self) -> None:
        """The network goes: abort the TCP connection, no close frame."""
        if self.ws is not None:
            self.ws.transport.abort()
        if self.task is not None:
            self.task.cancel()
        self.ws = None

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 3)
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    if not xs:
        return math.nan
    if p == 50:
        return statistics.median(xs) if not math.isinf(xs[len(xs) // 2]) else math.inf
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]


async def wait_until(pred, timeout: float, step: float = 0.02) -> bool:
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() >= end:
            return False
        await asyncio.sleep(step)
    return True


def db_state(target: Target) -> dict:
    code = DB_STATE.format(sitting=int(target.sitting))
    r = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=target.env, capture_output=True,
                       text=True, timeout=120, check=False)
    line = next((ln for ln in r.stdout.splitlines() if ln.startswith("STATE ")), None)
    if r.returncode != 0 or line is None:
        raise BenchError(f"reading the sitting from the database failed ({r.returncode}): {r.stderr[-2000:]}")
    return json.loads(line[len("STATE "):])


async def chair_move(chair: Chair, args, what: str) -> int:
    cmd, cargs = chair.next_move()
    seq = chair.seq + 1
    _t0, fut = await chair.send(cmd, cargs)
    try:
        reply, _t = await asyncio.wait_for(fut, args.move_timeout)
    except TimeoutError:
        raise BenchError(f"{what}: no reply to {cmd} within {args.move_timeout} s") from None
    if not reply.get("ok"):
        raise BenchError(f"{what}: {cmd} refused: {reply.get('error')}")
    if not await chair.wait_seq(seq, args.move_timeout):
        raise BenchError(f"{what}: the chair never saw seq {seq}")
    return seq


async def run(args, target: Target) -> dict:
    chair_spec, specs = await asyncio.get_running_loop().run_in_executor(None, pair_all, target, args.pair_threads)
    devices = [Device(i, s) for i, s in enumerate(specs)]
    chair = Chair()
    servers = [p for p in target.procs if p.name.startswith("daphne")]
    try:
        # ---- 1. everyone connects ----
        t = time.monotonic()
        sem = asyncio.Semaphore(args.connect_concurrency)
        await asyncio.gather(*(d.connect(time.monotonic() + args.timeout * 3, sem) for d in devices))
        failed = [d for d in devices if d.ws is None]
        log(f"connect: {len(devices) - len(failed)}/{len(devices)} devices have their snapshot in "
            f"{time.monotonic() - t:.1f} s ({sum(d.attempts for d in devices) - len(devices)} handshakes retried)")
        if failed:
            raise BenchError(f"connect: {len(failed)} devices failed: {failed[0].error}")

        # ---- 2. state: open the sitting, move the agenda ----
        await chair.connect(chair_spec, args.move_timeout)
        if chair.status == "closed":
            raise BenchError(f"sitting {target.sitting} is closed")
        if len(chair.items) < 2:
            raise BenchError(f"sitting {target.sitting} needs two agenda items to move between")
        if chair.status == "scheduled":
            seq = chair.seq + 1
            _t0, fut = await chair.send("sitting.open", {})
            reply, _t = await asyncio.wait_for(fut, args.move_timeout)
            if not reply.get("ok"):
                raise BenchError(f"sitting.open refused: {reply.get('error')}")
            if not await chair.wait_seq(seq, args.move_timeout):
                raise BenchError(f"sitting.open: the chair never saw seq {seq}")
        for _ in range(args.moves):
            await chair_move(chair, args, "before the drop")
            await asyncio.sleep(0.1)
        seq = chair.seq
        if not await wait_until(lambda: all(d.seq >= seq for d in devices), args.move_timeout * 3):
            behind = sum(d.seq < seq for d in devices)
            raise BenchError(f"before the drop: {behind} devices never reached seq {seq}")
        log(f"state: sitting live at seq {seq}, current item {chair.current}; every device follows")
        await asyncio.sleep(args.pause)

        # ---- 3. the drop and the storm ----
        load_storm = loadavg()
        cpu_before = {p.name: cpu_ms(p.popen.pid) for p in servers}
        self_before = cpu_ms(os.getpid())
        rng = random.Random(args.seed)
        delays = [rng.uniform(0, args.spread) for _ in devices]
        for d in devices:
            d.drop()
        for d in devices:
            d.reset()
        t_drop = time.monotonic()
        deadline = t_drop + args.timeout
        log(f"drop: {len(devices)} connections aborted; reconnecting over {args.spread:.1f} s")

        async def back(d: Device, delay: float):
            await asyncio.sleep(delay)
            d.t_start = now_ns()
            await d.connect(deadline, None)

        async def storm_moves():
            for k in range(args.storm_moves):
                await asyncio.sleep(args.spread * (k + 1) / (args.storm_moves + 1) - (time.monotonic() - t_drop)
                                    if args.spread * (k + 1) / (args.storm_moves + 1) > time.monotonic() - t_drop
                                    else 0)
                await chair_move(chair, args, "during the storm")

        storm_task = asyncio.create_task(storm_moves())
        backs = [asyncio.create_task(back(d, delay)) for d, delay in zip(devices, delays)]
        await asyncio.gather(*backs)
        await storm_task
        t_all_back = time.monotonic()
        back_n = sum(d.ws is not None for d in devices)
        log(f"storm: {back_n}/{len(devices)} devices back with a snapshot {t_all_back - t_drop:.1f} s after the drop"
            f" ({sum(d.attempts for d in devices) - len(devices)} handshakes retried)")
        cpu_after = {p.name: cpu_ms(p.popen.pid) for p in servers}
        self_after = cpu_ms(os.getpid())

        # ---- 4. one more move; everyone must reach it ----
        final = await chair_move(chair, args, "after the storm")
        ok = await wait_until(lambda: all(d.seq >= final for d in devices if d.ws is not None), args.settle)
        t_end = now_ns()
        log(f"final move: seq {final}; {'every device back reached it' if ok else 'NOT every device reached it'}"
            f" ({sum(d.syncs for d in devices)} syncs sent)")

        # ---- 5. the server's state ----
        state = await asyncio.get_running_loop().run_in_executor(None, db_state, target)
        rss = ", ".join(f"{p.name} {rss_mib(p.popen.pid) or 0:.0f} MiB" for p in servers) or "n/a"
        return {"devices": devices, "state": state, "final": final, "t_end": t_end, "load_storm": load_storm,
                "cpu": {k: (cpu_after[k] or 0) - (cpu_before[k] or 0) for k in cpu_before},
                "self_cpu": (self_after or 0) - (self_before or 0), "rss": rss, "back_s": t_all_back - t_drop}
    finally:
        await chair.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*(d.close() for d in devices), return_exceptions=True), 30)


def report(args, target: Target, r: dict, load_before: str) -> int:
    devices, state = r["devices"], r["state"]
    db_items = state["items"]
    exact, reasons = [], {}
    for d in devices:
        why = None
        if d.t_snapshot == 0:
            why = f"no snapshot ({d.error})"
        elif d.seq != state["seq"]:
            why = f"seq {d.seq} != {state['seq']}"
        elif d.current != state["current"]:
            why = f"current item {d.current} != {state['current']}"
        elif d.items != db_items:
            why = "agenda item statuses differ"
        elif d.status != state["status"]:
            why = f"sitting status {d.status} != {state['status']}"
        if why:
            reasons.setdefault(why.split(" (")[0] if why.startswith("no snapshot") else why, []).append(d)
        else:
            exact.append(d)
    starts = [d.t_start for d in devices if d.t_start]
    t_first = min(starts)
    if len(exact) == len(devices):
        t_last = max(d.t_seq[state["seq"]] for d in devices)
    else:
        t_last = r["t_end"]
    total_s = (t_last - t_first) / 1e9
    lat = [(d.t_snapshot - d.t_start) / 1e6 if d.t_snapshot else math.inf for d in devices]
    finite = [x for x in lat if not math.isinf(x)]
    by_kind = {}
    for d, x in zip(devices, lat):
        by_kind.setdefault(d.spec.kind, []).append(x)

    print()
    print(f"machine: {machine()}")
    print(f"server:  {target.description}; sitting {target.sitting}")
    print(f"clients: {args.terminals} terminals + {args.displays} displays in one process; {args.moves} moves before"
          f" the drop, {args.storm_moves} during the storm; reconnects spread over {args.spread:.1f} s (seed {args.seed})")
    print(f"load average before: {load_before}; at the drop: {r['load_storm']}; after: {loadavg()}")
    print(f"server state at the end (database): seq {state['seq']}, current item {state['current']}, "
          f"sitting {state['status']}; final move seq {r['final']}")
    back = sum(d.t_snapshot > 0 for d in devices)
    print(f"{back}/{len(devices)} devices back with a snapshot {r['back_s']:.2f} s after the drop; handshakes retried: "
          f"{sum(d.attempts for d in devices) - len(devices)}; devices that retried: {sum(d.attempts > 1 for d in devices)};"
          f" syncs sent: {sum(d.syncs for d in devices)}")
    if finite:
        deciles = [pct(finite, p) for p in (10, 25, 50, 75, 90, 99)]
        print("reconnect-to-snapshot ms: min {:.0f} p10 {:.0f} p25 {:.0f} p50 {:.0f} p75 {:.0f} p90 {:.0f} p99 {:.0f} "
              "max {:.0f}".format(min(finite), *deciles, max(finite)))
    for kind, xs in by_kind.items():
        fx = [x for x in xs if not math.isinf(x)]
        print(f"  {kind}: {len(fx)}/{len(xs)} got a snapshot, p50 {pct(fx, 50):.0f} ms, max {max(fx, default=math.nan):.0f} ms")
    cpu = ", ".join(f"{k} {v / 1000:.2f} s" for k, v in r["cpu"].items())
    print(f"CPU from the drop until all back: {cpu}; bench (clients + chair) {r['self_cpu'] / 1000:.2f} s;"
          f" server RSS {r['rss']}")
    for why, ds in reasons.items():
        print(f"NOT EXACT {len(ds)}: {why} (e.g. {ds[0].spec.kind} {ds[0].i})")
        errors = {}
        for d in ds:
            if d.error:
                key = d.error.split(":")[0]
                errors[key] = errors.get(key, 0) + 1
        if errors:
            print("  their last errors: " + ", ".join(f"{k} x{v}" for k, v in sorted(errors.items(), key=lambda e: -e[1])))
    ok = len(exact) == len(devices) and total_s <= 5 and pct(lat, 99) <= 3000
    print(f"targets (exact = {len(devices)}, total_s <= 5, p99 <= 3000 ms): {'met' if ok else 'MISSED'}")
    print(f"hub-reconnect clients={len(devices)} exact={len(exact)} total_s={total_s:.2f} "
          f"p50_ms={pct(lat, 50):.1f} p99_ms={pct(lat, 99):.1f}")
    return 0 if len(exact) == len(devices) else 1


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--url", help="target running server(s) instead of starting one: http://127.0.0.1:8000[,http://...]")
    p.add_argument("--sitting", type=int, help="with --url: the sitting id (default: the demo's opening sitting)")
    p.add_argument("--terminals", "-n", type=int, default=500, help="delegate terminals N (default 500)")
    p.add_argument("--displays", "-d", type=int, default=20, help="hall displays D (default 20)")
    p.add_argument("--moves", "-m", type=int, default=5, help="agenda moves before the drop (default 5)")
    p.add_argument("--storm-moves", type=int, default=0, help="agenda moves during the reconnect spread (default 0)")
    p.add_argument("--spread", type=float, default=1.0, help="reconnects start at random within this many s (default 1)")
    p.add_argument("--seed", type=int, default=1, help="seed of the reconnect delays (default 1)")
    p.add_argument("--timeout", type=float, default=60.0, help="s after the drop for every device to get a snapshot")
    p.add_argument("--settle", type=float, default=10.0, help="s for every device to reach the final move (default 10)")
    p.add_argument("--move-timeout", type=float, default=10.0, help="s for a chair command's reply and event")
    p.add_argument("--pause", type=float, default=1.0, help="s of quiet before the drop (default 1)")
    p.add_argument("--workers", "-w", type=int, default=1, help="Daphne workers (default 1; >1 needs --redis)")
    p.add_argument("--redis", action="store_true", help="RedisPubSubChannelLayer instead of the in-memory layer")
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    p.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database instead of SQLite")
    p.add_argument("--connect-concurrency", type=int, default=16, help="handshakes in flight for the first connect")
    p.add_argument("--pair-threads", type=int, default=16, help="HTTP pairing threads (default 16)")
    p.add_argument("--daphne-verbosity", type=int, default=0, help="Daphne -v (default 0)")
    p.add_argument("--settings", default="config.settings", help="DJANGO_SETTINGS_MODULE for the server we start")
    p.add_argument("--max-seconds", type=float, default=1800.0, help="servers we start stop by themselves after this")
    a = p.parse_args(argv)
    a.profile = None
    if a.workers < 1 or a.terminals < 1 or a.displays < 0 or a.moves < 0 or a.storm_moves < 0:
        p.error("--workers and --terminals must be >= 1, --displays, --moves and --storm-moves >= 0")
    if a.workers > 1 and not a.redis and not a.url:
        p.error("--workers > 1 needs --redis: the in-memory layer does not cross processes")
    if a.url and (a.postgres or a.redis or a.workers > 1):
        p.error("--url targets a running server; --postgres, --redis and --workers are for the server we start")
    if a.sitting and not a.url:
        p.error("--sitting goes with --url (a fresh server has only the demo sitting)")
    if a.terminals + a.displays > 20000 or a.moves > 1000 or a.storm_moves > 100 or a.timeout > 600:
        p.error("keep it bounded: at most 20000 clients, 1000 moves, 100 storm moves, --timeout 600")
    return a


def main(argv=None) -> int:
    args = parse_args(argv)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    load_before = loadavg()
    log(f"hub-reconnect: {args.terminals} terminals + {args.displays} displays; load average {load_before}")
    try:
        with Servers(args) as servers:
            target = servers.external() if args.url else servers.own()
            try:
                r = asyncio.run(run(args, target))
            except BaseException:
                for p in servers.procs:
                    if p.popen.poll() is not None:
                        print(f"--- {p.name} exited ({p.popen.returncode}); last lines:\n{p.tail()}", file=sys.stderr)
                raise
            return report(args, target, r, load_before)
    except BenchError as e:
        print(f"hub-reconnect: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hub-reconnect: interrupted; servers stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
