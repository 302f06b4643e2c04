"""Checks on a WebSocket handshake before it reaches the hub."""

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host


class AllowedHostValidator:
    """Refuse a handshake whose Host header is not in ALLOWED_HOSTS.

    Channels' AllowedHostsOriginValidator checks the Origin header only; HTTP
    requests get Django's Host check, and WebSockets get the same here.
    """

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
        domain, _port = split_domain_port(host)
        allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
        if not domain or not validate_host(domain, allowed):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
