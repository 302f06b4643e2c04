/* Hall slide "agenda": the whole agenda, the current item highlighted,
 * finished items greyed and struck through, postponed items marked.
 * Every text at least 48 px at 1080p: the presenter is shown on the current item only, and a long
 * agenda scrolls so the current item stays in view rather than shrinking out of reach.
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

  // The current item is highlighted with its clock; an item above it (status current) reads
  // "in progress" and is neither highlighted nor struck through.
  function row(item, here) {
    const current = item.id === here;
    const minutes = item.planned_minutes ? Hall.interpolate(gettext("%(n)s phút"), { n: item.planned_minutes }, true) : "";
    const look = current ? "current" : item.status === "current" ? "within" : item.status;
    return h("li", {
      class: ["ag-row", `is-${look}`, item.depth ? "is-child" : null],
      style: { "--depth": String(item.depth) },
      dataset: { itemId: String(item.id), status: item.status },
    },
    h("span", { class: "ag-number", text: item.number }),
    h("span", { class: "ag-text" },
      h("span", { class: "ag-title", text: item.title }),
      item.presenter ? h("span", { class: "ag-presenter", text: item.presenter }) : null),
    h("span", { class: "ag-meta" },
      current ? Hall.itemTimer(item) : null,
      !current && minutes ? h("span", { class: "ag-minutes", text: minutes }) : null,
      STATUS[item.status] && STATUS[item.status]() && !current
        ? h("span", { class: ["ag-status", `is-${look}`], text: STATUS[item.status]() }) : null));
  }

  function render(root, state) {
    const items = state.agenda.items;
    const list = h("ol", { class: "ag-list" }, items.map((item) => row(item, state.agenda.current_item_id)));
    Hall.append(root,
      Hall.header(state, Hall.config()),
      h("div", { class: "ag-body" },
        h("h2", { class: "ag-heading", text: gettext("Chương trình phiên họp") }),
        items.length ? list : h("p", { class: "ag-empty", text: gettext("Chưa có nội dung nào trong chương trình.") })),
      state.announcement ? h("div", { class: "hall-announce-banner", dataset: { role: "announcement" } },
        h("span", { class: "hall-announce-label", text: gettext("Thông báo") }),
        h("span", { class: "hall-announce-text", text: state.announcement.text })) : null);
    if (!items.length) return;
    // Never smaller than --read (2.7rem, 48 px at 1080p): a long agenda scrolls instead, the current item
    // a quarter of the way down, with what was done just before it above.
    Hall.fit(list, 3, 2.7, 0.05);
    const current = list.querySelector(".is-current");
    if (current && Hall.overflows(list)) {
      // From a row's top edge (no row cut in half at the top): up to a quarter of the list above the current one.
      let first = current;
      while (first.previousElementSibling
        && current.offsetTop - first.previousElementSibling.offsetTop <= list.clientHeight / 4) first = first.previousElementSibling;
      list.scrollTop = first.offsetTop - list.offsetTop;
    }
    const banner = root.querySelector(".hall-announce-text");
    if (banner) Hall.fit(banner, 3, 2.7, 0.1);
  }

  HallSlides.register("agenda", { render });
})();
