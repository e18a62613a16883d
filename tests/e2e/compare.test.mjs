// End-to-end: the lab in the metrics panel — the diagram's monthly cost, "Run 10 seeds" (each figure as
// mean ± a 95 % interval), and Compare: A is the diagram when Compare was pressed, B the diagram on the
// canvas; both run on the same seeds a slice per frame; identical variants differ by exactly zero, a better B
// shows as significantly better; the `#ab=` link opens both, a broken one says so and changes nothing. On a
// desktop, a tablet and a phone; the compare view fits the screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openWithDiagram, openPage, screenshot, countBecomes } from './support.mjs';

const site = useSite();
const RUN_CAP = 60000;

/** An M/M/c at λ = 900/s with 1 ms mean service: with 4 workers easy, with 1 at ρ = 0.9. */
const station = (workers) => ({
  version: 1,
  name: 'One station',
  settings: { seed: 7, duration_s: 10, warmup_s: 1 },
  nodes: [
    { id: 'users', kind: 'client', label: 'Users', position: { x: 80, y: 120 }, params: { rate: 900 } },
    { id: 'app', kind: 'server', label: 'App', position: { x: 320, y: 120 },
      params: { workers, service_time: { type: 'exponential', mean_ms: 1 } } },
  ],
  edges: [{ from: 'users', to: 'app' }],
});

async function openMetrics(page) {
  const tab = page.locator('[data-tab="metrics"]');
  if (await tab.count()) await tab.click();
  await page.locator('[data-lab="panel"]').waitFor({ timeout: 10000 });
}

async function runCompare(page) {
  await page.locator('[data-action="run-compare"]').click();
  await page.locator('[data-compare-result]').waitFor({ timeout: RUN_CAP });
}

const verdicts = (page) => page.locator('[data-compare-result] tr[data-figure]').evaluateAll(
  (rows) => Object.fromEntries(rows.map((r) => [r.dataset.figure, r.dataset.verdict])),
);

test('desktop: cost, 10 seeds with intervals, and a compare that finds the better variant', async () => {
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, station(4), { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-node-id="app"]').waitFor({ timeout: 15000 });
  await openMetrics(page);
  // Cost: four workers priced as four vCPUs, m7i.xlarge, $0.2016 × 730 = $147.17 (and egress once run).
  assert.match(await page.locator('[data-cost="diagram"] [data-figure="monthly_cost"]').textContent(), /^\$1\d\d\.\d\d a month$/);
  await page.locator('[data-action="run-seeds"]').click();
  const p99 = page.locator('[data-replication="p99"] dd');
  await p99.waitFor({ timeout: RUN_CAP });
  assert.match(await p99.textContent(), /^\d+\.\d\d ± \d+\.\d\d ms$/);
  assert.match(await page.locator('[data-replications]').getAttribute('data-replications'), /^10$/);
  // The inspector shows a node's monthly cost.
  await page.locator('[data-node-id="app"] .node-label').click();
  assert.match(await page.locator('[data-node-cost="app"]').textContent(), /\$147\.17 a month: m7i\.xlarge/);
  // Make A the worse variant (1 worker), open Compare, and Undo so B, on the canvas, has 4 again.
  const workers = page.locator('[data-region="inspector"] [data-param="workers"]');
  await workers.fill('1');
  await workers.press('Enter');
  await page.locator('[data-action="compare"]').click();
  await page.locator('[data-compare]').waitFor();
  assert.equal(await page.locator('[data-compare-same]').count(), 1, 'B starts as a copy of A');
  await runCompare(page);
  const same = await verdicts(page);
  assert.ok(Object.values(same).every((v) => v === 'same'), `identical variants: ${JSON.stringify(same)}`);
  assert.match(await page.locator('tr[data-figure="p99"] .diff').textContent(), /^0\.00 ± 0\.00 ms/);
  // The overlaid charts: A and B on the same axes; identical variants draw the very same line.
  for (const fig of ['p99', 'throughput']) {
    const line = (side) => page.locator(`[data-ab-chart="${fig}"] [data-side="${side}"]`).getAttribute('data-points');
    const [a, b] = [await line('A'), await line('B')];
    assert.ok(a.split(' ').length >= 5, `${fig}: A has points`);
    assert.equal(a, b, `${fig}: identical variants overlay exactly`);
  }
  await page.locator('[data-compare] h2').click();
  await page.keyboard.press('Control+z');
  assert.equal(await countBecomes(page.locator('[data-compare-same]'), 0), 0, 'B now differs from A');
  await runCompare(page);
  const v = await verdicts(page);
  assert.equal(v.mean, 'better', JSON.stringify(v));
  assert.equal(v.p99, 'better', JSON.stringify(v));
  assert.equal(v.monthly_cost, 'worse', 'four workers (m7i.xlarge) cost more than one (m7i.large)');
  const meanOf = async (side) => {
    const pts = (await page.locator(`[data-ab-chart="p99"] [data-side="${side}"]`).getAttribute('data-points'))
      .split(' ').map((p) => Number(p.split(':')[1]));
    return pts.reduce((x, y) => x + y, 0) / pts.length;
  };
  assert.ok(await meanOf('B') < await meanOf('A'), 'B (4 workers) draws a lower p99 line than A (1 worker)');
  assert.ok(await page.locator('[data-node-change="app"]').count() >= 1);
  await screenshot(page, 'compare-desktop');
  // The pair's link opens both in a fresh page: A in the view, B on the canvas.
  const link = await page.locator('[data-field="ab-link"]').inputValue();
  assert.match(link, /#ab=v\d\.[A-Za-z0-9_-]+~v\d\.[A-Za-z0-9_-]+$/);
  const fresh = await context.newPage();
  await fresh.goto(link);
  await fresh.locator('[data-compare]').waitFor({ timeout: 15000 });
  await runCompare(fresh);
  assert.deepEqual(await verdicts(fresh), v, 'the same comparison from the link');
  // A broken link says so and opens no comparison.
  const broken = await context.newPage();
  await broken.goto(`${site.url}#ab=v1.eNo~v1.!!`);
  await broken.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  await broken.getByText(/The comparison link did not open: variant A/).waitFor({ timeout: 5000 });
  assert.equal(await broken.locator('[data-compare]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

for (const [label, viewport] of [['tablet', { width: 820, height: 1180 }], ['phone', { width: 390, height: 844 }]]) {
  test(`${label}: the lab and the compare view fit the screen`, async () => {
    const { context, page, errors } = await openWithDiagram(site.browser, site.url, station(4), { viewport });
    await page.locator('[data-node-id="app"]').waitFor({ timeout: 15000 });
    await openMetrics(page);
    await page.locator('[data-action="compare"]').click();
    await page.locator('[data-compare]').waitFor();
    await runCompare(page);
    const same = await verdicts(page);
    assert.ok(Object.values(same).every((x) => x === 'same'), JSON.stringify(same));
    const box = await page.locator('[data-compare]').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= viewport.width + 1, `fits the width: ${JSON.stringify(box)}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `no sideways scroll (${width} px)`);
    await screenshot(page, `compare-${label}`);
    await page.locator('[data-action="close-compare"]').click();
    assert.equal(await countBecomes(page.locator('[data-compare]'), 0), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('the gallery scenario "Is the cache worth it?" opens the Compare view: A without, B with the cache', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=cache-worth-it`, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-compare]').waitFor({ timeout: 15000 });
  // B, on the canvas, is A plus the cache; the view says they differ.
  await page.locator('[data-node-id="cache"]').waitFor({ timeout: 5000 });
  assert.equal(await page.locator('[data-compare-same]').count(), 0, 'B is not a copy of A');
  await runCompare(page);
  const v = await verdicts(page);
  assert.equal(v.p99, 'better', `the cache lowers p99 significantly: ${JSON.stringify(v)}`);
  assert.equal(v.monthly_cost, 'worse', 'and costs more a month');
  assert.deepEqual(errors, []);
  await context.close();
});
