"""Two real Daphne processes sharing PostgreSQL and Redis: a client of one sees
what is done through the other, and a worker killed mid-sitting loses nothing.

Real sockets, a real password sign-in (POST /accounts/login/), the
`websockets` library as a third-party client would use it. The test creates
its own PostgreSQL database (dropped at the end) and its own channel prefix.
"""

import asyncio
import atexit
import contextlib
import json
import os
import secrets
from urllib.parse import urlparse

import pytest
import websockets

from tests import migrated_db

from .cluster import Client, Worker, load_demo, manage, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.own_servers]

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"


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


@contextlib.contextmanager
def own_database(tmp_path_factory, prefix: str, *, log_level="ERROR", **settings):
    """A PostgreSQL database of its own with the demo council (dropped at the end) and the
    environment of workers on it, over Redis with a channel prefix of their own; yields
    (env, the demo's sittings, a folder for the workers' logs). Shared by the multi-worker tests."""
    with own_environment(tmp_path_factory, prefix, log_level=log_level, from_template="demo", **settings) as (env, logs):
        yield env, dict(_TEMPLATES["demo"][1]), logs


# Migrating a new database runs every migration in a new process, tens of seconds on a busy
# machine, and each module of the multi-worker tests wants a database of its own. So this process
# migrates once (and loads the demo once) into template databases, and each database of a module
# is a copy of one (CREATE DATABASE ... TEMPLATE, under a second): the same tables and rows as a
# database migrated for it, still its own. Dropped when this process ends.
_TEMPLATES: dict[str, tuple[str, dict]] = {}  # "migrated" / "demo" -> (database name, the demo's sittings)
_DROP_REGISTERED: list = []  # [True] once _drop_templates is registered to run at exit


def _template(kind: str) -> str:
    """The name of this process's template database: "migrated" (what `migrate` leaves) or "demo"
    (that, with the demo council loaded by `load_demo --no-documents`)."""
    if kind == "migrated" and kind not in _TEMPLATES and migrated_db.postgres_template() is not None:
        # pytest's own test database as migrate left it, copied before any test ran (tests/migrated_db.py;
        # dropped by tests/conftest.py at the end of the session).
        _TEMPLATES[kind] = (migrated_db.postgres_template(), {})
    if kind not in _TEMPLATES:
        admin = _admin_connection()
        name = f"test_hub_template_{kind}_{secrets.token_hex(4)}"
        if kind == "migrated":
            admin.execute(f'CREATE DATABASE "{name}"')
        else:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_template("migrated")}"')
        if not _DROP_REGISTERED:
            atexit.register(_drop_templates)
            _DROP_REGISTERED.append(True)
        _TEMPLATES[kind] = (name, {})
        env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE")}
        env.update({"DATABASE_URL": urlparse(_postgres_url())._replace(path=f"/{name}", query="").geturl(),
                    "SECRET_KEY": secrets.token_hex(32), "DEBUG": "0", "LOG_LEVEL": "ERROR"})
        env.pop("REDIS_URL", None)
        try:
            if kind == "migrated":
                manage(env, "migrate", "--noinput", "-v", "0")
            else:
                _TEMPLATES[kind][1].update(load_demo(env, migrate=False))
        except BaseException:
            del _TEMPLATES[kind]
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            raise
        finally:
            admin.close()
    return _TEMPLATES[kind][0]


def _drop_templates():
    try:
        admin = _admin_connection()
    except BaseException:  # noqa: BLE001 (at exit: nothing to report to)
        return
    with admin:
        for name, _ in _TEMPLATES.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def own_environment(tmp_path_factory, prefix: str, *, log_level="ERROR", from_template: str | None = None, **settings):
    """The same, empty: not even migrated, or with `from_template="migrated"` migrated (a test
    that loads a council of its own size: tests/floor and tests/voting, their concurrency tests);
    yields (env, a folder for logs)."""
    admin = _admin_connection()
    _require_redis()
    name = f"{prefix}_{secrets.token_hex(4)}"
    if from_template:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_template(from_template)}"')
    else:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = urlparse(_postgres_url())
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE")}
    env.update({
        "DATABASE_URL": url._replace(path=f"/{name}", query="").geturl(),
        "REDIS_URL": _redis_url(),
        "CHANNEL_PREFIX": f"hubtest{secrets.token_hex(4)}",  # Pub/Sub ignores the db number: isolate by prefix
        "SECRET_KEY": secrets.token_hex(32),
        "DEBUG": "0",
        "LOG_LEVEL": log_level,
        **{key: str(value) for key, value in settings.items()},
    })
    try:
        yield env, tmp_path_factory.mktemp("daphne")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two Daphne workers on a fresh PostgreSQL database with the demo council, over Redis."""
    with own_database(tmp_path_factory, "test_hub_multi") as (env, sittings, logs):
        workers = []
        try:
            workers = Worker.start_together(Worker("a", env, logs), Worker("b", env, logs))
            yield {"a": workers[0], "b": workers[1], "env": env, "db": env["DATABASE_URL"].rsplit("/", 1)[1],
                   "sittings": sittings}
        finally:
            for worker in workers:
                worker.stop()


@pytest.fixture(scope="module")
def sittings(cluster):
    return cluster["sittings"]


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
    # Dropped while the frame is still being written (a reset) or just after (a close): either way.
    with pytest.raises((websockets.ConnectionClosed, ConnectionResetError)):
        await alice.ws.send("x" * (1024 * 1024 + 1))
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
