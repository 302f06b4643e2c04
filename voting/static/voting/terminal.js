/* Voting on the delegate terminal (voting/panels.py): while a round is open, the ballot on a sheet
 * over the page with big touch buttons (a motion: Tán thành / Không tán thành / Không biểu quyết, one
 * tap; an election: up to `seats` candidates, then confirm; a rating: high / confidence / low for each
 * official, then confirm); "Bạn đã biểu quyết" once hub.you.vote has the round; a secret ballot's
 * receipt from the never-stored per-member event vote.receipt (shown, kept in this page's memory only
 * while the round is live, never stored); the countdown of a timed round (the server's clock); how
 * many of the present have voted; the result once published.
 *
 * Drawn from state.voting, state.attendance and hub.you after every snapshot, event and per-member
 * event (Hub.registerPanel: a per-member event comes with its own type and data). A refusal shows
 * the server's message (not_present, already_voted, poll_not_open…).
 */
(function () {
  "use strict";

  const { gettext, interpolate, h, fill } = Faces;
  const $ = (id) => document.getElementById(id);
  const root = $("vote-terminal");
  if (!root) return;

  const SINGLE = ["motion", "confidence", "indicative", "dismissal"];
  const KIND = {
    motion: gettext("Biểu quyết thông qua"),
    indicative: gettext("Thăm dò ý kiến"),
    election: gettext("Bầu cử"),
    dismissal: gettext("Miễn nhiệm, bãi nhiệm"),
    confidence: gettext("Bỏ phiếu tín nhiệm"),
    rating: gettext("Lấy phiếu tín nhiệm"),
  };
  const OPTION = {
    yes: gettext("Tán thành"),
    no: gettext("Không tán thành"),
    abstain: gettext("Không biểu quyết"),
    trust: gettext("Tín nhiệm"),
    no_trust: gettext("Không tín nhiệm"),
  };
  const DISMISSAL = { yes: gettext("Đồng ý"), no: gettext("Không đồng ý") };
  const LEVEL = { high: gettext("Tín nhiệm cao"), confidence: gettext("Tín nhiệm"), low: gettext("Tín nhiệm thấp") };

  const ui = {
    countdown: $("vtt-countdown"),
    fold: $("vtt-fold"),
    status: $("vtt-status"),
    title: $("vtt-title"),
    meta: $("vtt-meta"),
    ballot: $("vtt-ballot"),
    done: $("vtt-done"),
    count: $("vtt-count"),
    result: $("vtt-result"),
    pill: $("vtt-pill"),
    backdrop: $("vtt-backdrop"),
  };

  let hub = null;
  let send = null;
  let casting = false; // a ballot in flight: one tap, one ballot
  let changing = null; // the round whose vote this delegate chose to change (an open poll that allows it)
  const picks = new Map(); // round id -> the election's chosen keys, or the rating's {key: level}
  const receipts = new Map(); // round id -> the secret ballot's choice, from vote.receipt: this page's memory only
  const folded = new Set(); // `${round}:${mode}` the delegate put away
  let mode = null;
  let current = null; // {poll, round}

  function optionLabel(poll, key) {
    if (poll.kind === "dismissal" && DISMISSAL[key]) return DISMISSAL[key];
    if (SINGLE.includes(poll.kind) && OPTION[key]) return OPTION[key];
    const o = poll.options.find((x) => x.key === key);
    return o ? o.label : key;
  }

  function choiceText(poll, choice) {
    if (!choice) return "";
    if (choice.option) return optionLabel(poll, choice.option);
    if (choice.chosen) return choice.chosen.length ? choice.chosen.map((k) => optionLabel(poll, k)).join(", ") : gettext("phiếu trắng");
    if (choice.ratings) return Object.entries(choice.ratings).map(([k, l]) => `${optionLabel(poll, k)}: ${LEVEL[l]}`).join("; ");
    return "";
  }

  /* The round to show: the newest of the sitting (ids grow), with its poll. */
  function latest(state) {
    let best = null;
    for (const poll of state.voting ? state.voting.polls : []) {
      for (const r of poll.rounds) if (!best || r.id > best.round.id) best = { poll, round: r };
    }
    return best;
  }

  function myBallot(round) {
    const you = hub && hub.you && hub.you.vote;
    return you ? you.ballots.find((b) => b.round_id === round.id) || null : null;
  }

  function remaining(round) {
    return round.closes_at ? (Date.parse(round.closes_at) - hub.now()) / 1000 : null;
  }

  function tick() {
    if (!current || !hub) return;
    const r = current.round;
    const show = !!r.closes_at && (r.status === "open" || r.status === "held");
    ui.countdown.hidden = !show;
    if (!show) return;
    const rem = remaining(r);
    ui.countdown.textContent = r.status === "held" ? gettext("Tạm dừng") : rem > 0 ? HubTime.formatDuration(Math.ceil(rem)) : gettext("Hết giờ");
    ui.countdown.dataset.level = r.status === "held" ? "held" : rem > 10 ? "ok" : rem > 0 ? "near" : "over";
  }
  setInterval(tick, 500);

  // ---- the ballot -------------------------------------------------------------------------

  function cast(poll, round, choice, button) {
    if (!send || casting) return;
    casting = true;
    render(hub.state);
    send("vote.cast", { round_id: round.id, choice }, button).then(() => {
      picks.delete(round.id);
      changing = null;
      if (!poll.secret) Faces.toast(interpolate(gettext("Đã ghi nhận biểu quyết của bạn: %(choice)s"), { choice: choiceText(poll, choice) }, true), "ok");
    }).catch(() => null).finally(() => {
      casting = false;
      if (hub.state) render(hub.state);
    });
  }

  function singleBallot(poll, round, open) {
    const mine = myBallot(round);
    return h("div", { class: "vtt-options" }, poll.options.map((o) => h("button", {
      type: "button", class: `btn vtt-option opt-${o.key}${mine && mine.choice && mine.choice.option === o.key ? " is-mine" : ""}`,
      dataset: { option: o.key }, disabled: !open || casting,
      onclick: (ev) => cast(poll, round, { option: o.key }, ev.currentTarget) }, optionLabel(poll, o.key))));
  }

  function electionBallot(poll, round, open) {
    const chosen = picks.get(round.id) || [];
    const full = chosen.length >= poll.seats;
    return [
      h("p", { class: "vtt-hint" }, interpolate(gettext("Chọn tối đa %(seats)s người, rồi bấm “Gửi phiếu bầu”. Đã chọn %(n)s."),
        { seats: poll.seats, n: chosen.length }, true)),
      h("div", { class: "vtt-candidates" }, poll.options.map((o) => {
        const on = chosen.includes(o.key);
        return h("button", { type: "button", class: `btn vtt-candidate${on ? " is-on" : ""}`, "aria-pressed": on ? "true" : "false",
          dataset: { option: o.key }, disabled: !open || casting || (!on && full),
          onclick: () => {
            const now = picks.get(round.id) || [];
            picks.set(round.id, on ? now.filter((k) => k !== o.key) : [...now, o.key]);
            render(hub.state);
          } }, h("span", { class: "vtt-tick", "aria-hidden": "true" }, on ? "✓" : ""), o.label);
      })),
      h("button", { type: "button", class: "btn primary vtt-confirm", disabled: !open || casting || !chosen.length,
        onclick: (ev) => cast(poll, round, { chosen }, ev.currentTarget) }, gettext("Gửi phiếu bầu")),
    ];
  }

  function ratingBallot(poll, round, open) {
    const ratings = picks.get(round.id) || {};
    const all = poll.options.every((o) => ratings[o.key]);
    return [
      h("p", { class: "vtt-hint" }, gettext("Đánh giá từng người, rồi bấm “Gửi phiếu”.")),
      h("div", { class: "vtt-ratings" }, poll.options.map((o) => h("div", { class: "vtt-rating", role: "radiogroup", "aria-label": o.label, dataset: { option: o.key } },
        h("div", { class: "vtt-rating-name" }, o.label),
        h("div", { class: "vtt-levels" }, Object.keys(LEVEL).map((level) => h("button", {
          type: "button", class: `btn vtt-level level-${level}${ratings[o.key] === level ? " is-on" : ""}`, role: "radio",
          "aria-checked": ratings[o.key] === level ? "true" : "false", dataset: { level }, disabled: !open || casting,
          onclick: () => {
            picks.set(round.id, { ...(picks.get(round.id) || {}), [o.key]: level });
            render(hub.state);
          } }, LEVEL[level])))))),
      h("button", { type: "button", class: "btn primary vtt-confirm", disabled: !open || casting || !all,
        onclick: (ev) => cast(poll, round, { ratings: { ...ratings } }, ev.currentTarget) }, gettext("Gửi phiếu")),
    ];
  }

  // ---- the published result ---------------------------------------------------------------

  function pct(v) {
    return `${Number(v).toLocaleString(document.documentElement.lang || "vi", { maximumFractionDigits: 2 })}%`;
  }

  function resultView(poll, res) {
    if (!res) return null;
    let outcome;
    if (poll.kind === "election") {
      const names = (res.elected || []).map((k) => optionLabel(poll, k));
      outcome = names.length ? interpolate(gettext("Trúng cử: %(names)s"), { names: names.join(", ") }, true) : gettext("Không ai trúng cử");
    } else if (poll.kind !== "rating") outcome = res.passed ? gettext("Thông qua") : gettext("Không thông qua");
    const lines = poll.kind === "rating"
      ? Object.keys(res.counts).map((k) => h("li", {}, h("strong", {}, optionLabel(poll, k)), " — ",
        Object.keys(LEVEL).map((l) => `${LEVEL[l]} ${res.counts[k][l]} (${pct(res.percent[k][l])})`).join(", ")))
      : Object.keys(res.counts).map((k) => h("li", { dataset: { option: k } }, h("span", {}, optionLabel(poll, k)),
        h("strong", {}, `${res.counts[k]} (${pct(res.percent[k])})`)));
    return [
      outcome ? h("div", { class: `vtt-outcome ${res.passed ? "passed" : "failed"}`, dataset: { role: "outcome" } }, outcome) : null,
      h("ul", { class: "vtt-counts" }, lines),
      res.needed !== null && poll.kind !== "rating" ? h("p", { class: "muted" }, interpolate(gettext("Cần tối thiểu %(needed)s trên %(count)s"),
        { needed: res.needed, count: res.base_count }, true)) : null,
    ];
  }

  // ---- drawing ------------------------------------------------------------------------------

  function presentCount(state, poll) {
    return (state.attendance || []).filter((r) => r.counts && r.status === "present" && !poll.excluded.includes(r.member_id)).length;
  }

  function render(state) {
    if (!state || !state.voting || !hub) return;
    const cur = latest(state);
    current = cur;
    if (!cur) {
      root.hidden = true;
      ui.backdrop.hidden = true;
      ui.pill.hidden = true;
      mode = null;
      return;
    }
    const { poll, round } = cur;
    const you = hub.you || {};
    const voter = !!you.vote; // a delegate (guests and officials follow, they do not vote)
    const me = (state.attendance || []).find((r) => r.member_id === you.member_id);
    const excluded = poll.excluded.includes(you.member_id);
    const mine = myBallot(round);
    const live = round.status === "open" || round.status === "held";
    const open = round.status === "open";
    if (live) {
      if (!voter || excluded) mode = "watch";
      else if (mine && changing !== round.id) mode = "done";
      else mode = "ballot";
    } else mode = round.status;
    if (!live) {
      changing = null;
      receipts.forEach((_, id) => { if (id !== round.id) receipts.delete(id); });
    }

    root.hidden = false;
    root.dataset.mode = mode;
    root.dataset.roundId = String(round.id);
    const isFolded = folded.has(`${round.id}:${mode}`);
    root.classList.toggle("is-sheet", !isFolded);
    root.classList.toggle("is-folded", isFolded);
    ui.backdrop.hidden = isFolded; // the page behind is dimmed
    ui.pill.hidden = !isFolded || !live; // a result put away stays away
    ui.fold.hidden = false;
    ui.fold.textContent = live ? gettext("Thu nhỏ") : gettext("Đóng");

    ui.title.textContent = poll.title;
    ui.meta.textContent = [KIND[poll.kind], poll.secret ? gettext("bỏ phiếu kín") : gettext("biểu quyết công khai"),
      round.number > 1 ? interpolate(gettext("lần %(n)s"), { n: round.number }, true) : null].filter(Boolean).join(" · ");

    let status;
    if (round.status === "held") status = gettext("Chủ tọa tạm dừng biểu quyết");
    else if (mode === "ballot") status = mine ? gettext("Sửa biểu quyết của bạn") : gettext("Mời đại biểu biểu quyết");
    else if (mode === "done") status = gettext("Đang biểu quyết");
    else if (mode === "watch") status = excluded ? gettext("Bạn không tham gia cuộc biểu quyết này") : gettext("Đang biểu quyết");
    else if (round.status === "closed") status = gettext("Đã kết thúc biểu quyết, chờ công bố kết quả");
    else if (round.status === "published") status = gettext("Kết quả biểu quyết");
    else if (round.status === "voided") status = interpolate(gettext("Lần biểu quyết đã bị hủy: %(reason)s"), { reason: round.voided_reason }, true);
    ui.status.textContent = status;
    ui.status.dataset.mode = mode;
    ui.pill.textContent = `${status} — ${gettext("Xem")}`;

    // The ballot, or why there is none.
    const rows = [];
    if (mode === "ballot") {
      if (voter && me && me.status !== "present") rows.push(h("p", { class: "vtt-note" }, gettext("Bạn cần điểm danh có mặt để biểu quyết.")));
      if (SINGLE.includes(poll.kind)) rows.push(singleBallot(poll, round, open));
      else if (poll.kind === "election") rows.push(...electionBallot(poll, round, open));
      else rows.push(...ratingBallot(poll, round, open));
    }
    Faces.keepFocus(() => fill(ui.ballot, rows));
    ui.ballot.hidden = mode !== "ballot";

    // Voted: what this delegate alone knows of it.
    ui.done.hidden = mode !== "done";
    if (mode === "done") {
      const receipt = receipts.get(round.id);
      const text = mine.choice ? choiceText(poll, mine.choice) : receipt ? choiceText(poll, receipt) : "";
      fill(ui.done,
        h("div", { class: "vtt-done-head", dataset: { role: "voted" } }, "✓ ", gettext("Bạn đã biểu quyết")),
        text ? h("div", { class: "vtt-done-choice", dataset: { role: "choice" } },
          poll.secret ? interpolate(gettext("Phiếu kín của bạn: %(choice)s (chỉ hiện trên máy này, không lưu ở đâu)"), { choice: text }, true)
            : interpolate(gettext("Bạn đã chọn: %(choice)s"), { choice: text }, true)) : null,
        poll.secret && !text ? h("div", { class: "muted" }, gettext("Phiếu kín: không ai biết bạn đã chọn gì.")) : null,
        open && poll.allow_change && !poll.secret ? h("button", { type: "button", class: "btn vtt-change",
          onclick: () => { changing = round.id; render(hub.state); } }, gettext("Sửa biểu quyết")) : null);
    }

    ui.count.textContent = live || round.status === "closed"
      ? interpolate(gettext("Đã biểu quyết: %(voted)s/%(present)s đại biểu có mặt"), { voted: round.voted, present: presentCount(state, poll) }, true)
      : "";
    fill(ui.result, round.status === "published" || (round.status === "voided" && round.result) ? resultView(poll, round.result) : null);
    tick();
  }

  ui.fold.addEventListener("click", () => {
    if (!current) return;
    folded.add(`${current.round.id}:${mode}`);
    render(hub.state);
  });
  ui.pill.addEventListener("click", () => {
    if (!current) return;
    folded.delete(`${current.round.id}:${mode}`);
    render(hub.state);
  });

  Hub.registerPanel((state, type, data, hb) => {
    hub = hb;
    if (!send) send = Faces.sender(hb);
    for (const c of Hub.changes(type, data)) {
      if (c.type !== "vote.receipt" || !c.data) continue;
      // A secret ballot's receipt: for this delegate's eyes, on this screen, while the round is live.
      receipts.set(c.data.round_id, c.data.choice);
      const cur = state && latest(state);
      if (cur && cur.round.id === c.data.round_id) {
        Faces.toast(interpolate(gettext("Phiếu kín của bạn đã được ghi nhận: %(choice)s"), { choice: choiceText(cur.poll, c.data.choice) }, true), "ok");
      }
    }
    render(state);  // once per frame
  });
})();
