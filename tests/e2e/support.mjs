// Shared pieces of the browser suite: a static server for the release build and a headless Chromium.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { TYPES, sitePath } from './serve-compressed.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'dist');
export const SHOTS = join(ROOT, 'target', 'e2e');

/**
 * Serves `dir` (default `dist/`) on a free loopback port; resolves to { url, close }. With `prefix` (such as
 * `/playground/`) the site is served under that path only, as on a project page; `hold(path)` may return a
 * promise a response waits for (to watch the page before the Wasm arrives).
 */
export async function serveDist(dir = DIST, { prefix = '/', hold } = {}) {
  const server = createServer(async (req, res) => {
    const path = sitePath(req, prefix);
    if (path === null) {
      res.writeHead(404).end('not found');
      return;
    }
    if (hold) await hold(path);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () =>
      new Promise((ok) => {
        server.close(ok);
        server.closeAllConnections();
      }),
  };
}

/** Launches Debian's Chromium headless, never a downloaded browser. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Serves `dir` with the files whose path `held` matches (a RegExp: `/\.wasm$/` the Wasm, `/^\/content-/` the
 * diagrams' bundle) held back until `release()` is called; resolves to { site, release }.
 */
export async function serveHolding(held, dir = DIST) {
  let release;
  const gate = new Promise((ok) => (release = ok));
  const site = await serveDist(dir, { hold: (path) => (held.test(path) ? gate : undefined) });
  return { site, release };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A browser with a profile on disk in `profile`, as a person has (a service worker and its caches survive a
 * reload; Chromium does not offer to install from an incognito profile); 1280×800.
 */
export async function launchPersistent(profile) {
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: CHROMIUM_ARGS,
  });
}

/**
 * A first visit in a persistent `context` (see `launchPersistent`): skips the gallery, opens `url`, waits for
 * the example diagram and for the service worker to control the page. Resolves to { page, errors }.
 */
export async function firstVisitWithWorker(context, url) {
  await skipGallery(context);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.locator('[data-node-id="users"]').waitFor({ timeout: 15000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15000 });
  return { page, errors };
}

/** The localStorage key that says the gallery was shown (core's `editor::opening::GALLERY_SEEN_KEY`). */
export const GALLERY_SEEN_KEY = 'sdp.gallery.seen.v1';

/** Marks the gallery as seen in every page of `context`, so a first visit opens on the example, not the gallery. */
export async function skipGallery(context) {
  await context.addInitScript((key) => localStorage.setItem(key, '1'), GALLERY_SEEN_KEY);
}

/**
 * Opens a page that records console errors and uncaught exceptions into `errors`. A fresh browser shows the
 * scenario gallery on a first visit; pass `gallery: true` to see it, otherwise the page opens on the example.
 */
export async function openPage(browser, url, { colorScheme = 'light', viewport = { width: 1280, height: 800 }, gallery = false } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, acceptDownloads: true });
  if (!gallery) await skipGallery(context);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(url);
  return { context, page, errors };
}

export async function screenshot(page, name) {
  await mkdir(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** The localStorage key the editor autosaves to (core's `editor::storage::STORAGE_KEY`). */
export const STORAGE_KEY = 'sdp.diagram.v1';

/** Centre of an element's bounding box, in page pixels. */
export async function centre(locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`no box for ${locator}`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A real pointer drag with the mouse: press at `from`, move in `steps` steps, release at `to`. */
export async function drag(page, from, to, { steps = 12, shift = false } = {}) {
  if (shift) await page.keyboard.down('Shift');
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
  if (shift) await page.keyboard.up('Shift');
}

/** Opens the page with `doc` (a topology object) as the autosaved diagram. */
export async function openWithDiagram(browser, url, doc, options) {
  const opened = await openPage(browser, url, options);
  await opened.page.evaluate(([k, v]) => localStorage.setItem(k, v), [STORAGE_KEY, JSON.stringify(doc)]);
  await opened.page.reload();
  await opened.page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  return opened;
}

/** A diagram of `n` nodes on a grid: clients feeding load balancers, servers and databases, each calling the next. */
export function gridDiagram(n, { cols = 5, dx = 200, dy = 100 } = {}) {
  const kinds = ['client', 'load_balancer', 'server', 'database'];
  const nodes = [];
  const edges = [];
  for (let i = 0; i < n; i++) {
    const col = i % cols;
    const row = Math.floor(i / cols);
    const kind = col === 0 ? 'client' : col === cols - 1 ? 'database' : kinds[Math.min(col, 2)];
    nodes.push({ id: `n${i}`, kind, label: `${kind.replace('_', ' ')} ${i}`, position: { x: 40 + col * dx, y: 40 + row * dy } });
    if (col > 0) edges.push({ id: `e${i}`, from: `n${i - 1}`, to: `n${i}` });
  }
  return { version: 1, name: `Grid of ${n}`, nodes, edges };
}

/** The `p`-th percentile (0–100) of `xs`, nearest rank; the benchmark scripts report frame times with it. */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Waits until `locator` matches exactly `n` elements (the page renders after an event, not during it). */
export async function countBecomes(locator, n, timeout = 5000) {
  const until = Date.now() + timeout;
  let last = await locator.count();
  while (last !== n && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 25));
    last = await locator.count();
  }
  return last;
}

/**
 * One test file's site: serves `dist/` and launches Chromium before its tests, closes both after them.
 * Returns `{ url, browser }`, filled in once the `before` hook has run.
 */
export function useSite(dir = DIST) {
  const site = { url: undefined, browser: undefined };
  let server;
  before(async () => {
    server = await serveDist(dir);
    site.url = server.url;
    site.browser = await launch();
  });
  after(async () => {
    await site.browser?.close();
    await server?.close();
  });
  return site;
}
