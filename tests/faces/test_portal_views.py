"""The home page and the public pages.

Personas: a public observer (anonymous), the chair (db001), the secretary
(office staff), delegate Alice, guest "khachmoi". The demo has a public
plenary sitting and a closed standing-committee sitting.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meeting import services as meeting
from meeting.models import Sitting


@pytest.fixture
def closed_sitting(sitting):
    """The standing committee's monthly sitting: not public."""
    return Sitting.objects.get(is_public=False)


@pytest.fixture
def later_sitting(sitting):
    """A second public sitting of the session, scheduled for tomorrow."""
    return Sitting.objects.create(body=sitting.body, session=sitting.session, title="Phiên chiều ngày thứ hai",
                                  starts_at=timezone.now() + dt.timedelta(days=1), is_public=True,
                                  chair=sitting.chair, secretary=sitting.secretary)


# ---- the public list ----------------------------------------------------------

def test_public_list_shows_public_sittings(client, sitting):
    response = client.get(reverse("portal:public"))
    assert response.status_code == 200
    assert reverse("portal:sitting", args=[sitting.pk]) in response.content.decode()


def test_public_list_hides_closed_sittings(client, closed_sitting):
    html = client.get(reverse("portal:public")).content.decode()
    assert closed_sitting.title not in html
    assert reverse("portal:sitting", args=[closed_sitting.pk]) not in html


def test_public_list_hides_sittings_of_a_closed_session(client, sitting):
    sitting.session.is_public = False
    sitting.session.save()
    assert sitting.title not in client.get(reverse("portal:public")).content.decode()


def test_public_list_puts_the_live_sitting_before_upcoming_ones(client, sitting, actors, later_sitting):
    meeting.open_sitting(actors["chair"], sitting.pk)
    groups = client.get(reverse("portal:public")).context["groups"]
    assert [s.pk for s in groups["live"]] == [sitting.pk]
    assert [s.pk for s in groups["upcoming"]] == [later_sitting.pk]


def test_public_list_shows_a_recently_closed_sitting_as_recent(client, sitting, actors):
    meeting.open_sitting(actors["chair"], sitting.pk)
    meeting.close_sitting(actors["chair"], sitting.pk)
    groups = client.get(reverse("portal:public")).context["groups"]
    assert [s.pk for s in groups["recent"]] == [sitting.pk]
    assert not groups["live"]


# ---- the observer page --------------------------------------------------------

def test_observer_page_of_a_public_sitting(client, sitting):
    response = client.get(reverse("portal:sitting", args=[sitting.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert sitting.title in html
    assert "realtime/hub.js" in html


def test_observer_page_of_a_closed_sitting_is_404_for_the_public(client, closed_sitting):
    assert client.get(reverse("portal:sitting", args=[closed_sitting.pk])).status_code == 404


def test_observer_page_of_a_sitting_that_does_not_exist_is_404(client, sitting):
    assert client.get(reverse("portal:sitting", args=[999999])).status_code == 404


def test_observer_page_says_the_sitting_is_live_even_before_the_hub_answers(client, sitting, actors):
    """The live parts come over the hub; the page itself names the sitting and its status."""
    meeting.open_sitting(actors["chair"], sitting.pk)
    html = client.get(reverse("portal:sitting", args=[sitting.pk])).content.decode()
    assert "status-live" in html


# ---- the home page ------------------------------------------------------------

def test_home_for_the_public_lists_public_sittings_and_sign_in(client, sitting, closed_sitting):
    html = client.get("/").content.decode()
    assert reverse("portal:sitting", args=[sitting.pk]) in html
    assert closed_sitting.title not in html
    assert reverse("accounts:login") in html


def test_home_gives_the_chair_the_console_and_the_terminal(client, sitting, users):
    client.force_login(users["chair"])
    html = client.get("/").content.decode()
    assert f"/sitting/{sitting.pk}/console/" in html
    assert f"/sitting/{sitting.pk}/terminal/" in html


def test_home_gives_the_secretary_the_console_of_every_sitting(client, sitting, closed_sitting, users):
    client.force_login(users["secretary"])
    html = client.get("/").content.decode()
    assert f"/sitting/{sitting.pk}/console/" in html
    assert f"/sitting/{closed_sitting.pk}/console/" in html


def test_home_gives_a_delegate_the_terminal_only(client, sitting, users):
    client.force_login(users["alice"])
    mine = {e["sitting"].pk: e for e in client.get("/").context["mine"]}
    assert [href for href, _label in mine[sitting.pk]["links"]] == [f"/sitting/{sitting.pk}/terminal/"]


def test_home_gives_a_guest_the_terminal(client, sitting, users):
    client.force_login(users["guest"])
    mine = {e["sitting"].pk: e for e in client.get("/").context["mine"]}
    assert mine[sitting.pk]["role"] == "guest"
    assert [href for href, _label in mine[sitting.pk]["links"]] == [f"/sitting/{sitting.pk}/terminal/"]


def test_home_gives_office_staff_the_back_office(client, sitting, users):
    client.force_login(users["secretary"])
    html = client.get("/").content.decode()
    for path in ("/devices/", "/members/", "/members/import/", "/members/badges/"):
        assert f'href="{path}"' in html


def test_home_gives_a_delegate_no_back_office(client, sitting, users):
    client.force_login(users["alice"])
    html = client.get("/").content.decode()
    assert 'href="/devices/"' not in html
    assert 'href="/members/"' not in html


def test_home_offers_the_admin_to_staff_accounts_only(client, sitting, users):
    client.force_login(users["secretary"])
    assert 'href="/admin/"' not in client.get("/").content.decode()
    users["secretary"].is_staff = True
    users["secretary"].save()
    assert 'href="/admin/"' in client.get("/").content.decode()
