/* Deck editor, the YAML view (the cursor's place, jumping to a problem) and switching between the
   form and the YAML. A part of the editor: see editor.js. */
(() => {
  "use strict";

  const { $, t, formable } = DeckEditor;

  DeckEditor.parts.push((ed) => {
    const { st, textarea } = ed;

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
      ed.changed();
    });
    ["keyup", "click", "select"].forEach((name) => textarea.addEventListener(name, showCursor));

    // -- switching views ----------------------------------------------------------------------

    async function switchTo(mode) {
      if (mode === st.mode) return;
      $("tab-note").textContent = "";
      if (mode === "yaml") {
        const result = await ed.check(); // the form's changes, written into the YAML
        if (!result) return;
        st.text = result.text;
        textarea.value = st.text;
        ed.resetOrigins();
        st.mode = "yaml";
      } else {
        const result = await ed.check();
        if (!result) return;
        if (!formable(result.data)) {
          $("tab-note").textContent = result.data == null ? t("no_form") : t("no_form_shape");
          return;
        }
        st.text = textarea.value;
        st.data = result.data;
        ed.resetOrigins();
        st.mode = "form";
      }
      ed.saveDraft();
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
        ed.renderNav();
        ed.renderDetail();
      } else {
        textarea.value = st.text;
        showCursor();
      }
      ed.showProblems(st.problems);
      ed.updateTitle();
      ed.renderPreview();
    }

    Object.assign(ed, { jumpTo, renderMode });
  });
})();
