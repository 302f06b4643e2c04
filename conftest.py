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
    # Files that live beside the project by design (../shared/standards: a standard's own schemas,
    # which are not ours to copy in) may be absent from a clone anywhere, CI's included: a test
    # marked `beside_project` still skips there, saying so, as ../shared/standards/README.md asks.
    beside = item.get_closest_marker("beside_project") is not None
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail") and not beside:
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


XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1"... in a worker of `pytest -n N`

# Files far slower than the rest (20 s and more each in a CI run), handed out first under xdist
# after the browser files: a long file handed out last leaves the other worker idle while it ends.
# Order only: every test still runs. Keep it to the real outliers.
SLOW_FILES = (
    "tests/test_secrecy.py",
    "tests/realtime/test_multiprocess.py",
    "tests/petitions/test_migrations.py",
    "tests/library/test_demo.py",
    "tests/petitions/test_identity_crawl.py",
    "tests/realtime/test_private.py",
    # own_servers (the PostgreSQL + Redis run): Daphne workers of their own, hundreds of sockets
    "tests/voting/test_voting_concurrency.py",
    "tests/floor/test_floor_concurrency.py",
    "tests/realtime/test_rebalance.py",
    "tests/faults/test_faults.py",
    "tests/infra/test_backup_restore.py",
)


def pytest_configure(config):
    # pytest-xdist (3.6+) hands out --dist loadfile's files biggest first by number of tests
    # ("loadscope reorder"), which undid the order below: the browser files (few tests, slow)
    # went out late and between other files, each run of them starting Chromium anew, and a
    # slow one-test file came last while the other worker idled. Keep the collection order,
    # unless --loadscope-reorder is asked for.
    if "--loadscope-reorder" not in config.invocation_params.args and hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # After pytest-django's own ordering. In one process, browser tests last: Playwright's
    # sync API keeps an event loop running in the main thread while it is open, and asyncio
    # tests after it could not start their own loop. In an xdist worker (run.py test runs
    # `pytest -n 2 --dist loadfile`), browser tests first, then the SLOW_FILES, then the rest:
    # xdist hands out whole files in this order (pytest_configure), so the slow files start at
    # once, each worker starts Chromium once, and the short files even out the end;
    # tests/browser/conftest.py closes Playwright after the last browser test.
    # Every worker sorts the same way, so all collect the same order, as xdist requires.
    def is_browser(item) -> bool:
        return item.get_closest_marker("browser") is not None

    def is_slow(item) -> bool:
        return item.nodeid.split("::", 1)[0] in SLOW_FILES

    if XDIST_WORKER is None:
        items.sort(key=is_browser)
    else:
        items.sort(key=lambda item: (not is_browser(item), not is_slow(item)))


# The data migrations that seed rows tests rely on, in order: (module, function(apps, schema_editor)).
SEEDING_MIGRATIONS = (
    ("petitions.migrations.0002_rules_and_holidays", "seed"),
    ("petitions.migrations.0007_new_year_2026_swap", "forwards"),
    ("petitions.migrations.0009b_calendar_and_rules_2026", "forwards"),
)


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

    with item.config.stash[blocking_manager_key].unblock():
        global _SEEDED
        # The first time in a process the migrations' own functions seed, and the rows they add are
        # copied; later the copy is written back (tests/demo_copy.py), some ten times cheaper.
        if _SEEDED is not None and _SEEDED.write_back():
            return
        from tests.demo_copy import Copy, all_rows

        before = all_rows()
        for module, function in SEEDING_MIGRATIONS:
            getattr(importlib.import_module(module), function)(apps, None)
        _SEEDED = Copy.take(before, all_rows())


_SEEDED = None  # the rows SEEDING_MIGRATIONS add to a flushed database (tests.demo_copy.Copy)
