// Building a diagram through the page, as a person would: cards dragged from the palette, ports dragged to
// connect them, a card clicked to select it, inspector fields filled; then a run to its end at 1000×, and
// the figures the inspector shows. Shared by the browser tests that build their diagrams by hand.

import { centre, drag } from './support.mjs';

export const palette = (page, kind) => page.locator(`[data-region="palette"] [data-kind="${kind}"]`);

export const node = (page, id) => page.locator(`[data-node-id="${id}"]`);

export const inspector = (page) => page.locator('[data-region="inspector"]');

export async function dropFromPalette(page, kind, x, y) {
  const canvas = await page.locator('svg.canvas').boundingBox();
  await palette(page, kind).scrollIntoViewIfNeeded();
  await drag(page, await centre(palette(page, kind)), { x: canvas.x + x, y: canvas.y + y }, { steps: 15 });
}

export async function connect(page, fromId, toId) {
  await drag(page, await centre(node(page, fromId).locator('.node-port')), await centre(node(page, toId).locator('.node-card')));
  await page.locator(`[data-edge-id="${fromId}-${toId}"]`).waitFor({ state: 'attached' });
}

export async function select(page, id) {
  await page.mouse.click(...Object.values(await centre(node(page, id).locator('.node-label'))));
}

export async function setParam(page, param, value) {
  const field = inspector(page).locator(`[data-param="${param}"]`);
  await field.fill(String(value));
  await field.press('Enter');
}

export async function runToTheEnd(page) {
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 120000 });
}

export const figure = async (page, key) => (await page.locator(`[data-figure="${key}"]`).first().textContent()).trim();

export const number = (s) => Number(s.replace(/[^\d.]/g, ''));
