"""The media process follows the hub (docs/decisions/0014 §1): for each live sitting, one WebSocket
`/ws/sitting/<id>/` as the media device (role `media`, the displays' audience), its state kept by
the registered reducers by seq, and after every frame the set of live voices handed to the backend
(`set_live`, versioned by seq, so an older set never wins). A gap, a heartbeat ahead of us or a
broken link: connect again and start from a fresh snapshot. Peers whose joining ended are closed.

The media device and its Django session are made here (the process shares the database and
SECRET_KEY); the device is revoked by the office like any other, which ends the following.
"""

import asyncio
import contextlib
import json
import logging

from asgiref.sync import sync_to_async
from django.conf import settings

from .live import live_peers
from .media.link import MediaError

log = logging.getLogger("video.media")

POLL_SECONDS = 2.0
REPORT_SECONDS = 2.0
LEVEL_HOLD_SECONDS = 10.0  # a quality changes in the state at most this often (a flapping link)
# The peer connection's state -> the state's `link`.
LINK = {"new": "connecting", "connecting": "connecting", "connected": "connected",
        "disconnected": "lost", "failed": "lost", "closed": "lost"}


def media_session() -> str:
    """The session key the media process signs in with: its device's, made once and kept."""
    from importlib import import_module

    from accounts.models import Device
    from accounts.services import bind_session

    device = Device.objects.filter(kind=Device.Kind.MEDIA, revoked=False).order_by("pk").first()
    if device is None:
        device = Device.objects.create(kind=Device.Kind.MEDIA, label="videod")
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if device.session_key and store_class().exists(device.session_key):
        return device.session_key
    session = store_class()
    session["device_id"] = device.pk
    session.save()
    bind_session(device, session.session_key)
    return session.session_key


def spool_path(sitting_id: int) -> str:
    """Where a recording is written while it runs (VIDEO_RECORDING_SPOOL), named so that one left by a
    media process that died can be recovered: sitting-<id>-<start, epoch ms>.ogg."""
    import time
    from pathlib import Path

    folder = Path(settings.VIDEO_RECORDING_SPOOL)
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"sitting-{sitting_id}-{int(time.time() * 1000)}.ogg")


def store_recording(sitting_id: int, path: str, started: float, ended: float) -> int | None:
    """Move a finished recording into the private documents storage and record it (the write path,
    as the system: the sitting may have closed). The spool file is removed once it is stored."""
    import datetime as dt
    import os

    from django.core.files import File
    from django.core.files.storage import storages

    from accounts.permissions import system_actor

    from . import services

    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    name = f"recordings/sitting-{sitting_id}/{os.path.basename(path)}"
    storage = storages["documents"]
    with open(path, "rb") as handle:
        name = storage.save(name, File(handle))
    size = os.path.getsize(path)
    utc = dt.timezone.utc
    pk = services.recorded(system_actor(), sitting_id, name, dt.datetime.fromtimestamp(started, utc),
                           dt.datetime.fromtimestamp(ended, utc), size)
    os.remove(path)
    return pk


async def finish_recording(backend, sitting_id: int) -> None:
    try:
        done = await backend.handle("record_stop", {"room": sitting_id})
    except Exception:  # noqa: BLE001 (the media server gone: a file left in the spool is recovered at the next start)
        log.exception("sitting %s: could not stop the recording", sitting_id)
        return
    if done.get("path"):
        try:
            await sync_to_async(store_recording, thread_sensitive=False)(
                sitting_id, done["path"], done["started_at"], done["ended_at"])
        except Exception:  # noqa: BLE001 (kept in the spool: recovered at the next start)
            log.exception("sitting %s: could not store the recording %s", sitting_id, done["path"])


def recover_spool() -> int:
    """Recordings a media process left when it died (their files are in the spool): stored with the
    span their file covers (its name's start to its last write). Returns how many."""
    import os
    import re
    from pathlib import Path

    folder = Path(settings.VIDEO_RECORDING_SPOOL)
    count = 0
    for path in sorted(folder.glob("sitting-*-*.ogg")) if folder.exists() else ():
        match = re.fullmatch(r"sitting-(\d+)-(\d+)\.ogg", path.name)
        if not match:
            continue
        try:
            if store_recording(int(match[1]), str(path), int(match[2]) / 1000, os.path.getmtime(path)):
                count += 1
        except Exception:  # noqa: BLE001
            log.exception("could not recover the recording %s", path)
    return count


def live_sittings() -> set[int]:
    from realtime.registry import sitting_model

    Sitting = sitting_model()
    return set(Sitting.objects.filter(status=Sitting.Status.LIVE).values_list("pk", flat=True))


def apply(state: dict, type_: str, data) -> None:
    from realtime import registry

    if type_ == "skip":
        return
    if type_ == "state.replaced":
        state.clear()
        state.update(data)
        return
    part = registry.event(type_)
    if part is not None:
        part.apply(state, data)


class Resync(Exception):
    """Start again from a snapshot (a gap, or a heartbeat ahead of us)."""


class SittingFollower:
    def __init__(self, sitting_id: int, backend, session_key: str, hub_url: str):
        self.sitting_id = sitting_id
        self.backend = backend
        self.session_key = session_key
        self.url = f"{hub_url.rstrip('/')}/ws/sitting/{sitting_id}/"
        self.state = None
        self.seq = None
        self.live = None
        self.members = set()
        self.lost_since: dict[str, float] = {}  # peer -> when the media process first saw it lost
        self.level_at: dict[str, float] = {}  # peer -> when its level was last reported

    async def report_loop(self, ws, every: float = REPORT_SECONDS):
        """What the media process observes, told to the hub when it differs from the state (command
        video.report, stored and audited as any command): the room's health and load, each joined
        member's connection and its quality; lost longer than VIDEO_GRACE_SECONDS: ended."""
        import time

        n = 0
        while True:
            await asyncio.sleep(every)
            if self.state is None:
                continue
            try:
                args = await self.observe(time.monotonic())
            except Exception:  # noqa: BLE001 (a room closing meanwhile: next time)
                log.warning("sitting %s: could not read the room's numbers", self.sitting_id, exc_info=True)
                continue
            if args:
                n += 1
                await ws.send(json.dumps({"id": f"videod-{self.sitting_id}-{time.time_ns()}-{n}", "cmd": "video.report",
                                          "args": args}))

    async def observe(self, now: float) -> dict | None:
        await self.keep_room()
        await self.keep_recording()
        health = await self.backend.handle("health", {})
        stats = (await self.backend.handle("stats", {"room": self.sitting_id})).get("peers") or {}
        video = self.state.get("video") or {}
        shown = video.get("room") or {}
        room = {"up": bool(health.get("up")), "streams": int(health.get("streams_out", 0)),
                "capacity": int(health.get("capacity_streams", 0)), "overloaded": bool(health.get("overloaded")),
                "recording": self.sitting_id in (health.get("recording") or ())}
        args: dict = {}
        if any(shown.get(k) != v for k, v in room.items()):
            args["room"] = room
        peers = []
        for p in video.get("participants") or ():
            key = f"m:{p['member_id']}"
            seen = stats.get(key) or {}
            state = LINK.get(seen.get("state"), "lost" if p["link"] != "connecting" else "connecting")
            if state == "lost":
                since = self.lost_since.setdefault(key, now)
                if now - since > settings.VIDEO_GRACE_SECONDS:
                    peers.append({"peer": key, "state": "ended"})
                    await self.backend.handle("close", {"room": self.sitting_id, "peer": key})
                    self.lost_since.pop(key, None)
                    continue
            else:
                self.lost_since.pop(key, None)
            level = seen.get("level") if state == "connected" else None
            held = level is not None and now - self.level_at.get(key, -1e9) < LEVEL_HOLD_SECONDS
            if level != p.get("level") and held:
                level = p.get("level")  # changed too soon after the last change: keep the one shown
            if state != p["link"] or level != p.get("level"):
                if level != p.get("level"):
                    self.level_at[key] = now
                peers.append({"peer": key, "state": state, "level": level})
        if peers:
            args["peers"] = peers
        return args or None

    async def keep_room(self):
        """The media relay still has the room, or has it again: a Janus that restarted (its session
        lost) forgets every room, and pages could not publish again until the next videod. Opened
        anew, it is given the live set again at once (Janus mutes a member only when told)."""
        try:
            await self.backend.handle("stats", {"room": self.sitting_id})
        except MediaError as error:
            if error.code != "no_room":
                raise
            log.warning("sitting %s: the media relay lost the room; opening it again", self.sitting_id)
            # A recording the loss ended is finished: stored now, before keep_recording starts the next.
            await finish_recording(self.backend, self.sitting_id)
            await self.backend.handle("open_room", {"room": self.sitting_id})
            self.live = None
            if self.state is not None:
                await self.settle()

    async def run(self):
        import websockets

        backoff = 0.5
        while True:
            try:
                # At every (re)connection, not once: a media relay down when the sitting opened (Janus
                # not up yet) would otherwise leave the sitting without a room for good.
                await self.backend.handle("open_room", {"room": self.sitting_id})
                origin = self.url.replace("ws://", "http://").replace("wss://", "https://").split("/ws/")[0]
                async with websockets.connect(self.url, open_timeout=10, max_size=2**24, additional_headers={
                        "Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session_key}", "Origin": origin}) as ws:
                    backoff = 0.5
                    reporter = asyncio.create_task(self.report_loop(ws))
                    try:
                        async for frame in ws:
                            await self.receive(json.loads(frame))
                    finally:
                        reporter.cancel()
            except asyncio.CancelledError:
                raise
            except Resync as e:
                log.info("sitting %s: %s; following again from a snapshot", self.sitting_id, e)
                continue
            except Exception as e:  # noqa: BLE001 (the hub restarting, a refused connect: try again)
                log.warning("sitting %s: following failed (%s); again in %.1f s", self.sitting_id, e, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)

    async def receive(self, msg: dict):
        kind = msg.get("type")
        if kind == "snapshot":
            self.state, self.seq = msg["data"], msg["seq"]
        elif kind == "batch":
            for event in msg["events"]:
                self.event(event)
        elif kind == "heartbeat":
            if self.seq is not None and msg.get("seq") is not None and msg["seq"] > self.seq:
                raise Resync(f"heartbeat at seq {msg['seq']}, have {self.seq}")
            return
        elif "seq" in msg and "data" in msg:
            self.event(msg)
        else:
            return
        await self.settle()

    def event(self, msg: dict):
        if self.seq is None or msg["seq"] <= self.seq:
            return
        if msg["seq"] != self.seq + 1:
            raise Resync(f"gap: have seq {self.seq}, got {msg['seq']}")
        apply(self.state, msg["type"], msg["data"])
        self.seq = msg["seq"]

    async def keep_recording(self):
        """Record while the chair wants it and there is a sound to record (the hall camera page or a
        remote participant in the room); a stretch that ends goes to the documents storage."""
        video = (self.state or {}).get("video") or {}
        wanted = bool(video.get("room", {}).get("record", True) and video.get("room", {}).get("enabled")
                      and ((video.get("hall") or {}).get("publishing") or video.get("participants")))
        running = self.sitting_id in ((await self.backend.handle("health", {})).get("recording") or ())
        if wanted and not running:
            await self.backend.handle("record_start", {"room": self.sitting_id, "path": spool_path(self.sitting_id)})
        elif running and not wanted:
            await finish_recording(self.backend, self.sitting_id)

    async def settle(self):
        live = live_peers(self.state)
        if live != self.live:
            try:
                await self.backend.handle("set_live", {"room": self.sitting_id, "live": live, "version": self.seq})
            except MediaError as error:
                if error.code != "no_room":
                    raise
                await self.backend.handle("open_room", {"room": self.sitting_id})      # lost meanwhile
                await self.backend.handle("set_live", {"room": self.sitting_id, "live": live, "version": self.seq})
            self.live = live
        members = {f"m:{p['member_id']}" for p in (self.state.get("video") or {}).get("participants", ())}
        for gone in self.members - members:
            await self.backend.handle("close", {"room": self.sitting_id, "peer": gone})
        self.members = members


async def follow_sittings(backend, *, hub_url: str | None = None, poll: float = POLL_SECONDS):
    """Follow every live sitting (a room each), open and close rooms as sittings open and close."""
    hub_url = hub_url or settings.VIDEO_HUB_URL
    session_key = await sync_to_async(media_session, thread_sensitive=False)()
    recovered = await sync_to_async(recover_spool, thread_sensitive=False)()
    if recovered:
        log.warning("stored %d recording(s) a media process left unfinished", recovered)
    tasks: dict[int, asyncio.Task] = {}
    try:
        while True:
            try:
                live = await sync_to_async(live_sittings, thread_sensitive=False)()
            except Exception:  # noqa: BLE001 (the database restarting: keep following what we follow)
                log.warning("could not read the live sittings", exc_info=True)
                live = set(tasks)
            for sitting_id in live - set(tasks):
                tasks[sitting_id] = asyncio.create_task(SittingFollower(sitting_id, backend, session_key, hub_url).run())
            for sitting_id in set(tasks) - live:
                tasks.pop(sitting_id).cancel()
                await finish_recording(backend, sitting_id)
                with contextlib.suppress(Exception):
                    await backend.handle("close_room", {"room": sitting_id})
            await asyncio.sleep(poll)
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        for sitting_id in tasks:  # stopped (Ctrl+C, SIGTERM): every recording finished and stored
            with contextlib.suppress(Exception):
                await finish_recording(backend, sitting_id)
