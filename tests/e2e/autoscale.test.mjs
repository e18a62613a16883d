// End-to-end: autoscaling in the page. The gallery's "Fixed fleet vs autoscaling" scenario is opened and run:
// the autoscaled group's card shows its instances live (a `×N` pill whose figures are read from its data
// attributes), the count goes up as the day's traffic rises and stays within the group's min..max (1..5) at
// every look, the fixed fleet shows none, and once the run is over a selected group shows its instances
// against load in the metrics panel. Screenshots at phone, tablet and desktop sizes of the scenario running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot } from './support.mjs';

const site = useSite();
const fleet = (page, id) => page.locator(`[data-badge-for="${id}"] .fleet`);

/** The autoscaled card's instances now: `{ ready, booting }`, or null before the first summary. */
async function instances(page, id) {
  return page.evaluate((id) => {
    const g = document.querySelector(`[data-badge-for="${id}"] .fleet`);
    return g ? { ready: Number(g.dataset.instances), booting: Number(g.dataset.booting) } : null;
  }, id);
}

async function open(viewport) {
  const opened = await openPage(site.browser, `${site.url}#scenario=fixed-vs-autoscaling`, { viewport });
  await opened.page.locator('[data-node-id="auto"]').waitFor({ timeout: 15000 });
  return opened;
}

/** Sets the run's speed where the control is in view (a phone or a tablet keeps the default speed). */
async function setSpeed(page, v) {
  const speed = page.locator('[data-field="speed"]');
  if (await speed.isVisible()) await speed.selectOption(v);
}

test('the autoscaled group scales out with the day, within its bounds, and the fixed fleet stays at 5', async () => {
  const { context, page, errors } = await open({ width: 1440, height: 900 });
  await page.locator('[data-field="speed"]').selectOption('5');
  await page.locator('[data-action="run"]').click();
  await fleet(page, 'auto').waitFor({ timeout: 15000 });
  const first = await instances(page, 'auto');
  assert.equal(first.ready, 2, 'the group starts with its 2 instances');
  // Poll (capped at 60 s of wall time) until more instances serve than at the start; every look is in 1..5.
  const seen = [];
  const until = Date.now() + 60000;
  let now = first;
  while (now.ready <= first.ready && Date.now() < until) {
    await page.waitForTimeout(100);
    now = await instances(page, 'auto');
    seen.push(now);
  }
  assert.ok(now.ready > first.ready, `instances went up: ${JSON.stringify(seen.slice(-5))}`);
  for (const s of seen) {
    assert.ok(s.ready >= 1 && s.ready + s.booting <= 5, JSON.stringify(s));
  }
  assert.deepEqual(await instances(page, 'fixed'), { ready: 5, booting: 0 }, 'the fixed fleet shows its 5, always');
  const pill = (await fleet(page, 'auto').locator('.fleet-badge text').textContent()).trim();
  assert.match(pill, /^×\d( \+\d)?$/);

  // To the end at full speed; then the selected group's instances against load.
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 120000 });
  const end = await instances(page, 'auto');
  assert.ok(end.ready >= 1 && end.ready <= 5, JSON.stringify(end));
  await page.locator('[data-node-id="auto"] .node-label').click();
  await page.locator('[data-fleet="auto"] [data-chart="instances"]').waitFor({ timeout: 5000 });
  const line = await page.locator('[data-fleet="auto"] .breakdown').textContent();
  assert.match(line, /instances \d .*mean [\d.]+, peak [1-5]/);
  // The inspector offers the policy's fields, from the defaults and the vocabulary.
  const inspector = page.locator('[data-region="inspector"]');
  assert.equal(await inspector.locator('[data-param="autoscale.max"]').inputValue(), '5');
  assert.equal(await inspector.locator('[data-param="autoscale.boot_s"]').inputValue(), '5');
  assert.equal(await inspector.locator('[data-param="instances"]').inputValue(), '2');
  assert.deepEqual(errors, []);
  await context.close();
});

test('screenshots of the scenario running at phone, tablet and desktop sizes', async () => {
  for (const [name, viewport] of [
    ['phone', { width: 390, height: 844 }],
    ['tablet', { width: 820, height: 1180 }],
    ['desktop', { width: 1440, height: 900 }],
  ]) {
    const { context, page, errors } = await open(viewport);
    await setSpeed(page, '5');
    await page.locator('[data-action="run"]').click();
    await page.waitForFunction(() => {
      const g = document.querySelector('[data-badge-for="auto"] .fleet');
      return g && (Number(g.dataset.instances) > 2 || Number(g.dataset.booting) > 0);
    }, null, { timeout: 60000 });
    await screenshot(page, `autoscale-${name}-${viewport.width}x${viewport.height}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});
