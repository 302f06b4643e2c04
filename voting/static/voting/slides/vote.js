/* Hall slide "vote": the vote in progress, read from 20 m: its subject, kind and round, how many of
 * the delegates present have voted (live, from vote.count), and the countdown of a timed round (the
 * server's clock, hub.now(), ticked once a second by the page). Between votes: the last round's
 * state (closed, waiting for publication; published: its outcome), or that no vote has been held.
 *
 * Also defines window.VoteSlides, the labels and readings the three voting slides share
 * (vote_result.js and vote_seats.js use it when they draw, after every script has loaded).
 */
(function () {
  "use strict";
  const { h, gettext, interpolate } = Hall;
  const KEY = "vote";

  // The voting slides share one stylesheet beside them (displays/ is not edited for a module).
  const SHEET = new URL("slides.css", document.currentScript.src).href;
  function sheet() {
    let link = Array.from(document.querySelectorAll("link[rel=stylesheet]")).find((l) => l.href === SHEET);
    if (!link) {
      link = h("link", { rel: "stylesheet", href: SHEET });
      document.head.append(link);
    }
    return link;
  }

  const SINGLE = ["motion", "confidence", "indicative", "dismissal"];
  const KIND = {
    motion: () => gettext("Biểu quyết thông qua"),
    indicative: () => gettext("Thăm dò ý kiến"),
    election: () => gettext("Bầu cử"),
    dismissal: () => gettext("Miễn nhiệm, bãi nhiệm"),
    confidence: () => gettext("Bỏ phiếu tín nhiệm"),
    rating: () => gettext("Lấy phiếu tín nhiệm"),
  };
  const OPTION = {
    yes: () => gettext("Tán thành"),
    no: () => gettext("Không tán thành"),
    abstain: () => gettext("Không biểu quyết"),
    trust: () => gettext("Tín nhiệm"),
    no_trust: () => gettext("Không tín nhiệm"),
  };
  const DISMISSAL = { yes: () => gettext("Đồng ý"), no: () => gettext("Không đồng ý") };
  const LEVEL = { high: () => gettext("Tín nhiệm cao"), confidence: () => gettext("Tín nhiệm"), low: () => gettext("Tín nhiệm thấp") };
  const BASE = {
    total: () => gettext("tổng số đại biểu"),
    present: () => gettext("số đại biểu có mặt"),
    cast: () => gettext("số phiếu hợp lệ"),
  };

  function polls(state) {
    return state.voting ? state.voting.polls : [];
  }

  /* The newest round of the sitting with its poll (or null), optionally only those `accept` takes. */
  function newest(state, accept) {
    let best = null;
    for (const poll of polls(state)) {
      for (const r of poll.rounds) {
        if (accept && !accept(poll, r)) continue;
        if (!best || r.id > best.round.id) best = { poll, round: r };
      }
    }
    return best;
  }

  function optionLabel(poll, key) {
    if (poll.kind === "dismissal" && DISMISSAL[key]) return DISMISSAL[key]();
    if (SINGLE.includes(poll.kind) && OPTION[key]) return OPTION[key]();
    const o = poll.options.find((x) => x.key === key);
    return o ? o.label : key;
  }

  function ruleText(poll) {
    const r = poll.rule;
    const base = (BASE[r.base] || (() => r.base))();
    if (r.num * 2 === r.den && !r.inclusive) return interpolate(gettext("quá nửa %(base)s"), { base }, true);
    const fmt = r.inclusive ? gettext("từ %(num)s/%(den)s %(base)s trở lên") : gettext("quá %(num)s/%(den)s %(base)s");
    return interpolate(fmt, { num: r.num, den: r.den, base }, true);
  }

  function pct(v) {
    return `${Number(v).toLocaleString(document.documentElement.lang || "vi", { maximumFractionDigits: 2 })}%`;
  }

  /* Delegates present who may vote in this poll. */
  function presentCount(state, poll) {
    return (state.attendance || []).filter((r) => r.counts && r.status === "present" && !poll.excluded.includes(r.member_id)).length;
  }

  function outcomeText(poll, res) {
    if (!res || poll.kind === "rating") return null;
    if (poll.kind === "election") {
      const names = (res.elected || []).map((k) => optionLabel(poll, k));
      return names.length ? interpolate(gettext("Trúng cử: %(names)s"), { names: names.join(", ") }, true) : gettext("Không ai trúng cử");
    }
    return res.passed ? gettext("Thông qua") : gettext("Không thông qua");
  }

  function redrawOnLoad(link, key, root, hub, render) {
    if (!link.sheet) {
      link.addEventListener("load", () => {
        if (root.dataset.slide !== key || !hub.state) return;
        root.replaceChildren();
        render(root, hub.state, hub);
      }, { once: true });
    }
  }

  const link = sheet();

  function updateClock(root, state, hub) {
    const live = newest(state, (p, r) => r.status === "open" || r.status === "held");
    for (const el of root.querySelectorAll("[data-vote-clock]")) {
      if (!live || String(live.round.id) !== el.dataset.voteClock || !live.round.closes_at) continue;
      const held = live.round.status === "held";
      const rem = (Date.parse(live.round.closes_at) - hub.now()) / 1000;
      el.dataset.level = held ? "held" : rem > 10 ? "ok" : rem > 0 ? "near" : "over";
      el.querySelector("[data-role=countdown]").textContent = held ? "—" : HubTime.formatDuration(Math.max(0, Math.ceil(rem)));
      el.querySelector("[data-part=label]").textContent = held ? gettext("Tạm dừng")
        : rem > 0 ? gettext("Thời gian còn lại") : gettext("Hết thời gian");
    }
  }

  function render(root, state, hub) {
    redrawOnLoad(link, KEY, root, hub, render);
    const live = newest(state, (p, r) => r.status === "open" || r.status === "held");
    const last = live || newest(state, (p, r) => r.status !== "voided");
    let body;
    if (!last) {
      body = h("div", { class: "vs-body is-empty" },
        h("div", { class: "vs-none", dataset: { role: "no-vote" }, text: gettext("Chưa có biểu quyết") }),
        Hall.clock({ class: "vs-idle-clock", seconds: false, date: false }));
    } else {
      const { poll, round } = last;
      const present = presentCount(state, poll);
      const held = round.status === "held";
      const status = live ? (held ? gettext("Tạm dừng biểu quyết") : gettext("Đang biểu quyết"))
        : round.status === "closed" ? gettext("Đã kết thúc biểu quyết — chờ công bố kết quả")
          : gettext("Đã công bố kết quả");
      const outcome = round.status === "published" ? outcomeText(poll, round.result) : null;
      body = h("div", { class: ["vs-body", `is-${round.status}`], dataset: { roundId: String(round.id), status: round.status } },
        h("div", { class: "vs-top" },
          h("span", { class: "vs-kind", text: (KIND[poll.kind] || (() => poll.kind))() }),
          poll.secret ? h("span", { class: "vs-tag", text: gettext("Bỏ phiếu kín") }) : null,
          round.number > 1 ? h("span", { class: "vs-tag", text: interpolate(gettext("Lần %(n)s"), { n: round.number }, true) }) : null,
          h("span", { class: ["vs-status", `is-${round.status}`], dataset: { role: "vote-status" }, text: status })),
        h("div", { class: "vs-title", dataset: { role: "vote-title" }, text: poll.title }),
        h("div", { class: "vs-live" },
          h("div", { class: "vs-count" },
            h("div", { class: "vs-count-num" },
              h("span", { class: "vs-voted", dataset: { role: "voted" }, text: String(round.voted) }),
              h("span", { class: "vs-of", text: `/${present}` })),
            h("div", { class: "vs-count-label", text: gettext("đại biểu có mặt đã biểu quyết") }),
            h("div", { class: "vs-progress", "aria-hidden": "true" },
              h("span", { class: "vs-progress-fill", style: { width: `${present ? Math.min(100, (100 * round.voted) / present) : 0}%` } }))),
          live && round.closes_at ? h("div", { class: "vs-clock", dataset: { voteClock: String(round.id) } },
            h("div", { class: "vs-clock-label", dataset: { part: "label" }, text: gettext("Thời gian còn lại") }),
            h("div", { class: "vs-countdown", dataset: { role: "countdown" } })) : null,
          outcome ? h("div", { class: ["vs-outcome", round.result.passed ? "passed" : "failed"], dataset: { role: "outcome" }, text: outcome }) : null),
        h("div", { class: "vs-rule", text: interpolate(gettext("Điều kiện thông qua: %(rule)s"), { rule: ruleText(poll) }, true) }));
    }
    Hall.append(root, Hall.header(state, Hall.config()), body);
    const title = root.querySelector(".vs-title");
    if (title) Hall.fit(title, 6, 3.4, 0.2);
    updateClock(root, state, hub);
  }

  // Following the sitting ("auto", displays/static/displays/display.js): a vote open or held takes
  // the screen before anything else.
  function claim(state) {
    return newest(state, (p, r) => r.status === "open" || r.status === "held") ? 90 : 0;
  }

  HallSlides.register(KEY, { render, tick: updateClock, claim });
  window.VoteSlides = window.VoteSlides || {
    SINGLE, KIND, OPTION, LEVEL, BASE, newest, optionLabel, ruleText, pct, presentCount, outcomeText, redrawOnLoad, sheet,
  };
})();
