/* For the plenary, on the facilitator's page and the projector (never the phone): results on one
   common scale, how opinions moved between rounds, and the facilitator's plenary board (the
   played cards ranked by what makes a good discussion). Global `Plenary`; uses `Live`. */
"use strict";
const Plenary = (() => {
  const { t, el } = Live;
  const LETTERS = "ABCDEF";
  const letter = (i) => LETTERS[i] || String(i + 1);
  const sum = (counts) => counts.reduce((a, b) => a + b, 0);
  /** n of total as "45 %" (a share, rounded). */
  const pct = (n, total) => (total ? Math.round((100 * n) / total) : 0) + " %";
  /** An answer in a move: the option's letter, or "pass". */
  const answer = (a) => (a === "pass" ? t("pass_word") : letter(a));

  /** A bar whose width is `n` of `total` (a share: every bar on every table has one scale). */
  const bar = Live.track;

  /** Option rows: "A. label", a bar of its share of the votes, "45 % (9)". */
  function shares(labels, counts) {
    const total = sum(counts);
    return el("ol", { class: "shares" }, labels.map((label, i) => el("li", null,
      el("span", { class: "bl", text: letter(i) + ". " + label }), bar(counts[i], total),
      el("b", { text: pct(counts[i], total) + " (" + counts[i] + ")" }))));
  }

  /** How opinions moved from the first revealed round to the last (`s`: a shift of one table or
   *  the room): who changed their mind (unless `told` elsewhere) and from what to what (counts
   *  only, nobody named); then per option a bar for each round, each a share of that round's
   *  votes, with the counts. `labels`: the options' texts, or null for their letters only. */
  function shift(labels, s, told) {
    const before = sum(s.before), after = sum(s.after);
    const rounds = s.from_round ? t("rounds", { a: s.from_round, b: s.to_round }) : t("first_last");
    const followed = s.changed != null ? s.changed + s.stayed : 0;
    return el("div", { class: "shift" },
      el("div", { class: "who" },
        s.mean_before != null && el("p", { class: "changed", text: t("mean", { a: s.mean_before, b: s.mean_after }) }),
        s.tally ? el("p", { class: "meta", text: t("tally_shift") }) : [
          followed > 0 && !told && el("p", { class: "changed", text: t("changed", { n: s.changed, m: followed, x: pct(s.changed, followed) }) }),
          s.moves.length > 0 && el("ul", { class: "moves" }, s.moves.map((m) =>
            el("li", { text: t("flow", { n: m.count, a: answer(m.from), b: answer(m.to) }) }))),
          s.joined > 0 && el("p", { class: "meta", text: t("joined", { n: s.joined }) }),
          s.left > 0 && el("p", { class: "meta", text: t("left", { n: s.left }) })],
        (s.passes_before || s.passes_after) > 0 && el("p", { class: "meta", text: t("passes_moved", { a: s.passes_before, b: s.passes_after }) })),
      el("p", { class: "legend", "aria-hidden": "true" }, el("span", { class: "swatch was" }), t("first"), " ", el("span", { class: "swatch now" }), t("last")),
      el("ol", { class: "shiftbars" + (labels ? "" : " letters"), "aria-label": rounds }, s.before.map((_, i) => el("li", null,
        el("span", { class: "bl", text: labels ? letter(i) + ". " + labels[i] : letter(i) }),
        el("span", { class: "pair" }, bar(s.before[i], before, "was"), bar(s.after[i], after, "now")),
        el("b", null, el("span", { "aria-hidden": "true", text: s.before[i] + " → " + s.after[i] }),
          el("span", { class: "visually-hidden", text: t("from_to", { a: s.before[i], b: s.after[i] }) }))))));
  }

  /** A table's conclusion: the line, who wrote it last and when. */
  function conclusion(c, table) {
    const at = new Date(c.at * 1000).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
    // The table's name on a line of its own, made smaller if one word of it is wider (Live.fit).
    return el("p", { class: "conclusion" }, table && el("b", { class: "ctable", text: table, "data-fit": 12 }), el("q", { text: c.text }),
      el("span", { class: "meta", text: " — " + (c.by ? c.by + ", " : "") + at }));
  }

  /** One card of the board: what it is, how divided, how it moved, what the tables concluded and
   *  why people chose what they chose; `spot(card)` puts it on the projector. */
  function item(c, rank, spot, onWall) {
    const opts = c.card.options;
    const facts = [t("b_tables", { n: c.tables }), !c.talk && t("b_votes", { n: c.votes }),
      c.passes > 0 && t("passes", { n: c.passes }), t("b_notes", { n: c.notes }), c.calls > 0 && t("b_calls", { n: c.calls })].filter(Boolean);
    const followed = c.shift ? c.shift.changed + c.shift.stayed : 0;
    const reasons = c.reasons.filter((r) => r.count > 0);
    return el("li", { class: "bcard" + (onWall ? " onwall" : "") },
      el("header", null, el("span", { class: "rank", "aria-hidden": "true", text: rank }),
        el("h3", { text: c.card.title }),
        el("button", { type: "button", class: onWall ? "small" : "secondary small", "aria-pressed": String(onWall),
          "aria-label": t(onWall ? "on_wall" : "spot_this") + ": " + c.card.title, "data-k": "spot-" + c.card.id,
          onclick: () => spot(c.card.id) }, t(onWall ? "on_wall" : "spot_this"))),
      el("p", { class: "meta", text: facts.join(" · ") }),
      c.talk ? el("p", { class: "meta", text: t("talked") }) : el("ul", { class: "metrics" },
        c.divided != null && el("li", { text: t("divided", { x: pct(c.divided, 1) }) }),
        c.disagree != null && el("li", { text: t("disagree", { x: pct(c.disagree, 1) }) }),
        el("li", { text: followed ? t("moved", { n: c.shift.changed, m: followed, x: pct(c.shift.changed, followed) }) : t("one_round") })),
      !c.talk && c.shares && shares(opts, c.total),
      c.shift && shift(null, c.shift, true), // the options' texts are just above
      c.conclusions.length > 0 && [el("h4", { text: t("conclusions") }), c.conclusions.map((x) => conclusion(x, x.table))],
      reasons.map((r) => [el("h4", { text: t("reasons_for", { x: letter(r.option) + ". " + opts[r.option], n: r.count }) }),
        el("ul", { class: "reasons" }, r.notes.map((n) => el("li", null, el("span", { text: n.text }),
          el("span", { class: "meta", text: " — " + n.table }))))]));
  }

  /** The plenary board: every played card, the best plenary material first. */
  function board(cards, spot, onWall) {
    return cards.length ? el("ol", { class: "board" }, cards.map((c, i) => item(c, i + 1, spot, c.card.id === onWall)))
      : el("p", { class: "meta", text: t("no_played") });
  }

  return { letter, pct, sum, bar, shares, shift, conclusion, board };
})();
