/* Deck editor, the history: every saved version, what has changed since, and restoring one; also
   the diff shown when comparing with a version someone else saved. A part of the editor: see
   editor.js. */
(() => {
  "use strict";

  const { $, t, el, fill, api, when, formable } = DeckEditor;

  DeckEditor.parts.push((ed) => {
    const { st, start, textarea } = ed;

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
      $("history-lines").hidden = true;
      fill($("history-words"));
      fill($("history-diff"));
      const res = await api("GET", start.urls.history);
      const versions = res.body.versions || [];
      fill($("history-list"), versions.length ? versions.map((v) => el("li", null,
        el("button", { type: "button", class: "version", "data-version": v.id, onclick: (e) => showVersion(v, e.currentTarget) },
          el("span", { text: t("version", { time: when(v.saved, false, true) }) }),
          el("span", { class: "meta", text: t("replaced", { time: when(v.replaced, false, true) }) }))))
        : el("li", { class: "meta", text: res.body.ok ? t("history_empty") : res.body.error }));
      if (!historyDialog.open) historyDialog.showModal();
    }
    async function showVersion(version, node) {
      $("history-list").querySelectorAll("button").forEach((b) => b.setAttribute("aria-current", String(b === node)));
      const res = await api("GET", `${start.urls.history}/${encodeURIComponent(version.id)}`);
      if (!res.body.ok) return fill($("history-diff"), el("span", { class: "error", text: res.body.error }));
      chosen = version;
      $("history-lines").hidden = false;
      $("btn-restore").hidden = false;
      fill($("history-words"), words(res.body.changes));
      $("history-lines").open = !res.body.changes; // nothing else to show then
      showDiff($("history-diff"), res.body.diff);
    }

    // The names of the fields, as the form calls them.
    const FIELD = { title: "title", language: "language", description: "description", categories: "categories",
      category: "category", text: "text", response: "response", prompts: "prompts", reflection: "reflection" };
    const names = (fields) => fields.map((f) => t(FIELD[f] || f).toLowerCase()).join(", ");

    /** What changed since a version, in sentences: the deck, cards added, removed, changed. */
    function words(ch) {
      if (!ch) return el("p", { class: "meta", text: t("ch_unknown") });
      const said = [
        ch.deck.length > 0 && el("p", { text: t("ch_deck", { x: names(ch.deck) }) }),
        ch.added.length > 0 && el("p", { text: t("ch_added", { x: ch.added.join(", ") }) }),
        ch.removed.length > 0 && el("p", { text: t("ch_removed", { x: ch.removed.join(", ") }) }),
        ch.changed.length > 0 && [el("p", { text: t("ch_changed") }), el("ul", null, ch.changed.map((c) =>
          el("li", { text: c.title + (c.fields.length ? " (" + names(c.fields) + ")" : "") })))],
        ch.reordered && el("p", { text: t("ch_order") })].filter(Boolean);
      return said.length ? said : el("p", { text: t("ch_none") });
    }
    $("btn-history").addEventListener("click", openHistory);
    $("btn-restore").addEventListener("click", (e) => {
      if (!chosen) return;
      // Unsaved changes would be replaced: asked first, as everywhere.
      if (st.dirty) DeckEditor.ask(e.currentTarget, t("restore_q"), e.currentTarget.textContent, restore);
      else restore();
    });
    async function restore() {
      const res = await api("POST", `${start.urls.history}/${encodeURIComponent(chosen.id)}/restore`, { base_revision: st.base });
      historyDialog.close();
      if (!res.body.ok) {
        if (res.status === 409) ed.banner("bad", t("conflict"), ed.button(t("take_theirs"), () => { ed.dropDraft(); location.reload(); }));
        else ed.banner("bad", res.body.error || t("failed"));
        return;
      }
      const mode = st.mode;
      ed.adopt(res.body);
      st.data = res.body.data;
      ed.resetOrigins();
      st.mode = mode === "form" && !formable(st.data) ? "yaml" : mode;
      textarea.value = st.text;
      ed.banner("ok", t("restored", { time: when(chosen.saved) }));
      ed.setState(t("saved"), "ok");
      ed.renderMode();
    }
    document.querySelectorAll("dialog [data-close]").forEach((b) => b.addEventListener("click", () => b.closest("dialog").close()));

    Object.assign(ed, { showDiff });
  });
})();
