// End-to-end: axe-core finds no serious or critical accessibility violation in four states of the page (a
// first visit, the gallery, a run, the inspector of a selected node during a run), in the light and the dark
// theme, on a desktop and a phone. Contrast is part of it (WCAG AA: 4.5:1 for text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { useSite, openPage, SHOTS } from './support.mjs';

const site = useSite();

/** Runs axe on the page; returns the serious and critical violations, each with the first few targets. */
async function audit(page, state, log) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
  log.push({ state, passes: results.passes.length, violations: results.violations.map((v) => `${v.id}:${v.impact}:${v.nodes.length}`) });
  return bad;
}

for (const colorScheme of ['light', 'dark']) {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    test(`axe: no serious or critical violation (${colorScheme}, ${viewport.width} px)`, async () => {
      const log = [];
      const found = [];
      // A first visit: the gallery opens over the example.
      const first = await openPage(site.browser, site.url, { colorScheme, viewport, gallery: true });
      await first.page.locator('[data-gallery]').waitFor({ timeout: 15000 });
      found.push(...(await audit(first.page, 'gallery', log)).map((v) => `gallery: ${v}`));
      await first.page.keyboard.press('Escape');
      await first.page.locator('[data-gallery]').waitFor({ state: 'detached' });
      await first.page.locator('[data-node-id="users"]').waitFor();
      found.push(...(await audit(first.page, 'first visit', log)).map((v) => `first visit: ${v}`));
      await first.context.close();

      // A run, then the inspector of a node while it runs.
      const { context, page, errors } = await openPage(site.browser, site.url, { colorScheme, viewport });
      await page.locator('[data-node-id="users"]').waitFor({ timeout: 15000 });
      await page.locator('[data-action="run"]').click();
      await page.waitForFunction(() => Number(document.querySelector('[data-metric="sim_time"]')?.textContent) > 2, null, { timeout: 20000 });
      if (viewport.width < 900) {
        await page.locator('[data-tab="metrics"]').click();
        await page.locator('[data-region="metrics"] [data-metric="p99"]').waitFor({ state: 'visible' });
      }
      found.push(...(await audit(page, 'running', log)).map((v) => `running: ${v}`));
      await page.locator('[data-node-id="app1"] .node-label').click();
      if (viewport.width < 900) await page.locator('[data-tab="inspector"]').click();
      await page.locator('[data-node-stats="app1"]').waitFor({ state: 'visible', timeout: 10000 });
      found.push(...(await audit(page, 'inspector', log)).map((v) => `inspector: ${v}`));
      await mkdir(SHOTS, { recursive: true });
      await writeFile(join(SHOTS, `axe-${colorScheme}-${viewport.width}.json`), JSON.stringify(log, null, 1));
      console.log(`# axe ${colorScheme} ${viewport.width}: ${log.map((l) => `${l.state} ${l.passes} passes, ${l.violations.length} minor/moderate`).join('; ')}`);
      assert.deepEqual(found, []);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}
