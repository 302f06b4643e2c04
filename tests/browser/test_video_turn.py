"""A remote delegate whose network allows nothing but a TURN relay (issue 15, stage 4 of decision
0014): her page uses relay candidates only, through a real coturn, and her voice reaches the hall.

A Daphne server of its own (the session's server keeps its settings for the other tests), with
VIDEO_TURN_URLS and VIDEO_TURN_SECRET pointing at the coturn this module starts and
VIDEO_ICE_TRANSPORT_POLICY=relay; videod beside it on host candidates, as in production (the
relay reaches it). Alice in Chromium with a fake camera and a tone as microphone; the hall camera
page in the control room, relayed too; the chair over a WebSocket of the test.
"""

import re
import secrets
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import HubClient
from tests.browser.test_video_browser import HEARD, wait_level
from tests.browser.video import fake_media_switches, media_process
from tests.video.coturn import coturn, host_addresses

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 1280, "height": 800}, "has_touch": True}

# Every RTCPeerConnection the page makes, with the configuration it was given (to read its stats).
RECORD_PEERS = """(() => {
  const Native = window.RTCPeerConnection;
  const made = [];
  function Recorded(config, ...rest) { const pc = new Native(config, ...rest); made.push({ config, pc }); return pc; }
  Recorded.prototype = Native.prototype;
  Object.setPrototypeOf(Recorded, Native);
  window.RTCPeerConnection = Recorded;
  window.recordedPeers = made;
})();"""

# The policy the page's last peer connection was given, and the local candidate it connected through.
SELECTED = """async () => {
  const { config, pc } = window.recordedPeers[window.recordedPeers.length - 1];
  const stats = await pc.getStats();
  let local = null;
  stats.forEach((r) => {
    if (r.type === "transport" && r.selectedCandidatePairId) {
      local = stats.get(stats.get(r.selectedCandidatePairId).localCandidateId);
    }
  });
  const types = [];
  stats.forEach((r) => { if (r.type === "local-candidate") types.push(r.candidateType); });
  return { policy: config.iceTransportPolicy, servers: config.iceServers,
           selected: local && local.candidateType, address: local && local.address, types };
}"""


@pytest.fixture(scope="module")
def relayed_server(daphne_server):
    """coturn on this machine's address, and a Daphne server whose pages use it for everything.

    Made by the session server's own class (`type(daphne_server)`, the conftest pytest loaded): its
    prepare() starts from a copy of the session server's database, where an import of
    tests.browser.conftest would be a second module and load the demo council once more."""
    addresses = host_addresses()
    if not addresses:
        pytest.skip("no IPv4 address but loopback here: a TURN relay never reaches loopback peers")
    workdir = Path(tempfile.mkdtemp(prefix="hdnd-browser-turn-"))
    secret = secrets.token_urlsafe(24)
    try:
        # The media server's addresses (videod's host candidates) are the relay's only allowed peers.
        with coturn(workdir, secret=secret, listening_ip=addresses[0], allowed_peer_ip=addresses) as (host, port, _):
            server = type(daphne_server)(workdir)
            server.env.update(VIDEO_TURN_URLS=f"turn:{host}:{port}?transport=udp", VIDEO_TURN_SECRET=secret,
                              VIDEO_ICE_TRANSPORT_POLICY="relay")
            server.prepare()
            server.start()
            try:
                yield server
            finally:
                server.stop()
                server.close_helper()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def hub_as(server, username: str, sitting_id: int):
    from websockets.sync.client import connect

    session = server.session_for(username)
    url = server.url.replace("http://", "ws://") + f"/ws/sitting/{sitting_id}/"
    with connect(url, origin=server.url, additional_headers={"Cookie": f"sessionid={session}"}) as ws:
        yield HubClient(ws)


def signed_in(browser, server, username: str, path: str, **context):
    page = browser.new_context(base_url=server.url, locale="vi-VN", **context).new_page()
    page.context.add_cookies([{"name": "sessionid", "value": server.session_for(username), "url": server.url,
                               "httpOnly": True, "sameSite": "Lax"}])
    page.add_init_script(RECORD_PEERS)
    page.goto(path)
    return page


def test_a_delegate_whose_network_allows_only_a_relay_is_heard_in_the_hall(relayed_server, launch_chromium, tmp_path):
    server = relayed_server
    media_chromium = launch_chromium(*fake_media_switches(tmp_path))
    # The remote link lands on her live sitting: no other is live.
    for other in server.shell("from meeting.models import Sitting\nresult = list(Sitting.objects.filter("
                              "status='live').values_list('pk', flat=True))"):
        server.shell(f"from meeting.models import Sitting\nSitting.objects.filter(pk={other}).update(status='closed')\n"
                     "result = None")
    sid = server.fresh_sitting()["id"]
    with hub_as(server, "db001", sid) as chair:
        chair.command("sitting.open")
        chair.command("agenda.next")

    with media_process(server):
        # The control room's hall camera page: relayed too, as every page of this server.
        desk = signed_in(media_chromium, server, "thuky", f"/video/{sid}/hall/")
        desk.click("#hc-start")
        expect(desk.locator("#hc-conn")).to_have_text("connected", timeout=30000)

        # Alice opens her remote link; her page is given the relay and nothing else.
        token = server.pairing_token("remote", username="db010")
        alice = media_chromium.new_context(base_url=server.url, locale="vi-VN", **TABLET).new_page()
        alice.add_init_script(RECORD_PEERS)
        alice.goto(f"/pair/{token}/")
        alice.get_by_role("button", name="Ghép nối thiết bị này").click()
        expect(alice).to_have_url(re.compile(rf"/sitting/{sid}/terminal/\?remote=1$"))
        card = alice.locator("#video-terminal")
        alice.click("#vid-join")
        expect(card.locator("#vid-conn")).to_have_attribute("data-state", "connected", timeout=30000)

        for page in (alice, desk):
            peer = page.evaluate(SELECTED)
            assert peer["policy"] == "relay"
            [turn_entry] = peer["servers"]
            assert turn_entry["urls"] == [server.env["VIDEO_TURN_URLS"]]
            assert re.fullmatch(r"\d+:s\d+", turn_entry["username"])
            assert peer["selected"] == "relay", peer
            assert set(peer["types"]) == {"relay"}, peer  # no host or reflexive candidate ever offered

        # She is given the floor: her tone, relayed, reaches the hall.
        alice.click("#flt-request-speech")
        expect(alice.locator("#flt-mine")).to_contain_text("Phát biểu")
        with hub_as(server, "db001", sid) as chair:
            chair.command("floor.next", {"expect_current": None})
        expect(card.locator("#vid-mic-state")).to_have_text("Micro đang mở")
        heard = wait_level(desk, lambda v: v > HEARD)
        assert heard > HEARD, f"given the floor, her relayed voice never reached the hall (level {heard})"
