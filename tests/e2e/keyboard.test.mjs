// End-to-end: the page with the keyboard alone. A card added from the palette takes the focus, C connects the
// focused card to the next one chosen with Tab and Enter, Delete moves the focus to a neighbouring card
// rather than the page, Space runs and pauses, ? lists the shortcuts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, countBecomes } from './support.mjs';

const site = useSite();

const focused = (page) => page.evaluate(() => document.activeElement?.getAttribute('data-node-id') ?? document.activeElement?.tagName);

test('keyboard: add a card, connect it with C, delete it and keep the focus on the canvas', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  await page.locator('[data-node-id="db"]').waitFor({ timeout: 15000 });
  // Enter on a palette item adds the card on free space in view and moves the focus to it.
  await page.locator('.palette-item[data-kind="server"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.dataset?.kind === 'server' && document.activeElement.classList.contains('node'), null, { timeout: 5000 });
  const id = await focused(page);
  assert.match(id, /^server/);
  const c = await page.locator('svg.canvas').boundingBox();
  const b = await page.locator(`[data-node-id="${id}"] .node-card`).boundingBox();
  assert.ok(b.x >= c.x && b.y >= c.y && b.x + b.width <= c.x + c.width && b.y + b.height <= c.y + c.height, 'the new card is in view');

  // C starts a connection from the focused card; Shift+Tab reaches the card before it (the database) and
  // Enter makes it the callee.
  await page.keyboard.press('c');
  await page.locator(`[data-linking="${id}"]`).waitFor();
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(page), 'db');
  await page.keyboard.press('Enter');
  // A straight edge has a zero-height box, which Playwright calls hidden: wait for it to exist.
  await page.locator(`[data-edge-id="${id}-db"]`).waitFor({ state: 'attached', timeout: 5000 });
  assert.equal(await page.locator('[data-linking]').count(), 0);

  // Escape cancels a connection being made.
  await page.locator(`[data-node-id="${id}"]`).focus();
  await page.keyboard.press('c');
  await page.locator('[data-linking]').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await countBecomes(page.locator('[data-linking]'), 0), 0);

  // Delete the focused card: the focus moves to a neighbouring card, not to the page.
  await page.locator(`[data-node-id="${id}"]`).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Delete');
  assert.equal(await countBecomes(page.locator(`[data-node-id="${id}"]`), 0), 0);
  await page.waitForFunction(() => document.activeElement?.hasAttribute('data-node-id'), null, { timeout: 5000 });
  assert.equal(await focused(page), 'db');
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard: Space runs and pauses, ? shows the shortcut sheet', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url);
  await page.locator('[data-node-id="db"]').waitFor({ timeout: 15000 });
  const status = () => page.locator('.run-controls[data-status]').getAttribute('data-status');
  await page.locator('svg.canvas').focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('.run-controls[data-status]')?.dataset.status === 'running', null, { timeout: 5000 });
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('.run-controls[data-status]')?.dataset.status === 'paused', null, { timeout: 5000 });
  // Space on a focused button presses that button, and only that.
  await page.locator('[data-action="fit"]').focus();
  await page.keyboard.press('Space');
  assert.equal(await status(), 'paused');

  await page.locator('svg.canvas').focus();
  await page.keyboard.press('Shift+?');
  const sheet = page.locator('[data-shortcuts]');
  await sheet.waitFor();
  const text = await sheet.textContent();
  for (const key of ['Space', 'Ctrl+Z', 'Shift+G', 'Delete']) assert.ok(text.includes(key), key);
  assert.ok(text.includes('Connect from the focused'));
  await page.keyboard.press('Escape');
  assert.equal(await countBecomes(sheet, 0), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
