"""The role in a sitting (accounts.permissions.role_in) reads what it needs of a signed-in person in
one query (the office staff permission, held directly or through a group; the member record; an
active membership of the sitting's body), compiled once per database. Each case against the rule
as it reads: chair, secretary or office staff (superuser, or meeting.operate_sitting), then a
member of the body (delegate or guest by kind), a member of another body (guest of a public
sitting only), anyone else the public of a public sitting.

Personas: tests/conftest.py (the demo council); the sitting is the demo's opening plenary, which is
public, and its body is the council.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.permissions import actor_for, is_office_staff, role_in
from meeting.models import Member

pytestmark = pytest.mark.django_db

OPERATE = ("meeting", "operate_sitting")


def operate_sitting():
    return Permission.objects.get(content_type__app_label=OPERATE[0], codename=OPERATE[1])


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)  # no permission cache, as a connect reads it


def test_a_delegate_a_guest_and_the_sittings_own(sitting, users):
    assert role_in(sitting, user=fresh(users["chair"])) == "chair"
    assert role_in(sitting, user=fresh(users["secretary"])) == "secretary"
    assert role_in(sitting, user=fresh(users["alice"])) == "delegate"
    alice = actor_for(sitting, user=fresh(users["alice"]))
    assert alice.member_id == users["alice"].member.pk
    assert role_in(sitting, user=users["guest"]) == "guest"
    assert role_in(sitting, user=AnonymousUser()) == "public"


def test_the_permission_held_directly_or_through_a_group_makes_office_staff_the_secretary(sitting, users):
    alice = users["alice"]
    alice.user_permissions.add(operate_sitting())
    assert is_office_staff(fresh(alice)) and role_in(sitting, user=fresh(alice)) == "secretary"
    assert actor_for(sitting, user=fresh(alice)).member_id is None
    alice.user_permissions.clear()
    bob = users["bob"]
    clerks = Group.objects.create(name="Văn phòng (thử)")
    clerks.permissions.add(operate_sitting())
    bob.groups.add(clerks)
    assert is_office_staff(fresh(bob)) and role_in(sitting, user=fresh(bob)) == "secretary"
    # Another permission of the same name in another app is not this one.
    other = Permission.objects.exclude(content_type__app_label=OPERATE[0]).first()
    clerks.permissions.set([other])
    assert role_in(sitting, user=fresh(bob)) == "delegate"


def test_a_superuser_is_staff_and_an_inactive_account_is_nobody_in_particular(sitting, users):
    alice = fresh(users["alice"])
    alice.is_superuser = True
    alice.save()
    assert role_in(sitting, user=fresh(alice)) == "secretary"
    alice.is_superuser = False
    alice.is_active = False
    alice.save()
    alice.user_permissions.add(operate_sitting())
    assert role_in(sitting, user=fresh(alice)) == "public"  # the sitting is public; its role is none of hers


def test_membership_of_the_body_and_its_kind(sitting, users):
    alice = fresh(users["alice"])
    member = alice.member
    member.memberships.filter(body_id=sitting.body_id).update(active=False)
    assert role_in(sitting, user=fresh(alice)) == "guest"  # a public sitting: she follows it, not voting
    sitting.is_public = False
    assert role_in(sitting, user=fresh(alice)) is None  # a closed sitting is for its body only
    member.memberships.filter(body_id=sitting.body_id).update(active=True)
    assert role_in(sitting, user=fresh(alice)) == "delegate"
    Member.objects.filter(pk=member.pk).update(kind="guest")
    assert role_in(sitting, user=fresh(alice)) == "guest"


def test_a_delegates_role_is_one_query(sitting, users):
    alice = fresh(users["alice"])
    with CaptureQueriesContext(connection) as queries:
        assert role_in(sitting, user=alice) == "delegate"
    assert len(queries) == 1
