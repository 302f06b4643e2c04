"""Every command has exactly one outcome that its sender can learn (issue 9, docs/decisions/0005).

Personas (tests/conftest.py): the chair and the secretary at the console, Alice a delegate
on her paired tablet. A command's `id` is an idempotency key per device (or per person):
the same id again is answered from the stored outcome (`replayed: true`) and changes nothing,
on the same connection, after a reconnect, through another connection of the same device,
and when two workers race. A change that committed is answered ok whatever publishing does.
"""

import asyncio
import threading
from datetime import timedelta
from io import StringIO

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from accounts.models import Device
from audit.models import AuditRecord
from meeting import services as meeting
from meeting.models import Sitting
from realtime.models import CommandOutcome, SittingEvent
from realtime.service import run_command

from .conftest import login_cookie
from .hub import current_seq
from .layers import FailingLayer, FrozenLayer, layer_settings

pytestmark = pytest.mark.django_db(transaction=True)


def _announcements() -> int:
    return AuditRecord.objects.filter(action="sitting.announce", outcome="ok").count()


@database_sync_to_async
def _facts(sitting_id):
    return current_seq(sitting_id), _announcements()


async def test_a_change_whose_publishing_fails_is_answered_ok_and_made_once(hub, sitting, settings):
    settings.CHANNEL_LAYERS = layer_settings(FailingLayer)  # Redis is down
    chair = await hub.connect("chair")
    reply = await chair.reply_to(await chair.send("sitting.open"))
    assert reply["ok"] is True, reply
    status = await database_sync_to_async(lambda: Sitting.objects.get(pk=sitting.pk).status)()
    assert (status, await database_sync_to_async(current_seq)(sitting.pk)) == ("live", 1)
    # Sent again after the truthful reply: the stored outcome, nothing done twice.
    again = await chair.reply_to(await chair.send("sitting.open", id=reply["in_response"]))
    assert again == {**reply, "replayed": True}
    assert await database_sync_to_async(current_seq)(sitting.pk) == 1


async def test_an_event_that_could_not_be_published_stays_marked_unpublished(hub, sitting, settings):
    settings.CHANNEL_LAYERS = layer_settings(FailingLayer)
    chair = await hub.connect("chair")
    await chair.reply_to(await chair.send("sitting.open"))
    await asyncio.sleep(0.2)  # let the publisher try (and fail)
    unpublished = await database_sync_to_async(
        lambda: list(SittingEvent.objects.filter(published_at__isnull=True).values_list("seq", flat=True)))()
    assert unpublished == [1]  # for the recovery to republish from the log


async def test_a_published_event_is_marked_published(hub, sitting):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    for _ in range(50):  # the mark is written after the send, off the reply's path
        if await database_sync_to_async(SittingEvent.objects.filter(published_at__isnull=False).exists)():
            break
        await asyncio.sleep(0.02)
    assert await database_sync_to_async(SittingEvent.objects.filter(published_at__isnull=True).count)() == 0


async def test_the_same_id_twice_on_one_connection_changes_once_and_gets_the_first_outcome(hub, sitting):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    first = await chair.reply_to(await chair.send("sitting.announce", {"text": "Giải lao 15 phút"}, id="announce-1"))
    second = await chair.reply_to(await chair.send("sitting.announce", {"text": "Giải lao 15 phút"}, id="announce-1"))
    assert first["ok"] is True and "replayed" not in first
    assert second == {**first, "replayed": True}
    assert await _facts(sitting.pk) == (2, 1)


async def test_the_same_id_after_a_reconnect_is_answered_from_the_stored_outcome(hub, sitting):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    await chair.send("sitting.announce", {"text": "Mời đại biểu về chỗ"}, id="lost-reply")
    await chair.close()  # the reply is lost with the connection
    await asyncio.sleep(0.1)
    chair = await hub.connect("chair")
    assert chair.seq == 2  # the snapshot shows the change
    reply = await chair.reply_to(await chair.send("sitting.announce", {"text": "Mời đại biểu về chỗ"}, id="lost-reply"))
    assert reply == {"in_response": "lost-reply", "ok": True, "data": {}, "replayed": True}
    assert await _facts(sitting.pk) == (2, 1)


async def test_two_connections_of_one_device_share_its_command_ids(hub, sitting, users):
    # Alice's tablet: her session carries the paired device.
    device = await database_sync_to_async(Device.objects.create)(kind=Device.Kind.TERMINAL, label="Ghế 10",
                                                                  user=users["alice"])
    cookie = await database_sync_to_async(login_cookie)(users["alice"])

    def pair():
        session = SessionStore(session_key=cookie)
        session["device_id"] = device.pk
        session.save()

    await database_sync_to_async(pair)()
    hub.cookies["tablet"] = cookie
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    tab1, tab2 = await hub.connect("tablet"), await hub.connect("tablet")
    first = await tab1.reply_to(await tab1.send("attendance.check_in", id=7))
    second = await tab2.reply_to(await tab2.send("attendance.check_in", id=7))
    assert first["ok"] is True and second == {**first, "replayed": True}
    assert await database_sync_to_async(current_seq)(sitting.pk) == 2
    keys = await database_sync_to_async(lambda: list(CommandOutcome.objects.values_list("who", "command_id")))()
    assert (f"device:{device.pk}", "i:7") in keys
    # The id 7 of another sender is another command: Bob checks in with his own 7.
    bob = await hub.connect("bob")
    assert (await bob.reply_to(await bob.send("attendance.check_in", id=7))).get("replayed") is None
    assert await database_sync_to_async(current_seq)(sitting.pk) == 3


async def test_a_refusal_is_the_outcome_too(hub, sitting):
    chair = await hub.connect("chair")
    first = await chair.reply_to(await chair.send("sitting.announce", {"text": "Chưa khai mạc"}, id="early"))
    assert first["error"]["code"] == "sitting_not_live"
    await chair.ok("sitting.open")
    # The same id once the sitting is live: still the first outcome, the announcement is not made.
    second = await chair.reply_to(await chair.send("sitting.announce", {"text": "Chưa khai mạc"}, id="early"))
    assert second == {**first, "replayed": True}
    assert await _facts(sitting.pk) == (1, 0)


async def test_the_same_id_with_another_command_is_refused(hub, sitting):
    chair = await hub.connect("chair")
    await chair.reply_to(await chair.send("sitting.open", id="x"))
    reply = await chair.reply_to(await chair.send("sitting.announce", {"text": "Khác"}, id="x"))
    assert reply["ok"] is False and reply["error"]["code"] == "id_reused"
    assert await _facts(sitting.pk) == (1, 0)


async def test_a_frozen_channel_layer_delays_no_reply_and_no_connect(hub, sitting, settings):
    settings.CHANNEL_LAYERS = layer_settings(FrozenLayer)
    settings.HUB_PUBLISH_TIMEOUT_MS = 60000  # the send stays blocked for the whole test unless thawed
    FrozenLayer.frozen, FrozenLayer.entered = asyncio.Event(), asyncio.Event()
    try:
        chair = await hub.connect("chair")
        reply = await chair.reply_to(await chair.send("sitting.open"))
        assert reply["ok"] is True
        await asyncio.wait_for(FrozenLayer.entered.wait(), 3)
        assert not FrozenLayer.frozen.is_set()  # the reply came while the publish hangs
        newcomer = await hub.connect("alice")  # and a new connection gets its snapshot
        assert (newcomer.seq, newcomer.state["sitting"]["status"]) == (1, "live")
        assert (await chair.reply_to(await chair.send("ping")))["ok"] is True
        FrozenLayer.frozen.set()  # Redis thaws: the event reaches the chair after all
        event = await chair.receive_event()
        assert (event["type"], event["seq"]) == ("sitting.status", 1)
    finally:
        FrozenLayer.frozen.set()
        FrozenLayer.frozen = FrozenLayer.entered = None


async def test_a_frozen_channel_layer_times_out_and_leaves_the_event_for_recovery(hub, sitting, settings):
    settings.CHANNEL_LAYERS = layer_settings(FrozenLayer)
    settings.HUB_PUBLISH_TIMEOUT_MS = 200
    FrozenLayer.frozen, FrozenLayer.entered = asyncio.Event(), asyncio.Event()
    try:
        chair = await hub.connect("chair")
        assert (await chair.reply_to(await chair.send("sitting.open")))["ok"] is True
        await _statuses(chair, 1)  # the publisher gives up after the timeout: the console hears it
        assert chair.statuses == [{"type": "hub.status", "degraded": True}]
        assert await database_sync_to_async(SittingEvent.objects.filter(published_at__isnull=True).count)() == 1
        secretary = await hub.connect("secretary")  # a console opened now hears it at once
        await _statuses(secretary, 1)
        assert secretary.statuses == [{"type": "hub.status", "degraded": True}]
        FrozenLayer.frozen.set()
        await asyncio.sleep(0.3)  # past the moment after a failure in which nothing is tried
        await chair.catch_up()  # what the heartbeat makes a client do: the missed event from the log
        assert chair.seq == 1
        await chair.ok("sitting.announce", {"text": "Đã kết nối lại"})
        await _statuses(chair, 2)
        assert chair.statuses[-1] == {"type": "hub.status", "degraded": False}
    finally:
        FrozenLayer.frozen.set()
        FrozenLayer.frozen = FrozenLayer.entered = None


async def _statuses(client, n):
    for _ in range(100):
        if len(client.statuses) >= n:
            return
        await client.expect_nothing(0.05)


def test_two_workers_racing_with_one_id_change_the_sitting_once(sitting, actors):
    """Two threads, two database connections, the same command id at once. On PostgreSQL they
    really race (the second insert of the key waits for the first transaction, then fails and
    answers its outcome). SQLite serialises writers; its in-memory test database (shared cache)
    even refuses a second writer outright instead of waiting, so there the two run one after the other."""
    meeting.open_sitting(actors["chair"], sitting.pk)
    concurrent = not connections["default"].is_in_memory_db() if connections["default"].vendor == "sqlite" else True
    barrier = threading.Barrier(2) if concurrent else None
    turn = threading.Lock()
    outcomes = []

    def worker():
        try:
            if barrier is not None:
                barrier.wait()
            else:
                turn.acquire()
            outcomes.append(run_command(actors["chair"], sitting.pk, "race", "sitting.announce", {"text": "Cùng lúc"},
                                        lambda: meeting.announce(actors["chair"], sitting.pk, "Cùng lúc")))
        finally:
            connections.close_all()
            if barrier is None:
                turn.release()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.replayed for o in outcomes) == [False, True]
    assert {(o.ok, str(o.data)) for o in outcomes} == {(True, "{}")}
    assert (current_seq(sitting.pk), _announcements()) == (2, 1)


def test_outcomes_are_kept_for_hub_command_outcome_days_then_forgotten(sitting, actors, settings):
    settings.HUB_COMMAND_OUTCOME_DAYS = 2
    meeting.open_sitting(actors["chair"], sitting.pk)
    announce = lambda: meeting.announce(actors["chair"], sitting.pk, "Giải lao")  # noqa: E731
    run_command(actors["chair"], sitting.pk, "old", "sitting.announce", {"text": "Giải lao"}, announce)
    run_command(actors["chair"], sitting.pk, "new", "sitting.announce", {"text": "Giải lao"}, announce)
    CommandOutcome.objects.filter(command_id="s:old").update(created_at=timezone.now() - timedelta(days=3))
    out = StringIO()
    call_command("prune_command_outcomes", stdout=out)
    assert out.getvalue().strip() == "pruned=1"
    assert list(CommandOutcome.objects.values_list("command_id", flat=True)) == ["s:new"]
    # Past its time, the id is a new command again.
    assert run_command(actors["chair"], sitting.pk, "old", "sitting.announce", {"text": "Giải lao"}, announce).replayed is False
    assert run_command(actors["chair"], sitting.pk, "new", "sitting.announce", {"text": "Giải lao"}, announce).replayed is True


# ---- issue 10, item 2: a secret command's arguments leave no trace --------------------------------

def test_a_secret_commands_arguments_leave_no_fingerprint_but_its_id_still_answers_once(sitting, actors):
    """A fingerprint of a ballot's few possible choices is the choice (docs/secrecy.md): a command
    registered secret stores the fingerprint of its name alone; the same id answers its one outcome."""
    from meeting import services as meeting
    from realtime.models import CommandOutcome
    from realtime.service import _fingerprint, run_command

    meeting.open_sitting(actors["chair"], sitting.pk)
    calls = []

    def announce(text):
        calls.append(text)
        return meeting.announce(actors["chair"], sitting.pk, text) or {"recorded": True}

    args = {"text": "Phương án B"}
    first = run_command(actors["chair"], sitting.pk, "b-1", "sitting.announce", args, lambda: announce(args["text"]),
                        secret=True)
    row = CommandOutcome.objects.get(command_id="s:b-1")
    assert row.fingerprint == _fingerprint("sitting.announce", {}) != _fingerprint("sitting.announce", args)
    again = run_command(actors["chair"], sitting.pk, "b-1", "sitting.announce", args, lambda: announce(args["text"]),
                        secret=True)
    assert (first.ok, again.ok, again.replayed, calls) == (True, True, True, ["Phương án B"])
    reused = run_command(actors["chair"], sitting.pk, "b-1", "agenda.next", {}, lambda: {}, secret=True)
    assert reused.error["code"] == "id_reused"
