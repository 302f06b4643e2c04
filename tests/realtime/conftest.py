"""Hub fixtures: a session cookie per persona, and `hub` to open WebSocket clients.

Personas (tests/conftest.py): chair and secretary (staff), alice and bob
(delegates), guest (invited, delegate audience), display (a paired hall display
device) and public (anonymous, no cookie).
"""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from .hub import Hub


def login_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def device_cookie(device) -> str:
    session = SessionStore()
    session["device_id"] = device.pk
    session.create()
    return session.session_key


@pytest.fixture
def cookies(sitting, users, display_device):
    out = {name: login_cookie(user) for name, user in users.items()}
    out["display"] = device_cookie(display_device)
    out["public"] = None
    return out


@pytest.fixture
async def hub(sitting, cookies):
    hub = Hub(sitting.pk, cookies)
    yield hub
    await hub.close_all()
