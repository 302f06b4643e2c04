/* The video module's events in hub.js (video/hub.py registers them and this script). */
(function () {
  "use strict";

  Hub.registerEvent("video.changed", (state, data) => {
    state.video = data;
  });
  Hub.registerMemberEvent("video.mine", (you, data) => {
    you.video = data;
  });
})();
