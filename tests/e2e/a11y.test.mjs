// End-to-end: axe-core finds no serious or critical accessibility violation in four states of the page (a
// first visit, the gallery, a run, the inspector of a selected node during a run), in the light and the dark
// theme, on a desktop and a phone. Contrast is part of it (WCAG AA: 4.5:1 for text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { useSite, openPage, openWithDiagram, SHOTS, ROOT } from './support.mjs';

const site = useSite();

/** Runs axe on the page; returns the serious and critical violations, each with the first few targets. */
async function audit(page, state, log) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
  const contrast = results.passes.find((p) => p.id === 'color-contrast');
  const unsure = results.incomplete.find((p) => p.id === 'color-contrast');
  log.push({
    state,
    passes: results.passes.length,
    contrast_checked: contrast?.nodes.length ?? 0,
    contrast_unsure: unsure?.nodes.map((n) => n.target.join(' ')) ?? [],
    violations: results.violations.map((v) => `${v.id}:${v.impact}:${v.nodes.length}`),
  });
  return bad;
}

/**
 * The contrast of the canvas's SVG text, which axe leaves undecided: each card's label and kind against the
 * card's fill, each badge's text against its pill. Returns the pairs under 4.5:1.
 */
function svgTextContrast(page) {
  return page.evaluate(() => {
    const rgb = (v) => {
      const m = /^rgba?\(([^)]+)\)/.exec(v);
      if (m) return m[1].split(',').slice(0, 3).map(Number);
      const c = /^color\(srgb ([^)]+)\)/.exec(v);
      if (c) return c[1].split(' ').slice(0, 3).map((x) => Number(x) * 255);
      throw new Error(`colour ${v}`);
    };
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => {
      const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
      return (x + 0.05) / (y + 0.05);
    };
    const low = [];
    const pairs = [
      ['g.node[data-node-id]', '.node-card', '.node-label, .node-kind'],
      ['g.kind-figure', 'rect', 'text'],
      ['g.reject-badge', 'rect', 'text'],
    ];
    let checked = 0;
    for (const [group, under, texts] of pairs) {
      for (const g of document.querySelectorAll(group)) {
        const bg = rgb(getComputedStyle(g.querySelector(under)).fill);
        for (const t of g.querySelectorAll(texts)) {
          const r = ratio(rgb(getComputedStyle(t).fill), bg);
          checked++;
          if (r < 4.5) low.push(`${t.textContent} on ${group}: ${r.toFixed(2)}`);
        }
      }
    }
    return { checked, low };
  });
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
      if (viewport.width < 900) {
        await page.locator('[data-region="metrics"] [data-action="close-sheet"]').click();
        await page.locator('[data-region="metrics"]').waitFor({ state: 'hidden' });
      }
      await page.locator('[data-node-id="app1"] .node-label').click();
      if (viewport.width < 900) await page.locator('[data-tab="inspector"]').click();
      await page.locator('[data-node-stats="app1"]').waitFor({ state: 'visible', timeout: 10000 });
      found.push(...(await audit(page, 'inspector', log)).map((v) => `inspector: ${v}`));
      // The canvas's text, with a card selected (its tint is the strongest): at least 4.5:1.
      const svg = await svgTextContrast(page);
      assert.ok(svg.checked >= 10, `${svg.checked} SVG texts checked`);
      found.push(...svg.low.map((l) => `canvas text: ${l}`));
      await mkdir(SHOTS, { recursive: true });
      await writeFile(join(SHOTS, `axe-${colorScheme}-${viewport.width}.json`), JSON.stringify(log, null, 1));
      // The warm-up note (its colour failed contrast before): a diagram with a 5 s warm-up, seen inside it.
      const warm = await openWithDiagram(site.browser, site.url, JSON.parse(readFileSync(join(ROOT, 'examples', 'three-tier.json'), 'utf8')), { colorScheme, viewport });
      await warm.page.locator('[data-action="run"]').click();
      if (viewport.width < 900) await warm.page.locator('[data-tab="metrics"]').click();
      await warm.page.locator('[data-warmup]').waitFor({ state: 'visible', timeout: 10000 });
      found.push(...(await audit(warm.page, 'warming up', log)).map((v) => `warming up: ${v}`));
      await warm.context.close();
      console.log(`# axe ${colorScheme} ${viewport.width}: ${log.map((l) => `${l.state} ${l.passes} passes (contrast of ${l.contrast_checked} texts; ${l.contrast_unsure.length} undecided), ${l.violations.length} minor/moderate`).join('; ')}`);
      assert.deepEqual(found, []);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}
