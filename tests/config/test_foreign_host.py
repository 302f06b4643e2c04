"""A request for a host the site does not serve (a scanner, a bare IP address) is answered 400
without an ERROR and a traceback in the log (issue 17, item 7). nginx's access log keeps the line.

The settings' own LOGGING is checked in a process of its own: pytest replaces the handlers."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import django, logging
django.setup()
from django.test import Client
answer = Client().get("/petitions/send/", HTTP_HOST="scanner.example")
print("STATUS", answer.status_code)
answer = Client().get("/favicon.ico", HTTP_HOST="203.0.113.9")
print("STATUS", answer.status_code)
logging.getLogger("django.request").error("a real error still shows")
"""


def test_a_foreign_host_gets_400_and_leaves_no_traceback_in_the_log(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "LOG_LEVEL", "ALLOWED_HOSTS")}
    env.update(DEBUG="0", SECRET_KEY="x-long-enough-secret-key-for-tests-0123456789", STATIC_MANIFEST="0",
               DJANGO_SETTINGS_MODULE="config.settings", ALLOWED_HOSTS="hdnd.example.gov.vn")
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", SCRIPT], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["STATUS", "400", "STATUS", "400"]
    assert "Traceback" not in out.stderr and "Invalid HTTP_HOST" not in out.stderr, out.stderr
    assert out.stderr.strip() == "a real error still shows"
