/* Deck editor, spreadsheets: import a CSV or XLSX file into the YAML view as an unsaved change,
   so its preview and problems show before anything is saved. A part of the editor: see editor.js. */
(() => {
  "use strict";

  const { $, t, api } = DeckEditor;

  DeckEditor.parts.push((ed) => {
    const { start, textarea } = ed;
    const input = $("sheet-file");
    if (!input) return;
    input.addEventListener("change", async () => {
      const chosen = input.files[0];
      input.value = ""; // choosing the same file again (after fixing it) must import again
      if (!chosen) return;
      const data = new FormData();
      data.append("file", chosen);
      const res = await api("POST", start.urls.sheet_preview, data, true);
      if (!res.body.text) {
        ed.banner("bad", res.body.error || t("failed"));
        ed.showProblems(res.body.problems || []);
        return;
      }
      if ($("tab-yaml").getAttribute("aria-selected") !== "true") $("tab-yaml").click();
      textarea.value = res.body.text;
      textarea.dispatchEvent(new Event("input"));
      ed.banner("ok", t("sheet_imported", { name: chosen.name }));
    });
  });
})();
