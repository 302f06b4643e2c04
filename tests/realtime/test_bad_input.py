"""Bad input: each gets an error reply with its code, changes nothing, keeps the
connection open and usable, and reaches no other client."""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from audit.models import AuditRecord

from .hub import current_seq

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def live(hub):
    """The chair (who opened the sitting) and a delegate watching; returns (sender, watcher)."""
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    await chair.ok("agenda.next")
    watcher = await hub.connect("alice")
    return chair, watcher


async def _refused(sender, watcher, send, code, *, in_response=None):
    before = await database_sync_to_async(current_seq)(sender.sitting_id)
    await send()
    reply = await sender.receive()
    assert reply == {"in_response": in_response, "ok": False, "error": reply["error"]}
    assert reply["error"]["code"] == code
    assert await database_sync_to_async(current_seq)(sender.sitting_id) == before
    await sender.ping()
    await watcher.expect_nothing()
    return reply


async def test_malformed_json_is_refused_with_bad_json(live):
    sender, watcher = live
    await _refused(sender, watcher, lambda: sender.send_raw('{"id": 1, "cmd": "agenda.next"'), "bad_json")


async def test_deeply_nested_json_is_refused_with_bad_json(live):
    sender, watcher = live
    await _refused(sender, watcher, lambda: sender.send_raw("[" * 60000), "bad_json")


async def test_json_that_is_not_an_object_is_refused_with_bad_envelope(live):
    sender, watcher = live
    await _refused(sender, watcher, lambda: sender.send_raw('["agenda.next"]'), "bad_envelope")


async def test_a_binary_frame_is_refused_with_bad_frame(live):
    sender, watcher = live
    frame = json.dumps({"id": 1, "cmd": "agenda.next"}).encode()
    await _refused(sender, watcher, lambda: sender.send_raw(bytes_data=frame), "bad_frame")


async def test_a_message_over_64_kib_is_refused_with_too_large(live):
    sender, watcher = live
    text = json.dumps({"id": 1, "cmd": "sitting.announce", "args": {"text": "x" * (64 * 1024)}})
    await _refused(sender, watcher, lambda: sender.send_raw(text), "too_large")


async def test_the_size_limit_counts_bytes_not_characters(live):
    sender, watcher = live
    text = json.dumps({"id": 1, "cmd": "sitting.announce", "args": {"text": "ệ" * 30000}}, ensure_ascii=False)
    assert len(text) < 64 * 1024 < len(text.encode())
    await _refused(sender, watcher, lambda: sender.send_raw(text), "too_large")


async def test_an_envelope_without_cmd_is_refused_and_names_the_field(live):
    sender, watcher = live
    reply = await _refused(sender, watcher, lambda: sender.send_raw('{"id": "a1"}'), "bad_envelope", in_response="a1")
    assert reply["error"]["fields"] == ["cmd"]


async def test_an_envelope_with_an_unknown_field_is_refused(live):
    sender, watcher = live
    frame = '{"id": 7, "cmd": "agenda.next", "args": {}, "priority": "high"}'
    await _refused(sender, watcher, lambda: sender.send_raw(frame), "bad_envelope", in_response=7)


async def test_a_boolean_id_is_not_echoed(live):
    sender, watcher = live
    await _refused(sender, watcher, lambda: sender.send_raw('{"id": true, "cmd": "agenda.next"}'), "bad_envelope")


async def test_an_unknown_command_is_refused_with_unknown_command(live):
    sender, watcher = live
    await _refused(sender, watcher, lambda: sender.send("agenda.teleport", id="x"), "unknown_command", in_response="x")


async def test_an_unknown_argument_is_refused_with_invalid_args(live):
    sender, watcher = live
    reply = await _refused(sender, watcher, lambda: sender.send("agenda.next", {"force": True}, id=3), "invalid_args",
                           in_response=3)
    assert reply["error"]["fields"] == ["force"]


async def test_an_argument_of_the_wrong_type_is_refused_with_invalid_args(live):
    sender, watcher = live
    item_id = str(sender.state["agenda"]["items"][2]["id"])
    reply = await _refused(sender, watcher, lambda: sender.send("agenda.jump", {"item_id": item_id}, id=4), "invalid_args",
                           in_response=4)
    assert reply["error"]["fields"] == ["item_id"]


async def test_an_out_of_range_argument_is_refused_with_invalid_args(live):
    sender, watcher = live
    await _refused(sender, watcher, lambda: sender.send("agenda.insert", {"title": "x", "planned_minutes": -5}, id=5),
                   "invalid_args", in_response=5)


async def test_args_that_are_not_an_object_are_refused_with_bad_envelope(live):
    sender, watcher = live
    await _refused(sender, watcher, lambda: sender.send_raw('{"id": 6, "cmd": "agenda.next", "args": [1]}'),
                   "bad_envelope", in_response=6)


async def test_a_whitespace_title_is_refused_by_the_service_with_invalid_args(live):
    sender, watcher = live
    await _refused(sender, watcher, lambda: sender.send("agenda.insert", {"title": "   "}, id=8), "invalid_args", in_response=8)


async def test_an_item_of_another_sitting_is_refused_with_no_such_item(live):
    sender, watcher = live
    await _refused(sender, watcher, lambda: sender.send("agenda.jump", {"item_id": 10**9}, id=9), "no_such_item", in_response=9)


async def test_a_command_from_a_role_that_may_not_send_it_is_refused_and_audited(live):
    chair, alice = live
    before = await database_sync_to_async(AuditRecord.objects.filter(outcome="forbidden").count)()
    await _refused(alice, chair, lambda: alice.send("agenda.next", id="n1"), "forbidden", in_response="n1")
    refusals = await database_sync_to_async(lambda: list(AuditRecord.objects.filter(outcome="forbidden")
                                                         .values_list("role", "action", "user_id")))()
    assert len(refusals) == before + 1
    assert refusals[0][:2] == ("delegate", "agenda.navigate")


async def test_a_command_for_a_sitting_not_live_is_refused_with_sitting_not_live(hub):
    chair = await hub.connect("chair")
    watcher = await hub.connect("alice")
    await _refused(chair, watcher, lambda: chair.send("agenda.next", id=1), "sitting_not_live", in_response=1)


async def test_a_command_for_a_closed_sitting_is_refused_with_sitting_not_live(live):
    chair, watcher = live
    await chair.ok("sitting.close")
    await watcher.settle()
    await _refused(chair, watcher, lambda: chair.send("sitting.announce", {"text": "x"}, id=2), "sitting_not_live",
                   in_response=2)


async def test_opening_a_live_sitting_again_is_refused_with_invalid_state(live):
    chair, watcher = live
    await _refused(chair, watcher, lambda: chair.send("sitting.open", id=3), "invalid_state", in_response=3)


async def test_an_unknown_display_is_refused_with_not_found(live):
    chair, watcher = live
    await _refused(chair, watcher, lambda: chair.send("display.set_slide", {"display_id": 10**6, "slide": "agenda"}, id=4),
                   "not_found", in_response=4)


async def test_an_unknown_slide_is_refused_with_invalid_args(live, display_device):
    chair, watcher = live
    args = {"display_id": display_device.display_id, "slide": "fireworks"}
    await _refused(chair, watcher, lambda: chair.send("display.set_slide", args, id=5), "invalid_args", in_response=5)


async def test_marking_an_unknown_member_is_refused_with_not_found(live):
    chair, watcher = live
    args = {"member_id": 10**6, "status": "absent"}
    await _refused(chair, watcher, lambda: chair.send("attendance.mark", args, id=6), "not_found", in_response=6)


@override_settings(HUB_MAX_MESSAGE_BYTES=2048)
async def test_the_size_limit_is_a_setting(live):
    sender, watcher = live
    text = json.dumps({"id": 1, "cmd": "sitting.announce", "args": {"text": "x" * 3000}})
    await _refused(sender, watcher, lambda: sender.send_raw(text), "too_large")


async def test_a_flood_of_bad_frames_leaves_the_connection_usable(live):
    sender, watcher = live
    for _ in range(50):
        await sender.send_raw("nonsense")
    codes = [(await sender.receive())["error"]["code"] for _ in range(50)]
    assert set(codes) == {"bad_json"}
    await sender.ok("agenda.next")
    await watcher.settle()
    assert watcher.state["agenda"] == sender.state["agenda"]


@pytest.mark.parametrize("cmd,args", [
    ("sitting.announce", {"text": "Giải lao\u0000 15 phút"}),
    ("agenda.insert", {"title": "Mục\u0000mới"}),
    ("agenda.insert", {"title": "Mục mới", "presenter": "\u0000"}),
], ids=["announcement", "item title", "presenter"])
async def test_a_nul_character_in_any_text_is_refused_with_invalid_args_on_every_database(live, cmd, args):
    # PostgreSQL cannot store U+0000 (it answered `internal`); SQLite stored it. Both refuse it now.
    sender, watcher = live
    reply = await _refused(sender, watcher, lambda: sender.send(cmd, args, id="nul"), "invalid_args", in_response="nul")
    assert reply["error"]["fields"] == [next(k for k, v in args.items() if "\u0000" in v)]


# ---- issue 11, item 8: what an independent client found -------------------------------------------

@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
async def test_nan_and_infinity_are_not_json(live, constant):
    sender, watcher = live
    await _refused(sender, watcher, lambda: sender.send_raw(f'{{"id": 1, "cmd": "agenda.insert", "args": '
                                                            f'{{"title": "x", "planned_minutes": {constant}}}}}'),
                   "bad_json")


async def test_ping_with_an_argument_is_refused_as_its_schema_says(live):
    sender, watcher = live
    reply = await _refused(sender, watcher, lambda: sender.send("ping", {"verbose": True}, id="p"), "invalid_args",
                           in_response="p")
    assert reply["error"]["fields"] == ["verbose"]


async def test_fields_name_places_of_the_clients_message_not_of_the_schema(live):
    sender, watcher = live
    reply = await _refused(sender, watcher, lambda: sender.send_raw('{"id": [1], "cmd": "agenda.next", "args": {}}'),
                           "bad_envelope")
    assert reply["error"]["fields"] == ["id"]  # was ["id.constrained-str", "id.constrained-int"]
    reply = await _refused(sender, watcher, lambda: sender.send("agenda.insert", {"planned_minutes": 5}, id=7),
                           "invalid_args", in_response=7)
    assert reply["error"]["fields"] == ["title"]  # a missing field is named too
