// The layout check of the browser tests (tests/layout.py): what a person would see as broken on
// the page as it is drawn now. A test asset, never served. Evaluated by Playwright as a function
// of one options object; returns a list of {kind, where, text, detail}.
//
// kinds:
//   broken    a word of up to `maxWord` characters whose text spans two lines ("Ca/rd/s"); a
//             break right after a hyphen or a slash is a break a reader expects, not a defect
//   squeezed  text of 3+ lines in a column narrower than `squeeze` em
//   covered   text under a fixed or sticky element (at this scroll position), or a fixed or
//             sticky element taller than a third of the screen (what is left to read or edit)
//   clipped   text cut off by an element's `overflow` (unless it ends in an ellipsis and the
//             element carries the full text as its title), a placeholder or a chosen option
//             wider than its field, or text outside a page that cannot scroll
//   sideways  the page scrolls sideways
//   small     (projector) text smaller than `minPx`
//   scroll    (projector) a page that needs scrolling
//   stub      a bar's fill for nothing (width 0 %) that is drawn anyway: it reads as a vote
//   spills    text that runs past the right edge of the box it sits in (its nearest block with
//             a border or a background), over the border or out of the coloured area
(options) => {
  const opts = Object.assign({ projector: false, minPx: 24, maxWord: 40, squeeze: 3.5, limit: 400 }, options || {});
  const found = [];
  const seen = new Set();
  const vw = document.documentElement.clientWidth, vh = innerHeight;
  const SKIP = "script, style, noscript, template, option, select, textarea, title, head";

  function report(kind, node, text, detail) {
    const where = path(node);
    const key = kind + "|" + where + "|" + text;
    if (seen.has(key) || found.length >= opts.limit) return;
    seen.add(key);
    found.push({ kind, where, text: String(text || "").replace(/\s+/g, " ").trim().slice(0, 70), detail: detail || "" });
  }

  /** A short CSS-like path of an element, for people to find it. */
  function path(node) {
    const parts = [];
    for (let e = node; e && e.nodeType === 1 && e !== document.body && parts.length < 4; e = e.parentElement) {
      let part = e.tagName.toLowerCase();
      if (e.id) { parts.unshift(part + "#" + e.id); break; }
      const cls = [...e.classList].slice(0, 2).join(".");
      if (cls) part += "." + cls;
      parts.unshift(part);
    }
    return parts.join(" > ");
  }

  const styles = new Map();
  const style = (e) => styles.get(e) || (styles.set(e, getComputedStyle(e)), styles.get(e));

  /** Not meant to be seen: hidden for screen readers only, invisible, or not drawn. */
  const concealed = new Map();
  function isConcealed(e) {
    if (!e || e === document.body || e === document.documentElement) return false;
    if (concealed.has(e)) return concealed.get(e);
    const s = style(e);
    let answer = s.visibility === "hidden" || s.display === "none" || parseFloat(s.opacity) === 0;
    if (!answer && s.clip !== "auto" && s.position === "absolute") answer = true;
    if (!answer && (s.overflow === "hidden" || s.overflow === "clip")) {
      const r = e.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) answer = true;
    }
    answer = answer || isConcealed(e.parentElement);
    concealed.set(e, answer);
    return answer;
  }

  // Every text node people can see.
  const texts = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const parent = n.parentElement;
    if (!parent || !n.textContent.trim() || parent.closest(SKIP) || isConcealed(parent)) continue;
    if (!parent.getClientRects().length) continue;
    texts.push(n);
  }

  const range = document.createRange();
  function rectsOf(node, start, end) {
    range.setStart(node, start);
    range.setEnd(node, end);
    return [...range.getClientRects()].filter((r) => r.width > 0.5 && r.height > 0.5);
  }
  /** How many lines a list of rects covers (rects whose tops differ by under half a font size
   *  are one line). */
  function lines(rects, px) {
    const tops = rects.map((r) => r.top).sort((a, b) => a - b);
    let count = 0, last = -Infinity;
    for (const top of tops) if (top - last > px / 2) { count++; last = top; }
    return count;
  }

  // --- words broken inside, squeezed text, small text --------------------------------------------
  const PIECE = /[^\s\-\/\u2010\u2013\u2014]+[\-\/\u2010\u2013\u2014]*/g;
  for (const node of texts) {
    const parent = node.parentElement, s = style(parent), px = parseFloat(s.fontSize);
    const text = node.textContent;
    for (const word of text.matchAll(/\S+/g)) {
      if (word[0].length > opts.maxWord || word[0].length < 2) continue;
      for (const piece of word[0].matchAll(PIECE)) {
        const core = piece[0].replace(/[\-\/\u2010\u2013\u2014]+$/, "");
        if (core.length < 2) continue;
        const start = word.index + piece.index;
        if (lines(rectsOf(node, start, start + core.length), px) > 1) {
          report("broken", parent, word[0]);
          break;
        }
      }
    }
    const all = rectsOf(node, 0, text.length);
    if (all.length && lines(all, px) >= 3) {
      const width = Math.max(...all.map((r) => r.right)) - Math.min(...all.map((r) => r.left));
      if (width < opts.squeeze * px) report("squeezed", parent, text, `${lines(all, px)} lines in ${Math.round(width)} px`);
    }
    if (opts.projector && px < opts.minPx) report("small", parent, text, `${px} px`);
  }

  // --- text spilling out of its box ----------------------------------------------------------------
  /** The nearest ancestor block that draws a box people see (a border or a background). */
  function box(e) {
    for (let n = e; n && n !== document.body; n = n.parentElement) {
      const s = style(n);
      if (s.display.startsWith("inline") || s.display === "contents") continue;
      const bg = s.backgroundColor !== "rgba(0, 0, 0, 0)" && s.backgroundColor !== "transparent";
      if (bg || parseFloat(s.borderRightWidth) > 0) return n;
    }
    return null;
  }
  for (const node of texts) {
    const parent = node.parentElement, b = box(parent);
    if (!b || ["hidden", "clip", "auto", "scroll"].includes(style(b).overflowX)) continue;
    const edge = b.getBoundingClientRect().right - parseFloat(style(b).borderRightWidth);
    const out = rectsOf(node, 0, node.textContent.length).find((r) => r.right > edge + 0.5);
    if (out) report("spills", parent, node.textContent, `${(out.right - edge).toFixed(1)} px past ${path(b)}`);
  }

  // --- covered by fixed or sticky elements ---------------------------------------------------------
  const pinned = (e) => {
    for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
      const p = style(n).position;
      if (p === "fixed" || p === "sticky") return n;
    }
    return null;
  };
  for (const node of texts) {
    const parent = node.parentElement;
    const own = pinned(parent);
    for (const r of rectsOf(node, 0, node.textContent.length).slice(0, 6)) {
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      if (x < 0 || y < 0 || x >= vw || y >= vh) continue;
      const hit = document.elementFromPoint(x, y);
      if (!hit || parent.contains(hit) || hit.contains(parent)) continue;
      const cover = pinned(hit);
      if (cover && cover !== own && !cover.contains(parent) && !hit.closest("dialog[open]")) {
        report("covered", parent, node.textContent, "under " + path(cover));
        break;
      }
    }
  }
  for (const e of document.body.querySelectorAll("*")) {
    const p = style(e).position;
    if ((p !== "fixed" && p !== "sticky") || isConcealed(e) || e.closest("dialog")) continue;
    const r = e.getBoundingClientRect();
    if (r.height > vh / 3 && r.width > vw / 3 && r.height < vh - 1) report("covered", e, e.textContent, `a ${p} element ${Math.round(r.height)} px high of ${vh}`);
  }

  // --- clipped text ------------------------------------------------------------------------------
  const scrolls = (e) => ["auto", "scroll"].includes(style(e).overflowX) || ["auto", "scroll"].includes(style(e).overflowY);
  const clips = (v) => v === "hidden" || v === "clip";
  const pageClipped = [document.documentElement, document.body].some((e) => clips(style(e).overflowY) || clips(style(e).overflowX));
  for (const e of [document.documentElement, ...document.body.querySelectorAll("*")]) {
    if (e.matches(SKIP) || isConcealed(e)) continue;
    const s = style(e);
    const cx = clips(s.overflowX), cy = clips(s.overflowY);
    if (!cx && !cy) continue;
    const page = e === document.documentElement || e === document.body;
    if (!page && e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1) continue;
    let box;
    if (page) box = { left: 0, top: 0, right: vw, bottom: vh };
    else {
      const r = e.getBoundingClientRect();
      const bl = parseFloat(s.borderLeftWidth), bt = parseFloat(s.borderTopWidth);
      box = { left: r.left + bl, top: r.top + bt, right: r.left + bl + e.clientWidth, bottom: r.top + bt + e.clientHeight };
    }
    const ellipsis = s.textOverflow === "ellipsis" && e.getAttribute("title");
    for (const node of texts) {
      if (!e.contains(node)) continue;
      // Text inside a scrolling box below `e` can be scrolled to: that box's business.
      let inner = false;
      for (let n = node.parentElement; n && n !== e; n = n.parentElement) if (scrolls(n)) { inner = true; break; }
      if (inner) continue;
      const out = rectsOf(node, 0, node.textContent.length).find((r) =>
        (cx && !ellipsis && (r.right > box.right + 1 || r.left < box.left - 1)) ||
        (cy && (r.bottom > box.bottom + 1 || r.top < box.top - 1)));
      if (out) {
        report(page && opts.projector ? "scroll" : "clipped", page ? node.parentElement : e, node.textContent,
          page ? "outside the screen of a page that cannot scroll" : "cut off by overflow: " + s.overflow);
        if (!page) break;
      }
    }
  }
  // A placeholder or a chosen option wider than its field.
  const canvas = document.createElement("canvas").getContext("2d");
  for (const e of document.body.querySelectorAll("input, select")) {
    if (isConcealed(e) || !e.getClientRects().length) continue;
    const s = style(e);
    let text = "";
    if (e.tagName === "SELECT") text = e.selectedOptions[0] ? e.selectedOptions[0].textContent : "";
    else if (["text", "search", "email", "url", "number", "password", ""].includes(e.type) && !e.value) text = e.placeholder || "";
    if (!text.trim()) continue;
    canvas.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const room = e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - (e.tagName === "SELECT" ? 4 : 0);
    const need = canvas.measureText(text.trim()).width;
    if (need > room + 1) report("clipped", e, text, `needs ${Math.round(need)} px, has ${Math.round(room)}`);
  }

  // --- bars ------------------------------------------------------------------------------------
  for (const fill of document.querySelectorAll(".bf")) {
    if (isConcealed(fill) || parseFloat(fill.style.width) !== 0) continue;
    const drawn = fill.getBoundingClientRect().width;
    if (drawn > 0.5) report("stub", fill.closest("li") || fill, (fill.closest("li") || fill).textContent, `${drawn.toFixed(1)} px drawn for 0`);
  }

  // --- the page as a whole -----------------------------------------------------------------------
  const root = document.documentElement;
  if (root.scrollWidth > vw + 1) {
    const wide = [...document.body.querySelectorAll("*")].filter((e) => !isConcealed(e) && e.getBoundingClientRect().right > vw + 1)
      .filter((e, i, all) => !all.some((o) => o !== e && e.contains(o)));
    report("sideways", wide[0] || root, wide[0] ? wide[0].textContent : "", `${root.scrollWidth} px wide in ${vw}`);
  }
  if (opts.projector && !pageClipped && root.scrollHeight > vh + 1) report("scroll", root, "", `${root.scrollHeight} px high in ${vh}`);
  return found;
}
