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

log = logging.getLogger("video.media")

POLL_SECONDS = 2.0


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

    async def run(self):
        import websockets

        backoff = 0.5
        await self.backend.handle("open_room", {"room": self.sitting_id})
        while True:
            try:
                origin = self.url.replace("ws://", "http://").replace("wss://", "https://").split("/ws/")[0]
                async with websockets.connect(self.url, open_timeout=10, max_size=2**24, additional_headers={
                        "Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session_key}", "Origin": origin}) as ws:
                    backoff = 0.5
                    async for frame in ws:
                        await self.receive(json.loads(frame))
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

    async def settle(self):
        live = live_peers(self.state)
        if live != self.live:
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
                with contextlib.suppress(Exception):
                    await backend.handle("close_room", {"room": sitting_id})
            await asyncio.sleep(poll)
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
