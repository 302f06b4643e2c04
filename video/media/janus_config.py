"""Janus's configuration folder, rendered from the templates in `deploy/janus/` (decision 0014 §5).

`render(folder, ws_port=…, api_secret=…, admin_key=…)` writes `janus.jcfg`,
`janus.transport.websockets.jcfg` and `janus.plugin.videoroom.jcfg` into `folder` with their
placeholders filled; `janus -F <folder>` then runs with nothing of Debian's `/etc/janus`. The tests
render a folder per run (free ports); the compose image's entrypoint renders the secrets the same way.
Janus's libraries are looked for where Debian puts them on this machine's architecture
(`/usr/lib/<triplet>/janus`, `janus_libdir`), or given as `libdir`.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "deploy" / "janus"
FILES = ("janus.jcfg", "janus.transport.websockets.jcfg", "janus.plugin.videoroom.jcfg")
_SECRET = re.compile(r"[A-Za-z0-9_.~-]{16,200}")      # nothing that could end a jcfg string
_PLACEHOLDER = re.compile(r"@[A-Z_]+@")
LIB_ROOTS = (Path("/usr/lib"), Path("/usr/local/lib"), Path("/opt/janus/lib"))


def janus_libdir(roots: tuple[Path, ...] = LIB_ROOTS) -> Path:
    """The folder holding Janus's plugins/, transports/…: Debian's multiarch one (x86_64-linux-gnu,
    aarch64-linux-gnu, …) or an upstream build's; the first with the VideoRoom plugin."""
    for root in roots:
        for plugin in sorted(root.glob("*/janus/plugins/libjanus_videoroom.so")) + \
                sorted(root.glob("janus/plugins/libjanus_videoroom.so")):
            return plugin.parent.parent
    raise FileNotFoundError("Janus's VideoRoom plugin (libjanus_videoroom.so) is in none of "
                            + ", ".join(str(root) for root in roots) + ": is the janus package installed?")


def render(folder: str | Path, *, ws_port: int, api_secret: str, admin_key: str,
           rtp_ports: tuple[int, int] = (20000, 20199), bind: str = "127.0.0.1",
           libdir: str | Path | None = None) -> Path:
    """Write the three files into `folder` (created if missing) and return it."""
    for name, secret in (("api_secret", api_secret), ("admin_key", admin_key)):
        if not _SECRET.fullmatch(secret):
            raise ValueError(f"{name} must be 16 to 200 characters of [A-Za-z0-9_.~-]")
    if api_secret == admin_key:
        raise ValueError("api_secret and admin_key must differ")
    low, high = rtp_ports
    if not (type(ws_port) is int and 0 < ws_port < 65536):
        raise ValueError("ws_port must be a TCP port")
    if not (type(low) is int and type(high) is int and 1024 <= low <= high < 65536):
        raise ValueError("rtp_ports must be (low, high) with 1024 ≤ low ≤ high < 65536")
    if not re.fullmatch(r"[0-9a-fA-F.:]+", bind):
        raise ValueError("bind must be an IP address")
    libdir = str(janus_libdir() if libdir is None else libdir)
    if not re.fullmatch(r"/[A-Za-z0-9_./+-]*", libdir):
        raise ValueError("libdir must be an absolute path of plain characters")
    values = {"@API_SECRET@": api_secret, "@ADMIN_KEY@": admin_key, "@WS_PORT@": str(ws_port),
              "@BIND@": bind, "@RTP_PORTS@": f"{low}-{high}", "@LIBDIR@": libdir.rstrip("/")}
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        text = _PLACEHOLDER.sub(lambda found: values[found.group(0)], (TEMPLATES / name).read_text())
        (folder / name).write_text(text)
        (folder / name).chmod(0o600)          # the secrets: readable by Janus's user only
    return folder
