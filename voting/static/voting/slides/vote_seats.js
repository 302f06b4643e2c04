/* Hall slide "vote_seats": the seat map of the last published open (named) vote, each seat coloured
 * by its delegate's choice (result.by_option, each option's voters, published with the result), with a legend and counts.
 * A secret vote never has one. Seats as on the attendance slide: the podium at the top, every text
 * at least --read (48 px at 1080p). Uses window.VoteSlides (vote.js).
 */
(function () {
  "use strict";
  const { h, s, gettext } = Hall;
  const KEY = "vote_seats";
  const GAP = 0.12;
  const AISLE = 0.6;

  function remPx() {
    return parseFloat(getComputedStyle(document.documentElement).fontSize) || 18;
  }

  function seatMap(rows, box, classOf) {
    const seated = rows.filter((r) => r.counts && r.seat_row !== null && r.seat_number !== null);
    if (!seated.length) return h("div", { class: "vs-none", text: gettext("Chưa có sơ đồ chỗ ngồi.") });
    const rem = remPx();
    const font = 2.7 * rem;
    const width = Math.max(box.clientWidth, 1);
    const height = Math.max(box.clientHeight, 1);
    const maxNumber = Math.max(...seated.map((r) => r.seat_number));
    const maxRow = Math.max(...seated.map((r) => r.seat_row));
    const half = maxNumber >= 8 ? Math.ceil(maxNumber / 2) : Infinity;
    const pitchX = width / (maxNumber + (half < Infinity ? AISLE : 0) - GAP);
    const pitchY = height / (maxRow - GAP);
    const seatW = pitchX * (1 - GAP);
    const seatH = Math.max(pitchY * (1 - GAP), 1.3 * font);
    const x = (n) => (n - 1) * pitchX + (n > half ? AISLE * pitchX : 0);
    const y = (r) => (r - 1) * pitchY;
    const svg = s("svg", { class: "vx-map", viewBox: `0 0 ${width} ${Math.max(height, y(maxRow) + seatH)}`, role: "img",
      "aria-label": gettext("Sơ đồ biểu quyết theo chỗ ngồi") });
    for (const r of seated) {
      const cls = classOf(r);
      svg.append(s("g", { class: ["vx-seat", cls], dataset: { seat: r.seat, choice: cls } },
        s("title", {}, `${r.seat} · ${r.name}`),
        s("rect", { x: x(r.seat_number), y: y(r.seat_row), width: seatW, height: seatH, rx: Math.min(12, seatW / 8) }),
        s("text", { x: x(r.seat_number) + seatW / 2, y: y(r.seat_row) + seatH / 2, "dominant-baseline": "central",
          "text-anchor": "middle", "font-size": font }, Hall.givenName(r.name))));
    }
    return svg;
  }

  function squeeze(svg) {
    for (const text of svg.querySelectorAll(".vx-seat text")) {
      const rect = text.parentNode.querySelector("rect");
      const room = rect.width.baseVal.value * 0.92;
      if (text.getComputedTextLength() > room) {
        text.setAttribute("textLength", String(room));
        text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    }
  }

  function render(root, state, hub) {
    const V = window.VoteSlides;
    V.redrawOnLoad(V.sheet(), KEY, root, hub, render);
    const shown = V.newest(state, (p, r) => !p.secret && !!r.result && !!r.published_at && !!r.result.by_option);
    if (!shown) {
      Hall.append(root, Hall.header(state, Hall.config()), h("div", { class: "vs-body is-empty" },
        h("div", { class: "vs-none", dataset: { role: "no-result" }, text: gettext("Chưa có kết quả biểu quyết công khai để hiển thị") })));
      return;
    }
    const { poll, round } = shown;
    const res = round.result;
    const choice = new Map(Object.entries(res.by_option).flatMap(([option, ids]) => ids.map((id) => [id, option])));
    const classOf = (r) => (choice.has(r.member_id) ? `opt-${choice.get(r.member_id)}` : r.status === "present" ? "is-none" : "is-away");
    const seated = (state.attendance || []).filter((r) => r.counts);
    const counts = {};
    for (const r of seated) counts[classOf(r)] = (counts[classOf(r)] || 0) + 1;
    const legend = [...Object.keys(res.counts).map((k) => [`opt-${k}`, V.optionLabel(poll, k)]), ["is-none", gettext("Có mặt, không tham gia biểu quyết")], ["is-away", gettext("Vắng mặt")]];
    const wrap = h("div", { class: "vx-map-wrap" });
    Hall.append(root, Hall.header(state, Hall.config()),
      h("div", { class: "vx-body", dataset: { roundId: String(round.id) } },
        h("div", { class: "vx-head" },
          h("div", { class: "vx-title", dataset: { role: "vote-title" }, text: poll.title }),
          V.outcomeText(poll, res) ? h("div", { class: ["vr-outcome", res.passed ? "passed" : "failed"], text: V.outcomeText(poll, res) }) : null),
        wrap,
        h("ul", { class: "vx-legend" }, legend.map(([cls, label]) => h("li", { class: ["vx-legend-item", cls], dataset: { choice: cls } },
          h("span", { class: "vx-swatch", "aria-hidden": "true" }),
          h("span", { text: label }),
          h("strong", { text: String(counts[cls] || 0) }))))));
    const title = root.querySelector(".vx-title");
    if (title) Hall.fit(title, 4, 2.7, 0.2);
    const map = seatMap(state.attendance || [], wrap, classOf);
    wrap.append(map);
    if (map.tagName.toLowerCase() === "svg") squeeze(map);
  }

  HallSlides.register(KEY, { render });
})();
