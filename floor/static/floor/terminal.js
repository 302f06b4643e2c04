/* The floor on the delegate terminal (floor/panels.py): who has the floor and their time, the
 * delegate's own requests with their place ("Bạn đứng thứ 3"), one tap to request a speech, a reply
 * (while someone else speaks), a point of order, a follow-up during questioning, one tap to withdraw,
 * and registering a question to an official of an issue group.
 *
 * Own requests come from what this member alone is told (hub.you.floor, per-member event floor.mine);
 * the place is that request's position in state.floor.queue (questions: in their group). The
 * countdown is the server's clock (hub.now()). A refusal shows the server's message.
 */
(function () {
  "use strict";

  const { gettext, interpolate, h, fill } = Faces;
  const $ = (id) => document.getElementById(id);
  const root = $("floor-terminal");
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

  const ui = {
    yours: $("flt-yours"),
    label: $("flt-speaker-label"),
    name: $("flt-speaker-name"),
    meta: $("flt-speaker-meta"),
    countdown: $("flt-countdown"),
    mine: $("flt-mine"),
    actions: $("flt-actions"),
    note: $("flt-note"),
    buttons: Array.from(root.querySelectorAll(".flt-request")),
    followup: $("flt-request-followup"),
    qBox: $("flt-question-box"),
    qForm: $("flt-question-form"),
    qGroup: $("flt-q-group"),
    qOfficial: $("flt-q-official"),
  };

  let hub = null;
  let send = null;
  const inFlight = new Set(); // kinds being requested, request ids being withdrawn: one tap, one command

  function remaining(sp, nowMs) {
    const end = sp.paused_at ? Date.parse(sp.paused_at) : nowMs;
    const spoken = Math.max(0, (end - Date.parse(sp.started_at)) / 1000 - sp.paused_s);
    return sp.limit_s + sp.extra_s - spoken;
  }

  function tick() {
    const sp = hub && hub.state && hub.state.floor && hub.state.floor.speaker;
    if (!sp) return;
    const rem = remaining(sp, hub.now());
    ui.countdown.textContent = HubTime.formatDuration(Math.ceil(rem));
    ui.countdown.dataset.level = rem < 0 ? "over" : rem <= sp.warn_s ? "near" : "ok";
    ui.countdown.classList.toggle("is-paused", !!sp.paused_at);
  }
  setInterval(tick, 500);

  function run(cmd, args, key, button) {
    if (!send || inFlight.has(key)) return Promise.resolve(null);
    inFlight.add(key);
    if (button) button.disabled = true;
    return send(cmd, args, button).catch(() => null).finally(() => {
      inFlight.delete(key);
      if (hub && hub.state) render(hub.state);
    });
  }

  for (const b of ui.buttons) {
    b.addEventListener("click", () => {
      const args = { kind: b.dataset.kind };
      if (b.dataset.kind === "followup") args.issue_id = Number(b.dataset.issue);
      run("floor.request", args, `request-${b.dataset.kind}`, b);
    });
  }

  ui.qGroup.addEventListener("change", () => hub && hub.state && fillOfficials(hub.state));
  ui.qForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(ui.qForm);
    const args = { issue_id: Number(f.get("issue_id")), text: String(f.get("text") || "").trim() };
    if (f.get("official_id")) args.official_id = Number(f.get("official_id"));
    run("question.register", args, "question", ui.qForm.querySelector("button[type=submit]")).then((data) => {
      if (!data) return;
      ui.qForm.elements.text.value = "";
      ui.qBox.open = false;
      Faces.toast(gettext("Đã đăng ký câu hỏi chất vấn."), "ok");
    });
  });

  function groupsOf(state) {
    return state.questioning ? state.questioning.groups : [];
  }

  function fillOfficials(state) {
    const group = groupsOf(state).find((g) => String(g.id) === ui.qGroup.value);
    const keep = ui.qOfficial.value;
    fill(ui.qOfficial, h("option", { value: "" }, gettext("— Chưa chỉ định —")),
      (group ? group.officials : []).map((o) => h("option", { value: String(o.member_id) },
        `${o.name}${o.position ? " — " + o.position : ""}`)));
    ui.qOfficial.value = keep && ui.qOfficial.querySelector(`option[value="${keep}"]`) ? keep : "";
  }

  /* Where one of my requests stands: "Bạn đứng thứ 3" (questions: in their issue group). */
  function place(state, r) {
    if (r.kind === "question") {
      const group = groupsOf(state).find((g) => g.id === r.issue_id);
      const waiting = group ? group.questions.filter((q) => q.status === "waiting") : [];
      const i = waiting.findIndex((q) => q.id === r.id);
      return { n: i >= 0 ? i + 1 : null, where: group ? group.title : "" };
    }
    const i = state.floor.queue.findIndex((q) => q.id === r.id);
    return { n: i >= 0 ? i + 1 : null, where: "" };
  }

  function renderSpeaker(state, you) {
    const sp = state.floor.speaker;
    const mine = !!(sp && you && you.speaking === sp.id);
    root.classList.toggle("is-speaking", mine);
    ui.yours.hidden = !mine;
    if (!sp) {
      ui.label.textContent = state.floor.priority ? gettext("Đã tắt tất cả micrô") : gettext("Chưa có ai phát biểu");
      ui.name.textContent = "";
      ui.meta.textContent = "";
      ui.countdown.hidden = true;
      return;
    }
    ui.label.textContent = mine ? gettext("Thời gian của bạn") : gettext("Đang phát biểu");
    ui.name.textContent = mine ? "" : sp.name;
    ui.meta.textContent = [KIND[sp.kind] || sp.kind, sp.group, sp.paused_at ? gettext("đồng hồ tạm dừng") : null]
      .filter(Boolean).join(" · ");
    ui.countdown.hidden = false;
    tick();
  }

  function renderMine(state, you) {
    const rows = (you ? you.requests : []).map((r) => {
      const p = place(state, r);
      const where = p.n ? interpolate(gettext("Bạn đứng thứ %(n)s"), { n: p.n }, true) : gettext("Đang chờ");
      const key = `withdraw-${r.id}`;
      return h("li", { class: `flt-request-row kind-${r.kind}`, dataset: { requestId: r.id, kind: r.kind } },
        h("div", { class: "flt-request-text" },
          h("span", { class: "flt-request-kind" }, KIND[r.kind] || r.kind, p.where ? ` — ${p.where}` : ""),
          h("strong", { class: "flt-place", dataset: { role: "place" } }, where)),
        h("button", { type: "button", class: "btn flt-withdraw", disabled: inFlight.has(key),
          onclick: (ev) => run("floor.withdraw", { request_id: r.id }, key, ev.currentTarget) }, gettext("Rút đăng ký")));
    });
    fill(ui.mine, rows);
    ui.mine.hidden = !rows.length;
  }

  function renderActions(state, hb) {
    const you = hb.you && hb.you.floor;
    ui.actions.hidden = !you;
    if (!you) {
      ui.note.hidden = true;
      return;
    }
    const fl = state.floor;
    const sp = fl.speaker;
    const open = new Set(you.requests.filter((r) => r.kind !== "question").map((r) => r.kind));
    const others = !!(sp && sp.member_id !== hb.you.member_id);
    for (const b of ui.buttons) {
      const kind = b.dataset.kind;
      let usable = !open.has(kind) && !inFlight.has(`request-${kind}`);
      if (kind !== "order" && fl.closed) usable = false;
      if (kind === "reply" && !others) usable = false;
      if (kind === "followup") {
        b.hidden = !(sp && sp.issue_id);
        if (sp && sp.issue_id) b.dataset.issue = String(sp.issue_id);
        usable = usable && !!(sp && sp.issue_id) && !you.requests.some((r) => r.kind === "followup" && r.issue_id === sp.issue_id);
      }
      b.disabled = !usable;
      b.classList.toggle("is-requested", open.has(kind));
    }
    const notes = [];
    if (fl.closed) notes.push(gettext("Danh sách đăng ký đã khóa: chỉ còn kiến nghị về thủ tục."));
    if (!others) notes.push(gettext("Tranh luận khi có người khác đang phát biểu."));
    ui.note.textContent = notes.join(" ");
    ui.note.hidden = !notes.length;
  }

  function renderQuestions(state, hb) {
    const groups = groupsOf(state);
    ui.qBox.hidden = !(hb.you && hb.you.floor) || !groups.length;
    if (ui.qBox.hidden) return;
    const keep = ui.qGroup.value;
    fill(ui.qGroup, groups.map((g) => h("option", { value: String(g.id) }, g.title)));
    if (keep && groups.some((g) => String(g.id) === keep)) ui.qGroup.value = keep;
    fillOfficials(state);
  }

  function render(state) {
    if (!state || !state.floor || !hub) return;
    const you = hub.you && hub.you.floor;
    renderSpeaker(state, you);
    renderMine(state, you);
    renderActions(state, hub);
    if (!ui.qBox.open) renderQuestions(state, hub);
  }

  Hub.registerPanel((state, type, data, hb) => {
    hub = hb;
    if (!send) send = Faces.sender(hb);
    render(state);
  });
})();
