"""`manage.py video_server`: the media process (videod, docs/decisions/0014 §1).

Serves the hub's control link (VIDEO_CONTROL) with the embedded aiortc backend, or drives Janus
(VIDEO_BACKEND=janus, JANUS_URL), and follows every
live sitting over the hub (VIDEO_HUB_URL) to know who is heard. Never run inside Daphne: media
coding would stall every tablet's events. `python3 run.py demo` starts it beside Daphne.
"""

import asyncio
import logging
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the media process for remote video (the embedded aiortc backend, or Janus)."

    def add_arguments(self, parser):
        parser.add_argument("--hub", default=None, help="the hub's WebSocket base URL (default VIDEO_HUB_URL)")
        parser.add_argument("--control", default=None, help="host:port to listen on for the hub (default VIDEO_CONTROL)")

    def handle(self, *args, hub=None, control=None, **options):
        if settings.VIDEO_BACKEND == "off":
            raise CommandError("VIDEO_BACKEND is off: no media process to run")
        if settings.VIDEO_BACKEND == "janus" and not (settings.JANUS_API_SECRET and settings.JANUS_ADMIN_KEY):
            raise CommandError("VIDEO_BACKEND=janus needs JANUS_API_SECRET and JANUS_ADMIN_KEY (docs/video.md, Janus)")
        logging.getLogger("video.media").setLevel(logging.INFO)
        try:
            asyncio.run(self.main(hub, control))
        except KeyboardInterrupt:
            pass

    async def main(self, hub, control):
        from video import control as link
        from video.follower import follow_sittings
        from video.media.aiortc_backend import AiortcBackend
        from video.media.server import serve

        host, port = link.address()
        if control:
            host, _, port = control.rpartition(":")
            port = int(port)
        if settings.VIDEO_BACKEND == "janus":
            from video.media.janus_backend import JanusBackend

            backend = JanusBackend(url=settings.JANUS_URL, api_secret=settings.JANUS_API_SECRET,
                                   admin_key=settings.JANUS_ADMIN_KEY)
            await backend.start()  # every room a dead media process left in Janus is destroyed
        else:
            backend = AiortcBackend(ice_servers=settings.VIDEO_ICE_SERVERS,
                                    capacity_streams=settings.VIDEO_AIORTC_MAX_STREAMS)
        self.stdout.write(f"video_server: control link on {host}:{port}, following {hub or settings.VIDEO_HUB_URL}")
        self.stdout.flush()
        server = asyncio.ensure_future(serve(host=host, port=port, secret=link.secret(), backend=backend))
        follower = asyncio.ensure_future(follow_sittings(backend, hub_url=hub))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait([server, follower, stopped], return_when=asyncio.FIRST_COMPLETED)
        # Stopping (systemd, run.py, Ctrl+C): the follower first, which finishes and stores every
        # recording, then the link and the backend.
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
        stopped.cancel()
        await backend.close()
        for task in (server, follower):
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()
