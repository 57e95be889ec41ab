/* Deck editor, the phone preview: the selected card the way participants see it, with ‹ and ›
   to page through the cards. A part of the editor: see editor.js. */
(() => {
  "use strict";

  const { $, t, el, fill, txt, texts } = DeckEditor;

  DeckEditor.parts.push((ed) => {
    const { st, start, cards } = ed;

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
    $("prev-card").addEventListener("click", () => { st.preview--; if (st.mode === "form" && st.selected >= 0) ed.select(st.preview); else renderPreview(); });
    $("next-card").addEventListener("click", () => { st.preview++; if (st.mode === "form" && st.selected >= 0) ed.select(st.preview); else renderPreview(); });

    Object.assign(ed, { renderPreview });
  });
})();
