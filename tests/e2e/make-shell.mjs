// Writes the app shell's copied parts into index.html from a built site: the palette (every kind, grouped,
// with its icon, name and hint) and the narrow screens' tab bar, as the app renders them, made inert (no
// buttons, no `data-kind`, no tooltips). index.html paints them before the Wasm arrives, in the places the
// app puts them, so nothing moves when the app replaces the shell. Run it after adding or renaming a kind
// (tests/e2e/hosting.test.mjs fails until the shell's palette matches the app's):
//
//   trunk build --release && node tests/e2e/make-shell.mjs [DIR=dist]
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ROOT, serveDist, launch, skipGallery } from './support.mjs';

/** The app's markup made inert: buttons become plain boxes, handlers' hooks and tooltips go. */
export function inert(html) {
  return html
    .replace(/<button type="button"/g, '<span')
    .replace(/<\/button>/g, '</span>')
    .replace(/ (?:data-kind|data-tab|title|aria-expanded|aria-controls)="[^"]*"/g, '');
}

/** Replaces what lies between `<!-- shell:NAME -->` and `<!-- /shell:NAME -->` in `html`. */
export function fill(html, name, body) {
  const re = new RegExp(`(<!-- shell:${name} -->)[\\s\\S]*?(\\s*<!-- /shell:${name} -->)`);
  if (!re.test(html)) throw new Error(`index.html has no <!-- shell:${name} --> … <!-- /shell:${name} --> markers`);
  return html.replace(re, (_, open, close) => `${open}\n${body}${close}`);
}

const dir = resolve(process.argv[2] ?? join(ROOT, 'dist'));
const site = await serveDist(dir);
const browser = await launch();
try {
  const grab = async (viewport, fn) => {
    const context = await browser.newContext({ viewport });
    await skipGallery(context);
    const page = await context.newPage();
    await page.goto(site.url);
    await page.locator('[data-testid="app"]').waitFor({ timeout: 30000 });
    const out = await page.evaluate(fn);
    await context.close();
    return out;
  };
  const palette = await grab({ width: 1440, height: 900 }, () =>
    [...document.querySelectorAll('[data-testid="app"] aside.palette > :is(.panel-title, .palette-group, .palette-tip)')]
      .map((el) => el.outerHTML)
      .join('\n'));
  const tabs = await grab({ width: 390, height: 844 }, () => document.querySelector('[data-testid="app"] nav.tabbar').innerHTML);
  const file = join(ROOT, 'index.html');
  let html = await readFile(file, 'utf8');
  html = fill(html, 'palette', inert(palette));
  html = fill(html, 'tabbar', inert(tabs).replace(/<span class="tab">/g, '\n<span class="tab">').trim());
  await writeFile(file, html);
  console.log(`make-shell: wrote the palette (${palette.length} chars) and the tab bar into index.html`);
} finally {
  await browser.close();
  await site.close();
}
