"""Moving a hall display to another sitting is announced in both sittings."""

import pytest
from django.urls import reverse

from displays import services
from displays.models import Display
from meeting.models import Sitting
from realtime.models import SittingEvent
from realtime.service import ServiceError


@pytest.fixture
def other_sitting(sitting):
    return Sitting.objects.exclude(pk=sitting.pk).get()


def _display_events(sitting):
    return list(SittingEvent.objects.filter(sitting=sitting, type="display.updated").values_list("data", flat=True))


def test_moving_a_display_announces_it_in_the_sitting_it_leaves_and_the_one_it_joins(sitting, other_sitting, users):
    display = Display.objects.get(sitting=sitting, name="Màn hình chính")
    services.assign(users["secretary"], display.pk, other_sitting.pk)
    display.refresh_from_db()
    assert display.sitting_id == other_sitting.pk
    assert _display_events(sitting) == [{"id": display.pk, "name": display.name, "slide": display.slide, "sitting_id": other_sitting.pk}]
    assert _display_events(other_sitting) == [{"id": display.pk, "name": display.name, "slide": display.slide, "sitting_id": other_sitting.pk}]


def test_a_delegate_cannot_move_a_display(sitting, other_sitting, users):
    display = Display.objects.get(sitting=sitting, name="Màn hình chính")
    with pytest.raises(ServiceError) as e:
        services.assign(users["alice"], display.pk, other_sitting.pk)
    assert e.value.code == "forbidden"
    display.refresh_from_db()
    assert display.sitting_id == sitting.pk


def test_moving_a_display_in_the_admin_goes_through_the_service(client, sitting, other_sitting, users):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    display = Display.objects.get(sitting=sitting, name="Màn hình chính")
    response = client.post(reverse("admin:displays_display_change", args=[display.pk]),
                           {"name": display.name, "sitting": other_sitting.pk, "slide": "agenda"})
    assert response.status_code == 302
    display.refresh_from_db()
    assert (display.sitting_id, display.slide) == (other_sitting.pk, "agenda")
    assert [e["sitting_id"] for e in _display_events(sitting)] == [other_sitting.pk]
    assert [e["slide"] for e in _display_events(other_sitting)] == ["overview", "agenda"]
