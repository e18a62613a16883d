// End-to-end: the cost of password hashing in the page. The gallery's "bcrypt cost: logins vs attackers"
// scenario is opened and run to the end; selecting a login endpoint shows its security arithmetic in the
// inspector (`data-figure`: the hash per login, the most logins a second = 4 workers ÷ (1 ms + hash), the
// attacker's guesses offline = 64 cores × 1000 ÷ hash and online = the rate limit) and in its line in the
// metrics panel (`data-guard-block`); the why panel says logins are CPU-bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openPage, centre } from './support.mjs';

const site = useSite();

const node = (page, id) => page.locator(`[data-node-id="${id}"]`);

async function select(page, id) {
  await page.mouse.click(...Object.values(await centre(node(page, id).locator('.node-label'))));
}

async function runToTheEnd(page) {
  await page.locator('[data-field="speed"]').selectOption('1000');
  await page.locator('[data-action="run"]').click();
  await page.waitForFunction(() => document.querySelector('.run-controls')?.dataset.status === 'finished', null, { timeout: 120000 });
}

const figure = async (page, key) => (await page.locator(`[data-figure="${key}"]`).first().textContent()).trim();

test('password-hashing: the work factor sets login capacity and the attacker guesses, offline and online', async () => {
  const { context, page, errors } = await openPage(site.browser, `${site.url}#scenario=password-hashing`, { viewport: { width: 1440, height: 900 } });
  await page.locator('[data-scenario-notes="password-hashing"]').waitFor({ timeout: 15000 });
  await runToTheEnd(page);

  // The rate-limited endpoint: hash 100 ms, 4 ÷ 101 ms = 39.6 logins/s, 640 guesses/s offline, 5/s online.
  await select(page, 'login-guarded');
  await page.locator('[data-figure="login_capacity"]').waitFor({ timeout: 5000 });
  assert.equal(await figure(page, 'login_hash'), '100 ms');
  assert.equal(await figure(page, 'login_capacity'), '39.6 /s');
  assert.equal(await figure(page, 'offline_guesses'), '640 /s');
  assert.equal(await figure(page, 'online_guesses'), '5.0 /s');
  const line = (await page.locator('[data-guard-block="login-guarded"]').textContent()).trim();
  assert.match(line, /100 ms hashing per login · at most 39\.6 logins\/s · attacker offline 640 guesses\/s \(64 cores\) · online 5\.0 guesses\/s per address \(limit limiter\)/, line);

  // The saturated endpoint: 4 ÷ 251 ms = 15.9 logins/s, and it is busy nearly all the time.
  await select(page, 'login-250');
  await page.locator('[data-figure="login_capacity"]').waitFor({ timeout: 5000 });
  assert.equal(await figure(page, 'login_capacity'), '15.9 /s');
  const busy = parseFloat(await figure(page, 'utilization'));
  assert.ok(busy > 99, `${busy}`);

  const why = await page.locator('[data-panel="why"]').textContent();
  assert.match(why, /login-250: logins are CPU-bound: each spends 250 ms hashing the password, so it serves at most 16 logins\/s/, why);
  assert.match(why, /login-guarded: .*640 guesses\/s offline on 64 cores, online, limiter's limit of 5\/s lets one address try 5\/s/, why);
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await context.close();
});
