/* Deck editor, the core: the editor's state, drafts kept in this browser, checks by the server's
   validator, the list of problems, and saving (with conflicts). The other editor-*.js parts add
   to the object `core` returns (`ed`); editor.js starts it all. */
(() => {
  "use strict";

  const { $, t, el, fill, api, when } = DeckEditor;

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

  /** The editor's state and core functions, as the object `ed` the other parts add to. */
  function core(root) {
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

    const cards = () => (st.data && Array.isArray(st.data.cards) ? st.data.cards : []);

    const ed = { root, start, slug, textarea, st, autoIds, stash, resetOrigins, cards };

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
        ed.renderNav();
        ed.renderPreview();
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
        ed.renderPreview();
      }
      return res.body;
    }

    function updateTitle() {
      const title = st.data && txt(st.data.title);
      $("ed-title").textContent = title || slug;
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
        ed.markFields();
        ed.renderNav();
      }
    }

    function goTo(problem) {
      if (st.mode === "yaml") {
        if (problem.line) ed.jumpTo(problem.line, problem.column);
        return;
      }
      const index = cardOf(problem);
      if (index != null && index !== st.selected) ed.select(index);
      const field = ed.fieldFor(problem.path || []);
      const input = field && field.querySelector("input, textarea, select");
      if (input) input.focus();
    }

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
        if (st.mode === "form" && !sameData) ed.renderMode();
        else showProblems(st.problems);
        return;
      }
      setState(t("not_saved"), "bad");
      if (res.status === 409 && res.body.current_revision) {
        banner("bad", t("conflict"),
          button(t("compare"), () => ed.showDiff($("compare-diff"), res.body.diff, $("compare-dialog"))),
          button(t("keep_mine"), () => save(res.body.current_revision)),
          button(t("take_theirs"), (e) => DeckEditor.ask(e.currentTarget, t("take_theirs_q"), t("take_theirs"), () => {
            dropDraft();
            location.reload();
          }), "quiet"));
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

    return Object.assign(ed, {
      setState, showDirtyState, saveDraft, dropDraft, changed, check, updateTitle,
      cardOf, showProblems, banner, button, adopt, restoreDraft,
    });
  }

  Object.assign(DeckEditor, { core, formable, txt, texts, slugify });
})();
