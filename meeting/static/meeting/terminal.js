/* The delegate terminal: follows the sitting through the hub, checks in,
 * opens the documents.
 *
 * It shows what the server's state says; the only actions are the
 * delegate's own check-in commands. When the network drops, the banner says
 * so; hub.js reconnects and catches up by itself.
 *
 * Documents (state.documents) open in a full-screen overlay that embeds the
 * library's viewer, so the hub connection and the rest of the page stay
 * alive; so does the library's search (the header's "Tra cứu"). Newly
 * published documents raise a notice. In the background the
 * session's documents are copied into the browser's cache (the library's
 * service worker serves them from there when the network drops).
 */
(function () {
  "use strict";

  const { gettext, ngettext, interpolate, h } = Faces;
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
    docsOpen: $("docs-open"),
    docsCount: $("docs-count"),
    docsNewDot: $("docs-new-dot"),
    docsNotice: $("docs-notice"),
    docsNoticeText: $("docs-notice-text"),
    docsSheet: $("docs-sheet"),
    docsGroups: $("docs-groups"),
    docsOffline: $("docs-offline"),
    nowDocs: $("now-docs"),
    nowDocsList: $("now-docs-list"),
    overlay: $("doc-overlay"),
    overlayTitle: $("doc-overlay-title"),
    overlayConn: $("doc-conn"),
    frame: $("doc-frame"),
    rollcall: $("rollcall"),
    rollcallAsk: $("rollcall-ask"),
    rollcallDone: $("rollcall-done"),
    rollcallCountdown: $("rollcall-countdown"),
    rollcallConfirm: $("rollcall-confirm"),
  };

  const DOC_KIND = {
    submission: gettext("Tờ trình"),
    report: gettext("Báo cáo"),
    review_report: gettext("Báo cáo thẩm tra"),
    proposal: gettext("Đề án"),
    draft_resolution: gettext("Dự thảo nghị quyết"),
    resolution: gettext("Nghị quyết"),
    invitation: gettext("Giấy mời, giấy triệu tập"),
    minutes: gettext("Biên bản"),
    other: gettext("Tài liệu khác"),
  };
  const newDocs = new Set();

  let lastCurrent;

  const hub = new Hub(sittingId, {
    onState: (state, type, data) => {
      for (const c of Hub.changes(type, data)) if (c.type === "documents.changed") noticeNewDocuments(state, c.data);
      render(state);  // once per frame
      if (Hub.touched(type, data, (t) => t === "documents.changed")) scheduleOfflineCopy();
    },
    onStatus: (status) => showConnection(status),
    onError: (err) => Faces.toast(Faces.errorMessage(err)),
  });
  const send = Faces.sender(hub);

  function showConnection(status) {
    Faces.setConnection(ui.conn, status);
    ui.overlayConn.className = `conn ${status}`;
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
    renderRollCall(state);
    renderQuorum(state.quorum);
    renderAgenda(state);
    renderDocuments(state);
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
    // Checking in needs a live sitting: before the opening the tablet says when, after the closing nothing.
    const live = state.sitting.status === "live";
    ui.meActions.hidden = status === "present" || !live;
    ui.meNote.hidden = live || status === "present" || state.sitting.status !== "scheduled";
    if (!ui.meNote.hidden) ui.meNote.textContent = gettext("Bạn điểm danh được khi phiên họp khai mạc.");
  }

  /* The roll call before a vote (state.roll_call, docs/protocol.md "Roll call"): while one is open, a
   * delegate counted for quorum confirms with one tap (attendance.check_in); confirmed = recorded
   * present at or after its start. Its countdown is the server's clock; at zero nothing happens by
   * itself (the chair ends it), the card says the time is up. */
  function micros(iso) {
    const fraction = /\.(\d+)/.exec(iso);
    return Date.parse(iso) * 1000 + Number(((fraction ? fraction[1] : "") + "000000").slice(3, 6));
  }

  function rollCallAsked(state) {
    const rc = state.roll_call;
    const you = hub.you || {};
    if (!rc || rc.ended_at || state.sitting.status !== "live" || !you.member_id) return null;
    const row = state.attendance.find((r) => r.member_id === you.member_id);
    if (!row || !row.counts) return null;
    return { rc, confirmed: row.status === "present" && Boolean(row.at) && micros(row.at) >= micros(rc.started_at) };
  }

  function renderRollCall(state) {
    const asked = rollCallAsked(state);
    ui.rollcall.hidden = !asked;
    if (!asked) return;
    ui.rollcall.dataset.confirmed = String(asked.confirmed);
    ui.rollcallAsk.hidden = asked.confirmed;
    ui.rollcallDone.hidden = !asked.confirmed;
    ui.rollcallConfirm.hidden = asked.confirmed;
    rollCallCountdown(state);
  }

  function rollCallCountdown(state) {
    const asked = rollCallAsked(state);
    const endsAt = asked && !asked.confirmed ? asked.rc.ends_at : null;
    ui.rollcallCountdown.hidden = !endsAt;
    if (!endsAt) return;
    const left = (Date.parse(endsAt) - hub.now()) / 1000;
    ui.rollcallCountdown.textContent = left > 0 ? HubTime.formatDuration(Math.ceil(left)) : gettext("Hết giờ");
    ui.rollcallCountdown.classList.toggle("over", left <= 0);
  }

  // Whether this delegate joined remotely (this tablet's last check-in): confirming keeps it so.
  const REMOTE_KEY = `hdnd-remote-${sittingId}`;
  function rememberRemote(remote) {
    try { localStorage.setItem(REMOTE_KEY, remote ? "1" : "0"); } catch (e) { /* private mode: in the hall */ }
  }
  function joinedRemotely() {
    try { return localStorage.getItem(REMOTE_KEY) === "1"; } catch (e) { return false; }
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
      ui.nowTitle.textContent = status === "closed" ? gettext("Phiên họp đã bế mạc.")
        : status === "scheduled" ? gettext("Phiên họp chưa khai mạc.") : gettext("Chưa bắt đầu mục nào.");
      ui.nowPresenter.textContent = "";
      ui.nowTimer.hidden = true;
    }

    // The current item is highlighted; an item above it shows "in progress" (status current) only.
    const here = state.agenda.current_item_id;
    Faces.fill(ui.agenda, ...items.map((item) => h("li", {
      class: `t-item status-${item.status}${item.id === here ? " current" : ""}`,
      dataset: { itemId: item.id, depth: item.depth },
      style: `--depth:${item.depth}`,
      "aria-current": item.id === here ? "step" : null,
    },
    h("span", { class: "t-num" }, item.number),
    h("span", { class: "t-text" },
      h("span", { class: "t-title" }, item.title, itemDocsChip(state, item)),
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

  /* ---- documents ---------------------------------------------------------------- */

  function docsOf(state) {
    return state.documents || { list: [], session: [], sitting: [], items: [] };
  }

  function itemDocs(state, itemId) {
    const docs = docsOf(state);
    const entry = docs.items.find((e) => e.item_id === itemId);
    const byId = new Map(docs.list.map((d) => [d.id, d]));
    return entry ? entry.documents.map((id) => byId.get(id)).filter(Boolean) : [];
  }

  function itemDocsChip(state, item) {
    const refs = itemDocs(state, item.id);
    if (!refs.length) return null;
    return h("button", {
      type: "button", class: "t-docs", dataset: { itemId: item.id },
      "aria-label": interpolate(ngettext("%(n)s tài liệu của mục này", "%(n)s tài liệu của mục này", refs.length), { n: refs.length }, true),
      onclick: (e) => {
        e.stopPropagation();
        if (refs.length === 1) openDoc(refs[0]); else openSheet(`item-${item.id}`);
      },
    }, docIcon(), String(refs.length));
  }

  function docIcon() {
    const svg = document.createElementNS(Faces.SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.innerHTML = '<path d="M6 3h8l4 4v14H6zM14 3v4h4M9 12h6M9 15.5h6"/>';
    return svg;
  }

  function docButton(ref) {
    const busy = ref.state && ref.state !== "ready";
    const meta = [
      ref.pages ? interpolate(ngettext("%(n)s trang", "%(n)s trang", ref.pages), { n: ref.pages }, true) : null,
      ref.version > 1 ? interpolate(gettext("phiên bản %(n)s"), { n: ref.version }, true) : null,
      busy ? (ref.state === "failed" ? gettext("lỗi xử lý") : gettext("đang xử lý")) : null,
    ].filter(Boolean).join(" · ");
    return h("li", {},
      h("button", {
        type: "button", class: `doc-btn${ref.status !== "published" ? " draft" : ""}${newDocs.has(ref.id) ? " is-new" : ""}`,
        dataset: { docId: ref.id }, onclick: () => openDoc(ref),
      },
      h("span", { class: "doc-icon", "aria-hidden": "true" }, docIcon(), h("span", {}, (ref.file_kind || "").toUpperCase())),
      h("span", { class: "doc-text" },
        h("span", { class: "doc-line" }, h("span", { class: "doc-kind" }, DOC_KIND[ref.kind] || ""),
          ref.number ? h("span", { class: "doc-number" }, ref.number) : null),
        h("span", { class: "doc-summary" }, ref.summary),
        meta ? h("span", { class: "doc-meta" }, meta) : null),
      newDocs.has(ref.id) ? h("span", { class: "doc-flag new" }, gettext("Mới")) : null,
      ref.status !== "published" ? h("span", { class: "doc-flag draft" }, gettext("Chưa phát hành")) : null));
  }

  function renderDocuments(state) {
    const docs = docsOf(state);
    const byId = new Map(docs.list.map((d) => [d.id, d]));
    const refs = (ids) => ids.map((id) => byId.get(id)).filter(Boolean);

    const cur = state.agenda.current_item_id;
    const mine = cur ? itemDocs(state, cur) : [];
    ui.nowDocs.hidden = !mine.length;
    Faces.fill(ui.nowDocsList, ...mine.map(docButton));

    ui.docsOpen.hidden = !docs.list.length;
    ui.docsCount.textContent = docs.list.length;
    ui.docsNewDot.hidden = !newDocs.size;
    docsCount = docs.list.length;
    describeDocsButton();

    const groups = [];
    const shown = new Set();
    for (const item of state.agenda.items) {
      const list = itemDocs(state, item.id);
      if (!list.length) continue;
      list.forEach((d) => shown.add(d.id));
      groups.push({ key: `item-${item.id}`, current: item.id === cur,
        title: interpolate(gettext("Mục %(n)s. %(t)s"), { n: item.number, t: item.title }, true), list });
    }
    const sittingDocs = refs(docs.sitting);
    sittingDocs.forEach((d) => shown.add(d.id));
    if (sittingDocs.length) groups.unshift({ key: "sitting", title: gettext("Tài liệu chung của phiên họp"), list: sittingDocs });
    const rest = refs(docs.session).filter((d) => !shown.has(d.id));
    if (rest.length) groups.push({ key: "session", title: gettext("Các tài liệu khác của kỳ họp"), list: rest });

    Faces.fill(ui.docsGroups, ...(groups.length ? groups.map((g) => h("section", {
      class: `docs-group${g.current ? " current" : ""}`, id: `docs-${g.key}`,
    }, h("h3", {}, g.title, g.current ? h("span", { class: "docs-now" }, gettext("Đang thực hiện")) : null),
    h("ul", { class: "doc-list" }, g.list.map(docButton)))) : [h("p", { class: "muted" }, gettext("Chưa có tài liệu nào."))]));
  }

  // The header's "Tài liệu 5 ✓" says in words what it means: how many documents, how many new,
  // and whether they are all kept on this device for reading without network (the ✓).
  let docsCount = 0;
  let offlineCopy = null; // {done, total} of the pages kept for reading offline
  function describeDocsButton() {
    const parts = [interpolate(ngettext("%(n)s tài liệu của kỳ họp", "%(n)s tài liệu của kỳ họp", docsCount), { n: docsCount }, true)];
    if (newDocs.size) parts.push(interpolate(ngettext("%(n)s tài liệu mới", "%(n)s tài liệu mới", newDocs.size), { n: newDocs.size }, true));
    if (offlineCopy && offlineCopy.total) {
      parts.push(offlineCopy.done >= offlineCopy.total ? gettext("đã lưu đủ để đọc khi mất mạng")
        : interpolate(gettext("đang lưu để đọc khi mất mạng (%(done)s/%(total)s trang)"), offlineCopy, true));
    }
    const text = parts.join(", ");
    ui.docsOpen.setAttribute("aria-label", text);
    ui.docsOpen.title = text;
  }

  function noticeNewDocuments(state, data) {
    const visible = new Set(docsOf(state).list.map((d) => d.id));
    const fresh = ((data && data.published) || []).filter((id) => visible.has(id));
    if (!fresh.length) return;
    fresh.forEach((id) => newDocs.add(id));
    ui.docsNoticeText.textContent = newDocs.size === 1 ? gettext("Có 1 tài liệu mới")
      : interpolate(gettext("Có %(n)s tài liệu mới"), { n: newDocs.size }, true);
    ui.docsNotice.hidden = false;
  }

  function openSheet(groupKey) {
    ui.docsNotice.hidden = true;
    ui.docsSheet.hidden = false;
    ui.docsOpen.setAttribute("aria-expanded", "true");
    const target = groupKey ? $(`docs-${groupKey}`) : ui.docsGroups.querySelector(".doc-btn.is-new, .docs-group.current");
    if (target) target.scrollIntoView({ block: "start" });
    ui.docsSheet.querySelector(".docs-close").focus({ preventScroll: true });
  }

  function closeSheet() {
    ui.docsSheet.hidden = true;
    ui.docsOpen.setAttribute("aria-expanded", "false");
  }

  let lastOpener = null;
  function openOverlay(title, src) {
    lastOpener = document.activeElement;
    ui.overlayTitle.textContent = title;
    ui.frame.src = src;
    ui.overlay.hidden = false;
    document.body.classList.add("doc-open");
    $("doc-close").focus();
  }

  function openDoc(ref) {
    newDocs.delete(ref.id);
    openOverlay([DOC_KIND[ref.kind], ref.number].filter(Boolean).join(" ") || ref.summary,
      `${ref.url}${ref.url.includes("?") ? "&" : "?"}embed=1`);
    if (newDocs.size === 0) ui.docsNotice.hidden = true;
    if (hub.state) renderDocuments(hub.state);
  }

  // Search over the whole library opens over the terminal too, so the sitting stays live underneath.
  const searchOpen = $("search-open");
  searchOpen.addEventListener("click", (e) => {
    e.preventDefault();
    closeSheet();
    openOverlay(gettext("Tra cứu tài liệu"), searchOpen.dataset.embed);
  });

  function closeDoc() {
    ui.overlay.hidden = true;
    document.body.classList.remove("doc-open");
    ui.frame.src = "about:blank";
    if (lastOpener && document.contains(lastOpener)) lastOpener.focus({ preventScroll: true });
  }

  ui.docsOpen.addEventListener("click", () => (ui.docsSheet.hidden ? openSheet() : closeSheet()));
  ui.docsNotice.addEventListener("click", () => openSheet());
  $("docs-close").addEventListener("click", closeSheet);
  $("doc-close").addEventListener("click", closeDoc);
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    if (!ui.overlay.hidden) closeDoc(); else if (!ui.docsSheet.hidden) closeSheet();
  });

  /* ---- the offline copy of the session's documents --------------------------------------- */

  const manifestUrl = root.dataset.offlineManifest;
  const canCopy = Boolean(manifestUrl && root.dataset.serviceWorker && "serviceWorker" in navigator
    && window.caches && window.isSecureContext);
  if (canCopy) navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: "/" }).catch(() => {});
  const PAGE = /\/page\/\d+\.webp$/;
  let copyTimer = null;
  let copying = false;
  let copyAgain = false;

  function scheduleOfflineCopy(delay) {
    if (!canCopy) return;
    clearTimeout(copyTimer);
    copyTimer = setTimeout(copyForOffline, delay === undefined ? 1000 : delay);
  }

  function showOfflineCopy(done, total) {
    ui.docsOffline.hidden = !total;
    ui.docsOffline.classList.toggle("complete", done >= total);
    ui.docsOffline.textContent = done >= total
      ? interpolate(gettext("Đã lưu đủ %(total)s trang để đọc khi mất mạng."), { total }, true)
      : interpolate(gettext("Đã lưu %(done)s/%(total)s trang để đọc khi mất mạng"), { done, total }, true);
    ui.docsOpen.classList.toggle("saved", total > 0 && done >= total);
    offlineCopy = { done, total };
    describeDocsButton();
  }

  async function copyForOffline() {
    if (copying) { copyAgain = true; return; }
    copying = true;
    try {
      const reply = await fetch(manifestUrl, { credentials: "same-origin", cache: "no-store" });
      if (!reply.ok) return;
      const m = await reply.json();
      const abs = (u) => new URL(u, location.href).href;
      // One copy at a time: another session's, or another person's, is dropped.
      for (const key of await caches.keys()) if (key.startsWith("hdnd-docs-") && key !== m.cache) await caches.delete(key);
      const cache = await caches.open(m.cache);
      const wanted = new Map();
      m.static.forEach((u) => wanted.set(abs(u), false));
      for (const d of m.documents) {
        wanted.set(abs(d.viewer), true);
        d.images.forEach((u) => wanted.set(abs(u), false));
      }
      for (const req of await cache.keys()) if (!wanted.has(req.url)) await cache.delete(req);
      const total = m.documents.reduce((n, d) => n + d.pages, 0);
      let done = 0;
      const todo = [];
      for (const [u, isViewer] of wanted) {
        const have = await cache.match(u, { ignoreVary: true });
        if (have && PAGE.test(u)) done += 1;
        if (isViewer || !have) todo.push([u, isViewer]);
      }
      showOfflineCopy(done, total);
      let next = 0;
      const worker = async () => {
        while (next < todo.length) {
          const [u, isViewer] = todo[next++];
          // The viewer page fetched for the copy is not a reading (the header says so).
          const got = await fetch(u, { credentials: "same-origin", headers: isViewer ? { "X-Offline-Copy": "1" } : {} });
          if (!got.ok) continue;
          await cache.put(u, got);
          if (PAGE.test(u)) showOfflineCopy(++done, total);
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      if (m.documents.some((d) => !d.ready)) scheduleOfflineCopy(10000);
    } catch (e) {
      scheduleOfflineCopy(30000); // offline or the server busy: try again later
    } finally {
      copying = false;
      if (copyAgain) { copyAgain = false; scheduleOfflineCopy(); }
    }
  }

  function tick() {
    const now = hub.now();
    ui.clock.textContent = Faces.timeOfDay(now, tz, false);
    const state = hub.state;
    if (!state) return;
    rollCallCountdown(state);
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

  ui.checkIn.addEventListener("click", (e) => {
    rememberRemote(false);
    send("attendance.check_in", { remote: false }, e.currentTarget).catch(() => {});
  });
  ui.checkInRemote.addEventListener("click", (e) => {
    rememberRemote(true);
    send("attendance.check_in", { remote: true }, e.currentTarget).catch(() => {});
  });
  ui.rollcallConfirm.addEventListener("click", (e) => {
    const button = e.currentTarget;
    if (button.getAttribute("aria-busy")) return; // a double tap sends one command
    send("attendance.check_in", { remote: joinedRemotely() }, button).catch(() => {});
  });
})();
