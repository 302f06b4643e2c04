"""Per-member events across two real Daphne processes sharing PostgreSQL and Redis (decision 0008):
a member's events reach their connections on either worker, another member's never, and a member
who missed some catches up by pseq. The workers run with the toy module installed
(tests/realtime/toy_settings.py); a real password sign-in, the `websockets` library."""

import asyncio

import pytest

from .cluster import Client, Worker, sign_in
from .test_multiprocess import own_database
from .test_registry import toy_module  # noqa: F401 (the fixture: the toy's schemas, for validating frames)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.own_servers]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two Daphne workers with the toy module, on a fresh PostgreSQL database with the demo council."""
    with own_database(tmp_path_factory, "test_hub_private",
                      DJANGO_SETTINGS_MODULE="tests.realtime.toy_settings") as (env, sittings, logs):
        workers = []
        try:
            workers = Worker.start_together(Worker("a", env, logs), Worker("b", env, logs))
            sessions = {who: sign_in(workers[0].base, username)
                        for who, username in (("chair", "db001"), ("alice", "db010"), ("bob", "db011"))}
            yield {"a": workers[0], "b": workers[1], "sitting": sittings["plenary"], "sessions": sessions}
        finally:
            for worker in workers:
                worker.stop()


async def private_event(client: Client, timeout: float = 30) -> dict:
    """The next per-member event this client receives (events and replies on the way are applied)."""
    while True:
        message = await client.receive(timeout)
        if "pseq" in message:
            return message


async def nothing_private(client: Client, seconds: float = 1.0):
    try:
        message = await asyncio.wait_for(private_event(client), seconds)
    except asyncio.TimeoutError:
        return
    raise AssertionError(f"a per-member event reached another connection: {message}")


async def test_a_members_event_reaches_their_connections_on_both_workers_and_nobody_else(toy_module, cluster):  # noqa: F811
    sitting, sessions = cluster["sitting"], cluster["sessions"]
    alice_on_a = await Client.connect(cluster["a"], sitting, sessions["alice"])
    alice_on_b = await Client.connect(cluster["b"], sitting, sessions["alice"])
    bob_on_a = await Client.connect(cluster["a"], sitting, sessions["bob"])
    chair_on_b = await Client.connect(cluster["b"], sitting, sessions["chair"])
    member = alice_on_a.state.you["member_id"]
    assert alice_on_a.state.you["pseq"] == 0 and alice_on_a.state.you["toy"] == {"pokes": 0, "note": ""}
    if chair_on_b.state.state["sitting"]["status"] != "live":
        await chair_on_b.command("sitting.open")
    seq = (await chair_on_b.command("ping"))["seq"]
    await chair_on_b.command("toy.poke", {"member_id": member, "note": "từ tiến trình b"})
    await chair_on_b.command("toy.whisper", {"member_id": member, "text": "chỉ cho chị"})
    for alice in (alice_on_a, alice_on_b):  # the one on the other worker too
        poked, whispered = await private_event(alice), await private_event(alice)
        assert (poked["type"], poked["pseq"], whispered["type"], whispered["pseq"]) == (
            "toy.poked", 1, "toy.whispered", None)
        assert alice.state.you["toy"] == {"pokes": 1, "note": "từ tiến trình b"}
    for other in (bob_on_a, chair_on_b):
        await nothing_private(other)
    # No seq of the sitting was taken.
    assert (await chair_on_b.command("ping"))["seq"] == seq
    for client in (alice_on_a, alice_on_b, bob_on_a, chair_on_b):
        await client.close()


async def test_a_member_who_was_away_catches_up_by_pseq_through_the_other_worker(toy_module, cluster):  # noqa: F811
    sitting, sessions = cluster["sitting"], cluster["sessions"]
    chair = await Client.connect(cluster["a"], sitting, sessions["chair"])
    alice = await Client.connect(cluster["a"], sitting, sessions["alice"])
    member, before = alice.state.you["member_id"], alice.state.you["pseq"]
    if chair.state.state["sitting"]["status"] != "live":
        await chair.command("sitting.open")
    await alice.close()
    await chair.command("toy.poke", {"member_id": member, "note": "khi vắng"})
    # Back through the other worker: `you` has it, at the member's pseq.
    again = await Client.connect(cluster["b"], sitting, sessions["alice"])
    assert again.state.you["pseq"] == before + 1 and again.state.you["toy"]["note"] == "khi vắng"
    # A sync from the old pseq replays exactly what was missed.
    reply = await again.command("sync", {"since_seq": again.state.seq, "since_pseq": before})
    assert [(e["type"], e["pseq"], e["data"]["note"]) for e in reply["member_events"]] == [
        ("toy.poked", before + 1, "khi vắng")]
    assert (await again.command("ping"))["pseq"] == before + 1
    for client in (chair, again):
        await client.close()
