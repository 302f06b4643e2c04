/* Hall slide "attendance": the seat map coloured by attendance, filling the screen's width and height,
 * and below it the quorum on one line and a legend with counts. Seats come from the state (row, number);
 * the podium is drawn at the top, row 1 nearest to it. Every text at least 48 px at 1080p.
 */
(function () {
  "use strict";
  const { h, s, gettext, interpolate } = Hall;

  const GAP = 0.12; // between seats, a share of a seat's pitch
  const AISLE = 0.6; // between the two halves of a long row, in seats' pitches

  const STATUSES = [
    ["present", () => gettext("Có mặt")],
    ["absent", () => gettext("Vắng")],
    ["excused", () => gettext("Vắng có lý do")],
    ["none", () => gettext("Chưa điểm danh")],
  ];

  function statusKey(row) {
    return row.status || "none";
  }

  function remPx() {
    return parseFloat(getComputedStyle(document.documentElement).fontSize) || 18;
  }

  /* The seat map drawn to fill its box, width and height (the screen's height: rows grow as tall as
   * they can), in the box's own pixels, so that the seat and the given name are at least --read
   * (2.7rem, 48 px at 1080p) however many seats there are; a name wider than its seat is squeezed
   * sideways, never made smaller. */
  function seatMap(rows, box) {
    const seated = rows.filter((r) => r.seat_row !== null && r.seat_number !== null);
    if (!seated.length) {
      return h("div", { class: "at-map-empty", text: gettext("Chưa có sơ đồ chỗ ngồi.") });
    }
    const rem = remPx();
    const font = 2.7 * rem;
    const width = Math.max(box.clientWidth, 1);
    const height = Math.max(box.clientHeight, 1);
    const maxNumber = Math.max(...seated.map((r) => r.seat_number));
    const maxRow = Math.max(...seated.map((r) => r.seat_row));
    const half = maxNumber >= 8 ? Math.ceil(maxNumber / 2) : Infinity;
    const podiumH = 3.4 * rem;
    const pitchX = width / (maxNumber + (half < Infinity ? AISLE : 0) - GAP);
    const pitchY = (height - podiumH - GAP * rem * 4) / (maxRow - GAP);
    const seatW = pitchX * (1 - GAP);
    const seatH = Math.max(pitchY * (1 - GAP), 2 * font);
    const x = (n) => (n - 1) * pitchX + (n > half ? AISLE * pitchX : 0);
    const y = (r) => podiumH + GAP * rem * 4 + (r - 1) * pitchY;
    const podiumW = Math.min(width, 6 * pitchX);
    const svg = s("svg", { class: "at-map", viewBox: `0 0 ${width} ${Math.max(height, y(maxRow) + seatH)}`, role: "img",
      "aria-label": gettext("Sơ đồ chỗ ngồi") },
    s("rect", { class: "at-podium", x: (width - podiumW) / 2, y: 0, width: podiumW, height: podiumH, rx: 10 }),
    s("text", { class: "at-podium-text", x: width / 2, y: podiumH / 2, "dominant-baseline": "central", "text-anchor": "middle",
      "font-size": font }, gettext("Chủ tọa")));
    const twoLines = seatH >= 2.1 * font;
    for (const r of seated) {
      const gx = x(r.seat_number);
      const gy = y(r.seat_row);
      const mid = gx + seatW / 2;
      svg.append(s("g", {
        class: ["at-seat", `is-${statusKey(r)}`, r.counts ? null : "is-guest"],
        dataset: { seat: r.seat, status: statusKey(r) },
      },
      s("title", {}, `${r.seat} · ${r.name}`),
      s("rect", { x: gx, y: gy, width: seatW, height: seatH, rx: Math.min(12, seatW / 8) }),
      twoLines ? s("text", { class: "at-seat-label", x: mid, y: gy + seatH / 2 - font * 0.55, "dominant-baseline": "central",
        "text-anchor": "middle", "font-size": font }, r.seat) : null,
      s("text", { class: "at-seat-name", x: mid, y: twoLines ? gy + seatH / 2 + font * 0.5 : gy + seatH / 2,
        "dominant-baseline": "central", "text-anchor": "middle", "font-size": font }, Hall.givenName(r.name))));
    }
    return svg;
  }

  /* Names wider than their seat: squeezed to fit (textLength), at the same height. */
  function squeeze(svg) {
    for (const text of svg.querySelectorAll(".at-seat text")) {
      const rect = text.parentNode.querySelector("rect");
      const room = rect.width.baseVal.value * 0.92;
      if (text.getComputedTextLength() > room) {
        text.setAttribute("textLength", String(room));
        text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    }
  }

  function legend(rows) {
    const delegates = rows.filter((r) => r.counts);
    const count = (key) => delegates.filter((r) => statusKey(r) === key).length;
    return h("ul", { class: "at-legend" }, STATUSES.map(([key, label]) =>
      h("li", { class: ["at-legend-item", `is-${key}`], dataset: { status: key } },
        h("span", { class: "at-swatch", "aria-hidden": "true" }),
        h("span", { class: "at-legend-label", text: label() }),
        h("span", { class: "at-legend-count", text: String(count(key)) }))));
  }

  /* The quorum on one line, as large as the rest: how many are present, whether it is met, how many it needs. */
  function quorumLine(q) {
    const met = q.met ? "met" : "unmet";
    return h("div", { class: ["at-quorum", `is-${met}`], dataset: { quorum: met, role: "quorum" } },
      h("span", { class: "at-quorum-count" }, h("strong", { text: String(q.present) }), `/${q.total}`),
      h("span", { class: "at-quorum-label", text: gettext("đại biểu có mặt") }),
      h("span", { class: "at-quorum-verdict", text: q.met ? gettext("Đủ túc số") : gettext("Chưa đủ túc số") }),
      h("span", { class: "at-quorum-need",
        text: interpolate(gettext("Cần tối thiểu %(required)s (%(rule)s tổng số)"), q, true) }));
  }

  /* While the chair checks attendance again before a vote (state.roll_call open): how many confirmed. */
  function rollCallLine(rc) {
    if (!rc || rc.ended_at) return null;
    return h("div", { class: "at-rollcall", dataset: { role: "roll-call" },
      text: interpolate(gettext("Đang điểm danh lại: %(confirmed)s/%(expected)s đã xác nhận"), rc, true) });
  }

  function render(root, state) {
    const rows = state.attendance || [];
    const unseated = rows.filter((r) => r.seat_row === null && r.status === "present").length;
    const wrap = h("div", { class: "at-map-wrap" });
    Hall.append(root,
      Hall.header(state, Hall.config()),
      h("div", { class: "at-body" },
        wrap,
        h("div", { class: "at-strip" },
          rollCallLine(state.roll_call),
          quorumLine(state.quorum),
          h("div", { class: "at-strip-row" },
            legend(rows),
            unseated ? h("div", { class: "at-unseated",
              text: interpolate(gettext("Có mặt, không có ghế trên sơ đồ: %(n)s"), { n: unseated }, true) }) : null))));
    const map = seatMap(rows, wrap);
    wrap.append(map);
    if (map.tagName.toLowerCase() === "svg") squeeze(map);
  }

  /* A display following the sitting (slide "auto") shows who is confirming while the chair checks
   * attendance again before a vote: above a result just published (80), below a vote open (90). */
  function claim(state) {
    return state.roll_call && !state.roll_call.ended_at ? 85 : 0;
  }

  HallSlides.register("attendance", { render, claim });
})();
