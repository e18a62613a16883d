// End-to-end: the browser's HTTP cache in the page. The gallery's "Browser cache: max-age and ETags" scenario
// is opened and run to the end; the metrics panel's browser cache lines (`data-http-cache`) show, per caching
// client, the reads answered on the device (about λT / (1 + λT) = 3/4 of them), the revalidations split into
// 304s and 200s (the max-age-only browser has none: it fetches a stale page again), and the reads sent
// uncached; the uncached browser has no line, and the inspector's figures agree with the line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, centre } from './support.mjs';

const site = useSite();

const node = (page, id) => page.locator(`[data-node-id="${id}"]`);

async function select(page, id) {
  await page.mouse.click(...Object.values(await centre(node(page, id).locator('.node-label'))));
}

async function runToTheEnd(page) {
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 120000 });
}

const figure = async (page, key) => (await page.locator(`[data-figure="${key}"]`).first().textContent()).trim();

const LINE = /^(\S+) browser cache: (\d+) answered on the device \((\d+) %\) · (\d+) revalidated: (\d+) × 304 not modified, (\d+) × 200 · (\d+) sent uncached$/;

async function cacheLine(page, id) {
  const text = (await page.locator(`[data-http-cache="${id}"]`).textContent()).trim();
  const m = text.match(LINE);
  assert.ok(m, text);
  const [fresh, share, revalidated, notModified, ok, uncached] = m.slice(2).map(Number);
  assert.equal(m[1], id, text);
  return { text, fresh, share, revalidated, notModified, ok, uncached };
}

test('browser-cache: three reads in four answered on the device, most revalidations a 304', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=browser-cache`, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-scenario-notes="browser-cache"]').waitFor({ timeout: 15000 });
  await runToTheEnd(page);
  await page.locator('[data-http-cache="etag"]').waitFor({ timeout: 5000 });
  assert.equal(await page.locator('[data-http-cache="no-cache"]').count(), 0);

  // max-age only: about 3/4 local (λ = 1 read a second per page, T = 3 s), no revalidations.
  const plain = await cacheLine(page, 'max-age');
  assert.ok(plain.share >= 65 && plain.share <= 85, plain.text);
  assert.equal(plain.revalidated, 0, plain.text);
  assert.ok(plain.uncached > 100, plain.text);

  // max-age + ETag: the same local share; a stale page is revalidated, about 2 in 3 times a 304.
  const etag = await cacheLine(page, 'etag');
  assert.ok(etag.share >= 65 && etag.share <= 85, etag.text);
  assert.ok(etag.revalidated > 100, etag.text);
  assert.equal(etag.notModified + etag.ok, etag.revalidated, etag.text);
  const notModified = etag.notModified / etag.revalidated;
  assert.ok(notModified > 0.5 && notModified < 0.8, `${notModified}: ${etag.text}`);

  // The inspector quotes the same counts.
  await select(page, 'etag');
  await page.locator('[data-figure="http_fresh"]').waitFor({ timeout: 5000 });
  assert.match(await figure(page, 'http_fresh'), new RegExp(`^${etag.fresh} \\(`));
  assert.equal(await figure(page, 'http_revalidated'), `${etag.revalidated} (${etag.notModified})`);
  assert.equal(await figure(page, 'http_misses'), String(etag.uncached));
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});
