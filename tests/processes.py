"""Stopping a process a test started (a server, videod, Janus, coturn): SIGTERM, then SIGKILL if it
has not ended after `grace` seconds. One helper for them all (tests/browser/conftest.py's Daphne,
tests/browser/video.py, tests/video/coturn.py, tests/video/janus_process.py)."""

import subprocess


def stop(process: subprocess.Popen, grace: float = 10) -> None:
    """Terminate `process` and wait for it; killed if it is still running after `grace` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
