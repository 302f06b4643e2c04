/* The delegate terminal: follows the sitting through the hub, checks in.
 *
 * It shows what the server's state says; the only actions are the
 * delegate's own check-in commands. When the network drops, the banner says
 * so; hub.js reconnects and catches up by itself.
 */
(function () {
  "use strict";

  const { gettext, interpolate, h } = Faces;
  const $ = (id) => document.getElementById(id);

  const root = $("terminal");
  const sittingId = Number(root.dataset.sitting);
  const tz = root.dataset.tz || undefined;

  const ui = {
    title: $("sitting-title"),
    status: $("sitting-status"),
    conn: $("conn"),
    banner: $("conn-banner"),
    bannerText: $("conn-banner-text"),
    clock: $("clock"),
    announcement: $("announcement"),
    announcementText: $("announcement-text"),
    me: $("me"),
    meName: $("me-name"),
    meSeat: $("me-seat"),
    meState: $("me-state"),
    meActions: $("me-actions"),
    meNote: $("me-note"),
    checkIn: $("check-in"),
    checkInRemote: $("check-in-remote"),
    qPresent: $("q-present"),
    qTotal: $("q-total"),
    qBadge: $("q-badge"),
    qFill: $("q-fill"),
    qMark: $("q-mark"),
    qCaption: $("q-caption"),
    now: $("now"),
    nowNumber: $("now-number"),
    nowTitle: $("now-title"),
    nowPresenter: $("now-presenter"),
    nowTimer: $("now-timer"),
    nowElapsed: $("now-elapsed"),
    nowPlanned: $("now-planned"),
    nowFill: $("now-fill"),
    agenda: $("agenda"),
  };

  let lastCurrent;

  const hub = new Hub(sittingId, {
    onState: (state) => render(state),
    onStatus: (status) => showConnection(status),
    onError: (err) => Faces.toast(Faces.errorMessage(err)),
  });
  const send = Faces.sender(hub);

  function showConnection(status) {
    Faces.setConnection(ui.conn, status);
    ui.banner.className = `conn-banner ${status}`;
    ui.bannerText.textContent = Faces.CONNECTION[status] || status;
    document.body.dataset.connection = status;
  }

  function render(state) {
    const s = state.sitting;
    ui.title.textContent = s.title;
    ui.status.className = `badge status-${s.status}`;
    ui.status.textContent = Faces.SITTING_STATUS[s.status] || s.status;

    const a = state.announcement;
    ui.announcement.hidden = !a;
    ui.announcementText.textContent = a ? a.text : "";

    renderMe(state);
    renderQuorum(state.quorum);
    renderAgenda(state);
    tick();
  }

  function renderMe(state) {
    const you = hub.you || {};
    if (!you.member_id) {
      ui.me.dataset.status = "observer";
      ui.meActions.hidden = true;
      Faces.fill(ui.meState);
      ui.meSeat.textContent = "";
      ui.meNote.hidden = false;
      ui.meNote.textContent = gettext("Bạn đang xem trang của đại biểu; chỉ đại biểu và khách mời tự điểm danh tại đây.");
      return;
    }
    const row = state.attendance.find((r) => r.member_id === you.member_id);
    const status = row && row.status ? row.status : "none";
    ui.me.dataset.status = status;
    if (row) ui.meName.textContent = row.name;
    ui.meSeat.textContent = row && row.seat ? interpolate(gettext("Ghế %(seat)s"), { seat: row.seat }, true) : "";
    const when = row && row.at ? Faces.timeOfDay(Date.parse(row.at), tz, false) : "";
    Faces.fill(ui.meState,
      h("span", { class: `me-pill ${status}` }, statusIcon(status), Faces.ATTENDANCE[status]),
      when ? h("span", { class: "me-when" }, interpolate(gettext("lúc %(t)s"), { t: when }, true)) : null);
    ui.meActions.hidden = status === "present";
    ui.meNote.hidden = true;
  }

  function statusIcon(status) {
    const paths = {
      present: '<circle cx="12" cy="12" r="11"/><path d="M6.5 12.5l3.5 3.5 7.5-8" class="stroke"/>',
      absent: '<circle cx="12" cy="12" r="11"/><path d="M8 8l8 8M16 8l-8 8" class="stroke"/>',
      excused: '<circle cx="12" cy="12" r="11"/><path d="M12 6.5v7M12 16.5v1" class="stroke"/>',
      none: '<circle cx="12" cy="12" r="10" class="ring"/>',
    };
    const svg = document.createElementNS(Faces.SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.innerHTML = paths[status] || paths.none;
    return svg;
  }

  function renderQuorum(q) {
    ui.qPresent.textContent = q.present;
    ui.qTotal.textContent = q.total;
    ui.qBadge.className = `badge ${q.met ? "met" : "unmet"}`;
    ui.qBadge.textContent = q.met ? gettext("Đủ túc số") : gettext("Chưa đủ túc số");
    ui.qFill.style.width = `${q.total ? (100 * q.present) / q.total : 0}%`;
    ui.qFill.className = `qfill ${q.met ? "met" : ""}`;
    ui.qMark.style.left = `${q.total ? (100 * q.required) / q.total : 0}%`;
    ui.qCaption.textContent = interpolate(gettext("Cần %(required)s/%(total)s đại biểu có mặt"),
      { required: q.required, total: q.total }, true);
  }

  function renderAgenda(state) {
    const items = state.agenda.items;
    const cur = items.find((i) => i.id === state.agenda.current_item_id) || null;
    ui.now.classList.toggle("has-item", Boolean(cur));
    if (cur) {
      ui.nowNumber.textContent = interpolate(gettext("Mục %(n)s"), { n: cur.number }, true);
      ui.nowTitle.textContent = cur.title;
      ui.nowPresenter.textContent = cur.presenter
        ? interpolate(gettext("Trình bày: %(p)s"), { p: cur.presenter }, true) : "";
      ui.nowTimer.hidden = false;
    } else {
      ui.nowNumber.textContent = "";
      const status = state.sitting.status;
      ui.nowTitle.textContent = status === "closed" ? gettext("Phiên họp đã kết thúc.")
        : status === "scheduled" ? gettext("Phiên họp chưa khai mạc.") : gettext("Chưa bắt đầu mục nào.");
      ui.nowPresenter.textContent = "";
      ui.nowTimer.hidden = true;
    }

    Faces.fill(ui.agenda, ...items.map((item) => h("li", {
      class: `t-item status-${item.status}${item.status === "current" ? " current" : ""}`,
      dataset: { itemId: item.id, depth: item.depth },
      style: `--depth:${item.depth}`,
      "aria-current": item.status === "current" ? "step" : null,
    },
    h("span", { class: "t-num" }, item.number),
    h("span", { class: "t-text" },
      h("span", { class: "t-title" }, item.title),
      h("span", { class: "t-meta" }, [
        item.status !== "pending" ? Faces.ITEM_STATUS[item.status] : null,
        item.presenter,
        item.planned_minutes ? interpolate(gettext("%(n)s phút"), { n: item.planned_minutes }, true) : null,
      ].filter(Boolean).join(" · "))),
    item.status === "done" ? h("span", { class: "t-done", "aria-hidden": "true" }, "✓") : null)));

    const curId = cur ? cur.id : null;
    if (curId !== lastCurrent && curId !== null) {
      const el = ui.agenda.querySelector(".t-item.current");
      if (el) el.scrollIntoView({ block: "center", behavior: lastCurrent === undefined ? "auto" : "smooth" });
    }
    lastCurrent = curId;
  }

  function tick() {
    const now = hub.now();
    ui.clock.textContent = Faces.timeOfDay(now, tz, false);
    const state = hub.state;
    if (!state) return;
    const cur = state.agenda.items.find((i) => i.id === state.agenda.current_item_id);
    if (!cur) return;
    const t = Faces.timing(cur, now);
    ui.nowElapsed.textContent = t.elapsedText;
    ui.nowPlanned.textContent = t.plannedText ? `/ ${t.plannedText}` : "";
    ui.nowTimer.className = `timer ${t.level}`;
    ui.nowFill.style.width = `${Math.round(t.fraction * 100)}%`;
  }
  setInterval(tick, 500);
  tick();

  ui.checkIn.addEventListener("click", (e) => send("attendance.check_in", { remote: false }, e.currentTarget).catch(() => {}));
  ui.checkInRemote.addEventListener("click", (e) => send("attendance.check_in", { remote: true }, e.currentTarget).catch(() => {}));
})();
