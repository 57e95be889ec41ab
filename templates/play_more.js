{#- What the phone page needs only now and then, loaded when it is needed (game/web/live/offline.py
    serves it at /j/more.js, in the phone's language): the closing evaluation and the table's
    takeaway link once the session ended, and writing the table's own dilemma. Kept out of
    play.js so the page people join on stays light. Jinja comments: none of this text is
    shipped. Text people typed goes in with textContent (Live.el's `text`), never as HTML. -#}
"use strict";
const { t, el, fill, alertIn } = Live;
Live.add({{ strings|tojson }});

{# The phone page's own state, `st()`: {box, view, outbox, errs}, and its actions `p`:
   queue(event, payload), pending(), render(), code (play.js). #}
export default function more(st, p) {
  {# The end: the takeaway link (when offered) and the closing evaluation, anonymous, kept in
     the outbox like a vote. #}
  function ended() {
    const { box, view } = st(), me = view.me, ev = (me && me.evaluation) || {};
    if (!me) return el("section", { class: "panel done" }, el("h1", { text: t("ended") }), el("p", { text: t("ended_p") }));
    box.useful = ev.useful || null;
    box.scale = [1, 2, 3, 4, 5].map((n) => el("button", { type: "button", class: "seg", onclick: () => { box.useful = n; p.render(); } }, String(n)));
    const area = (id, key) => [el("label", { for: id, text: t(id) }), (box[key] = el("textarea", { id, rows: 2, maxlength: 500 }))];
    box.estate = el("p", { class: "state" });
    box.eform = el("form", { class: "panel", onsubmit: (e) => {
      e.preventDefault();
      if (!box.useful) return alertIn(box.eform, t("eval_pick"));
      p.queue("submit_evaluation", { useful: box.useful, keep: box.keep.value.trim(), add: box.add.value.trim() });
    } }, el("h1", { text: t("ended") }), el("h2", { text: t("eval_h") }),
    el("p", { class: "label", id: "eu", text: t("eval_useful") }),
    el("div", { class: "scale", role: "group", "aria-labelledby": "eu" }, box.scale),
    el("p", { class: "hint", text: t("eval_scale") }), area("eval_keep", "keep"), area("eval_add", "add"),
    el("button", { type: "submit", text: t("eval_send") }), box.estate);
    box.keep.value = ev.keep || "";
    box.add.value = ev.add || "";
    return [(box.take = el("p", { class: "takeaway-link" })), box.eform];
  }

  function endedUpdate() {
    const { box, view, outbox, errs } = st(), me = view.me, k = me.takeaway;
    fill(box.take, k && el("a", { class: "button", href: `${p.code}/takeaway/${k.table}/${k.key}`, text: t("takeaway") }));
    box.scale.forEach((b, i) => b.setAttribute("aria-pressed", String(box.useful === i + 1)));
    const pend = outbox.some((o) => o.ev === "submit_evaluation");
    box.estate.textContent = pend ? p.pending() : me.evaluation ? t("eval_thanks") : "";
    alertIn(box.eform, errs.eval);
  }

  {# At the table: the form for the table's own dilemma (once someone asked for it; built once,
     so typing survives live updates) and the dilemmas this table sent, with whether the
     facilitator put them on the tables. #}
  function table(tb) {
    const { box, outbox, errs } = st();
    if (box.want && !box.pform) {
      const f = (id, tag, a) => [el("label", { for: id, text: t(id) }), (box[id] = el(tag, Object.assign({ id, required: id !== "p_opts" }, a)))];
      box.pform = el("form", { onsubmit: (e) => {
        e.preventDefault();
        p.queue("propose_dilemma", { title: box.p_title.value.trim(), text: box.p_text.value.trim(),
          options: box.p_opts.value.split("\n").map((o) => o.trim()).filter(Boolean) });
        box.p_title.value = box.p_text.value = box.p_opts.value = "";
      } }, el("h2", { class: "sub", text: t("propose") }), el("p", { class: "hint", text: t("p_hint") }),
      f("p_title", "input", { type: "text", maxlength: 120 }), f("p_text", "textarea", { rows: 3, maxlength: 1500 }),
      f("p_opts", "textarea", { rows: 3 }), el("button", { type: "submit", text: t("p_send") }));
      box.plist = el("ul", { class: "meta" });
      fill(box.prop, box.pform, box.plist);
      box.p_title.focus();
    }
    if (!box.plist) fill(box.prop, box.prop.firstChild, (box.plist = el("ul", { class: "meta" })));
    fill(box.plist, tb.proposals.map((x) => el("li", { text: x.title + " · " + t(x.dealt ? "p_dealt" : "p_sent") })),
      outbox.filter((o) => o.ev === "propose_dilemma").map((o) => el("li", { text: o.p.title + " · " + p.pending() })));
    alertIn(box.prop, errs.prop);
  }

  {# A shared device's show of hands: a count per option (kept across redraws while the card
     is open), saved as the table's votes. #}
  function hands(c, open) {
    const { box } = st(), opts = c && c.response.options;
    if (!open) return (box.hands = null);
    if (!box.hands || box.hands.card !== c.id) {
      box.hands = opts.map((o) => el("input", { type: "number", min: 0, max: 500, value: 0, "aria-label": o, class: "tally-n" }));
      box.hands.card = c.id;
    }
    return el("form", { class: "tally", onsubmit: (e) => { e.preventDefault();
      p.queue("record_tally", { counts: box.hands.map((i) => +i.value || 0), card: c.id }); } },
    el("h2", { class: "sub", text: t("tally") }), opts.map((o, i) => el("label", { class: "tally-row" }, o, " ", box.hands[i])),
    el("button", { type: "submit", "data-k": "ts", text: t("tally_save") }));
  }

  {# The table's earlier cards: each one's revealed votes, its choice, its notes (`noteItem`:
     the phone's own way to show a note). #}
  function history(h, noteItem) {
    return h.map((x) => el("div", { class: "past" }, el("h3", { lang: p.lang, text: x.card.title }),
      x.distribution && [Live.bars(x.card.options, x.distribution, x.choice), Live.passes(x.passes)],
      x.choice != null && el("p", { class: "meta", text: t("chose", { x: x.card.options[x.choice] }) }),
      x.notes.length > 0 && el("ul", { class: "notes" }, x.notes.map((n) => noteItem(n, null, true, x.card.options)))));
  }

  return { ended, endedUpdate, table, hands, history };
}
