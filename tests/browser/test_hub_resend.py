"""hub.js and lost replies (issue 9, docs/decisions/0005): the chair's console sends a command,
and the link dies before the reply arrives. hub.js keeps the command, reconnects, and sends it
again with the same id once the new snapshot is in; the hub answers from the stored outcome
(`replayed`), so the chair learns it was done and it was done once.

Persona: the chair (db001) at the console of a live sitting, in a real Chromium against a real Daphne.
"""

import pytest

pytestmark = pytest.mark.browser


LOSE_THE_REPLY = """async (sittingId) => {
  const replies = [];
  const hub = new Hub(sittingId, {});
  await new Promise((ready) => {
    const t = setInterval(() => { if (hub.status === "live") { clearInterval(t); ready(); } }, 20);
  });
  const before = hub.seq;
  const onReply = hub._onReply.bind(hub);
  hub._onReply = (msg) => { replies.push(msg); onReply(msg); };
  const done = hub.command("sitting.announce", { text: "Giải lao 15 phút" });
  hub._drop(hub.ws);  // the link dies in the same instant: the reply can only be lost
  const data = await done;
  await hub.command("ping");
  return { before, after: hub.seq, data, replies: replies.filter((r) => r.data && !r.data.server_time),
           announcement: hub.state.announcement && hub.state.announcement.text, ids: hub._idPrefix.length };
}"""


def test_a_command_whose_reply_was_lost_is_answered_after_the_reconnect_and_done_once(opened_console):
    result = opened_console.evaluate(LOSE_THE_REPLY, opened_console.sitting["id"])
    assert result["data"] == {}
    assert result["replies"] == [{"in_response": result["replies"][0]["in_response"], "ok": True, "data": {},
                                  "replayed": True}]
    assert (result["after"], result["announcement"]) == (result["before"] + 1, "Giải lao 15 phút")
