/* The hall display: one sitting, one slide at a time, read from 20 m.
 *
 * The page is generic. It keeps the sitting's state through the hub
 * (realtime/hub.js) and draws the slide its display is set to, from a registry
 * that each slide script fills:
 *
 *   HallSlides.register("overview", {
 *     render(root, state, hub) { ... },   // on every change of state
 *     tick(root, state, hub) { ... },     // optional, once a second
 *   });
 *
 * Slides draw from the state only; clocks and timers tick locally from the
 * server's clock (hub.now()), never from per-second server messages.
 * `Hall` holds the building blocks the slides share (header band, clock,
 * item timer, quorum gauge, text fitting).
 */
(function (global) {
  "use strict";

  const gettext = global.gettext || ((s) => s);
  const interpolate = global.interpolate || ((fmt, obj, named) => (named
    ? fmt.replace(/%\((\w+)\)s/g, (m, k) => String(obj[k]))
    : fmt.replace(/%s/g, () => String(obj.shift()))));

  const SVG_NS = "http://www.w3.org/2000/svg";
  // An item's time bar turns amber from this share of its planned time, red past it.
  const TIME_WARNING = 0.8;

  // ---- the slide registry ------------------------------------------------

  const registry = new Map();
  const FALLBACK = "overview";
  const AUTO = "auto"; // the display follows the sitting (HallSlides.choose)

  const HallSlides = {
    register(key, slide) {
      if (!slide || typeof slide.render !== "function") throw new Error(`slide ${key} needs render()`);
      registry.set(key, slide);
    },
    has(key) {
      return registry.has(key);
    },
    /* The slide for `key`; an unknown key falls back to the overview. */
    resolve(key) {
      return registry.has(key) ? key : FALLBACK;
    },
    /* "Follow the sitting" (key "auto"): the slide whose claim on the state is the strongest.
     * A slide may claim the screen with `claim(state, hub)` -> a number (0: not now): a vote
     * open 90, a result just published 80, an announcement just made 70, a question 60, a
     * speaker 50. None claiming: the overview. */
    choose(state, hub) {
      let best = FALLBACK;
      let strongest = 0;
      for (const [key, slide] of registry) {
        if (typeof slide.claim !== "function") continue;
        let claim = 0;
        try {
          claim = Number(slide.claim(state, hub)) || 0;
        } catch (e) {
          console.error(e);
        }
        if (claim > strongest) {
          best = key;
          strongest = claim;
        }
      }
      return best;
    },
    get(key) {
      return registry.get(this.resolve(key));
    },
  };

  // ---- building blocks -----------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }

  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }

  function setAttrs(el, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.setAttribute("class", Array.isArray(v) ? v.filter(Boolean).join(" ") : v);
      else if (k === "text") el.textContent = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k === "style" && typeof v === "object") {
        for (const [prop, val] of Object.entries(v)) el.style.setProperty(prop.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), val);
      }
      // Through the CSSOM: a style="" attribute is inline style, which the Content-Security-Policy refuses.
      else if (k === "style") el.style.cssText = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
  }

  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }

  let timeZone;
  const formats = {};

  function fmt(kind) {
    if (!formats[kind]) {
      const lang = document.documentElement.lang || "vi";
      const opts = {
        clock: { hour: "2-digit", minute: "2-digit", hour12: false },
        seconds: { second: "2-digit" },
        date: { weekday: "long", day: "2-digit", month: "2-digit", year: "numeric" },
      }[kind];
      try {
        formats[kind] = new Intl.DateTimeFormat(lang, { ...opts, timeZone });
      } catch (e) {
        formats[kind] = new Intl.DateTimeFormat(lang, opts);
      }
    }
    return formats[kind];
  }

  function clockText(ms) {
    return fmt("clock").format(new Date(ms));
  }

  function secondsText(ms) {
    return String(new Date(ms).getUTCSeconds()).padStart(2, "0");
  }

  function dateText(ms) {
    const t = fmt("date").format(new Date(ms));
    return t.charAt(0).toUpperCase() + t.slice(1);
  }

  function dateTimeText(iso) {
    if (!iso) return "";
    const ms = Date.parse(iso);
    return interpolate(gettext("%(date)s, %(time)s"), { date: dateText(ms), time: clockText(ms) }, true);
  }

  /* A clock element, kept current by the page's tick. */
  function clock(opts) {
    const o = opts || {};
    return h("div", { class: ["hall-clock", o.class] },
      h("span", { class: "hall-clock-time", dataset: { hallClock: "time" } }),
      o.seconds ? h("span", { class: "hall-clock-seconds", dataset: { hallClock: "seconds" } }) : null,
      o.date ? h("div", { class: "hall-clock-date", dataset: { hallClock: "date" } }) : null);
  }

  function statusInfo(sitting) {
    switch (sitting.status) {
      case "live":
        return { key: "live", label: gettext("Đang họp") };
      case "closed":
        return { key: "closed", label: gettext("Đã bế mạc") };
      default:
        return { key: "scheduled", label: gettext("Chưa khai mạc") };
    }
  }

  const KINDS = {
    report: () => gettext("Báo cáo"),
    submission: () => gettext("Tờ trình"),
    draft_resolution: () => gettext("Dự thảo nghị quyết"),
    questioning: () => gettext("Chất vấn"),
    election: () => gettext("Bầu cử"),
  };

  function kindLabel(kind) {
    return KINDS[kind] ? KINDS[kind]() : "";
  }

  function currentItem(state) {
    const id = state.agenda && state.agenda.current_item_id;
    return id ? state.agenda.items.find((i) => i.id === id) || null : null;
  }

  function parentOf(state, item) {
    return item && item.parent_id ? state.agenda.items.find((i) => i.id === item.parent_id) || null : null;
  }

  /* The band across the top of every slide: the council with its province (displays.views.council_name),
     the sitting, status, clock. Two lines, each large enough to read from the back of the hall (the
     session and the place, a third line, made them too small). */
  function header(state, config) {
    const st = statusInfo(state.sitting);
    return h("header", { class: "hall-band" },
      h("div", { class: "hall-band-emblem", "aria-hidden": "true" }, star()),
      h("div", { class: "hall-band-titles" },
        h("div", { class: "hall-council", text: config.councilName }),
        h("div", { class: "hall-sitting", text: state.sitting.title })),
      h("div", { class: ["hall-status", `is-${st.key}`], dataset: { status: st.key } }, st.label),
      clock({ class: "hall-band-clock", seconds: false, date: false }));
  }

  function star() {
    return s("svg", { viewBox: "-1 -1 2 2", class: "hall-star" },
      s("circle", { r: "1", class: "hall-star-disc" }),
      s("polygon", { class: "hall-star-star", points: starPoints(0.62, 0.25) }));
  }

  function starPoints(outer, inner) {
    const pts = [];
    for (let i = 0; i < 10; i++) {
      const r = i % 2 ? inner : outer;
      const a = -Math.PI / 2 + (i * Math.PI) / 5;
      pts.push(`${(r * Math.cos(a)).toFixed(3)},${(r * Math.sin(a)).toFixed(3)}`);
    }
    return pts.join(" ");
  }

  /* Elapsed vs planned time of an agenda item: figures and a bar that fills.
     The page's tick keeps every [data-hall-timer] current. */
  function itemTimer(item) {
    return h("div", { class: "hall-timer", dataset: { hallTimer: String(item.id) } },
      h("div", { class: "hall-timer-figures" },
        h("span", { class: "hall-timer-elapsed", dataset: { part: "elapsed" } }),
        item.planned_minutes ? h("span", { class: "hall-timer-planned" },
          " / ", HubTime.formatDuration(item.planned_minutes * 60)) : null,
        h("span", { class: "hall-timer-note", dataset: { part: "note" } })),
      item.planned_minutes ? h("div", { class: "hall-timer-bar" },
        h("div", { class: "hall-timer-fill", dataset: { part: "fill" } })) : null);
  }

  function updateTimer(el, item, nowMs) {
    const elapsed = HubTime.elapsedSeconds(item, nowMs);
    const planned = (item.planned_minutes || 0) * 60;
    el.querySelector("[data-part=elapsed]").textContent = HubTime.formatDuration(elapsed);
    let level = "ok";
    let note = "";
    if (planned) {
      if (elapsed > planned) {
        level = "over";
        note = interpolate(gettext("quá %(t)s"), { t: HubTime.formatDuration(elapsed - planned) }, true);
      } else {
        if (elapsed >= planned * TIME_WARNING) level = "near";
        note = interpolate(gettext("còn %(t)s"), { t: HubTime.formatDuration(planned - elapsed) }, true);
      }
      const fill = el.querySelector("[data-part=fill]");
      if (fill) fill.style.width = `${Math.min(100, (100 * elapsed) / planned).toFixed(2)}%`;
    }
    el.querySelector("[data-part=note]").textContent = note;
    el.dataset.level = level;
  }

  /* The quorum as a half-circle gauge: the arc fills with those present; a
     tick marks how many are required. */
  function quorumGauge(q, opts) {
    const o = opts || {};
    const total = Math.max(q.total, 1);
    const share = Math.min(1, q.present / total);
    const need = Math.min(1, q.required / total);
    const r = 80;
    const point = (f, rr) => {
      const a = Math.PI * (1 - f);
      return [(rr * Math.cos(a)).toFixed(2), (-rr * Math.sin(a)).toFixed(2)];
    };
    const arc = (f) => {
      const [x, y] = point(f, r);
      return `M ${-r} 0 A ${r} ${r} 0 0 1 ${x} ${y}`;
    };
    const [t1x, t1y] = point(need, r - 20);
    const [t2x, t2y] = point(need, r + 20);
    const met = q.met ? "met" : "unmet";
    return h("div", { class: ["hall-gauge", `is-${met}`, o.class], dataset: { quorum: met } },
      s("svg", { viewBox: "-105 -100 210 112", class: "hall-gauge-svg", role: "img",
        "aria-label": interpolate(gettext("%(present)s trên %(total)s đại biểu có mặt"), q, true) },
        s("path", { d: arc(1), class: "hall-gauge-track" }),
        share > 0 ? s("path", { d: arc(share), class: "hall-gauge-fill" }) : null,
        q.total ? s("line", { x1: t1x, y1: t1y, x2: t2x, y2: t2y, class: "hall-gauge-need" }) : null,
        s("text", { x: 0, y: -14, class: "hall-gauge-count", "text-anchor": "middle" },
          s("tspan", { class: "hall-gauge-present" }, String(q.present)),
          s("tspan", { class: "hall-gauge-total", dx: "4" }, `/${q.total}`))),
      h("div", { class: "hall-gauge-caption" },
        h("div", { class: "hall-gauge-label", text: gettext("Đại biểu có mặt") }),
        h("div", { class: "hall-gauge-verdict", text: q.met ? gettext("Đủ túc số") : gettext("Chưa đủ túc số") }),
        h("div", { class: "hall-gauge-need-text",
          text: interpolate(gettext("Cần tối thiểu %(required)s (%(rule)s tổng số)"), q, true) })));
  }

  /* Shrink the font of `el` (in rem) from max until its content fits its box.
     Accents of Vietnamese letters reach past a tight line box, so an overflow
     smaller than a fifth of the font size is the glyphs, not a hidden line. */
  function overflows(el) {
    const slack = parseFloat(getComputedStyle(el).fontSize) * 0.2 + 1;
    return el.scrollHeight - el.clientHeight > slack || el.scrollWidth - el.clientWidth > slack;
  }

  function fit(el, max, min, step) {
    const st = step || 0.25;
    let size = max;
    el.style.fontSize = `${size}rem`;
    while (size > min && overflows(el)) {
      size = Math.max(min, size - st);
      el.style.fontSize = `${size}rem`;
    }
    return size;
  }

  /* A short name for a seat: the given name (the last word of a Vietnamese name). */
  function givenName(name) {
    const parts = String(name || "").trim().split(/\s+/);
    return parts[parts.length - 1] || "";
  }

  // ---- the page ----------------------------------------------------------

  const page = {
    config: null,
    hub: null,
    root: null,
    slideKey: null,
    following: false,
    dirty: false,
    leaving: false,
  };

  function myDisplay(state) {
    return (state.displays || []).find((d) => d.id === page.config.displayId) || null;
  }

  function render() {
    page.dirty = false;
    const hub = page.hub;
    const state = hub.state;
    if (!state) return;
    const mine = myDisplay(state);
    if (!mine) {
      // The display was moved to another sitting or removed: load what it shows now.
      reloadWhenReady();
      return;
    }
    page.following = mine.slide === AUTO;
    const key = HallSlides.resolve(page.following ? HallSlides.choose(state, hub) : mine.slide);
    const slide = registry.get(key);
    if (!slide) return;
    if (key !== page.slideKey) {
      page.slideKey = key;
      page.root.dataset.slide = key;
      page.root.className = `hall-slide slide-${key}`;
    }
    page.root.replaceChildren();
    try {
      slide.render(page.root, state, hub);
    } catch (e) {
      console.error(e);
    }
    tick();
  }

  function schedule() {
    if (page.dirty) return;
    page.dirty = true;
    if (document.hidden) setTimeout(render, 0);
    else requestAnimationFrame(render);
  }

  function tick() {
    const hub = page.hub;
    const now = hub && hub.state ? hub.now() : Date.now();
    for (const el of document.querySelectorAll("[data-hall-clock]")) {
      const part = el.dataset.hallClock;
      el.textContent = part === "date" ? dateText(now) : part === "seconds" ? secondsText(now) : clockText(now);
    }
    if (!hub || !hub.state) return;
    const items = hub.state.agenda ? hub.state.agenda.items : [];
    for (const el of page.root.querySelectorAll("[data-hall-timer]")) {
      const item = items.find((i) => String(i.id) === el.dataset.hallTimer);
      if (item) updateTimer(el, item, now);
    }
    // Following the sitting: a claim that ends with time (a result shown for a while) hands the screen on.
    if (page.following && HallSlides.choose(hub.state, hub) !== page.slideKey) {
      schedule();
      return;
    }
    const slide = registry.get(page.slideKey);
    if (slide && slide.tick) {
      try {
        slide.tick(page.root, hub.state, hub);
      } catch (e) {
        console.error(e);
      }
    }
  }

  const STATUS_TEXT = {
    connecting: () => gettext("Đang kết nối…"),
    catching_up: () => gettext("Đang cập nhật…"),
    offline: () => gettext("Mất kết nối — đang kết nối lại…"),
    reconnecting: () => gettext("Mất kết nối — đang kết nối lại…"),
    forbidden: () => gettext("Màn hình không còn theo dõi phiên họp này"),
    not_found: () => gettext("Không tìm thấy phiên họp"),
  };

  function onStatus(status) {
    const badge = document.getElementById("hall-connection");
    const live = status === "live";
    document.body.classList.toggle("is-stale", !live && !!page.hub && !!page.hub.state);
    document.body.dataset.connection = status;
    if (badge) {
      badge.hidden = live;
      badge.dataset.status = status;
      const text = badge.querySelector("[data-part=text]");
      if (text) text.textContent = live ? "" : (STATUS_TEXT[status] || STATUS_TEXT.offline)();
    }
    if (status === "forbidden" || status === "not_found") reloadWhenReady(10000);
  }

  /* Reload the page, but only once the server answers: a kiosk must never be
     left on the browser's own error page. */
  function reloadWhenReady(delay) {
    if (page.leaving) return;
    page.leaving = true;
    const attempt = () => {
      fetch(global.location.href, { cache: "no-store", credentials: "same-origin" })
        .then((r) => {
          if (r.ok) global.location.reload();
          else setTimeout(attempt, 5000);
        })
        .catch(() => setTimeout(attempt, 5000));
    };
    setTimeout(attempt, delay || 1000);
  }

  function startTicking() {
    tick();
    // Tick on the second boundary of the server's clock.
    const align = () => {
      const now = page.hub && page.hub.state ? page.hub.now() : Date.now();
      setTimeout(() => {
        tick();
        align();
      }, 1000 - (now % 1000) + 5);
    };
    align();
  }

  /* Ask the server now and then what this page should show (its X-Hall-Page
     header), and reload when that changed: a display assigned to a sitting,
     moved to another one or revoked outside the hub. */
  function watchPage(config) {
    if (!config.pollSeconds) return;
    const poll = () => {
      if (page.leaving) return;
      fetch(global.location.href, { cache: "no-store", credentials: "same-origin" })
        .then((r) => {
          const key = r.headers.get("X-Hall-Page");
          if (r.ok && key && key !== config.pageKey) reloadWhenReady(0);
        })
        .catch(() => {})
        .finally(() => setTimeout(poll, config.pollSeconds * 1000));
    };
    setTimeout(poll, config.pollSeconds * 1000);
  }

  /* Keep the screen from sleeping where the browser allows it (secure contexts only). */
  function keepAwake() {
    if (!navigator.wakeLock) return;
    const request = () => navigator.wakeLock.request("screen").catch(() => {});
    request();
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") request();
    });
  }

  /* Start the page. config: {sittingId, displayId, councilName, timeZone, pageKey, pollSeconds}. */
  function start(config) {
    page.config = config;
    timeZone = config.timeZone;
    page.root = document.getElementById("hall-slide");
    page.hub = new Hub(config.sittingId, { onState: schedule, onStatus });
    // The slide is drawn to the size of its box: again when that changes (the offline strip takes the
    // bottom of the screen, a preview's frame is resized).
    if (global.ResizeObserver) new ResizeObserver(() => { if (page.hub.state) schedule(); }).observe(page.root);
    startTicking();
    watchPage(config);
    if (!config.preview) keepAwake();
  }

  /* A page with no sitting (waiting, not paired): the clock, and a reload
     when the server has something to show. */
  function startIdle(config) {
    page.config = config;
    timeZone = config.timeZone;
    page.root = document.getElementById("hall-slide") || document.body;
    startTicking();
    watchPage(config);
  }

  global.HallSlides = HallSlides;
  global.Hall = {
    h, s, append: (el, ...children) => append(el, children), overflows, gettext, interpolate, clock, header, itemTimer, quorumGauge, fit, statusInfo, kindLabel,
    currentItem, parentOf, givenName, dateTimeText, clockText,
    config: () => page.config,
    start, startIdle,
  };
})(window);
