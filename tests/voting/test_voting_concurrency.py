"""Two hundred delegates vote at the same moment (issue 14, item 9), and the chair closes while
ballots are arriving: every ballot is counted exactly once, checked against our own tally of every
ballot sent; a ballot either is acknowledged and counted, or refused (`poll_not_open`) and not.

A real race needs more than one process (in one, every command runs on Channels' one database
thread): as tests/floor/test_floor_concurrency.py does, two Daphne workers serve a PostgreSQL
database of the test's own (dropped at the end) over Redis, and every delegate has a WebSocket of
their own (every frame validated and kept by the reducer rules), spread over both workers.
Without PostgreSQL (or Redis) the tests skip, saying so; CI runs them in its PostgreSQL + Redis run.

Personas: the chair at the console; two hundred delegates (DB002-DB201) at their tablets, present.
"""

import asyncio
import json
import random
import secrets
from collections import Counter

import pytest
import pytest_asyncio

from tests.floor.test_floor_concurrency import SESSIONS, database_rows, send
from tests.realtime.cluster import Client, Worker, manage
from tests.realtime.test_multiprocess import own_environment

# One event loop for the module: the hall's 201 sockets (made once, `hall`) belong to it.
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.own_servers, pytest.mark.timeout(900),
              pytest.mark.asyncio(loop_scope="module")]

DELEGATES = 200
OPTIONS = ("yes", "no", "abstain")


async def replies(client: Client, ids: list[str]) -> dict[str, list[dict]]:
    """Every reply to each of `ids`, in the order they come. The events between are passed over:
    two hundred sockets read by one test process fall behind, and the hub then leaves a slow
    client to sync (docs/protocol.md); what the tally is, a fresh snapshot says (`fresh_round`)."""
    got: dict[str, list[dict]] = {id: [] for id in ids}
    while sum(len(v) for v in got.values()) < len(ids):
        message = json.loads(await asyncio.wait_for(client.ws.recv(), 60))
        if message.get("in_response") in got:
            got[message["in_response"]].append(message)
    return got


async def command(client: Client, cmd: str, args: dict | None = None) -> dict:
    id = await send(client, cmd, args or {})
    reply = (await replies(client, [id]))[id][0]
    assert reply["ok"], reply
    return reply["data"]


async def fresh_round(council, round_id: int) -> dict:
    fresh = await Client.connect(council["workers"][1], council["sitting"], council["sessions"]["chair"])
    await fresh.close()
    return next(r for p in fresh.state.state["voting"]["polls"] for r in p["rounds"] if r["id"] == round_id)


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    """Two Daphne workers on a fresh PostgreSQL database holding the demo council with 201 delegates
    (the chair and 200 more), over Redis with a channel prefix of their own."""
    with own_environment(tmp_path_factory, "test_vote_race", from_template="migrated") as (env, logs):  # skips, naming PostgreSQL, without it
        workers = []
        try:
            manage(env, "load_demo", "--delegates", str(DELEGATES + 1), "--no-documents", "--no-links")
            out = manage(env, "shell", "-c", SESSIONS.format(n=DELEGATES), timeout=180)
            made = json.loads(next(ln for ln in out.splitlines() if ln.startswith("SESSIONS "))[len("SESSIONS "):])
            workers = Worker.start_together(Worker("a", env, logs), Worker("b", env, logs))
            yield {"workers": workers, "sitting": made["sitting"], "sessions": made["sessions"],
                   "database": env["DATABASE_URL"].rsplit("/", 1)[1]}
        finally:
            for worker in workers:
                worker.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def hall(council):
    """The chair and the 200 delegates, each on their own WebSocket (alternately on either worker),
    the sitting live and every delegate present.

    One hall for the module's tests (201 connects cost some 15 s a test): each test votes in a poll
    of its own, closed by its end, and reads only the replies to its own commands (`replies`), so
    what an earlier test's polls left in the sockets is passed over; attendance is not changed."""
    a, b = council["workers"]
    sessions = dict(council["sessions"])
    chair = await Client.connect(a, council["sitting"], sessions.pop("chair"))
    delegates = []
    items = list(sessions.values())
    for start in range(0, len(items), 25):
        delegates += await asyncio.gather(*(Client.connect((a, b)[(start + i) % 2], council["sitting"], s)
                                            for i, s in enumerate(items[start:start + 25])))
    try:
        if chair.state.state["sitting"]["status"] != "live":
            await command(chair, "sitting.open")
        await command(chair, "attendance.mark_selected", {"member_ids": [d.state.you["member_id"] for d in delegates]})
        yield chair, delegates
    finally:
        await asyncio.gather(*(client.close() for client in (chair, *delegates)))


async def poll(chair, **args) -> int:
    poll_id = (await command(chair, "vote.create", {"title": f"Biểu quyết {secrets.token_hex(3)}", **args}))["poll_id"]
    return (await command(chair, "vote.open", {"poll_id": poll_id}))["round_id"]


async def result_of(council, chair, round_id) -> dict:
    await command(chair, "vote.close", {"round_id": round_id})
    return await fresh_round(council, round_id)


async def test_two_hundred_open_ballots_at_once_are_each_counted_once(council, hall):
    chair, delegates = hall
    round_id = await poll(chair)
    chosen = {d.state.you["member_id"]: random.choice(OPTIONS) for d in delegates}
    sent = await asyncio.gather(*(send(d, "vote.cast", {"round_id": round_id,
                                                         "choice": {"option": chosen[d.state.you["member_id"]]}})
                                  for d in delegates))
    answered = await asyncio.gather(*(replies(d, [id]) for d, id in zip(delegates, sent)))
    acks = [got[id][0] for got, id in zip(answered, sent)]
    assert all(ack["ok"] for ack in acks), [ack for ack in acks if not ack["ok"]][:3]
    rows = database_rows(council, "SELECT member_id, choice FROM voting_openballot WHERE round_id = %s", round_id)
    assert sorted((m, c["option"]) for m, c in rows) == sorted(chosen.items())  # one row each, as sent
    counts = database_rows(council, "SELECT data FROM realtime_sittingevent WHERE sitting_id = %s AND "
                                    "type = 'vote.count' AND data->>'round_id' = %s ORDER BY seq",
                           council["sitting"], str(round_id))
    counts = [json.loads(c) if isinstance(c, str) else c for (c,) in counts]
    assert database_rows(council, "SELECT voted, total, present FROM voting_round WHERE id = %s", round_id) == [
        (DELEGATES, DELEGATES + 1, DELEGATES)]
    # Each ballot told once, in order: the ballots committed together as one count (coalesced by
    # round), which names each of them since the previous count.
    voted = [c["voted"] for c in counts]
    assert voted == sorted(set(voted)) and voted[-1] == DELEGATES
    told = [m for c in counts for m in c["member_ids"]]
    assert sorted(told) == sorted(chosen) and len(told) == DELEGATES
    assert [len(c["member_ids"]) for c in counts] == [b - a for a, b in zip([0, *voted], voted)]
    r = await result_of(council, chair, round_id)
    assert r["voted"] == DELEGATES
    assert r["result"]["counts"] == {o: Counter(chosen.values())[o] for o in OPTIONS}
    by_option = r["result"]["by_option"]
    assert sorted((m, o) for o, ids in by_option.items() for m in ids) == sorted(chosen.items())
    assert all(ids == sorted(ids) for ids in by_option.values())


async def test_two_hundred_secret_ballots_at_once_are_each_counted_once(council, hall):
    chair, delegates = hall
    round_id = await poll(chair, kind="dismissal", title="Miễn nhiệm")
    chosen = [random.choice(("yes", "no")) for _d in delegates]
    sent = await asyncio.gather(*(send(d, "vote.cast", {"round_id": round_id, "choice": {"option": c}})
                                  for d, c in zip(delegates, chosen)))
    answered = await asyncio.gather(*(replies(d, [id]) for d, id in zip(delegates, sent)))
    assert all(got[id][0]["ok"] for got, id in zip(answered, sent))
    members = database_rows(council, "SELECT member_id FROM voting_participation WHERE round_id = %s", round_id)
    assert sorted(m for (m,) in members) == sorted(d.state.you["member_id"] for d in delegates)
    named = database_rows(council, "SELECT data->'member_ids' FROM realtime_sittingevent WHERE sitting_id = %s AND "
                                   "type = 'vote.count' AND data->>'round_id' = %s", council["sitting"], str(round_id))
    assert named and all(ids == [] for (ids,) in named)  # a secret poll's counts name nobody
    r = await result_of(council, chair, round_id)
    assert (r["voted"], r["result"]["cast"]) == (DELEGATES, DELEGATES)
    assert r["result"]["counts"] == {"yes": chosen.count("yes"), "no": chosen.count("no")}


async def test_the_chair_closes_while_ballots_arrive_each_is_counted_or_refused(council, hall):
    chair, delegates = hall
    round_id = await poll(chair)
    chosen = {d.state.you["member_id"]: random.choice(OPTIONS) for d in delegates}

    def cast(d):
        return send(d, "vote.cast", {"round_id": round_id, "choice": {"option": chosen[d.state.you["member_id"]]}})

    first, middle, last = delegates[:100], delegates[100:150], delegates[150:]
    ids = dict(zip(first, await asyncio.gather(*(cast(d) for d in first))))
    await replies(first[0], [ids[first[0]]])  # one ballot is in; now the chair closes, ballots still coming
    close = await send(chair, "vote.close", {"round_id": round_id})
    ids.update(zip(middle, await asyncio.gather(*(cast(d) for d in middle))))
    closed = (await replies(chair, [close]))[close][0]
    assert closed["ok"], closed
    ids.update(zip(last, await asyncio.gather(*(cast(d) for d in last))))  # after the close: refused, all
    answered = await asyncio.gather(*(replies(d, [ids[d]]) for d in delegates if d is not first[0]))
    answers = {first[0]: {"ok": True}} | {d: got[ids[d]][0] for d, got in zip([d for d in delegates if d is not first[0]],
                                                                              answered)}
    acked = {d.state.you["member_id"] for d, a in answers.items() if a["ok"]}
    refused = {d.state.you["member_id"]: a["error"]["code"] for d, a in answers.items() if not a["ok"]}
    assert set(refused.values()) <= {"poll_not_open"}, refused
    assert {d.state.you["member_id"] for d in last} <= set(refused)
    assert len(acked) + len(refused) == DELEGATES and acked
    rows = database_rows(council, "SELECT member_id, choice FROM voting_openballot WHERE round_id = %s", round_id)
    assert sorted((m, c["option"]) for m, c in rows) == sorted((m, chosen[m]) for m in acked)
    r = await fresh_round(council, round_id)
    assert r["voted"] == len(acked)
    assert r["result"]["counts"] == {o: sum(1 for m in acked if chosen[m] == o) for o in OPTIONS}
    print(f"close race: {len(acked)} acknowledged and counted, {len(refused)} refused poll_not_open")
