"""hub.js and batch frames (docs/protocol.md "Batches"): several events in one frame are applied
one by one, exactly as if each had come alone: the seq advances through them, the state is the
server's, the page stays live and asks for nothing; and the page is drawn once for the frame.

Persona: the chair (db001) at the console of a live sitting, in a real Chromium against a real Daphne;
the secretary (thuky) makes two announcements from another face; delegates db010-db014 vote. The
page holds back the event frames as they arrive and hands them to hub.js as one batch, as the
server sends a burst.
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


# The console's own hub (meeting/console.js): from the next frame on, its sitting events after
# `before` are held back, and the heartbeat's and ping's "you are behind" left unheard, until
# `release()` hands them over as one batch frame. Every call of the page's onState and of a panel
# (what draws the page) is counted, with the changes it stands for.
HOLD_CONSOLE = """(before) => {
  const test = { before, held: [], hub: null, renders: [], panels: [], syncs: [] };
  window.renderTest = test;
  const changes = (type, data) => (Hub.changes ? Hub.changes(type, data) : [{ type, data }]);
  Hub.registerPanel((state, type, data) => { test.panels.push([type, changes(type, data).length]); });
  const onMessage = Hub.prototype._onMessage;
  Hub.prototype._onMessage = function (text, ws) {
    if (!test.hub) {
      test.hub = this;
      const onState = this.options.onState;
      this.options.onState = (state, type, data, h) => {
        test.renders.push([type, changes(type, data).map((c) => c.type)]);
        onState(state, type, data, h);
      };
      const noticeSeq = this._noticeSeq.bind(this);
      this._noticeSeq = (seq, pseq) => { if (!test.holding) noticeSeq(seq, pseq); };
      const command = this.command.bind(this);
      this.command = (cmd, args, timeoutMs) => { if (cmd === "sync") test.syncs.push(args); return command(cmd, args, timeoutMs); };
      test.holding = true;
    }
    const msg = JSON.parse(text);
    if (test.holding && msg.seq !== undefined && msg.type !== "heartbeat" && msg.type !== "snapshot" && msg.seq > test.before) {
      test.held.push(msg);
      return;
    }
    onMessage.call(this, text, ws);
  };
  test.release = () => {
    test.holding = false;
    test.renders.length = 0;
    test.panels.length = 0;
    onMessage.call(test.hub, JSON.stringify({ type: "batch", events: test.held }), test.hub.ws);
    return { seq: test.hub.seq, status: test.hub.status, renders: test.renders, panels: test.panels, syncs: test.syncs,
             held: test.held.map((e) => e.type) };
  };
}"""


def test_a_batch_frame_of_ballots_draws_the_console_once_and_it_ends_right(opened_console, hub):
    """Five delegates vote one after the other (five `vote.count`s); the console gets them as one
    batch frame and draws once (hub.js tells the page once per frame: `type` "batch", Hub.changes),
    and its count and "who has not voted" list end as the server's."""
    from playwright.sync_api import expect

    page = opened_console
    sitting_id = page.sitting["id"]
    with hub("db001", sitting_id) as chair:
        present = [r["member_id"] for r in chair.snapshot["data"]["attendance"] if r["counts"]]
        chair.command("attendance.mark_selected", {"member_ids": present})
        poll = chair.command("vote.create", {"title": "Thông qua Nghị quyết về kế hoạch đầu tư công năm 2027"})["poll_id"]
        round_id = chair.command("vote.open", {"poll_id": poll})["round_id"]
        before = chair.command("ping")["seq"]
    expect(page.locator("#vt-missing-summary")).to_have_text(f"Chưa biểu quyết: {len(present)}")
    page.evaluate(HOLD_CONSOLE, before)
    voters = []
    for username in ("db010", "db011", "db012", "db013", "db014"):
        with hub(username, sitting_id) as delegate:
            voters.append(delegate.snapshot["you"]["member_id"])
            delegate.command("vote.cast", {"round_id": round_id, "choice": {"option": "yes"}})
    with hub("db001", sitting_id) as chair:
        target = chair.command("ping")["seq"]
    assert target > before + 1  # more than one event to batch (ballots one after the other: five)
    page.wait_for_function(f"() => window.renderTest.held.length === {target - before}")
    result = page.evaluate("() => window.renderTest.release()")
    assert (result["seq"], result["status"], result["syncs"]) == (target, "live", [])
    assert set(result["held"]) == {"vote.count"}
    # Drawn once: the page's onState and each panel called once, for all the frame's changes.
    assert result["renders"] == [["batch", result["held"]]]
    assert result["panels"] == [["batch", len(result["held"])]]
    # And what it draws is the server's: the count, and who has not voted yet.
    expect(page.locator("#vt-voted")).to_have_text(str(len(voters)))
    expect(page.locator("#vt-missing-summary")).to_have_text(f"Chưa biểu quyết: {len(present) - len(voters)}")
    expect(page.locator("#vt-missing-list li")).to_have_count(len(present) - len(voters))
    for member in voters:
        expect(page.locator(f"#vt-missing-list li[data-member-id='{member}']")).to_have_count(0)
