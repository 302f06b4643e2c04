"""The hub's WebSocket consumer: one connection per client and sitting.

Thin by design: it resolves who is connecting, sends the snapshot, relays
events encoded once per audience, parses commands and calls the service
named in realtime.commands. No business rule lives here.
"""

import asyncio
import contextlib
import json
import logging
import math
import random
import re
import secrets
import threading
import time
import weakref
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pydantic import ValidationError

from accounts.permissions import AUDIENCE, AUDIENCES, actor_for, current_actor, may, may_view
from audit.operations import ServiceError
from audit.sampling import RefusalSampler, sampling

from . import commandqueue, registry
from .audience import group_name
from .commands import COMMANDS
from .heartbeat import Ticker
from .models import SittingEvent
from .private import marks, member_events_since, you_for
from .publish import DEVICES_GROUP, _chunks, batch_frame, encode, event_message, members_group, watch_health
from .publish import health as publish_health
from .registry import sitting_model
from .schemas import Envelope, SyncArgs
from .service import GroupItem
from .snapshot import snapshot_json_for
from .wire import WIRE, Frame

log = logging.getLogger(__name__)

# Close codes (docs/protocol.md)
CLOSE_NOT_ALLOWED = 4403
CLOSE_NO_SITTING = 4404
CLOSE_TOO_MANY_REFUSALS = 4429
# Try again after a random delay (behind a proxy, likely on another worker): the process has more
# connections waiting for their snapshot than HUB_CONNECT_QUEUE, or asks some of its clients to move
# to the other workers (_Balancer). Not the standard 1013 "Try Again Later": Daphne's WebSocket
# library (autobahn) lets a server close only with 1000 or 3000-4999: on 1013 the close raised, the
# client got 1011 (internal error) and came back at once, not after 1-5 s. 4503 as HTTP's 503.
CLOSE_TRY_AGAIN_LATER = 4503


REFRESH_GROUPS_S = 3600
# The relay writes at most this many of the layer's messages at once (each up to a batch of events).
DRAIN_MAX_MESSAGES = 1000
# One call to the channel layer from the relay waits at most this long (Redis frozen).
LAYER_TIMEOUT_S = 2


# Tasks started for connections and not awaited (a close, a role read again): held here until done,
# since the event loop keeps only a weak reference to a task.
_background: set = set()


def _in_background(coroutine) -> None:
    task = asyncio.get_running_loop().create_task(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)


class _Relay:
    """One channel-layer channel per process (per event loop) for the sitting groups.

    Each event reaches a process once and is written straight to every local
    connection of its group, instead of once per connection through the layer,
    a receive task and Channels' dispatch (bench/hub_fanout.py: that was most
    of the hub's cost per connection)."""

    def __init__(self):
        self.channel = None
        self.members: dict[str, set] = {}
        # The settled connections of a member, by (sitting id, member id): a per-member event goes
        # to its member's connections without looking at every connection of the sitting (_to_member).
        self.by_member: dict[tuple[int, int], set] = {}
        # Connects reading their role and snapshot, by sitting: they get every audience's events
        # of their sitting until they know their own (SittingConsumer.relay_opening).
        self.opening: dict[int, set] = {}
        self.joined: set[str] = set()  # the groups the layer knows this relay is in
        # sitting id -> the highest seq this relay has written to its connections (the heartbeat's
        # announced seq waits for it during a burst: realtime.heartbeat).
        self.relayed: dict[int, int] = {}
        self.retrying: asyncio.Task | None = None
        self.lock = asyncio.Lock()
        # The heartbeat to this process's connections (realtime.heartbeat).
        self.ticker = Ticker(self)
        # Connects in progress on this process (the morning rush), and the threads their reads run on.
        self.admission = _Admission()
        # Connections of this process accepted and not yet gone (waiting their turn included), for _Balancer.
        self.connected = 0
        # SQLite answers in the thread, holding the GIL: more threads only contend for it (the
        # reconnect bench: 4.9 s of CPU for 520 connects on one thread, 6.2 s on four).
        threads = 1 if connections["default"].vendor == "sqlite" else settings.HUB_CONNECTS_AT_ONCE
        self.readers = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="hub-read")
        weakref.finalize(self, self.readers.shutdown, wait=False)

    @staticmethod
    def _groups(sitting_id) -> list[str]:
        # And the sitting's private group: per-member events, each handed to its member's own
        # connections only (_to_member; realtime.private).
        return [*(group_name(int(sitting_id), audience) for audience in AUDIENCES), members_group(int(sitting_id))]

    def _wanted(self) -> list[str]:
        """The groups this process must be in: every audience's group of each sitting that has a
        connection (or a connect in progress) here. All four, so a connect can be relayed its
        sitting's events before it knows its audience (open())."""
        sittings = {int(s) for s, openers in self.opening.items() if openers}
        sittings |= {int(c.sitting_id) for members in self.members.values() for c in members}
        return [g for s in sorted(sittings) for g in self._groups(s)]

    async def open(self, sitting_id, consumer):
        """A connect is about to read who it is and its snapshot, in one read: relay it every
        audience's events of its sitting meanwhile (it keeps its own audience's, settle()). The
        layer being down (Redis stopped or frozen) does not refuse the connection: the groups are
        joined when the layer is back, and until then the heartbeat's seq (read from the
        database) tells the client to sync."""
        async with self.lock:
            self.opening.setdefault(int(sitting_id), set()).add(consumer)
            missing = [g for g in self._groups(sitting_id) if g not in self.joined]
            if not missing:
                return
            if self.retrying is not None and not self.retrying.done():
                return  # the layer is failing: the retry joins these groups too, nobody waits for it
            try:
                for group in missing:
                    await self._subscribe(group)
            except Exception as e:  # noqa: BLE001 (a timeout, a refused connection, anything)
                log.warning("hub relay: cannot join the groups of sitting %s now (%s); retrying", sitting_id, e)
                self._retry_soon()

    def settle(self, consumer, group):
        """The connect knows its audience: from now on it is relayed its group's events only."""
        self.opening.get(int(consumer.sitting_id), set()).discard(consumer)
        self.members.setdefault(group, set()).add(consumer)
        member_id = consumer.actor.member_id if consumer.actor is not None else None
        if member_id is not None:
            self.by_member.setdefault((int(consumer.sitting_id), member_id), set()).add(consumer)
        self.ticker.ensure_running()

    async def _subscribe(self, group):
        layer = get_channel_layer()
        if self.channel is None:
            channel = await asyncio.wait_for(layer.new_channel(), LAYER_TIMEOUT_S)
            await asyncio.wait_for(layer.group_add(DEVICES_GROUP, channel), LAYER_TIMEOUT_S)
            self.channel = channel
            asyncio.get_running_loop().create_task(self._run(layer))
            watch_health(self._health_changed)
        await asyncio.wait_for(layer.group_add(group, self.channel), LAYER_TIMEOUT_S)
        self.joined.add(group)

    def _retry_soon(self):
        if self.retrying is None or self.retrying.done():
            self.retrying = asyncio.get_running_loop().create_task(self._retry())

    async def _retry(self):
        # Not under the lock: while the layer is frozen each try waits LAYER_TIMEOUT_S, and
        # connects and disconnects of this process must not wait with it (join() leaves the
        # groups to this task meanwhile; a group left while it is joined here is only relayed to
        # nobody until the process's next renewal).
        while True:
            await asyncio.sleep(1)
            missing = [g for g in self._wanted() if g not in self.joined]
            try:
                for group in missing:
                    await self._subscribe(group)
            except Exception:  # noqa: BLE001
                continue
            if not [g for g in self._wanted() if g not in self.joined]:
                log.warning("hub relay: joined %d group(s) again", len(missing))
                return

    async def leave(self, consumer):
        """The connection closed: relay it nothing more; once its sitting has no connection left
        in this process, leave that sitting's groups."""
        async with self.lock:
            sitting_id = int(consumer.sitting_id)
            openers = self.opening.get(sitting_id)
            if openers is not None:
                openers.discard(consumer)
                if not openers:
                    del self.opening[sitting_id]
            members = self.members.get(consumer.group) if consumer.group else None
            if members is not None:
                members.discard(consumer)
                if not members:
                    del self.members[consumer.group]
            member_id = consumer.actor.member_id if consumer.actor is not None else None
            own = self.by_member.get((sitting_id, member_id)) if member_id is not None else None
            if own is not None:
                own.discard(consumer)
                if not own:
                    del self.by_member[(sitting_id, member_id)]
            wanted = set(self._wanted())
            for group in self._groups(sitting_id):
                if group in self.joined and group not in wanted:
                    self.joined.discard(group)
                    try:
                        await asyncio.wait_for(get_channel_layer().group_discard(group, self.channel), LAYER_TIMEOUT_S)
                    except Exception as e:  # noqa: BLE001 (the layer forgets it after group_expiry anyway)
                        log.warning("hub relay: cannot leave %s (%s)", group, e)

    async def _run(self, layer):
        loop = asyncio.get_running_loop()
        loop.create_task(self._refresh(layer))
        # What the layer has brought and this relay has not yet written. The receiving task takes
        # every message the layer holds (its queue answers at once while it has one) before the
        # loop comes back here, so while the relay writes, what arrives meanwhile waits and is then
        # written as ONE frame per connection, however many groups of commands committed it: the
        # fan-out is bounded by the time it takes, not by the number of commits (a burst).
        inbox: asyncio.Queue = asyncio.Queue()
        receiver = loop.create_task(self._receive(layer, inbox))
        try:
            while True:
                messages = [await inbox.get()]
                while not inbox.empty() and len(messages) < DRAIN_MAX_MESSAGES:
                    messages.append(inbox.get_nowait())
                try:
                    await self._deliver(messages)
                except Exception:
                    log.exception("relaying hub events failed")
        finally:
            receiver.cancel()

    async def _receive(self, layer, inbox: asyncio.Queue):
        while True:
            try:
                inbox.put_nowait(await layer.receive(self.channel))
            except asyncio.CancelledError:
                raise
            except Exception:
                # A layer hiccup (Redis restarting) must not stop the relay for good.
                log.exception("hub relay: receiving from the channel layer failed")
                await asyncio.sleep(1)

    async def _deliver(self, messages: list[dict]):
        """Write what the layer brought, in order: the events of each group merged into frames of
        consecutive seqs (a group's events are sorted by seq, a repeated one dropped), each member's
        own events merged alike; a revocation or a re-check after whatever came before it."""
        events: dict[str, dict[int, str]] = {}  # group -> seq -> text
        private: dict[str, list] = {}  # the sitting's private group -> (member id, pseq, text) in order
        for msg in messages:
            kind = msg.get("type")
            if kind in ("hub.revoked", "hub.recheck"):
                await self._flush(events, private)
                events, private = {}, {}
                if kind == "hub.revoked":
                    await self._close_device(msg.get("device"))
                else:
                    self._recheck(msg.get("sitting"))
            elif kind == "hub.member":
                found = msg.get("events")
                if found is None and "member" in msg:  # one event, from a process not yet upgraded
                    found = [(msg["member"], msg.get("pseq"), msg["text"])]
                private.setdefault(msg.get("group"), []).extend(found or ())
            elif "group" in msg:
                # One event, or a batch of them (realtime.publish._send_events), each (seq, text).
                by_seq = events.setdefault(msg["group"], {})
                for seq, text in msg.get("parts") or [(msg["seq"], msg["text"])]:
                    by_seq.setdefault(seq, text)
        await self._flush(events, private)

    async def _flush(self, events: dict[str, dict[int, str]], private: dict[str, list]):
        for group, by_seq in events.items():
            sitting_id = _sitting_of_group(group)
            for run in _runs(sorted(by_seq.items())):
                # `text` is written once to each connection; `parts`, each event alone, are for
                # connections still reading their snapshot, which keep those after it, one by one.
                frame = Frame(batch_frame([text for _seq, text in run]))
                last = run[-1][0]
                for consumer in list(self.members.get(group, ())):
                    try:
                        await consumer.relay(last, frame, run)
                    except Exception:
                        log.exception("relaying a hub event failed")
                if sitting_id is not None:
                    if last > self.relayed.get(sitting_id, 0):
                        self.relayed[sitting_id] = last
                    for consumer in list(self.opening.get(sitting_id, ())):
                        for seq, text in run:
                            consumer.relay_opening(group, seq, text)
        for group, found in private.items():
            await self._to_member(group, found)

    async def _to_member(self, group, events):
        """Per-member events (member id, pseq, text), several members' at once: each to its own
        member's connections of the sitting on this process, nobody else's (a connection is matched
        by its member id; staff, displays and the public have none); a member's several events in
        one batch frame."""
        sitting_id = _sitting_of_group(group)
        if sitting_id is None or not events:
            return
        by_member: dict[int, list] = {}
        for member_id, pseq, text in events:
            if member_id is not None:
                by_member.setdefault(member_id, []).append((pseq, text))
        for member_id, parts in by_member.items():
            consumers = self.by_member.get((sitting_id, member_id))
            if not consumers:
                continue
            if len(parts) > 1 and all(pseq is not None for pseq, _text in parts):
                parts.sort(key=lambda part: part[0])  # from two processes, they may cross
            for chunk in _chunks(parts, lambda part: len(part[1])):
                text = batch_frame([text for _pseq, text in chunk])
                for consumer in list(consumers):
                    try:
                        await consumer.relay_private(text, chunk)
                    except Exception:
                        log.exception("relaying a per-member event failed")
        for consumer in list(self.opening.get(sitting_id, ())):
            for member_id, pseq, text in events:
                consumer.relay_opening_private(member_id, pseq, text)

    async def _close_device(self, device_id):
        """The office revoked a device: close its connections on this process (a connect still
        reading who it is closes itself once it knows, SittingConsumer._open)."""
        for openers in self.opening.values():
            for consumer in openers:
                consumer.revoked_devices.add(device_id)
        for consumer in {c for members in self.members.values() for c in members}:
            device = consumer.actor.device if consumer.actor is not None else None
            if device is not None and device.pk == device_id:
                await consumer.close(code=CLOSE_NOT_ALLOWED)

    def _recheck(self, sitting_id):
        """The office changed who may follow this sitting, or as what (realtime.external): each
        connection of it on this process reads its role again, and one whose role changed is
        closed — 4403 when it may no longer follow it (an anonymous viewer of a sitting made
        non-public), else 4503 so that it comes back at once as what it now is (a chair replaced
        in the admin is no longer served the staff's view)."""
        if not isinstance(sitting_id, int):
            return
        consumers = {c for audience in AUDIENCES for c in self.members.get(group_name(sitting_id, audience), ())}
        for consumer in consumers:
            if consumer.ready and not consumer.closing:
                _in_background(consumer.recheck())

    def shed(self, n: int) -> int:
        """Ask up to `n` of this process's idle connections to reconnect (4503 "try again later"):
        behind the proxy they come back on the workers with fewer connections (_Balancer). Never a
        console (staff) nor a hall display, never one that sent a command in the last
        REBALANCE_IDLE_S, never one still waiting for its snapshot. Returns how many were asked."""
        now = time.monotonic()
        candidates = [c for members in self.members.values() for c in members
                      if c.ready and not c.closing and c.audience in REBALANCE_AUDIENCES
                      and now - c.last_command >= REBALANCE_IDLE_S]
        chosen = random.sample(candidates, min(n, len(candidates)))
        for consumer in chosen:
            consumer.closing = True
            _in_background(consumer.close(code=CLOSE_TRY_AGAIN_LATER))
        return len(chosen)

    def connection_count(self) -> int:
        return self.connected

    def _health_changed(self, degraded: bool):
        """Publishing from this process failed or works again: tell its connections (the console shows it)."""
        text = encode({"type": "hub.status", "degraded": degraded})
        for consumer in {c for members in self.members.values() for c in members}:
            if consumer.ready:
                _in_background(consumer.base_send({"type": "websocket.send", "text": text}))

    async def _refresh(self, layer):
        # Layers forget group memberships after group_expiry (a day by
        # default); a process that hosts a sitting for longer renews them.
        while True:
            await asyncio.sleep(REFRESH_GROUPS_S)
            async with self.lock:
                for group in [DEVICES_GROUP, *self.joined]:
                    try:
                        await asyncio.wait_for(layer.group_add(group, self.channel), LAYER_TIMEOUT_S)
                    except Exception as e:  # noqa: BLE001 (tried again in an hour; the client syncs)
                        log.warning("hub relay: cannot renew %s (%s)", group, e)


# ---- spreading clients back over the workers after a failover -----------------------
#
# When a worker dies its clients reconnect, through the proxy, to the workers still up; the
# restarted worker then gets only new connections (nginx's least_conn balances connects, not
# connections already open). Each worker therefore writes its number of connections to Redis every
# heartbeat period (a key per worker that expires after three periods: a dead worker drops out),
# reads the others', and one with HUB_REBALANCE_MIN_EXCESS or more connections above the workers'
# mean for REBALANCE_SETTLE_PERIODS in a row (not the few seconds a storm of connects fills one
# worker first) asks half of that excess among its idle terminals and public viewers to reconnect (4503: the
# client comes back after a random 1-5 s, hub.js), then waits REBALANCE_COOLDOWN_PERIODS before
# looking again (the clients moved, the counts written again). Half at a time converges without
# overshooting on counts a period old and without a storm; a client sent back to the same worker
# (no proxy) only keeps that worker above the mean, asked again after each cooldown.

# Who may be asked to reconnect: terminals (delegates, guests) and the public; never a console or a
# hall display.
REBALANCE_AUDIENCES = frozenset({"delegate", "public"})
# A connection that sent a command within this many seconds is not asked (a vote, a request).
REBALANCE_IDLE_S = 60
# After asking, a worker looks again only after this many heartbeat periods (at least 6 s: the
# clients' 1-5 s wait, and the counts written again).
REBALANCE_COOLDOWN_PERIODS = 3
# ... and only once it has been so for this many heartbeat periods in a row.
REBALANCE_SETTLE_PERIODS = 3
# This process, as the other workers see it.
WORKER_ID = secrets.token_hex(6)

_balancer = None


def start_balancing() -> None:
    """Start this process's _Balancer (config/asgi.py), when the channel layer is on Redis: only then
    can there be other workers. HUB_REBALANCE_MIN_EXCESS=0 turns it off."""
    global _balancer
    layer = settings.CHANNEL_LAYERS.get("default", {})
    if _balancer is not None or settings.HUB_REBALANCE_MIN_EXCESS <= 0 or "redis" not in layer.get("BACKEND", "").lower():
        return
    hosts = layer.get("CONFIG", {}).get("hosts") or []
    url = hosts[0] if hosts else None
    url = url.get("address") if isinstance(url, dict) else url
    if not isinstance(url, str):
        log.warning("hub balance: the channel layer's Redis is not given as a URL; workers are not evened out")
        return
    _balancer = _Balancer(url, layer.get("CONFIG", {}).get("prefix", "asgi"))
    threading.Thread(target=_balancer.run, name="hub-balance", daemon=True).start()


def local_connection_count() -> int:
    """This process's hub connections (every event loop's relay)."""
    return sum(relay.connection_count() for relay in list(_relays.values()))


class _Balancer:
    """Writes this worker's connection count to Redis, reads the others' and, when this worker is
    well above their mean, asks some of its clients to reconnect (see above). A thread of its own:
    a Redis call here never waits in the event loop."""

    def __init__(self, url: str, prefix: str):
        self.url = url
        self.key_prefix = f"{prefix}:hub-load:"
        self.quiet_until = 0.0
        self.over = 0  # consecutive periods this worker has been HUB_REBALANCE_MIN_EXCESS or more above the mean
        self.failing = False

    def run(self):
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
        while True:
            time.sleep(settings.HUB_HEARTBEAT_SECONDS)
            try:
                self.tick(client)
            except Exception as e:  # noqa: BLE001 (Redis down: nothing to balance by; tried again next period)
                if not self.failing:
                    log.warning("hub balance: cannot exchange connection counts (%s)", e)
                self.failing = True
                continue
            self.failing = False

    def tick(self, client):
        period = settings.HUB_HEARTBEAT_SECONDS
        mine = local_connection_count()
        client.set(self.key_prefix + WORKER_ID, mine, ex=3 * period)
        keys = list(client.scan_iter(match=self.key_prefix + "*", count=1000))
        loads = [int(v) for v in client.mget(keys) if v is not None] if keys else []
        if len(loads) < 2:
            self.over = 0
            return
        mean = sum(loads) / len(loads)
        excess = mine - mean
        # Only an excess that lasts: a storm of connects fills one worker before another for a few
        # seconds (one reads its queue faster), which evens out by itself.
        self.over = self.over + 1 if excess >= settings.HUB_REBALANCE_MIN_EXCESS else 0
        if self.over < REBALANCE_SETTLE_PERIODS or time.monotonic() < self.quiet_until:
            return
        self.over = 0
        self.quiet_until = time.monotonic() + max(REBALANCE_COOLDOWN_PERIODS * period, 6)
        wanted = math.ceil(excess / 2)
        log.warning("hub balance: %d connection(s) here, the %d workers' mean %.0f: asking %d to reconnect",
                    mine, len(loads), mean, wanted)
        for loop, relay in list(_relays.items()):
            share = min(wanted, relay.connection_count())
            if share > 0 and not loop.is_closed():
                loop.call_soon_threadsafe(relay.shed, share)
                wanted -= share


class _Admission:
    """At most HUB_CONNECTS_AT_ONCE connects of this process read the database at once; the
    others wait their turn in arrival order, at most HUB_CONNECT_QUEUE of them.

    A storm of reconnects (500 tablets when the hall's Wi-Fi comes back) then degrades into a
    queue: the database thread holds a few connects' work, not hundreds, so a chair's command
    waits behind a few connects only, and a connect whose client has gone while it waited is
    dropped before it costs anything (SittingConsumer.gone)."""

    def __init__(self):
        self.busy = 0
        self.waiting: deque[asyncio.Future] = deque()

    async def enter(self) -> bool:
        """Wait for a turn; False when the queue is full (the caller refuses the connection)."""
        if self.busy < settings.HUB_CONNECTS_AT_ONCE and not self.waiting:
            self.busy += 1
            return True
        if len(self.waiting) >= settings.HUB_CONNECT_QUEUE:
            return False
        turn = asyncio.get_running_loop().create_future()
        self.waiting.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.leave()  # the turn was handed to us: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self.waiting.remove(turn)
            raise
        return True  # leave() handed its place over: busy already counts us

    def leave(self):
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.busy -= 1


def _runs(parts: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """(seq, text) sorted by seq, cut into runs of consecutive seqs (a batch frame has no gap:
    docs/protocol.md "Batches"), each within a frame's bounds (realtime.publish._chunks)."""
    runs: list[list[tuple[int, str]]] = []
    for seq, text in parts:
        if runs and seq == runs[-1][-1][0] + 1:
            runs[-1].append((seq, text))
        else:
            runs.append([(seq, text)])
    return [chunk for run in runs for chunk in _chunks(run, lambda part: len(part[1]))]


def _sitting_of_group(group) -> int | None:
    """The sitting of a group named by realtime.audience.group_name ("sitting.<id>.<audience>")."""
    parts = group.split(".") if isinstance(group, str) else ()
    return int(parts[1]) if len(parts) == 3 and parts[0] == "sitting" and parts[1].isdigit() else None


_relays: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Relay]" = weakref.WeakKeyDictionary()


def _relay() -> _Relay:
    loop = asyncio.get_running_loop()
    relay = _relays.get(loop)
    if relay is None:
        relay = _relays[loop] = _Relay()
    return relay


class _Reading(SyncToAsync):
    """database_sync_to_async for the hub's reads (connect, snapshot, replay, ping): on the
    process's read threads (HUB_CONNECTS_AT_ONCE, one on SQLite), not the thread that runs
    commands, so a storm's reads do not queue the chair's commands, and several connects wait on
    PostgreSQL at once (the reconnect bench found the one thread waiting on it most of the time).

    Each read thread keeps its SQLite connection open from one read to the next: opening one
    (Django registers its functions, sets its pragmas) cost a third of a reconnect storm's
    database thread, twice per connect. A few threads' connections are bounded (not one per
    request thread, which is why persistent connections stay off under ASGI); one is closed, as
    Django closes a request's, when it failed and is no longer usable or was left in a
    transaction. PostgreSQL connections come from the pool (config/env.py): closed after each
    read, i.e. given back. Reads only: a snapshot is consistent by itself (realtime.snapshot
    checks the seq), and every write stays on the command thread (database_sync_to_async)."""

    def __init__(self, func):
        super().__init__(func, thread_sensitive=False, executor=_relay().readers)

    def thread_handler(self, loop, *args, **kwargs):
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            for conn in connections.all(initialized_only=True):
                if conn.vendor != "sqlite":
                    conn.close_if_unusable_or_obsolete()
                elif conn.connection is not None and (
                        conn.in_atomic_block or conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]
                        or (conn.errors_occurred and not conn.is_usable())):
                    conn.close()
                else:
                    conn.errors_occurred = False


reading = _Reading


class NoSuchSittingConsumer(AsyncWebsocketConsumer):
    """A WebSocket path that names no sitting: accepted, then closed with 4404."""

    async def connect(self):
        await self.accept()
        await self.close(code=CLOSE_NO_SITTING)


class SittingConsumer(AsyncWebsocketConsumer):
    # No channel-layer channel of its own (a Redis SUBSCRIBE per connection, and a handshake that
    # failed while Redis was down): the process's relay brings it its sitting's events and its
    # device's revocation (decision 0003). An alias that names no layer gives Channels none.
    channel_layer_alias = "hub-connections-have-no-layer-channel"
    actor = None
    ready = False
    pending = None
    audience = None
    sitting_id = None
    group = None
    # Per-member events (member id, pseq, text) that arrive while the connect reads (realtime.private).
    pending_private = None
    refusals = None
    closing = False
    # The client has gone (websocket.disconnect arrived): work still queued for it is skipped.
    gone = False
    # When it last sent a command (time.monotonic()): a busy connection is not asked to move (_Balancer).
    last_command = float("-inf")
    counted = False  # in its relay's `connected`

    async def __call__(self, scope, receive, send):
        # Read the client's messages as they come, not only between handlers: a disconnect that
        # arrives while connect() still waits for its turn or for the database is seen at once
        # (self.gone), and the work queued for that connection is dropped instead of done for
        # nobody (the reconnect bench: abandoned connects and their retries piled up).
        inbox: asyncio.Queue = asyncio.Queue()

        async def pump():
            while True:
                message = await receive()
                if message.get("type") == "websocket.disconnect":
                    self.gone = True
                    inbox.put_nowait(message)
                    return
                inbox.put_nowait(message)

        reader = asyncio.get_running_loop().create_task(pump())
        try:
            await super().__call__(scope, inbox.get, send)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def connect(self):
        self.sitting_id = self.scope["url_route"]["kwargs"]["sitting_id"]
        self.language = settings.LANGUAGE_CODE  # the client's, once _resolve has read its session
        # Accepted at once, so the handshake never times out in a queue (Daphne drops a handshake
        # not accepted within 5 s, and the client's retry would add to the queue); the client
        # then waits for its snapshot, which comes when this connect's turn does.
        await self.accept()
        self.counted = True
        _relay().connected += 1
        admission = _relay().admission
        if not await admission.enter():
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        try:
            await self._open()
        finally:
            admission.leave()

    async def _open(self):
        if self.gone:
            return
        relay = _relay()
        # Relayed first, then read: an event committed meanwhile is either in the snapshot (its
        # seq <= the snapshot's, dropped) or held in `pending` and sent after it. Until the read
        # says who this is, the relay gives it every audience's events of its sitting; it keeps
        # its own audience's. Who it is and its snapshot are ONE read (one trip to a read thread).
        self.pending = []
        self.pending_private = []
        self.revoked_devices = set()
        await relay.open(self.sitting_id, self)
        found, actor, snapshot = await reading(self._resolve_and_read)()
        if self.gone or found is None:
            return  # the disconnect leaves the relay
        if actor is not None and actor.device is not None and actor.device.pk in self.revoked_devices:
            actor = None  # revoked while its connect was reading
        if not found or actor is None:
            await relay.leave(self)
            await self.close(code=CLOSE_NO_SITTING if not found else CLOSE_NOT_ALLOWED)
            return
        self.actor = actor
        # Refused commands of this connection: repeats are counted, not each audited, and
        # HUB_MAX_REFUSALS of them within HUB_REFUSAL_WINDOW seconds close it (4429).
        self.refusals = RefusalSampler()
        self.refusal_times = deque(maxlen=settings.HUB_MAX_REFUSALS)
        self.audience = AUDIENCE[actor.role]
        self.group = group_name(self.sitting_id, self.audience)
        relay.settle(self, self.group)
        seq, state_json, you = snapshot
        await self._send_snapshot_text(seq, state_json, you)
        # What arrived meanwhile, also while these sends wait (relay() and relay_private() keep
        # adding until `ready`): no await between the last check and `ready`, or one would be lost.
        while self.pending or self.pending_private:
            if self.pending:
                group, event_seq, text = self.pending.pop(0)
                if group == self.group and event_seq > seq:
                    await self.base_send({"type": "websocket.send", "text": text})
                continue
            # Its own member's only; a stored one after `you.pseq`, a never-stored one always (it may
            # be in `you` already: its reducer is idempotent).
            member_id, pseq, text = self.pending_private.pop(0)
            if member_id == actor.member_id and (pseq is None or pseq > you["pseq"]):
                await self.base_send({"type": "websocket.send", "text": text})
        self.pending = self.pending_private = None
        self.ready = True
        if publish_health()["degraded"]:  # publishing fails right now: say so from the start
            await self.send(text_data=encode({"type": "hub.status", "degraded": True}))

    async def relay(self, seq: int, frame: Frame, parts=None):
        """An event (or a batch of them: `parts` are its events, (seq, text) each) for this
        connection's audience, from the process's relay; or the heartbeat. Under Daphne the frame,
        framed once for every connection, is written to the connection directly (realtime.wire)."""
        if self.ready:
            wire = self.scope.get(WIRE)
            if wire is not None:
                wire.write(frame)
            else:
                await self.base_send({"type": "websocket.send", "text": frame.text})
        elif self.pending is not None:  # its snapshot is being sent: those after it, after it
            for part_seq, part_text in parts or [(seq, frame.text)]:
                self.pending.append((self.group, part_seq, part_text))

    async def relay_private(self, text: str, parts):
        """Per-member events for this connection's member, from the process's relay: `text` their
        frame (one event, or a batch), `parts` each of them, (pseq, text)."""
        if self.ready:
            await self.base_send({"type": "websocket.send", "text": text})
        elif self.pending_private is not None:  # its snapshot is being sent: after it
            for pseq, part_text in parts:
                self.pending_private.append((self.actor.member_id, pseq, part_text))

    def relay_opening_private(self, member_id: int, pseq: int | None, text: str):
        """A per-member event of this connection's sitting, while its connect reads who it is."""
        if self.pending_private is not None:
            self.pending_private.append((member_id, pseq, text))

    def relay_opening(self, group: str, seq: int, text: str):
        """An event of this connection's sitting for `group`, while its connect reads who it is."""
        if self.pending is not None:
            self.pending.append((group, seq, text))

    def _resolve(self):
        """(found, actor, sitting) in one database job: the sitting, the session, its user and
        device. (None, None, None) when the client left while this waited for the database thread."""
        if self.gone:
            return None, None, None
        self.language = _language(self.scope)  # may read the session: the database
        sitting = sitting_model().objects.select_related("session").filter(pk=self.sitting_id).first()
        if sitting is None:
            return False, None, None
        user = self.scope.get("user")
        if user is None:
            # Resolved here, in the same job, not by a middleware's database call of its own
            # (config/asgi.py: sessions only): one trip to the database thread for all of it.
            user = _user(self.scope)
            self.scope["user"] = user
        device = _device(self.scope)
        actor = actor_for(sitting, user=user, device=device)
        if not may_view(actor.role, sitting):
            return True, None, sitting
        # A display follows the sitting its display shows (one moved to another one follows that one;
        # the device was read with its display, in the same job).
        if actor.role == "display" and actor.device.display.sitting_id != sitting.pk:
            return True, None, sitting
        return True, actor, sitting

    async def recheck(self):
        """Close this connection if its role in the sitting is no longer the one it was served as."""
        try:
            role = await reading(self._role_now)()
        except Exception:  # noqa: BLE001 (the database unreachable: its commands are checked anyway)
            log.warning("hub: could not check a connection's role again", exc_info=True)
            return
        if role == self.actor.role or self.closing or self.gone:
            return
        self.closing = True
        await self.close(code=CLOSE_NOT_ALLOWED if role is None else CLOSE_TRY_AGAIN_LATER)

    def _role_now(self):
        """The role this connection's person or device has in the sitting now (None: may not follow it)."""
        sitting = sitting_model().objects.select_related("session").filter(pk=self.sitting_id).first()
        if sitting is None:
            return None
        actor = current_actor(self.actor, sitting)
        if not may_view(actor.role, sitting):
            return None
        if actor.role == "display" and actor.device.display.sitting_id != sitting.pk:
            return None
        return actor.role

    def _resolve_and_read(self):
        """(found, actor, (seq, snapshot JSON)): who this is and its snapshot, in one read. The
        sitting's seq read with its row (after the relay was joined) is the snapshot's: the cached
        state at that seq is used, or built (realtime.snapshot)."""
        found, actor, sitting = self._resolve()
        if actor is None:
            return found, None, None
        with translation.override(self.language):
            seq, text = snapshot_json_for(self.sitting_id, AUDIENCE[actor.role], seq=sitting.seq)
            return True, actor, self._with_you(actor, AUDIENCE[actor.role], seq, text)

    def _with_you(self, actor, audience, seq, text):
        """(seq, state JSON, you): this connection's own `you` (realtime.private), at the snapshot's
        seq; when the sitting moved on meanwhile, a snapshot at the new seq and `you` again."""
        for _attempt in range(20):
            you = you_for(actor, self.sitting_id, audience, seq)
            if you is not None:
                return seq, text, you
            seq, text = snapshot_json_for(self.sitting_id, audience)
        raise RuntimeError(f"sitting {self.sitting_id} changed during 20 snapshot attempts")

    async def _send_snapshot(self, in_response=None):
        snapshot = await reading(self._snapshot)()
        if snapshot is None:
            return None
        seq, state_json, you = snapshot
        await self._send_snapshot_text(seq, state_json, you, in_response)
        return seq

    async def _send_snapshot_text(self, seq, state_json, you, in_response=None):
        message = {
            "type": "snapshot",
            "seq": seq,
            "server_time": timezone.now().isoformat(),
            "you": you,  # built for this connection alone (realtime.private.you_for)
        }
        if in_response is not None:
            message["in_response"] = in_response
        # The state is encoded once per seq and audience and shared (realtime.snapshot.snapshot_json_for).
        await self.send(text_data=encode(message)[:-1] + ',"data":' + state_json + "}")

    def _snapshot(self):
        if self.gone:  # the client left while this waited for the database thread
            return None
        # A worker thread: slide titles in the client's language (see _run).
        with translation.override(self.language):
            return self._with_you(self.actor, self.audience, *snapshot_json_for(self.sitting_id, self.audience))

    async def disconnect(self, code):
        if self.counted:
            self.counted = False
            _relay().connected -= 1
        await self._flush_refusals()
        if self.pending is not None or self.group:  # it opened (relay.open), or is relayed its group
            await _relay().leave(self)

    # ---- commands -------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.actor is None or self.closing:
            return
        self.last_command = time.monotonic()
        # Replies and error messages in the client's language (the language cookie).
        with translation.override(self.language):
            await self._receive(text_data)

    async def _receive(self, text_data):
        if text_data is None:
            return await self._error(None, "bad_frame", _("Chỉ nhận tin nhắn dạng văn bản (JSON)."))
        if len(text_data) > settings.HUB_MAX_MESSAGE_BYTES or len(text_data.encode()) > settings.HUB_MAX_MESSAGE_BYTES:
            return await self._error(None, "too_large", _("Tin nhắn vượt quá %(n)d byte.") % {"n": settings.HUB_MAX_MESSAGE_BYTES})
        try:
            raw = json.loads(text_data, parse_constant=_not_json)
        except (ValueError, RecursionError):
            # RecursionError: deeply nested arrays ("[[[[…") fit in 64 KiB but exhaust the parser.
            return await self._error(None, "bad_json", _("Tin nhắn không phải JSON hợp lệ."))
        corr = _correlation_id(raw)
        try:
            envelope = Envelope.model_validate(raw)
        except ValidationError as e:
            return await self._error(corr, "bad_envelope", _("Tin nhắn phải có dạng {id, cmd, args}."), e, raw)
        if envelope.cmd == "ping":
            if envelope.args:  # ping takes no arguments (its schema forbids any)
                return await self._error(envelope.id, "invalid_args", _("Tham số của lệnh không hợp lệ."),
                                         fields=sorted(envelope.args)[:20])
            return await self._ping(envelope.id)
        if envelope.cmd == "sync":
            return await self._replay(envelope)
        signal = registry.signal(envelope.cmd)
        if signal is not None:
            return await self._signal(signal, envelope)
        entry = COMMANDS.get(envelope.cmd)
        if entry is None:
            return await self._error(envelope.id, "unknown_command", _("Không có lệnh %(cmd)s.") % {"cmd": envelope.cmd})
        schema, call = entry
        try:
            args = schema.model_validate(envelope.args)
        except ValidationError as e:
            return await self._error(envelope.id, "invalid_args", _("Tham số của lệnh không hợp lệ."), e, envelope.args)
        refused_before = self.refusals.refusals
        # On the command thread, grouped with the sitting's other commands queued meanwhile
        # (realtime.commandqueue): alone, exactly as one command; under a burst, one commit for many.
        outcome = await commandqueue.run(self.sitting_id, self._command(call, args, envelope))
        if isinstance(outcome, BaseException):
            # Rolled back: nothing changed and no outcome was stored (the same id may be sent again).
            log.error("command %s failed", envelope.cmd, exc_info=outcome)
            return await self._error(envelope.id, "internal", _("Lỗi máy chủ; thao tác không được thực hiện."))
        # The id's one outcome (realtime.service.run_command); `replayed` when an earlier
        # command with this id already had it.
        extra = {"replayed": True} if outcome.replayed else {}
        if outcome.ok:
            return await self.send(text_data=encode({"in_response": envelope.id, "ok": True, "data": outcome.data or {}, **extra}))
        await self.send(text_data=encode({"in_response": envelope.id, "ok": False, "error": outcome.error, **extra}))
        if self.refusals.refusals > refused_before:
            await self._count_refusal()

    async def _signal(self, signal, envelope):
        """A signal (realtime.registry.Signal): on this loop, outside the write path; nothing stored."""
        try:
            args = signal.args.model_validate(envelope.args)
        except ValidationError as e:
            return await self._error(envelope.id, "invalid_args", _("Tham số của lệnh không hợp lệ."), e, envelope.args)
        try:
            if not may(self.actor.role, signal.action):
                raise ServiceError("forbidden", _("Vai trò của bạn không được thực hiện thao tác này."))
            data = await signal.call(self.actor, self.sitting_id, args)
        except ServiceError as e:
            await self._error(envelope.id, e.code, e.message)
            if e.code not in signal.not_refusals:
                await self._count_refusal()
            return
        except Exception:  # noqa: BLE001 (the connection and the other clients go on)
            log.exception("signal %s failed", envelope.cmd)
            return await self._error(envelope.id, "internal", _("Lỗi máy chủ; thao tác không được thực hiện."))
        await self._reply(envelope.id, data)

    def _command(self, call, args, envelope) -> GroupItem:
        part = registry.command(envelope.cmd)

        @contextlib.contextmanager
        def enter():
            # On the command thread: the language override does not cross into it by itself,
            # nor does the refusal sampler the write path asks (audit.sampling).
            self.refusals.command = envelope.cmd
            with translation.override(self.language), sampling(self.refusals):
                yield

        return GroupItem(actor=self.actor, command_id=envelope.id, cmd=envelope.cmd, args=envelope.args,
                         call=lambda: call(self.actor, self.sitting_id, args), secret=bool(part and part.secret),
                         enter=enter)

    async def _count_refusal(self):
        """A command was refused (and audited or counted): close a connection refused too often."""
        now = time.monotonic()
        self.refusal_times.append(now)
        if len(self.refusal_times) < self.refusal_times.maxlen or now - self.refusal_times[0] > settings.HUB_REFUSAL_WINDOW:
            return
        self.closing = True  # read nothing more from this socket
        await self._error(None, "too_many_refusals",
                          _("Quá nhiều lệnh bị từ chối; kết nối bị đóng. Hãy tải lại trang."))
        await self._flush_refusals(closed_after=self.refusals.refusals)
        await self.close(code=CLOSE_TOO_MANY_REFUSALS)

    async def _flush_refusals(self, closed_after=None):
        # Nothing to write is nothing to do: 500 tablets dropping at once must not queue 500
        # database jobs (bench/hub_reconnect.py found it 10 % of the reconnect storm).
        if self.refusals is None or self.actor is None or (closed_after is None and not self.refusals.pending):
            return
        await database_sync_to_async(_write_refusals)(self.refusals, self.actor, self.sitting_id, closed_after)

    async def _replay(self, envelope):
        try:
            args = SyncArgs.model_validate(envelope.args)
        except ValidationError as e:
            return await self._error(envelope.id, "invalid_args", _("Tham số của lệnh không hợp lệ."), e, envelope.args)
        events = await reading(_events_since)(self.sitting_id, args.since_seq, self.audience)
        if events is None:
            return await self._send_snapshot(in_response=envelope.id)
        reply = {"events": events}
        if args.since_pseq is not None:
            # What this member alone was told since (realtime.private); [] for a connection of no member.
            private = await reading(member_events_since)(self.sitting_id, self.actor.member_id, args.since_pseq)
            if private is None:
                return await self._send_snapshot(in_response=envelope.id)
            reply["member_events"] = private
        await self._reply(envelope.id, reply)

    async def _ping(self, corr):
        # The sitting's current seq: a client whose seq is lower missed events (issue 9); and its
        # member's pseq: a lower `you.pseq` missed what this member alone was told (realtime.private).
        try:
            seq, pseq = await reading(marks)(self.sitting_id, self.actor.member_id) or (None, None)
        except Exception:
            # The link works even if the database does not: answer, with the seq unknown.
            log.exception("ping: reading the sitting's seq failed")
            seq = pseq = None
        await self._reply(corr, {"server_time": timezone.now().isoformat(), "seq": seq, "pseq": pseq})

    async def _reply(self, corr, data):
        await self.send(text_data=encode({"in_response": corr, "ok": True, "data": data or {}}))

    async def _error(self, corr, code, message, validation: ValidationError | None = None, payload=None, *,
                     fields: list[str] | None = None):
        error = {"code": code, "message": str(message)}
        if validation is not None:
            paths = [client_path(err["loc"], payload) for err in validation.errors()]
            fields = list(dict.fromkeys(p for p in paths if p))
        if fields is not None:
            error["fields"] = fields[:20]
        await self.send(text_data=encode({"in_response": corr, "ok": False, "error": error}))


def _not_json(constant):
    """NaN, Infinity and -Infinity: Python's parser takes them, JSON has no such values."""
    raise ValueError(f"{constant} is not JSON")


_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def client_path(loc, payload) -> str:
    """A validation error's place as a dotted path of the client's own message ("title",
    "items.2.id"): pydantic's `loc` also names the member of a union that was tried
    ("id.constrained-str"), which is not a place in the message."""
    out, node = [], payload
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and _FIELD_NAME.match(part):
            out.append(part)  # a field that is missing
            break
        else:
            break  # past the client's message: the schema's own names
        out.append(str(part))
    return ".".join(out)


def _write_refusals(sampler, actor, sitting_id, closed_after):
    from django.db import transaction

    from audit.services import record

    sitting = sitting_model().objects.filter(pk=sitting_id).first()
    with transaction.atomic():
        sampler.flush(actor, sitting)
        if closed_after is not None:
            record(actor, "hub.connection", sitting=sitting, outcome="too_many_refusals",
                   detail={"refusals": closed_after})


def _correlation_id(raw):
    """The client's `id`, echoed even when the rest of the envelope is bad, if it is a valid id."""
    corr = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(corr, bool) or not isinstance(corr, (str, int)):
        return None
    if isinstance(corr, str) and not 1 <= len(corr) <= 64 or isinstance(corr, int) and not 0 <= corr <= 2**53:
        return None
    return corr


def _events_since(sitting_id: int, since: int, audience: str) -> list[dict] | None:
    """Events after `since` shaped for the audience, or None when a snapshot is better."""
    current = sitting_model().objects.filter(pk=sitting_id).values_list("seq", flat=True).first() or 0
    if since > current or current - since > settings.HUB_MAX_REPLAY:
        return None
    rows = SittingEvent.objects.filter(sitting_id=sitting_id, seq__gt=since, seq__lte=current).order_by("seq")
    events = [event_message(e.seq, e.type, e.data, audience) for e in rows]
    if len(events) != current - since:
        return None
    return events


def _user(scope):
    """The session's user, as django.contrib.auth.get_user reads it for a request (the session
    hash checked, a stale session flushed); AnonymousUser without one."""
    from django.contrib.auth import get_user
    from django.contrib.auth.models import AnonymousUser

    session = scope.get("session")
    if session is None:
        return AnonymousUser()
    return get_user(_SessionOnly(session))


class _SessionOnly:
    """What django.contrib.auth.get_user reads of a request: its session."""

    def __init__(self, session):
        self.session = session


def _device(scope):
    session = scope.get("session")
    device_id = session.get("device_id") if session else None
    if not device_id:
        return None
    from accounts.models import Device

    return Device.objects.filter(pk=device_id, revoked=False).select_related("display").first()


def _language(scope) -> str:
    session = scope.get("session")
    for header, value in scope.get("headers", []):
        if header == b"cookie":
            for part in value.decode("latin-1").split(";"):
                name, _sep, val = part.strip().partition("=")
                if name == settings.LANGUAGE_COOKIE_NAME and val in dict(settings.LANGUAGES):
                    return val
    return (session.get("_language") if session else None) or settings.LANGUAGE_CODE

