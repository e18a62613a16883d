// End-to-end: the shipped diagrams (scenarios and challenges) and the scenarios' notes are not in the Wasm but in
// one bundle file beside it (`web/content.mjs`, core's `content`), fetched after start. The bundle holds every
// file unchanged; a
// `#scenario=` or `#challenge=` address waits for it and then opens, with the user's own diagram shown
// meanwhile; the gallery says it is loading until then; and after one visit the bundle comes from the service
// worker's cache, so scenarios and challenges open offline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DIST, ROOT, firstVisitWithWorker, launch, launchPersistent, serveDist, serveHolding, skipGallery } from './support.mjs';

/** The .json files under `dir` (relative to the repository), recursively, as repository paths. */
function jsonFiles(dir) {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/'));
}

const bundleName = () => readdirSync(DIST).find((f) => /^content-[0-9a-f]{16}\.json$/.test(f));

test('the build ships every scenario and challenge unchanged in the bundle, and none of them in the Wasm', () => {
  const name = bundleName();
  assert.ok(name, 'dist/ holds a content-<hash>.json');
  assert.match(readFileSync(join(DIST, 'index.html'), 'utf8'), new RegExp(`<link rel="alternate" type="application/json" id="content-bundle" href="\\./${name}">`));
  const bundle = JSON.parse(readFileSync(join(DIST, name), 'utf8'));
  const want = [...jsonFiles('examples/scenarios'), ...jsonFiles('core/src/scenarios'), ...jsonFiles('core/src/challenges/data')].sort();
  assert.equal(want.length, 93, 'the count of shipped files changed: update this number');
  assert.deepEqual(Object.keys(bundle).sort(), want);
  const wasm = readFileSync(join(DIST, readdirSync(DIST).find((f) => f.endsWith('.wasm'))));
  for (const path of want) {
    const text = readFileSync(join(ROOT, path), 'utf8');
    assert.equal(bundle[path], text, path);
    // A diagram's node list is long and particular to it; compiled in, its text would be in the Wasm as is.
    if (text.includes('"nodes"')) {
      const sample = text.slice(text.indexOf('"nodes"'), text.indexOf('"nodes"') + 200);
      assert.equal(wasm.includes(Buffer.from(sample)), false, `${path} is compiled into the Wasm`);
    }
  }
  // The scenarios' notes: compiled in, each explanation, try and watch line would be in the Wasm as a string.
  const notes = Object.values(JSON.parse(bundle['core/src/scenarios/notes.json']));
  assert.equal(notes.length, 49, 'one entry per scenario');
  for (const line of notes.flatMap((n) => [n.explanation, ...n.try, ...n.watch])) {
    assert.equal(wasm.includes(Buffer.from(line)), false, `a scenario's note is compiled into the Wasm: ${line}`);
  }
});

test('a scenario link waits for the bundle: the own diagram first, the gallery says it is loading, then the scenario', async () => {
  const { site, release } = await serveHolding(/^\/content-/);
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await skipGallery(context);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${site.url}#scenario=dns-ttl`);
    // The own diagram (the starter example) while the bundle is held.
    await page.locator('[data-node-id="users"]').waitFor({ timeout: 15000 });
    assert.equal(await page.locator('[data-visit]').count(), 0);
    await page.locator('[data-action="gallery"]').first().click();
    await page.locator('[data-gallery-waiting]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('[data-scenario]').count(), 0);
    await page.keyboard.press('Escape');
    release();
    // Then the scenario opens by itself, address unchanged.
    await page.locator('[data-visit="scenario"]').waitFor({ timeout: 15000 });
    assert.match(await page.locator('.visit-title').textContent(), /^Scenario: DNS with a short and a long TTL$/);
    assert.equal(new URL(page.url()).hash, '#scenario=dns-ttl');
    await page.locator('[data-action="gallery"]').first().click();
    await page.locator('[data-challenge-card="more-workers"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('[data-gallery-waiting]').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await browser.close();
    await site.close();
  }
});

test('offline after one visit: a scenario and a challenge open from the cached bundle', async () => {
  const site = await serveDist(DIST, { prefix: '/app/' });
  const profile = await mkdtemp(join(tmpdir(), 'sdp-content-'));
  const context = await launchPersistent(profile);
  try {
    const { page, errors } = await firstVisitWithWorker(context, site.url);
    const cached = await page.evaluate(async () => (await (await caches.open('sdp-site-v1')).keys()).map((r) => new URL(r.url).pathname));
    assert.ok(cached.includes(`/app/${bundleName()}`), `the bundle is not cached: ${cached}`);

    // No network at all; each address is loaded afresh, so its diagram comes from the cached bundle.
    await site.close();
    await context.setOffline(true);
    await page.goto(`${site.url}#scenario=client-server`);
    await page.reload();
    await page.locator('[data-visit="scenario"]').waitFor({ timeout: 15000 });
    assert.match(await page.locator('.visit-title').textContent(), /^Scenario: Client-server basics$/);
    await page.goto(`${site.url}#challenge=more-workers`);
    await page.reload();
    await page.locator('[data-visit="challenge"]').waitFor({ timeout: 15000 });
    await page.locator('[data-challenge="more-workers"]').waitFor({ timeout: 15000 });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
});
