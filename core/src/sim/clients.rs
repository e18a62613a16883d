//! The traffic sources: a client's arrivals (and their spikes), its hostname lookups through its DNS cache,
//! its deadlines, and the end of each of its requests — where the end-to-end outcome is counted once.

use super::{Ev, Sim};
use crate::components::NO_SLOT;
use crate::components::client::{Api, Lookup, NewRequest};
use crate::components::dns;
use crate::request::{Op, Outcome, ReqState};
use crate::trace::HopOutcome;

impl Sim {
    /// Schedules client `node`'s next arrival from now, if it is a live client with traffic left.
    pub(super) fn arm_client(&mut self, node: u32) {
        let now = self.queue.now;
        if !self.graph.alive[node as usize] {
            return;
        }
        let Some(c) = self.nodes[node as usize].as_client() else {
            return;
        };
        let epoch = c.epoch;
        if let Some(t) = c.next_arrival(now, &mut self.rng) {
            self.schedule(t, Ev::ClientFire { node, epoch });
        }
    }

    pub(super) fn on_client_fire(&mut self, node: u32, epoch: u32) {
        let now = self.queue.now;
        let alive = self.graph.alive[node as usize];
        let Some(c) = self.nodes[node as usize].as_client() else {
            return;
        };
        if !alive || c.epoch != epoch {
            return;
        }
        if c.screen.is_some() {
            self.on_screen_fire(node, epoch);
            return;
        }
        let nr = c.new_request(&mut self.rng);
        let next = c.next_arrival(now, &mut self.rng);
        let route = c.route;
        let cacheable = nr.op == Op::Read && !nr.is_static;
        self.start_request(node, &nr, route, 0, cacheable);
        if let Some(t) = next {
            self.schedule(t, Ev::ClientFire { node, epoch });
        }
    }

    /// Starts client `node`'s request `nr` (on path `route`, asking for a response body of `body` bytes, 0 =
    /// the server's own): counts it sent, arms its deadline, and answers it from the browser's HTTP cache
    /// (when `cacheable`) or sends it. Returns its slab index and whether it left the device.
    pub(super) fn start_request(
        &mut self,
        node: u32,
        nr: &NewRequest,
        route: u32,
        body: u32,
        cacheable: bool,
    ) -> (u32, bool) {
        let now = self.queue.now;
        let Some(c) = self.nodes[node as usize].as_client() else {
            unreachable!("only a client starts a client request")
        };
        // A retrying client's call layer times out each attempt; the request itself lives as long as its
        // retries may take.
        let (deadline, timer) = match c.lifetime {
            Some(l) => (now.add(l), false),
            None => (now.add(c.timeout), true),
        };
        let measured = self.meters.window.contains(now);

        let r = self.reqs.alloc();
        let q = self.reqs.get_mut(r);
        q.id = self.next_id;
        q.start = now;
        q.deadline = deadline;
        q.here = now;
        q.key = nr.key;
        q.client = node;
        q.addr = nr.addr;
        q.size = nr.size;
        q.resp = 0;
        q.op = nr.op;
        q.attempt = 0;
        q.hops = 0;
        q.measured = measured;
        q.state = ReqState::Live;
        q.outcome = Outcome::Ok;
        q.internal = false;
        q.net = 0;
        let generation = q.generation;
        self.reqs.set_body(r, body);
        self.reqs.set_api_key(r, nr.api_key);
        self.reqs.set_route(r, route);
        self.reqs.set_malicious(r, nr.malicious);
        self.next_id += 1;
        self.outstanding += 1;
        self.span_root(r);
        if measured {
            for counts in [
                &mut self.meters.e2e.totals,
                &mut self.meters.by_client[node as usize],
            ] {
                counts.sent += 1;
                counts.attacks_sent += u64::from(nr.malicious);
            }
        }
        if timer {
            let dl = &mut self.deadlines[node as usize];
            dl.q.push_back((r, generation));
            if !dl.armed {
                dl.armed = true;
                self.schedule(deadline, Ev::ClientTimer { node });
            }
        }
        let cached = if cacheable {
            self.http_lookup(node, nr.key, measured)
        } else {
            None
        };
        if let Some(Lookup::Revalidate(v)) = cached {
            self.reqs.set_validator(r, v);
        }
        if cached == Some(Lookup::Fresh) {
            // A fresh entry of the browser's HTTP cache: the read never leaves the device.
            self.resolve(r, Outcome::Ok);
            return (r, false);
        } else if nr.is_static {
            self.forward(node, r, nr.port, NO_SLOT);
        } else {
            self.send_resolved(node, r, nr.port);
        }
        (r, true)
    }

    /// What client `node`'s HTTP cache does with a read of `key` now (`None` without one); counts the lookup.
    fn http_lookup(&mut self, node: u32, key: u64, counting: bool) -> Option<Lookup> {
        let now = self.queue.now;
        self.nodes[node as usize]
            .as_client()
            .and_then(|c| c.http.as_mut())
            .map(|h| h.lookup(key, now, counting))
    }

    /// Sends client `node`'s new request `r` over `port`, once its hostname is resolved: at once when the
    /// client's DNS cache holds a live answer (or it has no resolver), else after a lookup.
    fn send_resolved(&mut self, node: u32, r: u32, port: u32) {
        let now = self.queue.now;
        let counting = self.meters.window.contains(now);
        let Some(d) = self.nodes[node as usize]
            .as_client()
            .and_then(|c| c.dns.as_mut())
        else {
            self.forward(node, r, port, NO_SLOT);
            return;
        };
        if d.live(now) {
            d.counters.hits += u64::from(counting);
            let port = if d.geo { d.nearest } else { port };
            self.forward(node, r, port, NO_SLOT);
            return;
        }
        d.counters.misses += u64::from(counting);
        d.pending.push((r, port));
        if d.in_flight {
            d.counters.coalesced += u64::from(counting);
            return;
        }
        d.in_flight = true;
        let (key, rport) = (d.key, d.port);
        self.spawn(node, key, Op::Read, rport, NO_SLOT);
    }

    /// The answer to client `node`'s lookup (`None`: it failed): cache it and send the waiting requests, or
    /// fail them. Nothing for a node without a DNS cache.
    pub(super) fn on_dns_answer(&mut self, node: u32, answer: Option<u64>) {
        let now = self.queue.now;
        let Some(d) = self.nodes[node as usize]
            .as_client()
            .and_then(|c| c.dns.as_mut())
        else {
            return;
        };
        d.in_flight = false;
        let pending = std::mem::take(&mut d.pending);
        if let Some(v) = answer {
            let (ttl, geo) = dns::unpack(v);
            d.expires = now.add(ttl);
            d.geo = geo;
        }
        let (geo, nearest) = (d.geo, d.nearest);
        // A client killed while its lookup was out fails what waited for it.
        let alive = self.graph.alive[node as usize];
        for (r, port) in pending {
            let q = self.reqs.get(r);
            if q.state == ReqState::TimedOut {
                self.reqs.free(r);
            } else if answer.is_some() && alive {
                self.forward(node, r, if geo { nearest } else { port }, NO_SLOT);
            } else {
                self.resolve(r, Outcome::Error);
            }
        }
    }

    /// A response reached its client: the request's one end-to-end outcome.
    pub(super) fn resolve(&mut self, req: u32, outcome: Outcome) {
        let now = self.queue.now;
        let q = self.reqs.get(req);
        let client = q.client;
        // For a screen's request: its id, and whether its answer brought a body over the network.
        let mut screen = None;
        if q.state == ReqState::Live {
            self.span_end(req, outcome);
            let q = self.reqs.get(req);
            self.outstanding -= 1;
            let e = &mut self.meters.e2e;
            e.tick[outcome] += 1;
            let (id, networked) = (q.id, now > q.start);
            // A GraphQL query is a POST: no HTTP cache stores its answer.
            let api = self.nodes[client as usize]
                .as_client()
                .and_then(|c| c.screen.as_ref())
                .map(|s| s.api);
            let mut not_modified = false;
            if outcome == Outcome::Ok
                && q.op == Op::Read
                && now > q.start
                && api != Some(Api::Graphql)
                && let Some(h) = self.nodes[client as usize]
                    .as_client()
                    .and_then(|c| c.http.as_mut())
            {
                // An answer from the network (a local hit resolves at once): stored, or a 304.
                let c = self.reqs.cold(req);
                not_modified = h.answered(q.key, q.start, c.version, q.measured, c.validator != 0);
            }
            if api.is_some() {
                screen = Some((id, networked && !not_modified));
            }
            let q = self.reqs.get(req);
            let malicious = self.reqs.cold(req).malicious;
            let e = &mut self.meters.e2e;
            if outcome == Outcome::Ok {
                e.totals.attacks_served += u64::from(q.measured && malicious);
                let ns = now.since(q.start).0;
                e.tick_latency.record(ns);
                if q.measured {
                    e.record_latency(ns);
                    e.net_sum_ns += u128::from(q.net);
                }
            }
            if q.measured {
                e.totals.outcomes[outcome] += 1;
                let mine = &mut self.meters.by_client[client as usize];
                mine.outcomes[outcome] += 1;
                mine.attacks_served += u64::from(outcome == Outcome::Ok && malicious);
            }
        }
        self.reqs.free(req);
        // Drop resolved entries from the front of the client's deadline queue, so its timer sleeps until
        // the oldest request still waiting.
        let dl = &mut self.deadlines[client as usize];
        while let Some(&(r, generation)) = dl.q.front() {
            if self.reqs.get(r).generation == generation {
                break;
            }
            dl.q.pop_front();
        }
        if let Some((id, body)) = screen {
            self.screen_answered(client, id, outcome, body);
        }
    }

    pub(super) fn on_client_timer(&mut self, node: u32) {
        let now = self.queue.now;
        self.deadlines[node as usize].armed = false;
        while let Some(&(r, generation)) = self.deadlines[node as usize].q.front() {
            if self.reqs.get(r).generation != generation {
                self.deadlines[node as usize].q.pop_front();
                continue;
            }
            // The same request still: its deadline is the one it was queued with (set once, at its start).
            let deadline = self.reqs.get(r).deadline;
            if deadline > now {
                self.deadlines[node as usize].armed = true;
                self.schedule(deadline, Ev::ClientTimer { node });
                break;
            }
            self.deadlines[node as usize].q.pop_front();
            self.outstanding -= 1;
            self.meters.e2e.tick[Outcome::TimedOut] += 1;
            if self.reqs.get(r).state == ReqState::Live {
                self.span_end(r, Outcome::TimedOut);
            }
            let q = self.reqs.get_mut(r);
            if q.measured {
                self.meters.e2e.totals.outcomes[Outcome::TimedOut] += 1;
                self.meters.by_client[node as usize].outcomes[Outcome::TimedOut] += 1;
            }
            let (state, id) = (q.state, q.id);
            self.trace_hop(r, node, node, now, HopOutcome::TimedOut);
            match state {
                ReqState::Live => self.reqs.get_mut(r).state = ReqState::TimedOut,
                ReqState::Lost => self.unwind(r),
                // A deadline is queued once, so it cannot pass twice.
                ReqState::TimedOut => {}
            }
            if state != ReqState::TimedOut {
                self.screen_answered(node, id, Outcome::TimedOut, false);
            }
        }
    }

    /// Gives every client the product of the spikes in force as its rate multiplier, and redraws the next
    /// arrival of each live one from now at the new rate (the pending one, drawn at the old rate, is dropped by
    /// the epoch). For Poisson arrivals this is exact: the process is memoryless.
    pub(super) fn set_boost(&mut self) {
        let boost = self.spikes.iter().map(|(_, f)| f).product::<f64>();
        for n in 0..self.nodes.len() as u32 {
            let Some(c) = self.nodes[n as usize].as_client() else {
                continue;
            };
            c.boost = boost;
            c.epoch = c.epoch.wrapping_add(1);
            self.arm_client(n);
        }
    }
}
