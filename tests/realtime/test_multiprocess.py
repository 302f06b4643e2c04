"""Two real Daphne processes sharing PostgreSQL and Redis: a client of one sees
what is done through the other, and a worker killed mid-sitting loses nothing.

Real sockets, a real password sign-in (POST /accounts/login/), the
`websockets` library as a third-party client would use it. The test creates
its own PostgreSQL database (dropped at the end) and its own channel prefix.
"""

import asyncio
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
import websockets

from accounts.permissions import AUDIENCE

from .hub import validate_message
from .reducer import ClientState

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DAPHNE = str(Path(PYTHON).with_name("daphne"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
PASSWORD = "hdnd-demo-2026"  # meeting.demo.DEMO_PASSWORD


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_DATABASE_URL


def _redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def _admin_connection():
    import psycopg

    url = urlparse(_postgres_url())
    try:
        return psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                               password=url.password or None, dbname=url.path.lstrip("/") or "postgres",
                               autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        pytest.skip(f"PostgreSQL is not reachable at {url.hostname}:{url.port or 5432} ({e}); "
                    "set DATABASE_URL or start PostgreSQL to run the two-process test")


def _require_redis():
    import redis

    try:
        redis.Redis.from_url(_redis_url(), socket_connect_timeout=3).ping()
    except redis.exceptions.RedisError as e:
        pytest.skip(f"Redis is not reachable at {_redis_url()} ({e}); set REDIS_URL or start Redis "
                    "to run the two-process test")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Worker:
    """One Daphne process serving the project."""

    def __init__(self, name: str, env: dict, logs: Path):
        self.name, self.env, self.logs = name, env, logs
        self.port = None
        self.proc = None

    def start(self):
        self.port = _free_port()
        with open(self.logs / f"{self.name}-{self.port}.log", "wb") as log:
            self.proc = subprocess.Popen([DAPHNE, "-b", "127.0.0.1", "-p", str(self.port), "-v", "0", "config.asgi:application"],
                                         cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne {self.name} exited with {self.proc.returncode}: see {self.logs}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"daphne {self.name} did not listen on {self.port} within 60 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two Daphne workers on a fresh PostgreSQL database with the demo council, over Redis."""
    admin = _admin_connection()
    _require_redis()
    name = f"test_hub_multi_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = urlparse(_postgres_url())
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE")}
    env.update({
        "DATABASE_URL": url._replace(path=f"/{name}", query="").geturl(),
        "REDIS_URL": _redis_url(),
        "CHANNEL_PREFIX": f"hubtest{secrets.token_hex(4)}",  # Pub/Sub ignores the db number: isolate by prefix
        "SECRET_KEY": secrets.token_hex(32),
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
    })
    logs = tmp_path_factory.mktemp("daphne")
    workers = []
    try:
        for command in (["migrate", "--noinput", "-v", "0"], ["load_demo", "--no-documents"]):
            done = subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)
            assert done.returncode == 0, done.stderr.decode()
        workers = [Worker("a", env, logs).start(), Worker("b", env, logs).start()]
        yield {"a": workers[0], "b": workers[1], "env": env, "db": name}
    finally:
        for worker in workers:
            worker.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


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


class Client:
    """A real WebSocket client: validates every frame, keeps its state by the reducer rules."""

    def __init__(self, ws):
        self.ws = ws
        self.audience = None
        self.state = ClientState()
        self.commands = {}
        self.events = []
        # A command id is its sender's idempotency key (docs/decisions/0005): a client that
        # reconnects as the same person must not reuse the ids of its earlier connection.
        self._ids = (f"{secrets.token_hex(4)}-{n}" for n in range(1, 10**6))

    @classmethod
    async def connect(cls, worker: Worker, sitting_id: int, sessionid: str | None):
        headers = {"Cookie": f"sessionid={sessionid}"} if sessionid else {}
        ws = await websockets.connect(f"ws://127.0.0.1:{worker.port}/ws/sitting/{sitting_id}/",
                                      origin=f"http://127.0.0.1:{worker.port}", additional_headers=headers,
                                      open_timeout=30)
        client = cls(ws)
        text = await asyncio.wait_for(ws.recv(), 30)
        client.audience = AUDIENCE[json.loads(text)["you"]["role"]]
        client.state.apply(validate_message(text, client.audience))
        return client

    async def receive(self, timeout=30) -> dict:
        message = validate_message(await asyncio.wait_for(self.ws.recv(), timeout), self.audience, self.commands)
        if message.get("type") in ("heartbeat", "hub.status"):
            return message  # not events: they change no state
        if "type" in message:
            self.state.apply(message)
            if message["type"] != "snapshot":
                self.events.append(message)
        return message

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
        await self.ws.close()


def _sitting_ids(env) -> dict:
    code = ("from meeting.models import Sitting; import json; "
            "print(json.dumps({s.title: s.pk for s in Sitting.objects.all()}))")
    done = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    titles = json.loads(done.stdout.decode().strip().splitlines()[-1])  # shell may print a banner first
    return {"plenary": next(pk for t, pk in titles.items() if t.startswith("Phiên khai mạc")),
            "standing": next(pk for t, pk in titles.items() if t.startswith("Phiên họp Thường trực"))}


@pytest.fixture(scope="module")
def sittings(cluster):
    return _sitting_ids(cluster["env"])


@pytest.fixture(scope="module")
def sessions(cluster):
    # Sign in on worker a; the session lives in the database, so it works on b as well.
    return {"chair": sign_in(cluster["a"].base, "db001"), "alice": sign_in(cluster["a"].base, "db010")}


async def test_a_client_of_one_process_receives_a_change_made_through_the_other(cluster, sittings, sessions):
    alice_on_a = await Client.connect(cluster["a"], sittings["plenary"], sessions["alice"])
    chair_on_b = await Client.connect(cluster["b"], sittings["plenary"], sessions["chair"])
    await chair_on_b.command("sitting.open")
    await chair_on_b.command("agenda.next", {"expect_current": None})
    await chair_on_b.until_seq(2)  # the reply may come before the event
    await alice_on_a.until_seq(2)
    assert [e["type"] for e in alice_on_a.events] == ["sitting.status", "agenda.current"]
    assert alice_on_a.state.state["agenda"]["current_item_id"] == chair_on_b.state.state["agenda"]["current_item_id"]
    await alice_on_a.close()
    await chair_on_b.close()


async def test_a_message_over_64_kib_is_refused_over_a_real_socket_and_the_socket_stays_open(cluster, sittings, sessions):
    alice = await Client.connect(cluster["a"], sittings["plenary"], sessions["alice"])
    await alice.ws.send(json.dumps({"id": 1, "cmd": "ping", "args": {"pad": "x" * 70000}}))
    reply = await alice.receive()
    assert (reply["in_response"], reply["error"]["code"]) == (None, "too_large")
    assert "server_time" in await alice.command("ping")
    await alice.close()


async def test_a_frame_over_the_servers_1_mib_transport_limit_drops_the_connection(cluster, sittings, sessions):
    # Daphne's own limit (--websocket-max-message-size), below which the hub answers too_large.
    alice = await Client.connect(cluster["a"], sittings["plenary"], sessions["alice"])
    await alice.ws.send("x" * (1024 * 1024 + 1))
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(alice.ws.recv(), 30)


async def test_a_worker_killed_mid_sitting_loses_nothing(cluster, sittings, sessions):
    standing = sittings["standing"]
    observer_on_a = await Client.connect(cluster["a"], standing, sessions["chair"])
    chair_on_b = await Client.connect(cluster["b"], standing, sessions["chair"])
    await chair_on_b.command("sitting.open")
    first = (await chair_on_b.command("agenda.insert", {"title": "Rà soát chuẩn bị kỳ họp", "planned_minutes": 30}))["item_id"]
    await chair_on_b.command("agenda.insert", {"title": "Xem xét đơn thư của cử tri", "kind": "other"})
    await chair_on_b.command("agenda.jump", {"item_id": first, "expect_current": None})
    await chair_on_b.command("sitting.announce", {"text": "Phiên họp bắt đầu."})
    await chair_on_b.until_seq(5)
    await observer_on_a.until_seq(5)
    before = (observer_on_a.state.seq, observer_on_a.state.state)

    cluster["b"].kill()
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(chair_on_b.ws.recv(), 30)
    cluster["b"].start()

    again_on_b = await Client.connect(cluster["b"], standing, sessions["chair"])
    assert (again_on_b.state.seq, again_on_b.state.state) == before
    await again_on_b.command("agenda.next", {"expect_current": first})
    await again_on_b.until_seq(6)
    await observer_on_a.until_seq(6)
    assert observer_on_a.state.state == again_on_b.state.state
    fresh = await Client.connect(cluster["a"], standing, sessions["chair"])
    assert (fresh.state.seq, fresh.state.state) == (observer_on_a.state.seq, observer_on_a.state.state)
    for client in (observer_on_a, again_on_b, fresh):
        await client.close()


async def test_the_same_command_id_through_two_workers_changes_the_sitting_once(cluster, sittings, sessions):
    """The chair's console on worker a and again on worker b (a reconnect that landed elsewhere) send
    the same command id at the same moment: one runs it, the other answers its stored outcome."""
    plenary = sittings["plenary"]
    chair_on_a = await Client.connect(cluster["a"], plenary, sessions["chair"])
    chair_on_b = await Client.connect(cluster["b"], plenary, sessions["chair"])
    if chair_on_a.state.state["sitting"]["status"] != "live":
        await chair_on_a.command("sitting.open")
    await chair_on_a.until_seq(1)
    await chair_on_b.until_seq(chair_on_a.state.seq)
    before = chair_on_a.state.seq
    cid = f"dup-{secrets.token_hex(4)}"
    frame = json.dumps({"id": cid, "cmd": "sitting.announce", "args": {"text": "Giải lao 10 phút"}})

    async def reply(client):
        client.commands[cid] = "sitting.announce"
        await client.ws.send(frame)
        while True:
            message = await client.receive()
            if message.get("in_response") == cid:
                return message

    replies = await asyncio.gather(reply(chair_on_a), reply(chair_on_b))
    assert all(r["ok"] for r in replies), replies
    assert sorted(bool(r.get("replayed")) for r in replies) == [False, True]
    fresh = await Client.connect(cluster["b"], plenary, sessions["chair"])
    assert fresh.state.seq == before + 1
    assert fresh.state.state["announcement"]["text"] == "Giải lao 10 phút"
    for client in (chair_on_a, chair_on_b, fresh):
        await client.close()
