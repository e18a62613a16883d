// End-to-end: the page tells one story. A cache's figures are on its card and in the inspector, and the "why"
// panel quotes the same lost writes; a ×5 spike turns cards red and the panel names the bottleneck among
// them, never "No bottleneck" beside them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useSite, openPage, openWithDiagram, ROOT } from './support.mjs';

const site = useSite();

test('a crashed write-behind cache: its card, its inspector figures and the why panel give the same lost writes', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=cache-patterns`);
  await page.locator('[data-node-id="behind-cache"]').waitFor({ timeout: 15000 });
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 60000 });
  await page.locator('[data-node-id="behind-cache"] .node-label').click();
  const stats = page.locator('[data-node-stats="behind-cache"]');
  await stats.waitFor();
  const lost = Number(await stats.locator('[data-figure="lost_writes"]').textContent());
  assert.ok(lost > 0, 'the crash lost writes');
  assert.match(await stats.locator('[data-figure="hit_ratio"]').textContent(), /^\d+\.\d %$/);
  for (const key of ['evictions', 'stale_reads', 'hits', 'misses']) {
    assert.equal(await stats.locator(`[data-figure="${key}"]`).count(), 1, key);
  }
  // The card says it too, and the why panel quotes the same number, naming the scenario's crash.
  assert.match(await page.locator('[data-badge-for="behind-cache"] [data-card-figure="hit_ratio"]').textContent(), new RegExp(`lost ${lost}$`));
  const finding = page.locator('[data-panel="why"] .finding', { hasText: 'behind-cache lost' });
  assert.match(await finding.textContent(), new RegExp(`^behind-cache lost ${lost} acknowledged writes when it crashed at 00:45 \\(the scenario killed it at 00:45\\)`));
  // Each of the three clients has its own row.
  assert.equal(await page.locator('[data-per-client] tr[data-client]').count(), 3);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a x5 spike: the cards turn red and the why panel names the bottleneck among them', async () => {
  const doc = JSON.parse(readFileSync(join(ROOT, 'examples', 'three-tier.json'), 'utf8'));
  doc.faults = [];
  doc.settings.warmup_s = 0;
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, doc);
  await page.locator('[data-field="speed"]').selectOption('2');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-metric="sim_time"]')?.textContent) > 6, null, { timeout: 20000 });
  const why = page.locator('[data-panel="why"]');
  await why.locator('.finding', { hasText: 'No bottleneck' }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator('.node.saturated').count(), 0);
  await page.locator('[data-action="spike"]').click();
  await page.locator('.node.saturated').first().waitFor({ timeout: 20000 });
  // Once the window has seen the spike, every red card is named (as the bottleneck or as waiting on it)
  // and nothing calls the system calm.
  await page.waitForFunction(() => {
    const red = [...document.querySelectorAll('.node.saturated')].map((n) => n.dataset.nodeId);
    const named = [...document.querySelectorAll('[data-panel="why"] [data-finding-node]')]
      .filter((b) => /utilisation/.test(b.textContent))
      .map((b) => b.dataset.findingNode);
    return red.length > 0 && red.every((id) => named.includes(id));
  }, null, { timeout: 20000 });
  const text = await why.textContent();
  assert.ok(!text.includes('No bottleneck'), text);
  assert.match(text, /you applied ×5 traffic at 00:\d\d/);
  assert.deepEqual(errors, []);
  await context.close();
});
