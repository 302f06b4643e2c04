/* Hall slide "remote_speaker": a remote participant has the floor — their video full screen (the
 * floor video from the media process, which sends a display nothing else) under the speaker band
 * (name, position, delegate group, countdown read from 20 m). The hall hears them through the sound
 * desk (the hall camera page), never through a display. Following the sitting ("auto"), it claims
 * the screen (65: over a question, 60, and the speaker slide, 50; under an announcement, 70) while
 * the speaker is a connected remote participant whose microphone is live.
 *
 * The display joins the video room once (`video.join` as a display) and keeps one <video> element,
 * moved into each drawing of the slide, so a redraw never restarts the picture. */
(function () {
  "use strict";
  const { h, gettext } = Hall;
  const KEY = "remote_speaker";
  const SHEET = new URL("slides.css", document.currentScript.src).href;
  if (!Array.from(document.querySelectorAll("link[rel=stylesheet]")).some((l) => l.href === SHEET)) {
    document.head.append(h("link", { rel: "stylesheet", href: SHEET }));
  }

  const picture = h("video", { class: "rvs-video", autoplay: true, muted: true, playsinline: true, dataset: { role: "remote-video" } });
  picture.muted = true;
  let peer = null;
  let joining = false;
  let retry = 0;

  function remote(state) {
    const sp = state.floor && state.floor.speaker;
    if (!sp || !state.video || !state.video.room.enabled) return null;
    const p = (state.video.participants || []).find((x) => x.member_id === sp.member_id);
    if (!p || p.link !== "connected" || !VideoLive.liveMembers(state).has(sp.member_id)) return null;
    return sp;
  }

  async function ensurePeer(hub) {
    if (peer || joining) return;
    joining = true;
    try {
      const join = await hub.command("video.join", { as: "display" });
      const mine = videoPeerFor(hub, join, null, {
        track: (slot, media) => { if (slot === "floor") picture.srcObject = media; },
        state: (s) => {
          picture.dataset.state = s;
          if (s === "failed" && peer === mine) { mine.close(); peer = null; }
        },
      });
      peer = mine;
      await mine.start();
      retry = 0;
    } catch (e) {
      if (peer) peer.close();
      peer = null;
      retry = Math.min(retry + 1, 5);
    } finally {
      joining = false;
    }
  }

  function render(root, state, hub) {
    const sp = remote(state) || (state.floor && state.floor.speaker);
    ensurePeer(hub);
    videoFollowPublishers(peer, state);
    const band = sp ? h("div", { class: "rvs-band" },
      h("div", { class: "rvs-who" },
        h("div", { class: "rvs-kind", text: gettext("Phát biểu trực tuyến") }),
        h("div", { class: "rvs-name", dataset: { role: "speaker-name" }, text: sp.name }),
        sp.position || sp.group ? h("div", { class: "rvs-meta", text: [sp.position, sp.group].filter(Boolean).join(" · ") }) : null),
      window.FloorSlides ? FloorSlides.countdown(sp) : null)
      : h("div", { class: "rvs-band is-empty", text: gettext("Chưa có người phát biểu trực tuyến") });
    Hall.append(root, Hall.header(state, Hall.config()), h("div", { class: "rvs-body" }, picture, band));
    if (picture.paused) picture.play().catch(() => null);
    const name = root.querySelector(".rvs-name");
    if (name) Hall.fit(name, 7, 4.6, 0.2);
    if (sp && window.FloorSlides) FloorSlides.updateClock(root, state, hub);
  }

  function tick(root, state, hub) {
    if (window.FloorSlides) FloorSlides.updateClock(root, state, hub);
  }

  function claim(state) {
    return remote(state) ? 65 : 0;
  }

  HallSlides.register(KEY, { render, tick, claim });
})();
