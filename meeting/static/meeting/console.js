/* The chair console: renders the sitting's state from the hub and sends commands.
 *
 * Nothing here changes on its own: a click sends a command, and the page
 * changes when the server's state (snapshot or event) says so. A refusal is
 * shown as a toast with the server's message.
 *
 * Moving the hall says what the chair saw (docs/protocol.md, "stale"): "next"
 * and "previous" name the item they go to and send the current item the page
 * shows as `expect_current`; a click on an agenda item asks first (the jump
 * dialog); the navigation buttons are disabled while a move is in flight, so a
 * double-click sends one command, and a command from an outdated screen is
 * refused `stale` by the server (its message is shown; the hub catches up).
 */
(function () {
  "use strict";

  const { gettext, ngettext, interpolate, h, SVG_NS } = Faces;
  const $ = (id) => document.getElementById(id);

  const root = $("console");
  const sittingId = Number(root.dataset.sitting);
  const tz = root.dataset.tz || undefined;

  const ui = {
    title: $("sitting-title"),
    status: $("sitting-status"),
    conn: $("conn"),
    clock: $("clock"),
    open: $("open-sitting"),
    close: $("close-sitting"),
    closeDialog: $("close-dialog"),
    reopen: $("reopen-sitting"),
    reopenDialog: $("reopen-dialog"),
    reopenUntil: $("rd-until"),
    reopenReason: $("rd-reason"),
    nowCard: $("now-card"),
    nowTitle: $("now-title"),
    nowMeta: $("now-meta"),
    nowTimer: $("now-timer"),
    nowElapsed: $("now-elapsed"),
    nowPlanned: $("now-planned"),
    nowFill: $("now-fill"),
    prev: $("agenda-prev"),
    next: $("agenda-next"),
    prevTarget: $("agenda-prev-target"),
    nextTarget: $("agenda-next-target"),
    jumpDialog: $("jump-dialog"),
    jdTarget: $("jd-target"),
    jdFrom: $("jd-from"),
    hint: $("agenda-hint"),
    agenda: $("agenda-list"),
    agendaSummary: $("agenda-summary"),
    insertBox: $("insert-box"),
    insertForm: $("insert-form"),
    insertAfter: $("insert-after"),
    qPresent: $("q-present"),
    qTotal: $("q-total"),
    qBadge: $("q-badge"),
    qFill: $("q-fill"),
    qMark: $("q-mark"),
    qNeed: $("q-need"),
    qCaption: $("q-caption"),
    counts: $("counts"),
    seatmap: $("seatmap"),
    unseated: $("unseated"),
    seatView: $("seat-view"),
    listView: $("list-view"),
    viewMap: $("view-map"),
    viewList: $("view-list"),
    search: $("member-search"),
    markUnrecorded: $("mark-unrecorded"),
    selectMode: $("select-mode"),
    selectBar: $("select-bar"),
    selectHint: $("select-hint"),
    selectCount: $("select-count"),
    selectUnrecorded: $("select-unrecorded"),
    selectNone: $("select-none"),
    markSelected: $("mark-selected"),
    memberRows: $("member-rows"),
    memberDialog: $("member-dialog"),
    mdName: $("md-name"),
    mdMeta: $("md-meta"),
    mdStatus: $("md-status"),
    mdReason: $("md-reason"),
    annCurrent: $("ann-current"),
    annForm: $("announce-form"),
    annText: $("ann-text"),
    annClear: $("ann-clear"),
    displays: $("displays"),
    rcIdle: $("rc-idle"),
    rcStart: $("rc-start"),
    rcSeconds: $("rc-seconds"),
    rcLast: $("rc-last"),
    rcOpen: $("rc-open"),
    rcConfirmed: $("rc-confirmed"),
    rcExpected: $("rc-expected"),
    rcCountdown: $("rc-countdown"),
    rcEnd: $("rc-end"),
    rcDialog: $("rollcall-dialog"),
    rcDialogText: $("rcd-text"),
    rcDialogKeep: $("rcd-keep"),
  };

  let dialogMember = null; // member_id shown in the member dialog
  let lastCurrent = undefined;
  let moving = false; // a navigation command is in flight
  let awaiting; // the item an ok navigation reply named, until an agenda event or snapshot arrives
  let jumpTarget = null; // {item_id, expect_current}: what the chair saw when clicking an item
  let selecting = false; // selection mode: a seat or a row toggles its member instead of opening the dialog
  const selected = new Set(); // member_ids chosen for "mark selected present"
  let marking = false; // "mark selected present" is in flight
  let seatFocus = null; // member_id of the seat that takes the seat map's one Tab stop (roving tabindex)

  const hub = new Hub(sittingId, {
    onState: (state, type, data) => render(state, type, data),
    onStatus: (status, h) => {
      Faces.setConnection(ui.conn, status, h.degraded);
      document.body.classList.toggle("disconnected", status !== "live");
    },
    onError: (err) => Faces.toast(Faces.errorMessage(err)),
  });
  const send = Faces.sender(hub);

  // ---- rendering ---------------------------------------------------------

  function render(state, type, data) {
    // Once per frame: a part is drawn again when any of the frame's changes touches it (Hub.touched).
    const touched = (test) => !type || Hub.touched(type, data, test);
    if (touched((t) => t.startsWith("agenda"))) awaiting = undefined;
    renderHeader(state);
    if (touched((t) => t.startsWith("agenda") || t === "sitting.status" || t === "documents.changed")) {
      Faces.keepFocus(() => renderAgenda(state));
    }
    if (touched((t) => t.startsWith("attendance") || t === "roll_call.changed")) {
      renderAttendance(state);
    }
    renderRollCall(state);
    if (touched((t) => t === "sitting.announcement")) renderAnnouncement(state);
    if (touched((t) => t === "display.updated")) Faces.keepFocus(() => renderDisplays(state));
    applyLive(state);
    tick();
  }

  /* What needs a live sitting is disabled while it is not (before the opening, after the
   * closing): the server would only answer "not live". The displays can be switched at any time. */
  const LIVE_ONLY = "#agenda-prev, #agenda-next, #agenda-list button, #insert-form input, #insert-form select, " +
    "#insert-form textarea, #insert-form button, #member-dialog .mark, #md-reason, #announce-form textarea, " +
    "#announce-form button, #mark-unrecorded, #mark-selected, #rc-start, #rc-end";
  function applyLive(state) {
    const live = state.sitting.status === "live";
    let reenabled = false;
    for (const el of document.querySelectorAll(LIVE_ONLY)) {
      if (!live && !el.disabled) {
        el.disabled = true;
        el.dataset.offByStatus = "1";
      } else if (live && el.dataset.offByStatus) {
        delete el.dataset.offByStatus;
        el.disabled = false;
        reenabled = true;
      }
    }
    if (reenabled) {  // the controls that are also off for reasons of their own
      renderNav(state);
      renderAnnouncement(state);
      renderSelection(state);
    }
  }

  function renderHeader(state) {
    const s = state.sitting;
    ui.title.textContent = s.title;
    ui.status.className = `badge status-${s.status}`;
    ui.status.textContent = Faces.SITTING_STATUS[s.status] || s.status;
    ui.open.hidden = s.status !== "scheduled";
    ui.close.hidden = s.status !== "live";
    showReopen(state);
    document.body.dataset.sittingStatus = s.status;
  }

  // A sitting closed by mistake can be reopened for a while (the server says until when).
  function showReopen(state) {
    const s = state.sitting;
    ui.reopen.hidden = !(s.status === "closed" && s.reopen_until && Date.parse(s.reopen_until) > hub.now());
  }

  function currentItem(state) {
    const id = state.agenda.current_item_id;
    return id ? state.agenda.items.find((i) => i.id === id) : null;
  }

  function siblingsOf(state, item) {
    return state.agenda.items.filter((i) => i.parent_id === item.parent_id);
  }

  function renderAgenda(state) {
    const items = state.agenda.items;
    const cur = currentItem(state);
    const s = state.sitting;

    if (cur) {
      ui.nowCard.classList.add("has-item");
      ui.nowTitle.textContent = `${cur.number}. ${cur.title}`;
      ui.nowMeta.textContent = [Faces.ITEM_KIND[cur.kind], cur.presenter].filter(Boolean).join(" · ");
      ui.nowTimer.hidden = false;
    } else {
      ui.nowCard.classList.remove("has-item");
      ui.nowTitle.textContent = s.status === "closed" ? gettext("Phiên họp đã bế mạc.") : gettext("Chưa bắt đầu mục nào");
      ui.nowMeta.textContent = s.status === "live" ? gettext("Bấm “Mục tiếp theo” để bắt đầu chương trình.") : "";
      ui.nowTimer.hidden = true;
    }

    if (s.status === "scheduled") {
      ui.hint.hidden = false;
      ui.hint.textContent = gettext("Phiên họp chưa khai mạc. Bấm “Khai mạc phiên họp” ở trên cùng để bắt đầu.");
    } else {
      ui.hint.hidden = true;
    }

    const done = items.filter((i) => i.status === "done").length;
    ui.agendaSummary.textContent = interpolate(gettext("%(done)s/%(total)s mục đã xong"), { done, total: items.length }, true);

    Faces.fill(ui.agenda, ...items.map((item) => agendaRow(state, item)));
    if (cur && cur.id !== lastCurrent) showCurrentAndNext(state, cur);
    lastCurrent = cur ? cur.id : null;
    renderInsertOptions(items);
    renderNav(state);
  }

  /* After a move, the current item and the one "next" goes to are both in the list's view (the list
   * scrolls, never the page: at 1366x768 the chair keeps the buttons and both items on one screen). */
  function showCurrentAndNext(state, cur) {
    const list = ui.agenda;
    const row = (item) => item && list.querySelector(`.item[data-item-id="${item.id}"]`);
    const first = row(cur);
    if (!first) return;
    const last = row(nextTarget(state, cur)) || first;
    const box = list.getBoundingClientRect();
    const offset = (el) => el.getBoundingClientRect().top - box.top - list.clientTop + list.scrollTop;
    const top = offset(first);
    const bottom = offset(last) + last.offsetHeight;
    if (top >= list.scrollTop && bottom <= list.scrollTop + list.clientHeight) return;
    // Both, with a little of the item before for context, the current one first if both do not fit.
    const above = first.previousElementSibling ? Math.min(first.previousElementSibling.offsetHeight, 48) : 0;
    list.scrollTop = Math.max(0, Math.min(top, Math.max(top - above, bottom - list.clientHeight)));
  }

  /* Where "next" and "previous" go, by the server's rule (agenda/services.py; docs/protocol.md
   * "Agenda rules"), so that each button can name its item. The server decides; a button
   * that named another item than the server would pick is refused as stale, never obeyed. */
  function nextTarget(state, cur) {
    const items = state.agenda.items;
    const open = items.filter((i) => i.status !== "postponed");
    if (!cur) return open.find((i) => i.status === "pending") || open[0] || null;
    const at = items.indexOf(cur);
    return open.find((i) => items.indexOf(i) > at) || null;
  }

  function previousTarget(state, cur) {
    if (!cur) return null;
    const items = state.agenda.items;
    const at = items.indexOf(cur);
    const earlier = items.filter((i) => i.status !== "postponed" && items.indexOf(i) < at);
    return earlier.length ? earlier[earlier.length - 1] : null;
  }

  function renderNav(state) {
    const cur = currentItem(state);
    const busy = moving || awaiting !== undefined;
    const targets = [
      [ui.next, ui.nextTarget, nextTarget(state, cur), gettext("Mục tiếp theo: %(num)s. %(title)s"), gettext("Không còn mục nào phía sau")],
      [ui.prev, ui.prevTarget, previousTarget(state, cur), gettext("Mục trước: %(num)s. %(title)s"), gettext("Không có mục nào phía trước")],
    ];
    for (const [button, line, item, named, none] of targets) {
      const label = item ? interpolate(named, { num: item.number, title: item.title }, true) : none;
      line.textContent = item ? `${item.number}. ${item.title}` : none;
      button.dataset.target = item ? item.id : "";
      button.title = label;
      button.setAttribute("aria-label", label);
      button.disabled = busy || !item;
    }
  }

  /* Send a move of the hall, one at a time, saying which item the page showed as current
   * (or, for a jump, the one it showed when the chair clicked the item). */
  function navigate(cmd, args, button) {
    if (moving || awaiting !== undefined || !hub.state) return;
    moving = true;
    renderNav(hub.state);
    const seen = "expect_current" in args ? args : { ...args, expect_current: hub.state.agenda.current_item_id };
    send(cmd, seen, button).then((data) => {
      // The reply may overtake its event: stay disabled until the agenda changes.
      if (hub.state && hub.state.agenda.current_item_id !== data.current_item_id) awaiting = data.current_item_id;
    }, () => {}).finally(() => {
      moving = false;
      if (hub.state) renderNav(hub.state);
    });
  }

  /* A click on an agenda item moves every screen in the hall: ask first. */
  function askJump(item) {
    const cur = currentItem(hub.state);
    if (cur && cur.id === item.id) return; // already where the hall is
    jumpTarget = { item_id: item.id, expect_current: cur ? cur.id : null };
    ui.jdTarget.textContent = `${item.number}. ${item.title}`;
    ui.jdFrom.textContent = cur
      ? interpolate(gettext("Đang thực hiện: %(num)s. %(title)s"), { num: cur.number, title: cur.title }, true)
      : gettext("Chưa bắt đầu mục nào");
    ui.jumpDialog.returnValue = "";
    ui.jumpDialog.showModal();
  }

  function agendaRow(state, item) {
    const sibs = siblingsOf(state, item);
    const index = sibs.indexOf(item);
    const minutes = item.planned_minutes
      ? interpolate(gettext("%(n)s phút"), { n: item.planned_minutes }, true) : "";
    const tools = [
      h("button", {
        type: "button", class: "icon", title: gettext("Chuyển lên"), "aria-label": gettext("Chuyển lên"),
        dataset: { key: `up-${item.id}` }, disabled: index <= 0,
        onclick: (e) => send("agenda.move", { item_id: item.id, parent_id: item.parent_id, index: index - 1 }, e.currentTarget),
      }, "▲"),
      h("button", {
        type: "button", class: "icon", title: gettext("Chuyển xuống"), "aria-label": gettext("Chuyển xuống"),
        dataset: { key: `down-${item.id}` }, disabled: index >= sibs.length - 1,
        onclick: (e) => send("agenda.move", { item_id: item.id, parent_id: item.parent_id, index: index + 1 }, e.currentTarget),
      }, "▼"),
      item.status === "postponed"
        ? h("button", {
          type: "button", class: "small-btn restore", dataset: { key: `restore-${item.id}` },
          onclick: (e) => send("agenda.restore", { item_id: item.id }, e.currentTarget),
        }, gettext("Khôi phục"))
        : h("button", {
          type: "button", class: "small-btn postpone", dataset: { key: `postpone-${item.id}` },
          onclick: (e) => send("agenda.postpone", { item_id: item.id }, e.currentTarget),
        }, pgettext("button: postpone an agenda item", "Hoãn")),
    ];
    return h("li", {
      // The current item is highlighted; an item above it shows "in progress" (status current) only.
      class: `item status-${item.status}${item.id === state.agenda.current_item_id ? " current" : ""}`,
      dataset: { itemId: item.id, depth: item.depth },
      style: `--depth:${item.depth}`,
      "aria-current": item.id === state.agenda.current_item_id ? "step" : null,
    },
    h("button", {
      type: "button", class: "item-main", dataset: { key: `jump-${item.id}` },
      title: gettext("Chuyển tới mục này"),
      "aria-haspopup": "dialog",
      onclick: () => askJump(item),
    },
    h("span", { class: "num" }, item.number),
    h("span", { class: "item-text" },
      h("span", { class: "item-title" }, item.title),
      h("span", { class: "item-meta" },
        h("span", { class: `badge item-status status-${item.status}` }, Faces.ITEM_STATUS[item.status] || item.status),
        " ", [Faces.ITEM_KIND[item.kind], item.presenter, minutes].filter(Boolean).join(" · ")),
      itemDocs(state, item))),
    h("span", { class: "item-tools" }, tools));
  }

  /* The item's documents: how many, their titles; drafts (not yet sent to delegates) marked. */
  function itemDocs(state, item) {
    const docs = state.documents;
    if (!docs) return null;
    const entry = docs.items.find((e) => e.item_id === item.id);
    if (!entry || !entry.documents.length) return null;
    const byId = new Map(docs.list.map((d) => [d.id, d]));
    const refs = entry.documents.map((id) => byId.get(id)).filter(Boolean);
    const drafts = refs.filter((d) => d.status !== "published").length;
    const names = refs.map((d) => [d.number, d.summary].filter(Boolean).join(" — "));
    return h("span", { class: "item-docs", title: names.join("\n"), dataset: { count: refs.length } },
      h("span", { class: "item-docs-n" }, interpolate(ngettext("%(n)s tài liệu", "%(n)s tài liệu", refs.length), { n: refs.length }, true)),
      drafts ? h("span", { class: "item-docs-draft" }, interpolate(gettext("%(n)s chưa phát hành"), { n: drafts }, true)) : null,
      h("span", { class: "item-docs-names" }, names.join(" · ")));
  }

  function renderInsertOptions(items) {
    const previous = ui.insertAfter.value;
    const options = [h("option", { value: "" }, gettext("Cuối chương trình"))];
    for (const item of items) {
      const label = interpolate(gettext("Sau mục %(num)s. %(title)s"), { num: item.number, title: item.title }, true);
      options.push(h("option", { value: item.id }, "\u00a0\u00a0".repeat(item.depth) + label));
    }
    Faces.fill(ui.insertAfter, ...options);
    if ([...ui.insertAfter.options].some((o) => o.value === previous)) ui.insertAfter.value = previous;
  }

  function statusKey(row) {
    return row.status || "none";
  }

  function renderAttendance(state) {
    const q = state.quorum;
    ui.qPresent.textContent = q.present;
    ui.qTotal.textContent = q.total;
    ui.qBadge.className = `badge ${q.met ? "met" : "unmet"}`;
    ui.qBadge.textContent = q.met ? gettext("Đủ túc số") : gettext("Chưa đủ túc số");
    const width = 400;
    const frac = q.total ? q.present / q.total : 0;
    const need = q.total ? q.required / q.total : 0;
    ui.qFill.setAttribute("width", String(Math.round(width * frac)));
    ui.qFill.setAttribute("class", `g-fill ${q.met ? "met" : "unmet"}`);
    const x = Math.round(width * need);
    ui.qMark.setAttribute("x1", String(x));
    ui.qMark.setAttribute("x2", String(x));
    ui.qNeed.style.left = `${(100 * need).toFixed(1)}%`;
    ui.qNeed.textContent = interpolate(gettext("cần %(n)s"), { n: q.required }, true);
    ui.qCaption.textContent = interpolate(
      gettext("Cần ít nhất %(required)s/%(total)s đại biểu có mặt (tỉ lệ %(rule)s)"),
      { required: q.required, total: q.total, rule: q.rule }, true);

    const delegates = state.attendance.filter((r) => r.counts);
    const tally = { present: 0, absent: 0, excused: 0, none: 0 };
    for (const r of delegates) tally[statusKey(r)] += 1;
    const others = state.attendance.length - delegates.length;
    const counts = ["present", "absent", "excused", "none"].map((k) =>
      h("li", { class: `count ${k}`, dataset: { count: k } }, h("strong", {}, tally[k]), " ", Faces.ATTENDANCE[k]));
    if (others) counts.push(h("li", { class: "count guests" }, h("strong", {}, others), " ", gettext("khách mời, đại biểu mời")));
    Faces.fill(ui.counts, ...counts);

    renderSelection(state);  // the seat map and the list, as selected
    if (dialogMember !== null) fillMemberDialog(state);
  }

  /* The roll call before a vote (state.roll_call; docs/protocol.md "Roll call"): start it, follow
   * how many confirmed, end it. A delegate confirmed = recorded present at or after its start; the
   * seats of those present who have not confirmed yet are marked on the map. Its countdown is the
   * server's clock; at zero nothing happens by itself: the chair ends it. */
  function micros(iso) {
    const fraction = /\.(\d+)/.exec(iso);
    return Date.parse(iso) * 1000 + Number(((fraction ? fraction[1] : "") + "000000").slice(3, 6));
  }

  function openRollCall(state) {
    const rc = state.roll_call;
    return rc && !rc.ended_at ? rc : null;
  }

  /* Present, counted for quorum, recorded before the open roll call started: not confirmed yet. */
  function pendingIn(rc, row) {
    return Boolean(rc) && row.counts && row.status === "present" && Boolean(row.at) && micros(row.at) < micros(rc.started_at);
  }

  function renderRollCall(state) {
    const rc = openRollCall(state);
    ui.rcIdle.hidden = Boolean(rc);
    ui.rcOpen.hidden = !rc;
    if (rc) {
      ui.rcConfirmed.textContent = rc.confirmed;
      ui.rcExpected.textContent = rc.expected;
    } else {
      const last = state.roll_call;
      ui.rcLast.textContent = last ? interpolate(
        gettext("Lần trước (%(t)s): %(confirmed)s/%(expected)s xác nhận, %(absent)s ghi vắng"),
        { t: Faces.timeOfDay(Date.parse(last.ended_at), tz, false), confirmed: last.confirmed, expected: last.expected,
          absent: last.marked_absent }, true) : "";
    }
    rollCallCountdown(state);
  }

  function rollCallCountdown(state) {
    const rc = openRollCall(state);
    const endsAt = rc ? rc.ends_at : null;
    ui.rcCountdown.hidden = !endsAt;
    if (!endsAt) return;
    const left = (Date.parse(endsAt) - hub.now()) / 1000;
    ui.rcCountdown.textContent = left > 0 ? HubTime.formatDuration(Math.ceil(left)) : gettext("Hết giờ");
    ui.rcCountdown.classList.toggle("over", left <= 0);
  }

  function seatStatus(rollCall, row) {
    const status = Faces.ATTENDANCE[statusKey(row)];
    return pendingIn(rollCall, row) ? `${status} (${gettext("chưa xác nhận điểm danh lại")})` : status;
  }

  function renderSeatmap(state) {
    const rollCall = openRollCall(state);
    const rows = new Map();
    const unseated = [];
    for (const r of state.attendance) {
      if (r.seat_row === null || r.seat_row === undefined) unseated.push(r);
      else {
        if (!rows.has(r.seat_row)) rows.set(r.seat_row, []);
        rows.get(r.seat_row).push(r);
      }
    }
    // One Tab stop for the whole map (roving tabindex): the arrow keys move between seats.
    const ids = state.attendance.map((r) => r.member_id);
    if (!ids.includes(seatFocus)) seatFocus = null;
    const seatButton = (r) => h("button", {
      type: "button",
      class: `seat ${statusKey(r)}${r.counts ? "" : " guest"}${selected.has(r.member_id) ? " selected" : ""}${
        pendingIn(rollCall, r) ? " pending" : ""}`,
      dataset: { memberId: r.member_id, seat: r.seat || "", key: `seat-${r.member_id}` },
      title: `${r.seat ? r.seat + " · " : ""}${r.name} — ${seatStatus(rollCall, r)}`,
      "aria-label": `${r.seat || ""} ${r.name}: ${seatStatus(rollCall, r)}`,
      "aria-pressed": selecting ? String(selected.has(r.member_id)) : null,
      tabindex: "-1",
      onclick: () => pick(r.member_id),
      onfocus: () => { seatFocus = r.member_id; },
    }, r.seat || initials(r.name));
    Faces.keepFocus(() => {
      Faces.fill(ui.seatmap, ...[...rows.entries()].sort((a, b) => a[0] - b[0]).map(([row, seats]) =>
        h("div", { class: "seat-row" },
          h("span", { class: "row-label", "aria-hidden": "true" }, rowLetter(seats)),
          seats.sort((a, b) => a.seat_number - b.seat_number).map(seatButton))));
      Faces.fill(ui.unseated, ...(unseated.length
        ? [h("span", { class: "row-label wide" }, gettext("Không có ghế")), ...unseated.map(seatButton)] : []));
      const stop = seats().find((b) => Number(b.dataset.memberId) === seatFocus) || seats()[0];
      if (stop) stop.tabIndex = 0;
    });
  }

  function seats() {
    return [...ui.seatmap.querySelectorAll(".seat"), ...ui.unseated.querySelectorAll(".seat")];
  }

  /* Arrow keys in the seat map: left and right along a row, up and down to the nearest seat of the
   * row before or after, Home and End to the first and last seat. */
  function seatKey(e) {
    const seat = e.target.closest(".seat");
    if (!seat) return;
    const all = seats();
    const rows = [...ui.seatmap.querySelectorAll(".seat-row"), ui.unseated].map((row) => [...row.querySelectorAll(".seat")])
      .filter((row) => row.length);
    const r = rows.findIndex((row) => row.includes(seat));
    let to = null;
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      to = all[all.indexOf(seat) + (e.key === "ArrowLeft" ? -1 : 1)];
    } else if (e.key === "ArrowUp" || e.key === "ArrowDown") {
      const row = rows[r + (e.key === "ArrowUp" ? -1 : 1)];
      if (row) {
        const x = seat.getBoundingClientRect().left;
        to = row.reduce((a, b) => (Math.abs(b.getBoundingClientRect().left - x) < Math.abs(a.getBoundingClientRect().left - x) ? b : a));
      }
    } else if (e.key === "Home") to = all[0];
    else if (e.key === "End") to = all[all.length - 1];
    else return;
    e.preventDefault();
    if (!to) return;
    seat.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  }

  function rowLetter(seats) {
    const label = seats[0] && seats[0].seat;
    return label ? label.replace(/\d+$/, "") : "";
  }

  function initials(name) {
    return name.split(/\s+/).filter(Boolean).slice(-2).map((p) => p[0]).join("");
  }

  function renderMemberList(state) {
    // Without diacritics on both sides: "hung" finds "Hùng", "dung" finds "Dũng" and "Đông Dũng".
    const q = Faces.fold(ui.search.value.trim());
    const rows = state.attendance.filter((r) => !q
      || [r.name, r.seat, r.group].some((v) => v && Faces.fold(v).includes(q)));
    Faces.fill(ui.memberRows, ...rows.map((r) => h("tr", {
      class: `member-row ${statusKey(r)}${selected.has(r.member_id) ? " selected" : ""}`,
      dataset: { memberId: r.member_id, key: `row-${r.member_id}` }, tabindex: "0",
      "aria-selected": selecting ? String(selected.has(r.member_id)) : null,
      onclick: () => pick(r.member_id),
      onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(r.member_id); } },
    },
    h("td", {}, selecting ? h("span", { class: "tick", "aria-hidden": "true" }, selected.has(r.member_id) ? "☑" : "☐") : null,
      r.seat || "—"),
    h("td", {}, r.name, r.counts ? null : h("span", { class: "muted" }, " · ", gettext("khách mời"))),
    h("td", {}, r.group || ""),
    h("td", {}, h("span", { class: `tag ${statusKey(r)}` }, Faces.ATTENDANCE[statusKey(r)]),
      r.reason ? h("span", { class: "muted reason" }, ` ${r.reason}`) : null))));
    if (!rows.length) {
      Faces.fill(ui.memberRows, h("tr", {}, h("td", { colspan: "4", class: "muted" }, gettext("Không tìm thấy thành viên nào."))));
    }
  }

  /* A seat or a row was chosen: in selection mode it joins or leaves the selection, else its dialog opens. */
  function pick(memberId) {
    if (!selecting) return openMember(memberId);
    if (selected.has(memberId)) selected.delete(memberId);
    else selected.add(memberId);
    renderSelection(hub.state);
  }

  function setSelecting(on) {
    selecting = on;
    selected.clear();
    ui.selectMode.setAttribute("aria-pressed", String(on));
    ui.selectMode.textContent = on ? gettext("Xong") : gettext("Chọn nhiều người");
    ui.selectBar.hidden = !on;
    ui.selectHint.hidden = !on;
    document.body.classList.toggle("selecting", on);
    if (hub.state) renderSelection(hub.state);
  }

  function renderSelection(state) {
    const known = new Set(state.attendance.map((r) => r.member_id));
    for (const id of [...selected]) if (!known.has(id)) selected.delete(id);
    ui.selectCount.textContent = interpolate(ngettext("Đã chọn %(n)s người", "Đã chọn %(n)s người", selected.size),
      { n: selected.size }, true);
    ui.markSelected.textContent = selected.size
      ? interpolate(gettext("Ghi có mặt (%(n)s)"), { n: selected.size }, true) : gettext("Ghi có mặt");
    if (!ui.markSelected.dataset.offByStatus) ui.markSelected.disabled = !selected.size || marking;
    renderSeatmap(state);
    Faces.keepFocus(() => renderMemberList(state));
  }

  function openMember(memberId) {
    dialogMember = memberId;
    const row = hub.state.attendance.find((r) => r.member_id === memberId);
    ui.mdReason.value = row && row.reason ? row.reason : "";
    fillMemberDialog(hub.state);
    if (!ui.memberDialog.open) ui.memberDialog.showModal();
  }

  function fillMemberDialog(state) {
    const row = state.attendance.find((r) => r.member_id === dialogMember);
    if (!row) return;
    ui.mdName.textContent = row.name;
    ui.mdMeta.textContent = [row.seat ? interpolate(gettext("Ghế %(seat)s"), { seat: row.seat }, true) : null, row.group,
      row.counts ? gettext("Đại biểu") : gettext("Khách mời / đại biểu mời")].filter(Boolean).join(" · ");
    const parts = [Faces.ATTENDANCE[statusKey(row)]];
    if (row.method) parts.push(Faces.METHOD[row.method] || row.method);
    if (row.at) parts.push(Faces.timeOfDay(Date.parse(row.at), tz, false));
    Faces.fill(ui.mdStatus, h("span", { class: `tag ${statusKey(row)}` }, parts.join(" · ")),
      row.reason ? h("span", { class: "reason" }, " ", interpolate(gettext("Lý do: %(r)s"), { r: row.reason }, true)) : null);
    for (const b of ui.memberDialog.querySelectorAll(".mark")) {
      b.setAttribute("aria-pressed", b.dataset.status === row.status ? "true" : "false");
    }
  }

  function renderAnnouncement(state) {
    const a = state.announcement;
    Faces.fill(ui.annCurrent, a
      ? h("span", {}, h("span", { class: "on-air" }, gettext("Đang hiển thị")), " ", a.text)
      : h("span", { class: "muted" }, gettext("Không có thông báo nào đang hiển thị.")));
    ui.annClear.disabled = !a;
  }

  /* Each display's card: its name, a live thumbnail of what the hall sees (its preview page in a
   * frame: the hall's slides are sized to the window, so a small frame shows the same slide, smaller),
   * the slide it shows and the buttons that change it. The frame is kept across renders (moving or
   * re-creating it would load the page again); the rest of the card is drawn anew. */
  const thumbs = new Map(); // display id -> its thumbnail element
  function renderDisplays(state) {
    const displays = state.displays || [];
    const slides = state.slides || [];
    const titleOf = (key) => (slides.find((s) => s.key === key) || { title: key }).title;
    for (const [id, el] of thumbs) {
      if (!displays.some((d) => d.id === id)) { el.remove(); thumbs.delete(id); }
    }
    if (!displays.length) {
      Faces.fill(ui.displays, h("p", { class: "muted" }, gettext("Chưa có màn hình nào theo dõi phiên họp này.")));
      return;
    }
    ui.displays.querySelector(":scope > p.muted")?.remove();
    let previous = null;
    for (const d of displays) {
      const href = `/display/preview/${d.id}/`;
      let card = ui.displays.querySelector(`:scope > .display-card[data-display-id="${d.id}"]`);
      if (!card) {
        card = h("div", { class: "display-card", dataset: { displayId: d.id } });
        const thumb = h("div", { class: "display-thumb", "aria-hidden": "true" },
        h("iframe", { src: href, title: interpolate(gettext("Hình thu nhỏ của %(name)s"), { name: d.name }, true),
          loading: "lazy", tabindex: "-1", scrolling: "no" }));
        thumbs.set(d.id, thumb);
        card.append(thumb);
        if (previous) previous.after(card); else ui.displays.prepend(card);
      }
      previous = card;
      const thumb = thumbs.get(d.id);
      for (const el of [...card.children]) if (el !== thumb) el.remove();
      card.prepend(h("div", { class: "display-head" }, screenIcon(), h("strong", {}, d.name),
        // What the hall sees on it, live, in a window of its own (displays.views.preview).
        h("a", { class: "display-preview", href, target: `preview-${d.id}`, rel: "noopener" }, gettext("Xem trước ↗"))));
      thumb.after(
        h("div", { class: "display-now" }, h("span", { class: "muted" }, gettext("Đang chiếu:")), " ",
          h("span", { class: "now-slide" }, titleOf(d.slide))),
        h("div", { class: "slide-buttons", role: "group", "aria-label": d.name },
          slides.map((s) => h("button", {
            type: "button",
            class: `slide-btn${s.key === d.slide ? " on" : ""}`,
            "aria-pressed": s.key === d.slide ? "true" : "false",
            dataset: { slide: s.key, key: `slide-${d.id}-${s.key}` },
            onclick: (e) => send("display.set_slide", { display_id: d.id, slide: s.key }, e.currentTarget),
          }, s.title))));
    }
    for (const card of ui.displays.querySelectorAll(":scope > .display-card")) {
      if (!displays.some((d) => String(d.id) === card.dataset.displayId)) card.remove();
    }
  }

  function screenIcon() {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("class", "screen-icon");
    svg.setAttribute("aria-hidden", "true");
    svg.innerHTML = '<rect x="2" y="3" width="20" height="13" rx="2"/><path d="M8 21h8M12 16v5"/>';
    return svg;
  }

  // ---- the clock and the running item's timer ---------------------------

  function tick() {
    const now = hub.now();
    ui.clock.textContent = Faces.timeOfDay(now, tz, true);
    const state = hub.state;
    if (!state) return;
    showReopen(state);
    rollCallCountdown(state);
    const cur = currentItem(state);
    if (!cur) return;
    const t = Faces.timing(cur, now);
    ui.nowElapsed.textContent = t.elapsedText;
    ui.nowPlanned.textContent = t.plannedText ? `/ ${t.plannedText}` : gettext("(không định thời lượng)");
    ui.nowTimer.className = `timer ${t.level}`;
    ui.nowFill.style.width = `${Math.round(t.fraction * 100)}%`;
  }
  setInterval(tick, 500);
  tick();

  // ---- controls -----------------------------------------------------------

  ui.open.addEventListener("click", (e) => send("sitting.open", {}, e.currentTarget).catch(() => {}));
  ui.close.addEventListener("click", () => ui.closeDialog.showModal());
  ui.reopen.addEventListener("click", () => {
    const until = hub.state && hub.state.sitting.reopen_until;
    ui.reopenUntil.textContent = until
      ? interpolate(gettext("Có thể mở lại đến %(t)s. Mọi màn hình và máy tính bảng sẽ thấy phiên họp tiếp tục."),
        { t: Faces.timeOfDay(Date.parse(until), tz, false) }, true) : "";
    ui.reopenReason.value = "";
    ui.reopenDialog.showModal();
  });
  ui.reopenDialog.addEventListener("close", () => {
    if (ui.reopenDialog.returnValue !== "reopen") return;
    send("sitting.reopen", { reason: ui.reopenReason.value.trim() }, ui.reopen).catch(() => {});
  });
  ui.closeDialog.addEventListener("close", () => {
    if (ui.closeDialog.returnValue === "close") send("sitting.close", {}, ui.close).catch(() => {});
  });
  ui.prev.addEventListener("click", (e) => navigate("agenda.previous", {}, e.currentTarget));
  ui.next.addEventListener("click", (e) => navigate("agenda.next", {}, e.currentTarget));
  ui.jumpDialog.addEventListener("close", () => {
    const target = jumpTarget;
    jumpTarget = null;
    // What the chair saw when clicking the item, not what the hall shows now: if it moved
    // meanwhile, the server refuses the jump as stale and the chair decides again.
    if (ui.jumpDialog.returnValue === "jump" && target) navigate("agenda.jump", target, null);
  });

  ui.insertForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const f = new FormData(ui.insertForm);
    const afterId = f.get("after") ? Number(f.get("after")) : null;
    const after = afterId ? hub.state.agenda.items.find((i) => i.id === afterId) : null;
    const args = {
      title: String(f.get("title") || "").trim(),
      kind: String(f.get("kind")),
      presenter: String(f.get("presenter") || "").trim(),
      planned_minutes: Number(f.get("planned_minutes") || 0),
      parent_id: after ? after.parent_id : null,
      after_id: after ? after.id : null,
    };
    const button = ui.insertForm.querySelector("button[type=submit]");
    if (button.disabled) return;
    button.disabled = true; // a double submit would add the item twice
    send("agenda.insert", args, button).then(() => {
      ui.insertForm.reset();
      ui.insertBox.open = false;
      Faces.toast(gettext("Đã thêm mục vào chương trình."), "ok");
    }, () => {}).finally(() => { button.disabled = false; });
  });

  function setView(list) {
    ui.seatView.hidden = list;
    ui.listView.hidden = !list;
    ui.viewMap.setAttribute("aria-selected", String(!list));
    ui.viewList.setAttribute("aria-selected", String(list));
    if (list) ui.search.focus();
  }
  ui.viewMap.addEventListener("click", () => setView(false));
  ui.viewList.addEventListener("click", () => setView(true));
  ui.search.addEventListener("input", () => hub.state && renderMemberList(hub.state));
  // Everyone not recorded yet, absent in one step (one dialog per member took 62 clicks).
  ui.markUnrecorded.addEventListener("click", () => {
    const left = hub.state ? hub.state.attendance.filter((r) => !r.status).length : 0;
    if (!left) return Faces.toast(gettext("Mọi thành viên đã được điểm danh."), "ok");
    const ask = interpolate(ngettext("Ghi vắng %(n)s người chưa điểm danh?", "Ghi vắng %(n)s người chưa điểm danh?", left),
      { n: left }, true);
    if (!window.confirm(ask)) return;
    send("attendance.mark_unrecorded", { status: "absent" }, ui.markUnrecorded)
      .then((data) => Faces.toast(interpolate(ngettext("Đã ghi vắng %(n)s người.", "Đã ghi vắng %(n)s người.", data.marked), { n: data.marked }, true), "ok"), () => {});
  });

  // The roll call before a vote: started with the chosen countdown, ended after saying how many will be recorded absent.
  ui.rcStart.addEventListener("click", (e) => {
    const button = e.currentTarget;
    if (button.getAttribute("aria-busy")) return;
    const seconds = ui.rcSeconds.value ? Number(ui.rcSeconds.value) : null;
    send("attendance.roll_call_start", { seconds }, button).catch(() => {});
  });
  ui.rcEnd.addEventListener("click", () => {
    const rc = hub.state && openRollCall(hub.state);
    if (!rc) return;
    const left = hub.state.attendance.filter((r) => pendingIn(rc, r)).length;
    ui.rcDialogText.textContent = left
      ? interpolate(ngettext("%(n)s đại biểu chưa xác nhận sẽ được ghi vắng.", "%(n)s đại biểu chưa xác nhận sẽ được ghi vắng.", left),
        { n: left }, true)
      : gettext("Mọi đại biểu có mặt đã xác nhận; không ai bị ghi vắng.");
    ui.rcDialogKeep.hidden = !left;
    ui.rcDialog.returnValue = "";
    ui.rcDialog.showModal();
  });
  ui.rcDialog.addEventListener("close", () => {
    const answer = ui.rcDialog.returnValue;
    if (answer !== "absent" && answer !== "keep") return;
    send("attendance.roll_call_end", { mark_absent: answer === "absent" }, ui.rcEnd)
      .then((data) => Faces.toast(data.marked_absent
        ? interpolate(ngettext("Đã kết thúc điểm danh lại: %(c)s xác nhận, %(n)s ghi vắng.",
          "Đã kết thúc điểm danh lại: %(c)s xác nhận, %(n)s ghi vắng.", data.marked_absent),
        { c: data.confirmed, n: data.marked_absent }, true)
        : interpolate(gettext("Đã kết thúc điểm danh lại: %(c)s xác nhận."), { c: data.confirmed }, true), "ok"), () => {});
  });

  // Several members present in one command (attendance.mark_selected): quorum in a few taps, not 62 dialogs.
  ui.seatmap.addEventListener("keydown", seatKey);
  ui.unseated.addEventListener("keydown", seatKey);
  ui.selectMode.addEventListener("click", () => setSelecting(!selecting));
  ui.selectNone.addEventListener("click", () => { selected.clear(); renderSelection(hub.state); });
  ui.selectUnrecorded.addEventListener("click", () => {
    for (const r of hub.state.attendance) if (!r.status) selected.add(r.member_id);
    renderSelection(hub.state);
  });
  ui.markSelected.addEventListener("click", () => {
    if (!selected.size || marking) return;
    marking = true;
    ui.markSelected.disabled = true;  // a double tap sends one command
    send("attendance.mark_selected", { member_ids: [...selected], status: "present" }, ui.markSelected)
      .then((data) => {
        Faces.toast(interpolate(ngettext("Đã ghi có mặt %(n)s người.", "Đã ghi có mặt %(n)s người.", data.marked),
          { n: data.marked }, true), "ok");
        setSelecting(false);
      }, () => {})
      .finally(() => { marking = false; if (hub.state) renderSelection(hub.state); });
  });

  ui.memberDialog.addEventListener("close", () => {
    dialogMember = null;
  });
  for (const b of ui.memberDialog.querySelectorAll(".mark")) {
    b.addEventListener("click", () => {
      const memberId = dialogMember;
      send("attendance.mark", { member_id: memberId, status: b.dataset.status, reason: ui.mdReason.value.trim() }, b)
        .then(() => ui.memberDialog.close(), () => {});
    });
  }

  ui.annForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = ui.annText.value.trim();
    if (!text) {
      ui.annText.focus();
      return;
    }
    send("sitting.announce", { text }, ui.annForm.querySelector("button[type=submit]"))
      .then(() => { ui.annText.value = ""; }, () => {});
  });
  ui.annClear.addEventListener("click", (e) => send("sitting.announce", { text: "" }, e.currentTarget).catch(() => {}));
})();
