/* "Đang ghi âm": on every face that follows a sitting (the console, the terminals, the hall
 * displays, the public page, the hall camera page), a badge while the media process records the
 * sitting's sound for the minutes (state.video.room.recording). Registered as a hub script
 * (video/hub.py), drawn from the state like a panel. */
(function () {
  "use strict";
  const gettext = window.gettext || ((s) => s);
  let badge = null;

  function draw(state) {
    const on = !!(state && state.video && state.video.room && state.video.room.recording);
    if (on && !badge) {
      badge = document.createElement("div");
      badge.className = "video-recording-badge";
      badge.setAttribute("role", "status");
      badge.dataset.role = "recording";
      const dot = document.createElement("span");
      dot.className = "video-recording-dot";
      dot.setAttribute("aria-hidden", "true");
      badge.append(dot, document.createTextNode(gettext("Đang ghi âm")));
      document.body.append(badge);
    }
    if (badge) badge.hidden = !on;
  }

  if (!document.querySelector("link[data-video-recording]")) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("recording.css", document.currentScript.src).href;
    link.dataset.videoRecording = "";
    document.head.append(link);
  }
  Hub.registerPanel((state) => draw(state));
})();
