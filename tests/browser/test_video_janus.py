"""A real join through Janus (issue 15, item 3): a server of its own with VIDEO_BACKEND=janus, a Janus
of its own (deploy/janus/ rendered, free ports) and the media process driving it. A remote delegate
in Chromium (fake camera, a tone as microphone) joins by her link; her voice reaches the control
room's hall camera page only while she holds the floor (Janus mutes her otherwise: `moderate`), and
the hall camera's picture reaches her through Janus. The sitting's sound is recorded (by the media
process, subscribed to Janus itself) and stored when the media process is stopped."""

import shutil
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.video import check_recordings, fake_media_switches, level, media_process, open_remote_link, wait_level

QUIET, HEARD = 0.004, 0.02


@pytest.fixture(scope="module")
def janus_server(daphne_server):
    """Janus and a Daphne server of their own. The server is made by the session server's own class
    (`type(daphne_server)`, of the conftest pytest loaded): its prepare() starts from a copy of the
    session server's database; `tests.browser.conftest` imported here would be a second module,
    which migrated and loaded the demo council once more (some 20 s)."""
    if shutil.which("janus") is None:
        pytest.skip("Janus is not installed (apt-get install janus); HUB_REQUIRE_ALL=1 makes this a failure")
    from tests.processes import stop
    from tests.video.janus_process import ADMIN_KEY, API_SECRET, start_janus

    workdir = Path(tempfile.mkdtemp(prefix="hdnd-browser-janus-"))
    (workdir / "janus").mkdir()
    janus, url, _log = start_janus(workdir / "janus")
    server = type(daphne_server)(workdir)
    server.env.update({"VIDEO_BACKEND": "janus", "JANUS_URL": url, "JANUS_API_SECRET": API_SECRET,
                       "JANUS_ADMIN_KEY": ADMIN_KEY})
    server.prepare()
    server.start()
    yield server
    server.stop()
    server.close_helper()
    stop(janus)
    shutil.rmtree(workdir, ignore_errors=True)


def test_a_remote_delegate_through_janus_is_heard_only_with_the_floor(janus_server, launch_chromium, tmp_path, screens):
    from tests.browser.conftest import HubClient
    from websockets.sync.client import connect

    server = janus_server
    chromium = launch_chromium(*fake_media_switches(tmp_path))
    sid = server.shell("from meeting.models import Sitting\nresult = Sitting.objects.order_by('pk').first().pk")
    alice_id = server.shell("from meeting.models import Member\nresult = Member.objects.get(code='DB010').pk")

    def chair():
        session = server.session_for("db001")
        url = server.url.replace("http://", "ws://") + f"/ws/sitting/{sid}/"
        return connect(url, origin=server.url, additional_headers={"Cookie": f"sessionid={session}"})

    with chair() as ws:
        hub = HubClient(ws)
        hub.command("sitting.open")
        hub.command("agenda.next")

    with media_process(server):
        desk = chromium.new_context(base_url=server.url, locale="vi-VN").new_page()
        desk.context.add_cookies([{"name": "sessionid", "value": server.session_for("thuky"), "url": server.url}])
        desk.goto(f"/video/{sid}/hall/")
        desk.click("#hc-start")
        expect(desk.locator("#hc-conn")).to_have_text("connected", timeout=30000)

        alice = open_remote_link(chromium, server, "db010", sid)
        card = alice.locator("#video-terminal")
        alice.click("#vid-join")
        expect(card.locator("#vid-conn")).to_have_attribute("data-state", "connected", timeout=30000)
        # The hall's picture came to her through Janus.
        alice.wait_for_function("() => { const v = document.getElementById('vid-hall');"
                                " return v.srcObject && v.videoWidth > 0; }", timeout=30000)
        assert level(desk, 2.0) < QUIET  # sending all along, muted at Janus

        with chair() as ws:
            hub = HubClient(ws)
            speech = hub.command("floor.give", {"member_id": alice_id, "kind": "speech", "expect_current": None})
        heard = wait_level(desk, lambda v: v > HEARD, timeout=30)
        assert heard > HEARD, f"given the floor, her voice never came through Janus (level {heard})"
        alice.screenshot(path=str(screens / "video-janus-remote-delegate.png"))
        with chair() as ws:
            HubClient(ws).command("floor.stop", {"speech_id": speech["speech_id"]})
        quiet = wait_level(desk, lambda v: v < QUIET)
        assert quiet < QUIET, f"the floor taken back, her voice still came through Janus (level {quiet})"
        # Recording all along (the hall camera page joined: on by default), shown on her face too.
        expect(alice.locator("[data-role=recording]")).to_be_visible(timeout=10000)

    # Stopped (SIGTERM), the media process finished the recording and stored it; the minutes place
    # her speech in it, and it holds the sound (both pages' fake microphone: a 440 Hz tone).
    check_recordings(server, sid)
    assert recorded_strength(server, sid, 440) > 0.01


def recorded_strength(server, sitting_id, freq):
    """The amplitude of `freq` Hz in the sitting's recording, fetched as the secretary reads it."""
    import io
    import urllib.request

    import av
    import numpy as np

    pk = server.shell(f"from video.models import Recording\nresult = Recording.objects.get(sitting_id={sitting_id}).pk")
    request = urllib.request.Request(f"{server.url}/video/recording/{pk}/audio.ogg",
                                     headers={"Cookie": f"sessionid={server.session_for('thuky')}"})
    with av.open(io.BytesIO(urllib.request.urlopen(request).read())) as container:
        samples = np.concatenate([f.to_ndarray().astype(np.float64).reshape(-1) for f in container.decode(audio=0)])
    spectrum = np.abs(np.fft.rfft(samples))
    return spectrum[int(freq * len(samples) / 48000)] / len(samples)
