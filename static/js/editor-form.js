/* Deck editor, the form view: the list of cards, the field helpers, the deck's details and
   categories, and the validator's problems under the fields. A card's own form is in
   editor-card.js. A part of the editor: see editor.js. */
(() => {
  "use strict";

  const { $, t, el, fill, txt, slugify } = DeckEditor;

  DeckEditor.parts.push((ed) => {
    const { st, cards, changed, cardOf } = ed;

    // -- the form: problems under their fields ------------------------------------------------

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

    // -- the form: navigation -----------------------------------------------------------------


    function renderNav() {
      const counts = new Map();
      for (const p of st.problems) counts.set(cardOf(p), (counts.get(cardOf(p)) || 0) + 1);
      const item = (index, label, extra) => el("li", { class: index === st.selected ? "current" : null },
        el("button", { type: "button", "aria-current": index === st.selected ? "true" : null, onclick: () => select(index) },
          extra, el("span", { class: "nav-label", text: label, title: label }),
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
      ed.renderPreview();
    }

    // -- the form: fields ---------------------------------------------------------------------

    let uid = 0;
    const nextUid = () => ++uid; // ids for labels, unique on the page
    /** A labelled field bound to `path`, with a slot for the validator's message. */
    function field(path, label, control, hint) {
      const id = control.id || (control.id = `f${nextUid()}`);
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
      fill(detail, st.selected === -1 ? deckForm() : ed.cardForm(st.selected));
      markFields();
    }

    function deckForm() {
      const d = st.data;
      return el("div", { class: "stack" },
        el("h2", { text: t("deck") }),
        field("title", t("title"), input(d, "title", { max: 120 })),
        field("language", t("language"), input(d, "language", { max: 2, cls: "short mono", code: true }), t("language_hint")),
        field("description", t("description"), input(d, "description", { area: true, rows: 3, optional: true }), t("description_hint")),
        categoriesForm(),
        ed.guidanceForm ? ed.guidanceForm() : null); // the script and perspectives: editor-script.js
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
          el("div", { class: "field", "data-path": `categories.${id}.label`, "data-label": t("cat_label") }, label, el("p", { class: "field-error", role: "alert" })),
          el("div", { class: "field colour-pair", "data-path": `categories.${id}.colour`, "data-label": t("cat_colour") }, el("div", { class: "row nowrap" }, picker, colour), el("p", { class: "field-error", role: "alert" })),
          el("div", { class: "field", "data-label": t("cat_id") }, idInput, el("p", { class: "field-error id-error", role: "alert" })),
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

    Object.assign(ed, { fieldFor, markFields, renderNav, select, nextUid, field, input, textList, renderDetail });
  });
})();
