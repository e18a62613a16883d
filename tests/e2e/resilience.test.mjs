// End-to-end: the resilience and security components in the page, with real mouse events in headless
// Chromium — the API gateway, firewall and rate limiter in the palette, dropped and edited; an edge's call
// policy (retry policy, circuit breaker) added in the inspector, surviving a reload and a share link; a run
// whose breaker opens shows its state on the canvas, cards show their rejection counts, the legend and the
// metrics list rate limited, shed, blocked and duplicate effects. Screenshots (light and dark) go to target/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  useSite, openPage, openWithDiagram, screenshot, centre, drag, countBecomes, STORAGE_KEY, ROOT, SHOTS,
} from './support.mjs';

const site = useSite();

const palette = (page, kind) => page.locator(`[data-region="palette"] [data-kind="${kind}"]`);
const node = (page, id) => page.locator(`[data-node-id="${id}"]`);
const saved = async (page) => JSON.parse(await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY));
const simTime = async (page) => Number(await page.locator('[data-metric="sim_time"]').textContent());

/** Drags a palette item onto the canvas, to a point given relative to the canvas's top-left corner. */
async function dropFromPalette(page, kind, x, y) {
  const canvas = await page.locator('svg.canvas').boundingBox();
  await palette(page, kind).scrollIntoViewIfNeeded();
  await drag(page, await centre(palette(page, kind)), { x: canvas.x + x, y: canvas.y + y }, { steps: 15 });
}

/** Types `value` into an inspector field and commits it with Enter, as a person would. */
async function setParam(page, path, value) {
  const input = page.locator(`[data-region="inspector"] input[data-param="${path}"]`);
  await input.click();
  await input.fill(String(value));
  await input.press('Enter');
}

/** Types lines into an inspector text area and commits them by leaving it (Enter starts a new line there). */
async function setLines(page, path, text) {
  const area = page.locator(`[data-region="inspector"] textarea[data-param="${path}"]`);
  await area.click();
  await area.fill(text);
  await page.keyboard.press('Tab');
}

/** Waits until the autosaved diagram satisfies `check` (autosave is an effect after the edit). */
async function savedBecomes(page, check, timeout = 5000) {
  const until = Date.now() + timeout;
  let doc = await saved(page);
  while (!check(doc) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    doc = await saved(page);
  }
  return doc;
}

/** Clicks a connection's line with the mouse (its hit path, at the middle of the curve). */
async function clickEdge(page, name) {
  const at = await page.locator(`[data-edge-id="${name}"] .edge-hit`).evaluate((p) => {
    const mid = p.getPointAtLength(p.getTotalLength() / 2);
    const m = p.getScreenCTM();
    return { x: m.a * mid.x + m.c * mid.y + m.e, y: m.b * mid.x + m.d * mid.y + m.f };
  });
  await page.mouse.click(at.x, at.y);
  await page.locator('[data-section="call-policy"]').waitFor({ timeout: 5000 });
}

/** Opens the File menu, pastes `doc` as JSON and imports it (one undoable step). */
async function pasteDiagram(page, doc) {
  await page.locator('[data-action="file"]').click();
  await page.locator('[data-action="paste"]').click();
  await page.locator('[data-import-text]').fill(JSON.stringify(doc));
  await page.locator('[data-action="import-text"]').click();
  assert.equal(await countBecomes(page.locator('[data-node-id]'), doc.nodes.length), doc.nodes.length, 'the pasted diagram is on the canvas');
}

/** A client calling a server that calls a database: the edge server → database carries the policy. */
const threeTier = () => ({
  version: 1,
  name: 'Call policy',
  settings: { seed: 3, duration_s: 30 },
  nodes: [
    { id: 'web', kind: 'client', label: 'Web app', position: { x: 40, y: 120 }, params: { rate: 50 } },
    { id: 'api', kind: 'server', label: 'API', position: { x: 300, y: 120 }, params: {} },
    { id: 'db', kind: 'database', label: 'Orders DB', position: { x: 560, y: 120 }, params: {} },
  ],
  edges: [{ from: 'web', to: 'api' }, { id: 'api-db', from: 'api', to: 'db' }],
});

/**
 * Users, a scraper and an attacker behind a firewall and a per-address rate limit, in front of an API that
 * sheds expired work and charges a card on each write, calling a database over a breaker; the database dies
 * at 5 s, so the breaker opens.
 */
const guarded = () => ({
  version: 1,
  name: 'Guards under fire',
  settings: { seed: 5, duration_s: 60 },
  nodes: [
    { id: 'users', kind: 'client', label: 'Users', position: { x: 40, y: 40 }, params: { rate: 80, addresses: 1000, read_fraction: 0.7 } },
    { id: 'scraper', kind: 'client', label: 'Scraper', position: { x: 40, y: 180 }, params: { rate: 150, addresses: 1 } },
    { id: 'attacker', kind: 'client', label: 'Attacker', position: { x: 40, y: 320 }, params: { rate: 30, addresses: 20, malicious_fraction: 0.5 } },
    { id: 'waf', kind: 'waf', label: 'WAF', position: { x: 280, y: 180 }, params: { ip_rate_limit: null } },
    { id: 'limiter', kind: 'rate_limiter', label: 'Rate limit', position: { x: 500, y: 180 }, params: { limit: 10, key: 'client_address' } },
    { id: 'api', kind: 'server', label: 'API', position: { x: 720, y: 180 }, params: { workers: 8, shed_expired: true, side_effects: true } },
    { id: 'db', kind: 'database', label: 'Orders DB', position: { x: 940, y: 180 }, params: {} },
  ],
  edges: [
    { from: 'users', to: 'waf' },
    { from: 'scraper', to: 'waf' },
    { from: 'attacker', to: 'waf' },
    { from: 'waf', to: 'limiter' },
    { from: 'limiter', to: 'api' },
    { id: 'api-db', from: 'api', to: 'db', timeout_ms: 200, breaker: { minimum_calls: 10, failure_rate: 0.5, open_ms: 5000 } },
  ],
  faults: [{ at_s: 5, action: { type: 'kill', node: 'db' } }],
});

test('the API gateway, firewall and rate limiter are in the palette, drop onto the canvas and edit their parameters', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { context, page, errors } = await openPage(site.browser, site.url, { colorScheme });
    await node(page, 'users').waitFor({ timeout: 15000 });
    for (const kind of ['api_gateway', 'waf', 'rate_limiter']) {
      assert.equal(await palette(page, kind).count(), 1, kind);
      assert.ok(await palette(page, kind).locator('svg.icon path').getAttribute('d'), `${kind} has an icon`);
    }
    // The firewall and the rate limiter sit under Resilience, in its colour family.
    const resilience = page.locator('[data-region="palette"] section[aria-label="Resilience"]');
    for (const kind of ['waf', 'rate_limiter']) {
      assert.equal(await resilience.locator(`[data-kind="${kind}"].cat-resilience`).count(), 1, kind);
    }
    await palette(page, 'rate_limiter').scrollIntoViewIfNeeded();
    console.log(`# screenshot: ${await screenshot(page, `resilience-palette-${colorScheme}`)}`);
    if (colorScheme === 'dark') {
      assert.deepEqual(errors, []);
      await context.close();
      continue;
    }

    await page.locator('[data-action="new"]').click();
    await page.locator('[data-action="confirm-new"]').click();
    await dropFromPalette(page, 'api_gateway', 120, 120);
    await dropFromPalette(page, 'waf', 380, 120);
    await dropFromPalette(page, 'rate_limiter', 380, 300);
    for (const [id, kind] of [['api_gateway1', 'api_gateway'], ['waf1', 'waf'], ['rate_limiter1', 'rate_limiter']]) {
      await node(page, id).waitFor();
      assert.equal(await node(page, id).getAttribute('data-kind'), kind);
    }

    // The gateway: auth is a choice, TLS a switch, the routing table free text checked as it is typed.
    await node(page, 'api_gateway1').locator('.node-label').click();
    const inspector = page.locator('[data-region="inspector"]');
    assert.deepEqual(await inspector.locator('select[data-param="auth"] option').evaluateAll((os) => os.map((o) => o.value)), ['none', 'jwt', 'session']);
    assert.equal(await inspector.locator('input[data-param="tls"]').getAttribute('role'), 'switch');
    await setLines(page, 'routes', 'GET users');
    const error = inspector.locator('.field.invalid .field-error');
    await error.waitFor();
    assert.match(await error.textContent(), /route 1 `GET users`/);
    assert.equal((await saved(page)).nodes.find((n) => n.id === 'api_gateway1').params.routes, undefined, 'a bad route is never stored');
    await setLines(page, 'routes', 'GET /users -> waf1\nPOST /orders -> waf1');
    let doc = await savedBecomes(page, (d) => d.nodes.find((n) => n.id === 'api_gateway1').params.routes);
    assert.equal(doc.nodes.find((n) => n.id === 'api_gateway1').params.routes, 'GET /users -> waf1\nPOST /orders -> waf1');
    assert.equal(await inspector.locator('.field.invalid').count(), 0);
    // Its optional rate limit is added with the limiter's defaults.
    await inspector.locator('[data-optional="rate_limit"] [data-action="add"]').click();
    await inspector.locator('select[data-param="rate_limit.algorithm"]').waitFor();
    doc = await savedBecomes(page, (d) => d.nodes.find((n) => n.id === 'api_gateway1').params.rate_limit);
    assert.equal(doc.nodes.find((n) => n.id === 'api_gateway1').params.rate_limit.limit, 100);

    // The firewall: an empty per-address limit means off.
    await node(page, 'waf1').locator('.node-label').click();
    assert.equal(await inspector.locator('input[data-param="ip_rate_limit"]').getAttribute('placeholder'), 'off');
    assert.equal(await inspector.locator('input[data-param="signature_rules"]').isChecked(), true);

    // The rate limiter: algorithm and key are choices; an empty burst means the limit.
    await node(page, 'rate_limiter1').locator('.node-label').click();
    assert.deepEqual(
      await inspector.locator('select[data-param="algorithm"] option').evaluateAll((os) => os.map((o) => o.value)),
      ['fixed_window', 'sliding_log', 'sliding_window', 'token_bucket', 'leaky_bucket'],
    );
    await inspector.locator('select[data-param="algorithm"]').selectOption('sliding_log');
    await inspector.locator('select[data-param="key"]').selectOption('api_key');
    assert.equal(await inspector.locator('input[data-param="burst"]').getAttribute('placeholder'), '= limit');
    await setParam(page, 'limit', '0');
    await inspector.locator('.field.invalid .field-error').waitFor();
    doc = await savedBecomes(page, (d) => d.nodes.find((n) => n.id === 'rate_limiter1').params.key === 'api_key');
    const limiter = doc.nodes.find((n) => n.id === 'rate_limiter1').params;
    assert.equal(limiter.algorithm, 'sliding_log');
    assert.equal(limiter.key, 'api_key');
    assert.equal(limiter.limit, undefined, 'a zero limit is refused');
    assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
    await context.close();
  }
});

test('the edge inspector adds a retry policy and a breaker; they survive a reload and a share link', async () => {
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, threeTier());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.url });
  await clickEdge(page, 'api-db');
  const policy = page.locator('[data-section="call-policy"]');
  // Nothing yet: a timeout box that is empty (none), and Add buttons.
  assert.equal(await policy.locator('input[data-param="timeout_ms"]').getAttribute('placeholder'), 'none');
  assert.equal(await policy.locator('[data-optional="retry"]').getAttribute('data-present'), 'false');
  assert.equal(await policy.locator('[data-optional="breaker"]').getAttribute('data-present'), 'false');

  await setParam(page, 'timeout_ms', 300);
  await policy.locator('[data-optional="retry"] [data-action="add"]').click();
  await policy.locator('input[data-param="retry.max_attempts"]').waitFor();
  await setParam(page, 'retry.max_attempts', 4);
  await policy.locator('select[data-param="retry.jitter"]').selectOption('decorrelated');
  await policy.locator('[data-optional="retry.budget"] [data-action="add"]').click();
  await setParam(page, 'retry.budget.ratio', 0.2);
  await policy.locator('[data-optional="breaker"] [data-action="add"]').click();
  await policy.locator('input[data-param="breaker.open_ms"]').waitFor();
  await setParam(page, 'breaker.open_ms', 2000);
  // A bad value gets its message and is never stored.
  await setParam(page, 'breaker.failure_rate', 1.5);
  await policy.locator('.field.invalid .field-error').waitFor();
  assert.match(await policy.locator('.field.invalid .field-error').textContent(), /failure_rate/);
  console.log(`# screenshot: ${await screenshot(page, 'resilience-inspector-light')}`);

  const doc = await savedBecomes(page, (d) => d.edges[1].breaker?.open_ms === 2000);
  const edge = doc.edges[1];
  assert.equal(edge.timeout_ms, 300);
  assert.equal(edge.retry.max_attempts, 4);
  assert.equal(edge.retry.jitter, 'decorrelated');
  assert.equal(edge.retry.budget.ratio, 0.2);
  assert.equal(edge.breaker.open_ms, 2000);
  assert.equal(edge.breaker.failure_rate, 0.5, 'the refused 1.5 was not stored');

  // Reload: the autosaved policy is there.
  const check = async (p) => {
    await clickEdge(p, 'api-db');
    const s = p.locator('[data-section="call-policy"]');
    assert.equal(await s.locator('[data-optional="retry"]').getAttribute('data-present'), 'true');
    assert.equal(await s.locator('[data-optional="breaker"]').getAttribute('data-present'), 'true');
    assert.equal(await s.locator('input[data-param="retry.max_attempts"]').inputValue(), '4');
    assert.equal(await s.locator('select[data-param="retry.jitter"]').inputValue(), 'decorrelated');
    assert.equal(await s.locator('input[data-param="breaker.open_ms"]').inputValue(), '2000');
    assert.equal(await s.locator('input[data-param="timeout_ms"]').inputValue(), '300');
  };
  await page.reload();
  await node(page, 'api').waitFor({ timeout: 15000 });
  await check(page);

  // A share link (v2: the edge has a call policy) opens with the same policy in a fresh browser.
  await page.locator('[data-action="share"]').click();
  const link = await page.locator('[data-share-link]').inputValue();
  assert.match(link, /#d=v2\./);
  const b = await openPage(site.browser, link);
  await b.page.locator('[data-visit="link"]').waitFor({ timeout: 15000 });
  await check(b.page);
  console.log(`# screenshot: ${await screenshot(b.page, 'resilience-inspector-shared')}`);

  // Removing the retry policy takes it and its rows away.
  await b.page.locator('[data-section="call-policy"] [data-optional="retry"] [data-action="remove"]').click();
  assert.equal(await countBecomes(b.page.locator('input[data-param="retry.max_attempts"]'), 0), 0);

  // The dark theme of the same section.
  const dark = await openPage(site.browser, link, { colorScheme: 'dark' });
  await dark.page.locator('[data-visit="link"]').waitFor({ timeout: 15000 });
  await clickEdge(dark.page, 'api-db');
  await dark.page.locator('[data-section="call-policy"]').scrollIntoViewIfNeeded();
  console.log(`# screenshot: ${await screenshot(dark.page, 'resilience-inspector-dark')}`);
  assert.deepEqual([...errors, ...b.errors, ...dark.errors], []);
  await context.close();
  await b.context.close();
  await dark.context.close();
});

test('a run whose breaker opens shows it on the canvas; cards count rejections; legend and metrics list the guards', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { context, page, errors } = await openPage(site.browser, site.url, { colorScheme });
    await node(page, 'users').waitFor({ timeout: 15000 });
    await pasteDiagram(page, guarded());
    await page.locator('[data-field="speed"]').selectOption('2');
    await page.locator('[data-action="run"]').click();
    // The database dies at 5 s; its calls time out, the breaker opens.
    const open = page.locator('[data-layer="live"] [data-breaker-for="api-db"][data-breaker-state="open"]');
    await open.waitFor({ timeout: 60000 });
    assert.ok(await simTime(page) >= 5, 'the breaker opens after the database dies');
    await page.locator('[data-action="pause"]').click();
    // The connection is restyled while open; the pill says so.
    assert.equal(await open.locator('.breaker-text').textContent(), 'open');
    assert.equal(await open.locator('.breaker-line').count(), 1);

    // Rejection badges: the firewall blocked attacks (403), the limiter refused the scraper (429).
    const badge = (id, key) => page.locator(`[data-badge-for="${id}"] [data-reject="${key}"]`);
    await badge('waf', 'blocked').waitFor({ timeout: 5000 });
    await badge('limiter', 'rate_limited').waitFor({ timeout: 5000 });
    assert.ok(Number(await badge('waf', 'blocked').getAttribute('data-count')) > 0);
    assert.match(await badge('waf', 'blocked').locator('text').textContent(), /^403 ×\d/);
    assert.match(await badge('limiter', 'rate_limited').locator('text').textContent(), /^429 ×\d/);

    // The legend: the guards' outcomes each with a dot, duplicate effects as a counter.
    for (const word of ['rate limited (429)', 'shed', 'blocked (403)']) {
      assert.equal(await page.locator(`.traffic-legend [data-legend="${word}"] .legend-dot`).count(), 1, word);
    }
    assert.equal(await page.locator('.traffic-legend [data-legend="duplicate effect"]').count(), 1);

    // The metrics: the guards' figures.
    const metric = (k) => page.locator(`[data-region="metrics"] [data-metric="${k}"]`);
    for (const k of ['rate_limited', 'shed', 'blocked', 'duplicate_effects', 'breaker_opens']) {
      assert.equal(await metric(k).count(), 1, k);
    }
    assert.ok(Number(await metric('rate_limited').textContent()) > 0);
    assert.ok(Number(await metric('blocked').textContent()) > 0);
    assert.ok(Number(await metric('breaker_opens').textContent()) >= 1);

    // The selected edge's figures, then the firewall's block.
    await clickEdge(page, 'api-db');
    const edgeLine = page.locator('[data-edge-metrics="api-db"]');
    await edgeLine.waitFor();
    assert.match(await edgeLine.textContent(), /breaker open · opened \d+× · \d+ short-circuited · open [\d.]+ s · \d+ calls · \d+ attempts/);
    // The page fits the screen with nothing to scroll.
    const overflow = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
    assert.deepEqual(overflow, [1280, 800]);
    console.log(`# screenshot: ${await screenshot(page, `resilience-running-${colorScheme}`)}`);
    await node(page, 'waf').locator('.node-label').click();
    assert.match(await page.locator('[data-guard-block="waf"]').textContent(), /waf: \d+ inspected · blocked \d+ by signature/);
    await node(page, 'limiter').locator('.node-label').click();
    assert.match(await page.locator('[data-guard-block="limiter"]').textContent(), /limiter: \d+ admitted · \d+ rate limited \(429\)/);
    assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
    await context.close();
  }
});

test('run to the end, the guards\' figures and the breaker edge equal what the native runner reports', async () => {
  const doc = guarded();
  doc.settings.duration_s = 20;
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, doc);
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 120000 });
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, 'resilience-guarded.json');
  writeFileSync(file, JSON.stringify(doc));
  const native = JSON.parse(execFileSync('cargo', ['run', '-q', '--release', '--bin', 'playground', '--', 'run', file, '--json'], {
    cwd: ROOT, encoding: 'utf8', timeout: 900000,
  }));
  const metric = (k) => page.locator(`[data-metric="${k}"]`).textContent();
  assert.equal(await metric('rate_limited'), String(native.requests.rate_limited));
  assert.equal(await metric('shed'), String(native.requests.shed));
  assert.equal(await metric('blocked'), String(native.requests.blocked));
  assert.equal(await metric('duplicate_effects'), String(native.resilience.duplicate_effects));
  assert.equal(await metric('breaker_opens'), String(native.resilience.breaker_opens));
  assert.equal(await metric('completed'), String(native.requests.completed));
  // The breaker's state at the end is the report's, on the canvas and in the edge's figures.
  const edge = native.edges['api-db'];
  assert.equal(await page.locator('[data-breaker-for="api-db"]').getAttribute('data-breaker-state'), edge.breaker_state);
  await clickEdge(page, 'api-db');
  const line = await page.locator('[data-edge-metrics="api-db"]').textContent();
  assert.match(line, new RegExp(`breaker ${edge.breaker_state} · opened ${edge.breaker_opens}× · ${edge.short_circuited} short-circuited`));
  assert.match(line, new RegExp(`${edge.calls} calls · ${edge.attempts} attempts`));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a diagram without guards keeps the legend and metrics as they were', async () => {
  const { context, page, errors } = await openWithDiagram(site.browser, site.url, threeTier());
  await page.locator('[data-field="speed"]').selectOption('10');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-metric="sim_time"]')?.textContent) > 2, null, { timeout: 30000 });
  await page.locator('[data-action="pause"]').click();
  for (const word of ['rate limited (429)', 'shed', 'blocked (403)', 'duplicate effect']) {
    assert.equal(await page.locator(`.traffic-legend [data-legend="${word}"]`).count(), 0, word);
  }
  for (const k of ['rate_limited', 'shed', 'blocked', 'retries', 'amplification', 'duplicate_effects', 'breaker_opens']) {
    assert.equal(await page.locator(`[data-metric="${k}"]`).count(), 0, k);
  }
  assert.equal(await page.locator('[data-breaker-state]').count(), 0);
  assert.equal(await page.locator('[data-reject]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
