/* Helpers shared by the phone, facilitator and projector pages (global `Live`). */
"use strict";
const Live = (() => {
  // Translated strings from the page's JSON block (data, so the CSP allows it).
  const S = JSON.parse((document.getElementById("strings") || {}).textContent || "{}");
  // The words of the game (note kinds, calls...), defined once in game/core/vocabulary.py and
  // translated by the page: `k_<kind>`, `f_<reason>`, `st_<status>` in the strings, and the keys.
  const V = JSON.parse((document.getElementById("vocabulary") || {}).textContent || "{}");
  const PREFIX = { note_kinds: "k_", flag_reasons: "f_", play_statuses: "st_" };
  for (const name in V) if (name !== "_order") for (const key in V[name]) S[(PREFIX[name] || name + "_") + key] = V[name][key];
  /** The keys of vocabulary `name`, in their order (e.g. the note kinds). */
  const keys = (name) => (V._order || {})[name] || [];

  /** String `key`, {name} placeholders filled from `vars`. */
  function t(key, vars) {
    let s = S[key] ?? key;
    for (const k in vars) s = s.split("{" + k + "}").join(vars[k]);
    return s;
  }

  /** An element; `text` and string children become text, never HTML. A `text` is isolated
   *  (dir="auto"): a name or note in Arabic or Hebrew cannot reorder what stands around it. */
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k === "text") { e.textContent = v; e.dir = "auto"; }
      else if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of kids.flat(2)) if (c != null && c !== false) e.append(c);
    return e;
  }

  /** Replace `node`'s children, keeping focus on the control with the same data-k. */
  function fill(node, ...kids) {
    const k = document.activeElement && document.activeElement.dataset.k;
    node.replaceChildren(...kids.flat(2).filter((c) => c != null && c !== false));
    const again = k && node.querySelector(`[data-k="${CSS.escape(k)}"]`);
    if (again) again.focus({ preventScroll: true }); // a redraw must never move the page
  }

  // The code in the handshake lets a router send a session to the process serving it.
  function connect(code) {
    const socket = io({ reconnectionDelayMax: 5000, query: { code } });
    socket.on("moved", (m) => move(socket, m));
    return socket;
  }

  // Served elsewhere now: reconnect after retry_after s, with jitter.
  function move(socket, m) {
    if (socket.moving) return;
    socket.moving = true;
    socket.disconnect();
    const wait = 1000 * ((m && m.retry_after) || 1) * (1 + Math.random() / 2);
    setTimeout(() => { socket.moving = false; socket.connect(); }, wait);
  }

  /** The ack of a command, or {ok:false, code:"offline"|"timeout"}; never rejects. Nothing is
      emitted offline: Socket.IO would buffer it and send it twice next to our own retry.
      `unavailable` (the server cannot store now) marks the socket `paused` until an ok answer. */
  function command(socket, event, payload, ms = 10000) {
    return new Promise((resolve) => {
      if (!socket.connected) return resolve({ ok: false, code: "offline", error: t("offline") });
      socket.timeout(ms).emit(event, payload || {}, (err, ack) => {
        if (ack && ack.code === "moved") { // not applied: sent again after reconnecting
          move(socket, ack);
          return resolve({ ok: false, code: "offline", error: t("conn_moved") });
        }
        if (ack && (ack.ok || ack.code === "unavailable")) paused(socket, !ack.ok);
        resolve(err ? { ok: false, code: "timeout", error: t("timeout") } : ack || { ok: false });
      });
    });
  }

  /** Saving is paused on the server (or not any more): the connection line says so. */
  function paused(socket, on) {
    if (!!socket.paused === on) return;
    socket.paused = on;
    if (socket.showConn) socket.showConn();
  }

  /** Milliseconds to wait before sending again what was answered `unavailable`. */
  const later = (a) => 1000 * ((a && a.retry_after) || 2) * (1 + Math.random() / 2);

  /** `node` shows Connected / Reconnecting… / Offline. */
  function watch(socket, node) {
    const show = (e) => {
      const state = socket.connected ? (socket.paused ? "retry" : "ok") : navigator.onLine ? "retry" : "off";
      node.className = "conn " + state;
      const why = socket.moving ? "conn_moved" : e && e.description == 503 ? "conn_full"
        : socket.connected && socket.paused ? "conn_paused" : "conn_" + state;
      node.textContent = t(why); // 503: the server is full; paused: it cannot store for now
    };
    socket.showConn = show;
    ["connect", "disconnect", "connect_error"].forEach((e) => socket.on(e, show));
    addEventListener("online", show);
    addEventListener("offline", show);
    show();
  }

  /** m:ss or h:mm:ss. */
  function clock(sec) {
    sec = Math.max(0, Math.round(sec));
    const h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, pad = (n) => String(n).padStart(2, "0");
    return (h ? h + ":" + pad(m) : m) + ":" + pad(sec % 60);
  }

  // One clock per page for countdowns and times on cards.
  const ticks = new Set();
  setInterval(() => ticks.forEach((f) => f()), 1000);

  /** The round timer: {end} (a Date.now() time, kept across redraws) or, paused, {left} s. */
  const ends = (tm) => (!tm ? null : tm.paused ? { left: tm.remaining } : { end: Date.now() + tm.remaining * 1000 });

  /** "4:59" ("Time left: 4:59" with `label`; "(paused)" after it in a pause), then "Time is up". */
  function countdown(at, label) {
    const node = el("span", { class: "countdown", role: "timer" });
    const draw = () => {
      if (!node.isConnected && node.dataset.on) return ticks.delete(draw);
      node.dataset.on = 1;
      const left = at.end ? (at.end - Date.now()) / 1000 : at.left;
      node.textContent = left <= 0 ? t("time_up") : (label ? t("timer") + " " : "") + clock(left) + (at.end ? "" : " " + t("timer_paused"));
      node.classList.toggle("over", left <= 0);
      if (!at.end) ticks.delete(draw);
    };
    ticks.add(draw);
    draw();
    return node;
  }

  /** A distribution as bars; ★ marks the table's choice (its one meaning), ✓ one's own vote.
   *  Every bar is a share of all the votes shown (one common scale: 1-1-1 is three thirds). */
  function bars(labels, counts, chosen, mine) {
    const total = counts.reduce((a, b) => a + b, 0);
    return el("ol", { class: "bars" }, labels.map((label, i) => el("li", { class: i === chosen ? "mark" : null },
      el("span", { class: "bl" }, i === chosen && el("span", { class: "star", title: t("chosen") }, "★ "),
        el("span", { text: label }), i === mine && el("span", { class: "mine", text: " ✓ " + t("mine") })),
      track(counts[i], total), el("b", { text: counts[i] }))));
  }

  /** A bar's track filled to `n` of `total`; a small share keeps a visible stub, nobody none
   *  (a stub for 0 reads as a vote). */
  function track(n, total, cls) {
    const f = el("span", { class: "bf" });
    f.style.width = (total ? (100 * n) / total : 0) + "%";
    if (!n) f.style.minWidth = "0";
    return el("span", { class: "bt" + (cls ? " " + cls : "") }, f);
  }

  /** Whether a line of n's text reaches past its content box (scrollWidth is rounded: a word
      less than a pixel too wide would pass it and then break). */
  function wide(n) {
    const r = document.createRange(), edge = n.getBoundingClientRect().right - parseFloat(getComputedStyle(n).paddingRight);
    r.selectNodeContents(n);
    return [...r.getClientRects()].some((q) => q.right > edge);
  }

  /** Shrink each [data-fit] under `root` until its longest word fits (down to data-fit px). */
  function fit(root) {
    for (const n of (root || document).querySelectorAll("[data-fit]")) {
      n.style.fontSize = "";
      n.classList.add("fitting");
      let px = parseFloat(getComputedStyle(n).fontSize);
      while (wide(n) && px > +n.dataset.fit) n.style.fontSize = (px = Math.max(+n.dataset.fit, px - 1)) + "px";
      n.classList.remove("fitting");
    }
  }
  addEventListener("resize", () => requestAnimationFrame(() => fit()));

  // One way to confirm everywhere: a tap shows the question with the action and Cancel; a second
  // tap does it. Kept by `key` across redraws (the page's own `redraw`), forgotten after 8 s.
  let asking = null, redraw = () => {};
  function confirmed(key, label, question, action, attrs) {
    const ask = (v) => { asking = v; redraw(); };
    if (!asking || asking.key !== key || Date.now() > asking.until) {
      return el("button", Object.assign({}, attrs, { "data-k": key, onclick: () => {
        ask({ key, until: Date.now() + 8000 });
        setTimeout(() => asking && asking.key === key && Date.now() > asking.until && ask(null), 8100);
      } }), label);
    }
    return el("span", { class: "ask", role: "group", "aria-label": question }, el("span", { class: "ask-q", text: question }),
      el("button", { class: "danger small", "data-k": key, onclick: () => { ask(null); action(); } }, label),
      el("button", { class: "quiet small", "data-k": key + "-no", onclick: () => ask(null) }, t("cancel")));
  }
  const onRedraw = (f) => { redraw = f; };

  /** "passed: N" beside a result's bars (nothing when nobody passed). */
  const passes = (n) => n > 0 && el("p", { class: "meta passes", text: t("passes", { n }) });

  /** A card's category as a chip in the deck's colour. */
  function chip(category) {
    if (!category) return null;
    const c = el("span", { class: "chip", text: category.label });
    if (category.colour) c.style.borderColor = category.colour;
    return c;
  }

  /** Show (or clear) an error inside `node`, as an alert. */
  function alertIn(node, text) {
    let a = node.querySelector(":scope > .err");
    if (!text) return a && a.remove();
    if (!a) node.append((a = el("p", { class: "err", role: "alert" })));
    a.textContent = text;
  }

  /** More strings (a part loaded later brings its own). */
  const add = (o) => Object.assign(S, o);

  return { t, add, el, fill, keys, connect, command, later, watch, clock, ticks, ends, countdown, bars, track, passes, chip, alertIn, fit, confirmed, onRedraw };
})();
