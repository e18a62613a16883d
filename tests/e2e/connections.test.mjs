// End-to-end: connections in the page. The gallery's "HTTP vs HTTPS: what a handshake costs" scenario is
// opened and run to the end at a phone, a tablet and a desktop size; the TLS 1.2 users' figures in the
// inspector show the share of requests that paid a handshake (about e^−1 = 37 %, the scenario's claim, here
// within 30–46 %), connections opened and exactly 3 handshake round trips per connection opened (TCP + two for
// TLS 1.2), and a mean request time between the 110 ms of a kept connection and the 410 ms of a new one.
// Screenshots at each size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, centre, screenshot } from './support.mjs';
import { figure } from './page-build.mjs';

const site = useSite();

for (const [name, viewport] of [['desktop', { width: 1440, height: 900 }], ['tablet', { width: 820, height: 1180 }], ['phone', { width: 390, height: 844 }]]) {
  test(`http-vs-https: the TLS 1.2 users' handshake figures (${name})`, async () => {
    const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=http-vs-https`, { viewport });
    const users = page.locator('[data-node-id="tls12-users"]');
    await users.waitFor({ timeout: 15000 });
    const narrow = viewport.width < 1100;
    if (narrow) await page.locator('[data-action="menu"]').click();
    await page.locator('[data-field="speed"]').selectOption('1000');
    if (narrow) await page.keyboard.press('Escape');
    await page.locator('[data-action="run"]').first().click();
    await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 120000 });
    await page.mouse.click(...Object.values(await centre(users.locator('.node-label'))));
    if (viewport.width < 900) await page.locator('[data-tab="inspector"]').click();
    await page.locator('[data-figure="conn_handshake_share"]').first().waitFor({ timeout: 10000 });

    const share = (await figure(page, 'conn_handshake_share')).match(/^(\d+) \(([\d.]+) %\)$/);
    assert.ok(share, await figure(page, 'conn_handshake_share'));
    const percent = Number(share[2]);
    assert.ok(percent >= 30 && percent <= 46, `share ${percent} %`);
    const opened = Number(await figure(page, 'conn_opened'));
    const trips = (await figure(page, 'conn_round_trips')).match(/^(\d+) \((\d+) ms\)$/);
    assert.ok(trips, await figure(page, 'conn_round_trips'));
    assert.equal(Number(trips[1]), 3 * opened, 'three round trips per TLS 1.2 connection');
    // Each round trip is 2 × 50 ms.
    assert.ok(Math.abs(Number(trips[2]) - 100 * Number(trips[1])) <= 1, trips[0]);
    const meanText = await figure(page, 'conn_mean');
    assert.match(meanText, /^[\d.]+ ms$/);
    const mean = parseFloat(meanText);
    assert.ok(mean > 110 && mean < 410, `mean ${mean} ms`);
    await page.locator('[data-figure="conn_handshake_share"]').first().scrollIntoViewIfNeeded();
    console.log(`# screenshot: ${await screenshot(page, `connections-${name}`)}`);
    assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
    await context.close();
  });
}
