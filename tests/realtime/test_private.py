"""What one person alone may see (issue 10 item 2, docs/decisions/0008): the toy module
(tests/realtime/toy) registers a `you` part, a stored per-member event and a never-stored one,
and drives them over real WebSockets. A member gets their own events and nobody else's; staff,
displays and the public get none; a member who missed some catches up by pseq (a gap, or a ping
reply ahead of them); a never-stored value is found in no store."""

import asyncio
import gzip
import json

import jsonschema
import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client

from audit.models import AuditRecord
from realtime import messages, registry
from realtime.models import MemberEvent
from realtime.service import change
from tests.secrecy import SecretHunt

from .downable_layer import DOWNABLE, DownableLayer
from .reducer import PrivateGap
from .test_registry import toy_module  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick_heartbeat(settings):
    settings.HUB_HEARTBEAT_SECONDS = 0.2


@pytest.fixture
def downable_layer(settings):
    settings.CHANNEL_LAYERS = DOWNABLE
    DownableLayer.down = False
    yield DownableLayer
    DownableLayer.down = False


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def fresh_you(hub, who: str) -> dict:
    """`you` as a fresh connection of this persona gets it now."""
    client = await hub.connect(who)
    you = client.private
    await client.close()
    hub.clients.remove(client)
    return you


def stored(sitting_id: int, member_id: int) -> list[tuple[int, str, dict]]:
    return list(MemberEvent.objects.filter(sitting_id=sitting_id, member_id=member_id).order_by("pseq")
                .values_list("pseq", "type", "data"))


async def test_a_member_gets_their_own_events_and_nobody_else_sees_them(toy_module, hub, sitting):  # noqa: F811
    chair, alice, bob = await hub.connect("chair"), await hub.connect("alice"), await hub.connect("bob")
    others = [chair, await hub.connect("secretary"), await hub.connect("display"), await hub.connect("public")]
    assert alice.private["toy"] == {"pokes": 0, "note": ""} and alice.private["pseq"] == 0
    assert alice.private["member_id"] != bob.private["member_id"]
    # `you` carries the part only where it is registered (delegates), and a pseq only for a member.
    assert [("toy" in c.private, c.private["pseq"]) for c in others] == [(False, None)] * 4
    await chair.ok("sitting.open")
    for client in (alice, bob, *others):
        await client.settle()
    seq = chair.seq
    await chair.ok("toy.poke", {"member_id": alice.private["member_id"], "note": "một"})
    await chair.ok("toy.poke", {"member_id": bob.private["member_id"], "note": "cho Bob"})
    await chair.ok("toy.poke", {"member_id": alice.private["member_id"], "note": "hai"})
    assert [(e["type"], e["pseq"]) for e in await alice.settle_private()] == [("toy.poked", 1), ("toy.poked", 2)]
    assert [e["data"]["note"] for e in await bob.settle_private()] == ["cho Bob"]
    assert alice.private["toy"] == {"pokes": 2, "note": "hai"}
    # No seq of the sitting was taken: nobody sees a gap; nobody but the member hears of it.
    for client in (alice, bob, *others):
        await client.expect_nothing(0.3)
        assert client.seq == seq
    assert [e["data"]["note"] for e in bob.member_events] == ["cho Bob"]
    assert [c.member_events for c in others] == [[]] * 4
    # The reduced `you` (the toy's reference reducer) is a fresh snapshot's.
    assert alice.private == await fresh_you(hub, "alice")
    assert bob.private == await fresh_you(hub, "bob")


async def test_a_dropped_member_gets_what_they_missed_in_the_snapshot_s_you(toy_module, hub, sitting):  # noqa: F811
    chair, alice = await hub.connect("chair"), await hub.connect("alice")
    member = alice.private["member_id"]
    await chair.ok("sitting.open")
    await alice.close()
    await chair.ok("toy.poke", {"member_id": member, "note": "khi vắng"})
    await chair.ok("toy.poke", {"member_id": member, "note": "lần nữa"})
    again = await hub.connect("alice")
    assert again.private["pseq"] == 2 and again.private["toy"] == {"pokes": 2, "note": "lần nữa"}
    await chair.ok("toy.poke", {"member_id": member, "note": "ba"})
    assert [e["pseq"] for e in await again.settle_private()] == [3]


async def test_a_member_who_missed_events_learns_it_from_the_ping_reply_and_syncs_by_pseq(
        toy_module, hub, sitting, quick_heartbeat, downable_layer, settings):  # noqa: F811
    settings.HUB_PUBLISH_TIMEOUT_MS = 50
    chair, alice = await hub.connect("chair"), await hub.connect("alice")
    member = alice.private["member_id"]
    await chair.ok("sitting.open")
    await alice.settle()
    downable_layer.down = True
    await chair.reply_to(await chair.send("toy.poke", {"member_id": member, "note": "lạc mất"}))
    await chair.reply_to(await chair.send("toy.poke", {"member_id": member, "note": "lạc nữa"}))
    assert alice.private["pseq"] == 0
    reply = await alice.ok("ping")
    assert (reply["pseq"], reply["seq"]) == (2, alice.seq)
    assert (await chair.ok("ping"))["pseq"] is None  # no member: no per-member events
    await alice.catch_up()
    assert alice.private["pseq"] == 2 and alice.private["toy"]["note"] == "lạc nữa"
    assert alice.private == await fresh_you(hub, "alice")
    # Redis back: the recovery republishes them from the log; the member drops the copies.
    downable_layer.down = False
    async with asyncio.timeout(10):
        while await database_sync_to_async(
                lambda: MemberEvent.objects.filter(sitting=sitting, published_at__isnull=True).exists())():
            await alice.receive_heartbeat()
    assert alice.private["pseq"] == 2


async def test_a_gap_in_pseq_makes_the_member_sync_and_the_replay_fills_it(
        toy_module, hub, sitting, downable_layer, settings):  # noqa: F811
    settings.HUB_PUBLISH_TIMEOUT_MS = 50
    chair, alice = await hub.connect("chair"), await hub.connect("alice")
    member = alice.private["member_id"]
    await chair.ok("sitting.open")
    await alice.settle()
    downable_layer.down = True
    await chair.reply_to(await chair.send("toy.poke", {"member_id": member, "note": "một"}))
    downable_layer.down = False
    await asyncio.sleep(0.1)  # past the publisher's pause after a failure
    await chair.ok("toy.poke", {"member_id": member, "note": "hai"})
    with pytest.raises(PrivateGap):
        await alice.receive()
    assert alice.private["pseq"] == 0
    await alice.catch_up()
    assert alice.private["pseq"] == 2 and alice.private["toy"] == {"pokes": 2, "note": "hai"}
    assert [e["pseq"] for e in alice.messages[-1]["data"]["member_events"]] == [1, 2]


async def test_sync_with_since_pseq_answers_a_snapshot_when_it_cannot_replay_and_nothing_to_no_member(
        toy_module, hub, sitting):  # noqa: F811
    chair, alice = await hub.connect("chair"), await hub.connect("alice")
    await chair.ok("sitting.open")
    await alice.settle()
    reply = await chair.reply_to(await chair.send("sync", {"since_seq": chair.seq, "since_pseq": 0}))
    assert reply["data"] == {"events": [], "member_events": []}
    reply = await alice.reply_to(await alice.send("sync", {"since_seq": alice.seq, "since_pseq": 5}))
    assert reply["type"] == "snapshot" and reply["you"]["pseq"] == 0  # ahead of the server: start again
    reply = await alice.reply_to(await alice.send("sync", {"since_seq": alice.seq}))
    assert reply["data"] == {"events": []}  # no since_pseq: no member_events
    assert await alice.error("sync", {"since_seq": 0, "since_pseq": -1}) == "invalid_args"


async def test_a_never_stored_event_reaches_its_member_once_and_no_store_keeps_its_value(
        toy_module, hub, sitting, users, settings):  # noqa: F811
    from pathlib import Path

    from tests.realtime.toy import hub as toy

    # The crawl renders the toy's panels on the console and the terminal: its templates, as an
    # installed app would have them (tests/realtime/test_registry.py does the same).
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(toy.__file__).parent / "templates"]
    settings.TEMPLATES = templates
    secret, kept = "Bí mật thì thầm 7Q", "Ghi chú lưu 9Z"
    with SecretHunt() as hunt:
        chair, alice, bob = await hub.connect("chair"), await hub.connect("alice"), await hub.connect("bob")
        member = alice.private["member_id"]
        await chair.ok("sitting.open")
        await alice.settle()
        await bob.settle()
        await chair.ok("toy.whisper", {"member_id": member, "text": secret})
        await chair.ok("toy.poke", {"member_id": member, "note": kept})
        whispered = await alice.receive()
        assert (whispered["type"], whispered["pseq"], whispered["data"]) == ("toy.whispered", None, {"text": secret})
        assert [e["pseq"] for e in await alice.settle_private()] == [1]  # the whisper took no pseq
        await bob.expect_nothing(0.3)
        assert bob.member_events == []
        replay = await alice.reply_to(await alice.send("sync", {"since_seq": 0, "since_pseq": 0}))
        assert [e["type"] for e in replay["data"]["member_events"]] == ["toy.poked"]  # never replayed

    def hunt_everywhere():
        admin = get_user_model().objects.create_superuser("quantri-thu", password="x")
        # Those who read the stores through pages: the sitting's staff (the audit view) and the admin.
        clients = {"secretary": signed_in(users["secretary"]), "admin": signed_in(admin)}
        return hunt.find(secret, kept, clients=clients)

    found = await database_sync_to_async(hunt_everywhere)()
    # The stored note is where it belongs (the hunt sees that table); the whisper is nowhere: no
    # table, file, log line, nor any page of the staff or the admin.
    assert found == [f"table realtime.MemberEvent#{pk}.data [{kept}]" for pk in await database_sync_to_async(
        lambda: list(MemberEvent.objects.filter(type="toy.poked").values_list("pk", flat=True)))()]
    audit = await database_sync_to_async(
        lambda: list(AuditRecord.objects.filter(action="toy.poke").order_by("pk").values_list("detail", flat=True)))()
    assert audit[0] == {"member_id": member, "redacted": ["text"]}


def test_per_member_events_register_once_and_are_emitted_only_as_registered(toy_module, sitting, actors):  # noqa: F811
    with pytest.raises(ValueError):
        registry.register_member_event("toy.poked", dict, apply=lambda you, data: None, doc="")
    with pytest.raises(ValueError):  # a sitting event's name
        registry.register_member_event("toy.bumped", dict, apply=lambda you, data: None, doc="")
    with pytest.raises(ValueError):
        registry.register_you("pseq", lambda actor, sitting: 0, int)
    from meeting import services as meeting

    meeting.open_sitting(actors["chair"], sitting.pk)
    for emit in (lambda c: c.emit_to(1, "toy.unknown", {}),
                 lambda c: c.emit_to(1, "toy.whispered", {"text": "x"}, store=True)):
        with pytest.raises(ValueError), change(actors["chair"], "toy.poke", sitting.pk) as c:
            emit(c)
    assert not MemberEvent.objects.exists()


def test_the_schemas_carry_you_the_per_member_events_and_the_ping_s_pseq(toy_module):  # noqa: F811
    schemas = messages.json_schemas()
    assert {"member_event.toy.poked", "member_event.toy.whispered"} <= set(schemas)
    you = schemas["snapshot.delegate"]["$defs"]["YouDelegate"]
    assert {"toy", "pseq"} <= set(you["required"])
    assert "toy" not in schemas["snapshot.staff"]["$defs"]["YouStaff"]["properties"]
    poked = {"type": "toy.poked", "pseq": 1, "data": {"pokes": 1, "note": ""}}
    whispered = {"type": "toy.whispered", "pseq": None, "data": {"text": "x"}}
    for message in (poked, whispered):
        assert jsonschema.Draft202012Validator(schemas["server.delegate"]).is_valid(message)
        assert not jsonschema.Draft202012Validator(schemas["server.staff"]).is_valid(message)
        messages.parse_server_message(json.dumps(message), "delegate")
    assert not jsonschema.Draft202012Validator(schemas["server.delegate"]).is_valid({**whispered, "pseq": 3})
    assert "pseq" in schemas["command.ping.reply"]["required"]
    assert "since_pseq" in schemas["command.sync.args"]["properties"]


def test_per_member_events_are_deleted_with_the_sittings_events_and_their_counter_stays(
        toy_module, sitting, actors, users, settings, tmp_path):  # noqa: F811
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from meeting import services as meeting
    from meeting.models import Sitting
    from realtime.models import MemberCounter
    from tests.realtime.toy import hub as toy

    settings.HUB_EVENT_RETENTION_DAYS = 30
    settings.HUB_EVENT_ARCHIVE_DIR = tmp_path
    member = users["alice"].member.pk
    meeting.open_sitting(actors["chair"], sitting.pk)
    toy.poke(actors["chair"], sitting.pk, member, "một")
    toy.poke(actors["chair"], sitting.pk, member, "hai")
    meeting.close_sitting(actors["chair"], sitting.pk)
    Sitting.objects.filter(pk=sitting.pk).update(closed_at=timezone.now() - timedelta(days=29))
    call_command("prune_sitting_events", stdout=StringIO())
    assert MemberEvent.objects.filter(sitting=sitting).count() == 2  # kept while its events are
    Sitting.objects.filter(pk=sitting.pk).update(closed_at=timezone.now() - timedelta(days=31))
    out = StringIO()
    call_command("prune_sitting_events", stdout=out)
    assert "member_events=2" in out.getvalue()
    assert not MemberEvent.objects.filter(sitting=sitting).exists()
    # Not archived with the sitting's events: what one member was told is no part of the minutes.
    archived = list(tmp_path.glob(f"sitting-{sitting.pk}-events*.jsonl.gz"))
    assert archived
    for path in archived:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            assert "toy.poked" not in f.read()
    # The counter stays: a member's events are never numbered from 1 again.
    assert MemberCounter.objects.get(sitting=sitting, member_id=member).pseq == 2


def test_you_is_built_again_when_a_per_member_event_commits_while_it_is_built(toy_module, sitting, actors, users):  # noqa: F811
    """`you` is exact at its pseq: a poke committed while the parts are read (between the two reads
    of the counter) makes it read them again, never `pseq` 0 with the poke already in `you.toy`."""
    from accounts.permissions import actor_for
    from meeting import services as meeting
    from realtime.private import you_for
    from tests.realtime.toy import hub as toy

    meeting.open_sitting(actors["chair"], sitting.pk)
    alice = actor_for(sitting, user=users["alice"])
    builds = []

    def build_poking_once(actor, sitting_):
        if not builds:  # another connection's chair pokes her while her `you` is being read
            toy.poke(actors["chair"], sitting_.pk, actor.member_id, "giữa chừng")
        builds.append(1)
        return toy.you_toy(actor, sitting_)

    registry.unregister(you=["toy"])
    registry.register_you("toy", build_poking_once, toy.YouToy, audiences=("delegate",))
    seq = type(sitting).objects.get(pk=sitting.pk).seq
    you = you_for(alice, sitting.pk, "delegate", seq)
    assert len(builds) == 2
    assert (you["pseq"], you["toy"]) == (1, {"pokes": 1, "note": "giữa chừng"})
