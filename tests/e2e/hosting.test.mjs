// End-to-end: the built site works wherever it is hosted. Served under a sub-path (a project page such as
// user.github.io/playground/) every file it asks for is found and the app starts; before the Wasm arrives the
// page shows the app shell (plain HTML and CSS: the only inline script is Trunk's loader, which the content
// security policy pins by hash): the header, the palette and the tab bar where the app puts them, and the
// loading state where the canvas will be; the app replaces it and nothing moves.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, serveDist, launch, skipGallery, screenshot } from './support.mjs';

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
  // No inline script but Trunk's loader.
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(inline.length, 1, `${inline.length} inline scripts`);
  assert.match(inline[0], /^\s*import init, \* as bindings from '\.\/playground-web-[0-9a-f]+\.js';/);
  assert.ok(!/\son[a-z]+=/.test(html.replace(/<script[\s\S]*?<\/script>/g, '')), 'no inline event handler');
  // Hold the Wasm back until the shell has been seen.
  let release;
  const held = new Promise((ok) => (release = ok));
  const site = await serveDist(DIST, { hold: (path) => (path.endsWith('.wasm') ? held : undefined) });
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
  let release;
  const held = new Promise((ok) => (release = ok));
  const site = await serveDist(DIST, { hold: (path) => (path.endsWith('.wasm') ? held : undefined) });
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
  let release;
  const held = new Promise((ok) => (release = ok));
  const site = await serveDist(DIST, { hold: (path) => (path.endsWith('.wasm') ? held : undefined) });
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
