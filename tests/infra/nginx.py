"""Running deploy/nginx.conf as shipped with Debian's nginx, on this test's ports and folders.

Only what cannot hold on a test machine changes: the upstream servers (compose's service names)
become loopback ports, `listen 80` a free port, the log, pid and temp paths and the static and
documents (and media) aliases this test's folders, the workers' user root (pytest's folders are private),
and `resolve` goes when the local nginx predates it (1.27.3; Debian 12 ships 1.22).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

needs_nginx = [
    pytest.mark.skipif(not NGINX, reason="nginx is not installed (Debian: apt-get install nginx)"),
    pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() != 0,
                       reason="nginx opens its compiled-in temp paths, which needs root"),
]


def nginx_version() -> tuple[int, ...]:
    out = subprocess.run([NGINX, "-v"], capture_output=True, text=True, timeout=10).stderr
    return tuple(int(x) for x in re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out).groups())


def upstream_servers(text: str) -> list[str]:
    """The `server` lines of `upstream hub`, e.g. ["web1:8000 max_fails=0 resolve", ...]."""
    block = text[text.index("upstream hub {"):]
    block = block[:block.index("}")]
    return re.findall(r"^\s*server\s+([^;]+);", block, flags=re.M)


def local_conf(folder: Path, backends: list[int], front: int | None = None, *,
               static: Path | None = None, documents: Path | None = None, media: Path | None = None,
               text: str | None = None) -> Path:
    """deploy/nginx.conf (or `text`, a variant of it) with the upstream servers on `backends`
    (web1, web2... in order)."""
    text = NGINX_CONF.read_text() if text is None else text
    keep_resolve = NGINX and nginx_version() >= (1, 27, 3)
    ports = iter(backends)

    def server(match):
        params = [p for p in match.group(2).split() if keep_resolve or p != "resolve"]
        return f"{match.group(1)}server 127.0.0.1:{next(ports)}{''.join(' ' + p for p in params)};"

    text = re.sub(r"^(\s*)server\s+[\w-]+:8000((?:\s+[\w=]+)*)\s*;", server, text, flags=re.M)
    if front is not None:
        text = re.sub(r"listen\s+80(\s+default_server)?;", f"listen 127.0.0.1:{front}\\1;", text)
    text = re.sub(r"^user\s+[\w-]+;", "user root;", text, flags=re.M)
    text = text.replace("/var/log/nginx/access.log", str(folder / "access.log"))
    if static is not None:
        text = text.replace("alias /srv/static/", f"alias {static}/")
    if documents is not None:
        text = text.replace("alias /srv/documents/", f"alias {documents}/")
    if media is not None:
        text = text.replace("alias /srv/media/", f"alias {media}/")
    bodies = folder / "upload-bodies"
    text = text.replace("client_body_temp_path /srv/upload-bodies", f"client_body_temp_path {bodies}")
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        text = text.replace("http {", f"http {{\n    {name}_temp_path {folder / (name + '_temp')};", 1)
    conf = folder / "nginx.conf"
    conf.write_text(text)
    return conf


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], log: Path, **kw) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own copy of the file
        return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=out, start_new_session=True, **kw)


def start_nginx(conf: Path, folder: Path) -> subprocess.Popen:
    return start([NGINX, "-e", str(folder / "error.log"), "-c", str(conf),
                  "-g", f"daemon off; pid {folder / 'nginx.pid'}; error_log {folder / 'error.log'};"],
                 folder / "nginx.out")


def wait_for(port: int, proc: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited: {log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{what} did not listen on {port}")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
