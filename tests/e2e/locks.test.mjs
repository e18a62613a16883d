// End-to-end: transactions and row locks in the page. A lock-contention diagram is built with real pointer
// events (a client and a database from the palette, connected; every write to one row; the database's row
// locks switched on in the inspector), run to the end, and its figures read: the inspector's lock figures, the
// metrics panel's transactions line and the "why" panel's lock-contention finding agree with each other and
// with the M/G/1 queue the hot row is (a share ρ of the writers wait). The gallery's hot-row scenario shows
// its deadlocks and serializable aborts. Screenshots at three sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot, centre, drag } from './support.mjs';

const site = useSite();

const palette = (page, kind) => page.locator(`[data-region="palette"] [data-kind="${kind}"]`);
const node = (page, id) => page.locator(`[data-node-id="${id}"]`);

/** Drags a palette item to a point of the canvas given relative to the canvas's top-left corner. */
async function dropFromPalette(page, kind, x, y) {
  const canvas = await page.locator('svg.canvas').boundingBox();
  await palette(page, kind).scrollIntoViewIfNeeded();
  await drag(page, await centre(palette(page, kind)), { x: canvas.x + x, y: canvas.y + y }, { steps: 15 });
}

async function connect(page, fromId, toId) {
  await drag(page, await centre(node(page, fromId).locator('.node-port')), await centre(node(page, toId).locator('.node-card')));
}

async function select(page, id) {
  await page.mouse.click(...Object.values(await centre(node(page, id).locator('.node-label'))));
}

/** Sets a number field of the inspector and commits it with Enter. */
async function setParam(page, param, value) {
  const field = page.locator(`[data-region="inspector"] [data-param="${param}"]`);
  await field.fill(String(value));
  await field.press('Enter');
}

async function runToTheEnd(page) {
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 120000 });
}

const figure = async (page, key) => (await page.locator(`[data-figure="${key}"]`).first().textContent()).trim();

test('a hot row built in the page: writers wait for its lock, and the figures and the why panel say so', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  await page.locator('[data-action="new"]').waitFor({ timeout: 15000 });
  await page.locator('[data-action="new"]').click();
  await page.locator('[data-action="confirm-new"]').click();
  await dropFromPalette(page, 'client', 150, 200);
  await dropFromPalette(page, 'database', 450, 200);
  await node(page, 'client1').waitFor();
  await node(page, 'db1').waitFor();
  await connect(page, 'client1', 'db1');
  await page.locator('[data-edge-id="client1-db1"]').waitFor({ state: 'attached' });

  // Every request a write, all to one key, 150 a second.
  await select(page, 'client1');
  await setParam(page, 'rate', 150);
  await setParam(page, 'read_fraction', 0);
  await setParam(page, 'keys.count', 1);
  // The database's writes become transactions holding the row's lock.
  await select(page, 'db1');
  const locks = page.locator('[data-region="inspector"] [data-param="row_locks"]');
  await locks.check();
  assert.equal(await locks.isChecked(), true);

  await runToTheEnd(page);
  await select(page, 'db1');
  await page.locator('[data-locks]').waitFor({ timeout: 5000 });

  // The inspector: lock waits as a count, a share of the locks and a rate; the mean and p99 wait.
  const waits = await figure(page, 'lock_waits');
  const m = waits.match(/^(\d+) \((\d+) %, ([\d.]+)\/s\)$/);
  assert.ok(m, waits);
  const [count, share] = [Number(m[1]), Number(m[2])];
  // ρ = 150/s × 3 ms (the default service time) = 0.45: by PASTA that share of the writers find the row held.
  assert.ok(share >= 35 && share <= 55, waits);
  assert.ok(count > 1000, waits);
  const mean = parseFloat(await figure(page, 'lock_wait_mean'));
  const p99 = parseFloat(await figure(page, 'lock_wait_p99'));
  assert.ok(mean > 0 && p99 > mean, `${mean} ${p99}`);
  assert.match(await figure(page, 'deadlocks'), /^0 \(0\.00\/s\)$/);

  // The metrics panel's transactions line quotes the same figures.
  const line = await page.locator('[data-locks]').textContent();
  assert.match(line, new RegExp(`transactions \\(read committed\\): ${count} lock waits \\(${share} %`), line);
  assert.match(line, new RegExp(`mean wait ${mean.toFixed(1)} ms`), line);

  // The why panel names the contention with the same share and count.
  const said = await page.locator('[data-panel="why"]').textContent();
  assert.match(said, new RegExp(`db1: lock contention: ${share} % of row locks waited for another transaction \\(${count} waits`), said);

  for (const [w, h, name] of [[1440, 900, 'desktop'], [820, 1180, 'tablet'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    console.log(`# screenshot: ${await screenshot(page, `locks-built-${name}`)}`);
  }
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});

test('hot-row-locks: the transfers deadlock, the serializable row aborts, the spread table barely waits', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=hot-row-locks`, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-scenario-notes="hot-row-locks"]').waitFor({ timeout: 15000 });
  await runToTheEnd(page);
  await select(page, 'db-transfers');
  await page.locator('[data-locks]').waitFor({ timeout: 5000 });
  const dl = (await figure(page, 'deadlocks')).match(/^(\d+) \(([\d.]+)\/s\)$/);
  assert.ok(dl && Number(dl[2]) > 1, `deadlocks ${dl}`);
  assert.match(await figure(page, 'tx_gave_up'), /^0$/);
  await select(page, 'db-serial');
  await page.locator('[data-database="db-serial"] [data-locks]').waitFor({ timeout: 5000 });
  const ab = (await figure(page, 'tx_aborts')).match(/^(\d+) \(([\d.]+)\/s\)$/);
  assert.ok(ab && Number(ab[2]) > 30, `aborts ${ab}`);
  const said = await page.locator('[data-panel="why"]').textContent();
  assert.match(said, /db-hot: lock contention/);
  assert.match(said, /db-transfers had \d+ deadlocks/);
  assert.match(said, /db-serial: serializable isolation aborted \d+ transactions/);
  assert.doesNotMatch(said, /db-spread/);
  console.log(`# screenshot: ${await screenshot(page, 'locks-scenario-desktop')}`);
  await page.setViewportSize({ width: 390, height: 844 });
  console.log(`# screenshot: ${await screenshot(page, 'locks-scenario-phone')}`);
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});
