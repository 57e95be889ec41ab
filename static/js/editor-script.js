/* Deck editor, the deck's script and perspectives (docs/decks.md, "Scripts" and "Perspectives"):
   the steps a table works through each card with (label, minutes, kind, instruction), and the
   roles people argue from. A card's own script or perspectives are edited in the YAML view.
   A part of the editor: see editor.js. */
(() => {
  "use strict";

  const { $, t, el } = DeckEditor;
  const KINDS = ["talk", "vote", "round", "conclusion"];

  DeckEditor.parts.push((ed) => {
    const { st, changed } = ed;

    /** A list of mappings at st.data[key], each row made by `row(entry, i, path)`. */
    function listForm(key, legend, hint, addLabel, most, row, fresh) {
      const d = st.data;
      const list = Array.isArray(d[key]) ? d[key] : [];
      const move = (i, delta) => {
        const j = i + delta;
        if (j < 0 || j >= list.length) return;
        [list[i], list[j]] = [list[j], list[i]];
        changed();
        ed.renderDetail();
      };
      const remove = (i) => {
        list.splice(i, 1);
        if (!list.length) delete d[key];
        changed();
        ed.renderDetail();
      };
      const rows = list.map((entry, i) => {
        if (typeof entry === "string") list[i] = entry = { label: entry }; // a label alone
        const path = `${key}.${i}`;
        return el("div", { class: "script-row", "data-path": path },
          el("div", { class: "script-head" },
            el("span", { class: "list-num", text: `${i + 1}.` }),
            el("span", { class: "row nowrap" },
              el("button", { type: "button", class: "quiet small", disabled: i === 0, "aria-label": `${t("move_up")} ${i + 1}`, onclick: () => move(i, -1) }, "↑"),
              el("button", { type: "button", class: "quiet small", disabled: i === list.length - 1, "aria-label": `${t("move_down")} ${i + 1}`, onclick: () => move(i, 1) }, "↓"),
              el("button", { type: "button", class: "quiet small", "aria-label": `${t("remove")} ${i + 1}`, title: t("remove"), onclick: () => remove(i) }, "✕"))),
          el("p", { class: "field-error", role: "alert" }),
          el("div", { class: "script-fields" }, row(entry, i, path)));
      });
      const add = el("button", { type: "button", class: "secondary small", disabled: list.length >= most, onclick: () => {
        if (!Array.isArray(d[key])) d[key] = [];
        d[key].push(fresh());
        changed();
        ed.renderDetail();
        const rows = $("ed-detail").querySelectorAll(`[data-path="${key}"] .script-row`);
        const first = rows.length && rows[rows.length - 1].querySelector("input[type=text]");
        if (first) first.select();
      } }, t(addLabel));
      return el("fieldset", { class: "field", "data-path": key },
        el("legend", { text: t(legend) }),
        el("p", { class: "hint", text: t(hint) }),
        el("p", { class: "field-error", role: "alert" }),
        rows, add);
    }

    /** One small labelled field of a row, bound to entry[name], with its problem slot. */
    function part(entry, name, path, label, opts) {
      const control = ed.input(entry, name, opts);
      return ed.field(`${path}.${name}`, t(label), control);
    }

    /** The step's minutes: written as a number when it is one ("1.5"), so the YAML says
        `minutes: 1.5`; anything else stays text for the validator to point at. */
    function minutesInput(step) {
      const node = el("input", { type: "text", inputmode: "decimal", class: "short", maxlength: 5, autocomplete: "off" });
      node.value = step.minutes == null ? "" : String(step.minutes);
      node.addEventListener("input", () => {
        const value = node.value.trim().replace(",", ".");
        if (value === "") delete step.minutes;
        else step.minutes = /^\d{1,3}(\.\d{1,2})?$/.test(value) ? Number(value) : node.value;
        changed();
      });
      return node;
    }

    function stepRow(step, i, path) {
      const kind = el("select", null, KINDS.map((k) => el("option", { value: k, text: t(`kind_${k}`) })));
      kind.value = KINDS.includes(step.kind) ? step.kind : "talk";
      kind.addEventListener("change", () => {
        if (kind.value === "talk") delete step.kind;
        else step.kind = kind.value;
        changed();
      });
      return [
        part(step, "label", path, "step_label", { max: 60 }),
        el("div", { class: "pair" },
          ed.field(`${path}.minutes`, t("step_minutes"), minutesInput(step)),
          ed.field(`${path}.kind`, t("step_kind"), kind)),
        part(step, "instruction", path, "step_instruction", { area: true, rows: 2, max: 500, optional: true }),
      ];
    }

    function perspectiveRow(perspective, i, path) {
      return [
        part(perspective, "label", path, "perspective_label", { max: 60 }),
        part(perspective, "description", path, "perspective_description", { max: 300, optional: true }),
      ];
    }

    ed.guidanceForm = () => [
      listForm("steps", "steps", "steps_hint", "add_step", 12, stepRow, () => ({ label: t("new_step"), minutes: "2" })),
      listForm("perspectives", "perspectives", "perspectives_hint", "add_perspective", 12, perspectiveRow, () => ({ label: t("new_perspective") })),
    ];
  });
})();
