// End-to-end: the release build loads in headless Chromium and shows the product shell without errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot } from './support.mjs';

const site = useSite();

test('the page shows every region of the shell with no console errors', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  for (const region of ['header', 'palette', 'canvas', 'inspector', 'metrics']) {
    await page.locator(`[data-region="${region}"]`).waitFor({ state: 'visible', timeout: 15000 });
  }
  assert.equal(await page.locator('.brand-name').textContent(), 'System Design Playground');
  assert.equal(await page.locator('svg.canvas').count(), 1);
  const path = await screenshot(page, 'shell');
  console.log(`# screenshot: ${path}`);
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});

test('the shell fits a 1280x800 screen without scrolling the page', async () => {
  const { context, page } = await openPage(site.browser, site.url);
  await page.locator('[data-region="metrics"]').waitFor({ state: 'visible', timeout: 15000 });
  const size = await page.evaluate(() => ({
    scrollW: document.documentElement.scrollWidth,
    scrollH: document.documentElement.scrollHeight,
  }));
  assert.ok(size.scrollW <= 1280 && size.scrollH <= 800, `page scrolls: ${JSON.stringify(size)}`);
  await context.close();
});

test('regression: at widths from 1280 to 1920 px nothing in the header covers another control', async () => {
  for (const width of [1280, 1366, 1451, 1600, 1761, 1920]) {
    const { context, page } = await openPage(site.browser, site.url, { viewport: { width, height: 800 } });
    await page.locator('[data-node-id="users"]').waitFor({ timeout: 15000 });
    // Every button and field of the top bar is the element found at its own centre (or holds it).
    const covered = await page.evaluate(() =>
      [...document.querySelectorAll('header button, header input, header select')]
        .filter((el) => el.getBoundingClientRect().width > 0)
        .filter((el) => {
          const r = el.getBoundingClientRect();
          const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return !(hit && (hit === el || el.contains(hit)));
        })
        .map((el) => el.dataset.action ?? el.dataset.field ?? el.getAttribute('aria-label') ?? el.outerHTML.slice(0, 60)));
    assert.deepEqual(covered, [], `covered at ${width} px`);
    await context.close();
  }
});
