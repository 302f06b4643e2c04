/* The library's office pages: upload with progress, then processing progress
   (polling version_status), live processing states in tables, confirmations.
   Every form also works without this script (plain posts). */
(function () {
  "use strict";
  const t = (s) => (window.gettext ? window.gettext(s) : s);
  const fmt = (s, o) => (window.interpolate ? window.interpolate(t(s), o, true) : s);
  const POLL_MS = 1500;

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* ---- processing state of one version, polled until ready or failed ---- */
  function poll(url, onUpdate) {
    let stopped = false;
    function tick() {
      if (stopped) return;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then((s) => { onUpdate(s); if (!s.done) setTimeout(tick, POLL_MS); })
        .catch(() => setTimeout(tick, POLL_MS * 4));
    }
    tick();
    return () => { stopped = true; };
  }

  function describe(s) {
    if (s.state === "failed") return s.error || s.state_label;
    if (s.page_count) return fmt("%(ready)s/%(total)s trang", { ready: s.pages_ready, total: s.page_count });
    return s.progress + "%";
  }

  function liveStates() {
    document.querySelectorAll("[data-status-url]").forEach((el) => {
      const bar = el.querySelector("progress");
      const label = el.querySelector(".state-label");
      poll(el.dataset.statusUrl, (s) => {
        if (bar) { bar.value = s.progress; bar.textContent = s.progress + "%"; }
        if (label) label.textContent = s.state_label + (s.state === "failed" ? ": " + (s.error || "") : "");
        el.className = "state state-" + s.state;
        el.title = describe(s);
        if (s.done) {
          el.removeAttribute("data-status-url");
          if (bar) bar.remove();
        }
      });
    });
  }

  /* ---- upload with an upload progress bar, then the processing bar ---- */
  function uploadForm(form) {
    const block = form.querySelector(".progress-block");
    const refusal = document.getElementById("refusal");
    const refusalText = refusal && refusal.querySelector(".refusal-message");
    const submit = form.querySelector("button[type=submit]");
    const upBar = form.querySelector(".upload-progress");
    const upPct = form.querySelector(".progress-pct");
    const upLabel = form.querySelector(".progress-label");
    const procLine = form.querySelector(".processing");
    const procBar = form.querySelector(".processing-progress");
    const procDetail = form.querySelector(".processing-detail");
    const procLabel = form.querySelector(".processing-label");
    const done = form.querySelector(".done-links");
    const maxBytes = parseInt(form.dataset.maxBytes, 10) || 0;

    function refuse(message) {
      if (refusal) { refusalText.textContent = message; refusal.hidden = false; refusal.scrollIntoView({ block: "nearest" }); }
      else window.alert(message);
      block.hidden = true;
      submit.disabled = false;
    }

    form.addEventListener("submit", (event) => {
      const file = form.querySelector("input[type=file]").files[0];
      if (!window.FormData || !window.XMLHttpRequest) return; // plain post
      event.preventDefault();
      if (refusal) refusal.hidden = true;
      if (file && maxBytes && file.size > maxBytes) { refuse(form.dataset.tooLarge); return; }
      submit.disabled = true;
      block.hidden = false;
      upLabel.textContent = t("Đang tải lên");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.upload.addEventListener("progress", (e) => {
        if (!e.lengthComputable) return;
        const pct = Math.floor((100 * e.loaded) / e.total);
        upBar.value = pct;
        upPct.textContent = pct + "%";
      });
      xhr.addEventListener("load", () => {
        let answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: e.g. the proxy's 413 page */ }
        if (!answer) {
          refuse(xhr.status === 413 ? form.dataset.tooLarge : fmt("Máy chủ trả lời lỗi %(status)s. Không có gì được lưu.", { status: xhr.status }));
          return;
        }
        if (!answer.ok) { refuse(answer.error.message); return; }
        if (answer.held) { window.location.assign(answer.redirect); return; } // the uploader confirms first
        upBar.value = 100;
        upPct.textContent = "100%";
        upLabel.textContent = t("Đã tải lên");
        procLine.hidden = false;
        procBar.hidden = false;
        done.hidden = false;
        done.querySelector(".done-link").href = answer.redirect;
        poll(answer.status_url, (s) => {
          procBar.value = s.progress;
          procLabel.textContent = s.state_label;
          procDetail.textContent = describe(s);
          if (s.done) procLine.classList.add(s.state);
        });
      });
      xhr.addEventListener("error", () => refuse(t("Mất kết nối khi đang tải lên. Không có gì được lưu; hãy thử lại.")));
      xhr.send(new FormData(form));
    });
  }

  /* ---- the upload form's small helpers ---- */
  function classificationHint(form) {
    const select = form.querySelector("select[name=classification]");
    const hint = form.querySelector(".classified-hint");
    if (!select || !hint) return;
    const update = () => { hint.hidden = select.value === "none"; };
    select.addEventListener("change", update);
    update();
  }

  function itemsOfSession(form) {
    const session = form.querySelector("select[name=session]");
    const item = form.querySelector("select[name=item]");
    if (!session || !item) return;
    const update = () => {
      item.querySelectorAll("optgroup").forEach((g) => {
        const show = g.dataset.session === session.value;
        g.hidden = !show;
        g.disabled = !show;
      });
      const chosen = item.selectedOptions[0];
      if (chosen && chosen.parentElement.disabled) item.value = "";
    };
    session.addEventListener("change", update);
    update();
  }

  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (e) => { if (!window.confirm(form.dataset.confirm)) e.preventDefault(); });
  });
  document.querySelectorAll("form[data-upload]").forEach((form) => {
    uploadForm(form);
    classificationHint(form);
    itemsOfSession(form);
  });
  liveStates();
})();
