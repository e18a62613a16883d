// End-to-end: the Sweep view (web/src/sweep.rs). From the lab in the metrics panel, sweep a client's rate
// over an M/M/1 (4 points × 2 seeds, a slice per frame): every plotted value is finite, the mean latency and
// the throughput rise with the offered load as queueing theory says, the knee is marked, hover and keyboard
// focus show a point's figures, Cancel stops a run, and closing leaves the diagram untouched. On a phone the
// view is a sheet that fits the width. With SWEEP_MEASURE=1 it also measures (does not assert) the issue's
// figure: a 10-point × 10-seed sweep of the three-tier example, total wall time and frame gaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, openWithDiagram, openPage, screenshot, countBecomes, percentile, ROOT, STORAGE_KEY } from './support.mjs';

const site = useSite();
const RUN_CAP = 60000;

/** An M/M/1: exponential service of mean 5 ms (μ = 200/s), Poisson clients at `rate`. */
const mm1 = (rate) => ({
  version: 1,
  name: 'One station',
  settings: { seed: 3, duration_s: 20, warmup_s: 1 },
  nodes: [
    { id: 'users', kind: 'client', label: 'Users', position: { x: 80, y: 120 }, params: { rate } },
    { id: 'app', kind: 'server', label: 'App', position: { x: 320, y: 120 },
      params: { workers: 1, service_time: { type: 'exponential', mean_ms: 5 } } },
  ],
  edges: [{ from: 'users', to: 'app' }],
});

async function openSweep(page) {
  const tab = page.locator('[data-tab="metrics"]');
  if (await tab.count()) await tab.click();
  await page.locator('[data-action="sweep"]').click();
  await page.locator('[data-sweep-view]').waitFor({ timeout: 10000 });
}

async function setField(page, id, value) {
  const f = page.locator(`[data-field="${id}"]`);
  await f.fill(String(value));
  await f.press('Tab');
}

async function runSweep(page, { from, to, points, seeds }) {
  await setField(page, 'sweep-from', from);
  await setField(page, 'sweep-to', to);
  await setField(page, 'sweep-points', points);
  await setField(page, 'sweep-seeds', seeds);
  await page.locator('[data-action="run-sweep"]').click();
  await page.locator('[data-sweep="done"]').waitFor({ timeout: RUN_CAP });
}

const points = (page) => page.locator('[data-sweep-chart="latency"] [data-sweep-point]').evaluateAll(
  (rects) => rects.map((r) => Object.fromEntries(
    ['value', 'mean', 'p50', 'p95', 'p99', 'throughput', 'error_rate', 'cost'].map((k) => [k, Number(r.dataset[k])]),
  )),
);

test('desktop: an M/M/1 rate sweep plots finite, rising latency with its knee; hover, cancel, close', async () => {
  const { page, context, errors } = await openWithDiagram(site.browser, site.url, mm1(100), { viewport: { width: 1440, height: 900 } });
  const before = await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY);
  await openSweep(page);
  assert.equal(await page.locator('[data-field="sweep-node"]').inputValue(), 'users');
  assert.equal(await page.locator('[data-field="sweep-param"]').inputValue(), 'rate');
  await runSweep(page, { from: 40, to: 180, points: 4, seeds: 2 });
  const ps = await points(page);
  assert.equal(ps.length, 4);
  for (const p of ps) {
    for (const [k, v] of Object.entries(p)) assert.ok(Number.isFinite(v), `${k} of ${JSON.stringify(p)}`);
  }
  assert.deepEqual(ps.map((p) => Math.round(p.value)), [40, 87, 133, 180]);
  // M/M/1: W = 1/(μ − λ) rises with λ (6.3, 8.8, 15, 50 ms), and every offered request is served.
  for (let i = 1; i < ps.length; i++) {
    assert.ok(ps[i].mean > ps[i - 1].mean, `mean latency rises: ${ps.map((p) => p.mean)}`);
    assert.ok(ps[i].throughput > ps[i - 1].throughput, `throughput rises: ${ps.map((p) => p.throughput)}`);
    assert.ok(ps[i].p99 >= ps[i].p50, 'p99 ≥ p50');
  }
  assert.ok(Math.abs(ps[3].mean - 50) < 15, `near 1/(μ − λ) = 50 ms at λ = 180: ${ps[3].mean}`);
  // The knee: p99 at λ = 180 (≈ 230 ms) is far past twice p99 at λ = 40 (≈ 29 ms).
  const knee = page.locator('[data-sweep-chart="latency"] [data-sweep-knee]');
  assert.equal(await knee.count(), 1);
  assert.ok(Number(await knee.getAttribute('data-sweep-knee')) > 100);
  assert.match(await knee.textContent(), /^knee \d+(\.\d+)? req\/s$/);
  // Hover with the pointer, then with the keyboard.
  await page.locator('[data-sweep-chart="latency"] [data-sweep-point="3"]').hover();
  assert.match(await page.locator('[data-sweep-hover]').textContent(), /^Request rate 180 req\/s · p50 [\d.]+ ± [\d.]+ ms/);
  await page.locator('[data-sweep-chart="latency"] [data-sweep-point="0"]').focus();
  assert.match(await page.locator('[data-sweep-hover]').textContent(), /^Request rate 40 req\/s/);
  // The second chart: throughput, then cost.
  assert.equal(await page.locator('[data-sweep-chart="other"] [data-series="throughput"]').count(), 1);
  await page.locator('[data-field="sweep-other"]').selectOption('2');
  assert.equal(await countBecomes(page.locator('[data-sweep-chart="other"] [data-series="cost"]'), 1), 1);
  await screenshot(page, 'sweep-desktop');
  // Cancel a longer run (40 points × 20 seeds: seconds, so Cancel is there to press).
  await setField(page, 'sweep-points', 40);
  await setField(page, 'sweep-seeds', 20);
  await page.locator('[data-action="run-sweep"]').click();
  await page.locator('[data-action="cancel-sweep"]').click();
  assert.equal(await countBecomes(page.locator('[data-sweep="running"]'), 0), 0);
  // Closing leaves the diagram exactly as it was.
  await page.locator('[data-action="close-sweep"]').click();
  assert.equal(await countBecomes(page.locator('[data-sweep-view]'), 0), 0);
  const after = await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY);
  assert.deepEqual(JSON.parse(after).nodes, JSON.parse(before).nodes);
  assert.deepEqual(errors, []);
  await context.close();
});

for (const [label, viewport] of [['tablet', { width: 820, height: 1180 }], ['phone', { width: 390, height: 844 }]]) {
  test(`${label}: the sweep view fits the screen and plots`, async () => {
    const { page, context, errors } = await openWithDiagram(site.browser, site.url, mm1(100), { viewport });
    await openSweep(page);
    await runSweep(page, { from: 40, to: 180, points: 4, seeds: 2 });
    assert.equal((await points(page)).length, 4);
    const box = await page.locator('[data-sweep-view]').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= viewport.width + 1, `fits the width: ${JSON.stringify(box)}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `no sideways scroll (${width} px)`);
    await screenshot(page, `sweep-${label}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('measure: a 10-point × 10-seed sweep of the three-tier example (SWEEP_MEASURE=1)', { skip: !process.env.SWEEP_MEASURE }, async () => {
  const doc = JSON.parse(await readFile(join(ROOT, 'examples', 'three-tier.json'), 'utf8'));
  const { page, context } = await openWithDiagram(site.browser, site.url, doc, { viewport: { width: 1440, height: 900 } });
  await openSweep(page);
  await setField(page, 'sweep-from', 100);
  await setField(page, 'sweep-to', 1000);
  await setField(page, 'sweep-points', 10);
  await setField(page, 'sweep-seeds', 10);
  await page.evaluate(() => {
    window.__gaps = [];
    let last = performance.now();
    const tick = (t) => { window.__gaps.push(t - last); last = t; window.__raf = requestAnimationFrame(tick); };
    window.__raf = requestAnimationFrame(tick);
  });
  const t0 = Date.now();
  await page.locator('[data-action="run-sweep"]').click();
  await page.locator('[data-sweep="done"]').waitFor({ timeout: 600000 });
  const wall = (Date.now() - t0) / 1000;
  const gaps = await page.evaluate(() => { cancelAnimationFrame(window.__raf); return window.__gaps.slice(1); });
  const ps = await points(page);
  console.log(`three-tier sweep, users.rate 100..1000, 10 points × 10 seeds (60 s simulated each): wall ${wall.toFixed(1)} s; ` +
    `${gaps.length} frames, gap p50 ${percentile(gaps, 50).toFixed(1)} ms, p95 ${percentile(gaps, 95).toFixed(1)} ms, max ${Math.max(...gaps).toFixed(1)} ms; ` +
    `knee at ${await page.locator('[data-sweep-chart="latency"] [data-sweep-knee]').getAttribute('data-sweep-knee')} req/s; points ${ps.length}`);
  await context.close();
});

test('the gallery scenario "How many servers do I need?" opens the Sweep view preset; its knee is at 8 servers', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=how-many-servers`, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-sweep-view]').waitFor({ timeout: 15000 });
  const field = (id) => page.locator(`[data-field="${id}"]`).inputValue();
  assert.deepEqual(
    [await field('sweep-node'), await field('sweep-param'), await field('sweep-from'), await field('sweep-to'), await field('sweep-points'), await field('sweep-seeds')],
    ['servers', 'instances', '4', '16', '13', '5'],
  );
  await page.locator('[data-action="run-sweep"]').click();
  await page.locator('[data-sweep="done"]').waitFor({ timeout: 2 * RUN_CAP });
  assert.equal((await points(page)).length, 13);
  // 400 req/s × 20 ms = 8 servers of work: at 8 or fewer ρ ≥ 1 and p99 past twice the floor.
  assert.equal(await page.locator('[data-sweep-chart="latency"] [data-sweep-knee]').getAttribute('data-sweep-knee'), '8');
  assert.deepEqual(errors, []);
  await context.close();
});
