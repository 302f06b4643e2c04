"""Hub fan-out benchmark: chair command sent -> last of N+D clients has the event.

    .venv/bin/python bench/hub_fanout.py                           # 1 Daphne, SQLite, in-memory layer
    .venv/bin/python bench/hub_fanout.py --workers 2 --redis --postgres
    .venv/bin/python bench/hub_fanout.py --url http://127.0.0.1:8000 --sitting 1   # a running server

By default it starts everything itself: a fresh database (a temporary SQLite
file, or with --postgres a fresh PostgreSQL database bench_<random> that it
drops at the end), `migrate`, `load_demo --delegates N+1 --no-links`, W Daphne
workers (several need --redis: RedisPubSubChannelLayer, a prefix of its own),
and bench/floor_server.py. All of it is torn down at the end, on errors and on
Ctrl-C.

Clients come in through the real pairing path: `manage.py issue_tokens` issues
N terminal tokens, D display tokens and the chair's console token in one call;
each client GETs /pair/<token>/, POSTs the confirm form with its CSRF token and
keeps the `sessionid` cookie it gets; then it opens a WebSocket to
/ws/sitting/<id>/ with that cookie and an Origin header, and waits for its
snapshot. Clients are spread round-robin over the workers (as a proxy would);
the chair is on the first.

The chair opens the sitting, then moves the agenda M times (agenda.next, and
agenda.jump back to the first item at the end). For each move
    latency = (time the last of the N+D clients received the event with that seq)
              - (time just before the chair's command was written to its socket)
on one CLOCK_MONOTONIC (time.monotonic_ns, shared by every process on Linux,
so --client-procs K > 1 measures the same way). A move whose event has not
reached every client within --timeout is a failure: reported, exit status 1.
Then the same clients connect to the floor server and the chair has it
broadcast an event of the same data M times, measured the same way.

The last line is exactly:
    hub-fanout clients=520 p50_ms=... p99_ms=... max_ms=... floor_p50_ms=... ratio_p50=...
p50 is the median, p99 the nearest-rank 99th percentile (with M=50 that is the max).
Loopback only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import statistics
import sys
import time
from dataclasses import dataclass, field

from fanout.clients import Chair, ClientPool, ClientSpec, pair_all
from fanout.servers import BenchError, Proc, Servers, Target, cpu_ms, loadavg, log, machine, profiling, rss_mib


@dataclass
class Series:
    name: str
    latencies_ms: list[float] = field(default_factory=list)  # command sent -> last client has the event
    reply_ms: list[float] = field(default_factory=list)  # command sent -> the chair has its reply
    first_ms: list[float] = field(default_factory=list)  # command sent -> the first client has the event
    failures: list[str] = field(default_factory=list)
    cpu: dict = field(default_factory=dict)

    def pct(self, p: float, xs: list[float] | None = None) -> float:
        xs = sorted(self.latencies_ms if xs is None else xs)
        if not xs:
            return math.nan
        if p == 50:
            return statistics.median(xs)
        return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]

    def row(self) -> str:
        xs = self.latencies_ms
        if not xs:
            return f"{self.name:6s} no successful moves; {len(self.failures)} failures"
        return (f"{self.name:6s} moves={len(xs) + len(self.failures):3d} failed={len(self.failures)} "
                f"min={min(xs):7.1f} p50={self.pct(50):7.1f} mean={statistics.fmean(xs):7.1f} "
                f"p90={self.pct(90):7.1f} p99={self.pct(99):7.1f} max={max(xs):7.1f}  (ms)\n"
                f"       p50 of: command reply to the chair {self.pct(50, self.reply_ms):.1f} ms, "
                f"first client {self.pct(50, self.first_ms):.1f} ms, last client {self.pct(50):.1f} ms")


async def measure(name: str, chair: Chair, clients: ClientPool, expected: int, moves: int, args,
                  command, procs: list[Proc]) -> Series:
    """Send `moves` commands one at a time; latency = last client's receipt - t0."""
    s = Series(name)
    before = {p.name: cpu_ms(p.popen.pid) for p in procs}
    self_before = cpu_ms(os.getpid())
    kids_before = await clients.cpu()
    for m in range(moves):
        cmd, cargs = command()
        seq = chair.seq + 1
        t0, reply_fut = await chair.send(cmd, cargs)
        try:
            reply, t_reply = await asyncio.wait_for(reply_fut, args.timeout)
        except TimeoutError:
            raise BenchError(f"{name}: no reply to {cmd} within {args.timeout} s") from None
        if not reply.get("ok"):
            raise BenchError(f"{name}: {cmd} refused: {reply.get('error')}")
        remaining = max(0.1, args.timeout - (time.monotonic_ns() - t0) / 1e9)
        count, first, last = await clients.wait(seq, remaining)
        if count < expected:
            s.failures.append(f"move {m + 1} ({cmd}, seq {seq}): {count}/{expected} clients within {args.timeout} s")
            log(f"{name}: FAILED move {m + 1}: {count}/{expected} clients got seq {seq} within {args.timeout} s")
        else:
            s.latencies_ms.append((last - t0) / 1e6)
            s.first_ms.append((first - t0) / 1e6)
            s.reply_ms.append((t_reply - t0) / 1e6)
        if not await chair.wait_seq(seq, args.timeout):
            raise BenchError(f"{name}: the chair never saw seq {seq}; is someone else changing the sitting?")
        if (m + 1) % 10 == 0 or m + 1 == moves:
            recent = s.latencies_ms[-10:]
            log(f"{name}: {m + 1}/{moves} moves, last 10 median {statistics.median(recent):.1f} ms" if recent
                else f"{name}: {m + 1}/{moves} moves")
        await asyncio.sleep(args.pause)
    for p in procs:
        b, a = before.get(p.name), cpu_ms(p.popen.pid)
        if b is not None and a is not None:
            s.cpu[p.name] = (a - b) / moves
    self_after = cpu_ms(os.getpid())
    s.cpu["bench (chair + clients)" if clients.k <= 1 else "bench (chair)"] = (self_after - self_before) / moves
    if clients.k > 1:
        s.cpu[f"{clients.k} client procs"] = ((await clients.cpu()) - kids_before) / moves
    return s


async def run(args, target: Target) -> tuple[Series, Series]:
    chair_spec, specs = await asyncio.get_running_loop().run_in_executor(None, pair_all, target, args.pair_threads)
    expected = len(specs)
    pool = ClientPool(args.client_procs)
    chair = Chair()
    try:
        # ---- the hub ----
        r = await pool.connect(specs, args.connect_concurrency, args.timeout * 3)
        log(f"hub: {r['connected']}/{expected} clients connected with their snapshot in {r['seconds']:.1f} s"
            f" ({args.client_procs} client process(es); {r['retries']} handshakes retried)")
        if r["failed"]:
            raise BenchError(f"hub: {r['failed']} clients failed to connect: {r['errors']}")
        await chair.connect(chair_spec, args.timeout)
        if chair.status == "closed":
            raise BenchError(f"sitting {target.sitting} is closed; the benchmark needs a scheduled or live sitting")
        if len(chair.items) < 2:
            raise BenchError(f"sitting {target.sitting} needs two agenda items (not postponed) to move between")
        if chair.status == "scheduled":
            seq = chair.seq + 1
            t0, fut = await chair.send("sitting.open", {})
            reply, _t = await asyncio.wait_for(fut, args.timeout)
            if not reply.get("ok"):
                raise BenchError(f"sitting.open refused: {reply.get('error')}")
            count, _first, last = await pool.wait(seq, args.timeout * 3)
            if count < expected:
                raise BenchError(f"sitting.open: only {count}/{expected} clients got seq {seq}")
            await chair.wait_seq(seq, args.timeout)
            log(f"hub: sitting.open reached all {expected} clients in {(last - t0) / 1e6:.1f} ms (not counted)")
        else:
            log(f"hub: sitting {target.sitting} is already live at seq {chair.seq}")
        await asyncio.sleep(args.pause)
        ours = [p for p in target.procs if p.name.startswith("daphne")]
        with profiling(args.profile, ours, "hub"):
            hub = await measure("hub", chair, pool, expected, args.moves, args, chair.next_move, ours)
        sample = (chair.last_event or {}).get("data") or {}
        log(f"hub: event size {len(json.dumps(chair.last_event or {}, ensure_ascii=False).encode())} bytes; "
            f"server RSS {', '.join(f'{p.name} {rss_mib(p.popen.pid) or 0:.0f} MiB' for p in ours) or 'n/a'}")
        await chair.close()
        await pool.close()

        # ---- the floor: same clients, same command -> broadcast ----
        floor_specs = [ClientSpec(s.kind, target.floor_url, "http://127.0.0.1") for s in specs]
        r = await pool.connect(floor_specs, args.connect_concurrency, args.timeout * 3)
        log(f"floor: {r['connected']}/{expected} clients connected in {r['seconds']:.1f} s")
        if r["failed"]:
            raise BenchError(f"floor: {r['failed']} clients failed to connect: {r['errors']}")
        chair = Chair()
        await chair.connect(ClientSpec("chair", target.floor_url, "http://127.0.0.1"), args.timeout)
        await asyncio.sleep(args.pause)
        floor_procs = [p for p in target.procs if p.name == "floor"]
        with profiling(args.profile, floor_procs, "floor"):
            floor = await measure("floor", chair, pool, expected, args.moves, args,
                                  lambda: ("broadcast", {"data": sample}), floor_procs)
        return hub, floor
    finally:
        await chair.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(pool.close(), 30)
        pool.stop()


def report(args, target: Target, hub: Series, floor: Series, load_before: str) -> int:
    clients = args.terminals + args.displays
    print()
    print(f"machine: {machine()}")
    print(f"server:  {target.description}; sitting {target.sitting}")
    print(f"clients: {args.terminals} terminals + {args.displays} displays in {args.client_procs} client process(es);"
          f" {args.moves} moves, {args.pause * 1000:.0f} ms apart")
    print(f"load average before: {load_before}; after: {loadavg()}")
    print(hub.row())
    print(floor.row())
    for s in (hub, floor):
        print(f"{s.name} latencies in order (ms): " + " ".join(f"{x:.0f}" for x in s.latencies_ms))
    for s in (hub, floor):
        if s.cpu:
            print(f"CPU per move ({s.name}): " + ", ".join(f"{k} {v:.1f} ms" for k, v in s.cpu.items()))
    for f in hub.failures + floor.failures:
        print(f"FAILED {f}")
    p50, p99, mx, f50 = hub.pct(50), hub.pct(99), max(hub.latencies_ms, default=math.nan), floor.pct(50)
    ratio = p50 / f50 if f50 and not math.isnan(f50) else math.nan
    ok = p50 <= 100 and p99 <= 250 and ratio <= 3
    print(f"targets (p50 <= 100 ms, p99 <= 250 ms, ratio_p50 <= 3): {'met' if ok else 'MISSED'}")
    print(f"hub-fanout clients={clients} p50_ms={p50:.1f} p99_ms={p99:.1f} max_ms={mx:.1f} "
          f"floor_p50_ms={f50:.1f} ratio_p50={ratio:.2f}")
    return 1 if hub.failures or floor.failures else 0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--url", help="target running server(s) instead of starting one: http://127.0.0.1:8000[,http://...]")
    p.add_argument("--sitting", type=int, help="with --url: the sitting id (default: the demo's opening sitting)")
    p.add_argument("--terminals", "-n", type=int, default=500, help="delegate terminals N (default 500)")
    p.add_argument("--displays", "-d", type=int, default=20, help="hall displays D (default 20)")
    p.add_argument("--moves", "-m", type=int, default=50, help="agenda moves M (default 50)")
    p.add_argument("--workers", "-w", type=int, default=1, help="Daphne workers (default 1; >1 needs --redis)")
    p.add_argument("--redis", action="store_true", help="RedisPubSubChannelLayer instead of the in-memory layer")
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    p.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database instead of SQLite")
    p.add_argument("--client-procs", "-k", type=int, default=1, help="client processes (default 1: this process)")
    p.add_argument("--pause", type=float, default=0.1, help="seconds between moves (default 0.1)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds for every client to get a move (default 10)")
    p.add_argument("--connect-concurrency", type=int, default=16,
                   help="WebSocket handshakes in flight (default 16: Daphne drops handshakes not accepted within 5 s)")
    p.add_argument("--pair-threads", type=int, default=16, help="HTTP pairing threads (default 16)")
    p.add_argument("--daphne-verbosity", type=int, default=0,
                   help="Daphne -v (default 0: no access log; 1 writes an access log, as Daphne does by default)")
    p.add_argument("--settings", default="config.settings",
                   help="DJANGO_SETTINGS_MODULE for the server we start (to try a change; default config.settings)")
    p.add_argument("--profile", metavar="DIR", help="record py-spy profiles of the server processes during the moves")
    p.add_argument("--max-seconds", type=float, default=1800.0, help="servers we start stop by themselves after this")
    a = p.parse_args(argv)
    if a.workers < 1 or a.terminals < 1 or a.displays < 0 or a.moves < 1 or a.client_procs < 1:
        p.error("--workers, --terminals, --moves, --client-procs must be >= 1 and --displays >= 0")
    if a.workers > 1 and not a.redis and not a.url:
        p.error("--workers > 1 needs --redis: the in-memory layer does not cross processes")
    if a.url and (a.postgres or a.redis or a.workers > 1):
        p.error("--url targets a running server; --postgres, --redis and --workers are for the server we start")
    if a.sitting and not a.url:
        p.error("--sitting goes with --url (a fresh server has only the demo sitting)")
    if a.moves > 10000 or a.terminals + a.displays > 20000:
        p.error("keep it bounded: at most 10000 moves and 20000 clients")
    return a


def main(argv=None) -> int:
    args = parse_args(argv)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    load_before = loadavg()
    log(f"hub-fanout: {args.terminals} terminals + {args.displays} displays, {args.moves} moves; load average {load_before}")
    try:
        with Servers(args) as servers:
            target = servers.external() if args.url else servers.own()
            try:
                hub, floor = asyncio.run(run(args, target))
            except BaseException:
                for p in servers.procs:
                    if p.popen.poll() is not None:
                        print(f"--- {p.name} exited ({p.popen.returncode}); last lines:\n{p.tail()}", file=sys.stderr)
                raise
            code = report(args, target, hub, floor, load_before)
        return code
    except BenchError as e:
        print(f"hub-fanout: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hub-fanout: interrupted; servers stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
