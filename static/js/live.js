/* Tafelronde live pages: helpers shared by the phone, facilitator and projector pages.
   A classic script (no build step) that defines the global `Live`; the page scripts load after it. */
"use strict";
const Live = (() => {
  // Interface strings, translated on the server into a JSON block (data, so CSP allows it).
  const S = JSON.parse((document.getElementById("strings") || {}).textContent || "{}");

  /** The string `key`, with {name} placeholders filled from `vars`. */
  function t(key, vars) {
    let s = S[key] ?? key;
    for (const k in vars) s = s.split("{" + k + "}").join(vars[k]);
    return s;
  }

  /** Build an element. `attrs`: class, text (set as textContent), on<event> handlers, and plain
      attributes (null/false left out). Children: nodes or strings, which become text nodes. */
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of kids.flat(2)) if (c != null && c !== false) e.append(c);
    return e;
  }

  /** Replace the children of `node`, keeping keyboard focus on the control with the same
      data-k, so a screen reader user is not thrown back to the top by a live update. */
  function fill(node, ...kids) {
    const k = document.activeElement && document.activeElement.dataset.k;
    node.replaceChildren(...kids.flat(2).filter((c) => c != null && c !== false));
    if (k) {
      const again = node.querySelector(`[data-k="${CSS.escape(k)}"]`);
      if (again) again.focus();
    }
  }

  /** The Socket.IO connection: same origin, retrying every few seconds for as long as it takes. */
  function connect() {
    return io({ reconnectionDelayMax: 5000 });
  }

  /** Send a command and resolve with its acknowledgement. Never rejects: without an answer it
      resolves to {ok:false, code:"offline"|"timeout"} so the caller can keep the command and retry.
      Nothing is sent while disconnected: Socket.IO would buffer it and send it twice with our outbox. */
  function command(socket, event, payload, ms = 10000) {
    return new Promise((resolve) => {
      if (!socket.connected) return resolve({ ok: false, code: "offline", error: t("offline") });
      socket.timeout(ms).emit(event, payload || {}, (err, ack) =>
        resolve(err ? { ok: false, code: "timeout", error: t("timeout") } : ack || { ok: false }));
    });
  }

  /** Show the connection state in `node`: Connected / Reconnecting… / Offline. */
  function watch(socket, node) {
    const show = () => {
      const state = socket.connected ? "ok" : navigator.onLine ? "retry" : "off";
      node.className = "conn " + state;
      node.textContent = t("conn_" + state);
    };
    ["connect", "disconnect", "connect_error"].forEach((e) => socket.on(e, show));
    addEventListener("online", show);
    addEventListener("offline", show);
    show();
  }

  /** m:ss (or h:mm:ss) for a number of seconds. */
  function clock(sec) {
    sec = Math.max(0, Math.round(sec));
    const h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60;
    const mm = h ? String(m).padStart(2, "0") : m;
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  // One ticking clock per page: countdowns and "time on card" redraw from it every second.
  const ticks = new Set();
  setInterval(() => ticks.forEach((f) => f()), 1000);

  /** When a view's round timer ({remaining} seconds) ends, as a Date.now() time; null for none.
      Taken when the view arrives: re-rendering an old view must not restart the countdown. */
  function ends(timer) {
    return timer ? Date.now() + timer.remaining * 1000 : null;
  }

  /** A countdown to `end` (from `ends`), redrawn every second: "4:59", then "Time is up". */
  function countdown(end) {
    const node = el("span", { class: "countdown", role: "timer" });
    const draw = () => {
      if (!node.isConnected && node.dataset.drawn) return ticks.delete(draw);
      node.dataset.drawn = 1;
      const left = (end - Date.now()) / 1000;
      node.textContent = left > 0 ? clock(left) : t("time_up");
      node.classList.toggle("over", left <= 0);
    };
    ticks.add(draw);
    draw();
    return node;
  }

  /** A distribution as horizontal bars: one row per option with its label and count.
      `mark` is an option index to highlight (your vote, or the table's joint choice). */
  function bars(labels, counts, mark) {
    const most = Math.max(1, ...counts);
    return el("ol", { class: "bars" }, labels.map((label, i) => {
      const fill = el("span", { class: "bf" });
      fill.style.width = (100 * counts[i]) / most + "%";
      return el("li", { class: i === mark ? "mark" : null },
        el("span", { class: "bl", text: label }),
        el("span", { class: "bt" }, fill),
        el("b", { text: counts[i] }));
    }));
  }

  /** A tiny chart for comparisons: one column per option, its label and count in the tooltip. */
  function mini(labels, counts) {
    if (!counts) return el("span", { class: "meta", text: "…", title: t("not_revealed") });
    const most = Math.max(1, ...counts);
    const total = counts.reduce((a, b) => a + b, 0);
    return el("span", { class: "mini", role: "img",
      "aria-label": labels.map((l, i) => `${l}: ${counts[i]}`).join(", ") },
      counts.map((c, i) => {
        const col = el("i", { title: `${labels[i]}: ${c}` });
        col.style.height = Math.max(4, (100 * c) / most) + "%";
        return col;
      }),
      el("small", { text: total }));
  }

  /** A card's category as a coloured chip (the deck's colour), or nothing. */
  function chip(category) {
    if (!category) return null;
    const c = el("span", { class: "chip", text: category.label });
    if (category.colour) c.style.borderColor = category.colour;
    return c;
  }

  /** An error message next to a control, announced to screen readers; replaced on the next try. */
  function alertIn(node, text) {
    let a = node.querySelector(":scope > .err");
    if (!text) return a && a.remove();
    if (!a) node.append((a = el("p", { class: "err", role: "alert" })));
    a.textContent = text;
  }

  return { t, el, fill, connect, command, watch, clock, ticks, ends, countdown, bars, mini, chip, alertIn };
})();
