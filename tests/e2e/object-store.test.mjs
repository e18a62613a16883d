// End-to-end: object storage in the page. A pre-signed upload path is built with real pointer events (a
// client, an app server and an object store from the palette; the client connected to the app and to the
// bucket, the app to the bucket), the bucket set to 2 MB objects and pre-signed uploads in the inspector, the
// client's link to the bucket given 100 Mbit/s, then run to the end; the bucket's figures are read: every
// upload came straight from the client, the app bytes avoided are exactly 2 × uploads × 2 MB, and the time per
// MB is at least the link's 80 ms (8 Mbit ÷ 100 Mbit/s, a body cannot arrive faster). The gallery's
// "Upload big files" scenario is run and shot at a phone, a tablet and a desktop size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot } from './support.mjs';
import { palette, node, inspector, dropFromPalette, connect, select, setParam, figure, number } from './page-build.mjs';

const site = useSite();

/** Clicks a connection's line at the middle of its curve. */
async function clickEdge(page, name) {
  const at = await page.locator(`[data-edge-id="${name}"] .edge-hit`).evaluate((p) => {
    const mid = p.getPointAtLength(p.getTotalLength() / 2);
    const m = p.getScreenCTM();
    return { x: m.a * mid.x + m.c * mid.y + m.e, y: m.b * mid.x + m.d * mid.y + m.f };
  });
  await page.mouse.click(at.x, at.y);
}

async function runToTheEnd(page) {
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').first().click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 120000 });
}

test('a pre-signed upload built in the page: the bucket takes every file straight from the client', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-action="new"]').waitFor({ timeout: 15000 });
  await page.locator('[data-action="new"]').click();
  await page.locator('[data-action="confirm-new"]').click();
  await dropFromPalette(page, 'client', 140, 160);
  await dropFromPalette(page, 'server', 460, 110);
  await dropFromPalette(page, 'object_store', 460, 330);
  for (const id of ['client1', 'server1', 'object_store1']) await node(page, id).waitFor();
  await connect(page, 'client1', 'server1');
  await connect(page, 'server1', 'object_store1');
  await connect(page, 'client1', 'object_store1');

  // Uploads only, 2 a second.
  await select(page, 'client1');
  await setParam(page, 'rate', 2);
  await setParam(page, 'read_fraction', 0);
  // The bucket: 2 MB objects, uploaded with pre-signed URLs.
  await select(page, 'object_store1');
  await inspector(page).locator('select[data-param="object_sizes"]').selectOption('constant');
  await setParam(page, 'object_sizes.bytes', 2000000);
  await inspector(page).locator('select[data-param="upload"]').selectOption('presigned');
  assert.equal(await inspector(page).locator('select[data-param="upload"]').inputValue(), 'presigned');
  // The client's own link to the bucket: 100 Mbit/s.
  await clickEdge(page, 'client1-object_store1');
  await setParam(page, 'bandwidth_mbps', 100);

  await runToTheEnd(page);
  await select(page, 'object_store1');
  await page.locator('[data-figure="obj_uploads"]').first().waitFor({ timeout: 5000 });

  const up = (await figure(page, 'obj_uploads')).match(/^(\d+) \((\d+), (\d+)\)$/);
  assert.ok(up, `uploads ${await figure(page, 'obj_uploads')}`);
  const [uploads, direct, viaApp] = up.slice(1).map(Number);
  // About 2/s for 60 s: a Poisson count of mean 120 is within 4 × √120 ≈ 44 of it.
  assert.ok(Math.abs(uploads - 120) <= 44, `uploads ${uploads}`);
  assert.equal(direct, uploads, 'every upload came straight from the client');
  assert.equal(viaApp, 0);
  assert.ok(number(await figure(page, 'obj_presigned')) >= uploads, 'a signed URL for each upload');
  assert.equal(number(await figure(page, 'obj_app_bytes_avoided')), 2 * uploads * 2000000);
  assert.equal(number(await figure(page, 'obj_bytes_in')), uploads * 2000000);
  const perMb = parseFloat(await figure(page, 'obj_ms_per_mb'));
  assert.ok(perMb >= 80 && perMb < 200, `time per MB ${perMb}`);
  // The card's figure (drawn in the overlay above the card) shows the same time per MB.
  const cardFigure = page.locator('[data-badge-for="object_store1"] [data-card-figure="obj_ms_per_mb"]');
  assert.match(await cardFigure.textContent(), new RegExp(`${Math.round(perMb)} ms/MB`));
  console.log(`# screenshot: ${await screenshot(page, 'object-store-built-desktop')}`);
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});

for (const [name, viewport] of [['desktop', { width: 1440, height: 900 }], ['tablet', { width: 820, height: 1180 }], ['phone', { width: 390, height: 844 }]]) {
  test(`upload-big-files runs: the signing app stays idle while the other streams files (${name})`, async () => {
    const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=upload-big-files`, { viewport });
    await page.locator('[data-scenario-notes="upload-big-files"]').waitFor({ state: 'attached', timeout: 15000 });
    await page.locator('[data-field="speed"]').first().selectOption('2', { timeout: 2000 }).catch(() => {});
    await page.locator('[data-action="run"]').first().click();
    // The app that streams the files: its link to the bucket is coloured by its load while it runs.
    await page.waitForFunction(() => Number(document.querySelector('[data-link-util="app-via->bucket-via"]')?.getAttribute('data-util')) > 0.3, null, { timeout: 30000 });
    const u = Number(await page.locator('[data-link-util="app-via->bucket-via"]').getAttribute('data-util'));
    assert.ok(u > 0.3, `app → bucket utilisation ${u}`);
    const signing = await page.evaluate(() => Number(document.querySelector('[data-link-util="app-signs->bucket-direct"]')?.getAttribute('data-util') ?? '0'));
    assert.ok(signing < 0.01, `the signing app sends no files (${signing})`);
    console.log(`# screenshot: ${await screenshot(page, `object-store-scenario-${name}`)}`);
    assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
    await context.close();
  });
}
