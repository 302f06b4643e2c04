"""The tests' demo council written back from its copy (tests/demo_copy.py, the `sitting` fixture)
is the council `load_demo` writes: the same rows, primary keys and values; rows it points at that a
flush made anew are found again; a write-back that no longer fits the database loads for real."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from meeting.models import Sitting, Term
from tests.demo_copy import DemoCopies, all_rows

pytestmark = pytest.mark.django_db


def content(tables: dict) -> dict:
    """Every table's rows, without the columns Django fills with the time of the insert."""
    out = {}
    for model, rows in tables.items():
        fields = model._meta.concrete_fields
        timed = {i for i, f in enumerate(fields) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
        out[model._meta.label] = {pk: tuple(v for i, v in enumerate(row) if i not in timed) for pk, row in rows.items()}
    return out


def loaded_then_undone(copies: DemoCopies):
    """The council loaded for real (and copied), then rolled back; what the load wrote."""
    savepoint = transaction.savepoint()
    sitting = copies.load(20)
    written = content(all_rows())
    transaction.savepoint_rollback(savepoint)
    assert not Sitting.objects.exists()
    return sitting, written


def test_a_written_back_council_has_every_row_load_demo_wrote():
    copies = DemoCopies()
    real, written = loaded_then_undone(copies)
    copied = copies.load(20)
    assert (copies.loads, copies.write_backs) == (1, 1)
    assert copied.pk == real.pk
    assert content(all_rows()) == written


def test_the_permission_a_flush_made_anew_is_found_again_by_its_natural_key():
    copies = DemoCopies()
    loaded_then_undone(copies)
    old = Permission.objects.get(codename="operate_sitting")
    old.delete()
    new = Permission.objects.create(codename=old.codename, name=old.name, content_type=old.content_type)
    assert new.pk != old.pk
    copies.load(20)
    assert copies.write_backs == 1
    secretary = get_user_model().objects.get(username="thuky")
    assert list(secretary.user_permissions.values_list("pk", flat=True)) == [new.pk]


def test_a_write_back_that_collides_with_a_row_there_loads_for_real():
    copies = DemoCopies()
    loaded_then_undone(copies)
    (copy,) = copies.copies.values()
    copied_term = next(rows for model, rows in copy.rows if model is Term)[0]
    Term.objects.create(pk=copied_term["id"], name="Khóa khác", start=copied_term["start"], end=copied_term["end"])
    sitting = copies.load(20)
    assert (copies.loads, copies.write_backs) == (2, 0)
    assert sitting.body.term.name == "2021–2026"
    assert Term.objects.get(pk=copied_term["id"]).name == "Khóa khác"
