"""Real processes for the hub's multi-process and fault tests.

- `Worker`: one Daphne process serving the project (its own process group, so a
  kill takes everything it started);
- `OwnPostgres`, `OwnRedis`: a PostgreSQL cluster and a Redis server of the test's
  own, on spare ports in a temporary folder, that a test may stop, kill, freeze
  (SIGSTOP) and start again without touching anybody else's;
- `sign_in`: a real password sign-in; `Client`: a real WebSocket client that
  validates every frame and keeps its state by the reducer rules;
- `Terminal`: a client that follows a sitting by itself as hub.js does — it
  reconnects to whichever worker is up, syncs on a gap or a heartbeat ahead of
  it, and sends a command left unanswered by a dropped link again with the same id.

Used by tests/realtime/test_multiprocess.py and tests/faults/.
"""

import asyncio
import contextlib
import glob
import http.cookiejar
import json
import os
import pwd
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import websockets

from accounts.permissions import AUDIENCE

from .hub import unpacked, validate_message
from .reducer import ClientState, Gap

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DAPHNE = str(Path(PYTHON).with_name("daphne"))
PASSWORD = "hdnd-demo-2026"  # meeting.demo.DEMO_PASSWORD


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, proc: subprocess.Popen | None, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout} s")


def _kill_group(proc: subprocess.Popen | None, sig=signal.SIGKILL):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def load_demo(env: dict, migrate: bool = True) -> dict:
    """Migrate (unless the database is migrated already), load the demo council (no documents) and
    return the ids of its two sittings."""
    if migrate:
        manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_demo", "--no-documents")
    code = ("from meeting.models import Sitting; import json; "
            "print(json.dumps({s.title: s.pk for s in Sitting.objects.all()}))")
    out = manage(env, "shell", "-c", code, timeout=120)
    titles = json.loads(out.strip().splitlines()[-1])  # shell may print a banner first
    return {"plenary": next(pk for t, pk in titles.items() if t.startswith("Phiên khai mạc")),
            "standing": next(pk for t, pk in titles.items() if t.startswith("Phiên họp Thường trực"))}


class Worker:
    """One Daphne process serving the project."""

    def __init__(self, name: str, env: dict, logs: Path):
        self.name, self.env, self.logs = name, env, logs
        self.port = None
        self.proc = None

    def start(self):
        return self.launch().wait_listening()

    def launch(self):
        """Start the process, not waiting for it to listen (wait_listening; start_together)."""
        self.port = free_port()
        with open(self.logs / f"{self.name}-{self.port}.log", "wb") as log:
            self.proc = subprocess.Popen([DAPHNE, "-b", "127.0.0.1", "-p", str(self.port), "-v", "0", "config.asgi:application"],
                                         cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def wait_listening(self):
        _wait_listening(self.port, self.proc, f"daphne {self.name} (see {self.logs})")
        return self

    @staticmethod
    def start_together(*workers: "Worker") -> list["Worker"]:
        """Start `workers` at once, then wait for each: their start-ups (importing Django and the
        project, seconds each on a busy machine) overlap instead of following each other. If one does
        not come up, all are stopped."""
        try:
            for worker in workers:
                worker.launch()
            for worker in workers:
                worker.wait_listening()
        except BaseException:
            for worker in workers:
                worker.stop()
            raise
        return list(workers)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL: the process dies at once, as in a crash or an out-of-memory kill."""
        _kill_group(self.proc)

    def stop(self):
        if self.alive:
            _kill_group(self.proc, signal.SIGTERM)

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.logs.glob(f"{self.name}-*.log")))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# ---- services of the test's own -------------------------------------------------

def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl and shutil.which("initdb") else None


class OwnPostgres:
    """A throw-away PostgreSQL cluster on a spare port: initdb into a temporary folder,
    pg_ctl start/stop. PostgreSQL refuses to run as root, so as root it runs as the
    `postgres` OS user (the folder is handed to it)."""

    def __init__(self):
        self.bin = _postgres_bin()
        if self.bin is None:
            pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql): "
                        "the fault tests start a PostgreSQL cluster of their own")
        self.dir = Path(tempfile.mkdtemp(prefix="hdnd-faults-pg-"))
        self.data, self.sockets = self.dir / "data", self.dir / "run"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no `postgres` OS user to run PostgreSQL as")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self._run("mkdir", "-p", str(self.sockets))
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync",
                  "-E", "UTF8", "--locale", "C")

    def _run(self, *command: str, timeout: float = 120):
        done = subprocess.run([*self.as_user, *command], capture_output=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stdout.decode()} {done.stderr.decode()}")

    def start(self):
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options, "-w", "start")
        return self

    def stop(self, mode: str = "fast"):
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True,
                               connect_timeout=5)

    def destroy(self):
        try:
            if self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def create_migrated(self, dbname: str) -> bool:
        """Create `dbname` holding what `migrate` leaves, copied (pg_dump | pg_restore, a second or two)
        from pytest's freshly migrated test database on the suite's own PostgreSQL server
        (tests/migrated_db.py), instead of migrating it in a subprocess (some 13 s on a busy two-core
        machine). False, creating nothing, when this process has no such copy (SQLite run): then
        the caller migrates."""
        from django.db import connection

        from tests import migrated_db

        template = migrated_db.postgres_template()
        if template is None:
            return False
        with self.connect() as admin:
            admin.execute(f'CREATE DATABASE "{dbname}"')
        source = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
        # Popen as a context manager: its pipes are closed (an unclosed one is a ResourceWarning, an error here).
        with subprocess.Popen([str(self.bin / "pg_dump"), "-Fc", "-h", source.get("HOST") or "127.0.0.1",
                               "-p", str(source.get("PORT") or 5432), "-U", source.get("USER") or "postgres", template],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as dump:
            restore = subprocess.run([str(self.bin / "pg_restore"), "--no-owner", "--exit-on-error", "-h", "127.0.0.1",
                                      "-p", str(self.port), "-U", "postgres", "-d", dbname],
                                     stdin=dump.stdout, capture_output=True, timeout=120, env=env, check=False)
            dump.stdout.close()
            dump_err = dump.stderr.read().decode()
            dumped = dump.wait(60)
        if dumped != 0 or restore.returncode != 0:
            raise RuntimeError(f"copying the migrated database failed: {dump_err} {restore.stderr.decode()}")
        return True


class OwnRedis:
    """A throw-away redis-server on a spare port, without persistence."""

    def __init__(self, logs: Path):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.skip("redis-server is not installed (apt-get install redis-server): "
                        "the fault tests start a Redis of their own")
        self.port = free_port()
        self.logs = logs
        self.proc = None

    def start(self):
        with open(self.logs / "redis.log", "ab") as log:
            self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                          "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        _wait_listening(self.port, self.proc, "redis-server")
        return self

    def kill(self):
        """Redis stopped dead (SIGKILL): every connection to it drops."""
        _kill_group(self.proc)

    def freeze(self):
        """SIGSTOP: connections stay open and nothing is answered, as with a hung server."""
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def thaw(self):
        os.killpg(self.proc.pid, signal.SIGCONT)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def destroy(self):
        if self.proc is not None and self.proc.poll() is None:
            self.thaw()
            _kill_group(self.proc)


# ---- clients ------------------------------------------------------------------

def sign_in(base: str, username: str, password: str = PASSWORD) -> str:
    """A real password sign-in, as docs/protocol.md describes it; returns the sessionid."""
    jar = http.cookiejar.CookieJar()
    web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = web.open(f"{base}/accounts/login/", timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf})
    web.open(urllib.request.Request(f"{base}/accounts/login/", data=body.encode(),
                                    headers={"Referer": f"{base}/accounts/login/"}), timeout=30)
    cookies = {c.name: c.value for c in jar}
    assert "sessionid" in cookies, f"signing in as {username} failed"
    return cookies["sessionid"]


async def open_socket(worker: Worker, sitting_id: int, sessionid: str | None):
    headers = {"Cookie": f"sessionid={sessionid}"} if sessionid else {}
    return await websockets.connect(f"ws://127.0.0.1:{worker.port}/ws/sitting/{sitting_id}/",
                                    origin=f"http://127.0.0.1:{worker.port}", additional_headers=headers,
                                    open_timeout=30)


class Client:
    """A real WebSocket client: validates every frame, keeps its state by the reducer rules."""

    def __init__(self, ws):
        self.ws = ws
        self.audience = None
        self.state = ClientState()
        self.commands = {}
        self.events = []
        self._unpacked = []  # the rest of a batch frame's events, handled one by one
        self._held = []  # events after a gap, until those before them come (receive)
        # A command id is its sender's idempotency key (docs/decisions/0005): a client that
        # reconnects as the same person must not reuse the ids of its earlier connection.
        self._ids = (f"{secrets.token_hex(4)}-{n}" for n in range(1, 10**6))

    @classmethod
    async def connect(cls, worker: Worker, sitting_id: int, sessionid: str | None):
        client = cls(await open_socket(worker, sitting_id, sessionid))
        text = await asyncio.wait_for(client.ws.recv(), 30)
        client.audience = AUDIENCE[json.loads(text)["you"]["role"]]
        client.state.apply(validate_message(text, client.audience))
        return client

    async def receive(self, timeout=30) -> dict:
        if not self._unpacked:
            frame = validate_message(await asyncio.wait_for(self.ws.recv(), timeout), self.audience, self.commands)
            self._unpacked = unpacked(frame)
        message = self._unpacked.pop(0)
        if message.get("type") in ("heartbeat", "hub.status"):
            return message  # not events: they change no state
        if "type" in message:
            try:
                self.state.apply(message)
            except Gap:
                # Events committed by two workers can overtake each other on their way (docs/protocol.md,
                # "Applying events"): one after a gap waits here for those before it, which come
                # (the channel layer is up in these tests; an event that never comes shows as a
                # wait for a seq that times out).
                self._held.append(message)
                return message
            if message["type"] != "snapshot":
                self.events.append(message)
            self._apply_held()
        return message

    def _apply_held(self):
        """Those held after a gap that now follow on, in order."""
        while self._held:
            for held in sorted(self._held, key=lambda m: (m.get("pseq") is not None, m.get("pseq") or m["seq"])):
                try:
                    self.state.apply(held)
                except Gap:
                    continue
                self._held.remove(held)
                self.events.append(held)
                break
            else:
                return

    async def command(self, cmd: str, args: dict | None = None) -> dict:
        id = next(self._ids)
        self.commands[id] = cmd
        await self.ws.send(json.dumps({"id": id, "cmd": cmd, "args": args or {}}))
        while True:
            message = await self.receive()
            if message.get("in_response") == id:
                assert message["ok"], message
                return message["data"]

    async def until_seq(self, seq: int):
        while self.state.seq < seq:
            await self.receive()

    async def close(self):
        # The closing handshake waits for the server's close frame, but a connection stops reading
        # while 16 messages it was sent lie unread (websockets' max_queue): after a broadcast to a
        # hall the handshake then waited out the whole close_timeout (10 s per teardown). Read
        # and drop what is left meanwhile, so the close frame arrives; the close is the same.
        async def discard():
            with contextlib.suppress(websockets.ConnectionClosed, websockets.exceptions.ConcurrencyError):
                async for _ in self.ws:
                    pass

        reader = asyncio.get_running_loop().create_task(discard())
        try:
            await self.ws.close()
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def snapshot_of(workers: list[Worker], sitting_id: int, sessionid: str | None) -> tuple[int, dict]:
    """A fresh snapshot (seq, state) as this person sees it, from the first worker that is up."""
    for worker in workers:
        if worker.alive:
            client = await Client.connect(worker, sitting_id, sessionid)
            await client.close()
            return client.state.seq, client.state.state
    raise RuntimeError("no worker is up")


class Terminal:
    """A device following a sitting by itself, by the rules of docs/protocol.md (as hub.js does).

    - On any close it reconnects, to its own worker if up, else the next one, with a short
      random backoff, and takes the snapshot (rule 5).
    - A gap (rule 4) or, when `catch_up`, a heartbeat or ping reply ahead of it (rule 6)
      makes it send `sync` after a moment, once at a time.
    - `command()` returns the command's one reply; a command left unanswered by a dropped
      link is sent again with the same id after the reconnect (decision 0005).
    """

    def __init__(self, name: str, workers: list[Worker], sitting_id: int, sessionid: str | None, *,
                 home: int = 0, catch_up: bool = True):
        self.name, self.workers, self.sitting_id, self.sessionid = name, workers, sitting_id, sessionid
        self.home, self.catch_up = home, catch_up
        self.state = ClientState()
        self.audience = None
        self.ws = None
        self.worker = None
        self.connects = 0
        self.syncs = 0
        self.events_applied = 0
        self.commands: dict[str, str] = {}
        self.sent: dict[str, str] = {}  # id -> frame, unanswered
        self.replies: dict[str, asyncio.Future] = {}
        self.errors: list[str] = []
        self._syncing = False
        self._connected = asyncio.Event()
        self._ids = (f"{name}-{secrets.token_hex(3)}-{n}" for n in range(1, 10**6))
        self.task = None

    async def start(self):
        self.task = asyncio.get_running_loop().create_task(self._run())
        connected = asyncio.ensure_future(self._connected.wait())
        await asyncio.wait([connected, self.task], timeout=90, return_when=asyncio.FIRST_COMPLETED)
        if self.task.done():
            connected.cancel()
            self.task.result()  # what stopped it
        if not connected.done():
            connected.cancel()
            raise AssertionError(f"{self.name} did not connect within 90 s: {self.errors[-5:]}")
        return self

    async def stop(self):
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):
                pass
        if self.ws is not None:
            await self.ws.close()

    async def _run(self):
        tried = 0
        while True:
            worker = self.workers[(self.home + tried) % len(self.workers)]
            try:
                if not worker.alive:
                    raise OSError(f"worker {worker.name} is down")
                self.ws = await open_socket(worker, self.sitting_id, self.sessionid)
                self.worker = worker
                self._syncing = False
                first = True
                async for text in self.ws:
                    if first:
                        self.audience = AUDIENCE[json.loads(text)["you"]["role"]]
                    for message in unpacked(validate_message(text, self.audience, self.commands)):
                        self._handle(message)
                    if first:
                        first, tried = False, 0
                        self.connects += 1
                        self._connected.set()
                        for frame in list(self.sent.values()):  # unanswered: the same id again
                            await self.ws.send(frame)
            except asyncio.CancelledError:
                raise
            except (OSError, websockets.WebSocketException, asyncio.TimeoutError) as e:
                self.errors.append(f"{worker.name}: {e!r}")
            self.ws = None
            self._connected.clear()
            tried += 1
            await asyncio.sleep(random.uniform(0.1, 0.4))

    def _handle(self, message: dict):
        kind = message.get("type")
        if kind == "hub.status":
            return
        if kind == "heartbeat":
            if self.catch_up and self.state.seq is not None and message["seq"] > self.state.seq:
                self._sync_soon(behind=message["seq"])
            return
        if kind is not None:  # a snapshot (also a sync's reply) or an event
            self._apply(message)
        if "in_response" in message:
            corr = message["in_response"]
            cmd = self.commands.get(corr)
            if cmd == "sync":
                self._syncing = False
                if message.get("ok") and kind is None:
                    for event in message["data"]["events"]:
                        self._apply(event)
            elif cmd == "ping":
                if self.catch_up and message["data"]["seq"] is not None and message["data"]["seq"] > self.state.seq:
                    self._sync_soon(behind=message["data"]["seq"])
            if corr in self.sent and cmd != "sync":
                del self.sent[corr]
                future = self.replies.pop(corr, None)
                if future is not None and not future.done():
                    future.set_result(message)

    def _apply(self, message: dict):
        try:
            if self.state.apply(message) and message["type"] != "snapshot":
                self.events_applied += 1
        except Gap:
            self._sync_soon()

    def _sync_soon(self, behind: int | None = None):
        """Sync: at once after a gap; after a heartbeat ahead, only if still behind a moment later
        (the events may be on their way)."""
        if self._syncing:
            return
        self._syncing = True
        delay = 0 if behind is None else random.uniform(0.25, 1.0)
        asyncio.get_running_loop().create_task(self._sync(delay, behind))

    async def _sync(self, delay: float, behind: int | None):
        await asyncio.sleep(delay)
        ws = self.ws
        if ws is None or (behind is not None and self.state.seq >= behind):
            self._syncing = False
            return
        id = next(self._ids)
        self.commands[id] = "sync"
        self.syncs += 1
        try:
            await ws.send(json.dumps({"id": id, "cmd": "sync", "args": {"since_seq": self.state.seq}}))
        except websockets.WebSocketException:
            self._syncing = False

    async def command(self, cmd: str, args: dict | None = None, timeout: float = 60) -> dict:
        """Send a command and return its one reply (ok or error), across reconnects."""
        id = next(self._ids)
        frame = json.dumps({"id": id, "cmd": cmd, "args": args or {}})
        self.commands[id] = cmd
        self.sent[id] = frame
        future = self.replies[id] = asyncio.get_running_loop().create_future()
        if self.ws is not None:
            try:
                await self.ws.send(frame)
            except websockets.WebSocketException:
                pass  # sent again after the reconnect
        reply = await asyncio.wait_for(future, timeout)
        reply["id"] = id
        return reply

    async def ok(self, cmd: str, args: dict | None = None) -> dict:
        reply = await self.command(cmd, args)
        assert reply["ok"], (self.name, cmd, reply)
        return reply["data"]


async def wait_until(predicate, timeout: float = 90, what: str = "the condition"):
    """Poll `predicate()` (sync or async) every 0.2 s; fail naming `what` after `timeout` s.
    Only a bound on a loaded machine, never a claim about how fast it is."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.2)
