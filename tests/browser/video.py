"""The media process (`manage.py video_server`) beside the browser tests' Daphne server."""

import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def media_process(server):
    """videod following `server`'s sittings, on the control port in its environment; stopped after."""
    env = dict(server.env, VIDEO_HUB_URL=server.url.replace("http://", "ws://"))
    host, _, port = env["VIDEO_CONTROL"].rpartition(":")
    log_path = server.workdir / "videod.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "manage.py", "video_server"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"video_server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"video_server did not listen within 60 s:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
        process.log_path = log_path
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
