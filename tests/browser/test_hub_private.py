"""hub.js and what one member alone is told (issue 10 item 2, docs/decisions/0008): a delegate's
page keeps `hub.you` by the per-member events, in pseq order; a lost one is noticed from the ping
reply's pseq (status "catching_up", then `sync` with since_pseq) or from the gap the next one
leaves, and `hub.you` ends as a fresh snapshot's, without dropping the connection.

A Daphne server of its own with the toy module installed (tests/browser/toy_server_settings.py);
the delegate db010 in a real Chromium, the chair db001 over a WebSocket of the test.
"""

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.conftest import DEMO_PASSWORD, HubClient

pytestmark = pytest.mark.browser

FOLLOW = """async (sittingId) => {
  const statuses = [], told = [];
  const hub = new Hub(sittingId, {
    onStatus: (status) => statuses.push(status),
    onState: (state, type, data, h) => { if (type && type.startsWith("toy.")) told.push([type, JSON.stringify(h.you.toy)]); },
  });
  await new Promise((ready) => {
    const t = setInterval(() => { if (hub.status === "live") { clearInterval(t); ready(); } }, 20);
  });
  // Lose the next per-member events on their way when asked to (as when Redis went down).
  const onMember = hub._onMemberEvent.bind(hub);
  const lost = [];
  window.privateTest = { hub, statuses, told, lost, losing: 0 };
  hub._onMemberEvent = (msg) => {
    if (window.privateTest.losing > 0) { window.privateTest.losing -= 1; lost.push(msg.pseq); return; }
    onMember(msg);
  };
  return hub.you;
}"""

WAIT_PSEQ = """async (pseq) => {
  const { hub } = window.privateTest;
  await new Promise((done) => {
    const t = setInterval(() => { if (hub.you.pseq >= pseq && hub.status === "live") { clearInterval(t); done(); } }, 50);
    setTimeout(() => { clearInterval(t); done(); }, 20000);
  });
  const { statuses, told, lost } = window.privateTest;
  return { you: hub.you, status: hub.status, statuses, told, lost };
}"""


@pytest.fixture(scope="module")
def toy_server(daphne_server):
    """A server of its own with the toy settings, made by the session server's own class (as
    tests/browser/test_video_janus.py's): it starts from a copy of that server's database."""
    workdir = Path(tempfile.mkdtemp(prefix="hdnd-browser-toy-"))
    server = type(daphne_server)(workdir)
    server.env["DJANGO_SETTINGS_MODULE"] = "tests.browser.toy_server_settings"
    server.prepare()
    server.start()
    yield server
    server.stop()
    server.close_helper()
    shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def chair_hub(server, sitting_id: int):
    from websockets.sync.client import connect

    session = server.session_for("db001")
    url = server.url.replace("http://", "ws://") + f"/ws/sitting/{sitting_id}/"
    with connect(url, origin=server.url, additional_headers={"Cookie": f"sessionid={session}"}) as ws:
        yield HubClient(ws)


def test_a_delegates_page_keeps_you_by_pseq_and_catches_up_what_it_lost(toy_server, browser):
    sitting_id = toy_server.shell("from meeting.models import Sitting\n"
                                  "result = Sitting.objects.get(title__startswith='Phiên khai mạc').pk")
    context = browser.new_context(base_url=toy_server.url, locale="vi-VN")
    context.set_default_timeout(15000)
    try:
        page = context.new_page()
        page.goto("/accounts/login/?next=/")
        page.fill("input[name=username]", "db010")
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        page.goto(f"/sitting/{sitting_id}/terminal/")
        you = page.evaluate(FOLLOW, sitting_id)
        assert (you["pseq"], you["toy"]) == (0, {"pokes": 0, "note": ""})
        member = you["member_id"]
        with chair_hub(toy_server, sitting_id) as chair:
            chair.command("sitting.open")
            chair.command("toy.poke", {"member_id": member, "note": "một"})
            result = page.evaluate(WAIT_PSEQ, 1)
            assert result["you"]["toy"] == {"pokes": 1, "note": "một"}
            # Lost, and nothing after it: the ping reply's pseq says so.
            page.evaluate("() => { window.privateTest.losing = 1; }")
            chair.command("toy.poke", {"member_id": member, "note": "hai"})
            page.wait_for_function("() => window.privateTest.lost.length === 1")
            page.evaluate("() => window.privateTest.hub._probe(5000)")
            result = page.evaluate(WAIT_PSEQ, 2)
            assert (result["you"]["pseq"], result["you"]["toy"]) == (2, {"pokes": 2, "note": "hai"})
            assert result["statuses"][-2:] == ["catching_up", "live"]
            # Lost, then the next one leaves a gap: it syncs at once.
            page.evaluate("() => { window.privateTest.losing = 1; }")
            chair.command("toy.poke", {"member_id": member, "note": "ba"})
            page.wait_for_function("() => window.privateTest.lost.length === 2")
            chair.command("toy.poke", {"member_id": member, "note": "bốn"})
            result = page.evaluate(WAIT_PSEQ, 4)
            assert (result["you"]["pseq"], result["you"]["toy"]) == (4, {"pokes": 4, "note": "bốn"})
            # A never-stored one: applied as it comes, no pseq taken.
            chair.command("toy.whisper", {"member_id": member, "text": "thì thầm"})
            page.wait_for_function("() => window.privateTest.told.some(([type]) => type === 'toy.whispered')")
        result = page.evaluate(WAIT_PSEQ, 4)
        # The toy module's own panel on the terminal (registry.register_panel) drew what she alone was told.
        assert page.locator("#toy-pokes").text_content() == "4"
        assert page.locator("#toy-note").text_content() == "bốn"
        assert result["lost"] == [2, 3]
        assert result["you"]["pseq"] == 4 and result["status"] == "live"
        assert not {"offline", "reconnecting"} & set(result["statuses"])
        # hub.you equals what a fresh connection gets.
        fresh = page.evaluate("""async (sittingId) => {
          const h = new Hub(sittingId, {});
          await new Promise((ready) => { const t = setInterval(() => { if (h.status === "live") { clearInterval(t); ready(); } }, 20); });
          return h.you;
        }""", sitting_id)
        assert fresh == result["you"]
    finally:
        context.close()
