/* Tafelronde phone page: join, take a seat, read the card, vote, leave notes.
   Nothing people do is lost: every changing command is written to an outbox in localStorage
   before it is sent, and leaves it only when the server has answered. The server applies each
   client id (cid) once, so sending again after a reconnect is always safe. */
"use strict";
(() => {
  const { t, el, fill, command, alertIn } = Live;
  const app = document.getElementById("app");
  const $ = (id) => document.getElementById(id);
  const code = app.dataset.code, lang = app.dataset.lang;
  const SEAT = "tafelronde:" + code, OUT = "tafelronde:outbox:" + code, VIEW = "tafelronde:view:" + code;
  const KINDS = ["experience", "tip", "concern", "question"];
  const RETRY = ["offline", "timeout", "rate_limited"]; // no definite answer: keep and send again
  const AREA = { join: "join", cast_vote: "vote", record_choice: "choice", add_note: "note", edit_note: "note", delete_note: "note" };

  const load = (k, d) => { try { return JSON.parse(localStorage.getItem(k)) || d; } catch (e) { return d; } };
  const keep = (k, v) => { try { localStorage.setItem(k, JSON.stringify(v)); } catch (e) { /* storage full or blocked: memory only */ } };
  // getRandomValues, not randomUUID: phones usually reach the laptop over plain http, and
  // randomUUID exists only on https pages.
  const rid = (n) => Array.from(crypto.getRandomValues(new Uint8Array(n)),
    (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[b & 63]).join("");

  // The seat is a token this phone made up (the server keeps only its hash) plus our pid.
  const seat = load(SEAT, {});
  if (!seat.token) { seat.token = rid(32); keep(SEAT, seat); }
  let outbox = load(OUT, []);
  // The last view, so a reload without network still shows the card and what is waiting to be sent.
  let view = load(VIEW, null);
  let timerEnd = null, ready = false, sending = null, shownSession = null;
  let screen = "", box = {}, histOpen = false, savedVote = null, noteSaved = false;
  const draft = { kind: KINDS[0], edit: null };
  const errs = {};

  const socket = Live.connect();
  Live.watch(socket, $("conn"));
  const say = (text) => ($("status").textContent = text);
  const pendingText = () => (ready ? t("sending") : t("waiting"));

  // --- talking to the server ------------------------------------------------------------------

  // On every (re)connect: say who we are, then send what is waiting, in order.
  socket.on("connect", hello);
  socket.on("disconnect", () => { ready = false; render(); });
  socket.on("table_updated", (tv) => {
    if (!view || !view.me || view.me.table !== tv.id) return;
    view.table = tv;
    remember();
  });
  socket.on("session_updated", (s) => {
    s = s.session || s;
    if (!view || s.version < view.session.version) return;
    const resumed = view.session.paused && !s.paused;
    view.session = s;
    timerEnd = Live.ends(s.timer);
    remember();
    if (resumed) flush();
  });
  socket.on("view_replaced", (v) => accept(v));
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && ready) sync();
  });

  async function hello() {
    const a = await command(socket, "hello", { code, role: "participant", token: seat.token });
    if (!a.ok) {
      if (RETRY.includes(a.code)) return socket.connected && setTimeout(hello, 3000);
      return fatal(a.error);
    }
    ready = true;
    accept(a.view, true);
    flush();
  }

  async function sync() {
    const a = await command(socket, "sync", {});
    if (a.ok) accept(a.view, true);
    flush();
  }

  /** Take a full view unless it is older than the one shown (`fresh`: an answer to us, take it). */
  function accept(v, fresh) {
    if (!v || (!fresh && view && v.session.version < view.session.version)) return;
    view = v;
    timerEnd = Live.ends(v.session.timer);
    remember();
  }

  function remember() {
    keep(VIEW, view);
    render();
  }

  /** Keep a changing command in the outbox (stored first, so a reload or a flat battery loses
      nothing), then send it. `card`: the card it is about, to drop it if the table moved on. */
  function queue(ev, p, card) {
    errs[AREA[ev]] = "";
    // Only the latest vote counts: earlier unsent ones need not travel.
    if (ev === "cast_vote") outbox = outbox.filter((o) => o.ev !== ev || o.cid === sending);
    outbox.push({ cid: rid(16), ev, p, card });
    keep(OUT, outbox);
    render();
    flush();
  }

  /** Send the outbox one command at a time, in order, until it is empty or sending fails. */
  async function flush() {
    const item = outbox[0];
    if (!item || sending || !ready || view.session.paused) return;
    const cur = view.table && view.table.current;
    if (item.card && (!cur || cur.card.id !== item.card)) {
      return done(item, { ok: false, error: t("moved_on") });
    }
    sending = item.cid;
    render();
    const a = await command(socket, item.ev, { ...item.p, cid: item.cid });
    sending = null;
    // No definite answer (offline, timeout, slowed down, or paused meanwhile): keep it for later.
    if (RETRY.includes(a.code) || (a.code === "out_of_turn" && view.session.paused)) {
      if (a.code !== "offline") setTimeout(flush, 3000);
      return render();
    }
    done(item, a);
  }

  /** The server answered `item` (or it can no longer apply): out of the outbox, show the result. */
  function done(item, a) {
    outbox = outbox.filter((o) => o.cid !== item.cid);
    keep(OUT, outbox);
    if (a.ok) {
      if (item.ev === "join") {
        seat.token = a.token || seat.token;
        seat.pid = a.pid;
        keep(SEAT, seat);
      }
      if (item.ev === "cast_vote") savedVote = item.p;
      if (AREA[item.ev] === "note") noteSaved = true;
      say(t("saved"));
    } else {
      errs[AREA[item.ev]] = a.error || t("failed");
    }
    if (a.view) accept(a.view, true);
    else {
      if (a.me && view) view.me = a.me;
      remember();
    }
    flush();
  }

  /** A command that needs the network now (draw, reveal, seat): no outbox, errors shown. */
  async function act(ev, p, area = "act") {
    errs[area] = "";
    const a = await command(socket, ev, p || {});
    errs[area] = a.ok ? "" : a.error || t("failed");
    if (a.ok && (a.view || ev === "take_seat")) return a.view ? accept(a.view, true) : sync();
    if (a.me && view) view.me = a.me;
    render();
  }

  function fatal(message) {
    view = null;
    screen = "fatal";
    fill($("screen"), el("section", { class: "panel" },
      el("p", { class: "err", role: "alert", text: message || t("failed") }),
      el("a", { class: "button secondary", href: "/", text: t("home") })));
  }

  // --- drawing the page -------------------------------------------------------------------------

  function render() {
    if (!view) return;
    const s = view.session, me = view.me;
    if (s !== shownSession) banners(s);
    const name = s.ended ? "ended" : !me ? "join" : me.table == null || !view.table ? "seat" : "table";
    if (name !== screen) {
      screen = name;
      box = {};
      fill($("screen"), BUILD[name]());
    }
    if (UPDATE[name]) UPDATE[name]();
  }

  /** Paused overlay, the facilitator's message and the round timer (only when the session changed,
      so screen readers hear a message once). */
  function banners(s) {
    shownSession = s;
    $("paused").hidden = !s.paused;
    fill($("banners"),
      s.message && el("p", { class: "banner msg", role: "status" },
        el("b", { text: t("message") }), " ", s.message.text),
      timerEnd && el("p", { class: "banner timer" }, t("timer"), " ", Live.countdown(timerEnd)));
  }

  const BUILD = {
    ended: () => el("section", { class: "panel done" },
      el("h1", { text: t("ended") }), el("p", { text: t("ended_p") })),

    join() {
      const s = view.session;
      box.name = el("input", { id: "name", type: "text", autocomplete: "nickname", maxlength: s.max_name_chars, required: s.names_required });
      box.btn = el("button", { type: "submit", text: t("join") });
      box.state = el("p", { class: "state" });
      return (box.form = el("form", { class: "panel", onsubmit: (e) => {
        e.preventDefault();
        queue("join", { name: box.name.value.trim(), token: seat.token });
      } },
      el("h1", { text: s.deck.title, lang }),
      el("p", { text: t("welcome") }),
      el("label", { for: "name", text: t(s.names_required ? "name" : "name_opt") }),
      box.name, el("p", { class: "hint", text: t("name_hint") }),
      el("p", null, box.btn), box.state));
    },

    seat: () => (box.seat = el("section", { class: "panel" })),

    table() {
      for (const k of ["head", "card", "vote", "result", "act", "notes", "hist"]) box[k] = el("section", { class: k });
      return [box.head, box.card, box.vote, box.result, box.act, noteForm(), box.notes, box.hist];
    },
  };

  const UPDATE = {
    join() {
      const p = outbox.find((o) => o.ev === "join");
      box.btn.disabled = !!p;
      box.state.textContent = p ? pendingText() : "";
      alertIn(box.form, errs.join);
    },

    seat() {
      const s = view.session;
      if (s.seating !== "choose") {
        fill(box.seat, el("h1", { text: t("wait_h") }), el("p", { text: t("wait_" + s.seating) }));
      } else {
        fill(box.seat, el("h1", { text: t("choose") }), el("div", { class: "seats" }, s.tables.map((tb) =>
          el("button", { class: "seat secondary", "data-k": "s" + tb.id, onclick: () => act("take_seat", { table: tb.id }) },
            el("b", { text: tb.name }), el("small", { text: people(tb.size) })))));
      }
      alertIn(box.seat, errs.act);
    },

    table() {
      const tb = view.table, cur = tb.current;
      fill(box.head, el("h1", { text: tb.name }), el("ul", { class: "members" }, tb.members.map((m) => member(m, cur))));
      box.form.hidden = !cur;
      if (!cur) {
        fill(box.card, el("div", { class: "panel empty" }, el("p", { text: t(view.session.flow === "draw" ? "no_card" : "wait_deal") })));
        [box.vote, box.result, box.notes].forEach((b) => fill(b));
        actions(tb, null);
      } else {
        card(cur.card);
        vote(tb, cur);
        actions(tb, cur);
        notes(cur);
      }
      paintForm();
      history(tb);
    },
  };

  const people = (n) => (n === 1 ? t("person") : t("people", { n }));
  const isMe = (pid) => view.me && pid === view.me.pid;

  function member(m, cur) {
    const voted = cur && cur.voted && cur.voted.includes(m.pid);
    return el("li", { class: m.connected ? "on" : "off" },
      el("i", { class: "dot", title: t(m.connected ? "here" : "away") }),
      el("span", { text: (m.name || t("someone")) + (isMe(m.pid) ? " (" + t("you") + ")" : "") }),
      !m.connected && el("span", { class: "visually-hidden", text: t("away") }),
      voted && el("span", { class: "tick", role: "img", "aria-label": t("voted"), text: "✓" }));
  }

  function card(c) {
    const r = c.response;
    const a = el("article", { class: "card", lang },
      Live.chip(c.category),
      el("h2", { text: c.title }),
      el("p", { class: "text", text: c.text }),
      r.statement && el("p", { class: "statement", text: r.statement }),
      c.prompts.length > 0 && el("ul", { class: "prompts" }, c.prompts.map((p) => el("li", { text: p }))));
    if (c.category && c.category.colour) a.style.borderLeftColor = c.category.colour;
    fill(box.card, a);
  }

  function vote(tb, cur) {
    const c = cur.card, opts = c.response.options;
    const pend = outbox.filter((o) => o.ev === "cast_vote" && o.p.card === c.id).pop();
    // Your vote as you see it: the unsent one first, else the server's (gone after a re-vote).
    const mine = pend ? pend.p.choice : cur.voted.includes(view.me.pid) ? view.me.vote : null;
    const saved = !pend && mine != null && savedVote && savedVote.card === c.id && savedVote.choice === mine;
    fill(box.vote, opts.length > 0 && [
      el("div", { class: "opts", role: "group", "aria-label": t("your_vote") }, opts.map((o, i) =>
        el("button", { class: "opt", type: "button", "aria-pressed": String(mine === i), "data-k": "v" + i,
          onclick: () => queue("cast_vote", { choice: i, card: c.id }) }, o))),
      el("p", { class: "state", text: pend ? (ready ? t("sending") : t("not_sent")) : saved ? t("saved") : "" }),
      el("p", { class: "count", text: t("votes_in", { n: cur.votes_in, m: tb.members.length }) })]);
    alertIn(box.vote, errs.vote);

    fill(box.result, cur.revealed && [
      opts.length > 0 && [el("h2", { text: t("results") }), Live.bars(opts, cur.distribution, mine)],
      c.reflection
        ? el("div", { class: "reflection", lang }, el("h3", { text: t("reflection") }), el("p", { text: c.reflection }))
        : !opts.length && el("p", { class: "meta", text: t("no_reflection") }),
      c.response.type === "choice" && joint(cur)]);
  }

  /** The table's joint choice, after the reveal; tapping the chosen option again clears it. */
  function joint(cur) {
    const pend = outbox.filter((o) => o.ev === "record_choice").pop();
    const chosen = pend ? pend.p.choice : cur.choice;
    const div = el("div", { class: "joint", role: "group", "aria-labelledby": "jc" },
      el("h3", { id: "jc", text: t("joint") }),
      el("p", { class: "hint", text: t("joint_hint") }),
      cur.card.response.options.map((o, i) => el("button", { class: "opt", type: "button",
        "aria-pressed": String(chosen === i), "data-k": "j" + i,
        onclick: () => queue("record_choice", { choice: chosen === i ? null : i }, cur.card.id) }, o)),
      pend && el("p", { class: "state", text: pendingText() }));
    alertIn(div, errs.choice);
    return div;
  }

  function actions(tb, cur) {
    const opts = cur ? cur.card.response.options.length : 0;
    const draw = view.session.flow === "draw";
    fill(box.act,
      cur && !cur.revealed && el("button", { class: "secondary", "data-k": "rv", onclick: () => act("reveal_votes") }, t(opts ? "reveal" : "reflect")),
      cur && cur.revealed && opts > 0 && el("button", { class: "secondary", "data-k": "re", onclick: () => act("revote") }, t("revote")),
      draw && el("button", { "data-k": "dr", disabled: !tb.cards_left,
        // Drawing before the reveal ends the vote unseen: ask first.
        onclick: () => (!cur || cur.revealed || !opts || confirm(t("next_q"))) && act("draw_card") },
      t(!tb.cards_left ? "no_more" : cur ? "next" : "first")));
    alertIn(box.act, errs.act);
  }

  // --- notes ------------------------------------------------------------------------------------

  /** The note form is built once per screen and never redrawn, so typing survives live updates. */
  function noteForm() {
    box.kinds = KINDS.map((k) => el("button", { type: "button", class: "seg", onclick: () => { draft.kind = k; paintForm(); } }, t("k_" + k)));
    box.ta = el("textarea", { id: "note", rows: 3, oninput: () => { noteSaved = false; paintForm(); } });
    box.counter = el("span", { class: "meta", "aria-live": "polite" });
    box.submit = el("button", { type: "submit" });
    box.cancel = el("button", { type: "button", class: "quiet", onclick: () => { draft.edit = null; box.ta.value = ""; paintForm(); } }, t("cancel"));
    box.fstate = el("p", { class: "state" });
    return (box.form = el("form", { class: "noteform", onsubmit: sendNote },
      el("h2", { text: t("notes") }),
      el("div", { class: "segs", role: "group", "aria-label": t("kind") }, box.kinds),
      el("label", { for: "note", class: "visually-hidden", text: t("note") }),
      box.ta,
      el("div", { class: "row" }, box.counter, box.cancel, box.submit),
      box.fstate));
  }

  function paintForm() {
    const max = view.session.max_note_chars;
    box.kinds.forEach((b, i) => b.setAttribute("aria-pressed", String(KINDS[i] === draft.kind)));
    box.ta.maxLength = max;
    box.ta.placeholder = t("ph_" + draft.kind);
    box.counter.textContent = box.ta.value.length + " / " + max;
    box.submit.textContent = t(draft.edit ? "save" : "add");
    box.cancel.hidden = !draft.edit;
    box.fstate.textContent = noteSaved ? t("saved") : "";
  }

  function sendNote(e) {
    e.preventDefault();
    const text = box.ta.value.trim();
    if (!text) return box.ta.focus();
    if (draft.edit) queue("edit_note", { note: draft.edit, text, kind: draft.kind });
    else queue("add_note", { kind: draft.kind, text });
    draft.edit = null;
    box.ta.value = "";
    paintForm();
  }

  function notes(cur) {
    const waiting = {};
    outbox.forEach((o) => { if (o.p.note) waiting[o.p.note] = o; });
    const items = cur.notes.map((n) => {
      const o = waiting[n.id];
      return noteItem(o && o.ev === "edit_note" ? { ...n, ...o.p } : n, o);
    }).concat(outbox.filter((o) => o.ev === "add_note").map((o) =>
      noteItem({ ...o.p, pid: view.me.pid, author: view.me.name }, o)));
    fill(box.notes, items.length ? el("ul", { class: "notes" }, items) : el("p", { class: "meta", text: t("no_notes") }));
    alertIn(box.notes, errs.note);
  }

  /** One note: kind, author, text; your own (on the current card) can be edited and deleted.
      `o`: its unsent command, if any. */
  function noteItem(n, o, past) {
    const own = isMe(n.pid) && n.id && !o && !past;
    return el("li", { class: "note " + n.kind + (o && o.ev === "delete_note" ? " gone" : "") },
      el("p", { class: "meta" }, el("span", { class: "kind", text: t("k_" + n.kind) }), " ",
        (n.author || t("someone")) + (isMe(n.pid) ? " (" + t("you") + ")" : ""), n.edited ? " · " + t("edited") : ""),
      el("p", { class: "ntext", text: n.text }),
      o && el("p", { class: "state", text: pendingText() }),
      own && el("p", { class: "row" },
        el("button", { class: "quiet", type: "button", onclick: () => editNote(n) }, t("edit")),
        el("button", { class: "quiet", type: "button", onclick: () => confirm(t("delete_q")) && queue("delete_note", { note: n.id }) }, t("delete"))));
  }

  function editNote(n) {
    draft.edit = n.id;
    draft.kind = n.kind;
    box.ta.value = n.text;
    paintForm();
    box.ta.focus();
  }

  /** The table's earlier cards, folded away; stays open across updates once opened. */
  function history(tb) {
    const h = tb.history;
    fill(box.hist, h.length > 0 && el("details", { open: histOpen, ontoggle: (e) => (histOpen = e.target.open) },
      el("summary", { text: t("earlier", { n: h.length }) }),
      h.map((p) => el("div", { class: "past" },
        el("h3", { lang, text: p.card.title }),
        p.distribution && Live.bars(p.card.options, p.distribution, p.choice),
        p.choice != null && el("p", { class: "meta", text: t("chose", { x: p.card.options[p.choice] }) }),
        p.notes.length > 0 && el("ul", { class: "notes" }, p.notes.map((n) => noteItem(n, null, true)))))));
  }

  render();
})();
