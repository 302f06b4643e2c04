"""The floor over real WebSockets (issue 13): requests, the queue's order, the turn at the floor
with its server-owned clock, and what each role may do.

Personas: the chair and the secretary at consoles, alice and bob (delegates) on tablets, the guest
(invited: follows, never requests), the hall display and the public.
"""

import pytest
from channels.db import database_sync_to_async

from floor.models import Request, Speech
from meeting.models import Member

from tests.realtime.hub import current_seq

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def hall(hub):
    """A live sitting on its first item; alice and bob checked in on their tablets."""
    clients = await hub.connect_all("chair", "secretary", "alice", "bob", "guest", "display", "public")
    await clients["chair"].ok("sitting.open")
    await clients["chair"].ok("agenda.next", {"expect_current": None})
    for name in ("alice", "bob"):
        await clients[name].settle()
        await clients[name].ok("attendance.check_in")
    for client in clients.values():
        await client.settle()
    return clients


def queue_names(client):
    return [(r["name"], r["kind"]) for r in client.state["floor"]["queue"]]


@database_sync_to_async
def member_id(code):
    return Member.objects.get(code=code).pk


async def test_a_request_is_queued_once_seen_by_all_and_told_to_its_maker_alone(hall):
    alice, bob = hall["alice"], hall["bob"]
    data = await alice.ok("floor.request", {"kind": "speech"})
    assert await alice.error("floor.request", {"kind": "speech"}) == "already_requested"
    for client in hall.values():
        await client.settle()
        assert [r["id"] for r in client.state["floor"]["queue"]] == [data["request_id"]]
    await alice.settle_private()
    assert alice.private["floor"] == {"requests": [{"id": data["request_id"], "kind": "speech", "issue_id": None}],
                                      "speaking": None}
    assert bob.private["floor"] == {"requests": [], "speaking": None}
    assert bob.member_events == []
    assert await database_sync_to_async(Request.objects.count)() == 1


async def test_points_of_order_and_replies_go_ahead_of_speeches(hall):
    chair, alice, bob = hall["chair"], hall["alice"], hall["bob"]
    await alice.ok("floor.request", {"kind": "speech"})
    await bob.ok("floor.request", {"kind": "speech"})
    await chair.settle()
    first = chair.state["floor"]["queue"][0]["id"]
    speech = await chair.ok("floor.next", {"expect_current": None})
    assert speech["speech_id"]
    await bob.settle()
    await bob.ok("floor.request", {"kind": "reply"})       # bob replies to alice, who speaks
    await alice.settle()
    assert await alice.error("floor.request", {"kind": "reply"}) == "invalid_state"  # not to herself
    await alice.ok("floor.request", {"kind": "order"})
    await chair.settle()
    assert [r["kind"] for r in chair.state["floor"]["queue"]] == ["order", "reply", "speech"]
    assert first not in [r["id"] for r in chair.state["floor"]["queue"]]
    assert chair.state["floor"]["speaker"]["id"] == speech["speech_id"]


async def test_two_next_at_once_move_the_queue_by_one(hall):
    chair, secretary, alice, bob = hall["chair"], hall["secretary"], hall["alice"], hall["bob"]
    await alice.ok("floor.request", {"kind": "speech"})
    await bob.ok("floor.request", {"kind": "speech"})
    for c in (chair, secretary):
        await c.settle()
    seen = {"expect_current": None}
    ids = (await chair.send("floor.next", seen), await secretary.send("floor.next", seen))
    replies = [await chair.reply_to(ids[0]), await secretary.reply_to(ids[1])]
    assert sorted(r["ok"] for r in replies) == [False, True]
    stale = next(r for r in replies if not r["ok"])["error"]
    moved = next(r for r in replies if r["ok"])["data"]
    assert stale["code"] == "stale"
    assert stale["current"] == {"speech_id": moved["speech_id"],
                                "seq": await database_sync_to_async(current_seq)(chair.sitting_id)}
    speaker = await database_sync_to_async(lambda: Speech.objects.get().member.full_name)()
    for client in hall.values():
        await client.settle()
        assert client.state["floor"]["speaker"]["name"] == speaker
        assert len(client.state["floor"]["queue"]) == 1
    assert await database_sync_to_async(Speech.objects.count)() == 1


async def test_what_nobody_but_a_delegate_may_ask(hall):
    for who in ("guest", "public", "display"):
        assert await hall[who].error("floor.request", {"kind": "speech"}) == "forbidden"
    # nobody else's request: a delegate cannot withdraw bob's
    bob_request = await hall["bob"].ok("floor.request", {"kind": "speech"})
    assert await hall["alice"].error("floor.withdraw", bob_request) == "no_such_request"
    assert await hall["alice"].error("floor.next", {"expect_current": None}) == "forbidden"
    assert await hall["alice"].error("floor.request", {"kind": "speech", "member_id": 1}) == "invalid_args"
    assert await database_sync_to_async(
        lambda: list(Request.objects.values_list("status", flat=True)))() == ["waiting"]


async def test_a_delegate_not_present_cannot_request_but_the_secretary_can_add_a_hand(hub):
    clients = await hub.connect_all("chair", "secretary", "alice")
    await clients["chair"].ok("sitting.open")
    assert await clients["alice"].error("floor.request", {"kind": "speech"}) == "not_present"
    alice_id = await member_id("DB010")
    assert await clients["secretary"].error("floor.add", {"member_id": alice_id, "kind": "speech"}) == "not_present"
    await clients["secretary"].ok("attendance.mark", {"member_id": alice_id, "status": "present"})
    added = await clients["secretary"].ok("floor.add", {"member_id": alice_id, "kind": "speech"})
    await clients["alice"].settle()
    await clients["alice"].settle_private()
    assert clients["alice"].private["floor"]["requests"][0]["id"] == added["request_id"]
    assert clients["alice"].state["floor"]["queue"][0]["added"] is True
    guest_id = await database_sync_to_async(lambda: Member.objects.get(code="KM001").pk)()
    assert await clients["secretary"].error("floor.add", {"member_id": guest_id, "kind": "speech"}) == "not_delegate"


async def test_a_closed_list_refuses_speeches_but_not_points_of_order(hall):
    chair, alice, bob = hall["chair"], hall["alice"], hall["bob"]
    await chair.ok("floor.close")
    assert await chair.error("floor.close") == "invalid_state"
    assert await alice.error("floor.request", {"kind": "speech"}) == "list_closed"
    await bob.ok("floor.request", {"kind": "order"})
    await chair.ok("floor.open")
    await alice.ok("floor.request", {"kind": "speech"})
    await chair.settle()
    assert chair.state["floor"]["closed"] is False
    assert [r["kind"] for r in chair.state["floor"]["queue"]] == ["order", "speech"]


async def test_the_clock_pauses_extends_and_the_log_keeps_the_real_times(hall):
    chair, alice = hall["chair"], hall["alice"]
    await alice.ok("floor.request", {"kind": "speech"})
    speech = (await chair.ok("floor.next", {"expect_current": None}))["speech_id"]
    await chair.ok("floor.pause", {"speech_id": speech})
    assert await chair.error("floor.pause", {"speech_id": speech}) == "invalid_state"
    await chair.ok("floor.resume", {"speech_id": speech})
    await chair.ok("floor.extend", {"speech_id": speech, "seconds": 60})
    await hall["display"].settle()
    shown = hall["display"].state["floor"]["speaker"]
    assert (shown["limit_s"], shown["extra_s"], shown["paused_at"]) == (420, 60, None)
    assert shown["paused_s"] >= 0
    assert await chair.error("floor.stop", {"speech_id": speech + 1}) == "stale"
    await chair.ok("floor.stop", {"speech_id": speech})
    row = await database_sync_to_async(Speech.objects.select_related("member").get)(pk=speech)
    assert row.ended_at is not None and row.ending == "stopped"
    assert len(row.pauses) == 1 and row.paused_s >= 0
    assert row.ended_at >= row.started_at
    for client in hall.values():
        await client.settle()
        assert client.state["floor"]["speaker"] is None
        assert client.state["floor"]["last"] == {"member_id": row.member_id, "name": row.member.full_name,
                                                 "kind": "speech"}


async def test_stop_all_turns_every_microphone_off_and_says_so(hall):
    chair, alice = hall["chair"], hall["alice"]
    await alice.ok("floor.request", {"kind": "speech"})
    await chair.ok("floor.next", {"expect_current": None})
    await chair.ok("floor.stop_all")
    await hall["display"].settle()
    assert hall["display"].state["floor"]["speaker"] is None
    assert hall["display"].state["floor"]["priority"] is True


async def test_the_chair_reorders_removes_clears_and_readds_the_last_speaker(hall):
    chair, alice, bob = hall["chair"], hall["alice"], hall["bob"]
    a = (await alice.ok("floor.request", {"kind": "speech"}))["request_id"]
    b = (await bob.ok("floor.request", {"kind": "speech"}))["request_id"]
    await chair.ok("floor.reorder", {"request_id": b, "index": 0})
    await chair.settle()
    assert [r["id"] for r in chair.state["floor"]["queue"]] == [b, a]
    await chair.ok("floor.remove", {"request_id": b})
    assert await bob.error("floor.withdraw", {"request_id": b}) == "invalid_state"
    speech = (await chair.ok("floor.next", {"expect_current": None}))["speech_id"]
    await chair.ok("floor.next", {"expect_current": speech})  # nobody waiting: alice's turn ends
    readded = (await chair.ok("floor.readd_last"))["request_id"]
    await bob.ok("floor.request", {"kind": "speech"})
    await chair.settle()
    assert chair.state["floor"]["queue"][0]["id"] == readded
    await chair.ok("floor.clear")
    for client in (chair, alice, bob):
        await client.settle()
        assert client.state["floor"]["queue"] == []
    await bob.settle_private()
    assert bob.private["floor"]["requests"] == []


async def test_the_speech_log_for_the_minutes_is_for_the_chair_and_secretary_only(hall, users):
    from django.test import Client

    chair, alice = hall["chair"], hall["alice"]
    await alice.ok("floor.request", {"kind": "speech"})
    speech = (await chair.ok("floor.next", {"expect_current": None}))["speech_id"]
    await chair.ok("floor.pause", {"speech_id": speech})
    await chair.ok("floor.resume", {"speech_id": speech})
    await chair.ok("floor.stop", {"speech_id": speech})

    def fetch(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client.get(f"/floor/{chair.sitting_id}/speeches.csv")

    for who in ("alice", "guest"):
        assert (await database_sync_to_async(fetch)(users[who])).status_code == 404
    assert (await database_sync_to_async(fetch)(None)).status_code == 404
    for who in ("chair", "secretary"):
        response = await database_sync_to_async(fetch)(users[who])
        assert response.status_code == 200
        lines = response.content.decode("utf-8-sig").splitlines()
        assert len(lines) == 2
        row = lines[1].split(",")
        name = await database_sync_to_async(lambda: Speech.objects.get(pk=speech).member.full_name)()
        assert row[1] == name and row[3] == "Phát biểu"
        assert "–" in row[12] and row[13] == "Chủ tọa dừng"


@database_sync_to_async
def set_rules(sitting_id, **values):
    from floor.models import FloorRules
    from meeting.models import Sitting

    body_id = Sitting.objects.get(pk=sitting_id).body_id
    FloorRules.objects.update_or_create(body_id=body_id, defaults=values)


async def test_a_body_s_rules_limit_requests_and_time_per_item(hall):
    chair, alice = hall["chair"], hall["alice"]
    await set_rules(chair.sitting_id, max_requests_per_item=1, quota_seconds_per_item=300, speech_seconds=420)
    for client in hall.values():
        await client.settle()  # the rules were edited in the admin's way: everyone gets state.replaced
    assert chair.state["floor"]["limits"]["speech"] == 420
    first = (await alice.ok("floor.request", {"kind": "speech"}))["request_id"]
    await alice.ok("floor.withdraw", {"request_id": first})  # a withdrawn request does not count
    await alice.ok("floor.request", {"kind": "speech"})
    speech = (await chair.ok("floor.next", {"expect_current": None}))["speech_id"]
    await chair.settle()
    assert chair.state["floor"]["speaker"]["limit_s"] == 300  # cut to the quota left
    await chair.ok("floor.stop", {"speech_id": speech})
    assert await alice.error("floor.request", {"kind": "speech"}) == "request_limit"
    await alice.ok("floor.request", {"kind": "order"})  # points of order are not limited


async def test_closing_the_sitting_ends_the_turn(hall):
    chair, alice = hall["chair"], hall["alice"]
    await alice.ok("floor.request", {"kind": "speech"})
    speech = (await chair.ok("floor.next", {"expect_current": None}))["speech_id"]
    await chair.ok("sitting.close")
    await alice.settle()
    assert alice.state["floor"]["speaker"] is None
    row = await database_sync_to_async(Speech.objects.get)(pk=speech)
    assert row.ending == "closed" and row.ended_at is not None
    assert await alice.error("floor.request", {"kind": "order"}) == "sitting_not_live"


async def test_without_only_present_a_delegate_not_checked_in_may_request(hub):
    clients = await hub.connect_all("chair", "alice")
    await clients["chair"].ok("sitting.open")
    await set_rules(clients["chair"].sitting_id, only_present=False)
    await clients["alice"].ok("floor.request", {"kind": "speech"})
