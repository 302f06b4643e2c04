"""Mail in production: never the console backend, which prints every message — a citizen's
tracking code and e-mail address — into the server's log.

With DEBUG off and no EMAIL_BACKEND set, mail goes over SMTP when EMAIL_HOST names a server,
and otherwise is not sent; either way the log says at most how many messages and recipients,
never an address, a subject or a body. The console backend is for DEBUG only."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from tests.petitions.service_fixtures import letter, media_folder, people  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
CITIZEN = {"full_name": "Lê Văn Tám", "phone": "0912 345 678", "address": "Thôn 5, xã Tràng Đà", "email": "tam.le@example.vn"}


def production_setting(name: str, **env) -> str:
    """A setting as a production server (DEBUG off) reads it from this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_") and k not in ("DEBUG", "DATABASE_URL")}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0",
                  "SECRET_KEY": "production-like-test-key-" + "x" * 40, **env})
    code = f"from django.conf import settings; print(settings.{name})"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.django_db
def test_in_production_a_receipt_puts_no_tracking_code_or_address_in_the_log(people, settings, caplog, capfd,
                                                                             django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = production_setting("EMAIL_BACKEND")
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        case = letter(identity=CITIZEN)
    out, err = capfd.readouterr()
    logged = caplog.text + out + err
    assert case.tracking_code not in logged
    assert CITIZEN["email"] not in logged
    assert "not sent" in caplog.text  # but the office can see that mail is not configured


def test_in_production_with_a_mail_server_mail_goes_over_smtp():
    assert production_setting("EMAIL_BACKEND", EMAIL_HOST="mail.example.gov.vn") == "django.core.mail.backends.smtp.EmailBackend"


def test_the_console_backend_is_refused_when_debug_is_off():
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG",)}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "SECRET_KEY": "k" * 50,
                  "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"})
    result = subprocess.run([sys.executable, "-c", "from django.conf import settings; settings.EMAIL_BACKEND"],
                            cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "EMAIL_BACKEND" in result.stderr


def test_the_embedded_default_still_shows_mail_on_the_console():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_") and k not in ("DEBUG", "DATABASE_URL")}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run([sys.executable, "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)"],
                            cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "django.core.mail.backends.console.EmailBackend"


def test_without_a_mail_server_a_notification_that_must_arrive_fails_loudly(settings):
    from config.mail import UnsentMailBackend

    with pytest.raises(OSError):  # e.g. the agency notification: recorded as failed, retried later
        UnsentMailBackend(fail_silently=False).send_messages([mail.EmailMessage("s", "b", "from@x.vn", ["to@x.vn"])])
