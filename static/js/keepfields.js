/* Typed fields survive a switch of language: the language links reload the page, so before they
   do, every text, number and select field with an id is kept in sessionStorage (this tab only)
   and put back on the next load of the same page. Loaded by the facilitator's pages. */
(function () {
  "use strict";
  const KEY = "tafelronde.fields:" + location.pathname;
  const fields = () => [...document.querySelectorAll("input[id]:not([type=hidden]):not([type=password]), textarea[id], select[id]")]
    .filter((f) => !["radio", "checkbox", "button", "submit"].includes(f.type));

  function keep() {
    const values = {};
    for (const f of fields()) if (f.value !== f.defaultValue || f.tagName === "SELECT") values[f.id] = f.value;
    try { sessionStorage.setItem(KEY, JSON.stringify(values)); } catch (e) { /* private mode: nothing kept */ }
  }

  function restore() {
    let values = null;
    try { values = JSON.parse(sessionStorage.getItem(KEY) || "null"); sessionStorage.removeItem(KEY); } catch (e) { return; }
    if (!values) return;
    for (const f of fields()) {
      if (!(f.id in values)) continue;
      // A select keeps the value only if that option exists (yet): scripts may fill it later.
      if (f.tagName === "SELECT" && ![...f.options].some((o) => o.value === values[f.id])) continue;
      f.value = values[f.id];
    }
  }

  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest(".langs a[hreflang]");
    if (a) keep();
  });
  restore();
})();
