// The phone page's service worker (/ui/inspect): it keeps the page's own two files, so the page opens
// again without a connection (the inspector's records are in the page's IndexedDB). Network first, so a
// new release is taken as soon as there is a connection; it answers nothing else (never the API).
"use strict";

const SHELL = "sitegw-inspect-1";
const FILES = ["/ui/inspect", "/ui/page/inspect.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== SHELL).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const path = new URL(event.request.url).pathname;
  if (event.request.method !== "GET" || !FILES.includes(path)) return;
  event.respondWith(
    fetch(event.request)
      .then((answer) => {
        if (answer.ok) {
          const copy = answer.clone();
          caches.open(SHELL).then((c) => c.put(path, copy));
        }
        return answer;
      })
      .catch(() => caches.match(path)),
  );
});
