"""A WebSocket handshake is accepted only from a page of this very site: the Origin must be
the scheme, host and port the request was served on (or one listed in CSRF_TRUSTED_ORIGINS).

A page on http://127.0.0.1:9999 (another program on the same machine) or on plain http
when the hub is served over https is another origin, and must not use a visitor's session.
"""

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def _accepted(origin: bytes | None, host: bytes = b"127.0.0.1:8000", extra=()):
    headers = [(b"host", host), *extra]
    if origin is not None:
        headers.append((b"origin", origin))
    comm = WebsocketCommunicator(application, "/ws/sitting/1/", headers=headers)
    accepted, _ = await comm.connect()
    await comm.disconnect()
    return accepted


async def test_the_sites_own_origin_reaches_the_hub():
    # No sitting 1 here: the hub accepts, then closes with 4404.
    assert await _accepted(b"http://127.0.0.1:8000")


async def test_the_default_port_may_be_left_out_on_both_sides():
    assert await _accepted(b"http://localhost", host=b"localhost")
    assert await _accepted(b"http://localhost", host=b"localhost:80")


async def test_an_origin_on_another_port_is_refused():
    assert not await _accepted(b"http://127.0.0.1:9999")


async def test_an_origin_without_the_port_of_the_site_is_refused():
    assert not await _accepted(b"http://127.0.0.1")


async def test_an_origin_with_another_scheme_is_refused():
    assert not await _accepted(b"https://127.0.0.1:8000")


async def test_an_opaque_origin_is_refused():
    assert not await _accepted(b"null")


async def test_a_missing_origin_is_refused():
    assert not await _accepted(None)


async def test_a_foreign_origin_is_refused():
    assert not await _accepted(b"http://evil.example:8000")


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), USE_X_FORWARDED_HOST=True,
                   ALLOWED_HOSTS=["hdnd.example.gov.vn"])
async def test_behind_a_tls_proxy_the_https_origin_is_the_sites_own():
    forwarded = [(b"x-forwarded-proto", b"https"), (b"x-forwarded-host", b"hdnd.example.gov.vn")]
    assert await _accepted(b"https://hdnd.example.gov.vn", host=b"web1:8000", extra=forwarded)
    assert not await _accepted(b"http://hdnd.example.gov.vn", host=b"web1:8000", extra=forwarded)


@override_settings(ALLOWED_HOSTS=["hdnd.example.gov.vn"])
async def test_forwarded_headers_count_only_when_the_proxy_is_trusted():
    forwarded = [(b"x-forwarded-proto", b"https")]
    assert not await _accepted(b"https://hdnd.example.gov.vn", host=b"hdnd.example.gov.vn", extra=forwarded)
    assert await _accepted(b"http://hdnd.example.gov.vn", host=b"hdnd.example.gov.vn", extra=forwarded)


@override_settings(CSRF_TRUSTED_ORIGINS=["https://hdnd.example.gov.vn", "https://*.tuyenquang.gov.vn"],
                   ALLOWED_HOSTS=["10.0.0.5"])
async def test_an_origin_listed_in_csrf_trusted_origins_is_accepted():
    assert await _accepted(b"https://hdnd.example.gov.vn", host=b"10.0.0.5")
    assert await _accepted(b"https://hdnd.tuyenquang.gov.vn", host=b"10.0.0.5")
    assert not await _accepted(b"http://hdnd.tuyenquang.gov.vn", host=b"10.0.0.5")
    assert not await _accepted(b"https://hdnd.example.gov.vn:8443", host=b"10.0.0.5")
