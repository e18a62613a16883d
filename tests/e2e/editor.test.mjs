// End-to-end: the diagram editor with real pointer events in headless Chromium — drop from the palette,
// connect, edit a parameter, undo/redo, reload, a refused connection, corrupted storage, and screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useSite, openPage, screenshot, centre, drag, openWithDiagram, gridDiagram, STORAGE_KEY, countBecomes, skipGallery,
} from './support.mjs';

const site = useSite();

const palette = (page, kind) => page.locator(`[data-region="palette"] [data-kind="${kind}"]`);
const node = (page, id) => page.locator(`[data-node-id="${id}"]`);

/** Drags a palette item to a point of the canvas given relative to the canvas's top-left corner. */
async function dropFromPalette(page, kind, x, y) {
  const canvas = await page.locator('svg.canvas').boundingBox();
  // The palette scrolls once it holds more kinds than fit; bring the item into view as a person would.
  await palette(page, kind).scrollIntoViewIfNeeded();
  await drag(page, await centre(palette(page, kind)), { x: canvas.x + x, y: canvas.y + y }, { steps: 15 });
}

async function connect(page, fromId, toId) {
  await drag(page, await centre(node(page, fromId).locator('.node-port')), await centre(node(page, toId).locator('.node-card')));
}

/** Clicks an empty spot of the canvas (clears the selection, moves keyboard focus off any field). */
async function clickBackground(page) {
  const canvas = await page.locator('svg.canvas').boundingBox();
  await page.mouse.click(canvas.x + canvas.width - 30, canvas.y + 30);
}

test('a newcomer gets the example and a hint; every kind is in the palette', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  await node(page, 'users').waitFor({ timeout: 15000 });
  assert.equal(await page.locator('[data-node-id]').count(), 5);
  assert.equal(await page.locator('[data-edge-id]').count(), 5);
  assert.match(await page.locator('.notice').textContent(), /drag components in/i);
  for (const kind of ['client', 'load_balancer', 'server', 'database']) {
    assert.equal(await palette(page, kind).count(), 1, kind);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('build, connect, edit, undo, redo and reload with real pointer events', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  await node(page, 'users').waitFor({ timeout: 15000 });

  // New asks first; discarding leaves an empty canvas with a hint.
  await page.locator('[data-action="new"]').click();
  await page.locator('[data-action="confirm-new"]').click();
  assert.equal(await page.locator('[data-node-id]').count(), 0);
  assert.ok(await page.locator('.canvas-empty').isVisible());

  await dropFromPalette(page, 'client', 150, 200);
  await dropFromPalette(page, 'server', 450, 200);
  await node(page, 'client1').waitFor();
  await node(page, 'server1').waitFor();
  assert.equal(await page.locator('[data-node-id]').count(), 2);

  await connect(page, 'client1', 'server1');
  await page.locator('[data-edge-id="client1-server1"]').waitFor({ state: 'attached' });
  // The edge has an arrowhead.
  assert.match(await page.locator('[data-edge-id="client1-server1"] .edge-line').getAttribute('marker-end'), /arrow/);

  // Select the server and change its workers; an invalid value is refused and not stored.
  await page.mouse.click(...Object.values(await centre(node(page, 'server1').locator('.node-label'))));
  const workers = page.locator('[data-region="inspector"] [data-param="workers"]');
  assert.equal(await workers.inputValue(), '4');
  await workers.fill('0');
  await workers.press('Enter');
  await page.locator('.field-error').waitFor();
  await workers.fill('8');
  await workers.press('Enter');
  await page.locator('.field-error').waitFor({ state: 'detached' });
  const saved = () => page.evaluate((k) => JSON.parse(localStorage.getItem(k)), STORAGE_KEY);
  const serverParams = async () => (await saved()).nodes.find((n) => n.id === 'server1').params;
  assert.equal((await serverParams()).workers, 8);

  // A drag of the card is one undo step.
  const before = await node(page, 'server1').getAttribute('transform');
  const c = await centre(node(page, 'server1').locator('.node-label'));
  await drag(page, c, { x: c.x + 100, y: c.y + 60 }, { steps: 20 });
  assert.notEqual(await node(page, 'server1').getAttribute('transform'), before);
  await page.locator('[data-action="undo"]').click();
  assert.equal(await node(page, 'server1').getAttribute('transform'), before);

  // Undo the parameter change with the keyboard, then redo it.
  await clickBackground(page);
  await page.keyboard.press('Control+z');
  assert.equal((await serverParams()).workers, undefined);
  await page.keyboard.press('Control+Shift+z');
  assert.equal((await serverParams()).workers, 8);

  // Reload: the same diagram.
  await page.reload();
  await node(page, 'server1').waitFor({ timeout: 15000 });
  assert.equal(await page.locator('[data-node-id]').count(), 2);
  assert.equal(await page.locator('[data-edge-id="client1-server1"]').count(), 1);
  await page.mouse.click(...Object.values(await centre(node(page, 'server1').locator('.node-label'))));
  assert.equal(await page.locator('[data-param="workers"]').inputValue(), '8');

  // A database may not call a client: refused on the spot, with the reason.
  await dropFromPalette(page, 'database', 450, 360);
  await node(page, 'db1').waitFor();
  await connect(page, 'db1', 'client1');
  const refusal = page.locator('.notice.refused');
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /Database cannot call a client/);
  assert.equal(await page.locator('[data-edge-id]').count(), 1);

  // Delete removes the selected node and its edges; Ctrl+D duplicates.
  await page.mouse.click(...Object.values(await centre(node(page, 'client1').locator('.node-label'))));
  await page.keyboard.press('Control+d');
  await node(page, 'client2').waitFor();
  await page.keyboard.press('Delete');
  assert.equal(await node(page, 'client2').count(), 0);

  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('rubber band selection, copy and paste, zoom to fit', async () => {
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, gridDiagram(6, { cols: 3 }));
  const canvas = await page.locator('svg.canvas').boundingBox();
  await page.locator('[data-action="fit"]').click();
  // Shift-drag a band around everything.
  await drag(page, { x: canvas.x + 5, y: canvas.y + 5 }, { x: canvas.x + canvas.width - 5, y: canvas.y + canvas.height - 40 }, { shift: true });
  assert.equal(await page.locator('.node.selected').count(), 6);
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  assert.equal(await page.locator('[data-node-id]').count(), 12);
  assert.equal(await page.locator('.node.selected').count(), 6);
  // Wheel zooms about the pointer.
  const zoom0 = await page.locator('.zoom-level').textContent();
  await page.mouse.move(canvas.x + 200, canvas.y + 200);
  await page.mouse.wheel(0, -300);
  await page.waitForFunction((z) => document.querySelector(".zoom-level")?.textContent !== z, zoom0, { timeout: 3000 }).catch(async (e) => { throw new Error(`zoom stayed ${zoom0}; now ${await page.locator(".zoom-level").textContent()}`); });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a corrupted saved diagram gives a message and the example, not a crash', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  await page.evaluate((k) => localStorage.setItem(k, '{"nodes": [ broken'), STORAGE_KEY);
  await page.reload();
  await node(page, 'users').waitFor({ timeout: 15000 });
  assert.match(await page.locator('.notice.error').textContent(), /could not be read/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('full storage gives a message and the work stays in memory', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  await node(page, 'users').waitFor({ timeout: 15000 });
  await page.evaluate(() => {
    Storage.prototype.setItem = () => {
      throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
    };
  });
  await palette(page, 'server').click();
  await node(page, 'server1').waitFor();
  assert.match(await page.locator('.notice.error').textContent(), /Could not save/);
  assert.equal(await page.locator('[data-node-id]').count(), 6);
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard: Tab reaches the cards, Enter selects, Delete deletes, Ctrl+Z restores', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  await node(page, 'users').waitFor({ timeout: 15000 });
  await node(page, 'users').focus();
  // The name starts with the visible text, label then kind (issue 21: a card's name contains what it shows).
  assert.match(await node(page, 'users').getAttribute('aria-label'), /^Users Client/);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  assert.match(await node(page, 'lb').getAttribute('class'), /selected/);
  assert.equal(await page.locator('[data-region="inspector"] [data-param="strategy"]').count(), 1);
  await page.keyboard.press('Delete');
  assert.equal(await countBecomes(node(page, 'lb'), 0), 0);
  assert.equal(await countBecomes(page.locator('[data-edge-id]'), 2), 2);
  await page.keyboard.press('Control+y');
  await page.keyboard.press('Control+z');
  assert.equal(await countBecomes(node(page, 'lb'), 1), 1, `undo did not restore lb; page errors: ${errors}`);
  assert.equal(await countBecomes(page.locator('[data-edge-id]'), 5), 5);
  assert.deepEqual(errors, []);
  await context.close();
});

test('touch: one finger drags a card, two fingers pinch-zoom', async () => {
  const context = await site.browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  await skipGallery(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(site.url);
  await node(page, 'users').waitFor({ timeout: 15000 });
  const cdp = await context.newCDPSession(page);
  const touch = (type, points) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map(([x, y, id]) => ({ x, y, id })) });
  // One finger on a card moves it.
  const before = await node(page, 'users').getAttribute('transform');
  const u = await centre(node(page, 'users').locator('.node-label'));
  await touch('touchStart', [[u.x, u.y, 0]]);
  for (let i = 1; i <= 10; i++) await touch('touchMove', [[u.x + i * 8, u.y + i * 6, 0]]);
  await touch('touchEnd', []);
  assert.notEqual(await node(page, 'users').getAttribute('transform'), before);
  // Two fingers on the background spread apart: the view zooms in.
  const c = await page.locator('svg.canvas').boundingBox();
  const zoom = () => page.locator('g.world').getAttribute('transform');
  const z0 = await zoom();
  await touch('touchStart', [[c.x + 300, c.y + 60, 0]]);
  await touch('touchStart', [[c.x + 300, c.y + 60, 0], [c.x + 400, c.y + 60, 1]]);
  for (let i = 1; i <= 10; i++) await touch('touchMove', [[c.x + 300, c.y + 60, 0], [c.x + 400 + i * 10, c.y + 60, 1]]);
  await touch('touchEnd', []);
  const scale = (t) => Number(/scale\(([\d.]+)\)/.exec(t)[1]);
  assert.ok(scale(await zoom()) > scale(z0) * 1.5, `${z0} -> ${await zoom()}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('problems are listed and clicking one selects its node', async () => {
  const doc = gridDiagram(2, { cols: 2 });
  doc.nodes.push({ id: 'lonely', kind: 'server', position: { x: 40, y: 300 }, params: { workers: 0 } });
  const { context, page } = await openWithDiagram(site.browser, site.url, doc);
  const problem = page.locator('.problem[data-subject="lonely"]').first();
  await problem.waitFor();
  assert.equal(await node(page, 'lonely').locator('.node-mark').count(), 1);
  await problem.click();
  assert.match(await node(page, 'lonely').getAttribute('class'), /selected/);
  await context.close();
});

/**
 * The colours a person sees, as sRGB triples: the page and panel backgrounds, a node card's fill and label, the
 * body text and the muted text of a panel title. Each computed colour (whatever CSS syntax the browser reports,
 * `color-mix` results included) is painted on a 1×1 canvas and read back.
 */
async function themeColours(page) {
  return page.evaluate(() => {
    const ctx = Object.assign(document.createElement('canvas'), { width: 1, height: 1 }).getContext('2d', { willReadFrequently: true });
    const rgb = (css) => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      if (a !== 255) throw new Error(`${css} is not opaque`);
      return [r, g, b];
    };
    const style = (sel) => {
      const el = document.querySelector(sel);
      if (!el) throw new Error(`no ${sel}`);
      return getComputedStyle(el);
    };
    return {
      page: rgb(style('body').backgroundColor),
      text: rgb(style('body').color),
      panel: rgb(style('.panel').backgroundColor),
      panelTitle: rgb(style('.panel .panel-title').color),
      card: rgb(style('[data-node-id] .node-card').fill),
      label: rgb(style('[data-node-id] .node-label').fill),
    };
  });
}

/** WCAG 2 relative luminance of an sRGB triple. */
function luminance([r, g, b]) {
  const lin = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio of two colours (1 to 21). */
function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('contrast arithmetic matches the WCAG reference values', () => {
  assert.equal(contrast([0, 0, 0], [255, 255, 255]), 21);
  assert.equal(contrast([119, 119, 119], [119, 119, 119]), 1);
  // #767676 on white is the lightest grey that passes AA (4.54:1).
  assert.ok(Math.abs(contrast([0x76, 0x76, 0x76], [255, 255, 255]) - 4.54) < 0.01);
});

const seen = {};
for (const colorScheme of ['light', 'dark']) {
  test(`screenshot of a ten-node diagram (${colorScheme})`, async () => {
    const { context, page, errors } = await openWithDiagram(site.browser, site.url, gridDiagram(10), { colorScheme });
    await page.mouse.click(...Object.values(await centre(node(page, 'n2').locator('.node-label'))));
    await page.locator('[data-param="workers"]').waitFor();
    const size = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
    assert.ok(size[0] <= 1280 && size[1] <= 800, `page scrolls: ${size}`);
    console.log(`# screenshot: ${await screenshot(page, `editor-${colorScheme}`)}`);
    // The theme is the one asked for: a light page is light and a dark one dark, and every text pair a person
    // reads here passes WCAG AA for normal text (4.5:1).
    const c = await themeColours(page);
    const dark = colorScheme === 'dark';
    for (const surface of ['page', 'panel', 'card']) {
      const l = luminance(c[surface]);
      assert.ok(dark ? l < 0.05 : l > 0.8, `${colorScheme}: ${surface} ${c[surface]} has luminance ${l.toFixed(3)}`);
    }
    for (const [fg, bg] of [['text', 'page'], ['text', 'panel'], ['panelTitle', 'panel'], ['label', 'card']]) {
      const ratio = contrast(c[fg], c[bg]);
      assert.ok(ratio >= 4.5, `${colorScheme}: ${fg} ${c[fg]} on ${bg} ${c[bg]} has contrast ${ratio.toFixed(2)}`);
    }
    seen[colorScheme] = c;
    if (seen.light && seen.dark) {
      for (const key of Object.keys(c)) assert.notDeepEqual(seen.light[key], seen.dark[key], `${key} is the same in both themes`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}
