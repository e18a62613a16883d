// End-to-end: four levels of cache built in the page. A browser with an HTTP cache, a CDN edge, an app server
// with a cache-aside cache and a database with a buffer cache are dropped from the palette, connected with
// pointer drags and set up in the inspector (the browser cache and the buffer cache added as optional
// objects), run to the end, and the metrics panel's "Reads answered at" line (`data-answered`) read: every
// level answered some reads, nearest the user first, and the counts add up to about the reads sent. The
// gallery's "Four levels of cache" scenario shows the same line. Screenshots at three sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot, centre, drag } from './support.mjs';

const site = useSite();

const palette = (page, kind) => page.locator(`[data-region="palette"] [data-kind="${kind}"]`);
const node = (page, id) => page.locator(`[data-node-id="${id}"]`);

/** Drags a palette item to a point of the canvas given relative to the canvas's top-left corner. */
async function dropFromPalette(page, kind, x, y) {
  const canvas = await page.locator('svg.canvas').boundingBox();
  await palette(page, kind).scrollIntoViewIfNeeded();
  await drag(page, await centre(palette(page, kind)), { x: canvas.x + x, y: canvas.y + y }, { steps: 15 });
}

async function connect(page, fromId, toId) {
  await drag(page, await centre(node(page, fromId).locator('.node-port')), await centre(node(page, toId).locator('.node-card')));
  await page.locator(`[data-edge-id="${fromId}-${toId}"]`).waitFor({ state: 'attached' });
}

async function select(page, id) {
  await page.mouse.click(...Object.values(await centre(node(page, id).locator('.node-label'))));
}

const inspector = (page) => page.locator('[data-region="inspector"]');

/** Sets a number field of the inspector and commits it with Enter. */
async function setParam(page, param, value) {
  const field = inspector(page).locator(`[data-param="${param}"]`);
  await field.fill(String(value));
  await field.press('Enter');
}

/** Adds an optional object (its defaults) in the inspector. */
async function addOptional(page, param) {
  await inspector(page).locator(`[data-optional="${param}"] [data-action="add"]`).click();
  await inspector(page).locator(`[data-optional="${param}"][data-present="true"]`).waitFor({ timeout: 5000 });
}

async function runToTheEnd(page) {
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 120000 });
}

/** The "Reads answered at" line: its entries in order, `{ level, node, count }`. */
async function answered(page) {
  const line = page.locator('[data-answered]');
  await line.waitFor({ timeout: 10000 });
  return line.locator('[data-level]').evaluateAll((spans) =>
    spans.map((s) => ({ level: s.dataset.level, node: s.dataset.node, count: Number(s.dataset.count) })));
}

/** Screenshots at three sizes with the "Reads answered at" line in view (below 900 px, in the Metrics sheet). */
async function shots(page, prefix) {
  for (const [w, h, name] of [[1440, 900, 'desktop'], [820, 1180, 'tablet'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    if (w < 900) {
      const tab = page.locator('[data-tab="metrics"]');
      if (!(await tab.getAttribute('class')).includes('open')) await tab.click();
    }
    await page.locator('[data-answered]').scrollIntoViewIfNeeded();
    console.log(`# screenshot: ${await screenshot(page, `${prefix}-${name}`)}`);
  }
}

test('four cache levels built in the page: every level answers some reads, nearest first', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-action="new"]').waitFor({ timeout: 15000 });
  await page.locator('[data-action="new"]').click();
  await page.locator('[data-action="confirm-new"]').click();
  await dropFromPalette(page, 'client', 80, 200);
  await dropFromPalette(page, 'cdn_edge', 280, 200);
  await dropFromPalette(page, 'server', 480, 200);
  await dropFromPalette(page, 'cache', 680, 200);
  await dropFromPalette(page, 'database', 880, 200);
  for (const id of ['client1', 'cdn_edge1', 'server1', 'cache1', 'db1']) await node(page, id).waitFor();
  await connect(page, 'client1', 'cdn_edge1');
  await connect(page, 'cdn_edge1', 'server1');
  await connect(page, 'server1', 'cache1');
  await connect(page, 'cache1', 'db1');

  // The browser: 200 reads a second over 300 keys, each answer fresh for 2 s.
  await select(page, 'client1');
  await setParam(page, 'rate', 200);
  await setParam(page, 'read_fraction', 1);
  await setParam(page, 'keys.count', 300);
  await addOptional(page, 'http_cache');
  await setParam(page, 'http_cache.max_age_s', 2);
  // The CDN keeps a page 5 s, the app cache 200 pages, the database 250 pages in memory.
  await select(page, 'cdn_edge1');
  await setParam(page, 'ttl_ms', 5000);
  await select(page, 'cache1');
  await setParam(page, 'capacity', 200);
  await select(page, 'db1');
  await addOptional(page, 'buffer_cache');
  await setParam(page, 'buffer_cache.pages', 250);

  await runToTheEnd(page);
  const levels = await answered(page);
  assert.deepEqual(levels.map((l) => l.level), ['browser', 'cdn', 'cache', 'db_memory', 'db_disk'], JSON.stringify(levels));
  assert.deepEqual(levels.map((l) => l.node), ['client1', 'cdn_edge1', 'cache1', 'db1', 'db1']);
  for (const l of levels) assert.ok(l.count > 0, `${l.level} answered nothing: ${JSON.stringify(levels)}`);
  const total = levels.reduce((s, l) => s + l.count, 0);
  const sent = Number((await page.locator('[data-metric="completed"]').first().textContent()).replace(/\D/g, ''));
  assert.ok(Math.abs(total - sent) <= 0.02 * sent, `${total} answered, ${sent} succeeded`);
  // The database's inspector shows its buffer cache's hit ratio and what it answered.
  await select(page, 'db1');
  const ratio = parseFloat(await page.locator('[data-figure="buffer_hit_ratio"]').first().textContent());
  assert.ok(ratio > 0 && ratio < 100, `${ratio}`);

  await shots(page, 'cache-levels-built');
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});

test('cache-levels scenario: about half on the device, the rest spread over the CDN, app cache and database', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=cache-levels`, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-scenario-notes="cache-levels"]').waitFor({ timeout: 15000 });
  await runToTheEnd(page);
  const levels = await answered(page);
  const total = levels.reduce((s, l) => s + l.count, 0);
  const share = (level) => levels.find((l) => l.level === level).count / total;
  assert.ok(share('browser') > 0.4 && share('browser') < 0.6, JSON.stringify(levels));
  for (const level of ['cdn', 'cache', 'db_memory', 'db_disk']) assert.ok(share(level) > 0.03, `${level}: ${JSON.stringify(levels)}`);
  await shots(page, 'cache-levels-scenario');
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});
