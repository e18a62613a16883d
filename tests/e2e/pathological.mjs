// Pathological diagrams shared by the suite (pathological.test.mjs) and the frame-time benchmark
// (bench-pathological.mjs): each is something a person can draw that asks for unbounded work.
import { gridDiagram } from './support.mjs';

/** 10⁶ requests a second into one worker of 100 ms with an unbounded queue: grows without end. */
export function flood() {
  return {
    version: 1,
    name: 'Flood: a million requests a second into one slow worker',
    settings: { duration_s: 600 },
    nodes: [
      { id: 'flood', kind: 'client', label: 'Flood', position: { x: 40, y: 200 }, params: { rate: 1000000 } },
      { id: 'slow', kind: 'server', label: 'Slow', position: { x: 320, y: 200 },
        params: { workers: 1, queue_capacity: null, service_time: { type: 'constant', ms: 100 } } },
    ],
    edges: [{ from: 'flood', to: 'slow' }],
  };
}

/** Four tiers, each call retried four times after a 50 ms timeout, in front of a slow last tier: up to 4³ = 64
 * attempts at the bottom for each request at the top. */
export function retryStorm() {
  const nodes = [{ id: 'users', kind: 'client', label: 'Users', position: { x: 40, y: 200 }, params: { rate: 2000 } }];
  const edges = [];
  for (let i = 1; i <= 4; i++) {
    nodes.push({
      id: `s${i}`, kind: 'server', label: `Tier ${i}`, position: { x: 40 + 220 * i, y: 200 },
      params: i === 4
        ? { workers: 4, queue_capacity: 100000, service_time: { type: 'exponential', mean_ms: 200 } }
        : { workers: 1000, queue_capacity: 100000, service_time: { type: 'constant', ms: 1 } },
    });
    const edge = { id: `e${i}`, from: i === 1 ? 'users' : `s${i - 1}`, to: `s${i}` };
    if (i > 1) {
      edge.timeout_ms = 50;
      edge.retry = { max_attempts: 4, backoff: { type: 'fixed', delay_ms: 1 }, jitter: 'none' };
    }
    edges.push(edge);
  }
  return { version: 1, name: 'Retry storm: 64× amplification', settings: { duration_s: 600 }, nodes, edges };
}

/** The largest diagram allowed: 1,000 nodes, 100 clients of 200 requests a second. */
export function thousandNodes() {
  const doc = gridDiagram(1000, { cols: 10, dx: 180, dy: 80 });
  doc.name = '1,000 nodes';
  doc.settings = { duration_s: 600 };
  for (const n of doc.nodes) {
    if (n.kind === 'client') n.params = { rate: 200 };
    if (n.kind === 'server') n.params = { workers: 16, service_time: { type: 'exponential', mean_ms: 5 } };
  }
  return doc;
}

export const PATHOLOGICAL = { flood, retryStorm, thousandNodes };

/** Records requestAnimationFrame intervals in the page until `stop()` is called in it. */
export async function recordFrames(page) {
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (!window.__stopFrames) requestAnimationFrame(tick);
    };
    window.__stopFrames = false;
    requestAnimationFrame(tick);
  });
}

export async function stopFrames(page) {
  return page.evaluate(() => {
    window.__stopFrames = true;
    return window.__frames.slice(1);
  });
}
