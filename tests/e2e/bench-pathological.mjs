// Frame times while pathological diagrams run (pathological.mjs) in headless Chromium, at the top speed
// (1000×) where the per-frame event budget is what keeps the tab alive: requestAnimationFrame intervals
// (p50, p95, max) over a few seconds of each, the simulated time reached, and for the flood the wall time
// until the memory guard stopped it. Not part of the suite (it measures, it does not judge).
// Usage: export PATH=$PWD/node_modules/.bin:$PATH; trunk build --release; node tests/e2e/bench-pathological.mjs
import { serveDist, launch, openWithDiagram, percentile as pct } from './support.mjs';
import { PATHOLOGICAL, recordFrames, stopFrames } from './pathological.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const server = await serveDist(process.env.BENCH_DIST);
const browser = await launch();
const fmt = (x) => x.toFixed(1);
try {
  for (const [name, make] of Object.entries(PATHOLOGICAL)) {
    const { context, page } = await openWithDiagram(browser, server.url, make());
    await page.locator('[data-field="speed"]').selectOption('1000');
    await recordFrames(page);
    const started = Date.now();
    await page.locator('[data-action="run"]').click();
    let stopped = null;
    while (Date.now() - started < SECONDS * 1000) {
      if (stopped === null && (await page.locator('[data-run-problem]').count()) > 0) {
        stopped = { after_s: (Date.now() - started) / 1000, text: await page.locator('[data-run-problem]').textContent() };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const frames = await stopFrames(page);
    const sim = await page.locator('[data-metric="sim_time"]').textContent();
    console.log(`${name}: ${frames.length} frames in ${SECONDS} s; frame time p50 ${fmt(pct(frames, 50))} ms, `
      + `p95 ${fmt(pct(frames, 95))} ms, max ${fmt(Math.max(...frames))} ms; simulated ${sim} s`);
    if (stopped) console.log(`  memory guard after ${stopped.after_s.toFixed(1)} s: ${stopped.text}`);
    if (name === 'flood' && !stopped) {
      // Let it run to the guard.
      const t0 = Date.now();
      await page.locator('[data-run-problem]').waitFor({ timeout: 300000 });
      console.log(`  memory guard after ${((Date.now() - started) / 1000).toFixed(1)} s `
        + `(${((Date.now() - t0) / 1000).toFixed(1)} s more): ${await page.locator('[data-run-problem]').textContent()}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
