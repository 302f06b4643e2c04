"""How often a hall display asks the server whether to show something else is a setting:
production polls a waiting display every 20 s and a sitting's every 60 s; the browser tests
set one second, so a test that assigns a display does not wait out a production interval.

Personas: a hall display paired in this browser's session (waiting, or showing the demo sitting).
"""

import pytest

from accounts.models import Device
from displays.models import Display
from tests.faces.test_display_views import DISPLAY_URL, be, hall_config


@pytest.fixture
def waiting_display(client, db):
    display = Display.objects.create(name="Màn hình sảnh", sitting=None)
    be(client, Device.objects.create(kind=Device.Kind.DISPLAY, label=display.name, display=display))
    return display


@pytest.fixture
def sitting_display(client, sitting):
    display = Display.objects.get(sitting=sitting, name="Màn hình chính")
    be(client, Device.objects.create(kind=Device.Kind.DISPLAY, label=display.name, display=display))
    return display


def test_a_waiting_display_polls_every_20_seconds_by_default(client, waiting_display):
    assert hall_config(client.get(DISPLAY_URL))["pollSeconds"] == 20


def test_a_display_showing_a_sitting_polls_every_60_seconds_by_default(client, sitting_display):
    assert hall_config(client.get(DISPLAY_URL))["pollSeconds"] == 60


def test_the_waiting_poll_is_the_setting_display_idle_poll_seconds(client, waiting_display, settings):
    settings.DISPLAY_IDLE_POLL_SECONDS = 1
    settings.DISPLAY_SITTING_POLL_SECONDS = 7
    assert hall_config(client.get(DISPLAY_URL))["pollSeconds"] == 1


def test_the_sitting_poll_is_the_setting_display_sitting_poll_seconds(client, sitting_display, settings):
    settings.DISPLAY_IDLE_POLL_SECONDS = 1
    settings.DISPLAY_SITTING_POLL_SECONDS = 7
    assert hall_config(client.get(DISPLAY_URL))["pollSeconds"] == 7
