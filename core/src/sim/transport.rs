//! Transport: carrying out a node's actions, requests over links (latency, loss, cuts, the hop limit), a
//! request's arrival at a node and its response retracing the path, and releasing what a lost request held.

use super::{BRANCH_SLOT, CALL_SLOT, Ev, Sim, body, ctx, wire};
use crate::components::{Action, Incoming, Kind, NO_SLOT};
use crate::ids::{NodeIdx, RequestId};
use crate::request::{Hop, NO_CALL, NO_VIA, Op, Outcome, ReqState};
use crate::time::SimTime;
use crate::trace::{HopClass, HopOutcome, HopRecord};

impl Sim {
    /// Carries out the actions node `node`'s verb pushed, in order.
    pub(super) fn run_actions(&mut self, node: u32) {
        if self.actions.is_empty() {
            return;
        }
        // Taken, so a verb the actions call (a lost request unwinding its path) has a buffer of its own.
        let mut acts = std::mem::take(&mut self.actions);
        for &a in &acts {
            match a {
                Action::Forward { req, port, slot } => self.run_forward(node, req, port, slot),
                Action::Recall { req, port, slot } => {
                    // Back to the hops it had on arriving here: one more than its caller had when it sent it.
                    let hops = self
                        .reqs
                        .last_hop(req)
                        .map_or(0, |h| h.hops.saturating_add(1));
                    self.reqs.get_mut(req).hops = hops;
                    self.run_forward(node, req, port, slot);
                }
                Action::Egress { req, port, slot } => {
                    self.reqs.set_via(req, node);
                    self.run_forward(node, req, port, slot);
                }
                Action::Respond { req, outcome } => {
                    if outcome == Outcome::Ok {
                        self.size_response(node, req);
                    }
                    self.respond(node, req, outcome, false);
                }
                Action::Fail { req, outcome } => self.respond(node, req, outcome, true),
                Action::ServiceDone { at, slot, token } => {
                    self.span_service(node, slot, at);
                    self.schedule(at, Ev::ServiceDone { node, slot, token })
                }
                Action::Hit { req, version } => {
                    let key = self.reqs.get(req).key;
                    let truth = self.versions.by_key.get(&key).copied().unwrap_or(0);
                    if version != crate::components::cache::DIRTY && version < truth {
                        self.nodes[node as usize].stale_hit(self.queue.now);
                    }
                    self.reqs.get_mut(req).cache_hit = true;
                    self.cached_body(req);
                    self.respond(node, req, Outcome::Ok, false);
                }
                Action::Spawn {
                    key,
                    op,
                    port,
                    slot,
                } => self.spawn(node, key, op, port, slot),
                Action::SpawnAttempt {
                    key,
                    op,
                    port,
                    slot,
                    of,
                } => self.spawn_with(node, key, op, port, slot, Some(own_idem(node, of))),
                Action::Absorb { req } => self.reqs.free(req),
                Action::Answer { req, value } => {
                    self.reqs.set_version(req, value);
                    self.respond(node, req, Outcome::Ok, false);
                }
                Action::Scatter { req, slot } => self.scatter(node, req, slot),
                Action::Pull { .. } | Action::Redirect { .. } | Action::Reply { .. } => {
                    body::run(self, node, a)
                }
                Action::Push { req, value, bytes } => self.push(req, value, bytes),
            }
        }
        acts.clear();
        self.actions = acts;
    }

    /// `node` sends `req` over its `port`-th edge (a pass-through node with nothing behind it, in a
    /// half-built diagram, fails it).
    fn run_forward(&mut self, node: u32, req: u32, port: u32, slot: u32) {
        let g = &self.graph;
        let ports = g.out_start[node as usize + 1] - g.out_start[node as usize];
        if port < ports {
            self.forward(node, req, port, slot);
        } else {
            self.respond(node, req, Outcome::Error, true);
        }
    }

    #[inline]
    pub(super) fn trace_hop(
        &mut self,
        req: u32,
        from: u32,
        to: u32,
        arrive: SimTime,
        outcome: HopOutcome,
    ) {
        if self.meters.trace.enabled() {
            self.record_hop(req, from, to, arrive, outcome);
        }
    }

    /// The hop record itself (out of line: most runs keep no trace).
    #[inline(never)]
    fn record_hop(&mut self, req: u32, from: u32, to: u32, arrive: SimTime, outcome: HopOutcome) {
        let q = self.reqs.get(req);
        let id = q.id;
        let kinds = &self.graph.kinds;
        let dns = |n: u32| matches!(kinds[n as usize], Kind::DnsResolver | Kind::DnsServer);
        let class = if dns(from) || dns(to) {
            HopClass::Lookup
        } else if q.internal {
            HopClass::Internal
        } else {
            HopClass::Client
        };
        let outcome = if outcome == HopOutcome::Ok && q.cache_hit {
            HopOutcome::CacheHit
        } else {
            outcome
        };
        self.meters.trace.push(HopRecord {
            request: RequestId(id),
            from: NodeIdx(from),
            to: NodeIdx(to),
            depart: self.queue.now,
            arrive,
            outcome,
            class,
        });
    }

    /// Starts a request of `node`'s own (no client, no deadline) and sends it over `port`.
    pub(super) fn spawn(&mut self, node: u32, key: u64, op: Op, port: u32, slot: u32) {
        self.spawn_with(node, key, op, port, slot, None);
    }

    /// The same, with the idempotency key `idem` when given (else its own id, like a first attempt).
    fn spawn_with(&mut self, node: u32, key: u64, op: Op, port: u32, slot: u32, idem: Option<u64>) {
        let now = self.queue.now;
        let r = self.reqs.alloc();
        let q = self.reqs.get_mut(r);
        q.id = self.next_id;
        q.start = now;
        q.deadline = SimTime::MAX;
        q.here = now;
        q.key = key;
        q.client = node;
        q.addr = 0;
        q.size = 0;
        q.resp = 0;
        q.op = op;
        q.attempt = 0;
        q.hops = 0;
        q.measured = false;
        q.state = ReqState::Live;
        q.outcome = Outcome::Ok;
        q.internal = true;
        q.net = 0;
        if let Some(idem) = idem {
            self.reqs.set_idem(r, idem);
        }
        self.next_id += 1;
        self.forward(node, r, port, slot);
    }

    /// Sends `req` from `from` over its `port`-th outgoing edge: straight over the link, or — over an edge
    /// with a call policy — as a call whose attempts go out for it while it waits at `from`.
    pub(super) fn forward(&mut self, from: u32, req: u32, port: u32, slot: u32) {
        self.screen_call(from, req, 1);
        let e = self.graph.out_edges[(self.graph.out_start[from as usize] + port) as usize];
        // A client with `connections` sends over its pool (`sim/conns.rs`).
        if slot == NO_SLOT
            && self.graph.kinds[from as usize] == Kind::Client
            && self.pool_takes(from, req, e)
        {
            return;
        }
        self.send_on(from, req, e, slot);
    }

    /// Sends `req` from `from` over edge `e` now (see [`Sim::forward`]).
    pub(super) fn send_on(&mut self, from: u32, req: u32, e: u32, slot: u32) {
        let q = self.reqs.get(req);
        let (here, hops) = (q.here, q.hops);
        self.reqs.push_hop(
            req,
            Hop {
                edge: e,
                slot,
                here,
                hops,
            },
        );
        if self.graph.edges[e as usize].policy.is_some() {
            self.start_call(req, e);
        } else {
            self.transmit(from, req, e);
        }
    }

    /// Puts `req`, whose hop over edge `e` is on its path, on the link.
    pub(super) fn transmit(&mut self, from: u32, req: u32, e: u32) {
        let hop_limit = self.hop_limit;
        let q = self.reqs.get_mut(req);
        q.hops = q.hops.saturating_add(1);
        let edge = &self.graph.edges[e as usize];
        let to = edge.to;
        if q.hops > hop_limit || edge.cut {
            // Fails at once, as if the callee had answered with an error: the hop limit stops loops, a cut
            // link refuses the connection.
            if q.hops > hop_limit && q.measured {
                self.meters.e2e.totals.hop_limited += 1;
                self.meters.by_client[q.client as usize].hop_limited += 1;
            }
            q.outcome = Outcome::Error;
            if self.meters.window.contains(self.queue.now) {
                self.meters.stats[from as usize].errors += 1;
            }
            self.span_sent(req, from, to, None, true);
            self.schedule(self.queue.now, Ev::RespArrive { req });
            return;
        }
        let lost = edge.loss > 0.0 && self.rng.chance(edge.loss);
        let lat = edge.delay(&mut self.rng);
        let size = q.size;
        let now = self.queue.now;
        let sent = self.on_wire(e, wire::REQUESTS, size);
        let arrive = sent.add(lat);
        let q = self.reqs.get_mut(req);
        q.net = q
            .net
            .saturating_add(lat.0.saturating_add(sent.since(now).0));
        self.span_sent(req, from, to, (!lost).then_some(arrive), false);
        if lost {
            self.lose(req, from, to, arrive);
            return;
        }
        self.trace_hop(req, from, to, arrive, HopOutcome::Request);
        self.schedule(arrive, Ev::Arrive { req, node: to });
    }

    /// Sends `req`'s response from `node` back to its caller. `caused`: this node produced the outcome.
    pub(super) fn respond(&mut self, node: u32, req: u32, outcome: Outcome, caused: bool) {
        let now = self.queue.now;
        let in_window = self.meters.window.contains(now);
        let Some(hop) = self.reqs.last_hop(req) else {
            // A request with no caller (never on a path): nothing to answer.
            return;
        };
        let q = self.reqs.get_mut(req);
        q.outcome = outcome;
        let here = q.here;
        if self.versions.track && outcome == Outcome::Ok && self.nodes[node as usize].stores_data()
        {
            let v = self.versions.by_key.entry(q.key).or_insert(0);
            if q.op == Op::Write {
                *v += 1;
            }
            let v = *v;
            self.reqs.set_version(req, v);
        }
        let st = &mut self.meters.stats[node as usize];
        if self.meters.window.contains(here) {
            st.record_time(now.since(here).0);
        }
        st.in_node -= 1;
        if in_window {
            match (outcome, caused) {
                (Outcome::Ok, _) => st.served += 1,
                (Outcome::Error, true) => st.errors += 1,
                (Outcome::Rejected, true) => st.dropped += 1,
                (Outcome::RateLimited, true) => st.rate_limited += 1,
                (Outcome::Shed, true) => st.shed += 1,
                (Outcome::Blocked, true) => st.blocked += 1,
                _ => {}
            }
        }
        let hop_edge = hop.edge;
        let edge = &self.graph.edges[hop_edge as usize];
        let caller = edge.from;
        let lost = edge.cut || (edge.loss > 0.0 && self.rng.chance(edge.loss));
        let lat = edge.delay(&mut self.rng);
        let bytes = if outcome == Outcome::Ok {
            self.reqs.get(req).resp
        } else {
            0
        };
        // A cut link sends nothing; a lost message was sent (and took the link's time).
        let sent = if edge.cut {
            now
        } else {
            self.on_wire(hop_edge, wire::RESPONSES, bytes)
        };
        let q = self.reqs.get_mut(req);
        q.net = q
            .net
            .saturating_add(lat.0.saturating_add(sent.since(now).0));
        let arrive = sent.add(lat);
        self.span_left(req, node, (!lost).then_some(arrive), outcome);
        if lost {
            self.lose(req, node, caller, arrive);
            return;
        }
        self.trace_hop(req, node, caller, arrive, HopOutcome::of(outcome));
        self.schedule(arrive, Ev::RespArrive { req });
    }

    /// A link lost `req`'s message. If its client still waits, its timeout cleans up; if it already gave
    /// up, clean up now.
    pub(super) fn lose(&mut self, req: u32, from: u32, to: u32, arrive: SimTime) {
        self.trace_hop(req, from, to, arrive, HopOutcome::Lost);
        let q = self.reqs.get(req);
        let (state, internal, call) = (q.state, q.internal, self.reqs.cold(req).call);
        // An attempt counts with its call (attempts themselves are never `measured`: they are not requests of
        // a client's).
        if q.measured || (call != NO_CALL && self.calls.list[call as usize].counted) {
            self.meters.e2e.totals.lost += 1;
            self.meters.by_client[q.client as usize].lost += 1;
        }
        if state == ReqState::Live && call != NO_CALL {
            self.attempt_lost(req);
            return;
        }
        if state == ReqState::Live && self.is_branch(req) {
            self.branch_lost(req);
            return;
        }
        match state {
            // Nobody times out a node's own request: release it now; a client's lookup fails its waiters.
            ReqState::Live if internal => {
                let origin = self.reqs.get(req).client;
                self.unwind(req);
                self.on_dns_answer(origin, None);
            }
            ReqState::Live => self.reqs.get_mut(req).state = ReqState::Lost,
            ReqState::TimedOut => self.unwind(req),
            // A lost request sends nothing more, so it cannot be lost twice.
            ReqState::Lost => {}
        }
    }

    /// Releases what every node on `req`'s path holds for it, then frees it.
    pub(super) fn unwind(&mut self, req: u32) {
        while let Some(hop) = self.reqs.pop_hop(req) {
            if hop.slot == CALL_SLOT || hop.slot == BRANCH_SLOT {
                // An attempt's or a branch's first hop: its caller holds the parent, not this request.
                continue;
            }
            let node = self.graph.edges[hop.edge as usize].from;
            self.touch(node);
            let mut ctx = ctx!(self);
            self.nodes[node as usize].abandon(&mut ctx, req, hop.slot);
            // The request's first hop is its origin's (a client, or a node's own request): it was never
            // counted in that node.
            if self.reqs.depth(req) > 0 {
                self.meters.stats[node as usize].in_node -= 1;
            }
            self.run_actions(node);
            self.set_levels(node);
        }
        self.reqs.free(req);
    }

    pub(super) fn on_arrive(&mut self, req: u32, node: u32) {
        self.touch(node);
        let now = self.queue.now;
        let caller = self
            .reqs
            .last_hop(req)
            .map_or(u32::MAX, |h| self.graph.edges[h.edge as usize].from);
        let idem = self.reqs.idem(req);
        self.reqs.get_mut(req).here = now;
        let (q, c) = (self.reqs.get(req), self.reqs.cold(req));
        let inc = Incoming {
            key: q.key,
            op: q.op,
            // Behind a forward proxy, what is seen is the proxy's one exit address.
            client: if c.via == NO_VIA { q.client } else { c.via },
            addr: if c.via == NO_VIA { q.addr } else { 0 },
            api_key: c.api_key,
            route: c.route,
            malicious: c.malicious,
            internal: q.internal,
            deadline: q.deadline,
            idem,
            caller,
        };
        let counting = self.meters.window.contains(now);
        let st = &mut self.meters.stats[node as usize];
        st.arrivals += u64::from(counting);
        st.in_node += 1;
        if !self.graph.alive[node as usize] {
            st.dropped += u64::from(counting);
            self.respond(node, req, Outcome::Error, false);
            return;
        }
        let mut ctx = ctx!(self);
        if self.nodes[node as usize].on_request(&mut ctx, req, &inc) && counting {
            self.meters.stats[node as usize].waited += 1;
        }
        self.run_actions(node);
        self.set_levels(node);
    }

    pub(super) fn on_resp_arrive(&mut self, req: u32) {
        let Some(hop) = self.reqs.pop_hop(req) else {
            return;
        };
        if hop.slot == CALL_SLOT {
            self.attempt_returned(req, hop.edge);
        } else {
            self.deliver(req, hop);
        }
    }

    /// `req`'s response, whose last hop was `hop` (already popped), reaches the caller of that hop.
    pub(super) fn deliver(&mut self, req: u32, hop: Hop) {
        if hop.slot == BRANCH_SLOT {
            self.branch_returned(req, hop);
            return;
        }
        let version = self.reqs.cold(req).version;
        let q = self.reqs.get_mut(req);
        q.here = hop.here;
        let (outcome, internal) = (q.outcome, q.internal);
        let node = self.graph.edges[hop.edge as usize].from;
        self.touch(node);
        if self.nodes[node as usize].as_client().is_some() {
            if internal {
                self.reqs.free(req);
                self.on_dns_answer(node, (outcome == Outcome::Ok).then_some(version));
            } else {
                self.release(node, req, hop.edge);
                if !self.follow_redirect(node, req, outcome) {
                    self.resolve(req, outcome);
                }
            }
            return;
        }
        let mut ctx = ctx!(self);
        self.nodes[node as usize].on_response(&mut ctx, req, hop.slot, outcome, version);
        self.run_actions(node);
        self.set_levels(node);
    }
}

/// The idempotency key of node `node`'s own logical request `of` ([`Action::SpawnAttempt`]): the top bit (no
/// request id reaches it), the node in the next 23 bits, `of` in the low 40.
fn own_idem(node: u32, of: u64) -> u64 {
    (1 << 63) | (u64::from(node & 0x7f_ffff) << 40) | (of & ((1 << 40) - 1))
}
