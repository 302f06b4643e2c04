"""Commands waiting for the command thread, run in groups (docs/decisions/0011-group-commit.md).

A process runs its hub commands one at a time on one thread (Channels' database thread). Under
a burst (500 delegates asking for the floor, 500 ballots) each waits its turn there, and each
paid alone for a transaction, the sitting's lock, its audit record, its seq and event rows, its
outcome row. Here a command is put in its sitting's queue; the first one in an empty queue asks
for a turn on the thread, and that turn takes every command of the sitting queued by then (those
that came while it waited) and runs them as one group (realtime.service.run_group): in order,
each with its own outcome, committed together. Alone, a command runs exactly as before.
"""

import asyncio
import threading
import weakref

from channels.db import database_sync_to_async
from django.conf import settings

from .service import GroupItem, run_group


class _Queue:
    """One per event loop (a Daphne process serves every connection on one)."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.lock = threading.Lock()  # the loop puts, the command thread takes
        self.waiting: dict[int, list[tuple[GroupItem, asyncio.Future]]] = {}
        self.turns: set = set()

    async def run(self, sitting_id: int, item: GroupItem):
        """The command's Outcome, or the exception it raised (the caller answers `internal`)."""
        future = self.loop.create_future()
        with self.lock:
            queue = self.waiting.get(sitting_id)
            first = queue is None
            if first:
                queue = self.waiting[sitting_id] = []
            queue.append((item, future))
        if first:
            # Its own task: the turn runs whether or not this command's connection is still there.
            task = self.loop.create_task(database_sync_to_async(self._turn)(sitting_id))
            self.turns.add(task)
            task.add_done_callback(self.turns.discard)
        return await asyncio.shield(future)

    def _turn(self, sitting_id: int) -> None:
        """On the command thread: every command of the sitting queued so far, in groups."""
        with self.lock:
            queued = self.waiting.pop(sitting_id, [])
        size = max(1, settings.HUB_GROUP_COMMIT_MAX)
        for start in range(0, len(queued), size):
            chunk = queued[start:start + size]
            try:
                outcomes = run_group(sitting_id, [item for item, _f in chunk])
            except BaseException as e:  # run_group answers each; this is the unforeseen
                outcomes = [e] * len(chunk)
            for (_item, future), outcome in zip(chunk, outcomes):
                self.loop.call_soon_threadsafe(_settle, future, outcome)


def _settle(future: asyncio.Future, outcome) -> None:
    if not future.done():
        future.set_result(outcome)


_queues: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue]" = weakref.WeakKeyDictionary()


async def run(sitting_id: int, item: GroupItem):
    """Run a hub command of this sitting on the command thread, grouped with those queued with it."""
    loop = asyncio.get_running_loop()
    queue = _queues.get(loop)
    if queue is None:
        queue = _queues[loop] = _Queue(loop)
    return await queue.run(int(sitting_id), item)
