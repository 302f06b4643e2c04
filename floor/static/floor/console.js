/* The floor on the chair console (floor/panels.py): the list of speakers, the turn at the floor with
 * its countdown, the chair's controls, the secretary's "add a raised hand", and questioning by issue group.
 *
 * Drawn from state.floor, state.questioning and state.attendance after every snapshot and event
 * (Hub.registerPanel); nothing changes here by itself: a tap sends a command and the page changes when
 * the server's event says so. A refusal shows the server's message (Faces.sender's toast). The
 * countdown is the server's clock (hub.now(), the offset hub.js keeps), never a per-second message:
 * remaining = limit_s + extra_s - ((paused_at or now) - started_at - paused_s).
 * Commands that move the floor say what this page saw (`expect_current`: the speech it shows), so a
 * tap from an outdated screen is refused `stale` and "next" twice moves the queue once.
 */
(function () {
  "use strict";

  const { gettext, interpolate, h, fill } = Faces;
  const $ = (id) => document.getElementById(id);
  const root = $("floor-panel");
  if (!root) return;

  const KIND = {
    speech: gettext("Phát biểu"),
    reply: gettext("Tranh luận"),
    order: gettext("Kiến nghị về thủ tục"),
    followup: gettext("Chất vấn lại, tranh luận"),
    question: gettext("Chất vấn"),
    answer: gettext("Trả lời chất vấn"),
    opening: gettext("Phát biểu mở đầu"),
    free: gettext("Phát biểu theo mời"),
  };
  // The queue's headings: a heading wherever the kind changes (the rule puts points of order, then
  // replies, then speeches; a reordered list shows its real order, headings repeated).
  const KIND_HEADING = {
    order: gettext("Kiến nghị về thủ tục"),
    reply: gettext("Tranh luận, đối đáp"),
    followup: gettext("Chất vấn lại, tranh luận"),
    speech: gettext("Phát biểu"),
  };

  const ui = {
    listState: $("fl-list-state"),
    speaker: $("fl-speaker"),
    name: $("fl-speaker-name"),
    meta: $("fl-speaker-meta"),
    countdown: $("fl-countdown"),
    note: $("fl-countdown-note"),
    next: $("fl-next"),
    nextTarget: $("fl-next-target"),
    pause: $("fl-pause"),
    plus1: $("fl-plus1"),
    plus3: $("fl-plus3"),
    stop: $("fl-stop"),
    stopAll: $("fl-stop-all"),
    count: $("fl-count"),
    queue: $("fl-queue"),
    queueEmpty: $("fl-queue-empty"),
    close: $("fl-close"),
    clear: $("fl-clear"),
    readd: $("fl-readd"),
    addForm: $("fl-add-form"),
    addMember: $("fl-add-member"),
    groups: $("fl-groups"),
    groupsEmpty: $("fl-groups-empty"),
    slipBox: $("fl-slip-box"),
    slipForm: $("fl-slip-form"),
    slipMember: $("fl-slip-member"),
    slipGroup: $("fl-slip-group"),
    slipOfficial: $("fl-slip-official"),
    groupForm: $("fl-group-form"),
    groupOfficials: $("fl-group-officials"),
    groupItem: $("fl-group-item"),
  };

  let hub = null;
  let send = null;
  let moving = false; // a command that moves the floor is in flight: one tap, one command
  let clearArmed = null; // the timer of "tap again to clear"

  // ---- the server's clock ---------------------------------------------------------------

  function remaining(sp, nowMs) {
    const end = sp.paused_at ? Date.parse(sp.paused_at) : nowMs;
    const spoken = Math.max(0, (end - Date.parse(sp.started_at)) / 1000 - sp.paused_s);
    return sp.limit_s + sp.extra_s - spoken;
  }

  function level(sp, rem) {
    if (rem < 0) return "over";
    return rem <= sp.warn_s ? "near" : "ok";
  }

  function tick() {
    if (!hub || !hub.state || !hub.state.floor) return;
    const sp = hub.state.floor.speaker;
    if (!sp) return;
    const rem = remaining(sp, hub.now());
    const lv = level(sp, rem);
    ui.countdown.textContent = HubTime.formatDuration(Math.ceil(rem));
    ui.countdown.dataset.level = lv;
    ui.speaker.dataset.level = lv;
    const limit = HubTime.formatDuration(sp.limit_s + sp.extra_s);
    let note = interpolate(gettext("thời gian %(t)s"), { t: limit }, true);
    if (sp.extra_s) note += " · " + interpolate(gettext("đã thêm %(t)s"), { t: HubTime.formatDuration(sp.extra_s) }, true);
    if (rem < 0) note = interpolate(gettext("quá giờ %(t)s"), { t: HubTime.formatDuration(Math.floor(-rem)) }, true) + " · " + note;
    if (sp.paused_at) note = gettext("Đồng hồ đang tạm dừng") + " · " + note;
    ui.note.textContent = note;
  }
  setInterval(tick, 500);

  // ---- commands -------------------------------------------------------------------------

  function run(cmd, args, button) {
    if (!send) return Promise.resolve(null);
    return send(cmd, args, button).catch(() => null); // refused: the toast says why
  }

  /* A command that moves the floor: one at a time, with what this page saw at the floor. */
  function move(cmd, args, button) {
    if (moving || !hub || !hub.state) return;
    const sp = hub.state.floor.speaker;
    moving = true;
    renderButtons(hub.state);
    run(cmd, { expect_current: sp ? sp.id : null, ...args }, button).finally(() => {
      moving = false;
      if (hub.state) renderButtons(hub.state);
    });
  }

  function onSpeaker(cmd, args, button) {
    const sp = hub && hub.state && hub.state.floor.speaker;
    if (!sp) return;
    run(cmd, { speech_id: sp.id, ...args }, button);
  }

  ui.next.addEventListener("click", () => move("floor.next", {}, ui.next));
  ui.pause.addEventListener("click", () => {
    const sp = hub && hub.state && hub.state.floor.speaker;
    if (sp) onSpeaker(sp.paused_at ? "floor.resume" : "floor.pause", {}, ui.pause);
  });
  ui.plus1.addEventListener("click", () => onSpeaker("floor.extend", { seconds: 60 }, ui.plus1));
  ui.plus3.addEventListener("click", () => onSpeaker("floor.extend", { seconds: 180 }, ui.plus3));
  ui.stop.addEventListener("click", () => onSpeaker("floor.stop", {}, ui.stop));
  ui.stopAll.addEventListener("click", () => run("floor.stop_all", {}, ui.stopAll));
  ui.close.addEventListener("click", () => {
    const closed = hub && hub.state && hub.state.floor.closed;
    run(closed ? "floor.open" : "floor.close", {}, ui.close);
  });
  ui.readd.addEventListener("click", () => run("floor.readd_last", {}, ui.readd));
  // Clearing the whole list takes a second tap within four seconds (no dialog to find on a tablet).
  ui.clear.addEventListener("click", () => {
    if (clearArmed) {
      clearTimeout(clearArmed);
      clearArmed = null;
      ui.clear.classList.remove("armed");
      ui.clear.textContent = gettext("Xóa danh sách");
      run("floor.clear", {}, ui.clear);
      return;
    }
    ui.clear.classList.add("armed");
    ui.clear.textContent = gettext("Bấm lần nữa để xóa cả danh sách");
    clearArmed = setTimeout(() => {
      clearArmed = null;
      ui.clear.classList.remove("armed");
      ui.clear.textContent = gettext("Xóa danh sách");
    }, 4000);
  });

  ui.addForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(ui.addForm);
    const memberId = Number(f.get("member_id"));
    if (!memberId) return;
    run("floor.add", { member_id: memberId, kind: f.get("kind") }, ui.addForm.querySelector("button[type=submit]"))
      .then((data) => {
        if (data) Faces.toast(gettext("Đã thêm vào danh sách."), "ok");
      });
  });

  ui.slipGroup.addEventListener("change", () => hub && hub.state && fillOfficials(hub.state));
  ui.slipForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(ui.slipForm);
    const args = { member_id: Number(f.get("member_id")), issue_id: Number(f.get("issue_id")),
      text: String(f.get("text") || "").trim(), written: true };
    if (f.get("official_id")) args.official_id = Number(f.get("official_id"));
    run("question.add", args, ui.slipForm.querySelector("button[type=submit]")).then((data) => {
      if (!data) return;
      ui.slipForm.elements.text.value = "";
      Faces.toast(gettext("Đã thêm câu hỏi."), "ok");
    });
  });

  ui.groupForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(ui.groupForm);
    const args = { title: String(f.get("title") || "").trim(),
      official_ids: f.getAll("official_ids").map(Number) };
    if (f.get("item_id")) args.item_id = Number(f.get("item_id"));
    run("question.group_add", args, ui.groupForm.querySelector("button[type=submit]")).then((data) => {
      if (!data) return;
      ui.groupForm.reset();
      $("fl-group-box").open = false;
    });
  });

  // ---- drawing --------------------------------------------------------------------------

  function personLine(p) {
    return [p.position, p.group, p.seat ? interpolate(gettext("ghế %(seat)s"), { seat: p.seat }, true) : null]
      .filter(Boolean).join(" · ");
  }

  function renderSpeaker(state) {
    const fl = state.floor;
    const sp = fl.speaker;
    ui.speaker.classList.toggle("is-empty", !sp);
    ui.speaker.classList.toggle("is-paused", !!(sp && sp.paused_at));
    if (!sp) {
      ui.name.textContent = fl.priority ? gettext("Đã tắt tất cả micrô") : gettext("Chưa có ai phát biểu");
      ui.meta.textContent = fl.last ? interpolate(gettext("Người vừa phát biểu: %(name)s"), { name: fl.last.name }, true) : "";
      ui.countdown.hidden = true;
      ui.note.textContent = "";
      delete ui.speaker.dataset.level;
      return;
    }
    ui.name.textContent = sp.name;
    fill(ui.meta, h("span", { class: `fl-kind kind-${sp.kind}` }, KIND[sp.kind] || sp.kind), " ", personLine(sp));
    ui.countdown.hidden = false;
    tick();
  }

  function renderButtons(state) {
    const fl = state.floor;
    const sp = fl.speaker;
    const head = fl.queue[0];
    ui.next.disabled = moving || (!head && !sp);
    ui.nextTarget.textContent = head
      ? interpolate(gettext("Mời: %(name)s (%(kind)s)"), { name: head.name, kind: KIND[head.kind] || head.kind }, true)
      : sp ? gettext("Kết thúc lượt, không còn ai chờ") : gettext("Chưa có ai chờ");
    for (const b of [ui.pause, ui.plus1, ui.plus3, ui.stop]) b.disabled = !sp;
    ui.pause.textContent = sp && sp.paused_at ? gettext("Tiếp tục") : gettext("Tạm dừng");
    ui.pause.setAttribute("aria-pressed", sp && sp.paused_at ? "true" : "false");
    for (const b of ui.queue.querySelectorAll("button[data-give]")) b.disabled = moving;
  }

  function queueRow(r, i, n) {
    const give = h("button", { type: "button", class: "btn fl-give", dataset: { give: r.id, key: `give-${r.id}` },
      onclick: (ev) => move("floor.give", { request_id: r.id }, ev.currentTarget) }, gettext("Mời phát biểu"));
    return h("li", { class: `fl-row kind-${r.kind}`, dataset: { requestId: r.id, kind: r.kind } },
      h("span", { class: "fl-pos" }, String(i + 1)),
      h("div", { class: "fl-who" },
        h("span", { class: "fl-name" }, r.name),
        h("span", { class: "fl-meta" },
          h("span", { class: `fl-kind kind-${r.kind}` }, KIND[r.kind] || r.kind),
          r.added ? h("span", { class: "fl-added", title: gettext("Thư ký thêm thay đại biểu") }, gettext("thư ký thêm")) : null,
          " ", personLine(r))),
      h("div", { class: "fl-row-actions" },
        give,
        h("button", { type: "button", class: "btn icon-btn", "aria-label": gettext("Chuyển lên"), title: gettext("Chuyển lên"),
          disabled: i === 0, dataset: { key: `up-${r.id}` },
          onclick: (ev) => run("floor.reorder", { request_id: r.id, index: i - 1 }, ev.currentTarget) }, "▲"),
        h("button", { type: "button", class: "btn icon-btn", "aria-label": gettext("Chuyển xuống"), title: gettext("Chuyển xuống"),
          disabled: i === n - 1, dataset: { key: `down-${r.id}` },
          onclick: (ev) => run("floor.reorder", { request_id: r.id, index: i + 1 }, ev.currentTarget) }, "▼"),
        h("button", { type: "button", class: "btn icon-btn fl-remove", "aria-label": interpolate(gettext("Bỏ %(name)s khỏi danh sách"), { name: r.name }, true),
          title: gettext("Bỏ khỏi danh sách"), dataset: { key: `remove-${r.id}` },
          onclick: (ev) => run("floor.remove", { request_id: r.id }, ev.currentTarget) }, "✕")));
  }

  function renderQueue(state) {
    const fl = state.floor;
    const rows = [];
    let kind = null;
    fl.queue.forEach((r, i) => {
      if (r.kind !== kind) {
        kind = r.kind;
        rows.push(h("li", { class: `fl-kind-heading kind-${kind}`, "aria-hidden": "true" }, KIND_HEADING[kind] || KIND[kind] || kind));
      }
      rows.push(queueRow(r, i, fl.queue.length));
    });
    fill(ui.queue, rows);
    ui.queueEmpty.hidden = fl.queue.length > 0;
    const counts = {};
    for (const r of fl.queue) counts[r.kind] = (counts[r.kind] || 0) + 1;
    ui.count.textContent = fl.queue.length
      ? "(" + Object.keys(KIND_HEADING).filter((k) => counts[k]).map((k) => `${counts[k]} ${KIND[k].toLowerCase()}`).join(", ") + ")"
      : "";
    ui.listState.textContent = fl.closed ? gettext("Danh sách đã khóa") : gettext("Đang nhận đăng ký");
    ui.listState.className = `fl-list-state ${fl.closed ? "closed" : "open"}`;
    ui.close.textContent = fl.closed ? gettext("Mở lại danh sách") : gettext("Khóa danh sách");
    ui.clear.disabled = !fl.queue.length;
    ui.readd.hidden = !fl.last;
    if (fl.last) ui.readd.textContent = interpolate(gettext("Mời lại người vừa phát biểu: %(name)s"), { name: fl.last.name }, true);
  }

  /* Keep a <select>'s choice while its options are drawn again. */
  function options(select, list, blank) {
    const keep = Array.from(select.selectedOptions || [], (o) => o.value);
    const opts = blank !== undefined ? [h("option", { value: "" }, blank)] : [];
    for (const item of list) {
      if (item.group) opts.push(h("optgroup", { label: item.group }, item.options.map((o) => h("option", { value: o.value }, o.label))));
      else opts.push(h("option", { value: item.value }, item.label));
    }
    fill(select, opts);
    for (const o of select.querySelectorAll("option")) o.selected = keep.includes(o.value);
  }

  function delegates(state) {
    return (state.attendance || []).filter((r) => r.kind === "delegate");
  }

  function memberLabel(r) {
    const here = r.status === "present" ? "" : ` (${Faces.ATTENDANCE[r.status || "none"]})`;
    return `${r.seat ? r.seat + " — " : ""}${r.name}${r.group ? " · " + r.group : ""}${here}`;
  }

  function renderPeople(state) {
    const rows = delegates(state).slice().sort((a, b) => (a.status === "present" ? 0 : 1) - (b.status === "present" ? 0 : 1));
    const people = rows.map((r) => ({ value: String(r.member_id), label: memberLabel(r) }));
    options(ui.addMember, people, gettext("— Chọn đại biểu —"));
    options(ui.slipMember, people, gettext("— Chọn đại biểu —"));
    // Who may answer: those who are not delegates first (officials, guests), then the delegates.
    const others = (state.attendance || []).filter((r) => r.kind !== "delegate");
    const known = new Map();
    // Every official who may be named, checked in or not (state.questioning.officials).
    for (const o of (state.questioning && state.questioning.officials) || []) known.set(o.member_id, o);
    for (const g of (state.questioning ? state.questioning.groups : [])) {
      for (const o of g.officials) known.set(o.member_id, o);
    }
    const answerers = [];
    const seen = new Set();
    for (const r of others) {
      seen.add(r.member_id);
      answerers.push({ value: String(r.member_id), label: r.name });
    }
    for (const [id, o] of known) {
      if (!seen.has(id)) answerers.push({ value: String(id), label: `${o.name}${o.position ? " — " + o.position : ""}` });
      seen.add(id);
    }
    const list = [];
    if (answerers.length) list.push({ group: gettext("Lãnh đạo, cán bộ, khách mời"), options: answerers });
    list.push({ group: gettext("Đại biểu"), options: delegates(state).filter((r) => !seen.has(r.member_id))
      .map((r) => ({ value: String(r.member_id), label: r.name })) });
    options(ui.groupOfficials, list);
    const items = (state.agenda ? state.agenda.items : []).slice()
      .sort((a, b) => (a.kind === "questioning" ? 0 : 1) - (b.kind === "questioning" ? 0 : 1));
    options(ui.groupItem, items.map((i) => ({ value: String(i.id), label: `${i.number}. ${i.title}` })), gettext("— Không gắn với mục nào —"));
  }

  function fillOfficials(state) {
    const groups = state.questioning ? state.questioning.groups : [];
    const group = groups.find((g) => String(g.id) === ui.slipGroup.value);
    options(ui.slipOfficial, group ? group.officials.map((o) => ({ value: String(o.member_id), label: o.name })) : [],
      gettext("— Chưa chỉ định —"));
  }

  function officialName(group, id) {
    const o = group.officials.find((x) => x.member_id === id);
    return o ? o.name : "";
  }

  function questionRow(group, q, i, waiting, state) {
    const sp = state.floor.speaker;
    const heard = q.status === "heard";
    const to = q.official_id ? officialName(group, q.official_id) : "";
    const actions = [];
    if (!heard) {
      actions.push(h("button", { type: "button", class: "btn fl-give", dataset: { give: q.id, key: `give-${q.id}` },
        onclick: (ev) => move("floor.give", { request_id: q.id }, ev.currentTarget) }, gettext("Mời chất vấn")));
      actions.push(h("button", { type: "button", class: "btn icon-btn", "aria-label": gettext("Chuyển lên"), title: gettext("Chuyển lên"),
        disabled: i === 0, dataset: { key: `qup-${q.id}` },
        onclick: (ev) => run("floor.reorder", { request_id: q.id, index: i - 1 }, ev.currentTarget) }, "▲"));
      actions.push(h("button", { type: "button", class: "btn icon-btn", "aria-label": gettext("Chuyển xuống"), title: gettext("Chuyển xuống"),
        disabled: i === waiting - 1, dataset: { key: `qdown-${q.id}` },
        onclick: (ev) => run("floor.reorder", { request_id: q.id, index: i + 1 }, ev.currentTarget) }, "▼"));
    } else {
      // The answer: the official asked, or any official of the group.
      const answerers = q.official_id ? group.officials.filter((o) => o.member_id === q.official_id) : group.officials;
      for (const o of answerers) {
        actions.push(h("button", { type: "button", class: "btn fl-give", dataset: { give: `a${q.id}-${o.member_id}`, key: `answer-${q.id}-${o.member_id}` },
          onclick: (ev) => move("floor.give", { kind: "answer", member_id: o.member_id, question_id: q.id }, ev.currentTarget) },
        interpolate(gettext("Mời trả lời: %(name)s"), { name: o.name }, true)));
      }
    }
    const asking = sp && ((sp.kind === "question" && sp.request_id === q.id) || (sp.kind === "answer" && sp.question_id === q.id));
    const commit = heard ? h("form", { class: "fl-commit", onsubmit: (ev) => {
      ev.preventDefault();
      const input = ev.currentTarget.elements.text;
      const text = input.value.trim();
      if (!text) return;
      run("question.commit", { question_id: q.id, text }, ev.currentTarget.querySelector("button")).then((data) => {
        if (!data) return;
        input.value = "";
        // The list may have been drawn again meanwhile (the commitment's own event): clear the new field too.
        const now = ui.groups.querySelector(`input[data-commit-for="${q.id}"]`);
        if (now && now.value === text) now.value = "";
      });
    } },
    h("input", { name: "text", maxlength: "2000", required: true, placeholder: gettext("Cam kết của người trả lời…"),
      dataset: { key: `commit-${q.id}`, commitFor: q.id },
      "aria-label": interpolate(gettext("Ghi cam kết cho câu hỏi số %(n)s"), { n: q.number }, true) }),
    h("button", { type: "submit", class: "btn" }, gettext("Ghi cam kết"))) : null;
    return h("li", { class: `fl-question is-${q.status}${asking ? " is-current" : ""}`, dataset: { questionId: q.id } },
      h("div", { class: "fl-who" },
        h("span", { class: "fl-name" }, `${q.number}. ${q.name}`),
        h("span", { class: "fl-meta" },
          q.group ? q.group : null,
          to ? ` → ${to}` : null,
          q.written ? h("span", { class: "fl-added" }, gettext("phiếu")) : null,
          heard ? h("span", { class: "fl-heard" }, gettext("đã hỏi")) : null),
        h("span", { class: "fl-qtext" }, q.text)),
      q.commitments.length ? h("ul", { class: "fl-commitments" }, q.commitments.map((c) =>
        h("li", {}, `${officialName(group, c.official_id) || ""}: ${c.text}${c.due ? " (" + c.due + ")" : ""}`))) : null,
      h("div", { class: "fl-row-actions" }, actions),
      commit);
  }

  function renderQuestioning(state) {
    const groups = state.questioning ? state.questioning.groups : [];
    ui.groupsEmpty.hidden = groups.length > 0;
    ui.slipBox.hidden = !groups.length;
    const sp = state.floor.speaker;
    // A commitment being typed survives the redraw (an event may come in while the secretary writes).
    const typed = new Map(Array.from(ui.groups.querySelectorAll("input[data-commit-for]"), (el) => [el.dataset.commitFor, el.value]));
    fill(ui.groups, groups.map((g) => {
      const waiting = g.questions.filter((q) => q.status === "waiting");
      const heard = g.questions.filter((q) => q.status === "heard");
      return h("section", { class: `fl-group${sp && sp.issue_id === g.id ? " is-current" : ""}`, dataset: { issueId: g.id } },
        h("h4", {}, g.title),
        h("div", { class: "fl-officials" }, g.officials.map((o) => h("div", { class: "fl-official" },
          h("span", {}, `${o.name}${o.position ? " — " + o.position : ""}`),
          h("button", { type: "button", class: "btn", dataset: { give: `o${g.id}-${o.member_id}`, key: `open-${g.id}-${o.member_id}` },
            onclick: (ev) => move("floor.give", { kind: "opening", member_id: o.member_id, issue_id: g.id }, ev.currentTarget) },
          gettext("Mời phát biểu mở đầu"))))),
        h("button", { type: "button", class: "btn primary fl-next-question", disabled: !waiting.length,
          dataset: { give: `n${g.id}`, key: `nextq-${g.id}` },
          onclick: (ev) => move("floor.next", { issue_id: g.id }, ev.currentTarget) },
        waiting.length ? interpolate(gettext("Mời câu hỏi tiếp theo: %(name)s"), { name: waiting[0].name }, true)
          : gettext("Không còn câu hỏi chờ")),
        h("ol", { class: "fl-questions" },
          waiting.map((q, i) => questionRow(g, q, i, waiting.length, state)),
          heard.map((q) => questionRow(g, q, 0, 0, state))));
    }));
    for (const el of ui.groups.querySelectorAll("input[data-commit-for]")) {
      if (typed.get(el.dataset.commitFor)) el.value = typed.get(el.dataset.commitFor);
    }
    const keep = ui.slipGroup.value;
    options(ui.slipGroup, groups.map((g) => ({ value: String(g.id), label: g.title })));
    if (keep) ui.slipGroup.value = keep;
    fillOfficials(state);
  }

  function render(state, type, data) {
    // Once per frame: a part is drawn again when any of the frame's changes touches it (Hub.touched).
    const touched = (test) => !type || Hub.touched(type, data, test);
    if (touched((t) => t.startsWith("floor."))) {
      renderSpeaker(state);
      Faces.keepFocus(() => renderQueue(state));
    }
    if (touched((t) => t.startsWith("floor.") || t === "questioning.changed")) Faces.keepFocus(() => renderQuestioning(state));
    if (touched((t) => t.startsWith("attendance") || t === "questioning.changed" || t.startsWith("agenda"))) renderPeople(state);
    renderButtons(state);
  }

  Hub.registerPanel((state, type, data, h2) => {
    hub = h2;
    if (!send) send = Faces.sender(h2);
    if (!state || !state.floor) return;
    render(state, type, data);
  });
})();
