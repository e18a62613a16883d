// End-to-end: the database figures of a run in the page — a selected database shows its reads, stale reads,
// lost writes, conflicts, failovers and per-shard load (`data-database`), and the "why" panel names stale reads
// and a hot shard, computed from the run. Also a look at the palette's Data and Messaging kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot } from './support.mjs';

const site = useSite();

/** Opens `#scenario=name`, runs it to the end at the fastest speed and selects database `db`. */
async function runScenario(name, db) {
  const opened = await openPage(site.browser, `${site.url}#scenario=${name}`);
  const { page } = opened;
  await page.locator(`[data-scenario-notes="${name}"]`).waitFor({ timeout: 15000 });
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 120000 });
  assert.ok(Number(await page.locator('[data-metric="sim_time"]').textContent()) >= 60);
  await page.locator(`[data-node-id="${db}"] .node-label`).click();
  await page.locator(`[data-database="${db}"]`).waitFor({ timeout: 5000 });
  return opened;
}

const why = (page) => page.locator('[data-panel="why"]').textContent();

test('read-replicas: the async database shows about a third of its reads stale, and the why panel says so', async () => {
  const { context, page, errors } = await runScenario('read-replicas', 'db-async');
  const text = await page.locator('[data-database="db-async"]').textContent();
  const m = text.match(/(\d+) reads · (\d+) % stale \((\d+)\)/);
  assert.ok(m, text);
  const [reads, share, stale] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // 1 − e^(−2 × 0.2) ≈ 33 % of reads find a write younger than the 200 ms lag.
  assert.ok(share >= 28 && share <= 39, text);
  assert.ok(Math.abs((100 * stale) / reads - share) <= 0.5, text);
  // One shard: the primary and its two replicas, the replicas serving the reads.
  assert.match(text, /primary \d+ % busy, 0 reads, \d+ writes/);
  assert.equal((text.match(/replica \d+ % busy, \d+ reads/g) ?? []).length, 2, text);
  const said = await why(page);
  assert.match(said, new RegExp(`db-async: ${share} % of reads were stale \\(${stale} of ${reads}\\) — replicas lag 200 ms`), said);
  // The synchronous database serves no stale read.
  await page.locator('[data-node-id="db-sync"] .node-label').click();
  assert.match(await page.locator('[data-database="db-sync"]').textContent(), / 0 % stale \(0\)/);
  await page.locator('[data-node-id="db-async"] .node-label').click();
  console.log(`# screenshot: ${await screenshot(page, 'data-read-replicas')}`);
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});

test('sharding-hot-key: shard 0 of the range store is named as hot, with its share of the queries', async () => {
  const { context, page, errors } = await runScenario('sharding-hot-key', 'db-range');
  const text = await page.locator('[data-database="db-range"]').textContent();
  const shares = [...text.matchAll(/shard (\d) (\d+) % of queries, (\d+) % busy/g)].map((m) => Number(m[2]));
  assert.equal(shares.length, 4, text);
  assert.ok(shares[0] >= 70 && shares[0] <= 90, text);
  const said = await why(page);
  assert.match(said, new RegExp(`shard 0 of db-range serves ${shares[0]} % of queries \\(1/4 would be even\\)`), said);
  assert.doesNotMatch(said, /of db-ring serves/);
  console.log(`# screenshot: ${await screenshot(page, 'data-sharding-hot-key')}`);
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});

test('the palette shows the Data and Messaging kinds', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  await page.locator('[data-region="palette"]').waitFor({ timeout: 15000 });
  for (const kind of ['database', 'cache', 'queue', 'topic', 'stream']) {
    const item = page.locator(`[data-region="palette"] [data-kind="${kind}"]`);
    assert.equal(await item.count(), 1, kind);
  }
  const messaging = page.locator('[data-region="palette"] [data-kind="stream"]');
  await messaging.scrollIntoViewIfNeeded();
  console.log(`# screenshot: ${await screenshot(page, 'data-palette')}`);
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});
