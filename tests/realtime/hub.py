"""A test client of the hub over channels' WebsocketCommunicator.

Every message it receives is checked against the JSON Schema of its audience
(what a third party validates with) and against the pydantic models (which
also check formats such as date-times), and every snapshot and event is
applied to a reducer (tests/realtime/reducer.py) that insists on consecutive seqs.
"""

import asyncio
import collections
import itertools
import json
import warnings
from functools import cache

import jsonschema
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.permissions import AUDIENCE
from realtime import messages

from .reducer import ClientState

ORIGIN = b"http://127.0.0.1"
NAVIGATION = ("agenda.next", "agenda.previous", "agenda.jump")  # commands that carry expect_current


def private_channel_prefix():
    """Generator for a session fixture: on Redis, this run's own channel prefix, so its
    events never reach a server (or another test run) sharing the same Redis."""
    import os

    from django.conf import settings
    from django.test import override_settings

    layer = settings.CHANNEL_LAYERS["default"]
    prefix = layer.get("CONFIG", {}).get("prefix")
    if prefix is None:
        yield
        return
    private = {**layer, "CONFIG": {**layer["CONFIG"], "prefix": f"{prefix}-test{os.getpid()}"}}
    with override_settings(CHANNEL_LAYERS={"default": private}):
        yield


def _application():
    # With DEBUG off (DATABASE_URL set) WhiteNoise warns once that collectstatic has not
    # run; static files play no part in the hub, and the suite turns warnings into errors.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        from config.asgi import application
    return application


@cache
def _schemas() -> dict:
    return messages.json_schemas()


def _inline(node, defs):
    """The schema with every local $ref replaced by its definition (ours are not recursive);
    the same meaning, validated about ten times faster."""
    if isinstance(node, dict):
        if set(node) == {"$ref"}:
            return _inline(defs[node["$ref"].removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    # That each schema is itself valid is checked once, in test_schemas.
    schema = _schemas()[name]
    return jsonschema.Draft202012Validator(_inline(schema, schema.get("$defs", {})))


_seen: set[tuple[str, str]] = set()


def validate_message(text: str, audience: str, commands: dict | None = None) -> dict:
    """Check one server frame as a third party would, and as the server's own models do."""
    message = json.loads(text)
    if (audience, text) not in _seen:  # an event reaches every client of the audience as the same text
        _validator(f"server.{audience}").validate(message)
        messages.parse_server_message(text, audience)
        if len(_seen) > 10000:
            _seen.clear()
        _seen.add((audience, text))
    if commands is not None and message.get("ok") is True:
        cmd = commands[message["in_response"]]
        name = f"command.sync.reply.{audience}" if cmd == "sync" else f"command.{cmd}.reply"
        _validator(name).validate(message["data"])
        messages.result_model(cmd, audience).model_validate_json(json.dumps(message["data"]))
    return message


def unpacked(message: dict) -> list[dict]:
    """A frame's messages: a batch's events in order (docs/protocol.md "Batches"), else the frame."""
    return message["events"] if message.get("type") == "batch" else [message]


def current_seq(sitting_id: int) -> int:
    from meeting.models import Sitting

    return Sitting.objects.values_list("seq", flat=True).get(pk=sitting_id)


def current_pseq(sitting_id: int, member_id: int) -> int:
    from realtime.models import MemberCounter

    return MemberCounter.objects.filter(sitting_id=sitting_id, member_id=member_id).values_list(
        "pseq", flat=True).first() or 0


class Refused(Exception):
    def __init__(self, code):
        super().__init__(f"connection closed with code {code}")
        self.code = code


class HubClient:
    """One connection. `messages` keeps every frame received, `state` the reduced state."""

    # Ids the tests do not choose: far from the small ones tests send on purpose (id=2, "x"),
    # which collided with these in a process whose first hub test sent them (id_reused under xdist).
    _ids = itertools.count(1_000_001)

    def __init__(self, sitting_id: int, communicator: WebsocketCommunicator):
        self.sitting_id = sitting_id
        self.comm = communicator
        self.audience = None
        self.you = None
        self.messages: list[dict] = []
        self.commands: dict = {}  # correlation id -> command name
        self.client = ClientState()
        self.apply_events = True
        self.heartbeats: list[dict] = []  # kept apart: a heartbeat is neither an event nor a reply
        self.statuses: list[dict] = []  # hub.status messages ("live updates degraded"), kept apart too
        # Every frame as it came, a batch whole (its events are also returned one by one, in order,
        # by receive(): tests see the same sequence whether events came batched or not).
        self.frames: list[dict] = []
        self._unpacked: collections.deque[dict] = collections.deque()

    @property
    def state(self):
        return self.client.state

    @property
    def seq(self):
        return self.client.seq

    @property
    def events(self) -> list[dict]:
        """Every event received so far (not the snapshot, not replies, not per-member events)."""
        return [m for m in self.messages if "type" in m and m["type"] != "snapshot" and "pseq" not in m]

    @property
    def member_events(self) -> list[dict]:
        """Every per-member event received so far (what this member alone was told)."""
        return [m for m in self.messages if "type" in m and "pseq" in m]

    @property
    def private(self) -> dict | None:
        """The reduced `you`: the last snapshot's, with the per-member events applied."""
        return self.client.you

    # ---- receiving ---------------------------------------------------------

    async def receive(self, timeout: float = 3) -> dict:
        """The next frame other than a heartbeat (heartbeats go to `heartbeats`)."""
        while True:
            message = await self._frame(timeout)
            if message.get("type") not in ("heartbeat", "hub.status"):
                return message

    async def receive_heartbeat(self, timeout: float = 3) -> dict:
        """Receive (and apply) frames until the next heartbeat; returns it."""
        while True:
            message = await self._frame(timeout)
            if message.get("type") == "heartbeat":
                return message

    async def _frame(self, timeout: float) -> dict:
        if self._unpacked:
            return self._handle(self._unpacked.popleft())
        output = await self.comm.receive_output(timeout)
        if output["type"] == "websocket.close":
            raise Refused(output.get("code"))
        assert output["type"] == "websocket.send", output
        assert "text" in output and output.get("bytes") is None, "the hub sends text frames only"
        text = output["text"]
        if self.audience is None:
            first = json.loads(text)
            assert first["type"] == "snapshot", f"the first message must be the snapshot, got {first}"
            self.audience = AUDIENCE[first["you"]["role"]]
            self.you = first["you"]
        message = validate_message(text, self.audience, self.commands)
        self.frames.append(message)
        if message.get("type") == "batch":
            # Several events in one frame (docs/protocol.md "Batches"): each as if it came alone.
            self._unpacked.extend(message["events"])
            return self._handle(self._unpacked.popleft())
        return self._handle(message)

    def _handle(self, message: dict) -> dict:
        if message.get("type") == "heartbeat":
            self.heartbeats.append(message)
            return message
        if message.get("type") == "hub.status":
            self.statuses.append(message)
            return message
        self.messages.append(message)
        if "type" in message and (message["type"] == "snapshot" or self.apply_events):
            self.client.apply(message)
        return message

    async def receive_event(self, timeout: float = 3) -> dict:
        message = await self.receive(timeout)
        assert "type" in message and message["type"] != "snapshot", f"expected an event, got {message}"
        return message

    async def expect_nothing(self, timeout: float = 0.1):
        """Nothing but heartbeats (and hub.status) arrives within `timeout`."""
        assert not self._unpacked, f"unexpected message: {self._unpacked[0]}"
        while not await self.comm.receive_nothing(timeout):
            message = await self._frame(timeout)
            assert message.get("type") in ("heartbeat", "hub.status"), f"unexpected message: {message}"

    async def settle_private(self, timeout: float = 3) -> list[dict]:
        """Receive until this client has every per-member event stored for it so far."""
        target = await database_sync_to_async(current_pseq)(self.sitting_id, self.you["member_id"])
        events = []
        while self.private["pseq"] < target:
            message = await self.receive(timeout)
            if "pseq" in message:
                events.append(message)
        return events

    async def settle(self, timeout: float = 3) -> list[dict]:
        """Receive until this client has every event committed so far; returns the events."""
        target = await database_sync_to_async(current_seq)(self.sitting_id)
        events = []
        while self.seq < target:
            message = await self.receive(timeout)
            if "type" in message:
                events.append(message)
        return events

    # ---- sending -----------------------------------------------------------

    async def send(self, cmd: str, args: dict | None = None, *, id=None):
        """Send a command. Navigation says what this client saw, as the console does: unless the
        test gives `expect_current`, it is the current item of this client's own state."""
        id = next(self._ids) if id is None else id
        self.commands[id] = cmd
        if cmd in NAVIGATION and self.state is not None and "expect_current" not in (args or {}):
            args = {**(args or {}), "expect_current": self.state["agenda"]["current_item_id"]}
        frame = {"id": id, "cmd": cmd}
        if args is not None:
            frame["args"] = args
        await self.comm.send_to(text_data=json.dumps(frame))
        return id

    async def send_raw(self, text: str | None = None, *, bytes_data: bytes | None = None):
        await self.comm.send_to(text_data=text, bytes_data=bytes_data)

    async def reply_to(self, id, timeout: float = 3) -> dict:
        """Receive (and apply) messages until the reply to `id`; returns the reply."""
        while True:
            message = await self.receive(timeout)
            if "in_response" in message and message["in_response"] == id:
                return message

    async def command(self, cmd: str, args: dict | None = None) -> dict:
        """Send a command, wait for its reply and for the events it caused; returns the reply."""
        reply = await self.reply_to(await self.send(cmd, args))
        await self.settle()
        return reply

    async def ok(self, cmd: str, args: dict | None = None) -> dict:
        reply = await self.command(cmd, args)
        assert reply["ok"] is True, reply
        return reply["data"]

    async def error(self, cmd: str, args: dict | None = None) -> str:
        reply = await self.command(cmd, args)
        assert reply["ok"] is False, reply
        return reply["error"]["code"]

    async def ping(self):
        """The connection is open and answers."""
        assert await self.ok("ping")

    async def catch_up(self):
        """What a client does when a heartbeat or a ping reply says it is behind: `sync` from its seq,
        and apply the replayed events (a snapshot answering it is applied as it arrives)."""
        args = {"since_seq": self.seq}
        if self.private is not None and self.private["pseq"] is not None:
            args["since_pseq"] = self.private["pseq"]  # what this member alone was told, too
        reply = await self.reply_to(await self.send("sync", args))
        if reply.get("type") != "snapshot":
            assert reply["ok"] is True, reply
            for event in reply["data"]["events"]:
                self.client.apply(event)
            for event in reply["data"].get("member_events") or ():
                self.client.apply(event)

    async def close(self):
        await self.comm.disconnect()


async def open_client(sitting_id: int, cookie: str | None = None, *, origin: bytes | None = ORIGIN,
                      path: str | None = None) -> HubClient:
    """Connect and receive the snapshot; raises Refused with the close code if the hub refuses."""
    headers = [(b"host", b"127.0.0.1")]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    comm = WebsocketCommunicator(_application(), path or f"/ws/sitting/{sitting_id}/", headers=headers)
    accepted, code = await comm.connect()
    if not accepted:
        raise Refused(code)
    client = HubClient(sitting_id, comm)
    try:
        await client.receive()
    except Refused:
        await comm.disconnect()
        raise
    return client


class Hub:
    """Opens clients for a test and closes them all at its end."""

    def __init__(self, sitting_id: int, cookies: dict):
        self.sitting_id = sitting_id
        self.cookies = cookies
        self.clients: list[HubClient] = []

    async def connect(self, who: str = "public", *, sitting_id: int | None = None, **kwargs) -> HubClient:
        client = await open_client(sitting_id or self.sitting_id, self.cookies.get(who), **kwargs)
        self.clients.append(client)
        return client

    async def connect_all(self, *who: str) -> dict[str, HubClient]:
        return {name: await self.connect(name) for name in who}

    async def close_all(self):
        for client in self.clients:
            await client.close()
        await asyncio.sleep(0)
