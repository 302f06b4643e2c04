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
    testSound: $("vid-test-sound"), note: $("vid-check-note"), join: $("vid-join"), net: $("vid-net"),
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
  let session = null; // video.join's reply, the joining this page is in

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

  /* The network, as far as the page can tell before the media flows: five round trips to the hub
   * (the median); the media's own quality shows on the chair's console once connected. */
  let netChecked = false;
  async function checkNetwork() {
    if (netChecked || !hub) return;
    netChecked = true;
    ui.net.textContent = gettext("Đang kiểm tra mạng…");
    const times = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      try {
        await hub.command("ping", {}, 5000);
        times.push(performance.now() - t0);
      } catch (e) {
        break;
      }
    }
    if (!times.length) {
      ui.net.dataset.level = "poor";
      ui.net.textContent = gettext("Mạng: không kết nối được tới máy chủ.");
      netChecked = false;
      return;
    }
    times.sort((a, b) => a - b);
    const ms = Math.round(times[Math.floor(times.length / 2)]);
    const level = ms < 150 ? "good" : ms < 400 ? "fair" : "poor";
    ui.net.dataset.level = level;
    ui.net.textContent = interpolate({ good: gettext("Mạng: tốt (%s ms)"), fair: gettext("Mạng: trung bình (%s ms)"),
                                       poor: gettext("Mạng: chậm (%s ms) — hình có thể bị giật") }[level], [ms]);
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

  /* The person chose to be in the room (`wanted`); the page keeps them there: a connection that
   * fails, or a media process that restarted, is joined again by itself after 2, 4 … 30 s, without a
   * new link. Shown out by the chair, or in the room from another device: not joined again. */
  let wanted = false;
  let retry = 0;
  let retryTimer = null;
  let lostTimer = null;

  function note(text) {
    ui.note.textContent = text;
  }

  async function connect() {
    if (peer) peer.close();
    peer = null;
    session = await hub.command("video.join", {});
    const mine = videoPeerFor(hub, session, stream, {
      track: (slot, media) => {
        if (slot === "hall") ui.hall.srcObject = media;
        else if (slot === "floor") ui.floor.srcObject = media;
        else if (slot === "mix") ui.audio.srcObject = media;
      },
      state: (s) => peerState(mine, s),
    });
    peer = mine;
    ui.self.srcObject = stream;
    await mine.start();
  }

  function peerState(which, s) {
    if (which !== peer) return; // an earlier connection, replaced
    ui.conn.textContent = CONN[s] || s;
    ui.conn.dataset.state = s;
    clearTimeout(lostTimer);
    if (s === "connected") retry = 0;
    else if (s === "failed") again();
    else if (s === "disconnected") lostTimer = setTimeout(again, 8000); // often passes by itself
  }

  function again() {
    if (!wanted || retryTimer) return;
    const delay = Math.min(30000, 2000 * 2 ** retry++);
    ui.conn.textContent = CONN.disconnected;
    ui.conn.dataset.state = "disconnected";
    retryTimer = setTimeout(async () => {
      retryTimer = null;
      if (!wanted) return;
      joining = true;
      try {
        await connect();
      } catch (e) {
        again();
      } finally {
        joining = false;
      }
    }, delay);
  }

  async function join() {
    if (joining) return;
    joining = true;
    ui.join.setAttribute("aria-busy", "true");
    note("");
    try {
      await openDevices();
      wanted = true;
      retry = 0;
      mode = "room";
      draw(hub.state);
      await connect();
    } catch (e) {
      Faces.toast(Faces.errorMessage(e));
      if (wanted && session) again(); // in the room, the media not reachable yet: keep trying
      else { wanted = false; mode = "check"; }
    } finally {
      joining = false;
      ui.join.removeAttribute("aria-busy");
      draw(hub.state);
    }
  }

  function stop(text) {
    wanted = false;
    clearTimeout(retryTimer);
    clearTimeout(lostTimer);
    retryTimer = null;
    if (peer) peer.close();
    peer = null;
    session = null;
    mode = "check";
    if (text) note(text);
  }

  async function leave() {
    const id = session ? session.session_id : hub.you && hub.you.video && hub.you.video.session_id;
    stop("");
    if (id) await send("video.leave", { session_id: id }).catch(() => null);
    draw(hub.state);
  }

  /* Our joining ended by someone else's doing (you.video): say why; join again only after a timeout. */
  function followMine() {
    const mine = hub.you && hub.you.video;
    if (!mine || !session || joining || mine.session_id === session.session_id) return;
    if (mine.session_id !== null) {
      stop(gettext("Bạn đã vào phòng họp trực tuyến từ một thiết bị khác; thiết bị này đã rời phòng."));
    } else if (mine.ended === "kicked") {
      stop(interpolate(gettext("Chủ tọa đã mời bạn ra khỏi phòng họp trực tuyến: %s"), [mine.reason || ""]));
    } else if (mine.ended === "closed") {
      stop(gettext("Phiên họp đã kết thúc."));
    } else if (mine.ended === "timeout" && wanted) {
      again();
    }
  }

  function draw(state) {
    if (hub) followMine();
    const video = state && state.video;
    const member = hub && hub.you && hub.you.member_id;
    // A hall tablet is not offered remote video (data-offered 0), unless it is in the room already.
    const offered = root.dataset.offered !== "0" || mode !== "offer";
    const show = !!(video && video.room.enabled && member && offered);
    root.hidden = !show;
    if (!show) return;
    ui.offer.hidden = mode !== "offer";
    ui.check.hidden = mode !== "check";
    ui.room.hidden = mode !== "room";
    if (mode === "check" && !stream) openDevices().catch(() => null);
    if (mode === "check") checkNetwork();
    if (mode !== "room") return;
    videoFollowPublishers(peer, state);
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
    // This device was revoked (the chair showed its person out, or the office took it back): the hub
    // closed it before it could be told why; leave the room and say so.
    if (hub && hub.status === "forbidden" && (wanted || peer)) {
      stop(gettext("Thiết bị này không còn được theo dõi phiên họp; bạn đã rời phòng họp trực tuyến. Hãy liên hệ thư ký nếu cần vào lại."));
      draw(hub.state);
    }
  }, 100);

  Hub.registerPanel((state, type, data, hb) => {
    hub = hb;
    if (!send) send = Faces.sender(hb);
    draw(state);
  });
})();
