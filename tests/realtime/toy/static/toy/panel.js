/* The toy module's panels (tests/realtime/toy/hub.py, register_panel): drawn from the state and,
 * on the terminal, from what this member alone is told (hub.you). */
(function () {
  "use strict";

  Hub.registerPanel((state, type, data, hub) => {
    const count = document.getElementById("toy-count");
    if (count && state && state.toy) count.textContent = String(state.toy.count);
    const pokes = document.getElementById("toy-pokes");
    if (pokes && hub.you && hub.you.toy) {
      pokes.textContent = String(hub.you.toy.pokes);
      document.getElementById("toy-note").textContent = hub.you.toy.note;
    }
  });
})();
