"""The control link hub → videod (video/media/link.py): the challenge, concurrency, deadlines, refusals.

Personas: the hub (a `LinkClient` holding the shared secret), a stranger (a client with another
secret, or a raw socket), videod (a `LinkServer` in front of a small handler that records what reached it).
"""

import asyncio
import json

import pytest

from video.media.link import LinkClient, LinkServer, MediaError, UnknownOp, auth_answer
from video.media.server import serve

SECRET = b"the hub and videod share this"


class Videod:
    """A handler that records every op it is given; `slow` waits until released."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.release = asyncio.Event()

    async def handle(self, op, args):
        self.seen.append(op)
        if op == "echo":
            return {"echo": args}
        if op == "slow":
            await self.release.wait()
            return {"slow": True}
        if op == "refuse":
            raise MediaError("no_room", "no such room")
        if op == "crash":
            raise ValueError("a bug in videod")
        raise UnknownOp(op)


@pytest.fixture
async def videod():
    handler = Videod()
    server = LinkServer(handler.handle, SECRET, "127.0.0.1", 0)
    await server.start()
    yield server, handler
    handler.release.set()
    await server.close()


async def _raw(port, secret=SECRET):
    """A raw connection past the challenge: (reader, writer)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    nonce = json.loads(await reader.readline())["nonce"]
    writer.write(json.dumps({"auth": auth_answer(secret, nonce)}).encode() + b"\n")
    await writer.drain()
    return reader, writer


async def _reply(reader):
    return json.loads(await asyncio.wait_for(reader.readline(), 5))


async def test_calls_are_answered_after_the_challenge(videod):
    server, handler = videod
    client = LinkClient("127.0.0.1", server.port, SECRET)
    try:
        assert await client.call("echo", room=7, live=["m:1"]) == {"echo": {"room": 7, "live": ["m:1"]}}
        with pytest.raises(MediaError) as refused:
            await client.call("refuse", room=8)
        assert (refused.value.code, refused.value.message) == ("no_room", "no such room")
    finally:
        await client.close()


async def test_a_wrong_secret_is_hung_up_on_and_no_op_reaches_videod(videod):
    server, handler = videod
    stranger = LinkClient("127.0.0.1", server.port, b"a guess")
    try:
        with pytest.raises(MediaError) as refused:
            await stranger.call("echo", timeout=5)
        assert refused.value.code == "media_unavailable"
    finally:
        await stranger.close()
    reader, writer = await _raw(server.port, secret=b"another guess")
    writer.write(b'{"id": 1, "op": "echo"}\n')
    assert await asyncio.wait_for(reader.read(), 5) == b""     # closed, nothing said
    writer.close()
    assert handler.seen == []


async def test_a_client_that_does_not_answer_the_challenge_is_hung_up_on(videod):
    server, handler = videod
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    assert "nonce" in json.loads(await reader.readline())
    assert await asyncio.wait_for(reader.read(), 10) == b""    # after the 2 s it has to answer
    writer.close()
    assert handler.seen == []


async def test_a_quick_request_is_answered_while_a_slow_one_waits(videod):
    server, handler = videod
    client = LinkClient("127.0.0.1", server.port, SECRET)
    try:
        slow = asyncio.ensure_future(client.call("slow", timeout=10))
        assert await client.call("echo", n=1) == {"echo": {"n": 1}}
        assert not slow.done()
        handler.release.set()
        assert await slow == {"slow": True}
    finally:
        await client.close()


async def test_no_reply_by_the_deadline_is_media_unavailable(videod):
    server, handler = videod
    client = LinkClient("127.0.0.1", server.port, SECRET)
    try:
        with pytest.raises(MediaError) as refused:
            await client.call("slow", timeout=0.3)
        assert refused.value.code == "media_unavailable"
        assert await client.call("echo") == {"echo": {}}           # the link itself is fine
    finally:
        await client.close()


async def test_nobody_listening_is_media_unavailable():
    server = LinkServer(Videod().handle, SECRET, "127.0.0.1", 0)
    await server.start()
    port = server.port
    await server.close()
    client = LinkClient("127.0.0.1", port, SECRET)
    with pytest.raises(MediaError) as refused:
        await client.call("echo")
    assert refused.value.code == "media_unavailable"
    await client.close()


async def test_the_client_reconnects_to_a_restarted_videod(videod):
    server, handler = videod
    client = LinkClient("127.0.0.1", server.port, SECRET)
    try:
        assert await client.call("echo", n=1) == {"echo": {"n": 1}}
        port = server.port
        await server.close()
        # A call while videod is down is refused, whether or not the client saw the link drop yet.
        with pytest.raises(MediaError) as refused:
            await client.call("echo", n=2)
        assert refused.value.code == "media_unavailable"
        again = LinkServer(handler.handle, SECRET, "127.0.0.1", port)
        await again.start()
        try:
            assert await client.call("echo", n=3) == {"echo": {"n": 3}}
        finally:
            await again.close()
    finally:
        await client.close()


async def test_a_pending_request_fails_when_the_link_breaks(videod):
    server, handler = videod
    client = LinkClient("127.0.0.1", server.port, SECRET)
    try:
        slow = asyncio.ensure_future(client.call("slow", timeout=10))
        while "slow" not in handler.seen:
            await asyncio.sleep(0.01)
        await server.close()
        with pytest.raises(MediaError) as refused:
            await slow
        assert refused.value.code == "media_unavailable"
    finally:
        await client.close()


async def test_unknown_ops_and_crashes_are_answered_and_the_link_stays_up(videod):
    server, handler = videod
    client = LinkClient("127.0.0.1", server.port, SECRET)
    try:
        with pytest.raises(MediaError) as unknown:
            await client.call("teleport")
        assert unknown.value.code == "unknown_op"
        with pytest.raises(MediaError) as crashed:
            await client.call("crash")
        assert crashed.value.code == "internal"
        assert await client.call("echo") == {"echo": {}}
    finally:
        await client.close()


async def test_bad_requests_are_answered_when_they_carry_an_id(videod):
    server, handler = videod
    reader, writer = await _raw(server.port)
    writer.write(b'{"id": 1}\n')                                     # no op
    assert await _reply(reader) == {"id": 1, "ok": False, "error": {"code": "bad_request", "message": "no op"}}
    writer.write(b'{"id": 2, "op": "echo", "pad": "' + b"x" * (300 * 1024) + b'"}\n')   # over 256 KiB
    assert (await _reply(reader))["error"]["code"] == "bad_request"
    writer.write(b'{"id": 3, "op": "echo"}\n')                       # the connection is still up
    assert await _reply(reader) == {"id": 3, "ok": True, "data": {"echo": {}}}
    writer.write(b"{not json\n")                                     # no id to answer to: hung up on
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()
    assert handler.seen == ["echo"]


async def test_a_client_serves_only_its_own_event_loop(videod):
    server, handler = videod
    client = LinkClient("127.0.0.1", server.port, SECRET)
    assert await client.call("echo") == {"echo": {}}

    def elsewhere():
        return asyncio.run(client.call("echo"))

    with pytest.raises(RuntimeError):
        await asyncio.get_running_loop().run_in_executor(None, elsewhere)
    await client.close()


async def test_at_most_64_requests_are_in_flight_and_the_next_waits(videod):
    server, handler = videod
    client = LinkClient("127.0.0.1", server.port, SECRET)
    try:
        calls = [asyncio.ensure_future(client.call("slow", timeout=10)) for _ in range(65)]
        while handler.seen.count("slow") < 64:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)              # room for a 65th to slip through, if it could
        assert handler.seen.count("slow") == 64
        handler.release.set()
        assert await asyncio.gather(*calls) == [{"slow": True}] * 65
    finally:
        await client.close()


async def test_serve_answers_with_the_backend_until_cancelled_then_closes_it():
    class Backend:
        name = "fake"
        closed = False

        async def handle(self, op, args):
            return {"op": op}

        async def close(self):
            self.closed = True

    backend = Backend()
    ready = asyncio.get_running_loop().create_future()
    videod = asyncio.ensure_future(serve(host="127.0.0.1", port=0, secret=SECRET, backend=backend, ready=ready))
    port = await asyncio.wait_for(ready, 5)
    client = LinkClient("127.0.0.1", port, SECRET)
    try:
        assert await client.call("health") == {"op": "health"}
    finally:
        videod.cancel()
        await asyncio.gather(videod, return_exceptions=True)
    assert backend.closed
    with pytest.raises(MediaError) as refused:
        await client.call("health")
    assert refused.value.code == "media_unavailable"
    await client.close()
