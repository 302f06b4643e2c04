"""Publishing events after commit: encode once per audience, one group_send each.

Publishing never runs on the database thread, never delays a reply and never raises
(docs/decisions/0005-exactly-once-commands.md):

- `publish()` is called by the after-commit callback, on whatever thread committed. It
  hands the events to the process's event loop (the one Daphne serves connections on)
  and returns at once. Without such a loop (a management command, a plain script) it
  sends itself, each send bounded by the timeout.
- On the loop, one publisher task per loop sends in commit order, each group_send
  bounded by HUB_PUBLISH_TIMEOUT_MS. It takes everything queued when it looks and sends a
  sitting's events as one batch frame per audience (docs/protocol.md "Batches"; at most
  BATCH_MAX_EVENTS / BATCH_MAX_CHARS a frame): every connection then gets one frame per
  batch, not one per event, which is what the fan-out costs (per frame, not per byte).
  A single event is sent as a plain frame, as ever. Per-member events alike: one
  group_send for many, and each member's several events in one frame. An event sent to
  every audience gets `SittingEvent.published_at` (written from a thread of its own, not
  the loop and not the connections' database thread), once per batch.
- A failed or timed-out send leaves its event and the rest of its batch unpublished
  (published_at null) for the recovery to republish from the log, and marks the
  process "degraded": for one timeout's length after a failure batches are not tried
  at all (left for the recovery too), so a frozen Redis costs the queue nothing. The
  state is logged when it changes and told to local connections (`hub.status`).
"""

import asyncio
import json
import logging
import os
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from accounts.permissions import AUDIENCES

from .audience import group_name, shape_event

log = logging.getLogger(__name__)


def encode(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)


def event_message(seq: int, type_: str, data: dict, audience: str) -> dict:
    shaped = shape_event(type_, data, audience)
    if shaped is None:
        # The audience may not see this event, but must still see the seq advance.
        return {"type": "skip", "seq": seq, "data": None}
    return {"type": type_, "seq": seq, "data": shaped}


def members_group(sitting_id: int) -> str:
    """The sitting's private group (docs/decisions/0008): every process's relay with a member's
    connection of the sitting is in it, and hands each per-member event to that member's own
    connections only."""
    return f"sitting.{sitting_id}.members"


def member_message(pseq: int | None, type_: str, data: dict) -> dict:
    """A per-member event as its member gets it; `pseq` null for one never stored."""
    return {"type": type_, "pseq": pseq, "data": data}


def publish_members_after_commit(sitting_id: int, events: list[tuple[int, int | None, str, dict]]) -> None:
    """After commit, publish per-member events (member id, pseq or None, type, data). Never raises."""
    transaction.on_commit(lambda: _dispatch(("members", sitting_id, events)), robust=True)


def publish_after_commit(sitting, events: list[tuple[int, str, dict]]) -> None:
    sitting_id = sitting.pk
    # robust: whatever happens after commit, the change stays committed and its reply says so.
    transaction.on_commit(lambda: publish(sitting_id, events), robust=True)


def publish(sitting_id: int, events: list[tuple[int, str, dict]]) -> None:
    """Publish committed events (seq, type, data) of a sitting. Returns at once; never raises."""
    _dispatch(("events", sitting_id, events))


# Every process's relay is in this group: a revoked device's connections are closed by the
# process that holds them (realtime.consumers._Relay), with no layer channel per connection.
DEVICES_GROUP = "hub.devices"


def close_device_after_commit(device_id: int) -> None:
    """After commit, close every hub connection of this (revoked) device."""
    transaction.on_commit(lambda: _dispatch(("revoke", device_id, None)), robust=True)


def recheck_after_commit(sitting_id: int) -> None:
    """After commit, every process checks again who may follow this sitting, for each of its
    connections (realtime.external: the office made it non-public, replaced its chair, ended a
    membership); one whose role changed is closed and comes back as what it now is."""
    transaction.on_commit(lambda: _dispatch(("recheck", sitting_id, None)), robust=True)


async def publish_now(sitting_id: int, events: list[tuple[int, str, dict]]) -> bool:
    """Send these events now, in order, each send bounded by the timeout, and mark the ones
    sent. True when all were sent. For the recovery, which republishes from the log."""
    layer = get_channel_layer()
    if layer is None:
        return True
    sent = await _send_events(layer, sitting_id, events)
    if sent:
        await asyncio.get_running_loop().run_in_executor(_marker, _mark_in_thread, sitting_id, sent)
    return len(sent) == len(events)


async def publish_members_now(sitting_id: int, events: list[tuple[int, int | None, str, dict]]) -> bool:
    """`publish_now` for per-member events (the recovery): True when all were sent."""
    layer = get_channel_layer()
    if layer is None:
        return True
    sent = await _send_member_events(layer, sitting_id, events)
    if sent:
        await asyncio.get_running_loop().run_in_executor(_marker, _mark_members_in_thread, sitting_id, sent)
    return len(sent) == sum(1 for event in events if event[1] is not None)


# ---- health ------------------------------------------------------------------

# Per event loop: a Daphne process serves all its connections on one loop (tests: one per test).
_healths: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()
_no_loop_health: dict = {}
_listeners: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list]" = weakref.WeakKeyDictionary()


def _health() -> dict:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        state = _no_loop_health
    else:
        state = _healths.get(loop)
        if state is None:
            state = _healths[loop] = {}
    if not state:
        state.update(degraded=False, last_failure=None, retry_at=0.0)
    return state


def health() -> dict:
    """This process's publishing: {"degraded": bool, "last_failure": datetime | None}."""
    state = _health()
    return {"degraded": state["degraded"], "last_failure": state["last_failure"]}


def watch_health(callback) -> None:
    """Call `callback(degraded: bool)` on the running loop whenever this process's state changes."""
    _listeners.setdefault(asyncio.get_running_loop(), []).append(callback)


def _set_degraded(degraded: bool, error: BaseException | None = None) -> None:
    state = _health()
    if degraded:
        state["last_failure"] = timezone.now()
        state["retry_at"] = time.monotonic() + _timeout()
    if state["degraded"] == degraded:
        return
    state["degraded"] = degraded
    if degraded:
        log.error("live updates degraded: publishing to the channel layer failed (%r); "
                  "events stay in the log for the recovery", error)
    else:
        log.warning("live updates restored: publishing to the channel layer works again")
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    for callback in list(_listeners.get(loop, ())):
        try:
            callback(degraded)
        except Exception:
            log.exception("a publish-health listener failed")


# ---- sending -------------------------------------------------------------------

def _timeout() -> float:
    return settings.HUB_PUBLISH_TIMEOUT_MS / 1000


# A batch frame carries at most this many events, and about this many characters of them: a frame
# stays bounded (a client library's limit, Daphne's 1 MiB) however much was committed at once.
BATCH_MAX_EVENTS = 200
BATCH_MAX_CHARS = 256 * 1024


def batch_frame(texts: list[str]) -> str:
    """One frame for several encoded messages (docs/protocol.md "Batches"): `encode()` of
    {"type": "batch", "events": [...]}, built from the texts already encoded, or the text itself
    when there is one (a single event is sent as it always was)."""
    if len(texts) == 1:
        return texts[0]
    return '{"type":"batch","events":[' + ",".join(texts) + "]}"


def _chunks(items: list, size_of) -> list[list]:
    """Consecutive runs of `items`, each at most BATCH_MAX_EVENTS long and, unless one item is
    larger by itself, BATCH_MAX_CHARS of `size_of(item)`."""
    out, run, chars = [], [], 0
    for item in items:
        size = size_of(item)
        if run and (len(run) >= BATCH_MAX_EVENTS or chars + size > BATCH_MAX_CHARS):
            out.append(run)
            run, chars = [], 0
        run.append(item)
        chars += size
    if run:
        out.append(run)
    return out


def event_messages(sitting_id: int, events) -> list[tuple[list[int], list[tuple[str, dict]]]]:
    """The layer's messages for the events (seq, type, data) of a sitting, several at once as one
    batch: for each bounded run of them, its seqs and a (group, message) per audience. Each event
    is encoded once per audience; a batch's size is judged by its largest audience's text."""
    encoded = [(seq, {audience: encode(event_message(seq, type_, data, audience)) for audience in AUDIENCES})
               for seq, type_, data in events]
    out = []
    for chunk in _chunks(encoded, lambda item: max(len(t) for t in item[1].values())):
        messages = []
        for audience in AUDIENCES:
            group = group_name(sitting_id, audience)
            if len(chunk) == 1:
                seq, texts = chunk[0]
                message = {"type": "hub.event", "text": texts[audience], "group": group, "seq": seq}
            else:
                # `parts`: each event alone, for a connection still reading its snapshot (the relay
                # keeps those after the snapshot's seq, one by one).
                parts = [[seq, texts[audience]] for seq, texts in chunk]
                message = {"type": "hub.event", "text": batch_frame([text for _seq, text in parts]),
                           "group": group, "seq": chunk[-1][0], "parts": parts}
            messages.append((group, message))
        out.append(([seq for seq, _texts in chunk], messages))
    return out


def member_messages(sitting_id: int, events) -> list[tuple[list, dict]]:
    """The layer's messages for per-member events (member id, pseq, type, data), several at once
    (one per bounded run, to the sitting's private group): each run's [member id, pseq, text] and
    its message."""
    group = members_group(sitting_id)
    encoded = [[member_id, pseq, encode(member_message(pseq, type_, data))]
               for member_id, pseq, type_, data in events]
    return [(chunk, {"type": "hub.member", "group": group, "events": chunk})
            for chunk in _chunks(encoded, lambda item: len(item[2]))]


async def _send_events(layer, sitting_id, events) -> list[int]:
    """Send the events to every audience, several at once as one batch (one group_send per audience
    and batch); returns the seqs fully sent (stops at the first failure: that batch's seqs and the
    rest are left for the recovery)."""
    sent = []
    for seqs, messages in event_messages(sitting_id, events):
        for group, message in messages:
            try:
                await asyncio.wait_for(layer.group_send(group, message), _timeout())
            except asyncio.CancelledError:
                raise
            except BaseException as e:  # noqa: BLE001 (a timeout, a refused connection, anything)
                _set_degraded(True, e)
                return sent
        sent.extend(seqs)
    _set_degraded(False)
    return sent


async def _send_member_events(layer, sitting_id, events) -> list[tuple[int, int]]:
    """Send the per-member events to the sitting's private group, several at once (one group_send
    per batch; each process's relay hands each member its own, realtime.consumers._Relay._to_member);
    returns (member id, pseq) of the stored ones sent (stops at the first failure)."""
    sent = []
    for chunk, message in member_messages(sitting_id, events):
        try:
            await asyncio.wait_for(layer.group_send(message["group"], message), _timeout())
        except asyncio.CancelledError:
            raise
        except BaseException as e:  # noqa: BLE001
            _set_degraded(True, e)
            return sent
        sent.extend((member_id, pseq) for member_id, pseq, _text in chunk if pseq is not None)
    _set_degraded(False)
    return sent


# What every process is told (DEVICES_GROUP), by kind of dispatch.
_TO_EVERY_PROCESS = {
    "revoke": lambda device_id: {"type": "hub.revoked", "device": device_id},
    "recheck": lambda sitting_id: {"type": "hub.recheck", "sitting": sitting_id},
}


async def _send_revoke(layer, device_id, kind: str = "revoke") -> None:
    try:
        await asyncio.wait_for(layer.group_send(DEVICES_GROUP, _TO_EVERY_PROCESS[kind](device_id)), _timeout())
    except asyncio.CancelledError:
        raise
    except BaseException as e:  # noqa: BLE001
        _set_degraded(True, e)


# One thread writes published_at: not the loop, and not the connections' database thread.
_marker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-publish-mark")


def _mark_published(sitting_id: int, seqs: list[int]) -> None:
    from .models import SittingEvent

    try:
        SittingEvent.objects.filter(sitting_id=sitting_id, seq__in=seqs, published_at__isnull=True).update(
            published_at=timezone.now())
    except Exception:
        log.exception("marking events %s of sitting %s published failed (the recovery will send them again)",
                      seqs, sitting_id)


def _mark_in_thread(sitting_id: int, seqs: list[int]) -> None:
    try:
        _mark_published(sitting_id, seqs)
    finally:
        close_old_connections()  # this thread's connection, renewed as a request's would be


def _mark_members_published(sitting_id: int, sent: list[tuple[int, int]]) -> None:
    from django.db.models import Q

    from .models import MemberEvent

    # One condition per member, or per pseq, whichever is fewer: a burst tells many members one
    # event each (their pseq alike), and a condition per member cost more to build than to run.
    by_member: dict[int, list[int]] = {}
    by_pseq: dict[int, list[int]] = {}
    for member_id, pseq in sent:
        by_member.setdefault(member_id, []).append(pseq)
        by_pseq.setdefault(pseq, []).append(member_id)
    which = Q()
    if len(by_pseq) < len(by_member):
        for pseq, members in by_pseq.items():
            which |= Q(pseq=pseq, member_id__in=members)
    else:
        for member_id, pseqs in by_member.items():
            which |= Q(member_id=member_id, pseq__in=pseqs)
    try:
        MemberEvent.objects.filter(which, sitting_id=sitting_id, published_at__isnull=True).update(
            published_at=timezone.now())
    except Exception:
        log.exception("marking per-member events of sitting %s published failed (the recovery will send them again)",
                      sitting_id)


def _mark_members_in_thread(sitting_id: int, sent: list[tuple[int, int]]) -> None:
    try:
        _mark_members_published(sitting_id, sent)
    finally:
        close_old_connections()


class _Marks:
    """What the publisher sent and must mark published, gathered until the marker thread is free:
    one UPDATE per sitting (and kind) for all that was sent meanwhile, not one per batch sent. Under
    a burst the publisher sends a batch every few milliseconds; marking each on its own cost the
    process more than sending it. The marker thread keeps its SQLite connection between runs
    (opening one costs more than the UPDATE); another database's goes back to its pool."""

    def __init__(self):
        self._lock = threading.Lock()
        self._events: dict[int, set[int]] = {}
        self._members: dict[int, set[tuple[int, int]]] = {}
        self._scheduled = False

    def add(self, kind: str, sitting_id: int, sent) -> None:
        with self._lock:
            if kind == "members":
                self._members.setdefault(sitting_id, set()).update(sent)
            else:
                self._events.setdefault(sitting_id, set()).update(sent)
            if self._scheduled:
                return
            self._scheduled = True
        _marker.submit(self._run)

    def _run(self) -> None:
        with self._lock:
            events, members = self._events, self._members
            self._events, self._members, self._scheduled = {}, {}, False
        try:
            for sitting_id, seqs in events.items():
                _mark_published(sitting_id, sorted(seqs))
            for sitting_id, sent in members.items():
                _mark_members_published(sitting_id, sorted(sent))
        finally:
            from django.db import connection

            if connection.vendor != "sqlite" or connection.errors_occurred:
                close_old_connections()


_marks = _Marks()


class _Publisher:
    """One per event loop: sends what was committed, in commit order: whatever is queued when it
    looks, merged by sitting into batches (one group_send per audience and batch)."""

    MAX_QUEUED = 10000  # beyond this, batches are left to the recovery
    MAX_DRAINED = 1000  # items taken from the queue at once (merged, then cut into bounded batches)

    def __init__(self):
        self.queue: asyncio.Queue = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(self._run())

    def put(self, item) -> None:
        if self.queue.qsize() >= self.MAX_QUEUED:
            log.error("hub publisher: %d batches queued; leaving this one to the recovery", self.queue.qsize())
            _set_degraded(True, RuntimeError("publish queue full"))
            return
        self.queue.put_nowait(item)

    async def _run(self):
        while True:
            # Everything already queued, not one item at a time: what was committed meanwhile (a burst,
            # a group commit) goes out as few batches, one frame per connection each, instead of a
            # frame per event per connection (the fan-out's cost is per frame).
            items = [await self.queue.get()]
            while len(items) < self.MAX_DRAINED:
                try:
                    items.append(self.queue.get_nowait())
                except asyncio.QueueEmpty:
                    break
            for item in _merged(items):
                await self._send(*item)

    async def _send(self, kind, target, events):
        try:
            layer = get_channel_layer()
            if layer is None:
                return
            state = _health()
            if state["degraded"] and time.monotonic() < state["retry_at"]:
                return  # Redis failed a moment ago: don't queue behind it; the log has the events
            if kind in _TO_EVERY_PROCESS:
                await _send_revoke(layer, target, kind)
                return
            if kind == "members":
                sent = await _send_member_events(layer, target, events)
                if sent:
                    _marks.add("members", target, sent)
                return
            sent = await _send_events(layer, target, events)
            if sent:
                _marks.add("events", target, sent)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("hub publisher: publishing failed")


def _merged(items: list) -> list:
    """The queued items, the "events" items of each sitting merged into one at the place of its
    first (their events in commit order), and its "members" items alike; _send_events cuts them into
    bounded batches. A sitting's events and its per-member events are two streams (seq, pseq) whose
    order between them no client may rely on; a revocation or a recheck is a barrier nothing is
    merged across (a device revoked before an event must not be sent that event first)."""
    out, open_runs = [], {}
    for kind, target, events in items:
        if kind not in ("events", "members"):
            out.append((kind, target, events))
            open_runs = {}
            continue
        run = open_runs.get((kind, target))
        if run is None:
            run = open_runs[(kind, target)] = (kind, target, [])
            out.append(run)
        run[2].extend(events)
    return out


_publishers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Publisher]" = weakref.WeakKeyDictionary()


def _enqueue(item) -> None:
    # On the loop.
    loop = asyncio.get_running_loop()
    publisher = _publishers.get(loop)
    if publisher is None or publisher.task.done():
        publisher = _publishers[loop] = _Publisher()
    publisher.put(item)


def _loop() -> asyncio.AbstractEventLoop | None:
    """The event loop serving this process's connections, seen from the current thread."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    # A thread of sync_to_async / database_sync_to_async: asgiref keeps its loop here.
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) == os.getpid():
        loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
        if loop is not None and not loop.is_closed() and loop.is_running():
            return loop
    return None


def _dispatch(item) -> None:
    try:
        loop = _loop()
        if loop is not None:
            loop.call_soon_threadsafe(_enqueue, item)
            return
        # No loop (a management command, a script): send from here, each send bounded.
        kind, target, events = item
        layer = get_channel_layer()
        if layer is None:
            return
        if kind in _TO_EVERY_PROCESS:
            async_to_sync(_send_revoke)(layer, target, kind)
            return
        if kind == "members":
            sent = async_to_sync(_send_member_events)(layer, target, events)
            if sent:
                _mark_members_published(target, sent)
            return
        sent = async_to_sync(_send_events)(layer, target, events)
        if sent:
            _mark_published(target, sent)
    except Exception:
        log.exception("publishing %s failed", item[0])
