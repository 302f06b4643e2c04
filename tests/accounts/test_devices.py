"""The office's device page: issue a pairing code, watch it get used, revoke devices."""

import pytest

from accounts import pairing
from accounts.models import Device, PairingToken
from audit.models import AuditRecord


@pytest.fixture
def staff_client(client, users):
    client.force_login(users["secretary"])
    return client


def test_device_page_offers_delegates_displays_and_consoles(staff_client, users, main_display):
    text = staff_client.get("/devices/").content.decode()
    assert users["alice"].member.full_name in text
    assert main_display.name in text
    assert users["chair"].get_full_name() in text


def test_issuing_a_terminal_code_shows_its_qr_and_pair_url(staff_client, users):
    response = staff_client.post("/devices/", {"purpose": "terminal", "member": users["alice"].member.pk})
    assert response.status_code == 200
    row = PairingToken.objects.get()
    assert (row.purpose, row.user, row.created_by) == ("terminal", users["alice"], users["secretary"])
    token = response.context["token"]
    assert response.context["pair_url"] == f"http://testserver/pair/{token}/"
    assert f"/devices/qr/{token}.svg" in response.content.decode()


def test_issuing_a_display_code(staff_client, main_display):
    staff_client.post("/devices/", {"purpose": "display", "display": main_display.pk})
    assert PairingToken.objects.get().display == main_display


def test_a_console_code_is_only_for_a_chair_or_secretary(staff_client, users):
    response = staff_client.post("/devices/", {"purpose": "console", "person": users["bob"].pk})
    assert response.status_code == 200
    assert not PairingToken.objects.exists()


def test_issued_code_expires_after_the_pairing_ttl(staff_client, users, settings):
    settings.PAIRING_TOKEN_TTL = 300
    response = staff_client.post("/devices/", {"purpose": "terminal", "member": users["alice"].member.pk})
    row = PairingToken.objects.get()
    assert round((row.expires_at - row.created_at).total_seconds()) == 300
    assert 0 < response.context["expires_in"] <= 300


def test_status_says_when_the_code_on_screen_was_used(staff_client, client_factory, users):
    response = staff_client.post("/devices/", {"purpose": "terminal", "member": users["alice"].member.pk})
    token = response.context["token"]
    assert staff_client.get(f"/devices/qr/{token}/status/").json()["state"] == "waiting"
    pairing.redeem(token)
    assert staff_client.get(f"/devices/qr/{token}/status/").json()["state"] == "used"


def test_paired_devices_are_listed(staff_client, issue, users):
    pairing.redeem(issue("terminal", user=users["alice"]))
    response = staff_client.get("/devices/")
    assert list(response.context["active"]) == list(Device.objects.all())


def test_revoking_a_device_ends_its_session(client_factory, pair, issue, users):
    tablet = client_factory()
    pair(issue("terminal", user=users["alice"]), browser=tablet)
    device = Device.objects.get()
    office = client_factory()
    office.force_login(users["secretary"])
    response = office.post(f"/devices/{device.pk}/revoke/")
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.revoked
    assert "_auth_user_id" not in tablet.session


def test_revoking_a_device_is_audited(staff_client, issue, users):
    _row, device = pairing.redeem(issue("terminal", user=users["alice"]))
    staff_client.post(f"/devices/{device.pk}/revoke/")
    audit = AuditRecord.objects.get(action="device.revoke")
    assert (audit.user, audit.detail["device_id"]) == (users["secretary"], device.pk)


def test_revoking_needs_a_post(staff_client, issue, users):
    _row, device = pairing.redeem(issue("terminal", user=users["alice"]))
    assert staff_client.get(f"/devices/{device.pk}/revoke/").status_code == 405
    device.refresh_from_db()
    assert not device.revoked
