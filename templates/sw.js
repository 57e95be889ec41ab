{#- The phone page's service worker (scope /j/, served by game/web/offline.py). Jinja comments:
    none of this text is shipped. A reload without network shows the phone page from here;
    play.js then draws the card and the unsent outbox from localStorage. The page itself is
    network first (online it is always fresh); its files come from a cache named after their
    version, so a release replaces them. Socket.IO and every other request pass through. -#}
"use strict";
const ASSETS = {{ assets|tojson }}, FILES = "tafelronde-{{ version }}", PAGES = "tafelronde-pages";
{# The phone page, and a table's takeaway page (kept like it, so what a table keeps stays
   readable without a network); EXTRAS: what only those load later, kept the same way. #}
const PAGE = /\/j\/[^/.]+(\/takeaway\/\d+\/\w+)?$/, EXTRAS = {{ extras|tojson }};
{# A copy of the phone page `url` (a fresh answer), under its address without the query; the
   last few sessions are enough. #}
async function keep(url, answer) {
  if (!answer.ok || answer.type !== "basic") return;
  const pages = await caches.open(PAGES);
  await pages.put(url.split("?")[0], answer);
  for (const r of (await pages.keys()).slice(0, -8)) await pages.delete(r);
}
{# "no-cache": revalidated, so a copy the browser's HTTP cache kept from an older release is
   not taken. The page that registered the worker loaded before it: it is fetched once more. #}
addEventListener("install", (e) => e.waitUntil((async () => {
  await (await caches.open(FILES)).addAll(ASSETS.map((u) => new Request(u, { cache: "no-cache" })));
  for (const c of await clients.matchAll({ type: "window", includeUncontrolled: true }))
    if (PAGE.test(new URL(c.url).pathname)) await fetch(c.url).then((a) => keep(c.url, a), () => null);
  await skipWaiting();
})()));
{# The caches of older releases go. #}
addEventListener("activate", (e) => e.waitUntil((async () => {
  for (const name of await caches.keys())
    if (name.startsWith("tafelronde-") && name !== FILES && name !== PAGES) await caches.delete(name);
  await clients.claim();
})()));

addEventListener("fetch", (e) => {
  const r = e.request, url = new URL(r.url);
  if (r.method !== "GET" || url.origin !== location.origin || url.pathname.includes("/socket.io/")) return;
  if ((r.mode === "navigate" && PAGE.test(url.pathname)) || EXTRAS.includes(url.pathname)) e.respondWith((async () => {
    try {
      const answer = await fetch(r);
      e.waitUntil(keep(r.url, answer.clone()));
      return answer;
    } catch (offline) {
      return (await caches.match(r.url.split("?")[0], { cacheName: PAGES, ignoreVary: true })) || Response.error();
    }
  })());
  else if (ASSETS.includes(url.pathname))
    e.respondWith(caches.match(url.pathname, { cacheName: FILES, ignoreVary: true }).then((hit) => hit || fetch(r)));
});
