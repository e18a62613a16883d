// System Design Playground's service worker: keeps the built site in this browser so it opens offline after
// the first visit. It knows no file names of its own: on install it reads the built index.html and caches
// every file it links (the hashed stylesheet, JS glue and Wasm), plus the manifest and icons. The page is
// fetched network first (a new build shows up when online) and falls back to the cached copy; the hashed files
// never change, so they are served from the cache first. When a newer index.html arrives, files it no longer
// links are dropped. All addresses are relative to this file, so the site works under any path.

const CACHE = 'sdp-site-v1';
const STATIC = ['./', 'manifest.webmanifest', 'icons/icon.svg', 'icons/icon-192.png', 'icons/icon-512.png'];

/** The same-origin files an index.html links (href= and src= values), as absolute URLs. */
function linked(html) {
  const out = new Set();
  for (const m of html.matchAll(/\b(?:href|src)="([^"#?]+)"/g)) {
    const url = new URL(m[1], self.registration.scope);
    if (url.origin === self.location.origin) out.add(url.href);
  }
  // The loader imports the glue and fetches the Wasm by name inside its inline script.
  for (const m of html.matchAll(/['"](\.\/[^'"]+\.(?:js|wasm))['"]/g)) {
    out.add(new URL(m[1], self.registration.scope).href);
  }
  return out;
}

function keep(html) {
  const files = linked(html);
  for (const s of STATIC) files.add(new URL(s, self.registration.scope).href);
  return files;
}

/** Trunk's hashed file names (`playground-web-1a2b…_bg.wasm`): their content never changes under a name. */
const HASHED = /-[0-9a-f]{16}(?:_bg)?\.[a-z]+$/;

async function precache() {
  const cache = await caches.open(CACHE);
  const page = await fetch('./', { cache: 'no-cache' });
  if (!page.ok) throw new Error(`index.html: ${page.status}`);
  const html = await page.clone().text();
  await cache.put('./', page);
  const files = [...keep(html)].filter((u) => u !== new URL('./', self.registration.scope).href);
  // A hashed file the page has just loaded is taken from the HTTP cache (on a slow line the Wasm is not
  // downloaded twice); anything else is revalidated.
  await cache.addAll(files.map((u) => new Request(u, { cache: HASHED.test(new URL(u).pathname) ? 'default' : 'no-cache' })));
}

/** Drops cached files the newest index.html no longer links (an older build's hashed files). */
async function prune(html) {
  const wanted = keep(html);
  const cache = await caches.open(CACHE);
  for (const req of await cache.keys()) {
    if (!wanted.has(req.url)) await cache.delete(req);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const fresh = await fetch(request);
    if (fresh.ok) {
      const html = await fresh.clone().text();
      await cache.put('./', fresh.clone());
      prune(html);
    }
    return fresh;
  } catch (err) {
    const cached = await cache.match('./');
    if (cached) return cached;
    throw err;
  }
}

async function file(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const fresh = await fetch(request);
  if (fresh.ok && fresh.type === 'basic') await cache.put(request, fresh.clone());
  return fresh;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.href.startsWith(self.registration.scope)) return;
  const index = url.origin + url.pathname === self.registration.scope || url.pathname.endsWith('/index.html');
  if (index) event.respondWith(page(request));
  else if (request.mode !== 'navigate') event.respondWith(file(request));
});
