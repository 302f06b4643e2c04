"""Joining a sitting's video room over real WebSockets (issue 15): exactly once, checked in as
remote, one joining per person, and the signals refused to anyone who did not join.

The media process itself is tested in test_media_engine.py; here no media process runs, so a
signal that passes every check meets `media_unavailable` (the sitting goes on without it).
"""

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from audit.models import AuditRecord
from meeting.models import Attendance, Member
from video.models import RemoteSession
from video.services import token_hash

pytestmark = pytest.mark.django_db(transaction=True)

CODES = {"alice": "DB010", "bob": "DB011"}  # the personas' members (tests/conftest.py)
OFFER = {"pc": "ab12cd34ef56ab12", "gen": 1, "sdp": "v=0\r\n"}


@pytest.fixture
async def hall(hub):
    clients = await hub.connect_all("chair", "secretary", "alice", "bob", "guest", "display", "public")
    await clients["chair"].ok("sitting.open")
    for client in clients.values():
        await client.settle()
    return clients


@database_sync_to_async
def attendance(code):
    return list(Attendance.objects.filter(member__code=CODES[code]).values_list("status", "method"))


@database_sync_to_async
def sessions():
    names = {v: k for k, v in CODES.items()}
    return [(kind, names.get(code, code and "guest"), state, how) for kind, code, state, how in
            RemoteSession.objects.order_by("pk").values_list("kind", "member__code", "state", "ended_how")]


async def test_joining_checks_a_remote_delegate_in_once_and_everyone_sees_them(hall):
    alice = hall["alice"]
    id_ = await alice.send("video.join", {})
    first = await alice.reply_to(id_)
    assert first["ok"], first
    again = await alice.reply_to(await alice.send("video.join", {}, id=id_))  # the reply was lost: same id
    assert again["replayed"] is True and again["data"] == first["data"]
    assert await sessions() == [("member", "alice", "joined", "")]
    assert await attendance("alice") == [("present", "remote")]
    stored = await database_sync_to_async(lambda: RemoteSession.objects.select_related("member").get())()
    assert stored.token_hash == token_hash(first["data"]["token"]) and first["data"]["token"] not in stored.token_hash
    assert first["data"]["peer"] == f"m:{stored.member_id}" and first["data"]["ice_servers"] == []
    for name in ("chair", "bob", "display"):
        await hall[name].settle()
        assert [p["name"] for p in hall[name].state["video"]["participants"]] == [stored.member.full_name]
        quorum_row = [r for r in hall[name].state["attendance"] if r["member_id"] == stored.member_id][0]
        assert quorum_row["status"] == "present"
    assert hall["public"].state["video"] == {"room": {"enabled": True, "recording": False}}  # nobody's name
    await alice.settle_private()
    assert alice.private["video"]["session_id"] == stored.pk
    assert hall["bob"].private["video"] == {"session_id": None, "joined_at": None, "ended": None, "reason": None}


async def test_a_delegate_present_in_the_hall_stays_recorded_as_in_the_hall(hall):
    await hall["bob"].ok("attendance.check_in")
    await hall["bob"].ok("video.join", {})
    assert await attendance("bob") == [("present", "terminal")]


async def test_a_second_joining_replaces_the_first_and_its_token_no_longer_admits(hall):
    alice = hall["alice"]
    first = await alice.ok("video.join", {})
    second = await alice.ok("video.join", {})
    assert first["token"] != second["token"]
    assert await sessions() == [("member", "alice", "left", "replaced"), ("member", "alice", "joined", "")]
    assert await alice.error("video.offer", {"token": first["token"], **OFFER}) == "not_admitted"


async def test_leaving_ends_the_joining_and_keeps_the_attendance(hall):
    alice = hall["alice"]
    joined = await alice.ok("video.join", {})
    assert await hall["bob"].error("video.leave", {"session_id": joined["session_id"]}) == "not_found"
    await alice.ok("video.leave", {"session_id": joined["session_id"]})
    assert await sessions() == [("member", "alice", "left", "left")]
    assert await attendance("alice") == [("present", "remote")]
    await hall["chair"].settle()
    assert hall["chair"].state["video"]["participants"] == []
    assert await alice.error("video.offer", {"token": joined["token"], **OFFER}) == "not_admitted"


async def test_who_may_join_and_how(hall):
    assert await hall["display"].error("video.join", {}) == "not_member"
    assert await hall["display"].error("video.join", {"as": "hallcam"}) == "forbidden"
    assert await hall["alice"].error("video.join", {"as": "display"}) == "forbidden"
    shown = await hall["display"].ok("video.join", {"as": "display"})  # a hall display: the floor video only
    assert shown["kind"] == "display" and shown["peer"].startswith("d:")
    assert await hall["public"].error("video.join", {}) == "forbidden"
    assert await hall["chair"].error("video.join", {}) == "not_member"  # the chair is in the hall
    assert await hall["alice"].error("video.join", {"as": "hallcam"}) == "forbidden"
    cam = await hall["secretary"].ok("video.join", {"as": "hallcam"})
    assert cam["kind"] == "hallcam" and cam["peer"].startswith("h:")
    await hall["chair"].settle()
    assert hall["chair"].state["video"]["hall"] == {"publishing": True}
    assert await hall["guest"].ok("video.join", {})  # an official answering from afar
    assert await sessions() == [("display", None, "joined", ""), ("hallcam", None, "joined", ""),
                                ("member", "guest", "joined", "")]


async def test_signals_are_refused_to_anyone_but_the_joined_owner_of_the_token(hall):
    alice_token = (await hall["alice"].ok("video.join", {}))["token"]
    args = {"token": alice_token, **OFFER}
    assert await hall["bob"].error("video.offer", args) == "not_admitted"  # another member's token
    assert await hall["secretary"].error("video.offer", args) == "not_admitted"
    assert await hall["display"].error("video.offer", args) == "not_admitted"
    assert await hall["public"].error("video.offer", args) == "forbidden"
    assert await hall["bob"].error("video.offer", {"token": "x" * 43, **OFFER}) == "not_admitted"
    assert await hall["bob"].error("video.offer", {**args, "pc": "not hex"}) == "invalid_args"
    assert await hall["bob"].error("video.ice", {"token": alice_token, "pc": OFFER["pc"], "candidates": []}) == "not_admitted"
    # Nothing of a signal is stored or audited: only the join.
    actions = await database_sync_to_async(lambda: list(AuditRecord.objects.filter(action__startswith="video")
                                                        .values_list("action", flat=True)))()
    assert actions == ["video.join"]


@override_settings(VIDEO_CONTROL="127.0.0.1:9")  # nobody listens there: the media process is down
async def test_without_the_media_process_signals_say_so_and_the_sitting_goes_on(hall):
    token = (await hall["alice"].ok("video.join", {}))["token"]
    from django.conf import settings

    for _ in range(settings.HUB_MAX_REFUSALS + 2):  # the media away is not the page's doing: never 4429
        assert await hall["alice"].error("video.offer", {"token": token, **OFFER}) == "media_unavailable"
    await hall["alice"].ok("attendance.check_in")  # the hub never waits for the media
    assert await hall["chair"].ok("floor.give", {"member_id": await member_id("alice"), "kind": "speech",
                                                  "expect_current": None})


@override_settings(VIDEO_BACKEND="off")
async def test_with_video_off_nobody_joins(hall):
    assert await hall["alice"].error("video.join", {}) == "video_off"
    assert await sessions() == []


@database_sync_to_async
def member_id(code):
    return Member.objects.get(code=CODES[code]).pk


async def test_closing_the_sitting_ends_every_joining(hall):
    await hall["alice"].ok("video.join", {})
    await hall["chair"].ok("sitting.close")
    assert await sessions() == [("member", "alice", "left", "closed")]


# ---- the chair's controls and the media process's reports (stage 2) ---------------------------

@database_sync_to_async
def remote_device_cookie(code):
    """A session like the one a remote link pairs: the member signed in, on a device of kind remote."""
    from django.contrib.sessions.backends.db import SessionStore

    from accounts import pairing
    from accounts.services import bind_session
    from tests.realtime.conftest import login_cookie

    user = Member.objects.get(code=CODES[code]).user
    _row, device = pairing.redeem(pairing.issue("remote", user=user))
    key = login_cookie(user)
    session = SessionStore(session_key=key)
    session["device_id"] = device.pk
    session.save()
    bind_session(device, key)
    return key, device.pk


async def test_the_chair_opens_and_closes_a_microphone_for_the_turn_at_the_floor_only(hall):
    from video.live import live_members

    chair, alice = hall["chair"], hall["alice"]
    alice_id, bob_id = await member_id("alice"), await member_id("bob")
    await alice.ok("video.join", {})
    await hall["bob"].ok("attendance.check_in")
    speech = await chair.ok("floor.give", {"member_id": bob_id, "kind": "speech", "expect_current": None})
    assert await chair.error("video.override", {"member_id": alice_id, "live": True, "expect_speech": None}) == "stale"
    await chair.ok("video.override", {"member_id": alice_id, "live": True, "expect_speech": speech["speech_id"]})
    for name in ("chair", "alice", "display"):
        await hall[name].settle()
        assert live_members(hall[name].state) == {alice_id, bob_id}
    await chair.ok("video.override", {"member_id": bob_id, "live": False, "expect_speech": speech["speech_id"]})
    await alice.settle()
    assert live_members(alice.state) == {alice_id}
    # The next turn makes both void.
    await chair.ok("floor.stop", {"speech_id": speech["speech_id"]})
    await alice.settle()
    assert live_members(alice.state) == set()
    assert await hall["alice"].error("video.override", {"member_id": alice_id, "live": True, "expect_speech": None}) == "forbidden"


async def test_the_chair_shows_a_remote_participant_out_and_their_link_device_is_revoked(hub, hall):
    from accounts.models import Device
    from tests.realtime.hub import Refused, open_client

    sitting_id = hall["chair"].sitting_id
    cookie, device_id = await remote_device_cookie("alice")
    laptop = await open_client(sitting_id, cookie)
    await laptop.ok("video.join", {})
    assert await hall["chair"].error("video.kick", {"member_id": await member_id("bob"), "reason": "x"}) == "not_found"
    assert await hall["bob"].error("video.kick", {"member_id": await member_id("alice"), "reason": "x"}) == "forbidden"
    await hall["chair"].ok("video.kick", {"member_id": await member_id("alice"), "reason": "Không phải người được mời"})
    assert await sessions() == [("member", "alice", "left", "kicked")]
    await hall["alice"].settle_private()  # her other page is told why
    assert hall["alice"].private["video"] == {"session_id": None, "joined_at": None, "ended": "kicked",
                                              "reason": "Không phải người được mời"}
    assert await database_sync_to_async(lambda: Device.objects.get(pk=device_id).revoked)()
    with pytest.raises(Refused) as closed:  # the link's device is closed out of the sitting
        for _ in range(50):
            await laptop.receive(timeout=3)
    assert closed.value.code == 4403
    again = await open_client(sitting_id, cookie)  # its session is gone: only what the public sees
    assert again.you["role"] == "public"
    assert await again.error("video.join", {}) == "forbidden"


async def test_what_the_media_process_reports_shows_on_every_screen_and_never_moves_attendance(hub, hall):
    from accounts.models import Device
    from tests.realtime.conftest import device_cookie

    sitting_id = hall["chair"].sitting_id
    await hall["alice"].ok("video.join", {})
    alice_id = await member_id("alice")
    media_device = await database_sync_to_async(Device.objects.create)(kind=Device.Kind.MEDIA, label="videod")
    media = await hub.connect(sitting_id=sitting_id) if False else None
    from tests.realtime.hub import open_client

    media = await open_client(sitting_id, await database_sync_to_async(device_cookie)(media_device))
    assert media.state["video"]["participants"][0]["link"] == "connecting"
    assert "voting" not in media.state or media.state.get("you") is None  # a display's view
    await media.ok("video.report", {"room": {"up": True, "streams": 3, "capacity": 15, "overloaded": False},
                                    "peers": [{"peer": f"m:{alice_id}", "state": "connected", "level": "good"}]})
    await hall["chair"].settle()
    video = hall["chair"].state["video"]
    assert video["room"]["up"] is True and video["room"]["streams"] == 3
    assert [(p["link"], p["level"], p["lost_count"]) for p in video["participants"]] == [("connected", "good", 0)]
    await media.ok("video.report", {"peers": [{"peer": f"m:{alice_id}", "state": "lost"}]})
    await hall["chair"].settle()
    assert [(p["link"], p["lost_count"]) for p in hall["chair"].state["video"]["participants"]] == [("lost", 1)]
    assert await attendance("alice") == [("present", "remote")]  # lost is not absent
    await media.ok("video.report", {"peers": [{"peer": f"m:{alice_id}", "state": "ended"}]})
    assert await sessions() == [("member", "alice", "left", "timeout")]
    assert await attendance("alice") == [("present", "remote")]
    # Only the media process reports.
    assert await hall["secretary"].error("video.report", {"room": {"up": False, "streams": 0, "capacity": 0,
                                                                   "overloaded": False}}) == "forbidden"
    assert await hall["alice"].error("video.report", {}) == "forbidden"


@override_settings(VIDEO_CONTROL="127.0.0.1:9")
async def test_a_console_asking_a_dead_media_process_marks_the_room_down_and_everyone_lost(hub, hall):
    from accounts.models import Device
    from tests.realtime.conftest import device_cookie
    from tests.realtime.hub import open_client

    sitting_id = hall["chair"].sitting_id
    await hall["alice"].ok("video.join", {})
    media_device = await database_sync_to_async(Device.objects.create)(kind=Device.Kind.MEDIA, label="videod")
    media = await open_client(sitting_id, await database_sync_to_async(device_cookie)(media_device))
    await media.ok("video.report", {"room": {"up": True, "streams": 3, "capacity": 15, "overloaded": False},
                                    "peers": [{"peer": f"m:{await member_id('alice')}", "state": "connected"}]})
    assert await hall["chair"].error("video.stats", {}) == "media_unavailable"
    await hall["chair"].settle()
    video = hall["chair"].state["video"]
    assert video["room"]["up"] is False
    assert [p["link"] for p in video["participants"]] == ["lost"]
    assert await hall["chair"].error("video.stats", {}) == "media_unavailable"  # again: nothing more changes


async def test_the_same_device_joining_again_resumes_its_joining_with_a_new_token(hub, hall):
    from tests.realtime.hub import open_client

    sitting_id = hall["chair"].sitting_id
    cookie, _device_id = await remote_device_cookie("alice")
    laptop = await open_client(sitting_id, cookie)
    first = await laptop.ok("video.join", {})
    again = await laptop.ok("video.join", {})  # the page reloaded, or its connection was lost
    assert (again["session_id"], again["resumed"], first["resumed"]) == (first["session_id"], True, False)
    assert again["token"] != first["token"]
    assert await sessions() == [("member", "alice", "joined", "")]
    assert await laptop.error("video.offer", {"token": first["token"], **OFFER}) == "not_admitted"
    await hall["chair"].settle()
    assert [p["rejoins"] for p in hall["chair"].state["video"]["participants"]] == [1]
    # Another device of hers: that one replaces this one.
    await hall["alice"].ok("video.join", {})
    assert await sessions() == [("member", "alice", "left", "replaced"), ("member", "alice", "joined", "")]


async def test_the_minutes_list_each_remote_joining_for_the_chair_and_secretary_only(hall, cookies):
    from django.test import AsyncClient

    await hall["alice"].ok("video.join", {})
    sitting_id = hall["chair"].sitting_id
    client = AsyncClient()
    client.cookies["sessionid"] = cookies["secretary"]
    response = await client.get(f"/video/{sitting_id}/sessions.csv")
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "Hồ Minh Hùng" in lines[1] and "đang dự họp" in lines[1]
    for persona in ("alice", "display"):
        other = AsyncClient()
        other.cookies["sessionid"] = cookies[persona]
        assert (await other.get(f"/video/{sitting_id}/sessions.csv")).status_code == 404


async def test_the_hall_camera_and_recordings_pages_are_for_the_chair_and_secretary_only(hall, cookies):
    from django.test import AsyncClient

    sitting_id = hall["chair"].sitting_id
    for persona in ("secretary", "chair"):
        client = AsyncClient()
        client.cookies["sessionid"] = cookies[persona]
        assert (await client.get(f"/video/{sitting_id}/hall/")).status_code == 200, persona
        assert (await client.get(f"/video/{sitting_id}/recordings/")).status_code == 200, persona
    # A delegate is refused (the recordings: as if they did not exist); a display (a device, no
    # person) and a stranger are sent to sign in as a person.
    for persona, hall_page, recordings in (("alice", 403, 404), ("display", 302, 302), ("public", 302, 302)):
        other = AsyncClient()
        if cookies[persona]:
            other.cookies["sessionid"] = cookies[persona]
        assert (await other.get(f"/video/{sitting_id}/hall/")).status_code == hall_page, persona
        assert (await other.get(f"/video/{sitting_id}/recordings/")).status_code == recordings, persona


async def test_a_connection_refused_signal_after_signal_is_closed_like_one_refused_command_after_another(hall):
    from django.conf import settings

    from tests.realtime.hub import Refused

    token = (await hall["alice"].ok("video.join", {}))["token"]
    bob = hall["bob"]
    with pytest.raises(Refused) as closed:
        for _ in range(settings.HUB_MAX_REFUSALS + 5):
            await bob.send("video.offer", {"token": token, **OFFER})
        while True:
            await bob.receive()
    assert closed.value.code == 4429
    assert (await hall["alice"].command("ping"))["ok"] is True  # nobody else is disturbed
