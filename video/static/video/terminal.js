/* Remote participation on the delegate terminal (video/pages.py): a remote participant's page is the
 * terminal itself, so requesting the floor and voting are the terminal's own panels.
 *
 * A remote link opens the terminal with ?remote=1: the device check (camera preview, microphone
 * level, a test sound), then "Vào phòng" sends `video.join` (a stored command: it checks you in as
 * present, remote) and negotiates one RTCPeerConnection through the hub (VideoPeer). The hall, the
 * speaker on the floor and the live voices come back; "Micro đang mở" follows the floor by the same
 * rule the media process enforces (VideoLive). Whether your voice reaches anyone is decided by the
 * media process, never by this page.
 */
(function () {
  "use strict";

  const { gettext, interpolate } = Faces;
  const $ = (id) => document.getElementById(id);
  const root = $("video-terminal");
  if (!root) return;

  const ui = {
    offer: $("vid-offer"), open: $("vid-open"), check: $("vid-check"), room: $("vid-room"),
    preview: $("vid-preview"), camera: $("vid-camera"), mic: $("vid-mic"), level: $("vid-mic-level"),
    testSound: $("vid-test-sound"), note: $("vid-check-note"), join: $("vid-join"),
    hall: $("vid-hall"), floorBox: $("vid-floor-box"), floor: $("vid-floor"), floorName: $("vid-floor-name"),
    self: $("vid-self"), audio: $("vid-audio"), micState: $("vid-mic-state"), conn: $("vid-conn"), leave: $("vid-leave"),
  };
  const CONN = {
    new: gettext("Đang kết nối video…"), connecting: gettext("Đang kết nối video…"), connected: gettext("Video đã kết nối"),
    disconnected: gettext("Mất kết nối video, đang thử lại…"), failed: gettext("Không kết nối được video"), closed: "",
  };

  let hub = null;
  let send = null;
  let mode = new URLSearchParams(location.search).get("remote") === "1" ? "check" : "offer";
  let stream = null;
  let meter = null;
  let peer = null;
  let joining = false;
  let session = null; // video.join's reply

  async function openDevices() {
    if (stream) return stream;
    ui.note.textContent = "";
    const constraints = {
      audio: ui.mic.value ? { deviceId: { exact: ui.mic.value } } : true,
      video: ui.camera.value ? { deviceId: { exact: ui.camera.value }, width: 640, height: 360 } : { width: 640, height: 360 },
    };
    try {
      stream = await navigator.mediaDevices.getUserMedia(constraints);
    } catch (e) {
      ui.note.textContent = gettext("Không mở được camera hoặc micro. Hãy cho phép trình duyệt dùng chúng rồi thử lại.");
      throw e;
    }
    ui.preview.srcObject = stream;
    meter = VideoMeter(stream);
    await listDevices();
    return stream;
  }

  async function listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    for (const [select, kind] of [[ui.camera, "videoinput"], [ui.mic, "audioinput"]]) {
      const current = select.value || (stream && (kind === "videoinput" ? stream.getVideoTracks() : stream.getAudioTracks())[0]?.getSettings().deviceId);
      select.replaceChildren(...devices.filter((d) => d.kind === kind).map((d, i) => {
        const o = document.createElement("option");
        o.value = d.deviceId;
        o.textContent = d.label || `${kind === "videoinput" ? gettext("Camera") : gettext("Micro")} ${i + 1}`;
        o.selected = d.deviceId === current;
        return o;
      }));
    }
  }

  function reopen() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    if (meter) meter.close();
    stream = meter = null;
    openDevices().catch(() => null);
  }

  function testSound() {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const osc = ctx.createOscillator();
    osc.frequency.value = 660;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.6);
    ui.note.textContent = gettext("Bạn có nghe thấy tiếng bíp? Nếu không, hãy kiểm tra loa hoặc tai nghe.");
  }

  async function join() {
    if (joining) return;
    joining = true;
    ui.join.setAttribute("aria-busy", "true");
    try {
      await openDevices();
      session = await send("video.join", {});
      peer = new VideoPeer(hub, session, stream, {
        track: (slot, media) => {
          if (slot === "hall") ui.hall.srcObject = media;
          else if (slot === "floor") ui.floor.srcObject = media;
          else if (slot === "mix") ui.audio.srcObject = media;
        },
        state: (s) => { ui.conn.textContent = CONN[s] || s; ui.conn.dataset.state = s; },
      });
      ui.self.srcObject = stream;
      mode = "room";
      draw(hub.state);
      await peer.start();
    } catch (e) {
      if (peer) peer.close();
      peer = null;
    } finally {
      joining = false;
      ui.join.removeAttribute("aria-busy");
    }
  }

  async function leave() {
    if (peer) peer.close();
    peer = null;
    const id = session ? session.session_id : hub.you && hub.you.video && hub.you.video.session_id;
    session = null;
    mode = "check";
    if (id) await send("video.leave", { session_id: id }).catch(() => null);
    draw(hub.state);
  }

  function draw(state) {
    const video = state && state.video;
    const member = hub && hub.you && hub.you.member_id;
    const show = !!(video && video.room.enabled && member);
    root.hidden = !show;
    if (!show) return;
    ui.offer.hidden = mode !== "offer";
    ui.check.hidden = mode !== "check";
    ui.room.hidden = mode !== "room";
    if (mode === "check" && !stream) openDevices().catch(() => null);
    if (mode !== "room") return;
    const live = VideoLive.liveMembers(state);
    const on = live.has(member);
    ui.micState.textContent = on ? gettext("Micro đang mở") : gettext("Micro đã tắt");
    ui.micState.className = `vid-mic ${on ? "on" : "off"}`;
    const speaker = state.floor && state.floor.speaker;
    const remoteSpeaker = speaker && speaker.member_id !== member && live.has(speaker.member_id)
      && (video.participants || []).some((p) => p.member_id === speaker.member_id);
    ui.floorBox.hidden = !remoteSpeaker;
    ui.floorName.textContent = remoteSpeaker ? interpolate(gettext("%s (trực tuyến)"), [speaker.name]) : "";
  }

  ui.open.addEventListener("click", () => { mode = "check"; draw(hub.state); });
  ui.join.addEventListener("click", join);
  ui.leave.addEventListener("click", leave);
  ui.testSound.addEventListener("click", testSound);
  ui.camera.addEventListener("change", reopen);
  ui.mic.addEventListener("change", reopen);
  setInterval(() => {
    if (meter && !ui.check.hidden) ui.level.style.width = `${Math.min(100, Math.round(meter.level() * 400))}%`;
  }, 100);

  Hub.registerPanel((state, type, data, hb) => {
    hub = hb;
    if (!send) send = Faces.sender(hb);
    draw(state);
  });
})();
