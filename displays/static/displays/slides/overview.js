/* Hall slide "overview": the state of the sitting at a glance, from 20 m.
 * The current agenda item very large with its time, the quorum gauge, the
 * announcement, a big clock. Before the opening and after the closing it says so.
 */
(function () {
  "use strict";
  const { h, gettext, interpolate } = Hall;

  function nextItem(state) {
    return state.agenda.items.find((i) => i.status === "pending") || null;
  }

  function itemBlock(state, item, label) {
    const parent = Hall.parentOf(state, item);
    const kind = Hall.kindLabel(item.kind);
    return h("section", { class: "ov-item", dataset: { itemId: String(item.id) } },
      h("div", { class: "ov-label" },
        h("span", { text: label }),
        kind ? h("span", { class: "ov-kind", text: kind }) : null),
      parent ? h("div", { class: "ov-parent", text: `${parent.number}. ${parent.title}` }) : null,
      h("div", { class: "ov-heading" },
        h("div", { class: "ov-number", text: item.number }),
        h("div", { class: "ov-title", dataset: { role: "current-title" }, text: item.title })),
      item.presenter ? h("div", { class: "ov-presenter" },
        h("span", { class: "ov-presenter-label", text: gettext("Trình bày:") }), " ", item.presenter) : null,
      item.status === "current" ? Hall.itemTimer(item) : null);
  }

  function idleBlock(state) {
    const s = state.sitting;
    const st = Hall.statusInfo(s);
    let lead;
    let detail;
    if (s.status === "closed") {
      lead = gettext("Phiên họp đã bế mạc");
      detail = s.closed_at ? interpolate(gettext("Bế mạc lúc %(t)s"), { t: Hall.dateTimeText(s.closed_at) }, true) : "";
    } else if (s.status === "scheduled") {
      lead = gettext("Phiên họp chưa khai mạc");
      detail = [Hall.dateTimeText(s.starts_at), s.place].filter(Boolean).join(" · ");
    } else {
      lead = gettext("Đang họp");
      detail = "";
    }
    const upcoming = s.status !== "closed" ? nextItem(state) : null;
    return h("section", { class: ["ov-idle", `is-${st.key}`] },
      h("div", { class: "ov-idle-lead", text: lead }),
      h("div", { class: "ov-idle-title", dataset: { role: "sitting-title" }, text: s.title }),
      detail ? h("div", { class: "ov-idle-detail", text: detail }) : null,
      upcoming ? h("div", { class: "ov-idle-next" },
        h("span", { class: "ov-label", text: gettext("Nội dung tiếp theo") }),
        h("div", { class: "ov-idle-next-title", text: `${upcoming.number}. ${upcoming.title}` })) : null);
  }

  function render(root, state) {
    const config = Hall.config();
    const item = Hall.currentItem(state);
    const live = state.sitting.status === "live";
    const main = live && item ? itemBlock(state, item, gettext("Nội dung đang thực hiện")) : idleBlock(state);
    Hall.append(root,
      Hall.header(state, config),
      h("div", { class: "ov-body" },
        h("div", { class: "ov-main" }, main),
        h("aside", { class: "ov-side" },
          Hall.clock({ class: "ov-clock", seconds: true, date: true }),
          Hall.quorumGauge(state.quorum, { class: "ov-gauge" }))),
      state.announcement ? h("div", { class: "hall-announce-banner", dataset: { role: "announcement" } },
        h("span", { class: "hall-announce-label", text: gettext("Thông báo") }),
        h("span", { class: "hall-announce-text", text: state.announcement.text })) : null);
    const title = root.querySelector(".ov-title");
    if (title) Hall.fit(title, 5.4, 2.7);
    const idleTitle = root.querySelector(".ov-idle-title");
    if (idleTitle) Hall.fit(idleTitle, 5, 2.7);
    const banner = root.querySelector(".hall-announce-text");
    if (banner) Hall.fit(banner, 3, 2.7, 0.1);
  }

  HallSlides.register("overview", { render });
})();
