"""`AiortcBackend`: videod's rooms with aiortc (decision 0014 §2) — one peer connection per peer.

Peers are keyed ``m:<member id>`` (a remote participant), ``h:<id>`` (the control room's hall
camera page) and ``d:<id>`` (a hall display). Each offers ONE `RTCPeerConnection`, whose m-lines are
its slots, in this order (`SLOTS`):

- member:  audio sendrecv (its microphone → the mix of the hall and the live members, less its own),
           video sendrecv (its camera → the hall video), video recvonly (the floor video);
- hallcam: audio sendrecv (the mixer's sound → the mix of the live members), video sendonly (camera);
- display: video recvonly (the floor video).

**Who is heard** (`Room.is_live`, the one place of the rule): the hall camera always; a member only
while it is in the set given by `set_live`. Every received track is read by a task of its own, so a
member that is not live is still received and decoded, and its audio is dropped at the mix: nothing
of it leaves videod. The room's clock (`Room.mixer`, a `video.media.mixing.Mixer`, shared with the
Janus backend's recording) takes every source's next 20 ms (960 samples, s16 mono 48 kHz) once per
period, sums the live ones, and each receiver's `MixTrack` gets that sum less its own voice: a
mix-minus is one subtraction. A change of the set is heard at the next tick. The `Recorder` writes
that sum (the hall's and the live voices) to Ogg/Opus.

**The floor video**: the video of the live member (the lowest member id if several), else the hall
camera's, else black. The room has two videos, the hall's and the floor's (`SharedVideo`): each is a
`MediaRelay` subscription inside a `SwitchTrack` (so switching needs no key frame from the source),
encoded ONCE, and its packets are sent to every receiver of that video (`PacketTrack`).

The ops (`handle(op, args)`; refusals are `MediaError(code)`; every op but health takes ``room: int``):

    open_room  {room}                                     → {}            idempotent
    close_room {room}                                     → {}            closes every peer; idempotent
    offer      {room, peer, kind, pc, gen: int, sdp}      → {sdp}         videod's answer
               no_room · bad_request (kind ≠ the key's: m: member, h: hallcam, d: display) · bad_offer
               (m-lines of other kinds or count, unreadable SDP) · gen_reused (same pc+gen, another sdp) ·
               stale (a lower gen, or a pc replaced or closed) · no_renegotiation (a higher gen on the pc).
               The same pc+gen+sdp returns the first answer again; a new pc replaces the peer's old one.
    ice        {room, peer, pc, candidates: [{candidate, sdpMid, sdpMLineIndex}], end: bool} → {}
               no_room · stale (not the peer's current pc) · bad_request (an unreadable candidate)
    close      {room, peer}                               → {}            idempotent, unknown room too
    set_live   {room, live: [peer keys], version: int}    → {applied: bool}   false: older than the last
    stats      {room}  → {peers: {key: {kind, state, rtt_ms, loss_pct, kbps_in, kbps_out, level}}}
    health     {}      → {up, backend, rooms, publishers, streams_out, capacity_streams, overloaded,
                          recording: [room ids]}
    record_start {room, path: "<file>.ogg"}               → {path}        already recording: the same file
    record_stop  {room}                                   → {path, started_at, ended_at, seconds} | {path: None}
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import av
import numpy as np
from aiortc import (RTCBundlePolicy, RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCRtpSender,
                    RTCSessionDescription)
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.sdp import SessionDescription, candidate_from_sdp

from .link import MediaError
from .link import int_arg as _int
from .link import str_arg as _str
from .mixing import AUDIO_TIME_BASE, RATE, SAMPLES, Mixer, Recorder, listen, recording_path

log = logging.getLogger("video.media")

VIDEO_TIME_BASE = fractions.Fraction(1, 90000)

KINDS = {"member": "m:", "hallcam": "h:", "display": "d:"}


@dataclass(frozen=True)
class Slot:
    kind: str                  # "audio" | "video": the m-line's media
    receive: bool              # what the peer sends on it is taken (its voice, its camera)
    send: str | None           # what videod sends on it: "mix", "hall", "floor" or nothing


SLOTS = {
    "member": (Slot("audio", True, "mix"), Slot("video", True, "hall"), Slot("video", False, "floor")),
    "hallcam": (Slot("audio", True, "mix"), Slot("video", True, None)),
    "display": (Slot("video", False, "floor"),),
}


def _member_order(key: str) -> tuple[int, str]:
    """`m:2` before `m:10`: the lowest member id, not the lowest string."""
    _, _, ident = key.partition(":")
    return (int(ident), key) if ident.isdigit() else (1 << 62, key)


# --- audio -------------------------------------------------------------------------------------------

class MixTrack(MediaStreamTrack):
    """One receiver's sound: the room's sum of live voices less the receiver's own, at the room's pace."""

    kind = "audio"

    def __init__(self, room: Room, own: str) -> None:
        super().__init__()
        self.room = room
        self.own = own

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        number, total, heard = await self.room.next_tick()
        mix = total - heard[self.own] if self.own in heard else total
        frame = av.AudioFrame.from_ndarray(np.clip(mix, -32768, 32767).astype(np.int16).reshape(1, -1),
                                           format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = number * SAMPLES
        frame.time_base = AUDIO_TIME_BASE
        return frame


# --- video -------------------------------------------------------------------------------------------

class FrameTrack(MediaStreamTrack):
    """A received video, fed by its reader task, read by the room's `MediaRelay` (latest frame wins).

    Ended by `end()` when its peer goes, which ends the relay's own reading task too."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._queue: asyncio.Queue[av.VideoFrame | None] = asyncio.Queue(maxsize=1)

    def put(self, frame: av.VideoFrame | None) -> None:
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(frame)

    def end(self) -> None:
        self.put(None)

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        frame = await self._queue.get()
        if frame is None:
            self.stop()
            raise MediaStreamError
        return frame


class SwitchTrack(MediaStreamTrack):
    """A video whose source can be changed at any time (`switch`); black frames when it has none.

    Every frame is a copy stamped with this track's own clock: the room's two encoders (hall and floor)
    may read the same relayed frame in threads, and a receiver sees one continuous stream across switches."""

    kind = "video"

    def __init__(self, relay: MediaRelay, size: tuple[int, int] = (640, 360), fps: float = 15) -> None:
        super().__init__()
        self.relay = relay
        self.source: MediaStreamTrack | None = None
        self._proxy: MediaStreamTrack | None = None
        self._size = size
        self._interval = 1 / fps
        self._t0 = time.monotonic()
        self._next_black = self._t0
        self._switched = asyncio.Event()  # wakes a recv() waiting on the old source at once

    def switch(self, source: MediaStreamTrack | None) -> None:
        if source is self.source:
            return
        if self._proxy is not None:
            self._proxy.stop()
        self.source = source
        self._proxy = self.relay.subscribe(source, buffered=False) if source is not None else None
        self._switched.set()

    def stop(self) -> None:
        self.switch(None)
        super().stop()

    async def recv(self) -> av.VideoFrame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            proxy = self._proxy
            if proxy is None:
                return self._stamped(await self._black())
            # The next frame of the source, or a switch (seen at once: the bench found a stopped relay
            # proxy never wakes its reader, which cost up to the old timeout on every change of speaker).
            self._switched.clear()
            receiving = asyncio.ensure_future(proxy.recv())
            switched = asyncio.ensure_future(self._switched.wait())
            done, _pending = await asyncio.wait({receiving, switched}, timeout=0.25,
                                                return_when=asyncio.FIRST_COMPLETED)
            switched.cancel()
            if receiving not in done:
                receiving.cancel()
                await asyncio.gather(receiving, switched, return_exceptions=True)
                continue
            try:
                frame = receiving.result()
            except MediaStreamError:      # that source ended: black until the room switches
                if self._proxy is proxy:
                    self.switch(None)
                continue
            return self._stamped(av.VideoFrame.from_ndarray(frame.to_ndarray(format="yuv420p"), format="yuv420p"))

    async def _black(self) -> av.VideoFrame:
        now = time.monotonic()
        self._next_black = max(self._next_black + self._interval, now)
        await asyncio.sleep(self._next_black - now)
        width, height = self._size
        plane = np.zeros((height * 3 // 2, width), dtype=np.uint8)
        plane[height:] = 128
        plane[:height] = 16
        return av.VideoFrame.from_ndarray(plane, format="yuv420p")

    def _stamped(self, frame: av.VideoFrame) -> av.VideoFrame:
        frame.pts = int((time.monotonic() - self._t0) * 90000)
        frame.time_base = VIDEO_TIME_BASE
        return frame


KEYFRAME_EVERY = 3.0                 # s: a shared video's key frames, beside those asked for
VIDEO_BITRATE = 500_000              # bit/s: one shared encode serves every receiver, so one rate for all
LAG_MAX = 15                         # packets (1 s at 15 fps) a receiver may fall behind before it skips


class SharedVideo:
    """One video of a room (the hall's or the floor's) encoded ONCE for all its receivers.

    Its `SwitchTrack` picks the source; one task reads it, encodes each frame to VP8 (in a thread, as
    aiortc does) and hands the same packets to every receiver's `PacketTrack`, whose aiortc sender only
    packetizes them (`Encoder.pack`, no encoder of its own). Before this, every receiver re-encoded the
    same frames: 40 % of videod's CPU at 2 × 3 (docs/performance.md, "Remote video"). The cost now is
    one encode per room video, whatever the number of receivers; what each receiver still costs is
    SRTP and the send. The price: one bit rate for all (no per-receiver adaptation), and a key frame
    asked for by one receiver (it joined, or lost packets: RTCP PLI) is sent to all."""

    def __init__(self, name: str, relay: MediaRelay, size: tuple[int, int], fps: float,
                 keyframe_every: float = KEYFRAME_EVERY) -> None:
        self.name = name
        self.source = SwitchTrack(relay, size, fps)
        self.receivers: list[PacketTrack] = []
        self.keyframe_every = keyframe_every
        self.frames = self.keyframes = 0                    # encoded, for the tests
        self._codec: av.VideoCodecContext | None = None
        self._keyframe_wanted = True
        self._last_keyframe = 0.0
        self._task: asyncio.Task | None = None

    def subscribe(self) -> PacketTrack:
        track = PacketTrack(self)
        self.receivers.append(track)
        self.request_keyframe()
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())
        return track

    def unsubscribe(self, track: PacketTrack) -> None:
        if track in self.receivers:
            self.receivers.remove(track)      # the task ends by itself once nobody is left

    def switch(self, source: MediaStreamTrack | None) -> None:
        self.source.switch(source)

    def request_keyframe(self) -> None:
        self._keyframe_wanted = True

    async def stop(self) -> None:
        for track in list(self.receivers):
            track.stop()
        self.source.stop()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self.receivers:
                frame = await self.source.recv()
                now = time.monotonic()
                keyframe = self._keyframe_wanted or now - self._last_keyframe >= self.keyframe_every
                self._keyframe_wanted = False
                if keyframe:
                    self._last_keyframe = now
                try:
                    packets = await loop.run_in_executor(None, self._encode, frame, keyframe)
                except (av.FFmpegError, ValueError) as error:   # one bad frame must not stop the room's video
                    log.warning("%s video: a frame could not be encoded (%r); a new encoder", self.name, error)
                    self._codec, self._keyframe_wanted = None, True
                    continue
                self.frames += 1
                self.keyframes += any(packet.is_keyframe for packet in packets)
                for packet in packets:
                    for track in list(self.receivers):
                        track.put(packet)
        except MediaStreamError:               # the switch was stopped: the room is closing
            pass

    def _encode(self, frame: av.VideoFrame, keyframe: bool) -> list[av.Packet]:
        if self._codec is None or (frame.width, frame.height) != (self._codec.width, self._codec.height):
            codec = av.CodecContext.create("libvpx", "w")
            codec.width, codec.height = frame.width, frame.height
            codec.pix_fmt = "yuv420p"
            codec.bit_rate = VIDEO_BITRATE
            codec.time_base = VIDEO_TIME_BASE
            codec.gop_size = 3000                 # key frames when asked (and every KEYFRAME_EVERY), not by count
            codec.qmin, codec.qmax = 2, 56
            codec.thread_count = 1
            codec.options = {"deadline": "realtime", "cpu-used": "-6", "lag-in-frames": "0",
                             "minrate": str(VIDEO_BITRATE), "maxrate": str(VIDEO_BITRATE),
                             "bufsize": str(VIDEO_BITRATE), "undershoot-pct": "100", "overshoot-pct": "15",
                             "static-thresh": "1", "partitions": "0", "noise-sensitivity": "4"}
            self._codec, keyframe = codec, True
        if keyframe:
            frame.pict_type = av.video.frame.PictureType.I
        packets = []
        for packet in self._codec.encode(frame):
            packet.pts, packet.time_base = frame.pts, VIDEO_TIME_BASE
            packets.append(packet)
        return packets


class PacketTrack(MediaStreamTrack):
    """One receiver's copy of a `SharedVideo`: encoded packets, which aiortc's sender only packetizes.

    It starts at a key frame, asked for when its sender first reads. A receiver `LAG_MAX` packets
    behind skips to the next key frame: asked for at once if its sender was reading (it stalled),
    not while it has not started (a connection still being made, or one that never will, must not
    make every other receiver's video a key frame a second)."""

    kind = "video"

    def __init__(self, shared: SharedVideo) -> None:
        super().__init__()
        self.shared = shared
        self._queue: asyncio.Queue[av.Packet] = asyncio.Queue()
        self._waiting_keyframe = True
        self._started = False

    def put(self, packet: av.Packet) -> None:
        if self._queue.qsize() >= LAG_MAX:
            while not self._queue.empty():
                self._queue.get_nowait()
            self._waiting_keyframe = True
            if self._started:
                self.shared.request_keyframe()
        if self._waiting_keyframe and not packet.is_keyframe:
            return
        self._waiting_keyframe = False
        self._queue.put_nowait(packet)

    def stop(self) -> None:
        self.shared.unsubscribe(self)
        super().stop()

    async def recv(self) -> av.Packet:
        if self.readyState != "live":
            raise MediaStreamError
        if not self._started:
            self._started = True
            if self._waiting_keyframe:
                self.shared.request_keyframe()
        return await self._queue.get()


def _prefer_vp8(transceiver: Any) -> None:
    """Send VP8 (with its RTX) on a video transceiver, whatever the offer lists first: the shared
    encode is VP8, and a sender that negotiated H.264 would packetize VP8 as H.264."""
    codecs = RTCRtpSender.getCapabilities("video").codecs
    transceiver.setCodecPreferences([c for c in codecs if c.mimeType.lower() in ("video/vp8", "video/rtx")])


# --- peers and rooms -----------------------------------------------------------------------------------

@dataclass
class Peer:
    key: str
    kind: str
    pc_id: str
    gen: int
    offer: str
    pc: RTCPeerConnection
    answer: str | None = None
    tasks: list[asyncio.Task] = field(default_factory=list)      # one reader per received track
    sending: list[MediaStreamTrack] = field(default_factory=list)
    candidates: set[str] = field(default_factory=set)
    last_bytes: tuple[float, int, int] = field(default_factory=lambda: (time.monotonic(), 0, 0))  # at the last stats


class Room:
    def __init__(self, room_id: int, video_size: tuple[int, int], fps: float,
                 keyframe_every: float = KEYFRAME_EVERY) -> None:
        self.id = room_id
        self.peers: dict[str, Peer] = {}
        self.retired: set[str] = set()                           # pc ids replaced or closed: stale
        self.live: frozenset[str] = frozenset()
        self.live_version: int | None = None
        self.videos: dict[str, FrameTrack] = {}
        self.relay = MediaRelay()
        self.hall = SharedVideo("hall", self.relay, video_size, fps, keyframe_every)
        self.floor = SharedVideo("floor", self.relay, video_size, fps, keyframe_every)
        self.lock = asyncio.Lock()
        self.video_size = video_size
        self.fps = fps
        self.frames_in: dict[str, int] = {}                      # decoded frames per source key, all kinds
        self.mixer = Mixer(self.is_live)                         # the room's clock (video.media.mixing)
        self.voices = self.mixer.voices
        self.recorder: Recorder | None = None

    # The rule, in one place: who is heard, and whose video is the floor.
    def is_live(self, key: str) -> bool:
        return key.startswith("h:") or key in self.live

    def route_video(self) -> None:
        """Point every hall and floor track at the right source; called whenever the set or the sources change."""
        halls = sorted(k for k in self.videos if k.startswith("h:"))
        hall = self.videos[halls[0]] if halls else None
        speakers = sorted((k for k in self.videos if k.startswith("m:") and self.is_live(k)), key=_member_order)
        floor = self.videos[speakers[0]] if speakers else hall
        self.hall.switch(hall)
        self.floor.switch(floor)

    async def next_tick(self) -> tuple[int, np.ndarray, dict[str, np.ndarray]]:
        return await self.mixer.next_tick()

    async def close(self) -> None:
        if self.recorder is not None:  # the file is finished; the hub learns of it by record_stop first
            recorder, self.recorder = self.recorder, None
            await recorder.stop()
        for key in list(self.peers):
            await self.drop_peer(key)
        await self.hall.stop()
        await self.floor.stop()
        await self.mixer.close()

    async def drop_peer(self, key: str) -> None:
        peer = self.peers.pop(key, None)
        if peer is None:
            return
        self.retired.add(peer.pc_id)
        for track in peer.sending:
            track.stop()                           # a PacketTrack also leaves its SharedVideo
        for task in peer.tasks:
            task.cancel()
        await asyncio.gather(*peer.tasks, return_exceptions=True)
        self.voices.pop(key, None)
        for source in [source for source in self.frames_in if source.startswith(key + ":")]:
            del self.frames_in[source]
        video = self.videos.pop(key, None)
        if video is not None:
            video.end()
        self.route_video()
        await peer.pc.close()
        log.info("room %s: %s closed", self.id, key)


class AiortcBackend:
    """The rooms of one videod. `await handle(op, args)` serves the control link; `await close()` ends all."""

    name = "aiortc"

    def __init__(self, *, ice_servers: list[dict[str, Any] | RTCIceServer] | None = None, capacity_streams: int = 15,
                 video_size: tuple[int, int] = (640, 360), fps: float = 15,
                 keyframe_every: float = KEYFRAME_EVERY) -> None:
        # Always an explicit list: with iceServers=None aiortc asks Google's public STUN server.
        self.ice_servers = [s if isinstance(s, RTCIceServer) else RTCIceServer(**s) for s in (ice_servers or [])]
        self.capacity_streams = capacity_streams
        self.video_size = video_size
        self.fps = fps
        self.keyframe_every = keyframe_every
        self.rooms: dict[int, Room] = {}

    async def handle(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        method = self._ops.get(op)
        if method is None:
            raise MediaError("unknown_op", f"unknown op {op!r}")
        return await method(self, args)

    async def close(self) -> None:
        for room_id in list(self.rooms):
            await self.close_room({"room": room_id})

    # --- ops ---

    async def open_room(self, args: dict[str, Any]) -> dict[str, Any]:
        room_id = _int(args, "room")
        if room_id not in self.rooms:
            self.rooms[room_id] = Room(room_id, self.video_size, self.fps, self.keyframe_every)
            log.info("room %s opened", room_id)
        return {}

    async def close_room(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self.rooms.pop(_int(args, "room"), None)
        if room is not None:
            async with room.lock:
                await room.close()
            log.info("room %s closed", room.id)
        return {}

    async def offer(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self._room(args)
        key, kind, pc_id = _str(args, "peer"), _str(args, "kind"), _str(args, "pc")
        gen, sdp = _int(args, "gen"), _str(args, "sdp")
        if KINDS.get(kind) is None or not key.startswith(KINDS[kind]):
            raise MediaError("bad_request", f"peer {key!r} cannot be of kind {kind!r}")
        async with room.lock:
            if self.rooms.get(room.id) is not room:
                raise MediaError("no_room", "the room was closed")
            peer = room.peers.get(key)
            if pc_id in room.retired:
                raise MediaError("stale", "that peer connection was replaced or closed")
            if peer is not None and peer.pc_id == pc_id:
                if gen < peer.gen:
                    raise MediaError("stale", f"generation {gen} is older than {peer.gen}")
                if gen > peer.gen:
                    raise MediaError("no_renegotiation", "a peer connection is negotiated once: open a new one")
                if sdp != peer.offer:
                    raise MediaError("gen_reused", f"generation {gen} was used with another offer")
                return {"sdp": peer.answer}
            _check_slots(kind, sdp)
            if peer is not None:
                await room.drop_peer(key)                        # a new pc replaces the old one
            pc = RTCPeerConnection(peer_configuration(self.ice_servers))
            peer = Peer(key=key, kind=kind, pc_id=pc_id, gen=gen, offer=sdp, pc=pc)
            room.peers[key] = peer
            try:
                peer.answer = await self._negotiate(room, peer)
            except MediaError:
                await room.drop_peer(key)
                raise
            except Exception as error:
                await room.drop_peer(key)
                log.warning("room %s: offer of %s refused: %r", room.id, key, error)
                raise MediaError("bad_offer", f"the offer could not be answered: {error}") from None
            log.info("room %s: %s (%s) answered, pc %s gen %s", room.id, key, kind, pc_id, gen)
            return {"sdp": peer.answer}

    async def ice(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self._room(args)
        key, pc_id = _str(args, "peer"), _str(args, "pc")
        candidates = args.get("candidates", [])
        if not isinstance(candidates, list):
            raise MediaError("bad_request", "candidates must be a list")
        async with room.lock:
            peer = room.peers.get(key)
            if peer is None or peer.pc_id != pc_id:
                raise MediaError("stale", "no such peer connection")
            for item in candidates:
                if not isinstance(item, dict) or not isinstance(item.get("candidate"), str):
                    raise MediaError("bad_request", "a candidate is {candidate, sdpMid, sdpMLineIndex}")
                text = item["candidate"].strip()
                if not text or text in peer.candidates:       # "" ends a browser's gathering: see `end`
                    continue
                try:
                    candidate = candidate_from_sdp(text.removeprefix("candidate:"))
                except (AssertionError, ValueError, IndexError):
                    raise MediaError("bad_request", f"unreadable candidate {text[:80]!r}") from None
                peer.candidates.add(text)
                candidate.sdpMid = item.get("sdpMid")
                candidate.sdpMLineIndex = item.get("sdpMLineIndex")
                if candidate.sdpMid is None and candidate.sdpMLineIndex is None:
                    candidate.sdpMLineIndex = 0
                await peer.pc.addIceCandidate(candidate)
            if args.get("end"):
                await peer.pc.addIceCandidate(None)
        return {}

    async def _close_peer(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self.rooms.get(_int(args, "room"))
        if room is not None:
            async with room.lock:
                await room.drop_peer(_str(args, "peer"))
        return {}

    async def set_live(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self._room(args)
        live, version = args.get("live"), _int(args, "version")
        if not isinstance(live, list) or not all(isinstance(k, str) for k in live):
            raise MediaError("bad_request", "live is a list of peer keys")
        if room.live_version is not None and version < room.live_version:
            return {"applied": False}
        room.live, room.live_version = frozenset(live), version
        room.route_video()
        log.info("room %s: live %s (version %s)", room.id, sorted(room.live), version)
        return {"applied": True}

    async def stats(self, args: dict[str, Any]) -> dict[str, Any]:
        room = self._room(args)
        return {"peers": {key: await _peer_stats(peer) for key, peer in list(room.peers.items())}}

    async def health(self, args: dict[str, Any]) -> dict[str, Any]:
        publishers = sum(1 for room in self.rooms.values() for key in room.peers
                         if any(source.startswith(key + ":") for source in room.frames_in))
        streams = self.streams_out()
        return {"up": True, "backend": self.name, "rooms": len(self.rooms), "publishers": publishers,
                "streams_out": streams, "capacity_streams": self.capacity_streams,
                "overloaded": streams > self.capacity_streams,
                "recording": sorted(room.id for room in self.rooms.values() if room.recorder is not None)}

    async def record_start(self, args: dict[str, Any]) -> dict[str, Any]:
        """Record the room's sound to `path` (a new file); already recording: nothing changes."""
        room = self._room(args)
        if room.recorder is None:
            path = recording_path(args)
            room.recorder = Recorder(room, path)
            log.info("room %s: recording to %s", room.id, path)
        return {"path": room.recorder.path}

    async def record_stop(self, args: dict[str, Any]) -> dict[str, Any]:
        """Stop recording: the file is complete; its path, start and end (epoch seconds). None: was not."""
        room = self.rooms.get(_int(args, "room"))
        if room is None or room.recorder is None:
            return {"path": None}
        recorder, room.recorder = room.recorder, None
        return await recorder.stop()

    _ops = {"open_room": open_room, "close_room": close_room, "offer": offer, "ice": ice, "close": _close_peer,
            "set_live": set_live, "stats": stats, "health": health, "record_start": record_start,
            "record_stop": record_stop}

    # --- the rest ---

    def streams_out(self) -> int:
        """Encoded tracks being sent: every receiver's mix, hall and floor track on a live connection."""
        return sum(len(peer.sending) for room in self.rooms.values() for peer in room.peers.values()
                   if peer.pc.connectionState not in ("closed", "failed"))

    def _room(self, args: dict[str, Any]) -> Room:
        room = self.rooms.get(_int(args, "room"))
        if room is None:
            raise MediaError("no_room", "no such room (open_room first)")
        return room

    async def _negotiate(self, room: Room, peer: Peer) -> str:
        pc = peer.pc
        for slot in SLOTS[peer.kind]:       # made before the offer is applied, which then takes them in order
            transceiver = pc.addTransceiver(slot.kind, direction="sendrecv")
            if slot.kind == "video" and slot.send is not None:
                _prefer_vp8(transceiver)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=peer.offer, type="offer"))
        for slot, transceiver in zip(SLOTS[peer.kind], pc.getTransceivers()):
            track = transceiver.receiver.track if slot.receive else None
            if track is not None:
                peer.tasks.append(asyncio.ensure_future(self._read(room, peer.key, track)))
            if slot.send is None:
                transceiver.direction = "recvonly"
                continue
            transceiver.direction = "sendrecv" if slot.receive else "sendonly"
            sending: MediaStreamTrack
            if slot.send == "mix":
                sending = MixTrack(room, own=peer.key)
            else:
                shared = room.hall if slot.send == "hall" else room.floor
                sending = shared.subscribe()
                # A receiver's PLI (it lost packets) reaches aiortc's sender, which would only flag its own
                # encoder, which a packet track does not use: it asks the shared one instead.
                transceiver.sender._send_keyframe = shared.request_keyframe
            transceiver.sender.replaceTrack(sending)
            peer.sending.append(sending)
        room.route_video()
        await pc.setLocalDescription(await pc.createAnswer())
        return pc.localDescription.sdp

    @staticmethod
    async def _read(room: Room, key: str, track: MediaStreamTrack) -> None:
        """Consume one received track for as long as it lasts, whether or not anyone is listening."""
        source = key + ":" + track.kind

        def counted() -> None:
            room.frames_in[source] = room.frames_in.get(source, 0) + 1

        if track.kind == "audio":
            await listen(room.mixer, key, track, counted)
            return
        video = room.videos[key] = FrameTrack()
        room.route_video()
        try:
            while True:
                frame = await track.recv()
                counted()
                video.put(frame)
        except MediaStreamError:
            pass
        finally:
            if room.videos.get(key) is video:
                del room.videos[key]
                video.end()
                room.route_video()


# --- helpers -------------------------------------------------------------------------------------------

def peer_configuration(ice_servers: list[RTCIceServer]) -> RTCConfiguration:
    """Our ICE servers only, always given (None would make aiortc ask Google's public STUN server),
    and max-bundle: with aiortc's default (balanced) an answerer puts a second m-line of one kind (the
    member's floor video) on the first one's transport before the offer's BUNDLE moves that first one,
    so the second is left on a transport that never connects. Browsers bundle anyway."""
    return RTCConfiguration(iceServers=ice_servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)


def _check_slots(kind: str, sdp: str) -> None:
    """Strict about the m-lines' kinds and count, lenient about their directions."""
    try:
        media = [m.kind for m in SessionDescription.parse(sdp).media]
    except Exception:
        raise MediaError("bad_offer", "the offer is not SDP") from None
    expected = [slot.kind for slot in SLOTS[kind]]
    if media != expected:
        raise MediaError("bad_offer", f"a {kind} offers {'+'.join(expected)}, not {'+'.join(media) or 'nothing'}")


def _level(rtt_ms: float | None, loss_pct: float | None) -> str | None:
    if rtt_ms is None or loss_pct is None:
        return None
    if loss_pct < 2 and rtt_ms < 300:
        return "good"
    if loss_pct < 8 and rtt_ms < 600:
        return "fair"
    return "poor"


async def _peer_stats(peer: Peer) -> dict[str, Any]:
    state = peer.pc.connectionState
    items = list((await peer.pc.getStats()).values()) if state != "closed" else []
    numbers, peer.last_bytes = summarise_stats(items, peer.last_bytes, time.monotonic())
    return {"kind": peer.kind, "state": state, **numbers}


def summarise_stats(items: list[Any], last_bytes: tuple[float, int, int], now: float
                    ) -> tuple[dict[str, Any], tuple[float, int, int]]:
    """A connection's numbers from aiortc's stats: the worst round trip and loss, the rates since the
    last time (`last_bytes`: when, bytes in, bytes out), and a level. A remote report before its first
    round trip is known (aiortc gives roundTripTime None until a receiver report echoes a sender
    report) counts for loss only. aiortc passes the report's fraction lost as it came, in 256ths."""
    rtts: list[float] = []
    lost = received = 0
    sent_loss: list[float] = []
    bytes_in = bytes_out = 0
    for item in items:
        if item.type == "remote-inbound-rtp":
            if item.roundTripTime is not None:
                rtts.append(item.roundTripTime)
            if item.fractionLost is not None:       # RTCP's 8-bit fraction (RFC 3550 §6.4.1), as received
                sent_loss.append(item.fractionLost / 256)
        elif item.type == "inbound-rtp":
            lost += max(0, item.packetsLost or 0)
            received += item.packetsReceived or 0
        elif item.type == "transport":
            bytes_in += item.bytesReceived or 0
            bytes_out += item.bytesSent or 0
    rtt_ms = round(max(rtts) * 1000, 1) if rtts else None
    losses = ([100 * lost / (lost + received)] if lost + received else []) + [100 * f for f in sent_loss]
    loss_pct = round(max(losses), 2) if losses else None
    kbps_in = kbps_out = None
    if now > last_bytes[0]:
        span = now - last_bytes[0]
        kbps_in = round((bytes_in - last_bytes[1]) * 8 / 1000 / span, 1)
        kbps_out = round((bytes_out - last_bytes[2]) * 8 / 1000 / span, 1)
    return ({"rtt_ms": rtt_ms, "loss_pct": loss_pct, "kbps_in": kbps_in, "kbps_out": kbps_out,
             "level": _level(rtt_ms, loss_pct)}, (now, bytes_in, bytes_out))
