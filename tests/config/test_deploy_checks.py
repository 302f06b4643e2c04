"""A production start (DEBUG off) without a mail server or a public address warns loudly
(issue 17, item 2): Django system check Warnings hdnd.W001 and hdnd.W002, shown by
`manage.py check --deploy` and logged by every Daphne worker as it starts (config/checks.py).
And whatever the backend, the log never carries a message's subject, body or addresses."""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import checks, mail
from django.core.management import call_command

from config.mail import UnsentMailBackend

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = str(Path(sys.executable).with_name("daphne"))
SMTP = "django.core.mail.backends.smtp.EmailBackend"
UNSENT = "config.mail.UnsentMailBackend"


def ids():
    return sorted(m.id for m in checks.run_checks(tags=["hdnd"], include_deployment_checks=True))


@pytest.mark.parametrize("backend", [UNSENT, "django.core.mail.backends.console.EmailBackend",
                                     "django.core.mail.backends.locmem.EmailBackend",
                                     "django.core.mail.backends.dummy.EmailBackend"])
def test_in_production_a_backend_that_delivers_nothing_is_warned(settings, backend):
    settings.DEBUG, settings.EMAIL_BACKEND, settings.PUBLIC_BASE_URL = False, backend, "https://hdnd.example.gov.vn"
    assert ids() == ["hdnd.W001"]


def test_in_production_an_empty_public_address_is_warned(settings):
    settings.DEBUG, settings.EMAIL_BACKEND, settings.PUBLIC_BASE_URL = False, SMTP, ""
    assert ids() == ["hdnd.W002"]


def test_a_production_with_a_mail_server_and_a_public_address_is_quiet(settings):
    settings.DEBUG, settings.EMAIL_BACKEND, settings.PUBLIC_BASE_URL = False, SMTP, "https://hdnd.example.gov.vn"
    assert ids() == []


def test_the_embedded_default_is_not_warned(settings):
    settings.DEBUG, settings.EMAIL_BACKEND, settings.PUBLIC_BASE_URL = True, UNSENT, ""
    assert ids() == []


def test_check_deploy_shows_both(settings, capsys):
    settings.DEBUG, settings.EMAIL_BACKEND, settings.PUBLIC_BASE_URL = False, UNSENT, ""
    call_command("check", "--deploy", "--tag", "hdnd")
    shown = "".join(capsys.readouterr())
    assert "hdnd.W001" in shown and "hdnd.W002" in shown


def test_the_unsent_backend_logs_counts_only(caplog):
    message = mail.EmailMessage("Mã tra cứu ABCD-EFGH-JKLM", "Kính gửi ông Lê Văn Tám, thôn 5", "hdnd@example.vn",
                                ["tam.le@example.vn", "con.tam@example.vn"])
    with caplog.at_level(logging.DEBUG):
        assert UnsentMailBackend(fail_silently=True).send_messages([message]) == 0
    assert "1 mail message(s) to 2 recipient(s) not sent" in caplog.text
    for secret in ("ABCD", "Lê Văn Tám", "tam.le@", "con.tam@", "hdnd@example.vn"):
        assert secret not in caplog.text


# ---- a real Daphne worker's start ----

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _daphne_start_log(tmp_path, **env) -> str:
    """What a Daphne worker started as deploy/entrypoint.sh starts it writes while starting."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("EMAIL_", "DJANGO_")) and k not in ("DEBUG", "DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL")}
    clean.update({"DEBUG": "0", "SECRET_KEY": "production-like-test-key-" + "x" * 40, "LOG_LEVEL": "WARNING",
                  "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "MEDIA_ROOT": str(tmp_path / "media"),
                  "DOCUMENT_ROOT": str(tmp_path / "documents"), **env})
    port = _free_port()
    log = tmp_path / "daphne.err"
    with log.open("w") as err:
        proc = subprocess.Popen([DAPHNE, "-b", "127.0.0.1", "-p", str(port), "-v", "0", "--proxy-headers",
                                 "config.asgi:application"], cwd=ROOT, env=clean, stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("daphne did not listen: " + log.read_text())
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    return log.read_text()


def test_a_worker_started_without_mail_or_public_address_says_so_in_its_log(tmp_path):
    logged = _daphne_start_log(tmp_path)
    assert "hdnd.W001" in logged and "hdnd.W002" in logged


def test_a_worker_started_with_mail_and_public_address_is_quiet(tmp_path):
    logged = _daphne_start_log(tmp_path, EMAIL_HOST="mail.example.gov.vn", PUBLIC_BASE_URL="https://hdnd.example.gov.vn")
    assert "hdnd." not in logged, logged
