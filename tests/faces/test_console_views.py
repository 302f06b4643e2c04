"""Who may open the chair console and the delegate terminal of a sitting.

The pages are frames: all live data comes over the hub, so these tests only
check the door (sign-in, role from accounts.permissions) and that the frame
names its sitting.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from meeting.models import Sitting


@pytest.fixture
def stranger(db):
    """A signed-in account that is no member, chair or secretary of anything."""
    return get_user_model().objects.create_user("nguoila", password="x" * 12)


@pytest.fixture
def closed_sitting(sitting):
    """The standing committee's monthly sitting: not public."""
    return Sitting.objects.get(is_public=False, body__kind="standing")


def console_url(s):
    return reverse("meeting:console", args=[s.pk])


def terminal_url(s):
    return reverse("meeting:terminal", args=[s.pk])


def test_chair_opens_the_console(client, sitting, users):
    client.force_login(users["chair"])
    response = client.get(console_url(sitting))
    assert response.status_code == 200
    assert f'data-sitting="{sitting.pk}"' in response.content.decode()


def test_secretary_opens_the_console(client, sitting, users):
    client.force_login(users["secretary"])
    assert client.get(console_url(sitting)).status_code == 200


def test_delegate_is_refused_the_console_with_a_page_that_says_why(client, sitting, users):
    client.force_login(users["alice"])
    response = client.get(console_url(sitting))
    assert response.status_code == 403
    assert "chủ tọa và thư ký" in response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in_for_the_console(client, sitting):
    response = client.get(console_url(sitting))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert console_url(sitting) in response["Location"]


def test_console_of_a_sitting_that_does_not_exist_is_not_found(client, users):
    client.force_login(users["chair"])
    assert client.get(reverse("meeting:console", args=[999999])).status_code == 404


def test_delegate_opens_the_terminal(client, sitting, users):
    client.force_login(users["alice"])
    response = client.get(terminal_url(sitting))
    assert response.status_code == 200
    assert f'data-sitting="{sitting.pk}"' in response.content.decode()


def test_guest_opens_the_terminal(client, sitting, users):
    client.force_login(users["guest"])
    assert client.get(terminal_url(sitting)).status_code == 200


def test_chair_may_open_the_terminal_to_try_it(client, sitting, users):
    client.force_login(users["chair"])
    assert client.get(terminal_url(sitting)).status_code == 200


def test_anonymous_visitor_is_sent_to_sign_in_for_the_terminal(client, sitting):
    response = client.get(terminal_url(sitting))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_stranger_is_refused_the_terminal_of_a_closed_sitting(client, closed_sitting, stranger):
    client.force_login(stranger)
    assert client.get(terminal_url(closed_sitting)).status_code == 403


def test_stranger_is_refused_the_terminal_of_a_public_sitting_too(client, sitting, stranger):
    # The public follows public sittings on the public page, not on a delegate's terminal.
    client.force_login(stranger)
    assert client.get(terminal_url(sitting)).status_code == 403


def test_pages_load_the_hub_client_and_the_translation_catalog(client, sitting, users):
    client.force_login(users["chair"])
    html = client.get(console_url(sitting)).content.decode()
    assert reverse("javascript-catalog") in html
    assert "realtime/hub.js" in html
    assert "meeting/console.js" in html


def test_console_is_never_cached(client, sitting, users):
    client.force_login(users["chair"])
    response = client.get(console_url(sitting))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
