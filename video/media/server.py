"""videod's link server: `serve()` answers the hub's ops with a backend until it is cancelled.

The `video_server` management command (the `video` app) wraps it and adds the hub follower."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from .link import LinkServer

log = logging.getLogger("video.media")


async def serve(*, host: str, port: int, secret: bytes, backend: Any,
                ready: Callable[[int], None] | asyncio.Future | asyncio.Event | None = None) -> None:
    """Serve `backend.handle` on host:port (0: any free port) until cancelled, then close both.

    `ready` is told once the port listens: a callable is called with the port, a future gets it as
    its result, an event is set."""
    server = LinkServer(backend.handle, secret, host, port)
    await server.start()
    log.info("videod: %s backend, control link on %s:%s", getattr(backend, "name", "?"), host, server.port)
    if isinstance(ready, asyncio.Future):
        ready.set_result(server.port)
    elif isinstance(ready, asyncio.Event):
        ready.set()
    elif ready is not None:
        ready(server.port)
    try:
        await asyncio.get_running_loop().create_future()     # until cancelled
    finally:
        await server.close()
        await backend.close()
        log.info("videod: stopped")
