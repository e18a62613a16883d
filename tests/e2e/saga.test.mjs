// End-to-end: a saga built in the page with real pointer events — a client, a saga node and three services
// from the palette, connected (the saga's steps are its edges in order), the second service failing one call
// in five, the saga's coordination switched in the inspector — run to the end, and its figures read from the
// inspector: every saga ended completed or compensated, about a fifth compensated, and the messages by exact
// arithmetic (each saga makes three calls whichever way it ends: 3 steps, or 2 steps and 1 compensation of the
// first step, whose service never fails; orchestrated 2 messages a call, choreographed 1 a call and 1 a saga).
// The CQRS scenario's projections show their stale shares and rebuild. Screenshots at three sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot } from './support.mjs';
import { palette, node, dropFromPalette, connect, select, runToTheEnd, figure } from './page-build.mjs';

const site = useSite();

/** Sets a number field of the inspector and commits it with Enter. */
async function setParam(page, param, value) {
  const field = page.locator(`[data-region="inspector"] [data-param="${param}"]`);
  await field.fill(String(value));
  await field.press('Enter');
}

const count = (text) => Number(text.match(/^(\d+)/)[1]);

/** The saga's figures once the inspector shows them. */
async function sagaFigures(page) {
  await select(page, 'saga1');
  await page.locator('[data-figure="saga_started"]').waitFor({ timeout: 5000 });
  return {
    started: count(await figure(page, 'saga_started')),
    completed: count(await figure(page, 'saga_completed')),
    compensated: count(await figure(page, 'saga_compensated')),
    inProgress: count(await figure(page, 'saga_in_progress')),
    compensations: count(await figure(page, 'saga_compensations')),
    messages: count(await figure(page, 'saga_messages')),
  };
}

test('a saga built in the page compensates a fifth of its orders, orchestrated or choreographed', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-action="new"]').waitFor({ timeout: 15000 });
  await page.locator('[data-action="new"]').click();
  await page.locator('[data-action="confirm-new"]').click();
  await dropFromPalette(page, 'client', 100, 250);
  await dropFromPalette(page, 'saga', 340, 250);
  await dropFromPalette(page, 'server', 620, 110);
  await dropFromPalette(page, 'server', 620, 250);
  await dropFromPalette(page, 'server', 620, 390);
  for (const id of ['client1', 'saga1', 'server1', 'server2', 'server3']) await node(page, id).waitFor();
  await connect(page, 'client1', 'saga1');
  for (const id of ['server1', 'server2', 'server3']) await connect(page, 'saga1', id);

  // The second step (say, payment) fails one call in five.
  await select(page, 'server2');
  await setParam(page, 'error_probability', 0.2);

  await runToTheEnd(page);
  const o = await sagaFigures(page);
  // Every saga ended, completed or compensated.
  assert.equal(o.inProgress, 0, JSON.stringify(o));
  assert.equal(o.started, o.completed + o.compensated, JSON.stringify(o));
  assert.ok(o.started > 1000, JSON.stringify(o));
  // A saga is compensated iff step 2 failed (p = 0.2; step 3 never fails): within 4 binomial standard errors.
  const p = 0.2;
  const se = Math.sqrt(p * (1 - p) / o.started);
  assert.ok(Math.abs(o.compensated / o.started - p) <= 4 * se, JSON.stringify(o));
  // Each compensated saga undid exactly step 1; each saga made 3 calls; orchestration: 2 messages a call.
  assert.equal(o.compensations, o.compensated, JSON.stringify(o));
  assert.equal(o.messages, 6 * o.started, JSON.stringify(o));
  // The why panel names the compensations.
  const said = await page.locator('[data-panel="why"]').textContent();
  assert.match(said, new RegExp(`saga1 compensated \\d+ % of its sagas \\(${o.compensated} of ${o.started}\\)`), said);

  for (const [w, h, name] of [[1440, 900, 'desktop'], [820, 1180, 'tablet'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    console.log(`# screenshot: ${await screenshot(page, `saga-built-${name}`)}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // Choreographed: the same sagas (the choice draws nothing), one message a call and one a saga.
  await page.locator('[data-action="reset"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status !== 'finished', null, { timeout: 5000 });
  await select(page, 'saga1');
  await page.locator('[data-region="inspector"] [data-param="coordination"]').selectOption('choreography');
  await runToTheEnd(page);
  const c = await sagaFigures(page);
  assert.deepEqual([c.started, c.completed, c.compensated], [o.started, o.completed, o.compensated]);
  assert.equal(c.messages, 4 * c.started, JSON.stringify(c));

  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});

test('cqrs-read-model: the lagging read model is staler, and the crashed one rebuilds from the log', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=cqrs-read-model`, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-scenario-notes="cqrs-read-model"]').waitFor({ timeout: 15000 });
  await runToTheEnd(page);
  // The stale share of a projection's reads, from its figures: stale count over reads answered.
  const share = async (id) => {
    await select(page, id);
    await page.locator('[data-figure="proj_stale"]').waitFor({ timeout: 5000 });
    return { stale: count(await figure(page, 'proj_stale')), reads: count(await figure(page, 'proj_reads')) };
  };
  const list = await share('list');
  const rebuild = (await figure(page, 'proj_rebuild')).match(/^1 \((\d+) events, (\d+) ms\)$/);
  assert.ok(rebuild, await figure(page, 'proj_rebuild'));
  assert.equal(Number(rebuild[1]), Number(rebuild[2]), 'a rebuild takes its events × 1 ms');
  const search = await share('search');
  // 1 − e^(−wD), w = 0.5 writes/s per order, D = the delay + 0.5 ms link + 1 ms apply: within 4 binomial
  // standard errors of each projection's reads.
  for (const [{ stale, reads }, d] of [[list, 0.2015], [search, 1.0015]]) {
    const p = 1 - Math.exp(-0.5 * d);
    const se = Math.sqrt(p * (1 - p) / reads);
    assert.ok(Math.abs(stale / reads - p) <= 4 * se, `${stale} of ${reads}, expected ${p}`);
  }
  for (const [w, h, name] of [[1440, 900, 'desktop'], [820, 1180, 'tablet'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    console.log(`# screenshot: ${await screenshot(page, `cqrs-${name}`)}`);
  }
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});
