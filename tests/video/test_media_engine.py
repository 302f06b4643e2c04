"""videod's aiortc engine (video/media/aiortc_backend.py) with real aiortc peers over loopback.

Personas, each an aiortc peer made by video.media.synthetic:
- hall    — h:1, the control room's hall camera page: sends the room camera and the mixer's sound,
            hears the live members only.
- alice   — m:1, a remote delegate: sends her voice (a tone) and her camera (stamped frames).
- bob     — m:2, another remote delegate: hears the hall and the live members, sees the floor.
- display — d:1, a hall display: sees the floor video only.

Tests wait for behaviour (frames decoded, a level reached) with a timeout, never for a time.
"""

import asyncio

import pytest
from aiortc import RTCSessionDescription
from aiortc.sdp import SessionDescription

from video.media.aiortc_backend import AiortcBackend, summarise_stats
from video.media.link import LinkClient, LinkServer, MediaError
from video.media.synthetic import Level, StampedVideoTrack, ToneTrack, make_peer

from .helpers import Frames, read_ogg, strength, until

ROOM = 1
SILENT = 100      # RMS of s16 samples: Opus of digital silence decodes to (almost) zeros
HEARD = 1000      # a tone of amplitude 8000 arrives at some 2800
SIZE = (320, 192)
FPS = 10


class Peer:
    def __init__(self, pc) -> None:
        self.pc = pc
        self.meters: list = []

    def received(self, slot: int):
        return self.pc.getTransceivers()[slot].receiver.track

    def level(self, slot: int = 0) -> Level:
        meter = Level(self.received(slot))
        self.meters.append(meter)
        return meter

    def frames(self, slot: int) -> Frames:
        reader = Frames(self.received(slot))
        self.meters.append(reader)
        return reader

    async def close(self):
        for meter in self.meters:
            await meter.stop()
        await self.pc.close()


class Room:
    """The backend with room 1 open, and the peers joined to it (`call` is the backend's op, or the link's)."""

    def __init__(self, backend, call) -> None:
        self.backend = backend
        self.call = call
        self.peers: list[Peer] = []

    async def join(self, key, kind, *, audio=None, video=None, connected=True, video_codec=None) -> Peer:
        pc, offer = await make_peer(kind, audio=audio, video=video, video_codec=video_codec)
        peer = Peer(pc)
        self.peers.append(peer)
        reply = await self.call("offer", room=ROOM, peer=key, kind=kind, pc=f"pc-{key}", gen=1, sdp=offer)
        await pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "answer"))
        if connected:
            await until(lambda: pc.connectionState == "connected", f"{key} connected")
        return peer

    def decoded(self, source: str) -> int:
        """Frames videod received and decoded from a source, e.g. "m:1:audio"."""
        return self.backend.rooms[ROOM].frames_in.get(source, 0)

    async def close(self):
        for peer in self.peers:
            await peer.close()


@pytest.fixture
async def room():
    async for opened in _room():
        yield opened


@pytest.fixture
async def room_keyframes_on_request():
    """A room whose videos have no periodic key frames: only those asked for."""
    async for opened in _room(keyframe_every=3600.0):
        yield opened


async def _room(**options):
    backend = AiortcBackend(video_size=SIZE, fps=FPS, **options)

    async def call(op, **args):
        return await backend.handle(op, args)

    await call("open_room", room=ROOM)
    room = Room(backend, call)
    yield room
    await room.close()
    await backend.close()


async def _silent_for(meter: Level, frames: int) -> float:
    """The loudest of the next `frames` frames' RMS."""
    start, loudest = meter.frames, 0.0
    while meter.frames < start + frames:
        await asyncio.sleep(0.02)
        loudest = max(loudest, meter.rms(1))
    return loudest


async def test_a_member_is_heard_at_the_hall_only_while_live(room):
    hall = await room.join("h:1", "hallcam")
    await room.join("m:1", "member", audio=ToneTrack(440))
    at_hall = hall.level()
    await until(lambda: room.decoded("m:1:audio") > 25 and at_hall.frames > 25, "alice's voice decoded, the hall's mix flowing")
    assert await _silent_for(at_hall, 25) < SILENT

    assert await room.call("set_live", room=ROOM, live=["m:1"], version=1) == {"applied": True}
    await until(lambda: at_hall.rms(10) > HEARD, "alice heard at the hall")

    assert await room.call("set_live", room=ROOM, live=[], version=2) == {"applied": True}
    await until(lambda: at_hall.rms(3) < SILENT, "alice silent again at the hall")
    assert await _silent_for(at_hall, 25) < SILENT


async def test_a_member_not_live_is_silent_everywhere_though_it_keeps_sending(room):
    hall = await room.join("h:1", "hallcam")
    await room.join("m:1", "member", audio=ToneTrack(440))
    bob = await room.join("m:2", "member", audio=ToneTrack(660, amplitude=0))
    at_hall, at_bob = hall.level(), bob.level()
    await room.call("set_live", room=ROOM, live=["m:2"], version=1)          # bob has the floor, not alice
    await until(lambda: at_hall.frames > 25 and at_bob.frames > 25, "the mixes flowing")
    sent = room.decoded("m:1:audio")
    assert await _silent_for(at_hall, 50) < SILENT
    assert await _silent_for(at_bob, 10) < SILENT
    assert room.decoded("m:1:audio") >= sent + 50                               # received and decoded all along


async def test_a_member_never_hears_itself(room):
    alice = await room.join("m:1", "member", audio=ToneTrack(440))
    bob = await room.join("m:2", "member")
    at_alice, at_bob = alice.level(), bob.level()
    await room.call("set_live", room=ROOM, live=["m:1", "m:2"], version=1)
    await until(lambda: at_bob.rms(10) > HEARD, "alice heard by bob")
    assert await _silent_for(at_alice, 50) < SILENT


async def test_the_hall_is_heard_and_the_floor_video_follows_the_live_member(room):
    hall_camera, alice_camera = StampedVideoTrack(*SIZE, fps=FPS), StampedVideoTrack(*SIZE, fps=FPS)
    await room.join("h:1", "hallcam", audio=ToneTrack(300), video=hall_camera)
    await room.join("m:1", "member", video=alice_camera)
    bob = await room.join("m:2", "member")
    display = await room.join("d:1", "display")
    hears, sees_hall, floor, on_display = bob.level(0), bob.frames(1), bob.frames(2), display.frames(0)

    await until(lambda: hears.rms(10) > HEARD, "the hall's sound reaches bob")
    await until(lambda: sees_hall.from_(hall_camera), "bob sees the hall")
    await until(lambda: floor.from_(hall_camera) and on_display.from_(hall_camera), "nobody live: the floor is the hall")

    await room.call("set_live", room=ROOM, live=["m:1"], version=1)
    await until(lambda: floor.from_(alice_camera) and on_display.from_(alice_camera), "alice live: the floor is alice")
    assert sees_hall.from_(hall_camera)

    await room.call("set_live", room=ROOM, live=[], version=2)
    await until(lambda: floor.from_(hall_camera) and on_display.from_(hall_camera), "nobody live: the hall again")


async def test_each_room_video_is_encoded_once_whatever_the_number_of_receivers(room):
    hall_camera = StampedVideoTrack(*SIZE, fps=FPS)
    await room.join("h:1", "hallcam", audio=ToneTrack(300), video=hall_camera)
    receivers = [await room.join(f"m:{n}", "member") for n in (2, 3, 4)]
    seen = [peer.frames(1) for peer in receivers]
    await until(lambda: all(reader.from_(hall_camera) for reader in seen), "every member sees the hall")
    await until(lambda: min(reader.count for reader in seen) >= 40, "40 hall frames decoded by each")
    encoded = room.backend.rooms[ROOM].hall.frames
    # One encoder per receiver would have encoded about 3 × 40; one shared encoder, about 40 (plus the
    # frames encoded while the members were still connecting, and those in flight).
    assert encoded < 1.5 * max(reader.count for reader in seen), (encoded, [r.count for r in seen])


async def test_a_receiver_offering_h264_first_still_gets_the_vp8_it_can_decode(room):
    hall_camera = StampedVideoTrack(*SIZE, fps=FPS)
    await room.join("h:1", "hallcam", audio=ToneTrack(300), video=hall_camera)
    bob = await room.join("m:2", "member", video_codec="video/H264")
    display = await room.join("d:1", "display", video_codec="video/H264")
    sees_hall, on_display = bob.frames(1), display.frames(0)
    await until(lambda: sees_hall.from_(hall_camera) and on_display.from_(hall_camera),
                "the hall's video decoded by a peer that prefers H.264")
    for peer in (bob, display):
        offered = SessionDescription.parse(peer.pc.localDescription.sdp)
        answered = SessionDescription.parse(peer.pc.remoteDescription.sdp)
        assert [m.rtp.codecs[0].mimeType for m in offered.media if m.kind == "video"] == ["video/H264"] * \
            sum(m.kind == "video" for m in offered.media)
        assert {m.rtp.codecs[0].mimeType for m in answered.media if m.kind == "video"} == {"video/VP8"}


async def test_a_receiver_that_lost_packets_gets_a_key_frame_when_it_asks(room_keyframes_on_request):
    room = room_keyframes_on_request
    hall_camera = StampedVideoTrack(*SIZE, fps=FPS)
    await room.join("h:1", "hallcam", audio=ToneTrack(300), video=hall_camera)
    bob = await room.join("m:2", "member")
    sees_hall = bob.frames(1)
    await until(lambda: sees_hall.from_(hall_camera) and sees_hall.count >= 10, "bob sees the hall")
    hall = room.backend.rooms[ROOM].hall
    before = hall.keyframes
    await asyncio.sleep(0.5)
    assert hall.keyframes == before, "no key frame unless asked for (none periodic in this test)"

    receiver = bob.pc.getTransceivers()[1].receiver
    ssrc = next(item.ssrc for item in (await receiver.getStats()).values() if item.type == "inbound-rtp")
    await receiver._send_rtcp_pli(ssrc)          # what aiortc's receiver (or a browser) sends after a loss
    await until(lambda: hall.keyframes > before, "a key frame after bob's PLI")


def test_a_remote_report_before_its_first_round_trip_counts_for_loss_only():
    # aiortc reports roundTripTime None until a receiver report echoes a sender report; the bench
    # found the stats op failing on it ('>' not supported between NoneType and float) every 10 s.
    import datetime as dt

    from aiortc.stats import RTCRemoteInboundRtpStreamStats, RTCTransportStats

    now = dt.datetime.now()

    def remote(rtt, lost):
        return RTCRemoteInboundRtpStreamStats(timestamp=now, type="remote-inbound-rtp", id=f"r{rtt}", ssrc=1,
                                              kind="video", transportId="t", packetsReceived=100, packetsLost=0,
                                              jitter=0, roundTripTime=rtt, fractionLost=lost)

    transport = RTCTransportStats(timestamp=now, type="transport", id="t", packetsSent=0, packetsReceived=0,
                                  bytesSent=25_000, bytesReceived=50_000, iceRole="controlled", dtlsState="connected")
    # fractionLost is RTCP's 8-bit fraction: 64/256 is 25 % (the bench once showed "loss_pct 10700").
    numbers, last = summarise_stats([remote(None, 64), remote(0.12, 0), transport], (10.0, 0, 0), 12.0)
    assert numbers == {"rtt_ms": 120.0, "loss_pct": 25.0, "kbps_in": 200.0, "kbps_out": 100.0, "level": "poor"}
    assert last == (12.0, 50_000, 25_000)
    alone, _ = summarise_stats([remote(None, 0)], last, 13.0)
    assert (alone["rtt_ms"], alone["loss_pct"], alone["level"]) == (None, 0.0, None)


async def test_an_older_live_set_is_ignored(room):
    assert await room.call("set_live", room=ROOM, live=["m:1"], version=5) == {"applied": True}
    assert await room.call("set_live", room=ROOM, live=[], version=4) == {"applied": False}
    assert room.backend.rooms[ROOM].is_live("m:1")
    assert await room.call("set_live", room=ROOM, live=[], version=5) == {"applied": True}
    assert not room.backend.rooms[ROOM].is_live("m:1")
    assert room.backend.rooms[ROOM].is_live("h:1")                                # the hall camera always


async def _refusal(call, op, **args) -> str:
    with pytest.raises(MediaError) as refused:
        await call(op, **args)
    return refused.value.code


async def test_offers_are_idempotent_by_pc_and_gen(room):
    pc, offer = await make_peer("display")
    other_pc, other_offer = await make_peer("display")
    member_pc, member_offer = await make_peer("member")
    call = room.call

    async def display_offer(sdp, pc="A", gen=1, room=ROOM, peer="d:1", kind="display"):
        return await call("offer", room=room, peer=peer, kind=kind, pc=pc, gen=gen, sdp=sdp)

    async def refused(coroutine) -> str:
        with pytest.raises(MediaError) as refusal:
            await coroutine
        return refusal.value.code

    try:
        first = await display_offer(offer)
        assert await display_offer(offer) == first                       # a resend after a lost reply
        assert await refused(display_offer(other_offer)) == "gen_reused"
        assert await refused(display_offer(offer, gen=0)) == "stale"
        assert await refused(display_offer(offer, gen=2)) == "no_renegotiation"
        assert await refused(display_offer(offer, room=99)) == "no_room"
        assert await refused(display_offer(member_offer, peer="d:2", pc="C")) == "bad_offer"
        assert await refused(display_offer(member_offer, peer="d:2", pc="C", kind="member")) == "bad_request"

        candidate = {"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0}
        assert await call("ice", room=ROOM, peer="d:1", pc="A", candidates=[candidate, candidate], end=False) == {}
        assert await call("ice", room=ROOM, peer="d:1", pc="A", candidates=[candidate], end=False) == {}
        assert room.backend.rooms[ROOM].peers["d:1"].candidates == {candidate["candidate"]}    # taken once
        garbled = {"candidate": "candidate:nonsense", "sdpMid": "0"}
        assert await refused(call("ice", room=ROOM, peer="d:1", pc="A", candidates=[garbled], end=False)) == "bad_request"

        # A new pc replaces the old one; the old one is stale from then on.
        await call("offer", room=ROOM, peer="d:1", kind="display", pc="B", gen=1, sdp=other_offer)
        assert await refused(call("ice", room=ROOM, peer="d:1", pc="A", candidates=[], end=True)) == "stale"
        assert await refused(display_offer(offer)) == "stale"
        assert list(room.backend.rooms[ROOM].peers) == ["d:1"]
        assert await call("close", room=ROOM, peer="d:1") == {}
        assert await call("close", room=ROOM, peer="d:1") == {}
        assert room.backend.rooms[ROOM].peers == {}
    finally:
        for client in (pc, other_pc, member_pc):
            await client.close()


async def test_through_the_link_close_room_leaves_no_running_task():
    before = asyncio.all_tasks()
    backend = AiortcBackend(video_size=SIZE, fps=FPS)
    server = LinkServer(backend.handle, b"secret", "127.0.0.1", 0)
    await server.start()
    client = LinkClient("127.0.0.1", server.port, b"secret")

    async def call(op, **args):
        return await client.call(op, timeout=8.0, **args)

    room = Room(backend, call)
    try:
        assert await call("open_room", room=ROOM) == {}
        assert await call("open_room", room=ROOM) == {}
        hall = await room.join("h:1", "hallcam", audio=ToneTrack(300))
        await room.join("m:1", "member", audio=ToneTrack(440), video=StampedVideoTrack(*SIZE, fps=FPS))
        await call("set_live", room=ROOM, live=["m:1"], version=1)
        at_hall = hall.level()
        await until(lambda: at_hall.rms(10) > HEARD, "alice heard through a room driven over the link")
        # Streams out: the hall's mix; alice's mix, hall video and floor video.
        assert await call("health") == {"up": True, "backend": "aiortc", "rooms": 1, "publishers": 2,
                                        "streams_out": 4, "capacity_streams": 15, "overloaded": False, "recording": []}
        stats = (await call("stats", room=ROOM))["peers"]
        assert {key: (s["kind"], s["state"]) for key, s in stats.items()} == {
            "h:1": ("hallcam", "connected"), "m:1": ("member", "connected")}
        assert await call("close_room", room=ROOM) == {}
        assert await _refusal(call, "set_live", room=ROOM, live=[], version=2) == "no_room"
        assert (await call("health"))["rooms"] == 0
    finally:
        await room.close()
        await client.close()
        await server.close()
        await backend.close()
    await until(lambda: not (asyncio.all_tasks() - before - {asyncio.current_task()}), "every task of the room ended", 5)


async def test_the_recording_holds_the_sittings_sound_and_the_voices_while_live_only(room, tmp_path):
    await room.join("h:1", "hallcam", audio=ToneTrack(220, amplitude=3000))
    await room.join("m:1", "member", audio=ToneTrack(1250, amplitude=8000))  # no harmonic of the hall's
    await until(lambda: room.decoded("h:1:audio") > 25 and room.decoded("m:1:audio") > 25, "both sources decoded")
    path = str(tmp_path / "sitting-1.ogg")
    assert await room.call("record_start", room=ROOM, path=path) == {"path": path}
    assert await room.call("record_start", room=ROOM, path=str(tmp_path / "other.ogg")) == {"path": path}  # once
    recorder = room.backend.rooms[ROOM].recorder
    await until(lambda: recorder.samples >= 48000, "a second of the room recorded")
    await room.call("set_live", room=ROOM, live=["m:1"], version=1)
    start = recorder.samples
    await until(lambda: recorder.samples >= start + 48000, "a second with alice live")
    done = await room.call("record_stop", room=ROOM)
    assert done["path"] == path and done["ended_at"] - done["started_at"] == pytest.approx(done["seconds"])
    assert await room.call("record_stop", room=ROOM) == {"path": None}
    # Read it back: the hall's 220 Hz all along, alice's 1250 Hz only in the part where she was live.
    samples = read_ogg(path)
    rate = 48000
    assert len(samples) / rate == pytest.approx(done["seconds"], abs=0.2)

    # Before and after the moment she was made live (the recorder's own sample count then), less a
    # tenth of a second at the switch; decoded as floats in [-1, 1].
    first, last = samples[: start - rate // 10], samples[start + rate // 10:]
    assert strength(samples, 220) > 0.005
    assert strength(last, 1250) > 0.01
    assert strength(first, 1250) < strength(last, 1250) / 5


async def test_a_receiver_that_never_reads_asks_for_no_key_frames():
    # A connection still being made (or one that never will) reads nothing: its packets pile up.
    # It must not make the room's encoder send everyone a key frame each time it overflows.
    from aiortc.contrib.media import MediaRelay

    from video.media.aiortc_backend import LAG_MAX, SharedVideo

    camera = StampedVideoTrack(*SIZE, fps=FPS * 3)
    shared = SharedVideo("hall", MediaRelay(), SIZE, FPS * 3, keyframe_every=3600.0)
    shared.switch(camera)
    idle = shared.subscribe()
    try:
        await until(lambda: shared.frames >= 3 * LAG_MAX, f"{3 * LAG_MAX} frames encoded")
        assert shared.keyframes == 1                        # the first, nothing more
        reading = asyncio.ensure_future(idle.recv())        # its sender starts: it asks for one now
        await until(lambda: reading.done() and shared.keyframes == 2, "a key frame for the receiver that starts")
        assert reading.result().is_keyframe
    finally:
        await shared.stop()
        camera.stop()
