"""A channel layer that can be switched off and on, standing in for a Redis that goes down and comes back.

It is Channels' own in-memory layer; while `DownableLayer.down` is set, every
group_send raises as channels-redis does when Redis is unreachable. Use it with
the `settings` fixture: `settings.CHANNEL_LAYERS = DOWNABLE` (Channels rebuilds
its layers when the setting changes). See also tests/realtime/layers.py.
"""

from channels.layers import InMemoryChannelLayer


class LayerDown(ConnectionError):
    pass


class DownableLayer(InMemoryChannelLayer):
    down = False  # one switch for every instance: the test flips it

    async def group_send(self, group, message):
        if DownableLayer.down:
            raise LayerDown("the channel layer is down (test layer)")
        return await super().group_send(group, message)


DOWNABLE = {"default": {"BACKEND": f"{__name__}.DownableLayer", "CONFIG": {"capacity": 1000}}}
