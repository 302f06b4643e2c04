"""Fifty delegates ask for the floor at the same moment (issue 13, item 8): each is queued exactly
once, in registration order, and each is told their own request alone.

A real race needs more than one process: in one process every command runs on Channels' one
database thread, one after the other. So, as tests/realtime/test_multiprocess.py does, two Daphne
workers serve a PostgreSQL database of the test's own (dropped at the end) over Redis, and every
delegate has a WebSocket of their own (the `websockets` library, every frame validated and kept by
the reducer rules), spread over both workers: two transactions really race for the sitting's lock.
Without PostgreSQL (or Redis) the test skips, saying so; CI runs it in its PostgreSQL + Redis run.

Personas: the chair at the console (opens the sitting, looks at a fresh snapshot); fifty delegates
(DB002-DB051, the chair DB001 left out) at their tablets, checked in; nobody else.
"""

import asyncio
import json
import secrets
from urllib.parse import urlparse

import pytest

from tests.realtime.cluster import Client, Worker, manage
from tests.realtime.test_multiprocess import _postgres_url, own_environment

# Two workers, a fresh database and fifty-one connections take a minute or more on a shared machine.
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.own_servers, pytest.mark.timeout(600)]

DELEGATES = 50

# What Django's test client does in force_login, for the chair and fifty delegates at once: a
# password sign-in costs a PBKDF2 hash per person (seconds for fifty on a shared machine).
SESSIONS = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from meeting.models import Member, Sitting
sitting = Sitting.objects.get(title__startswith="Phiên khai mạc")
delegates = Member.objects.filter(kind="delegate").exclude(user=sitting.chair).order_by("code")[:{n}]
people = {{"chair": sitting.chair, **{{m.code: m.user for m in delegates}}}}
out = {{}}
for name, user in people.items():
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    out[name] = s.session_key
print("SESSIONS " + json.dumps({{"sitting": sitting.pk, "sessions": out}}))
"""


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    """Two Daphne workers on a fresh PostgreSQL database holding the demo council with 51 delegates
    (the chair and fifty more), over Redis with a channel prefix of their own."""
    with own_environment(tmp_path_factory, "test_floor_race", from_template="migrated") as (env, logs):  # skips, naming PostgreSQL, without it
        workers = []
        try:
            manage(env, "load_demo", "--delegates", str(DELEGATES + 1), "--no-documents", "--no-links")
            out = manage(env, "shell", "-c", SESSIONS.format(n=DELEGATES), timeout=120)
            made = json.loads(next(ln for ln in out.splitlines() if ln.startswith("SESSIONS "))[len("SESSIONS "):])
            workers = Worker.start_together(Worker("a", env, logs), Worker("b", env, logs))
            yield {"workers": workers, "sitting": made["sitting"], "sessions": made["sessions"],
                   "database": env["DATABASE_URL"].rsplit("/", 1)[1]}
        finally:
            for worker in workers:
                worker.stop()


def database_rows(council, sql: str, *params) -> list[tuple]:
    import psycopg

    url = urlparse(_postgres_url())
    with psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                         password=url.password or None, dbname=council["database"], connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchall()


async def send(client: Client, cmd: str, args: dict, id: str | None = None) -> str:
    id = id or f"{cmd}-{secrets.token_hex(6)}"
    client.commands[id] = cmd
    await client.ws.send(json.dumps({"id": id, "cmd": cmd, "args": args}))
    return id


async def replies(client: Client, ids: list[str]) -> dict[str, list[dict]]:
    """Every reply to each of `ids` (one each, in the order they come), applying what else arrives."""
    got: dict[str, list[dict]] = {id: [] for id in ids}
    while sum(len(v) for v in got.values()) < len(ids):
        message = await client.receive()
        if message.get("in_response") in got:
            got[message["in_response"]].append(message)
    return got


async def until(client: Client, done, what: str):
    for _ in range(2000):
        if done(client):
            return
        await client.receive()
    raise AssertionError(f"never {what}")


@pytest.fixture
async def hall(council):
    """The chair and the fifty delegates, each on their own WebSocket (alternately on either worker),
    the sitting live and every delegate checked in at their own tablet."""
    a, b = council["workers"]
    sessions = dict(council["sessions"])
    chair = await Client.connect(a, council["sitting"], sessions.pop("chair"))
    delegates = [await Client.connect((a, b)[i % 2], council["sitting"], session)
                 for i, session in enumerate(sessions.values())]
    try:
        if chair.state.state["sitting"]["status"] != "live":
            await chair.command("sitting.open")
        present = {r["member_id"] for r in chair.state.state["attendance"] if r["status"] == "present"}
        await asyncio.gather(*(d.command("attendance.check_in") for d in delegates
                               if d.state.you["member_id"] not in present))
        await chair.until_seq(max(d.state.seq for d in delegates))
        await asyncio.gather(*(d.until_seq(chair.state.seq) for d in delegates))
        yield chair, delegates
    finally:
        await asyncio.gather(*(client.close() for client in (chair, *delegates)))


async def fresh_floor(council) -> dict:
    chair = await Client.connect(council["workers"][1], council["sitting"], council["sessions"]["chair"])
    await chair.close()
    return chair.state


async def test_fifty_requests_at_once_are_each_queued_once_in_registration_order(council, hall):
    chair, delegates = hall
    frames = [(d, f"speak-{i}-{secrets.token_hex(4)}") for i, d in enumerate(delegates)]
    sent = await asyncio.gather(*(send(d, "floor.request", {"kind": "speech"}, id) for d, id in frames))
    answered = await asyncio.gather(*(replies(d, [id]) for d, id in zip(delegates, sent)))
    acks = [got[id][0] for got, id in zip(answered, sent)]
    assert all(ack["ok"] for ack in acks), [ack for ack in acks if not ack["ok"]]
    mine = {d.state.you["member_id"]: ack["data"]["request_id"] for d, ack in zip(delegates, acks)}
    assert len(set(mine.values())) == DELEGATES

    rows = database_rows(council, "SELECT id, member_id, number FROM floor_request WHERE sitting_id = %s "
                                  "AND kind = 'speech'", council["sitting"])
    assert sorted((member, id) for id, member, _n in rows) == sorted(mine.items())
    assert len({n for _id, _m, n in rows}) == DELEGATES  # each a registration number of its own

    fresh = await fresh_floor(council)
    queue = fresh.state["floor"]["queue"]
    assert [r["id"] for r in queue] == [id for id, _m, _n in sorted(rows, key=lambda row: row[2])]
    assert {r["member_id"]: r["id"] for r in queue} == mine  # each request is its sender's
    for d in delegates:  # every tablet followed the burst, event by event, to the same queue
        await d.until_seq(fresh.seq)
        assert d.state.state["floor"] == fresh.state["floor"]
        await until(d, lambda c: c.state.you["floor"]["requests"], "told its own request")
        assert d.state.you["floor"] == {"requests": [{"id": mine[d.state.you["member_id"]], "kind": "speech",
                                                      "issue_id": None}], "speaking": None}

    # A tablet that never got its reply sends the same command again: answered from the stored outcome.
    (first, id), ack = frames[0], acks[0]
    again = (await replies(first, [await send(first, "floor.request", {"kind": "speech"}, id)]))[id][0]
    assert again == {**ack, "replayed": True}
    assert len(database_rows(council, "SELECT id FROM floor_request WHERE sitting_id = %s AND kind = 'speech'",
                             council["sitting"])) == DELEGATES
    assert (await fresh_floor(council)).seq == fresh.seq


async def test_fifty_delegates_asking_twice_at_once_are_queued_once_each(council, hall):
    """Each tablet sends its point of order twice at the same moment: half send the same command again
    (a retry: the stored outcome answers it), half a second command (refused: already_requested)."""
    chair, delegates = hall
    sent = []
    for i, d in enumerate(delegates):
        first = f"order-{i}-{secrets.token_hex(4)}"
        sent.append((first, first if i % 2 == 0 else f"order-{i}-{secrets.token_hex(4)}"))
    await asyncio.gather(*(send(d, "floor.request", {"kind": "order"}, id)
                           for d, ids in zip(delegates, sent) for id in ids))
    answered = await asyncio.gather(*(replies(d, list(ids)) for d, ids in zip(delegates, sent)))
    made, refused, replayed = {}, 0, 0
    for d, got in zip(delegates, answered):
        answers = [m for ms in got.values() for m in ms]
        ok = [m for m in answers if m["ok"] and not m.get("replayed")]
        assert len(ok) == 1, answers
        made[d.state.you["member_id"]] = ok[0]["data"]["request_id"]
        for other in answers:
            if other is ok[0]:
                continue
            if other["ok"]:
                assert other.get("replayed") and other["data"] == ok[0]["data"]
                replayed += 1
            else:
                assert other["error"]["code"] == "already_requested"
                refused += 1
    assert (refused, replayed) == (DELEGATES // 2, DELEGATES // 2)
    rows = database_rows(council, "SELECT id, member_id, number FROM floor_request WHERE sitting_id = %s "
                                  "AND kind = 'order'", council["sitting"])
    assert sorted((member, id) for id, member, _n in rows) == sorted(made.items())

    fresh = await fresh_floor(council)
    queue = fresh.state["floor"]["queue"]
    orders = [r for r in queue if r["kind"] == "order"]
    assert queue[:DELEGATES] == orders  # points of order go ahead of every speech
    assert [r["number"] for r in orders] == sorted(r["number"] for r in orders)
    assert {r["member_id"]: r["id"] for r in orders} == made
    for d in delegates:
        await d.until_seq(fresh.seq)
        assert d.state.state["floor"] == fresh.state["floor"]
        await until(d, lambda c: made[c.state.you["member_id"]] in [r["id"] for r in c.state.you["floor"]["requests"]],
                    "told its point of order")
        assert [r["id"] for r in d.state.you["floor"]["requests"] if r["kind"] == "order"] == \
            [made[d.state.you["member_id"]]]
