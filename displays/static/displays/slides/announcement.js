/* Hall slide "announcement": the chair's announcement as large as it fits;
 * with none, a calm screen with the clock.
 */
(function () {
  "use strict";
  const { h, gettext, interpolate } = Hall;

  function render(root, state) {
    const a = state.announcement;
    let body;
    if (a) {
      body = h("div", { class: "an-body" },
        h("div", { class: "an-label", text: gettext("Thông báo") }),
        h("div", { class: "an-text", dataset: { role: "announcement" }, text: a.text }),
        a.at ? h("div", { class: "an-at",
          text: interpolate(gettext("lúc %(t)s"), { t: Hall.clockText(Date.parse(a.at)) }, true) }) : null);
    } else {
      body = h("div", { class: "an-body is-empty" },
        Hall.clock({ class: "an-clock", seconds: true, date: true }),
        h("div", { class: "an-none", dataset: { role: "no-announcement" }, text: gettext("Hiện không có thông báo") }));
    }
    Hall.append(root, Hall.header(state, Hall.config()), body);
    const text = root.querySelector(".an-text");
    if (text) Hall.fit(text, 10, 2.7, 0.2);
  }

  // Following the sitting ("auto"): an announcement holds the screen for its first minute.
  const FRESH_MS = 60 * 1000;
  function claim(state, hub) {
    const a = state.announcement;
    return a && a.at && hub.now() - Date.parse(a.at) < FRESH_MS ? 70 : 0;
  }

  HallSlides.register("announcement", { render, claim });
})();
