/* Hall slide "vote_result": the last published result, read from 20 m: the subject, the outcome in
 * large letters (Thông qua / Không thông qua; who is elected), a bar per option with its count and
 * its percentage of the base (the mark on each bar: the count needed), and the numbers behind it
 * (total, present, ballots, needed, the rule). A rating: for each official the three levels with
 * their counts and percentages of the total number of delegates, and the law's flags.
 * Uses window.VoteSlides (vote.js).
 */
(function () {
  "use strict";
  const { h, gettext, interpolate } = Hall;
  const KEY = "vote_result";

  function bars(V, poll, res) {
    const keys = Object.keys(res.counts);
    const need = res.needed && res.base_count ? Math.min(100, (100 * res.needed) / res.base_count) : null;
    return h("ul", { class: ["vr-bars", keys.length > 5 ? "is-many" : null] }, keys.map((key) => {
      const elected = poll.kind === "election" && (res.elected || []).includes(key);
      return h("li", { class: ["vr-row", `opt-${key}`, elected ? "is-elected" : null], dataset: { option: key } },
        h("span", { class: "vr-label", text: V.optionLabel(poll, key) }),
        h("span", { class: "vr-track" },
          h("span", { class: "vr-fill", style: { width: `${Math.min(100, res.percent[key])}%` } }),
          need !== null ? h("span", { class: "vr-need", style: { left: `${need}%` } }) : null),
        h("span", { class: "vr-num", dataset: { role: "count" }, text: String(res.counts[key]) }),
        h("span", { class: "vr-pct", text: V.pct(res.percent[key]) }));
    }));
  }

  function ratings(V, poll, res) {
    const flag = { low_majority: () => gettext("Quá nửa tín nhiệm thấp"), confidence_vote: () => gettext("Từ 2/3 tín nhiệm thấp") };
    return h("table", { class: "vr-table" },
      h("thead", {}, h("tr", {}, h("th", { text: "" }), Object.keys(V.LEVEL).map((l) => h("th", { text: V.LEVEL[l]() })))),
      h("tbody", {}, Object.keys(res.counts).map((key) => h("tr", { dataset: { option: key } },
        h("th", { class: "vr-official" }, h("span", { text: V.optionLabel(poll, key) }),
          res.flags[key] ? h("span", { class: "vr-flag", text: flag[res.flags[key]]() }) : null),
        Object.keys(V.LEVEL).map((l) => h("td", { class: `level-${l}` },
          h("span", { class: "vr-cell-num", text: String(res.counts[key][l]) }),
          h("span", { class: "vr-cell-pct", text: V.pct(res.percent[key][l]) })))))));
  }

  function render(root, state, hub) {
    const V = window.VoteSlides;
    V.redrawOnLoad(V.sheet(), KEY, root, hub, render);
    const shown = V.newest(state, (p, r) => !!r.result && !!r.published_at);
    let body;
    if (!shown) {
      body = h("div", { class: "vs-body is-empty" },
        h("div", { class: "vs-none", dataset: { role: "no-result" }, text: gettext("Chưa công bố kết quả biểu quyết") }));
    } else {
      const { poll, round } = shown;
      const res = round.result;
      const outcome = V.outcomeText(poll, res);
      body = h("div", { class: "vr-body", dataset: { roundId: String(round.id) } },
        h("div", { class: "vr-head" },
          h("div", { class: "vr-title", dataset: { role: "vote-title" }, text: poll.title }),
          outcome ? h("div", { class: ["vr-outcome", res.passed ? "passed" : "failed"], dataset: { role: "outcome" }, text: outcome }) : null),
        round.status === "voided" ? h("div", { class: "vr-voided", text: interpolate(gettext("Kết quả đã bị hủy: %(reason)s"), { reason: round.voided_reason }, true) }) : null,
        poll.kind === "rating" ? ratings(V, poll, res) : bars(V, poll, res),
        h("div", { class: "vr-facts" },
          h("span", {}, gettext("Tổng số đại biểu"), " ", h("strong", { text: String(round.total) })),
          h("span", {}, gettext("Có mặt"), " ", h("strong", { text: String(round.present) })),
          h("span", {}, gettext("Số phiếu"), " ", h("strong", { dataset: { role: "cast" }, text: String(res.cast) })),
          poll.kind !== "rating" && res.needed !== null ? h("span", {}, gettext("Cần tối thiểu"), " ", h("strong", { text: String(res.needed) }),
            ` (${V.ruleText(poll)})`) : null));
    }
    Hall.append(root, Hall.header(state, Hall.config()), body);
    const title = root.querySelector(".vr-title");
    if (title) Hall.fit(title, 5, 3.2, 0.2);
  }

  // Following the sitting ("auto", displays/static/displays/display.js): a result just published
  // holds the screen for five minutes, unless a vote is open again.
  const FRESH_MS = 5 * 60 * 1000;
  function claim(state, hub) {
    const V = window.VoteSlides;
    const shown = V.newest(state, (p, r) => !!r.result && !!r.published_at);
    return shown && shown.round.status === "published" && hub.now() - Date.parse(shown.round.published_at) < FRESH_MS
      ? 80 : 0;
  }

  HallSlides.register(KEY, { render, claim });
})();
