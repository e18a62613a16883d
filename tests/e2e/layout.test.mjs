// End-to-end: the page at phone, tablet and desktop sizes. The canvas has a usable size and shows the whole
// diagram, no two header controls overlap (each control's centre hits the control itself), the page never
// scrolls sideways; on narrow screens the panels are sheets behind a tab bar, a tapped palette item lands on
// the canvas in sight, and touch gestures (long press for a card's actions, pinch to zoom) work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, openPage, screenshot, skipGallery, countBecomes } from './support.mjs';

const site = useSite();
const SIZES = [
  [390, 844],
  [768, 1024],
  [1024, 768],
  [1280, 800],
  [1440, 900],
];
// Screenshots are also kept where the notes point (when that folder exists on this machine).
const NOTES = process.env.SHOTS_DIR;

async function keep(page, name) {
  const path = await screenshot(page, name);
  if (NOTES) {
    await mkdir(NOTES, { recursive: true });
    await copyFile(path, join(NOTES, `${name}.png`));
  }
  console.log(`# screenshot: ${path}`);
  return path;
}

/** The header controls (buttons, fields, links) whose centre does not hit themselves, and overlapping pairs. */
function overlaps(page, scope) {
  return page.evaluate((scope) => {
    const root = document.querySelector(scope);
    const controls = [...root.querySelectorAll('button, input:not([type=file]), select, a[href]')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    });
    const name = (el) => el.dataset.action ?? el.dataset.field ?? el.getAttribute('aria-label') ?? el.textContent.trim();
    const covered = controls
      .filter((el) => {
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !(hit && (hit === el || el.contains(hit)));
      })
      .map(name);
    const boxes = controls.map((el) => [name(el), el.getBoundingClientRect()]);
    const pairs = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i];
        const [b, q] = boxes[j];
        const inside = p.left >= q.left && p.right <= q.right && p.top >= q.top && p.bottom <= q.bottom;
        const apart = p.right <= q.left + 0.5 || q.right <= p.left + 0.5 || p.bottom <= q.top + 0.5 || q.bottom <= p.top + 0.5;
        if (!apart && !inside) pairs.push(`${a} × ${b}`);
      }
    }
    return { count: controls.length, covered, pairs };
  }, scope);
}

for (const [width, height] of SIZES) {
  test(`at ${width}x${height} the canvas is usable and no two toolbar controls overlap`, async () => {
    const { context, page, errors } = await openPage(site.browser, site.url, { viewport: { width, height } });
    await page.locator('[data-node-id="users"]').waitFor({ timeout: 15000 });
    const tier = await page.locator('.app').getAttribute('data-tier');
    assert.equal(tier, width < 900 ? 'narrow' : width < 1100 ? 'medium' : 'wide');

    // The canvas: most of a narrow screen, and room for the diagram everywhere.
    const c = await page.locator('svg.canvas').boundingBox();
    assert.ok(c.width >= (width < 900 ? 0.95 * width : 0.45 * width), `canvas ${c.width} px wide at ${width}`);
    assert.ok(c.height >= 0.55 * height, `canvas ${c.height} px high at ${height}`);
    // Every card of the example is inside it, at a zoom where a card is still at least 50 px wide.
    for (const id of ['users', 'lb', 'app1', 'app2', 'db']) {
      const b = await page.locator(`[data-node-id="${id}"] .node-card`).boundingBox();
      assert.ok(b.x >= c.x - 1 && b.y >= c.y - 1 && b.x + b.width <= c.x + c.width + 1 && b.y + b.height <= c.y + c.height + 1, `${id} is out of the canvas`);
      assert.ok(b.width >= 50, `${id} is ${b.width} px wide`);
    }

    // The header: every control is what its centre hits, and no two overlap.
    const bar = await overlaps(page, 'header.topbar');
    assert.ok(bar.count >= 4, `${bar.count} controls`);
    assert.deepEqual(bar.covered, [], `covered at ${width}`);
    assert.deepEqual(bar.pairs, [], `overlapping at ${width}`);
    // Below 1100 px the rest is in the menu: the same holds there.
    if (width < 1100) {
      await page.locator('[data-action="menu"]').click();
      await page.locator('[data-menu="more"]').waitFor();
      const menu = await overlaps(page, '[data-menu="more"]');
      assert.ok(menu.count >= 3, `${menu.count} controls in the menu`);
      assert.deepEqual(menu.covered, [], `covered in the menu at ${width}`);
      assert.deepEqual(menu.pairs, [], `overlapping in the menu at ${width}`);
      // Every control is somewhere: bar and menu together hold the full set.
      for (const action of ['new', 'undo', 'redo', 'fit', 'gallery', 'share', 'step', 'reset', 'spike']) {
        assert.equal(await page.locator(`[data-action="${action}"]`).count(), 1, `${action} at ${width}`);
      }
      for (const field of ['name', 'speed', 'seed', 'duration']) {
        assert.equal(await page.locator(`[data-field="${field}"]`).count(), 1, `${field} at ${width}`);
      }
      await keep(page, `layout-menu-${width}x${height}`);
      await page.keyboard.press('Escape');
      await countBecomes(page.locator('[data-menu="more"]'), 0);
    }
    const scroll = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
    assert.ok(scroll[0] <= width && scroll[1] <= height, `the page scrolls: ${scroll}`);
    await keep(page, `layout-${width}x${height}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('on a phone the panels are sheets: a tapped component lands in sight, the welcome leaves, the inspector opens', async () => {
  const context = await site.browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await skipGallery(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // A fresh visitor: the example and its welcome.
  await page.goto(site.url);
  await page.locator('[data-node-id="users"]').waitFor({ timeout: 15000 });
  await page.locator('[data-notice="info"]').waitFor();
  // Nothing of the side panels is on screen until a tab opens one.
  for (const region of ['palette', 'inspector', 'metrics']) {
    assert.equal(await page.locator(`[data-region="${region}"]`).isVisible(), false, region);
  }
  await page.locator('[data-tab="palette"]').tap();
  await page.locator('[data-region="palette"]').waitFor({ state: 'visible' });
  await page.locator('.palette-item[data-kind="cache"]').tap();
  // The sheet closes, the card is on the canvas where it can be seen, and the welcome is gone.
  await page.locator('[data-region="palette"]').waitFor({ state: 'hidden' });
  const card = page.locator('[data-kind="cache"].node');
  await card.waitFor();
  const c = await page.locator('svg.canvas').boundingBox();
  const b = await card.locator('.node-card').boundingBox();
  assert.ok(b.x >= c.x && b.y >= c.y && b.x + b.width <= c.x + c.width && b.y + b.height <= c.y + c.height, `card at ${JSON.stringify(b)}`);
  assert.equal(await countBecomes(page.locator('[data-notice="info"]'), 0), 0, 'the welcome is still there');
  // Inspect: the new card is selected, its parameters are in the sheet.
  await page.locator('[data-tab="inspector"]').tap();
  await page.locator('[data-region="inspector"] [data-param="capacity"]').waitFor();
  await keep(page, 'phone-inspector-390x844');
  await page.locator('[data-region="inspector"] [data-action="close-sheet"]').tap();
  await page.locator('[data-region="inspector"]').waitFor({ state: 'hidden' });

  // A long press on a card opens its actions; Duplicate works from there.
  const cdp = await context.newCDPSession(page);
  const touch = (type, points) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map(([x, y, id]) => ({ x, y, id })) });
  const lb = await page.locator('[data-node-id="lb"] .node-card').boundingBox();
  await touch('touchStart', [[lb.x + 20, lb.y + 10, 0]]);
  await page.locator('[data-context-for="lb"]').waitFor({ timeout: 5000 });
  await touch('touchEnd', []);
  const before = await page.locator('[data-node-id]').count();
  await page.locator('[data-menu-action="duplicate"]').tap();
  assert.equal(await countBecomes(page.locator('[data-node-id]'), before + 1), before + 1);
  assert.equal(await page.locator('[data-context-for]').count(), 0);

  // Two fingers spread on the background: the view zooms in.
  const zoom = async () => Number(/scale\(([\d.]+)\)/.exec(await page.locator('g.world').getAttribute('transform'))[1]);
  const z0 = await zoom();
  const y = c.y + 60;
  await touch('touchStart', [[c.x + 150, y, 0]]);
  await touch('touchStart', [[c.x + 150, y, 0], [c.x + 200, y, 1]]);
  for (let i = 1; i <= 10; i++) await touch('touchMove', [[c.x + 150, y, 0], [c.x + 200 + i * 12, y, 1]]);
  await touch('touchEnd', []);
  assert.ok((await zoom()) > z0 * 1.5, `zoom ${z0} → ${await zoom()}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a phone runs a scenario: the live strip, the metrics and why sheets; a tablet edits with the inspector beside the canvas', async () => {
  const phone = await openPage(site.browser, `${site.url}#scenario=cache-patterns`, { viewport: { width: 390, height: 844 } });
  const { page } = phone;
  await page.locator('[data-node-id="behind-cache"]').waitFor({ timeout: 15000 });
  await page.locator('[data-action="menu"]').click();
  await page.locator('[data-field="speed"]').selectOption('5');
  await page.keyboard.press('Escape');
  await page.locator('[data-action="run"]').click();
  await page.locator('[data-live-strip]').waitFor();
  await page.waitForFunction(() => /p99 [\d.]+ ms/.test(document.querySelector('[data-live-strip]')?.textContent ?? ''), null, { timeout: 20000 });
  await page.locator('[data-card-figure="hit_ratio"]').first().waitFor({ timeout: 10000 });
  await keep(page, 'phone-running-390x844');
  await page.locator('[data-tab="metrics"]').click();
  await page.locator('[data-region="metrics"] [data-metric="p99"]').waitFor({ state: 'visible' });
  // A comparison scenario: each client's own figures, not only their sum.
  assert.equal(await page.locator('[data-per-client] tr[data-client]').count(), 3);
  await keep(page, 'phone-metrics-390x844');
  await page.locator('[data-tab="why"]').click();
  await page.locator('[data-panel="why"] .finding').first().waitFor({ state: 'visible', timeout: 10000 });
  await keep(page, 'phone-why-390x844');
  assert.deepEqual(phone.errors, []);
  await phone.context.close();

  const tablet = await openPage(site.browser, site.url, { viewport: { width: 768, height: 1024 } });
  const t = tablet.page;
  await t.locator('[data-node-id="app1"]').waitFor({ timeout: 15000 });
  await t.locator('[data-node-id="app1"] .node-label').click();
  await t.locator('[data-tab="inspector"]').click();
  await t.locator('[data-region="inspector"] [data-param="workers"]').waitFor({ state: 'visible' });
  // A drawer: the canvas stays in view beside it.
  const drawer = await t.locator('[data-region="inspector"]').boundingBox();
  assert.ok(drawer.width <= 0.5 * 768, `the inspector covers ${drawer.width} px`);
  await keep(t, 'tablet-editing-768x1024');
  assert.deepEqual(tablet.errors, []);
  await tablet.context.close();
});
