/* Deck editor, the form of one card: title, category, id, dilemma, how people answer, questions
   and reflection; moving, removing and adding cards. A part of the editor: see editor.js. */
(() => {
  "use strict";

  const { $, t, el, txt, slugify } = DeckEditor;

  DeckEditor.parts.push((ed) => {
    const { st, start, cards, changed, autoIds, stash } = ed;
    // From editor-form.js, which templates/deck_edit.html loads (and so installs) before this part.
    const { field, input, textList, renderDetail, select, nextUid } = ed;

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
      const remove = (e) => DeckEditor.ask(e.currentTarget, t("remove_card_q", { name: txt(card.title) || t("untitled") }), t("remove_card"), () => {
        cards().splice(i, 1);
        st.origins.splice(i, 1);
        st.selected = Math.min(i, cards().length - 1);
        st.preview = Math.max(0, st.selected);
        changed();
        renderDetail();
      });
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
      const name = `type-${nextUid()}`;
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

    Object.assign(ed, { cardForm });
  });
})();
