/* The public observer page: a read-only live view of a public sitting, for phones.
 *
 * It follows the sitting through the hub (realtime/hub.js) as the public
 * audience and redraws from the state on every change; the item's time ticks
 * locally from the server's clock.
 */
(function (global) {
  "use strict";

  const gettext = global.gettext || ((s) => s);
  const interpolate = global.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (m, k) => String(obj[k])));
  // The time bar turns amber from this share of the planned time, red past it (as on the hall display).
  const TIME_WARNING = 0.8;

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = Array.isArray(v) ? v.filter(Boolean).join(" ") : v;
      else if (k === "text") el.textContent = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      // Through the CSSOM: a style="" attribute is inline style, which the Content-Security-Policy refuses.
      else if (k === "style") el.style.cssText = v;
      else el.setAttribute(k, v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  /* Append children, skipping the absent ones (null, false). */
  function fill(el, ...children) {
    el.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  }

  const root = document.getElementById("observer");
  const part = (name) => root.querySelector(`[data-role="${name}"]`);
  const config = JSON.parse(document.getElementById("observer-config").textContent);

  const STATUS = {
    live: () => gettext("Đang họp"),
    scheduled: () => gettext("Chưa khai mạc"),
    closed: () => gettext("Đã bế mạc"),
  };
  const ITEM_STATUS = {
    current: () => gettext("Đang thực hiện"),
    done: () => gettext("Đã xong"),
    postponed: () => gettext("Hoãn"),
    pending: () => "",
  };
  const CONNECTION = {
    live: () => gettext("Trực tiếp"),
    connecting: () => gettext("Đang kết nối…"),
    catching_up: () => gettext("Đang cập nhật…"),
    offline: () => gettext("Mất kết nối — đang kết nối lại…"),
    reconnecting: () => gettext("Mất kết nối — đang kết nối lại…"),
    forbidden: () => gettext("Phiên họp này không công khai"),
    not_found: () => gettext("Không tìm thấy phiên họp"),
  };

  function currentItem(state) {
    const id = state.agenda.current_item_id;
    return id ? state.agenda.items.find((i) => i.id === id) || null : null;
  }

  function drawStatus(state) {
    const chip = part("status");
    chip.className = `chip status-${state.sitting.status}`;
    chip.textContent = (STATUS[state.sitting.status] || STATUS.scheduled)();
  }

  function drawAnnouncement(state) {
    const box = part("announcement");
    const a = state.announcement;
    box.hidden = !a;
    box.replaceChildren();
    if (a) box.append(h("strong", { text: gettext("Thông báo") }), " ", h("span", { text: a.text }));
  }

  function drawCurrent(state) {
    const body = part("current-body");
    const item = currentItem(state);
    body.replaceChildren();
    if (!item || state.sitting.status !== "live") {
      const text = state.sitting.status === "closed" ? gettext("Phiên họp đã bế mạc.")
        : state.sitting.status === "scheduled" ? gettext("Phiên họp chưa khai mạc.")
          : gettext("Chưa bắt đầu nội dung nào.");
      body.append(h("p", { class: "muted", text }));
      return;
    }
    const parent = item.parent_id ? state.agenda.items.find((i) => i.id === item.parent_id) : null;
    fill(body,
      parent ? h("p", { class: "obs-parent muted", text: `${parent.number}. ${parent.title}` }) : null,
      h("p", { class: "obs-item" },
        h("span", { class: "obs-number", text: item.number }),
        h("span", { class: "obs-item-title", dataset: { role: "current-title" }, text: item.title })),
      item.presenter ? h("p", { class: "obs-presenter" }, h("span", { class: "muted", text: gettext("Trình bày:") }), " ", item.presenter) : null,
      h("div", { class: "obs-timer", dataset: { itemId: String(item.id) } },
        h("div", { class: "obs-timer-figures" },
          h("span", { class: "obs-elapsed", dataset: { part: "elapsed" } }),
          item.planned_minutes ? h("span", { class: "muted" }, " / ", HubTime.formatDuration(item.planned_minutes * 60)) : null,
          h("span", { class: "obs-note", dataset: { part: "note" } })),
        item.planned_minutes ? h("div", { class: "obs-bar" }, h("div", { class: "obs-fill", dataset: { part: "fill" } })) : null));
  }

  function drawQuorum(state) {
    const q = state.quorum;
    const rows = state.attendance.filter((r) => r.counts);
    const count = (status) => rows.filter((r) => (r.status || null) === status).length;
    const pct = q.total ? Math.min(100, (100 * q.present) / q.total) : 0;
    const need = q.total ? Math.min(100, (100 * q.required) / q.total) : 0;
    part("quorum-body").replaceChildren(
      h("p", { class: "obs-quorum-figures" },
        h("strong", { class: "obs-present", text: String(q.present) }),
        h("span", { class: "muted", text: ` / ${q.total}` }),
        h("span", { class: ["chip", q.met ? "ok" : "warn"], dataset: { quorum: q.met ? "met" : "unmet" },
          text: q.met ? gettext("Đủ túc số") : gettext("Chưa đủ túc số") })),
      h("div", { class: "obs-bar quorum", role: "img",
        "aria-label": interpolate(gettext("%(present)s trên %(total)s đại biểu có mặt"), q, true) },
      h("div", { class: ["obs-fill", q.met ? "ok" : "warn"], style: `width:${pct.toFixed(1)}%` }),
      h("div", { class: "obs-need", style: `left:${need.toFixed(1)}%` })),
      h("p", { class: "muted small", text: interpolate(gettext("Cần tối thiểu %(required)s (%(rule)s tổng số)"), q, true) }),
      h("ul", { class: "obs-counts" },
        h("li", {}, h("span", { text: gettext("Có mặt") }), h("strong", { text: String(count("present")) })),
        h("li", {}, h("span", { text: gettext("Vắng") }), h("strong", { text: String(count("absent")) })),
        h("li", {}, h("span", { text: gettext("Vắng có lý do") }), h("strong", { text: String(count("excused")) })),
        h("li", {}, h("span", { text: gettext("Chưa điểm danh") }), h("strong", { text: String(count(null)) }))));
  }

  function drawAgenda(state) {
    const list = part("agenda");
    // The current item is highlighted; an item above it (status current) reads "in progress" only.
    const here = state.agenda.current_item_id;
    list.replaceChildren(...state.agenda.items.map((item) => h("li", {
      class: ["obs-agenda-item", `is-${item.id === here ? "current" : item.status === "current" ? "within" : item.status}`,
        item.depth ? "is-child" : null],
      dataset: { itemId: String(item.id), status: item.status },
    },
    h("span", { class: "obs-agenda-number", text: item.number }),
    h("span", { class: "obs-agenda-text" },
      h("span", { class: "obs-agenda-title", text: item.title }),
      item.presenter ? h("span", { class: "obs-agenda-presenter muted", text: item.presenter }) : null,
      ITEM_STATUS[item.status]()
        ? h("span", { class: "obs-agenda-status" }, h("span", { class: ["chip", `item-${item.status}`], text: ITEM_STATUS[item.status]() }))
        : null))));
  }

  function draw(state) {
    drawStatus(state);
    drawAnnouncement(state);
    drawCurrent(state);
    drawQuorum(state);
    drawAgenda(state);
    tick();
  }

  function tick() {
    const state = hub.state;
    if (!state) return;
    const el = root.querySelector(".obs-timer");
    if (!el) return;
    const item = state.agenda.items.find((i) => String(i.id) === el.dataset.itemId);
    if (!item) return;
    const elapsed = HubTime.elapsedSeconds(item, hub.now());
    const planned = (item.planned_minutes || 0) * 60;
    el.querySelector("[data-part=elapsed]").textContent = HubTime.formatDuration(elapsed);
    let level = "ok";
    let note = "";
    if (planned) {
      level = elapsed > planned ? "over" : elapsed >= planned * TIME_WARNING ? "near" : "ok";
      note = elapsed > planned
        ? interpolate(gettext("quá %(t)s"), { t: HubTime.formatDuration(elapsed - planned) }, true)
        : interpolate(gettext("còn %(t)s"), { t: HubTime.formatDuration(planned - elapsed) }, true);
      el.querySelector("[data-part=fill]").style.width = `${Math.min(100, (100 * elapsed) / planned).toFixed(1)}%`;
    }
    el.querySelector("[data-part=note]").textContent = note;
    el.dataset.level = level;
  }

  function onStatus(status) {
    const chip = part("connection");
    chip.dataset.status = status;
    chip.textContent = (CONNECTION[status] || CONNECTION.offline)();
    root.classList.toggle("is-stale", status !== "live" && !!hub && !!hub.state);
    showConnection();
  }

  // "Live" beside "Closed" would say two things: once the sitting is closed and this page
  // is up to date, the connection chip says nothing (a lost connection is still shown).
  function showConnection() {
    const chip = part("connection");
    const quiet = chip.dataset.status === "live" && !!hub && !!hub.state && hub.state.sitting.status === "closed";
    chip.style.display = quiet ? "none" : "";  // (the chip's own display rule beats [hidden])
  }

  let hub = null;
  hub = new Hub(config.sittingId, {
    onState: (state, type) => { draw(state, type); showConnection(); },
    onStatus,
  });
  setInterval(tick, 1000);
})(window);
