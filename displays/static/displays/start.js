/* Starts the hall display page with the settings the server put in #hall-config.
 * A file of its own, not a script in the page: the Content-Security-Policy runs no
 * inline script. data-start="idle" on this script tag starts the idle screen
 * (no sitting assigned, or not paired); otherwise the live hall display. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("hall-config").textContent);
  if (document.currentScript && document.currentScript.dataset.start === "idle") Hall.startIdle(config);
  else Hall.start(config);
})();
