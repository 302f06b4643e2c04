"""Channel layers that misbehave the way Redis does, for the hub's fault tests.

They are the in-memory layer with `group_send` replaced: everything else (the
relay's group_add and receive, a connection's device group) works, so a test sees
exactly what a failing or frozen publish does to commands and connections.
"""

import asyncio

from channels.layers import InMemoryChannelLayer


class FailingLayer(InMemoryChannelLayer):
    """Redis stopped: every group_send raises at once."""

    async def group_send(self, group, message):
        raise ConnectionError("Redis is down (test layer)")


class FrozenLayer(InMemoryChannelLayer):
    """Redis frozen: group_send hangs until the test thaws it (`thaw()`), then sends."""

    frozen: asyncio.Event | None = None   # set by the test: group_send waits for it
    entered: asyncio.Event | None = None  # set when a group_send is waiting

    async def group_send(self, group, message):
        cls = type(self)
        if cls.entered is not None:
            cls.entered.set()
        if cls.frozen is not None:
            await cls.frozen.wait()
        await super().group_send(group, message)


def layer_settings(layer_class) -> dict:
    return {"default": {"BACKEND": f"{__name__}.{layer_class.__name__}", "CONFIG": {"capacity": 1000}}}
