// The report page's "Print" button (no inline script: the Content Security Policy forbids it).
"use strict";
document.getElementById("print").addEventListener("click", () => window.print());
