"""A copy of pytest's own test database as `migrate` left it, taken once per process before any test
runs (tests/conftest.py `django_db_setup`), so servers the tests start can begin from it instead of
running every migration again in a process of their own:
- SQLite: a file, for the browser tests' server (tests/browser/conftest.py `LiveServer.prepare`);
  on PostgreSQL `path()` is None and that server migrates its own SQLite file;
- PostgreSQL: a template database (CREATE DATABASE ... TEMPLATE, a tenth of a second), when the
  session runs tests with servers of their own (own_servers): the "migrated" template of
  tests/realtime/test_multiprocess.py, which `manage.py migrate` made in a subprocess before (some
  13 s on a busy two-core machine, in each xdist worker). Dropped when the session ends."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

_saved: dict = {}


def save(connection) -> None:
    """Back up `connection`'s freshly migrated SQLite test database to a file of this process."""
    if connection.vendor != "sqlite" or "path" in _saved:
        return
    folder = Path(tempfile.mkdtemp(prefix="hdnd-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    target = folder / "migrated.sqlite3"
    import sqlite3

    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()
    _saved["path"] = target


def path() -> Path | None:
    return _saved.get("path")


def save_postgres_template(connection) -> None:
    """A template database copied from `connection`'s freshly migrated PostgreSQL test database.
    Nobody else may be connected to the source while it is copied: before the first test, only
    this process's own connection is, and it is closed first (Django opens it again when needed)."""
    if connection.vendor != "postgresql" or "template" in _saved:
        return
    import secrets

    name = f"test_hub_template_migrated_{secrets.token_hex(4)}"
    source = connection.settings_dict["NAME"]
    connection.close()
    if getattr(connection, "pool", None) is not None:
        connection.close_pool()  # its idle connections are connected to the source too
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    _saved["template"] = name


def postgres_template() -> str | None:
    """The name of the template database `save_postgres_template` made in this process, if any."""
    return _saved.get("template")


def drop_postgres_template(connection) -> None:
    name = _saved.pop("template", None)
    if name is not None:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ensure(request) -> None:
    """Have pytest-django make its test database (and so this copy) now, when it is SQLite."""
    from django.db import connection

    if connection.vendor == "sqlite":
        request.getfixturevalue("django_db_setup")
