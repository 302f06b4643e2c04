"""realtime.wire.write_now: a fan-out frame goes to the socket at once when nothing of the
connection waits before it; what the socket cannot take now, and every later write, goes through
Twisted's buffer in order (decision 0013). On a real TCP connection (Twisted's, over a socket
pair), with Twisted's MemoryReactor as the event loop it registers writers with."""

import socket

import pytest
from twisted.internet import tcp
from twisted.internet.testing import MemoryReactor, StringTransport

from realtime.wire import write_now


@pytest.fixture
def pair():
    ours, peer = socket.socketpair()
    reactor = MemoryReactor()
    transport = tcp.Connection(ours, protocol=None, reactor=reactor)
    transport.connected = 1
    yield transport, peer, reactor
    ours.close()
    peer.close()


def received(peer: socket.socket) -> bytes:
    peer.setblocking(False)
    out = b""
    while True:
        try:
            chunk = peer.recv(1 << 20)
        except BlockingIOError:
            return out
        if not chunk:
            return out
        out += chunk


def test_a_frame_is_on_the_socket_at_once_when_nothing_waits(pair):
    transport, peer, reactor = pair
    write_now(transport, b"\x81\x05hello")
    assert received(peer) == b"\x81\x05hello"
    assert transport not in reactor.getWriters()  # no callback to come, nothing buffered
    assert (transport.dataBuffer, transport._tempDataBuffer) == (b"", [])


def test_what_the_socket_cannot_take_now_follows_in_order(pair):
    transport, peer, reactor = pair
    transport.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    big = bytes(range(256)) * 8192  # 2 MiB: more than the socket takes at once
    write_now(transport, big)
    assert transport in reactor.getWriters()  # the rest is Twisted's to send
    write_now(transport, b"after")  # behind what waits, not ahead of it
    transport.write(b"+reply")  # a consumer's own reply (Daphne's path) keeps its place too
    got = b""
    for _ in range(10_000):
        got += received(peer)
        if transport not in reactor.getWriters():
            break
        transport.doWrite()
    got += received(peer)
    assert got == big + b"after" + b"+reply"


def test_a_connection_the_peer_closed_is_left_to_twisted(pair):
    transport, peer, _reactor = pair
    peer.close()
    for _ in range(3):  # the first send may still succeed; then the socket refuses
        write_now(transport, b"\x81\x02ok")  # never raises: Twisted finds the error when it writes


def test_any_other_transport_is_written_as_before():
    transport = StringTransport()  # no socket (a TLS connection's transport has none either)
    write_now(transport, b"abc")
    assert transport.value() == b"abc"
