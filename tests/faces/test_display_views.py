"""The hall display page: who gets the kiosk, who gets told how to pair, and
who may preview a display. The slides themselves are drawn in the browser
(tests/browser/test_display.py); here we check the door and the frame.

Personas: the hall display "Màn hình chính" (paired device in this browser's
session), the chair (db001, chairs the demo sitting), the secretary (office
staff), delegate Alice.
"""

import json

import pytest
from django.templatetags.static import static
from django.urls import reverse

from accounts.models import Device
from displays import slides
from displays.models import Display

DISPLAY_URL = "/display/"


def be(client, device):
    """Put `device` in this browser's session, as pairing does."""
    session = client.session
    session["device_id"] = device.pk
    session.save()


def hall_config(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="hall-config" type="application/json">') + len('<script id="hall-config" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


@pytest.fixture
def idle_display(db):
    return Display.objects.create(name="Màn hình sảnh", sitting=None)


def test_display_url_is_named():
    assert reverse("displays:display") == DISPLAY_URL


def test_paired_display_gets_its_sitting_on_the_hall_page(client, sitting, display_device):
    be(client, display_device)
    response = client.get(DISPLAY_URL)
    assert response.status_code == 200
    assert "displays/hall.html" in [t.name for t in response.templates]
    config = hall_config(response)
    assert (config["sittingId"], config["displayId"]) == (sitting.pk, display_device.display_id)
    assert sitting.title in response.content.decode()


def test_hall_page_tells_what_it_shows_so_the_kiosk_notices_a_change(client, sitting, display_device):
    be(client, display_device)
    response = client.get(DISPLAY_URL)
    assert response["X-Hall-Page"] == f"sitting:{sitting.pk}"
    assert hall_config(response)["pageKey"] == response["X-Hall-Page"]


def test_hall_page_loads_the_hub_and_every_registered_slide(client, sitting, display_device):
    be(client, display_device)
    html = client.get(DISPLAY_URL).content.decode()
    assert static("realtime/hub.js") in html
    assert static("displays/display.js") in html
    for slide in slides.all_slides():
        if slide.script is not None:  # "auto" is drawn by the page itself
            assert static(slide.script) in html


def test_a_slide_registered_by_another_app_is_loaded_without_touching_the_page(client, sitting, display_device):
    slides.register("test-speakers", "Người phát biểu", "speakers/slides/speakers.js", order=50)
    try:
        be(client, display_device)
        assert static("speakers/slides/speakers.js") in client.get(DISPLAY_URL).content.decode()
    finally:
        slides._REGISTRY.pop("test-speakers")


def test_hall_page_is_never_cached(client, sitting, display_device):
    be(client, display_device)
    assert "no-store" in client.get(DISPLAY_URL)["Cache-Control"]


def test_browser_without_pairing_is_told_how_to_pair(client, sitting):
    response = client.get(DISPLAY_URL)
    assert "displays/not_paired.html" in [t.name for t in response.templates]
    assert "mã QR" in response.content.decode()


def test_revoked_display_is_no_longer_paired(client, sitting, display_device):
    be(client, display_device)
    Device.objects.filter(pk=display_device.pk).update(revoked=True)
    assert "displays/not_paired.html" in [t.name for t in client.get(DISPLAY_URL).templates]


def test_a_delegate_terminal_is_not_a_display(client, sitting, users):
    terminal = Device.objects.create(kind=Device.Kind.TERMINAL, label="Máy A1", user=users["alice"])
    be(client, terminal)
    assert "displays/not_paired.html" in [t.name for t in client.get(DISPLAY_URL).templates]


def test_display_that_follows_no_sitting_waits_with_the_clock(client, idle_display):
    be(client, Device.objects.create(kind=Device.Kind.DISPLAY, label=idle_display.name, display=idle_display))
    response = client.get(DISPLAY_URL)
    assert "displays/waiting.html" in [t.name for t in response.templates]
    assert response["X-Hall-Page"] == "waiting"
    assert hall_config(response)["pollSeconds"] > 0


def test_preview_asks_to_sign_in_first(client, sitting, display_device):
    response = client.get(reverse("displays:preview", args=[display_device.display_id]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_office_staff_preview_any_display(client, sitting, users, display_device):
    client.force_login(users["secretary"])
    response = client.get(reverse("displays:preview", args=[display_device.display_id]))
    assert response.status_code == 200
    assert hall_config(response)["displayId"] == display_device.display_id


def test_chair_previews_the_displays_of_the_sitting(client, sitting, users):
    display = Display.objects.get(sitting=sitting, name="Màn hình phụ")
    client.force_login(users["chair"])
    assert client.get(reverse("displays:preview", args=[display.pk])).status_code == 200


def test_delegate_may_not_preview_a_display(client, sitting, users, display_device):
    client.force_login(users["alice"])
    assert client.get(reverse("displays:preview", args=[display_device.display_id])).status_code == 403


def test_preview_of_a_display_that_does_not_exist_is_404(client, sitting, users):
    client.force_login(users["secretary"])
    assert client.get(reverse("displays:preview", args=[999999])).status_code == 404


def test_preview_may_be_framed_by_our_own_pages_only(client, sitting, users, display_device):
    client.force_login(users["secretary"])
    response = client.get(reverse("displays:preview", args=[display_device.display_id]))
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_preview_of_an_idle_display_shows_the_waiting_screen(client, users, idle_display):
    client.force_login(users["secretary"])
    response = client.get(reverse("displays:preview", args=[idle_display.pk]))
    assert "displays/waiting.html" in [t.name for t in response.templates]
