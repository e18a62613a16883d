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

/** Chapters the app's gallery lists at once (web/src/gallery.rs `FIRST_CHAPTERS`): the shell's copy holds these. */
export const FIRST_CHAPTERS = 2;

/**
 * The app's gallery dialog (a DOM element, changed in place) as the shell's copy, in the browser: each card's
 * button becomes a link to what it opens (`#scenario=…`, `#challenge=…`, which the app opens once started),
 * Close is handled by index.html's script (`data-shell-close`), the search box is read-only until the app
 * starts, no `data-` hook of the app's is left (tests find the app's gallery by them), and the title's id is
 * the shell's own. Returns its HTML.
 */
function galleryInert(g) {
  const link = (button, href) => {
    const a = document.createElement('a');
    a.className = button.className;
    a.href = href;
    a.textContent = button.textContent;
    button.replaceWith(a);
  };
  for (const card of g.querySelectorAll('[data-scenario]')) link(card.querySelector('button'), `#scenario=${card.dataset.scenario}`);
  for (const card of g.querySelectorAll('[data-challenge-card]')) link(card.querySelector('button'), `#challenge=${card.dataset.challengeCard}`);
  const close = g.querySelector('[data-action="close-gallery"]');
  close.setAttribute('data-shell-close', '');
  g.querySelector('input').readOnly = true;
  for (const el of [g, ...g.querySelectorAll('*')]) {
    for (const { name } of [...el.attributes]) if (name.startsWith('data-') && name !== 'data-shell-close') el.removeAttribute(name);
  }
  g.querySelector('#gallery-title').id = 'sdp-gallery-title';
  g.setAttribute('aria-labelledby', 'sdp-gallery-title');
  if (g.querySelectorAll('button').length !== 1) throw new Error('the gallery has buttons make-shell does not know');
  return g.outerHTML;
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
  const grab = async (viewport, fn, { gallery = false, ready = '[data-testid="app"]' } = {}) => {
    const context = await browser.newContext({ viewport });
    if (!gallery) await skipGallery(context);
    const page = await context.newPage();
    await page.goto(site.url);
    await page.locator(ready).first().waitFor({ timeout: 30000 });
    const out = await page.evaluate(fn);
    await context.close();
    return out;
  };
  const palette = await grab({ width: 1440, height: 900 }, () =>
    [...document.querySelectorAll('[data-testid="app"] aside.palette > :is(.panel-title, .palette-group, .palette-tip)')]
      .map((el) => el.outerHTML)
      .join('\n'));
  const tabs = await grab({ width: 390, height: 844 }, () => document.querySelector('[data-testid="app"] nav.tabbar').innerHTML);
  // A first visit's gallery once its first chapters are listed (the diagrams' bundle has arrived).
  const gallery = await grab(
    { width: 1440, height: 900 },
    `(() => {
      const g = document.querySelector('[data-gallery]').cloneNode(true);
      g.querySelectorAll('.gallery-chapter').forEach((c, i) => i >= ${FIRST_CHAPTERS} && c.remove());
      return (${galleryInert})(g);
    })()`,
    { gallery: true, ready: '[data-gallery] .gallery-chapter:nth-child(2) .scenario-card' },
  );
  const file = join(ROOT, 'index.html');
  let html = await readFile(file, 'utf8');
  html = fill(html, 'palette', inert(palette));
  html = fill(html, 'gallery', gallery);
  html = fill(html, 'tabbar', inert(tabs).replace(/<span class="tab">/g, '\n<span class="tab">').trim());
  await writeFile(file, html);
  console.log(`make-shell: wrote the palette (${palette.length} chars), the tab bar and the gallery's first ${FIRST_CHAPTERS} chapters (${gallery.length} chars) into index.html`);
} finally {
  await browser.close();
  await site.close();
}
