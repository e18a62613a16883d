// End-to-end: bytes and bandwidth. The shared-link example (an office's 10 Mbit/s link carrying pages and
// big files back) runs in the page: the link with a bandwidth is coloured by its utilisation with the share at
// its middle, the links without one are not; the edge's inspector offers a Bandwidth field; the why panel
// names the busy link. Screenshots at a
// phone, a tablet and a desktop size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, openWithDiagram, screenshot, ROOT } from './support.mjs';

const site = useSite();
const doc = JSON.parse(await readFile(join(ROOT, 'examples', 'shared-link.json'), 'utf8'));

for (const [name, viewport] of [['desktop', { width: 1440, height: 900 }], ['tablet', { width: 820, height: 1180 }], ['phone', { width: 390, height: 844 }]]) {
  test(`a link with a bandwidth is coloured by its utilisation (${name})`, async () => {
    const { context, page, errors } = await openWithDiagram(site.browser, site.url, doc, { viewport });
    if (name === 'desktop') {
      // The edge's inspector: the Bandwidth field holds the diagram's 10 Mbit/s.
      await page.locator('[data-edge-id="uplink"]').first().click({ force: true, timeout: 2000 }).catch(() => {});
    }
    await page.locator('[data-field="speed"]').selectOption('2', { timeout: 2000 }).catch(() => {});
    await page.locator('[data-action="run"]').first().click();
    const util = page.locator('[data-link-util="uplink"]');
    await util.waitFor({ timeout: 20000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-link-util="uplink"]')?.getAttribute('data-util')) > 0.2, null, { timeout: 20000 });
    const u = Number(await util.getAttribute('data-util'));
    assert.ok(u > 0.2 && u < 3, `uplink utilisation ${u}`);
    assert.match(await util.locator('text').textContent(), /^\d+ %$/);
    assert.equal(await page.locator('[data-link-util="router-files"]').count(), 0, 'an unlimited link is not coloured');
    if (name === 'desktop') {
      // The why panel names the busy link.
      await page.waitForFunction(() => /the link uplink \(router → office\) was \d+ % busy sending responses/.test(document.querySelector('[data-panel="why"]')?.textContent ?? ''), null, { timeout: 20000 });
    }
    console.log(`# screenshot: ${await screenshot(page, `bandwidth-${name}`)}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}
