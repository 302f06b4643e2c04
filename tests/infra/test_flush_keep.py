"""A transactional test's flush keeps content types and permissions only while they are migrate's
(tests/flush_keep.py). The tests run in file order: the first two change them, the last two see
them as migrate made them again."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from tests import flush_keep


def _made_rows():
    return flush_keep._made[connection.alias][1]


@pytest.mark.django_db(transaction=True)
def test_a_test_that_deletes_a_permission_and_adds_a_content_type():
    Permission.objects.get(codename="operate_sitting").delete()
    ContentType.objects.create(app_label="toy", model="leftover")
    assert flush_keep._rows(connection) != _made_rows()


@pytest.mark.django_db(transaction=True)
def test_after_it_the_flush_made_content_types_and_permissions_as_migrate_did():
    assert Permission.objects.filter(codename="operate_sitting").exists()
    assert not ContentType.objects.filter(app_label="toy", model="leftover").exists()
    assert flush_keep._rows(connection) == _made_rows()


@pytest.mark.django_db(transaction=True)
def test_a_test_that_renames_a_permission():
    Permission.objects.filter(codename="operate_sitting").update(name="renamed")
    assert flush_keep._rows(connection) != _made_rows()


@pytest.mark.django_db(transaction=True)
def test_after_it_the_permission_has_its_name_again():
    assert Permission.objects.get(codename="operate_sitting").name != "renamed"
    assert flush_keep._rows(connection) == _made_rows()
