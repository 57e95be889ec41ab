/* Tafelronde deck editor: the deck library and the editor (form view, YAML view, preview, history).

   Plain JavaScript, no build step. The DOM is built with createElement and textContent only, so
   whatever an organiser typed is shown as text, never run. Every check and save goes through the
   server, which uses the same validator as `flask decks validate`. */
(() => {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const S = JSON.parse(($("strings") || { textContent: "{}" }).textContent);
  const CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  /** A translated string with {name} placeholders filled in. */
  function t(key, vars) {
    return (S[key] || key).replace(/\{(\w+)\}/g, (m, n) => (vars && n in vars ? String(vars[n]) : m));
  }

  /** Build an element: attrs may hold class, text, on<event> handlers, and plain attributes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "value") node.value = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children.flat(Infinity)) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Replace the children of `node`. */
  function fill(node, ...children) {
    node.replaceChildren();
    for (const child of children.flat(Infinity)) if (child) node.append(child);
    return node;
  }

  /** Call the API; always resolves to { status, body } (status 0 when the network failed). */
  async function api(method, url, payload, isForm) {
    const init = { method, headers: { "X-CSRF-Token": CSRF, Accept: "application/json" }, credentials: "same-origin" };
    if (payload !== undefined) {
      if (isForm) init.body = payload;
      else {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(payload);
      }
    }
    try {
      const response = await fetch(url, init);
      let body;
      try {
        body = await response.json();
      } catch (e) {
        body = { ok: false, error: t("failed"), problems: [] };
      }
      return { status: response.status, body };
    } catch (e) {
      return { status: 0, body: { ok: false, error: t("offline"), problems: [] } };
    }
  }

  /** A time from the server (ISO, UTC) in the reader's local time, as everywhere in Tafelronde:
      "2026-11-29 23:26" (or "23:26" with `timeOnly`), the same in every language. */
  function when(iso, timeOnly) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const two = (n) => String(n).padStart(2, "0");
    const time = two(date.getHours()) + ":" + two(date.getMinutes());
    if (timeOnly) return time;
    return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${time}`;
  }

  function localiseTimes(root) {
    root.querySelectorAll("time[datetime]").forEach((node) => {
      node.textContent = when(node.getAttribute("datetime"));
    });
  }

  /** A problem as "Line 3, column 5: message" (or just the message when it has no place). */
  function problemText(p) {
    return p.line ? t("problem_at", { line: p.line, column: p.column, message: p.message }) : p.message;
  }

  // ------------------------------------------------------------------------------------------
  // The library: create, upload, duplicate, rename, delete, trash.

  function Library(root) {
    const status = $("lib-status");
    const FLASH = "tafelronde:library-flash";

    /** A message above the list; `kind` is "ok", "bad" or "info" (work in progress). */
    function say(message, extra, kind) {
      fill(status, el("div", { class: `notice ${kind || "info"}` }, el("p", { text: message }), extra));
    }
    function reloadWith(message, undo) {
      sessionStorage.setItem(FLASH, JSON.stringify({ message, undo }));
      location.reload();
    }
    function failed(res, retry) {
      const problems = (res.body.problems || []).map((p) => el("li", { text: problemText(p) }));
      const again = res.body.suggestion && retry
        ? el("button", { type: "button", class: "secondary small", onclick: () => retry(res.body.suggestion) },
          t("upload_as", { name: res.body.suggestion }))
        : null;
      say(res.body.error || t("failed"), [problems.length ? el("ul", { class: "mono small" }, problems) : null, again], "bad");
    }

    // A message left by the action before the reload (with "undo" after a delete).
    const flash = JSON.parse(sessionStorage.getItem(FLASH) || "null");
    sessionStorage.removeItem(FLASH);
    if (flash) {
      const undo = flash.undo && el("button", { type: "button", class: "secondary small", onclick: async () => {
        const res = await api("POST", `/api/trash/${encodeURIComponent(flash.undo)}/restore`, {});
        if (res.body.ok) reloadWith(t("restored", { name: res.body.slug }));
        else failed(res);
      } }, t("undo"));
      say(flash.message, undo, "ok");
    }
    localiseTimes(root);

    // New deck.
    const form = $("new-form");
    $("new-deck").addEventListener("click", () => {
      form.hidden = false;
      $("new-title").focus();
    });
    $("new-cancel").addEventListener("click", () => (form.hidden = true));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say(t("creating"));
      const res = await api("POST", root.dataset.create, { title: $("new-title").value, language: $("new-language").value });
      if (res.body.ok) location.href = res.body.urls.edit;
      else failed(res);
    });

    // Upload. The file is kept so that "Upload as …" can send it again under a free name.
    const fileInput = $("upload-file");
    let chosen = null;
    async function upload(name) {
      if (!chosen) return;
      const data = new FormData();
      data.append("file", chosen);
      if (name) data.append("slug", name);
      say(t("uploading", { name: chosen.name }));
      const res = await api("POST", root.dataset.upload, data, true);
      if (res.body.ok) location.href = res.body.urls.edit;
      else failed(res, upload);
    }
    fileInput.addEventListener("change", () => {
      chosen = fileInput.files[0] || null;
      fileInput.value = ""; // choosing the same file again (after fixing it) must upload again
      upload();
    });

    // One dialog asks for a file name (duplicate, rename, restore under another name).
    const dialog = $("name-dialog");
    let onName = null;
    function askName(heading, value, action) {
      $("name-heading").textContent = heading;
      $("name-input").value = value;
      $("name-error").textContent = "";
      onName = action;
      dialog.showModal();
      $("name-input").select();
    }
    $("name-cancel").addEventListener("click", () => dialog.close());
    $("name-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const res = await onName($("name-input").value.trim());
      if (res && !res.body.ok) $("name-error").textContent = res.body.error || t("failed");
    });

    // "talk.en" + "copy" -> "talk-copy.en": the language stays at the end of the name.
    const variant = (slug, word) => slug.replace(/(\.[a-z]{2})?$/, `-${word}$1`);

    root.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      const row = button.closest("[data-slug]");
      const slug = row.dataset.slug;
      const base = `/api/decks/${encodeURIComponent(slug)}`;
      const action = button.dataset.action;
      if (action === "duplicate") {
        askName(t("duplicate_h"), variant(slug, "copy"), async (name) => {
          const res = await api("POST", `${base}/duplicate`, { slug: name });
          if (res.body.ok) reloadWith(t("copied", { name: res.body.slug }));
          return res;
        });
      } else if (action === "rename") {
        askName(t("rename_h"), slug, async (name) => {
          const res = await api("POST", `${base}/rename`, { slug: name });
          if (res.body.ok) reloadWith(t("renamed", { name: res.body.slug }));
          return res;
        });
      } else if (action === "delete") {
        const res = await api("DELETE", base);
        if (res.body.ok) reloadWith(t("deleted", { name: slug }), res.body.trash.id);
        else failed(res);
      } else if (action === "untrash") {
        const url = `/api/trash/${encodeURIComponent(row.dataset.trash)}/restore`;
        const res = await api("POST", url, {});
        if (res.body.ok) reloadWith(t("restored", { name: res.body.slug }));
        else if (res.status === 409) {
          askName(t("restore_h"), variant(slug, "restored"), async (name) => {
            const again = await api("POST", url, { slug: name });
            if (again.body.ok) reloadWith(t("restored", { name: again.body.slug }));
            return again;
          });
        } else failed(res);
      }
    });
  }

  // ------------------------------------------------------------------------------------------
  // The editor.

  /** True when `data` fits the form view (the documented deck shape, all values text). */
  function formable(data) {
    const isText = (v) => v == null || typeof v === "string";
    const isMap = (v) => v != null && typeof v === "object" && !Array.isArray(v);
    const isTexts = (v) => v == null || (Array.isArray(v) && v.every(isText));
    if (!isMap(data) || !["title", "language", "description"].every((k) => isText(data[k]))) return false;
    if (data.categories != null) {
      if (!isMap(data.categories)) return false;
      if (!Object.values(data.categories).every((c) => isMap(c) && isText(c.label) && isText(c.colour))) return false;
    }
    if (data.cards != null && !Array.isArray(data.cards)) return false;
    return (data.cards || []).every((c) => isMap(c)
      && ["id", "title", "text", "category", "reflection"].every((k) => isText(c[k]))
      && isTexts(c.prompts)
      && (c.response == null || (isMap(c.response) && isText(c.response.type)
        && isTexts(c.response.options) && isTexts(c.response.labels) && isText(c.response.statement))));
  }

  /** A text the way the validator reads it: trimmed, and "" for anything that is not text. */
  const txt = (v) => (typeof v === "string" ? v.trim() : "");
  const texts = (v) => (Array.isArray(v) ? v.map(txt) : []);
  const slugify = (v) => txt(v).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");

  function Editor(root) {
    const start = JSON.parse($("deck-start").textContent);
    const slug = start.slug;
    const DRAFT = `tafelronde:deck-draft:${slug}`;
    const apiUrl = start.urls.api;
    const textarea = $("yaml-text");

    const st = {
      base: start.revision, // the revision our edits are based on (sent with every save)
      savedText: start.text, // the text of that revision
      text: start.text, // the YAML the form's changes are applied to (and the YAML view's content)
      data: start.data, // the deck as plain data: what the form edits
      origins: [], // per card: its id in `text`, so a card whose id changed keeps its comments
      produced: start.text, // the text the last check produced
      problems: start.problems,
      mode: formable(start.data) ? "form" : "yaml",
      selected: -1, // -1: deck details; else a card index
      preview: 0,
      dirty: false,
      checkSeq: 0,
    };
    const autoIds = new WeakSet(); // new cards whose id still follows their title
    const stash = new WeakMap(); // per card: settings of response types it was switched away from

    const resetOrigins = () => (st.origins = (st.data && Array.isArray(st.data.cards) ? st.data.cards : []).map((c) => (c && typeof c.id === "string" ? c.id : null)));
    resetOrigins();

    // -- state, drafts and checking -----------------------------------------------------------

    function setState(text, kind) {
      const pill = $("ed-state");
      pill.textContent = text;
      pill.className = "state-pill" + (kind ? " " + kind : "");
    }
    function showDirtyState() {
      if (st.dirty) setState(t("unsaved"), "warn");
    }

    let draftTimer = null;
    function saveDraft() {
      clearTimeout(draftTimer);
      draftTimer = setTimeout(() => {
        const draft = { mode: st.mode, text: st.mode === "yaml" ? textarea.value : st.text, data: st.data,
          origins: st.origins, base: st.base, at: Date.now() };
        try {
          localStorage.setItem(DRAFT, JSON.stringify(draft));
        } catch (e) { /* storage full or disabled: the page still holds everything */ }
      }, 250);
    }
    function dropDraft() {
      clearTimeout(draftTimer);
      localStorage.removeItem(DRAFT);
    }

    /** Something was typed: remember it, mark unsaved, and check it soon. */
    function changed() {
      st.dirty = true;
      showDirtyState();
      saveDraft();
      scheduleCheck();
      if (st.mode === "form") {
        updateTitle();
        renderNav();
        renderPreview();
      }
    }

    function payload() {
      if (st.mode === "yaml") return { slug, text: textarea.value };
      return { slug, text: st.text, data: st.data, origins: st.origins };
    }

    let checkTimer = null;
    function scheduleCheck() {
      clearTimeout(checkTimer);
      checkTimer = setTimeout(check, 450);
    }
    /** Ask the server's validator about what is in the editor now. */
    async function check() {
      clearTimeout(checkTimer);
      const seq = ++st.checkSeq;
      const res = await api("POST", root.dataset.check, payload());
      if (seq !== st.checkSeq) return null; // a newer check is on its way
      if (res.status === 0) {
        setState(t("offline"), "warn");
        return null;
      }
      if (!res.body.ok) {
        showProblems([{ path: [], message: res.body.error, line: null, column: null }]);
        return null;
      }
      st.produced = res.body.text;
      st.problems = res.body.problems;
      if (st.mode === "yaml") st.data = res.body.data;
      st.dirty = st.produced !== st.savedText;
      if (st.dirty) showDirtyState();
      else setState(t("saved"), "ok");
      showProblems(st.problems);
      if (st.mode === "yaml") {
        updateTitle();
        renderPreview();
      }
      return res.body;
    }

    // -- problems -----------------------------------------------------------------------------

    const DECK_KEYS = ["title", "language", "description", "categories"];
    function cardOf(problem) {
      const p = problem.path || [];
      return p[0] === "cards" && typeof p[1] === "number" ? p[1] : DECK_KEYS.includes(p[0]) ? -1 : null;
    }
    function where(problem) {
      const index = cardOf(problem);
      if (index === -1) return t("deck");
      if (index == null) return "";
      const card = st.data && st.data.cards && st.data.cards[index];
      return `${index + 1}. ${txt(card && card.title) || t("untitled")}`;
    }

    function showProblems(problems) {
      const box = $("ed-problems");
      box.hidden = problems.length === 0;
      $("problems-h").textContent = problems.length === 1 ? t("problems_1") : t("problems_n", { n: problems.length });
      fill($("problems-list"), problems.map((p) => {
        const place = st.mode === "yaml" ? (p.line ? t("problem_at", { line: p.line, column: p.column }) : "") : where(p);
        return el("li", null, el("button", { type: "button", class: "problem", onclick: () => goTo(p) },
          place && el("span", { class: "place", text: place }), el("span", { text: p.message })));
      }));
      if (st.mode === "form") {
        markFields();
        renderNav();
      }
    }

    function goTo(problem) {
      if (st.mode === "yaml") {
        if (problem.line) jumpTo(problem.line, problem.column);
        return;
      }
      const index = cardOf(problem);
      if (index != null && index !== st.selected) select(index);
      const field = fieldFor(problem.path || []);
      const input = field && field.querySelector("input, textarea, select");
      if (input) input.focus();
    }

    /** The form field showing `path`, or the nearest one above it. */
    function fieldFor(path) {
      const detail = $("ed-detail");
      for (let n = path.length; n > 0; n--) {
        const found = detail.querySelector(`[data-path="${CSS.escape(path.slice(0, n).join("."))}"]`);
        if (found) return found;
      }
      return null;
    }

    function markFields() {
      const detail = $("ed-detail");
      detail.querySelectorAll(".field-error").forEach((node) => (node.textContent = ""));
      detail.querySelectorAll(".has-error").forEach((node) => node.classList.remove("has-error"));
      for (const problem of st.problems) {
        if (cardOf(problem) !== st.selected) continue;
        const field = fieldFor(problem.path || []);
        if (!field) continue;
        field.classList.add("has-error");
        const slot = field.querySelector(":scope > .field-error");
        if (!slot) continue;
        // A problem below the fields the form shows (an unknown key, say) is fixed in the YAML.
        const exact = field.dataset.path === (problem.path || []).join(".");
        const line = exact ? problem.message : `${problem.message} — ${t("elsewhere")}`;
        slot.textContent = slot.textContent ? `${slot.textContent}\n${line}` : line;
      }
    }

    // -- YAML view ----------------------------------------------------------------------------

    function offsetOf(line, column) {
      const lines = textarea.value.split("\n");
      let offset = 0;
      for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
      return Math.min(offset + Math.max(0, column - 1), textarea.value.length);
    }
    function jumpTo(line, column) {
      const offset = offsetOf(line, column);
      const end = textarea.value.indexOf("\n", offset);
      textarea.focus();
      textarea.setSelectionRange(offset, end === -1 ? textarea.value.length : Math.max(end, offset));
      const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
      textarea.scrollTop = Math.max(0, (line - 4) * lineHeight);
      showCursor();
    }
    function showCursor() {
      const before = textarea.value.slice(0, textarea.selectionStart);
      const line = before.split("\n").length;
      const column = before.length - before.lastIndexOf("\n");
      $("yaml-pos").textContent = t("cursor", { line, column });
    }
    textarea.addEventListener("input", () => {
      st.text = textarea.value;
      changed();
    });
    ["keyup", "click", "select"].forEach((name) => textarea.addEventListener(name, showCursor));

    // -- switching views ----------------------------------------------------------------------

    async function switchTo(mode) {
      if (mode === st.mode) return;
      $("tab-note").textContent = "";
      if (mode === "yaml") {
        const result = await check(); // the form's changes, written into the YAML
        if (!result) return;
        st.text = result.text;
        textarea.value = st.text;
        resetOrigins();
        st.mode = "yaml";
      } else {
        const result = await check();
        if (!result) return;
        if (!formable(result.data)) {
          $("tab-note").textContent = result.data == null ? t("no_form") : t("no_form_shape");
          return;
        }
        st.text = textarea.value;
        st.data = result.data;
        resetOrigins();
        st.mode = "form";
      }
      saveDraft();
      renderMode();
    }
    $("tab-form").addEventListener("click", () => switchTo("form"));
    $("tab-yaml").addEventListener("click", () => switchTo("yaml"));

    function renderMode() {
      const form = st.mode === "form";
      $("tab-form").setAttribute("aria-selected", String(form));
      $("tab-yaml").setAttribute("aria-selected", String(!form));
      $("pane-form").hidden = !form;
      $("pane-yaml").hidden = form;
      $("tab-note").textContent = form ? t("form_help") : t("yaml_help");
      if (form) {
        renderNav();
        renderDetail();
      } else {
        textarea.value = st.text;
        showCursor();
      }
      showProblems(st.problems);
      updateTitle();
      renderPreview();
    }

    function updateTitle() {
      const title = st.data && txt(st.data.title);
      $("ed-title").textContent = title || slug;
    }

    // -- the form: navigation -----------------------------------------------------------------

    const cards = () => (st.data && Array.isArray(st.data.cards) ? st.data.cards : []);

    function renderNav() {
      const counts = new Map();
      for (const p of st.problems) counts.set(cardOf(p), (counts.get(cardOf(p)) || 0) + 1);
      const item = (index, label, extra) => el("li", { class: index === st.selected ? "current" : null },
        el("button", { type: "button", "aria-current": index === st.selected ? "true" : null, onclick: () => select(index) },
          extra, el("span", { class: "nav-label", text: label }),
          counts.get(index) ? el("span", { class: "dot-bad", title: String(counts.get(index)), text: String(counts.get(index)) }) : null));
      fill($("nav-list"),
        item(-1, t("deck"), null),
        cards().map((card, i) => item(i, txt(card && card.title) || t("untitled"), el("span", { class: "nav-num", text: `${i + 1}.` }))));
    }

    function select(index) {
      st.selected = index;
      if (index >= 0) st.preview = index;
      renderNav();
      renderDetail();
      renderPreview();
    }

    // -- the form: fields ---------------------------------------------------------------------

    let uid = 0;
    /** A labelled field bound to `path`, with a slot for the validator's message. */
    function field(path, label, control, hint) {
      const id = control.id || (control.id = `f${++uid}`);
      return el("div", { class: "field", "data-path": path },
        el("label", { for: id, text: label }), control,
        hint && el("p", { class: "hint", text: hint }),
        el("p", { class: "field-error", role: "alert" }));
    }
    /** A text input (or textarea) showing `value`, not yet bound to anything. */
    function textInput(value, opts = {}) {
      const node = el(opts.area ? "textarea" : "input", {
        type: opts.area ? null : "text", class: opts.cls, maxlength: opts.max, placeholder: opts.placeholder,
        rows: opts.rows, spellcheck: opts.code ? "false" : null, autocomplete: "off",
      });
      // Folded YAML texts end in a newline; the form shows the text without it.
      node.value = typeof value === "string" ? value.replace(/\s+$/, "") : "";
      return node;
    }
    /** An input showing obj[key], writing back as the organiser types (optional ones vanish when empty). */
    function input(obj, key, opts = {}) {
      const node = textInput(obj[key], opts);
      node.addEventListener("input", () => {
        if (opts.optional && node.value.trim() === "") delete obj[key];
        else obj[key] = node.value;
        if (opts.after) opts.after(node.value);
        changed();
      });
      return node;
    }
    /** An editable list of texts (options, prompts, labels) at obj[key]. */
    function textList(obj, key, path, o) {
      const list = Array.isArray(obj[key]) ? obj[key] : [];
      const rows = list.map((value, i) => {
        const node = textInput(value, { max: o.max, placeholder: o.placeholders && o.placeholders[i] });
        node.setAttribute("aria-label", t(o.itemLabel, { n: i + 1 }));
        node.addEventListener("input", () => {
          list[i] = node.value;
          if (o.sync) o.sync();
          changed();
        });
        const removeLabel = o.removeLabel && t(o.removeLabel, { n: i + 1 });
        const remove = !o.fixed && el("button", { type: "button", class: "quiet small", "aria-label": removeLabel, title: removeLabel,
          onclick: () => {
            list.splice(i, 1);
            if (!list.length && o.optional) delete obj[key];
            changed();
            renderDetail();
          } }, "✕");
        return el("div", { class: "list-row", "data-path": `${path}.${i}` },
          el("span", { class: "list-num", text: `${i + 1}.` }), node, remove, el("p", { class: "field-error", role: "alert" }));
      });
      const add = !o.fixed && el("button", { type: "button", class: "secondary small", disabled: list.length >= o.most,
        onclick: () => {
          if (!Array.isArray(obj[key])) obj[key] = [];
          obj[key].push("");
          changed();
          renderDetail();
          const inputs = $("ed-detail").querySelectorAll(`[data-path="${CSS.escape(path)}"] .list-row input`);
          if (inputs.length) inputs[inputs.length - 1].focus();
        } }, t(o.addLabel));
      return el("div", { class: "field", "data-path": path },
        el("p", { class: "label", text: t(o.label) }),
        o.hint && el("p", { class: "hint", text: t(o.hint) }),
        el("p", { class: "field-error", role: "alert" }),
        el("div", { class: "list-field" }, rows), add);
    }

    function renderDetail() {
      const detail = $("ed-detail");
      if (st.selected >= cards().length) st.selected = cards().length - 1;
      fill(detail, st.selected === -1 ? deckForm() : cardForm(st.selected));
      markFields();
    }

    function deckForm() {
      const d = st.data;
      return el("div", { class: "stack" },
        el("h2", { text: t("deck") }),
        field("title", t("title"), input(d, "title", { max: 120 })),
        field("language", t("language"), input(d, "language", { max: 2, cls: "short mono", code: true }), t("language_hint")),
        field("description", t("description"), input(d, "description", { area: true, rows: 3, optional: true }), t("description_hint")),
        categoriesForm());
    }

    const newCategories = new Set(); // ids of categories added here: their id follows their label

    function categoriesForm() {
      const d = st.data;
      const cats = d.categories && typeof d.categories === "object" ? d.categories : {};
      const rows = Object.entries(cats).map(([id, cat]) => {
        const row = el("div", { class: "cat-row", "data-id": id, "data-path": `categories.${id}` });
        const current = () => row.dataset.id;
        const colour = input(cat, "colour", { max: 7, cls: "mono", placeholder: "#2f6f9f", optional: true, code: true });
        colour.setAttribute("aria-label", t("cat_colour"));
        const picker = el("input", { type: "color", "aria-label": t("cat_colour"), value: /^#[0-9a-f]{6}$/i.test(txt(cat.colour)) ? txt(cat.colour) : "#888888" });
        picker.addEventListener("input", () => {
          cat.colour = picker.value;
          colour.value = picker.value;
          changed();
        });
        colour.addEventListener("input", () => { if (/^#[0-9a-f]{6}$/i.test(colour.value.trim())) picker.value = colour.value.trim(); });
        const idInput = el("input", { type: "text", class: "mono", value: id, spellcheck: "false", "aria-label": t("cat_id") });
        idInput.addEventListener("input", () => (idInput.dataset.touched = "1"));
        idInput.addEventListener("change", () => renameCategory(row, idInput, false));
        const label = input(cat, "label", { max: 60, after: (v) => {
          if (newCategories.has(current()) && !idInput.dataset.touched && slugify(v)) {
            idInput.value = slugify(v);
            renameCategory(row, idInput, true);
          }
        } });
        label.setAttribute("aria-label", t("cat_label"));
        const name = txt(cat.label) || id;
        return fill(row,
          el("div", { class: "field", "data-path": `categories.${id}.label` }, label, el("p", { class: "field-error", role: "alert" })),
          el("div", { class: "field colour-pair", "data-path": `categories.${id}.colour` }, el("div", { class: "row nowrap" }, picker, colour), el("p", { class: "field-error", role: "alert" })),
          el("div", { class: "field" }, idInput, el("p", { class: "field-error id-error", role: "alert" })),
          el("button", { type: "button", class: "quiet small", "aria-label": t("remove_category", { name }), title: t("remove_category", { name }),
            onclick: () => {
              delete cats[current()];
              if (!Object.keys(cats).length) delete d.categories;
              changed();
              renderDetail();
            } }, "✕"),
          el("p", { class: "field-error", role: "alert" }));
      });
      const add = el("button", { type: "button", class: "secondary small", onclick: () => {
        if (!d.categories || typeof d.categories !== "object") d.categories = {};
        let n = Object.keys(d.categories).length + 1;
        while (`category-${n}` in d.categories) n++;
        d.categories[`category-${n}`] = { label: t("new_category") };
        newCategories.add(`category-${n}`);
        changed();
        renderDetail();
        const labels = $("ed-detail").querySelectorAll(".cat-row .field:first-child input");
        if (labels.length) labels[labels.length - 1].select();
      } }, t("add_category"));
      return el("fieldset", { class: "field", "data-path": "categories" },
        el("legend", { text: t("categories") }),
        el("p", { class: "hint", text: t("categories_hint") }),
        el("p", { class: "field-error", role: "alert" }),
        rows.length ? el("div", { class: "cat-head", "aria-hidden": "true" },
          el("span", { text: t("cat_label") }), el("span", { text: t("cat_colour") }), el("span", { text: t("cat_id") })) : null,
        rows, add);
    }

    /** Give a category a new id, keeping its place, and follow it in the cards that use it. */
    function renameCategory(row, idInput, typing) {
      const cats = st.data.categories;
      const oldId = row.dataset.id;
      const newId = idInput.value.trim();
      const slot = row.querySelector(".id-error");
      slot.textContent = "";
      if (newId === oldId) return;
      if (!newId || newId in cats) {
        if (!typing) slot.textContent = t("cat_id_taken");
        return;
      }
      const renamed = {};
      for (const [k, v] of Object.entries(cats)) renamed[k === oldId ? newId : k] = v;
      st.data.categories = renamed;
      for (const card of cards()) if (card && card.category === oldId) card.category = newId;
      if (newCategories.delete(oldId)) newCategories.add(newId);
      row.dataset.id = newId;
      row.dataset.path = `categories.${newId}`;
      row.children[0].dataset.path = `categories.${newId}.label`;
      row.children[1].dataset.path = `categories.${newId}.colour`;
      changed();
      if (!typing) renderDetail();
    }

    function cardForm(i) {
      const card = cards()[i];
      const path = `cards.${i}`;
      const cats = st.data.categories && typeof st.data.categories === "object" ? st.data.categories : {};
      const idInput = input(card, "id", { max: 60, cls: "mono", code: true });
      idInput.addEventListener("input", () => autoIds.delete(card));
      const title = input(card, "title", { max: 120, after: (v) => {
        if (autoIds.has(card)) {
          card.id = uniqueId(slugify(v) || "card", card);
          idInput.value = card.id;
        }
      } });
      const category = el("select", null,
        el("option", { value: "", text: t("no_category") }),
        Object.entries(cats).map(([id, c]) => el("option", { value: id, text: txt(c && c.label) || id })));
      category.value = typeof card.category === "string" && card.category in cats ? card.category : "";
      if (typeof card.category === "string" && card.category && !(card.category in cats)) {
        category.append(el("option", { value: card.category, text: card.category }));
        category.value = card.category;
      }
      category.addEventListener("change", () => {
        if (category.value) card.category = category.value;
        else delete card.category;
        changed();
      });
      const move = (delta) => {
        const list = cards();
        const j = i + delta;
        if (j < 0 || j >= list.length) return;
        [list[i], list[j]] = [list[j], list[i]];
        [st.origins[i], st.origins[j]] = [st.origins[j], st.origins[i]];
        st.selected = j;
        st.preview = j;
        changed();
        renderDetail();
      };
      const remove = () => {
        if (!confirm(t("remove_card_q", { name: txt(card.title) || t("untitled") }))) return;
        cards().splice(i, 1);
        st.origins.splice(i, 1);
        st.selected = Math.min(i, cards().length - 1);
        st.preview = Math.max(0, st.selected);
        changed();
        renderDetail();
      };
      return el("div", { class: "stack", "data-path": path },
        el("div", { class: "card-head" },
          el("h2", { text: `${t("card_n", { n: i + 1, m: cards().length })}` }),
          el("div", { class: "row" },
            el("button", { type: "button", class: "quiet small", disabled: i === 0, onclick: () => move(-1) }, "↑ ", t("move_up")),
            el("button", { type: "button", class: "quiet small", disabled: i === cards().length - 1, onclick: () => move(1) }, "↓ ", t("move_down")),
            el("button", { type: "button", class: "quiet small danger-text", onclick: remove }, t("remove_card")))),
        el("p", { class: "field-error", role: "alert" }),
        field(`${path}.title`, t("card_title"), title),
        el("div", { class: "two" },
          field(`${path}.category`, t("category"), category),
          field(`${path}.id`, t("card_id"), idInput, t("card_id_hint"))),
        field(`${path}.text`, t("text"), input(card, "text", { area: true, rows: 5, max: 1500 }), t("text_hint")),
        responseForm(card, path),
        textList(card, "prompts", `${path}.prompts`, { label: "prompts", hint: "prompts_hint", itemLabel: "prompt_n", removeLabel: "remove_prompt",
          addLabel: "add_prompt", most: 6, max: 300, optional: true }),
        field(`${path}.reflection`, t("reflection"), input(card, "reflection", { area: true, rows: 4, optional: true, max: 2000 }), t("reflection_hint")));
    }

    function uniqueId(base, self) {
      const taken = new Set(cards().filter((c) => c !== self).map((c) => c && c.id));
      let id = base;
      for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
      return id;
    }

    function responseForm(card, path) {
      const response = card.response && typeof card.response === "object" ? card.response : null;
      const type = response && typeof response.type === "string" && response.type ? response.type : "open";
      const name = `type-${++uid}`;
      const radios = ["choice", "scale", "open"].map((kind) => {
        const radio = el("input", { type: "radio", name, value: kind, id: `${name}-${kind}` });
        radio.checked = kind === type;
        radio.addEventListener("change", () => switchType(card, kind));
        return el("label", { for: radio.id, class: "radio" }, radio, el("span", { text: t(`type_${kind}`) }));
      });
      const parts = [];
      if (type === "choice") {
        parts.push(textList(response, "options", `${path}.response.options`, { label: "options", hint: "options_hint", itemLabel: "option_n",
          removeLabel: "remove_option", addLabel: "add_option", most: 6, max: 200 }));
      } else if (type === "scale") {
        const defaults = start.scale_labels[txt(st.data.language)] || start.scale_labels.en;
        parts.push(field(`${path}.response.statement`, t("statement"), input(response, "statement", { optional: true, max: 300 }), t("statement_hint")));
        if (!Array.isArray(response.labels)) {
          // Shown empty, with the standard labels as placeholders; written only once one is typed.
          const holder = { labels: ["", "", "", "", ""] };
          const sync = () => {
            if (holder.labels.some((v) => v.trim())) response.labels = holder.labels;
            else delete response.labels;
          };
          parts.push(textList(holder, "labels", `${path}.response.labels`, { label: "labels", hint: "labels_hint", itemLabel: "label_n", fixed: true, max: 60, placeholders: defaults, sync }));
        } else {
          parts.push(textList(response, "labels", `${path}.response.labels`, { label: "labels", hint: "labels_hint", itemLabel: "label_n", fixed: true, max: 60, placeholders: defaults }));
        }
      }
      return el("fieldset", { class: "field", "data-path": `${path}.response` },
        el("legend", { text: t("response") }),
        el("p", { class: "field-error", role: "alert" }),
        el("div", { class: "radios", role: "radiogroup", "aria-label": t("response") }, radios),
        parts);
    }

    /** Change a card's response type, keeping the other types' settings to switch back to. */
    function switchType(card, kind) {
      const kept = stash.get(card) || {};
      const old = card.response && typeof card.response === "object" ? card.response : { type: "open" };
      kept[old.type || "open"] = old;
      stash.set(card, kept);
      const back = kept[kind];
      if (back) card.response = { ...back, type: kind };
      else if (kind === "choice") card.response = { type: "choice", options: ["", ""] };
      else card.response = { type: kind };
      changed();
      renderDetail();
    }

    $("btn-add-card").addEventListener("click", () => {
      if (!Array.isArray(st.data.cards)) st.data.cards = [];
      const at = st.selected >= 0 ? st.selected + 1 : st.data.cards.length;
      const card = { id: uniqueId("new-dilemma", null), title: t("new_card"), text: "", response: { type: "choice", options: ["", ""] } };
      autoIds.add(card);
      st.data.cards.splice(at, 0, card);
      st.origins.splice(at, 0, null);
      changed();
      select(at);
      const first = $("ed-detail").querySelector("input");
      if (first) first.select();
    });

    // -- preview ------------------------------------------------------------------------------

    /** A card as the phone page gets it (see game/views.py card_view), from the editor's data. */
    function cardView(raw, deck) {
      const cats = deck && deck.categories && typeof deck.categories === "object" ? deck.categories : {};
      const catId = txt(raw.category);
      const cat = catId && cats[catId] && typeof cats[catId] === "object" ? cats[catId] : null;
      const colour = cat && /^#[0-9a-f]{6}$/i.test(txt(cat.colour)) ? txt(cat.colour) : null;
      const response = raw.response && typeof raw.response === "object" ? raw.response : {};
      const type = txt(response.type) || "open";
      let options = [];
      if (type === "choice") options = texts(response.options);
      else if (type === "scale") {
        options = texts(response.labels);
        if (!options.length) options = start.scale_labels[txt(deck.language)] || start.scale_labels.en;
      }
      return {
        title: txt(raw.title), text: txt(raw.text), type, options, statement: type === "scale" ? txt(response.statement) : "",
        category: cat ? { label: txt(cat.label) || catId, colour } : null,
        prompts: texts(raw.prompts).filter(Boolean), reflection: txt(raw.reflection),
      };
    }

    function renderPreview() {
      const list = cards().filter((c) => c && typeof c === "object");
      const screen = $("preview");
      st.preview = Math.max(0, Math.min(st.preview, list.length - 1));
      $("preview-pos").textContent = list.length ? t("card_n", { n: st.preview + 1, m: list.length }) : t("no_cards");
      $("prev-card").disabled = st.preview <= 0;
      $("next-card").disabled = st.preview >= list.length - 1;
      if (!list.length) return fill(screen, el("p", { class: "meta", text: t("preview_none") }));
      const c = cardView(list[st.preview], st.data);
      const article = el("article", { class: "card", lang: txt(st.data.language) || null },
        c.category && el("span", { class: "chip", text: c.category.label }),
        el("h2", { text: c.title }),
        el("p", { class: "text", text: c.text }),
        c.statement && el("p", { class: "statement", text: c.statement }),
        c.prompts.length > 0 && el("ul", { class: "prompts" }, c.prompts.map((p) => el("li", { text: p }))));
      if (c.category && c.category.colour) {
        article.style.borderLeftColor = c.category.colour;
        article.firstChild.style.borderColor = c.category.colour;
      }
      const opts = c.options.length > 0 && el("div", { class: "opts", role: "group" }, c.options.map((o) =>
        el("button", { class: "opt", type: "button", tabindex: "-1", "aria-pressed": "false",
          onclick: (e) => e.currentTarget.parentNode.querySelectorAll(".opt").forEach((b) => b.setAttribute("aria-pressed", String(b === e.currentTarget))) }, o)));
      fill(screen,
        el("div", { class: "phone-bar" }, el("span", { text: "Tafelronde" })),
        el("h1", { class: "phone-table", text: t("table") }),
        article, opts,
        opts && el("p", { class: "count", text: t("votes_in", { n: 0, m: 4 }) }),
        c.reflection && el("div", { class: "after-reveal" },
          el("p", { class: "reveal-mark", text: t("after_reveal") }),
          el("div", { class: "reflection" }, el("h3", { text: t("preview_reflection") }), el("p", { text: c.reflection }))));
    }
    $("prev-card").addEventListener("click", () => { st.preview--; if (st.mode === "form" && st.selected >= 0) select(st.preview); else renderPreview(); });
    $("next-card").addEventListener("click", () => { st.preview++; if (st.mode === "form" && st.selected >= 0) select(st.preview); else renderPreview(); });

    // -- saving -------------------------------------------------------------------------------

    const banners = $("ed-banners");
    function banner(kind, message, ...actions) {
      fill(banners, el("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" },
        el("p", { text: message }), actions.length ? el("div", { class: "row" }, actions) : null));
    }
    const button = (label, onclick, cls) => el("button", { type: "button", class: `${cls || "secondary"} small`, onclick }, label);

    /** Take over a saved version from the server (after a save or a restore). */
    function adopt(body) {
      st.base = body.revision;
      st.savedText = body.text;
      st.produced = body.text;
      st.text = body.text;
      st.problems = body.problems || [];
      st.dirty = false;
      dropDraft();
      if (st.mode === "yaml") {
        if (textarea.value !== body.text) textarea.value = body.text;
        st.data = body.data;
      } else if (!formable(st.data) || JSON.stringify(body.data) !== JSON.stringify(st.data)) {
        st.data = body.data;
      }
      resetOrigins();
    }

    async function save(baseOverride) {
      clearTimeout(checkTimer);
      st.checkSeq++; // answers to older checks no longer matter
      setState(t("saving"));
      const body = { ...payload(), base_revision: baseOverride || st.base };
      const sent = st.mode === "yaml" ? body.text : JSON.stringify(st.data);
      const res = await api("PUT", apiUrl, body);
      if (res.body.ok) {
        fill(banners);
        const now = st.mode === "yaml" ? textarea.value : JSON.stringify(st.data);
        if (now !== sent) {
          // Typed on while the save was on its way: that is saved, this is not yet.
          st.base = res.body.revision;
          st.savedText = res.body.text;
          if (st.mode === "form") {
            st.text = res.body.text;
            resetOrigins();
          }
          changed();
          return;
        }
        const sameData = JSON.stringify(res.body.data) === JSON.stringify(st.data);
        adopt(res.body);
        setState(t("saved_at", { time: when(new Date().toISOString(), true) }), "ok");
        if (st.mode === "form" && !sameData) renderMode();
        else showProblems(st.problems);
        return;
      }
      setState(t("not_saved"), "bad");
      if (res.status === 409 && res.body.current_revision) {
        banner("bad", t("conflict"),
          button(t("compare"), () => showDiff($("compare-diff"), res.body.diff, $("compare-dialog"))),
          button(t("keep_mine"), () => save(res.body.current_revision)),
          button(t("take_theirs"), () => {
            if (!confirm(t("take_theirs_q"))) return;
            dropDraft();
            location.reload();
          }, "quiet"));
      } else if (res.status === 422) {
        st.problems = res.body.problems || [];
        showProblems(st.problems);
        banner("bad", t("invalid_save"));
      } else {
        banner("bad", res.status === 0 ? t("offline") : res.body.error || t("failed"));
      }
    }
    $("btn-save").addEventListener("click", () => save());
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        save();
      }
    });

    // -- history ------------------------------------------------------------------------------

    function showDiff(pre, diff, dialog) {
      const lines = (diff || "").split("\n").filter((line, i, all) => line || i < all.length - 1);
      fill(pre, lines.length ? lines.map((line) => el("span", {
        class: line.startsWith("@@") ? "hunk" : line.startsWith("+++") || line.startsWith("---") ? "file"
          : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : null,
        text: line })) : el("span", { text: t("no_changes") }));
      if (dialog && !dialog.open) dialog.showModal();
    }

    const historyDialog = $("history-dialog");
    let chosen = null;
    async function openHistory() {
      chosen = null;
      $("btn-restore").hidden = true;
      $("diff-legend").hidden = true;
      fill($("history-diff"));
      const res = await api("GET", start.urls.history);
      const versions = res.body.versions || [];
      fill($("history-list"), versions.length ? versions.map((v) => el("li", null,
        el("button", { type: "button", class: "version", "data-version": v.id, onclick: (e) => showVersion(v, e.currentTarget) },
          el("span", { text: t("version", { time: when(v.saved) }) }),
          el("span", { class: "meta", text: t("replaced", { time: when(v.replaced) }) }))))
        : el("li", { class: "meta", text: res.body.ok ? t("history_empty") : res.body.error }));
      if (!historyDialog.open) historyDialog.showModal();
    }
    async function showVersion(version, node) {
      $("history-list").querySelectorAll("button").forEach((b) => b.setAttribute("aria-current", String(b === node)));
      const res = await api("GET", `${start.urls.history}/${encodeURIComponent(version.id)}`);
      if (!res.body.ok) return fill($("history-diff"), el("span", { class: "error", text: res.body.error }));
      chosen = version;
      $("diff-legend").hidden = false;
      $("btn-restore").hidden = false;
      showDiff($("history-diff"), res.body.diff);
    }
    $("btn-history").addEventListener("click", openHistory);
    $("btn-restore").addEventListener("click", async () => {
      if (!chosen || (st.dirty && !confirm(t("restore_q")))) return;
      const res = await api("POST", `${start.urls.history}/${encodeURIComponent(chosen.id)}/restore`, { base_revision: st.base });
      historyDialog.close();
      if (!res.body.ok) {
        if (res.status === 409) banner("bad", t("conflict"), button(t("take_theirs"), () => { dropDraft(); location.reload(); }));
        else banner("bad", res.body.error || t("failed"));
        return;
      }
      const mode = st.mode;
      adopt(res.body);
      st.data = res.body.data;
      resetOrigins();
      st.mode = mode === "form" && !formable(st.data) ? "yaml" : mode;
      textarea.value = st.text;
      banner("ok", t("restored", { time: when(chosen.saved) }));
      setState(t("saved"), "ok");
      renderMode();
    });
    document.querySelectorAll("dialog [data-close]").forEach((b) => b.addEventListener("click", () => b.closest("dialog").close()));

    // -- start --------------------------------------------------------------------------------

    /** Bring back unsaved work from this browser, if there is any. */
    function restoreDraft() {
      let draft = null;
      try {
        draft = JSON.parse(localStorage.getItem(DRAFT) || "null");
      } catch (e) { /* a broken draft is dropped below */ }
      if (!draft || typeof draft.text !== "string") return dropDraft();
      const same = draft.base === st.base && draft.text === st.savedText
        && (draft.mode === "yaml" || JSON.stringify(draft.data) === JSON.stringify(start.data));
      if (same) return dropDraft();
      st.mode = draft.mode === "form" && formable(draft.data) ? "form" : "yaml";
      st.text = draft.text;
      st.data = draft.data;
      st.origins = Array.isArray(draft.origins) ? draft.origins : [];
      st.base = draft.base || st.base;
      st.dirty = true;
      const time = when(new Date(draft.at || Date.now()).toISOString(), true);
      banner("warn", t(draft.base === start.revision ? "draft" : "draft_old", { time }),
        button(t("discard"), () => { dropDraft(); location.reload(); }, "quiet"));
    }

    restoreDraft();
    if (!formable(st.data)) st.mode = "yaml";
    textarea.value = st.text;
    renderMode();
    if (st.dirty) {
      showDirtyState();
      check();
    } else setState(t("saved"), "ok");
  }

  const library = $("library");
  if (library) Library(library);
  const editor = $("editor");
  if (editor) Editor(editor);
})();
