"""The hub's heartbeat: every connection learns the current seq regularly and cheaply.

One ticker per process (per event loop, beside the relay of realtime.consumers)
wakes every HUB_HEARTBEAT_SECONDS, reads the seq of every sitting that has a
connection in this process in ONE query, encodes one message per sitting

    {"type": "heartbeat", "seq": N, "server_time": "..."}

and writes it straight to each local connection of that sitting. It does not
go through the channel layer, so it works when Redis is down, which is when it
matters: a client whose seq is lower has missed events and asks for them
(`sync`). The seq is the same for every audience (an event an audience may not
see reaches it as `skip`), so one text per sitting serves every connection.

After each heartbeat the ticker also recovers what a failure left
unpublished: events (and stored per-member events, realtime.private) of
those same sittings committed but still without `published_at` (Redis was
down or frozen, or a worker died between commit and publish), older than a
publish could legitimately take, are published again
from the stored log (realtime.publish.publish_now, which marks them). Two
processes may both republish an event: clients drop a seq they already have.

The ticker stops when the process has no connection left and starts again
with the next one. docs/decisions/0006-heartbeat-and-recovery.md.
"""

import asyncio
import logging
from datetime import timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from accounts.permissions import AUDIENCES

from . import registry
from .models import SittingEvent
from .private import unpublished_member_events
from .publish import encode, publish_members_now, publish_now
from .registry import sitting_model
from .wire import Frame

log = logging.getLogger(__name__)


def heartbeat_message(seq: int) -> str:
    return encode({"type": "heartbeat", "seq": seq, "server_time": timezone.now().isoformat()})


def current_seqs(sitting_ids: list[int]) -> dict[int, int]:
    """sitting id -> its current seq, in one query (a sitting that no longer exists is left out)."""
    return dict(sitting_model().objects.filter(pk__in=sitting_ids).order_by().values_list("pk", "seq"))


def current_seq(sitting_id: int) -> int | None:
    return sitting_model().objects.filter(pk=sitting_id).values_list("seq", flat=True).first()


# At most this many events are republished per heartbeat (the rest at the next ones).
REPUBLISH_BATCH = 500


def republish_after() -> timedelta:
    """How old an unpublished event must be before it counts as lost rather than in flight:
    a heartbeat period, and at least what publishing one event may take (one send per audience,
    each bounded by HUB_PUBLISH_TIMEOUT_MS)."""
    return timedelta(seconds=max(settings.HUB_HEARTBEAT_SECONDS,
                                 len(AUDIENCES) * settings.HUB_PUBLISH_TIMEOUT_MS / 1000))


def unpublished_events(sitting_ids: list[int]) -> dict[int, list[tuple[int, str, dict]]]:
    """sitting id -> its events committed but never published, oldest first (the partial index
    event_unpublished answers this without reading the published ones)."""
    before = timezone.now() - republish_after()
    rows = (SittingEvent.objects.filter(sitting_id__in=sitting_ids, published_at__isnull=True, at__lt=before)
            .order_by("sitting_id", "seq").values_list("sitting_id", "seq", "type", "data")[:REPUBLISH_BATCH])
    lost: dict[int, list[tuple[int, str, dict]]] = {}
    for sitting_id, seq, type_, data in rows:
        lost.setdefault(sitting_id, []).append((seq, type_, data))
    return lost


class Ticker:
    """Sends the heartbeat to the connections of one relay (one process)."""

    def __init__(self, relay):
        self.relay = relay
        self.task: asyncio.Task | None = None
        self.recovery: asyncio.Task | None = None
        self.failing = False
        # sitting id -> the database's seq at the previous heartbeat (announced()).
        self.seen: dict[int, int] = {}

    def ensure_running(self):
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    def _local_sittings(self) -> dict[int, list]:
        by_sitting: dict[int, list] = {}
        for members in list(self.relay.members.values()):
            for consumer in list(members):
                by_sitting.setdefault(int(consumer.sitting_id), []).append(consumer)
        return by_sitting

    async def _run(self):
        while True:
            await asyncio.sleep(settings.HUB_HEARTBEAT_SECONDS)
            if not self.relay.members:
                return  # no connection left; the next join starts a new ticker
            try:
                await self.beat()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The database restarting must not stop the heartbeat for good.
                if not self.failing:
                    log.exception("hub heartbeat: reading the sittings' seq failed")
                self.failing = True
                continue
            if self.failing:
                log.warning("hub heartbeat: reading the sittings' seq works again")
            self.failing = False

    def announced(self, sitting_id: int, seq: int) -> int:
        """The seq this heartbeat announces for a sitting whose database says `seq`. During a burst
        the database runs ahead of the events still on their way to this process's connections
        (committed, being published or written): announced, they would make every client ask
        for events about to reach it (`sync`), each a replay the burst then waits for. So an
        event committed since the previous heartbeat and not yet written here is not announced
        yet; one the previous heartbeat already saw and still not written here is (it was lost:
        the clients sync, and the recovery publishes it again)."""
        before, self.seen[sitting_id] = self.seen.get(sitting_id), seq
        if before is None:
            return seq  # the first heartbeat of this sitting here: the database's, as ever
        return min(seq, max(self.relay.relayed.get(sitting_id, 0), before))

    async def beat(self):
        """One heartbeat to every local connection: one query, one encoding per sitting;
        then the recovery of these sittings' unpublished events, unless the last one still runs."""
        by_sitting = self._local_sittings()
        if not by_sitting:
            return
        seqs = await database_sync_to_async(current_seqs)(list(by_sitting))
        for sitting_id, consumers in by_sitting.items():
            seq = seqs.get(sitting_id)
            if seq is None:
                continue
            frame = Frame(heartbeat_message(self.announced(sitting_id, seq)))
            for consumer in consumers:
                try:
                    await consumer.relay(seq, frame)
                except Exception:
                    log.exception("sending a hub heartbeat failed")
        if self.recovery is None or self.recovery.done():
            # Its own task: a frozen channel layer delays the recovery, never the next heartbeat.
            self.recovery = asyncio.get_running_loop().create_task(self.recover(list(seqs)))

    async def recover(self, sitting_ids: list[int]) -> None:
        """Publish again, from the log, the events of these sittings that a failure left unpublished."""
        try:
            lost = await database_sync_to_async(unpublished_events)(sitting_ids)
            for sitting_id, events in lost.items():
                if not await publish_now(sitting_id, events):
                    return  # the layer still fails (publish logs that): the next heartbeat tries again
                log.warning("hub recovery: republished %d event(s) of sitting %s (seq %d-%d) left unpublished",
                            len(events), sitting_id, events[0][0], events[-1][0])
            # The stored per-member events alike (realtime.private); never-stored ones are not kept.
            # None can exist while no module registers a stored per-member event type: no query then.
            stored = any(part.store for part in registry.member_events())
            lost_private = {} if not stored else await database_sync_to_async(
                unpublished_member_events)(sitting_ids, republish_after(), REPUBLISH_BATCH)
            for sitting_id, events in lost_private.items():
                if not await publish_members_now(sitting_id, events):
                    return
                log.warning("hub recovery: republished %d per-member event(s) of sitting %s left unpublished",
                            len(events), sitting_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("hub recovery: republishing unpublished events failed")
