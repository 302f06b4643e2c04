/* The document library's event in hub.js (library/hub.py registers it and this script). */
(function () {
  "use strict";

  Hub.registerEvent("documents.changed", (state, data) => {
    state.documents = data.documents;
  });
})();
