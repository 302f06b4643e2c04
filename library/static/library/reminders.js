/* The terminal's reminders to read (library/hub.py, register_panel): the documents the council
 * office asked this delegate to read and they have not read yet. Those stored when the page loads
 * come with it (#read-reminders-data); a reminder sent while the terminal is open arrives as the
 * never-stored per-member event `library.reminded`. "Đọc ngay" opens the document over the
 * terminal, as its own document buttons do; "Để sau" hides the notice until the page loads again. */
(function () {
  "use strict";

  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (m, k) => obj[k]));
  const box = document.getElementById("read-reminders");
  const list = document.getElementById("read-reminders-list");
  if (!box || !list) return;
  const reminders = new Map();
  const put = (r) => { if (r && r.document_id) reminders.set(r.document_id, r); };
  JSON.parse(document.getElementById("read-reminders-data").textContent || "[]").forEach(put);

  function open(r) {
    reminders.delete(r.document_id);
    draw();
    // The terminal's own button for this document opens it in the overlay, the sitting live underneath.
    const button = document.querySelector(`.doc-btn[data-doc-id="${r.document_id}"]`);
    if (button) button.click(); else window.location.assign(r.url);
  }

  function draw() {
    list.replaceChildren(...[...reminders.values()].map((r) => {
      const li = document.createElement("li");
      li.className = "read-reminder";
      li.dataset.docId = r.document_id;
      const text = document.createElement("p");
      text.textContent = interpolate(gettext("Văn phòng HĐND đề nghị đại biểu đọc tài liệu: %(t)s"),
        { t: [r.number, r.summary].filter(Boolean).join(" — ") }, true);
      const read = document.createElement("button");
      read.type = "button";
      read.className = "btn primary";
      read.textContent = gettext("Đọc ngay");
      read.addEventListener("click", () => open(r));
      const later = document.createElement("button");
      later.type = "button";
      later.className = "btn";
      later.textContent = gettext("Để sau");
      later.addEventListener("click", () => { reminders.delete(r.document_id); draw(); });
      li.append(text, read, later);
      return li;
    }));
    box.hidden = reminders.size === 0;
  }

  Hub.registerPanel((state, type, data) => {
    for (const c of Hub.changes(type, data)) if (c.type === "library.reminded") put(c.data);
    draw();
  });
  draw();
})();
