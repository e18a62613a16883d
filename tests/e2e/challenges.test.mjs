// End-to-end: challenges in headless Chromium — a challenge opens from the gallery (grouped by chapter, with
// search) with its brief, goals and hints; "Check my design" runs over the seeds in slices (a progress bar
// while it runs, Cancel stops it), fails the start with each goal's measured value and why; the reference
// solution opens as an undoable edit and passes; the progress is kept after a reload and shown in the gallery;
// the solution's link opens the design and its result; axe finds no serious violation. On a desktop, a tablet
// and a phone (light and dark).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { useSite, openPage, screenshot, countBecomes } from './support.mjs';

const site = useSite();
const NAME = 'add-index';
const PROGRESS_KEY = 'sdp.challenges.v1';
const CHECK_CAP = 90000;

const VISIT_KEY = 'sdp.visit.v1';

/** The serious and critical accessibility violations axe finds on the page. */
async function violations(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Whether the diagram autosaved for the open challenge has its database indexed (`null`: not saved yet). */
const savedIndexed = (page) => page.evaluate((k) => {
  const saved = JSON.parse(localStorage.getItem(k) ?? 'null');
  const db = saved?.doc?.nodes?.find((n) => n.id === 'db');
  return db ? db.params.indexed === true : null;
}, VISIT_KEY);

const panel = (page) => page.locator(`[data-challenge="${NAME}"]`);

/** Presses "Check my design" and waits (capped) for the verdict; returns it ("passed" or "failed"). */
async function checkDesign(page) {
  await page.locator('[data-action="check-design"]').click();
  const result = page.locator('.challenge-result[data-check="passed"], .challenge-result[data-check="failed"]');
  await result.waitFor({ timeout: CHECK_CAP });
  return result.getAttribute('data-check');
}

for (const [label, viewport, colorScheme] of [
  ['desktop', { width: 1280, height: 800 }, 'light'],
  ['tablet', { width: 768, height: 1024 }, 'light'],
  ['phone', { width: 390, height: 844 }, 'light'],
  ['phone-dark', { width: 390, height: 844 }, 'dark'],
]) {
  test(`${label}: a challenge fails its start, passes with the reference and keeps the progress`, async () => {
    const { context, page, errors } = await openPage(site.browser, site.url, { viewport, colorScheme });
    await page.locator('[data-node-id]').first().waitFor({ timeout: 15000 });
    // From the gallery: chapters in the course's order, a search narrows them.
    await page.keyboard.press('Shift+G');
    const gallery = page.locator('[data-gallery]');
    await gallery.waitFor({ timeout: 15000 });
    // The gallery adds its chapters a few per frame while the page starts.
    assert.equal(await countBecomes(page.locator('[data-chapter]'), 17), 17, 'every chapter is listed');
    assert.deepEqual(
      await page.locator('[data-chapter]').evaluateAll((els) => els.map((e) => Number(e.dataset.chapter))),
      Array.from({ length: 17 }, (_, i) => i + 1),
    );
    assert.ok(await page.locator('[data-challenge-card]').count() >= 25, 'at least 25 challenges');
    await page.locator('[data-gallery-search]').fill('index');
    const narrowed = await countBecomes(page.locator(`[data-challenge-card="${NAME}"]`), 1);
    assert.equal(narrowed, 1, 'the search keeps the index challenge');
    assert.ok(await page.locator('[data-chapter]').count() < 17, 'the search narrows the chapters');
    assert.equal(await page.locator(`[data-challenge-card="${NAME}"] [data-solved]`).count(), 0);
    await page.locator(`[data-challenge-card="${NAME}"] [data-action="open-challenge"]`).click();
    assert.equal(await countBecomes(gallery, 0), 0, 'opening a challenge closes the gallery');
    await panel(page).waitFor({ timeout: 10000 });
    assert.equal(new URL(page.url()).hash, `#challenge=${NAME}`);
    assert.match(await page.locator('[data-challenge-brief]').textContent(), /100,000 rows/);
    assert.equal(await page.locator('.challenge-goals li').count(), 4);
    // Hints one at a time.
    assert.equal(await page.locator('[data-hint]').count(), 0);
    await page.locator('[data-action="hint"]').click();
    assert.equal(await countBecomes(page.locator('[data-hint]'), 1), 1, 'one hint shown');
    // The reference waits for a first try.
    assert.ok(await page.locator('[data-action="show-reference"]').isDisabled(), 'no reference before a check');
    await panel(page).evaluate((el) => { el.scrollTop = 0; el.closest('.inspector')?.scrollTo(0, 0); });
    await screenshot(page, `challenge-brief-${label}`);

    // A check runs in slices, a frame at a time: the progress bar shows several values while it runs, and
    // Cancel (pressed on the first frame that shows it) stops it with no verdict.
    const seen = await page.evaluate(() => new Promise((resolve, reject) => {
      const values = new Set();
      const cap = setTimeout(() => reject(new Error('no progress within 30 s')), 30000);
      const tick = () => {
        const bar = document.querySelector('[data-check="running"] progress');
        if (bar) values.add(bar.value);
        if (document.querySelector('.challenge-result')) {
          clearTimeout(cap);
          resolve([...values]);
        } else requestAnimationFrame(tick);
      };
      document.querySelector('[data-action="check-design"]').click();
      requestAnimationFrame(tick);
    }));
    assert.ok(seen.length >= 3, `the progress bar moved through several values: ${seen}`);
    assert.equal(await page.locator('.challenge-result').getAttribute('data-check'), 'failed');
    const cancelled = await page.evaluate(() => new Promise((resolve, reject) => {
      const cap = setTimeout(() => reject(new Error('no Cancel within 30 s')), 30000);
      const tick = () => {
        const cancel = document.querySelector('[data-action="cancel-check"]');
        if (cancel) {
          clearTimeout(cap);
          cancel.click();
          resolve(true);
        } else requestAnimationFrame(tick);
      };
      document.querySelector('[data-action="check-design"]').click();
      requestAnimationFrame(tick);
    }));
    assert.ok(cancelled);
    assert.equal(await countBecomes(page.locator('[data-check="running"]'), 0), 0, 'Cancel stops the check');
    assert.equal(await countBecomes(page.locator('.challenge-result'), 0), 0, 'a cancelled check gives no verdict');
    await page.locator('[data-action="check-design"]').waitFor();

    // The start fails: each goal with its value, the failed ones with why.
    assert.equal(await checkDesign(page), 'failed');
    const failed = page.locator('[data-goal="failed"]');
    assert.ok(await failed.count() >= 1, 'a goal fails');
    assert.match(await failed.first().locator('.goal-measured').textContent(), /95 % interval|ms/);
    assert.ok(await failed.first().locator('.goal-why li').count() >= 1, 'a failed goal says why');
    await failed.first().scrollIntoViewIfNeeded();
    await screenshot(page, `challenge-failed-${label}`);
    assert.deepEqual(await violations(page), [], 'no serious accessibility violation with a failed check');
    assert.equal(await page.locator('[data-challenge-link]').count(), 0, 'no solution link for a failure');

    // The reference solution: an undoable edit, and it passes.
    await page.locator('[data-action="show-reference"]').click();
    await page.locator('[data-notice]').filter({ hasText: 'reference solution' }).waitFor({ timeout: 5000 });
    assert.equal(await checkDesign(page), 'passed');
    assert.equal(await page.locator('[data-goal="failed"]').count(), 0);
    assert.equal(await page.locator('[data-goal="passed"]').count(), 4);
    await panel(page).locator('[data-solved]').waitFor({ timeout: 5000 });
    const link = await page.locator('[data-challenge-link]').inputValue();
    assert.match(link, new RegExp(`#challenge=${NAME}&d=v[12]\\.`));
    await page.locator('[data-challenge-link]').scrollIntoViewIfNeeded();
    await screenshot(page, `challenge-passed-${label}`);
    assert.deepEqual(await violations(page), [], 'no serious accessibility violation with a passed check');
    const progress = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), PROGRESS_KEY);
    assert.ok(JSON.stringify(progress).includes(NAME), 'the solved challenge is stored');

    // The reference replaced the design as one undoable edit: Undo brings the start back (autosaved).
    await page.waitForFunction(([k]) => JSON.parse(localStorage.getItem(k) ?? 'null')?.doc?.nodes?.find((n) => n.id === 'db')?.params.indexed === true, [VISIT_KEY], { timeout: 10000 });
    assert.equal(await savedIndexed(page), true, 'the reference is saved');
    await page.locator('.canvas-area').first().click({ position: { x: 5, y: 5 } }).catch(() => {});
    await page.keyboard.press('Control+z');
    await page.waitForFunction(([k]) => JSON.parse(localStorage.getItem(k) ?? 'null')?.doc?.nodes?.find((n) => n.id === 'db')?.params.indexed !== true, [VISIT_KEY], { timeout: 10000 });
    assert.equal(await savedIndexed(page), false, 'Undo brings back the design from before the reference');

    // After a reload the progress is kept: the panel and the gallery say solved.
    await page.reload();
    await panel(page).locator('[data-solved]').waitFor({ timeout: 15000 });
    await page.keyboard.press('Shift+G');
    await gallery.waitFor({ timeout: 5000 });
    await page.locator(`[data-challenge-card="${NAME}"] [data-solved]`).waitFor({ timeout: 5000 });
    await page.locator(`[data-challenge-card="${NAME}"]`).scrollIntoViewIfNeeded();
    await screenshot(page, `challenge-gallery-${label}`);
    assert.match(await page.locator('[data-chapter="5"] .chapter-count').textContent(), /^1 of \d+ challenges solved$/);
    assert.deepEqual(await violations(page), [], 'no serious accessibility violation in the gallery');
    // "My solution" opens the solved design, and its check passes again by itself.
    await page.locator(`[data-challenge-card="${NAME}"] [data-action="open-solution"]`).click();
    assert.equal(await countBecomes(gallery, 0), 0, 'opening the solution closes the gallery');
    await panel(page).locator('.challenge-result[data-check="passed"]').waitFor({ timeout: CHECK_CAP });
    assert.match(new URL(page.url()).hash, new RegExp(`^#challenge=${NAME}&d=`));

    // The solution's link, in a fresh browser: the design opens and its result follows by itself.
    const fresh = await openPage(site.browser, link, { viewport, colorScheme });
    await fresh.page.locator(`[data-challenge="${NAME}"] .challenge-result[data-check="passed"]`).waitFor({ timeout: CHECK_CAP });
    assert.deepEqual(fresh.errors, []);
    await fresh.context.close();

    assert.deepEqual(errors, []);
    await context.close();
  });
}
