"""Checks on a WebSocket handshake before it reaches the hub: Host, then Origin."""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import is_same_domain, split_domain_port, validate_host

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _header(scope, name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == name), "")


def request_host(scope) -> str:
    """The Host the handshake was sent to, as Django's HttpRequest.get_host() reads it
    (X-Forwarded-Host when USE_X_FORWARDED_HOST, the first of a list)."""
    if settings.USE_X_FORWARDED_HOST:
        forwarded = _header(scope, b"x-forwarded-host")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return _header(scope, b"host")


def request_scheme(scope) -> str:
    """http or https, as Django's HttpRequest.scheme reads it (SECURE_PROXY_SSL_HEADER when set)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        name = header.removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1")
        value = _header(scope, name)
        if value:
            return "https" if value.split(",")[0].strip() == secure_value else "http"
    return "https" if scope.get("scheme") in ("wss", "https") else "http"


def _normal(origin: str) -> str | None:
    """scheme://host:port with the default port written out, or None if it is no web origin."""
    try:
        parts = urlsplit(origin)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path or parts.query:
            return None
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        return None
    return f"{scheme}://{parts.hostname.lower()}:{port}"


def origin_allowed(scope) -> bool:
    """True when the handshake's Origin is the site's own (the scheme, host and port it was
    served on) or one listed in CSRF_TRUSTED_ORIGINS, as Django's CSRF check counts them."""
    origin = _header(scope, b"origin")
    normal = _normal(origin)
    if normal is None:
        return False
    if normal == _normal(f"{request_scheme(scope)}://{request_host(scope)}"):
        return True
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if any("*" not in t and normal == _normal(t) for t in trusted):
        return True
    parts = urlsplit(origin)
    return any(
        "*" in t and urlsplit(t).scheme == parts.scheme.lower() and is_same_domain(parts.netloc.lower(), urlsplit(t).netloc.lstrip("*"))
        for t in trusted
    )


class AllowedHostValidator:
    """Refuse a handshake whose Host header is not in ALLOWED_HOSTS.

    HTTP requests get Django's Host check, and WebSockets get the same here.
    """

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        domain, _port = split_domain_port(request_host(scope))
        allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
        if not domain or not validate_host(domain, allowed):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)


class SameOriginValidator:
    """Refuse a handshake from a page of any other origin (HTTP 403 before the handshake).

    The browser sends the session cookie with a WebSocket handshake from any site;
    the Origin is what tells our own pages from another site's. Channels'
    AllowedHostsOriginValidator compares only the host name, so a page on another
    port or over plain http of the same host passed; this compares the whole origin.
    """

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
