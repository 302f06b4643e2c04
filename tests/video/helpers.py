"""What the media tests share: waiting for behaviour, never for a time."""

import asyncio


async def until(condition, what, timeout=20.0):
    """Wait until `condition()` holds; fail naming `what` after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.02)
