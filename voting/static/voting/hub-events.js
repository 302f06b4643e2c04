/* The voting module's events in hub.js (voting/hub.py registers them and this script). */
(function () {
  "use strict";

  Hub.registerEvent("vote.poll", (state, data) => {
    const polls = state.voting.polls;
    const i = polls.findIndex((p) => p.id === data.id);
    if (i >= 0) polls[i] = data; else polls.push(data);
  });
  Hub.registerEvent("vote.count", (state, data) => {
    for (const poll of state.voting.polls) {
      for (const r of poll.rounds) {
        if (r.id !== data.round_id) continue;
        r.voted = data.voted;
        // Staff, open polls: who voted since the round's previous count (one count for the ballots
        // committed together); empty for everyone else.
        if (data.member_ids.length && r.voters) {
          r.voters = Array.from(new Set([...r.voters, ...data.member_ids])).sort((a, b) => a - b);
        }
      }
    }
  });
  Hub.registerEvent("vote.board", (state, data) => {  // staff alone get it (the others a skip)
    state.voting.board = data.board;
  });
  Hub.registerMemberEvent("vote.mine", (you, data) => {
    const ballots = you.vote.ballots.filter((b) => b.round_id !== data.round_id);
    ballots.push(data);
    ballots.sort((a, b) => a.round_id - b.round_id);
    you.vote.ballots = ballots;
  });
  Hub.registerMemberEvent("vote.receipt", () => {});  // shown once, kept nowhere
})();
