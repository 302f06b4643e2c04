/* The agenda module's events in hub.js (agenda/hub.py registers them and this script). */
(function () {
  "use strict";

  Hub.registerEvent("agenda.current", (state, data) => {
    const byId = new Map(data.items.map((i) => [i.id, i]));
    state.agenda.items = state.agenda.items.map((i) => byId.get(i.id) || i);
    state.agenda.current_item_id = data.current_item_id;
  });
  Hub.registerEvent("agenda.items", (state, data) => {
    state.agenda = data;
  });
})();
