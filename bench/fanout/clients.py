"""Simulated devices: pairing over HTTP, WebSocket clients, the chair.

Every device pairs as a real one does (GET /pair/<token>/, POST the confirm
form with its CSRF token, keep the `sessionid` cookie), then holds one
WebSocket. LocalClients keeps all of them on one asyncio loop and records, for
each seq, how many clients have it and when the last one got it
(time.monotonic_ns: CLOCK_MONOTONIC, one clock for every process on Linux);
with --client-procs K > 1 they are spread over K child processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import http.client
import json
import multiprocessing
import os
import re
import signal
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .servers import BenchError, Target, cpu_ms, log

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEQ_PREFIX = re.compile(r'^\{"type":"([a-z._]+)","seq":(\d+)')
CONNECT_ATTEMPTS = 4


def pair(base: str, token: str, timeout: float = 30.0) -> str:
    """GET /pair/<token>/ then POST its confirm form; return the Cookie header for the new session."""
    u = urllib.parse.urlsplit(base)
    path = f"/pair/{token}/"
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": u.netloc})
        r = conn.getresponse()
        body = r.read().decode("utf-8", "replace")
        if r.status != 200:
            raise BenchError(f"GET {path} -> {r.status}: {body[:300]}")
        cookies = _cookies(r)
        m = CSRF_INPUT.search(body)
        if not m or "csrftoken" not in cookies:
            raise BenchError(f"GET {path}: no CSRF form field or cookie on the confirm page")
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": m.group(1)})
        conn.request("POST", path, body=form, headers={
            "Host": u.netloc, "Origin": base, "Referer": base + path,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        })
        r = conn.getresponse()
        body = r.read().decode("utf-8", "replace")
        cookies.update(_cookies(r))
        if r.status not in (301, 302, 303) or "sessionid" not in cookies:
            raise BenchError(f"POST {path} -> {r.status} (sessionid {'set' if 'sessionid' in cookies else 'missing'}): "
                             f"{body[:300]}")
        return f"sessionid={cookies['sessionid']}"
    finally:
        conn.close()


def _cookies(response) -> dict:
    out = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


@dataclass
class ClientSpec:
    kind: str  # terminal | display | chair
    ws_url: str
    origin: str
    cookie: str | None = None


def pair_all(target: Target, threads: int) -> tuple[ClientSpec, list[ClientSpec]]:
    """Pair the chair and every client through HTTP; return (chair, clients)."""
    bases = target.bases
    ws = [b.replace("http://", "ws://", 1) + f"/ws/sitting/{target.sitting}/" for b in bases]
    jobs = [("chair", 0, target.tokens["console"])]
    clients = [("terminal", t["token"]) for t in target.tokens["terminals"]] + \
              [("display", d["token"]) for d in target.tokens["displays"]]
    jobs += [(kind, i % len(bases), token) for i, (kind, token) in enumerate(clients)]
    t = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        cookies = list(pool.map(lambda j: pair(bases[j[1]], j[2]), jobs))
    specs = [ClientSpec(kind, ws[w], bases[w], cookie) for (kind, w, _tok), cookie in zip(jobs, cookies)]
    log(f"paired {len(specs)} devices over HTTP (GET + POST /pair/<token>/) in {time.monotonic() - t:.1f} s")
    return specs[0], specs[1:]


# ---------------------------------------------------------------- clients ----

def _headers(spec: ClientSpec) -> dict:
    h = {"Origin": spec.origin}
    if spec.cookie:
        h["Cookie"] = spec.cookie
    return h


def parse_seq(text: str) -> tuple[str, int] | None:
    """(type, seq) of a hub or floor message; cheap for the usual `{"type":..,"seq":..` prefix."""
    m = SEQ_PREFIX.match(text)
    if m:
        return m.group(1), int(m.group(2))
    if '"seq"' not in text:
        return None
    try:
        msg = json.loads(text)
    except ValueError:
        return None
    if isinstance(msg, dict) and "type" in msg and isinstance(msg.get("seq"), int):
        return msg["type"], msg["seq"]
    return None


BATCH_PREFIX = '{"type":"batch",'


def messages_of(text: str) -> list:
    """A frame's messages: a batch frame's events (docs/protocol.md "Batches"), else the frame."""
    msg = json.loads(text)
    return msg["events"] if isinstance(msg, dict) and msg.get("type") == "batch" else [msg]


def parse_seqs(text: str) -> list[tuple[str, int]]:
    """(type, seq) of each event in a frame: one, or each of a batch's, in order."""
    if text.startswith(BATCH_PREFIX):
        return [(m["type"], m["seq"]) for m in messages_of(text) if isinstance(m.get("seq"), int)]
    ks = parse_seq(text)
    return [ks] if ks else []


class LocalClients:
    """N+D client connections on this process's event loop; records when each seq reaches each client."""

    def __init__(self):
        self.conns = []
        self.tasks = []
        self.expected = 0
        self.state: dict[int, list] = {}  # seq -> [count, first_ns, last_ns, asyncio.Event]
        self.closed = 0
        self.errors: list[str] = []

    def _seq_state(self, seq: int) -> list:
        st = self.state.get(seq)
        if st is None:
            st = self.state[seq] = [0, 0, 0, asyncio.Event()]
        return st

    async def connect(self, specs: list[ClientSpec], concurrency: int, timeout: float) -> dict:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidMessage

        self.state.clear()
        self.expected = len(specs)
        self.closed = 0
        self.errors = []
        sem = asyncio.Semaphore(concurrency)
        snap_seqs: list[int] = []

        retries = 0

        async def open_ws(spec: ClientSpec):
            # Like hub.js, retry a dropped handshake (Daphne drops those its application
            # has not accepted within 5 s, which happens when many connect at once).
            nonlocal retries
            for attempt in range(CONNECT_ATTEMPTS):
                try:
                    async with sem:
                        ws = await connect(spec.ws_url, additional_headers=_headers(spec), compression=None,
                                           ping_interval=None, max_size=4 * 1024 * 1024, open_timeout=timeout,
                                           close_timeout=2)
                        return ws, await asyncio.wait_for(ws.recv(), timeout)
                except (TimeoutError, OSError, InvalidHandshake, InvalidMessage, ConnectionClosed):
                    if attempt == CONNECT_ATTEMPTS - 1:
                        raise
                    retries += 1
                    await asyncio.sleep(0.5 * (attempt + 1))

        async def one(spec: ClientSpec):
            ws, first = await open_ws(spec)
            kind_seq = parse_seq(first)
            if not kind_seq or kind_seq[0] != "snapshot":
                await ws.close()
                raise BenchError(f"{spec.kind}: first message is not a snapshot: {first[:200]}")
            snap_seqs.append(kind_seq[1])
            self.conns.append(ws)
            self.tasks.append(asyncio.create_task(self._read(ws)))

        t = time.monotonic()
        results = await asyncio.gather(*(one(s) for s in specs), return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        for e in errors[:5]:
            self.errors.append(f"{type(e).__name__}: {e}")
        return {"connected": len(self.conns), "failed": len(errors), "errors": self.errors[:5], "retries": retries,
                "seconds": time.monotonic() - t, "snapshot_seq_max": max(snap_seqs, default=0),
                "snapshot_seq_min": min(snap_seqs, default=0)}

    async def _read(self, ws):
        from websockets.exceptions import ConnectionClosed

        try:
            # A dropped connection shows up as a client missing from the next move.
            with contextlib.suppress(ConnectionClosed):
                async for text in ws:
                    t = time.monotonic_ns()
                    if isinstance(text, bytes):
                        continue
                    for ks in parse_seqs(text):
                        if ks[0] == "heartbeat":  # the heartbeat repeats the current seq: not an arrival
                            continue
                        st = self._seq_state(ks[1])
                        st[0] += 1
                        if st[0] == 1:
                            st[1] = t
                        st[2] = max(st[2], t)
                        if st[0] >= self.expected:
                            st[3].set()
        finally:
            self.closed += 1

    async def wait(self, seq: int, timeout: float) -> tuple[int, int]:
        """(clients that have `seq`, monotonic ns when the first and the last of them got it), waiting up to `timeout`."""
        st = self._seq_state(seq)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(st[3].wait(), timeout)
        return st[0], st[1], st[2]

    async def close(self) -> None:
        conns, tasks = self.conns, self.tasks
        self.conns, self.tasks = [], []
        await asyncio.gather(*(c.close() for c in conns), return_exceptions=True)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _pipe_recv(conn):
    """Receive from a multiprocessing Connection without blocking the loop."""
    loop = asyncio.get_running_loop()
    while not conn.poll():
        fut = loop.create_future()
        loop.add_reader(conn.fileno(), lambda f=fut: f.done() or f.set_result(None))
        try:
            await fut
        finally:
            loop.remove_reader(conn.fileno())
    return conn.recv()


def client_process(conn, parent_pid: int) -> None:
    """Child of --client-procs K > 1: a LocalClients driven by requests over a pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and tells us to stop

    async def serve():
        clients = LocalClients()
        while True:
            if os.getppid() != parent_pid:
                return
            try:
                req = await asyncio.wait_for(_pipe_recv(conn), 5.0)
            except TimeoutError:
                continue
            except (EOFError, OSError):
                return
            op = req[0]
            if op == "connect":
                _op, specs, concurrency, timeout = req
                conn.send(await clients.connect(specs, concurrency, timeout))
                gc.collect()
                gc.freeze()
            elif op == "wait":
                conn.send(await clients.wait(req[1], req[2]))
            elif op == "cpu":
                conn.send(cpu_ms(os.getpid()))
            elif op == "close":
                await clients.close()
                conn.send(clients.closed)
            elif op == "exit":
                await clients.close()
                return

    asyncio.run(serve())


class RemoteClients:
    """The same interface as LocalClients, for a client process."""

    def __init__(self, ctx):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=client_process, args=(child, os.getpid()), daemon=True)
        self.proc.start()
        child.close()
        self.lock = asyncio.Lock()

    async def _call(self, *req):
        async with self.lock:
            self.conn.send(req)
            return await _pipe_recv(self.conn)

    async def connect(self, specs, concurrency, timeout):
        return await self._call("connect", specs, concurrency, timeout)

    async def wait(self, seq, timeout):
        return await self._call("wait", seq, timeout)

    async def close(self):
        return await self._call("close")

    async def cpu(self):
        return await self._call("cpu")

    def stop(self):
        with contextlib.suppress(Exception):
            self.conn.send(("exit",))
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(5)


class ClientPool:
    """All client connections, in this process (K=1) or spread over K child processes."""

    def __init__(self, k: int):
        self.k = k
        if k <= 1:
            self.groups = [LocalClients()]
        else:
            ctx = multiprocessing.get_context("spawn")
            self.groups = [RemoteClients(ctx) for _ in range(k)]

    async def connect(self, specs: list[ClientSpec], concurrency: int, timeout: float) -> dict:
        parts = [specs[i::len(self.groups)] for i in range(len(self.groups))]
        per = max(1, concurrency // len(self.groups))
        results = await asyncio.gather(*(g.connect(p, per, timeout) for g, p in zip(self.groups, parts)))
        if self.k <= 1:
            gc.collect()
            gc.freeze()
        return {
            "connected": sum(r["connected"] for r in results),
            "failed": sum(r["failed"] for r in results),
            "retries": sum(r["retries"] for r in results),
            "errors": [e for r in results for e in r["errors"]][:5],
            "seconds": max(r["seconds"] for r in results),
            "snapshot_seq_max": max(r["snapshot_seq_max"] for r in results),
            "snapshot_seq_min": min(r["snapshot_seq_min"] for r in results),
        }

    async def wait(self, seq: int, timeout: float) -> tuple[int, int]:
        results = await asyncio.gather(*(g.wait(seq, timeout) for g in self.groups))
        firsts = [r[1] for r in results if r[0]]
        return sum(r[0] for r in results), min(firsts, default=0), max(r[2] for r in results)

    async def close(self) -> None:
        await asyncio.gather(*(g.close() for g in self.groups))

    async def cpu(self) -> float | None:
        if self.k <= 1:
            return None
        vals = await asyncio.gather(*(g.cpu() for g in self.groups))
        return sum(v or 0 for v in vals)

    def stop(self) -> None:
        for g in self.groups:
            if isinstance(g, RemoteClients):
                g.stop()


class Chair:
    """The chair's connection: sends commands, follows seq and the agenda from its own events."""

    def __init__(self):
        self.ws = None
        self.task = None
        self.seq = 0
        self.status = None
        self.items: list[int] = []
        self.current = None
        self.last_event: dict | None = None
        self.replies: dict[str, asyncio.Future] = {}
        self.seq_events: dict[int, asyncio.Event] = {}
        self.n = 0
        self.prefix = os.urandom(4).hex()

    async def connect(self, spec: ClientSpec, timeout: float) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(spec.ws_url, additional_headers=_headers(spec), compression=None, ping_interval=None,
                                max_size=16 * 1024 * 1024, open_timeout=timeout, close_timeout=2)
        snap = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        if snap.get("type") != "snapshot":
            raise BenchError(f"chair: first message is not a snapshot: {str(snap)[:200]}")
        self.seq = snap["seq"]
        data = snap.get("data") or {}
        if "sitting" in data:  # the hub (the floor's snapshot is empty)
            role = (snap.get("you") or {}).get("role")
            if role not in ("chair", "secretary"):
                raise BenchError(f"the console token paired a {role!r}, not the chair")
            self.status = data["sitting"]["status"]
            self.items = [i["id"] for i in data["agenda"]["items"] if i["status"] != "postponed"]
            self.current = data["agenda"]["current_item_id"]
        self.task = asyncio.create_task(self._read())

    async def _read(self):
        async for text in self.ws:
            t = time.monotonic_ns()
            for msg in messages_of(text):
                self._handle(msg, t)

    def _handle(self, msg: dict, t: int):
        if "in_response" in msg:
            fut = self.replies.pop(str(msg["in_response"]), None)
            if fut and not fut.done():
                fut.set_result((msg, t))
            return
        seq = msg.get("seq")
        if not isinstance(seq, int) or msg["type"] == "snapshot":
            return
        self.seq = max(self.seq, seq)
        if msg["type"] == "agenda.current":
            self.last_event = msg
            self.current = (msg.get("data") or {}).get("current_item_id", self.current)
        elif msg["type"] == "sitting.status":
            self.status = msg["data"]["status"]
        self.seq_events.setdefault(seq, asyncio.Event()).set()

    async def send(self, cmd: str, args: dict) -> tuple[int, asyncio.Future]:
        """Write the command; return (t0 ns taken just before writing, future of (reply, its receive time))."""
        self.n += 1
        corr = f"b{self.prefix}-{self.n}"  # ids are idempotency keys: unique per sender across runs
        fut = asyncio.get_running_loop().create_future()
        self.replies[corr] = fut
        text = json.dumps({"id": corr, "cmd": cmd, "args": args}, ensure_ascii=False, separators=(",", ":"))
        t0 = time.monotonic_ns()
        await self.ws.send(text)
        return t0, fut

    async def wait_seq(self, seq: int, timeout: float) -> bool:
        ev = self.seq_events.setdefault(seq, asyncio.Event())
        try:
            await asyncio.wait_for(ev.wait(), timeout)
            return True
        except TimeoutError:
            return False

    def next_move(self) -> tuple[str, dict]:
        if self.current is not None and self.items and self.current == self.items[-1]:
            return "agenda.jump", {"item_id": self.items[0], "expect_current": self.current}
        return "agenda.next", {"expect_current": self.current}  # what the chair saw (docs/protocol.md, stale)

    async def close(self):
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
