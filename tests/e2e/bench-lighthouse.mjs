// Lighthouse's mobile performance score of built sites served compressed (serve-compressed.mjs), run
// alternately site by site, with the median of each figure. Lighthouse's defaults: a Moto G Power-sized
// screen, simulated throttling of a 1.6 Mbit/s, 150 ms line and a 4× slower CPU. Lighthouse 12.2.3 cannot
// name the LCP element with Chromium 156 (its TraceElements gatherer fails), so this also opens each site once
// as Lighthouse's phone would, on a first visit, and reads the largest contentful paint's element itself.
// Not part of the test suite, and Lighthouse is not a dependency of the project:
//
//   npm i --prefix /tmp/lh lighthouse@12.2.3
//   LIGHTHOUSE=/tmp/lh/node_modules/.bin/lighthouse node tests/e2e/bench-lighthouse.mjs [--runs 3] DIR [DIR…]
import { execFile } from 'node:child_process';
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { serveCompressed } from './serve-compressed.mjs';
import { launch } from './support.mjs';

const run = promisify(execFile);
const args = process.argv.slice(2);
const at = args.indexOf('--runs');
const RUNS = at < 0 ? 3 : Number(args.splice(at, 2)[1]);
const dirs = args.length ? args : ['dist'];
const LIGHTHOUSE = process.env.LIGHTHOUSE ?? 'lighthouse';
const CHROME = process.env.CHROMIUM ?? '/usr/bin/chromium';
const out = await mkdtemp(join(tmpdir(), 'sdp-lh-'));

async function lighthouse(url, name) {
  const file = join(out, `${name}.json`);
  await run(
    LIGHTHOUSE,
    [url, '--chrome-flags=--headless=new --no-sandbox --disable-gpu', '--only-categories=performance', '--output=json', `--output-path=${file}`, '--quiet'],
    { env: { ...process.env, CHROME_PATH: CHROME }, maxBuffer: 1 << 26 },
  );
  const r = JSON.parse(await readFile(file, 'utf8'));
  const v = (k) => r.audits[k]?.numericValue;
  return {
    score: Math.round(r.categories.performance.score * 100),
    fcp: v('first-contentful-paint'),
    lcp: v('largest-contentful-paint'),
    tbt: v('total-blocking-time'),
    si: v('speed-index'),
    cls: v('cumulative-layout-shift'),
    tti: v('interactive'),
    long: (r.audits['long-tasks']?.details?.items ?? []).map((t) => `${Math.round(t.duration)} ms at ${Math.round(t.startTime)} (${t.url.split('/').pop() || 'unattributed'})`),
  };
}

/** The last largest-contentful-paint entry's element on a first visit at Lighthouse's phone size. */
async function lcpElement(browser, url) {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
  await context.addInitScript(() => {
    window.__lcp = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        const el = e.element;
        window.__lcp.push(`${el ? `${el.tagName.toLowerCase()}.${String(el.className?.baseVal ?? el.className).split(' ').join('.')}` : '(removed)'} "${(el?.textContent ?? '').trim().slice(0, 50)}…" (${e.size} px², at ${Math.round(e.startTime)} ms unthrottled)`);
      }
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('[data-testid="app"]').waitFor({ timeout: 60000 });
  await page.waitForTimeout(1500);
  const all = await page.evaluate(() => window.__lcp);
  await context.close();
  return all.at(-1);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sites = [];
for (const dir of dirs) sites.push({ dir, server: await serveCompressed(resolve(dir)), runs: [] });
try {
  for (let i = 0; i < RUNS; i++) {
    for (const [n, s] of sites.entries()) s.runs.push(await lighthouse(s.server.url, `${n}-${i}`));
  }
  const browser = await launch();
  for (const s of sites) s.lcpElement = await lcpElement(browser, s.server.url);
  await browser.close();
  const { stdout } = await run(LIGHTHOUSE, ['--version']);
  console.log(`lighthouse ${stdout.trim()}, mobile defaults (simulated 150 ms, 1.6 Mbit/s, 4x CPU), ${RUNS} runs per site alternately; medians`);
  for (const s of sites) {
    const m = (k) => median(s.runs.map((r) => r[k]));
    const wasm = [...s.server.files].find(([p]) => p.endsWith('.wasm'))?.[1];
    const mid = s.runs.find((r) => r.score === m('score'));
    console.log(
      `${s.dir}: score ${m('score')} (runs ${s.runs.map((r) => r.score).join(', ')}); FCP ${Math.round(m('fcp'))} ms, LCP ${Math.round(m('lcp'))} ms, ` +
        `TBT ${Math.round(m('tbt'))} ms (runs ${s.runs.map((r) => Math.round(r.tbt)).join(', ')}), SI ${Math.round(m('si'))} ms, CLS ${m('cls').toFixed(3)}, TTI ${Math.round(m('tti'))} ms; ` +
        `wasm ${wasm?.body.length} B raw, ${wasm?.br.length} B brotli\n  LCP element: ${s.lcpElement}\n  long tasks (median-score run): ${mid.long.join('; ')}`,
    );
  }
} finally {
  for (const s of sites) await s.server.close();
}
