// End-to-end: webhooks against polling in the page. The gallery's "Webhooks vs polling a payment provider" is
// opened and run to the end; the selected providers' delivery logs are read from the inspector's figures
// (`data-figure="wh_*"`): the pushed payments are all delivered through the shops' 20 s outage, none dead, in
// a median under 100 ms, and some were redelivered after a timeout (duplicates); the polled ones wait over half
// a second and e^(−2) ≈ 14 % of the polls come back empty; the why panel names the redeliveries and the dedupe.
// Screenshots at phone, tablet and desktop sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot, centre } from './support.mjs';
import { node } from './page-build.mjs';

const site = useSite();
async function select(page, id) {
  await page.mouse.click(...Object.values(await centre(node(page, id).locator('.node-label'))));
  await page.locator(`[data-node-stats="${id}"]`).waitFor({ timeout: 5000 });
}

const figure = async (page, id, key) =>
  (await page.locator(`[data-node-stats="${id}"] [data-figure="${key}"]`).first().textContent()).trim();

test('webhooks deliver every payment through the outage and dedupe; polling waits and polls for nothing', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=webhooks-vs-polling`, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-scenario-notes="webhooks-vs-polling"]').waitFor({ timeout: 15000 });
  await node(page, 'payments').waitFor({ timeout: 15000 });
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 180000 });

  await select(page, 'payments');
  const events = Number(await figure(page, 'payments', 'wh_events'));
  const delivered = (await figure(page, 'payments', 'wh_delivered')).match(/^(\d+) \((\d+), (\d+)\)$/);
  assert.ok(delivered, 'delivered (first try, after retries)');
  assert.ok(events > 1000, `events ${events}`);
  assert.equal(Number(delivered[1]), events, 'every pushed payment delivered');
  assert.equal(Number(delivered[2]) + Number(delivered[3]), events);
  assert.ok(Number(delivered[3]) > 20, `some after retries (the outage): ${delivered[3]}`);
  assert.equal(await figure(page, 'payments', 'wh_dead'), '0');
  const dups = Number(await figure(page, 'payments', 'wh_duplicates'));
  assert.ok(dups > 0, `duplicates ${dups}`);
  const pushDelay = (await figure(page, 'payments', 'wh_delay')).match(/^(\d+) \/ (\d+) \/ (\d+) ms$/);
  assert.ok(pushDelay && Number(pushDelay[2]) < 100, `pushed delay ${pushDelay}`);

  await select(page, 'payments2');
  const polls = (await figure(page, 'payments2', 'wh_empty_polls')).match(/^(\d+) of (\d+) \((\d+) %\)$/);
  assert.ok(polls, 'empty polls of polls');
  assert.equal(Number(polls[2]), 600, 'one poll a second for 600 s');
  // e^(−2) = 13.5 % of the 580 polls outside the outage: 78 ± 4 × 8.
  assert.ok(Math.abs(Number(polls[1]) - 78.5) <= 33, `empty polls ${polls[1]}`);
  const pollDelay = (await figure(page, 'payments2', 'wh_delay')).match(/^(\d+) \/ (\d+) \/ (\d+) ms$/);
  assert.ok(pollDelay && Number(pollDelay[2]) > 500, `polled delay ${pollDelay}`);

  const said = await page.locator('[data-panel="why"]').textContent();
  assert.match(said, new RegExp(`payments redelivered ${dups} events shop had already processed`), said);
  assert.match(said, /shop's idempotency keys answered the repeats without applying them again/, said);

  for (const [w, h, name] of [[1440, 900, 'desktop'], [820, 1180, 'tablet'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    console.log(`# screenshot: ${await screenshot(page, `webhooks-${name}`)}`);
  }
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});
