// End-to-end: bounded work and memory. Pathological diagrams (a flood of 10⁶ requests a second into one slow
// worker, a retry storm of 64× amplification, the largest diagram allowed) run at the top speed without
// freezing the tab — the clock advances, Pause takes effect — and the memory guard stops the flood with a
// message naming the limit and the queue that grew, the page still working after it. Frame times are
// measured, not judged, by bench-pathological.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openWithDiagram, screenshot } from './support.mjs';
import { PATHOLOGICAL, flood } from './pathological.mjs';

const site = useSite();

const simTime = (page) => page.locator('[data-metric="sim_time"]').textContent().then(Number);
const status = (page) => page.locator('.run-controls').getAttribute('data-status');

for (const [name, make] of Object.entries(PATHOLOGICAL)) {
  test(`${name}: at the top speed the clock advances and Pause takes effect`, async () => {
    const { context, page, errors } = await openWithDiagram(site.browser, site.url, make());
    await page.locator('[data-field="speed"]').selectOption('1000');
    await page.locator('[data-action="run"]').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-metric="sim_time"]')?.textContent) > 0.05, null, { timeout: 30000 });
    // The page answers a click while the engine is saturated (each frame does a budget of events, no more).
    await page.locator('[data-action="pause"]').click({ timeout: 10000 });
    await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'paused', null, { timeout: 10000 });
    const at = await simTime(page);
    assert.ok(at > 0.05, `${name}: ${at} s`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('the memory guard stops the flood with a message, and the page goes on working', async () => {
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, flood());
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  const problem = page.locator('[data-run-problem]');
  await problem.waitFor({ timeout: 180000 });
  const text = await problem.textContent();
  assert.match(text, /^Stopped at [\d.]+ s, before the 256 MB memory limit: `slow` queues [\d ]+ requests$/);
  assert.equal(await status(page), 'finished');
  await screenshot(page, 'memory-guard');
  // The page still works: Run starts afresh (the held memory is dropped), Reset clears it.
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'running', null, { timeout: 10000 });
  assert.equal(await problem.count(), 0);
  await page.locator('[data-action="reset"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'idle', null, { timeout: 10000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a duration past the cap is refused with a message instead of doing nothing', async () => {
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, flood());
  const input = page.locator('[data-field="duration"]');
  await input.fill('1e308');
  await input.press('Enter');
  await input.blur();
  const problem = page.locator('[data-run-problem]');
  await problem.waitFor({ timeout: 5000 });
  assert.match(await problem.textContent(), /duration must be at most 10 000 000 s \(got 10³⁰⁸\)/);
  assert.deepEqual(errors, []);
  await context.close();
});
