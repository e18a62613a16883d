// End-to-end: the release build loads in headless Chromium and shows the product shell without errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, screenshot } from './support.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the page shows every region of the shell with no console errors', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
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
  const { context, page } = await openPage(browser, server.url);
  await page.locator('[data-region="metrics"]').waitFor({ state: 'visible', timeout: 15000 });
  const size = await page.evaluate(() => ({
    scrollW: document.documentElement.scrollWidth,
    scrollH: document.documentElement.scrollHeight,
  }));
  assert.ok(size.scrollW <= 1280 && size.scrollH <= 800, `page scrolls: ${JSON.stringify(size)}`);
  await context.close();
});
