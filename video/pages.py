"""The video module's faces: its panel on the delegate terminal (a remote participant's page is the
terminal, so requests to speak and votes are the terminal's own), the control room's hall camera
page (views.py), and where a remote link lands (the terminal of the member's sitting, video open)."""

from django.conf import settings

from accounts import providers
from realtime import registry


def remote_path(user) -> str | None:
    from meeting.access import terminal_path

    path = terminal_path(user)
    return f"{path}?remote=1" if path else None


def register():
    registry.register_panel("terminal", "video", "video/terminal_panel.html", script="video/terminal.js", order=5)
    registry.register_panel("console", "video", "video/console_panel.html", script="video/console.js", order=45)
    providers.provide("landing.remote", remote_path)
    providers.provide("pairing.ttl.remote", lambda: settings.VIDEO_LINK_TTL)
