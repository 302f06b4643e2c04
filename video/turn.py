"""TURN for remote participants behind strict networks (docs/video.md "TURN", decision 0014 §5).

A delegate in a hotel or on a ministry's network may reach nothing but a relay: coturn (Debian's
`coturn`) relays her media to the media server. The hub never talks to coturn; both share
`VIDEO_TURN_SECRET`, and `video.join` mints a credential in the REST-API style coturn accepts with
`use-auth-secret` (draft-uberti-behave-turn-rest-00, documented in coturn's /etc/turnserver.conf):

    username = "<unix expiry>:s<joining id>"   (no name: coturn logs it, and so may the network)
    password = base64(HMAC-SHA1(secret, username))

coturn recomputes the password from the username and refuses it once the expiry has passed, so a
credential kept in a command's stored reply (decision 0014 §7) dies with its TTL. A resumed
joining gets a new one.

`render_config` fills deploy/coturn/turnserver.conf, for the tests' own coturn and for an operator.
"""

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from string import Template

from django.conf import settings

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "coturn" / "turnserver.conf"


def credential(session_id: int, now: datetime, *, secret: str, ttl: int) -> tuple[str, str]:
    """(username, password) for the joining `session_id`, valid `ttl` seconds from `now`."""
    username = f"{int(now.timestamp()) + ttl}:s{session_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


def ice_servers(session_id: int, now: datetime) -> list[dict]:
    """The RTCIceServer entries of `video.join`'s reply: VIDEO_ICE_SERVERS, and the TURN server
    with a credential of this joining's own when VIDEO_TURN_URLS and VIDEO_TURN_SECRET are set."""
    servers = [dict(server) for server in settings.VIDEO_ICE_SERVERS]
    if settings.VIDEO_TURN_URLS and settings.VIDEO_TURN_SECRET:
        username, password = credential(session_id, now, secret=settings.VIDEO_TURN_SECRET, ttl=settings.VIDEO_TURN_TTL)
        servers.append({"urls": list(settings.VIDEO_TURN_URLS), "username": username, "credential": password})
    return servers


def render_config(path: Path | str, *, listening_port: int, secret: str, realm: str,
                  relay_ports: tuple[int, int] = (49160, 49200), allowed_peer_ip: str | Sequence[str] | None = None,
                  listening_ip: str = "127.0.0.1", external_ip: str | None = None,
                  cert: str | None = None, pkey: str | None = None, tls_listening_port: int = 5349,
                  user_quota: int = 12, total_quota: int = 1200) -> Path:
    """Write deploy/coturn/turnserver.conf filled in to `path`.

    allowed_peer_ip: the media server's address (or addresses), the one peer allowed back among
    the denied private ranges. external_ip: "public/private" when coturn sits behind 1:1 NAT.
    cert and pkey: PEM files for TLS on `tls_listening_port` (turns:); without them, no TLS.
    """
    low, high = relay_ports
    if not 0 < low <= high < 65536:
        raise ValueError(f"relay_ports {relay_ports!r}: a range of UDP ports, low to high")
    if any(c in str(v) for v in (secret, realm) for c in "\n\r"):
        raise ValueError("the secret and the realm are one line each")
    if isinstance(allowed_peer_ip, str):
        allowed_peer_ip = [allowed_peer_ip]
    allowed = "\n".join(f"allowed-peer-ip={ip}" for ip in allowed_peer_ip or ()) or "# (no media server address allowed back)"
    if (cert is None) != (pkey is None):
        raise ValueError("TLS needs both cert and pkey")
    if cert:
        tls = (f"tls-listening-port={tls_listening_port}\ncert={cert}\npkey={pkey}\n"
               "# TLS 1.2 and later only; browsers reach TURN over TLS (turns:), never over DTLS.\n"
               "no-tlsv1\nno-tlsv1_1\nno-dtls")
    else:
        tls = "# No certificate: no TLS or DTLS listener (turns: URLs need cert and pkey).\nno-tls\nno-dtls"
    text = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        listening_ip=listening_ip, listening_port=int(listening_port), min_port=low, max_port=high,
        external_ip=f"external-ip={external_ip}" if external_ip else "# (not behind NAT: no external-ip)",
        secret=secret, realm=realm, user_quota=int(user_quota), total_quota=int(total_quota),
        allowed_peer_ip=allowed, tls=tls)
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)  # the secret
    return path
