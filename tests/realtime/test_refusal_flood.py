"""An anonymous observer who sends thousands of refused commands cannot fill the audit log
or keep a socket busy: repeated refusals are counted, not written one by one, and a socket
that keeps being refused is closed (4429, `too_many_refusals`). Nobody else notices."""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from audit.models import AuditRecord

from .hub import Refused

pytestmark = pytest.mark.django_db(transaction=True)


def _public_rows():
    return list(AuditRecord.objects.filter(role="public").order_by("id").values("action", "outcome", "detail"))


async def _drain_until_closed(client, limit=10000):
    """Every frame until the server closes the socket; returns (messages, close code)."""
    received = []
    for _ in range(limit):
        try:
            received.append(await client.receive())
        except Refused as closed:
            return received, closed.code
    raise AssertionError("the socket was never closed")


@override_settings(HUB_MAX_REFUSALS=30, HUB_REFUSAL_WINDOW=3600)
async def test_three_thousand_refused_commands_write_a_bounded_audit_and_close_the_socket(hub):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    watcher = await hub.connect("alice")
    intruder = await hub.connect("public")
    for _ in range(3000):
        await intruder.send("agenda.next")
    received, code = await _drain_until_closed(intruder)

    assert code == 4429
    refusals = [m for m in received if m.get("ok") is False]
    assert [m["error"]["code"] for m in refusals[:30]] == ["forbidden"] * 30
    assert refusals[-1] == {"in_response": None, "ok": False, "error": refusals[-1]["error"]}
    assert refusals[-1]["error"]["code"] == "too_many_refusals"
    assert len(refusals) == 31  # nothing after the limit is even looked at

    rows = await database_sync_to_async(_public_rows)()
    assert len(rows) <= 3, rows
    assert rows[0]["action"] == "agenda.navigate" and rows[0]["outcome"] == "forbidden"
    assert sum(r["detail"].get("repeated", 1) for r in rows if r["action"] == "agenda.navigate") == 30
    assert rows[-1]["outcome"] == "too_many_refusals" and rows[-1]["detail"]["refusals"] == 30

    # Everyone else carries on: the chair drives the sitting, the delegate follows it.
    await chair.ok("agenda.next")
    await watcher.settle()
    await watcher.ping()


@override_settings(HUB_MAX_REFUSALS=30, HUB_REFUSAL_WINDOW=3600)
async def test_repeated_refusals_below_the_limit_are_counted_into_one_row_when_the_socket_closes(hub):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    observer = await hub.connect("public")
    for _ in range(10):
        assert await observer.error("agenda.next") == "forbidden"
    assert await observer.error("sitting.announce", {"text": "Xin chào"}) == "forbidden"
    await observer.ping()

    rows = await database_sync_to_async(_public_rows)()
    assert [(r["action"], r["outcome"]) for r in rows] == [("agenda.navigate", "forbidden"), ("sitting.announce", "forbidden")]

    await observer.close()
    rows = await database_sync_to_async(_public_rows)()
    assert [(r["action"], r["outcome"], r["detail"].get("repeated")) for r in rows] == [
        ("agenda.navigate", "forbidden", None),
        ("sitting.announce", "forbidden", None),
        ("agenda.navigate", "forbidden", 9),
    ]
    assert rows[-1]["detail"]["command"] == "agenda.next"


@override_settings(HUB_MAX_REFUSALS=5, HUB_REFUSAL_WINDOW=3600)
async def test_the_limit_counts_one_socket_only(hub):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    first, second = await hub.connect("public"), await hub.connect("public")
    for _ in range(4):
        assert await first.error("agenda.next") == "forbidden"
        assert await second.error("agenda.next") == "forbidden"
    await first.ping()
    await second.ping()
    await first.send("agenda.next")
    received, code = await _drain_until_closed(first)
    assert code == 4429 and received[-1]["error"]["code"] == "too_many_refusals"
    await second.ping()


@override_settings(HUB_MAX_REFUSALS=5, HUB_REFUSAL_WINDOW=3600)
async def test_bad_input_that_changes_nothing_is_not_counted_as_a_refusal(hub):
    chair = await hub.connect("chair")
    await chair.ok("sitting.open")
    observer = await hub.connect("public")
    for _ in range(20):
        await observer.send_raw(json.dumps({"id": 1, "cmd": "no.such"}))
        assert (await observer.receive())["error"]["code"] == "unknown_command"
    await observer.ping()


def test_a_connection_with_nothing_counted_has_nothing_to_flush():
    # A socket that closes with no repeated refusal leaves no database work for its disconnect.
    from audit.sampling import RefusalSampler

    sampler = RefusalSampler()
    assert not sampler.pending
    assert sampler.admit("agenda.navigate", "forbidden", "…")  # the first is written in full
    assert not sampler.pending
    assert not sampler.admit("agenda.navigate", "forbidden", "…")  # a repeat is counted
    assert sampler.pending
