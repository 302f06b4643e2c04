"""Proposal (not in use): Channels' in-memory layer without its sweep on every receive.

channels.layers.InMemoryChannelLayer runs _clean_expired() -- a walk over every
channel queue and every group membership -- at the start of every receive()
and group_send(). Each hub connection calls receive() again after every event,
so one broadcast to N connections costs O(N x (channels + memberships)): the
largest single cost of the embedded default in bench/hub_fanout.py. It also
builds a new asyncio.Queue on every send and receive (setdefault's argument).

This subclass sweeps at most once a second and builds a queue only when the
channel has none. Expiry still happens, a second later at most. Try it:

    .venv/bin/python bench/hub_fanout.py --settings bench.proposals.settings_fast_layer
"""

import asyncio
import time
from copy import deepcopy

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

SWEEP_EVERY_S = 1.0


class SweepOnceASecondInMemoryChannelLayer(InMemoryChannelLayer):
    _last_sweep = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._last_sweep < SWEEP_EVERY_S:
            return
        self._last_sweep = now
        super()._clean_expired()

    def _queue(self, channel):
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    async def send(self, channel, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        try:
            self._queue(channel).put_nowait((time.time() + self.expiry, deepcopy(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def receive(self, channel):
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self._queue(channel)
        try:
            _, message = await queue.get()
        finally:
            if queue.empty():
                self.channels.pop(channel, None)
        return message

    async def group_send(self, group, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        # send() never waits, so a plain loop does what the parent's one task per channel does.
        for channel in list(self.groups.get(group, ())):
            try:
                await self.send(channel, message)
            except ChannelFull:
                pass
