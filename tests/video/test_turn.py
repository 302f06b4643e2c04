"""TURN credentials (docs/video.md "TURN", decision 0014 §5): minted by `video.join` in coturn's
REST-API style, checked by a real coturn started from deploy/coturn/turnserver.conf.

- The password is coturn's rule, computed here on its own: base64 of HMAC-SHA1(secret, username).
- The username carries the expiry and the joining, never the person.
- `video.join`'s reply carries a TURN entry only when VIDEO_TURN_URLS and VIDEO_TURN_SECRET are set.
- coturn allocates a relay for a good credential and refuses an expired one or a wrong one; the
  relay reaches the media server's address and never the LAN.
"""

import asyncio
import base64
import hashlib
import hmac
import socket
import subprocess
import time
from datetime import UTC, datetime

import pytest
from aioice import stun
from aioice.turn import TurnClientUdpProtocol
from channels.db import database_sync_to_async
from django.test import override_settings

from meeting.models import Member
from tests.video.coturn import coturn, host_addresses, why_no_turnserver
from video import turn

SECRET = "bí-mật-chung-của-hub-và-coturn"
TURN_URLS = ["turn:turn.example.vn:3478?transport=udp", "turns:turn.example.vn:5349"]
STUN = {"urls": "stun:stun.example.vn:3478"}


def coturns_password(secret: str, username: str) -> str:
    """coturn's use-auth-secret rule (/etc/turnserver.conf): base64(hmac(secret key, usercombo))."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), username.encode("utf-8"), "sha1").digest()).decode()


# ---- the credential -----------------------------------------------------------------------------

def test_the_password_is_coturns_hmac_of_the_username():
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    username, password = turn.credential(42, now, secret=SECRET, ttl=3600)
    assert password == coturns_password(SECRET, username)
    assert len(base64.b64decode(password)) == hashlib.sha1().digest_size
    assert turn.credential(42, now, secret="another secret", ttl=3600)[1] != password


def test_the_username_is_the_expiry_and_the_joining():
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    username, _ = turn.credential(42, now, secret=SECRET, ttl=4 * 3600)
    expiry, joining = username.split(":")
    assert int(expiry) == int(now.timestamp()) + 4 * 3600
    assert joining == "s42"


@override_settings(VIDEO_ICE_SERVERS=[STUN], VIDEO_TURN_URLS=TURN_URLS, VIDEO_TURN_SECRET="")
def test_without_a_secret_there_is_no_turn_entry():
    assert turn.ice_servers(7, datetime.now(UTC)) == [STUN]


@override_settings(VIDEO_ICE_SERVERS=[STUN], VIDEO_TURN_URLS=TURN_URLS, VIDEO_TURN_SECRET=SECRET, VIDEO_TURN_TTL=600)
def test_the_turn_entry_follows_the_configured_servers():
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    servers = turn.ice_servers(7, now)
    assert servers[0] == STUN
    assert servers[1] == {"urls": TURN_URLS, "username": f"{int(now.timestamp()) + 600}:s7",
                          "credential": coturns_password(SECRET, f"{int(now.timestamp()) + 600}:s7")}


# ---- coturn's configuration ------------------------------------------------------------------------

@pytest.mark.parametrize("tls", [False, True], ids=["no certificate", "certificate"])
def test_every_option_of_the_rendered_configuration_is_one_coturn_knows(tmp_path, tls):
    if why_no_turnserver():
        pytest.skip(why_no_turnserver())
    certificate = {"cert": "/etc/ssl/turn/fullchain.pem", "pkey": "/etc/ssl/turn/privkey.pem"} if tls else {}
    conf = turn.render_config(tmp_path / "turnserver.conf", listening_port=3478, secret=SECRET, realm="turn.example.vn",
                              allowed_peer_ip="10.0.0.5", listening_ip="203.0.113.7", **certificate)
    lines = [line for line in conf.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert not [line for line in lines if "$" in line], "a placeholder left"
    known = subprocess.run(["turnserver", "-h"], capture_output=True, text=True).stdout
    options = {line.split("=", 1)[0] for line in lines}
    assert not sorted(o for o in options if f"--{o}" not in known), "options turnserver -h does not list"
    assert {"use-auth-secret", "no-cli", "no-tcp-relay", "no-multicast-peers", "fingerprint", "no-dtls"} <= options
    assert f"static-auth-secret={SECRET}" in lines and "allowed-peer-ip=10.0.0.5" in lines
    assert "denied-peer-ip=10.0.0.0-10.255.255.255" in lines
    assert ("no-tls" in options) is not tls and ("cert" in options) is tls


# ---- video.join's reply (the hub's test fixtures, as tests/video/test_video_hub.py) ---------------

@pytest.mark.django_db(transaction=True)
async def test_joining_gives_a_turn_credential_only_when_turn_is_configured(hub):
    # Alice, a delegate, joins from afar; the chair watches the sitting.
    clients = await hub.connect_all("chair", "alice")
    await clients["chair"].ok("sitting.open")
    alice = clients["alice"]
    without = await alice.ok("video.join", {})
    assert without["ice_servers"] == [] and without["ice_transport_policy"] == "all"

    with override_settings(VIDEO_TURN_URLS=TURN_URLS, VIDEO_TURN_SECRET=SECRET, VIDEO_TURN_TTL=3600,
                           VIDEO_ICE_TRANSPORT_POLICY="relay"):
        before = int(time.time())
        joined = await alice.ok("video.join", {})
        after = int(time.time())
    assert joined["ice_transport_policy"] == "relay"
    [entry] = joined["ice_servers"]
    assert entry["urls"] == TURN_URLS
    expiry, joining = entry["username"].split(":")
    assert before + 3600 <= int(expiry) <= after + 3600
    assert joining == f"s{joined['session_id']}"
    assert entry["credential"] == coturns_password(SECRET, entry["username"])
    member = await database_sync_to_async(Member.objects.get)(code="DB010")
    for part in (member.full_name, *member.full_name.split(), member.code, "db010"):
        assert part.lower() not in entry["username"].lower()


# ---- a real coturn -------------------------------------------------------------------------------

async def allocate(server: tuple[str, int], username: str, password: str) -> TurnClientUdpProtocol:
    """A TURN allocation with aioice's own client (what aiortc uses for RTCIceServer)."""
    loop = asyncio.get_running_loop()
    transport, client = await loop.create_datagram_endpoint(
        lambda: TurnClientUdpProtocol(server, username=username, password=password, lifetime=600,
                                      channel_refresh_time=500),
        remote_addr=server)
    try:
        await client.connect()
    except BaseException:
        transport.close()
        raise
    return client


async def refused_with(server, username, password) -> int:
    with pytest.raises(stun.TransactionFailed) as refused:
        client = await allocate(server, username, password)
        await client.delete()
    return refused.value.response.error_code


@pytest.fixture
def media_address():
    addresses = host_addresses()
    if not addresses:
        pytest.skip("no IPv4 address but loopback here: a TURN relay never reaches loopback peers")
    return addresses[0]


@pytest.fixture
def turn_server(tmp_path, media_address):
    # The media server's address and one LAN address are allowed back among the denied ranges.
    with coturn(tmp_path, secret=SECRET, listening_ip=media_address,
                allowed_peer_ip=[media_address, "10.9.9.9"]) as (host, port, process):
        yield (host, port), process


async def test_coturn_allocates_a_relay_for_a_good_credential(turn_server, media_address):
    server, _ = turn_server
    username, password = turn.credential(1, datetime.now(UTC), secret=SECRET, ttl=600)
    client = await allocate(server, username, password)
    try:
        assert client.relayed_address[0] == server[0]
        # The relay reaches the media server's address: a datagram sent through it arrives there.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as media:
            media.bind((media_address, 0))
            media.setblocking(False)
            await client.send_data(b"hello from afar", media.getsockname())
            data, source = await asyncio.wait_for(asyncio.get_running_loop().sock_recvfrom(media, 100), 10)
        assert (data, source) == (b"hello from afar", client.relayed_address)
    finally:
        await client.delete()


async def test_coturn_refuses_an_expired_credential(turn_server):
    server, _ = turn_server
    username, password = turn.credential(2, datetime.fromtimestamp(time.time() - 120, UTC), secret=SECRET, ttl=60)
    assert await refused_with(server, username, password) == 401


async def test_coturn_refuses_a_credential_of_another_secret(turn_server):
    server, _ = turn_server
    username, password = turn.credential(3, datetime.now(UTC), secret="not the secret", ttl=600)
    assert await refused_with(server, username, password) == 401
    username, _ = turn.credential(3, datetime.now(UTC), secret=SECRET, ttl=600)
    assert await refused_with(server, username, "bm90IHRoZSBwYXNzd29yZA==") == 401


async def test_the_relay_never_reaches_the_lan_but_the_allowed_address(turn_server):
    server, _ = turn_server
    username, password = turn.credential(4, datetime.now(UTC), secret=SECRET, ttl=600)
    client = await allocate(server, username, password)
    try:
        for channel, lan in enumerate(("10.1.2.3", "192.168.1.10", "172.16.0.1", "169.254.1.1", "127.0.0.1")):
            with pytest.raises(stun.TransactionFailed) as refused:
                await client.channel_bind(0x4000 + channel, (lan, 9))
            assert refused.value.response.error_code == 403, lan
        await client.channel_bind(0x4010, ("10.9.9.9", 9))  # allowed back: no error
    finally:
        await client.delete()
