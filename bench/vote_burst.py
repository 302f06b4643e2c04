"""Vote burst benchmark: 500 delegates cast a vote within 10 s while 20 displays watch; then the chair
closes and publishes (issue 14, item 10).

    .venv/bin/python bench/vote_burst.py                           # 1 Daphne, SQLite, in-memory layer
    .venv/bin/python bench/vote_burst.py --workers 2 --redis --postgres

It starts what it measures as bench/floor_burst.py does (bench/fanout/servers.py: a fresh
database, `migrate`, `load_demo --delegates N+1`, W Daphne workers, all torn down at the end) and
pairs N terminals, D displays and the chair's console through the real path (`manage.py
issue_tokens`, GET + POST /pair/<token>/). Clients are spread round-robin over the workers.

1. The chair alone connects, opens the sitting, records every delegate present, creates an open
   motion (vote.create) and opens its round (vote.open: quorum met).
2. Every terminal and display connects (16 handshakes in flight). Each follows the round's live
   tally, `voted` (the snapshot's state.voting, then `vote.count`), and its result (`vote.poll`).
3. The burst: the N ballots in --bursts bursts (10) spread evenly over --spread (10 s); each
   terminal casts vote.cast once with a choice of its own (yes / no / abstain at random, seeded).
4. The chair closes the round, then publishes it.

    ack latency (per ballot)               = its ok reply received - its frame written
    tally latency (per burst, per client)  = the moment the client's `voted` reaches the ballots
                                             acked by the end of that burst - the burst's last write
    result latency (per client)            = the published result in its state - vote.publish written
on one CLOCK_MONOTONIC, over every client (terminals, displays and the chair). A ballot unanswered
within --timeout (30 s) is not acked; a client that never gets there counts as infinitely late.

5. The database is read (`manage.py shell`): `counted` = terminals acked whose one ballot row holds
   the choice they sent; and the published result's counts must equal our own tally of the ballots
   acked (else exit 1).

The last line is exactly:
    vote-burst voters=500 acked=... counted=... ack_p99_ms=... tally_p50_ms=... tally_p99_ms=... result_p99_ms=...
p50/p99 are nearest-rank percentiles. Targets: acked = counted = N; ack p99 <= 500 ms; tally p50 <=
100 ms, p99 <= 250 ms; result p99 <= 250 ms. Exit status 1 when a ballot is not acked or not counted
exactly once. Loopback only; every loop is bounded in count and time.
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
import subprocess
import sys
import time

from fanout.clients import Chair, ClientSpec, _headers, pair_all
from fanout.servers import PYTHON, ROOT, BenchError, Servers, Target, cpu_ms, loadavg, log, machine, profiling, rss_mib
from floor_burst import prepare, staff_command
from hub_reconnect import pct, wait_until

DB_BALLOTS = """
import json
from voting.models import OpenBallot
print("BALLOTS " + json.dumps(list(OpenBallot.objects.filter(round_id={round}).values_list("member_id", "choice"))))
"""
OPTIONS = ("yes", "no", "abstain")
VOTED = re.compile(r'"voted":(\d+)')


def now_ns() -> int:
    return time.monotonic_ns()


class Peer:
    """One terminal or display: its round's live tally and result, and its own replies."""

    def __init__(self, i: int, spec: ClientSpec, round_id: int):
        self.i, self.spec, self.round_id = i, spec, round_id
        self.ws = None
        self.task: asyncio.Task | None = None
        self.member_id = None
        self.voted = 0
        self.seen: dict[int, int] = {}  # voted count -> ns first seen
        self.result: dict | None = None
        self.t_result = 0
        self.replies: dict[str, asyncio.Future] = {}
        self.pending: dict[str, str] = {}  # command id -> its frame, until answered (sent again after a move)
        self.n = 0
        self.prefix = os.urandom(3).hex()
        self.moved = 0  # connections the server closed (4503: move to another worker), come back as hub.js does
        self.closing = False
        self.timeout = 30.0

    def _voted(self, voted: int, t: int) -> None:
        if voted > self.voted:
            for k in range(self.voted + 1, voted + 1):
                self.seen[k] = t
            self.voted = voted

    def _round(self, poll: dict, t: int) -> None:
        for r in poll.get("rounds") or ():
            if r["id"] == self.round_id:
                self._voted(r["voted"], t)
                if r["status"] == "published" and r.get("result") and not self.t_result:
                    self.result, self.t_result = r["result"], t

    async def send(self, cmd: str, args: dict) -> tuple[int, asyncio.Future]:
        self.n += 1
        corr = f"v{self.prefix}-{self.i}-{self.n}"  # an idempotency key: unique per sender
        fut = asyncio.get_running_loop().create_future()
        self.replies[corr] = fut
        text = json.dumps({"id": corr, "cmd": cmd, "args": args}, separators=(",", ":"))
        self.pending[corr] = text
        t0 = now_ns()
        with contextlib.suppress(Exception):  # a connection being moved: sent again once back
            await self.ws.send(text)
        return t0, fut

    def handle(self, text: str, t: int) -> None:
        if text.startswith('{"type":"batch"'):
            # Several events in one frame (docs/protocol.md "Batches"): each as if it came alone.
            for msg in json.loads(text)["events"]:
                if msg["type"] == "vote.count":
                    if msg["data"]["round_id"] == self.round_id:
                        self._voted(msg["data"]["voted"], t)
                elif msg["type"] in ("vote.poll", "state.replaced"):
                    self.handle_message(msg, t)
            return
        if text.startswith('{"type":"vote.count"'):
            m = VOTED.search(text)  # the count alone: cheap enough for 520 clients in one process
            if m and f'"round_id":{self.round_id},' in text:
                self._voted(int(m.group(1)), t)
            return
        if not ('"in_response"' in text[:40] or text.startswith('{"type":"vote.poll"')
                or text.startswith('{"type":"snapshot"') or text.startswith('{"type":"state.replaced"')):
            return
        self.handle_message(json.loads(text), t)

    def handle_message(self, msg: dict, t: int) -> None:
        if "in_response" in msg:
            self.pending.pop(str(msg["in_response"]), None)
            fut = self.replies.pop(str(msg["in_response"]), None)
            if fut is not None and not fut.done():
                fut.set_result((msg, t))
        elif msg["type"] == "vote.poll":
            self._round(msg["data"], t)
        else:
            data = msg.get("data") or {}
            if msg["type"] == "snapshot":
                self.member_id = (msg.get("you") or {}).get("member_id", self.member_id)
            for poll in (data.get("voting") or {}).get("polls") or ():
                self._round(poll, t)

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed, asyncio.CancelledError):
            async for text in self.ws:
                self.handle(text, now_ns())
        if not self.closing:  # the server closed it (4503: move): back after 1-2 s, unanswered commands again
            self.moved += 1
            asyncio.ensure_future(self._come_back())

    async def _come_back(self) -> None:
        await asyncio.sleep(random.uniform(1.0, 2.0))
        await self.connect(asyncio.Semaphore(1), self.timeout)
        for text in list(self.pending.values()):  # the same ids: the stored outcome answers one already run
            with contextlib.suppress(Exception):
                await self.ws.send(text)

    async def connect(self, sem: asyncio.Semaphore, timeout: float) -> None:
        from websockets.asyncio.client import connect

        for attempt in range(4):  # as hub.js, a dropped handshake is tried again
            try:
                async with sem:
                    ws = await connect(self.spec.ws_url, additional_headers=_headers(self.spec), compression=None,
                                       ping_interval=None, max_size=16 * 1024 * 1024, open_timeout=timeout,
                                       close_timeout=2)
                    first = await asyncio.wait_for(ws.recv(), timeout)
                break
            except (TimeoutError, OSError) as e:
                if attempt == 3:
                    raise BenchError(f"{self.spec.kind} {self.i}: could not connect: {e}") from None
                await asyncio.sleep(0.5 * (attempt + 1))
        if not first.startswith('{"type":"snapshot"'):
            raise BenchError(f"{self.spec.kind} {self.i}: first message is not a snapshot: {first[:200]}")
        self.ws = ws
        self.handle(first, now_ns())
        self.task = asyncio.create_task(self._read())

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 3)
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


def db_ballots(target: Target, round_id: int) -> list:
    r = subprocess.run([PYTHON, "manage.py", "shell", "-c", DB_BALLOTS.format(round=int(round_id))], cwd=ROOT,
                       env=target.env, capture_output=True, text=True, timeout=120, check=False)
    line = next((ln for ln in r.stdout.splitlines() if ln.startswith("BALLOTS ")), None)
    if r.returncode != 0 or line is None:
        raise BenchError(f"reading the ballots from the database failed ({r.returncode}): {r.stderr[-2000:]}")
    return json.loads(line[len("BALLOTS "):])


async def run(args, target: Target) -> dict:
    chair_spec, specs = await asyncio.get_running_loop().run_in_executor(None, pair_all, target, args.pair_threads)
    chair = Chair()
    servers = [p for p in target.procs if p.name.startswith("daphne")]
    peers: list[Peer] = []
    watch: Peer | None = None
    try:
        await prepare(chair_spec, chair, args.timeout)
        poll_id = (await staff_command(chair, "vote.create", {"title": "Thông qua Nghị quyết (vote-burst)"},
                                       args.timeout))["poll_id"]
        round_id = (await staff_command(chair, "vote.open", {"poll_id": poll_id}, args.timeout))["round_id"]
        log(f"prepare: poll {poll_id} round {round_id} open")
        peers = [Peer(i, s, round_id) for i, s in enumerate(specs)]
        watch = Peer(len(peers), chair_spec, round_id)  # the chair's console follows the tally too
        for p in [*peers, watch]:
            p.timeout = args.timeout
        terminals = [p for p in peers if p.spec.kind == "terminal"]
        t = time.monotonic()
        sem = asyncio.Semaphore(args.connect_concurrency)
        await asyncio.gather(*(p.connect(sem, args.timeout) for p in [*peers, watch]))
        clients = [*peers, watch]
        log(f"connect: {len(clients)} clients have their snapshot in {time.monotonic() - t:.1f} s")
        if any(p.voted for p in clients):
            raise BenchError("the round has ballots before the burst")
        await asyncio.sleep(args.pause)

        # ---- the burst ----
        load_burst = loadavg()
        cpu_before = {p.name: cpu_ms(p.popen.pid) for p in servers}
        rng = random.Random(args.seed)
        choice = {p.i: rng.choice(OPTIONS) for p in terminals}
        order = list(terminals)
        rng.shuffle(order)
        bursts = [order[k::args.bursts] for k in range(args.bursts)]
        sent: dict[int, int] = {}
        acks: dict[int, tuple[dict, int]] = {}
        burst_end: list[tuple[int, int]] = []  # (last write ns, ballots acked by then)

        async def cast(p: Peer):
            t0, fut = await p.send("vote.cast", {"round_id": round_id, "choice": {"option": choice[p.i]}})
            sent[p.i] = t0
            with contextlib.suppress(TimeoutError):
                acks[p.i] = await asyncio.wait_for(fut, args.timeout)

        spy = profiling(args.profile, servers, "burst")
        spy.__enter__()
        t_start = now_ns()
        gap = args.spread / max(args.bursts - 1, 1)
        for k, burst in enumerate(bursts):
            delay = t_start + int(k * gap * 1e9) - now_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
            await asyncio.gather(*(cast(p) for p in burst))
            burst_end.append((max(sent[p.i] for p in burst), sum(1 for m, _t in acks.values() if m.get("ok"))))
        t_last_send = max(sent.values())
        ok_count = sum(1 for m, _t in acks.values() if m.get("ok"))
        await wait_until(lambda: all(p.voted >= ok_count for p in clients), args.timeout)
        cpu_after = {p.name: cpu_ms(p.popen.pid) for p in servers}
        spy.__exit__(None, None, None)

        # ---- close and publish ----
        await staff_command(chair, "vote.close", {"round_id": round_id}, args.timeout)
        await asyncio.sleep(args.pause)
        t_publish, fut = await chair.send("vote.publish", {"round_id": round_id})
        reply, _t = await asyncio.wait_for(fut, args.timeout)
        if not reply.get("ok"):
            raise BenchError(f"vote.publish refused: {reply.get('error')}")
        await wait_until(lambda: all(p.t_result for p in clients), args.timeout)

        rows = await asyncio.get_running_loop().run_in_executor(None, db_ballots, target, round_id)
        rss = ", ".join(f"{p.name} {rss_mib(p.popen.pid) or 0:.0f} MiB" for p in servers) or "n/a"
        return {"terminals": terminals, "clients": clients, "sent": sent, "acks": acks, "choice": choice,
                "burst_end": burst_end, "t_start": t_start, "t_last_send": t_last_send, "t_publish": t_publish,
                "rows": rows, "load_burst": load_burst, "rss": rss,
                "cpu": {k: (cpu_after[k] or 0) - (cpu_before[k] or 0) for k in cpu_before}}
    finally:
        await chair.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*(p.close() for p in [*peers, *([watch] if watch else [])]),
                                                  return_exceptions=True), 30)


def report(args, target: Target, r: dict, load_before: str) -> int:
    terminals, clients, acks, sent, choice = r["terminals"], r["clients"], r["acks"], r["sent"], r["choice"]
    ok = {i: (msg, t) for i, (msg, t) in acks.items() if msg.get("ok")}
    refused: dict[str, int] = {}
    for msg, _t in acks.values():
        if not msg.get("ok"):
            code = (msg.get("error") or {}).get("code")
            refused[code] = refused.get(code, 0) + 1
    ack_ms = [(ok[p.i][1] - sent[p.i]) / 1e6 if p.i in ok else math.inf for p in terminals]
    tally_ms = []
    for t_end, want in r["burst_end"]:
        for p in clients:
            t = p.seen.get(want) if want else t_end
            tally_ms.append(max(0.0, (t - t_end) / 1e6) if t else math.inf)
    result_ms = [(p.t_result - r["t_publish"]) / 1e6 if p.t_result else math.inf for p in clients]

    by_member: dict[int, list] = {}
    for member_id, c in r["rows"]:
        by_member.setdefault(member_id, []).append(c)
    counted = sum(1 for p in terminals if p.i in ok and by_member.get(p.member_id) == [{"option": choice[p.i]}])
    ours = {o: sum(1 for i in ok if choice[i] == o) for o in OPTIONS}
    results = [p.result for p in clients if p.result]
    published = results[0]["counts"] if results else None
    same = all(res == results[0] for res in results)

    print()
    print(f"machine: {machine()}")
    print(f"server:  {target.description}; sitting {target.sitting}")
    print(f"clients: {len(terminals)} terminals + {len(clients) - len(terminals) - 1} displays + the chair in one "
          f"process; ballots in {args.bursts} bursts over {args.spread:.1f} s (seed {args.seed})")
    print(f"load average before: {load_before}; at the burst: {r['load_burst']}; after: {loadavg()}")
    print(f"burst: last ballot written {(r['t_last_send'] - r['t_start']) / 1e9:.2f} s after the first;"
          f" replies ok {len(ok)}, refused {refused or 'none'}, unanswered {len(terminals) - len(acks)};"
          f" connections the server moved (4503) and came back: {sum(p.moved for p in clients)}")
    print(f"database: {len(r['rows'])} ballot rows of {len(by_member)} delegates; our tally of the acked {ours};"
          f" published {published} ({'the same on every client' if same else 'NOT the same on every client'})")
    finite = [x for x in ack_ms if not math.isinf(x)]
    if finite:
        print("ack ms: min {:.0f} p50 {:.0f} p90 {:.0f} p99 {:.0f} max {:.0f}".format(
            min(finite), pct(finite, 50), pct(finite, 90), pct(finite, 99), max(finite)))
    tfin = [x for x in tally_ms if not math.isinf(x)]
    if tfin:
        print(f"tally ms after each burst's last ballot ({len(tfin)}/{len(tally_ms)} client-bursts):"
              f" p50 {pct(tfin, 50):.0f} p90 {pct(tfin, 90):.0f} p99 {pct(tfin, 99):.0f} max {max(tfin):.0f}")
    rfin = [x for x in result_ms if not math.isinf(x)]
    if rfin:
        print(f"result ms after vote.publish written ({len(rfin)}/{len(result_ms)} clients):"
              f" p50 {pct(rfin, 50):.0f} p99 {pct(rfin, 99):.0f} max {max(rfin):.0f}")
    cpu = ", ".join(f"{k} {v / 1000:.2f} s" for k, v in r["cpu"].items())
    print(f"CPU over the burst until every client had the tally: {cpu}; server RSS {r['rss']}")
    n = len(terminals)
    exact = len(ok) == n and counted == n and published == ours and same
    met = (exact and pct(ack_ms, 99) <= 500 and pct(tally_ms, 50) <= 100 and pct(tally_ms, 99) <= 250
           and pct(result_ms, 99) <= 250)
    print(f"targets (acked = counted = {n}, ack p99 <= 500 ms, tally p50 <= 100 ms and p99 <= 250 ms, result p99 <= "
          f"250 ms): {'met' if met else 'MISSED'}")
    print(f"vote-burst voters={n} acked={len(ok)} counted={counted} ack_p99_ms={pct(ack_ms, 99):.1f} "
          f"tally_p50_ms={pct(tally_ms, 50):.1f} tally_p99_ms={pct(tally_ms, 99):.1f} "
          f"result_p99_ms={pct(result_ms, 99):.1f}")
    return 0 if exact else 1


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--terminals", "-n", type=int, default=500, help="delegates voting N (default 500)")
    p.add_argument("--displays", "-d", type=int, default=20, help="hall displays D (default 20)")
    p.add_argument("--spread", type=float, default=10.0, help="the bursts are spread over this many s (10)")
    p.add_argument("--bursts", type=int, default=10, help="the ballots come in this many bursts (10)")
    p.add_argument("--seed", type=int, default=1, help="seed of the choices and the order (default 1)")
    p.add_argument("--timeout", type=float, default=30.0, help="s for a reply, and for every client to catch up")
    p.add_argument("--pause", type=float, default=1.0, help="s of quiet before the burst and the publish (1)")
    p.add_argument("--workers", "-w", type=int, default=1, help="Daphne workers (default 1; >1 needs --redis)")
    p.add_argument("--redis", action="store_true", help="RedisPubSubChannelLayer instead of the in-memory layer")
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    p.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database instead of SQLite")
    p.add_argument("--connect-concurrency", type=int, default=16, help="handshakes in flight when connecting")
    p.add_argument("--pair-threads", type=int, default=16, help="HTTP pairing threads (default 16)")
    p.add_argument("--daphne-verbosity", type=int, default=0, help="Daphne -v (default 0)")
    p.add_argument("--settings", default="config.settings", help="DJANGO_SETTINGS_MODULE for the server we start")
    p.add_argument("--max-seconds", type=float, default=1800.0, help="servers we start stop by themselves after this")
    p.add_argument("--profile", metavar="DIR", help="py-spy stacks and flame graphs of every server process during the burst")
    a = p.parse_args(argv)
    a.url = None
    if a.workers < 1 or a.terminals < 1 or a.displays < 1 or a.bursts < 1:
        p.error("--workers, --terminals, --displays and --bursts must be >= 1")
    if a.workers > 1 and not a.redis:
        p.error("--workers > 1 needs --redis: the in-memory layer does not cross processes")
    if a.terminals > 5000 or a.displays > 200 or a.timeout > 600 or not 0 <= a.spread <= 60 or a.bursts > a.terminals:
        p.error("keep it bounded: at most 5000 terminals, 200 displays, --timeout 600, --spread 0-60, "
                "no more bursts than terminals")
    return a


def main(argv=None) -> int:
    args = parse_args(argv)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    load_before = loadavg()
    log(f"vote-burst: {args.terminals} terminals + {args.displays} displays; load average {load_before}")
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
        print(f"vote-burst: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("vote-burst: interrupted; servers stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
