"""videod's Janus backend (video/media/janus_backend.py) against a real Janus 1.1.2 with aiortc peers.

One Janus for the module, started from deploy/janus/ rendered into a temporary folder (free ports);
the backend is driven directly (no hub). Personas, each with a publisher and/or a subscriber pc:
- hall    — h:1, the control room's hall camera page: publishes the room camera, hears the live members;
- alice   — m:1, a remote delegate: publishes her voice (a tone) and her camera (stamped frames);
- bob     — m:2, another remote delegate: publishes his voice, sees the hall and the floor.

The recording is the one place where media reaches videod with Janus: it subscribes to every
publisher's audio itself, and the file is read back and checked by its spectrum.

Janus relays packets and mixes nothing: a muted member's audio never reaches anybody, so "silent"
here is "no loud frame arrived while another stream went on flowing". Tests wait for behaviour
(frames decoded, a level reached) with a timeout, never for a time.
"""

import asyncio
import json
import math
import shutil
import socket

import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from websockets.asyncio.client import connect

from tests.processes import stop as _stop
from video.media.aiortc_backend import peer_configuration
from video.media.janus_backend import JanusBackend, feed_id
from video.media.janus_config import janus_libdir, render
from video.media.link import MediaError
from video.media.synthetic import StampedVideoTrack, ToneTrack

from .helpers import Frames, read_ogg, strength, until
from .janus_process import ADMIN_KEY, API_SECRET, start_janus

if shutil.which("janus") is None:
    pytest.skip("Janus is not installed (apt-get install janus: Debian bookworm's 1.1.2); "
                "HUB_REQUIRE_ALL=1 makes this a failure", allow_module_level=True)

ROOM = 7
SILENT = 100      # RMS of s16 samples
HEARD = 1000      # a tone of amplitude 8000 arrives at some 2800
SIZE = (320, 192)
FPS = 10
@pytest.fixture(scope="module")
def janus(tmp_path_factory):
    """A Janus of our own for the module: (its WebSocket URL, its log file)."""
    process, url, log = start_janus(tmp_path_factory.mktemp("janus"))
    yield url, log
    _stop(process)


async def test_our_janus_has_only_the_videoroom_and_the_websocket_on_loopback_and_wants_the_api_secret(janus):
    url, _ = janus
    async with connect(url, subprotocols=["janus-protocol"]) as ws:
        await ws.send(json.dumps({"janus": "info", "transaction": "i"}))
        info = json.loads(await ws.recv())
        await ws.send(json.dumps({"janus": "create", "transaction": "c", "apisecret": "a-guess"}))
        assert json.loads(await ws.recv())["error"]["code"] == 403
    assert list(info["plugins"]) == ["janus.plugin.videoroom"]
    assert list(info["transports"]) == ["janus.transport.websockets"]
    assert (info["api_secret"], info["auth_token"], info["event_handlers"], info["full-trickle"]) == (True, False, False, False)
    assert info["session-timeout"] == 60
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):                                  # not on the LAN address
        socket.create_connection((info["local-ip"], port), timeout=2).close()


def test_render_refuses_what_could_break_out_of_a_jcfg_string(tmp_path):
    good = {"ws_port": 8188, "api_secret": "s" * 20, "admin_key": "k" * 20}
    for bad in ({"api_secret": 'x" admin_secret = "y' + "z" * 16}, {"admin_key": "short"}, {"admin_key": "s" * 20},
                {"ws_port": 0}, {"rtp_ports": (30000, 20000)}, {"bind": "0.0.0.0\nws = true"},
                {"libdir": 'x" debug_level = 7'}, {"libdir": "relative/janus"}):
        with pytest.raises(ValueError):
            render(tmp_path, **{**good, **bad})
    render(tmp_path, **good)
    texts = "".join((tmp_path / name).read_text() for name in ("janus.jcfg", "janus.transport.websockets.jcfg",
                                                                 "janus.plugin.videoroom.jcfg"))
    assert "@" not in texts.replace("@…@", "") and 'ws_ip = "127.0.0.1"' in texts and 'rtp_port_range = "20000-20199"' in texts


def test_janus_libraries_are_found_on_any_architecture(tmp_path):
    # The template named x86_64-linux-gnu: an arm64 council server (aarch64-linux-gnu) found no plugin.
    for triplet in ("aarch64-linux-gnu", "x86_64-linux-gnu"):
        root = tmp_path / triplet
        (root / "lib" / triplet / "janus" / "plugins").mkdir(parents=True)
        (root / "lib" / triplet / "janus" / "plugins" / "libjanus_videoroom.so").write_bytes(b"")
        assert janus_libdir((tmp_path / "none", root / "lib")) == root / "lib" / triplet / "janus"
        folder = render(tmp_path / f"conf-{triplet}", ws_port=8188, api_secret="s" * 20, admin_key="k" * 20,
                        libdir=janus_libdir((root / "lib",)))
        assert f'plugins_folder = "{root}/lib/{triplet}/janus/plugins"' in (folder / "janus.jcfg").read_text()
    with pytest.raises(FileNotFoundError, match="libjanus_videoroom.so"):
        janus_libdir((tmp_path / "none",))


class Meter:
    """Reads a received audio track: the RMS of every frame, in order."""

    def __init__(self, track) -> None:
        self.levels: list[float] = []
        self._task = asyncio.ensure_future(self._run(track))

    async def _run(self, track):
        try:
            while True:
                samples = (await track.recv()).to_ndarray().astype(np.float64)
                self.levels.append(float(np.sqrt(np.mean(samples * samples))) if samples.size else 0.0)
        except MediaStreamError:
            pass

    @property
    def frames(self) -> int:
        return len(self.levels)

    def rms(self, window: int = 10) -> float:
        recent = self.levels[-window:]
        return math.sqrt(sum(v * v for v in recent) / len(recent)) if recent else 0.0

    async def stop(self):
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


class Room:
    """The backend with room 7 open; `publish` and `subscribe` make aiortc peers through its ops."""

    def __init__(self, backend: JanusBackend) -> None:
        self.backend = backend
        self.pcs: list[RTCPeerConnection] = []
        self.readers: list = []

    async def call(self, op, **args):
        return await self.backend.handle(op, args)

    async def publish(self, key, kind, *, audio=None, video=None, pc_id=None) -> RTCPeerConnection:
        pc = RTCPeerConnection(peer_configuration([]))
        self.pcs.append(pc)
        pc.addTransceiver(audio or "audio", direction="sendonly")
        pc.addTransceiver(video or "video", direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        reply = await self.call("publish", room=ROOM, peer=key, kind=kind, pc=pc_id or f"pub-{key}", gen=1,
                                sdp=pc.localDescription.sdp)
        await pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "answer"))
        await until(lambda: self.backend.rooms[ROOM].peers[key].pub.up, f"{key}'s publisher up at Janus")
        return pc

    async def subscribe(self, key, kind, *, pc_id=None) -> tuple[RTCPeerConnection, dict[str, object]]:
        """The subscriber pc, and its received tracks by "<source>/<kind>"."""
        pc_id = pc_id or f"sub-{key}"
        reply = await self.call("subscribe", room=ROOM, peer=key, kind=kind, pc=pc_id, gen=1)
        pc = RTCPeerConnection(peer_configuration([]))
        self.pcs.append(pc)
        await pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        assert await self.call("answer", room=ROOM, peer=key, pc=pc_id, gen=1, sdp=pc.localDescription.sdp) == {}
        by_mid = {transceiver.mid: transceiver.receiver.track for transceiver in pc.getTransceivers()}
        tracks = {f"{slot['source']}/{slot['kind']}": by_mid[slot["mid"]] for slot in reply["slots"]}
        await until(lambda: self.backend.rooms[ROOM].peers[key].sub.up, f"{key}'s subscriber up at Janus")
        return pc, tracks

    def meter(self, track) -> Meter:
        self.readers.append(Meter(track))
        return self.readers[-1]

    def frames(self, track) -> Frames:
        self.readers.append(Frames(track))
        return self.readers[-1]

    async def close(self):
        for reader in self.readers:
            await reader.stop()
        for pc in self.pcs:
            await pc.close()


@pytest.fixture
async def room(janus):
    url, _ = janus
    backend = JanusBackend(url=url, api_secret=API_SECRET, admin_key=ADMIN_KEY)
    await backend.start()
    assert await backend.handle("open_room", {"room": ROOM}) == {}
    room = Room(backend)
    yield room
    await room.close()
    await backend.close()


class RawJanus:
    """The Janus API spoken by hand, as a stranger to videod would (it knows the api_secret only)."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.session = None
        self._n = 0

    async def send(self, message, wait_event=False):
        self._n += 1
        message = {**message, "transaction": f"raw{self._n}", "apisecret": API_SECRET}
        if self.session is not None:
            message["session_id"] = self.session
        await self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
            if reply.get("transaction") == message["transaction"] and not (wait_event and reply["janus"] == "ack"):
                return reply

    async def plugin(self, handle, body, wait_event=False):
        reply = await self.send({"janus": "message", "handle_id": handle, "body": body}, wait_event)
        return reply["plugindata"]["data"]

    async def open(self) -> int:
        self.session = (await self.send({"janus": "create"}))["data"]["id"]
        return (await self.send({"janus": "attach", "plugin": "janus.plugin.videoroom"}))["data"]["id"]

    async def rooms(self, handle) -> list[int]:
        return [item["room"] for item in (await self.plugin(handle, {"request": "list", "admin_key": ADMIN_KEY}))["list"]]


async def _loud_frames(meter: Meter, clock: Meter, frames: int) -> int:
    """How many frames louder than SILENT reach `meter` while `clock` receives `frames` frames."""
    start, heard = clock.frames, meter.frames
    await until(lambda: clock.frames >= start + frames, f"{frames} frames of the reference stream")
    return sum(1 for level in meter.levels[heard:] if level > SILENT)


async def test_a_member_is_heard_at_the_hall_only_while_live_and_the_mute_is_janus(room):
    await room.call("set_live", room=ROOM, live=["m:2"], version=1)            # bob has the floor
    alice_pc = await room.publish("m:1", "member", audio=ToneTrack(440))
    await room.publish("m:2", "member", audio=ToneTrack(660))
    _, heard = await room.subscribe("h:1", "hallcam")
    assert set(heard) == {"m:1/audio", "m:2/audio"}
    alice, bob = room.meter(heard["m:1/audio"]), room.meter(heard["m:2/audio"])
    await until(lambda: bob.rms(10) > HEARD, "bob heard at the hall")
    # Alice keeps sending, but Janus relays none of her packets: nothing loud arrives while bob flows.
    assert await _loud_frames(alice, bob, 50) == 0

    assert await room.call("set_live", room=ROOM, live=["m:1"], version=2) == {"applied": True}
    await until(lambda: alice.rms(10) > HEARD, "alice heard at the hall once live")

    assert await room.call("set_live", room=ROOM, live=["m:2"], version=3) == {"applied": True}
    await until(lambda: bob.rms(5) > HEARD, "bob heard again")
    await _loud_frames(alice, bob, 10)                                          # packets in flight at the switch
    assert await _loud_frames(alice, bob, 50) == 0
    assert await room.call("set_live", room=ROOM, live=[], version=2) == {"applied": False}

    stats = (await room.call("stats", room=ROOM))["peers"]
    assert {key: (s["kind"], s["state"]) for key, s in stats.items()} == {
        "m:1": ("member", "connected"), "m:2": ("member", "connected"), "h:1": ("hallcam", "connected")}
    await alice_pc.close()                                                      # her laptop gone: Janus hangs up
    await until(lambda: room.backend.rooms[ROOM].peers["m:1"].pub.hung_up, "Janus's hangup of alice")
    assert (await room.call("stats", room=ROOM))["peers"]["m:1"]["state"] == "disconnected"
    health = await room.call("health")                                          # bob's voice to the hall: one stream out
    assert (health["backend"], health["rooms"], health["publishers"], health["streams_out"]) == ("janus", 1, 1, 1)


async def test_the_floor_video_at_a_member_follows_the_live_member(room):
    hall_camera, alice_camera = StampedVideoTrack(*SIZE, fps=FPS), StampedVideoTrack(*SIZE, fps=FPS)
    await room.publish("h:1", "hallcam", audio=ToneTrack(300), video=hall_camera)
    await room.publish("m:1", "member", audio=ToneTrack(440), video=alice_camera)
    await room.publish("m:2", "member")
    _, bob = await room.subscribe("m:2", "member")
    assert list(bob) == ["hall/audio", "hall/video", "floor/video", "m:1/audio"]
    hears, sees_hall, floor = room.meter(bob["hall/audio"]), room.frames(bob["hall/video"]), room.frames(bob["floor/video"])
    _, display = await room.subscribe("d:1", "display")
    assert list(display) == ["floor/video"]
    on_display = room.frames(display["floor/video"])

    await until(lambda: hears.rms(10) > HEARD, "the hall's sound reaches bob")
    await until(lambda: sees_hall.from_(hall_camera), "bob sees the hall")
    await until(lambda: floor.from_(hall_camera) and on_display.from_(hall_camera), "nobody live: the floor is the hall")

    await room.call("set_live", room=ROOM, live=["m:1"], version=1)
    await until(lambda: floor.from_(alice_camera) and on_display.from_(alice_camera), "alice live: the floor is alice")
    assert sees_hall.from_(hall_camera)

    await room.call("set_live", room=ROOM, live=[], version=2)
    await until(lambda: floor.from_(hall_camera), "nobody live: the hall again")

    await room.call("set_live", room=ROOM, live=["m:1"], version=3)
    await until(lambda: floor.from_(alice_camera), "alice live again")
    assert await room.call("close", room=ROOM, peer="m:1") == {}                # she leaves with the floor
    await until(lambda: floor.from_(hall_camera) and on_display.from_(hall_camera),
                "the floor moved back to the hall before she left")


async def test_janus_itself_refuses_a_join_without_the_peers_token(room, janus):
    await room.publish("m:1", "member", audio=ToneTrack(440))
    token = room.backend.rooms[ROOM].peers["m:1"].token
    async with connect(janus[0], subprotocols=["janus-protocol"]) as ws:
        raw = RawJanus(ws)
        handle = await raw.open()
        join = {"request": "join", "ptype": "publisher", "room": ROOM, "id": feed_id("m:99"), "display": "m:99"}
        refused = await raw.plugin(handle, join, wait_event=True)
        assert refused["error_code"] == 433                                    # unauthorized: not in the allowed list
        refused = await raw.plugin(handle, {**join, "token": "a-guess"}, wait_event=True)
        assert refused["error_code"] == 433
        # The ACL is what refused: the peer's own token is let in.
        assert (await raw.plugin(handle, {**join, "token": token}, wait_event=True))["videoroom"] == "joined"


async def _refusal(coroutine) -> str:
    with pytest.raises(MediaError) as refused:
        await coroutine
    return refused.value.code


async def test_replays_by_pc_and_gen_and_close_room_destroys_the_janus_room(room, janus):
    call = room.call
    pc = RTCPeerConnection(peer_configuration([]))
    other = RTCPeerConnection(peer_configuration([]))
    room.pcs += [pc, other]
    for client in (pc, other):
        client.addTransceiver(ToneTrack(440), direction="sendonly")
        client.addTransceiver("video", direction="sendonly")
        await client.setLocalDescription(await client.createOffer())
    offer, other_offer = pc.localDescription.sdp, other.localDescription.sdp

    async def publish(sdp, pc="A", gen=1, **more):
        return await call("publish", **{"room": ROOM, "peer": "m:1", "kind": "member", "pc": pc, "gen": gen, "sdp": sdp, **more})

    first = await publish(offer)
    assert await publish(offer) == first                                        # a resend after a lost reply
    assert await _refusal(publish(other_offer)) == "gen_reused"
    assert await _refusal(publish(offer, gen=0)) == "stale"
    assert await _refusal(publish(offer, gen=2)) == "no_renegotiation"
    assert await _refusal(publish(offer, room=99)) == "no_room"
    assert await _refusal(publish(offer, pc="C", kind="display", peer="d:1")) == "bad_request"
    assert await _refusal(call("subscribe", room=ROOM, peer="d:1", kind="display", pc="S", gen=1)) == "no_feeds"
    await pc.setRemoteDescription(RTCSessionDescription(first["sdp"], "answer"))
    await until(lambda: room.backend.rooms[ROOM].peers["m:1"].pub.up, "alice's publisher up")

    sub = await call("subscribe", room=ROOM, peer="h:1", kind="hallcam", pc="S", gen=1)
    assert [slot["source"] for slot in sub["slots"]] == ["m:1"]
    assert await call("subscribe", room=ROOM, peer="h:1", kind="hallcam", pc="S", gen=1) == sub
    assert await _refusal(call("subscribe", room=ROOM, peer="h:1", kind="hallcam", pc="S", gen=2)) == "not_answered"
    hall = RTCPeerConnection(peer_configuration([]))
    room.pcs.append(hall)
    await hall.setRemoteDescription(RTCSessionDescription(sub["sdp"], "offer"))
    await hall.setLocalDescription(await hall.createAnswer())
    answer = hall.localDescription.sdp
    assert await call("answer", room=ROOM, peer="h:1", pc="S", gen=1, sdp=answer) == {}
    assert await call("answer", room=ROOM, peer="h:1", pc="S", gen=1, sdp=answer) == {}
    assert await _refusal(call("answer", room=ROOM, peer="h:1", pc="S", gen=1, sdp=answer + "a=x\r\n")) == "gen_reused"
    assert await _refusal(call("answer", room=ROOM, peer="h:1", pc="T", gen=1, sdp=answer)) == "stale"

    candidate = {"candidate": "candidate:1 1 udp 2130706431 192.0.2.99 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0}
    assert await call("ice", room=ROOM, peer="m:1", pc="A", candidates=[candidate, candidate], end=True) == {}
    assert room.backend.rooms[ROOM].peers["m:1"].pub.candidates == {candidate["candidate"]}     # trickled once
    garbled = {"candidate": "nonsense", "sdpMid": "0"}
    assert await _refusal(call("ice", room=ROOM, peer="m:1", pc="A", candidates=[garbled], end=False)) == "bad_request"

    # A new pc replaces the old one, which is stale from then on.
    await publish(other_offer, pc="B")
    assert await _refusal(publish(offer)) == "stale"
    assert await _refusal(call("ice", room=ROOM, peer="m:1", pc="A", candidates=[], end=True)) == "stale"
    assert await call("close", room=ROOM, peer="m:1") == {}
    assert await call("close", room=ROOM, peer="m:1") == {}

    async with connect(janus[0], subprotocols=["janus-protocol"]) as ws:
        raw = RawJanus(ws)
        handle = await raw.open()
        assert ROOM in await raw.rooms(handle)
        assert await call("close_room", room=ROOM) == {}
        assert await call("close_room", room=ROOM) == {}
        assert ROOM not in await raw.rooms(handle)

        # A restarted videod trusts nothing a dead one left: it destroys every room Janus has.
        assert await call("open_room", room=ROOM + 1) == {}
        assert ROOM + 1 in await raw.rooms(handle)
        room.backend.rooms.clear()                                               # as if this videod had died
        successor = JanusBackend(url=janus[0], api_secret=API_SECRET, admin_key=ADMIN_KEY)
        try:
            await successor.start()
            assert await raw.rooms(handle) == []
            assert (await successor.handle("health", {}))["backend"] == "janus"
        finally:
            await successor.close()


async def test_a_member_who_publishes_later_is_heard_after_a_resubscription_on_the_same_pc(room):
    hall_camera = StampedVideoTrack(*SIZE, fps=FPS)
    await room.publish("h:1", "hallcam", audio=ToneTrack(300), video=hall_camera)
    await room.publish("m:1", "member", audio=ToneTrack(440))
    bob, tracks = await room.subscribe("m:2", "member")
    assert list(tracks) == ["hall/audio", "hall/video", "floor/video", "m:1/audio"]
    sees_hall = room.frames(tracks["hall/video"])
    await until(lambda: sees_hall.from_(hall_camera), "bob sees the hall")

    await room.publish("m:3", "member", audio=ToneTrack(660))                   # carol comes later
    await room.call("set_live", room=ROOM, live=["m:3"], version=1)
    again = await room.call("subscribe", room=ROOM, peer="m:2", kind="member", pc="sub-m:2", gen=2)
    assert [f"{slot['source']}/{slot['kind']}" for slot in again["slots"]] == \
        ["hall/audio", "hall/video", "floor/video", "m:1/audio", "m:3/audio"]
    assert await room.call("subscribe", room=ROOM, peer="m:2", kind="member", pc="sub-m:2", gen=2) == again
    await bob.setRemoteDescription(RTCSessionDescription(again["sdp"], "offer"))
    await bob.setLocalDescription(await bob.createAnswer())
    assert await room.call("answer", room=ROOM, peer="m:2", pc="sub-m:2", gen=2, sdp=bob.localDescription.sdp) == {}
    mid = next(slot["mid"] for slot in again["slots"] if slot["source"] == "m:3")
    carol = room.meter(next(t.receiver.track for t in bob.getTransceivers() if t.mid == mid))
    await until(lambda: carol.rms(10) > HEARD, "carol heard by bob on the renegotiated pc")
    hall_before = sees_hall.stamp
    await until(lambda: sees_hall.stamp != hall_before and sees_hall.from_(hall_camera), "the hall still flowing")

    # Alice leaves: the next generation drops her slot; with nothing new, no offer at all.
    assert await room.call("close", room=ROOM, peer="m:1") == {}
    third = await room.call("subscribe", room=ROOM, peer="m:2", kind="member", pc="sub-m:2", gen=3)
    assert "m:1" not in [slot["source"] for slot in third["slots"]]
    if third["sdp"] is not None:
        await bob.setRemoteDescription(RTCSessionDescription(third["sdp"], "offer"))
        await bob.setLocalDescription(await bob.createAnswer())
        await room.call("answer", room=ROOM, peer="m:2", pc="sub-m:2", gen=3, sdp=bob.localDescription.sdp)
    fourth = await room.call("subscribe", room=ROOM, peer="m:2", kind="member", pc="sub-m:2", gen=4)
    assert fourth["sdp"] is None and fourth["slots"] == third["slots"]
    assert await _refusal(room.call("subscribe", room=ROOM, peer="m:2", kind="member", pc="sub-m:2", gen=3)) == "stale"

    # Carol's connection is replaced (a reload): her old slot is dead; the next generation feeds an
    # m-line again (Janus reuses an idle one). aiortc does not revive an m-line it saw go inactive, as
    # browsers do, so here her sound is checked on a new subscriber connection of bob's.
    await room.publish("m:3", "member", audio=ToneTrack(660), pc_id="pub-m:3-again")
    fifth = await room.call("subscribe", room=ROOM, peer="m:2", kind="member", pc="sub-m:2", gen=5)
    assert [slot["source"] for slot in fifth["slots"]].count("m:3") == 1
    mid = next(slot["mid"] for slot in fifth["slots"] if slot["source"] == "m:3")
    section = fifth["sdp"].split(f"a=mid:{mid}\r\n")[0].rsplit("m=", 1)[1]
    assert section.startswith("audio") and "a=sendonly" in section
    await bob.setRemoteDescription(RTCSessionDescription(fifth["sdp"], "offer"))
    await bob.setLocalDescription(await bob.createAnswer())
    assert await room.call("answer", room=ROOM, peer="m:2", pc="sub-m:2", gen=5, sdp=bob.localDescription.sdp) == {}
    _, anew = await room.subscribe("m:2", "member", pc_id="sub-m:2-again")
    carol_again = room.meter(anew["m:3/audio"])
    await until(lambda: carol_again.rms(10) > HEARD, "carol heard again after her new connection")


async def test_a_lost_janus_session_forgets_the_rooms_and_the_next_one_starts_clean(room, janus):
    backend = room.backend
    await backend.handle("set_live", {"room": ROOM, "live": [], "version": 1})
    lost = backend.session
    await lost._ws.close()                                                      # Janus ends the session with its socket
    await until(lambda: backend.session is None, "the backend noticed the lost session")
    assert await _refusal(backend.handle("set_live", {"room": ROOM, "live": [], "version": 2})) == "no_room"
    health = await backend.handle("health", {})                                 # reconnects
    assert health["up"] is True and health["rooms"] == 0 and backend.session is not lost
    async with connect(janus[0], subprotocols=["janus-protocol"]) as ws:
        raw = RawJanus(ws)
        assert ROOM not in await raw.rooms(await raw.open())                    # the old room was destroyed
    assert await backend.handle("open_room", {"room": ROOM}) == {}
    assert await backend.handle("set_live", {"room": ROOM, "live": [], "version": 2}) == {"applied": True}


async def test_the_keepalive_holds_the_session_past_janus_s_timeout(tmp_path, monkeypatch):
    # A Janus of its own whose sessions time out after 4 s without a request (the command line wins
    # over janus.jcfg's 60), and a keepalive every half second instead of every 25 s: a margin of
    # 3.5 s for a loaded machine (with 2 s it failed once in a run beside other tests).
    process, url, _ = start_janus(tmp_path, "--session-timeout=4")
    monkeypatch.setattr("video.media.janus_backend.KEEPALIVE", 0.5)
    backend = JanusBackend(url=url, api_secret=API_SECRET, admin_key=ADMIN_KEY)
    try:
        await backend.start()
        kept = backend.session
        async with connect(url, subprotocols=["janus-protocol"]) as ws:
            raw = RawJanus(ws)
            await raw.open()
            # A session nobody keeps alive is timed out by Janus (its handle's "detached" may come first) …
            message = json.loads(await asyncio.wait_for(ws.recv(), 20))
            if message["janus"] == "detached":
                message = json.loads(await asyncio.wait_for(ws.recv(), 20))
            assert message["janus"] == "timeout" and message["session_id"] == raw.session
        # … while the backend's, older, is still there and answers.
        assert backend.session is kept and not kept.closed
        assert await backend.handle("open_room", {"room": ROOM}) == {}
        assert backend.session is kept
    finally:
        await backend.close()
        _stop(process)


async def test_the_recording_holds_the_hall_and_the_live_member_and_nothing_of_the_muted_one(room, tmp_path):
    await room.call("set_live", room=ROOM, live=["m:1"], version=1)            # alice has the floor
    await room.publish("h:1", "hallcam", audio=ToneTrack(220, amplitude=3000))
    await room.publish("m:2", "member", audio=ToneTrack(935, amplitude=8000))  # bob: not live, sending all along
    path = str(tmp_path / "sitting-7.ogg")
    assert await room.call("record_start", room=ROOM, path=path) == {"path": path}
    assert await room.call("record_start", room=ROOM, path=str(tmp_path / "other.ogg")) == {"path": path}  # once
    assert (await room.call("health"))["recording"] == [ROOM]
    recording = room.backend.rooms[ROOM].recording
    # Alice publishes once the recording runs: videod listens to her as soon as Janus has her.
    await room.publish("m:1", "member", audio=ToneTrack(1250, amplitude=8000))
    await until(lambda: recording.frames.get("h:1", 0) > 25 and recording.frames.get("m:1", 0) > 25,
                "the hall's and alice's sound received by videod")
    assert sorted(listener.key for listener in recording.listeners.values()) == ["h:1", "m:1", "m:2"]
    start = recording.recorder.samples
    await until(lambda: recording.recorder.samples >= start + 2 * 48000, "two seconds of the hall and alice")
    assert recording.frames.get("m:2", 0) == 0                                  # muted at Janus: not a packet

    # Alice leaves: videod's own connection to her goes with her publisher's.
    assert await room.call("close", room=ROOM, peer="m:1") == {}
    await until(lambda: sorted(listener.key for listener in recording.listeners.values()) == ["h:1", "m:2"],
                "videod stopped listening to alice")
    assert (await room.call("health"))["streams_out"] == 2                      # the recording's own: the hall, bob
    done = await room.call("record_stop", room=ROOM)
    assert done["path"] == path and done["ended_at"] - done["started_at"] == pytest.approx(done["seconds"])
    assert await room.call("record_stop", room=ROOM) == {"path": None}
    assert (await room.call("health"))["recording"] == [] and recording.listeners == {}

    samples = read_ogg(path)
    assert len(samples) / 48000 == pytest.approx(done["seconds"], abs=0.2)
    both = samples[start + 4800: start + 2 * 48000 - 4800]                      # less a tenth of a second each end
    assert strength(samples, 220) > 0.005
    assert strength(both, 1250) > 0.01
    assert strength(samples, 935) < strength(both, 1250) / 20


async def test_a_recording_is_finished_by_close_room_and_by_a_lost_janus_session(room, tmp_path):
    await room.publish("h:1", "hallcam", audio=ToneTrack(220, amplitude=3000))
    first, second = str(tmp_path / "first.ogg"), str(tmp_path / "second.ogg")
    await room.call("record_start", room=ROOM, path=first)
    recording = room.backend.rooms[ROOM].recording
    await until(lambda: recording.frames.get("h:1", 0) > 50, "the hall's sound received by videod")
    assert await room.call("close_room", room=ROOM) == {}
    assert strength(read_ogg(first), 220) > 0.005                               # complete: it reads back
    assert await room.call("record_stop", room=ROOM) == {"path": None}
    assert (await room.call("health"))["recording"] == []

    assert await room.call("open_room", room=ROOM) == {}
    await room.publish("h:1", "hallcam", audio=ToneTrack(220, amplitude=3000), pc_id="pub-h:1-again")
    await room.call("record_start", room=ROOM, path=second)
    recording = room.backend.rooms[ROOM].recording
    await until(lambda: recording.frames.get("h:1", 0) > 50, "the hall's sound received again")
    await room.backend.session._ws.close()                                      # Janus ends the session
    await until(lambda: room.backend.session is None, "the backend noticed the lost session")
    done = await room.call("record_stop", room=ROOM)                            # the recording it ended
    assert done["path"] == second and done["seconds"] > 1
    assert strength(read_ogg(second), 220) > 0.005
    assert await room.call("record_stop", room=ROOM) == {"path": None}


async def test_the_follower_opens_the_room_again_when_janus_lost_it_and_mutes_as_before(room, janus, tmp_path):
    # A Janus restart (its session lost) made videod forget the sitting's room; the follower opened
    # rooms only when it started following, so nobody could publish again until videod restarted.
    from video.follower import SittingFollower

    backend = room.backend
    follower = SittingFollower(ROOM, backend, session_key="unused", hub_url="ws://unused")
    follower.seq = 41
    follower.state = {"floor": {"speaker": {"id": 3, "member_id": 1}, "priority": False},
                      "video": {"room": {"enabled": True, "record": False}, "participants": []}}
    await follower.settle()
    assert backend.rooms[ROOM].live == {"m:1"}
    await backend.handle("record_start", {"room": ROOM, "path": str(tmp_path / "before.ogg")})

    lost = backend.session
    await lost._ws.close()
    await until(lambda: backend.session is None, "the backend noticed the lost session")
    assert await _refusal(backend.handle("stats", {"room": ROOM})) == "no_room"

    await follower.observe(0.0)                                              # the report loop's next round
    assert ROOM in backend.rooms and backend.rooms[ROOM].live == {"m:1"}     # the room again, the same voices live
    # The recording the loss ended was collected for storing (here the sitting is not in the
    # database, so storing it is refused and logged), not left until videod's next start.
    assert ROOM not in backend._finishing
    async with connect(janus[0], subprotocols=["janus-protocol"]) as ws:
        raw = RawJanus(ws)
        assert ROOM in await raw.rooms(await raw.open())                     # at Janus itself
