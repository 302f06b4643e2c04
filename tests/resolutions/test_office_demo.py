"""The demo council's resolutions (resolutions.demo): a programme in every state, loaded fast, whose
pages open for the demo's office user and the public."""

import time

import pytest
from django.urls import reverse

from meeting.demo import load_demo
from resolutions import progress
from resolutions.models import Resolution, Status


@pytest.fixture
def demo(db):
    started = time.monotonic()
    load_demo(delegates=3, documents=False)
    return time.monotonic() - started


def test_the_demo_has_resolutions_in_every_kind_of_state_through_the_services(demo):
    statuses = set(Resolution.objects.values_list("status", flat=True))
    assert {Status.PLANNED, Status.DRAFTING, Status.SUBMITTED, Status.IMPLEMENTING, Status.REPLACED,
            Status.WITHDRAWN} <= statuses
    following = Resolution.objects.get(status=Status.IMPLEMENTING)
    assert following.tasks.count() == 3 and 0 < progress.resolution_progress(following) < 1
    assert following.links_in.filter(kind="amends").exists() and following.links_out.filter(kind="replaces").exists()
    assert all(r.transitions.exists() for r in Resolution.objects.exclude(status=Status.PLANNED))


def test_the_demo_pages_open_for_its_office_user_and_the_public(client, demo):
    following = Resolution.objects.get(status=Status.IMPLEMENTING)
    public = client.get(reverse("resolutions:public_resolution", args=[following.pk]))
    assert public.status_code == 200
    assert "7.850 học sinh" in public.content.decode()  # the payment's report, published by the office
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="nghiquyet"))
    assert client.get(reverse("resolutions:programme")).status_code == 200
    for resolution in Resolution.objects.all():
        assert client.get(reverse("resolutions:resolution", args=[resolution.pk])).status_code == 200


def test_the_demo_loads_twice_without_a_second_programme(demo):
    count = Resolution.objects.count()
    load_demo(delegates=3, documents=False)
    assert Resolution.objects.count() == count
