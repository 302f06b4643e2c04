/* The public letter form. Progressive: hide the identity block when "anonymous" is ticked,
 * and offer "anonymous" only where the law allows it (data-anonymous="1" on the kind). */
(function () {
  "use strict";
  var box = document.getElementById("id_anonymous"), identity = document.querySelector("#sender .identity"),
      choice = document.querySelector(".anonymous-choice");
  if (!box || !identity || !choice) return;
  function sync() {
    var kind = document.querySelector("input[name=kind]:checked");
    var allowed = !kind || kind.dataset.anonymous === "1";
    choice.hidden = !allowed;
    if (!allowed) box.checked = false;
    identity.hidden = box.checked;
  }
  document.querySelectorAll("input[name=kind]").forEach(function (r) { r.addEventListener("change", sync); });
  box.addEventListener("change", sync);
  sync();
})();
