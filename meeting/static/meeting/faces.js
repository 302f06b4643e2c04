/* Small helpers shared by the chair console and the delegate terminal.
 *
 * Rendering only: labels for states, time formatting from the server clock,
 * a DOM builder, toasts. No rule of the sitting lives here (the hub's
 * services decide everything; the pages show the state they are sent).
 */
(function (global) {
  "use strict";

  const gettext = global.gettext || ((s) => s);
  // Plurals through the catalog ("1 document", "2 documents"); Vietnamese has one form.
  const ngettext = global.ngettext || ((one, many, n) => (n === 1 ? one : many));
  const interpolate = global.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (m, k) => obj[k]));

  /* h("button", {class: "btn", onclick: fn, dataset: {id: 3}}, "text", childNode) */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "dataset") Object.assign(el.dataset, value);
      // Through the CSSOM: a style="" attribute is inline style, which the Content-Security-Policy refuses.
      else if (key === "style") el.style.cssText = value;
      else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
      else if (value === true) el.setAttribute(key, "");
      else el.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  /* Replace el's children, skipping null/false (replaceChildren would print them). */
  function fill(el, ...children) {
    el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
    return el;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";

  const ITEM_STATUS = {
    pending: gettext("Chưa thực hiện"),
    current: gettext("Đang thực hiện"),
    done: gettext("Đã xong"),
    postponed: gettext("Hoãn"),
  };
  const ITEM_KIND = {
    report: gettext("Báo cáo"),
    submission: gettext("Tờ trình"),
    draft_resolution: gettext("Dự thảo nghị quyết"),
    questioning: gettext("Chất vấn"),
    election: gettext("Bầu cử"),
    other: gettext("Khác"),
  };
  const ATTENDANCE = {
    present: gettext("Có mặt"),
    absent: gettext("Vắng"),
    excused: gettext("Vắng có lý do"),
    none: gettext("Chưa điểm danh"),
  };
  const METHOD = {
    terminal: gettext("tại máy tính bảng"),
    seat_qr: gettext("quét mã ghế"),
    secretary: gettext("thư ký ghi nhận"),
    remote: gettext("trực tuyến"),
  };
  const SITTING_STATUS = {
    scheduled: gettext("Chưa khai mạc"),
    live: gettext("Đang họp"),
    closed: gettext("Đã bế mạc"),
  };
  const CONNECTION = {
    connecting: gettext("Đang kết nối…"),
    live: gettext("Đã kết nối"),
    catching_up: gettext("Đang cập nhật…"),
    degraded: gettext("Đã kết nối — cập nhật trực tiếp đang chậm"),
    offline: gettext("Mất kết nối — đang kết nối lại…"),
    reconnecting: gettext("Mất kết nối — đang kết nối lại…"),
    forbidden: gettext("Bạn không có quyền theo dõi phiên họp này."),
    not_found: gettext("Không tìm thấy phiên họp."),
  };
  // Messages for failures that happen before the server could answer.
  const CLIENT_ERRORS = {
    disconnected: gettext("Chưa kết nối được với máy chủ; thao tác chưa được thực hiện."),
    timeout: gettext("Máy chủ không trả lời; hãy thử lại."),
  };

  function errorMessage(err) {
    if (err && CLIENT_ERRORS[err.code]) return CLIENT_ERRORS[err.code];
    return (err && err.message) || gettext("Thao tác không thực hiện được.");
  }

  /* Time of day of `ms` (server clock) in the sitting's time zone, HH:MM:SS or HH:MM. */
  function timeOfDay(ms, tz, withSeconds) {
    const opts = { hour: "2-digit", minute: "2-digit", hour12: false };
    if (withSeconds) opts.second = "2-digit";
    if (tz) opts.timeZone = tz;
    try {
      return new Intl.DateTimeFormat("en-GB", opts).format(new Date(ms));
    } catch (e) {
      delete opts.timeZone;
      return new Intl.DateTimeFormat("en-GB", opts).format(new Date(ms));
    }
  }

  /* How an item's time reads: elapsed vs planned, and a level for colour.
   * "near" is the last fifth of the planned time (at most two minutes). */
  function timing(item, nowMs) {
    const elapsed = global.HubTime.elapsedSeconds(item, nowMs);
    const planned = (item.planned_minutes || 0) * 60;
    let level = "ok";
    if (planned > 0 && elapsed > planned) level = "over";
    else if (planned > 0 && planned - elapsed <= Math.min(120, planned / 5)) level = "near";
    return {
      elapsed,
      planned,
      level,
      fraction: planned > 0 ? Math.min(1, elapsed / planned) : 0,
      elapsedText: global.HubTime.formatDuration(elapsed),
      plannedText: planned > 0 ? global.HubTime.formatDuration(planned) : "",
    };
  }

  function toast(message, kind) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = h("div", { class: `toast ${kind || "error"}`, role: kind === "ok" ? "status" : "alert" },
      h("span", {}, message),
      h("button", { type: "button", class: "toast-x", "aria-label": gettext("Đóng"), onclick: () => el.remove() }, "×"));
    box.append(el);
    setTimeout(() => el.remove(), kind === "ok" ? 3000 : 8000);
  }

  /* Send a command; on refusal show the server's message. The page never
   * changes by itself: it waits for the state the server sends back. */
  function sender(hub) {
    return function send(cmd, args, button) {
      if (button) button.setAttribute("aria-busy", "true");
      return hub.command(cmd, args).then(
        (data) => data,
        (err) => {
          toast(errorMessage(err));
          throw err;
        },
      ).finally(() => {
        if (button) button.removeAttribute("aria-busy");
      });
    };
  }

  /* Re-render a container while keeping keyboard focus on "the same" control (data-key). */
  function keepFocus(render) {
    const active = document.activeElement;
    const key = active && active.dataset ? active.dataset.key : null;
    render();
    if (key) {
      const again = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (again && !again.disabled) again.focus({ preventScroll: true });
    }
  }

  /* degraded: connected, but the server says it cannot publish live updates right now
   * (hub.status; the page catches up through sync). */
  function setConnection(el, status, degraded) {
    const slow = status === "live" && degraded;
    el.className = `conn ${status}${slow ? " degraded" : ""}`;
    const text = el.querySelector(".conn-text");
    if (text) text.textContent = slow ? CONNECTION.degraded : CONNECTION[status] || status;
  }

  /* Text without diacritics, lower case, đ as d: "hung" finds "Hùng" (as library.text.fold). */
  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  global.Faces = {
    gettext, ngettext, interpolate, h, fill, SVG_NS, fold,
    ITEM_STATUS, ITEM_KIND, ATTENDANCE, METHOD, SITTING_STATUS, CONNECTION,
    errorMessage, timeOfDay, timing, toast, sender, keepFocus, setConnection,
  };
})(window);
