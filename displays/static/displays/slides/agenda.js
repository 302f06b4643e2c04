/* Hall slide "agenda": the whole agenda, the current item highlighted,
 * finished items greyed and struck through, postponed items marked.
 * A long agenda drops the presenters and shrinks to fit; if it still does not, the list scrolls so the
 * current item stays in view.
 */
(function () {
  "use strict";
  const { h, gettext } = Hall;

  const STATUS = {
    current: () => gettext("Đang thực hiện"),
    done: () => gettext("Đã xong"),
    postponed: () => gettext("Hoãn"),
    pending: () => "",
  };

  function row(item) {
    const minutes = item.planned_minutes ? Hall.interpolate(gettext("%(n)s phút"), { n: item.planned_minutes }, true) : "";
    return h("li", {
      class: ["ag-row", `is-${item.status}`, item.depth ? "is-child" : null],
      style: { "--depth": String(item.depth) },
      dataset: { itemId: String(item.id), status: item.status },
    },
    h("span", { class: "ag-number", text: item.number }),
    h("span", { class: "ag-text" },
      h("span", { class: "ag-title", text: item.title }),
      item.presenter ? h("span", { class: "ag-presenter", text: item.presenter }) : null),
    h("span", { class: "ag-meta" },
      item.status === "current" ? Hall.itemTimer(item) : null,
      item.status !== "current" && minutes ? h("span", { class: "ag-minutes", text: minutes }) : null,
      STATUS[item.status] && STATUS[item.status]() && item.status !== "current"
        ? h("span", { class: ["ag-status", `is-${item.status}`], text: STATUS[item.status]() }) : null));
  }

  function render(root, state) {
    const items = state.agenda.items;
    const list = h("ol", { class: "ag-list" }, items.map(row));
    Hall.append(root,
      Hall.header(state, Hall.config()),
      h("div", { class: "ag-body" },
        h("h2", { class: "ag-heading", text: gettext("Chương trình phiên họp") }),
        items.length ? list : h("p", { class: "ag-empty", text: gettext("Chưa có nội dung nào trong chương trình.") })),
      state.announcement ? h("div", { class: "hall-announce-banner", dataset: { role: "announcement" } },
        h("span", { class: "hall-announce-label", text: gettext("Thông báo") }),
        h("span", { class: "hall-announce-text", text: state.announcement.text })) : null);
    if (!items.length) return;
    // Presenters go first when the agenda is long: the titles must stay readable.
    Hall.fit(list, 2.2, 1.7, 0.05);
    if (Hall.overflows(list)) {
      list.classList.add("is-compact");
      Hall.fit(list, 2.2, 1.3, 0.05);
    }
    const current = list.querySelector(".is-current");
    if (current && Hall.overflows(list)) {
      list.scrollTop = Math.max(0, current.offsetTop - list.clientHeight / 3);
    }
    const banner = root.querySelector(".hall-announce-text");
    if (banner) Hall.fit(banner, 2.6, 1.4, 0.1);
  }

  HallSlides.register("agenda", { render });
})();
