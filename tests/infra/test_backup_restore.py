"""Backup and restore as docs/deploy.md ("Backups") tells an operator to do it (issue 17, item 7):
`pg_dump -Fc` of the database and a tar of each file store (documents, media), restored into an
empty database and empty folders; the restored copy serves the same sittings (their full
snapshot, realtime.snapshot), every document version's file with its recorded sha256, and the
member photos.

Real PostgreSQL (its own two databases, dropped at the end), real pg_dump/pg_restore and tar, the
project's own manage.py in processes of their own; without PostgreSQL it skips, saying why (CI
runs it: HUB_REQUIRE_ALL turns a skip into a failure).
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests import migrated_db

# Its own databases and processes, whatever the suite's database: CI runs it once, in the
# PostgreSQL + Redis run (own_servers), as the other tests that bring servers of their own.
pytestmark = [pytest.mark.postgres, pytest.mark.own_servers]

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
PG_DUMP, PG_RESTORE = shutil.which("pg_dump"), shutil.which("pg_restore")

PHOTO = """
from django.core.files.base import ContentFile
from meeting.models import Member
member = Member.objects.get(code="DB010")
member.photo.save("db010.png", ContentFile(bytes(range(256)) * 8), save=True)
"""

# What a client and the office would see: each sitting's snapshot, each stored file's bytes.
STATE = """
import hashlib, json
from django.core.files.storage import default_storage
from meeting.models import Member, Sitting
from library.models import DocumentVersion
from realtime.snapshot import full_state

out = {"sittings": {}, "versions": [], "photos": {}}
for sitting in Sitting.objects.order_by("pk"):
    seq, state = full_state(sitting.pk)
    out["sittings"][sitting.pk] = {"seq": seq, "state": state}
for v in DocumentVersion.objects.order_by("pk"):
    with v.file.open("rb") as f:
        out["versions"].append([v.pk, v.sha256, hashlib.sha256(f.read()).hexdigest()])
for m in Member.objects.exclude(photo="").order_by("pk"):
    with default_storage.open(m.photo.name, "rb") as f:
        out["photos"][m.code] = [m.photo.name, hashlib.sha256(f.read()).hexdigest()]
print("STATE " + json.dumps(out, sort_keys=True, default=str))
"""


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_DATABASE_URL


@pytest.fixture
def postgres():
    """An admin connection, and a function making a database of our own (dropped at the end)."""
    import psycopg

    if not (PG_DUMP and PG_RESTORE):
        pytest.skip("pg_dump/pg_restore are not installed (Debian: apt-get install postgresql-client)")
    url = urlparse(_postgres_url())
    try:
        admin = psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                                password=url.password or None, dbname=url.path.lstrip("/") or "postgres",
                                autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        pytest.skip(f"PostgreSQL is not reachable at {url.hostname}:{url.port or 5432} ({e}); "
                    "set DATABASE_URL or start PostgreSQL to run the backup and restore test")
    made = []

    def database(*, migrated: bool = False) -> str:
        """An empty database; `migrated`: what migrate leaves, copied from pytest's freshly migrated test
        database (tests/migrated_db.py, a tenth of a second where `manage.py migrate` in a process of its
        own takes some 13 s) when this process has that copy, else empty (the caller migrates)."""
        name = f"test_backup_{secrets.token_hex(4)}"
        template = migrated_db.postgres_template() if migrated else None
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        made.append(name)
        return url._replace(path=f"/{name}", query="").geturl()

    try:
        yield database
    finally:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _env(database_url: str, files: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "DOCUMENT_STORAGE_URL")}
    env.update(DATABASE_URL=database_url, SECRET_KEY=secrets.token_hex(32), DEBUG="0", LOG_LEVEL="ERROR",
               STATIC_MANIFEST="0", DOCUMENT_ROOT=str(files / "documents"), MEDIA_ROOT=str(files / "media"),
               HUB_EVENT_ARCHIVE_DIR=str(files / "event-archive"))
    return env


def _run(args: list[str], env: dict | None = None, timeout: int = 600) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args[:3]}: {result.stderr[-3000:]}"
    return result.stdout


def _manage(env: dict, *args: str) -> str:
    return _run([sys.executable, "manage.py", *args], env)


def _state(env: dict) -> dict:
    out = _manage(env, "shell", "-c", STATE)
    return json.loads(next(line for line in out.splitlines() if line.startswith("STATE "))[6:])


def test_a_backup_restored_into_an_empty_database_serves_the_same_sitting(postgres, tmp_path):
    source, target = tmp_path / "source", tmp_path / "restored"
    src = _env(postgres(migrated=True), source)
    if migrated_db.postgres_template() is None:  # no migrated copy in this process: migrate it here
        _manage(src, "migrate", "--noinput", "-v", "0")
    _manage(src, "load_demo", "--delegates", "20")   # with the demo's documents and letters
    _manage(src, "shell", "-c", PHOTO)
    before = _state(src)
    assert before["sittings"] and before["versions"] and before["photos"]

    # Back up, as docs/deploy.md says: the database, then each file store.
    backup = tmp_path / "backup"
    backup.mkdir()
    _run([PG_DUMP, "--format=custom", "--no-owner", "--file", str(backup / "hub.dump"), src["DATABASE_URL"]])
    for store in ("documents", "media"):
        _run(["tar", "-C", str(source / store), "-czf", str(backup / f"{store}.tar.gz"), "."])

    # Restore into an empty database and empty folders.
    dst = _env(postgres(), target)
    _run([PG_RESTORE, "--no-owner", "--exit-on-error", "--dbname", dst["DATABASE_URL"], str(backup / "hub.dump")])
    for store in ("documents", "media"):
        (target / store).mkdir(parents=True)
        _run(["tar", "-C", str(target / store), "-xzf", str(backup / f"{store}.tar.gz")])
    with tarfile.open(backup / "documents.tar.gz") as archive:
        assert any(name.endswith(".pdf") for name in archive.getnames())

    after = _state(dst)
    assert after == before
    assert all(recorded == stored for _pk, recorded, stored in after["versions"])
    # The restored database is complete: nothing left for migrate to do.
    assert "No planned migration operations" in _manage(dst, "migrate", "--plan")
