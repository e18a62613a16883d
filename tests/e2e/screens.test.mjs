// End-to-end: REST vs GraphQL for one screen, built in the page. Two apps, a REST API, a GraphQL API and a
// data service are dropped from the palette and connected with pointer drags; in the inspector each app gets a
// screen (its optional object added, its API style chosen: REST with all GETs at once, GraphQL) and the GraphQL
// API a resolver of 5 items. Run to the end, the new figures are read from the inspector and the metrics
// panel's per-client table: 3 round trips, 16 384 bytes (14 592 over-fetched) and 3 back-end calls per REST
// screen against 1, 1 792 (0) and 1 + 5 = 6 per GraphQL screen — exact, whatever the random times — and the
// N+1 GraphQL screen is the slower. Then the gallery scenario runs at three sizes, screenshotted with the
// per-client table in view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot } from './support.mjs';
import { palette, node, inspector, dropFromPalette, connect, select, setParam, runToTheEnd } from './page-build.mjs';

const site = useSite();

async function choose(page, param, value) {
  const field = inspector(page).locator(`select[data-param="${param}"]`);
  await field.selectOption(value);
  await page.waitForFunction(([p, v]) => document.querySelector(`[data-region="inspector"] select[data-param="${p}"]`)?.value === v, [param, value], { timeout: 5000 });
}

async function addOptional(page, param) {
  await inspector(page).locator(`[data-optional="${param}"] [data-action="add"]`).click();
  await inspector(page).locator(`[data-optional="${param}"][data-present="true"]`).waitFor({ timeout: 5000 });
}

/** A figure of the selected node's inspector, as text. */
async function figure(page, key) {
  const f = page.locator(`[data-figure="${key}"]`).first();
  await f.waitFor({ timeout: 10000 });
  return (await f.textContent()).trim();
}

test('REST vs GraphQL built in the page: round trips, bytes and back-end calls per screen', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-action="new"]').waitFor({ timeout: 15000 });
  await page.locator('[data-action="new"]').click();
  await page.locator('[data-action="confirm-new"]').click();
  await dropFromPalette(page, 'client', 80, 120);
  await dropFromPalette(page, 'client', 80, 380);
  await dropFromPalette(page, 'server', 380, 120);
  await dropFromPalette(page, 'server', 380, 380);
  await dropFromPalette(page, 'server', 680, 250);
  for (const id of ['client1', 'client2', 'server1', 'server2', 'server3']) await node(page, id).waitFor();
  await connect(page, 'client1', 'server1');
  await connect(page, 'client2', 'server2');
  await connect(page, 'server1', 'server3');
  await connect(page, 'server2', 'server3');

  // The REST app: 5 screens a second, its three GETs at once.
  await select(page, 'client1');
  await setParam(page, 'rate', 5);
  await addOptional(page, 'screen');
  await choose(page, 'screen.api', 'rest_parallel');
  // The GraphQL app: 5 screens a second, one POST each.
  await select(page, 'client2');
  await setParam(page, 'rate', 5);
  await addOptional(page, 'screen');
  await choose(page, 'screen.api', 'graphql');
  // The GraphQL API resolves a list of 5 items, each item's field with a call of its own (N+1).
  await select(page, 'server2');
  await addOptional(page, 'graphql');
  await setParam(page, 'graphql.items', 5);

  await runToTheEnd(page);
  await select(page, 'client1');
  assert.equal(await figure(page, 'screen_round_trips'), '3.00');
  assert.equal(await figure(page, 'screen_bytes'), '16384 (14592)');
  assert.equal(await figure(page, 'screen_backend_calls'), '3.00');
  const rest = parseFloat(await figure(page, 'screen_time'));
  await select(page, 'client2');
  assert.equal(await figure(page, 'screen_round_trips'), '1.00');
  assert.equal(await figure(page, 'screen_bytes'), '1792 (0)');
  assert.equal(await figure(page, 'screen_backend_calls'), '6.00');
  const gql = parseFloat(await figure(page, 'screen_time'));
  // One GET waits for one 20 ms back-end call; the N+1 query for six in a row.
  assert.ok(gql > rest, `GraphQL N+1 screen ${gql} ms, REST in parallel ${rest} ms`);
  // The metrics panel's per-client table carries the same figures.
  const cell = (client, key) => page.locator(`[data-per-client] [data-client="${client}"] [data-figure="${key}"]`);
  assert.equal((await cell('client1', 'screen_round_trips').textContent()).trim(), '3.00');
  assert.equal((await cell('client2', 'screen_backend_calls').textContent()).trim(), '6.00');
  // The why panel names the N+1 resolver.
  await page.waitForFunction(() => /server2 resolves each GraphQL query with 6\.0 back-end calls one after another/.test(document.querySelector('[data-panel="why"]')?.textContent ?? ''), null, { timeout: 10000 });
  console.log(`# screenshot: ${await screenshot(page, 'screens-built-desktop')}`);
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});

test('REST vs GraphQL scenario at three sizes', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=rest-vs-graphql`, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-scenario-notes="rest-vs-graphql"]').waitFor({ timeout: 15000 });
  await runToTheEnd(page);
  const cell = async (client, key) => (await page.locator(`[data-per-client] [data-client="${client}"] [data-figure="${key}"]`).textContent()).trim();
  assert.equal(await cell('rest-seq', 'screen_round_trips'), '3.00');
  assert.equal(await cell('gql', 'screen_backend_calls'), '11.00');
  assert.equal(await cell('gql-batched', 'screen_backend_calls'), '2.00');
  assert.equal(await cell('gql', 'screen_bytes'), '2816 (0)');
  assert.equal(await cell('rest-par', 'screen_bytes'), '22528 (19712)');
  for (const [w, h, name] of [[1440, 900, 'desktop'], [820, 1180, 'tablet'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    if (w < 900) {
      const tab = page.locator('[data-tab="metrics"]');
      if (!(await tab.getAttribute('class')).includes('open')) await tab.click();
    }
    await page.locator('[data-per-client]').scrollIntoViewIfNeeded();
    console.log(`# screenshot: ${await screenshot(page, `rest-vs-graphql-${name}`)}`);
  }
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});
