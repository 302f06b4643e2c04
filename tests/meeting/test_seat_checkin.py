"""Checking in by scanning the QR code stuck on one's seat (/sitting/<id>/checkin/<token>/).

The code opens a confirmation page (GET changes nothing: link previewers and
prefetchers only GET); the delegate's tap on its button (a POST with CSRF) checks in."""

import pytest
from django.db.models import Q

from audit.models import AuditRecord
from meeting import services
from meeting.checkin import seat_token
from meeting.models import Attendance, Seat, Sitting


@pytest.fixture
def live(sitting, actors):
    services.open_sitting(actors["chair"], sitting.pk)
    return sitting


def checkin_url(sitting, seat):
    return f"/sitting/{sitting.pk}/checkin/{seat_token(sitting.pk, seat.pk)}/"


def test_opening_the_seat_code_changes_nothing_until_the_delegate_confirms(client, live, users):
    alice = users["alice"].member
    client.force_login(users["alice"])
    response = client.get(checkin_url(live, alice.seat))
    assert response.status_code == 200
    assert not Attendance.objects.filter(sitting=live).exists()
    assert not AuditRecord.objects.filter(action="attendance.self").exists()
    text = response.content.decode()
    assert '<form method="post"' in text and "csrfmiddlewaretoken" in text
    assert alice.full_name in text and alice.seat.label in text


def test_confirming_without_the_csrf_token_is_refused(live, users):
    from django.test import Client

    alice = users["alice"].member
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["alice"])
    assert client.post(checkin_url(live, alice.seat)).status_code == 403
    assert not Attendance.objects.filter(sitting=live).exists()


def test_other_methods_are_not_allowed(client, live, users):
    client.force_login(users["alice"])
    assert client.put(checkin_url(live, users["alice"].member.seat)).status_code == 405
    assert not Attendance.objects.filter(sitting=live).exists()


def test_confirming_ones_own_seat_checks_in_with_method_seat_qr(client, live, users):
    alice = users["alice"].member
    client.force_login(users["alice"])
    response = client.post(checkin_url(live, alice.seat))
    assert response.status_code == 200
    assert "Đã điểm danh" in response.content.decode()
    record = Attendance.objects.get(sitting=live, member=alice)
    assert (record.status, record.method) == ("present", "seat_qr")


def test_confirmation_links_to_the_terminal(client, live, users):
    client.force_login(users["alice"])
    response = client.post(checkin_url(live, users["alice"].member.seat))
    assert f'href="/sitting/{live.pk}/terminal/"' in response.content.decode()


def test_scanning_a_free_seat_checks_in(client, live, users):
    free = Seat.objects.create(label="Z1", row=26, number=1)
    client.force_login(users["alice"])
    assert client.post(checkin_url(live, free)).status_code == 200
    assert Attendance.objects.filter(sitting=live, member=users["alice"].member).exists()


def test_the_seat_of_another_member_is_refused(client, live, users):
    client.force_login(users["alice"])
    response = client.post(checkin_url(live, users["bob"].member.seat))
    assert response.status_code == 409
    assert response.context["code"] == "seat_mismatch"
    assert not Attendance.objects.filter(sitting=live).exists()


def test_the_refusal_of_another_members_seat_is_audited(client, live, users):
    client.force_login(users["alice"])
    client.post(checkin_url(live, users["bob"].member.seat))
    assert AuditRecord.objects.filter(action="attendance.self", outcome="seat_mismatch", user=users["alice"]).exists()


def test_a_forged_seat_code_is_refused(client, live, users):
    client.force_login(users["alice"])
    token = seat_token(live.pk, users["alice"].member.seat.pk)
    assert client.get(f"/sitting/{live.pk}/checkin/{token[:-2]}xx/").status_code == 400
    response = client.post(f"/sitting/{live.pk}/checkin/{token[:-2]}xx/")
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_a_seat_code_of_another_sitting_is_refused(client, live, users):
    other = Sitting.objects.exclude(pk=live.pk).get()
    client.force_login(users["alice"])
    token = seat_token(other.pk, users["alice"].member.seat.pk)
    assert client.get(f"/sitting/{live.pk}/checkin/{token}/").status_code == 400


def test_a_pairing_code_is_not_a_seat_code(client, live, users):
    from accounts import pairing

    client.force_login(users["alice"])
    token = pairing.issue("terminal", user=users["alice"])
    assert client.get(f"/sitting/{live.pk}/checkin/{token}/").status_code == 400


def test_a_visitor_not_signed_in_is_sent_to_sign_in_and_back(client, live, users):
    url = checkin_url(live, users["alice"].member.seat)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=" + url.replace(":", "%3A"))
    assert not Attendance.objects.exists()


def test_seat_code_of_a_closed_sitting_has_expired(client, live, users, actors):
    services.close_sitting(actors["chair"], live.pk)
    client.force_login(users["alice"])
    assert client.get(checkin_url(live, users["alice"].member.seat)).status_code == 410
    assert client.post(checkin_url(live, users["alice"].member.seat)).status_code == 410


def test_check_in_before_the_sitting_opens_says_to_wait(client, sitting, users):
    client.force_login(users["alice"])
    response = client.post(checkin_url(sitting, users["alice"].member.seat))
    assert response.status_code == 409
    assert response.context["code"] == "sitting_not_live"


def test_office_staff_cannot_check_in_by_seat(client, live, users):
    client.force_login(users["secretary"])
    assert client.post(checkin_url(live, users["alice"].member.seat)).status_code == 403


def test_seat_code_sheet_has_one_code_per_seat(client, sitting, users):
    client.force_login(users["secretary"])
    response = client.get(f"/sittings/{sitting.pk}/seat-codes/")
    text = response.content.decode()
    assert response.status_code == 200
    assert text.count('class="seat-card"') == Seat.objects.count()
    assert text.count("<svg") == Seat.objects.count()


def test_seat_codes_open_the_check_in_of_that_sitting(client, sitting, users):
    client.force_login(users["secretary"])
    response = client.get(f"/sittings/{sitting.pk}/seat-codes/")
    seat = Seat.objects.get(label="A1")
    card = next(c for c in response.context["cards"] if c["seat"] == seat)
    from accounts.pairing import qr_svg_inline

    assert card["qr"] == qr_svg_inline(f"http://testserver{checkin_url(sitting, seat)}")
    assert not Seat.objects.filter(~Q(pk__in=[c["seat"].pk for c in response.context["cards"]])).exists()
