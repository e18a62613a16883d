// Engine benchmark in headless Chromium: builds bench.html with the release profile, opens it, presses Run
// and prints the figures (copy them into BENCHMARKS.md). Not part of the test suite: it measures, it does not
// judge. Usage: node tests/e2e/bench-engine.mjs   (after `export PATH=$PWD/node_modules/.bin:$PATH`)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, serveDist, launch, openPage } from './support.mjs';

const site = join(ROOT, 'target', 'bench-site');
execFileSync('trunk', ['build', 'bench.html', '--release', '--dist', site], { cwd: ROOT, stdio: 'inherit' });
const server = await serveDist(site);
const browser = await launch();
try {
  const { page, errors } = await openPage(browser, server.url);
  const runs = [];
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await page.click('#bench-run');
    await page.locator('#bench-results[data-done="true"]').waitFor({ state: 'attached', timeout: 300000 });
    runs.push(JSON.parse(await page.locator('#bench-results').textContent()));
  }
  console.log(`chromium ${browser.version()}, 3 runs`);
  for (let s = 0; s < runs[0].length; s++) {
    const walls = runs.map((r) => r[s].wall_ms).sort((a, b) => a - b);
    const r = runs[0][s];
    const median = walls[1];
    console.log(
      `${r.name}: ${r.events} events, ${r.requests} requests, ${r.simulated_s} s simulated; ` +
        `wall median ${median.toFixed(0)} ms (runs ${walls.map((w) => w.toFixed(0)).join(', ')}), ` +
        `${(r.events / median / 1000).toFixed(2)} M events/s`,
    );
  }
  if (errors.length) console.log(`console errors: ${errors.join('\n')}`);
} finally {
  await browser.close();
  await server.close();
}
