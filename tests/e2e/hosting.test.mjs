// End-to-end: the built site works wherever it is hosted. Served under a sub-path (a project page such as
// user.github.io/playground/) every file it asks for is found and the app starts; before the Wasm arrives the
// page shows the app shell (plain HTML and CSS; the inline scripts, which the content security policy pins by
// hash, are Trunk's loader and a check whether this is a first visit): the header, the palette and the tab bar
// where the app puts them, the loading state where the canvas will be and, on a first visit, the gallery's
// first screen; the app replaces it and nothing moves.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, serveDist, serveHolding, launch, skipGallery, screenshot, GALLERY_SEEN_KEY, STORAGE_KEY } from './support.mjs';

let browser;
after(async () => browser?.close());

test('under a sub-path every asset loads and the app starts', async () => {
  const site = await serveDist(DIST, { prefix: '/playground/' });
  browser ??= await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await skipGallery(context);
  const page = await context.newPage();
  const missing = [];
  const errors = [];
  page.on('response', (r) => r.status() >= 400 && missing.push(`${r.status()} ${r.url()}`));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(site.url);
  await page.locator('[data-node-id="users"]').waitFor({ timeout: 15000 });
  // Every request the page made stayed under the sub-path.
  const outside = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => !p.startsWith('/playground/')));
  assert.deepEqual(outside, []);
  assert.deepEqual(missing, []);
  // The manifest is found beside the page.
  const manifest = await page.evaluate(async () => (await fetch(document.querySelector('link[rel=manifest]').href)).json());
  assert.equal(manifest.start_url, './');
  assert.deepEqual(errors, []);
  await context.close();
  await site.close();
});

test('the app shell shows until the Wasm starts, then the app replaces it', async () => {
  const html = await readFile(join(DIST, 'index.html'), 'utf8');
  // No inline script but the first-visit check and Trunk's loader.
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(inline.length, 2, `${inline.length} inline scripts`);
  assert.equal(inline.filter((t) => /^\s*import init, \* as bindings from '\.\/playground-web-[0-9a-f]+\.js';/.test(t)).length, 1, "Trunk's loader");
  assert.equal(inline.filter((t) => /classList\.add\('sdp-first'\)/.test(t)).length, 1, 'the first-visit check');
  assert.ok(!/\son[a-z]+=/.test(html.replace(/<script[\s\S]*?<\/script>/g, '')), 'no inline event handler');
  // Hold the Wasm back until the shell has been seen.
  const { site, release } = await serveHolding(/\.wasm$/);
  browser ??= await launch();
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await skipGallery(context);
  const page = await context.newPage();
  await page.goto(site.url, { waitUntil: 'domcontentloaded' });
  const loading = page.locator('#sdp-loading');
  await loading.waitFor({ state: 'visible' });
  assert.match(await loading.textContent(), /Loading the simulator/);
  // Styled by the stylesheet: it fills the screen, and says what is loading where the canvas will be.
  const box = await loading.boundingBox();
  assert.ok(box.width >= 380 && box.height >= 800, JSON.stringify(box));
  assert.ok(await page.locator('#sdp-loading [role="status"]').isVisible());
  assert.equal(await page.locator('[data-testid="app"]').count(), 0);
  // Nothing in the shell can be mistaken for the app's controls.
  assert.equal(await page.locator('#sdp-loading :is(button, [data-kind], [data-region], [data-action])').count(), 0);
  release();
  await page.locator('[data-node-id="users"]').waitFor({ timeout: 15000 });
  assert.equal(await page.locator('#sdp-loading').count(), 0, 'the shell is gone');
  await context.close();
  await site.close();
});

/** Boxes of what the shell and the app both show, by name, in page pixels. */
function boxes() {
  const root = document.querySelector('[data-testid="app"]') ?? document.getElementById('sdp-loading');
  const out = {};
  const put = (name, el) => {
    if (!el) return;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;
    out[name] = [r.x, r.y, r.width, r.height].map(Math.round);
  };
  put('header', root.querySelector('header'));
  put('brand mark', root.querySelector('.brand-mark'));
  put('canvas area', root.querySelector('.canvas-area'));
  put('palette', root.querySelector('.palette'));
  put('inspector', root.querySelector('.inspector'));
  put('metrics', root.querySelector('.metrics'));
  put('tab bar', root.querySelector('.tabbar'));
  root.querySelectorAll('.palette-item').forEach((el, i) => put(`palette item ${i}`, el));
  root.querySelectorAll('.tabbar .tab').forEach((el, i) => put(`tab ${i}`, el));
  return out;
}

test("the shell shows the app's palette and places: nothing moves when the app arrives, phone to desktop", async () => {
  const { site, release } = await serveHolding(/\.wasm$/);
  browser ??= await launch();
  const sizes = [[390, 844], [820, 1180], [1440, 900]];
  const pages = [];
  for (const [width, height] of sizes) {
    const context = await browser.newContext({ viewport: { width, height } });
    await skipGallery(context);
    const page = await context.newPage();
    await page.goto(site.url, { waitUntil: 'domcontentloaded' });
    await page.locator('#sdp-loading').waitFor({ state: 'visible' });
    pages.push({ width, context, page, shell: await page.evaluate(boxes) });
    await screenshot(page, `shell-${width}`);
  }
  release();
  for (const p of pages) {
    // Every part has mounted (the metrics come a frame after the palette and canvas).
    await p.page.locator('[data-testid="app"] [data-region="metrics"]').waitFor({ state: 'attached', timeout: 30000 });
    const app = await p.page.evaluate(boxes);
    await screenshot(p.page, `app-${p.width}`);
    // Everything the shell painted is where the app puts it (a palette of the same items, the same sizes).
    assert.ok(Object.keys(p.shell).length >= (p.width < 900 ? 6 : 25), `${Object.keys(p.shell)} at ${p.width} px`);
    for (const [name, was] of Object.entries(p.shell)) {
      assert.deepEqual(app[name], was, `${name} at ${p.width} px: shell ${was}, app ${app[name]}`);
    }
    await p.context.close();
  }
  await site.close();
});

test("the shell's palette is the app's: every kind, in order, with its icon, name and hint", async () => {
  const { site, release } = await serveHolding(/\.wasm$/);
  browser ??= await launch();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await skipGallery(context);
  const page = await context.newPage();
  const items = (root) =>
    page.evaluate(
      (sel) => [...document.querySelectorAll(`${sel} .palette-item`)].map((el) => [el.className, el.querySelector('.palette-icon').innerHTML, el.querySelector('.palette-name').textContent, el.querySelector('.palette-hint').textContent]),
      root,
    );
  await page.goto(site.url, { waitUntil: 'domcontentloaded' });
  await page.locator('#sdp-loading').waitFor({ state: 'visible' });
  const shell = await items('#sdp-loading');
  release();
  await page.locator('[data-testid="app"] .palette-item').first().waitFor({ timeout: 15000 });
  const app = await items('[data-testid="app"]');
  assert.ok(app.length >= 20, `${app.length} kinds`);
  assert.deepEqual(shell, app, 'the shell\'s palette differs from the app\'s: run `node tests/e2e/make-shell.mjs` after a build');
  await context.close();
  await site.close();
});

/** The gallery dialog's parts by name, in page pixels, and their text: the shell's copy while it shows, else the app's. */
function galleryParts() {
  const shell = document.getElementById('sdp-gallery');
  const root = shell && getComputedStyle(shell).display !== 'none' ? shell : document.querySelector('[data-gallery]')?.parentElement;
  const out = {};
  if (!root) return out;
  const put = (name, el, text = true) => {
    const r = el.getBoundingClientRect();
    out[name] = [r.x, r.y, r.width, r.height].map(Math.round);
    if (text) out[name].push(el.textContent.trim().replace(/\s+/g, ' '));
  };
  // The dialog's own text grows with the chapters the app adds later.
  put('dialog', root.querySelector('.gallery'), false);
  put('head', root.querySelector('.gallery-head'));
  put('search', root.querySelector('.gallery-search'));
  root.querySelectorAll('.gallery-chapter').forEach((c, i) => {
    if (i >= 2) return;
    put(`chapter ${i}`, c.querySelector('.chapter-title'));
    c.querySelectorAll(':is(.scenario-card, .challenge-card)').forEach((card, j) => {
      put(`chapter ${i} card ${j}`, card);
      put(`chapter ${i} card ${j} text`, card.querySelector('.scenario-text'));
      put(`chapter ${i} card ${j} button`, card.querySelector('.btn'));
    });
  });
  return out;
}

/** A site whose Wasm (`what` = 'wasm') or diagrams' bundle ('content') is held back until `release()`. */
test("a first visit's shell shows the gallery's first screen, the app's own: nothing moves, and the largest paint stays the shell's", async () => {
  const { site, release } = await serveHolding(/\.wasm$/);
  browser ??= await launch();
  const pages = [];
  for (const [width, height] of [[390, 844], [820, 1180], [1440, 900]]) {
    const context = await browser.newContext({ viewport: { width, height } });
    await context.addInitScript(() => {
      window.__lcp = [];
      new PerformanceObserver((l) => window.__lcp.push(...l.getEntries().map((e) => ({ t: e.startTime, size: e.size })))).observe({ type: 'largest-contentful-paint', buffered: true });
    });
    const page = await context.newPage();
    await page.goto(site.url, { waitUntil: 'domcontentloaded' });
    await page.locator('#sdp-gallery .scenario-card').first().waitFor({ state: 'visible' });
    // No control of the app's in it: its cards are links, its Close the shell's own.
    assert.equal(await page.locator('#sdp-gallery :is([data-action], [data-scenario], [data-gallery])').count(), 0);
    assert.equal(await page.locator('#sdp-gallery a[href^="#scenario="]').count(), 4);
    pages.push({ width, context, page, shell: await page.evaluate(galleryParts) });
    await screenshot(page, `shell-gallery-${width}`);
  }
  const released = {};
  for (const p of pages) released[p.width] = await p.page.evaluate(() => performance.now());
  release();
  for (const p of pages) {
    // The app's gallery lists its chapters and the shell's copy is gone.
    await p.page.locator('[data-gallery] .gallery-chapter').nth(1).waitFor({ timeout: 30000 });
    await p.page.locator('#sdp-gallery').waitFor({ state: 'detached', timeout: 5000 });
    const app = await p.page.evaluate(galleryParts);
    await screenshot(p.page, `app-gallery-${p.width}`);
    assert.ok(Object.keys(p.shell).length >= 3 + 2 + 8 * 3, `${Object.keys(p.shell)} at ${p.width} px`);
    for (const [name, was] of Object.entries(p.shell)) {
      assert.deepEqual(app[name], was, `${name} at ${p.width} px: shell ${was}, app ${app[name]}`);
    }
    // The largest contentful paint is the shell's, painted before the Wasm came: the app's copy is no larger.
    await p.page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    const lcp = await p.page.evaluate(() => window.__lcp);
    assert.ok(lcp.length > 0 && lcp.at(-1).t < released[p.width], `${p.width} px: ${JSON.stringify(lcp)}, Wasm released at ${released[p.width]}`);
    await p.context.close();
  }
  await site.close();
});

test("the shell shows the gallery exactly when the app will open it: a first visit, not a return, a link or a recovery", async () => {
  const record = JSON.stringify({ message: 'a test', slot: STORAGE_KEY, hash: '', during: 'start', count: 1 });
  const saved = JSON.stringify({ version: 1, name: 'Mine', nodes: [{ id: 'a', kind: 'server', label: 'A', position: { x: 100, y: 100 } }], edges: [] });
  const cases = [
    ['a first visit', {}, '', true],
    ['saved work', { [STORAGE_KEY]: saved }, '', false],
    ['the gallery seen before', { [GALLERY_SEEN_KEY]: '1' }, '', false],
    ['a scenario link', {}, '#scenario=dns-ttl', false],
    ['a share link', {}, '#d=bad', false],
    ['a failure to recover from', { 'sdp.panic.v1': record }, '', false],
    ['the reload after a failure', {}, '?recover', false],
  ];
  browser ??= await launch();
  for (const [what, stored, suffix, expected] of cases) {
    const { site, release } = await serveHolding(/\.wasm$/);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript((items) => {
      if (sessionStorage.getItem('seeded')) return;
      sessionStorage.setItem('seeded', '1');
      for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v);
    }, stored);
    const page = await context.newPage();
    await page.goto(`${site.url}${suffix}`, { waitUntil: 'domcontentloaded' });
    await page.locator('#sdp-loading').waitFor({ state: 'visible' });
    const shell = await page.locator('#sdp-gallery').isVisible();
    release();
    await page.locator('[data-testid="app"]').waitFor({ timeout: 15000 });
    // The app opens the gallery in its first render, or never.
    const app = (await page.locator('[data-gallery]').count()) === 1;
    assert.equal(shell, expected, `${what}: the shell ${shell ? 'shows' : 'hides'} the gallery`);
    assert.equal(app, expected, `${what}: the app ${app ? 'opens' : 'does not open'} the gallery`);
    if (!expected) assert.equal(await page.locator('#sdp-gallery').count(), 0, `${what}: the shell's copy is gone`);
    await context.close();
    await site.close();
  }
});

test("a card of the shell's gallery clicked before the app starts opens its scenario once it has; Close keeps the gallery closed", async () => {
  browser ??= await launch();
  // Before the Wasm: the click hides the gallery at once (the loading state shows), and the app opens the card.
  {
    const { site, release } = await serveHolding(/\.wasm$/);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(site.url, { waitUntil: 'domcontentloaded' });
    await page.locator('#sdp-gallery a[href="#scenario=client-server"]').click();
    await page.locator('#sdp-gallery').waitFor({ state: 'hidden', timeout: 2000 });
    assert.ok(await page.locator('#sdp-loading [role="status"]').isVisible());
    release();
    await page.locator('[data-visit="scenario"]').waitFor({ timeout: 15000 });
    assert.match(await page.locator('.visit-title').textContent(), /^Scenario: Client-server basics$/);
    assert.equal(await page.locator('[data-gallery]').count(), 0);
    await context.close();
    await site.close();
  }
  // After the Wasm, before the diagrams' bundle: the shell's copy still covers the app's waiting gallery, and a
  // challenge card clicked then opens once the bundle is there.
  {
    const { site, release } = await serveHolding(/^\/content-/);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(site.url);
    await page.locator('[data-gallery-waiting]').waitFor({ timeout: 15000 });
    assert.ok(await page.locator('#sdp-gallery').isVisible());
    await page.locator('#sdp-gallery a[href="#challenge=more-workers"]').click();
    await page.locator('[data-gallery]').waitFor({ state: 'detached', timeout: 5000 });
    release();
    await page.locator('[data-visit="challenge"]').waitFor({ timeout: 15000 });
    assert.equal(new URL(page.url()).hash, '#challenge=more-workers');
    assert.equal(await page.locator('#sdp-gallery').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
    await site.close();
  }
  // Close before the Wasm: the gallery stays closed when the app starts, as if closed in the app.
  {
    const { site, release } = await serveHolding(/\.wasm$/);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(site.url, { waitUntil: 'domcontentloaded' });
    await page.locator('#sdp-gallery [data-shell-close]').click();
    await page.locator('#sdp-gallery').waitFor({ state: 'hidden', timeout: 2000 });
    release();
    await page.locator('[data-node-id="users"]').waitFor({ timeout: 15000 });
    assert.equal(await page.locator('[data-gallery]').count(), 0);
    assert.equal(await page.locator('#sdp-gallery').count(), 0);
    await context.close();
    await site.close();
  }
});

test('with nothing held back the shell still paints before the app starts: the largest paint is the shell gallery\'s', async () => {
  const site = await serveDist(DIST);
  browser ??= await launch();
  // Lighthouse's phone: the app must not replace a shell nobody saw (the loader waits for its first contentful
  // paint before it fetches the Wasm, Trunk.toml), or its own gallery becomes a later, Wasm-bound largest paint.
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
  await context.addInitScript(() => {
    window.__lcp = [];
    new PerformanceObserver((l) => window.__lcp.push(...l.getEntries().map((e) => ({ t: e.startTime, size: e.size })))).observe({ type: 'largest-contentful-paint', buffered: true });
    addEventListener('TrunkApplicationStarted', () => (window.__started = performance.now()));
  });
  const page = await context.newPage();
  await page.goto(site.url);
  await page.locator('[data-gallery] .gallery-chapter').nth(1).waitFor({ timeout: 30000 });
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const { lcp, started } = await page.evaluate(() => ({ lcp: window.__lcp, started: window.__started }));
  assert.ok(started > 0, 'the app started');
  assert.ok(lcp.length > 0 && lcp.every((e) => e.t < started), `LCP entries ${JSON.stringify(lcp)}, app started at ${started}`);
  await context.close();
  await site.close();
});
