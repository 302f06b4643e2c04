/* Hall slide "attendance": the seat map coloured by attendance, a legend with
 * counts, and the quorum gauge. Seats come from the state (row, number); the
 * podium is drawn at the top, row 1 nearest to it.
 */
(function () {
  "use strict";
  const { h, s, gettext, interpolate } = Hall;

  const W = 120;
  const H = 84;
  const GAP = 14;
  const AISLE = 40; // between the two halves of a long row
  const TOP = 90; // the podium

  const STATUSES = [
    ["present", () => gettext("Có mặt")],
    ["absent", () => gettext("Vắng")],
    ["excused", () => gettext("Vắng có lý do")],
    ["none", () => gettext("Chưa điểm danh")],
  ];

  function statusKey(row) {
    return row.status || "none";
  }

  function seatMap(rows) {
    const seated = rows.filter((r) => r.seat_row !== null && r.seat_number !== null);
    if (!seated.length) {
      return h("div", { class: "at-map-empty", text: gettext("Chưa có sơ đồ chỗ ngồi.") });
    }
    const maxNumber = Math.max(...seated.map((r) => r.seat_number));
    const maxRow = Math.max(...seated.map((r) => r.seat_row));
    const half = maxNumber >= 8 ? Math.ceil(maxNumber / 2) : Infinity;
    const x = (n) => (n - 1) * (W + GAP) + (n > half ? AISLE : 0);
    const y = (r) => TOP + (r - 1) * (H + GAP);
    const width = x(maxNumber) + W;
    const height = y(maxRow) + H;
    const podiumW = Math.min(width, 6 * W);
    const svg = s("svg", { class: "at-map", viewBox: `-4 -4 ${width + 8} ${height + 8}`, role: "img",
      "aria-label": gettext("Sơ đồ chỗ ngồi") },
    s("rect", { class: "at-podium", x: (width - podiumW) / 2, y: 0, width: podiumW, height: 56, rx: 10 }),
    s("text", { class: "at-podium-text", x: width / 2, y: 38, "text-anchor": "middle" }, gettext("Chủ tọa")));
    for (const r of seated) {
      const gx = x(r.seat_number);
      const gy = y(r.seat_row);
      svg.append(s("g", {
        class: ["at-seat", `is-${statusKey(r)}`, r.counts ? null : "is-guest"],
        dataset: { seat: r.seat, status: statusKey(r) },
      },
      s("title", {}, `${r.seat} · ${r.name}`),
      s("rect", { x: gx, y: gy, width: W, height: H, rx: 12 }),
      s("text", { class: "at-seat-label", x: gx + W / 2, y: gy + 34, "text-anchor": "middle" }, r.seat),
      s("text", { class: "at-seat-name", x: gx + W / 2, y: gy + 66, "text-anchor": "middle" }, Hall.givenName(r.name))));
    }
    return svg;
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

  function render(root, state) {
    const rows = state.attendance || [];
    const unseated = rows.filter((r) => r.seat_row === null && r.status === "present").length;
    Hall.append(root,
      Hall.header(state, Hall.config()),
      h("div", { class: "at-body" },
        h("div", { class: "at-map-wrap" }, seatMap(rows)),
        h("aside", { class: "at-side" },
          Hall.quorumGauge(state.quorum, { class: "at-gauge" }),
          legend(rows),
          unseated ? h("div", { class: "at-unseated",
            text: interpolate(gettext("Có mặt, không có ghế trên sơ đồ: %(n)s"), { n: unseated }, true) }) : null)));
  }

  HallSlides.register("attendance", { render });
})();
