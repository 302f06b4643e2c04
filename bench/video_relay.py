"""Video relay benchmark: how many remote participants the embedded media process serves (issue 15, item 8;
decision 0014 §6).

    nice .venv/bin/python bench/video_relay.py --backend aiortc                 # 20 s per step
    nice .venv/bin/python bench/video_relay.py --backend aiortc --seconds 10 --max-step 3x5

It starts its own hub, as the other benches do: a temporary SQLite database, `migrate`, `load_demo
--no-links --no-documents`, Daphne on a free port and `manage.py video_server` (videod) with
VIDEO_HUB_URL and VIDEO_CONTROL on free ports (DEBUG=1, a throwaway SECRET_KEY). The chair (`db001`)
opens the demo sitting (`sitting.open`, `agenda.next`); every peer joins **through the hub**: its own
WebSocket with a session made server-side (one `manage.py shell` for all of them, as
tests/browser/conftest.py's `session_for`), `video.join`, then the signal `video.offer` with the SDP
of `video.media.synthetic.make_peer`, and the answer from videod.

What P×S means with the embedded backend: videod forwards ONE member video to members, the floor
video (the live speaker's), plus the hall video and the voice mix, each re-encoded per receiver.
So a step is

- P publisher members (`db002`…) sending a `StampedVideoTrack` (640×360, 15 fps, its frame number
  and `time.monotonic_ns()` as a barcode) and a `ToneTrack`;
- S subscriber members (after the publishers) sending nothing (no track on their send slots);
- one hall camera (the secretary `thuky`, `video.join {"as": "hallcam"}`) sending stamped video,
  which every member receives on slot 1;
- the chair gives the floor (`floor.give`, kind `speech`, `expect_current`) to each publisher in
  turn for an equal share of the step, so each publisher is received through the floor video.

Peers persist from one step to the next (a step adds publishers and subscribers). Every member,
publishers included, receives its 3 streams (mix, hall, floor) and decodes them: publishers drain
theirs, subscribers read the barcode of each decoded frame of slot 1 (hall) and slot 2 (floor).

    floor loss (per subscriber) = 1 - distinct frames of the live publisher decoded / frames it sent
                                  while live, less a switching margin (--margin, 1 s) after each
                                  floor.give and before the end of the step; the mean over subscribers
    hall loss (per subscriber)  = the same for the hall camera's frames sent during the step, less
                                  the margin at each end
    glass-to-glass              = time.monotonic_ns() when the subscriber's recv() returned the
                                  decoded frame - the stamp drawn in it (one clock, same host),
                                  over every counted floor and hall frame of every subscriber
    switch                      = floor.give written -> the new speaker's first frame decoded, per
                                  subscriber and change of speaker (printed, not bounded)

The step's loss is the worse of floor and hall; p50/p99 are nearest-rank over both. fps_out = floor +
hall frames decoded per second summed over subscribers. cpu_per_stream_pct = videod's utime+stime
over the step (from /proc/<pid>/stat) / the streams it sends (`video.stats` → health `streams_out`:
mix, hall and floor per member, the mix to the hall camera) / the step's wall time, in % of one core.
The bench's own CPU (`resource.getrusage`, decoders' threads included) is printed on its own line:
the clients share the two cores with videod and Daphne.

Steps: 1×1, 1×3, 2×3, 3×3, 3×5, 4×5, 5×5, 5×8, 6×10, 8×15, 10×20 (or up to --max-step); it stops
after the first step over bounds (loss > 1 % or glass p50 > 200 ms). The last line is the largest
step within bounds, exactly:

    video-relay backend=aiortc publishers=… subscribers=… fps_out=… loss_pct=… glass_p50_ms=… glass_p99_ms=… cpu_per_stream_pct=…

(`publishers=0 subscribers=0` and zeros when no step is within bounds.) Exit status 1 then, or on an
error. Loopback only; every wait is bounded.

`--backend janus` (decision 0014, stage 3; docs/video.md "Janus"): the bench also starts a Janus of
its own (deploy/janus/ rendered by `video.media.janus_config.render` into its temporary folder, a
free WebSocket port, random secrets, as tests/video/janus_process.py does), and videod with
VIDEO_BACKEND=janus, JANUS_URL, JANUS_API_SECRET and JANUS_ADMIN_KEY: videod only signals, Janus
forwards the packets. The peers do peer.js's JanusPeer flow through the hub: `video.join`; a
publisher (and the hall camera) offers its publisher connection (audio then video, sent only) with
`video.publish`; once every publisher's connection is up at Janus (`video.stats`), everyone
subscribes: `video.subscribe` (Janus offers), `video.answer`, and again with the next gen on the
same connection after a step adds publishers. What P×S means with Janus: each member receives the
hall's sound and picture, the floor video (moved by Janus's `switch` when the floor moves) and every
other member's sound (silent at Janus unless live); the hall camera every member's sound. Floor and
hall video are measured as above. streams_out = the media sections Janus feeds, counted from the
subscriptions (P for the hall camera, 3 + P - 1 per publisher, 3 + P per subscriber; videod's
health gives the same figure), and cpu_per_stream_pct = Janus's utime+stime (/proc/<janus pid>/stat,
all its threads) / streams_out / wall time. videod's own CPU is printed beside the clients'.
--profile (py-spy) is for the aiortc backend only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fanout.servers import (PYTHON, ROOT, BenchError, Proc, cpu_ms, dying_with_us, free_port, loadavg, log,  # noqa: E402
                            machine, profiling, wait_for_port)

STEPS = ((1, 1), (1, 3), (2, 3), (3, 3), (3, 5), (4, 5), (5, 5), (5, 8), (6, 10), (8, 15), (10, 20))
MAX_LOSS_PCT = 1.0
MAX_P50_MS = 200.0

SESSIONS = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from meeting.demo import load_demo
from meeting.models import Member
out = {{"sitting": load_demo().pk, "sessions": {{}}, "members": {{}}}}
for name in {names!r}:
    u = get_user_model().objects.get(username=name)
    s = SessionStore()
    s[SESSION_KEY] = str(u.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = u.get_session_auth_hash()
    s.create()
    out["sessions"][name] = s.session_key
    m = Member.objects.filter(user=u).first()
    out["members"][name] = m.pk if m else None
print("SESSIONS " + json.dumps(out))
"""


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile; nan when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# --- the hub and videod ---------------------------------------------------------------------------------

class Hub:
    """A temporary database, Daphne and videod, all torn down at the end (they die with us even on SIGKILL)."""

    def __init__(self, keep_logs: bool = False, pin: bool = False, janus: bool = False) -> None:
        self.pin = pin
        self.tmp = Path(tempfile.mkdtemp(prefix="video-relay-"))
        self.procs: list[subprocess.Popen] = []
        self.keep_logs = keep_logs
        self.port = free_port()
        self.control_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "CHANNEL_PREFIX")}
        env.update({
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{self.tmp / 'bench.sqlite3'}",
            "DEBUG": "1",
            "SECRET_KEY": "video-relay-" + secrets.token_hex(24),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MEDIA_ROOT": str(self.tmp / "media"),
            "DOCUMENT_ROOT": str(self.tmp / "documents"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "VIDEO_BACKEND": "aiortc",
            "VIDEO_CONTROL": f"127.0.0.1:{self.control_port}",
            "VIDEO_HUB_URL": f"ws://127.0.0.1:{self.port}",
            "VIDEO_ICE_SERVERS": "[]",
        })
        self.janus_port = free_port() if janus else None
        if janus:                                 # videod only signals; Janus carries the media
            env.update({"VIDEO_BACKEND": "janus", "JANUS_URL": f"ws://127.0.0.1:{self.janus_port}",
                        "JANUS_API_SECRET": "bench-api-" + secrets.token_hex(16),
                        "JANUS_ADMIN_KEY": "bench-admin-" + secrets.token_hex(16)})
        self.env = env
        self.videod: subprocess.Popen | None = None
        self.daphne: subprocess.Popen | None = None
        self.janus: subprocess.Popen | None = None

    @property
    def server(self) -> subprocess.Popen:
        """The process that carries the media: Janus, or videod with the embedded backend."""
        return self.janus or self.videod

    def start_janus(self) -> None:
        """deploy/janus/ rendered into our folder (free ports, our secrets), as tests/video/janus_process.py
        does; a wider RTP range, for up to 2 connections per peer and an address per interface."""
        from video.media.janus_config import render

        base = 30000 + secrets.randbelow(250) * 100
        folder = render(self.tmp / "janus", ws_port=self.janus_port, api_secret=self.env["JANUS_API_SECRET"],
                        admin_key=self.env["JANUS_ADMIN_KEY"], rtp_ports=(base, base + 599))
        janus = shutil.which("janus")
        if janus is None:
            raise BenchError("Janus is not installed (apt-get install janus)")
        self.janus = self._start("janus-stdout", [janus, "-F", str(folder), "-L", str(self.tmp / "janus.log"), "-N", "-o"])
        wait_for_port(self.janus_port, self.janus, "janus")

    def manage(self, *argv: str) -> str:
        r = subprocess.run([PYTHON, "manage.py", *argv], cwd=ROOT, env=self.env, capture_output=True, text=True,
                           timeout=600)
        if r.returncode != 0:
            raise BenchError(f"manage.py {argv[0]} failed ({r.returncode}):\n{r.stdout[-2000:]}{r.stderr[-3000:]}")
        return r.stdout

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        with open(self.tmp / f"{name}.log", "wb") as out:
            p = subprocess.Popen(dying_with_us(argv), cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(p)
        return p

    def start(self, names: list[str]) -> dict:
        t = time.monotonic()
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("load_demo", "--no-links", "--no-documents")
        out = self.manage("shell", "-c", SESSIONS.format(names=names))
        data = json.loads(next(ln for ln in out.splitlines() if ln.startswith("SESSIONS "))[len("SESSIONS "):])
        log(f"migrated, loaded the demo and made {len(names)} sessions in {time.monotonic() - t:.1f} s")
        self.daphne = self._start("daphne", [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "-v", "0",
                                             "config.asgi:application"])
        wait_for_port(self.port, self.daphne, "daphne")
        if self.janus_port is not None:
            self.start_janus()
            log(f"Janus on {self.janus_port} (pid {self.janus.pid}, {self.janus_version()})")
        self.videod = self._start("videod", [PYTHON, "manage.py", "video_server"])
        wait_for_port(self.control_port, self.videod, "video_server")
        if self.pin:
            name = "Janus" if self.janus else "videod"
            for task in Path(f"/proc/{self.server.pid}/task").iterdir():   # every thread it has by now;
                os.sched_setaffinity(int(task.name), {0})                 # later ones inherit
            log(f"pinned: {name} on CPU 0; this process, its clients and Daphne on CPU 1")
        log(f"Daphne on {self.port} (pid {self.daphne.pid}), videod on {self.control_port} (pid {self.videod.pid})")
        return data

    @staticmethod
    def janus_version() -> str:
        with contextlib.suppress(Exception):
            out = subprocess.run(["janus", "--version"], capture_output=True, text=True, timeout=10).stdout
            return next((ln.strip() for ln in out.splitlines() if ln.strip()), "janus")
        return "janus"

    def tail(self, name: str, n: int = 30) -> str:
        path = self.tmp / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:]) if path.exists() else ""

    def close(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    p.terminate()
        for p in reversed(self.procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        if self.keep_logs:
            log(f"logs kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


class Client:
    """One user's WebSocket to the sitting: commands and signals by id; events are read and dropped."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.replies: dict[str, asyncio.Future] = {}
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(cls, hub: Hub, session: str, sitting: int) -> Client:
        from websockets.asyncio.client import connect

        ws = await connect(f"ws://127.0.0.1:{hub.port}/ws/sitting/{sitting}/", origin=hub.url,
                           additional_headers={"Cookie": f"sessionid={session}"}, max_size=2**24,
                           ping_interval=None, compression=None, open_timeout=30)
        return cls(ws)

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for text in self.ws:
                if '"in_response"' not in text:
                    continue
                msg = json.loads(text)
                future = self.replies.pop(msg.get("in_response"), None)
                if future is not None and not future.done():
                    future.set_result(msg)

    async def ok(self, cmd: str, args: dict | None = None, timeout: float = 30) -> dict:
        cid = secrets.token_hex(6)
        future = self.replies[cid] = asyncio.get_running_loop().create_future()
        await self.ws.send(json.dumps({"id": cid, "cmd": cmd, "args": args or {}}))
        reply = await asyncio.wait_for(future, timeout)
        if not reply.get("ok"):
            raise BenchError(f"{cmd}: {reply.get('error')}")
        return reply.get("data") or {}

    async def close(self) -> None:
        self.reader.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 3)


# --- peers ------------------------------------------------------------------------------------------------

@dataclass
class Seen:
    """What a subscriber decoded on one video slot: (number, stamp ns) → decode ns (the first time)."""

    frames: dict[tuple[int, int], int] = field(default_factory=dict)
    unreadable: int = 0
    task: asyncio.Task | None = None


async def _watch(track, seen: Seen) -> None:
    from aiortc.mediastreams import MediaStreamError

    from video.media.synthetic import read_stamp

    with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
        while True:
            frame = await track.recv()
            t = time.monotonic_ns()
            stamp = read_stamp(frame)
            if stamp is None:
                seen.unreadable += 1     # black (nobody live yet) or damaged
            elif stamp not in seen.frames:
                seen.frames[stamp] = t


async def _drain(track) -> None:
    from aiortc.mediastreams import MediaStreamError

    with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
        while True:
            await track.recv()


@dataclass
class Member:
    name: str
    member_id: int | None
    client: Client
    pc: object = None
    video: object = None                      # publishers: the StampedVideoTrack
    tasks: list[asyncio.Task] = field(default_factory=list)
    hall: Seen | None = None
    floor: Seen | None = None
    # Janus: the publisher connection is `pc`; the subscriber connection, renegotiated by gen
    token: str = ""
    sub: object = None
    sub_id: str = field(default_factory=lambda: secrets.token_hex(8))
    gen: int = 0
    slots: list[dict] = field(default_factory=list)
    read: set[str] = field(default_factory=set)        # mids whose track is read already

    @property
    def receiving(self):
        """The connection that receives: the subscriber one with Janus, the only one otherwise."""
        return self.sub or self.pc


async def join(client: Client, kind: str, *, audio=None, video=None):
    from aiortc import RTCSessionDescription

    from video.media.synthetic import make_peer

    joined = await client.ok("video.join", {"as": "hallcam"} if kind == "hallcam" else {})
    pc, offer = await make_peer(kind, audio=audio, video=video)
    answer = await client.ok("video.offer", {"token": joined["token"], "pc": secrets.token_hex(8), "gen": 1,
                                             "sdp": offer})
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
    return pc


async def janus_join(m: Member, kind: str, *, audio=None) -> None:
    """`video.join`, then (with something to send) the publisher connection: audio then video, sent
    only, as peer.js's JanusPeer; `video.publish` returns Janus's answer. A member who sends nothing
    only subscribes."""
    from aiortc import RTCPeerConnection, RTCSessionDescription

    from video.media.aiortc_backend import peer_configuration

    joined = await m.client.ok("video.join", {"as": "hallcam"} if kind == "hallcam" else {})
    m.token = joined["token"]
    if audio is None and m.video is None:
        return
    pc = RTCPeerConnection(peer_configuration([]))
    pc.addTransceiver(audio or "audio", direction="sendonly")
    pc.addTransceiver(m.video or "video", direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    answer = await m.client.ok("video.publish", {"token": m.token, "pc": secrets.token_hex(8), "gen": 1,
                                                 "sdp": pc.localDescription.sdp})
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
    m.pc = pc


async def janus_subscribe(m: Member) -> None:
    """`video.subscribe` with the next gen on the same subscriber connection: Janus offers (or says
    nothing changed), we answer with `video.answer`. A subscriber's hall and floor videos are
    watched; every other track received (the hall's sound, the members' voices, a publisher's own
    hall and floor) is drained."""
    from aiortc import RTCPeerConnection, RTCSessionDescription

    from video.media.aiortc_backend import peer_configuration

    m.gen += 1
    reply = await m.client.ok("video.subscribe", {"token": m.token, "pc": m.sub_id, "gen": m.gen})
    m.slots = reply.get("slots") or []
    if not reply.get("sdp"):
        return
    if m.sub is None:
        m.sub = RTCPeerConnection(peer_configuration([]))
    await m.sub.setRemoteDescription(RTCSessionDescription(sdp=reply["sdp"], type="offer"))
    await m.sub.setLocalDescription(await m.sub.createAnswer())
    await m.client.ok("video.answer", {"token": m.token, "pc": m.sub_id, "gen": m.gen,
                                       "sdp": m.sub.localDescription.sdp})
    tracks = {t.mid: t.receiver.track for t in m.sub.getTransceivers()}
    for slot in m.slots:
        mid = slot["mid"]
        if mid in m.read or mid not in tracks:
            continue
        m.read.add(mid)
        if m.hall is not None and slot["source"] == "hall" and slot["kind"] == "video":
            m.hall.task = asyncio.ensure_future(_watch(tracks[mid], m.hall))
        elif m.floor is not None and slot["source"] == "floor":
            m.floor.task = asyncio.ensure_future(_watch(tracks[mid], m.floor))
        else:
            m.tasks.append(asyncio.ensure_future(_drain(tracks[mid])))


async def janus_subscribe_all(chair: Client, hallcam: Member, publishers: list[Member],
                              subscribers: list[Member], timeout: float = 30.0) -> int:
    """Once every publisher's connection is up at Janus (only those can be subscribed to), everyone
    subscribes again (the new ones for the first time), until each receives what it should: a member
    the hall's sound and picture, the floor video and every other member's voice; the hall camera
    every member's voice. Returns the streams Janus sends (media sections fed, all of them)."""
    ids = {m.member_id for m in publishers}
    deadline = time.monotonic() + timeout
    while True:
        stats = await chair.ok("video.stats")
        up = {p["member_id"] for p in stats.get("peers") or () if p.get("state") == "connected"}
        if ids <= up:
            break
        if time.monotonic() > deadline:
            raise BenchError(f"publishers not up at Janus after {timeout:.0f} s: {sorted(ids - up)}")
        await asyncio.sleep(0.2)
    p = len(publishers)
    wanted = [(hallcam, p)] + [(m, 3 + p - 1) for m in publishers] + [(m, 3 + p) for m in subscribers]
    while True:
        await asyncio.gather(*(janus_subscribe(m) for m, n in wanted if len(m.slots) != n or m.sub is None))
        short = [f"{m.name}: {len(m.slots)} of {n}" for m, n in wanted if len(m.slots) != n]
        if not short:
            break
        if time.monotonic() > deadline:
            raise BenchError(f"subscriptions short after {timeout:.0f} s: {short}")
        await asyncio.sleep(0.5)
    await wait_connected([m.sub for m, _ in wanted])
    return sum(n for _, n in wanted)


async def wait_connected(pcs: list, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(pc.connectionState == "connected" for pc in pcs):
            return
        await asyncio.sleep(0.1)
    states = [pc.connectionState for pc in pcs]
    raise BenchError(f"peers not connected after {timeout:.0f} s: {states}")


# --- the measurement ----------------------------------------------------------------------------------------

def count(seen: Seen, windows: list[tuple[dict[int, int], int, int]]) -> tuple[int, int, list[float]]:
    """(expected, decoded, glass ms) of one subscriber's slot: for each (sent {n: ns}, from ns, to ns) window,
    the frames sent in it, those of them decoded (the exact stamp), and their glass-to-glass times."""
    expected = decoded = 0
    glass: list[float] = []
    for sent, start, end in windows:
        for n, t_ns in sent.items():
            if start <= t_ns <= end:
                expected += 1
                t = seen.frames.get((n, t_ns))
                if t is not None:
                    decoded += 1
                    glass.append((t - t_ns) / 1e6)
    return expected, decoded, glass


async def rtp_video_in(pcs: list) -> tuple[int, int]:
    """(packets lost, packets received) of the video received by these peers, as their RTCP sees it."""
    lost = received = 0
    for pc in pcs:
        for item in (await pc.getStats()).values():
            if item.type == "inbound-rtp" and item.kind == "video":
                lost += max(0, item.packetsLost)
                received += item.packetsReceived
    return lost, received


def snapshot(track) -> dict[int, int]:
    return dict(track.sent)


@dataclass
class Floor:
    """Who holds the floor between steps: the speech id for `expect_current`, and the live publisher."""

    current: int | None = None
    live: Member | None = None


async def measure(args, hub: Hub, chair: Client, step: tuple[int, int], publishers: list[Member],
                  subscribers: list[Member], hall_video, floor: Floor, streams_of) -> dict:
    """One step: the chair gives the floor to each publisher in turn for an equal share of
    --seconds; then the subscribers' hall and floor frames are counted. `streams_of(video.stats)`:
    the streams the media server sends."""
    p_count, s_count = step
    janus = hub.janus is not None
    server_name = "janus" if janus else "videod"
    server_pid = hub.server.pid
    for m in subscribers:
        m.hall.frames.clear()
        m.floor.frames.clear()
        m.hall.unreadable = m.floor.unreadable = 0
    rtp0 = await rtp_video_in([m.receiving for m in subscribers])
    margin = int(args.margin * 1e9)
    share = args.seconds / p_count
    gives: list[tuple[Member, int]] = []
    spy = ([] if janus else [Proc("videod", hub.videod)]) + ([Proc("bench", _Self())] if args.profile_clients else [])
    # py-spy starts and stops in a thread: profiling() sleeps and waits, which would stall our clients.
    spying = profiling(args.profile and f"{args.profile}/{p_count}x{s_count}", spy, f"{p_count}x{s_count}")
    await asyncio.to_thread(spying.__enter__)
    cpu0 = cpu_ms(server_pid)
    videod0 = cpu_ms(hub.videod.pid) if janus else None
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic_ns()
    switches: list[tuple[Member, int]] = []     # (new speaker, floor.give written) when the speaker changes
    for i, pub in enumerate(publishers):
        written = time.monotonic_ns()
        reply = await chair.ok("floor.give", {"member_id": pub.member_id, "kind": "speech",
                                              "expect_current": floor.current})
        floor.current = reply["speech_id"]
        gives.append((pub, time.monotonic_ns()))
        if pub is not floor.live:
            switches.append((pub, written))
        floor.live = pub
        await asyncio.sleep(max(0.0, t0 / 1e9 + (i + 1) * share - time.monotonic()))
    t1 = time.monotonic_ns()
    cpu1 = cpu_ms(server_pid)
    videod1 = cpu_ms(hub.videod.pid) if janus else None
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    profiled = asyncio.ensure_future(asyncio.to_thread(spying.__exit__, None, None, None))
    stats = await chair.ok("video.stats")
    await asyncio.sleep(0.5)                  # the last frames in flight reach the subscribers
    rtp1 = await rtp_video_in([m.receiving for m in subscribers])
    rtp_lost, rtp_received = rtp1[0] - rtp0[0], rtp1[1] - rtp0[1]
    server_loss = max((p.get("loss_pct") or 0.0 for p in stats.get("peers") or ()), default=0.0)
    await profiled
    # count
    floor_windows = []
    for i, (pub, given) in enumerate(gives):
        end = gives[i + 1][1] if i + 1 < len(gives) else t1
        floor_windows.append((snapshot(pub.video), given + margin, end - margin))
    hall_windows = [(snapshot(hall_video), t0 + margin, t1 - margin)]
    floor_loss, hall_loss, floor_glass, hall_glass = [], [], [], []
    floor_decoded = hall_decoded = 0
    for m in subscribers:
        e, d, g = count(m.floor, floor_windows)
        floor_loss.append(100.0 * (1 - d / e) if e else 100.0)
        floor_glass += g
        floor_decoded += sum(1 for t in m.floor.frames.values() if t0 <= t <= t1)
        e, d, g = count(m.hall, hall_windows)
        hall_loss.append(100.0 * (1 - d / e) if e else 100.0)
        hall_glass += g
        hall_decoded += sum(1 for t in m.hall.frames.values() if t0 <= t <= t1)
    glass = floor_glass + hall_glass
    # the switch: floor.give written -> the new speaker's first frame decoded, per subscriber
    switch_ms: list[float] = []
    for pub, written in switches:
        sent = snapshot(pub.video)
        for m in subscribers:
            first = min((t for (n, t_ns), t in m.floor.frames.items() if t >= written and sent.get(n) == t_ns),
                        default=None)
            if first is not None:
                switch_ms.append((first - written) / 1e6)
    wall = (t1 - t0) / 1e9
    streams = streams_of(stats)
    server_core = (cpu1 - cpu0) / 1000 / wall * 100 if cpu0 is not None and cpu1 is not None else math.nan
    clients_core = ((ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)) / wall * 100
    floor_mean = sum(floor_loss) / len(floor_loss)
    hall_mean = sum(hall_loss) / len(hall_loss)
    r = {"p": p_count, "s": s_count, "fps_out": (floor_decoded + hall_decoded) / wall,
         "loss": max(floor_mean, hall_mean), "floor_loss": floor_mean, "hall_loss": hall_mean,
         "worst_floor_loss": max(floor_loss), "p50": pct(glass, 50), "p99": pct(glass, 99),
         "streams": streams, "videod_pct": server_core, "per_stream": server_core / streams,
         "clients_pct": clients_core, "load": loadavg()}
    r["ok"] = r["loss"] <= MAX_LOSS_PCT and r["p50"] <= MAX_P50_MS
    if janus:
        videod_core = (videod1 - videod0) / 1000 / wall * 100 if None not in (videod0, videod1) else math.nan
        print(f"  clients (this process) cpu_pct={clients_core:.0f} of one core over {wall:.1f} s; "
              f"RTP video packets lost on the way to the subscribers {rtp_lost} of "
              f"{rtp_lost + rtp_received}; videod (signalling only) cpu_pct={videod_core:.1f}; "
              f"videod's health streams_out={stats.get('streams')}", flush=True)
    else:
        print(f"  clients (this process) cpu_pct={clients_core:.0f} of one core over {wall:.1f} s; "
              f"RTP video packets lost on the way to the subscribers {rtp_lost} of "
              f"{rtp_lost + rtp_received}; videod's worst peer loss_pct {server_loss}", flush=True)
    print(f"step {p_count}x{s_count}: streams_out={streams} fps_out={r['fps_out']:.1f} "
          f"loss_pct={r['loss']:.2f} (floor {floor_mean:.2f}, worst subscriber {max(floor_loss):.2f}; "
          f"hall {hall_mean:.2f}) glass_p50_ms={r['p50']:.1f} glass_p99_ms={r['p99']:.1f} "
          f"(floor p50 {pct(floor_glass, 50):.1f} p99 {pct(floor_glass, 99):.1f}; "
          f"hall p50 {pct(hall_glass, 50):.1f} p99 {pct(hall_glass, 99):.1f}) "
          f"switch_p50_ms={pct(switch_ms, 50):.0f} max={max(switch_ms, default=math.nan):.0f} "
          f"{server_name}_cpu_pct={server_core:.0f} cpu_per_stream_pct={r['per_stream']:.2f} "
          f"load={r['load']} {'within bounds' if r['ok'] else 'OVER BOUNDS'}", flush=True)
    return r


async def run(args) -> int:
    from video.media.synthetic import StampedVideoTrack, ToneTrack

    janus = args.backend == "janus"
    steps = [s for s in STEPS if s[0] <= args.max_step[0] and s[1] <= args.max_step[1]]
    max_p, max_s = max(p for p, _ in steps), max(s for _, s in steps)
    if 1 + max_p + max_s > 50:
        raise BenchError("the demo has delegates db001…db050: at most 49 publishers + subscribers")
    publishers_names = [f"db{i:03d}" for i in range(2, 2 + max_p)]
    subscribers_names = [f"db{i:03d}" for i in range(2 + max_p, 2 + max_p + max_s)]
    hub = Hub(keep_logs=args.keep_logs, pin=args.pin, janus=janus)
    clients: list[Client] = []
    members: list[Member] = []
    pcs: list = []
    results: list[dict] = []
    failed = False
    hall_drain: asyncio.Task | None = None
    hallcam: Member | None = None
    try:
        data = hub.start(["db001", "thuky", *publishers_names, *subscribers_names])
        sitting, sessions, ids = data["sitting"], data["sessions"], data["members"]
        chair = await Client.open(hub, sessions["db001"], sitting)
        clients.append(chair)
        await chair.ok("sitting.open")
        await chair.ok("agenda.next", {"expect_current": None})
        desk = await Client.open(hub, sessions["thuky"], sitting)
        clients.append(desk)
        hall_video = StampedVideoTrack(640, 360, 15)
        if janus:
            hallcam = Member("thuky", None, desk, video=hall_video)
            await janus_join(hallcam, "hallcam", audio=ToneTrack(freq=220, amplitude=3000))
            members.append(hallcam)
            hall_pc = hallcam.pc
        else:
            hall_pc = await join(desk, "hallcam", audio=ToneTrack(freq=220, amplitude=3000), video=hall_video)
            hall_drain = asyncio.ensure_future(_drain(hall_pc.getTransceivers()[0].receiver.track))
        pcs.append(hall_pc)
        await wait_connected([hall_pc])
        log(f"sitting {sitting} open; hall camera joined")
        publishers: list[Member] = []
        subscribers: list[Member] = []
        floor = Floor()
        janus_streams = 0
        for p_count, s_count in steps:
            new: list[Member] = []
            while len(publishers) < p_count:
                name = publishers_names[len(publishers)]
                client = await Client.open(hub, sessions[name], sitting)
                clients.append(client)
                m = Member(name, ids[name], client, video=StampedVideoTrack(640, 360, 15))
                if janus:
                    await janus_join(m, "member", audio=ToneTrack(freq=440, amplitude=8000))
                else:
                    m.pc = await join(client, "member", audio=ToneTrack(freq=440, amplitude=8000), video=m.video)
                    m.tasks = [asyncio.ensure_future(_drain(t.receiver.track)) for t in m.pc.getTransceivers()]
                publishers.append(m)
                new.append(m)
            while len(subscribers) < s_count:
                name = subscribers_names[len(subscribers)]
                client = await Client.open(hub, sessions[name], sitting)
                clients.append(client)
                m = Member(name, ids[name], client, hall=Seen(), floor=Seen())
                if janus:
                    await janus_join(m, "member")         # sends nothing: no publisher connection
                else:
                    m.pc = await join(client, "member")
                    tracks = [t.receiver.track for t in m.pc.getTransceivers()]
                    m.tasks = [asyncio.ensure_future(_drain(tracks[0]))]
                    m.hall.task = asyncio.ensure_future(_watch(tracks[1], m.hall))
                    m.floor.task = asyncio.ensure_future(_watch(tracks[2], m.floor))
                subscribers.append(m)
                new.append(m)
            members.extend(new)
            pcs.extend(m.pc for m in new if m.pc is not None)
            await wait_connected([m.pc for m in new if m.pc is not None])
            if janus:
                janus_streams = await janus_subscribe_all(chair, hallcam, publishers, subscribers)
            await asyncio.sleep(args.settle)          # encoders ramp up, new peers' first key frames
            if janus:
                streams_of = lambda stats, n=janus_streams: n   # noqa: E731  (counted from the slots)
            else:
                streams_of = lambda stats: int(stats.get("streams") or 0) or (3 * len(members) + 1)  # noqa: E731
            r = await measure(args, hub, chair, (p_count, s_count), publishers, subscribers, hall_video, floor,
                              streams_of)
            results.append(r)
            if not r["ok"] and not args.keep_going:
                break
    except Exception as e:        # an overloaded client's connection may fail (aiortc closes it): still report
        failed = True
        print(f"error: {e}" if isinstance(e, BenchError) else f"error: {type(e).__name__}: {e}", file=sys.stderr)
        if hub.janus is not None:
            print("janus log:\n" + hub.tail("janus"), file=sys.stderr)
        if hub.videod is not None:
            print("videod log:\n" + hub.tail("videod"), file=sys.stderr)
        print("daphne log:\n" + hub.tail("daphne"), file=sys.stderr)
    finally:
        if hall_drain is not None:
            hall_drain.cancel()
        for m in members:
            for task in m.tasks + [s.task for s in (m.hall, m.floor) if s is not None and s.task is not None]:
                task.cancel()
        for pc in pcs + [m.sub for m in members if m.sub is not None]:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pc.close(), 5)
        for c in clients:
            await c.close()
        hub.close()
    within = []
    for r in results:                 # the largest step within bounds before the first one over them
        if not r["ok"]:
            break
        within.append(r)
    backend = args.backend
    if within:
        b = within[-1]
        line = (f"video-relay backend={backend} publishers={b['p']} subscribers={b['s']} fps_out={b['fps_out']:.1f} "
                f"loss_pct={b['loss']:.2f} glass_p50_ms={b['p50']:.1f} glass_p99_ms={b['p99']:.1f} "
                f"cpu_per_stream_pct={b['per_stream']:.2f}")
    else:
        line = (f"video-relay backend={backend} publishers=0 subscribers=0 fps_out=0.0 loss_pct=100.00 "
                "glass_p50_ms=nan glass_p99_ms=nan cpu_per_stream_pct=nan")
    print(f"load average after: {loadavg()}", flush=True)
    print(line, flush=True)
    return 0 if within and not failed else 1


class _Self:
    """This process, for py-spy (--profile-clients): `profiling` wants a Popen-like `.pid`."""

    pid = os.getpid()


async def calibrate(seconds: float = 8.0) -> None:
    """One aiortc hop with no videod (two peer connections in this process, over loopback): the floor
    of glass-to-glass that aiortc's own receiver adds. Its video jitter buffer hands a frame on when
    the first packet of the next one arrives, so a hop costs about one frame interval."""
    from aiortc import RTCPeerConnection

    from video.media.aiortc_backend import peer_configuration
    from video.media.synthetic import StampedVideoTrack, read_stamp

    for fps in (15, 30):
        a, b = RTCPeerConnection(peer_configuration([])), RTCPeerConnection(peer_configuration([]))
        a.addTrack(StampedVideoTrack(640, 360, fps))
        received = asyncio.get_running_loop().create_future()
        b.on("track", lambda track, received=received: received.done() or received.set_result(track))
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)
        track = await asyncio.wait_for(received, 30)
        glass: list[float] = []
        start, end = time.monotonic() + 2, time.monotonic() + 2 + seconds
        while time.monotonic() < end:
            frame = await asyncio.wait_for(track.recv(), 10)
            t = time.monotonic_ns()
            stamp = read_stamp(frame)
            if stamp is not None and time.monotonic() > start:
                glass.append((t - stamp[1]) / 1e6)
        await a.close()
        await b.close()
        print(f"calibration: one aiortc hop, no videod, {fps} fps: glass_p50_ms={pct(glass, 50):.1f} "
              f"p99={pct(glass, 99):.1f} (a frame interval is {1000 / fps:.1f} ms)", flush=True)


def step_arg(text: str) -> tuple[int, int]:
    p, _, s = text.lower().replace("×", "x").partition("x")
    try:
        return int(p), int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a step is PxS, e.g. 3x5, not {text!r}") from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("aiortc", "janus"), default="aiortc")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each step (default 20)")
    parser.add_argument("--max-step", type=step_arg, default=(49, 49), metavar="PxS",
                        help="stop after this step (e.g. 3x5)")
    parser.add_argument("--margin", type=float, default=1.0,
                        help="switching margin in s after each floor.give and before a step's end (default 1)")
    parser.add_argument("--settle", type=float, default=3.0, help="s between new peers connected and the step (3)")
    parser.add_argument("--calibrate", action="store_true",
                        help="first measure one aiortc hop without videod, at 15 and 30 fps (about 20 s)")
    parser.add_argument("--pin", action="store_true",
                        help="videod on CPU 0, this process (the clients) and Daphne on CPU 1, so that the clients' "
                             "cost does not take videod's core (other work on the machine still shares both)")
    parser.add_argument("--keep-going", action="store_true",
                        help="run every step up to --max-step even after one over bounds (the last line is unchanged)")
    parser.add_argument("--profile", metavar="DIR", help="py-spy stacks of videod for each step, in DIR/PxS/ "
                        "(pip install --target /tmp/pyspy py-spy; PATH=/tmp/pyspy/bin:$PATH)")
    parser.add_argument("--profile-clients", action="store_true", help="with --profile: this process's stacks too")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temporary directory (Daphne's and videod's logs)")
    args = parser.parse_args()
    if args.backend == "janus" and args.profile:
        parser.error("--profile reads Python stacks (videod's): not with --backend janus")
    log(f"machine: {machine()}; load average before: {loadavg()}")
    if args.pin:
        os.sched_setaffinity(0, {1})              # before any thread or child: they inherit it
    if args.calibrate:
        asyncio.run(calibrate())
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
