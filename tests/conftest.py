"""Shared fixtures: the demo council and its people.

Personas (all from meeting.demo):
- chair      — db001, chairs the sitting: drives agenda, attendance, displays.
- secretary  — thuky, operates the sitting with the same rights as the chair.
- alice, bob — delegates db010 and db011: follow the sitting, check themselves in.
- guest      — khachmoi, an invited guest: follows, is not counted for quorum.
- display    — the "Màn hình chính" hall display: sees the sitting, no private data.
- public     — an anonymous observer: public sittings only.
"""

import os
import shutil
import tempfile

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Device
from accounts.permissions import actor_for
from displays.models import Display
from meeting.demo import DELEGATES
from meeting.models import Member
from tests.demo_copy import demo_copies


# Test speed knobs for every test, wherever it lives (a new test folder gets them too):

# PostgreSQL: a commit returns without waiting for its WAL to reach the disk (synchronous_commit=off),
# for every connection of this process and of the servers the tests start (libpq reads PGOPTIONS).
# A commit waited some 6.6 ms for the disk on the shared CI machine (0.9 ms without), and
# transactional tests and the Daphne workers of own_servers tests commit thousands of times. What
# other sessions see and when is unchanged; only a crash of the PostgreSQL server itself could lose
# the last commits, of a test database. (tests/realtime/cluster.py starts its own cluster so too.)
if "synchronous_commit" not in os.environ.get("PGOPTIONS", ""):
    os.environ["PGOPTIONS"] = (os.environ.get("PGOPTIONS", "") + " -c synchronous_commit=off").strip()


@pytest.fixture(scope="module", autouse=True)
def _test_database_before_own_servers(request):
    """A module of tests with servers of their own (own_servers) on PostgreSQL: pytest's test database
    is made first, so their databases copy its migrated template (tests/migrated_db.py) instead of
    migrating one in a subprocess; in a worker whose first tests are these, it was made after them."""
    from django.db import connection

    if request.node.get_closest_marker("own_servers") and connection.vendor == "postgresql":
        request.getfixturevalue("django_db_setup")


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Cheap password hashing in tests. The production hasher (PBKDF2, a million rounds) costs
    about half a second per hash on a busy two-core machine, and every test that loads the demo
    council hashes its password once; nothing in the suite tests the hasher's strength."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def flush_by_delete():
    """On PostgreSQL, a transactional test ends by emptying the test database with DELETE, not
    Django's TRUNCATE of all 80 tables: a TRUNCATE makes every table and index anew on disk, about
    1.5 to 3 s a test on a busy two-core machine (over 270 such tests), where deleting the few rows
    a test leaves takes some 40 ms. The same rows go, in one transaction (foreign keys checked at
    its commit), sequences left as TRUNCATE leaves them (Django asks no RESTART IDENTITY here).
    SQLite's flush already deletes.
    On both, content types and permissions stay while they are what migrate made, and post_migrate
    is then not sent (tests/flush_keep.py); conftest.py's seeding follows as before."""
    from django.db.backends.postgresql.operations import DatabaseOperations
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper  # its operations, not circular

    SQLiteOperations = SQLiteWrapper.ops_class

    from tests import flush_keep

    truncate = DatabaseOperations.sql_flush
    sqlite_flush = SQLiteOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        tables = flush_keep.tables_to_empty(self.connection, tables)
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    def sqlite_sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not reset_sequences and tables:
            tables = flush_keep.tables_to_empty(self.connection, tables)
        return sqlite_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)

    DatabaseOperations.sql_flush = sql_flush
    SQLiteOperations.sql_flush = sqlite_sql_flush
    undo = flush_keep.install()
    yield
    undo()
    DatabaseOperations.sql_flush = truncate
    SQLiteOperations.sql_flush = sqlite_flush


@pytest.fixture(scope="session", autouse=True)
def plain_static_names():
    """Static files under their own names, as in DEBUG: with DEBUG off (the PostgreSQL runs),
    settings choose the hashed names of ManifestStaticFilesStorage, whose manifest only
    `collectstatic` writes (tests/config/test_static_files.py runs that path)."""
    from django.test import override_settings
    from django.conf import settings

    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # And the servers the tests start themselves (Daphne workers of the multi-process, fault and
    # rebalance tests), which inherit this environment: their pages answered 500 without a manifest.
    os.environ.setdefault("STATIC_MANIFEST", "0")
    with override_settings(STORAGES=plain):
        yield


@pytest.fixture(scope="session", autouse=True)
def _private_channel_prefix():
    """On Redis, this test process's own channel prefix (tests/realtime/hub.py), so its events
    never reach a server, another test run or another xdist worker sharing the same Redis."""
    from tests.realtime.hub import private_channel_prefix

    yield from private_channel_prefix()


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language (Vietnamese): a request in English activates
    English for the rest of its thread, and text a service writes in code (a milestone, a
    library note) would otherwise depend on which test ran before."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_snapshot_cache():
    """Each test's database is new, and sitting ids and seqs start again: snapshots cached by
    (sitting, seq) in an earlier test (realtime.snapshot) must not answer for this one's."""
    from realtime.snapshot import forget_snapshots

    forget_snapshots()
    yield
    forget_snapshots()


@pytest.fixture(scope="session", autouse=True)
def document_folder():
    """Document files (and letters' files) written by tests go to a temporary folder, never var/."""
    from django.conf import settings
    from django.core.files.storage import storages

    from library.models import DocumentVersion
    from petitions.models import CaseFile, PetitionCompilation
    from resolutions.models import ReportFile

    folder = tempfile.mkdtemp(prefix="hdnd-test-documents-")
    settings.STORAGES["documents"]["OPTIONS"]["location"] = folder
    settings.DOCUMENT_ROOT = folder
    storages._storages.pop("documents", None)
    # FileFields resolved their storage when the models loaded: point them at the new one.
    storage = storages["documents"]
    fields = [DocumentVersion._meta.get_field(name) for name in ("file", "rendition")]
    # Letters' files live in the same private storage (petitions/files.py).
    fields += [CaseFile._meta.get_field("file"), PetitionCompilation._meta.get_field("front_file")]
    # So are the resolutions' task reports' files (resolutions.models.ReportFile).
    fields.append(ReportFile._meta.get_field("file"))
    for field in fields:
        field.storage = storage
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# The demo council of the tests: the first twenty of the demo's fifty delegates (DB001-DB020:
# the chair, two vice-chairs, four committee heads, Alice and Bob, two in each delegate group),
# every body and role of the full council, the same sitting, agenda and display. Loading all
# fifty costs about twice as much in every test that needs a sitting. A test that counts the
# whole council (a quorum of 50, one badge or letter per delegate) is marked
# @pytest.mark.full_council and gets all fifty.
SMALL_COUNCIL = 20


@pytest.fixture
def council_size(request) -> int:
    """How many delegates the `sitting` fixture loads: 20, or all 50 with @pytest.mark.full_council."""
    return DELEGATES if request.node.get_closest_marker("full_council") else SMALL_COUNCIL


@pytest.fixture
def sitting(db, council_size):
    # Without the demo documents (library.demo): tests add the documents they need. The first
    # load in a process is load_demo's own; later ones write its rows back (tests/demo_copy.py).
    return demo_copies.load(council_size)


@pytest.fixture
def users(sitting):
    User = get_user_model()
    return {
        "chair": sitting.chair,
        "secretary": sitting.secretary,
        "alice": Member.objects.get(code="DB010").user,
        "bob": Member.objects.get(code="DB011").user,
        "guest": User.objects.get(username="khachmoi"),
    }


@pytest.fixture
def display_device(sitting):
    display = Display.objects.get(sitting=sitting, name="Màn hình chính")
    return Device.objects.create(kind=Device.Kind.DISPLAY, label=display.name, display=display)


@pytest.fixture
def actors(sitting, users, display_device):
    from django.contrib.auth.models import AnonymousUser

    out = {name: actor_for(sitting, user=user) for name, user in users.items()}
    out["display"] = actor_for(sitting, device=display_device)
    out["public"] = actor_for(sitting, user=AnonymousUser())
    return out


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """pytest-django's, and before it drops the test database: on PostgreSQL, end the sessions still
    connected to it. A hub thread of this process (a relay's read thread, the publisher's marking
    thread) can still hold a connection it took from the pool when the last test ends; the drop then
    failed ("being accessed by other users") and pytest reported it as an error of whichever test
    came last (seen in CI, and with tests/realtime/test_batches.py last).
    Also notes each test database's content types and permissions as migrate made them
    (tests/flush_keep.py), and copies the migrated database for the servers tests start: SQLite for
    the browser tests' server, PostgreSQL when the session has own_servers tests (tests/migrated_db.py)."""
    from django.db import connection, connections

    from tests import flush_keep, migrated_db

    with django_db_blocker.unblock():
        # Only the databases pytest-django made (none when no collected test uses one).
        made = [conn for conn in connections.all() if conn.settings_dict["NAME"] == conn.creation._get_test_db_name()]
        for conn in made:
            if conn.vendor in ("postgresql", "sqlite"):
                flush_keep.remember(conn)
        if connection in made:
            migrated_db.save(connection)
            if any(item.get_closest_marker("own_servers") for item in request.session.items):
                migrated_db.save_postgres_template(connection)
    yield
    with django_db_blocker.unblock():
        migrated_db.drop_postgres_template(connection)
        for conn in connections.all():
            if conn.vendor != "postgresql":
                continue
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            conn.close()
