"""Every back-office page is for council office staff only."""

import pytest

STAFF_PAGES = [
    "/members/",
    "/members/import/",
    "/members/import/template.csv",
    "/members/badges/",
    "/devices/",
]


def _pages(sitting):
    return STAFF_PAGES + [f"/sittings/{sitting.pk}/seat-codes/"]


@pytest.mark.parametrize("index", range(len(STAFF_PAGES) + 1))
def test_a_delegate_is_refused_every_staff_page(client, sitting, users, index):
    client.force_login(users["alice"])
    assert client.get(_pages(sitting)[index]).status_code == 403


@pytest.mark.parametrize("index", range(len(STAFF_PAGES) + 1))
def test_the_chair_who_is_not_office_staff_is_refused_too(client, sitting, users, index):
    client.force_login(users["chair"])
    assert client.get(_pages(sitting)[index]).status_code == 403


@pytest.mark.parametrize("index", range(len(STAFF_PAGES) + 1))
def test_a_visitor_is_sent_to_sign_in(client, sitting, index):
    response = client.get(_pages(sitting)[index])
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("index", range(len(STAFF_PAGES) + 1))
def test_the_secretary_may_use_every_staff_page(client, sitting, users, index):
    client.force_login(users["secretary"])
    assert client.get(_pages(sitting)[index]).status_code == 200


def test_a_delegate_cannot_issue_a_pairing_code(client, users):
    from accounts.models import PairingToken

    client.force_login(users["alice"])
    response = client.post("/devices/", {"purpose": "terminal", "member": users["bob"].member.pk})
    assert response.status_code == 403
    assert not PairingToken.objects.exists()


def test_a_delegate_cannot_import_members(client, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meeting.models import Member

    client.force_login(users["alice"])
    data = SimpleUploadedFile("m.csv", "code,full_name\nDB999,X\n".encode(), "text/csv")
    assert client.post("/members/import/", {"file": data}).status_code == 403
    assert not Member.objects.filter(code="DB999").exists()


def test_a_delegate_cannot_revoke_a_device(client, users):
    from accounts import pairing
    from accounts.models import Device

    _row, device = pairing.redeem(pairing.issue("terminal", user=users["bob"]))
    client.force_login(users["alice"])
    assert client.post(f"/devices/{device.pk}/revoke/").status_code == 403
    assert not Device.objects.get(pk=device.pk).revoked


def test_the_member_list_links_to_each_history(client, users):
    client.force_login(users["secretary"])
    text = client.get("/members/").content.decode()
    assert f"/members/{users['alice'].member.pk}/attendance/" in text
