"""A 100 MB upload through nginx while 100 clients follow a sitting (issue 17, item 1).

Starts Debian's nginx with deploy/nginx.conf as shipped (only ports and folders moved, by
tests/infra/nginx.py), two Daphne workers behind it (BEHIND_PROXY=1, UPLOAD_BODY_DIR = nginx's
request-body folder), Redis between them and a fresh database (bench/fanout/servers.py). 100
delegate terminals and the chair's console pair and connect through nginx. The chair moves the
agenda about 4 times a second; meanwhile an office account uploads a 100 MB PDF to
/library/upload/ through nginx (curl, in its own process). Measured:

- event delay: for each move, the moment the last of the 100 clients got its event minus the
  moment just before the chair's command was written (one CLOCK_MONOTONIC); p99 (nearest rank)
  over the moves sent from the upload's start until 1 s after its reply;
- worker RSS delta: each Daphne worker's resident memory sampled every 20 ms during that
  window, minus its RSS just before; the largest over the workers.

`--without-body-files` runs the previous configuration for comparison: nginx passes the body on
(its request-body lines taken out of the config) and Daphne reads it.

Last line:  upload-isolation size_mb=100 worker_rss_delta_mb=… event_delay_p99_ms=…
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fanout.clients import Chair, ClientPool, pair_all  # noqa: E402
from bench.fanout.servers import BenchError, Servers, Target, loadavg, log, machine, rss_mib  # noqa: E402
from tests.infra import nginx as harness  # noqa: E402

BODY_LINES = re.compile(r"^\s*(client_body_in_file_only clean|proxy_pass_request_body off|"
                        r"proxy_set_header Content-Length\s+\"\"|proxy_set_header X-Upload-Body-File \$request_body_file);\n",
                        flags=re.M)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size-mb", type=int, default=100, help="the document's size in MB of 10^6 bytes (default 100)")
    p.add_argument("--terminals", "-n", type=int, default=100, help="delegate terminals following the sitting (100)")
    p.add_argument("--workers", "-w", type=int, default=2, help="Daphne workers behind nginx (default 2)")
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    p.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database instead of SQLite")
    p.add_argument("--interval", type=float, default=0.25, help="seconds between the chair's moves (default 0.25)")
    p.add_argument("--before", type=float, default=5.0, help="seconds of moves before the upload starts (default 5)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds for every client to get a move (default 30)")
    p.add_argument("--without-body-files", action="store_true",
                   help="the configuration before: nginx passes bodies on, Daphne reads them (for comparison)")
    p.add_argument("--max-seconds", type=float, default=900.0, help="servers we start stop by themselves after this")
    a = p.parse_args(argv)
    # What bench/fanout/servers.py reads.
    a.settings, a.displays, a.daphne_verbosity, a.redis = "config.settings", 0, 0, a.workers > 1
    return a


def make_pdf(path: Path, size: int) -> None:
    """A valid one-page PDF of exactly `size` bytes: most of it a stream of random bytes."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]

    def parts(filler: int) -> tuple[bytes, bytes]:
        prefix, offsets = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", []
        for n, o in enumerate(objs, 1):
            offsets.append(len(prefix))
            prefix += b"%d 0 obj\n" % n + o + b"\nendobj\n"
        offsets.append(len(prefix))
        prefix += b"4 0 obj\n<< /Length %d >>\nstream\n" % filler
        suffix = b"\nendstream\nendobj\n"
        xref = len(prefix) + filler + len(suffix)
        suffix += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
        suffix += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
        return prefix, suffix

    filler = size
    for _ in range(5):
        prefix, suffix = parts(filler)
        filler = size - len(prefix) - len(suffix)
    prefix, suffix = parts(filler)
    assert len(prefix) + filler + len(suffix) == size
    chunk = os.urandom(1 << 20)
    with path.open("wb") as f:
        f.write(prefix)
        left = filler
        while left > 0:
            f.write(chunk[:min(left, len(chunk))])
            left -= len(chunk)
        f.write(suffix)


OFFICE_SESSION = r'''
from importlib import import_module
from django.conf import settings
from django.contrib.auth import get_user_model
from library.models import Document
User = get_user_model()
u = User.objects.create_superuser("bench-office-TAG", password=None)
backend = "django.contrib.auth.backends.ModelBackend"
assert backend in settings.AUTHENTICATION_BACKENDS, settings.AUTHENTICATION_BACKENDS
s = import_module(settings.SESSION_ENGINE).SessionStore()
s["_auth_user_id"], s["_auth_user_backend"], s["_auth_user_hash"] = str(u.pk), backend, u.get_session_auth_hash()
s.create()
print("SESSION", s.session_key, Document.Kind.values[0], Document.Access.DELEGATES)
'''


class Sampler(threading.Thread):
    """Each worker's largest RSS (MiB) since start(), sampled every 20 ms."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.base = {pid: rss_mib(pid) or 0.0 for pid in pids}
        self.peak = dict(self.base)
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(0.02):
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss_mib(pid) or 0.0)

    def delta(self) -> float:
        return max(self.peak[p] - self.base[p] for p in self.pids)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)] if ordered else float("nan")


async def run(args, target: Target, front: str, workers: list[int], tmp: Path) -> tuple[float, float, dict]:
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", OFFICE_SESSION.replace("TAG", secrets.token_hex(3))],
                         cwd=ROOT, env=target.env, capture_output=True, text=True, timeout=120)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("SESSION ")), None)
    if line is None:
        raise BenchError(f"could not make the office session: {out.stdout[-500:]}{out.stderr[-2000:]}")
    _tag, session_key, kind, access = line.split()
    pdf = tmp / "big.pdf"
    make_pdf(pdf, args.size_mb * 1_000_000)
    log(f"made a {pdf.stat().st_size / 1e6:.0f} MB PDF")

    chair_spec, specs = await asyncio.get_running_loop().run_in_executor(None, pair_all, target, 16)
    pool, chair = ClientPool(1), Chair()
    try:
        r = await pool.connect(specs, 16, args.timeout)
        if r["failed"]:
            raise BenchError(f"{r['failed']} clients failed to connect: {r['errors']}")
        await chair.connect(chair_spec, args.timeout)
        if chair.status == "scheduled":
            seq = chair.seq + 1
            _t0, fut = await chair.send("sitting.open", {})
            reply, _t = await asyncio.wait_for(fut, args.timeout)
            if not reply.get("ok"):
                raise BenchError(f"sitting.open refused: {reply.get('error')}")
            await pool.wait(seq, args.timeout)
            await chair.wait_seq(seq, args.timeout)
        log(f"{r['connected']} clients and the chair follow sitting {target.sitting} through nginx {front}")

        moves: list[tuple[int, float]] = []  # (t0 ns, delay ms of the last client)
        window = {"start": None, "end": None}
        stop = asyncio.Event()

        async def mover():
            while not stop.is_set():
                cmd, cargs = chair.next_move()
                seq = chair.seq + 1
                t0, fut = await chair.send(cmd, cargs)
                reply, _t = await asyncio.wait_for(fut, args.timeout)
                if not reply.get("ok"):
                    raise BenchError(f"{cmd} refused: {reply.get('error')}")
                count, _first, last = await pool.wait(seq, args.timeout)
                if count < len(specs):
                    raise BenchError(f"only {count}/{len(specs)} clients got seq {seq} within {args.timeout} s")
                moves.append((t0, (last - t0) / 1e6))
                await chair.wait_seq(seq, args.timeout)
                await asyncio.sleep(max(0.0, args.interval - (time.monotonic_ns() - t0) / 1e9))

        task = asyncio.create_task(mover())
        await asyncio.sleep(args.before)
        sampler = Sampler(workers)
        sampler.start()
        csrf = secrets.token_hex(16)
        curl = ["curl", "-sS", "-o", str(tmp / "upload-reply.json"), "-w", "%{http_code} %{time_total}",
                "-H", f"Cookie: sessionid={session_key}; csrftoken={csrf}", "-H", f"X-CSRFToken: {csrf}",
                "-H", f"Origin: {front}", "-H", "Accept: application/json",
                "-F", f"file=@{pdf};type=application/pdf", "-F", "classification=none", "-F", f"kind={kind}",
                "-F", f"access={access}", "-F", "summary=Benchmark upload", f"{front}/library/upload/"]
        window["start"] = time.monotonic_ns()
        proc = await asyncio.create_subprocess_exec(*curl, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await proc.communicate()
        window["end"] = time.monotonic_ns() + 1_000_000_000
        status, seconds = (stdout.decode().split() + ["?", "?"])[:2]
        reply = (tmp / "upload-reply.json").read_text(errors="replace") if (tmp / "upload-reply.json").exists() else ""
        await asyncio.sleep(1.0)
        sampler.stop.set()
        sampler.join()
        stop.set()
        await asyncio.wait_for(task, args.timeout * 2)
        if status not in ("200", "201", "302", "303"):
            raise BenchError(f"upload answered {status}: {reply[:500]} {stderr.decode()[-500:]}")
        log(f"upload answered {status} in {seconds} s: {reply[:160]}")
        during = [d for t0, d in moves if window["start"] <= t0 <= window["end"]]
        before = [d for t0, d in moves if t0 < window["start"]]
        info = {"moves_during": len(during), "delays_during_ms": during, "median_before_ms": statistics.median(before),
                "p99_before_ms": p99(before), "moves_before": len(before),
                "upload_seconds": seconds,
                "rss": {pid: (sampler.base[pid], sampler.peak[pid]) for pid in workers}}
        return sampler.delta(), p99(during), info
    finally:
        await chair.close()
        await pool.close()
        pool.stop()


def main(argv=None) -> int:
    args = parse_args(argv)
    if not harness.NGINX:
        raise SystemExit("nginx is not installed (Debian: apt-get install nginx)")
    load_before = loadavg()
    with Servers(args) as servers:
        folder = servers.tmp / "nginx"
        folder.mkdir()
        for name in ("static", "documents", "media"):
            (servers.tmp / name).mkdir()
        os.environ.update({"BEHIND_PROXY": "1", "STATIC_MANIFEST": "0", "DOCUMENT_ROOT": str(servers.tmp / "documents"),
                           "MEDIA_ROOT": str(servers.tmp / "media")})
        if not args.without_body_files:
            os.environ["UPLOAD_BODY_DIR"] = str(folder / "upload-bodies")
        target = servers.own()
        ports = [int(b.rsplit(":", 1)[1]) for b in target.bases]
        text = harness.NGINX_CONF.read_text()
        if args.without_body_files:
            text = BODY_LINES.sub("", text)
        front_port = harness.free_port()
        conf = harness.local_conf(folder, ports, front_port, static=servers.tmp / "static",
                                  documents=servers.tmp / "documents", media=servers.tmp / "media", text=text)
        nginx = harness.start_nginx(conf, folder)
        try:
            harness.wait_for(front_port, nginx, "nginx", folder / "nginx.out")
            front = f"http://127.0.0.1:{front_port}"
            workers = [p.popen.pid for p in target.procs if p.name.startswith("daphne")]
            through = Target([front], target.sitting, target.tokens, target.floor_url, target.env, target.procs)
            delta, delay, info = asyncio.run(run(args, through, front, workers, servers.tmp))
        except BenchError:
            for p in target.procs:
                print(f"--- {p.name} log:\n{p.tail(30)}", file=sys.stderr)
            print(f"--- nginx error.log:\n{(folder / 'error.log').read_text(errors='replace')[-3000:]}", file=sys.stderr)
            raise
        finally:
            harness.stop(nginx)
    print()
    print(f"machine: {machine()}")
    print(f"setup: nginx {'.'.join(map(str, harness.nginx_version()))} (deploy/nginx.conf"
          f"{', request-body lines removed' if args.without_body_files else ''}), {target.description}; "
          f"{args.terminals} terminals + the chair through nginx; a move every {args.interval * 1000:.0f} ms")
    print(f"load average before: {load_before}; after: {loadavg()}")
    print(f"upload: {args.size_mb} MB in {info['upload_seconds']} s; {info['moves_during']} moves during it; "
          f"before it ({info['moves_before']} moves): median {info['median_before_ms']:.1f} ms, "
          f"p99 {info['p99_before_ms']:.0f} ms")
    print("delays during the upload (ms): " + " ".join(f"{d:.0f}" for d in info["delays_during_ms"]))
    print("worker RSS before -> peak (MiB): " + ", ".join(f"{b:.0f} -> {p:.0f}" for b, p in info["rss"].values()))
    print(f"upload-isolation size_mb={args.size_mb} worker_rss_delta_mb={delta:.0f} event_delay_p99_ms={delay:.0f}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
