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

The ticker stops when the process has no connection left and starts again
with the next one. docs/decisions/0006-heartbeat-and-recovery.md.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from meeting.models import Sitting

from .publish import encode

log = logging.getLogger(__name__)


def heartbeat_message(seq: int) -> str:
    return encode({"type": "heartbeat", "seq": seq, "server_time": timezone.now().isoformat()})


def current_seqs(sitting_ids: list[int]) -> dict[int, int]:
    """sitting id -> its current seq, in one query (a sitting that no longer exists is left out)."""
    return dict(Sitting.objects.filter(pk__in=sitting_ids).values_list("pk", "seq"))


def current_seq(sitting_id: int) -> int | None:
    return Sitting.objects.filter(pk=sitting_id).values_list("seq", flat=True).first()


class Ticker:
    """Sends the heartbeat to the connections of one relay (one process)."""

    def __init__(self, relay):
        self.relay = relay
        self.task: asyncio.Task | None = None
        self.failing = False

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

    async def beat(self):
        """One heartbeat to every local connection: one query, one encoding per sitting."""
        by_sitting = self._local_sittings()
        if not by_sitting:
            return
        seqs = await database_sync_to_async(current_seqs)(list(by_sitting))
        for sitting_id, consumers in by_sitting.items():
            seq = seqs.get(sitting_id)
            if seq is None:
                continue
            text = heartbeat_message(seq)
            for consumer in consumers:
                try:
                    await consumer.relay(seq, text)
                except Exception:
                    log.exception("sending a hub heartbeat failed")
