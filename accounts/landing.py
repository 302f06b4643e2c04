"""Where a freshly paired device goes: the page of the sitting it is for.

The module that serves each purpose provides its page (accounts.providers, "landing.<purpose>"):
a terminal opens the live (or else the next) sitting its delegate belongs to, a console the live
(or next) sitting its person chairs or clerks (meeting/access.py), a hall display its own kiosk
page (displays/apps.py). With none, the home page.
"""

from django.urls import reverse

from .providers import ask


def landing_path(purpose: str, user=None) -> str:
    return ask(f"landing.{purpose}", user, default=None) or reverse("home")
