// End-to-end: the partition tool. The CAP scenario runs; from the page, eu-west is partitioned off (a fault
// injected into the running simulation, as a kill is): the cut links are drawn dashed and both stores are
// marked split; the CP store's refused figure climbs and the AP store's diverged keys; Heal takes the cut
// away; the "why" panel then says what share of writes the CP store refused. Screenshots of the partition in
// the CP and AP stores at a phone, a tablet and a desktop size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot, countBecomes, skipGallery } from './support.mjs';

const site = useSite();

/** A node figure of the selected node (`marks::node_figures`' key). */
const figure = (page, key) => page.locator(`[data-figure="${key}"]`).first().textContent();
const simTime = (page) => page.locator('[data-metric="sim_time"]').textContent().then(Number);

async function openCap(viewport) {
  const opened = await openPage(site.browser, `${site.url}#scenario=cap-partition`, { viewport });
  // The notes are a sheet on a phone: wait for the scenario's diagram instead.
  await opened.page.locator('[data-node-id="kv-ap"]').waitFor({ timeout: 15000 });
  return opened;
}

/** Selects node `id` by its card (on a phone the card is on the canvas too). */
async function select(page, id) {
  await page.locator(`[data-node-id="${id}"] .node-label`).click();
}

test('partition eu-west from the page: CP refuses, AP diverges, the cut is drawn, Heal ends it', async () => {
  const { context, page, errors } = await openCap({ width: 1280, height: 800 });
  await page.locator('[data-field="speed"]').selectOption('1');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-metric="sim_time"]')?.textContent) >= 0.5, null, { timeout: 15000 });
  // The scenario's own partition starts at 10 s: everything below happens well before it.
  await select(page, 'users-eu-cp');
  const region = page.locator('[data-action="partition-region"]');
  assert.equal(await region.getAttribute('data-region'), 'eu-west');
  await region.click();
  // Drawn: the eu-west clients' links cut (their stores have replicas on both sides, so those links hold, but
  // the stores are split), both stores outlined as split.
  await page.locator('[data-partition-node="kv-cp"][data-partition-state="split"]').waitFor({ timeout: 5000 });
  await page.locator('[data-partition-node="kv-ap"][data-partition-state="split"]').waitFor({ timeout: 5000 });
  assert.equal(await page.locator('[data-partition-node="users-eu-cp"][data-partition-state="inside"]').count(), 1);
  assert.equal(await page.locator('.partition').getAttribute('data-partitions'), 'eu-west');
  const at = await simTime(page);
  assert.ok(at < 9, `partitioned at ${at} s, before the scenario's own`);
  // CP: the eu-west side cannot reach 2 of 3 replicas and refuses.
  await select(page, 'kv-cp');
  await page.waitForFunction(() => Number(document.querySelector('[data-figure="kv_refused"]')?.textContent) >= 20, null, { timeout: 15000 });
  const refused = Number(await figure(page, 'kv_refused'));
  assert.ok(refused >= 20, `CP refused ${refused}`);
  assert.match(await figure(page, 'lost_updates'), /^0$/);
  console.log(`# screenshot: ${await screenshot(page, 'partition-cp-live')}`);
  // AP: both sides take writes to the same 100 keys, so the replicas diverge.
  await select(page, 'kv-ap');
  await page.waitForFunction(() => {
    const m = document.querySelector('[data-figure="diverged_keys"]')?.textContent.match(/\((\d+)\)/);
    return m && Number(m[1]) >= 10;
  }, null, { timeout: 15000 });
  const diverged = Number((await figure(page, 'diverged_keys')).match(/\((\d+)\)/)[1]);
  assert.ok(diverged >= 10, `AP diverged ${diverged}`);
  assert.match(await figure(page, 'kv_refused'), /^0$/);
  // The metrics panel: the store's line and its keys diverged over time.
  await page.locator('[data-kv="kv-ap"] [data-chart="divergence"] polyline').waitFor({ timeout: 10000 });
  assert.match(await page.locator('[data-kv="kv-ap"] .breakdown').textContent(), /^kv-ap: refused 0 · stale reads \d+ of \d+ · conflicts \d+ · lost updates \d+ · keys diverged \d+ \(max \d+\)/);
  console.log(`# screenshot: ${await screenshot(page, 'partition-ap-live')}`);
  // Heal: the cut goes, and the AP store's heal is measured.
  await page.locator('[data-action="heal-partition"][data-partition="eu-west"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-partition-node]').length === 0, null, { timeout: 5000 });
  await page.waitForFunction(() => /^\d+ ms$/.test(document.querySelector('[data-figure="converge"]')?.textContent.trim() ?? ''), null, { timeout: 15000 });
  const converge = Number((await figure(page, 'converge')).match(/^(\d+) ms$/)[1]);
  assert.ok(converge > 0 && converge < 5000, `converged in ${converge} ms`);
  assert.ok(await simTime(page) < 10, 'healed before the scenario partitions again');
  assert.match(await page.locator('.fault-count').textContent(), /2 faults applied/);
  // The why panel quotes the CP store's refusals.
  await page.waitForFunction(() => /the CP store kv-cp refused \d+ % of writes/.test(document.querySelector('[data-panel="why"]')?.textContent ?? ''), null, { timeout: 10000 });
  // Several nodes at once: both CP clients cut off from their store, the two links drawn cut, then healed.
  await select(page, 'users-eu-cp');
  await page.locator('[data-node-id="users-us-cp"] .node-label').click({ modifiers: ['Shift'] });
  const both = page.locator('[data-action="partition"]');
  assert.equal(await both.textContent(), 'Partition these 2 nodes');
  await both.click();
  await countBecomes(page.locator('[data-partition-cut]'), 2);
  console.log(`# screenshot: ${await screenshot(page, 'partition-nodes-cut')}`);
  assert.deepEqual((await page.locator('[data-partition-cut]').evaluateAll((es) => es.map((e) => e.dataset.partitionCut))).sort(), ['users-eu-cp->kv-cp', 'users-us-cp->kv-cp']);
  await page.locator('[data-action="heal-partition"]').click();
  await countBecomes(page.locator('[data-partition-cut]'), 0);
  assert.match(await page.locator('.fault-count').textContent(), /4 faults applied/);
  assert.equal(await page.locator('[data-run-problem]').count(), 0);
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});

test('on a phone a long press on a card partitions its region and heals it', async () => {
  const context = await site.browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await skipGallery(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${site.url}#scenario=cap-partition`);
  await page.locator('[data-node-id="users-eu-cp"]').waitFor({ timeout: 15000 });
  await page.locator('[data-action="menu"]').click();
  await page.locator('[data-field="speed"]').selectOption('1');
  await page.keyboard.press('Escape');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-live-strip]')?.textContent.match(/t ([\d.]+) s/)?.[1]) >= 0.5, null, { timeout: 15000 });
  const cdp = await context.newCDPSession(page);
  const press = async (id) => {
    const b = await page.locator(`[data-node-id="${id}"] .node-card`).boundingBox();
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: b.x + 20, y: b.y + 10, id: 0 }] });
    await page.locator(`[data-context-for="${id}"]`).waitFor({ timeout: 5000 });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  };
  await press('users-eu-cp');
  assert.equal(await page.locator('[data-menu-action="partition-region"]').textContent(), 'Partition eu-west (fault)');
  console.log(`# screenshot: ${await screenshot(page, 'partition-phone-menu')}`);
  await page.locator('[data-menu-action="partition-region"]').tap();
  await page.locator('[data-partition-node="kv-cp"][data-partition-state="split"]').waitFor({ timeout: 5000 });
  assert.equal(await page.locator('[data-partition-node="users-eu-ap"][data-partition-state="inside"]').count(), 1);
  await page.waitForFunction(() => /refused \d+/.test(document.querySelector('[data-badge-for="kv-cp"] [data-card-figure="kv_refused"]')?.textContent ?? ''), null, { timeout: 15000 });
  await press('users-eu-cp');
  await page.locator('[data-menu-action="heal-partition"]').tap();
  await countBecomes(page.locator('[data-partition-node]'), 0);
  assert.deepEqual(errors, [], `page errors: ${errors.join('\n')}`);
  await context.close();
});

test('the palette offers the replicated store with its icon; the inspector edits it through its vocabulary', async () => {
  const { context, page, errors } = await openCap({ width: 1280, height: 800 });
  const item = page.locator('.palette-item[data-kind="kv_store"]');
  await item.scrollIntoViewIfNeeded();
  assert.match(await item.textContent(), /Replicated KV store/);
  assert.equal(await item.locator('.palette-icon svg').count(), 1);
  await select(page, 'kv-ap');
  // Its fields, named by its vocabulary: the mode and the levels are choices, R and W may be empty.
  const mode = page.locator('select[data-param="mode"]');
  await mode.waitFor({ timeout: 5000 });
  assert.equal(await mode.inputValue(), 'ap');
  assert.deepEqual(await page.locator('select[data-param="read_consistency"] option').allTextContents(), ['ONE', 'QUORUM', 'ALL']);
  for (const p of ['store_nodes', 'replication', 'regions', 'lag_ms', 'timeout_ms']) {
    assert.equal(await page.locator(`[data-param="${p}"]`).count(), 1, p);
  }
  // An out-of-range value is refused with the limits table's words, and the diagram keeps its value.
  const nodes = page.locator('input[data-param="store_nodes"]');
  await nodes.fill('65');
  await nodes.press('Enter');
  await page.locator('.field-error').first().waitFor({ timeout: 5000 });
  assert.match(await page.locator('.field-error').first().textContent(), /store_nodes/);
  await item.scrollIntoViewIfNeeded();
  console.log(`# screenshot: ${await screenshot(page, 'partition-palette-inspector')}`);
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});

for (const [name, viewport] of [
  ['phone', { width: 390, height: 844 }],
  ['tablet', { width: 768, height: 1024 }],
  ['desktop', { width: 1280, height: 800 }],
]) {
  test(`the scenario's partition drawn in CP and AP at ${name} size`, async () => {
    const { context, page, errors } = await openCap(viewport);
    const narrow = viewport.width < 1100;
    // Below 1100 px the speed is in the header's menu; below 900 px the inspector is a sheet behind a tab.
    if (narrow) await page.locator('[data-action="menu"]').click();
    await page.locator('[data-field="speed"]').selectOption('5');
    if (narrow) await page.keyboard.press('Escape');
    await page.locator('[data-action="run"]').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-metric="sim_time"]')?.textContent) >= 13, null, { timeout: 60000 });
    await page.locator('[data-action="pause"]').click();
    await page.locator('[data-partition-node="kv-cp"][data-partition-state="split"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('[data-partition-node="users-eu-ap"][data-partition-state="inside"]').count(), 1);
    console.log(`# screenshot: ${await screenshot(page, `partition-canvas-${name}`)}`);
    const sheet = await page.locator('[data-tab="inspector"]').isVisible();
    for (const [mode, id] of [['cp', 'kv-cp'], ['ap', 'kv-ap']]) {
      if (sheet && mode === 'ap') await page.keyboard.press('Escape');
      await select(page, id);
      if (sheet) await page.locator('[data-tab="inspector"]').click();
      await page.locator(`[data-node-stats="${id}"] [data-figure="lost_updates"]`).waitFor({ state: 'visible', timeout: 10000 });
      // The store's figures in view (below the scenario notes and the fault buttons).
      await page.locator(`[data-node-stats="${id}"] [data-figure="kv_reads"]`).scrollIntoViewIfNeeded();
      const refused = Number(await page.locator(`[data-node-stats="${id}"] [data-figure="kv_refused"]`).textContent());
      assert.ok(mode === 'cp' ? refused > 0 : refused === 0, `${id} refused ${refused}`);
      console.log(`# screenshot: ${await screenshot(page, `partition-${mode}-${name}`)}`);
    }
    assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
    await context.close();
  });
}
