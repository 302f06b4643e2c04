/* Voting on the chair console (voting/panels.py): prepare a poll, open, hold, resume, close, publish,
 * void with a reason and re-vote; the live count of the present; in an open poll who has not voted
 * yet; after the close the result with a bar chart, the counts per delegate group and the seat map.
 * The ballot-counting board (Ban kiểm phiếu) of the session: its members, the form that elects it
 * (vote.board), and on a closed secret round its approval (vote.approve), the counting minutes and
 * the publish button held back until the count is approved (the server refuses it anyway:
 * count_not_approved).
 *
 * Drawn from state.voting (staff see a round's result as soon as it is closed and, in an open poll,
 * who voted: `voters`), state.attendance and state.displays after every snapshot and event
 * (Hub.registerPanel). Nothing changes here by itself: a tap sends a command and the page changes
 * when the server's event says so. A refusal shows the server's own message (no_quorum says how
 * many are present and needed). A timed round's countdown is the server's clock (hub.now()).
 */
(function () {
  "use strict";

  const { gettext, interpolate, h, fill } = Faces;
  const $ = (id) => document.getElementById(id);
  const root = $("voting-panel");
  if (!root) return;

  const SVG_NS = "http://www.w3.org/2000/svg";
  const SECRET_KINDS = ["election", "dismissal", "rating", "confidence"];
  const SINGLE = ["motion", "confidence", "indicative", "dismissal"];
  const KIND = {
    motion: gettext("Biểu quyết thông qua"),
    indicative: gettext("Thăm dò ý kiến"),
    election: gettext("Bầu cử"),
    dismissal: gettext("Miễn nhiệm, bãi nhiệm"),
    confidence: gettext("Bỏ phiếu tín nhiệm"),
    rating: gettext("Lấy phiếu tín nhiệm"),
  };
  const STATUS = {
    draft: gettext("Chưa biểu quyết"),
    open: gettext("Đang biểu quyết"),
    held: gettext("Tạm dừng"),
    closed: gettext("Đã kết thúc, chưa công bố"),
    published: gettext("Đã công bố"),
    voided: gettext("Đã hủy"),
    cancelled: gettext("Đã hủy cuộc biểu quyết"),
  };
  const OPTION = {
    yes: gettext("Tán thành"),
    no: gettext("Không tán thành"),
    abstain: gettext("Không biểu quyết"),
    trust: gettext("Tín nhiệm"),
    no_trust: gettext("Không tín nhiệm"),
  };
  const DISMISSAL = { yes: gettext("Đồng ý"), no: gettext("Không đồng ý") };
  const LEVEL = { high: gettext("Tín nhiệm cao"), confidence: gettext("Tín nhiệm"), low: gettext("Tín nhiệm thấp") };
  const BASE = {
    total: gettext("tổng số đại biểu"),
    present: gettext("số đại biểu có mặt"),
    cast: gettext("số phiếu hợp lệ"),
  };

  const ui = {
    state: $("vt-state"),
    live: $("vt-live"),
    liveLabel: $("vt-live-label"),
    liveTitle: $("vt-live-title"),
    liveMeta: $("vt-live-meta"),
    voted: $("vt-voted"),
    present: $("vt-present"),
    countdown: $("vt-countdown"),
    barFill: $("vt-bar-fill"),
    hold: $("vt-hold"),
    close: $("vt-close"),
    missing: $("vt-missing"),
    missingSummary: $("vt-missing-summary"),
    missingList: $("vt-missing-list"),
    polls: $("vt-polls"),
    empty: $("vt-empty"),
    createBox: $("vt-create-box"),
    form: $("vt-create-form"),
    kind: $("vt-kind"),
    secret: $("vt-secret"),
    preset: $("vt-preset"),
    custom: $("vt-custom"),
    changeRow: $("vt-change-row"),
    people: $("vt-people"),
    seatsRow: $("vt-seats-row"),
    candidatesLabel: $("vt-candidates-label"),
    candidates: $("vt-candidates"),
    excluded: $("vt-excluded"),
    board: $("vt-board"),
    boardList: $("vt-board-list"),
    boardNone: $("vt-board-none"),
    boardBox: $("vt-board-box"),
    boardEdit: $("vt-board-edit"),
    boardForm: $("vt-board-form"),
    boardCount: $("vt-board-count"),
    boardMembers: $("vt-board-members"),
    boardHead: $("vt-board-head"),
    boardSave: $("vt-board-save"),
  };
  const face = $("console");
  const tz = (face && face.dataset.tz) || undefined;
  const BOARD_MIN = Number(ui.board.dataset.min) || 3;

  let hub = null;
  let send = null;
  const busy = new Set(); // commands in flight, by key: one tap, one command
  const voidOpen = new Set(); // rounds whose "void with a reason" form is open
  const voidText = new Map(); // what was typed there, kept across redraws
  let boardPick = null; // while the board's form is open: the member ids ticked (a Set) and the head
  let boardHeadId = null;

  // ---- reading the state ----------------------------------------------------------------

  function polls(state) {
    return state.voting ? state.voting.polls : [];
  }

  function liveRound(state) {
    for (const poll of polls(state)) {
      for (const r of poll.rounds) if (r.status === "open" || r.status === "held") return { poll, round: r };
    }
    return null;
  }

  function lastRound(poll) {
    return poll.rounds.length ? poll.rounds[poll.rounds.length - 1] : null;
  }

  function optionLabel(poll, key) {
    if (poll.kind === "dismissal" && DISMISSAL[key]) return DISMISSAL[key];
    if (SINGLE.includes(poll.kind) && OPTION[key]) return OPTION[key];
    const o = poll.options.find((x) => x.key === key);
    return o ? o.label : key;
  }

  function ruleText(poll) {
    const r = poll.rule;
    const base = BASE[r.base] || r.base;
    if (r.num * 2 === r.den && !r.inclusive) return interpolate(gettext("quá nửa %(base)s"), { base }, true);
    const fmt = r.inclusive ? gettext("từ %(num)s/%(den)s %(base)s trở lên") : gettext("quá %(num)s/%(den)s %(base)s");
    return interpolate(fmt, { num: r.num, den: r.den, base }, true);
  }

  function delegatesPresent(state) {
    return (state.attendance || []).filter((r) => r.counts && r.status === "present");
  }

  function remaining(round) {
    if (!round.closes_at || !hub) return null;
    return (Date.parse(round.closes_at) - hub.now()) / 1000;
  }

  // ---- commands ---------------------------------------------------------------------------

  function run(cmd, args, key, button) {
    if (!send || busy.has(key)) return Promise.resolve(null);
    busy.add(key);
    if (button) button.disabled = true;
    return send(cmd, args, button).catch(() => null).finally(() => {
      busy.delete(key);
      if (button) button.disabled = false;
      if (hub && hub.state) render(hub.state, "snapshot");
    });
  }

  /* Every hall display of the sitting to one of the voting slides. */
  function showOnHall(slide, button) {
    const displays = (hub && hub.state && hub.state.displays) || [];
    if (!displays.length) {
      Faces.toast(gettext("Chưa có màn hình nào theo dõi phiên họp này."));
      return;
    }
    for (const d of displays) run("display.set_slide", { display_id: d.id, slide }, `slide-${d.id}-${slide}`, button);
  }

  ui.hold.addEventListener("click", () => {
    const live = hub && hub.state && liveRound(hub.state);
    if (!live) return;
    const r = live.round;
    run(r.status === "held" ? "vote.resume" : "vote.hold", { round_id: r.id }, `hold-${r.id}`, ui.hold);
  });
  ui.close.addEventListener("click", () => {
    const live = hub && hub.state && liveRound(hub.state);
    if (live) run("vote.close", { round_id: live.round.id }, `close-${live.round.id}`, ui.close);
  });

  // ---- the form: a new poll -------------------------------------------------------------

  function formChanged() {
    const kind = ui.kind.value;
    const forced = SECRET_KINDS.includes(kind);
    if (forced) ui.secret.checked = true;
    else if (ui.secret.disabled) ui.secret.checked = false;
    ui.secret.disabled = forced;
    ui.changeRow.hidden = ui.secret.checked;
    ui.custom.hidden = ui.preset.value !== "custom";
    const people = kind === "election" || kind === "rating";
    ui.people.hidden = !people;
    ui.seatsRow.hidden = kind !== "election";
    ui.candidatesLabel.textContent = kind === "rating" ? gettext("Người được lấy phiếu tín nhiệm") : gettext("Người ứng cử");
    ui.candidates.required = people;
  }
  ui.kind.addEventListener("change", formChanged);
  ui.secret.addEventListener("change", formChanged);
  ui.preset.addEventListener("change", formChanged);
  formChanged();

  ui.form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(ui.form);
    const kind = String(f.get("kind"));
    const args = { title: String(f.get("title") || "").trim(), kind, allow_change: !!f.get("allow_change") && !ui.secret.checked,
      duration_s: Number(f.get("duration_s") || 0) };
    if (!SECRET_KINDS.includes(kind)) args.secret = ui.secret.checked;
    const preset = String(f.get("preset"));
    if (preset === "two_thirds") Object.assign(args, { base: "total", threshold_num: 2, threshold_den: 3, inclusive: true });
    else if (preset === "custom") {
      Object.assign(args, { base: String(f.get("base")), threshold_num: Number(f.get("num")), threshold_den: Number(f.get("den")),
        inclusive: !!f.get("inclusive") });
    } else Object.assign(args, { base: "total", threshold_num: 1, threshold_den: 2, inclusive: false });
    if (kind === "election" || kind === "rating") args.candidate_ids = f.getAll("candidate_ids").map(Number);
    if (kind === "election") args.seats = Number(f.get("seats") || 1);
    const excluded = f.getAll("excluded_ids").map(Number);
    if (excluded.length) args.excluded_ids = excluded;
    const item = hub && hub.state && hub.state.agenda ? hub.state.agenda.current_item_id : null;
    if (item) args.item_id = item;
    run("vote.create", args, "create", ui.form.querySelector("button[type=submit]")).then((data) => {
      if (!data) return;
      ui.form.reset();
      formChanged();
      ui.createBox.open = false;
      Faces.toast(gettext("Đã tạo cuộc biểu quyết."), "ok");
    });
  });

  /* Keep a <select multiple>'s choice while its options are drawn again. */
  function people(select, rows) {
    const keep = new Set(Array.from(select.selectedOptions || [], (o) => o.value));
    fill(select, rows.map((r) => h("option", { value: String(r.member_id), selected: keep.has(String(r.member_id)) },
      `${r.name}${r.group ? " · " + r.group : ""}${r.seat ? " (" + r.seat + ")" : ""}`)));
  }

  function renderPeople(state) {
    const rows = (state.attendance || []).slice();
    // Candidates and officials rated: the delegates, then everyone else who is at the sitting.
    rows.sort((a, b) => (a.kind === "delegate" ? 0 : 1) - (b.kind === "delegate" ? 0 : 1) || a.name.localeCompare(b.name, "vi"));
    people(ui.candidates, rows);
    people(ui.excluded, rows.filter((r) => r.counts));
  }

  // ---- the ballot-counting board ---------------------------------------------------------

  function boardOf(state) {
    return state.voting ? state.voting.board : undefined;
  }

  /* The delegates of the body (attendance rows of kind delegate who count), by name. */
  function boardCandidates(state) {
    return (state.attendance || []).filter((r) => r.kind === "delegate" && r.counts)
      .sort((a, b) => a.name.localeCompare(b.name, "vi"));
  }

  ui.boardBox.addEventListener("toggle", () => {
    if (ui.boardBox.open) {  // opened: start from the board as it is
      const board = (hub && hub.state && boardOf(hub.state)) || [];
      boardPick = new Set(board.map((b) => b.member_id));
      const head = board.find((b) => b.head);
      boardHeadId = head ? head.member_id : null;
    } else {
      boardPick = null;
      boardHeadId = null;
    }
    if (hub && hub.state) renderBoard(hub.state);
  });
  ui.boardHead.addEventListener("change", () => {
    boardHeadId = Number(ui.boardHead.value) || null;
    ui.boardSave.disabled = busy.has("board") || !boardPick || boardPick.size < BOARD_MIN || !boardHeadId;
  });
  ui.boardForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!boardPick) return;
    const member_ids = [...boardPick];
    run("vote.board", { member_ids, head_id: boardHeadId }, "board", ui.boardSave).then((data) => {
      if (data === null) return;
      ui.boardBox.open = false;
      Faces.toast(gettext("Đã lưu Ban kiểm phiếu."), "ok");
    });
  });

  function renderBoard(state) {
    const board = boardOf(state);
    ui.board.hidden = !Array.isArray(board);  // null: the sitting belongs to no session
    if (!Array.isArray(board)) return;
    fill(ui.boardList, board.map((b) => h("li", { class: b.head ? "is-head" : "", dataset: { memberId: b.member_id } },
      b.name, b.head ? h("span", { class: "vt-board-role" }, gettext("Trưởng ban")) : null)));
    ui.boardNone.hidden = board.length > 0;
    ui.boardEdit.textContent = board.length ? gettext("Sửa Ban kiểm phiếu") : gettext("Bầu Ban kiểm phiếu");
    if (!boardPick) return;
    const rows = boardCandidates(state);
    const names = new Map(rows.map((r) => [r.member_id, r.name]));
    for (const id of [...boardPick]) if (!names.has(id)) boardPick.delete(id);
    if (!boardPick.has(boardHeadId)) boardHeadId = null;
    fill(ui.boardMembers, rows.map((r) => h("label", { class: "vt-check" },
      h("input", { type: "checkbox", value: String(r.member_id), checked: boardPick.has(r.member_id),
        dataset: { key: `board-pick-${r.member_id}`, memberId: r.member_id },
        onchange: (ev) => {
          if (ev.currentTarget.checked) boardPick.add(r.member_id); else boardPick.delete(r.member_id);
          Faces.keepFocus(() => renderBoard(hub.state));
        } }),
      `${r.name}${r.group ? " · " + r.group : ""}`)));
    ui.boardCount.textContent = interpolate(gettext("Thành viên: đã chọn %(n)s (ít nhất %(min)s đại biểu)"),
      { n: boardPick.size, min: BOARD_MIN }, true);
    const picked = rows.filter((r) => boardPick.has(r.member_id));
    fill(ui.boardHead, h("option", { value: "" }, gettext("— Chọn trưởng ban —")),
      picked.map((r) => h("option", { value: String(r.member_id), selected: r.member_id === boardHeadId }, r.name)));
    ui.boardSave.disabled = busy.has("board") || boardPick.size < BOARD_MIN || !boardHeadId;
  }

  // ---- drawing: the live round ------------------------------------------------------------

  function tick() {
    const live = hub && hub.state && liveRound(hub.state);
    if (!live || !live.round.closes_at) {
      ui.countdown.hidden = true;
      return;
    }
    ui.countdown.hidden = false;
    if (live.round.status === "held") {
      ui.countdown.textContent = gettext("Đồng hồ tạm dừng");
      ui.countdown.dataset.level = "held";
      return;
    }
    const rem = remaining(live.round);
    ui.countdown.textContent = rem > 0 ? HubTime.formatDuration(Math.ceil(rem)) : gettext("Hết giờ");
    ui.countdown.dataset.level = rem > 10 ? "ok" : rem > 0 ? "near" : "over";
  }
  setInterval(tick, 500);

  function renderLive(state) {
    const live = liveRound(state);
    ui.live.hidden = !live;
    if (!live) {
      ui.missing.hidden = true;
      return;
    }
    const { poll, round } = live;
    ui.live.dataset.status = round.status;
    ui.live.dataset.roundId = String(round.id);
    ui.liveLabel.textContent = round.status === "held" ? gettext("Tạm dừng biểu quyết")
      : interpolate(gettext("Đang biểu quyết — lần %(n)s"), { n: round.number }, true);
    ui.liveTitle.textContent = poll.title;
    ui.liveMeta.textContent = [KIND[poll.kind], poll.secret ? gettext("bỏ phiếu kín") : gettext("biểu quyết công khai"), ruleText(poll)].join(" · ");
    const present = delegatesPresent(state).filter((r) => !poll.excluded.includes(r.member_id));
    ui.voted.textContent = String(round.voted);
    ui.present.textContent = String(present.length);
    ui.barFill.style.width = `${present.length ? Math.min(100, (100 * round.voted) / present.length) : 0}%`;
    ui.hold.textContent = round.status === "held" ? gettext("Tiếp tục") : gettext("Tạm dừng");
    ui.hold.setAttribute("aria-pressed", round.status === "held" ? "true" : "false");
    ui.hold.disabled = busy.has(`hold-${round.id}`);
    ui.close.disabled = busy.has(`close-${round.id}`);
    // Who has not voted yet: an open poll only (staff see `voters`); a secret one never says.
    if (poll.secret || !round.voters) {
      ui.missing.hidden = true;
    } else {
      const voted = new Set(round.voters);
      const waiting = present.filter((r) => !voted.has(r.member_id));
      ui.missing.hidden = false;
      ui.missingSummary.textContent = interpolate(gettext("Chưa biểu quyết: %(n)s"), { n: waiting.length }, true);
      fill(ui.missingList, waiting.map((r) => h("li", { dataset: { memberId: r.member_id } },
        `${r.seat ? r.seat + " — " : ""}${r.name}${r.group ? " · " + r.group : ""}`)));
    }
    let extra = root.querySelector(".vt-live-extra");
    if (!extra) {
      extra = h("div", { class: "vt-live-extra" });
      ui.missing.after(extra);
    }
    fill(extra,
      h("div", { class: "vt-row-actions" },
        h("button", { type: "button", class: "btn", onclick: (ev) => showOnHall("vote", ev.currentTarget) },
          gettext("Chiếu lên màn hình hội trường")),
        voidControl(round)),
      !poll.secret && round.voters ? seatMap(state, (row) => (round.voters.includes(row.member_id) ? "voted"
        : row.status === "present" ? "waiting" : "away"), {
        voted: gettext("Đã biểu quyết"), waiting: gettext("Chưa biểu quyết"), away: gettext("Không có mặt"),
      }) : null);
    tick();
  }

  // ---- drawing: a void with its reason ----------------------------------------------------

  function voidControl(round) {
    const key = `void-${round.id}`;
    if (!voidOpen.has(round.id)) {
      return h("button", { type: "button", class: "btn vt-void", dataset: { key },
        onclick: () => { voidOpen.add(round.id); render(hub.state, "snapshot"); root.querySelector(`[data-void-input="${round.id}"]`)?.focus(); } },
      gettext("Hủy lần biểu quyết…"));
    }
    return h("form", { class: "vt-void-form", onsubmit: (ev) => {
      ev.preventDefault();
      const reason = (voidText.get(round.id) || "").trim();
      if (!reason) return;
      run("vote.void", { round_id: round.id, reason }, key, ev.currentTarget.querySelector("button[type=submit]")).then((data) => {
        if (data === null) return;
        voidOpen.delete(round.id);
        voidText.delete(round.id);
      });
    } },
    h("input", { name: "reason", maxlength: "500", required: true, value: voidText.get(round.id) || "",
      placeholder: gettext("Lý do hủy (ghi vào biên bản)"), "aria-label": gettext("Lý do hủy"),
      dataset: { voidInput: round.id, key: `void-input-${round.id}` }, oninput: (ev) => voidText.set(round.id, ev.currentTarget.value) }),
    h("button", { type: "submit", class: "btn danger-solid" }, gettext("Xác nhận hủy")),
    h("button", { type: "button", class: "btn", onclick: () => { voidOpen.delete(round.id); render(hub.state, "snapshot"); } },
      gettext("Thôi")));
  }

  // ---- drawing: results -------------------------------------------------------------------

  function pct(value) {
    return `${Number(value).toLocaleString(document.documentElement.lang || "vi", { maximumFractionDigits: 2 })}%`;
  }

  function bars(poll, res) {
    const rows = Object.keys(res.counts).map((key) => {
      const elected = poll.kind === "election" && (res.elected || []).includes(key);
      return h("li", { class: `vt-bar-row opt-${key}${elected ? " is-elected" : ""}`, dataset: { option: key } },
        h("span", { class: "vt-bar-label" }, optionLabel(poll, key), elected ? h("span", { class: "vt-elected" }, gettext("trúng cử")) : null),
        h("span", { class: "vt-bar-num", dataset: { role: "count" } }, String(res.counts[key])),
        h("span", { class: "vt-bar-pct" }, pct(res.percent[key])),
        h("span", { class: "vt-bar-track", "aria-hidden": "true" },
          h("span", { class: "vt-bar-value", style: `width: ${Math.min(100, res.percent[key])}%` }),
          res.needed && res.base_count ? h("span", { class: "vt-bar-need", style: `left: ${Math.min(100, (100 * res.needed) / res.base_count)}%` }) : null));
    });
    return h("ul", { class: "vt-bars" }, rows);
  }

  function ratingTable(poll, res) {
    const flag = { low_majority: gettext("Quá nửa tổng số đại biểu đánh giá tín nhiệm thấp"),
      confidence_vote: gettext("Từ 2/3 tổng số đại biểu đánh giá tín nhiệm thấp: trình bỏ phiếu tín nhiệm") };
    return h("table", { class: "vt-table" },
      h("thead", {}, h("tr", {}, h("th", {}, gettext("Người được lấy phiếu")), Object.keys(LEVEL).map((l) => h("th", {}, LEVEL[l])))),
      h("tbody", {}, Object.keys(res.counts).map((key) => h("tr", { dataset: { option: key } },
        h("th", { scope: "row" }, optionLabel(poll, key), res.flags[key] ? h("div", { class: "vt-flag" }, flag[res.flags[key]]) : null),
        Object.keys(LEVEL).map((l) => h("td", {}, `${res.counts[key][l]} (${pct(res.percent[key][l])})`))))));
  }

  function groupTable(poll, res) {
    if (!res.groups || !res.groups.length) return null;
    const keys = Object.keys(res.counts);
    return h("details", { class: "vt-groups" },
      h("summary", { class: "btn" }, gettext("Theo tổ đại biểu")),
      h("table", { class: "vt-table" },
        h("thead", {}, h("tr", {}, h("th", {}, gettext("Tổ")), keys.map((k) => h("th", {}, optionLabel(poll, k))))),
        h("tbody", {}, res.groups.map((g) => h("tr", {}, h("th", { scope: "row" }, g.group || gettext("Chưa xếp tổ")),
          keys.map((k) => h("td", {}, String(g.counts[k] || 0))))))));
  }

  function outcome(poll, res) {
    if (poll.kind === "rating") return null;
    if (poll.kind === "election") {
      const names = (res.elected || []).map((k) => optionLabel(poll, k));
      return h("div", { class: `vt-outcome ${names.length ? "passed" : "failed"}`, dataset: { role: "outcome" } },
        names.length ? interpolate(gettext("Trúng cử: %(names)s"), { names: names.join(", ") }, true) : gettext("Không ai trúng cử"));
    }
    return h("div", { class: `vt-outcome ${res.passed ? "passed" : "failed"}`, dataset: { role: "outcome" } },
      res.passed ? gettext("Thông qua") : gettext("Không thông qua"));
  }

  /* An open poll's roll call (result.by_option: each option's voters) as member id -> option:
     built once per result, read for every seat. */
  const rollCalls = new WeakMap();
  function optionOf(res) {
    let roll = rollCalls.get(res);
    if (!roll) {
      roll = new Map(Object.entries(res.by_option).flatMap(([option, ids]) => ids.map((id) => [id, option])));
      rollCalls.set(res, roll);
    }
    return roll;
  }

  function resultView(poll, round, state) {
    const res = round.result;
    if (!res) return null;
    const base = BASE[res.base] || res.base;
    return h("div", { class: "vt-result", dataset: { roundId: round.id } },
      outcome(poll, res),
      h("p", { class: "vt-result-line" },
        interpolate(gettext("Số phiếu: %(cast)s (hợp lệ %(valid)s, không hợp lệ %(invalid)s)"), res, true)),
      h("p", { class: "vt-result-line muted" },
        interpolate(gettext("Căn cứ: %(base)s là %(count)s; cần tối thiểu %(needed)s (%(rule)s)"),
          { base, count: res.base_count, needed: res.needed === null ? "—" : res.needed, rule: ruleText(poll) }, true)),
      poll.kind === "rating" ? ratingTable(poll, res) : bars(poll, res),
      groupTable(poll, res),
      res.by_option ? seatMap(state, (row) => {
        const option = optionOf(res).get(row.member_id);
        return option !== undefined ? `opt-${option}` : row.status === "present" ? "none" : "away";
      }, Object.fromEntries([...Object.keys(res.counts).map((k) => [`opt-${k}`, optionLabel(poll, k)]),
        ["none", gettext("Có mặt, không tham gia biểu quyết")], ["away", gettext("Vắng mặt")]])) : null);
  }

  // ---- drawing: the seat map (open polls) -------------------------------------------------

  function svg(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    for (const c of children) if (c) el.append(c);
    return el;
  }

  /* The hall's seats, each coloured by `classOf(row)`; a legend with `labels` (class -> text). */
  function seatMap(state, classOf, labels) {
    const seated = (state.attendance || []).filter((r) => r.counts && r.seat_row !== null && r.seat_number !== null);
    if (!seated.length) return null;
    const cols = Math.max(...seated.map((r) => r.seat_number));
    const rows = Math.max(...seated.map((r) => r.seat_row));
    const W = 20;
    const map = svg("svg", { class: "vt-seatmap", viewBox: `0 0 ${cols * W} ${rows * W}`, role: "img",
      "aria-label": gettext("Sơ đồ biểu quyết theo chỗ ngồi") });
    const counts = {};
    for (const r of seated) {
      const cls = classOf(r);
      counts[cls] = (counts[cls] || 0) + 1;
      map.append(svg("rect", { class: `vt-seat ${cls}`, x: (r.seat_number - 1) * W + 1, y: (r.seat_row - 1) * W + 1,
        width: W - 2, height: W - 2, rx: 3, "data-member-id": r.member_id }, svg("title", {}, document.createTextNode(`${r.seat} · ${r.name} · ${labels[cls] || ""}`))));
    }
    return h("figure", { class: "vt-seats" }, map,
      h("figcaption", { class: "vt-legend" }, Object.keys(labels).map((cls) => h("span", { class: "vt-legend-item" },
        h("span", { class: `vt-swatch ${cls}`, "aria-hidden": "true" }), `${labels[cls]}: ${counts[cls] || 0}`))));
  }

  // ---- drawing: the polls -----------------------------------------------------------------

  /* A closed or published secret round: whether the board approved its count, and its minutes. */
  function countView(round) {
    return h("div", { class: "vt-count-board", dataset: { roundId: round.id } },
      round.approved_at
        ? h("span", { class: "vt-approved", dataset: { role: "approved" } },
          interpolate(gettext("Đã phê chuẩn lúc %(t)s"), { t: Faces.timeOfDay(Date.parse(round.approved_at), tz, false) }, true))
        : h("span", { class: "vt-unapproved", dataset: { role: "approved" } }, gettext("Ban kiểm phiếu chưa phê chuẩn")),
      h("a", { class: "btn vt-minutes", href: `/voting/round/${round.id}/minutes.pdf`, download: "" },
        gettext("Biên bản kiểm phiếu (PDF)")));
  }

  function pollStatus(poll) {
    if (poll.cancelled_reason) return "cancelled";
    const r = lastRound(poll);
    return r ? r.status : "draft";
  }

  function pollCard(poll, state, live) {
    const status = pollStatus(poll);
    const last = lastRound(poll);
    const shown = poll.rounds.slice().reverse().find((r) => r.result);
    const actions = [];
    if (!poll.cancelled_reason && !live && (!last || ["closed", "published", "voided"].includes(last.status))) {
      const again = !!last;
      actions.push(h("button", { type: "button", class: `btn ${again ? "" : "primary"} vt-open`, dataset: { key: `open-${poll.id}` },
        onclick: (ev) => run("vote.open", { poll_id: poll.id }, `open-${poll.id}`, ev.currentTarget) },
      again ? gettext("Biểu quyết lại") : gettext("Bắt đầu biểu quyết")));
    }
    const counted = poll.secret && last && ["closed", "published"].includes(last.status) ? countView(last) : null;
    if (last && last.status === "closed") {
      const waiting = poll.secret && !last.approved_at;  // the board approves a secret count before it is published
      if (waiting) {
        actions.push(h("button", { type: "button", class: "btn primary vt-approve", dataset: { key: `approve-${last.id}` },
          onclick: (ev) => run("vote.approve", { round_id: last.id }, `approve-${last.id}`, ev.currentTarget) },
        gettext("Ban kiểm phiếu phê chuẩn")));
      }
      const why = waiting ? gettext("Ban kiểm phiếu chưa phê chuẩn kết quả kiểm phiếu: chưa công bố được.") : "";
      actions.push(h("button", { type: "button", class: `btn ${waiting ? "" : "primary"} vt-publish`, dataset: { key: `publish-${last.id}` },
        disabled: waiting || busy.has(`publish-${last.id}`), title: why || null,
        "aria-describedby": waiting ? `vt-publish-why-${last.id}` : null,
        onclick: (ev) => run("vote.publish", { round_id: last.id }, `publish-${last.id}`, ev.currentTarget) },
      gettext("Công bố kết quả")));
      actions.push(voidControl(last));
      if (waiting) actions.push(h("p", { class: "vt-hint muted", id: `vt-publish-why-${last.id}` }, why));
    }
    if (last && last.status === "published") {
      actions.push(h("button", { type: "button", class: "btn", onclick: (ev) => showOnHall("vote_result", ev.currentTarget) },
        gettext("Chiếu kết quả")));
      if (!poll.secret) {
        actions.push(h("button", { type: "button", class: "btn", onclick: (ev) => showOnHall("vote_seats", ev.currentTarget) },
          gettext("Chiếu sơ đồ")));
      }
    }
    const history = poll.rounds.filter((r) => r !== last || r.status === "voided").map((r) => h("li", { class: `vt-round is-${r.status}` },
      interpolate(gettext("Lần %(n)s: %(status)s"), { n: r.number, status: STATUS[r.status] }, true),
      r.voided_reason ? ` — ${r.voided_reason}` : ""));
    return h("article", { class: `vt-poll is-${status}`, dataset: { pollId: poll.id, status } },
      h("div", { class: "vt-poll-head" },
        h("h3", { class: "vt-poll-title" }, poll.title),
        h("span", { class: `vt-badge is-${status}` }, STATUS[status])),
      h("div", { class: "vt-poll-meta muted" }, [KIND[poll.kind], poll.secret ? gettext("bỏ phiếu kín") : null, ruleText(poll),
        poll.kind === "election" ? interpolate(gettext("bầu %(n)s người"), { n: poll.seats }, true) : null,
        poll.allow_change ? gettext("được sửa phiếu") : null].filter(Boolean).join(" · ")),
      poll.cancelled_reason ? h("p", { class: "vt-note" }, interpolate(gettext("Lý do hủy: %(reason)s"), { reason: poll.cancelled_reason }, true)) : null,
      history.length ? h("ul", { class: "vt-history" }, history) : null,
      shown ? resultView(poll, shown, state) : null,
      counted,
      actions.length ? h("div", { class: "vt-row-actions" }, actions) : null);
  }

  function renderPolls(state) {
    const list = polls(state).slice().reverse(); // the newest first
    const live = liveRound(state);
    ui.empty.hidden = list.length > 0;
    fill(ui.polls, list.map((p) => pollCard(p, state, live)));
    ui.state.textContent = live ? STATUS[live.round.status] : "";
    ui.state.className = `vt-state${live ? " is-" + live.round.status : ""}`;
  }

  function render(state, type, data) {
    if (!state || !state.voting) return;
    // Once per frame: a part is drawn again when any of the frame's changes touches it (Hub.touched).
    const touched = (test) => !type || Hub.touched(type, data, test);
    const attendance = (t) => t.startsWith("attendance");
    if (touched((t) => t === "vote.poll" || attendance(t) || t === "vote.count")) {
      Faces.keepFocus(() => renderLive(state));
    }
    // Attendance changes a poll's card only through a result's seat map (who is away).
    const seats = () => polls(state).some((p) => p.rounds.some((r) => r.result && r.result.by_option));
    if (touched((t) => t === "vote.poll" || (attendance(t) && seats()))) Faces.keepFocus(() => renderPolls(state));
    if (touched(attendance)) renderPeople(state);
    if (touched((t) => t === "vote.board" || attendance(t))) Faces.keepFocus(() => renderBoard(state));
  }

  Hub.registerPanel((state, type, data, hb) => {
    hub = hb;
    if (!send) send = Faces.sender(hb);
    render(state, type, data);
  });
})();
