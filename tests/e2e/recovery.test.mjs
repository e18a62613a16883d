// End-to-end: no lost work. A panic (the test-only one, armed by storage and asked for in the query) replaces
// the dead page with a panel — what happened, the diagram saved and downloadable as JSON, a reload that opens
// it without running it, the panic text — and the reload does exactly that; a second failure while
// recovering opens the example instead, the saved diagram left in storage. A share link's content cannot
// trigger the panic. Two tabs never overwrite each other's autosave, and the restore list brings back a
// diagram replaced by New even after a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { useSite, screenshot, STORAGE_KEY, SHOTS, gridDiagram, countBecomes } from './support.mjs';

const site = useSite();

const PANIC_KEY = 'sdp.panic.v1';
const ARM_KEY = 'sdp.test.panic.v1';
const HISTORY_KEY = 'sdp.history.v1';
const OWNER_KEY = 'sdp.diagram.owner.v1';

async function freshContext(browser, { arm = false, doc = null } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  // Set once per context (the first page), so a test's own storage changes are not undone on reload.
  await context.addInitScript(([arm, doc, key]) => {
    if (sessionStorage.getItem('seeded')) return;
    sessionStorage.setItem('seeded', '1');
    localStorage.setItem('sdp.gallery.seen.v1', '1');
    if (arm) localStorage.setItem('sdp.test.panic.v1', 'armed');
    if (doc && !localStorage.getItem(key)) localStorage.setItem(key, doc);
  }, [arm, doc ? JSON.stringify(doc) : null, STORAGE_KEY]);
  return context;
}

function track(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}

const stored = (page, key) => page.evaluate((k) => localStorage.getItem(k), key);
const status = (page) => page.locator('.run-controls').getAttribute('data-status');

test('a panic while running shows the panel; its reload opens the saved diagram without running it', async () => {
  const doc = gridDiagram(6, { cols: 3 });
  doc.name = 'Before the crash';
  const context = await freshContext(site.browser, { arm: true, doc });
  const page = await context.newPage();
  const errors = track(page);
  await page.goto(`${site.url}?test-panic=run`);
  await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  const saved = await stored(page, STORAGE_KEY);
  await page.locator('[data-action="run"]').click();
  const panel = page.locator('[data-panic-panel]');
  await panel.waitFor({ timeout: 15000 });
  assert.match(await panel.locator('h1').textContent(), /stopped because of a bug/);
  assert.match(await panel.textContent(), /while running the simulation/);
  assert.equal(await panel.locator('[data-panic-saved]').getAttribute('data-panic-saved'), 'yes');
  assert.match(await panel.locator('[data-panic-saved]').textContent(), /“Before the crash” \(6 nodes\) is saved/);
  const text = await panel.locator('[data-panic-text]').inputValue();
  assert.match(text, /deliberate test panic while running/);
  assert.match(text, /System Design Playground .* during: Run/);
  assert.equal(await page.locator('[data-node-id]').count(), 0, 'the dead app is gone');
  await screenshot(page, 'panic-panel');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'panic-panel-phone');
  await page.setViewportSize({ width: 768, height: 1024 });
  await screenshot(page, 'panic-panel-tablet');
  await page.setViewportSize({ width: 1280, height: 800 });
  // The download is the saved diagram, as JSON.
  const [download] = await Promise.all([page.waitForEvent('download'), panel.locator('[data-action="panic-download"]').click()]);
  assert.equal(download.suggestedFilename(), 'before-the-crash.json');
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, 'panic-download.json');
  await download.saveAs(file);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).nodes.map((n) => n.id), JSON.parse(saved).nodes.map((n) => n.id));
  const record = JSON.parse(await stored(page, PANIC_KEY));
  assert.equal(record.during, 'run');
  // Reload without running: the saved diagram, idle, a notice; the record and ?recover are gone.
  assert.equal(await panel.locator('[data-action="panic-reload"]').getAttribute('href'), '/?recover');
  await panel.locator('[data-action="panic-reload"]').click();
  await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  assert.equal(await page.locator('[data-node-id]').count(), 6);
  assert.equal(await status(page), 'idle');
  assert.match(await page.locator('[data-notice]').textContent(), /hit a bug while running this diagram.*has not been run/);
  await page.waitForFunction(() => !location.search.includes('recover'), null, { timeout: 5000 });
  assert.equal(await stored(page, PANIC_KEY), null);
  assert.equal(await stored(page, STORAGE_KEY), saved, 'the saved diagram is untouched');
  await screenshot(page, 'panic-recovered');
  const unexpected = errors.filter((e) => !/deliberate test panic|RuntimeError|unreachable/.test(e));
  assert.deepEqual(unexpected, [], unexpected.join('\n'));
  await context.close();
});

test('a second failure while recovering opens the example and keeps the saved diagram', async () => {
  const doc = gridDiagram(4, { cols: 2 });
  doc.name = 'Keeps crashing';
  const context = await freshContext(site.browser, { arm: true, doc });
  const page = await context.newPage();
  track(page);
  // A shared link open when the page fails on start is not opened again.
  await page.goto(`${site.url}?test-panic=start#scenario=caching`);
  const panel = page.locator('[data-panic-panel]');
  await panel.waitFor({ timeout: 15000 });
  assert.match(await panel.textContent(), /while opening/);
  assert.equal(JSON.parse(await stored(page, PANIC_KEY)).hash, '#scenario=caching');
  // It fails again while recovering (the test asks for it), so the panel's reload opens the example.
  await page.goto(`${site.url}?recover&test-panic=start`);
  await panel.waitFor({ timeout: 15000 });
  assert.equal(JSON.parse(await stored(page, PANIC_KEY)).count, 2);
  assert.equal(await panel.locator('[data-action="panic-reload"]').getAttribute('href'), '/?recover=empty');
  await panel.locator('[data-action="panic-reload"]').click();
  await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  assert.match(await page.locator('[data-notice]').textContent(), /failed again.*example is shown.*File → Restore/);
  assert.ok(!(await page.locator('[data-node-id="n0"]').count()), 'the example, not the crashing diagram');
  assert.equal(JSON.parse(await stored(page, STORAGE_KEY)).name, 'Keeps crashing', 'still stored');
  assert.equal(new URL(page.url()).hash, '', 'the link was not reopened');
  await context.close();
});

test('the test panic needs the armed storage: a link or an address alone cannot trigger it', async () => {
  const context = await freshContext(site.browser, { arm: false });
  const page = await context.newPage();
  const errors = track(page);
  await page.goto(`${site.url}?test-panic=start`);
  await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  await page.goto(`${site.url}?test-panic=run`);
  await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-metric="sim_time"]')?.textContent) > 0.2, null, { timeout: 15000 });
  assert.equal(await page.locator('[data-panic-panel]').count(), 0);
  // Armed, but asked for in the fragment (what a share link controls): nothing.
  await page.evaluate((k) => localStorage.setItem(k, 'armed'), ARM_KEY);
  await page.goto(`${site.url}#test-panic=start`);
  await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  assert.equal(await page.locator('[data-panic-panel]').count(), 0);
  // And the share link made on a page opened with ?test-panic does not carry it.
  await page.goto(`${site.url}?test-panic=nothing`);
  await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  await page.locator('[data-action="share"]').click();
  const link = await page.locator('[data-share-link]').inputValue();
  assert.ok(!link.includes('test-panic'), link);
  assert.deepEqual(errors.filter((e) => !/clipboard/i.test(e)), []);
  await context.close();
});

/** Deletes the node `id` in `page` (an edit autosave writes). */
async function deleteNode(page, id) {
  await page.locator(`[data-node-id="${id}"]`).click();
  await page.keyboard.press('Delete');
  await countBecomes(page.locator(`[data-node-id="${id}"]`), 0);
}

test('two tabs never overwrite each other, and either can become the main diagram', async () => {
  const doc = gridDiagram(6, { cols: 3 });
  doc.name = 'Shared by two tabs';
  const context = await freshContext(site.browser, { doc });
  const a = await context.newPage();
  const errorsA = track(a);
  await a.goto(site.url);
  await a.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  await deleteNode(a, 'n5');
  await a.waitForFunction((k) => !JSON.parse(localStorage.getItem(k)).nodes.some((n) => n.id === 'n5'), STORAGE_KEY);
  // The second tab finds the first and says it saves on its own.
  const b = await context.newPage();
  const errorsB = track(b);
  await b.goto(site.url);
  await b.locator('[data-tab-banner="own"]').waitFor({ timeout: 15000 });
  assert.match(await b.locator('[data-tab-banner]').textContent(), /open in another tab too.*saves its changes separately/);
  await screenshot(b, 'two-tabs-banner');
  await b.setViewportSize({ width: 390, height: 844 });
  await screenshot(b, 'two-tabs-banner-phone');
  await b.setViewportSize({ width: 1280, height: 800 });
  await deleteNode(b, 'n0');
  const ownKey = await b.waitForFunction(() => Object.keys(localStorage).find((k) => k.startsWith('sdp.tab.')), null, { timeout: 5000 });
  const key = await ownKey.jsonValue();
  await b.waitForFunction((k) => localStorage.getItem(k)?.includes('"n1"'), key);
  // A's work is still what the user's slot holds; A goes on saving there.
  const main = () => stored(a, STORAGE_KEY).then((t) => JSON.parse(t).nodes.map((n) => n.id));
  assert.deepEqual(await main(), ['n0', 'n1', 'n2', 'n3', 'n4']);
  await deleteNode(a, 'n4');
  await a.waitForFunction((k) => JSON.parse(localStorage.getItem(k)).nodes.length === 4, STORAGE_KEY);
  assert.deepEqual(JSON.parse(await stored(b, key)).nodes.map((n) => n.id), ['n1', 'n2', 'n3', 'n4']);
  // B becomes the main diagram: A's goes to the restore list, and A now saves on its own.
  await b.locator('[data-action="take-main"]').click();
  await b.locator('[data-tab-banner="main"]').waitFor();
  assert.deepEqual(await main(), ['n1', 'n2', 'n3', 'n4']);
  const history = JSON.parse(await stored(a, HISTORY_KEY));
  assert.ok(history.some((e) => JSON.parse(e.text).nodes.length === 4 && e.text.includes('"n0"')), 'A\'s diagram is restorable');
  await a.locator('[data-tab-banner="own"]').waitFor({ timeout: 5000 });
  assert.match(await a.locator('[data-tab-banner]').textContent(), /Another tab saved your diagram/);
  await deleteNode(a, 'n3');
  await a.waitForFunction(() => Object.keys(localStorage).filter((k) => k.startsWith('sdp.tab.')).length === 1, null, { timeout: 5000 });
  assert.deepEqual(await main(), ['n1', 'n2', 'n3', 'n4'], 'A did not overwrite B');
  assert.ok((await stored(a, OWNER_KEY)).length > 0);
  assert.deepEqual([...errorsA, ...errorsB], []);
  await context.close();
});

test('an accidental New is undone from the restore list after a reload', async () => {
  const doc = gridDiagram(5, { cols: 5 });
  doc.name = 'Precious';
  const context = await freshContext(site.browser, { doc });
  const page = await context.newPage();
  const errors = track(page);
  await page.goto(site.url);
  await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  await page.locator('[data-action="new"]').click();
  await page.locator('[data-action="confirm-new"]').click();
  await countBecomes(page.locator('[data-node-id]'), 0);
  await page.waitForFunction((k) => JSON.parse(localStorage.getItem(k)).nodes.length === 0, STORAGE_KEY);
  await page.reload();
  await page.locator('[data-action="file"]').waitFor({ timeout: 15000 });
  assert.equal(await page.locator('[data-node-id]').count(), 0, 'Undo cannot help after a reload');
  await page.locator('[data-action="file"]').click();
  await page.locator('[data-action="restore"]').click();
  const item = page.locator('[data-restore-item]').first();
  await item.waitFor();
  assert.equal(await item.locator('.restore-name').textContent(), 'Precious');
  assert.match(await item.locator('.restore-meta').textContent(), /5 nodes/);
  await screenshot(page, 'restore-list');
  await item.locator('[data-action="restore-open"]').click();
  await countBecomes(page.locator('[data-node-id]'), 5);
  await page.waitForFunction((k) => JSON.parse(localStorage.getItem(k)).name === 'Precious', STORAGE_KEY);
  // One undoable step: Undo brings the empty diagram back.
  await page.keyboard.press('Control+z');
  await countBecomes(page.locator('[data-node-id]'), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
