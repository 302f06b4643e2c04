/* The control room's hall camera page (video/views.py): publishes the chosen camera and the mixer's
 * line input to the sitting's video room (`video.join` as "hallcam"), and plays the live remote
 * voices to the chosen output, which the sound desk takes on a channel. The line input is taken as
 * it is: no echo cancellation, noise suppression or gain control (the desk does that). The level
 * meter shows what reaches the hall; it is silent unless a remote participant holds the floor (the
 * media process decides, docs/decisions/0014 §2). `window.hallcamLevel()` reads it (tests). */
(function () {
  "use strict";

  const { gettext, interpolate } = Faces;
  const $ = (id) => document.getElementById(id);
  const root = $("hallcam");
  const sittingId = Number(root.dataset.sitting);
  const ui = {
    conn: $("conn"), camera: $("hc-camera"), mic: $("hc-mic"), out: $("hc-out"), preview: $("hc-preview"),
    start: $("hc-start"), stop: $("hc-stop"), pcConn: $("hc-conn"), level: $("hc-level"),
    people: $("hc-people"), none: $("hc-none"), audio: $("hc-audio"),
  };
  let stream = null;
  let peer = null;
  let session = null;
  let meter = null;
  let peak = 0;

  const hub = new Hub(sittingId, {
    onState: (state) => draw(state),
    onStatus: (status) => {
      Faces.setConnection(ui.conn, status);
      // Starting needs the hub (video.join, then the media's signals through it): not before it answers.
      ui.start.disabled = status !== "live" && status !== "catching_up";
    },
    onError: (err) => Faces.toast(Faces.errorMessage(err)),
  });
  const send = Faces.sender(hub);

  async function devices() {
    const list = await navigator.mediaDevices.enumerateDevices();
    for (const [select, kind] of [[ui.camera, "videoinput"], [ui.mic, "audioinput"], [ui.out, "audiooutput"]]) {
      const keep = select.value;
      select.replaceChildren(...list.filter((d) => d.kind === kind).map((d, i) => {
        const o = document.createElement("option");
        o.value = d.deviceId;
        o.textContent = d.label || `${kind} ${i + 1}`;
        o.selected = d.deviceId === keep;
        return o;
      }));
    }
  }

  async function start() {
    ui.start.setAttribute("aria-busy", "true");
    try {
      const audio = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
      if (ui.mic.value) audio.deviceId = { exact: ui.mic.value };
      const video = { width: 1280, height: 720 };
      if (ui.camera.value) video.deviceId = { exact: ui.camera.value };
      stream = await navigator.mediaDevices.getUserMedia({ audio, video });
      ui.preview.srcObject = stream;
      await devices();
      session = await send("video.join", { as: "hallcam" });
      peer = videoPeerFor(hub, session, stream, {
        track: (slot, media) => {
          if (slot !== "voices") return;
          ui.audio.srcObject = media;
          if (ui.out.value && ui.audio.setSinkId) ui.audio.setSinkId(ui.out.value).catch(() => null);
          meter = VideoMeter(media);
        },
        state: (s) => { ui.pcConn.textContent = s; ui.pcConn.dataset.state = s; },
      });
      await peer.start();
      ui.start.hidden = true;
      ui.stop.hidden = false;
    } catch (e) {
      if (peer) peer.close();
      peer = null;
      ui.pcConn.textContent = Faces.errorMessage(e);
      ui.pcConn.dataset.state = "failed";
    } finally {
      ui.start.removeAttribute("aria-busy");
    }
  }

  async function stop() {
    if (peer) peer.close();
    if (stream) stream.getTracks().forEach((t) => t.stop());
    peer = stream = null;
    if (session) await send("video.leave", { session_id: session.session_id }).catch(() => null);
    session = null;
    ui.start.hidden = false;
    ui.stop.hidden = true;
    ui.pcConn.textContent = "";
  }

  function draw(state) {
    const video = state.video;
    if (!video) return;
    videoFollowPublishers(peer, state);
    const live = VideoLive.liveMembers(state);
    const people = video.participants || [];
    ui.none.hidden = people.length > 0;
    ui.people.replaceChildren(...people.map((p) => {
      const li = document.createElement("li");
      li.dataset.member = p.member_id;
      const on = live.has(p.member_id);
      li.className = on ? "live" : "";
      li.textContent = `${p.name} — ${on ? gettext("Micro đang mở") : gettext("Micro đã tắt")}`;
      return li;
    }));
  }

  ui.start.addEventListener("click", start);
  ui.stop.addEventListener("click", stop);
  ui.out.addEventListener("change", () => { if (ui.audio.setSinkId && ui.out.value) ui.audio.setSinkId(ui.out.value).catch(() => null); });
  setInterval(() => {
    const level = meter ? meter.level() : 0;
    peak = Math.max(level, peak * 0.9);
    ui.level.style.width = `${Math.min(100, Math.round(peak * 400))}%`;
  }, 50);
  window.hallcamLevel = () => (meter ? meter.level() : 0);
  devices().catch(() => null);
  hub.connect();
})();
