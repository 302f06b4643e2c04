"""Repository-wide pytest hooks (fixtures live in tests/conftest.py).

HUB_REQUIRE_ALL=1 (set by .ci/run) turns every skip into a failure. On a
newcomer's laptop a test that needs PostgreSQL, Redis or Chromium skips with
its reason; in CI all of them are there, so a skip means something is broken
(a service down, a package missing) and must not pass silently. Expected
failures (xfail) are left alone: they are declared, not missing.
"""

import os

import pytest

REQUIRE_ALL = os.environ.get("HUB_REQUIRE_ALL", "").strip().lower() in {"1", "true", "yes", "on"}


def _forbidden(reason: str) -> str:
    return f"skipped, but HUB_REQUIRE_ALL=1 (CI) forbids skips: {reason}"


def _skip_reason(longrepr) -> str:
    # A skip's longrepr is (path, lineno, "Skipped: reason").
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = _forbidden(_skip_reason(report.longrepr))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    # A whole module skipped at import (pytest.importorskip, allow_module_level=True).
    report = yield
    if REQUIRE_ALL and report.skipped:
        report.outcome = "failed"
        report.longrepr = _forbidden(_skip_reason(report.longrepr))
    return report


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # Browser tests last (after pytest-django's own ordering): Playwright's
    # sync API keeps an event loop running in the main thread until the end of
    # the session, and asyncio tests after it cannot start their own loop.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by flushing the test database, and with it the rows that data
    migrations seeded (petitions' deadline rules and holidays). Once its teardown (the flush) is
    done, put them back, as a migrated database has them, for the tests after it."""
    yield
    marker = item.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) \
        or "transactional_db" in getattr(item, "fixturenames", ())
    if not transactional or nextitem is None:  # the last test: its teardown also destroyed the test database
        return
    import importlib

    from django.apps import apps
    from pytest_django.plugin import blocking_manager_key

    seeded = importlib.import_module("petitions.migrations.0002_rules_and_holidays")
    with item.config.stash[blocking_manager_key].unblock():
        seeded.seed(apps, None)
