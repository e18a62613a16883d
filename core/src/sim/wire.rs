//! Bytes on links: a link with a bandwidth sends each message in `size ÷ bandwidth` after the messages ahead of
//! it in the same direction (a FIFO server of bits: a big download delays the small ones behind it), then the
//! message travels the link's latency. Requests carry their client's `size_bytes`; a successful response
//! carries the `response_bytes` of the server that answered it.
//!
//! ```text
//!   message ready ──wait for the link──> first bit out ──size ÷ bandwidth──> last bit out ──latency──> arrives
//! ```
//!
//! Only a diagram with at least one bandwidth builds a `Wire`; every other diagram runs exactly as before (no
//! random number is drawn, no time changes) and reports no `network` block.

use std::collections::BTreeMap;

use super::Sim;
use crate::components::Params;
use crate::components::client::http_cache::NOT_MODIFIED_BYTES;
use crate::components::server::Sizes;
use crate::report::{LinkDirection, LinkReport, NetworkReport, NodeBytes};
use crate::time::SimTime;
use crate::validate::ModelNode;

/// Requests travel an edge `from → to` in direction 0, their responses `to → from` in direction 1.
pub(super) const REQUESTS: usize = 0;
/// See [`REQUESTS`].
pub(super) const RESPONSES: usize = 1;

/// One direction of one link.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Dir {
    /// when the link is free to send the next message in this direction
    busy_until: SimTime,
    /// over the measurement window (by send time): bytes and messages sent
    bytes: u64,
    msgs: u64,
    /// time spent sending within the window [ns]
    busy_ns: u64,
    /// time messages waited for the link (by send time, in the window) [ns]
    wait_ns: u64,
    /// time from ready to the last bit out (waiting + sending) [ns]
    transfer_ns: u64,
    /// every message's sending time since the start [ns] (what the canvas' colour reads)
    pub(super) offered_ns: u64,
}

/// Every link's bytes, and how the nodes size their responses.
pub(super) struct Wire {
    /// per edge, its bandwidth [Mbit/s]; 0 = unlimited
    mbps: Vec<f64>,
    /// per edge, both directions
    dirs: Vec<[Dir; 2]>,
    /// per node, the size of its successful responses and how it varies (servers only)
    sizes: Vec<Option<(u32, Sizes)>>,
}

impl Wire {
    /// The wire of a diagram whose edges have `mbps` (0 = unlimited), or `None` when none has a bandwidth.
    pub(super) fn new(mbps: Vec<f64>, nodes: &[ModelNode]) -> Option<Box<Wire>> {
        if mbps.iter().all(|&b| b <= 0.0) {
            return None;
        }
        let sizes = nodes
            .iter()
            .map(|n| match &n.params {
                Params::Server(p) => Some((p.response_bytes, p.response_sizes)),
                _ => None,
            })
            .collect();
        Some(Box::new(Wire {
            dirs: vec![[Dir::default(); 2]; mbps.len()],
            mbps,
            sizes,
        }))
    }
}

/// The time to send `bytes` at `mbps` [ns]: bytes × 8 bits ÷ (mbps × 10⁶ bit/s) = bytes × 8000 ÷ mbps ns.
pub fn send_ns(bytes: u32, mbps: f64) -> u64 {
    if mbps <= 0.0 {
        return 0;
    }
    let ns = (f64::from(bytes) * 8000.0 / mbps).round();
    // At least 1 Mbit/s… 10⁹ bytes: far below u64::MAX ns; saturate anyway.
    if ns >= u64::MAX as f64 {
        u64::MAX
    } else {
        ns as u64
    }
}

impl Sim {
    /// Puts a message of `bytes` on edge `e` in direction `dir` now; returns when its last bit is out (now on
    /// an unlimited link, or in a diagram without bandwidths).
    #[inline]
    pub(super) fn on_wire(&mut self, e: u32, dir: usize, bytes: u32) -> SimTime {
        if self.wire.is_none() {
            return self.queue.now;
        }
        self.on_bandwidth(e, dir, bytes)
    }

    /// [`Sim::on_wire`] in a diagram with a bandwidth somewhere.
    #[inline(never)]
    fn on_bandwidth(&mut self, e: u32, dir: usize, bytes: u32) -> SimTime {
        let now = self.queue.now;
        let window = self.meters.window;
        let Some(w) = self.wire.as_deref_mut() else {
            return now;
        };
        let mbps = w.mbps[e as usize];
        let d = &mut w.dirs[e as usize][dir];
        let tx = send_ns(bytes, mbps);
        let start = if mbps > 0.0 {
            d.busy_until.max(now)
        } else {
            now
        };
        let done = start.add(SimTime(tx));
        if mbps > 0.0 {
            d.busy_until = done;
            d.offered_ns = d.offered_ns.saturating_add(tx);
        }
        if window.contains(now) {
            d.bytes += u64::from(bytes);
            d.msgs += 1;
            d.wait_ns = d.wait_ns.saturating_add(start.since(now).0);
            d.transfer_ns = d.transfer_ns.saturating_add(done.since(now).0);
            let (a, b) = (start.max(window.start), done.min(window.end));
            d.busy_ns = d.busy_ns.saturating_add(b.since(a).0);
        }
        done
    }

    /// Stamps `req`'s response size as node `node` answers it successfully (a server's `response_bytes`,
    /// exponential sizes drawn here, or the body a screen's request asks for); nothing in a diagram without bandwidths.
    pub(super) fn size_response(&mut self, node: u32, req: u32) {
        let Some(w) = self.wire.as_deref() else {
            return;
        };
        let Some((bytes, sizes)) = w.sizes[node as usize] else {
            return;
        };
        let body = self.reqs.cold(req).body;
        if self.body_kept(req) {
            // A body a node below set (an object store's download) passes through unchanged.
            return;
        }
        let resp = match sizes {
            // A screen's request: the resource (or the fields) its client asked for.
            _ if body > 0 => body,
            Sizes::Constant => bytes,
            Sizes::Exponential => {
                let x = crate::dist::exponential(&mut self.rng, f64::from(bytes)).round();
                if x >= f64::from(u32::MAX) {
                    u32::MAX
                } else {
                    x as u32
                }
            }
        };
        let c = self.reqs.cold(req);
        if c.validator == 0 || c.validator != c.version.saturating_add(1) {
            self.reqs.get_mut(req).resp = resp;
            return;
        }
        let q = self.reqs.get_mut(req);
        // A conditional read whose version is unchanged: a 304, headers only.
        q.resp = resp.min(NOT_MODIFIED_BYTES);
        let (client, saved, measured) = (q.client, resp - q.resp, q.measured);
        if let Some(h) = self.nodes[client as usize]
            .as_client()
            .and_then(|c| c.http.as_mut())
        {
            h.counters.bytes_saved += u64::from(measured) * u64::from(saved);
        }
    }

    /// Per edge, every message's sending time so far in its busier direction [ns] (none without
    /// bandwidths): what the canvas turns into a link's load between two frames.
    pub fn link_offered_ns(&self) -> Option<Vec<u64>> {
        let w = self.wire.as_deref()?;
        Some(
            w.dirs
                .iter()
                .map(|d| d[REQUESTS].offered_ns.max(d[RESPONSES].offered_ns))
                .collect(),
        )
    }

    /// Edge `e`'s bandwidth [Mbit/s]; 0 = unlimited (and in a diagram without bandwidths).
    pub fn link_bandwidth(&self, e: usize) -> f64 {
        self.wire
            .as_deref()
            .and_then(|w| w.mbps.get(e).copied())
            .unwrap_or(0.0)
    }

    /// The report's `network` block: every link's bytes and load, and each node's bytes.
    pub(super) fn network_report(&self, window_ns: u64) -> Option<NetworkReport> {
        let w = self.wire.as_deref()?;
        let g = &self.graph;
        let names: BTreeMap<u32, &String> = g.edge_index.iter().map(|(n, &i)| (i, n)).collect();
        let mut links = BTreeMap::new();
        let mut nodes: BTreeMap<String, NodeBytes> = BTreeMap::new();
        for (i, e) in g.edges.iter().enumerate() {
            let (from, to) = (&g.ids[e.from as usize], &g.ids[e.to as usize]);
            let name = names
                .get(&(i as u32))
                .map_or_else(|| format!("{from}->{to}"), |n| (*n).clone());
            let [req, resp] = w.dirs[i];
            let side = |d: Dir| LinkDirection {
                bytes: d.bytes,
                messages: d.msgs,
                utilization: if window_ns > 0 {
                    d.busy_ns as f64 / window_ns as f64
                } else {
                    0.0
                },
                mean_wait_ms: mean_ms(d.wait_ns, d.msgs),
                mean_transfer_ms: mean_ms(d.transfer_ns, d.msgs),
            };
            let a = nodes.entry(from.clone()).or_default();
            a.sent += req.bytes;
            a.received += resp.bytes;
            let b = nodes.entry(to.clone()).or_default();
            b.received += req.bytes;
            b.sent += resp.bytes;
            links.insert(
                name,
                LinkReport {
                    from: from.clone(),
                    to: to.clone(),
                    bandwidth_mbps: w.mbps[i],
                    requests: side(req),
                    responses: side(resp),
                },
            );
        }
        Some(NetworkReport { links, nodes })
    }
}

fn mean_ms(total_ns: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        total_ns as f64 / n as f64 / 1e6
    }
}
