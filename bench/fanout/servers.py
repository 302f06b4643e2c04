"""The processes a benchmark run needs, started and always torn down.

A temporary directory, a fresh database (SQLite file, or a PostgreSQL database
bench_<random> dropped at the end), `migrate` + `load_demo`, the pairing tokens
(`manage.py issue_tokens`), W Daphne workers and bench/floor_server.py. Every
child gets PR_SET_PDEATHSIG, so it dies with the benchmark even on SIGKILL.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class BenchError(Exception):
    pass



# Runs `argv` so that it gets SIGTERM when the benchmark dies, even by SIGKILL: Linux
# prctl(PR_SET_PDEATHSIG) survives execv. (A launcher, not preexec_fn: that is unsafe with threads.)
_LAUNCH = ("import ctypes, os, signal, sys; ctypes.CDLL('libc.so.6').prctl(1, signal.SIGTERM); "
           "os.getppid() == int(sys.argv[1]) or sys.exit(1); os.execv(sys.argv[2], sys.argv[2:])")


def dying_with_us(argv: list[str]) -> list[str]:
    return [PYTHON, "-c", _LAUNCH, str(os.getpid()), *argv]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{what} exited with status {proc.returncode} before listening")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise BenchError(f"{what} not listening on 127.0.0.1:{port} after {timeout:.0f} s")


def cpu_ms(pid: int) -> float | None:
    """utime + stime of a process, in ms (from /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    logfile: Path | None = None

    def tail(self, n: int = 20) -> str:
        if self.logfile is None or not self.logfile.exists():
            return ""
        return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-n:])


@dataclass
class Target:
    """Where the benchmark points: worker base URLs, the sitting, the floor, the tokens."""

    bases: list[str]
    sitting: int
    tokens: dict
    floor_url: str
    env: dict
    procs: list[Proc] = field(default_factory=list)  # processes we started (for CPU figures)
    description: str = ""


class Servers:
    """Starts and always tears down what the benchmark needs (processes, temp dir, database)."""

    def __init__(self, args):
        self.args = args
        self.procs: list[Proc] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="hub-fanout-"))
        self.pg_db: str | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self) -> None:
        for p in reversed(self.procs):
            if p.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    p.popen.terminate()
        for p in reversed(self.procs):
            try:
                p.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    p.popen.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    p.popen.wait(timeout=5)
        self.procs.clear()
        if self.pg_db:
            try:
                import psycopg

                with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_db}" WITH (FORCE)')
                log(f"dropped database {self.pg_db}")
            except Exception as e:  # noqa: BLE001 - report and carry on cleaning
                print(f"warning: could not drop database {self.pg_db}: {e}", file=sys.stderr)
            self.pg_db = None
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _start(self, name: str, cmd: list[str], env: dict) -> Proc:
        logfile = self.tmp / f"{name}.log"
        with open(logfile, "wb") as out:
            popen = subprocess.Popen(dying_with_us(cmd), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        p = Proc(name, popen, logfile)
        self.procs.append(p)
        return p

    def _manage(self, env: dict, *argv: str) -> str:
        r = subprocess.run([PYTHON, "manage.py", *argv], check=False, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=600)
        if r.returncode != 0:
            raise BenchError(f"manage.py {' '.join(argv)} failed ({r.returncode}):\n{r.stdout[-2000:]}{r.stderr[-4000:]}")
        return r.stdout

    def base_env(self) -> dict:
        env = dict(os.environ)
        env.update({
            "DJANGO_SETTINGS_MODULE": self.args.settings,
            "DEBUG": "0",
            # Production's hashed static names need collectstatic first; the benches serve a few pages only.
            "STATIC_MANIFEST": "0",
            "SECRET_KEY": "hub-fanout-" + secrets.token_hex(24),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        })
        for k in ("DATABASE_URL", "REDIS_URL", "CHANNEL_PREFIX"):
            env.pop(k, None)
        return env

    def start_floor(self) -> str:
        port = free_port()
        p = self._start("floor", [PYTHON, str(ROOT / "bench" / "floor_server.py"), "--port", str(port),
                                  "--parent-pid", str(os.getpid()), "--max-seconds", str(self.args.max_seconds)],
                        dict(os.environ))
        wait_for_port(port, p.popen, "floor server")
        return f"ws://127.0.0.1:{port}/"

    def issue_tokens(self, env: dict, sitting: int | None) -> dict:
        a = self.args
        argv = ["issue_tokens", "--terminals", str(a.terminals), "--displays", str(a.displays), "--console",
                "--ttl", str(int(a.max_seconds) + 600)]
        if sitting is not None:
            argv += ["--sitting", str(sitting)]
        t = time.monotonic()
        tokens = json.loads(self._manage(env, *argv))
        log(f"issued {len(tokens['terminals'])} terminal, {len(tokens['displays'])} display and 1 console "
            f"tokens for sitting {tokens['sitting']} in {time.monotonic() - t:.1f} s")
        return tokens

    def external(self) -> Target:
        """--url: a running server; issue_tokens runs with this environment (the server's DATABASE_URL)."""
        a = self.args
        bases = [u.rstrip("/") for u in a.url.split(",") if u.strip()]
        for b in bases:
            host = urllib.parse.urlsplit(b).hostname
            if host not in ("127.0.0.1", "localhost"):
                raise BenchError(f"--url must be on loopback (127.0.0.1), got {b}")
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        tokens = self.issue_tokens(env, a.sitting)
        floor = self.start_floor()
        return Target(bases, tokens["sitting"], tokens, floor, env, list(self.procs),
                      description=f"external server(s) {', '.join(bases)}")

    def own(self) -> Target:
        a = self.args
        env = self.base_env()
        if a.postgres:
            import psycopg

            self.pg_db = f"bench_{secrets.token_hex(4)}"
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_db}"')
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{self.pg_db}"
            log(f"created PostgreSQL database {self.pg_db}")
        else:
            env["DATABASE_URL"] = f"sqlite:///{self.tmp / 'bench.sqlite3'}"
        if a.redis:
            env["REDIS_URL"] = a.redis_url
            env["CHANNEL_PREFIX"] = f"bench{secrets.token_hex(4)}"
        t = time.monotonic()
        self._manage(env, "migrate", "--noinput", "-v", "0")
        self._manage(env, "load_demo", "--delegates", str(a.terminals + 1), "--no-links")
        log(f"migrated and loaded the demo with {a.terminals + 1} delegates in {time.monotonic() - t:.1f} s "
            f"({'PostgreSQL' if a.postgres else 'SQLite'})")
        tokens = self.issue_tokens(env, None)
        bases = []
        for w in range(a.workers):
            port = free_port()
            cmd = [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "-v", str(a.daphne_verbosity)]
            if a.daphne_verbosity >= 1:
                cmd += ["--access-log", str(self.tmp / f"access-{w + 1}.log")]
            p = self._start(f"daphne-{w + 1}", cmd + ["config.asgi:application"], env)
            bases.append((port, p))
        for port, p in bases:
            wait_for_port(port, p.popen, p.name)
        floor = self.start_floor()
        layer = f"RedisPubSubChannelLayer ({a.redis_url})" if a.redis else "in-memory layer"
        desc = f"{a.workers} Daphne worker(s), {'PostgreSQL' if a.postgres else 'SQLite'}, {layer}"
        log(f"started {desc} on ports {', '.join(str(port) for port, _p in bases)}; floor at {floor}")
        return Target([f"http://127.0.0.1:{port}" for port, _p in bases], tokens["sitting"], tokens, floor, env,
                      list(self.procs), description=desc)


@contextlib.contextmanager
def profiling(directory: str | None, procs: list[Proc], phase: str):
    """--profile DIR: py-spy samples each server process while the moves run (collapsed stacks + flame graph)."""
    if not directory:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(PYTHON).parent / "py-spy")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    running = []
    for p in procs:
        for fmt, ext in (("raw", "txt"), ("flamegraph", "svg")):
            path = out / f"{phase}-{p.name}.{ext}"
            running.append(subprocess.Popen(dying_with_us([spy, "record", "--nonblocking", "--rate", "250", "--format", fmt,
                                                           "--output", str(path), "--pid", str(p.popen.pid)]),
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(1.0)  # let py-spy attach
    try:
        yield
    finally:
        for r in running:
            r.send_signal(signal.SIGINT)
        for r in running:
            try:
                r.wait(timeout=30)
            except subprocess.TimeoutExpired:
                r.kill()
                r.wait(timeout=5)
        log(f"py-spy profiles of {phase} written to {out}/")


def machine() -> str:
    model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal:")), 0)
    return f"{os.cpu_count()} CPUs ({model}), {mem / 1024 / 1024:.1f} GiB RAM, Python {sys.version.split()[0]}"


def loadavg() -> str:
    """The load average, and a warning while Linux's autogroup is on: then every session gets an
    equal share of the CPU whatever its processes' nice, and other sessions' work (a test run under
    `nice`) takes as much as the bench (docs/performance.md, "Remote video")."""
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled")
    if autogroup.exists() and autogroup.read_text().strip() == "1":
        load += " (autogroup on: nice shields nothing; echo 0 > /proc/sys/kernel/sched_autogroup_enabled)"
    return load
