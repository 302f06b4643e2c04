/* Remote participants on the chair's console (video/pages.py): who is in the video room, their
 * connection (a dot; "Mất kết nối" with the time left before they are let go) and its quality (bars),
 * whose microphone is open by the rule of who is heard (VideoLive, the same as the media process's),
 * "Bật mic" / "Tắt mic" for the current turn (video.override, saying which turn the chair saw),
 * "Theo lượt phát biểu" to give it back to the floor, and "Mời ra" with a reason (video.kick).
 * While the panel is on screen it asks the media process for its numbers every 5 s (signal
 * video.stats, nothing stored): no answer is "Máy chủ video không hoạt động" at once. */
(function () {
  "use strict";

  const { gettext, interpolate, h } = Faces;
  const $ = (id) => document.getElementById(id);
  const root = $("video-panel");
  if (!root) return;
  const ui = { record: $("vc-record"), media: $("vc-media"), load: $("vc-load"), loadFill: $("vc-load-fill"), loadText: $("vc-load-text"),
               people: $("vc-people"), none: $("vc-none"), hall: $("vc-hall") };
  const LINK = { connecting: gettext("Đang kết nối"), connected: gettext("Đã kết nối"), lost: gettext("Mất kết nối") };
  const LEVEL = { good: gettext("Tốt"), fair: gettext("Trung bình"), poor: gettext("Kém") };

  let hub = null;
  let send = null;
  let numbers = null; // the last video.stats reply, or "down"
  let kickOpen = null; // member id whose "Mời ra" form is open
  let kickText = "";
  const busy = new Set();

  function bars(level) {
    const n = { good: 3, fair: 2, poor: 1 }[level] || 0;
    return h("svg", { class: `vc-bars level-${level || "none"}`, viewBox: "0 0 18 14", role: "img",
                      "aria-label": level ? interpolate(gettext("Chất lượng: %s"), [LEVEL[level]]) : gettext("Chưa rõ chất lượng") },
      [0, 1, 2].map((i) => h("rect", { x: i * 6, y: 10 - i * 4, width: 4, height: 4 + i * 4, rx: 1, class: i < n ? "on" : "off" })));
  }

  function command(key, cmd, args) {
    if (busy.has(key)) return;
    busy.add(key);
    send(cmd, args).catch(() => null).finally(() => { busy.delete(key); draw(hub.state); });
  }

  function graceLeft(p) {
    if (p.link !== "lost" || !p.link_since) return null;
    const grace = Number(root.dataset.grace || 120);
    return Math.max(0, Math.round(grace - (hub.now() - Date.parse(p.link_since)) / 1000));
  }

  function person(state, p, live) {
    const on = live.has(p.member_id);
    const speaker = state.floor && state.floor.speaker;
    const expect = speaker ? speaker.id : null;
    const override = (state.video.overrides || []).find((o) => o.member_id === p.member_id && o.speech_id === expect);
    const stats = numbers && numbers !== "down" ? numbers.peers.find((s) => s.member_id === p.member_id) : null;
    const left = graceLeft(p);
    const linkText = p.link === "lost"
      ? interpolate(gettext("Mất kết nối từ %(time)s — còn giữ chỗ %(left)s"),
                    { time: Faces.timeOfDay(Date.parse(p.link_since), document.getElementById("console").dataset.tz), left: HubTime.formatDuration(left || 0) }, true)
      : LINK[p.link] || p.link;
    const actions = [
      h("button", { type: "button", class: `btn vc-mic ${on ? "on" : ""}`, dataset: { key: `mic-${p.member_id}` },
                    onclick: () => command(`mic-${p.member_id}`, "video.override", { member_id: p.member_id, live: !on, expect_speech: expect }) },
        on ? gettext("Tắt mic") : gettext("Bật mic")),
    ];
    if (override) {
      actions.push(h("button", { type: "button", class: "btn vc-follow", dataset: { key: `follow-${p.member_id}` },
                                 onclick: () => command(`follow-${p.member_id}`, "video.override", { member_id: p.member_id, live: null, expect_speech: expect }) },
        gettext("Theo lượt phát biểu")));
    }
    if (kickOpen === p.member_id) {
      actions.push(h("form", { class: "vc-kick-form", onsubmit: (ev) => {
        ev.preventDefault();
        const reason = kickText.trim();
        if (!reason) return;
        kickOpen = null;
        kickText = "";
        command(`kick-${p.member_id}`, "video.kick", { member_id: p.member_id, reason });
      } },
        h("input", { type: "text", maxlength: 500, required: true, value: kickText, "aria-label": gettext("Lý do mời ra"),
                     placeholder: gettext("Lý do mời ra"), dataset: { key: `kick-reason-${p.member_id}` },
                     oninput: (ev) => { kickText = ev.target.value; } }),
        h("button", { type: "submit", class: "btn danger" }, gettext("Mời ra")),
        h("button", { type: "button", class: "btn", onclick: () => { kickOpen = null; draw(hub.state); } }, gettext("Thôi"))));
    } else {
      actions.push(h("button", { type: "button", class: "btn vc-kick", dataset: { key: `kick-${p.member_id}` },
                                 onclick: () => { kickOpen = p.member_id; kickText = ""; draw(hub.state); root.querySelector(`[data-key="kick-reason-${p.member_id}"]`)?.focus(); } },
        gettext("Mời ra")));
    }
    const detail = stats && stats.rtt_ms != null
      ? interpolate(gettext("trễ %(rtt)s ms, mất gói %(loss)s%%"), { rtt: Math.round(stats.rtt_ms), loss: (stats.loss_pct || 0).toFixed(1) }, true)
      : "";
    return h("li", { class: `vc-person link-${p.link}${on ? " live" : ""}`, dataset: { member: p.member_id } },
      h("span", { class: "vc-dot", "aria-hidden": "true" }),
      h("div", { class: "vc-who" },
        h("strong", {}, p.name),
        h("span", { class: "vc-state" }, linkText, p.lost_count ? ` · ${interpolate(gettext("mất %s lần"), [p.lost_count])}` : ""),
        h("span", { class: "vc-detail muted" }, detail)),
      bars(p.link === "connected" ? p.level : null),
      h("span", { class: `vc-micstate ${on ? "on" : "off"}` }, on ? gettext("Micro đang mở") : gettext("Micro đã tắt")),
      h("div", { class: "vc-actions" }, actions));
  }

  function drawMedia(video) {
    const down = numbers === "down" || (numbers === null && !video.room.up && video.participants.length);
    ui.media.textContent = down ? gettext("Máy chủ video không hoạt động — phiên họp vẫn tiếp tục")
      : (numbers || video.room.up) ? gettext("Máy chủ video hoạt động") : "";
    ui.media.className = `vc-media ${down ? "down" : "up"}`;
    const streams = numbers && numbers !== "down" ? numbers.streams : video.room.streams;
    const capacity = numbers && numbers !== "down" ? numbers.capacity : video.room.capacity;
    ui.load.hidden = !capacity || down;
    if (capacity) {
      const ratio = streams / capacity;
      ui.loadFill.setAttribute("width", String(Math.min(100, ratio * 100)));
      ui.load.className = `vc-load ${ratio > 1 || video.room.overloaded ? "over" : ratio >= 0.8 ? "high" : ""}`;
      ui.loadText.textContent = ratio > 1 || video.room.overloaded
        ? interpolate(gettext("%(n)s/%(max)s luồng: vượt khả năng máy chủ video nhúng — nên dùng Janus"), { n: streams, max: capacity }, true)
        : interpolate(gettext("%(n)s/%(max)s luồng video"), { n: streams, max: capacity }, true);
    }
    if (document.activeElement !== ui.record) ui.record.checked = video.room.record;
    ui.hall.textContent = video.hall.publishing ? gettext("Camera hội trường đang phát") : gettext("Camera hội trường chưa phát");
  }

  function draw(state) {
    const video = state && state.video;
    root.hidden = !(video && video.room.enabled);
    if (root.hidden) return;
    const live = VideoLive.liveMembers(state);
    drawMedia(video);
    ui.none.hidden = video.participants.length > 0;
    Faces.keepFocus(() => ui.people.replaceChildren(...video.participants.map((p) => person(state, p, live))));
  }

  async function poll() {
    if (!hub || root.hidden || document.hidden || !hub.state || !hub.state.video.room.enabled) return;
    try {
      numbers = await hub.command("video.stats", {}, 6000);
    } catch (err) {
      if (err && err.code === "media_unavailable") numbers = "down";
      else if (err && err.code !== "disconnected") numbers = "down";
    }
    draw(hub.state);
  }

  ui.record.addEventListener("change", () => command("record", "video.room", { record: ui.record.checked }));
  setInterval(poll, 5000);
  setInterval(() => { if (hub && hub.state && hub.state.video && hub.state.video.participants.some((p) => p.link === "lost")) draw(hub.state); }, 1000);

  Hub.registerPanel((state, type, data, hb) => {
    const first = !hub;
    hub = hb;
    if (!send) send = Faces.sender(hb);
    draw(state);
    if (first) poll();
  });
})();
