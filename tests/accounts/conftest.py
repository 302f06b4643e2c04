import pytest

from accounts import pairing
from displays.models import Display


@pytest.fixture
def issue(users):
    """Issue a pairing code as the secretary would from the device page."""

    def do(purpose: str, *, user=None, display=None, ttl=None) -> str:
        return pairing.issue(purpose, user=user, display=display, created_by=users["secretary"], ttl=ttl)

    return do


@pytest.fixture
def main_display(sitting):
    return Display.objects.get(sitting=sitting, name="Màn hình chính")


@pytest.fixture
def pair(client):
    """What a tablet does with a scanned code: GET the page (gets the CSRF cookie), then press the button."""

    def do(token: str, browser=None, **extra):
        browser = browser or client
        browser.get(f"/pair/{token}/")
        return browser.post(f"/pair/{token}/", extra)

    return do


@pytest.fixture
def client_factory(db):
    """Several browsers at once (a tablet and the office PC)."""
    from django.test import Client

    return Client
