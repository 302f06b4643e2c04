"""The printable sheet of delegate badges (/members/badges/)."""

import xml.etree.ElementTree as ET

import pytest

from accounts.models import PairingToken
from meeting.models import Member


@pytest.fixture
def sheet(client, users):
    client.force_login(users["secretary"])
    return client.get("/members/badges/")


@pytest.mark.full_council
def test_one_badge_per_delegate(sheet):
    delegates = Member.objects.filter(kind="delegate").count()
    assert sheet.status_code == 200
    assert sheet.content.decode().count('class="badge"') == delegates == 50


@pytest.mark.full_council
def test_each_badge_carries_a_terminal_pairing_qr_code(sheet):
    cards = sheet.context["cards"]
    assert all(card["qr"] for card in cards)
    for card in cards[:3]:
        ET.fromstring(card["qr"])
    tokens = PairingToken.objects.all()
    assert tokens.count() == 50 and {t.purpose for t in tokens} == {"terminal"}


def test_badge_codes_live_for_the_badge_ttl(client, users, settings):
    settings.BADGE_TOKEN_TTL = 7200
    client.force_login(users["secretary"])
    client.get("/members/badges/")
    row = PairingToken.objects.first()
    assert round((row.expires_at - row.created_at).total_seconds()) == 7200


def test_badge_shows_name_position_group_and_seat(sheet):
    alice = Member.objects.select_related("seat", "delegate_group").get(code="DB010")
    text = sheet.content.decode()
    badge = text[text.index('data-member="DB010"'):]
    badge = badge[:badge.index("</article>")]
    for part in (alice.full_name, alice.position, alice.delegate_group.name, alice.seat.label):
        assert part in badge


@pytest.mark.full_council
def test_a_badge_sheet_for_one_delegate_group(client, users):
    client.force_login(users["secretary"])
    group = users["alice"].member.delegate_group
    response = client.get(f"/members/badges/?group={group.pk}")
    assert len(response.context["cards"]) == Member.objects.filter(kind="delegate", delegate_group=group).count() == 5


def test_the_sheet_prints_on_a4(sheet):
    from django.contrib.staticfiles import finders

    assert "meeting/print-sheets.css" in sheet.content.decode()
    from pathlib import Path

    css = Path(finders.find("meeting/print-sheets.css")).read_text(encoding="utf-8")
    assert "size: A4" in css
