//! Bodies and redirects: what an object store needs from the engine, in three generic actions.
//!
//! - [`Action::Pull`]: a node asks for `bytes` of a request's body (a file upload after its headers: HTTP
//!   `Expect: 100-continue`). The bytes cross each link of the request's path in turn, from where the request
//!   started, each link a FIFO of bits (`wire.rs`), a node in between receiving the whole piece before sending
//!   it on; then the node's [`crate::components::interface::Component::on_body`] verb is called with the
//!   piece's tag. Several pieces of one request may be pulled at once (a multipart upload's parts).
//! - [`Action::Redirect`]: a node answers a request with a redirect to itself (a pre-signed URL, HTTP 307):
//!   the answer goes back headers only, and the request's client then sends it once more, straight to that
//!   node over its own edge there (an error when it has none).
//! - [`Action::Reply`]: a node answers a request successfully with a body of `bytes` (a download). Servers it
//!   passes back through keep that body (they do not put their own `response_bytes` in its place), and a
//!   cache answering the same key later answers with the same body.
//!
//! ```text
//!   client ──headers──> app ──headers──> store: Pull ──> body: client→app, then app→store ──> on_body
//!   client ──headers──> app ──> store: Redirect ──headers──> client ──headers──> store: Pull ──> body: client→store
//! ```
//!
//! A diagram with no node that pushes these actions holds nothing here and runs exactly as before (nothing is
//! drawn, no event is scheduled).

use std::collections::BTreeMap;

use super::{Ev, Sim, ctx, wire};
use crate::components::{Action, NO_SLOT};
use crate::request::{Outcome, ReqState};

/// One piece of a body on its way.
#[derive(Clone, Copy, Debug)]
pub(super) struct Pull {
    /// the request, and its slab generation when the pull started (a reused slot is not this request)
    req: u32,
    generation: u32,
    /// the node that asked for it
    node: u32,
    /// the next hop of the request's path to cross (0: its first, from where it started)
    hop: u32,
    bytes: u32,
    /// the node's name for the piece
    tag: u32,
}

/// The engine's side of bodies and redirects.
#[derive(Debug, Default)]
pub(super) struct Bodies {
    /// pieces on their way, by index (an event names its index); `None` = a free slot
    pulls: Vec<Option<Pull>>,
    free: Vec<u32>,
    /// requests answered with a redirect: the node to send them to next, and their generation
    redirects: BTreeMap<u32, (u32, u32)>,
    /// requests whose response carries a body a node set (`Reply`), by generation
    kept: BTreeMap<u32, u32>,
    /// per key, the body size its last `Reply` carried (what a cache's copy of it carries)
    by_key: BTreeMap<u64, u32>,
}

impl Bodies {
    /// Bytes held (what the memory guard counts).
    pub(super) fn bytes(&self) -> usize {
        self.pulls.capacity() * std::mem::size_of::<Option<Pull>>()
            + self.free.capacity() * 4
            + (self.redirects.len() + self.kept.len()) * 24
            + self.by_key.len() * 24
    }
}

impl Sim {
    /// Node `node` asks for `bytes` of `req`'s body, under `tag`: its first hop goes on the wire now.
    pub(super) fn pull(&mut self, node: u32, req: u32, bytes: u32, tag: u32) {
        let generation = self.reqs.get(req).generation;
        let p = Pull {
            req,
            generation,
            node,
            hop: 0,
            bytes,
            tag,
        };
        let i = match self.bodies.free.pop() {
            Some(i) => {
                self.bodies.pulls[i as usize] = Some(p);
                i
            }
            None => {
                self.bodies.pulls.push(Some(p));
                (self.bodies.pulls.len() - 1) as u32
            }
        };
        self.body_hop(i);
    }

    /// Piece `i` is at the start of its next hop: send it over that link, or — past the last hop — hand it to
    /// the node that asked for it.
    pub(super) fn body_hop(&mut self, i: u32) {
        let Some(p) = self.bodies.pulls[i as usize] else {
            return;
        };
        let q = self.reqs.get(p.req);
        let path_len = self.reqs.depth(p.req);
        let gone = !q.live || q.generation != p.generation;
        if gone || p.hop >= path_len {
            self.bodies.pulls[i as usize] = None;
            self.bodies.free.push(i);
            if gone {
                return;
            }
            self.touch(p.node);
            let mut ctx = ctx!(self);
            self.nodes[p.node as usize].on_body(&mut ctx, p.req, p.tag, true);
            self.run_actions(p.node);
            self.set_levels(p.node);
            return;
        }
        let e = self.reqs.hop_at(p.req, p.hop as usize).edge;
        let edge = &self.graph.edges[e as usize];
        if edge.cut {
            // A cut link refuses the body: the node hears of it at once.
            self.bodies.pulls[i as usize] = None;
            self.bodies.free.push(i);
            self.touch(p.node);
            let mut ctx = ctx!(self);
            self.nodes[p.node as usize].on_body(&mut ctx, p.req, p.tag, false);
            self.run_actions(p.node);
            self.set_levels(p.node);
            return;
        }
        let lat = edge.delay(&mut self.rng);
        let sent = self.on_wire(e, wire::REQUESTS, p.bytes);
        if let Some(Some(p)) = self.bodies.pulls.get_mut(i as usize) {
            p.hop += 1;
        }
        self.schedule(sent.add(lat), Ev::Body { pull: i });
    }

    /// Node `node` answers `req` with a redirect to itself: the answer goes back (headers only) and the
    /// client follows it.
    pub(super) fn redirect(&mut self, node: u32, req: u32) {
        let generation = self.reqs.get(req).generation;
        if self.bodies.redirects.len() > 4096 {
            // Requests lost after their redirect leave entries behind: drop those of reused slots.
            let reqs = &self.reqs;
            self.bodies
                .redirects
                .retain(|&r, &mut (_, g)| reqs.get(r).live && reqs.get(r).generation == g);
        }
        self.bodies.redirects.insert(req, (node, generation));
        self.respond(node, req, Outcome::Ok, false);
    }

    /// Node `node` answers `req` successfully with a body of `bytes`.
    pub(super) fn reply(&mut self, node: u32, req: u32, bytes: u32) {
        let q = self.reqs.get_mut(req);
        q.resp = bytes;
        let (key, generation) = (q.key, q.generation);
        if self.bodies.kept.len() > 4096 {
            let reqs = &self.reqs;
            self.bodies
                .kept
                .retain(|&r, &mut g| reqs.get(r).live && reqs.get(r).generation == g);
        }
        self.bodies.kept.insert(req, generation);
        self.bodies.by_key.insert(key, bytes);
        self.respond(node, req, Outcome::Ok, false);
    }

    /// Whether `req`'s response carries a body a node set (servers on its way back keep it).
    pub(super) fn body_kept(&self, req: u32) -> bool {
        !self.bodies.kept.is_empty()
            && self
                .bodies
                .kept
                .get(&req)
                .is_some_and(|&g| g == self.reqs.get(req).generation)
    }

    /// A cache answers `req` from its copy: the copy carries the body its key's last `Reply` set.
    pub(super) fn cached_body(&mut self, req: u32) {
        if self.bodies.by_key.is_empty() {
            return;
        }
        let key = self.reqs.get(req).key;
        if let Some(&bytes) = self.bodies.by_key.get(&key) {
            let q = self.reqs.get_mut(req);
            q.resp = bytes;
            let generation = q.generation;
            self.bodies.kept.insert(req, generation);
        }
    }

    /// `req`'s response reached its client `node`: if a node redirected it, send it on there and return
    /// `true`; `false` when it ends here.
    pub(super) fn follow_redirect(&mut self, node: u32, req: u32, outcome: Outcome) -> bool {
        if self.bodies.redirects.is_empty() {
            return false;
        }
        let q = self.reqs.get(req);
        let Some((to, generation)) = self.bodies.redirects.remove(&req) else {
            return false;
        };
        if generation != q.generation || outcome != Outcome::Ok || q.state != ReqState::Live {
            return false;
        }
        let g = &self.graph;
        let (a, b) = (g.out_start[node as usize], g.out_start[node as usize + 1]);
        let port = (a..b).find(|&i| g.edges[g.out_edges[i as usize] as usize].to == to);
        match port {
            Some(i) => {
                self.reqs.get_mut(req).resp = 0;
                self.forward(node, req, i - a, NO_SLOT);
            }
            // Nowhere to follow it: the request fails at its client.
            None => self.resolve(req, Outcome::Error),
        }
        true
    }
}

/// Carries out the three body actions (called from `run_actions`).
pub(super) fn run(sim: &mut Sim, node: u32, a: Action) {
    match a {
        Action::Pull { req, bytes, tag } => sim.pull(node, req, bytes, tag),
        Action::Redirect { req } => sim.redirect(node, req),
        Action::Reply { req, bytes } => sim.reply(node, req, bytes),
        _ => {}
    }
}
