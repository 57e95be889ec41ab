/* Tafelronde deck editor: the deck library and the editor (form view, YAML view, preview, history).

   Plain JavaScript, no build step. The DOM is built with createElement and textContent only, so
   whatever an organiser typed is shown as text, never run. Every check and save goes through the
   server, which uses the same validator as `flask decks validate`.

   This file holds the helpers, the library page and the editor's start. The editor's parts are
   the deferred scripts listed after it (templates/deck_edit.html) and share the global
   `DeckEditor`: editor-core.js (state, drafts, checks, problems, saving), editor-yaml.js
   (the YAML view and switching views), editor-form.js and editor-card.js (the form),
   editor-preview.js (the phone preview) and editor-history.js (history). */
const DeckEditor = (() => {
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
  function when(iso, timeOnly, seconds) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const two = (n) => String(n).padStart(2, "0");
    const time = two(date.getHours()) + ":" + two(date.getMinutes()) + (seconds ? ":" + two(date.getSeconds()) : "");
    if (timeOnly) return time;
    return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${time}`;
  }

  function localiseTimes(root) {
    root.querySelectorAll("time[datetime]").forEach((node) => {
      node.textContent = when(node.getAttribute("datetime"));
    });
  }

  /** A problem at its place: "Cards!E4 (response): message" in a spreadsheet, "Line 3, column
   *  5: message" in YAML, or just the message when it has no place. */
  function problemText(p) {
    if (p.where && /!|\(/.test(p.where)) return `${p.where}: ${p.message}`; // a spreadsheet cell
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
  // The editor: its state comes from editor-core.js, then every part adds what it shows and does.

  /** One way to confirm, as on the live pages: `node` (the button pressed) gives way to the
   *  question with the action (`label`) and Cancel; pressing the action does it. Back as it
   *  was after Cancel, or after 8 seconds. */
  function ask(node, question, label, action) {
    let timer = null;
    const back = () => { clearTimeout(timer); box.replaceWith(node); node.focus(); };
    const yes = el("button", { type: "button", class: "danger small", onclick: () => { clearTimeout(timer); box.replaceWith(node); action(); } }, label);
    const box = el("span", { class: "ask", role: "group", "aria-label": question }, el("span", { class: "ask-q", text: question }),
      yes, el("button", { type: "button", class: "quiet small", onclick: back }, t("cancel")));
    node.replaceWith(box);
    yes.focus();
    timer = setTimeout(back, 8000);
  }

  const ns = { $, t, el, fill, api, when, ask, parts: [] };

  function Editor(root) {
    const ed = ns.core(root);
    for (const install of ns.parts) install(ed);
    const { st, textarea } = ed;

    ed.restoreDraft();
    if (!ns.formable(st.data)) st.mode = "yaml";
    textarea.value = st.text;
    ed.renderMode();
    if (st.dirty) {
      ed.showDirtyState();
      ed.check();
    } else ed.setState(t("saved"), "ok");
  }

  const library = $("library");
  if (library) Library(library);
  const editor = $("editor");
  // The parts load after this file (all deferred); DOMContentLoaded comes once every one has run.
  if (editor) document.addEventListener("DOMContentLoaded", () => Editor(editor));
  return ns;
})();
