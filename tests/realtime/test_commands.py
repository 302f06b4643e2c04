"""Which persona may send which command over the hub, and what the others then receive."""

import pytest
from channels.db import database_sync_to_async

from audit.models import AuditRecord

from .hub import current_seq

pytestmark = pytest.mark.django_db(transaction=True)

EVERYONE = ("chair", "secretary", "alice", "guest", "display", "public")
STAFF_COMMANDS = {
    "sitting.announce", "agenda.next", "agenda.previous", "agenda.jump", "agenda.insert", "agenda.move",
    "agenda.postpone", "agenda.restore", "attendance.mark", "display.set_slide", "sitting.close", "sitting.open",
}
MAY_SEND = {
    "chair": STAFF_COMMANDS,
    "secretary": STAFF_COMMANDS,
    "alice": {"attendance.check_in"},
    "guest": {"attendance.check_in"},
    "display": set(),
    "public": set(),
}


def valid_args(state: dict, member_id: int, display_id: int) -> dict[str, dict]:
    """Arguments that a permitted role could use for each command in a live sitting."""
    items = state["agenda"]["items"]
    return {
        "sitting.open": {},
        "sitting.close": {},
        "sitting.announce": {"text": "Mời các đại biểu về chỗ ngồi."},
        "agenda.next": {},
        "agenda.previous": {},
        "agenda.jump": {"item_id": items[3]["id"]},
        "agenda.insert": {"title": "Mục bổ sung"},
        "agenda.move": {"item_id": items[3]["id"], "parent_id": None, "index": 0},
        "agenda.postpone": {"item_id": items[3]["id"]},
        "agenda.restore": {"item_id": items[3]["id"]},
        "attendance.check_in": {},
        "attendance.mark": {"member_id": member_id, "status": "absent", "reason": "Đi công tác"},
        "display.set_slide": {"display_id": display_id, "slide": "agenda"},
    }


def _audit(outcome: str) -> list[tuple]:
    return list(AuditRecord.objects.filter(outcome=outcome).order_by("id").values_list("role", "action"))


@pytest.mark.parametrize("who", EVERYONE)
async def test_each_persona_is_refused_every_command_not_meant_for_its_role(hub, who, users, display_device):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    client = await hub.connect(who)
    args = valid_args(chair.state, users["bob"].member.pk, display_device.display_id)
    refused = sorted(set(args) - MAY_SEND[who])
    before = await database_sync_to_async(current_seq)(chair.sitting_id)
    for cmd in refused:
        assert await client.error(cmd, args[cmd]) == "forbidden", cmd
    assert await database_sync_to_async(current_seq)(chair.sitting_id) == before
    audited = await database_sync_to_async(_audit)("forbidden")
    assert len(audited) == len(refused)
    assert {role for role, _action in audited} <= {client.you["role"]}
    await chair.expect_nothing()


@pytest.mark.parametrize("who", ["chair", "secretary"])
async def test_staff_may_open_advance_and_close_the_sitting(hub, who):
    staff = await hub.connect(who)
    await staff.ok("sitting.open")
    first = await staff.ok("agenda.next")
    assert first == {"current_item_id": staff.state["agenda"]["items"][0]["id"]}
    await staff.ok("sitting.close")
    assert staff.state["sitting"]["status"] == "closed"


@pytest.mark.parametrize("who", ["alice", "guest"])
async def test_delegates_and_guests_may_check_themselves_in(hub, who):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    client = await hub.connect(who)
    result = await client.ok("attendance.check_in")
    assert result["status"] == "present"
    mine = [row for row in client.state["attendance"] if row["member_id"] == client.you["member_id"]]
    assert mine[0]["status"] == "present"


async def test_a_command_is_audited_with_the_persona_that_sent_it(hub):
    secretary = await hub.connect("secretary")
    await secretary.ok("sitting.open")
    rows = await database_sync_to_async(lambda: list(AuditRecord.objects.values_list("role", "action", "outcome")))()
    assert rows == [("secretary", "sitting.open", "ok")]


async def test_every_persona_sees_the_chair_advance_the_agenda(hub):
    clients = await hub.connect_all(*EVERYONE)
    chair = clients["chair"]
    await chair.ok("sitting.open")
    await chair.ok("agenda.next")
    for client in clients.values():
        await client.settle()
        assert [e["type"] for e in client.events] == ["sitting.status", "agenda.current"]
        assert client.state["agenda"]["current_item_id"] == chair.state["agenda"]["current_item_id"]


async def test_delegates_displays_and_public_never_receive_how_attendance_was_recorded(hub, users):
    clients = await hub.connect_all(*EVERYONE)
    secretary = clients["secretary"]
    await secretary.ok("sitting.open")
    await secretary.ok("attendance.mark", {"member_id": users["bob"].member.pk, "status": "excused", "reason": "Ốm"})
    for who, client in clients.items():
        await client.settle()
        (event,) = [e for e in client.events if e["type"] == "attendance.updated"]
        row = event["data"]["row"]
        assert row["status"] == "excused"
        if who in ("chair", "secretary"):
            assert (row["method"], row["reason"]) == ("secretary", "Ốm")
        else:
            assert not {"method", "reason"} & row.keys(), who


async def test_only_staff_and_displays_receive_display_changes_the_others_a_skip(hub, display_device):
    clients = await hub.connect_all(*EVERYONE)
    await clients["chair"].ok("display.set_slide", {"display_id": display_device.display_id, "slide": "agenda"})
    for who, client in clients.items():
        await client.settle()
        (event,) = client.events
        if who in ("chair", "secretary", "display"):
            assert event["type"] == "display.updated" and event["data"]["slide"] == "agenda"
        else:
            assert event == {"type": "skip", "seq": 1, "data": None}


async def test_a_display_sees_its_own_slide_change(hub, display_device):
    display = await hub.connect("display")
    chair = await hub.connect("chair")
    await chair.ok("display.set_slide", {"display_id": display_device.display_id, "slide": "attendance"})
    await display.settle()
    mine = [d for d in display.state["displays"] if d["id"] == display.you["display_id"]]
    assert mine[0]["slide"] == "attendance"


async def test_displays_may_be_set_before_the_sitting_opens(hub, display_device):
    chair = await hub.connect("chair")
    await chair.ok("display.set_slide", {"display_id": display_device.display_id, "slide": "agenda"})
    assert chair.state["sitting"]["status"] == "scheduled"


async def test_an_announcement_reaches_everyone(hub):
    clients = await hub.connect_all(*EVERYONE)
    await clients["chair"].ok("sitting.open")
    await clients["chair"].ok("sitting.announce", {"text": "  Giải lao 15 phút  "})
    for client in clients.values():
        await client.settle()
        assert client.state["announcement"]["text"] == "Giải lao 15 phút"


async def test_an_empty_announcement_withdraws_it(hub):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    await chair.ok("sitting.announce", {"text": "Giải lao"})
    await chair.ok("sitting.announce", {"text": ""})
    assert chair.state["announcement"] is None


async def test_the_sender_gets_its_reply_and_the_event_like_everyone_else(hub):
    chair = await hub.connect("chair")
    reply = await chair.command("sitting.open")
    assert reply["ok"] is True
    # Reply and event may come in either order (docs/protocol.md); both come.
    types = [m.get("type") for m in chair.messages]
    assert types[0] == "snapshot" and sorted(types[1:], key=str) == sorted([None, "sitting.status"], key=str)


async def test_ping_answers_with_the_server_time_and_the_current_seq(hub):
    public = await hub.connect("public")
    result = await public.ok("ping")
    assert set(result) == {"server_time", "seq", "pseq"}
