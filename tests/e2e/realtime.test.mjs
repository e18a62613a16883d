// End-to-end: real-time updates in the page. A polling-vs-WebSocket diagram is built with real pointer events
// (two subscribers nodes and an event feed from the palette, connected; one set to poll every second, the
// other to WebSocket, in the inspector), run to the end, and its figures read: the pollers send exactly
// N ÷ P requests a second and most answers are empty (e^(−λP) with λ = 0.2/s, P = 1 s: 82 %), their update
// delay is about half a poll; the WebSocket subscribers' delay is the link's 0.5 ms exactly; the feed holds
// their 50 connections; the why panel names the empty polls. Then the gallery's "Polling vs WebSockets for a
// chat room" runs, with screenshots at phone, tablet and desktop sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, screenshot, centre, drag } from './support.mjs';
import { palette, node, inspector, dropFromPalette, setParam, runToTheEnd, figure } from './page-build.mjs';

const site = useSite();

async function connect(page, fromId, toId) {
  await drag(page, await centre(node(page, fromId).locator('.node-port')), await centre(node(page, toId).locator('.node-card')));
}

async function select(page, id) {
  await page.mouse.click(...Object.values(await centre(node(page, id).locator('.node-label'))));
  await inspector(page).locator('[data-param]').first().waitFor({ timeout: 5000 });
}

test('polling vs WebSocket built in the page: empty polls, half a poll of delay, one link for the sockets', async () => {
  const { context, page, errors } = await openPage(site.browser, site.url, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-action="new"]').waitFor({ timeout: 15000 });
  await page.locator('[data-action="new"]').click();
  await page.locator('[data-action="confirm-new"]').click();
  await dropFromPalette(page, 'subscribers', 150, 120);
  await dropFromPalette(page, 'subscribers', 150, 330);
  await dropFromPalette(page, 'event_feed', 500, 225);
  for (const id of ['subscribers1', 'subscribers2', 'event_feed1']) await node(page, id).waitFor();
  await connect(page, 'subscribers1', 'event_feed1');
  await connect(page, 'subscribers2', 'event_feed1');
  await page.locator('[data-edge-id="subscribers1-event_feed1"]').waitFor({ state: 'attached' });
  await page.locator('[data-edge-id="subscribers2-event_feed1"]').waitFor({ state: 'attached' });

  // 50 pollers every second; 50 WebSocket subscribers; a message every 5 s on average.
  await select(page, 'subscribers1');
  await setParam(page, 'subscribers', 50);
  await setParam(page, 'poll_interval_ms', 1000);
  await select(page, 'subscribers2');
  await setParam(page, 'subscribers', 50);
  await inspector(page).locator('[data-param="protocol"]').selectOption('websocket');
  assert.equal(await inspector(page).locator('[data-param="protocol"]').inputValue(), 'websocket');
  await select(page, 'event_feed1');
  await setParam(page, 'events_per_s', 0.2);

  await runToTheEnd(page);

  // The pollers: N ÷ P = 50 requests a second exactly; most answers empty; the delay about half a poll.
  await select(page, 'subscribers1');
  await page.locator('[data-figure="rt_empty"]').waitFor({ timeout: 5000 });
  assert.equal(await figure(page, 'rt_requests_per_s'), '50.0 /s');
  const empty = (await figure(page, 'rt_empty')).match(/^(\d+) \(([\d.]+) %\)$/);
  assert.ok(empty, await figure(page, 'rt_empty'));
  // e^(−0.2) = 82 %; a 60 s run has only about 12 messages, so the share is loose around it.
  assert.ok(Number(empty[2]) > 60 && Number(empty[2]) < 97, empty[0]);
  const pollDelay = parseFloat(await figure(page, 'rt_delay_mean'));
  assert.ok(pollDelay > 350 && pollDelay < 650, `poll delay ${pollDelay} ms, about P/2 = 500`);

  // The sockets: every message one link (0.5 ms) after it was posted; the feed holds their 50 connections.
  await select(page, 'subscribers2');
  await page.locator('[data-figure="rt_delay_mean"]').waitFor({ timeout: 5000 });
  assert.equal(await figure(page, 'rt_delay_mean'), '0.5 ms');
  assert.equal(await page.locator('[data-figure="rt_empty"]').count(), 0, 'no empty answers for a socket');
  await select(page, 'event_feed1');
  await page.locator('[data-figure="rt_connections"]').waitFor({ timeout: 5000 });
  assert.match(await figure(page, 'rt_connections'), /^[\d.]+ \(50\)$/);
  assert.match(await figure(page, 'rt_memory'), /^3\.1 MB$/, '50 × 64 KB = 3.1 MB');

  // The why panel names the empty polls.
  const said = await page.locator('[data-panel="why"]').textContent();
  assert.match(said, /subscribers1's polls came back empty/, said);

  for (const [w, h, name] of [[1440, 900, 'desktop'], [820, 1180, 'tablet'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    console.log(`# screenshot: ${await screenshot(page, `realtime-built-${name}`)}`);
  }
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});

test('polling-vs-websockets: screenshots of the scenario run at phone, tablet and desktop sizes', async () => {
  for (const [name, viewport] of [
    ['phone', { width: 390, height: 844 }],
    ['tablet', { width: 820, height: 1180 }],
    ['desktop', { width: 1440, height: 900 }],
  ]) {
    const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=polling-vs-websockets`, { viewport });
    await node(page, 'pollers').waitFor({ timeout: 15000 });
    // At the narrow sizes the speed control sits in the menu (as in connections.test.mjs); at 1× a run takes
    // real seconds, so run at 1000×.
    const narrow = viewport.width < 1100;
    if (narrow) await page.locator('[data-action="menu"]').click();
    await page.locator('[data-field="speed"]').selectOption('1000');
    if (narrow) await page.keyboard.press('Escape');
    await page.locator('[data-action="run"]').first().click();
    // Running until the pollers' card shows its share of empty answers.
    const pill = '[data-badge-for="pollers"] [data-card-figure="rt_empty"]';
    await page.waitForFunction((sel) => /empty \d+ %/.test(document.querySelector(sel)?.textContent ?? ''), pill, { timeout: 30000 });
    assert.match(await page.locator(pill).textContent(), /empty \d+ %/);
    console.log(`# screenshot: ${await screenshot(page, `realtime-scenario-${name}-${viewport.width}x${viewport.height}`)}`);
    assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
    await context.close();
  }
});
