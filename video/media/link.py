"""The control link, hub → videod: JSON lines over TCP, opened by a challenge (decision 0014 §1).

The server speaks first: ``{"nonce": "<32 hex>"}``. The client answers within 2 s with
``{"auth": HMAC-SHA256(secret, nonce) hex}``; a wrong or late answer closes the connection and
nothing else is said. Then every line is a request ``{"id": <int>, "op": <str>, ...args}``, answered
in any order (requests run concurrently) by ``{"id", "ok": true, "data": {...}}`` or
``{"id", "ok": false, "error": {"code", "message"}}``.

Error codes of the link itself: ``bad_request`` (a line over 256 KiB, bad JSON, no id or op; answered
when an id can be read, else the connection is closed), ``unknown_op``, ``internal`` (the handler
raised something other than `MediaError`; logged with its traceback, the connection stays up). The
client adds ``media_unavailable``: it could not connect, the link broke with the request pending, or
the deadline passed.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("video.media")

MAX_LINE = 256 * 1024          # bytes of one request line, newline excluded
AUTH_TIMEOUT = 2.0             # seconds the client has to answer the challenge
MAX_IN_FLIGHT = 64             # requests one client has pending at once; the next one waits
_REPLY_LIMIT = 4 * 1024 * 1024  # the client's read buffer: replies (stats of a full room) may be larger
_ID_HEAD = re.compile(rb'^\s*\{\s*"id"\s*:\s*(-?\d+)\s*[,}]')

Handler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


class MediaError(Exception):
    """A refusal with a stable code (``no_room``, ``stale``, ``media_unavailable``, …) and a message."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class UnknownOp(MediaError):
    """Raised by a handler for an op it does not know; answered with ``unknown_op``."""

    def __init__(self, op: str) -> None:
        super().__init__("unknown_op", f"unknown op {op!r}")


def int_arg(args: dict[str, Any], name: str) -> int:
    """An op's integer argument, or bad_request (the backends' ops read their arguments so)."""
    value = args.get(name)
    if type(value) is not int:
        raise MediaError("bad_request", f"{name} must be an integer")
    return value


def str_arg(args: dict[str, Any], name: str) -> str:
    """An op's non-empty text argument, or bad_request."""
    value = args.get(name)
    if not isinstance(value, str) or not value:
        raise MediaError("bad_request", f"{name} must be a non-empty string")
    return value


def auth_answer(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, nonce.encode("ascii"), hashlib.sha256).hexdigest()


def _dumps(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


async def _read_line(reader: asyncio.StreamReader, limit: int) -> tuple[bytes, bool]:
    """One line without its newline, and whether it was longer than `limit` (then only its head).

    Raises `asyncio.IncompleteReadError` at the end of the stream."""
    try:
        return (await reader.readuntil(b"\n"))[:-1], False
    except asyncio.LimitOverrunError as overrun:
        head = await reader.readexactly(overrun.consumed)
    # Drop the rest of the overlong line, in pieces no larger than the buffer.
    while True:
        try:
            await reader.readuntil(b"\n")
            return head[:256], True
        except asyncio.LimitOverrunError as overrun:
            await reader.readexactly(overrun.consumed)


class LinkServer:
    """Serves `handler(op, args)` to authenticated clients. `await start()`, `.port`, `await close()`."""

    def __init__(self, handler: Handler, secret: bytes, host: str = "127.0.0.1", port: int = 0) -> None:
        self.handler = handler
        self.secret = secret
        self.host = host
        self.port = port
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[asyncio.Task] = set()
        self._requests: set[asyncio.Task] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connection, self.host, self.port, limit=MAX_LINE + 1)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in [*self._connections, *self._requests]:
            task.cancel()
        await asyncio.gather(*self._connections, *self._requests, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            if await self._challenge(reader, writer):
                await self._serve(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, asyncio.CancelledError):
                pass

    async def _challenge(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        nonce = secrets.token_hex(16)
        writer.write(_dumps({"nonce": nonce}))
        await writer.drain()
        try:
            line, too_long = await asyncio.wait_for(_read_line(reader, MAX_LINE), AUTH_TIMEOUT)
            answer = json.loads(line)["auth"] if not too_long else ""
        except (TimeoutError, ValueError, KeyError, TypeError):
            return False
        if isinstance(answer, str) and hmac.compare_digest(answer.encode(), auth_answer(self.secret, nonce).encode()):
            return True
        log.warning("control link: a client failed the challenge from %s", writer.get_extra_info("peername"))
        return False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        write_lock = asyncio.Lock()

        async def reply(message: dict[str, Any]) -> None:
            async with write_lock:
                if writer.is_closing():
                    return                   # the client went away; what the op did stays done
                writer.write(_dumps(message))
                await writer.drain()

        while True:
            line, too_long = await _read_line(reader, MAX_LINE)
            request, refusal = self._parse(line, too_long)
            if refusal is not None:
                if request is None:          # no id to answer to: the client is broken, hang up
                    log.warning("control link: closing a connection after an unreadable request (%s)", refusal)
                    return
                await reply({"id": request["id"], "ok": False, "error": {"code": "bad_request", "message": refusal}})
                continue
            assert request is not None
            task = asyncio.ensure_future(self._answer(request, reply))
            self._requests.add(task)
            task.add_done_callback(self._requests.discard)

    @staticmethod
    def _parse(line: bytes, too_long: bool) -> tuple[dict[str, Any] | None, str | None]:
        """(request, None) when valid; (request with the id only | None, why) when not."""
        if too_long:
            found = _ID_HEAD.match(line)
            return ({"id": int(found.group(1))} if found else None), f"line over {MAX_LINE} bytes"
        try:
            request = json.loads(line)
        except ValueError:
            return None, "not JSON"
        if not isinstance(request, dict) or type(request.get("id")) is not int:
            return None, "no integer id"
        if not isinstance(request.get("op"), str):
            return {"id": request["id"]}, "no op"
        return request, None

    async def _answer(self, request: dict[str, Any], reply: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        request_id, op = request.pop("id"), request.pop("op")
        try:
            data = await self.handler(op, request)
            message = {"id": request_id, "ok": True, "data": data}
        except MediaError as refusal:
            message = {"id": request_id, "ok": False, "error": {"code": refusal.code, "message": refusal.message}}
        except Exception:
            log.exception("control link: op %s failed", op)
            message = {"id": request_id, "ok": False, "error": {"code": "internal", "message": f"{op} failed in videod"}}
        try:
            await reply(message)
        except (ConnectionError, RuntimeError):
            pass  # the client went away; what the op did stays done


class LinkClient:
    """The hub's end of the link: `await call(op, timeout=2.0, **args) -> data`.

    One client per event loop: it binds to the running loop of its first call (or of its creation)
    and refuses to be used from another one; a process with several loops makes one client in each.
    It connects lazily and again after the link broke, with at most 64 requests in flight."""

    def __init__(self, host: str, port: int, secret: bytes, *, max_in_flight: int = MAX_IN_FLIGHT) -> None:
        self.host = host
        self.port = port
        self.secret = secret
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self._slots = asyncio.Semaphore(max_in_flight)
        self._connecting = asyncio.Lock()
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task | None = None

    async def call(self, op: str, timeout: float = 2.0, **args: Any) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError("a LinkClient serves the event loop it was created in; make one per loop")
        request_id = next(self._ids)
        try:
            async with asyncio.timeout(timeout):
                async with self._slots:
                    writer = await self._connected()
                    reply = loop.create_future()
                    self._pending[request_id] = reply
                    try:
                        try:
                            writer.write(_dumps({**args, "id": request_id, "op": op}))
                            await writer.drain()
                        except OSError as broken:
                            self._drop(f"link broken: {broken}", writer)
                            raise
                        message = await reply
                    finally:
                        self._pending.pop(request_id, None)
        except TimeoutError:
            raise MediaError("media_unavailable", f"videod did not answer {op} within {timeout} s") from None
        except OSError as broken:
            raise MediaError("media_unavailable", f"videod unreachable: {broken}") from None
        if message.get("ok"):
            return message.get("data") or {}
        error = message.get("error") or {}
        raise MediaError(str(error.get("code", "internal")), str(error.get("message", "")))

    async def _connected(self) -> asyncio.StreamWriter:
        async with self._connecting:
            if self._writer is not None and not self._writer.is_closing():
                return self._writer
            reader, writer = await asyncio.open_connection(self.host, self.port, limit=_REPLY_LIMIT)
            try:
                challenge = json.loads(await reader.readuntil(b"\n"))
                writer.write(_dumps({"auth": auth_answer(self.secret, str(challenge["nonce"]))}))
                await writer.drain()
            except (ValueError, KeyError, TypeError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as bad:
                writer.close()
                raise OSError(f"no challenge from videod ({bad})") from None
            except BaseException:            # the deadline passed while connecting
                writer.close()
                raise
            self._writer = writer
            self._reader_task = asyncio.ensure_future(self._read_replies(reader, writer))
            return writer

    async def _read_replies(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                message = json.loads(await reader.readuntil(b"\n"))
                reply = self._pending.get(message.get("id")) if isinstance(message, dict) else None
                if reply is not None and not reply.done():
                    reply.set_result(message)
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as broken:
            self._drop(f"link closed ({type(broken).__name__})", writer)
        finally:
            writer.close()

    def _drop(self, why: str, writer: asyncio.StreamWriter | None) -> None:
        """Forget `writer`'s connection, if it is still the current one, and fail every request on it.

        (All pending requests were written to the current connection: they are sent only after
        `_connected` returned it.)"""
        if writer is None or writer is not self._writer:
            return
        writer.close()
        self._writer = None
        for reply in self._pending.values():
            if not reply.done():
                reply.set_exception(ConnectionResetError(why))

    async def close(self) -> None:
        writer, task = self._writer, self._reader_task
        self._drop("client closed", writer)
        self._reader_task = None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if writer is not None:
            try:
                await writer.wait_closed()
            except OSError:
                pass
