/* The floor module's events in hub.js (floor/hub.py registers them and this script). */
(function () {
  "use strict";

  Hub.registerEvent("floor.requested", (state, data) => {
    state.floor.queue.splice(data.index, 0, data.request);
  });
  Hub.registerEvent("floor.left", (state, data) => {
    state.floor.queue = state.floor.queue.filter((r) => r.id !== data.request_id);
  });
  Hub.registerEvent("floor.queue", (state, data) => {
    Object.assign(state.floor, data);
  });
  Hub.registerEvent("floor.speaker", (state, data) => {
    Object.assign(state.floor, data);
  });
  Hub.registerEvent("questioning.changed", (state, data) => {
    state.questioning = data;
  });
  Hub.registerMemberEvent("floor.mine", (you, data) => {
    you.floor = data;
  });
})();
