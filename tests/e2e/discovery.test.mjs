// End-to-end: the gallery's "A dead instance and a stale service registry" runs in the page to the end; the
// registry's inspector shows its new figure, the stale window (the dead instance left the callers' copy 25 s
// after its last heartbeat: the 16 s TTL plus the wait for the refresh at 50 s), and the why panel names the
// calls that reached the dead instance. Screenshots at a desktop, a tablet and a phone size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot, centre } from './support.mjs';

const site = useSite();

async function shots(page, prefix) {
  for (const [w, h, name] of [[1440, 900, 'desktop'], [820, 1180, 'tablet'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    if (w < 900) {
      const tab = page.locator('[data-tab="inspector"]');
      if (await tab.count() && !((await tab.getAttribute('class')) ?? '').includes('open')) await tab.click();
    }
    const fig = page.locator('[data-figure="stale_window"]').first();
    if (await fig.count()) await fig.scrollIntoViewIfNeeded().catch(() => {});
    console.log(`# screenshot: ${await screenshot(page, `${prefix}-${name}`)}`);
  }
}

test('stale-registry scenario: the registry shows its stale window and the why panel names the dead instance', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=stale-registry`, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-scenario-notes="stale-registry"]').waitFor({ timeout: 15000 });
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 120000 });
  await page.mouse.click(...Object.values(await centre(page.locator('[data-node-id="registry"] .node-label'))));
  const fig = page.locator('[data-figure="stale_window"]').first();
  await fig.waitFor({ timeout: 10000 });
  assert.equal(parseFloat(await fig.textContent()), 25, await fig.textContent());
  const stale = Number((await page.locator('[data-figure="stale_sends"]').first().textContent()).replace(/\D/g, ''));
  // About 400 × 9 s ÷ 4 = 900 requests sent after the registry had expired the instance (± 10 %).
  assert.ok(stale > 810 && stale < 990, `${stale}`);
  await page.waitForFunction(() => /sent to a dead instance/.test(document.querySelector('[data-panel="why"]')?.textContent ?? ''), null, { timeout: 20000 });
  await shots(page, 'discovery-stale-registry');
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});
