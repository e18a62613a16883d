// End-to-end: after one visit the site opens with no network. The service worker caches the built files;
// with the browser offline and the server gone, a reload still starts the app and runs a simulation. The
// web app manifest makes the site installable (Chromium reports no installability error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, firstVisitWithWorker, launchPersistent, serveDist } from './support.mjs';

test('offline after the first visit: a reload with no network starts the app from the cache', async () => {
  const site = await serveDist(DIST, { prefix: '/app/' });
  // A profile on disk, as a person has: Chromium does not offer to install from an incognito one.
  const profile = await mkdtemp(join(tmpdir(), 'sdp-offline-'));
  const context = await launchPersistent(profile);
  // The worker is installed (it cached every file index.html links) and controls the page.
  const { page, errors } = await firstVisitWithWorker(context, site.url);
  const cached = await page.evaluate(async () => {
    const keys = await (await caches.open('sdp-site-v1')).keys();
    return keys.map((r) => new URL(r.url).pathname);
  });
  for (const want of [/\/app\/$/, /\.wasm$/, /playground-web-[0-9a-f]+\.js$/, /style-[0-9a-f]+\.css$/, /manifest\.webmanifest$/]) {
    assert.ok(cached.some((p) => want.test(p)), `${want} not cached: ${cached}`);
  }

  // Installable: Chromium finds a manifest with a name, icons, a start URL and a worker.
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);

  // No network at all: the browser is offline and the server is gone.
  await site.close();
  await context.setOffline(true);
  await page.reload();
  await page.locator('[data-node-id="users"]').waitFor({ timeout: 15000 });
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-metric="sim_time"]')?.textContent) > 0.5, null, { timeout: 15000 });
  assert.deepEqual(errors, []);
  await context.close();
  await rm(profile, { recursive: true, force: true });
});
