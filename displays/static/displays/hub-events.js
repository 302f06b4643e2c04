/* The hall displays' event in hub.js (displays/hub.py registers it and this script). */
(function () {
  "use strict";

  Hub.registerEvent("display.updated", (state, data) => {
    if (!state.displays) return;
    const list = state.displays.filter((d) => d.id !== data.id);
    if (data.sitting_id === state.sitting.id) list.push(data);
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    state.displays = list;
  });
})();
