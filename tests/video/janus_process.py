"""A Janus of the tests' own: deploy/janus/ rendered into a folder with free ports."""

import random
import socket
import subprocess
import time

import pytest

from tests.processes import stop
from video.media.janus_config import render

API_SECRET = "test-api-secret-" + "a" * 16
ADMIN_KEY = "test-admin-key-" + "b" * 16


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_janus(folder, *options):
    """(the process, its WebSocket URL, its log file)."""
    port, base = free_port(), random.randrange(20000, 29900, 100)
    render(folder, ws_port=port, api_secret=API_SECRET, admin_key=ADMIN_KEY, rtp_ports=(base, base + 99))
    log = folder / "janus.log"
    process = subprocess.Popen(["janus", "-F", str(folder), "-L", str(log), "-N", "-o", *options],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            pytest.fail(f"janus exited ({process.returncode}): {log.read_text()[-3000:] if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"ws://127.0.0.1:{port}", log
        except OSError:
            if time.monotonic() > deadline:
                stop(process)
                pytest.fail("janus's WebSocket did not open within 20 s")
            time.sleep(0.1)
