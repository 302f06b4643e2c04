"""A real coturn for the tests (Debian's `coturn`), from deploy/coturn/turnserver.conf rendered by
video.turn.render_config on free ports; logged to a file.

Without `turnserver` the test skips, saying so; under HUB_REQUIRE_ALL=1 (CI, which installs coturn)
the root conftest.py turns that skip into a failure, as for every other service.
"""

import random
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import stop

TURNSERVER = "turnserver"


def why_no_turnserver() -> str | None:
    if shutil.which(TURNSERVER) is None:
        return "the TURN tests need coturn's turnserver (Debian package 'coturn')"
    return None


def host_addresses() -> list[str]:
    """This machine's IPv4 addresses but loopback: where the media process's host candidates are
    (aioice gathers the same), and so the addresses a relay must reach."""
    import ifaddr  # aioice's own dependency

    return [ip.ip for adapter in ifaddr.get_adapters() for ip in adapter.ips
            if isinstance(ip.ip, str) and not ip.ip.startswith("127.")]


def _free_port(host: str) -> int:
    """A port free for both UDP and TCP on `host` (coturn listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = udp.getsockname()[1]
            with socket.socket() as tcp:
                try:
                    tcp.bind((host, port))
                except OSError:
                    continue
        return port
    raise RuntimeError("no free port")


def _relay_range(count: int = 40) -> tuple[int, int]:
    """A range of UDP ports for the relays, away from other runs' (coturn skips a port in use)."""
    low = random.randrange(50000, 60000 - count)
    return low, low + count - 1


@contextmanager
def coturn(folder: Path, *, secret: str, realm: str = "hdnd.test", listening_ip: str = "127.0.0.1",
           allowed_peer_ip=None):
    """coturn running on a free port of `listening_ip`; yields (host, port, process) with
    `process.log_path`. Stopped after."""
    reason = why_no_turnserver()
    if reason:
        pytest.skip(reason)
    from video.turn import render_config

    port = _free_port(listening_ip)
    conf = render_config(folder / "turnserver.conf", listening_port=port, secret=secret, realm=realm,
                         relay_ports=_relay_range(), allowed_peer_ip=allowed_peer_ip, listening_ip=listening_ip)
    log_path = folder / "turnserver.log"
    # Its own log, pid file and user database (never the system's /var/lib/turn/turndb).
    process = subprocess.Popen([TURNSERVER, "-c", str(conf), f"--log-file={log_path}", "--simple-log",
                                "--no-stdout-log", f"--pidfile={folder / 'turnserver.pid'}",
                                f"--userdb={folder / 'turndb'}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    process.log_path = log_path
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"turnserver exited with {process.returncode}:\n{_tail(log_path)}")
            try:  # its TCP listener answers once the UDP one is up too
                socket.create_connection((listening_ip, port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"turnserver did not listen within 30 s:\n{_tail(log_path)}") from None
                time.sleep(0.1)
        yield listening_ip, port, process
    finally:
        stop(process)


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except FileNotFoundError:
        return ""
