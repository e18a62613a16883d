//! A client's connections on the engine side (`components/connections/pool.rs` holds the state): a request of
//! a client with `connections` takes a free connection of its user's pool for its first edge, opens one (it
//! leaves when the handshake's round trips are over: `Ev::Connected`), or waits for a response to free one.
//! Clients without `connections` never come here, so their runs draw and schedule exactly as before.

use super::{Ev, Sim};
use crate::components::NO_SLOT;
use crate::components::connections::pool::Conn;
use crate::request::ReqState;
use crate::time::SimTime;

impl Sim {
    /// Client `from` sends its request `req` over edge `e`: through its pool when it has one (then `true`:
    /// the pool sends it once a connection is ready for it), else `false`.
    pub(super) fn pool_takes(&mut self, from: u32, req: u32, e: u32) -> bool {
        let q = self.reqs.get(req);
        if q.internal {
            return false;
        }
        let (addr, generation) = (q.addr, q.generation);
        let now = self.queue.now;
        let Some(pool) = self.nodes[from as usize]
            .as_client()
            .and_then(|c| c.conns.as_mut())
        else {
            return false;
        };
        pool.sweep(now);
        pool.lines
            .entry((addr, e))
            .or_default()
            .waiting
            .push_back((req, generation, now));
        self.pump(from, (addr, e));
        true
    }

    /// Gives the waiting requests of client `from`'s line `key` connections while any is free or may be
    /// opened, in arrival order; sends each (or holds it until its connection's handshake is over).
    fn pump(&mut self, from: u32, key: (u32, u32)) {
        let now = self.queue.now;
        let e = key.1;
        let mut go: Vec<(u32, u32, SimTime)> = Vec::new();
        let mut drop: Vec<u32> = Vec::new();
        {
            let Some(pool) = self.nodes[from as usize]
                .as_client()
                .and_then(|c| c.conns.as_mut())
            else {
                return;
            };
            let reqs = &self.reqs;
            let Some(line) = pool.lines.get_mut(&key) else {
                return;
            };
            // A request freed while on a connection (a link lost it, its client gave up): an HTTP/1.1
            // connection that never got its response is broken; an HTTP/2 stream just ends.
            let alive = |&(r, g): &(u32, u32)| reqs.get(r).generation == g;
            if pool.streams == 1 {
                line.conns.retain(|c| c.streams.iter().all(alive));
            } else {
                for c in &mut line.conns {
                    c.streams.retain(alive);
                }
            }
            let keepalive = pool.keepalive;
            line.conns.retain(|c| {
                c.ready > now || !c.streams.is_empty() || now.since(c.last_use) < keepalive
            });
            while let Some(&(r, g, since)) = line.waiting.front() {
                let q = reqs.get(r);
                if q.generation != g {
                    line.waiting.pop_front();
                    continue;
                }
                if q.state != ReqState::Live {
                    // Its client gave up while it waited: it never leaves.
                    line.waiting.pop_front();
                    drop.push(r);
                    continue;
                }
                let free = line
                    .conns
                    .iter()
                    .position(|c| c.streams.len() < pool.streams);
                let (i, opened) = match free {
                    Some(i) => (i, None),
                    None if line.conns.len() < pool.size => {
                        let lat = &self.graph.edges[e as usize].latency;
                        let mut ns = 0u64;
                        for _ in 0..2 * pool.round_trips {
                            ns = ns.saturating_add(lat.sample(&mut self.rng, 1.0).0);
                        }
                        line.conns.push(Conn {
                            streams: Vec::new(),
                            ready: now.add(SimTime(ns)),
                            last_use: now,
                        });
                        (line.conns.len() - 1, Some(ns))
                    }
                    None => break,
                };
                line.waiting.pop_front();
                let c = &mut line.conns[i];
                c.streams.push((r, g));
                c.last_use = now;
                if q.measured {
                    let k = &mut pool.counters;
                    k.requests += 1;
                    if since < now {
                        k.pool_waits += 1;
                        k.pool_wait_ns += now.since(since).0;
                    }
                    k.paid_handshake += u64::from(c.ready > now);
                    if let Some(ns) = opened {
                        k.opened += 1;
                        k.round_trips += u64::from(pool.round_trips);
                        k.handshake_ns += ns;
                    }
                }
                go.push((r, g, c.ready));
            }
        }
        for r in drop {
            self.reqs.free(r);
        }
        for (r, generation, ready) in go {
            if ready > now {
                // The handshake's time is time on the link.
                let q = self.reqs.get_mut(r);
                q.net = q.net.saturating_add(ready.since(now).0);
                self.schedule(
                    ready,
                    Ev::Connected {
                        req: r,
                        generation,
                        edge: e,
                    },
                );
            } else {
                self.send_on(from, r, e, NO_SLOT);
            }
        }
    }

    /// Request `req`'s connection over edge `edge` finished its handshake: it leaves now (or, if its client
    /// gave up meanwhile, never does and frees its place on the connection).
    pub(super) fn on_connected(&mut self, req: u32, generation: u32, edge: u32) {
        let q = self.reqs.get(req);
        if q.generation != generation {
            return;
        }
        let from = q.client;
        if q.state == ReqState::Live {
            self.send_on(from, req, edge, NO_SLOT);
        } else {
            self.release(from, req, edge);
            self.reqs.free(req);
        }
    }

    /// The response to client `from`'s request `req`, sent over edge `edge`, is back (or the request ends
    /// unsent): its connection is free for the next request waiting for one. Nothing for a client without
    /// `connections`.
    #[inline]
    pub(super) fn release(&mut self, from: u32, req: u32, edge: u32) {
        if self.nodes[from as usize]
            .as_client_ref()
            .is_some_and(|c| c.conns.is_some())
        {
            self.release_pooled(from, req, edge);
        }
    }

    /// [`Sim::release`] for a client with `connections` (out of line: most have none).
    #[inline(never)]
    fn release_pooled(&mut self, from: u32, req: u32, edge: u32) {
        let now = self.queue.now;
        let Some(pool) = self.nodes[from as usize]
            .as_client()
            .and_then(|c| c.conns.as_mut())
        else {
            return;
        };
        let q = self.reqs.get(req);
        let (addr, generation) = (q.addr, q.generation);
        let answered = q.measured && q.state == ReqState::Live;
        let took = now.since(q.start).0;
        if answered {
            pool.counters.answered += 1;
            pool.counters.answered_ns += took;
        }
        let Some(line) = pool.lines.get_mut(&(addr, edge)) else {
            return;
        };
        for c in &mut line.conns {
            if let Some(i) = c.streams.iter().position(|&s| s == (req, generation)) {
                c.streams.swap_remove(i);
                c.last_use = now;
                break;
            }
        }
        self.pump(from, (addr, edge));
    }
}
