/* The new-session form's programme: move cards up and down (the form sends the chosen cards in
   the order shown) and keep the suggested time of the chosen cards up to date. Without this
   script the form still works: every card in the deck's order, places from the selects. */
(() => {
  "use strict";
  const list = document.getElementById("programme-cards");
  const total = document.getElementById("programme-total");
  if (!list || !total) return;
  const strong = total.querySelector("strong");

  function about(minutes) {
    const whole = Math.round(minutes);
    if (whole >= 60) {
      return list.dataset.aboutHours.replace("%(hours)d", String(Math.floor(whole / 60)))
        .replace("%(minutes)02d", String(whole % 60).padStart(2, "0"));
    }
    return list.dataset.aboutMin.replace("%(minutes)d", String(whole));
  }

  const count = document.getElementById("programme-count");

  function update() {
    let minutes = 0;
    let chosen = 0;
    for (const item of list.children) {
      if (!item.querySelector("input[type=checkbox]").checked) continue;
      chosen += 1;
      minutes += Number(item.dataset.minutes) || 0;
    }
    if (strong) strong.textContent = about(minutes);
    if (count) count.textContent = count.dataset[chosen === 1 ? "one" : "many"].replace("%(num)d", String(chosen));
  }

  function move(item, delta) {
    const sibling = delta < 0 ? item.previousElementSibling : item.nextElementSibling;
    if (!sibling) return;
    if (delta < 0) list.insertBefore(item, sibling);
    else list.insertBefore(sibling, item);
    item.querySelector(delta < 0 ? ".move-up" : ".move-down").focus();
  }

  for (const item of list.children) {
    for (const button of item.querySelectorAll("button")) {
      button.hidden = false;
      button.addEventListener("click", () => move(item, button.classList.contains("move-up") ? -1 : 1));
    }
  }
  list.addEventListener("change", update);
})();
