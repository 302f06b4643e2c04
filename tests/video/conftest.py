"""Video fixtures: the hub fixtures of tests/realtime (a cookie per persona, `hub`)."""

from tests.realtime.conftest import cookies, hub  # noqa: F401 (fixtures)
