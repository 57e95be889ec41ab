/* Phone page. Nothing is lost: changing commands wait in an outbox (localStorage) until the
   server answers; it applies each client id (cid) once, so sending again is safe. */
"use strict";
(() => {
  const { t, el, fill, command, alertIn, confirmed } = Live;
  const $ = (id) => document.getElementById(id);
  const { code, lang } = $("app").dataset;
  const SEAT = "tafelronde:" + code, OUT = "tafelronde:outbox:" + code, VIEW = "tafelronde:view:" + code;
  const KINDS = Live.keys("note_kinds");
  // No definite answer, or the server cannot store now: keep it, send it again (same cid).
  const RETRY = ["offline", "timeout", "rate_limited", "unavailable"];
  const AREA = { join: "join", cast_vote: "vote", record_choice: "choice", add_note: "note", edit_note: "note", delete_note: "note", submit_evaluation: "eval", pass_vote: "vote", record_tally: "vote", set_conclusion: "concl", propose_dilemma: "prop" };

  const load = (k, d) => { try { return JSON.parse(localStorage.getItem(k)) || d; } catch (e) { return d; } };
  const keep = (k, v) => { try { localStorage.setItem(k, JSON.stringify(v)); } catch (e) { /* full or blocked */ } };
  // Not crypto.randomUUID: it needs https, and phones reach a laptop in the room over http.
  const rid = (n) => Array.from(crypto.getRandomValues(new Uint8Array(n)),
    (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[b & 63]).join("");

  // The seat: a token made up here (the server keeps its hash) and, once joined, the pid.
  const seat = load(SEAT, {});
  if (!seat.token) keep(SEAT, Object.assign(seat, { token: rid(32) }));
  let outbox = load(OUT, []);
  let view = load(VIEW, null); // so a reload without network still shows the card
  let timerEnd = null, ready = false, sending = false, shown = null, screen = "", box = {};
  let histOpen = false, savedVote = null, noteSaved = false, onCard = null;
  let notice = null, ownSeat = null; // what someone else changed for this phone, said once
  let skew = 0; // the server's clock minus this phone's, in ms (a step's time is the server's)
  const deleted = new Set(); // notes deleted here (not hidden by the facilitator)
  const draft = { kind: KINDS[0], edit: null, reason: false };
  const errs = {};

  // A copy of this page for a reload offline (https or localhost only); scope: the phone pages.
  if (navigator.serviceWorker) navigator.serviceWorker.register("sw.js").catch(() => {});

  const socket = Live.connect(code);
  Live.watch(socket, $("conn"));
  const pending = () => t(socket.paused ? "paused_pending" : ready ? "sending" : "waiting");

  socket.on("connect", hello); // on every reconnect too
  socket.on("disconnect", () => { ready = false; render(); });
  socket.on("table_updated", (tb) => {
    if (!view || !view.me || view.me.table !== tb.id) return;
    if (!tb.history) tb.history = (view.table && view.table.history) || []; // sent when it changed
    follow(view.table && view.table.current, tb.current);
    noticeHidden(view.table, tb);
    view.table = tb;
    remember();
  });
  // A vote, a pass or a note at this table: who answered and the new notes, not the table again.
  socket.on("table_progress", (u) => {
    const tb = view && view.table, cur = tb && tb.current, p = tb && u.tables.find((x) => x.id === tb.id);
    if (!p || !cur || cur.card.id !== p.card || cur.round !== p.round) return;
    Object.assign(cur, { votes_in: p.votes_in, voted: p.voted });
    for (const n of p.notes) if (!cur.notes.some((m) => m.id === n.id)) cur.notes.push(n);
    remember();
  });
  socket.on("session_updated", (s) => {
    if (!view || s.version < view.session.version) return;
    const resumed = view.session.paused && !s.paused;
    view.session = s;
    timerEnd = Live.ends(s.timer);
    remember();
    if (resumed) flush();
  });
  socket.on("view_replaced", (v) => accept(v));
  socket.on("me_updated", (me) => view && view.me && ((view.me = me), remember())); // perspective, takeaway
  document.addEventListener("visibilitychange", () => !document.hidden && ready && sync());

  async function hello() {
    const a = await command(socket, "hello", { code, role: "participant", token: seat.token });
    if (!a.ok) return RETRY.includes(a.code) ? socket.connected && setTimeout(hello, Live.later(a)) : fatal(a.error);
    ready = true;
    accept(a.view, true);
    flush();
  }

  async function sync() {
    const a = await command(socket, "sync");
    if (a.ok) accept(a.view, true);
    flush();
  }

  /** What `me` says of the table's card when someone else moved the table on (a phone hears of
      itself only in answers to its own commands): a new card starts empty; in a new round this
      phone's answers of the round before move into `before`. `me.round` is the round `me` speaks
      of (an answer to this phone may have come first). */
  function follow(old, now) {
    const me = view.me;
    if (!old || me.round == null) return;
    if (!now || old.card.id !== now.card.id || old.started_at !== now.started_at) {
      return Object.assign(me, { vote: null, passed: false, before: [], round: now ? now.round : null });
    }
    if (me.round >= now.round) return;
    if (old.revealed) me.before = me.before.concat(me.passed ? "pass" : old.voted.includes(me.pid) ? me.vote : null);
    Object.assign(me, { vote: null, passed: false, round: now.round });
  }

  /** Show a view unless older than ours (`fresh`: an answer to us, never stale). */
  function accept(v, fresh) {
    if (!v || (!fresh && view && v.session.version < view.session.version)) return;
    noticeMoved(view, v);
    if (view && v.table && view.table && view.table.id === v.table.id) noticeHidden(view.table, v.table);
    view = v;
    if (v.now) skew = v.now * 1000 - Date.now();
    timerEnd = Live.ends(v.session.timer);
    remember();
  }

  function remember() {
    keep(VIEW, view);
    render();
  }

  /** Store a command, then send it; `card`: drop it if the table has moved on. */
  function queue(ev, p, card) {
    errs[AREA[ev]] = "";
    // Only the latest vote matters.
    if (ev === "cast_vote") outbox = outbox.filter((o, i) => o.ev !== ev || (sending && !i));
    outbox.push({ cid: rid(16), ev, p, card });
    keep(OUT, outbox);
    render();
    flush();
  }

  async function flush() {
    const item = outbox[0], cur = view && view.table && view.table.current;
    if (!item || sending || !ready || view.session.paused) return;
    if (item.card && (!cur || cur.card.id !== item.card)) return done(item, { error: t("moved_on") });
    sending = true;
    const a = await command(socket, item.ev, { ...item.p, cid: item.cid });
    sending = false;
    // No definite answer, or paused meanwhile: keep it.
    if (RETRY.includes(a.code) || (a.code === "out_of_turn" && view.session.paused)) {
      if (a.code !== "offline") setTimeout(flush, a.code === "unavailable" ? Live.later(a) : 3000);
      return render();
    }
    done(item, a);
  }

  function done(item, a) {
    outbox = outbox.filter((o) => o !== item);
    keep(OUT, outbox);
    if (!a.ok) errs[AREA[item.ev]] = a.error || t("failed");
    else if (item.ev === "join") keep(SEAT, Object.assign(seat, { token: a.token || seat.token, pid: a.pid }));
    else if (item.ev === "cast_vote") savedVote = item.p;
    else if (AREA[item.ev] === "note") noteSaved = true;
    if (a.ok) $("status").textContent = t("saved");
    if (a.me) view.me = a.me;
    if (a.view) accept(a.view, true);
    else remember();
    flush();
  }

  /** Moved by the facilitator (not by one's own choice): say where to. */
  function noticeMoved(was, v) {
    const a = was && was.me && was.me.table, b = v.me && v.me.table;
    if (a != null && b != null && a !== b && b !== ownSeat) notice = { text: t("moved_to", { x: v.session.tables.find((tb) => tb.id === b).name }) };
  }

  /** One's own note gone without a delete from here: the facilitator hid it. Say so to its writer. */
  function noticeHidden(was, tb) {
    if (!was || !view.me) return;
    const notes = (x) => [...(x.current ? x.current.notes : []), ...(x.history || []).flatMap((p) => p.notes)];
    const still = new Set(notes(tb).map((n) => n.id));
    const gone = notes(was).find((n) => isMe(n.pid) && !deleted.has(n.id) && !still.has(n.id));
    if (gone) notice = { text: t("note_hidden", { x: gone.text.slice(0, 60) }), note: gone.id };
    else if (notice && still.has(notice.note)) notice = null; // shown again
  }

  /** A command that needs the network now (seat, draw, reveal): no outbox. */
  async function act(ev, p) {
    errs.act = "";
    if (ev === "take_seat") ownSeat = p.table;
    const a = await command(socket, ev, p);
    errs.act = a.ok ? "" : a.error || t("failed");
    if (a.view) return accept(a.view, true);
    if (a.ok && ev === "take_seat") return sync();
    if (a.me) view.me = a.me;
    render();
  }

  function fatal(message) {
    view = null;
    screen = "";
    fill($("screen"), el("section", { class: "panel" }, el("p", { class: "err", role: "alert", text: message || t("failed") }),
      el("a", { class: "button secondary", href: "/", text: t("home") })));
  }

  Live.onRedraw(() => render());

  // What a phone needs only now and then (the closing evaluation and the takeaway, writing the
  // table's own dilemma) comes when it is needed: /j/more.js, in this phone's language.
  let more, loading;
  const need = () => more || loading || (loading = import("/j/more.js").then((m) => {
    more = m.default(() => ({ box, view, outbox, errs }), { queue, pending, render, code, lang });
    if (screen == "ended") screen = ""; // built again, with what it brought
    render();
  }, () => (loading = 0))); // offline: tried again when next needed

  function render() {
    if (!view) return;
    const s = view.session, me = view.me;
    if (s !== shown) banners((shown = s));
    const name = s.ended ? "ended" : !me ? "join" : me.table == null || !view.table ? "seat" : "table";
    if (name !== screen) {
      box = {};
      fill($("screen"), BUILD[(screen = name)]());
    }
    if (UPDATE[name]) UPDATE[name]();
    announce();
  }

  // What a screen reader hears: a new card, the reveal, a message, the timer's end (#announce).
  let heard = null, timeUp = null;
  function announce() {
    const s = view.session, cur = view.table && view.table.current;
    const now = { card: cur ? cur.card.id + "@" + cur.started_at : "", shown: !!(cur && cur.revealed), round: cur ? cur.round : 0,
      msg: s.message && !s.ended ? s.message.text : "", end: timerEnd && timerEnd.end };
    const say = [];
    if (heard) {
      if (now.card && now.card !== heard.card) say.push(t("an_card", { x: cur.card.title }));
      else if (now.shown && !heard.shown) say.push(t(cur.talk ? "an_reflect" : "an_reveal")); // a talk card has no votes
      else if (now.round > heard.round) say.push(t("an_round", { n: now.round + 1 }));
      if (now.msg && now.msg !== heard.msg) say.push(t("message") + " " + now.msg);
    }
    if (now.end !== (heard && heard.end)) {
      clearTimeout(timeUp);
      const left = now.end ? now.end - Date.now() : 0;
      if (left > 0) timeUp = setTimeout(() => { $("announce").textContent = t("time_up"); }, left);
    }
    heard = now;
    if (say.length) $("announce").textContent = say.join(" ");
  }

  /** Drawn only when the session changed, so a screen reader reads a message once. */
  function banners(s) {
    $("paused").hidden = !s.paused;
    fill($("banners"), !s.ended && [
      s.message && el("p", { class: "banner", role: "status" }, el("b", { text: t("message") }), " ", s.message.text),
      timerEnd && el("p", { class: "banner timer" }, Live.countdown(timerEnd, true))]);
  }

  const BUILD = {
    // The end (the evaluation, the takeaway) comes with more.js, loaded now.
    ended: () => (more ? more.ended() : (need(), el("p", { class: "panel meta", text: "…" }))),
    join() {
      const s = view.session;
      box.name = el("input", { id: "name", type: "text", autocomplete: "nickname", maxlength: s.max_name_chars, required: s.names_required });
      box.btn = el("button", { type: "submit", text: t("join") });
      box.state = el("p", { class: "state" });
      return (box.form = el("form", { class: "panel", onsubmit: (e) => {
        e.preventDefault();
        queue("join", { name: box.name.value.trim(), token: seat.token });
      } }, el("h1", { text: s.deck.title, lang }), el("p", { text: t("welcome") }),
      el("label", { for: "name", text: t(s.names_required ? "name" : "name_opt") }), box.name,
      el("p", { class: "hint", text: t("name_hint") }), box.btn, box.state));
    },
    seat: () => (box.seat = el("section", { class: "panel" })),
    table() {
      for (const k of ["head", "card", "step", "vote", "result", "act", "care", "notes", "hist"]) box[k] = el("section", { class: "s-" + k });
      // Writing the table's own dilemma: the form comes with more.js.
      box.prop = el("section", { class: "propose" }, el("button", { class: "secondary", "data-k": "pp", onclick: () => { box.want = 1; need(); render(); } }, t("propose")));
      return [box.head, box.card, box.step, box.vote, box.result, box.act, conclForm(), box.care, noteForm(), box.notes, box.prop, box.hist];
    },
  };

  const UPDATE = {
    ended: () => more && box.eform && more.endedUpdate(),
    join() {
      box.btn.disabled = outbox.some((o) => o.ev === "join");
      box.state.textContent = box.btn.disabled ? pending() : "";
      alertIn(box.form, errs.join);
    },
    seat() {
      const s = view.session;
      fill(box.seat, s.seating !== "choose"
        ? [el("h1", { text: t("wait_h") }), el("p", { text: t("wait_" + s.seating) })]
        : [el("h1", { text: t("choose") }), el("div", { class: "seats" }, s.tables.map((tb) =>
          el("button", { class: "seat", "data-k": "s" + tb.id, onclick: () => act("take_seat", { table: tb.id }) },
            el("b", { text: tb.name, "data-fit": 13 }), el("small", { text: tb.size === 1 ? t("person") : t("people", { n: tb.size }) }))))]);
      alertIn(box.seat, errs.act);
      Live.fit(box.seat);
    },
    table() {
      const tb = view.table, cur = tb.current;
      fill(box.head, notice && el("p", { class: "notice", role: "status" }, el("span", { text: notice.text }), " ",
        el("button", { class: "quiet small", "data-k": "ok", onclick: () => { notice = null; render(); } }, t("ok"))),
      el("h1", { text: tb.name, "data-fit": 15 }), el("ul", { class: "members" }, tb.members.map((m) => member(m, cur))));
      Live.fit(box.head);
      box.form.hidden = !cur;
      const now = cur ? cur.card.id + "@" + cur.started_at : "";
      if (now !== onCard) newCard(now, cur);
      if (cur) card(cur.card);
      else fill(box.card, el("p", { class: "panel", text: t(view.session.flow === "draw" ? "no_card" : "wait_deal") }));
      step(cur);
      vote(tb, cur);
      care(tb, cur);
      actions(tb, cur);
      conclusion(cur);
      notes(cur);
      paintForm();
      if (tb.proposals.length || box.want) need();
      if (more) more.table(tb);
      history(tb);
    },
  };

  const isMe = (pid) => pid === view.me.pid;
  const who = (n) => (n.name || n.author || t("someone")) + (isMe(n.pid) ? " (" + t("you") + ")" : "");

  function member(m, cur) {
    return el("li", { class: m.connected ? "on" : "off" }, el("i", { class: "dot" }), el("span", { class: "pname", text: who(m) }),
      !m.connected && el("span", { class: "visually-hidden", text: t("away") }),
      cur && cur.voted.includes(m.pid) && el("span", { class: "tick", role: "img", "aria-label": t("voted"), text: "✓" }));
  }

  function card(c) {
    const a = el("article", { class: "card", lang }, Live.chip(c.category), el("h2", { text: c.title }),
      el("p", { class: "text", text: c.text }),
      c.response.statement && el("p", { class: "statement", text: c.response.statement }),
      c.prompts.length > 0 && el("ul", { class: "prompts" }, c.prompts.map((p) => el("li", { text: p }))));
    if (c.category && c.category.colour) a.style.borderLeftColor = c.category.colour;
    fill(box.card, a);
  }

  /** One's own perspective on the card ("Argue as: …"); the table's step of the card's script,
      its instruction, a gentle timer, and "Next step" for anyone at the table (nothing once the
      script is done). */
  function step(cur) {
    const s = cur && !cur.skipped && cur.step, p = view.me.perspective;
    fill(box.step, p && el("p", { class: "notice", "data-fit": 13 }, el("b", { text: t("argue", { x: p.label }) }), p.description && " " + p.description),
      s && !s.done && [el("h2", { class: "sub", text: t("step", { n: s.index + 1, m: s.count, x: s.label }) }),
        // A vote step whose votes are shown already (all voted, or the facilitator showed them).
        cur.revealed && /^(vote|round)$/.test(s.kind) ? el("p", { class: "hint", text: t("step_shown") })
          : s.instruction && el("p", { lang, text: s.instruction }), el("p", { class: "row" }, s.minutes && Live.countdown({ end: (s.since + s.minutes * 60) * 1000 - skew }),
          el("button", { class: "secondary", "data-k": "ns", onclick: () => act("next_step", { step: s.index, card: cur.card.id }) }, t("next_step")))]);
    Live.fit(box.step);
  }

  /** A new card (not after a reload): in sight below the banners, its heading focused. */
  function newCard(now, cur) {
    const first = onCard === null;
    onCard = now;
    if (first || !cur) return;
    requestAnimationFrame(() => {
      const top = $("banners").offsetHeight + 8, y = box.card.getBoundingClientRect().top;
      box.card.style.scrollMarginTop = top + "px";
      if (y < top || y > innerHeight / 2) box.card.scrollIntoView({ block: "start" }); // else in sight
      const h = box.card.querySelector("h2");
      if (h) h.setAttribute("tabindex", "-1"), h.focus({ preventScroll: true });
    });
  }

  function vote(tb, cur) {
    const c = cur && cur.card, opts = c ? c.response.options : [];
    const pend = c && outbox.filter((o) => o.ev === "cast_vote" && o.p.card === c.id).pop();
    const me = view.me, voted = c && cur.voted.includes(me.pid);
    const mine = pend ? pend.p.choice : voted ? me.vote : null;
    const saved = !pend && mine != null && savedVote && savedVote.card === c.id && savedVote.choice === mine;
    // Own answer in the round before, and the last vote to give a reason for.
    const prev = me.before.length ? me.before[me.before.length - 1] : null;
    box.mine = mine != null ? mine : typeof prev === "number" ? prev : null;
    // After the reveal the options fold away: a change of mind is a new round for the whole
    // table (asked for below), never an overwrite of the round everyone saw.
    const folded = cur && cur.revealed && !pend, round = cur ? cur.round + 1 : 1;
    // Someone who did not answer before the reveal (asleep, away, seated late) may still vote:
    // the vote is kept apart as late, never mixed into the round the table saw.
    const late = folded && mine == null && !me.passed, pressed = late ? me.late : mine;
    fill(box.vote, opts.length > 0 && !cur.skipped && [
      el("h2", { class: "sub", text: t("your_vote") + (round > 1 || cur.rounds_planned > 1 ? " · " + t("round", { n: round }) : "") }),
      prev != null && el("p", { class: "hint", text: t("before", { x: answer(opts, prev) }) }),
      late && el("p", { class: "hint", text: t("late_hint") }),
      folded && !late ? el("p", { class: "row" }, el("span", { text: mine != null ? opts[mine] : t("passed") }))
        : el("div", { class: "opts", role: "group", "aria-label": t("your_vote") }, opts.map((o, i) =>
          el("button", { class: "opt", "aria-pressed": String(pressed === i), "data-k": "v" + i,
            onclick: () => queue("cast_vote", { choice: i, card: c.id }) }, o))),
      el("p", { class: "state", text: pend ? t(socket.paused ? "vote_paused" : ready ? "sending" : "not_sent") : saved ? t("saved") : "" }),
      el("p", { class: "count", text: t("votes_in", { n: cur.votes_in, m: tb.members.length }) })]);
    alertIn(box.vote, errs.vote);
    fill(box.result, cur && cur.revealed && [
      opts.length > 0 && [el("h2", { text: t("results") }), Live.bars(opts, cur.distribution, cur.choice, mine), Live.passes(cur.passes)],
      cur.shift && shift(opts, cur.shift),
      c.reflection ? el("div", { class: "reflection", lang }, el("h3", { text: t("reflection") }), el("p", { text: c.reflection }))
        : !opts.length && el("p", { class: "meta", text: t("no_reflection") }),
      c.response.type === "choice" && joint(cur)]);
  }

  /** An answer in a round: an option's text, or "pass". */
  const answer = (opts, a) => (a === "pass" ? t("pass_word") : opts[a]);

  /** How the table moved from its first revealed round to its last: per option, before → after;
      who changed their mind, from what to what (counts only: nobody is named). */
  function shift(opts, s) {
    return el("div", { class: "moved" }, el("h3", { text: t("shift_h") }),
      el("ul", { class: "shiftlist" }, opts.map((o, i) => el("li", null, el("span", { text: o }), " ", el("b", { text: s.before[i] + " → " + s.after[i] }))),
        (s.passes_before || s.passes_after) > 0 && el("li", null, t("pass_word"), " ", el("b", { text: s.passes_before + " → " + s.passes_after }))),
      s.changed != null && el("p", { class: "count", text: t("changed", { n: s.changed, m: s.changed + s.stayed }) }),
      s.moves && s.moves.length > 0 && el("ul", { class: "moves" }, s.moves.map((m) =>
        el("li", { text: t("move", { n: m.count, a: answer(opts, m.from), b: answer(opts, m.to) }) }))));
  }

  /** The table's one line for the plenary: built once (typing survives updates), shown after a reveal. */
  function conclForm() {
    box.cin = el("textarea", { id: "concl", rows: 2, maxlength: 280, "aria-describedby": "concl-by", oninput: () => { box.cdirty = true; } });
    box.cby = el("p", { class: "meta", id: "concl-by" });
    box.cstate = el("p", { class: "state" });
    return (box.concl = el("form", { class: "concl", hidden: true, onsubmit: (e) => {
      e.preventDefault();
      box.cdirty = false;
      queue("set_conclusion", { text: box.cin.value.trim(), card: view.table.current.card.id });
    } }, el("label", { for: "concl", text: t("concl_h") }),
    box.cin, el("div", { class: "row" }, box.cby, el("button", { type: "submit", "data-k": "cs", text: t("concl_save") })), box.cstate));
  }

  function conclusion(cur) {
    box.concl.hidden = !cur || !(cur.revealed || (cur.step && cur.step.kind === "conclusion")) || cur.skipped;
    if (box.concl.hidden) return;
    const key = cur.card.id + "@" + cur.started_at, pend = outbox.filter((o) => o.ev === "set_conclusion").pop(), c = cur.conclusion;
    if (box.ckey !== key) box.ckey = key, box.cdirty = false;
    if (!box.cdirty && document.activeElement !== box.cin) box.cin.value = pend ? pend.p.text : c ? c.text : "";
    box.cby.textContent = c ? t("concl_by", { x: c.by || t("someone"), t: new Date(c.at * 1000).toTimeString().slice(0, 5) }) : "";
    box.cstate.textContent = pend ? pending() : "";
    alertIn(box.concl, errs.concl);
  }

  /** The table's joint choice; tapping the chosen option clears it. */
  function joint(cur) {
    const pend = outbox.filter((o) => o.ev === "record_choice").pop();
    const chosen = pend ? pend.p.choice : cur.choice;
    const div = el("div", { class: "joint", role: "group", "aria-labelledby": "jc" },
      el("h3", { id: "jc", text: t("joint") }), el("p", { class: "hint", text: t("joint_hint") }),
      cur.card.response.options.map((o, i) => el("button", { class: "opt", "aria-pressed": String(chosen === i), "data-k": "j" + i,
        onclick: () => queue("record_choice", { choice: chosen === i ? null : i }, cur.card.id) }, o)),
      pend && el("p", { class: "state", text: pending() }));
    alertIn(div, errs.choice);
    return div;
  }

  function actions(tb, cur) {
    const opts = cur ? cur.card.response.options.length : 0, open = cur && !cur.revealed && !cur.skipped;
    const draw = t(!tb.cards_left ? "no_more" : cur ? "next" : "first");
    const again = cur && cur.revealed && !cur.skipped && opts > 0;
    fill(box.act,
      again && cur.rounds_planned > cur.round + 1 && el("p", { class: "again", text: t("talk_again") }),
      open && el("button", { class: "secondary", "data-k": "rv", onclick: () => act("reveal_votes") }, t(opts ? "reveal" : "reflect")),
      // A new round for the whole table (the round before is kept): asked first.
      again && confirmed("re" + cur.round, t("revote"), t("revote_q"), () => act("revote"), { class: "secondary" }),
      // Drawing before the reveal ends a vote nobody has seen: asked first.
      view.session.flow === "draw" && (open && opts > 0 && tb.cards_left
        ? confirmed("dr", draw, t("next_q"), () => act("draw_card"), { class: "secondary" })
        : el("button", { "data-k": "dr", disabled: !tb.cards_left, onclick: () => act("draw_card") }, draw)));
    alertIn(box.act, errs.act);
  }

  /** Skip, pass, call the facilitator; at a shared device, the table's show of hands. */
  function care(tb, cur) {
    const c = cur && cur.card, opts = c ? c.response.options : [], open = cur && !cur.revealed && !cur.skipped, f = tb.flag;
    const shared = tb.devices === "shared";
    box.card.classList.toggle("shared-card", shared);
    if (shared && box.vote.firstChild) box.vote.replaceChildren(); // one device: hands, not its own vote
    if (shared) need(); // the show of hands comes with more.js
    fill(box.care, cur && cur.skipped && el("p", { class: "skipped-note", role: "status", text: t("skipped") }),
      shared && more && more.hands(c, open && opts.length > 0),
      open && el("p", { class: "row care-acts" },
        open && opts.length > 0 && !shared && el("button", { class: "quiet", "data-k": "pv", "aria-pressed": String(view.me.passed),
          onclick: () => queue("pass_vote", { card: c.id }) }, t(view.me.passed ? "passed" : "pass")),
        open && confirmed("sk" + c.id, t("skip"), t("skip_q"), () => act("skip_card", { card: c.id }), { class: "quiet" })),
      callBox(f));
  }

  /** Calling the facilitator: three reasons (the open call pressed), and withdrawing it. */
  function callBox(f) {
    const open = f && !f.seen;
    return el("div", { class: "callbox", role: "group", "aria-labelledby": "call-h" },
      el("p", { class: "label", id: "call-h", text: t("call") }),
      el("div", { class: "segs callsegs" }, Live.keys("flag_reasons").map((r) => el("button", { type: "button", class: "seg", "data-k": "f" + r,
        "aria-pressed": String(!!open && f.reason === r), onclick: () => act("flag_table", { reason: r }) }, t("f_" + r)))),
      f && el("p", { class: "call row", role: "status" }, el("span", { text: t(f.seen ? "seen" : "called") }),
        open && el("button", { class: "quiet small", "data-k": "fw", onclick: () => act("withdraw_flag", {}) }, t("withdraw"))));
  }

  /** Built once, never redrawn: typing survives live updates. */
  function noteForm() {
    box.kinds = KINDS.map((k) => el("button", { type: "button", class: "seg", onclick: () => { draft.kind = k; paintForm(); } }, t("k_" + k)));
    box.reason = el("button", { type: "button", class: "seg reason", onclick: () => { draft.reason = !draft.reason; paintForm(); } });
    box.ta = el("textarea", { id: "note", rows: 3, oninput: () => { noteSaved = false; paintForm(); } });
    box.count = el("span", { class: "meta" });
    box.submit = el("button", { type: "submit" });
    box.cancel = el("button", { type: "button", class: "quiet", onclick: () => { draft.edit = null; box.ta.value = ""; paintForm(); } }, t("cancel"));
    box.fstate = el("p", { class: "state" });
    return (box.form = el("form", { class: "noteform", onsubmit: sendNote }, el("h2", { text: t("notes") }),
      el("div", { class: "segs", role: "group", "aria-label": t("kind") }, box.kinds), box.reason,
      el("label", { for: "note", class: "visually-hidden", text: t("note") }), box.ta,
      el("div", { class: "row" }, box.count, box.cancel, box.submit), box.fstate));
  }

  function paintForm() {
    const max = view.session.max_note_chars;
    box.kinds.forEach((b, i) => b.setAttribute("aria-pressed", String(KINDS[i] === draft.kind)));
    // After voting, a note can be the reason for one's choice.
    const cur = view.table && view.table.current, opts = cur ? cur.card.response.options : [];
    box.reason.hidden = draft.edit || box.mine == null || !opts[box.mine];
    box.reason.textContent = box.reason.hidden ? "" : t("reason", { x: opts[box.mine] });
    box.reason.setAttribute("aria-pressed", String(draft.reason));
    box.ta.maxLength = max;
    box.ta.placeholder = t("ph_" + draft.kind);
    box.count.textContent = box.ta.value.length + " / " + max;
    box.submit.textContent = t(draft.edit ? "save" : "add");
    box.cancel.hidden = !draft.edit;
    box.fstate.textContent = noteSaved ? t("saved") : "";
  }

  function sendNote(e) {
    e.preventDefault();
    const text = box.ta.value.trim();
    if (!text) return box.ta.focus();
    if (draft.edit) queue("edit_note", { note: draft.edit, text, kind: draft.kind });
    // With its card: a note written offline stays on that card.
    else queue("add_note", Object.assign({ kind: draft.kind, text, card: view.table.current.card.id },
      draft.reason && !box.reason.hidden && { option: box.mine }));
    draft.edit = null;
    draft.reason = false;
    box.ta.value = "";
    paintForm();
  }

  /** Notes, with unsent edits, deletions and additions shown as they will be. */
  function notes(cur) {
    const waiting = {}, opts = cur ? cur.card.response.options : [];
    outbox.forEach((o) => { if (o.p.note) waiting[o.p.note] = o; });
    const items = (cur ? cur.notes : []).map((n) => {
      const o = waiting[n.id];
      return noteItem(o && o.ev === "edit_note" ? { ...n, ...o.p } : n, o, false, opts);
    }).concat(outbox.filter((o) => o.ev === "add_note").map((o) => noteItem({ ...o.p, pid: view.me.pid, author: view.me.name }, o, false, opts)));
    fill(box.notes, cur && (items.length ? el("ul", { class: "notes" }, items) : el("p", { class: "meta", text: t("no_notes") })));
    alertIn(box.notes, errs.note);
  }

  /** A note (`opts`: its card's options, to name the one it is a reason for); your own on the
      current card can be edited and deleted. */
  function noteItem(n, o, past, opts) {
    return el("li", { class: "note " + n.kind + (o && o.ev === "delete_note" ? " gone" : "") },
      el("p", { class: "meta" }, el("span", { class: "kind", text: t("k_" + n.kind) }), " ", who(n), n.edited && " · " + t("edited"),
        n.option != null && opts[n.option] && el("span", { class: "why", text: " · " + t("reason_for", { x: opts[n.option] }) })),
      el("p", { class: "ntext", text: n.text }),
      o && el("p", { class: "state", text: pending() }),
      isMe(n.pid) && n.id && !o && !past && el("p", { class: "row" },
        el("button", { class: "quiet", type: "button", onclick: () => editNote(n) }, t("edit")),
        confirmed("dn" + n.id, t("delete"), t("delete_q"), () => { deleted.add(n.id); queue("delete_note", { note: n.id }); }, { class: "quiet", type: "button" })));
  }

  function editNote(n) {
    Object.assign(draft, { edit: n.id, kind: n.kind });
    box.ta.value = n.text;
    paintForm();
    box.ta.focus();
  }

  /** Earlier cards, folded (and kept open across updates once opened); their votes, choices and
      notes come with more.js when the list is opened. */
  function history(tb) {
    const h = tb.history;
    fill(box.hist, h.length > 0 && el("details", { open: histOpen, ontoggle: (e) => (histOpen = e.target.open) && !e.target.querySelector(".past") && (more ? render() : need()) },
      el("summary", { text: t("earlier", { n: h.length }) }), more && histOpen && more.history(h, noteItem)));
  }

  render();
})();
