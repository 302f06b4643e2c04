"""The tests' demo council, loaded once per process and then written back from a copy.

`meeting.demo.load_demo` makes a council row by row through the ORM (about 0.3 s for the tests'
20 delegates on a quiet machine, more under load), and half the suite's tests start with it (the
`sitting` fixture in tests/conftest.py). So the first load in a process is the real one, and the
rows it added are kept; each later test gets the same rows back with one `bulk_create` per table:
the same primary keys, the same values, in the test's own transaction (rolled back after it, or
committed and flushed for a transactional test), as if `load_demo` had run again.

What keeps the copy exact:
- it is taken only when `load_demo` added rows and changed or deleted none that were there before;
- rows it points at outside itself (the `operate_sitting` permission, a content type) are found
  again by natural key at each write-back (a transactional test's flush makes them anew, under new
  ids), or else must be there unchanged under the same key;
- a write-back that collides with a row already there (a unique key, a primary key) is undone
  and `load_demo` runs for real, and is copied again;
- one copy per database, council size and day (the demo's session and sittings are dated today);
- fields Django fills at insert (`auto_now`, `auto_now_add`) get the time of the write-back, as
  from a real load.
tests/meeting/test_demo_copy.py checks that a write-back is the real load's rows.

`Copy` serves conftest.py too: the rows the seeding migrations put back after a transactional
test's flush are copied the first time and written back after each later flush.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone


def _models():
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def _attnames(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def table_rows(model) -> dict:
    """Every row of `model`'s table as {pk: tuple of column values}."""
    names = _attnames(model)
    pk_at = names.index(model._meta.pk.attname)
    return {row[pk_at]: row for row in model._base_manager.values_list(*names).order_by()}


def all_rows() -> dict:
    return {model: table_rows(model) for model in _models()}


def _natural_key(model, pk):
    """The row's natural key when its model has one (ContentType, Permission), else None."""
    if not hasattr(model._default_manager, "get_by_natural_key") or not hasattr(model, "natural_key"):
        return None
    return model._base_manager.get(pk=pk).natural_key()


def _pk_by_natural_key(model, key):
    """The pk of the row with that natural key now, or None. Read from the table: ContentType's
    manager answers from a cache that a flush (new content types, new ids) leaves stale."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    if model is ContentType:
        found = model._base_manager.filter(app_label=key[0], model=key[1])
    elif model is Permission:
        found = model._base_manager.filter(codename=key[0], content_type__app_label=key[1], content_type__model=key[2])
    else:
        found = model._base_manager.filter(pk=model._default_manager.get_by_natural_key(*key).pk)
    return found.values_list("pk", flat=True).first()


def _relations(model) -> list:
    """(attname, target model) of each foreign key and one-to-one column of `model`."""
    return [(f.attname, f.related_model._meta.concrete_model) for f in model._meta.concrete_fields
            if f.is_relation and (f.many_to_one or f.one_to_one)]


@dataclass
class Copy:
    sitting_pk: int | None
    rows: list = field(default_factory=list)        # [(model, [dict of attname -> value])]
    outside: dict = field(default_factory=dict)     # {(model, pk): ("natural", key) | ("row", row)}

    @classmethod
    def take(cls, before: dict, after: dict, sitting_pk: int | None = None) -> Copy | None:
        """The rows `after` has that `before` had not; None when rows were changed or deleted too."""
        copy = cls(sitting_pk)
        added_keys: set = set()
        for model, rows in after.items():
            old = before.get(model, {})
            if any(pk not in rows or rows[pk] != row for pk, row in old.items()):
                return None  # it changed or deleted a row that was there: not a copy of additions alone
            new = [row for pk, row in rows.items() if pk not in old]
            if not new:
                continue
            if model._meta.parents:
                return None  # bulk_create cannot write multi-table inheritance
            names = _attnames(model)
            copy.rows.append((model, [dict(zip(names, row)) for row in new]))
            added_keys |= {(model._meta.concrete_model, row[names.index(model._meta.pk.attname)]) for row in new}
        if not copy.rows:
            return None
        for model, rows in copy.rows:
            for attname, target in _relations(model):
                for values in rows:
                    pk = values[attname]
                    if pk is None or (target, pk) in added_keys or (target, pk) in copy.outside:
                        continue
                    key = _natural_key(target, pk)
                    copy.outside[(target, pk)] = ("natural", key) if key is not None else \
                        ("row", table_rows(target).get(pk))
        return copy

    def write_back(self) -> bool:
        """The copied rows written back; False (and nothing written) when the database no longer fits them."""
        now_at: dict = {}
        for (model, pk), (how, what) in self.outside.items():
            if how == "natural":
                try:
                    now_at[(model, pk)] = _pk_by_natural_key(model, what)
                except model.DoesNotExist:
                    return False
                if now_at[(model, pk)] is None:
                    return False
            elif table_rows(model).get(pk) != what or what is None:
                return False
        try:
            with transaction.atomic():
                for model, rows in self.rows:
                    relations = _relations(model)
                    objs = []
                    for values in rows:
                        values = dict(values)
                        for attname, target in relations:
                            values[attname] = now_at.get((target, values[attname]), values[attname])
                        objs.append(model(**values))
                    model._base_manager.bulk_create(objs)
        except IntegrityError:
            return False
        return True


class DemoCopies:
    """The copies one process keeps, by database, council size and day."""

    def __init__(self):
        self.copies: dict = {}
        self.loads = 0          # real loads (and copies taken)
        self.write_backs = 0

    def load(self, delegates: int):
        from meeting.demo import load_demo
        from meeting.models import Sitting

        if Sitting.objects.filter(title__startswith="Phiên khai mạc").exists():
            return load_demo(delegates=delegates, documents=False, petitions=False)  # the one already there
        key = (connection.alias, connection.settings_dict["NAME"], delegates, timezone.localdate())
        copy = self.copies.get(key)
        if copy is not None and copy.write_back():
            self.write_backs += 1
            return Sitting.objects.get(pk=copy.sitting_pk)
        before = all_rows()
        sitting = load_demo(delegates=delegates, documents=False, petitions=False)
        self.loads += 1
        self.copies[key] = Copy.take(before, all_rows(), sitting.pk)
        return sitting


demo_copies = DemoCopies()
