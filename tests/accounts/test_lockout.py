"""No unlimited password guessing (issue 8, item 6).

After LOGIN_FAILURE_LIMIT wrong passwords for one account, or from one client
address, password sign-in is locked for LOGIN_LOCKOUT_MINUTES (django-axes),
the sign-in page says so in Vietnamese, the lockout is logged and audited, and
the office can unlock at once (axes_reset_username / axes_reset_ip, or the
admin's access attempts).

Personas: alice and bob (delegates db010, db011), the secretary (thuky);
mallory is whoever guesses, from 203.0.113.66.
"""

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts import pairing
from audit.models import AuditRecord
from meeting.demo import DEMO_PASSWORD

MALLORY = "203.0.113.66"
OFFICE = "198.51.100.10"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo hashes one password; the default hasher makes that 0.5 s per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(username, password, address=MALLORY, **headers):
    browser = Client(REMOTE_ADDR=address, **headers)
    return browser, browser.post("/accounts/login/", {"username": username, "password": password})


def guess(username, times, address=MALLORY, **headers):
    for n in range(times):
        sign_in(username, f"doan-mo-{n}", address, **headers)


def signed_in(browser):
    return "_auth_user_id" in browser.session


def test_the_right_password_after_too_many_wrong_ones_does_not_sign_in(users):
    guess("db010", 50)
    browser, response = sign_in("db010", DEMO_PASSWORD)
    assert response.status_code == 429
    assert not signed_in(browser)


def test_a_few_wrong_passwords_do_not_lock(users, settings):
    guess("db010", settings.LOGIN_FAILURE_LIMIT - 1)
    browser, response = sign_in("db010", DEMO_PASSWORD)
    assert response.status_code == 302 and signed_in(browser)


def test_the_sign_in_page_says_in_vietnamese_that_sign_in_is_locked_and_what_to_do(users, settings):
    guess("db010", settings.LOGIN_FAILURE_LIMIT)
    _, response = sign_in("db010", DEMO_PASSWORD)
    text = response.content.decode()
    assert response.status_code == 429 and '<html lang="vi">' in text
    assert "tạm thời bị khóa" in text and f"{settings.LOGIN_LOCKOUT_MINUTES} phút" in text
    assert "Văn phòng HĐND" in text
    assert 'name="username"' in text  # still the sign-in page


def test_the_account_stays_locked_from_another_address(users, settings):
    guess("db010", settings.LOGIN_FAILURE_LIMIT)
    browser, response = sign_in("db010", DEMO_PASSWORD, address=OFFICE)
    assert response.status_code == 429 and not signed_in(browser)


def test_an_address_guessing_many_accounts_is_locked(users, settings):
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(f"db{n + 20:03d}", "doan-mo")
    browser, response = sign_in("db011", DEMO_PASSWORD)
    assert response.status_code == 429 and not signed_in(browser)


def test_others_sign_in_while_one_account_is_locked(users, settings):
    guess("db010", settings.LOGIN_FAILURE_LIMIT)
    browser, response = sign_in("db011", DEMO_PASSWORD, address=OFFICE)
    assert response.status_code == 302 and signed_in(browser)


def test_a_forwarded_for_header_from_the_client_does_not_change_its_address(users, settings):
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(f"db{n + 20:03d}", "doan-mo", HTTP_X_FORWARDED_FOR=f"10.0.0.{n + 1}")
    browser, response = sign_in("db011", DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert response.status_code == 429 and not signed_in(browser)


def test_the_lock_ends_after_the_lockout_minutes(users, settings):
    from axes.models import AccessAttempt

    guess("db010", settings.LOGIN_FAILURE_LIMIT)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1))
    browser, response = sign_in("db010", DEMO_PASSWORD)
    assert response.status_code == 302 and signed_in(browser)


def test_the_office_unlocks_an_account_and_an_address_at_once(users, settings):
    guess("db010", settings.LOGIN_FAILURE_LIMIT)
    call_command("axes_reset_username", "db010")
    browser, response = sign_in("db010", DEMO_PASSWORD, address=OFFICE)
    assert response.status_code == 302 and signed_in(browser)
    guess("db011", settings.LOGIN_FAILURE_LIMIT)
    call_command("axes_reset_ip", MALLORY)
    call_command("axes_reset_username", "db011")
    browser, response = sign_in("db011", DEMO_PASSWORD)
    assert response.status_code == 302 and signed_in(browser)


def test_the_office_sees_and_clears_lockouts_in_the_admin(client, users, settings):
    from axes.models import AccessAttempt

    guess("db010", settings.LOGIN_FAILURE_LIMIT)
    client.force_login(users["secretary"].__class__.objects.get(username="admin"))
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "db010" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="db010")
    client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert not AccessAttempt.objects.filter(username="db010").exists()


def test_a_lockout_is_logged_and_audited(users, settings, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        guess("db010", settings.LOGIN_FAILURE_LIMIT)
    # axes logs it, masking the username and address (AXES_SENSITIVE_PARAMETERS); the audit row names them.
    assert any("Locking out" in r.getMessage() for r in caplog.records)
    row = AuditRecord.objects.filter(action="auth.lockout").first()
    assert row is not None
    assert (row.outcome, row.detail["username"], row.detail["address"]) == ("locked", "db010", MALLORY)


def test_the_admin_sign_in_is_locked_too(users, settings):
    browser = Client(REMOTE_ADDR=MALLORY)
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        browser.post("/admin/login/", {"username": "admin", "password": f"doan-mo-{n}"})
    response = browser.post("/admin/login/", {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 429 and not signed_in(browser)


def test_a_locked_delegate_still_pairs_a_tablet_with_the_offices_code(users, settings):
    guess("db010", settings.LOGIN_FAILURE_LIMIT)
    token = pairing.issue("terminal", user=users["alice"], created_by=users["secretary"])
    tablet = Client(REMOTE_ADDR=MALLORY)
    tablet.get(f"/pair/{token}/")
    response = tablet.post(f"/pair/{token}/")
    assert response.status_code == 302 and int(tablet.session["_auth_user_id"]) == users["alice"].pk


def test_a_sign_in_made_in_code_has_no_address_rather_than_a_made_up_one(users):
    # force_login's request has no REMOTE_ADDR; axes keeps addresses in an IP address column
    # (PostgreSQL's inet refuses anything else).
    from axes.models import AccessLog
    from django.http import HttpRequest

    from accounts.lockout import client_address

    assert client_address(HttpRequest()) is None
    Client().force_login(users["alice"])
    assert AccessLog.objects.get(username="db010").ip_address is None


def test_guessing_on_while_locked_writes_one_audit_row_per_lockout_not_one_per_guess(users, settings):
    # The same flood the hub's refused commands caused: each refused guess must not add a row.
    guess("db010", settings.LOGIN_FAILURE_LIMIT + 60)
    rows = AuditRecord.objects.filter(action="auth.lockout")
    assert rows.count() == 1
    assert rows.get().detail["refused"] >= 1
