"""hub.js and lost events (issue 9, docs/decisions/0006): an event that never reaches a page, in a
room that then goes quiet, leaves no gap to notice. The server's heartbeat carries the current seq;
hub.js sees it is behind, says so (status "catching_up"), syncs, and is live and exact again,
without dropping the connection.

Persona: the chair (db001) at the console of a live sitting, in a real Chromium against a real Daphne;
the secretary (thuky) makes the announcement from another face.
"""

import pytest

pytestmark = pytest.mark.browser

START_LOSING = """async (sittingId) => {
  const statuses = [];
  const hub = new Hub(sittingId, { onStatus: (status) => statuses.push(status) });
  await new Promise((ready) => {
    const t = setInterval(() => { if (hub.status === "live") { clearInterval(t); ready(); } }, 20);
  });
  // The next event is lost on its way (as when Redis went down after the commit).
  const onEvent = hub._onEvent.bind(hub);
  const lost = [];
  hub._onEvent = (msg) => {
    if (msg.type !== "heartbeat" && lost.length === 0) { lost.push(msg.seq); return; }
    onEvent(msg);
  };
  window.heartbeatTest = { hub, statuses, lost, before: hub.seq };
  return hub.seq;
}"""

CAUGHT_UP = """async (target) => {
  const { hub, statuses, lost, before } = window.heartbeatTest;
  await new Promise((done) => {
    const t = setInterval(() => { if (hub.seq >= target && hub.status === "live") { clearInterval(t); done(); } }, 50);
    setTimeout(() => { clearInterval(t); done(); }, 20000);
  });
  return { before, seq: hub.seq, status: hub.status, statuses, lost,
           announcement: hub.state.announcement && hub.state.announcement.text };
}"""



def test_a_page_that_lost_the_last_event_learns_it_from_the_heartbeat_and_catches_up(opened_console, hub):
    sitting_id = opened_console.sitting["id"]
    before = opened_console.evaluate(START_LOSING, sitting_id)
    with hub("thuky", sitting_id) as secretary:
        secretary.command("sitting.announce", {"text": "Đề nghị các đại biểu về chỗ ngồi."})
        target = secretary.command("ping")["seq"]
    assert target == before + 1
    result = opened_console.evaluate(CAUGHT_UP, target)
    assert result["lost"] == [target]
    assert (result["seq"], result["status"]) == (target, "live")
    assert result["announcement"] == "Đề nghị các đại biểu về chỗ ngồi."
    # It said it was catching up, and never dropped the connection to get there.
    assert result["statuses"][-2:] == ["catching_up", "live"]
    assert not {"offline", "reconnecting"} & set(result["statuses"])
