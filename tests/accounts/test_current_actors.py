"""`current_actors` (several at once, for a group of commands) says of each actor exactly what
`current_actor` says of it alone: chair, secretary, office staff, delegate, guest, display, a
revoked device, a deactivated person, an anonymous viewer, the system."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Device
from accounts.permissions import actor_for, current_actor, current_actors, system_actor

pytestmark = pytest.mark.django_db


def test_several_actors_read_again_at_once_are_each_as_alone(sitting, actors, users, django_user_model):
    staff = django_user_model.objects.create_user("vanthu2")
    staff.user_permissions.add(Permission.objects.get(codename="operate_sitting"))
    gone_device = Device.objects.create(kind=Device.Kind.DISPLAY, label="x", display=actors["display"].device.display)
    gone = actor_for(sitting, device=gone_device)
    gone_device.delete()
    leaving = actor_for(sitting, user=users["bob"])
    users["bob"].is_active = False
    users["bob"].save()
    revoked_device = actors["display"].device
    every = [*actors.values(), actor_for(sitting, user=staff), gone, leaving, system_actor(),
             actor_for(sitting, user=AnonymousUser())]
    revoked_device.revoked = True
    revoked_device.save()
    alone = [current_actor(a, sitting) for a in every]
    with CaptureQueriesContext(connection) as queries:
        together = current_actors(every, sitting)
    assert together == alone
    assert len(queries) <= 3  # persons, devices, role facts
    assert {a.role for a in alone} >= {"chair", "secretary", "delegate", "guest", None, "public", "system"}


def test_every_size_of_group_reads_the_same_facts(sitting, actors, users, django_user_model):
    """The role facts query is compiled once per size rounded up to a power of two, the last person
    repeated to fill it: each size (and its padding) says of each actor what it says alone."""
    staff = django_user_model.objects.create_user("vanthu3")
    staff.user_permissions.add(Permission.objects.get(codename="operate_sitting"))
    people = [actor_for(sitting, user=staff), *(a for a in actors.values() if a.user is not None)]
    alone = [current_actor(a, sitting) for a in people]
    for size in range(1, len(people) + 1):
        for start in range(len(people) - size + 1):
            assert current_actors(people[start:start + size], sitting) == alone[start:start + size], (size, start)
    assert {a.role for a in alone} >= {"chair", "secretary", "delegate"}
