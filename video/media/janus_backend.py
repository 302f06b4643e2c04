"""`JanusBackend`: videod's rooms in Janus 1.1.2's VideoRoom (decision 0014 §2, §3, §5) — videod only signals.

Media flows browser ↔ Janus; videod holds one Janus session (over the WebSocket API, `api_secret` on
every request, a `keepalive` every 25 s) and one plugin handle per peer connection. Peers are keyed
as in `AiortcBackend`: ``m:<id>`` (a remote member), ``h:<id>`` (the hall camera page), ``d:<id>``
(a hall display). Janus needs two peer connections per participant: a **publisher** one, offered by
the page (`publish`), and a **subscriber** one, offered by Janus (`subscribe`, then `answer`).

**A room** is a VideoRoom room: `room` = the sitting id, private, `audiocodec` opus, `videocodec` vp8,
`notify_joining`, an `allowed` ACL (empty at creation, so the check is on) and a random secret. The
secret is HMAC-SHA256(admin_key, "<room>:<nonce>") with the nonce random per room and kept in the
room's description, so a restarted videod, which holds the admin_key, can destroy what a dead one
left: on start it lists every room (with the admin_key) and destroys them all.

**Publishers** (member, hallcam: audio + video, in that order): a token is added to the room's
`allowed` list for the peer, then `joinandconfigure` as publisher with `id` = `feed_id(key)`,
`display` = the key and that `token`; Janus's answer is returned. A member not in the live set is
muted at once (`moderate` on its audio mid) before any media can flow; the hall camera never is.

**Who is heard**: `set_live` moderates every member publisher whose liveness changed: Janus then
relays none of a muted member's audio packets to anybody. **The floor video** is the live member's
video (the lowest member id if several), else the hall camera's; every subscriber's floor slot is
moved there with `switch` (no renegotiation) whenever the set or the publishers change.

**Subscribers** (`join` as subscriber, `autoupdate: false`, one stream per slot, each with a
`crossrefid` naming its slot); what a subscriber gets, in this order:

- member:  the hall's audio and video, the floor video, every other member's audio (muted: silent);
- hallcam: every member's audio;
- display: the floor video.

Only publishers whose connection is up (Janus's `webrtcup`) can be subscribed to, so a page
publishes first, waits for its publisher connection to connect, then subscribes. A subscriber
connection is renegotiated by subscribing again on the same pc with the next gen (Janus `update`):
it then receives the members who published since, and sources that published again (a slot whose
publisher went away is dead: Janus would have to renegotiate to feed it, and a page hears of an
offer only by asking); `sdp` is None when nothing changed. The floor slot is switched off a
publisher before videod ends it, so an orderly leave never kills it.

**Recording** (`record_start`): the one place where media reaches videod with Janus. videod itself
subscribes, with aiortc, to the audio of every publisher connection Janus has up (the hall camera
and every member; one subscriber connection each, made when the publisher's connection comes up
and closed when it goes, so none is ever renegotiated: `Recording`), decodes them into the shared
`video.media.mixing.Mixer` (the hall camera always heard; a member only while live, which Janus's
mute already ensures) and writes the sum every 20 ms with the same `Recorder` as the aiortc backend.
The file is complete at `record_stop`, at `close_room` and at `close()` (videod's SIGTERM).

The ops (`handle(op, args)`; refusals are `MediaError(code)`; every op but health takes ``room: int``):

    open_room  {room, publishers?: int}                 → {}       idempotent
    close_room {room}                                   → {}       destroys the Janus room; idempotent
    publish    {room, peer, kind, pc, gen, sdp}         → {sdp}    Janus's answer to the publisher offer
               no_room · bad_request (kind: member or hallcam, matching the key) · bad_offer (not
               audio+video) · gen_reused · stale · no_renegotiation · janus_refused (the plugin's error)
    subscribe  {room, peer, kind, pc, gen}              → {sdp | None, slots: [{mid, kind, source}]}
               Janus's offer; source is "hall", "floor" or "m:<id>". no_feeds (nothing to receive yet) ·
               bad_request · stale (a lower gen, a pc replaced or closed) · not_answered (a higher gen
               before the last offer was answered) · janus_refused. The same pc+gen returns the same again.
    answer     {room, peer, pc, gen, sdp}               → {}       the page's answer (Janus `start`)
               stale (not the current subscriber pc+gen) · gen_reused (answered with another sdp) · bad_answer
    ice        {room, peer, pc, candidates: [{candidate, sdpMid, sdpMLineIndex}], end} → {}   trickled to Janus
    close      {room, peer}                             → {}       both connections and the token; idempotent
    set_live   {room, live: [peer keys], version: int}  → {applied: bool}
    stats      {room}  → {peers: {key: {kind, state, rtt_ms, loss_pct, kbps_in, kbps_out, level}}}
               (state from Janus's events; the numbers are None: the Admin API is off)
    health     {}      → {up, backend: "janus", rooms, publishers, streams_out, capacity_streams, overloaded,
                          recording: [room ids]}   (streams_out: the slots fed to the pages' connections up,
                          and the recording's own connections, one per publisher)
    record_start {room, path: "<file>.ogg"}             → {path}   already recording: the same file
    record_stop  {room}                                 → {path, started_at, ended_at, seconds} | {path: None}

A new pc (publisher or subscriber) replaces the peer's old one of the same role, whose handle is
detached and whose pc id is stale from then on. If the WebSocket to Janus breaks, Janus ends the
session and every handle with it: videod forgets its rooms (ops answer ``no_room`` until the hub's
next `open_room`) and reconnects at the next op, destroying what the old session left; a recording
running then is finished, and the room's next `record_stop` returns it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCPeerConnection, RTCSessionDescription
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from .aiortc_backend import peer_configuration
from .link import MediaError
from .link import int_arg as _int
from .link import str_arg as _str
from .mixing import Mixer, Recorder, listen, recording_path

log = logging.getLogger("video.media")

PLUGIN = "janus.plugin.videoroom"
KEEPALIVE = 25.0                 # seconds; Janus's session_timeout is 60
REQUEST_TIMEOUT = 6.0            # one Janus request; the hub's deadline for publish/subscribe is 8 s
KINDS = {"member": "m:", "hallcam": "h:", "display": "d:"}
PUBLISHING = ("member", "hallcam")
FEED_BASE = {"m:": 1_000_000_000, "h:": 2_000_000_000}    # m:12 → 1000000012, h:1 → 2000000001
DESCRIPTION = "videod "                                     # + the room's nonce
_MLINE = re.compile(r"^m=(\w+) ", re.M)


def feed_id(key: str) -> int:
    """The numeric Janus publisher id of a member or hall camera key."""
    prefix, number = key[:2], key[2:]
    if prefix not in FEED_BASE or not number.isdigit() or not 0 < int(number) < 1_000_000_000:
        raise MediaError("bad_request", f"no Janus id for peer {key!r}")
    return FEED_BASE[prefix] + int(number)


def room_secret(admin_key: str, room: int, nonce: str) -> str:
    return hmac.new(admin_key.encode(), f"{room}:{nonce}".encode(), hashlib.sha256).hexdigest()


class JanusError(Exception):
    """Janus (core or plugin) said no: `code` is Janus's number, `reason` its words."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusGone(Exception):
    """The WebSocket to Janus broke, or Janus did not answer in time."""


# --- the Janus API ----------------------------------------------------------------------------------

class JanusSession:
    """One WebSocket, one Janus session: requests matched to replies by transaction, the rest
    (webrtcup, hangup, …) handed to `on_event(handle, message)`."""

    def __init__(self, url: str, api_secret: str, on_event, on_lost) -> None:
        self.url = url
        self.api_secret = api_secret
        self.on_event = on_event
        self.on_lost = on_lost
        self.id: int | None = None
        self._ws: ClientConnection | None = None
        self._pending: dict[str, tuple[asyncio.Future, bool]] = {}
        self._tx = (f"t{n}" for n in itertools.count(1))
        self._tasks: list[asyncio.Task] = []
        self.closed = False

    async def open(self) -> None:
        try:
            self._ws = await asyncio.wait_for(connect(self.url, subprotocols=["janus-protocol"],
                                                      max_size=4 * 1024 * 1024, ping_interval=None), REQUEST_TIMEOUT)
        except (OSError, TimeoutError, WebSocketException) as error:
            raise JanusGone(f"Janus unreachable at {self.url}: {error}") from None
        self._tasks.append(asyncio.ensure_future(self._read()))
        self.id = (await self.request({"janus": "create"}))["data"]["id"]
        self._tasks.append(asyncio.ensure_future(self._keepalive()))

    async def close(self) -> None:
        if self.closed:
            return
        if self._ws is not None and self.id is not None:
            try:
                await asyncio.wait_for(self.request({"janus": "destroy"}), 2)
            except (JanusGone, JanusError, TimeoutError):
                pass
        self.closed = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._ws is not None:
            await self._ws.close()
        self._fail_pending("session closed")

    async def request(self, message: dict[str, Any], *, handle: int | None = None, wait_event: bool = False,
                      timeout: float = REQUEST_TIMEOUT) -> dict[str, Any]:
        """Send a Janus API request; the reply, or for an asynchronous plugin request (`wait_event`)
        the event that ends it (an "ack" comes first). Raises `JanusError`, `JanusGone`."""
        if self.closed or self._ws is None:
            raise JanusGone("no session with Janus")
        transaction = next(self._tx)
        message = {**message, "transaction": transaction, "apisecret": self.api_secret}
        if self.id is not None and message["janus"] != "create":
            message["session_id"] = self.id
        if handle is not None:
            message["handle_id"] = handle
        reply: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[transaction] = (reply, wait_event)
        try:
            await self._ws.send(json.dumps(message))
            answer = await asyncio.wait_for(reply, timeout)
        except TimeoutError:
            raise JanusGone(f"Janus did not answer {message['janus']} within {timeout} s") from None
        except WebSocketException as error:
            raise JanusGone(f"the WebSocket to Janus broke: {error}") from None
        finally:
            self._pending.pop(transaction, None)
        if answer.get("janus") == "error":
            error = answer.get("error") or {}
            raise JanusError(int(error.get("code", 0)), str(error.get("reason", "")))
        data = (answer.get("plugindata") or {}).get("data") or {}
        if "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error", "")))
        return answer

    async def plugin(self, handle: int, body: dict[str, Any], *, jsep: dict[str, Any] | None = None,
                     wait_event: bool = False) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """A VideoRoom request on `handle`: (the plugin's data, the jsep if any)."""
        message: dict[str, Any] = {"janus": "message", "body": body}
        if jsep is not None:
            message["jsep"] = jsep
        answer = await self.request(message, handle=handle, wait_event=wait_event)
        return (answer.get("plugindata") or {}).get("data") or {}, answer.get("jsep")

    async def attach(self) -> int:
        return int((await self.request({"janus": "attach", "plugin": PLUGIN}))["data"]["id"])

    async def detach(self, handle: int) -> None:
        try:
            await self.request({"janus": "detach"}, handle=handle)
        except JanusError as error:              # already gone (458: no such handle)
            log.debug("janus: detach %s: %s", handle, error)

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for raw in self._ws:
                try:
                    message = json.loads(raw)
                except ValueError:
                    continue
                kind = message.get("janus")
                pending = self._pending.get(message.get("transaction", ""))
                if pending is not None:
                    reply, wait_event = pending
                    if kind == "ack" and wait_event:
                        continue                     # an asynchronous request: its event follows
                    if not reply.done():
                        reply.set_result(message)
                    continue
                if kind == "timeout":
                    log.warning("janus: session %s timed out", self.id)
                    break
                sender = message.get("sender")
                if sender is not None:
                    try:
                        self.on_event(int(sender), message)
                    except Exception:
                        log.exception("janus: handling %s failed", kind)
        except WebSocketException:
            pass
        finally:
            if not self.closed:
                self.closed = True
                self._fail_pending("the WebSocket to Janus closed")
                log.warning("janus: the session with %s is lost", self.url)
                self.on_lost(self)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE)
            try:
                await self.request({"janus": "keepalive"})
            except (JanusGone, JanusError) as error:
                log.warning("janus: keepalive failed: %s", error)
                if self._ws is not None:
                    await self._ws.close()
                return

    def _fail_pending(self, why: str) -> None:
        for reply, _ in self._pending.values():
            if not reply.done():
                reply.set_exception(JanusGone(why))


# --- rooms and peers -----------------------------------------------------------------------------------

@dataclass
class Conn:
    """One peer connection of a peer: a Janus handle."""
    role: str                         # "publisher" | "subscriber"
    pc_id: str
    gen: int
    handle: int
    offer: str = ""                   # publisher: the page's offer; subscriber: Janus's
    answer: str | None = None         # publisher: Janus's answer; subscriber: the page's
    slots: list[dict[str, str]] = field(default_factory=list)       # subscriber: {mid, kind, source}
    feeding: dict[str, str | None] = field(default_factory=dict)   # subscriber: slot mid → its source's
                                      # `ident`, None once that publisher is gone (dead until resubscribed)
    mids: dict[str, str] = field(default_factory=dict)              # publisher: media kind → its mid
    up: bool = False                  # Janus said webrtcup (and no hangup since)
    hung_up: bool = False             # Janus said hangup: the connection was lost or closed
    candidates: set[str] = field(default_factory=set)


def ident(key: str, conn: Conn) -> str:
    """One publisher connection: the same key publishing again is another source for Janus."""
    return f"{key}/{conn.pc_id}"


@dataclass
class Peer:
    key: str
    kind: str
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    pub: Conn | None = None
    sub: Conn | None = None


class Room:
    def __init__(self, room_id: int, secret: str) -> None:
        self.id = room_id
        self.secret = secret
        self.peers: dict[str, Peer] = {}
        self.retired: set[str] = set()                  # pc ids replaced or closed: stale
        self.live: frozenset[str] = frozenset()
        self.live_version: int | None = None
        self.muted: dict[str, bool] = {}                 # member key → muted at Janus now
        self.lock = asyncio.Lock()
        self.recording: Recording | None = None

    def is_live(self, key: str) -> bool:
        return key.startswith("h:") or key in self.live

    def feeds(self) -> dict[str, Conn]:
        """Publisher connections Janus has up, by peer key: what can be subscribed or switched to."""
        return {key: peer.pub for key, peer in self.peers.items() if peer.pub is not None and peer.pub.up}

    def hall(self) -> str | None:
        halls = sorted(key for key in self.feeds() if key.startswith("h:"))
        return halls[0] if halls else None

    def floor(self) -> str | None:
        """The live member's video (lowest member id), else the hall camera's, else nothing."""
        speakers = sorted((key for key in self.feeds() if key.startswith("m:") and self.is_live(key)),
                          key=lambda key: int(key[2:]))
        return speakers[0] if speakers else self.hall()


# --- recording ---------------------------------------------------------------------------------------

@dataclass
class Listener:
    """videod's own subscriber connection to one publisher's audio (an aiortc peer, a Janus handle)."""
    key: str
    handle: int
    pc: RTCPeerConnection
    task: asyncio.Task | None = None


class Recording:
    """A room's sound while it is recorded: videod subscribes to the audio of every publisher
    connection Janus has up (the hall camera and every member), one subscriber connection each,
    decodes it into the `Mixer` (the hall camera always heard, a member only while `is_live`, as
    Janus's mute already ensures) and the `Recorder` writes the sum every 20 ms.

    One connection per publisher connection, so that nothing is ever renegotiated: a publisher that
    comes gets a connection of its own (`sync`), one that goes loses it, one that publishes again
    (a new pc: another ident) gets a new one."""

    def __init__(self, room: Room, path: str, resync: Callable[[], None]) -> None:
        self.room = room
        self.resync = resync                            # asks for a `sync` (a connection of ours failed)
        self.mixer = Mixer(room.is_live)
        self.recorder = Recorder(self.mixer, path)
        self.listeners: dict[str, Listener] = {}        # publisher ident → videod's connection to it
        self.frames: dict[str, int] = {}                # audio frames decoded per source key
        self.lock = asyncio.Lock()
        self.stopped = False

    @property
    def path(self) -> str:
        return self.recorder.path

    async def sync(self, session: JanusSession) -> None:
        """Listen to every publisher connection up at Janus, and to no other."""
        async with self.lock:
            if self.stopped:
                return
            wanted = {ident(key, conn): (key, conn) for key, conn in self.room.feeds().items()}
            for gone in [name for name, listener in self.listeners.items()
                         if name not in wanted or listener.pc.connectionState == "failed"]:
                await self._drop(self.listeners.pop(gone), session)
            for name, (key, conn) in wanted.items():
                if name in self.listeners or self.stopped:
                    continue
                try:
                    self.listeners[name] = await self._listen(session, key, conn)
                except JanusGone:
                    raise
                except Exception as error:       # gone meanwhile (Janus refused): the next sync sees it
                    log.warning("janus: room %s: recording %s: %r", self.room.id, key, error)

    async def _listen(self, session: JanusSession, key: str, conn: Conn) -> Listener:
        handle = await session.attach()
        listener = Listener(key=key, handle=handle, pc=RTCPeerConnection(peer_configuration([])))

        @listener.pc.on("connectionstatechange")
        def changed() -> None:
            if listener.pc.connectionState == "failed" and not self.stopped:
                log.warning("janus: room %s: videod's connection to %s for the recording failed", self.room.id, key)
                self.resync()                           # made again
        try:
            _, jsep = await session.plugin(handle, {
                "request": "join", "ptype": "subscriber", "room": self.room.id, "autoupdate": False,
                "streams": [{"feed": feed_id(key), "mid": conn.mids["audio"]}]}, wait_event=True)
            if not jsep or jsep.get("type") != "offer":
                raise JanusError(0, "no offer in Janus's reply")
            await listener.pc.setRemoteDescription(RTCSessionDescription(jsep["sdp"], "offer"))
            await listener.pc.setLocalDescription(await listener.pc.createAnswer())
            await session.plugin(handle, {"request": "start"},
                                 jsep={"type": "answer", "sdp": listener.pc.localDescription.sdp}, wait_event=True)
        except BaseException:
            await self._drop(listener, session)
            raise
        track = next(t.receiver.track for t in listener.pc.getTransceivers() if t.kind == "audio")

        def counted() -> None:
            self.frames[key] = self.frames.get(key, 0) + 1

        listener.task = asyncio.ensure_future(listen(self.mixer, key, track, counted))
        log.info("janus: room %s: recording %s", self.room.id, key)
        return listener

    @staticmethod
    async def _drop(listener: Listener, session: JanusSession | None) -> None:
        if listener.task is not None:
            listener.task.cancel()
            await asyncio.gather(listener.task, return_exceptions=True)
        await listener.pc.close()
        if session is not None and not session.closed:
            try:
                await session.detach(listener.handle)
            except JanusGone:
                pass

    async def stop(self, session: JanusSession | None) -> dict[str, Any]:
        """The file is complete; then every connection of videod's own is closed."""
        self.stopped = True
        done = await self.recorder.stop()
        await self.mixer.close()
        async with self.lock:
            for listener in self.listeners.values():
                await self._drop(listener, session)
            self.listeners.clear()
        return done


class JanusBackend:
    """The rooms of one videod in Janus. `await handle(op, args)` serves the control link; `await close()` ends all."""

    name = "janus"

    def __init__(self, *, url: str, api_secret: str, admin_key: str, capacity_streams: int = 500,
                 publishers: int = 64) -> None:
        self.url = url
        self.api_secret = api_secret
        self.admin_key = admin_key
        self.capacity_streams = capacity_streams
        self.publishers = publishers
        self.rooms: dict[int, Room] = {}
        self.session: JanusSession | None = None
        self._control: int | None = None                 # a handle for the plugin's synchronous requests
        self._handles: dict[int, tuple[Room, Peer, Conn]] = {}
        self._connecting = asyncio.Lock()
        self._attaching = asyncio.Lock()
        self._opening = asyncio.Lock()
        self._background: set[asyncio.Task] = set()
        self._finishing: dict[int, asyncio.Task] = {}    # recordings stopped by a lost session, by room

    async def handle(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        method = self._ops.get(op)
        if method is None:
            raise MediaError("unknown_op", f"unknown op {op!r}")
        try:
            return await method(self, args)
        except JanusGone as gone:
            raise MediaError("media_unavailable", str(gone)) from None

    async def start(self) -> None:
        """Connect, and destroy every room Janus still has: nothing of a dead videod's state is trusted."""
        await self._session()

    async def close(self) -> None:
        for room_id in list(self.rooms):
            try:
                await self.close_room({"room": room_id})
            except (JanusGone, MediaError):
                pass
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, *self._finishing.values(), return_exceptions=True)
        if self.session is not None:
            await self.session.close()
            self.session = None

    # --- ops ---

    async def open_room(self, args: dict[str, Any]) -> dict[str, Any]:
        room_id = _int(args, "room")
        publishers = args.get("publishers", self.publishers)
        if type(publishers) is not int or publishers < 1:
            raise MediaError("bad_request", "publishers must be a positive integer")
        session = await self._session()
        async with self._opening:
            if room_id not in self.rooms:
                await self._create_room(session, room_id, publishers)
        return {}

    async def _create_room(self, session: JanusSession, room_id: int, publishers: int) -> None:
        nonce = secrets.token_hex(16)
        secret = room_secret(self.admin_key, room_id, nonce)
        body = {"request": "create", "room": room_id, "admin_key": self.admin_key, "permanent": False,
                "description": DESCRIPTION + nonce, "secret": secret, "is_private": True,
                "publishers": publishers, "audiocodec": "opus", "videocodec": "vp8",
                "notify_joining": True, "allowed": []}
        try:
            try:
                await session.plugin(await self._control_handle(), body)
            except JanusError as error:
                if error.code != 427:                          # 427: the room exists (left by a dead videod)
                    raise
                await self._destroy_leftovers({room_id})
                await session.plugin(await self._control_handle(), body)
        except JanusError as error:
            raise MediaError("janus_refused", f"Janus did not create room {room_id}: {error.reason}") from None
        self.rooms[room_id] = Room(room_id, secret)
        log.info("janus: room %s created", room_id)

    async def close_room(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self.rooms.pop(_int(args, "room"), None)
        if room is None:
            return {}
        if room.recording is not None:       # the file is finished; the hub learns of it by record_stop first
            recording, room.recording = room.recording, None
            await recording.stop(self.session)
        async with room.lock:
            for key in list(room.peers):
                await self._drop_peer(room, key, remove_token=False)
            if self.session is not None and not self.session.closed:
                try:
                    await self.session.plugin(await self._control_handle(),
                                              {"request": "destroy", "room": room.id, "secret": room.secret})
                except JanusError as error:
                    log.warning("janus: destroying room %s: %s", room.id, error)
        log.info("janus: room %s destroyed", room.id)
        return {}

    async def publish(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self._room(args)
        key, kind, pc_id = _str(args, "peer"), _str(args, "kind"), _str(args, "pc")
        gen, sdp = _int(args, "gen"), _str(args, "sdp")
        _check_kind(key, kind)
        if kind not in PUBLISHING:
            raise MediaError("bad_request", f"a {kind} does not publish")
        publisher_id = feed_id(key)
        async with room.lock:
            self._still_open(room)
            peer = room.peers.get(key)
            conn = peer.pub if peer is not None else None
            self._check_replay(room, conn, pc_id, gen)
            if conn is not None and conn.pc_id == pc_id:
                if sdp != conn.offer:
                    raise MediaError("gen_reused", f"generation {gen} was used with another offer")
                return {"sdp": conn.answer}
            mids = _check_publisher_offer(sdp)
            if peer is None:
                peer = room.peers[key] = Peer(key=key, kind=kind)
            elif peer.kind != kind:
                raise MediaError("bad_request", f"peer {key} is a {peer.kind}")
            await self._drop_conn(room, peer, "pub")
            session = await self._session()
            handle = await session.attach()
            conn = Conn(role="publisher", pc_id=pc_id, gen=gen, handle=handle, offer=sdp, mids=mids)
            self._handles[handle] = (room, peer, conn)
            try:
                await session.plugin(await self._control_handle(), {
                    "request": "allowed", "secret": room.secret, "room": room.id, "action": "add",
                    "allowed": [peer.token]})
                _, jsep = await session.plugin(handle, {
                    "request": "joinandconfigure", "ptype": "publisher", "room": room.id, "id": publisher_id,
                    "display": key, "token": peer.token},
                    jsep={"type": "offer", "sdp": sdp}, wait_event=True)
                if not jsep or jsep.get("type") != "answer":
                    raise JanusError(0, "no answer in Janus's reply")
                conn.answer = jsep["sdp"]
                if key.startswith("m:"):
                    room.muted.pop(key, None)
                    await self._moderate(room, key, conn, muted=not room.is_live(key))
            except JanusError as error:
                raise await self._refused(session, room, pc_id, handle, f"publisher {key}", "the publisher", error) from None
            peer.pub = conn
            log.info("janus: room %s: %s (%s) publishing, pc %s gen %s", room.id, key, kind, pc_id, gen)
            return {"sdp": conn.answer}

    async def subscribe(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self._room(args)
        key, kind, pc_id, gen = _str(args, "peer"), _str(args, "kind"), _str(args, "pc"), _int(args, "gen")
        _check_kind(key, kind)
        async with room.lock:
            self._still_open(room)
            peer = room.peers.get(key)
            conn = peer.sub if peer is not None else None
            if conn is not None and conn.pc_id == pc_id and gen > conn.gen:
                return await self._resubscribe(room, peer, conn, gen)
            self._check_replay(room, conn, pc_id, gen)
            if conn is not None and conn.pc_id == pc_id:
                return {"sdp": conn.offer, "slots": [dict(slot) for slot in conn.slots]}
            if peer is not None and peer.kind != kind:
                raise MediaError("bad_request", f"peer {key} is a {peer.kind}")
            wanted = self._wanted(room, key, kind)
            if not wanted:
                raise MediaError("no_feeds", "nothing to receive yet: subscribe again once the hall camera publishes")
            if peer is None:
                peer = room.peers[key] = Peer(key=key, kind=kind)
            await self._drop_conn(room, peer, "sub")
            session = await self._session()
            handle = await session.attach()
            conn = Conn(role="subscriber", pc_id=pc_id, gen=gen, handle=handle)
            self._handles[handle] = (room, peer, conn)
            streams = [{"feed": feed_id(source_key), "mid": mid, "crossrefid": ref}
                       for ref, (source_key, mid, _) in wanted.items()]
            try:
                data, jsep = await session.plugin(handle, {
                    "request": "join", "ptype": "subscriber", "room": room.id, "streams": streams,
                    "autoupdate": False}, wait_event=True)
                if not jsep or jsep.get("type") != "offer":
                    raise JanusError(0, "no offer in Janus's reply")
            except JanusError as error:
                raise await self._refused(session, room, pc_id, handle, f"subscriber {key}", "the subscription",
                                          error) from None
            conn.offer = jsep["sdp"]
            _take_slots(conn, data, {ref: source for ref, (_, _, source) in wanted.items()})
            peer.sub = conn
            log.info("janus: room %s: %s (%s) subscribed to %s, pc %s gen %s", room.id, key, kind,
                     [slot["source"] + "/" + slot["kind"] for slot in conn.slots], pc_id, gen)
            return {"sdp": conn.offer, "slots": [dict(slot) for slot in conn.slots]}

    async def _resubscribe(self, room: Room, peer: Peer, conn: Conn, gen: int) -> dict[str, Any]:
        """A higher gen on the subscriber pc: Janus `update`s it to what the peer should receive now
        (members who published since, sources that published again, the hall if it had none) and
        offers again on the same pc; `sdp` is None when nothing changed."""
        if conn.answer is None:
            raise MediaError("not_answered", f"answer generation {conn.gen} first")
        await self._route_floor(room)
        wanted = self._wanted(room, peer.key, peer.kind)
        have = {f"{slot['source']}/{slot['kind']}": slot["mid"] for slot in conn.slots
                if conn.feeding.get(slot["mid"]) is not None}
        dead = [slot["mid"] for slot in conn.slots if conn.feeding.get(slot["mid"]) is None]
        add = {ref: source for ref, source in wanted.items() if ref not in have}
        drop = dead + [mid for ref, mid in have.items() if ref not in wanted]
        body: dict[str, Any] = {"request": "update"}
        if add:
            body["subscribe"] = [{"feed": feed_id(key), "mid": mid, "crossrefid": ref}
                                 for ref, (key, mid, _) in add.items()]
        if drop:
            body["unsubscribe"] = [{"sub_mid": mid} for mid in drop]
        data: dict[str, Any] = {}
        jsep = None
        if add or drop:
            try:
                data, jsep = await self._session_now().plugin(conn.handle, body, wait_event=True)
            except JanusError as error:
                raise MediaError("janus_refused", f"Janus refused the update: {error.reason}") from None
        conn.gen, conn.candidates = gen, set()
        if jsep is not None and jsep.get("type") == "offer":
            sources = {ref: conn.feeding[mid] for ref, mid in have.items()}
            sources.update({ref: source for ref, (_, _, source) in add.items()})
            conn.offer, conn.answer, conn.slots, conn.feeding = jsep["sdp"], None, [], {}
            _take_slots(conn, data, sources)
        else:
            conn.offer = None                    # nothing changed: the connection stays as it is
        log.info("janus: room %s: %s resubscribed (gen %s): %s", room.id, peer.key, gen,
                 [slot["source"] + "/" + slot["kind"] for slot in conn.slots])
        return {"sdp": conn.offer, "slots": [dict(slot) for slot in conn.slots]}

    async def answer(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self._room(args)
        key, pc_id, gen, sdp = _str(args, "peer"), _str(args, "pc"), _int(args, "gen"), _str(args, "sdp")
        async with room.lock:
            peer = room.peers.get(key)
            conn = peer.sub if peer is not None else None
            if conn is None or conn.pc_id != pc_id or conn.gen != gen:
                raise MediaError("stale", "not the peer's current subscriber connection")
            if conn.answer is not None:
                if conn.answer != sdp:
                    raise MediaError("gen_reused", f"generation {gen} was answered with another sdp")
                return {}
            try:
                await self._session_now().plugin(conn.handle, {"request": "start"},
                                                 jsep={"type": "answer", "sdp": sdp}, wait_event=True)
            except JanusError as error:
                raise MediaError("bad_answer", f"Janus did not take the answer: {error.reason}") from None
            conn.answer = sdp
        return {}

    async def ice(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self._room(args)
        key, pc_id = _str(args, "peer"), _str(args, "pc")
        candidates = args.get("candidates", [])
        if not isinstance(candidates, list):
            raise MediaError("bad_request", "candidates must be a list")
        peer = room.peers.get(key)
        conn = next((c for c in (peer.pub, peer.sub) if c is not None and c.pc_id == pc_id), None) if peer else None
        if conn is None:
            raise MediaError("stale", "no such peer connection")
        fresh = []
        for item in candidates:
            if not isinstance(item, dict) or not isinstance(item.get("candidate"), str):
                raise MediaError("bad_request", "a candidate is {candidate, sdpMid, sdpMLineIndex}")
            text = item["candidate"].strip()
            if not text or text in conn.candidates:
                continue
            if not text.startswith("candidate:"):
                raise MediaError("bad_request", f"unreadable candidate {text[:80]!r}")
            conn.candidates.add(text)
            fresh.append({"candidate": text, "sdpMid": item.get("sdpMid"), "sdpMLineIndex": item.get("sdpMLineIndex", 0)})
        session = self._session_now()
        try:
            if fresh:
                await session.request({"janus": "trickle", "candidates": fresh}, handle=conn.handle)
            if args.get("end"):
                await session.request({"janus": "trickle", "candidate": {"completed": True}}, handle=conn.handle)
        except JanusError as error:
            raise MediaError("bad_request", f"Janus refused the candidates: {error.reason}") from None
        return {}

    async def _close_peer(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self.rooms.get(_int(args, "room"))
        if room is not None:
            async with room.lock:
                await self._drop_peer(room, _str(args, "peer"))
                await self._route_floor(room)
        return {}

    async def set_live(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self._room(args)
        live, version = args.get("live"), _int(args, "version")
        if not isinstance(live, list) or not all(isinstance(k, str) for k in live):
            raise MediaError("bad_request", "live is a list of peer keys")
        async with room.lock:
            if room.live_version is not None and version < room.live_version:
                return {"applied": False}
            room.live, room.live_version = frozenset(live), version
            for key, peer in list(room.peers.items()):
                if key.startswith("m:") and peer.pub is not None and peer.pub.answer is not None:
                    await self._moderate(room, key, peer.pub, muted=not room.is_live(key))
            await self._route_floor(room)
        log.info("janus: room %s: live %s (version %s)", room.id, sorted(room.live), version)
        return {"applied": True}

    async def stats(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self._room(args)
        peers = {}
        for key, peer in list(room.peers.items()):
            conns = [c for c in (peer.pub, peer.sub) if c is not None]
            state = ("closed" if not conns else "disconnected" if any(c.hung_up for c in conns)
                     else "connected" if all(c.up for c in conns) else "connecting")
            peers[key] = {"kind": peer.kind, "state": state, "rtt_ms": None, "loss_pct": None,
                          "kbps_in": None, "kbps_out": None, "level": None}
        return {"peers": peers}

    async def health(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            await self._session()
            up = True
        except (JanusGone, JanusError, MediaError):
            up = False
        publishers = sum(len(room.feeds()) for room in self.rooms.values())
        streams = sum(1 for room in self.rooms.values() for peer in room.peers.values()   # slots fed, to pcs up
                      if peer.sub is not None and peer.sub.up for feeder in peer.sub.feeding.values() if feeder)
        streams += sum(len(room.recording.listeners) for room in self.rooms.values() if room.recording is not None)
        return {"up": up, "backend": self.name, "rooms": len(self.rooms), "publishers": publishers,
                "streams_out": streams, "capacity_streams": self.capacity_streams,
                "overloaded": streams > self.capacity_streams,
                "recording": sorted(room.id for room in self.rooms.values() if room.recording is not None)}

    async def _refused(self, session: JanusSession, room: Room, pc_id: str, handle: int, who: str, what: str,
                       error: JanusError) -> MediaError:
        """Janus refused a publisher's or subscriber's join: its pc is stale and its handle detached."""
        room.retired.add(pc_id)
        self._handles.pop(handle, None)
        await session.detach(handle)
        log.warning("janus: room %s: %s refused: %s", room.id, who, error)
        return MediaError("janus_refused", f"Janus refused {what}: {error.reason}")

    async def record_start(self, args: dict[str, Any]) -> dict[str, Any]:
        """Record the room's sound to `path` (a new file); already recording: nothing changes."""
        room = self._room(args)
        if room.recording is None:
            path = recording_path(args)
            room.recording = Recording(room, path, lambda: self._spawn(self._sync_recording(room)))
            log.info("janus: room %s: recording to %s", room.id, path)
            await room.recording.sync(self._session_now())
        return {"path": room.recording.path}

    async def record_stop(self, args: dict[str, Any]) -> dict[str, Any]:
        """Stop recording: the file is complete; its path, start and end (epoch seconds). None: was not
        (or, the Janus session having been lost meanwhile, the recording it ended)."""
        room_id = _int(args, "room")
        room = self.rooms.get(room_id)
        if room is None or room.recording is None:
            finishing = self._finishing.pop(room_id, None)
            return await finishing if finishing is not None else {"path": None}
        recording, room.recording = room.recording, None
        return await recording.stop(self.session)

    _ops = {"open_room": open_room, "close_room": close_room, "publish": publish, "subscribe": subscribe,
            "answer": answer, "ice": ice, "close": _close_peer, "set_live": set_live, "stats": stats,
            "health": health, "record_start": record_start, "record_stop": record_stop}

    # --- the session ---

    async def _session(self) -> JanusSession:
        async with self._connecting:
            if self.session is not None and not self.session.closed:
                return self.session
            session = JanusSession(self.url, self.api_secret, self._on_event, self._on_lost)
            await session.open()
            self.session, self._control = session, None
            try:
                await self._destroy_leftovers(None)
            except BaseException:
                await session.close()
                raise
            log.info("janus: session %s with %s", session.id, self.url)
            return session

    def _session_now(self) -> JanusSession:
        if self.session is None or self.session.closed:
            raise JanusGone("no session with Janus")
        return self.session

    async def _control_handle(self) -> int:
        async with self._attaching:
            if self._control is None:
                self._control = await self._session_now().attach()
            return self._control

    async def _destroy_leftovers(self, only: set[int] | None) -> None:
        """Destroy the rooms Janus has (all, or those in `only`) that this videod does not hold."""
        session = self._session_now()
        data, _ = await session.plugin(await self._control_handle(), {"request": "list", "admin_key": self.admin_key})
        for item in data.get("list") or []:
            room_id, description = item.get("room"), str(item.get("description") or "")
            if room_id in self.rooms or (only is not None and room_id not in only):
                continue
            if not description.startswith(DESCRIPTION):
                log.warning("janus: room %s was not made by videod: left alone", room_id)
                continue
            secret = room_secret(self.admin_key, room_id, description[len(DESCRIPTION):])
            try:
                await session.plugin(await self._control_handle(), {"request": "destroy", "room": room_id, "secret": secret})
                log.info("janus: room %s left by an earlier videod destroyed", room_id)
            except JanusError as error:
                log.warning("janus: room %s left by an earlier videod: %s", room_id, error)

    def _on_lost(self, session: JanusSession) -> None:
        if session is not self.session:
            return
        # Janus ends the session's handles with the WebSocket: the rooms are empty shells now. A
        # recording is finished (its file complete) and kept for the room's next record_stop.
        for room in self.rooms.values():
            if room.recording is not None:
                recording, room.recording = room.recording, None
                self._finishing[room.id] = asyncio.ensure_future(recording.stop(None))
        self.session, self._control = None, None
        self.rooms.clear()
        self._handles.clear()

    def _on_event(self, handle: int, message: dict[str, Any]) -> None:
        found = self._handles.get(handle)
        if found is None:
            return
        room, peer, conn = found
        kind = message.get("janus")
        if kind == "webrtcup":
            conn.up = True
        elif kind == "hangup":
            conn.up, conn.hung_up = False, True
            if conn.role == "publisher":
                _gone(room, ident(peer.key, conn))
        else:
            return
        log.info("janus: room %s: %s %s %s", room.id, peer.key, conn.role, kind)
        if conn.role == "publisher" and self.rooms.get(room.id) is room:
            self._spawn(self._reroute(room))

    async def _reroute(self, room: Room) -> None:
        async with room.lock:
            if self.rooms.get(room.id) is room:
                await self._route_floor(room)
        await self._sync_recording(room)

    async def _sync_recording(self, room: Room) -> None:
        """A publisher came or went: the recording listens to the publishers up now."""
        recording = room.recording
        if recording is not None and self.rooms.get(room.id) is room and self.session is not None:
            await recording.sync(self.session)

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_log_failure)

    # --- the rest (under the room's lock) ---

    def _room(self, args: dict[str, Any]) -> Room:
        room = self.rooms.get(_int(args, "room"))
        if room is None:
            raise MediaError("no_room", "no such room (open_room first)")
        return room

    def _still_open(self, room: Room) -> None:
        if self.rooms.get(room.id) is not room:
            raise MediaError("no_room", "the room was closed")

    @staticmethod
    def _check_replay(room: Room, conn: Conn | None, pc_id: str, gen: int) -> None:
        if pc_id in room.retired:
            raise MediaError("stale", "that peer connection was replaced or closed")
        if conn is not None and conn.pc_id == pc_id:
            if gen < conn.gen:
                raise MediaError("stale", f"generation {gen} is older than {conn.gen}")
            if gen > conn.gen:
                raise MediaError("no_renegotiation", "a peer connection is negotiated once: open a new one")

    @staticmethod
    def _wanted(room: Room, key: str, kind: str) -> dict[str, tuple[str, str, str]]:
        """The subscriber's streams: crossrefid "<source>/<media>" → (publisher key, its mid, its ident)."""
        feeds = room.feeds()

        def stream(source: str, media: str) -> tuple[str, str, str]:
            return source, feeds[source].mids[media], ident(source, feeds[source])

        wanted: dict[str, tuple[str, str, str]] = {}
        members = sorted((k for k in feeds if k.startswith("m:") and k != key), key=lambda k: int(k[2:]))
        hall, floor = room.hall(), room.floor()
        if kind == "member" and hall is not None:
            wanted["hall/audio"] = stream(hall, "audio")
            wanted["hall/video"] = stream(hall, "video")
        if kind in ("member", "display") and floor is not None:
            wanted["floor/video"] = stream(floor, "video")
        if kind in ("member", "hallcam"):
            for member in members:
                wanted[f"{member}/audio"] = stream(member, "audio")
        return wanted

    async def _moderate(self, room: Room, key: str, conn: Conn, *, muted: bool) -> None:
        if room.muted.get(key) is muted:
            return
        await self._session_now().plugin(await self._control_handle(), {
            "request": "moderate", "secret": room.secret, "room": room.id, "id": feed_id(key),
            "mid": conn.mids["audio"], "mute": muted})
        room.muted[key] = muted
        log.info("janus: room %s: %s %s", room.id, key, "muted" if muted else "unmuted")

    async def _route_floor(self, room: Room) -> None:
        """Switch every subscriber's floor slot to the floor's source, where it shows another.

        A dead slot (its publisher gone) is left alone: Janus would renegotiate to feed it again,
        and a subscriber hears of a new offer only by asking (`subscribe` with the next gen)."""
        floor = room.floor()
        if floor is None:
            return
        source = room.feeds()[floor]
        target = ident(floor, source)
        for peer in list(room.peers.values()):
            conn = peer.sub
            if conn is None or conn.answer is None:
                continue
            for slot in conn.slots:
                current = conn.feeding.get(slot["mid"])
                if slot["source"] != "floor" or current is None or current == target:
                    continue
                try:
                    await self._session_now().plugin(conn.handle, {"request": "switch", "streams": [
                        {"feed": feed_id(floor), "mid": source.mids["video"], "sub_mid": slot["mid"]}]}, wait_event=True)
                    conn.feeding[slot["mid"]] = target
                except JanusError as error:
                    log.warning("janus: room %s: switching %s's floor to %s: %s", room.id, peer.key, floor, error)

    async def _drop_conn(self, room: Room, peer: Peer, role: str) -> None:
        conn: Conn | None = getattr(peer, role)
        if conn is None:
            return
        setattr(peer, role, None)
        room.retired.add(conn.pc_id)
        self._handles.pop(conn.handle, None)
        if role == "pub":
            room.muted.pop(peer.key, None)
            if self.session is not None and not self.session.closed and self.rooms.get(room.id) is room:
                await self._route_floor(room)              # the floor moves off it while it still sends
            _gone(room, ident(peer.key, conn))
            if room.recording is not None:
                self._spawn(self._sync_recording(room))
        if self.session is not None and not self.session.closed:
            if role == "pub":
                # Leave first: Janus frees the publisher id when the leave is done, while a detach
                # frees it some time later (a new pc's join with the same id would be refused).
                try:
                    await self.session.plugin(conn.handle, {"request": "leave"}, wait_event=True)
                except JanusError as error:
                    log.debug("janus: room %s: %s leaving: %s", room.id, peer.key, error)
            await self.session.detach(conn.handle)

    async def _drop_peer(self, room: Room, key: str, *, remove_token: bool = True) -> None:
        peer = room.peers.pop(key, None)
        if peer is None:
            return
        await self._drop_conn(room, peer, "pub")
        await self._drop_conn(room, peer, "sub")
        if remove_token and self.session is not None and not self.session.closed:
            try:
                await self.session.plugin(await self._control_handle(), {
                    "request": "allowed", "secret": room.secret, "room": room.id, "action": "remove",
                    "allowed": [peer.token]})
            except JanusError as error:
                log.warning("janus: room %s: removing %s's token: %s", room.id, key, error)
        log.info("janus: room %s: %s closed", room.id, key)


# --- helpers -------------------------------------------------------------------------------------------

def _take_slots(conn: Conn, data: dict[str, Any], sources: dict[str, str | None]) -> None:
    """The subscriber's slots from Janus's summary of its streams (ours carry a crossrefid
    "<source>/<media>"), in m-line order; `sources` gives each one's publisher ident."""
    for stream in data.get("streams") or []:
        ref = stream.get("crossrefid")
        if ref not in sources or not stream.get("active", True):
            continue
        source, media = ref.split("/")
        conn.slots.append({"mid": str(stream["mid"]), "kind": media, "source": source})
        conn.feeding[str(stream["mid"])] = sources[ref]


def _gone(room: Room, source: str) -> None:
    """A publisher connection ended: the subscriber slots it fed are dead until resubscribed."""
    for peer in room.peers.values():
        if peer.sub is not None:
            for mid, feeder in peer.sub.feeding.items():
                if feeder == source:
                    peer.sub.feeding[mid] = None


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("janus: background step failed: %r", task.exception())


def _check_kind(key: str, kind: str) -> None:
    if KINDS.get(kind) is None or not key.startswith(KINDS[kind]):
        raise MediaError("bad_request", f"peer {key!r} cannot be of kind {kind!r}")


def _check_publisher_offer(sdp: str) -> dict[str, str]:
    """A publisher offers audio then video; returns each one's mid."""
    sections = re.split(r"\r?\n(?=m=)", sdp)
    media = [(found.group(1), section) for section in sections[1:] if (found := _MLINE.match(section))]
    if [kind for kind, _ in media] != ["audio", "video"] or not sdp.startswith("v=0"):
        raise MediaError("bad_offer", f"a publisher offers audio+video, not {'+'.join(k for k, _ in media) or 'nothing'}")
    mids = {}
    for kind, section in media:
        found = re.search(r"^a=mid:(\S+)", section, re.M)
        if found is None:
            raise MediaError("bad_offer", f"the {kind} section has no mid")
        mids[kind] = found.group(1)
    return mids
