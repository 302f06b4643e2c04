/* Hall slide "speakers": who has the floor (name, group, countdown) and the next speakers in the
 * order the chair will call them (points of order and replies ahead of speeches), as many as fit
 * the screen at the size read from 20 m, then "and N more". Uses FloorSlides (speaker.js, loaded first:
 * slides load in their registered order).
 */
(function () {
  "use strict";
  const { h, gettext, interpolate } = Hall;
  const F = window.FloorSlides;
  if (!F) return;
  const KEY = "speakers";
  const link = F.sheet();

  function row(r, i) {
    return h("li", { class: ["flq-row", `kind-${r.kind}`], dataset: { requestId: String(r.id) } },
      h("span", { class: "flq-pos", text: String(i + 1) }),
      h("span", { class: "flq-name", text: r.name }),
      r.group ? h("span", { class: "flq-group", text: r.group }) : null,
      r.kind !== "speech" ? h("span", { class: ["flq-kind", `kind-${r.kind}`], text: F.KIND[r.kind] ? F.KIND[r.kind]() : r.kind }) : null);
  }

  function render(root, state, hub) {
    if (!link.sheet) link.addEventListener("load", () => redraw(root, hub), { once: true });
    const fl = state.floor;
    const sp = fl ? fl.speaker : null;
    const queue = fl ? fl.queue : [];
    const now = sp
      ? h("div", { class: "flq-now", dataset: { speechId: String(sp.id) } },
        h("div", { class: "flq-now-text" },
          h("div", { class: "flq-now-label", text: interpolate(gettext("Đang phát biểu — %(kind)s"),
            { kind: F.KIND[sp.kind] ? F.KIND[sp.kind]() : sp.kind }, true) }),
          h("div", { class: "flq-now-name", dataset: { role: "speaker-name" }, text: sp.name }),
          sp.group ? h("div", { class: "flq-now-group", text: sp.group }) : null),
        F.countdown(sp))
      : h("div", { class: "flq-now is-empty" }, h("div", { class: "flq-now-label",
        text: fl && fl.priority ? gettext("Chủ tọa đã tắt tất cả micrô") : gettext("Chưa có đại biểu phát biểu") }));
    const list = h("ol", { class: "flq-list" }, queue.map(row));
    Hall.append(root, Hall.header(state, Hall.config()),
      h("div", { class: "flq-body" },
        now,
        h("div", { class: "flq-head" },
          h("h2", { class: "flq-heading", text: gettext("Danh sách đăng ký phát biểu") }),
          fl && fl.closed ? h("span", { class: "flq-closed", text: gettext("Đã khóa") }) : null),
        queue.length ? list : h("p", { class: "flq-empty", text: gettext("Chưa có đại biểu đăng ký.") })));
    const name = root.querySelector(".flq-now-name");
    if (name) Hall.fit(name, 5, 3, 0.2);
    // As many as fit, then "and N more": never smaller than the size read from the back of the hall.
    if (queue.length && Hall.overflows(list)) {
      let hidden = 0;
      const more = h("li", { class: "flq-more" });
      list.append(more);
      while (list.children.length > 2 && Hall.overflows(list)) {
        list.children[list.children.length - 2].remove();
        hidden += 1;
        more.textContent = interpolate(gettext("và %(n)s đại biểu nữa"), { n: hidden }, true);
      }
      if (!hidden) more.remove();
    }
    if (sp) F.updateClock(root, state, hub);
  }

  function redraw(root, hub) {
    if (root.dataset.slide !== KEY || !hub.state) return;
    root.replaceChildren();
    render(root, hub.state, hub);
  }

  HallSlides.register(KEY, { render, tick: F.updateClock });
})();
