"""The media process (`manage.py video_server`) beside the browser tests' Daphne server."""

import math
import socket
import struct
import wave
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from tests.processes import stop

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def media_process(server, **settings):
    """videod following `server`'s sittings, on the control port in its environment (and `settings`,
    e.g. VIDEO_GRACE_SECONDS="6"); stopped after."""
    env = dict(server.env, VIDEO_HUB_URL=server.url.replace("http://", "ws://"), **settings)
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
        stop(process)


def fake_media_switches(folder: Path) -> list[str]:
    """Chromium's switches for a fake camera and a microphone that plays a steady 440 Hz tone."""
    tone = folder / "tone.wav"
    with wave.open(str(tone), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(b"".join(struct.pack("<h", int(16000 * math.sin(2 * math.pi * 440 * i / 48000)))
                               for i in range(48000 * 2)))
    return ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-audio-capture={tone}", "--autoplay-policy=no-user-gesture-required"]


def level(page, seconds=1.0) -> float:
    """The loudest the hall camera page heard the remote voices over `seconds`."""
    return page.evaluate("""(ms) => new Promise((resolve) => {
        let peak = 0; const t0 = performance.now();
        const tick = () => { peak = Math.max(peak, window.hallcamLevel());
          if (performance.now() - t0 < ms) setTimeout(tick, 20); else resolve(peak); };
        tick(); })""", seconds * 1000)


def wait_level(page, test, timeout=20.0) -> float:
    deadline = time.monotonic() + timeout
    while True:
        value = level(page, 0.5)
        if test(value) or time.monotonic() > deadline:
            return value


def put_reminders_away(page) -> None:
    """The library's reminders to read (a notice over the bottom of the terminal, which earlier tests
    of the run may have left for this delegate): "Để sau", as the delegate would."""
    later = page.locator("#read-reminders .read-reminder button:not(.primary)")
    while later.count():
        later.first.click()


def close_other_live_sittings(daphne_server, hub):
    """A remote link lands on the member's live sitting: the earlier tests' are closed first (by the
    chair; one that refuses, a vote round left open, as the admin would)."""
    others = daphne_server.shell("from meeting.models import Sitting\nresult = list(Sitting.objects.filter("
                                 "status='live').values_list('pk', flat=True))")
    for other in others:
        with hub("db001", other) as chair:
            try:
                chair.command("sitting.close")
            except AssertionError:  # refused (a vote round left open by that test): closed as the admin would
                daphne_server.shell(f"from meeting.models import Sitting\nSitting.objects.filter(pk={other}).update("
                                    "status='closed')\nresult = None")


TABLET = {"viewport": {"width": 1280, "height": 800}, "has_touch": True}


def open_remote_link(chromium, server, username: str, sitting_id: int):
    """`username`'s single-use remote link opened on a laptop (a new context of `chromium`): paired,
    landed on their terminal with the video panel, the library's reminders put away. The page."""
    import re

    from playwright.sync_api import expect

    token = server.pairing_token("remote", username=username)
    page = chromium.new_context(base_url=server.url, locale="vi-VN", **TABLET).new_page()
    page.goto(f"/pair/{token}/")
    page.get_by_role("button", name="Ghép nối thiết bị này").click()
    expect(page).to_have_url(re.compile(rf"/sitting/{sitting_id}/terminal/\?remote=1$"))
    page.wait_for_load_state("load")
    put_reminders_away(page)
    return page


def check_recordings(server, sitting_id):
    """The one recording of the sitting is in the documents storage, placed by the minutes' recordings
    page (a speech links into it), readable by the secretary and not by a delegate."""
    import urllib.error
    import urllib.request

    rows = server.shell("from video.models import Recording\nresult = [(r.pk, r.file.name, r.seconds, r.file.size) for r in "
                        f"Recording.objects.filter(sitting_id={sitting_id})]")
    assert len(rows) == 1, rows
    pk, name, seconds, size = rows[0]
    assert name.startswith(f"recordings/sitting-{sitting_id}/") and seconds > 5 and size > 1000
    cookie = {"Cookie": f"sessionid={server.session_for('thuky')}"}
    page = urllib.request.urlopen(urllib.request.Request(f"{server.url}/video/{sitting_id}/recordings/", headers=cookie))
    html = page.read().decode()
    assert f"/video/recording/{pk}/audio.ogg#t=" in html  # a speech, placed in the recording
    audio = urllib.request.urlopen(urllib.request.Request(f"{server.url}/video/recording/{pk}/audio.ogg", headers=cookie))
    assert audio.read(4) == b"OggS"
    stranger = {"Cookie": f"sessionid={server.session_for('db011')}"}
    try:
        urllib.request.urlopen(urllib.request.Request(f"{server.url}/video/recording/{pk}/audio.ogg", headers=stranger))
        raise AssertionError("a delegate read the recording")
    except urllib.error.HTTPError as e:
        assert e.code == 404
