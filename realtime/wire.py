"""One frame to many connections, framed once (docs/decisions/0013-frames-framed-once.md).

The relay and the heartbeat write the same text to hundreds of connections. Through Channels'
`send` each write goes down Daphne's reply path (the application's send coroutine, Daphne's
`handle_reply`, the text encoded to UTF-8, autobahn framing it) once per connection: about
140 µs each on the bench machine, most of a burst's fan-out. Autobahn frames a message once
for many connections (`prepareMessage` / `sendPreparedMessage`, its public broadcast API):
under Daphne, the relay writes the prepared frame to each connection's protocol directly.

`capture()` wraps the WebSocket application (config/asgi.py) and, when the server is Daphne,
keeps the connection's protocol in the scope (`WIRE`); every other server (a test's
ApplicationCommunicator, another ASGI server) has no `WIRE` and the relay sends through
Channels as before. Writes stay in order with the consumer's own sends (replies, snapshots):
both write to the transport at once, on the same event loop.

Below autobahn, Twisted only buffers a write and sends it from a later callback, after
registering the socket with the event loop (and unregistering it once sent): for a fan-out to
500 connections, half the process's CPU of a vote burst. `write_now` sends the frame to the
socket at once when nothing of the connection waits before it, and leaves the rest to Twisted.
"""

import functools

# The scope key of a connection's DaphneWire.
WIRE = "hub.wire"


class Frame:
    """A text frame for several connections: the text, and autobahn's prepared frame of it, made
    on first use by a connection that can take it."""

    __slots__ = ("text", "_prepared")

    def __init__(self, text: str):
        self.text = text
        self._prepared = None

    def prepared(self, protocol):
        if self._prepared is None:
            self._prepared = protocol.factory.prepareMessage(self.text.encode("utf-8"))
        return self._prepared


class DaphneWire:
    """A Daphne WebSocket connection's protocol (autobahn's), for writing prepared frames."""

    __slots__ = ("server", "protocol")

    def __init__(self, server, protocol):
        self.server = server
        self.protocol = protocol

    def write(self, frame: Frame) -> None:
        """Write the frame, or nothing when the connection is closing or gone (as Daphne drops a
        reply to a connection it has marked disconnected)."""
        protocol = self.protocol
        if protocol.state != protocol.STATE_OPEN:
            return
        details = self.server.connections.get(protocol)
        if details is None or details.get("disconnected"):
            return
        if getattr(protocol, "_perMessageCompress", True) is not None or getattr(protocol, "send_queue", True):
            # Compressed, or autobahn has writes queued (or is not the autobahn we know): its own way.
            protocol.sendPreparedMessage(frame.prepared(protocol))
            return
        write_now(protocol.transport, frame.prepared(protocol).payloadHybi)


def write_now(transport, data: bytes) -> None:
    """`transport.write(data)`, but sent at once when nothing waits before it: Twisted only buffers
    a write and registers the socket with the event loop, and a later callback sends it and
    unregisters it (two epoll changes and a callback for each connection of a fan-out). Sent
    here when the transport is a plain TCP connection with nothing buffered; what the socket
    does not take now, and any other transport, goes through Twisted as before, in order."""
    sock = getattr(transport, "socket", None)
    if (sock is None or getattr(transport, "TLS", True) or getattr(transport, "dataBuffer", True)
            or getattr(transport, "_tempDataBuffer", True) or not getattr(transport, "connected", False)
            or getattr(transport, "disconnecting", True)):
        transport.write(data)
        return
    try:
        sent = sock.send(data)
    except BlockingIOError:
        sent = 0
    except OSError:
        transport.write(data)  # Twisted finds the error and closes the connection as it would
        return
    if sent < len(data):
        transport.write(data[sent:])


def _daphne_wire(send) -> DaphneWire | None:
    """The connection's protocol when `send` is Daphne's (functools.partial(Server.handle_reply,
    protocol)), else None."""
    if not isinstance(send, functools.partial) or len(send.args) != 1 or send.keywords:
        return None
    server, protocol = getattr(send.func, "__self__", None), send.args[0]
    if (type(server).__module__ != "daphne.server" or not hasattr(server, "connections")
            or not hasattr(protocol, "sendPreparedMessage") or not hasattr(protocol, "factory")):
        return None
    return DaphneWire(server, protocol)


class Capture:
    """ASGI wrapper for the WebSocket application: the connection's DaphneWire in scope[WIRE]."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "websocket":
            wire = _daphne_wire(send)
            if wire is not None:
                scope = {**scope, WIRE: wire}
        return await self.app(scope, receive, send)


capture = Capture
