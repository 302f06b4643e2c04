/* The document library's events in hub.js (library/hub.py registers it and this script). */
(function () {
  "use strict";

  Hub.registerEvent("documents.changed", (state, data) => {
    state.documents = data.documents;
  });
  // A reminder to read (never stored): nothing of it is kept in `you`; the reminders panel shows it.
  Hub.registerMemberEvent("library.reminded", () => {});
})();
