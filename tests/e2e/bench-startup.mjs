// Start-up benchmark: how long a visitor on a slow line waits until the palette can be used. Serves each
// built site compressed (serve-compressed.mjs: brotli, `application/wasm`, cache headers), opens it in a fresh
// Chromium context (cold HTTP cache, no service worker yet) behind DevTools' network emulation of a
// 1.6 Mbit/s, 150 ms line, and clicks a palette item as soon as Playwright finds it actionable. The figure is
// the time from navigation start until the app's click handler ran (a card was added: checked), read on the
// page's own clock; also the first paint, the shell's palette paint and the largest contentful paint (with
// its element). Sites are measured alternately, run by run, and each figure is the median of the runs.
// Not part of the test suite: it measures, it does not judge.
//
//   node tests/e2e/bench-startup.mjs [--runs 3] [--cpu 1] [--width 1280 --height 800] DIR [DIR…]
//   e.g. node tests/e2e/bench-startup.mjs /work/base-dist dist
import { join, resolve } from 'node:path';
import { serveCompressed } from './serve-compressed.mjs';
import { launch, skipGallery } from './support.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  return Number(args.splice(i, 2)[1]);
};
const RUNS = flag('--runs', 3);
const CPU = flag('--cpu', 1);
const VIEWPORT = { width: flag('--width', 1280), height: flag('--height', 800) };
const dirs = args.length ? args : ['dist'];
/** DevTools' emulation: 1.6 Mbit/s = 200,000 bytes/s each way, 150 ms added to every request. */
const LINE = { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 200_000 };
const ITEM = '[data-testid="app"] .palette-item[data-kind="server"]';

/** Records, on the page's clock, paints, the largest contentful paint and the first click on a palette item. */
function observe() {
  const marks = (window.__startup = { lcp: [], paints: {} });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const el = e.element;
      const what = el ? `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''}` : '(removed)';
      marks.lcp.push({ t: e.startTime, size: e.size, what, text: (el?.textContent ?? '').trim().slice(0, 60) });
    }
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) marks.paints[e.name] = e.startTime;
  }).observe({ type: 'paint', buffered: true });
  addEventListener(
    'click',
    (e) => {
      if (marks.click === undefined && e.target.closest?.('[data-testid="app"] .palette-item')) marks.click = performance.now();
    },
    true,
  );
  // The first frame in which the shell's (static) palette and the app's palette are in the document.
  const seen = () => {
    if (marks.shell === undefined && document.querySelector('.palette-item')) marks.shell = performance.now();
    if (marks.app === undefined && document.querySelector('[data-testid="app"] .palette-item')) marks.app = performance.now();
    if (marks.app === undefined) requestAnimationFrame(seen);
  };
  requestAnimationFrame(seen);
}

async function once(browser, site) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await skipGallery(context);
  await context.addInitScript(observe);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await cdp.send('Network.emulateNetworkConditions', LINE);
  if (CPU > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => (bytes += e.encodedDataLength));
  await page.goto(site.url, { waitUntil: 'commit' });
  const before = await page.locator('[data-node-id]').count();
  await page.locator(ITEM).click({ timeout: 120000 });
  await page.waitForFunction((n) => document.querySelectorAll('[data-node-id]').length > n, before, { timeout: 10000 });
  const marks = await page.evaluate(() => window.__startup);
  await context.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
  const lcp = marks.lcp.at(-1);
  return {
    fcp: marks.paints['first-contentful-paint'],
    shell: marks.shell,
    app: marks.app,
    usable: marks.click,
    lcp: lcp?.t,
    lcpWhat: lcp ? `${lcp.what} "${lcp.text}"` : '-',
    kb: bytes / 1000,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => (x === undefined ? '-' : `${Math.round(x)}`);

const sites = [];
for (const dir of dirs) sites.push({ dir, server: await serveCompressed(resolve(dir)), runs: [] });
const browser = await launch();
try {
  for (let i = 0; i < RUNS; i++) {
    for (const s of sites) s.runs.push(await once(browser, s.server));
  }
  console.log(
    `chromium ${browser.version()}, ${RUNS} runs per site alternately, ${VIEWPORT.width}x${VIEWPORT.height}, ` +
      `line ${LINE.downloadThroughput * 8 / 1e6} Mbit/s, ${LINE.latency} ms, CPU slowdown ${CPU}x; times in ms from navigation start`,
  );
  for (const s of sites) {
    const m = (k) => median(s.runs.map((r) => r[k]).filter((x) => x !== undefined));
    const wasm = [...s.server.files].find(([p]) => p.endsWith('.wasm'))?.[1];
    console.log(
      `${s.dir}: palette usable median ${fmt(m('usable'))} (runs ${s.runs.map((r) => fmt(r.usable)).join(', ')}); ` +
        `first paint ${fmt(m('fcp'))}, shell palette ${fmt(m('shell'))}, app palette ${fmt(m('app'))}, LCP ${fmt(m('lcp'))} ` +
        `(${s.runs.at(-1).lcpWhat}); transferred ${fmt(m('kb'))} kB; wasm ${wasm?.body.length} B raw, ${wasm?.br.length} B brotli, ${wasm?.gzip.length} B gzip -9`,
    );
  }
} finally {
  await browser.close();
  for (const s of sites) await s.server.close();
}
