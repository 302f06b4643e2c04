"""hub.js and batch frames (docs/protocol.md "Batches"): several events in one frame are applied
one by one, exactly as if each had come alone: the seq advances through them, the state is the
server's, the page stays live and asks for nothing.

Persona: the chair (db001) at the console of a live sitting, in a real Chromium against a real Daphne;
the secretary (thuky) makes two announcements from another face. The page holds back the two event
frames as they arrive and hands them to hub.js as one batch, as the server sends a burst.
"""

import pytest

pytestmark = pytest.mark.browser

START_BATCHING = """async (sittingId) => {
  const statuses = [];
  const hub = new Hub(sittingId, { onStatus: (status) => statuses.push(status) });
  await new Promise((ready) => {
    const t = setInterval(() => { if (hub.status === "live") { clearInterval(t); ready(); } }, 20);
  });
  const onMessage = hub._onMessage.bind(hub);
  const held = [];
  const frames = [];
  hub._onMessage = (text, ws) => {
    const msg = JSON.parse(text);
    if (msg.seq !== undefined && msg.type !== "heartbeat" && msg.type !== "snapshot" && msg.seq > window.batchTest.before) {
      held.push(msg);
      if (held.length < 2) return;
      text = JSON.stringify({ type: "batch", events: held.splice(0) });
    }
    frames.push(JSON.parse(text).type);
    onMessage(text, ws);
  };
  const syncs = [];
  const command = hub.command.bind(hub);
  hub.command = (cmd, args, timeoutMs) => { if (cmd === "sync") syncs.push(args); return command(cmd, args, timeoutMs); };
  window.batchTest = { hub, statuses, frames, syncs, before: hub.seq };
  return hub.seq;
}"""

APPLIED = """async (target) => {
  const { hub, statuses, frames, syncs, before } = window.batchTest;
  await new Promise((done) => {
    const t = setInterval(() => { if (hub.seq >= target) { clearInterval(t); done(); } }, 50);
    setTimeout(() => { clearInterval(t); done(); }, 20000);
  });
  return { before, seq: hub.seq, status: hub.status, statuses, syncs, frames: frames.filter((f) => f !== "heartbeat"),
           announcement: hub.state.announcement && hub.state.announcement.text };
}"""


def test_a_batch_frame_is_applied_as_its_events_one_by_one(opened_console, hub):
    sitting_id = opened_console.sitting["id"]
    before = opened_console.evaluate(START_BATCHING, sitting_id)
    with hub("thuky", sitting_id) as secretary:
        secretary.command("sitting.announce", {"text": "Đề nghị các đại biểu về chỗ ngồi."})
        secretary.command("sitting.announce", {"text": "Phiên họp tiếp tục."})
        target = secretary.command("ping")["seq"]
    assert target == before + 2
    result = opened_console.evaluate(APPLIED, target)
    assert result["frames"] == ["batch"]
    assert (result["seq"], result["status"]) == (target, "live")
    assert result["announcement"] == "Phiên họp tiếp tục."
    assert result["syncs"] == [] and "catching_up" not in result["statuses"]
