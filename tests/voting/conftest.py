from tests.realtime.conftest import cookies, hub  # noqa: F401 (fixtures)
