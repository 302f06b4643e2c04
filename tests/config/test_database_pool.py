"""PostgreSQL connections come from a pool (config/env.py): a database call takes an open
connection instead of starting a new backend each time (issue 9, the morning rush)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

URL = "postgres://hub@127.0.0.1:5432/hub"


@pytest.fixture(autouse=True)
def no_pool_settings(monkeypatch):
    for name in ("DATABASE_POOL_MAX_SIZE", "DATABASE_POOL_MIN_SIZE", "DATABASE_POOL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)


def test_postgres_gets_a_pool_and_no_persistent_connections(tmp_path):
    db = env.database(URL, tmp_path)
    assert db["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 10, "timeout": 3}
    # Django refuses a pool with persistent connections; under ASGI they would pile up per thread.
    assert db["CONN_MAX_AGE"] == 0


def test_pool_size_is_a_setting_and_zero_turns_it_off(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_POOL_MAX_SIZE", "4")
    monkeypatch.setenv("DATABASE_POOL_MIN_SIZE", "1")
    monkeypatch.setenv("DATABASE_POOL_TIMEOUT", "3")
    assert env.database(URL, tmp_path)["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 3}
    monkeypatch.setenv("DATABASE_POOL_MAX_SIZE", "0")
    assert "pool" not in env.database(URL, tmp_path)["OPTIONS"]
    # The URL's own options still reach the driver.
    assert env.database(URL + "?sslmode=require", tmp_path)["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("name, value", [("DATABASE_POOL_MAX_SIZE", "many"), ("DATABASE_POOL_MAX_SIZE", "-1"),
                                         ("DATABASE_POOL_MIN_SIZE", "20"), ("DATABASE_POOL_TIMEOUT", "0")])
def test_bad_pool_settings_fail_loudly(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured):
        env.database(URL, tmp_path)


def test_sqlite_has_no_pool(tmp_path):
    assert "pool" not in env.database("", tmp_path)["OPTIONS"]


@pytest.mark.postgres
def test_closing_a_connection_returns_it_to_the_pool(tmp_path, django_db_blocker):
    """What Channels does around every database_sync_to_async call (close_old_connections) and
    Django after every request: close. With the pool, the next call gets an open backend back.

    A connection of its own (alias `pool_test`) to the PostgreSQL of DATABASE_URL, or of this
    machine, configured by config/env.py as the server's: it runs in both CI suites."""
    import os

    import psycopg
    from django.db.utils import ConnectionHandler

    url = os.environ.get("DATABASE_URL", "")
    url = url if url.startswith(("postgres://", "postgresql://")) else "postgres://postgres@127.0.0.1:5432/test"
    try:
        psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
    except psycopg.OperationalError as e:
        pytest.skip(f"PostgreSQL is not reachable ({e}); set DATABASE_URL or start PostgreSQL")
    # (a handler needs a "default"; the pool is kept per alias, apart from the test run's own)
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.dummy"},
                                 "pool_test": env.database(url, tmp_path)})
    connection = handler["pool_test"]
    pids = []
    with django_db_blocker.unblock():  # a connection of its own, outside the test databases
        try:
            for _ in range(8):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    pids.append(cursor.fetchone()[0])
                connection.close()
        finally:
            connection.close_pool()
    # The pool hands its few open connections round (here 3 for 8 calls); without one, 8 backends.
    assert len(set(pids)) <= len(pids) // 2
