"""ASGI entry point: HTTP through Django, WebSockets through the hub.

WebSockets pass the Host check (ALLOWED_HOSTS), the Origin check (the site's own
scheme, host and port, or CSRF_TRUSTED_ORIGINS: config/websocket.py) and Django sessions.
The hub resolves the session's user itself, in the same database job as the rest of a
connect (realtime/consumers.py), not in a middleware's job of its own before it.
Outermost, realtime.wire.capture keeps Daphne's protocol of each connection for the relay.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi = get_asgi_application()

from channels.sessions import SessionMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.websocket import AllowedHostValidator, SameOriginValidator  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402
from realtime.wire import capture  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_asgi,
    # capture: under Daphne, the relay writes a frame framed once for all connections (realtime.wire).
    "websocket": capture(AllowedHostValidator(SameOriginValidator(SessionMiddlewareStack(URLRouter(websocket_urlpatterns))))),
})

from django.conf import settings  # noqa: E402

from config.checks import warn_at_start  # noqa: E402

# A production start without a mail server or a public address says so in the worker's log.
warn_at_start()

from realtime.consumers import start_balancing  # noqa: E402

# With several workers on Redis, each evens out the connections with the others (after a failover).
start_balancing()

if settings.TASK_WORKER_IN_PROCESS:
    # The embedded default has one process: it runs the queued jobs itself (library.worker).
    from library.worker import start_in_background  # noqa: E402

    start_in_background()
