// One request's waterfall: the tail-at-scale scenario runs, the slowest request the engine kept opens as a
// waterfall, and its spans are found by `data-span` (the hop's node id): the root, 100 parallel calls through
// the balancer side by side, each reaching a leaf, and one chain of them on the critical path. Then the same on
// a phone, through the metrics sheet, and "slowest in the last second" while paused mid-run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { ROOT, openPage, useSite } from './support.mjs';

const site = useSite();
const SHOTS = process.env.WATERFALL_SHOTS ?? join(ROOT, 'target', 'e2e');

async function shot(page, name) {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/**
 * Opens the tail-at-scale scenario, runs it to the end at the top speed (the speed control is in the header on
 * a wide screen), then turns the screen to `viewport`.
 */
async function runTail(viewport) {
  const opened = await openPage(site.browser, `${site.url}#scenario=tail-at-scale`, { viewport: { width: 1280, height: 800 } });
  const { page } = opened;
  await page.locator('[data-node-id="plain-root"]').waitFor({ timeout: 15000 });
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').first().click();
  await page.waitForFunction(() => document.querySelector('[data-status="finished"]') !== null, null, { timeout: 120000 });
  await page.setViewportSize(viewport);
  return opened;
}

/** Checks the open waterfall is the slow request's tree: root, 100 calls side by side, leaves, critical path. */
async function checkTree(page) {
  const dialog = page.locator('[data-waterfall]');
  await dialog.waitFor({ timeout: 5000 });
  const rootRow = dialog.locator('[data-span="plain-root"]');
  assert.equal(await rootRow.count(), 1, 'the root visit');
  assert.equal(await rootRow.getAttribute('data-critical'), 'true');
  // 100 parallel calls to the balancer, each with its leaf visit below it.
  assert.equal(await dialog.locator('[data-span="plain-lb"][data-role="parallel"]').count(), 100);
  assert.equal(await dialog.locator('[data-span^="plain-leaf-"]').count(), 100);
  // Parallel calls are drawn side by side: every call leaves at the same moment (same left edge).
  const lefts = await dialog.locator('[data-span="plain-lb"] .wf-seg').evaluateAll((els) =>
    [...new Set(els.filter((e, i, all) => all.findIndex((x) => x.closest('li') === e.closest('li')) === i).map((e) => e.style.left))]);
  assert.equal(lefts.length, 1, `the calls start together: ${lefts}`);
  // The critical path: the root, one call and its leaf — the slowest leaf, whose service is the longest bar.
  assert.equal(await dialog.locator('[data-span="plain-lb"][data-critical="true"]').count(), 1);
  const critLeaf = dialog.locator('[data-span^="plain-leaf-"][data-critical="true"]');
  assert.equal(await critLeaf.count(), 1);
  const widths = await dialog.locator('[data-span^="plain-leaf-"] [data-part="service"]').evaluateAll((els) => els.map((e) => parseFloat(e.style.width)));
  const critWidth = parseFloat(await critLeaf.locator('[data-part="service"]').evaluate((e) => e.style.width));
  assert.equal(critWidth, Math.max(...widths), 'the critical leaf served longest');
  const leafId = await critLeaf.getAttribute('data-span');
  assert.equal(await dialog.locator('[data-critical-path]').textContent(), `plain-root → plain-lb (parallel call) → ${leafId}`);
  // The slow leaf's service is most of the request's time: the tail a fan-out meets.
  assert.ok(critWidth > 50, `the slow leaf took ${critWidth} % of the request`);
  return dialog;
}

test('the slowest request of the tail at scale opens as a waterfall whose spans carry their node ids', async () => {
  const { context, page, errors } = await runTail({ width: 1280, height: 800 });
  const chips = page.locator('[data-action="waterfall-open"]');
  await chips.first().waitFor({ timeout: 5000 });
  await chips.first().click();
  const dialog = await checkTree(page);
  await shot(page, 'waterfall-desktop');
  // The dialog and the panel listing the requests have no serious or critical accessibility violation.
  const axe = await new AxeBuilder({ page }).include('[data-waterfall]').analyze();
  const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target).join(' ')}`);
  assert.deepEqual(bad, []);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached', timeout: 5000 });

  const panel = await new AxeBuilder({ page }).include('[data-requests]').analyze();
  assert.deepEqual(panel.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id), []);

  // The inspector: the root's call plan as fields, and its waits beside one call's.
  await page.locator('[data-node-id="plain-root"] .node-label').click();
  assert.equal(await page.locator('[data-region="inspector"] [data-param="calls"]').inputValue(), 'parallel');
  assert.equal(await page.locator('[data-region="inspector"] [data-param="fan_out"]').inputValue(), '100');
  const stats = page.locator('[data-node-stats="plain-root"]');
  await stats.waitFor({ timeout: 5000 });
  const wait99 = parseFloat(await stats.locator('[data-figure="plan_wait_p99"]').textContent());
  const call99 = parseFloat(await stats.locator('[data-figure="call_p99"]').textContent());
  assert.ok(wait99 > 10 * call99, `the root's p99 wait ${wait99} ms against one call's ${call99} ms`);
  await page.locator('[data-region="inspector"] [data-param="fan_out"]').scrollIntoViewIfNeeded();
  await shot(page, 'inspector-plan');
  // The hedged edge: its hedge policy as fields, and its second copies in the edge's figures.
  await clickEdge(page, 'hedged-root->hedged-lb');
  assert.equal(await page.locator('[data-region="inspector"] [data-param="hedge.after"]').inputValue(), 'percentile');
  assert.equal(await page.locator('[data-region="inspector"] [data-param="hedge.after.p"]').inputValue(), '95');
  const hedges = await page.locator('[data-edge-figure="hedges"]').textContent();
  const [, copies, extra] = hedges.match(/^(\d+) second copies \(\+([\d.]+) % calls\)$/);
  assert.ok(Number(copies) > 0 && Number(extra) > 3 && Number(extra) < 7, hedges);
  await page.locator('[data-region="inspector"] [data-param="hedge.after.p"]').scrollIntoViewIfNeeded();
  await shot(page, 'inspector-hedge');
  assert.deepEqual(errors, []);
  await context.close();
});

/** Clicks a connection's line with the mouse (its hit path, at the middle of the curve). */
async function clickEdge(page, name) {
  const at = await page.locator(`[data-edge-id="${name}"] .edge-hit`).evaluate((p) => {
    const mid = p.getPointAtLength(p.getTotalLength() / 2);
    const m = p.getScreenCTM();
    return { x: m.a * mid.x + m.c * mid.y + m.e, y: m.b * mid.x + m.d * mid.y + m.f };
  });
  await page.mouse.click(at.x, at.y);
  await page.locator('[data-section="call-policy"]').waitFor({ timeout: 5000 });
}

test('on a tablet and a phone the waterfall opens from the metrics and fits the screen', async () => {
  for (const [name, viewport] of [['tablet', { width: 768, height: 1024 }], ['phone', { width: 390, height: 844 }]]) {
    const { context, page, errors } = await runTail(viewport);
    // Below 900 px the metrics are a sheet behind the tab bar.
    const tab = page.locator('[data-tab="metrics"]');
    await tab.waitFor({ timeout: 5000 });
    await tab.click();
    const chip = page.locator('[data-action="waterfall-open"]').first();
    await chip.waitFor({ timeout: 5000 });
    await chip.click();
    await checkTree(page);
    const box = await page.locator('[data-waterfall]').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= viewport.width + 1, `${name}: the dialog fits the width (${JSON.stringify(box)})`);
    const track = await page.locator('[data-span="plain-root"] .wf-track').boundingBox();
    assert.ok(track.width >= 120, `${name}: the time bars keep room (${track.width} px)`);
    await shot(page, `waterfall-${name}`);
    await page.locator('[data-action="close-waterfall"]').click();
    await page.locator('[data-waterfall]').waitFor({ state: 'detached', timeout: 5000 });
    assert.deepEqual(errors, [], name);
    await context.close();
  }
});

test('"slowest in the last second" opens a request that ended in the last simulated second', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=sequential-vs-parallel`);
  await page.locator('[data-node-id="seq-page"]').waitFor({ timeout: 15000 });
  await page.locator('[data-action="run"]').first().click();
  const button = page.locator('[data-action="waterfall-slowest"]:not([disabled])');
  await button.waitFor({ timeout: 30000 });
  await page.locator('[data-action="pause"]').first().click();
  await page.waitForFunction(() => document.querySelector('[data-status="paused"]') !== null, null, { timeout: 5000 });
  await page.locator('[data-action="waterfall-slowest"]').click();
  const dialog = page.locator('[data-waterfall]');
  await dialog.waitFor({ timeout: 5000 });
  // A page request: the page's visit, and its five calls (in a row for the sequential page, side by side for
  // the parallel one), each a row naming its service.
  const page0 = await dialog.locator('[data-span$="-page"]').getAttribute('data-span');
  const tag = page0.split('-')[0];
  for (const s of ['profile', 'cart', 'recs', 'prices', 'reviews']) {
    assert.equal(await dialog.locator(`[data-span="${tag}-${s}"]`).count(), 1, s);
  }
  const critical = await dialog.locator(`[data-span^="${tag}-"][data-critical="true"]`).count();
  assert.equal(critical, tag === 'seq' ? 6 : 2, 'sequential calls are all on the critical path, of parallel ones only the last');
  assert.deepEqual(errors, []);
  await context.close();
});
