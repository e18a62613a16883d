// Engine benchmark in headless Chromium: builds bench.html with the release profile, opens it, presses Run
// and prints the figures (copy them into BENCHMARKS.md). Not part of the test suite: it measures, it does not
// judge. Usage: node tests/e2e/bench-engine.mjs   (after `export PATH=$PWD/node_modules/.bin:$PATH`)
//
// To compare builds in one sitting, build each once (`trunk build bench.html --release --dist DIR`) and pass
// them: `node tests/e2e/bench-engine.mjs --site OLD_DIR --site NEW_DIR [--rounds 3]`. The sites run
// alternately, round by round, so the machine's load falls on both alike; each row prints the median.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, serveDist, launch, openPage } from './support.mjs';

const args = process.argv.slice(2);
const sites = [];
let rounds = 3;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--site') sites.push(args[++i]);
  else if (args[i] === '--rounds') rounds = Number(args[++i]);
  else throw new Error(`unknown argument ${args[i]}`);
}
if (sites.length === 0) {
  const site = join(ROOT, 'target', 'bench-site');
  execFileSync('trunk', ['build', 'bench.html', '--release', '--dist', site], { cwd: ROOT, stdio: 'inherit' });
  sites.push(site);
}
const servers = await Promise.all(sites.map((s) => serveDist(s)));
const browser = await launch();
const runs = sites.map(() => []);
try {
  for (let round = 0; round < rounds; round++) {
    for (let s = 0; s < sites.length; s++) {
      const { context, page, errors } = await openPage(browser, servers[s].url);
      await page.click('#bench-run');
      await page.locator('#bench-results[data-done="true"]').waitFor({ state: 'attached', timeout: 600000 });
      runs[s].push(JSON.parse(await page.locator('#bench-results').textContent()));
      if (errors.length) console.log(`${sites[s]}: console errors: ${errors.join('\n')}`);
      await context.close();
    }
  }
  console.log(`chromium ${browser.version()}, ${rounds} rounds, sites run alternately`);
  for (let s = 0; s < sites.length; s++) {
    console.log(`\n${sites[s]}`);
    for (let row = 0; row < runs[s][0].length; row++) {
      const walls = runs[s].map((r) => r[row].wall_ms).sort((a, b) => a - b);
      const r = runs[s][0][row];
      const median = walls[Math.floor(walls.length / 2)];
      const bytes = r.bytes_per_request == null ? '' : `; ${r.bytes_per_request} bytes per request in flight`;
      console.log(
        `${r.name}: ${r.events} events, ${r.requests} requests, ${r.simulated_s} s simulated; ` +
          `wall median ${median.toFixed(0)} ms (runs ${walls.map((w) => w.toFixed(0)).join(', ')}), ` +
          `${(r.events / median / 1000).toFixed(2)} M events/s${bytes}`,
      );
    }
  }
} finally {
  await browser.close();
  await Promise.all(servers.map((s) => s.close()));
}
