/* The toy module's reducers in hub.js (tests/realtime/toy/hub.py registers them and this script). */
(function () {
  "use strict";

  Hub.registerEvent("toy.bumped", (state, data) => {
    state.toy = data;
  });
  // What one member alone is told: applied to hub.you.
  Hub.registerMemberEvent("toy.poked", (you, data) => {
    you.toy = data;
  });
  Hub.registerMemberEvent("toy.whispered", () => {});  // a toast: nothing of it is kept
})();
