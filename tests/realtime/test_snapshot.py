"""What each persona receives on connect: the snapshot of what its audience may see.

Every message is validated against the audience's JSON Schema by the hub client.
"""

import pytest
from channels.db import database_sync_to_async

from meeting.models import Member, Sitting
from realtime import registry

from .conftest import login_cookie
from .hub import Refused, open_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("who, role", [
    ("chair", "chair"), ("secretary", "secretary"), ("alice", "delegate"), ("guest", "guest"),
    ("display", "display"), ("public", "public"),
])
async def test_each_persona_is_told_its_role(hub, who, role):
    client = await hub.connect(who)
    assert client.you["role"] == role


async def test_snapshot_is_tagged_with_the_sittings_current_seq(hub, sitting):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    await chair.ok("agenda.next")
    late = await hub.connect("alice")
    assert late.messages[0]["seq"] == 2 == chair.seq


async def test_delegate_is_told_their_member_id(hub, users):
    alice = await hub.connect("alice")
    # pseq: the counter of what she alone was told (realtime.private); 0, nothing yet.
    core = {k: alice.you[k] for k in ("role", "member_id", "display_id", "pseq")}
    assert core == {"role": "delegate", "member_id": users["alice"].member.pk, "display_id": None, "pseq": 0}
    # and the parts the installed modules register for what a member alone sees (you.floor, you.vote)
    assert alice.you.keys() - core.keys() == {part.key for part in registry.you_parts("delegate")}


async def test_display_is_told_which_display_it_is(hub, display_device):
    display = await hub.connect("display")
    assert display.you == {"role": "display", "member_id": None, "display_id": display_device.display_id,
                           "pseq": None}  # no member: no per-member events


async def test_staff_snapshot_has_displays_slides_and_how_attendance_was_recorded(hub):
    chair = await hub.connect("chair")
    assert {"displays", "slides"} <= chair.state.keys()
    assert {"method", "reason"} <= chair.state["attendance"][0].keys()
    assert [d["name"] for d in chair.state["displays"]] == ["Màn hình chính", "Màn hình phụ"]
    assert "overview" in [s["key"] for s in chair.state["slides"]]


async def test_display_snapshot_has_displays_but_no_slides_and_no_private_attendance(hub):
    display = await hub.connect("display")
    assert "displays" in display.state
    assert "slides" not in display.state
    assert not {"method", "reason"} & display.state["attendance"][0].keys()


@pytest.mark.parametrize("who", ["alice", "guest", "public"])
async def test_delegate_and_public_snapshots_have_no_displays_slides_or_private_attendance(hub, who):
    client = await hub.connect(who)
    assert not {"displays", "slides"} & client.state.keys()
    assert not any({"method", "reason"} & row.keys() for row in client.state["attendance"])


@pytest.mark.full_council
async def test_snapshot_lists_every_delegate_of_the_body_in_seat_order(hub):
    public = await hub.connect("public")
    seats = [row["seat"] for row in public.state["attendance"]]
    assert len(seats) == 50
    assert seats[:3] == ["A1", "A2", "A3"] and seats[10] == "B1"


@pytest.mark.full_council
async def test_snapshot_of_a_scheduled_sitting_has_no_current_item(hub):
    public = await hub.connect("public")
    assert public.state["sitting"]["status"] == "scheduled"
    assert public.state["agenda"]["current_item_id"] is None
    assert public.state["quorum"] == {"present": 0, "total": 50, "required": 34, "met": False, "rule": "2/3"}


async def test_public_may_not_follow_a_closed_sitting(sitting, cookies):
    closed = await _closed_sitting_id()
    with pytest.raises(Refused) as refused:
        await open_client(closed, cookies["public"])
    assert refused.value.code == 4403


async def test_a_member_of_the_body_may_follow_its_closed_sitting(sitting, cookies):
    closed = await _closed_sitting_id()
    member = await database_sync_to_async(lambda: Member.objects.get(code="DB002").user)()
    client = await open_client(closed, await database_sync_to_async(login_cookie)(member))
    assert client.you["role"] == "delegate"
    assert client.state["sitting"]["is_public"] is False
    await client.close()


async def test_a_delegate_outside_the_body_may_not_follow_its_closed_sitting(sitting, cookies):
    closed = await _closed_sitting_id()
    with pytest.raises(Refused) as refused:
        await open_client(closed, cookies["alice"])
    assert refused.value.code == 4403


async def test_a_guest_may_not_follow_a_closed_sitting(sitting, cookies):
    closed = await _closed_sitting_id()
    with pytest.raises(Refused) as refused:
        await open_client(closed, cookies["guest"])
    assert refused.value.code == 4403


async def test_display_may_not_follow_a_sitting_other_than_its_own(sitting, cookies):
    closed = await _closed_sitting_id()
    with pytest.raises(Refused) as refused:
        await open_client(closed, cookies["display"])
    assert refused.value.code == 4403


async def test_unknown_sitting_is_refused_with_4404(cookies):
    with pytest.raises(Refused) as refused:
        await open_client(999999, cookies["chair"])
    assert refused.value.code == 4404


async def test_foreign_origin_is_refused_before_the_handshake(sitting, cookies):
    with pytest.raises(Refused):
        await open_client(sitting.pk, cookies["chair"], origin=b"http://evil.example")


async def test_missing_origin_is_refused_before_the_handshake(sitting, cookies):
    with pytest.raises(Refused):
        await open_client(sitting.pk, cookies["chair"], origin=None)


async def test_revoked_display_device_is_treated_as_public(hub, display_device):
    display_device.revoked = True
    await _save(display_device)
    client = await hub.connect("display")
    assert client.you["role"] == "public"


async def _closed_sitting_id() -> int:
    from channels.db import database_sync_to_async

    return await database_sync_to_async(lambda: Sitting.objects.get(is_public=False).pk)()


async def _save(obj):
    from channels.db import database_sync_to_async

    await database_sync_to_async(obj.save)()
