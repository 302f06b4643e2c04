/* The document viewer: page images made at upload, thumbnails, jump to a
 * page, zoom, private notes and highlights.
 *
 * Pages are plain <img> elements (WebP drawn by the server), loaded when they
 * come near the screen. Pinch-zoom is the browser's own; the buttons change
 * the page width. A highlight is a rectangle drawn by finger or mouse while
 * "Đánh dấu" is on, stored as fractions of the page's width and height; a
 * note belongs to a page. Both are the reader's alone (the server checks).
 * Written without network, they wait on this device (IndexedDB) and are sent
 * when it returns, each once (a client id the server keeps).
 */
(function () {
  "use strict";

  const gettext = window.gettext || ((s) => s);
  const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
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
    outbox: $("v-outbox"),
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
    if (thumb && !scroll) revealThumb(thumb);
    if (scroll) {
      const el = $(`page-${n}`);
      if (el) ui.pages.scrollTo({ top: el.offsetTop - ui.pages.offsetTop - 8, left: ui.pages.scrollLeft });
    }
  }

  // Scroll the strip alone to show the current page's thumbnail. scrollIntoView would scroll every
  // ancestor too: the page around the viewer, and inside the terminal (an iframe) the terminal
  // behind it, pushed down page after page while a phone reads.
  function revealThumb(thumb) {
    const box = ui.thumbs.getBoundingClientRect();
    const r = thumb.getBoundingClientRect();
    if (r.top < box.top) ui.thumbs.scrollTop += r.top - box.top - 6;
    else if (r.bottom > box.bottom) ui.thumbs.scrollTop += r.bottom - box.bottom + 6;
    if (r.left < box.left) ui.thumbs.scrollLeft += r.left - box.left - 6;
    else if (r.right > box.right) ui.thumbs.scrollLeft += r.right - box.right + 6;
  }

  function showThumbs(open) {
    document.body.classList.toggle("thumbs-open", open);
    $("v-thumbs-toggle").setAttribute("aria-expanded", String(open));
    if (open) {
      const here = ui.thumbs.querySelector(".v-thumb.here");
      if (here) revealThumb(here);
    }
  }
  // On a phone the strip of thumbnails lies over the pages' bottom, opened on demand.
  $("v-thumbs-toggle").addEventListener("click", () => showThumbs(!document.body.classList.contains("thumbs-open")));

  function goTo(n) {
    setCurrent(n, true);
    if (window.matchMedia("(max-width: 700px)").matches) showThumbs(false);
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

  /* ---- notes written without network: kept on this device, sent when it returns ------------ */

  // A note or highlight made while the network is down waits in IndexedDB (store "outbox", one
  // entry per note, keyed by the client id made here) and is sent when the network returns: on
  // the "online" event, at the next opening of any viewer, and every 20 s while some wait. The
  // server stores a client id once, so a send whose reply was lost can be sent again.
  const outbox = (() => {
    let opened = null;
    function open() {
      if (!window.indexedDB) return Promise.resolve(null);
      if (!opened) {
        opened = new Promise((resolve) => {
          const r = indexedDB.open("hdnd-notes", 1);
          r.onupgradeneeded = () => r.result.createObjectStore("outbox", { keyPath: "client_id" });
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => resolve(null);
        });
      }
      return opened;
    }
    function run(mode, fn) {
      return open().then((db) => db && new Promise((resolve, reject) => {
        const t = db.transaction("outbox", mode);
        const req = fn(t.objectStore("outbox"));
        t.oncomplete = () => resolve(req.result === undefined ? true : req.result);
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error);
      }));
    }
    return {
      put: (entry) => run("readwrite", (s) => s.put(entry)),
      remove: (id) => run("readwrite", (s) => s.delete(id)),
      all: () => run("readonly", (s) => s.getAll()).then((rows) => (Array.isArray(rows) ? rows : [])
        .filter((e) => e.reader === config.reader)),
    };
  })();

  function newClientId() { // a UUID v4; crypto.randomUUID needs https, getRandomValues does not
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  // Add a note or highlight: sent at once, or kept to be sent when the network returns.
  function create(body) {
    const entry = { client_id: newClientId(), reader: config.reader, document: config.document, url: config.urls.annotations,
      body: Object.assign({}, body), written: Date.now() };
    entry.body.client_id = entry.client_id;
    return api("POST", entry.url, entry.body).then((r) => { annotations.push(r.annotation); }, (err) => {
      if (err.code !== "offline") throw err;
      return outbox.put(entry).then((kept) => {
        if (!kept) throw err; // no IndexedDB here: say it was not saved
        annotations.push(pendingAnnotation(entry));
        toast(gettext("Chưa có mạng: ghi chú được giữ trên máy này và tự gửi khi có mạng trở lại."));
        scheduleSend();
      }, () => { throw err; });
    });
  }

  function pendingAnnotation(entry) {
    const b = entry.body;
    return { id: `local-${entry.client_id}`, client_id: entry.client_id, pending: true, version: b.version, page: b.page,
      kind: b.kind, rect: b.rect || null, text: b.text || "", color: b.color || "yellow" };
  }

  function showWaiting() {
    const n = annotations.filter((a) => a.pending).length;
    ui.outbox.hidden = !n;
    ui.outbox.textContent = interpolate(ngettext("%(n)s ghi chú đang chờ gửi: sẽ tự gửi khi có mạng.",
      "%(n)s ghi chú đang chờ gửi: sẽ tự gửi khi có mạng.", n), { n }, true);
  }

  let sending = false;
  let sendTimer = null;
  function scheduleSend(delay) {
    clearTimeout(sendTimer);
    sendTimer = setTimeout(sendWaiting, delay === undefined ? 20000 : delay);
  }

  async function sendWaiting() {
    if (sending) return;
    sending = true;
    let left = 0;
    try {
      for (const entry of await outbox.all()) {
        let stored = null;
        try {
          stored = (await api("POST", entry.url, entry.body)).annotation;
        } catch (err) {
          if (err.code === "offline" || err.code === "forbidden") { left += 1; break; } // later (or after signing in again)
          toast(interpolate(gettext("Không gửi được một ghi chú viết khi mất mạng: %(m)s"), { m: err.message }, true));
        }
        await outbox.remove(entry.client_id);
        const i = annotations.findIndex((a) => a.client_id === entry.client_id);
        if (i !== -1) {
          if (stored && !annotations.some((a) => a.id === stored.id)) annotations[i] = stored;
          else annotations.splice(i, 1);
        }
      }
    } catch (e) {
      left += 1; // IndexedDB refused: try again later
    } finally {
      sending = false;
      renderMarks();
      if (left || annotations.some((a) => a.pending)) scheduleSend();
    }
  }

  function renderMarks() {
    document.querySelectorAll(".v-layer").forEach((l) => l.replaceChildren());
    for (const a of annotations) {
      const layer = document.querySelector(`.v-layer[data-page="${a.page}"]`);
      if (!layer) continue;
      if (a.kind === "highlight" && a.rect) {
        layer.append(h("button", {
          type: "button", class: `v-hl ${a.color || "yellow"}${a.text ? " has-text" : ""}${a.pending ? " pending" : ""}`, dataset: { id: a.id },
          style: `left:${a.rect.x * 100}%;top:${a.rect.y * 100}%;width:${a.rect.w * 100}%;height:${a.rect.h * 100}%`,
          "aria-label": a.text || gettext("Vùng đánh dấu"), onclick: () => openDialog({ annotation: a }),
        }));
      } else if (a.kind === "note") {
        const i = annotations.filter((b) => b.kind === "note" && b.page === a.page).indexOf(a);
        const pos = a.rect ? `left:${a.rect.x * 100}%;top:${a.rect.y * 100}%` : `right:.6rem;top:${0.6 + i * 3}rem`;
        layer.append(h("button", {
          type: "button", class: `v-pin ${a.color || "yellow"}${a.pending ? " pending" : ""}`, dataset: { id: a.id }, style: pos,
          title: a.text, "aria-label": interpolate(gettext("Ghi chú: %(t)s"), { t: a.text }, true),
          onclick: () => openDialog({ annotation: a }),
        }, "✎"));
      }
    }
    ui.noteCount.textContent = annotations.length;
    ui.notesEmpty.hidden = annotations.length > 0;
    showWaiting();
    const order = (a, b) => a.page - b.page || Number(Boolean(a.pending)) - Number(Boolean(b.pending)) || (a.pending ? 0 : a.id - b.id);
    ui.notes.replaceChildren(...annotations.slice().sort(order).map((a) => h("li", {},
      h("button", {
        type: "button", class: `v-note-item ${a.kind} ${a.color || "yellow"}${a.pending ? " pending" : ""}`, dataset: { id: a.id },
        onclick: () => { goTo(a.page); flash(a.id); closeSideOnPhone(); },
      },
      h("span", { class: "v-note-page" }, interpolate(gettext("Trang %(n)s"), { n: a.page }, true),
        a.kind === "highlight" ? ` · ${gettext("Đánh dấu")}` : "",
        a.pending ? h("span", { class: "v-waiting" }, gettext("Chờ gửi")) : null),
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
    const done = a && a.pending ? changeWaiting(a, { text, color })
      : a ? api("PATCH", url(config.urls.annotation, a.id), { text, color }).then((r) => {
        Object.assign(a, r.annotation);
      })
        : create({ version: version.id, page: editing.page, kind: "note", text, color });
    const save = $("v-note-save");
    save.setAttribute("aria-busy", "true");
    done.then(() => { closeDialog(); renderMarks(); }, (err) => toast(err.message))
      .finally(() => save.removeAttribute("aria-busy"));
  });
  // A note still waiting to be sent is changed or dropped where it waits.
  function changeWaiting(a, change) {
    return outbox.all().then((rows) => {
      const entry = rows.find((e) => e.client_id === a.client_id);
      if (!entry) return null; // sent meanwhile: the next render shows the stored one
      Object.assign(entry.body, change);
      return outbox.put(entry).then(() => { Object.assign(a, change); });
    });
  }

  ui.dialogDelete.addEventListener("click", () => {
    const a = editing && editing.annotation;
    if (!a) return;
    const gone = a.pending ? outbox.remove(a.client_id) : api("DELETE", url(config.urls.annotation, a.id));
    gone.then(() => {
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
      create({ version: version.id, page, kind: "highlight", rect: r, color })
        .then(() => renderMarks(), (err) => toast(err.message));
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
  window.addEventListener("online", () => { showNetwork(); sendWaiting(); });
  window.addEventListener("offline", showNetwork);
  showNetwork();

  buildPages();
  // Notes of this version still waiting on this device show as such, then everything waiting is sent.
  outbox.all().then((rows) => {
    for (const e of rows) {
      if (e.document === config.document && e.body.version === version.id && !annotations.some((a) => a.client_id === e.client_id)) {
        annotations.push(pendingAnnotation(e));
      }
    }
    renderMarks();
    if (rows.length) sendWaiting();
  }, () => {});
  if (showProgress()) setTimeout(poll, 1000);
  setCurrent(current, current > 1);
  if (window.matchMedia("(min-width: 1280px)").matches && annotations.length) setSide(true);
  window.LibraryViewer = { goTo, sendWaiting, get current() { return current; }, get annotations() { return annotations.slice(); } };
})();
