"""Pairing a device by scanning its QR code (/pair/<token>/).

A code is single use, short lived and bound to one purpose; GET only asks,
POST (with CSRF) pairs."""

import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.permissions import actor_for
from accounts import pairing
from accounts.models import Device, PairingToken
from meeting import services as meeting
from meeting.models import Member, Membership, Sitting


def test_terminal_code_signs_the_tablet_in_as_its_delegate(client, pair, issue, users):
    pair(issue("terminal", user=users["alice"]))
    assert int(client.session["_auth_user_id"]) == users["alice"].pk


def test_terminal_code_binds_the_device_to_the_session(client, pair, issue, users):
    pair(issue("terminal", user=users["alice"]))
    device = Device.objects.get(pk=client.session["device_id"])
    assert (device.kind, device.user, device.session_key) == ("terminal", users["alice"], client.session.session_key)


def test_terminal_lands_on_the_terminal_of_the_delegates_sitting(pair, issue, users, sitting):
    response = pair(issue("terminal", user=users["alice"]))
    assert response.status_code == 302
    assert response["Location"] == f"/sitting/{sitting.pk}/terminal/"


def test_terminal_prefers_the_live_sitting(pair, issue, users, sitting, actors):
    later = Sitting.objects.create(body=sitting.body, title="Phiên chiều", starts_at=sitting.starts_at - timedelta(days=1))
    # The office's secretary opens it (the demo's chair chairs the other sitting, not this one).
    meeting.open_sitting(actor_for(later, user=users["secretary"]), later.pk)
    response = pair(issue("terminal", user=users["alice"]))
    assert response["Location"] == f"/sitting/{later.pk}/terminal/"


def test_terminal_of_a_delegate_with_no_sitting_lands_home(pair, issue, users):
    member = users["alice"].member
    Membership.objects.filter(member=member).delete()
    response = pair(issue("terminal", user=users["alice"]))
    assert response["Location"] == "/"


def test_console_code_lands_on_the_console_of_the_chaired_sitting(client, pair, issue, users, sitting):
    response = pair(issue("console", user=users["chair"]))
    assert response["Location"] == f"/sitting/{sitting.pk}/console/"
    assert int(client.session["_auth_user_id"]) == users["chair"].pk


def test_display_code_binds_the_display_and_signs_nobody_in(client, pair, issue, main_display):
    response = pair(issue("display", display=main_display))
    assert response["Location"] == "/display/"
    assert "_auth_user_id" not in client.session
    device = Device.objects.get(pk=client.session["device_id"])
    assert (device.kind, device.display, device.user) == ("display", main_display, None)


def test_display_code_signs_out_whoever_was_signed_in(client, pair, issue, users, main_display):
    client.force_login(users["secretary"])
    pair(issue("display", display=main_display))
    assert "_auth_user_id" not in client.session


def test_get_only_asks_and_uses_nothing(client, issue, users):
    token = issue("terminal", user=users["alice"])
    response = client.get(f"/pair/{token}/")
    assert response.status_code == 200
    assert "Ghép nối thiết bị này" in response.content.decode()
    assert users["alice"].member.full_name in response.content.decode()
    assert PairingToken.objects.get().used_at is None
    assert not Device.objects.exists()


def test_pairing_needs_the_csrf_token(issue, users):
    browser = Client(enforce_csrf_checks=True)
    token = issue("terminal", user=users["alice"])
    browser.get(f"/pair/{token}/")
    response = browser.post(f"/pair/{token}/")
    assert response.status_code == 403
    assert not Device.objects.exists()


def test_confirm_form_posts_the_csrf_token(issue, users):
    browser = Client(enforce_csrf_checks=True)
    token = issue("terminal", user=users["alice"])
    page = browser.get(f"/pair/{token}/").content.decode()
    csrf = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = browser.post(f"/pair/{token}/", {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 302
    assert Device.objects.count() == 1


def test_used_code_is_refused_with_410_and_pairs_no_second_device(pair, issue, users):
    token = issue("terminal", user=users["alice"])
    pair(token)
    second = pair(token, browser=Client())
    assert second.status_code == 410
    assert Device.objects.count() == 1


def test_used_code_page_says_what_happened_and_what_to_do(pair, issue, users):
    token = issue("terminal", user=users["alice"])
    pair(token)
    page = Client().get(f"/pair/{token}/")
    assert page.status_code == 410
    text = page.content.decode()
    assert "đã được sử dụng" in text and "thư ký" in text


def test_expired_code_is_refused_with_410(client, pair, issue, users):
    token = issue("terminal", user=users["alice"])
    PairingToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = pair(token)
    assert response.status_code == 410
    assert "hết hạn" in response.content.decode()
    assert not Device.objects.exists()
    assert "_auth_user_id" not in client.session


def test_tampered_code_is_refused_with_400(client, pair, issue, users):
    token = issue("terminal", user=users["alice"])
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = pair(tampered)
    assert response.status_code == 400
    assert not Device.objects.exists()
    assert "_auth_user_id" not in client.session


def test_made_up_code_is_refused_with_400(pair, sitting):
    assert pair("0123456789abcdef01234567.notasignature").status_code == 400


def test_code_signed_for_another_purpose_is_forged(issue, users):
    """Changing the purpose needs a new signature: a terminal signature is not a console code."""
    token = issue("terminal", user=users["alice"])
    jti = token.split(".")[0]
    PairingToken.objects.filter(jti=jti).update(purpose="console")
    with pytest.raises(pairing.PairingError) as e:
        pairing.redeem(token)
    assert e.value.code == "forged"


def test_code_for_another_kind_of_device_is_refused(client, issue, users):
    token = issue("terminal", user=users["alice"])
    client.get(f"/pair/{token}/?expect=display")
    response = client.post(f"/pair/{token}/", {"expect": "display"})
    assert response.status_code == 400
    assert response.context["code"] == "wrong_purpose"
    assert not Device.objects.exists()


def test_redeem_refuses_the_wrong_purpose_and_keeps_the_code(issue, users):
    token = issue("terminal", user=users["alice"])
    with pytest.raises(pairing.PairingError) as e:
        pairing.redeem(token, expected_purpose="display")
    assert e.value.code == "wrong_purpose"
    assert PairingToken.objects.get().used_at is None


def test_code_of_a_disabled_account_is_refused(pair, issue, users):
    token = issue("terminal", user=users["alice"])
    users["alice"].is_active = False
    users["alice"].save()
    assert pair(token).status_code == 400
    assert not Device.objects.exists()


REDEEM_IN_ANOTHER_PROCESS = """
import os, sys, time
import django
django.setup()
from accounts import pairing
open(sys.argv[3], "w").close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.002)
try:
    pairing.redeem(sys.argv[1])
    print("paired")
except pairing.PairingError as e:
    print(e.code)
"""


def _scan_twice_in_threads(token) -> list[str]:
    """PostgreSQL: two threads, two connections, the row lock decides."""
    start = threading.Barrier(2)
    outcomes = []

    def scan():
        try:
            start.wait()
            pairing.redeem(token)
            outcomes.append("paired")
        except pairing.PairingError as e:
            outcomes.append(e.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _scan_twice_in_processes(token, tmp_path) -> tuple[list[str], int]:
    """SQLite: the test database lives in memory with a shared cache, whose table
    locks fail instead of waiting; the embedded default is a file database, so
    copy the test database to a file and race two server-like processes on it."""
    path = tmp_path / "race.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    # A server's database is already in WAL mode (config/env.py's init_command
    # switches it on first use); the copy is not, and two processes switching it at
    # the same moment race for the lock that the switch needs (SQLITE_BUSY at
    # connect, seen in CI). Switch it here, as the first server start would have.
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    go = tmp_path / "go"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(DATABASE_URL=f"sqlite:///{path}", DEBUG="1", SECRET_KEY=settings.SECRET_KEY,
               DJANGO_SETTINGS_MODULE="config.settings")
    ready = [tmp_path / f"ready{i}" for i in range(2)]
    procs = [subprocess.Popen([sys.executable, "-c", REDEEM_IN_ANOTHER_PROCESS, token, str(go), str(r)], env=env,
                              cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for r in ready]
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in ready) and time.monotonic() < deadline and all(p.poll() is None for p in procs):
        time.sleep(0.01)
    go.touch()  # both are at the start line: scan!
    outcomes, errors = [], []
    for p in procs:  # read every process to the end, so no pipe is left open on failure
        out, err = p.communicate(timeout=60)
        outcomes.append(out.strip())
        if p.returncode:
            errors.append(err)
    assert not errors, errors
    with sqlite3.connect(path) as db:
        devices = db.execute("select count(*) from accounts_device").fetchone()[0]
    return outcomes, devices


@pytest.mark.django_db(transaction=True)
def test_two_devices_scanning_one_code_at_once_pair_exactly_one(tmp_path):
    from meeting.demo import load_demo

    load_demo(delegates=3, documents=False)
    alice = Member.objects.get(code="DB002").user
    token = pairing.issue("terminal", user=alice)
    if connection.vendor == "sqlite":
        outcomes, devices = _scan_twice_in_processes(token, tmp_path)
    else:
        outcomes, devices = _scan_twice_in_threads(token), Device.objects.count()
    assert sorted(outcomes) == ["paired", "used"]
    assert devices == 1
