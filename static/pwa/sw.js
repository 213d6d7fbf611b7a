// Homeward's service worker: precaches the app shell under a versioned cache, serves it with
// no network, and never stores /api answers (records live in IndexedDB). A new version waits
// until the page says so (the user accepted, or no draft is open): an update never touches
// IndexedDB, so no local work is lost. Background Sync: an open page of the app syncs (it
// shows progress); with none open, the worker runs the app's own sync (js/sync.js) itself.
// A module worker (the page registers it with type: 'module'): the imports below are the
// app's modules, none of which touches window, document or localStorage.
/* eslint-env serviceworker */

import { syncInBackground } from './js/sync.js';

const VERSION = '2026.12.07-24';
const CACHE = `homeward-shell-${VERSION}`;
const CACHE_PREFIX = 'homeward-shell-';

// Every file of the app shell. static/pwa/tests/app-modules.test.mjs fails when a file under
// static/pwa is missing.
const SHELL = [
  '/',
  '/index.html',
  '/manifest.webmanifest',
  '/icon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/css/app.css',
  '/css/form.css',
  '/js/api.js',
  '/js/app.js',
  '/js/db.js',
  '/js/drafts.js',
  '/js/expr.js',
  '/js/form-model.js',
  '/js/i18n.js',
  '/js/idle.js',
  '/js/merge.js',
  '/js/outbox.js',
  '/js/records.js',
  '/js/retention.js',
  '/js/session.js',
  '/js/store.js',
  '/js/uuid.js',
  '/js/sync.js',
  '/js/ui/dom.js',
  '/js/ui/editor.js',
  '/js/ui/form.js',
  '/js/ui/form-errors.js',
  '/js/ui/home.js',
  '/js/ui/records.js',
  '/js/ui/settings.js',
  '/js/ui/shell.js',
  '/js/ui/signin.js',
  '/js/ui/widgets/choices.js',
  '/js/ui/widgets/field.js',
  '/js/ui/widgets/file.js',
  '/js/ui/widgets/geopoint.js',
  '/js/ui/widgets/group.js',
  '/js/ui/widgets/input.js',
  '/js/ui/widgets/location.js',
  '/js/ui/widgets/kit.js',
  '/js/ui/widgets/note.js',
  '/js/ui/widgets/photo.js',
  '/js/ui/widgets/reference.js',
  '/js/ui/widgets/repeat.js',
  '/js/ui/widgets/select.js',
  '/js/ui/widgets/signature.js',
];

// --- strategies ------------------------------------------------------------------------------

/** Precache: every shell file fetched past the HTTP cache, all or nothing. */
async function precache() {
  const cache = await caches.open(CACHE);
  await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
}

/** Cache first for the shell (the version string decides when it changes); a file not in
 * the list (added without updating SHELL) is fetched and kept, so it still works offline. */
async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') cache.put(request, response.clone());
  return response;
}

/** Navigations: the cached index.html (the app routes by #hash), the network only if the
 * cache was lost. */
async function navigation(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match('/index.html');
  if (hit) return hit;
  return fetch(request);
}

// --- lifecycle -------------------------------------------------------------------------------

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
  // no skipWaiting here: the page decides when a new version takes over
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'skip-waiting') self.skipWaiting();
  if (data.type === 'version' && event.source) event.source.postMessage({ type: 'version', version: VERSION });
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/healthz' || url.pathname.startsWith('/docs')
      || url.pathname.startsWith('/review') || url.pathname === '/openapi.json') return; // network only
  if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
    return;
  }
  event.respondWith(cacheFirst(request));
});

// --- Background Sync ---------------------------------------------------------------------------

const SYNC_TAG = 'homeward-sync';
const APP_PATHS = new Set(['/', '/index.html']); // the app routes by #hash; /review, /docs are not it

/** The open windows of the field app (not a supervisor's /review page of the same origin). */
async function appWindows() {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  return windows.filter((w) => APP_PATHS.has(new URL(w.url).pathname));
}

// A page of the app is open: ask it to sync (it shows progress). None: sync here, with the
// app's Syncer under the same Web Lock as the page's (so a page opened meanwhile waits for this
// run, and the reverse). Nobody signed in, or the token refused (401): resolve, doing nothing,
// so the browser does not retry in a loop. No connection, a server error, work left: reject,
// so the browser tries again later.
self.addEventListener('sync', (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil((async () => {
    const pages = await appWindows();
    if (pages.length) {
      for (const page of pages) page.postMessage({ type: 'sync' });
      return;
    }
    await syncInBackground();
  })());
});
