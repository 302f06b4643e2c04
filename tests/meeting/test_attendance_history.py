"""Per-delegate attendance across sittings (/members/<id>/attendance/)."""

import pytest

from meeting import services
from meeting.history import attendance_history
from meeting.models import Sitting


@pytest.fixture
def held(sitting, actors, users):
    """The opening sitting held and closed: Alice checked in, Bob excused, the rest recorded nothing."""
    services.open_sitting(actors["chair"], sitting.pk)
    services.check_in(actors["alice"], sitting.pk)
    services.mark_attendance(actors["secretary"], sitting.pk, users["bob"].member.pk, "excused", "Đi công tác")
    services.close_sitting(actors["chair"], sitting.pk)
    return sitting


def test_a_delegate_sees_their_own_history(client, held, users):
    client.force_login(users["alice"])
    response = client.get(f"/members/{users['alice'].member.pk}/attendance/")
    assert response.status_code == 200
    assert held.title in response.content.decode()


def test_office_staff_see_any_delegates_history(client, held, users):
    client.force_login(users["secretary"])
    assert client.get(f"/members/{users['bob'].member.pk}/attendance/").status_code == 200


def test_another_delegate_may_not_see_it(client, held, users):
    client.force_login(users["bob"])
    assert client.get(f"/members/{users['alice'].member.pk}/attendance/").status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, held, users):
    response = client.get(f"/members/{users['alice'].member.pk}/attendance/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_history_counts_present(held, users):
    history = attendance_history(users["alice"].member)
    assert (history.present, history.excused, history.absent) == (1, 0, 0)


def test_history_shows_the_reason_of_an_excused_absence(client, held, users):
    client.force_login(users["bob"])
    response = client.get(f"/members/{users['bob'].member.pk}/attendance/")
    assert "Đi công tác" in response.content.decode()
    assert response.context["history"].excused == 1


def test_no_record_in_a_closed_sitting_counts_as_absent(held):
    from meeting.models import Member

    history = attendance_history(Member.objects.get(code="DB020"))
    assert (history.present, history.excused, history.absent) == (0, 0, 1)


def test_sittings_not_held_yet_are_not_listed(sitting, users):
    history = attendance_history(users["alice"].member)
    assert history.rows == []


def test_a_live_sitting_without_record_is_listed_but_not_counted(sitting, actors, users):
    services.open_sitting(actors["chair"], sitting.pk)
    history = attendance_history(users["alice"].member)
    assert [r.sitting for r in history.rows] == [Sitting.objects.get(pk=sitting.pk)]
    assert history.counted == 0


def test_totals_are_drawn_as_a_bar(client, held, users):
    client.force_login(users["alice"])
    text = client.get(f"/members/{users['alice'].member.pk}/attendance/").content.decode()
    assert 'class="att-bar"' in text
