"""A transactional test's flush keeps the content types and permissions while they are still the ones
`migrate` made (tests/conftest.py `flush_by_delete` installs this).

Django's flush empties every table, content types and permissions included, and its post_migrate
then makes them all again, row by row (some 80 content types and 330 permissions: about half a second
a test on PostgreSQL under load, for some 270 transactional tests). Here, when a test leaves those two
tables holding exactly what `migrate` left (the same content types, the same permissions with the same
names, compared by natural key), the flush deletes every other table's rows and leaves these two as
they are, and the post_migrate that would have found nothing to make is not sent; the content type
cache is cleared as it would have cleared it. When a test changed them (added, deleted or renamed a
permission or a content type), the flush empties them too and post_migrate makes them anew, as Django
does. Each connection is compared with its own rows, taken right after its test database was made.
"""

from __future__ import annotations

KEPT_TABLES = ("django_content_type", "auth_permission")

_made: dict = {}      # connection alias -> (database name, rows after migrate)
_kept: set = set()    # aliases whose last flush kept KEPT_TABLES (their post_migrate is not sent)


def _rows(connection) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_label, model FROM django_content_type")
        content_types = frozenset(cursor.fetchall())
        cursor.execute("SELECT p.codename, p.name, ct.app_label, ct.model FROM auth_permission p "
                       "JOIN django_content_type ct ON ct.id = p.content_type_id")
        permissions = frozenset(cursor.fetchall())
    return content_types, permissions


def remember(connection) -> None:
    """The content types and permissions of `connection`'s freshly migrated test database."""
    _made[connection.alias] = (connection.settings_dict["NAME"], _rows(connection))


def tables_to_empty(connection, tables) -> list:
    """`tables` without KEPT_TABLES when they still hold what migrate made; noted for post_migrate."""
    _kept.discard(connection.alias)
    made = _made.get(connection.alias)
    if made is None or made[0] != connection.settings_dict["NAME"] or not set(KEPT_TABLES) <= set(tables):
        return list(tables)
    if _rows(connection) != made[1]:
        return list(tables)
    _kept.add(connection.alias)
    return [table for table in tables if table not in KEPT_TABLES]


def install():
    """Patch the flush command's post_migrate; returns the function that undoes it."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.commands import flush
    from django.db.models.signals import post_migrate

    emit = flush.emit_post_migrate_signal

    def emit_post_migrate_signal(verbosity, interactive, db, **kwargs):
        receivers = {getattr(r, "__wrapped__", r) for r in post_migrate._live_receivers(None)[0]}
        if db in _kept and receivers <= {create_permissions, create_contenttypes}:
            _kept.discard(db)
            ContentType.objects.clear_cache()  # as create_contenttypes does first
            return
        _kept.discard(db)
        emit(verbosity, interactive, db, **kwargs)

    flush.emit_post_migrate_signal = emit_post_migrate_signal

    def undo():
        flush.emit_post_migrate_signal = emit

    return undo
