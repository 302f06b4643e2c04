/* Hall slide "speaker": who has the floor, with their photo (or initials), delegate group, what
 * they are doing (speech, reply, point of order, questioning…) and a countdown read from 20 m.
 * The countdown is the server's clock (hub.now(), ticked once a second by the page): remaining =
 * limit_s + extra_s - ((paused_at or now) - started_at - paused_s); amber in the last warn_s, red and
 * negative when overrun (never cut). With nobody at the floor: who is next.
 */
(function () {
  "use strict";
  const { h, gettext, interpolate } = Hall;
  const KEY = "speaker";

  // The floor's slides share one stylesheet beside them (displays/ is not edited for a module).
  const SHEET = new URL("slides.css", document.currentScript.src).href;
  function sheet() {
    let link = Array.from(document.querySelectorAll("link[rel=stylesheet]")).find((l) => l.href === SHEET);
    if (!link) {
      link = h("link", { rel: "stylesheet", href: SHEET });
      document.head.append(link);
    }
    return link;
  }
  const link = sheet();

  const KIND = {
    speech: () => gettext("Phát biểu"),
    reply: () => gettext("Tranh luận"),
    order: () => gettext("Kiến nghị về thủ tục"),
    followup: () => gettext("Chất vấn lại, tranh luận"),
    question: () => gettext("Chất vấn"),
    answer: () => gettext("Trả lời chất vấn"),
    opening: () => gettext("Phát biểu mở đầu"),
    free: () => gettext("Phát biểu theo mời"),
  };

  function remaining(sp, nowMs) {
    const end = sp.paused_at ? Date.parse(sp.paused_at) : nowMs;
    const spoken = Math.max(0, (end - Date.parse(sp.started_at)) / 1000 - sp.paused_s);
    return sp.limit_s + sp.extra_s - spoken;
  }

  function initials(name) {
    const parts = String(name || "").trim().split(/\s+/).filter(Boolean);
    if (!parts.length) return "?";
    const first = parts[0].charAt(0);
    return (parts.length > 1 ? first + parts[parts.length - 1].charAt(0) : first).toUpperCase();
  }

  function portrait(p) {
    if (p.photo) return h("div", { class: "fls-photo" }, h("img", { src: p.photo, alt: "" }));
    return h("div", { class: "fls-photo is-initials", "aria-hidden": "true" }, h("span", { text: initials(p.name) }));
  }

  function countdown(sp) {
    return h("div", { class: "fls-clock", dataset: { floorClock: String(sp.id) } },
      h("div", { class: "fls-clock-label", dataset: { part: "label" }, text: gettext("Thời gian còn lại") }),
      h("div", { class: "fls-countdown", dataset: { role: "countdown" } }));
  }

  function updateClock(root, state, hub) {
    const sp = state.floor && state.floor.speaker;
    for (const el of root.querySelectorAll("[data-floor-clock]")) {
      if (!sp || String(sp.id) !== el.dataset.floorClock) continue;
      const rem = remaining(sp, hub.now());
      const level = rem < 0 ? "over" : rem <= sp.warn_s ? "near" : "ok";
      el.dataset.level = level;
      el.classList.toggle("is-paused", !!sp.paused_at);
      el.querySelector("[data-role=countdown]").textContent = HubTime.formatDuration(Math.ceil(rem));
      el.querySelector("[data-part=label]").textContent = sp.paused_at ? gettext("Tạm dừng")
        : rem < 0 ? gettext("Quá thời gian") : gettext("Thời gian còn lại");
    }
  }

  function render(root, state, hub) {
    if (!link.sheet) link.addEventListener("load", () => redraw(root, hub), { once: true });
    const fl = state.floor;
    const sp = fl ? fl.speaker : null;
    let body;
    if (sp) {
      body = h("div", { class: "fls-body", dataset: { speechId: String(sp.id) } },
        portrait(sp),
        h("div", { class: "fls-info" },
          h("div", { class: ["fls-kind", `kind-${sp.kind}`], text: (KIND[sp.kind] || (() => sp.kind))() }),
          h("div", { class: "fls-name", dataset: { role: "speaker-name" }, text: sp.name }),
          sp.position ? h("div", { class: "fls-position", text: sp.position }) : null,
          sp.group ? h("div", { class: "fls-group", text: sp.group }) : null),
        countdown(sp));
    } else {
      const next = fl && fl.queue.length ? fl.queue[0] : null;
      body = h("div", { class: "fls-body is-empty" },
        h("div", { class: "fls-none", dataset: { role: "no-speaker" },
          text: fl && fl.priority ? gettext("Chủ tọa đã tắt tất cả micrô") : gettext("Chưa có đại biểu phát biểu") }),
        next ? h("div", { class: "fls-next" },
          h("span", { class: "fls-next-label", text: gettext("Tiếp theo") }),
          h("span", { class: "fls-next-name", text: next.name }),
          next.group ? h("span", { class: "fls-next-group", text: next.group }) : null) : null,
        Hall.clock({ class: "fls-idle-clock", seconds: false, date: false }));
    }
    Hall.append(root, Hall.header(state, Hall.config()), body);
    const name = root.querySelector(".fls-name");
    if (name) Hall.fit(name, 7, 3.4, 0.2);
    const position = root.querySelector(".fls-position");
    if (position) Hall.fit(position, 3.4, 2.7, 0.1);
    if (sp) updateClock(root, state, hub);
  }

  function redraw(root, hub) {
    if (root.dataset.slide !== KEY || !hub.state) return;
    root.replaceChildren();
    render(root, hub.state, hub);
  }

  // Following the sitting ("auto", displays/static/displays/display.js): whoever has the floor.
  function claim(state) {
    return state.floor && state.floor.speaker ? 50 : 0;
  }

  HallSlides.register(KEY, { render, tick: updateClock, claim });
  // For the floor's other slides (speakers, questioning): the same clock and faces.
  window.FloorSlides = window.FloorSlides || { remaining, initials, portrait, countdown, updateClock, KIND, sheet };
})();
