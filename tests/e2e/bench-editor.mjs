// Editor benchmark in headless Chromium: opens the release build (dist/, from `trunk build --release`) with a
// generated 200-node diagram in localStorage, drags one node with many real mouse moves, and reports
// requestAnimationFrame intervals (frame time) and the script time each move costs (event dispatch + reducer
// + Yew render, measured from the capture-phase listener to a microtask queued after Yew's). Not part of the
// test suite (the name does not match *.test.mjs): it measures, it does not judge.
// Usage: export PATH=$PWD/node_modules/.bin:$PATH; trunk build --release; node tests/e2e/bench-editor.mjs
import { serveDist, launch, openWithDiagram, gridDiagram, centre, percentile as pct } from './support.mjs';

const NODES = 200;
const MOVES = 600;

const server = await serveDist();
const browser = await launch();
try {
  const doc = gridDiagram(NODES, { cols: 20, dx: 180, dy: 90 });
  // Cross-row edges too, so the moved node's neighbourhood looks like a real diagram's.
  for (let i = 20; i < NODES; i += 3) doc.edges.push({ id: `x${i}`, from: `n${i - 20}`, to: `n${i}` });
  const { page, errors } = await openWithDiagram(browser, server.url, doc);
  const nodes = await page.locator('[data-node-id]').count();
  const edges = await page.locator('[data-edge-id]').count();
  // Zoom to 100% around the node to drag, as a person editing would.
  const target = page.locator('[data-node-id="n87"] .node-label');
  for (let i = 0; i < 6; i++) {
    const c = await centre(target);
    await page.mouse.move(c.x, c.y);
    await page.mouse.wheel(0, -200);
    await page.waitForTimeout(50);
  }
  const zoom = await page.locator('.zoom-level').textContent();
  const start = await centre(target);

  await page.evaluate(() => {
    window.__frames = [];
    window.__moves = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    window.addEventListener('pointermove', () => {
      const t0 = performance.now();
      // Runs after the microtasks Yew queued while the event was dispatched (FIFO): reducer and render.
      window.addEventListener('pointermove', function after() {
        window.removeEventListener('pointermove', after);
        queueMicrotask(() => window.__moves.push(performance.now() - t0));
      });
    }, { capture: true });
  });
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (let i = 1; i <= MOVES; i++) {
    // A loop of about 200 px, so the node keeps crossing grid lines (each crossing re-renders it and its edges).
    const a = (i / MOVES) * 4 * Math.PI;
    await page.mouse.move(start.x + 100 * Math.sin(a) + i * 0.2, start.y + 60 * (1 - Math.cos(a)));
  }
  await page.mouse.up();
  const { frames, moves } = await page.evaluate(() => {
    window.__stop = true;
    return { frames: window.__frames.slice(2), moves: window.__moves };
  });
  const moved = await page.locator('[data-node-id="n87"]').getAttribute('transform');
  console.log(`chromium ${browser.version()}, ${nodes} nodes, ${edges} edges, zoom ${zoom}, ${MOVES} mouse moves, ${frames.length} frames`);
  console.log(`frame time (rAF interval): p50 ${pct(frames, 50).toFixed(1)} ms, p95 ${pct(frames, 95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms, ${frames.filter((f) => f > 20).length} frames over 20 ms`);
  console.log(`script per move (dispatch + reducer + render): p50 ${pct(moves, 50).toFixed(2)} ms, p95 ${pct(moves, 95).toFixed(2)} ms`);
  console.log(`node n87 ended at ${moved}`);
  if (errors.length) console.log(`console errors: ${errors.join('\n')}`);
} finally {
  await browser.close();
  await server.close();
}
