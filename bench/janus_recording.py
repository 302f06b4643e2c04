"""What recording a sitting's sound costs the media process with Janus (issue 15, item 5).

    nice .venv/bin/python bench/janus_recording.py                      # 10 members, 1 live, 10 s each
    nice .venv/bin/python bench/janus_recording.py --members 10 --live 10

With Janus the media process receives media only to record: it subscribes, with aiortc, to the
audio of every publisher connection (`video.media.janus_backend.Recording`), decodes the ones Janus
forwards (the hall camera's and the live members': Janus forwards nothing of a muted member), mixes
them and encodes one Ogg/Opus stream. This starts a Janus of its own (deploy/janus/ rendered by
`video.media.janus_config.render` into a temporary folder, free ports, random secrets), drives a
`JanusBackend` in this process, and publishes the hall camera and `--members` members (aiortc peers
in this process too, each a tone and no video), `--live` of them live. It measures this process's
CPU time (`time.process_time()`) over `--seconds` without recording, then over `--seconds` while
recording once every source is received: the difference is what the recording costs videod (the
publishers' own encoding is in both). Last line:

    janus-recording sources=… live=… without_pct=… with_pct=… recording_pct=… per_heard_pct=… seconds_written=… load=…

in % of one core; per_heard = recording / (the hall camera + the live members).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiortc import RTCPeerConnection, RTCSessionDescription  # noqa: E402

from video.media.aiortc_backend import peer_configuration  # noqa: E402
from video.media.janus_backend import JanusBackend  # noqa: E402
from video.media.janus_config import render  # noqa: E402
from video.media.synthetic import ToneTrack  # noqa: E402

ROOM = 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_janus(folder: Path, api_secret: str, admin_key: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    render(folder, ws_port=port, api_secret=api_secret, admin_key=admin_key, rtp_ports=(40000, 40599))
    process = subprocess.Popen(["janus", "-F", str(folder), "-L", str(folder / "janus.log"), "-N", "-o"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            raise SystemExit(f"janus exited ({process.returncode}); its log: {folder / 'janus.log'}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"ws://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit("janus's WebSocket did not open within 20 s") from None
            time.sleep(0.1)


async def cpu_over(seconds: float) -> float:
    """This process's CPU over `seconds`, in % of one core."""
    wall, cpu = time.monotonic(), time.process_time()
    await asyncio.sleep(seconds)
    return 100 * (time.process_time() - cpu) / (time.monotonic() - wall)


async def until(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.1)


async def run(url: str, api_secret: str, admin_key: str, members: int, live: int, seconds: float, folder: Path) -> str:
    backend = JanusBackend(url=url, api_secret=api_secret, admin_key=admin_key)
    pcs: list[RTCPeerConnection] = []
    try:
        await backend.start()
        await backend.handle("open_room", {"room": ROOM})
        keys = ["h:1"] + [f"m:{n}" for n in range(1, members + 1)]
        await backend.handle("set_live", {"room": ROOM, "live": keys[1:live + 1], "version": 1})
        for n, key in enumerate(keys):
            pc = RTCPeerConnection(peer_configuration([]))
            pcs.append(pc)
            pc.addTransceiver(ToneTrack(200 + 50 * n), direction="sendonly")
            pc.addTransceiver("video", direction="sendonly")
            await pc.setLocalDescription(await pc.createOffer())
            reply = await backend.handle("publish", {"room": ROOM, "peer": key, "kind": "hallcam" if n == 0 else "member",
                                                     "pc": f"pub-{key}", "gen": 1, "sdp": pc.localDescription.sdp})
            await pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "answer"))
        room = backend.rooms[ROOM]
        await until(lambda: all(room.peers[key].pub.up for key in keys), "every publisher up at Janus")
        await asyncio.sleep(2)
        without = await cpu_over(seconds)
        await backend.handle("record_start", {"room": ROOM, "path": str(folder / "recording.ogg")})
        recording = room.recording
        await until(lambda: len(recording.listeners) == len(keys)
                    and sum(1 for frames in recording.frames.values() if frames > 50) == live + 1,
                    "videod listening to every publisher, receiving the heard ones")
        with_recording = await cpu_over(seconds)
        done = await backend.handle("record_stop", {"room": ROOM})
        cost = with_recording - without
        return (f"janus-recording sources={len(keys)} live={live} without_pct={without:.1f} with_pct={with_recording:.1f} "
                f"recording_pct={cost:.1f} per_heard_pct={cost / (live + 1):.2f} seconds_written={done['seconds']:.1f} "
                f"load={os.getloadavg()[0]:.1f}")
    finally:
        for pc in pcs:
            await pc.close()
        await backend.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--live", type=int, default=1, help="members live (heard, so forwarded by Janus)")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    if not 0 <= args.live <= args.members:
        parser.error("--live is between 0 and --members")
    if shutil.which("janus") is None:
        raise SystemExit("janus is not installed (apt-get install janus)")
    folder = Path(tempfile.mkdtemp(prefix="bench-janus-recording-"))
    api_secret, admin_key = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    janus, url = start_janus(folder, api_secret, admin_key)
    try:
        print(f"load before: {os.getloadavg()[0]:.1f}", flush=True)
        print(asyncio.run(run(url, api_secret, admin_key, args.members, args.live, args.seconds, folder)))
    finally:
        janus.terminate()
        try:
            janus.wait(10)
        except subprocess.TimeoutExpired:
            janus.kill()
            janus.wait()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
