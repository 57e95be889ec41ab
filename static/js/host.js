/* Tafelronde facilitator page: every table at a glance, and the controls for the whole room.
   The toolbar is server-rendered (translated); this script wires it to the socket and draws the
   tables, the unseated people and the comparison from the facilitator view. */
"use strict";
(() => {
  const { t, el, fill, command, alertIn, confirmed } = Live;
  const $ = (id) => document.getElementById(id);
  const code = $("host").dataset.code;

  let view = null;
  let ended = false; // drawn as ended: table cards without controls that change the session
  let stalledAfter = 480; // seconds; the server sends its setting with every update
  const got = new Map(); // table id -> Date.now() when its seconds_on_card arrived
  const cardsEl = new Map(); // table id -> its <article>
  const chosen = new Set(); // note ids picked for the spotlight
  const noteCard = new Map(); // note id -> card id (a spotlight takes only its own card's notes)
  const earlier = new Map(); // table id -> notes of its earlier cards (sent when they change)
  const opened = new Set(); // tables whose "Earlier cards" are unfolded
  const errs = {};
  let spotPicked = false; // the spotlight list shows what is on the wall until someone picks

  const socket = Live.connect(code);
  Live.watch(socket, $("conn"));

  socket.on("connect", hello);
  // The full views of the tables that changed, and of the room-wide parts only those that did.
  socket.on("host_updated", (u) => {
    if (!view || u.version < view.version) return;
    view.version = u.version;
    if (u.stalled_after) stalledAfter = u.stalled_after;
    for (const tb of u.tables) {
      if (tb.earlier) earlier.set(tb.id, tb.earlier);
      view.tables[tb.id] = tb;
      got.set(tb.id, Date.now());
    }
    for (const k of ["session", "unseated", "spotlight", "comparison", "evaluation", "board", "rounds", "proposals", "perspectives", "takeaway"]) if (k in u) view[k] = u[k];
    render(u.tables.map((tb) => tb.id));
  });
  // Votes and notes as they happen: a table's count of answers and its new notes.
  socket.on("table_progress", (u) => {
    if (!view || u.version < view.version) return;
    view.version = u.version;
    for (const p of u.tables) {
      const cur = view.tables[p.id] && view.tables[p.id].current;
      if (!cur || cur.card.id !== p.card || cur.round !== p.round) continue;
      cur.votes_in = p.votes_in;
      for (const n of p.notes) if (!cur.notes.some((m) => m.id === n.id)) cur.notes.push(n), noteCard.set(n.id, n.card);
      tableCard(view.tables[p.id]);
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && socket.connected) sync("sync");
  });

  function hello() {
    return sync("hello", { code, role: "facilitator" });
  }

  async function sync(ev, p) {
    const a = await command(socket, ev, p || {});
    if (a.code === "unavailable") { // the server cannot store now: it says so, and we ask again
      alertIn($("banners"), t("conn_paused"));
      return setTimeout(() => socket.connected && sync(ev, p), Live.later(a));
    }
    if (!a.ok) return alertIn($("banners"), a.error || t("failed"));
    alertIn($("banners"), "");
    view = a.view;
    view.tables.forEach((tb) => { got.set(tb.id, Date.now()); earlier.set(tb.id, tb.earlier || []); });
    cardsEl.clear();
    fill($("tables"));
    render(view.tables.map((tb) => tb.id));
  }

  /** Send a facilitator command; its error (if any) shows in the area named `area`. While the
      server cannot store (`unavailable`) it is sent again with the same cid until it is. */
  async function run(ev, p, area) {
    const cid = rid();
    let a;
    for (;;) {
      a = await command(socket, ev, { ...(p || {}), cid });
      if (a.code !== "unavailable") break;
      show(area, t("sent_later"));
      await new Promise((resolve) => setTimeout(resolve, Live.later(a)));
    }
    show(area, a.ok ? "" : a.error || t("failed"));
    return a.ok;
  }

  function show(area, text) {
    errs[area] = text;
    const where = document.querySelector(`[data-area="${area}"]`);
    if (where) alertIn(where, text);
  }

  /** A client id for one command (not crypto.randomUUID: it needs https). */
  const rid = () => Array.from(crypto.getRandomValues(new Uint8Array(12)),
    (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[b & 63]).join("");

  // --- the toolbar ----------------------------------------------------------------------------

  Live.onRedraw(() => view && render(view.tables.map((tb) => tb.id)));

  const on = (id, f) => $(id).addEventListener("click", f);
  on("deal", () => run("deal_card", $("deal-card").value ? { card: $("deal-card").value } : {}, "deal")
    .then((ok) => ok && ($("deal-card").value = "")));
  on("reveal-all", () => run("reveal_table", {}, "room"));
  $("rounds").addEventListener("change", (e) => run("set_rounds", { rounds: e.target.value ? Number(e.target.value) : null }, "rounds"));
  on("pause", () => run("pause", { paused: !view.session.paused }, "room"));
  on("timer-start", () => {
    const seconds = duration($("minutes").value);
    if (!seconds) return alertIn($("minutes").closest("[data-area]"), t("timer_how"));
    run("start_timer", { seconds }, "timer");
  });
  on("timer-stop", () => run("stop_timer", {}, "timer"));
  on("msg-send", () => run("send_message", { text: $("message").value.trim() }, "msg"));
  on("msg-clear", () => run("send_message", { text: "" }, "msg").then((ok) => ok && ($("message").value = "")));
  on("spot", spotlight);
  on("spot-clear", () => run("spotlight", { card: null }, "spot"));
  on("add-table", () => run("add_table", $("table-name").value.trim() ? { name: $("table-name").value.trim() } : {}, "tables")
    .then((ok) => ok && ($("table-name").value = "")));
  $("spot-card").addEventListener("change", () => { spotPicked = true; });
  on("steps-all", () => run("advance_tables", {}, "steps"));
  $("perspectives").addEventListener("change", (e) => run("set_perspectives", { on: e.target.checked }, "steps"));
  $("takeaway").addEventListener("change", (e) => run("offer_takeaway", { offered: e.target.checked }, "takeaway"));
  Live.onRedraw(() => view && render(view.tables.map((tb) => tb.id)));

  /** Seconds from what was typed as the timer: minutes ("10", "2.5") or minutes and seconds
   *  ("1:30"); 0 when it is neither. */
  function duration(text) {
    const v = text.trim().replace(",", ".");
    const ms = /^(\d{1,3}):([0-5]?\d)$/.exec(v);
    if (ms) return 60 * Number(ms[1]) + Number(ms[2]);
    return /^\d{0,3}(\.\d+)?$/.test(v) && v !== "" && v !== "." ? Math.round(60 * Number(v)) : 0;
  }

  /** From the plenary board: `card` on the projector with the notes ticked for it, or else the
      reasons the board lists for it (two per option, so the wall stays readable). */
  function spotCard(card) {
    let notes = [...chosen].filter((id) => noteCard.get(id) === card);
    const item = view.board.find((c) => c.card.id === card);
    if (!notes.length && item) notes = item.reasons.flatMap((r) => r.notes.slice(0, 2).map((n) => n.id));
    $("spot-card").value = card;
    run("spotlight", { card, notes }, "board");
  }

  function spotlight() {
    const card = $("spot-card").value;
    if (!card) return alertIn($("spot-card").closest("[data-area]"), t("spot_pick"));
    const notes = [...chosen].filter((id) => noteCard.get(id) === card);
    run("spotlight", { card, notes }, "spot").then((ok) => {
      const other = chosen.size - notes.length;
      $("spot-other").textContent = ok && other ? t("spot_other", { n: other }) : "";
    });
  }

  // --- drawing --------------------------------------------------------------------------------

  /** Redraw the room-wide parts, and the table cards in `changed` (others keep their state). */
  function endBox() {
    fill($("end-box"), !ended && confirmed("end", t("end"), t("end_q"), () => run("end_session", {}, "end"), { class: "danger" }));
  }

  function render(changed) {
    const s = view.session;
    noteCard.clear();
    view.tables.forEach((tb) => tb.current && tb.current.notes.forEach((n) => noteCard.set(n.id, n.card)));
    earlier.forEach((plays) => plays.forEach((p) => p.notes.forEach((n) => noteCard.set(n.id, n.card))));
    $("people").textContent = s.people === 1 ? t("person") : t("people", { n: s.people });
    // Once the session has ended nothing can change it: no control is left that would only fail.
    if (s.ended !== ended) changed = view.tables.map((tb) => tb.id);
    ended = s.ended;
    // Once ended, the controls go: what is left is the results and the evaluation.
    $("controls").disabled = s.ended;
    $("controls").hidden = s.ended;
    $("ended").hidden = !s.ended;
    if (s.ended) $("spot-other").textContent = "";
    endBox();
    $("pause").textContent = t(s.paused ? "resume" : "pause");
    $("pause").setAttribute("aria-pressed", String(s.paused));
    fill($("timer-left"), s.timer && Live.countdown(Live.ends(s.timer)));
    $("msg-now").textContent = s.message ? t("msg_now", { x: s.message.text }) : "";
    fill($("banners"), s.paused && !s.ended && el("p", { class: "banner", text: t("paused") }));
    options($("deal-card"), t("deal_next"));
    options($("spot-card"), t("spot_choose"));
    const sp = view.spotlight, spCard = sp && view.cards.find((c) => c.id === sp.card);
    // What is on the wall, until the facilitator picks another card (or a note of one).
    if (!spotPicked) $("spot-card").value = sp ? sp.card : "";
    const n = sp ? sp.notes.length : 0;
    $("spot-now").textContent = !spCard ? t("spot_none")
      : t("spot_now", { x: spCard.title }) + (n ? " " + (n === 1 ? t("spot_note") : t("spot_notes", { n })) : "");
    fill($("round-all"), !s.ended && confirmed("ra", t("round_all"), t("round_all_q"), () => run("reset_table", {}, "room"), { class: "secondary" }));
    if (document.activeElement !== $("rounds")) $("rounds").value = view.rounds == null ? "" : String(view.rounds);
    for (const id of changed) tableCard(view.tables[id]);
    fill($("board-list"), Plenary.board(view.board, spotCard, sp && sp.card));
    Live.fit($("board-list"));
    calls();
    room();
    unseated();
    comparison();
    evaluation();
    announce();
  }

  // What a screen reader hears without looking, from #announce (a polite live region in the
  // page from the start): new cards, reveals, a message, the end of the timer. One sentence per
  // update however many tables changed; never a single vote.
  let heard = null, timeUp = null;
  function announce() {
    const s = view.session, tables = view.tables;
    const now = { cards: tables.map((tb) => (tb.current ? tb.current.card.id + "@" + tb.current.started_at : "")),
      // A talk card has no votes: opening its reflection is not "votes revealed".
      shown: tables.map((tb) => !!(tb.current && tb.current.revealed && !tb.current.talk)), msg: s.message && !s.ended ? s.message.text : "" };
    const say = [];
    if (heard) {
      const dealt = new Map(); // card title -> the tables that got it
      tables.forEach((tb, i) => now.cards[i] && now.cards[i] !== heard.cards[i] &&
        dealt.set(tb.current.card.title, [...(dealt.get(tb.current.card.title) || []), tb.name]));
      // A deal reaches the tables where people sit: those are "every table" here.
      const playing = tables.filter((tb) => tb.members.length).length || tables.length;
      dealt.forEach((names, title) => say.push(t("an_card", { x: title }) + (names.length < playing ? " · " + names.join(", ") : "")));
      const shown = tables.filter((tb, i) => now.shown[i] && !heard.shown[i] && now.cards[i] === heard.cards[i]);
      if (shown.length) say.push(t("an_reveal", { x: shown.map((tb) => tb.name).join(", ") }));
      if (now.msg && now.msg !== heard.msg) say.push(t("msg_now", { x: now.msg }));
    }
    clearTimeout(timeUp);
    const left = s.timer && !s.ended && !s.timer.paused ? s.timer.remaining * 1000 : 0;
    if (left > 0) timeUp = setTimeout(() => { $("announce").textContent = t("time_up"); }, left);
    heard = now;
    if (say.length) $("announce").textContent = say.join(". ");
  }

  /** The cards' script (every table on), perspectives on or off, the takeaway offered or not, and
      the dilemmas tables wrote: dealt to their table or to all. */
  function room() {
    const p = view.perspectives;
    $("steps-tool").hidden = !view.tables.some((tb) => tb.current && tb.current.step) && !p.available;
    $("persp-tool").hidden = !p.available;
    $("perspectives").checked = p.on;
    $("takeaway").checked = view.takeaway;
    $("proposals").hidden = !view.proposals.length;
    fill($("proposal-list"), view.proposals.map((x) => el("li", { class: "proposal" },
      el("h3", { text: x.title }), el("p", { class: "meta", "data-fit": 11, text: [t("from_table", { x: x.table_name }), x.by && t("by", { x: x.by }), x.dealt && t("dealt")].filter(Boolean).join(" · ") }),
      el("p", { class: "ntext", text: x.text }),
      x.options.length > 0 && el("ol", { class: "opts-key" }, x.options.map((o) => el("li", { text: o }))),
      !ended && el("p", { class: "row" },
        el("button", { class: "secondary small", "data-k": "pt" + x.id, onclick: () => run("deal_card", { card: x.id, table: x.table }, "proposals") }, t("deal_own")),
        el("button", { class: "small", "data-k": "pa" + x.id, onclick: () => run("deal_card", { card: x.id }, "proposals") }, t("deal_all"))))));
    Live.fit($("proposal-list"));
  }

  /** The closing evaluation, anonymous: how many answered, how useful, what to keep and add. */
  function evaluation() {
    const e = view.evaluation, box = $("evaluation");
    box.hidden = !e;
    if (!e) return;
    const list = (key) => e[key].length > 0 && [el("h3", { text: t("eval_" + key) }),
      el("ul", { class: "answers" }, e[key].map((text) => el("li", { text })))];
    fill(box, el("h2", { text: t("evaluation") }), el("p", { text: t("eval_count", { n: e.answers, m: e.people }) }),
      e.answers > 0 && [el("p", { text: t("eval_average", { x: e.useful_average }) }),
        Live.bars(["1", "2", "3", "4", "5"], e.useful), list("keep"), list("add")]);
  }

  /** Fill a <select> with the deck's cards once; the first option is `first` (value ""). */
  function options(select, first) {
    if (select.options.length > 1) return;
    fill(select, el("option", { value: "", text: first }), view.cards.map((c) => el("option", { value: c.id, text: c.title })));
  }

  const mmss = (tb) => Live.clock(tb.seconds_on_card + (Date.now() - got.get(tb.id)) / 1000);
  const onStep = (tb) => Live.clock(tb.seconds_on_step + (Date.now() - got.get(tb.id)) / 1000);
  const stalled = (tb) => tb.current && !tb.current.revealed && !tb.current.skipped && !tb.current.talk &&
    (tb.stalled || tb.seconds_on_card + (Date.now() - got.get(tb.id)) / 1000 >= stalledAfter);

  // Time on card counts up locally; a table that goes quiet turns "stalled" without any update.
  Live.ticks.add(() => {
    if (!view || view.session.ended) return;
    for (const tb of view.tables) {
      const a = cardsEl.get(tb.id);
      if (!a || tb.seconds_on_card == null) continue;
      a.querySelector(".ontime").textContent = mmss(tb);
      const st = a.querySelector(".onstep");
      if (st) st.textContent = onStep(tb);
      a.classList.toggle("stalled", stalled(tb));
    }
  });

  /** How a table stands, in one line: nobody there; no card; votes coming in; shown. */
  function standing(tb, cur) {
    const people = tb.members.length === 1 ? t("person") : t("people", { n: tb.members.length });
    if (!tb.members.length) return t("nobody");
    if (!cur) return t("no_card") + " · " + people;
    if (cur.talk) return t(cur.revealed ? "reflection_shown" : "talk") + " · " + people; // no votes to count
    // Revealed votes of people who since moved on stay in the count: no "2 of 1 present".
    if (cur.revealed && cur.votes_in > tb.present) return t("votes_shown", { n: cur.votes_in }) + " · " + people;
    return t("votes_present", { n: cur.votes_in, m: tb.present }) + " · " + people;
  }

  function tableCard(tb) {
    const cur = tb.current, old = cardsEl.get(tb.id);
    const k = old && old.contains(document.activeElement) && document.activeElement.dataset.k;
    const opts = cur ? cur.card.response.options : [];
    const a = el("article", { class: "tcard" + (stalled(tb) ? " stalled" : ""), "data-area": "t" + tb.id },
      el("header", null,
        el("h3", { text: tb.name, "data-fit": 14 }),
        el("span", { class: "badge warn stall", text: t("stalled") })),
      el("p", { class: "meta" }, standing(tb, cur),
        cur && [" · ", el("span", { class: "nowrap" }, el("span", { class: "ontime", text: mmss(tb) }), " " + t("on_card"))]),
      tb.flag && flagLine(tb),
      tb.members.length > 0 && el("ul", { class: "people" }, tb.members.map((m) => person(m, tb.id))),
      cur && el("p", { class: "ctitle", text: cur.card.title }),
      cur && cur.step && stepLine(tb, cur.step),
      cur && !cur.talk && (cur.round > 0 || cur.rounds_planned > 1) && el("p", { class: "meta round",
        text: t(cur.rounds_planned > 1 ? "round_of" : "round", { n: cur.round + 1, m: cur.rounds_planned }) }),
      cur && cur.skipped && el("p", { class: "badge skipped-badge", text: t("skipped") }),
      cur && cur.tally && el("p", { class: "meta tally-mark", text: t("tally") }),
      !ended && el("label", { class: "devices-toggle" }, el("input", { type: "checkbox", "data-k": "dv", checked: tb.devices === "shared",
        onchange: (e) => run("set_devices", { table: tb.id, devices: e.target.checked ? "shared" : "personal" }, "t" + tb.id) }), " ", t("shared")),
      // After a second round the shift shows the last round beside the first, the passes too.
      cur && cur.revealed && !cur.talk && [cur.shift ? Plenary.shift(opts, cur.shift)
        : [Live.bars(opts, cur.distribution, cur.choice), Live.passes(cur.passes)],
      cur.late > 0 && el("p", { class: "meta", text: t("late_n", { n: cur.late }) })],
      cur && cur.choice != null && el("p", { class: "meta" }, el("span", { class: "star", text: "★ " }), t("choice", { x: opts[cur.choice] })),
      cur && cur.conclusion && [el("h4", { class: "sub", text: t("conclusion") }), Plenary.conclusion(cur.conclusion)],
      cur && !cur.talk && !ended && tb.members.length > 0 && el("p", { class: "row" },
        el("button", { class: "secondary small", "data-k": "rv", disabled: cur.revealed || cur.skipped, onclick: () => run("reveal_table", { table: tb.id }, "t" + tb.id) }, t("reveal")),
        confirmed("rs" + tb.id, t("reset"), t("reset_q", { x: tb.name }), () => run("reset_table", { table: tb.id }, "t" + tb.id), { class: "quiet small" })),
      cur && cur.notes.length > 0 && el("ul", { class: "notes" }, cur.notes.map((n) => note(n, tb.id, opts))),
      earlierCards(tb));
    if (errs["t" + tb.id]) alertIn(a, errs["t" + tb.id]);
    if (old) old.replaceWith(a);
    else $("tables").append(a);
    cardsEl.set(tb.id, a);
    Live.fit(a);
    const again = k && a.querySelector(`[data-k="${k}"]`);
    if (again) again.focus();
  }

  /** A table's step of its card's script, how long it has been on it, and "Next step" for it. */
  function stepLine(tb, s) {
    return el("p", { class: "meta step row" }, el("span", { text: s.done ? t("step_done") : t("step", { n: s.index + 1, m: s.count, x: s.label }) }),
      !s.done && el("span", { class: "onstep", title: t("on_step"), text: onStep(tb) }),
      !s.done && !ended && el("button", { class: "quiet small", "data-k": "ns" + tb.id, onclick: () => run("advance_tables", { table: tb.id }, "t" + tb.id) }, t("next_step")));
  }

  /** The notes on a table's earlier cards, folded: still there to hide, or to pick for the
   *  projector when one of those cards is spotlighted. */
  function earlierCards(tb) {
    const plays = earlier.get(tb.id) || [];
    if (!plays.length) return null;
    return el("details", { class: "earlier", open: opened.has(tb.id), ontoggle: (e) => (e.target.open ? opened.add(tb.id) : opened.delete(tb.id)) },
      el("summary", { text: t("earlier", { n: plays.length }) }),
      plays.map((p) => el("div", { class: "past" }, el("h4", { text: p.card.title }),
        el("ul", { class: "notes" }, p.notes.map((n) => note(n, tb.id))))));
  }

  /** A table's call for the facilitator: why, who, since when; a button to clear it. */
  function flagLine(tb) {
    const f = tb.flag;
    return el("p", { class: "flag-call " + f.reason },
      el("b", { text: t("f_" + f.reason) }), " · " + tb.name + (f.by ? " · " + f.by : "") + " · " + Live.clock(Math.max(0, Date.now() / 1000 - f.at)) + " ",
      !ended && el("button", { class: "small", "data-k": "cf" + tb.id, onclick: () => run("clear_flag", { table: tb.id }, "t" + tb.id) }, t("clear_flag")));
  }

  /** Every open call, at the top of the page, so no call waits unseen below the fold. */
  function calls() {
    const open = view.tables.filter((tb) => tb.flag);
    fill($("calls"), open.length > 0 && [el("h2", { text: t("calls", { n: open.length }) }), open.map(flagLine)]);
  }

  /** A participant: connected dot, name, and a select to move them to another table. */
  function person(m, tableId) {
    const name = m.name || t("someone");
    return el("li", { class: m.connected ? "on" : "off" },
      el("i", { class: "dot", title: t(m.connected ? "here" : "away") }),
      el("span", { class: "pname", text: name }),
      !ended && (view.tables.length > 1 || tableId == null) ? el("select", { class: "move", "aria-label": t("move_to", { x: name }), "data-k": "m" + m.pid,
        onchange: (e) => e.target.value !== "" && run("move_participant", { pid: m.pid, table: Number(e.target.value) }, tableId == null ? "unseated" : "t" + tableId) },
      el("option", { value: "", text: t("move") }),
      view.tables.filter((o) => o.id !== tableId).map((o) => el("option", { value: o.id, text: o.name }))) : null);
  }

  /** A note: kind, author, the option it is a reason for (`opts`: its card's options, when
   *  known), text; hide/show it on phones; pick it for the projector. */
  function note(n, tableId, opts) {
    const id = "pick-" + n.id;
    return el("li", { class: "note " + n.kind + (n.hidden ? " hiddennote" : "") },
      el("p", { class: "meta" }, el("span", { class: "kind", text: t("k_" + n.kind) }), " ", n.author || t("someone"),
        n.option != null && " · " + t("reason_for", { x: Plenary.letter(n.option) + (opts && opts[n.option] ? ". " + opts[n.option] : "") }),
        n.hidden ? " · " + t("hidden") : ""),
      el("p", { class: "ntext", text: n.text }),
      !ended && el("p", { class: "row" },
        el("label", { class: "pick", for: id },
          el("input", { type: "checkbox", id, "data-k": id, checked: chosen.has(n.id), disabled: n.hidden, onchange: (e) => pick(n, e.target.checked) }),
          t("for_projector")),
        el("button", { class: "quiet small", "data-k": "h" + n.id, onclick: () => run("hide_note", { note: n.id, hidden: !n.hidden }, "t" + tableId) },
          t(n.hidden ? "show" : "hide"))));
  }

  function pick(n, yes) {
    if (yes) chosen.add(n.id);
    else chosen.delete(n.id);
    // Picking a note chooses its card for the spotlight, unless another card was picked.
    if (yes && (!spotPicked || !$("spot-card").value)) {
      $("spot-card").value = n.card;
      spotPicked = true;
    }
  }

  function unseated() {
    const u = view.unseated;
    fill($("unseated"), u.length > 0 && [
      el("h2", { text: t("unseated", { n: u.length }) }),
      el("ul", { class: "people" }, u.map((m) => person(m, null)))]);
    if (errs.unseated) alertIn($("unseated"), errs.unseated);
  }

  const LETTERS = "ABCDEF";
  const letter = (i) => LETTERS[i] || String(i + 1);
  const SIGNS = [["—", "not_played"], ["…", "not_revealed"], ["✓", "played"], ["⤼", "skipped"], ["×", "abandoned"], ["✋", "tally"]];

  /** A sign with a tooltip, and the same words for screen readers (and in the key below). */
  const sign = (mark, words, cls) => el("span", { class: "meta sign " + cls, title: words },
    el("span", { "aria-hidden": "true", text: mark }), el("span", { class: "visually-hidden", text: words }));

  /** A comparison cell: a tiny chart, or a sign for "did not play" / "not revealed yet". */
  function cell(row, i) {
    const played = row.played ? row.played[i] : true, counts = row.tables[i];
    const st = row.status && row.status[i];
    if (!played) return sign("—", t("not_played"), "notplayed");
    if (st === "skipped") return sign("⤼", t("skipped"), "skipped");
    if (st === "abandoned") return sign("×", t("abandoned"), "abandoned");
    if (!row.card.options.length) return st === "talking" ? sign("…", t("talking"), "waiting") : sign("✓", t("talked"), "played");
    return counts ? [mini(row.card.options, counts), row.tally && row.tally[i] && sign("✋", t("tally"), "tally"),
      row.passes && row.passes[i] > 0 && el("small", { class: "meta", text: t("passes", { n: row.passes[i] }) })]
      : sign("…", t("not_revealed"), "waiting");
  }

  /** A small chart for comparisons: one column per option, its count and its letter under it
   *  (the options are listed with their letters under the card's title; the label and count
   *  also in the tooltip and, for screen readers, in the label). Each column is a share of the
   *  table's votes: every table on one scale, a full column is everyone. */
  function mini(labels, counts) {
    const most = Math.max(1, Plenary.sum(counts));
    return el("span", { class: "mini", role: "img",
      "aria-label": labels.map((l, i) => `${l}: ${counts[i]}`).join(", ") },
      counts.map((c, i) => {
        const col = el("i");
        col.style.height = Math.max(3, (28 * c) / most) + "px";
        return el("span", { class: "mc", title: `${labels[i]}: ${c}` }, col, el("b", { text: String(c) }), el("small", { text: letter(i) }));
      }));
  }

  function comparison() {
    const c = view.comparison;
    const shown = new Set();
    const rows = c.cards.map((row) => el("tr", null,
      el("th", { scope: "row" }, el("span", { text: row.card.title }), row.card.options.length > 0 && el("small", { class: "opts-key",
        text: row.card.options.map((o, i) => letter(i) + ": " + o).join(" · ") })),
      row.tables.map((_, i) => {
        const td = el("td", null, cell(row, i));
        td.querySelectorAll(".sign > [aria-hidden]").forEach((m) => shown.add(m.textContent));
        return td;
      })));
    fill($("comparison"), el("h2", { text: t("comparison") }), c.cards.length
      ? [el("div", { class: "scroll" }, el("table", { class: "grid compare" },
        el("thead", null, el("tr", null, el("th", { text: t("card") }), c.tables.map((name) => el("th", { text: name })))),
        el("tbody", null, rows))),
      shown.size > 0 && el("p", { class: "meta cmpkey" }, SIGNS.filter(([m]) => shown.has(m)).map(([m, key]) =>
        el("span", null, el("b", { "aria-hidden": "true", text: m }), " " + t(key))))]
      : el("p", { class: "meta", text: t("no_played") }));
  }
})();
