//! A client's screens at run time (`components/client/screen.rs`): each arrival of a screen client opens a
//! screen and sends its requests — REST GETs one after another or all at once, or one GraphQL POST — and the
//! screen ends when its last request has ended. Back-end calls are counted here too: every call a server
//! makes on behalf of a screen's request (by the request's logical id, so retries and attempts count with it).
//!
//! A client without a screen never reaches this file: its draws and events are exactly as before.

use super::{Ev, Sim};
use crate::components::Kind;
use crate::components::client::screen::{Api, KEY_STRIDE, Run};
use crate::components::client::{NewRequest, STATIC_KEY_BIT};
use crate::request::{Op, Outcome};

/// A GraphQL query's key within its screen's stride (no resource uses it: a screen has at most
/// `MAX_RESOURCES` < `KEY_STRIDE − 1` of them).
const QUERY_SLOT: u64 = KEY_STRIDE - 1;

/// Marks the GraphQL query in a screen's request table (it is no one resource).
const QUERY: u32 = u32::MAX;

impl Sim {
    /// A screen client's arrival: draws the screen, opens it and sends its first request(s).
    pub(super) fn on_screen_fire(&mut self, node: u32, epoch: u32) {
        let now = self.queue.now;
        let measured = self.meters.window.contains(now);
        let Some(c) = self.nodes[node as usize].as_client() else {
            return;
        };
        let nr = c.screen_request(&mut self.rng);
        let next = c.next_arrival(now, &mut self.rng);
        let Some(s) = c.screen.as_deref_mut() else {
            return;
        };
        let (api, n) = (s.api, s.res.len() as u32);
        let pending = match api {
            Api::RestParallel => n,
            _ => u32::from(n > 0),
        };
        let slot = s.open(Run {
            start: now,
            key: nr.key,
            addr: nr.addr,
            api_key: nr.api_key,
            size: nr.size,
            port: nr.port,
            pending,
            measured,
            live: true,
            ..Run::default()
        });
        match api {
            _ if n == 0 => s.close(slot, now),
            Api::RestSequential => self.screen_send(node, slot, 0),
            Api::RestParallel => {
                for i in 0..n {
                    self.screen_send(node, slot, i);
                }
            }
            Api::Graphql => self.screen_send(node, slot, QUERY),
        }
        if let Some(t) = next {
            self.schedule(t, Ev::ClientFire { node, epoch });
        }
    }

    /// Sends screen `slot`'s request for resource `i` (a GET: to the client's CDN edge when it has one,
    /// through its browser cache) or its GraphQL query (`QUERY`: a POST to the origin, past every cache).
    fn screen_send(&mut self, node: u32, slot: u32, i: u32) {
        let Some(c) = self.nodes[node as usize].as_client() else {
            return;
        };
        let (route, cdn) = (c.route, c.cdn_port);
        let Some(s) = c.screen.as_deref_mut() else {
            return;
        };
        let run = s.runs[slot as usize];
        let stride = |k: u64| (run.key.wrapping_mul(KEY_STRIDE).wrapping_add(k)) & !STATIC_KEY_BIT;
        let (key, route, body, get) = if i == QUERY {
            (stride(QUERY_SLOT), route, s.fields_bytes, false)
        } else {
            let r = s.res[i as usize];
            (stride(u64::from(i)), r.route, r.bytes, true)
        };
        let via_cdn = get && cdn.is_some();
        let nr = NewRequest {
            key,
            op: Op::Read,
            addr: run.addr,
            size: run.size,
            port: if via_cdn {
                cdn.unwrap_or(run.port)
            } else {
                run.port
            },
            // A request to the CDN edge goes there by its own name: no lookup.
            is_static: via_cdn,
            malicious: false,
            api_key: run.api_key,
        };
        s.live.insert(self.next_id, (slot, i));
        let (_, left) = self.start_request(node, &nr, route, body, get);
        // A request that left the device cannot end before this returns, so its screen is still open.
        if left
            && let Some(s) = self.nodes[node as usize]
                .as_client()
                .and_then(|c| c.screen.as_deref_mut())
        {
            s.runs[slot as usize].trips += 1;
        }
    }

    /// Request `id` of client `node` ended with `outcome` (`body`: a body came over the network); if it was a
    /// screen's, the screen goes on (a sequential screen's next GET) or ends with its last request.
    pub(super) fn screen_answered(&mut self, node: u32, id: u64, outcome: Outcome, body: bool) {
        let now = self.queue.now;
        let alive = self.graph.alive[node as usize];
        let Some(s) = self.nodes[node as usize]
            .as_client()
            .and_then(|c| c.screen.as_deref_mut())
        else {
            return;
        };
        let Some((slot, i)) = s.live.remove(&id) else {
            return;
        };
        let (api, n, fields) = (s.api, s.res.len() as u32, s.fields_bytes);
        let res = (i != QUERY).then(|| s.res[i as usize]);
        let run = &mut s.runs[slot as usize];
        run.pending -= 1;
        if outcome != Outcome::Ok {
            run.failed = true;
        } else if body {
            match res {
                Some(r) => {
                    run.bytes += u64::from(r.bytes);
                    run.over += u64::from(r.bytes - r.used);
                }
                None => run.bytes += u64::from(fields),
            }
        }
        if !run.failed && api == Api::RestSequential && run.next + 1 < n {
            if alive {
                run.next += 1;
                run.pending = 1;
                let next = run.next;
                self.screen_send(node, slot, next);
                return;
            }
            // A client killed mid-screen sends nothing more: the screen fails.
            run.failed = true;
        }
        if run.pending == 0 {
            s.close(slot, now);
        }
    }

    /// Server `from` makes `n` calls for `req`: counted with the screen `req` belongs to, if any.
    #[inline]
    pub(super) fn screen_call(&mut self, from: u32, req: u32, n: u64) {
        if self.graph.kinds[from as usize] == Kind::Server {
            self.server_screen_call(req, n);
        }
    }

    /// [`Sim::screen_call`] for a server (out of line: most calls are not a server's).
    #[inline(never)]
    fn server_screen_call(&mut self, req: u32, n: u64) {
        let q = self.reqs.get(req);
        if q.internal {
            return;
        }
        let (client, idem) = (q.client, self.reqs.idem(req));
        if let Some(s) = self.nodes[client as usize]
            .as_client()
            .and_then(|c| c.screen.as_deref_mut())
            && let Some(&(slot, _)) = s.live.get(&idem)
        {
            s.runs[slot as usize].calls += n;
        }
    }
}
