// End-to-end: share links, the scenario gallery and diagram files in headless Chromium — a shared link opens in
// a fresh browser with the same diagram and the same numbers after a run, bad links leave the user's work
// intact, every scenario opens from the gallery, JSON export → import round-trips, SVG and PNG download.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  useSite, openPage, openWithDiagram, screenshot, gridDiagram, countBecomes, STORAGE_KEY, ROOT, SHOTS,
} from './support.mjs';

const site = useSite();

const nodeIds = (page) => page.locator('[data-node-id]').evaluateAll((els) => els.map((e) => e.dataset.nodeId));
const metrics = (page) => page.locator('[data-metric]').evaluateAll((els) =>
  Object.fromEntries(els.map((e) => [e.dataset.metric, e.textContent])));
const saved = (page) => page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY);
const notice = (page) => page.locator('[data-notice]');

async function runToEnd(page) {
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 60000 });
}

async function setField(page, field, value) {
  const input = page.locator(`[data-field="${field}"]`);
  await input.fill(String(value));
  await input.press('Enter');
  await input.blur();
}

async function shareLink(page) {
  await page.locator('[data-action="share"]').click();
  const area = page.locator('[data-share-link]');
  await area.waitFor();
  return area.inputValue();
}

const variantB = (name) => join(ROOT, 'examples', 'scenarios', 'variants', `${name}-b.json`);
const SCENARIOS = readdirSync(join(ROOT, 'examples', 'scenarios'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  // An A/B scenario opens the Compare view with its B (examples/scenarios/variants/) on the canvas.
  .map((name) => ({ name, doc: JSON.parse(readFileSync(existsSync(variantB(name)) ? variantB(name) : join(ROOT, 'examples', 'scenarios', `${name}.json`), 'utf8')) }));

test('a shared link opens in a fresh browser with the same diagram, seed and numbers', async () => {
  const a = await openPage(site.browser, site.url);
  await a.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.url });
  await a.page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  // A seed and a duration typed in the run controls travel with the link.
  await setField(a.page, 'seed', 7);
  await setField(a.page, 'duration', 5);
  const link = await shareLink(a.page);
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/#d=v1\.[A-Za-z0-9_-]+$/);
  await a.page.locator('[data-copied="true"]').waitFor();
  assert.equal(await a.page.evaluate(() => navigator.clipboard.readText()), link, 'the clipboard holds the link');
  await screenshot(a.page, 'share-panel');
  await a.page.keyboard.press('Escape');
  assert.equal(await countBecomes(a.page.locator('[data-share-panel]'), 0), 0, 'Escape closes the share panel');
  const idsA = await nodeIds(a.page);
  await runToEnd(a.page);
  const numbersA = await metrics(a.page);

  // A different browser context: no storage, no clipboard, just the link.
  const b = await openPage(site.browser, link);
  await b.page.locator('[data-visit="link"]').waitFor({ timeout: 15000 });
  assert.deepEqual(await nodeIds(b.page), idsA);
  assert.equal(await b.page.locator('[data-field="seed"]').inputValue(), '7');
  assert.equal(await b.page.locator('[data-field="duration"]').inputValue(), '5');
  await screenshot(b.page, 'share-opened');
  await runToEnd(b.page);
  const numbersB = await metrics(b.page);
  assert.ok(Number(numbersA.completed) > 0, JSON.stringify(numbersA));
  assert.equal(numbersA.sim_time, numbersB.sim_time);
  assert.deepEqual(numbersB, numbersA, 'every data-metric value is the same after the run to the end');
  // Opening the link saved nothing over the (empty) user slot.
  assert.equal(await saved(b.page), null);
  assert.deepEqual([...a.errors, ...b.errors], [], `console errors: ${[...a.errors, ...b.errors].join('\n')}`);
  await a.context.close();
  await b.context.close();
});

test('when the clipboard refuses, the link is shown selected with a hint, and a long link warns', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  await context.addInitScript(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
  });
  // Labels of pseudo-random letters do not compress: 60 of them make a link past 8,000 characters.
  let x = 12345;
  const rnd = () => { x = (x * 1103515245 + 12345) % 2147483648; return x; };
  const doc = gridDiagram(60);
  for (const n of doc.nodes) n.label = Array.from({ length: 180 }, () => String.fromCharCode(97 + (rnd() % 26))).join('');
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [STORAGE_KEY, JSON.stringify(doc)]);
  await page.reload();
  await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  const link = await shareLink(page);
  await page.locator('[data-copied="false"]').waitFor();
  assert.equal(await page.evaluate(() => {
    const t = document.querySelector('[data-share-link]');
    return t.value.slice(t.selectionStart, t.selectionEnd);
  }), link, 'the whole link is selected for Ctrl+C');
  const fragment = link.slice(link.indexOf('#'));
  assert.ok(fragment.length > 8000, `fragment is ${fragment.length} characters`);
  assert.match(await page.locator('[data-share-warning]').textContent(), /8000 characters/);
  // It still opens.
  const b = await openPage(site.browser, link);
  await b.page.locator('[data-visit="link"]').waitFor({ timeout: 15000 });
  assert.equal(await b.page.locator('[data-node-id]').count(), 60);
  assert.deepEqual(errors, []);
  await context.close();
  await b.context.close();
});

test('bad links show the decoder\'s message and the user\'s work stays; a visit is kept apart and Back returns', async () => {
  const own = gridDiagram(6, { cols: 3 });
  own.name = 'My own work';
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, own);
  const ownIds = await nodeIds(page);
  const ownSaved = await saved(page);
  const good = (await shareLink(page)).split('#')[1];
  const payload = good.slice(2);
  const bad = [
    [`d=${payload.slice(0, Math.floor(payload.length / 2))}`, /cut short|damaged/],
    ['d=v1.@@@@', /character a share link never has/],
    ['d=v9.AAAA', /newer version of the playground/],
    ['d=v0.AAAA', /never existed/],
    ['d=hello', /not a playground share link/],
    [`d=${payload.slice(0, 20)}Zm9vYmFy${payload.slice(28)}`, /damaged|cut short|does not hold a valid diagram/],
    [`d=v1.${'A'.repeat(1_000_001)}`, /too long to open/],
  ];
  for (const [hash, message] of bad) {
    // A fresh tab on the bad link (same browser, so same storage).
    const p = await context.newPage();
    const errs = [];
    p.on('pageerror', (e) => errs.push(String(e)));
    await p.goto(`${site.url}#${hash}`);
    await p.locator('[data-notice="error"]').waitFor({ timeout: 15000 });
    const text = await p.locator('[data-notice="error"]').textContent();
    assert.match(text, message, `${hash.slice(0, 40)}: ${text}`);
    assert.match(text, /Your own diagram is unchanged/);
    assert.deepEqual(await nodeIds(p), ownIds, 'the user\'s diagram is shown');
    assert.equal(await p.locator('[data-visit]').count(), 0);
    assert.equal(await saved(p), ownSaved, 'the saved work is intact');
    assert.deepEqual(errs, []);
    if (hash === 'd=v9.AAAA') await screenshot(p, 'share-bad-link');
    await p.close();
  }
  // A bad link pasted into the address bar of the open tab (a hashchange, no reload) does the same.
  await page.evaluate(() => { location.hash = 'd=v1.@@@@'; });
  await page.locator('[data-notice="error"]').waitFor();
  assert.deepEqual(await nodeIds(page), ownIds);

  // A good link opens alongside: edits to it are saved apart, never over the user's slot; Back restores.
  const other = gridDiagram(4, { cols: 4 });
  other.name = 'Shared with me';
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [STORAGE_KEY, JSON.stringify(other)]);
  const otherLink = (await shareLink(page)).split('#')[1];
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [STORAGE_KEY, ownSaved]);
  await page.keyboard.press('Escape');
  await page.evaluate((h) => { location.hash = h; }, otherLink);
  await page.locator('[data-visit="link"]').waitFor();
  // The share panel shows the diagram on screen, which was still the user's: check the visit is `other`.
  await page.locator('[data-field="name"]').fill('Edited shared copy');
  await page.locator('[data-field="name"]').press('Enter');
  await page.locator('[data-field="name"]').blur();
  await page.waitForFunction(() => localStorage.getItem('sdp.visit.v1')?.includes('Edited shared copy'));
  assert.equal(await saved(page), ownSaved, 'editing a shared diagram does not touch the user\'s slot');
  // A reload of the same link brings the edits back.
  await page.reload();
  await page.locator('[data-visit="link"]').waitFor({ timeout: 15000 });
  assert.equal(await page.locator('[data-field="name"]').inputValue(), 'Edited shared copy');
  await page.locator('[data-action="back"]').click();
  assert.equal(await countBecomes(page.locator('[data-visit]'), 0), 0, 'Back ends the visit');
  assert.deepEqual(await nodeIds(page), ownIds);
  assert.equal(await page.locator('[data-field="name"]').inputValue(), 'My own work');
  assert.equal(new URL(page.url()).hash, '', 'Back clears the link from the address');
  await page.reload();
  await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  assert.deepEqual(await nodeIds(page), ownIds, 'after a reload the user\'s diagram is still there');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Keep as mine saves the visited diagram, and Undo brings the previous one back', async () => {
  const own = gridDiagram(3, { cols: 3 });
  own.name = 'Before keep';
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, own);
  const ownSaved = await saved(page);
  await page.goto(`${site.url}#scenario=client-server`);
  await page.locator('[data-visit="scenario"]').waitFor({ timeout: 15000 });
  await page.locator('[data-action="keep"]').click();
  assert.equal(await countBecomes(page.locator('[data-visit]'), 0), 0, 'Keep as mine ends the visit');
  await page.waitForFunction((k) => JSON.parse(localStorage.getItem(k) ?? '{}').name !== 'Before keep', STORAGE_KEY);
  const kept = JSON.parse(await saved(page));
  const scenario = SCENARIOS.find((s) => s.name === 'client-server').doc;
  assert.deepEqual(kept.nodes.map((n) => n.id), scenario.nodes.map((n) => n.id));
  assert.equal(await page.evaluate(() => localStorage.getItem('sdp.diagram.previous.v1')), ownSaved);
  await page.keyboard.press('Control+z');
  await page.waitForFunction((k) => JSON.parse(localStorage.getItem(k) ?? '{}').name === 'Before keep', STORAGE_KEY);
  assert.equal(await page.locator('[data-node-id]').count(), 3);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the gallery opens on a first visit, lists every scenario, and each one opens with its notes', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url, { gallery: true });
  const gallery = page.locator('[data-gallery]');
  await gallery.waitFor({ timeout: 15000 });
  // The gallery adds its chapters a few per frame while the page starts.
  assert.equal(await countBecomes(page.locator('[data-scenario]'), SCENARIOS.length), SCENARIOS.length);
  assert.ok(SCENARIOS.length >= 8);
  await screenshot(page, 'gallery');
  // Escape closes it; Shift+G and the header button open it again.
  await page.keyboard.press('Escape');
  assert.equal(await countBecomes(gallery, 0), 0, 'Escape closes the gallery');
  await page.keyboard.press('Shift+G');
  await gallery.waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await countBecomes(gallery, 0), 0, 'Escape closes the gallery opened by Shift+G');
  for (const { name, doc } of SCENARIOS) {
    await page.locator('[data-action="gallery"]').click();
    await page.locator(`[data-scenario="${name}"] [data-action="open-scenario"]`).click();
    assert.equal(await countBecomes(gallery, 0), 0, `opening ${name} closes the gallery`);
    await page.locator('[data-visit="scenario"]').waitFor();
    assert.equal(await countBecomes(page.locator('[data-node-id]'), doc.nodes.length), doc.nodes.length, name);
    assert.deepEqual(await nodeIds(page), doc.nodes.map((n) => n.id), name);
    const notes = page.locator(`[data-scenario-notes="${name}"]`);
    await notes.waitFor();
    assert.match(await notes.textContent(), /Try this.*Watch/s, name);
    assert.equal(new URL(page.url()).hash, `#scenario=${name}`);
    if (name === 'load-balancing') await screenshot(page, 'scenario-open');
  }
  // Opening scenarios never wrote the user's slot: a newcomer who only browsed has no saved work.
  assert.equal(await saved(page), null);
  // A deep link to an unknown scenario: a message and the gallery, in the open tab (hashchange) and in a new one.
  await page.goto(`${site.url}#scenario=no-such-scenario`);
  await page.locator('[data-notice="error"]').waitFor({ timeout: 15000 });
  assert.match(await notice(page).textContent(), /no scenario called “no-such-scenario”/);
  await gallery.waitFor();
  const fresh = await context.newPage();
  await fresh.goto(`${site.url}#scenario=no-such-scenario`);
  await fresh.locator('[data-notice="error"]').waitFor({ timeout: 15000 });
  assert.match(await notice(fresh).textContent(), /no scenario called “no-such-scenario”/);
  await fresh.locator('[data-gallery]').waitFor();
  // A deep link to a known one opens it directly, gallery closed.
  await fresh.goto(`${site.url}#scenario=dns-ttl`);
  await fresh.locator('[data-scenario-notes="dns-ttl"]').waitFor({ timeout: 15000 });
  assert.equal(await fresh.locator('[data-gallery]').count(), 0);
  const direct = await context.newPage();
  await direct.goto(`${site.url}#scenario=multi-region`);
  await direct.locator('[data-scenario-notes="multi-region"]').waitFor({ timeout: 15000 });
  assert.equal(await direct.locator('[data-gallery]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('JSON export then import round-trips; bad and 10 MB files are refused with a message', async () => {
  const doc = gridDiagram(6, { cols: 3 });
  doc.name = 'Round trip';
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, doc);
  await page.locator('[data-action="file"]').click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-action="export-json"]').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'round-trip.json');
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, 'round-trip.json');
  await download.saveAs(file);
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(exported.name, 'Round trip');
  assert.deepEqual(exported.nodes.map((n) => [n.id, n.kind, n.position]), doc.nodes.map((n) => [n.id, n.kind, n.position]));

  // Start over, then import the file.
  await page.locator('[data-action="new"]').click();
  await page.locator('[data-action="confirm-new"]').click();
  assert.equal(await countBecomes(page.locator('[data-node-id]'), 0), 0, 'New empties the canvas');
  await page.locator('[data-import-file]').setInputFiles(file);
  assert.equal(await countBecomes(page.locator('[data-node-id]'), 6), 6);
  assert.equal(await page.locator('[data-field="name"]').inputValue(), 'Round trip');
  await page.waitForFunction((k) => JSON.parse(localStorage.getItem(k) ?? '{}').name === 'Round trip', STORAGE_KEY);
  assert.deepEqual(JSON.parse(await saved(page)), exported, 'the imported diagram is the exported one');

  // Bad files: a message, nothing changed.
  const bad = [
    ['not-json.json', Buffer.from('this is not json'), /not a playground diagram/],
    ['dupes.json', Buffer.from(JSON.stringify({ nodes: [{ id: 'a', kind: 'server' }, { id: 'a', kind: 'server' }] })), /two nodes are called `a`/],
    ['huge.json', Buffer.alloc(10 * 1024 * 1024, 32), /too large to be a diagram \(10\.0 MB/],
  ];
  for (const [name, buffer, message] of bad) {
    await page.locator('[data-import-file]').setInputFiles({ name, mimeType: 'application/json', buffer });
    await page.locator('[data-notice="error"]').waitFor();
    assert.match(await notice(page).textContent(), message, name);
    assert.equal(await page.locator('[data-node-id]').count(), 6, name);
    await page.locator('.notice-close').click();
    assert.equal(await countBecomes(page.locator('[data-notice]'), 0), 0, `${name}: the close button removes the notice`);
  }
  // Ctrl+S exports too.
  const [again] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
  assert.equal(again.suggestedFilename(), 'round-trip.json');
  assert.deepEqual(errors, []);
  await context.close();
});

test('pasting JSON opens it, a 10 MB paste is refused, a pasted link opens beside the work', async () => {
  const own = gridDiagram(3, { cols: 3 });
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, own);
  const pasted = gridDiagram(4, { cols: 4 });
  pasted.name = 'Pasted';
  const openPaste = async () => {
    await page.locator('[data-action="file"]').click();
    await page.locator('[data-action="paste"]').click();
    await page.locator('[data-paste-panel]').waitFor();
  };
  const setText = (text) => page.locator('[data-import-text]').evaluate((t, v) => { t.value = v; }, text);
  // 10 MB: refused with a message, nothing changed.
  await openPaste();
  await setText(' '.repeat(10 * 1024 * 1024));
  await page.locator('[data-action="import-text"]').click();
  await page.locator('[data-notice="error"]').waitFor();
  assert.match(await notice(page).textContent(), /too large to be a diagram \(10\.0 MB/);
  assert.equal(await page.locator('[data-node-id]').count(), 3);
  // JSON: replaces the diagram, one Undo away.
  await setText(JSON.stringify(pasted));
  await page.locator('[data-action="import-text"]').click();
  assert.equal(await countBecomes(page.locator('[data-node-id]'), 4), 4);
  assert.equal(await page.locator('[data-paste-panel]').count(), 0);
  await page.keyboard.press('Control+z');
  assert.equal(await countBecomes(page.locator('[data-node-id]'), 3), 3);
  // A share link: opens as a visit.
  const link = `${site.url}#scenario=client-server`;
  await openPaste();
  await setText(`  ${link}\n`);
  await page.locator('[data-action="import-text"]').click();
  await page.locator('[data-visit="scenario"]').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('SVG and PNG export produce files of the diagram', async () => {
  const doc = gridDiagram(10);
  doc.name = 'Pictures';
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, doc);
  await page.locator('[data-action="file"]').click();
  const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-action="export-svg"]').click()]);
  assert.equal(svgDownload.suggestedFilename(), 'pictures.svg');
  const svgPath = join(SHOTS, 'pictures.svg');
  await svgDownload.saveAs(svgPath);
  const svg = readFileSync(svgPath, 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const n of doc.nodes) assert.ok(svg.includes(`>${n.label.slice(0, 12)}`), n.label);
  assert.equal((svg.match(/marker-end="url\(#arrow\)"/g) ?? []).length, doc.edges.length);
  assert.ok(!svg.includes('class='), 'inline styles only');

  await page.locator('[data-action="file"]').click();
  const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-action="export-png"]').click()]);
  assert.equal(pngDownload.suggestedFilename(), 'pictures.png');
  const pngPath = join(SHOTS, 'pictures.png');
  await pngDownload.saveAs(pngPath);
  const png = readFileSync(pngPath);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
  // Width and height from the IHDR chunk: twice the SVG's size.
  const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  const svgW = Number(svg.match(/width="(\d+)"/)[1]);
  const svgH = Number(svg.match(/height="(\d+)"/)[1]);
  assert.deepEqual([w, h], [svgW * 2, svgH * 2]);
  assert.ok(png.length > 5000, `${png.length} bytes`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard: Shift+S shares (even with no clipboard API), Escape closes, typing in a field does not trigger page shortcuts', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  // As on a page served over plain http from a LAN address: no `navigator.clipboard` at all.
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
  await page.reload();
  await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
  await page.locator('[data-field="name"]').focus();
  await page.keyboard.type('GS');
  assert.equal(await page.locator('[data-gallery]').count(), 0);
  assert.equal(await page.locator('[data-share-panel]').count(), 0);
  await page.locator('[data-field="name"]').blur();
  await page.keyboard.press('Shift+S');
  await page.locator('[data-share-panel]').waitFor();
  await page.locator('[data-copied="false"]').waitFor();
  assert.match(await page.locator('[data-share-link]').inputValue(), /#d=v1\./);
  await page.keyboard.press('Escape');
  assert.equal(await countBecomes(page.locator('[data-share-panel]'), 0), 0, 'Escape closes the share panel');
  await page.locator('[data-action="file"]').click();
  await page.locator('[data-menu="file"]').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await countBecomes(page.locator('[data-menu="file"]'), 0), 0, 'Escape closes the File menu');
  assert.deepEqual(errors, []);
  await context.close();
});
