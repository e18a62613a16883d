// Engine benchmark in headless Chromium: builds bench.html with the release profile, opens it, presses Run
// and prints the figures (copy them into BENCHMARKS.md). Not part of the test suite: it measures, it does not
// judge. Usage: node tests/e2e/bench-engine.mjs   (after `export PATH=$PWD/node_modules/.bin:$PATH`)
//
// To compare builds in one sitting, build each once (`trunk build bench.html --release --dist DIR`) and pass
// them: `node tests/e2e/bench-engine.mjs --site OLD_DIR --site NEW_DIR [--rounds 3]`. The sites run
// alternately, round by round, so the machine's load falls on both alike; each row prints the median.
//
// `--bare FILE.wasm` also runs the speed of light in the same browser, once a round after the sites:
// `../shared/bench/bare-mm1` built with `cargo build --release --target wasm32-unknown-unknown` (its
// `bare_mm1.wasm`: a binary heap, two events per request, no metrics). Each row then says how long the bare
// loop would take for the same number of events.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, serveDist, launch, openPage } from './support.mjs';

const args = process.argv.slice(2);
const sites = [];
let rounds = 3;
let bare = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--site') sites.push(args[++i]);
  else if (args[i] === '--bare') bare = readFileSync(args[++i]);
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
// The bare loop's events per second, one figure a round (5,000,000 requests, 10,000,000 events).
const bareRates = [];
async function runBare() {
  const { context, page } = await openPage(browser, servers[0].url);
  const rate = await page.evaluate(async (bytes) => {
    const { instance } = await WebAssembly.instantiate(new Uint8Array(bytes));
    const t = performance.now();
    instance.exports.wasm_mm1(5_000_000n);
    return 10_000_000 / ((performance.now() - t) / 1000);
  }, [...bare]);
  await context.close();
  return rate;
}
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
    if (bare) bareRates.push(await runBare());
  }
  console.log(`chromium ${browser.version()}, ${rounds} rounds, sites run alternately`);
  const bareRate = bareRates.sort((a, b) => a - b)[Math.floor(bareRates.length / 2)];
  if (bare) {
    const list = bareRates.map((r) => (r / 1e6).toFixed(1)).join(', ');
    console.log(`bare-mm1 (wasm, same browser): median ${(bareRate / 1e6).toFixed(1)} M events/s (rounds ${list})`);
  }
  for (let s = 0; s < sites.length; s++) {
    console.log(`\n${sites[s]}`);
    for (let row = 0; row < runs[s][0].length; row++) {
      const walls = runs[s].map((r) => r[row].wall_ms).sort((a, b) => a - b);
      const r = runs[s][0][row];
      const median = walls[Math.floor(walls.length / 2)];
      const bytes = r.bytes_per_request == null ? '' : `; ${r.bytes_per_request} bytes per request in flight`;
      const light = bare ? `; bare-mm1 would take ${((r.events / bareRate) * 1000).toFixed(0)} ms for as many events` : '';
      console.log(
        `${r.name}: ${r.events} events, ${r.requests} requests, ${r.simulated_s} s simulated; ` +
          `wall median ${median.toFixed(0)} ms (runs ${walls.map((w) => w.toFixed(0)).join(', ')}), ` +
          `${(r.events / median / 1000).toFixed(2)} M events/s${bytes}${light}`,
      );
    }
  }
} finally {
  await browser.close();
  await Promise.all(servers.map((s) => s.close()));
}
