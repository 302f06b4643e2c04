"""The example transcript of docs/protocol.md: produced by a real run, and still valid.

To regenerate it after a change of the protocol:

    HUB_TRANSCRIPT_UPDATE=1 .venv/bin/pytest tests/realtime/test_transcript.py

which rewrites the block between the transcript markers in docs/protocol.md.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from accounts.permissions import AUDIENCE
from meeting.demo import load_demo

from .conftest import login_cookie
from .hub import open_client, validate_message

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = ROOT / "docs" / "protocol.md"
BEGIN, END = "<!-- transcript:begin -->", "<!-- transcript:end -->"
WHO = {"chair": "chair", "delegate": "delegate"}  # transcript name -> role


def layout(message: dict) -> str:
    """Compact JSON; a list or object holding records gets one record per line."""
    def fmt(value, indent):
        if isinstance(value, dict) and any(isinstance(v, (dict, list)) and _has_records(v) for v in value.values()):
            inner = ",\n".join(f'{" " * (indent + 1)}{json.dumps(k)}:{fmt(v, indent + 1)}' for k, v in value.items())
            return "{\n" + inner + "}"
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            inner = ",\n".join(" " * (indent + 1) + fmt(v, indent + 1) for v in value)
            return "[\n" + inner + "]"
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return fmt(message, 0)


def _has_records(value) -> bool:
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, dict) for v in value)
    return any(isinstance(v, (dict, list)) and _has_records(v) for v in value.values())


@pytest.fixture
def small_council(db):
    # Six delegates keep the snapshots short enough to read.
    return load_demo(council_name="Hội đồng nhân dân tỉnh Tuyên Quang", delegates=6, documents=False)


@pytest.mark.django_db(transaction=True)
async def test_the_example_transcript_runs_as_documented(small_council, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HUB_HEARTBEAT_SECONDS = 1  # one heartbeat shows in the transcript (receive() passes over the others)
    from channels.db import database_sync_to_async

    User = get_user_model()
    chair_cookie = await database_sync_to_async(lambda: login_cookie(small_council.chair))()
    delegate_cookie = await database_sync_to_async(lambda: login_cookie(User.objects.get(username="db004")))()
    lines: list[str] = []

    def note(arrow, who, message):
        text = message if isinstance(message, str) else layout(message)
        lines.append(f"{arrow} {who:<8} {text}")

    async def send(client, who, frame):
        text = frame if isinstance(frame, str) else json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
        if isinstance(frame, dict):
            client.commands[frame["id"]] = frame["cmd"]
        await client.send_raw(text)
        note("→", who, text)

    async def recv(client, who):
        message = await client.receive()
        note("←", who, message)
        return message

    chair = await open_client(small_council.pk, chair_cookie)
    note("←", "chair", chair.messages[0])
    delegate = await open_client(small_council.pk, delegate_cookie)
    note("←", "delegate", delegate.messages[0])

    await send(chair, "chair", {"id": 1, "cmd": "sitting.open", "args": {}})
    # The reply and the event come in either order (docs/protocol.md).
    assert any(m.get("ok") is True for m in [await recv(chair, "chair"), await recv(chair, "chair")])
    await recv(delegate, "delegate")

    await send(chair, "chair", {"id": 2, "cmd": "agenda.next", "args": {"expect_current": None}})
    await recv(chair, "chair")
    await recv(chair, "chair")
    await recv(delegate, "delegate")

    await send(delegate, "delegate", {"id": "c-1", "cmd": "attendance.check_in", "args": {}})
    await recv(delegate, "delegate")
    await recv(delegate, "delegate")
    await recv(chair, "chair")

    await send(delegate, "delegate", {"id": "c-2", "cmd": "agenda.next", "args": {"expect_current": 1}})
    assert (await recv(delegate, "delegate"))["error"]["code"] == "forbidden"
    await send(delegate, "delegate", {"id": "c-3", "cmd": "agenda.jump", "args": {"item_id": "3", "expect_current": 1}})
    assert (await recv(delegate, "delegate"))["error"]["code"] == "invalid_args"
    await send(delegate, "delegate", '{"id": "c-4", "cmd": ')
    assert (await recv(delegate, "delegate"))["error"]["code"] == "bad_json"
    await send(delegate, "delegate", {"id": "c-5", "cmd": "sync", "args": {"since_seq": 1}})
    assert len((await recv(delegate, "delegate"))["data"]["events"]) == 2
    await send(delegate, "delegate", {"id": "c-6", "cmd": "ping", "args": {}})
    await recv(delegate, "delegate")
    note("←", "delegate", await delegate.receive_heartbeat())
    # The chair presses "next" again from a screen that still showed no item (a double-click): stale.
    await send(chair, "chair", {"id": 3, "cmd": "agenda.next", "args": {"expect_current": None}})
    assert (await recv(chair, "chair"))["error"]["code"] == "stale"
    # The floor: the delegate asks to speak (the reply, the event every client gets, and the
    # per-member event the delegate alone gets, in any order), and the chair gives the floor.
    await send(delegate, "delegate", {"id": "c-7", "cmd": "floor.request", "args": {"kind": "speech"}})
    for _ in range(3):
        await recv(delegate, "delegate")
    await recv(chair, "chair")
    await send(delegate, "delegate", {"id": "c-8", "cmd": "floor.request", "args": {"kind": "speech"}})
    assert (await recv(delegate, "delegate"))["error"]["code"] == "already_requested"
    await send(chair, "chair", {"id": 4, "cmd": "floor.next", "args": {"expect_current": None}})
    for _ in range(3):
        await recv(chair, "chair")
    for _ in range(3):
        await recv(delegate, "delegate")
    # The secretary's console had pressed "next" too, having seen nobody at the floor: stale.
    await send(chair, "chair", {"id": 5, "cmd": "floor.next", "args": {"expect_current": None}})
    assert (await recv(chair, "chair"))["error"]["code"] == "stale"
    await chair.expect_nothing()
    await delegate.expect_nothing()
    await chair.close()
    await delegate.close()

    if os.environ.get("HUB_TRANSCRIPT_UPDATE"):
        text = PROTOCOL.read_text(encoding="utf-8")
        block = f"{BEGIN}\n```text\n" + "\n".join(lines) + f"\n```\n{END}"
        PROTOCOL.write_text(re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.DOTALL),
                            encoding="utf-8")


def transcript_entries() -> list[tuple[str, str, str]]:
    """(arrow, who, json text) for each entry of the transcript in docs/protocol.md."""
    text = PROTOCOL.read_text(encoding="utf-8")
    block = text[text.index(BEGIN) + len(BEGIN):text.index(END)]
    entries = []
    for line in block.strip().removeprefix("```text").removesuffix("```").strip("\n").splitlines():
        match = re.match(r"^([→←]) (\w+)\s+(.*)$", line)
        if match:
            entries.append(list(match.groups()))
        else:
            entries[-1][2] += "\n" + line
    return [tuple(e) for e in entries]


def test_every_server_message_in_the_documented_transcript_is_valid():
    entries = transcript_entries()
    sent = {}
    assert entries, "docs/protocol.md has no transcript"
    for arrow, who, text in entries:
        if arrow == "→":
            try:
                frame = json.loads(text)
                sent[frame["id"]] = frame["cmd"]
            except ValueError:
                pass
            continue
        validate_message(text, AUDIENCE[WHO[who]], sent)


def test_the_documented_transcript_shows_each_kind_of_message():
    received = [json.loads(text) for arrow, _who, text in transcript_entries() if arrow == "←"]
    kinds = {m.get("type") or ("ok" if m["ok"] else "error:" + m["error"]["code"]) for m in received}
    assert {"snapshot", "sitting.status", "agenda.current", "attendance.updated", "ok", "error:forbidden",
            "error:invalid_args", "error:bad_json", "error:stale", "heartbeat", "floor.requested", "floor.mine",
            "floor.left", "floor.speaker", "error:already_requested"} <= kinds
