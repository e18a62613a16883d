// Live-run benchmark in headless Chromium: opens the release build (dist/, from `trunk build --release`) with a
// generated 100-node diagram whose links take 50 ms, so about 2,000 sampled requests are on the wires at once,
// runs it at 1x and reports requestAnimationFrame intervals (frame time: simulation, canvas drawing and the
// summaries views render) and the dots drawn. Not part of the test suite (the name does not match *.test.mjs):
// it measures, it does not judge.
// Usage: export PATH=$PWD/node_modules/.bin:$PATH; trunk build --release; node tests/e2e/bench-run.mjs [--profile]
// With --profile it also records a Chromium trace of the measured seconds (CDP Tracing, devtools.timeline) and
// prints where the renderer's main thread spent its time (script, style, layout, paint, ...), so a slow frame
// can be attributed before anything is changed.
import { serveDist, launch, openWithDiagram, gridDiagram, percentile as pct } from './support.mjs';

const NODES = 100;
const SECONDS = 8;
const PROFILE = process.argv.includes('--profile');

/** Main-thread time by trace event name, counting only events not nested in another counted one. */
function mainThreadTotals(events) {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return [];
  const xs = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const WANTED = new Set(['FunctionCall', 'FireAnimationFrame', 'TimerFire', 'UpdateLayoutTree', 'Layout',
    'PrePaint', 'Paint', 'PaintImage', 'Layerize', 'UpdateLayer', 'CompositeLayers', 'Commit', 'RasterTask',
    'MajorGC', 'MinorGC', 'V8.GC_SCAVENGER', 'ParseHTML', 'EventDispatch', 'RunMicrotasks', 'HitTest']);
  const totals = new Map();
  const tasks = xs.filter((e) => e.name === 'RunTask');
  for (const e of xs) {
    if (!WANTED.has(e.name)) continue;
    totals.set(e.name, (totals.get(e.name) ?? 0) + e.dur / 1000);
  }
  const busy = tasks.reduce((a, e) => a + e.dur / 1000, 0);
  const long = tasks.filter((e) => e.dur > 16_700).length;
  if (process.env.PROFILE_DETAIL) {
    for (const t of tasks.filter((e) => e.dur > 16_700)) {
      const inner = xs.filter((e) => e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && WANTED.has(e.name));
      console.log(`long task ${(t.dur / 1000).toFixed(1)} ms: ${inner.map((e) => `${e.name} ${(e.dur / 1000).toFixed(1)}`).join(', ')}`);
      for (const e of inner.filter((e) => e.name === 'Layout')) console.log(`  layout ${JSON.stringify(e.args)}`);
    }
    const threads = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
    const per = new Map();
    for (const e of events) if (e.ph === 'X' && e.dur && ['RunTask', 'ThreadControllerImpl::RunTask'].includes(e.name)) {
      const k = threads.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`;
      per.set(k, (per.get(k) ?? 0) + e.dur / 1000);
    }
    console.log([...per].map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join('; '));
  }
  return { busy, long, totals: [...totals].sort((a, b) => b[1] - a[1]) };
}

// BENCH_DIST=dir measures another build (say, an older commit's dist/) with this same script.
const server = await serveDist(process.env.BENCH_DIST);
const browser = await launch();
try {
  const doc = gridDiagram(NODES, { cols: 5, dx: 200, dy: 80 });
  doc.settings = { seed: 1, duration_s: 600, link: { latency: { type: 'constant', ms: 50 } } };
  for (const n of doc.nodes) {
    if (n.kind === 'client') n.params = { rate: 600 };
    if (n.kind === 'server') n.params = { workers: 64, queue_capacity: 1000, service_time: { type: 'constant', ms: 2 } };
    if (n.kind === 'database') n.params = { workers: 64, service_time: { type: 'constant', ms: 2 } };
  }
  const { page, errors } = await openWithDiagram(browser, server.url, doc);
  await page.locator('[data-action="run"]').click();
  // Let the wires fill before measuring.
  await page.waitForTimeout(2000);
  const cdp = PROFILE ? await page.context().newCDPSession(page) : null;
  const traced = [];
  if (cdp) {
    cdp.on('Tracing.dataCollected', ({ value }) => traced.push(...value));
    await cdp.send('Tracing.start', {
      transferMode: 'ReportEvents',
      traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8'] },
    });
  }
  await page.evaluate(() => {
    window.__frames = [];
    window.__dots = [];
    window.__atSummary = [];
    let last = performance.now();
    let clock = null;
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      // A summary re-renders the sim clock; the frame after the one that rendered it shows its cost.
      const c = document.querySelector('[data-metric="sim_time"]')?.textContent;
      window.__atSummary.push(c !== clock);
      clock = c;
      const d = document.querySelector('.legend-shown');
      if (d) window.__dots.push(Number(d.dataset.dots));
      if (d) (window.__work ??= []).push(Number(d.dataset.workMs));
      if (d) (window.__summary ??= []).push(Number(d.dataset.summaryMs));
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.waitForTimeout(SECONDS * 1000);
  const { frames, atSummary, dots, work, summary } = await page.evaluate(() => {
    window.__stop = true;
    return { frames: window.__frames.slice(2), atSummary: window.__atSummary.slice(2), dots: window.__dots, work: window.__work ?? [], summary: window.__summary ?? [] };
  });
  if (cdp) {
    const done = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
    await cdp.send('Tracing.end');
    await done;
    const { busy, long, totals } = mainThreadTotals(traced);
    console.log(`renderer main thread (trace): busy ${busy.toFixed(0)} ms of ${SECONDS * 1000} ms, ${long} tasks over 16.7 ms`);
    for (const [name, ms] of totals) console.log(`  ${name}: ${ms.toFixed(0)} ms`);
  }
  const shown = await page.locator('.legend-shown').textContent();
  const t = await page.locator('[data-metric="sim_time"]').textContent();
  const achieved = await page.locator('[data-achieved]').count() ? await page.locator('[data-achieved]').getAttribute('data-achieved') : 'kept up';
  console.log(`chromium ${browser.version()}, ${NODES} nodes, ${doc.edges.length} edges, speed 1x, ${frames.length} frames over ${SECONDS} s, sim clock ${t} s, achieved: ${achieved}`);
  console.log(`dots drawn per frame (summaries): p50 ${pct(dots, 50)}, max ${Math.max(...dots)}; ${shown}`);
  console.log(`frame time (rAF interval): p50 ${pct(frames, 50).toFixed(1)} ms, p95 ${pct(frames, 95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms, ${frames.filter((f) => f > 20).length} frames over 20 ms`);
  // The interval that ends in the frame after a summary is the one that paid for rendering it.
  const after = frames.filter((_, i) => i > 0 && atSummary[i - 1]);
  const between = frames.filter((_, i) => !(i > 0 && atSummary[i - 1]));
  console.log(`frames paying for a summary: ${after.length}, p50 ${pct(after, 50).toFixed(1)} ms, ${after.filter((f) => f > 20).length} over 20 ms; other frames: p95 ${pct(between, 95).toFixed(1)} ms, ${between.filter((f) => f > 20).length} over 20 ms`);
  console.log(`simulate + draw per frame (smoothed, from the summaries): p50 ${pct(work, 50).toFixed(2)} ms, p95 ${pct(work, 95).toFixed(2)} ms`);
  console.log(`summary (report, findings, badges; then Yew renders it) per ${'400 ms'}: p50 ${pct(summary, 50).toFixed(2)} ms, max ${Math.max(...summary).toFixed(2)} ms`);
  if (errors.length) console.log(`console errors: ${errors.join('\n')}`);
} finally {
  await browser.close();
  await server.close();
}
