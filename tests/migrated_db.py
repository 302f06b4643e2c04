"""A copy of pytest's own SQLite test database as `migrate` left it, taken once per process before
any test runs (tests/conftest.py `django_db_setup`), so the browser tests' server can start from it
instead of running every migration again (tests/browser/conftest.py `LiveServer.prepare`).
Not on PostgreSQL: there `path()` is None and the server migrates its own SQLite file."""

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


def ensure(request) -> None:
    """Have pytest-django make its test database (and so this copy) now, when it is SQLite."""
    from django.db import connection

    if connection.vendor == "sqlite":
        request.getfixturevalue("django_db_setup")
