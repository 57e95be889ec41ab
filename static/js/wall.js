/* Tafelronde projector: the join code and QR (lobby), the spotlighted card with every table's
   votes, or the comparison of all cards played. Read-only; readable from the back of the room.
   Keys: C toggles the comparison, Escape goes back (lobby, or the spotlight when one is set);
   Page Down and Page Up (or the arrows, or space) turn the pages of the comparison or of a
   spotlight that does not fit on one screen. */
"use strict";
(() => {
  const { t, el, fill, command } = Live;
  const $ = (id) => document.getElementById(id);
  const wall = $("wall");
  const code = wall.dataset.code, key = wall.dataset.key;
  const LETTERS = "ABCDEF";
  const SIGNS = new Map([["—", "not_played"], ["✓", "talked"], ["⤼", "skipped"], ["×", "abandoned"]]); // cells without bars
  const STATUS = { skipped: "skipped", abandoned: "abandoned" }; // not "still talking"

  let view = null, mode = location.hash === "#comparison" ? "comparison" : "auto", shownSpot = null;

  const socket = Live.connect(code);
  Live.watch(socket, $("conn"));
  socket.on("connect", hello);
  async function hello() {
    const a = await command(socket, "hello", { code, role: "projector", key });
    if (a.ok) show(a.view);
    else if (a.code === "unavailable") setTimeout(() => socket.connected && hello(), Live.later(a));
    else fill($("stage"), el("p", { class: "err", role: "alert", text: a.error || t("failed") }));
  }
  socket.on("wall_updated", (v) => {
    if (!view || v.session.version >= view.session.version) show(v);
  });

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "c" || e.key === "C") setMode(mode === "comparison" ? "auto" : "comparison");
    else if (e.key === "Escape") setMode("auto");
    else if (mode === "comparison" && ["PageDown", "ArrowRight", "ArrowDown", " "].includes(e.key)) turn(1, e);
    else if (mode === "comparison" && ["PageUp", "ArrowLeft", "ArrowUp"].includes(e.key)) turn(-1, e);
    else if (wall.dataset.screen === "spot" && ["PageDown", "ArrowRight", "ArrowDown", " "].includes(e.key)) turnSpot(1, e);
    else if (wall.dataset.screen === "spot" && ["PageUp", "ArrowLeft", "ArrowUp"].includes(e.key)) turnSpot(-1, e);
  });

  function setMode(m) {
    mode = m;
    history.replaceState(null, "", m === "comparison" ? "#comparison" : location.pathname + location.search);
    if (view) render();
  }

  function show(v) {
    // A newly set spotlight is what the facilitator wants on the wall now, even over the comparison.
    // (Not the one already set when the page opens: "Projector with the comparison" shows that.)
    const spot = v.spotlight ? v.spotlight.card.id + ":" + v.spotlight.notes.map((n) => n.id) : "";
    if (spot && shownSpot !== null && spot !== shownSpot) mode = "auto";
    shownSpot = spot;
    view = v;
    view.timerEnd = Live.ends(v.session.timer);
    render();
  }

  function render() {
    const s = view.session;
    $("people").textContent = s.people === 1 ? t("person") : t("people", { n: s.people });
    const screen = s.ended ? "ended" : mode === "comparison" ? "comparison" : view.spotlight ? "spot" : "lobby";
    wall.dataset.screen = screen;
    $("lobby").hidden = screen !== "lobby";
    $("hint").hidden = screen !== "lobby" || !view.comparison.cards.length;
    fill($("stage"),
      screen === "ended" && el("div", { class: "center" }, el("h1", { text: t("ended") })),
      screen === "spot" && spotlight(view.spotlight),
      screen === "comparison" && comparison(view.comparison));
    // One line under the stage: where to join, the timer, the facilitator's message; a pause
    // is said here too (the wall stays what the room looks up at, it does not go dark).
    const url = $("joinurl").textContent.replace(/^https?:\/\//, "");
    fill($("footer"), !s.ended && [
      s.paused && el("span", { class: "wpaused", text: t("paused") }),
      screen !== "lobby" && el("span", { class: "joinsmall" }, t("join_at"), " ", el("b", { text: url })),
      view.timerEnd && el("span", { class: "wtimer" }, Live.countdown(view.timerEnd, true)),
      // A long message gets a line of its own, above the others.
      s.message && el("span", { class: "wmsg" + (s.message.text.length > 60 ? " long" : ""), text: s.message.text })]);
    layout(screen);
    announce();
  }

  /** Fit what is on the stage to the wall: nothing cut off, nothing scrolls (see paginate). */
  function layout(screen) {
    if (screen === "comparison") {
      numberTables();
      paginate();
    } else stopPaging();
    if (screen === "spot") fitSpot();
    else stopSpotPages();
  }
  let relayout = null;
  addEventListener("resize", () => {
    cancelAnimationFrame(relayout);
    relayout = requestAnimationFrame(() => view && layout(wall.dataset.screen));
  });

  // For a screen reader on the projector page, from #announce (a polite live region there from
  // the start): cards played, tables revealing, the spotlight, a message, the end of the timer;
  // one sentence per update, never a single vote. Redraws by key or page turns say nothing.
  let heard = null, timeUp = null;
  function announce() {
    const s = view.session, rows = view.comparison.cards, names = view.comparison.tables;
    const now = { cards: new Map(rows.map((r) => [r.card.id, r.tables.map((c) => c != null)])),
      spot: view.spotlight ? view.spotlight.card.id : "", msg: s.message && !s.ended ? s.message.text : "", end: view.timerEnd && view.timerEnd.end };
    const say = [];
    if (heard) {
      const fresh = rows.filter((r) => !heard.cards.has(r.card.id));
      if (fresh.length) say.push(t("an_card", { x: fresh.map((r) => r.card.title).join(", ") }));
      const shown = new Set();
      rows.forEach((r) => (heard.cards.get(r.card.id) || []).forEach((was, i) => !was && r.tables[i] != null && shown.add(names[i])));
      if (shown.size) say.push(t("an_reveal", { x: [...shown].join(", ") }));
      if (now.spot && now.spot !== heard.spot) say.push(t("spot_now", { x: view.spotlight.card.title }));
      if (now.msg && now.msg !== heard.msg) say.push(t("message") + " " + now.msg);
    }
    if (now.end !== (heard && heard.end)) {
      clearTimeout(timeUp);
      const left = now.end && !s.ended ? now.end - Date.now() : 0;
      if (left > 0) timeUp = setTimeout(() => { $("announce").textContent = t("time_up"); }, left);
    }
    heard = now;
    if (say.length) $("announce").textContent = say.join(". ");
  }

  /** Option labels: the full text on the total, letters on each table (the same order). */
  const letters = (options) => options.map((o, i) => LETTERS[i] || String(i + 1));

  // The smallest text the wall may show, in px (2.35vh: 25 px at 1080 lines).
  const smallest = () => Math.ceil(innerHeight * 0.0235);

  function spotlight(sp) {
    const lang = view.session.deck.language;
    const c = sp.card, opts = c.response.options;
    const votes = Plenary.sum(sp.total), passed = sp.tables.reduce((a, row) => a + (row.passes || 0), 0);
    const head = el("header", { class: "spothead", lang },
      Live.chip(c.category),
      el("h1", { text: c.title }),
      el("p", { class: "text", text: c.text }),
      c.response.statement && el("p", { class: "statement", text: c.response.statement }));
    if (c.category && c.category.colour) head.style.borderLeftColor = c.category.colour;
    // Notes sit beside the bars, under the tables: stacked below they would run off the wall.
    // The tables' conclusions, then the chosen notes that are reasons, by the option they argue
    // for, then the others: each an item of the list, so pages of notes keep a group together.
    const note = (n) => el("li", { class: "note " + n.kind },
      el("p", { class: "meta" }, el("span", { class: "kind", text: t("k_" + n.kind) }), " ", n.table),
      el("p", { class: "ntext", text: n.text }));
    const others = sp.notes.filter((n) => n.option == null || !opts[n.option]);
    const many = sp.notes.length + sp.conclusions.length > 4 ? " many" : "";
    const notes = (sp.notes.length > 0 || sp.conclusions.length > 0) && el("ul", { class: "wallnotes" + many },
      sp.conclusions.length > 0 && el("li", { class: "conclusions" }, el("h2", { text: t("conclusions") }),
        sp.conclusions.map((c) => el("p", { class: "conclusion", lang }, el("b", { text: c.table + ": " }), el("q", { text: c.text })))),
      sp.reasons.filter((r) => r.notes.length).map((r) => el("li", { class: "why" },
        el("h2", { text: t("why", { x: letters(opts)[r.option] + ". " + opts[r.option] }) }), el("ul", null, r.notes.map(note)))),
      others.map(note));
    const chose = sp.tables.some((row) => row.choice != null);
    return el("section", { class: "spot" + (opts.length ? "" : " open") },
      head,
      opts.length > 0 ? el("div", { class: "spotgrid" },
        sp.shift ? el("div", { class: "total" }, el("h2", { text: t("shift_h") }), Plenary.shift(opts, sp.shift))
          : el("div", { class: "total" },
            el("h2", { text: t("total", { n: votes }) }),
            Live.bars(opts.map((o, i) => letters(opts)[i] + ". " + o), sp.total), Live.passes(passed)),
        el("div", { class: "side" },
          el("div", { class: "pertable" }, sp.tables.map((row) => el("div", { class: "tbox", role: "group", "aria-label": row.table },
            el("h3", { text: row.table, "data-fit": smallest() }),
            row.distribution ? [Live.bars(letters(opts), row.distribution, row.choice), Live.passes(row.passes)]
              : el("p", { class: "meta", text: t(!row.played ? "not_played" : STATUS[row.status] || "still") }),
            row.shift && row.shift.changed != null && el("p", { class: "meta", text: t("changed_n", { n: row.shift.changed }) }),
            row.tally && el("p", { class: "meta tally-mark", text: t("tally") }),
            row.choice != null && el("p", { class: "visually-hidden", text: t("choice", { x: letters(opts)[row.choice] }) })))),
          chose && el("p", { class: "meta key" }, el("span", { class: "star", "aria-hidden": "true", text: "★ " }), t("chosen")),
          notes, el("p", { class: "meta spotpage", hidden: true }))) : [notes, el("p", { class: "meta spotpage", hidden: true })]);
  }

  // The spotlight in one screen: names fitted, big type made smaller (never under the wall's
  // smallest); then tables and notes that still do not fit go to pages that turn by themselves.
  const SPOT_PAGE_MS = 12000;
  let spotTurn = 0, spotPager = null;

  function fitSpot() {
    const spot = document.querySelector(".spot"), stage = $("stage");
    if (!spot) return stopSpotPages();
    Live.fit(spot);
    // A name too long for its column even at the smallest size goes above its bars.
    spot.querySelectorAll(".tbox").forEach((box) => {
      const h = box.querySelector("h3");
      box.classList.remove("wide");
      h.classList.add("fitting");
      box.classList.toggle("wide", h.scrollWidth > h.clientWidth + 1);
      h.classList.remove("fitting");
    });
    const tables = spot.querySelector(".pertable"), notes = spot.querySelector(".wallnotes");
    const label = spot.querySelector(".spotpage");
    [tables, notes].forEach((list) => list && [...list.children].forEach((item) => { item.hidden = false; }));
    label.hidden = true;
    const fits = () => spot.offsetHeight <= stage.clientHeight + 1;
    for (const scale of [1, 0.85, 0.7]) {
      spot.style.setProperty("--big", scale);
      if (fits()) return stopSpotPages();
    }
    const bottom = stage.getBoundingClientRect().bottom - 2 * smallest() - 8; // the page label too
    let tableStarts = [0], noteStarts = [0];
    if (tables) {
      const room = bottom - tables.getBoundingClientRect().top;
      const first = notes && notes.firstElementChild;
      const notesNeed = first ? notes.getBoundingClientRect().top - tables.getBoundingClientRect().bottom + first.offsetHeight : 0;
      if (tables.offsetHeight + notesNeed > room) {
        tableStarts = pageStarts([...tables.children], notes ? Math.max(room - notesNeed, room / 2) : room);
        showPage([...tables.children], tableStarts);
      }
    }
    if (notes) {
      noteStarts = pageStarts([...notes.children], bottom - notes.getBoundingClientRect().top);
      showPage([...notes.children], noteStarts);
    }
    const count = Math.max(tableStarts.length, noteStarts.length);
    if (count < 2) return stopSpotPages();
    label.hidden = false;
    label.textContent = t("page", { n: (spotTurn % count) + 1, m: count });
    if (!spotPager) spotPager = setInterval(() => { spotTurn++; fitSpot(); }, SPOT_PAGE_MS);
  }

  /** Where each page of `items` starts, for pages `room` px high (items side by side in a
   *  grid row stay together). */
  function pageStarts(items, room) {
    const starts = [0];
    let top = null;
    items.forEach((item, i) => {
      if (top === null) top = item.offsetTop;
      if (i > 0 && item.offsetTop > top && item.offsetTop + item.offsetHeight - top > room) {
        starts.push(i);
        top = item.offsetTop;
      }
    });
    return starts;
  }

  /** Show the page of `items` that the spotlight's turn points at. */
  function showPage(items, starts) {
    const page = spotTurn % starts.length;
    const end = page + 1 < starts.length ? starts[page + 1] : items.length;
    items.forEach((item, i) => { item.hidden = i < starts[page] || i >= end; });
  }

  /** A spotlight page turned by key (its full time before the next turns by itself). */
  function turnSpot(step, e) {
    e.preventDefault();
    stopSpotPages();
    spotTurn = Math.max(0, spotTurn + step);
    fitSpot();
  }

  function stopSpotPages() {
    clearInterval(spotPager);
    spotPager = null;
  }

  /** Table names too long for their column become numbers, with a key under the table. */
  function numberTables() {
    const table = document.querySelector(".cmp table");
    if (!table) return;
    const heads = [...table.tHead.rows[0].cells].slice(1);
    heads.forEach((th) => th.classList.remove("numbered"));
    table.classList.add("fitting");
    const wide = heads.some((th) => th.scrollWidth > th.clientWidth + 1);
    table.classList.remove("fitting");
    heads.forEach((th) => th.classList.toggle("numbered", wide));
    const key = document.querySelector(".cmp .tablekey");
    if (key) key.hidden = !wide;
  }

  function comparison(cmp) {
    const lang = view.session.deck.language;
    // A dash is quieter than words in every cell (drawing tables play different cards); a key
    // under the table says once what the signs mean, as a wall has no tooltips.
    const used = new Set(cmp.cards.flatMap((row) => row.tables.map((_, i) => sign(row, i)).filter(Boolean)));
    return el("section", { class: "cmp" },
      el("h1", { text: t("comparison") }),
      cmp.cards.length
        ? el("table", { class: "compare" },
          el("thead", null, el("tr", null, el("th", null, el("span", { class: "visually-hidden", text: t("card") })),
            cmp.tables.map((name, i) => el("th", { title: name }, el("span", { class: "tname", text: name }), el("span", { class: "tnum", "aria-hidden": "true", text: String(i + 1) }))))),
          el("tbody", null, cmp.cards.map((row) => el("tr", null,
            el("th", { lang }, row.card.title, row.card.options.length > 0 && el("small", {
              text: row.card.options.map((o, i) => LETTERS[i] + ": " + o).join(" · ") })),
            row.tables.map((_, i) => el("td", null, cell(row, i)))))))
        : el("p", { class: "meta", text: t("no_played") }),
      el("p", { class: "meta tablekey", hidden: true, "aria-hidden": "true" }, cmp.tables.map((name, i) =>
        el("span", null, el("b", { text: String(i + 1) }), " " + name))),
      el("p", { class: "meta cmpkey" },
        el("span", { class: "cmppage", hidden: true }),
        [...SIGNS].filter(([mark]) => used.has(mark)).map(([mark, key]) =>
          el("span", null, el("b", { "aria-hidden": "true", text: mark }), " " + t(key)))));
  }

  // The comparison in pages that fit the wall: as many card rows as the screen holds, the next
  // page by key (Page Down, arrows, space) or by itself every PAGE_MS. Nothing is cut off.
  const PAGE_MS = 15000;
  let page = 0, pages = 1, pager = null;

  function turn(step, e) {
    // A page turned by key gets its full time before the next turns by itself.
    if (e) { e.preventDefault(); stopPaging(); }
    page = (page + step + pages) % pages;
    paginate();
  }

  function stopPaging() {
    clearInterval(pager);
    pager = null;
  }

  /** Split the comparison's rows into pages by their measured heights; show page `page`. */
  function paginate() {
    const box = document.querySelector(".cmp"), table = box && box.querySelector("table");
    const rows = table ? [...table.tBodies[0].rows] : [];
    rows.forEach((r) => { r.hidden = false; });
    const label = box && box.querySelector(".cmppage");
    if (!rows.length) { pages = 1; page = 0; return; }
    // Room for rows: the section's height less what stands above the rows and below the table
    // (measured, not from scrollHeight: that is the box's own height when everything fits).
    const boxTop = box.getBoundingClientRect().top, body = table.tBodies[0].getBoundingClientRect();
    const below = box.lastElementChild.getBoundingClientRect().bottom - table.getBoundingClientRect().bottom;
    const room = box.clientHeight - (body.top - boxTop) - below - 4;
    const start = [0];
    let used = 0;
    rows.forEach((r, i) => {
      const h = r.offsetHeight;
      if (used > 0 && used + h > room) { start.push(i); used = 0; }
      used += h;
    });
    pages = start.length;
    page = Math.min(page, pages - 1);
    const end = page + 1 < pages ? start[page + 1] : rows.length;
    rows.forEach((r, i) => { r.hidden = i < start[page] || i >= end; });
    label.hidden = pages < 2;
    label.textContent = pages < 2 ? "" : t("page", { n: page + 1, m: pages });
    // One clock, not restarted by every update (tables vote all the time).
    if (pages > 1 && !pager) pager = setInterval(() => turn(1), PAGE_MS);
    if (pages < 2) stopPaging();
  }

  /** The sign of a cell without bars: "—" did not play, "✓" played an open question; else null. */
  function sign(row, i) {
    if (row.played && !row.played[i]) return "—";
    const st = row.status && row.status[i];
    if (st === "skipped") return "⤼";
    if (st === "abandoned") return "×";
    return row.card.options.length || st === "talking" ? null : "✓"; // a talk card on the table: "still talking"
  }

  /** One table's cell in the comparison: its bars, "still talking", or a sign (see SIGNS). */
  function cell(row, i) {
    const mark = sign(row, i);
    if (mark) return el("span", { class: "meta sign" },
      el("span", { "aria-hidden": "true", text: mark }), el("span", { class: "visually-hidden", text: t(SIGNS.get(mark)) }));
    const counts = row.tables[i];
    return counts ? [Live.bars(letters(row.card.options), counts), row.tally && row.tally[i] && el("small", { class: "tally-mark", text: t("tally") }),
      row.passes && row.passes[i] > 0 && el("small", { text: t("passes", { n: row.passes[i] }) })]
      : el("span", { class: "meta", text: t("still") });
  }
})();
