#!/usr/bin/env python3
"""The two commands of the quick start, with nothing but Python 3.11 and git.

    python3 run.py demo     install, migrate, load the demo council, serve it
    python3 run.py test     install the test tools, run the whole test suite

Both keep their own virtual environment in .venv/ and install into it with
pip from PyPI, pinned by constraints.txt. A stamp file in .venv/ remembers
what was installed, so a second run does not reinstall unless
requirements*.txt or constraints.txt changed.

Standard library only: this file runs before anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "hdnd-installed.json"
WINDOWS = os.name == "nt"
MIN_PYTHON = (3, 11)

# What each command installs. The dev file starts with "-r requirements.txt",
# so the test install also covers the demo.
RUNTIME = "requirements.txt"
DEV = "requirements-dev.txt"
# Files whose content decides whether an install is still current.
INPUTS = ("requirements.txt", "requirements-dev.txt", "constraints.txt")
# The hosts config/settings.py allows when ALLOWED_HOSTS is unset.
DEFAULT_HOSTS = ("127.0.0.1", "localhost", "[::1]", "testserver")


def say(message: str) -> None:
    print(f"[run.py] {message}", flush=True)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if WINDOWS else "bin/python")


def inputs_hash() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update(name.encode() + b"\0")
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def read_stamp() -> dict:
    try:
        return json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def ensure_venv() -> Path:
    python = venv_python()
    if not python.exists():
        say(f"creating the virtual environment in {VENV.name}/")
        try:
            venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
        except Exception as exc:  # ensurepip missing (Debian: python3-venv) and the like
            sys.exit(f"[run.py] could not create {VENV}: {exc}\n"
                     "         On Debian/Ubuntu install python3-venv (apt-get install python3-venv) and try again.")
    return python


def ensure_installed(python: Path, requirements: str) -> None:
    """pip install -r <requirements> -c constraints.txt, unless already done for these files."""
    current = inputs_hash()
    stamp = read_stamp()
    done = set(stamp.get("installed", [])) if stamp.get("hash") == current else set()
    if requirements in done or (requirements == RUNTIME and DEV in done):
        return
    say(f"installing {requirements} (pinned by constraints.txt); the first time takes a minute or two")
    cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
           "-r", str(ROOT / requirements), "-c", str(ROOT / "constraints.txt")]
    result = subprocess.run(cmd, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"[run.py] pip install failed (exit {result.returncode}); see the messages above.")
    done.add(requirements)
    STAMP.write_text(json.dumps({"hash": current, "installed": sorted(done)}, indent=1), encoding="utf-8")


def manage(python: Path, *args: str) -> None:
    result = subprocess.run([str(python), "manage.py", *args], cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"[run.py] manage.py {args[0]} failed (exit {result.returncode})")


def cmd_demo(options: argparse.Namespace) -> int:
    python = ensure_venv()
    ensure_installed(python, RUNTIME)
    shown_host = "127.0.0.1" if options.host in ("0.0.0.0", "::", "") else options.host
    if ":" in shown_host and not shown_host.startswith("["):
        shown_host = f"[{shown_host}]"
    base_url = options.base_url or f"http://{shown_host}:{options.port}"
    allow_host(base_url)

    # The embedded default keeps its SQLite file and uploads in var/ (not in git).
    (ROOT / "var").mkdir(exist_ok=True)
    say("migrating the database")
    manage(python, "migrate", "--noinput", "--verbosity", "0")
    say("loading the demo council")
    manage(python, "load_demo", "--base-url", base_url)
    if options.no_serve:
        return 0

    # -v 0: no access log line per request or WebSocket (it costs ~35 ms per
    # broadcast at 500 clients, see docs/performance.md) and only warnings.
    daphne = [str(python), "-m", "daphne", "-b", options.host, "-p", str(options.port), "-v", "0",
              "config.asgi:application"]
    say(f"serving on {base_url}/ with Daphne (one process); stop with Ctrl+C")
    os.chdir(ROOT)
    # One process: the server runs the queued background jobs (text extraction, page images) itself.
    os.environ.setdefault("TASK_WORKER_IN_PROCESS", "1")
    if os.environ.get("VIDEO_BACKEND", "aiortc") != "off":
        # Remote video: the media process beside Daphne, never inside it (docs/video.md).
        os.environ.setdefault("VIDEO_HUB_URL", f"ws://127.0.0.1:{options.port}")
        say("remote video: the media process (manage.py video_server) runs beside the server")
        return supervise(daphne, [str(python), "manage.py", "video_server"])
    if WINDOWS:
        try:
            return subprocess.call(daphne)
        except KeyboardInterrupt:
            return 0
    # Become Daphne: one process, signals go straight to the server.
    os.execv(daphne[0], daphne)
    return 0  # not reached


def supervise(server: list[str], helper: list[str]) -> int:
    """Run the server and a helper process beside it: Ctrl+C or SIGTERM stops both, the helper is
    started again (after 1, 2, 4 … 30 s) whenever it dies, and this ends when the server does."""
    import signal
    import time

    main = subprocess.Popen(server)
    side = subprocess.Popen(helper)
    backoff, stopping = 1.0, False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping and main.poll() is None:
            if side.poll() is not None:
                say(f"the media process exited ({side.returncode}); starting it again in {backoff:.0f} s")
                time.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                side = subprocess.Popen(helper)
            time.sleep(0.5)
    finally:
        for process in (side, main):
            if process.poll() is None:
                process.terminate()
        for process in (side, main):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0 if stopping else (main.returncode or 0)


def allow_host(base_url: str) -> None:
    """Let Django answer on the host of --base-url (e.g. the laptop's LAN address for tablets)."""
    host = urlparse(base_url).hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if "ALLOWED_HOSTS" in os.environ or not host or host in DEFAULT_HOSTS:
        return
    os.environ["ALLOWED_HOSTS"] = ",".join((*DEFAULT_HOSTS, host))
    say(f"allowing host {host} (set ALLOWED_HOSTS yourself to override)")


def test_workers() -> int:
    """How many pytest-xdist workers `run.py test` starts: TEST_WORKERS, else one per CPU, at most 4.
    0 or 1 runs the suite in this one process."""
    raw = os.environ.get("TEST_WORKERS", "").strip()
    if raw:
        try:
            return max(0, int(raw))
        except ValueError:
            sys.exit(f"[run.py] TEST_WORKERS={raw!r} is not a number of workers")
    return min(os.cpu_count() or 1, 4)


def parallel_args(pytest_args: list[str]) -> list[str]:
    """`-n N --dist loadfile` (pytest-xdist) unless the arguments already choose: whole files to
    each worker, so a module's own servers are started once (conftest.py puts browser files first)."""
    chosen = any(a in ("-n", "--numprocesses", "--dist", "no:xdist") or a.startswith(("-n", "--numprocesses=", "--dist="))
                 for a in pytest_args)
    workers = test_workers()
    if chosen or workers < 2:
        return []
    return ["-n", str(workers), "--dist", "loadfile"]


def cmd_test(options: argparse.Namespace, pytest_args: list[str]) -> int:
    python = ensure_venv()
    ensure_installed(python, DEV)
    pytest_args = [*parallel_args(pytest_args), *pytest_args]
    cmd = [str(python), "-m", "pytest", *pytest_args]
    say("running " + " ".join(["pytest", *pytest_args]))
    try:
        return subprocess.call(cmd, cwd=ROOT)
    except KeyboardInterrupt:
        return 130


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="run.py",
        description="Quick start for the council meeting hub: serve the demo, or run the tests. "
                    "Creates .venv/ and installs the pinned dependencies on first use.",
    )
    sub = p.add_subparsers(dest="command", metavar="{demo,test}", required=True)
    demo = sub.add_parser("demo", help="install, migrate, load the demo council and serve it with Daphne",
                          description="Install, migrate, load the demo council, print its sign-in links and "
                                      "serve it with one Daphne process (SQLite and the in-memory channel "
                                      "layer unless DATABASE_URL / REDIS_URL are set).")
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for tablets on the LAN)")
    demo.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    demo.add_argument("--base-url", help="address printed in the sign-in links "
                                         "(default http://HOST:PORT; e.g. http://192.168.1.10:8000 for tablets)")
    demo.add_argument("--no-serve", action="store_true", help="install, migrate and load the demo, then stop")
    sub.add_parser("test", help="install the test tools and run pytest; extra arguments go to pytest",
                   description="Install requirements-dev.txt and run pytest. Every argument after 'test' "
                               "goes to pytest unchanged, e.g. 'run.py test -x -q tests/infra'.",
                   add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"[run.py] Python {'.'.join(map(str, MIN_PYTHON))} or newer is needed; this is {sys.version.split()[0]}.")
    # "test" passes everything after it to pytest (including -h), so split it off before argparse.
    if argv and argv[0] == "test":
        return cmd_test(argparse.Namespace(command="test"), argv[1:])
    options = parser().parse_args(argv)
    return cmd_demo(options)


if __name__ == "__main__":
    sys.exit(main())
