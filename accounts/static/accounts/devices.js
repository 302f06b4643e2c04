/* Device page: filter the delegate list as you type, confirm revokes,
   count down the code's validity and say when it was scanned. */
(function () {
  "use strict";

  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var select = document.getElementById(input.dataset.filter);
    if (!select) return;
    input.addEventListener("input", function () {
      var q = fold(input.value.trim());
      var first = null;
      Array.prototype.forEach.call(select.options, function (opt) {
        var show = !q || fold(opt.textContent).indexOf(q) !== -1;
        opt.hidden = !show;
        if (show && !first) first = opt;
      });
      if (first && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden)) first.selected = true;
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  });

  var box = document.querySelector(".pair-code");
  if (!box) return;
  var left = parseInt(box.dataset.expiresIn, 10) || 0;
  var countdown = box.querySelector("[data-countdown]");
  var status = box.querySelector("[data-status]");
  var img = box.querySelector("img.qr-large");
  var done = false;

  function fmt(s) {
    var m = Math.floor(s / 60), r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }
  function finish(text, cls) {
    done = true;
    status.textContent = text;
    box.classList.add(cls);
    if (img) img.classList.add("spent");
  }
  function tick() {
    if (done) return;
    left = Math.max(0, left - 1);
    countdown.textContent = fmt(left);
    if (left === 0) finish(document.getElementById("msg-expired").content.textContent.trim(), "expired");
    else setTimeout(tick, 1000);
  }
  function poll() {
    if (done) return;
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || done) return;
        left = data.expires_in;  // the server's clock, not ours
        if (data.state === "used") finish(document.getElementById("msg-used").content.textContent + (data.device || ""), "used");
        else if (data.state === "expired") finish(document.getElementById("msg-expired").content.textContent.trim(), "expired");
      })
      .catch(function () { /* offline for a moment: keep counting */ })
      .then(function () { if (!done) setTimeout(poll, 3000); });
  }
  countdown.textContent = fmt(left);
  setTimeout(tick, 1000);
  setTimeout(poll, 3000);
})();
