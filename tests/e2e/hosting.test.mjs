// End-to-end: the built site works wherever it is hosted. Served under a sub-path (a project page such as
// user.github.io/playground/) every file it asks for is found and the app starts; before the Wasm arrives the
// page shows a loading screen of its own (plain HTML and CSS: the only inline script is Trunk's loader, which
// the content security policy pins by hash), and the app replaces it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, serveDist, launch, skipGallery } from './support.mjs';

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

test('a loading screen shows until the Wasm starts, then the app replaces it', async () => {
  const html = await readFile(join(DIST, 'index.html'), 'utf8');
  // No inline script but Trunk's loader.
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(inline.length, 1, `${inline.length} inline scripts`);
  assert.match(inline[0], /^\s*import init, \* as bindings from '\.\/playground-web-[0-9a-f]+\.js';/);
  assert.ok(!/\son[a-z]+=/.test(html.replace(/<script[\s\S]*?<\/script>/g, '')), 'no inline event handler');
  // Hold the Wasm back until the loading screen has been seen.
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
  // Styled by the stylesheet: it fills the screen.
  const box = await loading.boundingBox();
  assert.ok(box.width >= 380 && box.height >= 800, JSON.stringify(box));
  assert.equal(await page.locator('[data-testid="app"]').count(), 0);
  release();
  await page.locator('[data-node-id="users"]').waitFor({ timeout: 15000 });
  assert.equal(await page.locator('#sdp-loading').count(), 0, 'the loading screen is gone');
  await context.close();
  await site.close();
});
