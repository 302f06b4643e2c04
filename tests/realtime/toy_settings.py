"""The project's settings with the toy module installed (tests/realtime/toy): for server processes
a test starts itself (tests/realtime/test_private_cluster.py). In pytest's own process the toy is
registered by a fixture instead (tests/realtime/test_registry.py)."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.realtime.toy.apps.ToyConfig"]  # noqa: F405
