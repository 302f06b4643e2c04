/* The library's offline worker, served at /library-sw.js (scope "/").
 *
 * The delegate terminal fills a cache named "hdnd-docs-u<user>-s<session>"
 * with the session's documents (library/session/<id>/offline.json lists
 * them). This worker only reads it:
 * - page images and thumbnails: from the cache when there, else the network;
 * - the embedded viewer (/library/doc/<id>/?embed=1): the network first, the
 *   cached copy when the network does not answer (and a fresh answer
 *   refreshes the copy);
 * - the viewer's static files and the translation catalog: the cached copy
 *   at once, refreshed in the background.
 * Everything else is not touched. Signing out (POST to the logout page)
 * drops every cached document.
 */
"use strict";

const PREFIX = "hdnd-docs-";
const IMAGE = /^\/library\/version\/\d+\/(page|thumb)\/\d+\.webp$/;
const VIEWER = /^\/library\/doc\/\d+\/$/;
const NETWORK_WAIT_MS = 4000;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

async function docCaches() {
  return (await caches.keys()).filter((k) => k.startsWith(PREFIX));
}

async function fromCaches(request) {
  for (const name of await docCaches()) {
    const hit = await (await caches.open(name)).match(request, { ignoreVary: true });
    if (hit) return { hit, name };
  }
  return null;
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

async function networkFirst(request) {
  try {
    const response = await withTimeout(fetch(request), NETWORK_WAIT_MS);
    if (response.ok) {
      const cached = await fromCaches(request);
      if (cached) (await caches.open(cached.name)).put(request, response.clone());
    }
    return response;
  } catch (err) {
    const cached = await fromCaches(request);
    if (cached) return cached.hit;
    throw err;
  }
}

async function cacheFirst(request) {
  const cached = await fromCaches(request);
  return cached ? cached.hit : fetch(request);
}

async function staleWhileRevalidate(request, event) {
  const cached = await fromCaches(request);
  if (!cached) return fetch(request);
  event.waitUntil(fetch(request).then((r) => {
    if (r.ok) return caches.open(cached.name).then((c) => c.put(request, r));
    return null;
  }).catch(() => null));
  return cached.hit;
}

async function dropAll() {
  await Promise.all((await docCaches()).map((k) => caches.delete(k)));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname.endsWith("/logout/")) {
    event.waitUntil(dropAll());
    return;
  }
  if (request.method !== "GET") return;
  if (IMAGE.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (VIEWER.test(url.pathname) && url.searchParams.get("embed") === "1" && !url.searchParams.has("status")) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith("/static/library/") || url.pathname.startsWith("/static/css/") || url.pathname === "/jsi18n/") {
    event.respondWith(staleWhileRevalidate(request, event));
  }
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "clear") event.waitUntil(dropAll());
});
