// The printed cards: shrink a card's text until it fits its box, so nothing overflows the card.
// Cards have their paper size on screen too, so what fits here fits on paper.
"use strict";
(function () {
  function fit(body) {
    let size = parseFloat(getComputedStyle(body).fontSize);
    while (body.scrollHeight > body.clientHeight + 1 && size > 4) {
      size -= 0.25;
      body.style.fontSize = size + "px";
    }
    body.classList.toggle("overflow", body.scrollHeight > body.clientHeight + 1);
  }
  function fitAll() {
    document.querySelectorAll(".fit").forEach(fit);
    document.documentElement.dataset.fitted = "yes";
  }
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(fitAll);
  else fitAll();
})();

// A choice of reflections shows at once (the session code waits for "Show", or Enter).
(function () {
  const form = document.getElementById("print-options");
  if (form) form.addEventListener("change", (e) => { if (e.target.name === "reflections") form.requestSubmit(); });
})();
