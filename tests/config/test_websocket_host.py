"""A WebSocket handshake must name one of our hosts, like any HTTP request."""

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(host: bytes):
    comm = WebsocketCommunicator(application, "/ws/sitting/1/", headers=[(b"host", host), (b"origin", b"http://" + host)])
    accepted, _ = await comm.connect()
    await comm.disconnect()
    return accepted


async def test_a_foreign_host_header_is_refused_before_the_handshake():
    assert not await _connect(b"evil.example")


async def test_an_allowed_host_with_a_port_reaches_the_hub():
    # Sitting 1 does not exist here: the hub accepts, then closes with 4404.
    assert await _connect(b"127.0.0.1:8000")
