/* Hall slide "questioning" (chất vấn): the issue group, who asks (name, group), who answers
 * (official, position) and the countdown of the turn; the question asked when it is short enough to
 * read. Between turns: the issue groups with their officials and the questions waiting. Uses
 * FloorSlides (speaker.js, loaded first).
 */
(function () {
  "use strict";
  const { h, gettext, interpolate } = Hall;
  const F = window.FloorSlides;
  if (!F) return;
  const KEY = "questioning";
  const link = F.sheet();

  function person(label, p, role) {
    return h("div", { class: ["flc-person", p ? null : "is-empty"], dataset: { role } },
      h("div", { class: "flc-label", text: label }),
      p ? F.portrait(p) : null,
      h("div", { class: "flc-name", text: p ? p.name : "—" }),
      p && (p.position || p.group) ? h("div", { class: "flc-meta", text: p.position || p.group }) : null);
  }

  /* Who asks and who answers in this turn. */
  function parties(sp, group) {
    const questions = group ? group.questions : [];
    const officials = group ? group.officials : [];
    const official = (id) => officials.find((o) => o.member_id === id) || null;
    if (sp.kind === "question") {
      const q = questions.find((x) => x.id === sp.request_id);
      return { asker: sp, answerer: q && q.official_id ? official(q.official_id) : null, question: q };
    }
    if (sp.kind === "answer") {
      const q = questions.find((x) => x.id === sp.question_id);
      return { asker: q || null, answerer: sp, question: q };
    }
    if (sp.kind === "opening") return { asker: null, answerer: sp, question: null };
    return { asker: sp, answerer: null, question: null };
  }

  function overview(groups) {
    if (!groups.length) return h("p", { class: "flc-empty", text: gettext("Chưa có nhóm vấn đề chất vấn.") });
    return h("ol", { class: "flc-groups" }, groups.map((g) => {
      const waiting = g.questions.filter((q) => q.status === "waiting").length;
      return h("li", { class: "flc-group", dataset: { issueId: String(g.id) } },
        h("div", { class: "flc-group-title", text: g.title }),
        h("div", { class: "flc-group-meta", text: [
          g.officials.map((o) => o.name).join(", "),
          interpolate(gettext("%(n)s câu hỏi chờ"), { n: waiting }, true),
        ].filter(Boolean).join(" · ") }));
    }));
  }

  function render(root, state, hub) {
    if (!link.sheet) link.addEventListener("load", () => redraw(root, hub), { once: true });
    const sp = state.floor ? state.floor.speaker : null;
    const groups = state.questioning ? state.questioning.groups : [];
    const group = sp && sp.issue_id ? groups.find((g) => g.id === sp.issue_id) || null : null;
    let body;
    const questioning = sp && (sp.issue_id || ["question", "answer", "opening", "followup"].includes(sp.kind));
    if (questioning) {
      const who = parties(sp, group);
      body = h("div", { class: "flc-body", dataset: { speechId: String(sp.id) } },
        h("div", { class: "flc-issue", text: group ? group.title : gettext("Chất vấn và trả lời chất vấn") }),
        h("div", { class: "flc-turn" },
          person(gettext("Người chất vấn"), who.asker, "asker"),
          h("div", { class: "flc-centre" },
            h("div", { class: ["flc-kind", `kind-${sp.kind}`], text: F.KIND[sp.kind] ? F.KIND[sp.kind]() : sp.kind }),
            F.countdown(sp)),
          person(gettext("Người trả lời"), who.answerer, "answerer")),
        who.question && who.question.text ? h("div", { class: "flc-question", text: who.question.text }) : null);
    } else {
      // Between turns, or someone speaks outside the questioning (a point of order): who, and the groups.
      body = h("div", { class: "flc-body is-between" },
        sp ? h("div", { class: "flq-now", dataset: { speechId: String(sp.id) } },
          h("div", { class: "flq-now-text" },
            h("div", { class: "flq-now-label", text: interpolate(gettext("Đang phát biểu — %(kind)s"),
              { kind: F.KIND[sp.kind] ? F.KIND[sp.kind]() : sp.kind }, true) }),
            h("div", { class: "flq-now-name", dataset: { role: "speaker-name" }, text: sp.name }),
            sp.group ? h("div", { class: "flq-now-group", text: sp.group }) : null),
          F.countdown(sp)) : null,
        h("h2", { class: "flc-heading", text: gettext("Chất vấn và trả lời chất vấn") }),
        overview(groups));
    }
    Hall.append(root, Hall.header(state, Hall.config()), body);
    for (const el of root.querySelectorAll(".flc-name")) Hall.fit(el, 4.4, 2.7, 0.2);
    const q = root.querySelector(".flc-question");
    if (q && Hall.fit(q, 3.2, 2.7, 0.1) && Hall.overflows(q)) q.classList.add("is-clipped");
    if (sp) F.updateClock(root, state, hub);
  }

  function redraw(root, hub) {
    if (root.dataset.slide !== KEY || !hub.state) return;
    root.replaceChildren();
    render(root, hub.state, hub);
  }

  // Following the sitting ("auto", displays/static/displays/display.js): a question, its answer
  // or a follow-up at the floor takes the screen (above a plain speaker).
  function claim(state) {
    const sp = state.floor ? state.floor.speaker : null;
    return sp && (sp.issue_id || ["question", "answer", "opening", "followup"].includes(sp.kind)) ? 60 : 0;
  }

  HallSlides.register(KEY, { render, tick: F.updateClock, claim });
})();
