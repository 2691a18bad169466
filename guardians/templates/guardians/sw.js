{% load static %}/* Citizen Guardians service worker (served by guardians.views.service_worker with scope
 * {% url 'guardians:program' %}). It keeps the card form and its assets so that the form opens
 * without signal; finished cards are queued by the page itself (static/js/guardian-card.js). */
"use strict";
const CACHE = "villaguard-guardians-v1";
const PAGES = ["{% url 'guardians:card_new' %}"];
const ASSETS = [
  "{% static 'css/portal.css' %}",
  "{% static 'guardians/guardians.css' %}",
  "{% static 'js/guardian-card.js' %}",
  "{% url 'javascript-catalog' %}",
];

async function store(cache, url) {
  try {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    // A redirect (to the login page) or an error is not worth keeping.
    if (response.ok && !response.redirected) await cache.put(url, response);
  } catch (error) {
    /* Offline while installing: kept on the next visit. */
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => Promise.all([...PAGES, ...ASSETS].map((url) => store(cache, url))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function cacheKey(request) {
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  if (PAGES.includes(url.pathname) && request.mode === "navigate") return url.pathname;
  if (ASSETS.includes(url.pathname)) return url.pathname;
  return null;
}

// Network first (the page carries fresh questions and spaces), the copy when offline.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const key = cacheKey(request);
  if (!key) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.ok && !response.redirected) await cache.put(key, response.clone());
      return response;
    } catch (error) {
      const copy = await cache.match(key);
      if (copy) return copy;
      throw error;
    }
  })());
});
