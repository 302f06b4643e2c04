"""GET /api/sittings/: the sittings a client may follow over the hub (issue 11, item 8: how a
client finds them was not in the protocol)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meeting.models import Sitting

pytestmark = pytest.mark.django_db


def listed(client) -> dict:
    response = client.get("/api/sittings/")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    return {s["id"]: s for s in response.json()["sittings"]}


def test_each_client_gets_the_sittings_it_may_follow_with_its_role(sitting, users):
    standing = Sitting.objects.exclude(pk=sitting.pk).get()  # the Standing Committee's, not public
    alice = Client()
    alice.force_login(users["alice"])
    mine = listed(alice)
    assert mine[sitting.pk]["role"] == "delegate" and mine[sitting.pk]["hub"] == f"/ws/sitting/{sitting.pk}/"
    secretary = Client()
    secretary.force_login(users["secretary"])
    assert {standing.pk, sitting.pk} <= set(listed(secretary))
    assert listed(secretary)[standing.pk]["audience"] == "staff"
    Sitting.objects.filter(pk=standing.pk).update(is_public=False)
    public = listed(Client())
    assert public[sitting.pk]["role"] == "public"
    assert standing.pk not in public      # not public: not for the public
    assert standing.pk not in listed(alice)  # nor for a delegate of another body


def test_a_sitting_closed_more_than_a_day_ago_is_no_longer_listed(sitting, users):
    sitting.status, sitting.closed_at = Sitting.Status.CLOSED, timezone.now() - timedelta(hours=2)
    sitting.save(update_fields=["status", "closed_at"])
    assert sitting.pk in listed(Client())
    Sitting.objects.filter(pk=sitting.pk).update(closed_at=timezone.now() - timedelta(days=2))
    assert sitting.pk not in listed(Client())
