// The service worker's logic. scripts/sw-precache.mjs (a Trunk post_build hook) writes dist/sw.js
// as two generated constants — PRECACHE_VERSION and PRECACHE_FILES, the files of this very build —
// followed by this file. Never edit a list of files here: the build makes it.
//
// - install: every file of the build goes into the cache `refleqt-<version>`; the new worker then
//   waits, so an open tab keeps the version it started with;
// - the page says "A new version is ready"; its button posts "skipWaiting", the new worker takes
//   over, and the page reloads on `controllerchange`;
// - activate: caches of other versions are deleted; open tabs are claimed;
// - fetch: a precached file is answered from this version's cache (network only if it is
//   missing); a navigation to the app (the scope or its index.html) is answered with this version's index.html, so an
//   old index.html never meets new wasm, nor the reverse. Anything else goes to the network.
/* global PRECACHE_VERSION, PRECACHE_FILES */
"use strict";

const CACHE_PREFIX = "refleqt-";
const CACHE_NAME = CACHE_PREFIX + PRECACHE_VERSION;
const scopeUrl = (path) => new URL(path, self.registration.scope).href;
const INDEX_URL = scopeUrl("index.html");
const PRECACHED = new Set(PRECACHE_FILES.map(scopeUrl));

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE_NAME).then((cache) =>
      // `cache: "reload"`: straight from the server, never from the HTTP cache of an older build.
      cache.addAll(PRECACHE_FILES.map((path) => new Request(scopeUrl(path), { cache: "reload" }))),
    ),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skipWaiting") self.skipWaiting();
});

/** `url` from this version's cache, or from the network when the cache lacks it. */
async function fromCache(url, request) {
  const cache = await caches.open(CACHE_NAME);
  const hit = await cache.match(url);
  return hit ?? fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  url.hash = "";
  url.search = "";
  // Routes live in the fragment: the app's only pages are the scope itself and its index.html.
  if (request.mode === "navigate" && (url.href === self.registration.scope || url.href === INDEX_URL)) {
    event.respondWith(fromCache(INDEX_URL, request));
    return;
  }
  if (PRECACHED.has(url.href)) event.respondWith(fromCache(url.href, request));
});
