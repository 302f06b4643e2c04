/* The document viewer: page images made at upload, thumbnails, jump to a
 * page, zoom, private notes and highlights.
 *
 * Pages are plain <img> elements (WebP drawn by the server), loaded when they
 * come near the screen. Pinch-zoom is the browser's own; the buttons change
 * the page width. A highlight is a rectangle drawn by finger or mouse while
 * "Đánh dấu" is on, stored as fractions of the page's width and height; a
 * note belongs to a page. Both are the reader's alone (the server checks).
 */
(function () {
  "use strict";

  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (m, k) => obj[k]));
  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("viewer-config").textContent);
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  const ZOOMS = [1, 1.25, 1.5, 2, 2.5, 3];
  const A4 = 1.4142;

  const ui = {
    pages: $("v-pages"),
    thumbs: $("v-thumbs"),
    page: $("v-page"),
    count: $("v-count"),
    side: $("v-side"),
    sideToggle: $("v-side-toggle"),
    notes: $("v-notes"),
    notesEmpty: $("v-notes-empty"),
    noteCount: $("v-note-count"),
    mark: $("v-mark"),
    addNote: $("v-add-note"),
    processing: $("v-processing"),
    processingText: $("v-processing-text"),
    processingFill: $("v-processing-fill"),
    offline: $("v-offline"),
    dialog: $("v-note-dialog"),
    dialogPage: $("v-note-page"),
    dialogText: $("v-note-text"),
    dialogDelete: $("v-note-delete"),
    colors: $("v-colors"),
    toast: $("v-toast"),
  };

  let version = config.version;
  let annotations = config.annotations.slice();
  let zoom = 1;
  let current = config.start_page || 1;
  let marking = false;
  let editing = null; // {annotation} or {page} for a new note

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k === "style") el.style.cssText = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
    return el;
  }
  const url = (tpl, n) => tpl.replace("{n}", n).replace("{id}", n);

  function toast(message) {
    ui.toast.textContent = message;
    ui.toast.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { ui.toast.hidden = true; }, 5000);
  }

  /* ---- pages and thumbnails ------------------------------------------------ */

  // One loader per scrolling strip: a root margin only reaches beyond its own root.
  function lazyLoader(root) {
    return new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        const img = e.target;
        if (Number(img.dataset.page) <= version.pages_ready && !img.getAttribute("src")) img.src = img.dataset.src;
      }
    }, { root, rootMargin: "150%" });
  }
  const loaders = { page: lazyLoader(ui.pages), thumb: lazyLoader(ui.thumbs) };

  const tracker = new IntersectionObserver((entries) => {
    // The current page is the one crossing the upper third of the reading area.
    for (const e of entries) if (e.isIntersecting) setCurrent(Number(e.target.dataset.page), false);
  }, { root: ui.pages, rootMargin: "-30% 0px -65% 0px" });

  function imageFor(n, kind) {
    const img = h("img", {
      alt: kind === "page" ? interpolate(gettext("Trang %(n)s"), { n }, true) : "",
      dataset: { page: n, src: url(kind === "page" ? config.urls.page : config.urls.thumb, n) },
      draggable: "false", decoding: "async",
    });
    img.addEventListener("load", () => {
      img.closest(".v-page, .v-thumb").classList.add("loaded");
      if (kind === "page" && img.naturalWidth) {
        img.closest(".v-page").style.setProperty("--ratio", `${img.naturalHeight / img.naturalWidth}`);
      }
    });
    img.addEventListener("error", () => img.closest(".v-page, .v-thumb").classList.add("broken"));
    img.dataset.kind = kind;
    loaders[kind].observe(img);
    return img;
  }

  function buildPages() {
    const pages = [];
    const thumbs = [];
    for (let n = 1; n <= version.page_count; n++) {
      const layer = h("div", { class: "v-layer", dataset: { page: n } });
      pages.push(h("section", { class: "v-page", id: `page-${n}`, dataset: { page: n }, style: `--ratio:${A4}` },
        imageFor(n, "page"), layer, h("span", { class: "v-page-no", "aria-hidden": "true" }, n)));
      thumbs.push(h("button", {
        type: "button", class: "v-thumb", dataset: { page: n },
        "aria-label": interpolate(gettext("Trang %(n)s"), { n }, true), onclick: () => goTo(n),
      }, imageFor(n, "thumb"), h("span", {}, n)));
    }
    ui.pages.replaceChildren(...pages);
    ui.thumbs.replaceChildren(...thumbs);
    ui.count.textContent = version.page_count;
    ui.page.max = Math.max(1, version.page_count);
    pages.forEach((p) => tracker.observe(p));
    pages.forEach((p) => bindDrawing(p.querySelector(".v-layer")));
    renderMarks();
  }

  function refreshImages() {
    document.querySelectorAll("img[data-src]").forEach((img) => {
      if (Number(img.dataset.page) <= version.pages_ready && !img.getAttribute("src")) {
        loaders[img.dataset.kind].unobserve(img);
        loaders[img.dataset.kind].observe(img);
      }
    });
  }

  function setCurrent(n, scroll) {
    n = Math.max(1, Math.min(n, version.page_count || 1));
    current = n;
    if (document.activeElement !== ui.page) ui.page.value = n;
    ui.thumbs.querySelectorAll(".v-thumb").forEach((t) => {
      const on = Number(t.dataset.page) === n;
      t.classList.toggle("here", on);
      if (on) t.setAttribute("aria-current", "page"); else t.removeAttribute("aria-current");
    });
    const thumb = ui.thumbs.querySelector(".v-thumb.here");
    if (thumb && !scroll) thumb.scrollIntoView({ block: "nearest", inline: "nearest" });
    if (scroll) {
      const el = $(`page-${n}`);
      if (el) ui.pages.scrollTo({ top: el.offsetTop - ui.pages.offsetTop - 8, left: ui.pages.scrollLeft });
    }
  }

  function goTo(n) {
    setCurrent(n, true);
    if (window.matchMedia("(max-width: 700px)").matches) document.body.classList.remove("thumbs-open");
  }

  ui.page.addEventListener("change", () => goTo(Number(ui.page.value) || 1));
  ui.page.addEventListener("keydown", (e) => { if (e.key === "Enter") goTo(Number(ui.page.value) || 1); });

  /* ---- zoom ------------------------------------------------------------------- */

  function setZoom(z) {
    const keep = current;
    zoom = z;
    ui.pages.style.setProperty("--zoom", zoom);
    ui.pages.classList.toggle("zoomed", zoom > 1);
    setCurrent(keep, true);
  }
  $("v-zoom-in").addEventListener("click", () => setZoom(ZOOMS.find((z) => z > zoom) || zoom));
  $("v-zoom-out").addEventListener("click", () => setZoom([...ZOOMS].reverse().find((z) => z < zoom) || 1));
  $("v-fit").addEventListener("click", () => setZoom(1));

  /* ---- notes and highlights ------------------------------------------------------ */

  function api(method, target, body) {
    return fetch(target, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => {
      if (r.status === 204) return null;
      const data = await r.json().catch(() => ({}));
      if (!r.ok) throw (data.error || { code: "invalid", message: gettext("Không lưu được.") });
      return data;
    }, () => { throw { code: "offline", message: gettext("Mất mạng: chưa lưu được, hãy thử lại khi có mạng.") }; });
  }

  function renderMarks() {
    document.querySelectorAll(".v-layer").forEach((l) => l.replaceChildren());
    for (const a of annotations) {
      const layer = document.querySelector(`.v-layer[data-page="${a.page}"]`);
      if (!layer) continue;
      if (a.kind === "highlight" && a.rect) {
        layer.append(h("button", {
          type: "button", class: `v-hl ${a.color || "yellow"}${a.text ? " has-text" : ""}`, dataset: { id: a.id },
          style: `left:${a.rect.x * 100}%;top:${a.rect.y * 100}%;width:${a.rect.w * 100}%;height:${a.rect.h * 100}%`,
          "aria-label": a.text || gettext("Vùng đánh dấu"), onclick: () => openDialog({ annotation: a }),
        }));
      } else if (a.kind === "note") {
        const i = annotations.filter((b) => b.kind === "note" && b.page === a.page).indexOf(a);
        const pos = a.rect ? `left:${a.rect.x * 100}%;top:${a.rect.y * 100}%` : `right:.6rem;top:${0.6 + i * 3}rem`;
        layer.append(h("button", {
          type: "button", class: `v-pin ${a.color || "yellow"}`, dataset: { id: a.id }, style: pos,
          title: a.text, "aria-label": interpolate(gettext("Ghi chú: %(t)s"), { t: a.text }, true),
          onclick: () => openDialog({ annotation: a }),
        }, "✎"));
      }
    }
    ui.noteCount.textContent = annotations.length;
    ui.notesEmpty.hidden = annotations.length > 0;
    ui.notes.replaceChildren(...annotations.slice().sort((a, b) => a.page - b.page || a.id - b.id).map((a) => h("li", {},
      h("button", {
        type: "button", class: `v-note-item ${a.kind} ${a.color || "yellow"}`, dataset: { id: a.id },
        onclick: () => { goTo(a.page); flash(a.id); closeSideOnPhone(); },
      },
      h("span", { class: "v-note-page" }, interpolate(gettext("Trang %(n)s"), { n: a.page }, true),
        a.kind === "highlight" ? ` · ${gettext("Đánh dấu")}` : ""),
      h("span", { class: "v-note-text" }, a.text || (a.kind === "highlight" ? gettext("(không có lời ghi)") : ""))))));
  }

  function flash(id) {
    const el = document.querySelector(`.v-layer [data-id="${id}"]`);
    if (!el) return;
    el.classList.remove("flash");
    void el.offsetWidth;
    el.classList.add("flash");
  }

  let color = "yellow";
  function pickColor(c) {
    color = c;
    ui.colors.querySelectorAll("button").forEach((b) => b.setAttribute("aria-checked", String(b.dataset.color === c)));
  }
  ui.colors.querySelectorAll("button").forEach((b) => {
    b.setAttribute("role", "radio");
    b.addEventListener("click", () => pickColor(b.dataset.color));
  });

  function openDialog(what) {
    editing = what;
    const a = what.annotation;
    const page = a ? a.page : what.page;
    ui.dialogPage.textContent = interpolate(gettext("Trang %(n)s"), { n: page }, true);
    ui.dialogText.value = a ? a.text : "";
    ui.dialogText.placeholder = a && a.kind === "highlight" ? gettext("Lời ghi cho vùng đánh dấu (không bắt buộc)…")
      : gettext("Ghi chú riêng của bạn về trang này…");
    ui.dialogDelete.hidden = !a;
    pickColor((a && a.color) || color);
    ui.dialog.showModal();
    ui.dialogText.focus();
  }

  function closeDialog() {
    editing = null;
    if (ui.dialog.open) ui.dialog.close();
  }

  $("v-note-cancel").addEventListener("click", closeDialog);
  ui.dialog.addEventListener("close", () => { editing = null; });
  $("v-note-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (!editing) return;
    const text = ui.dialogText.value.trim();
    const a = editing.annotation;
    const done = a
      ? api("PATCH", url(config.urls.annotation, a.id), { text, color }).then((r) => {
        Object.assign(a, r.annotation);
      })
      : api("POST", config.urls.annotations, { version: version.id, page: editing.page, kind: "note", text, color })
        .then((r) => { annotations.push(r.annotation); });
    const save = $("v-note-save");
    save.setAttribute("aria-busy", "true");
    done.then(() => { closeDialog(); renderMarks(); }, (err) => toast(err.message))
      .finally(() => save.removeAttribute("aria-busy"));
  });
  ui.dialogDelete.addEventListener("click", () => {
    const a = editing && editing.annotation;
    if (!a) return;
    api("DELETE", url(config.urls.annotation, a.id)).then(() => {
      annotations = annotations.filter((b) => b.id !== a.id);
      closeDialog();
      renderMarks();
    }, (err) => toast(err.message));
  });

  if (ui.addNote) ui.addNote.addEventListener("click", () => openDialog({ page: current }));
  if (ui.mark) {
    ui.mark.addEventListener("click", () => {
      marking = !marking;
      ui.mark.setAttribute("aria-pressed", String(marking));
      document.body.classList.toggle("marking", marking);
      if (marking) toast(gettext("Kéo trên trang để đánh dấu một vùng. Bấm “Đánh dấu” lần nữa để thôi."));
    });
  }

  /* Drag a rectangle on a page while marking is on (mouse, pen or finger). */
  function bindDrawing(layer) {
    let start = null;
    let box = null;
    const at = (e) => {
      const r = layer.getBoundingClientRect();
      return { x: Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), y: Math.min(1, Math.max(0, (e.clientY - r.top) / r.height)) };
    };
    const rectOf = (a, b) => ({ x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) });
    layer.addEventListener("pointerdown", (e) => {
      if (!marking || e.target !== layer) return;
      e.preventDefault();
      layer.setPointerCapture(e.pointerId);
      start = at(e);
      box = h("div", { class: `v-hl drawing ${color}` });
      layer.append(box);
    });
    layer.addEventListener("pointermove", (e) => {
      if (!start) return;
      const r = rectOf(start, at(e));
      box.style.cssText = `left:${r.x * 100}%;top:${r.y * 100}%;width:${r.w * 100}%;height:${r.h * 100}%`;
    });
    const finish = (e) => {
      if (!start) return;
      const r = rectOf(start, at(e));
      start = null;
      box.remove();
      if (r.w < 0.01 || r.h < 0.005) return;
      const page = Number(layer.dataset.page);
      api("POST", config.urls.annotations, { version: version.id, page, kind: "highlight", rect: r, color })
        .then((res) => { annotations.push(res.annotation); renderMarks(); }, (err) => toast(err.message));
    };
    layer.addEventListener("pointerup", finish);
    layer.addEventListener("pointercancel", () => { if (box) box.remove(); start = null; });
  }

  /* ---- side panels --------------------------------------------------------------- */

  function setSide(open) {
    document.body.classList.toggle("side-open", open);
    ui.sideToggle.setAttribute("aria-expanded", String(open));
  }
  function closeSideOnPhone() { if (window.matchMedia("(max-width: 1100px)").matches) setSide(false); }
  ui.sideToggle.addEventListener("click", () => setSide(!document.body.classList.contains("side-open")));
  $("v-side-close").addEventListener("click", () => setSide(false));

  /* ---- a version still being processed ---------------------------------------------- */

  function showProgress() {
    const busy = version.state === "queued" || version.state === "processing";
    const failed = version.state === "failed";
    ui.processing.hidden = !(busy || failed);
    ui.processing.classList.toggle("failed", failed);
    if (failed) {
      ui.processingText.textContent = gettext("Không tạo được các trang để đọc; hãy tải tệp gốc.");
    } else if (busy) {
      ui.processingText.textContent = version.page_count
        ? interpolate(gettext("Đang chuẩn bị các trang để đọc… %(done)s/%(total)s trang"), { done: version.pages_ready, total: version.page_count }, true)
        : gettext("Đang chuẩn bị các trang để đọc…");
    }
    ui.processingFill.style.width = `${version.progress || 0}%`;
    return busy;
  }

  function poll() {
    fetch(config.urls.status, { credentials: "same-origin", cache: "no-store" }).then((r) => r.json()).then((v) => {
      const rebuild = v.page_count !== version.page_count;
      version = v;
      if (rebuild) buildPages(); else refreshImages();
      if (showProgress()) setTimeout(poll, 1500);
    }, () => setTimeout(poll, 4000));
  }

  /* ---- offline ----------------------------------------------------------------------- */

  function showNetwork() { ui.offline.hidden = navigator.onLine; }
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  showNetwork();

  buildPages();
  if (showProgress()) setTimeout(poll, 1000);
  setCurrent(current, current > 1);
  if (window.matchMedia("(min-width: 1280px)").matches && annotations.length) setSide(true);
  window.LibraryViewer = { goTo, get current() { return current; }, get annotations() { return annotations.slice(); } };
})();
