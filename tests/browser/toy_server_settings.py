"""The browser tests' server settings with the toy module installed (tests/realtime/toy), for the
hub.js tests of what one member alone is told (tests/browser/test_hub_private.py)."""

from tests.browser.server_settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.realtime.toy.apps.ToyConfig"]  # noqa: F405
