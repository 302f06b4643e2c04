"""PostgreSQL connections come from a pool (config/env.py): a database call takes an open
connection instead of starting a new backend each time (issue 9, the morning rush)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

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
@pytest.mark.django_db(transaction=True)
def test_closing_a_connection_returns_it_to_the_pool():
    """What Channels does around every database_sync_to_async call (close_old_connections) and
    Django after every request: close. With the pool, the next call gets an open backend back."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (DATABASE_URL=postgres://...)")
    pids = []
    for _ in range(8):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids.append(cursor.fetchone()[0])
        connection.close()
    # The pool hands its few open connections round (here 3 for 8 calls); without one, 8 backends.
    assert len(set(pids)) <= len(pids) // 2
