"""A fresh database for a benchmark run: a SQLite file in the run's folder, or a
new PostgreSQL database on DATABASE_URL's server that is dropped at the end."""

import os
import sys
import uuid
from pathlib import Path


def log(msg: str):
    print(msg, file=sys.stderr, flush=True)


def fresh_database(*, postgres: bool, workdir: Path, prefix: str):
    """Point DATABASE_URL at a new, empty database; return a function that drops it."""
    if not postgres:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        return lambda: None
    from urllib.parse import urlparse, urlunparse

    import psycopg

    server = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin_url = urlunparse(server._replace(scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunparse(server._replace(path="/" + name))
    log(f"PostgreSQL database {name}")

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return drop
