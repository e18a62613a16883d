//! Request exemplars: while switched on ([`Sim::keep_requests`]), every client request's whole tree is
//! recorded as it happens — each visit of the request, and of the branches, attempts and hedges made for it,
//! to a node — and when the client has its answer the tree is offered to its interval's picks: the few
//! slowest, and a few sampled by a hash of the request's id (the same ones whatever the timing). Picked trees
//! are kept for the last intervals, within a bound on the spans held. Switched off (the default), the engine
//! records nothing and each hook costs one test; recording draws no random number and changes no event, so
//! a run's report is the same either way.

use std::collections::VecDeque;
use std::sync::Arc;

use super::Sim;
use crate::components::load_balancer::mix64;
use crate::request::Outcome;
use crate::time::SimTime;
use crate::waterfall::{Pick, RequestTree, Role, Span};

/// The slowest requests kept per interval.
pub const SLOWEST_PER_INTERVAL: usize = 3;
/// The sampled ("typical") requests kept per interval.
pub const SAMPLED_PER_INTERVAL: usize = 3;
/// Intervals whose picks are kept.
pub const KEPT_INTERVALS: usize = 60;
/// Most spans held by the kept trees (older intervals go first past it).
pub const KEPT_SPANS: usize = 60_000;
/// Most spans recorded for one request (more are counted as truncated).
pub const SPANS_PER_REQUEST: usize = 5_000;
/// Most requests recorded at once: a request sent while this many are being recorded is not recorded (a
/// flood's queue of a million requests would otherwise hold a tree each); the choice depends only on the
/// order of events, so it is the same on every run.
pub const RECORDED_AT_ONCE: usize = 10_000;

const NONE: u32 = u32::MAX;

/// [`Exemplars::side`], borrowing only the side table (so the tree's buffer can be written beside it).
fn lookup<'a>(side: &'a mut [Side], bufs: &[Buf], req: u32, id: u64) -> Option<&'a mut Side> {
    let s = side.get_mut(req as usize)?;
    let b = bufs.get(s.tree as usize)?;
    (s.id == id && b.live && b.generation == s.generation).then_some(s)
}

/// What the recorder knows of one slab slot's request: which tree it belongs to, the visit that made it, and
/// its open visits (a stack, as its path is).
#[derive(Default)]
struct Side {
    /// the id of the request this entry describes (a slot reused by another request no longer matches)
    id: u64,
    tree: u32,
    generation: u32,
    /// the visit it was sent from (`NONE`: the client's own call)
    origin: u32,
    role: Option<Role>,
    stack: Vec<u32>,
}

/// A tree being recorded.
#[derive(Default)]
struct Buf {
    generation: u32,
    live: bool,
    id: u64,
    client: u32,
    start: SimTime,
    spans: Vec<Span>,
    truncated: bool,
}

/// One interval's picks so far.
#[derive(Default)]
struct Picks {
    index: u64,
    /// slowest first
    slowest: Vec<Arc<RequestTree>>,
    /// by hash, smallest first
    sampled: Vec<(u64, Arc<RequestTree>)>,
}

/// The recorder.
#[derive(Default)]
pub(super) struct Exemplars {
    pub(super) on: bool,
    interval: u64,
    side: Vec<Side>,
    bufs: Vec<Buf>,
    free: Vec<u32>,
    picks: Picks,
    /// the picked trees of each past interval, oldest first
    kept: VecDeque<Vec<Arc<RequestTree>>>,
    kept_spans: usize,
}

impl Exemplars {
    /// A recorder (off) whose intervals are `interval` long (the series interval, or 1 s without one).
    pub(super) fn new(interval: SimTime) -> Exemplars {
        Exemplars {
            interval: if interval.0 > 0 {
                interval.0
            } else {
                SimTime::from_secs(1.0).0
            },
            ..Exemplars::default()
        }
    }

    /// The tree and open visits of slot `req` holding request `id`, if it is recorded and its tree still is.
    fn side(&mut self, req: u32, id: u64) -> Option<&mut Side> {
        lookup(&mut self.side, &self.bufs, req, id)
    }

    fn side_slot(&mut self, req: u32) -> &mut Side {
        let i = req as usize;
        if self.side.len() <= i {
            self.side.resize_with(i + 1, Side::default);
        }
        &mut self.side[i]
    }

    /// Offers a finished tree to its interval's picks; rolls past intervals into the kept list.
    fn offer(&mut self, b: &mut Buf, end: SimTime, outcome: Outcome) {
        let index = end.0 / self.interval;
        if index != self.picks.index {
            self.roll(index);
        }
        let latency = end.since(b.start).0;
        let p = &self.picks;
        let slow = p.slowest.len() < SLOWEST_PER_INTERVAL
            || p.slowest.last().is_some_and(|t| latency > t.latency());
        let hash = mix64(b.id);
        let sampled = p.sampled.len() < SAMPLED_PER_INTERVAL
            || p.sampled.last().is_some_and(|(h, _)| hash < *h);
        if !slow && !sampled {
            return;
        }
        let mut tree = RequestTree {
            id: b.id,
            client: b.client,
            start: b.start,
            end,
            outcome,
            spans: std::mem::take(&mut b.spans),
            truncated: b.truncated,
            pick: if slow { Pick::Slowest } else { Pick::Typical },
        };
        tree.mark_critical();
        let tree = Arc::new(tree);
        let p = &mut self.picks;
        if slow {
            let at = p.slowest.partition_point(|t| t.latency() >= latency);
            p.slowest.insert(at, Arc::clone(&tree));
            if p.slowest.len() > SLOWEST_PER_INTERVAL
                && let Some(out) = p.slowest.pop()
            {
                // No longer among the slowest: if it stays as a sampled one, it is a typical one.
                let id = out.id;
                drop(out);
                if let Some((_, t)) = p.sampled.iter_mut().find(|(_, t)| t.id == id) {
                    Arc::make_mut(t).pick = Pick::Typical;
                }
            }
        }
        if sampled {
            let at = p.sampled.partition_point(|(h, _)| *h < hash);
            p.sampled.insert(at, (hash, tree));
            p.sampled.truncate(SAMPLED_PER_INTERVAL);
        }
    }

    /// Closes the current interval: its picks join the kept trees (the oldest leave past the bounds).
    fn roll(&mut self, index: u64) {
        let p = std::mem::take(&mut self.picks);
        self.picks.index = index;
        let mut trees: Vec<Arc<RequestTree>> = p.slowest;
        for (_, t) in p.sampled {
            if !trees.iter().any(|k| k.id == t.id) {
                trees.push(t);
            }
        }
        if trees.is_empty() {
            return;
        }
        trees.sort_by_key(|t| (t.end, t.id));
        self.kept_spans += trees.iter().map(|t| t.spans.len()).sum::<usize>();
        self.kept.push_back(trees);
        while self.kept.len() > KEPT_INTERVALS || self.kept_spans > KEPT_SPANS {
            let Some(old) = self.kept.pop_front() else {
                break;
            };
            self.kept_spans -= old.iter().map(|t| t.spans.len()).sum::<usize>();
        }
    }

    /// Bytes held: the trees being recorded (their span buffers, kept for reuse) and the kept ones.
    pub(super) fn bytes(&self) -> usize {
        let span = std::mem::size_of::<Span>();
        let recording: usize = self.bufs.iter().map(|b| b.spans.capacity() * span).sum();
        let side: usize = self
            .side
            .iter()
            .map(|s| std::mem::size_of::<Side>() + s.stack.capacity() * 4)
            .sum();
        let picks = self
            .picks
            .slowest
            .iter()
            .chain(self.picks.sampled.iter().map(|(_, t)| t));
        let picked: usize = picks.map(|t| t.spans.len() * span).sum();
        recording + side + picked + self.kept_spans * span
    }

    /// Every kept tree — the last [`KEPT_INTERVALS`] intervals' picks and the current interval's so far — by
    /// end time.
    pub(super) fn trees(&self) -> Vec<Arc<RequestTree>> {
        let mut out: Vec<Arc<RequestTree>> = self.kept.iter().flatten().cloned().collect();
        let p = &self.picks;
        for t in p.slowest.iter().chain(p.sampled.iter().map(|(_, t)| t)) {
            if !out.iter().any(|k| k.id == t.id) {
                out.push(Arc::clone(t));
            }
        }
        out.sort_by_key(|t| (t.end, t.id));
        out
    }
}

impl Sim {
    /// Starts (or stops) keeping request exemplars: from now on every client request's tree is recorded and
    /// a few slowest and a few sampled ones per series interval are kept (see [`Sim::request_trees`]). It
    /// changes no number of the run.
    pub fn keep_requests(&mut self, on: bool) {
        self.exemplars.on = on;
    }

    /// The kept request trees (exemplars), by the time they ended: each interval's few slowest and few
    /// sampled requests, for the last intervals.
    pub fn request_trees(&self) -> Vec<Arc<RequestTree>> {
        self.exemplars.trees()
    }

    /// The slowest kept request that ended after `since`, if any.
    pub fn slowest_since(&self, since: SimTime) -> Option<Arc<RequestTree>> {
        self.exemplars
            .trees()
            .into_iter()
            .filter(|t| t.end > since)
            .max_by_key(|t| (t.latency(), std::cmp::Reverse(t.id)))
    }

    // ---------------------------------------------------------------- hooks (each a test when off)

    /// Client request `r` was just sent: a new tree.
    #[inline(always)]
    pub(super) fn span_root(&mut self, r: u32) {
        if self.exemplars.on {
            self.record_root(r);
        }
    }

    #[inline(never)]
    fn record_root(&mut self, r: u32) {
        if self.exemplars.free.is_empty() && self.exemplars.bufs.len() >= RECORDED_AT_ONCE {
            // Not recorded: no side entry matches its id, so every later hook for it is a no-op.
            return;
        }
        let q = self.reqs.get(r);
        let (id, client, start) = (q.id, q.client, q.start);
        let x = &mut self.exemplars;
        let t = match x.free.pop() {
            Some(t) => t,
            None => {
                x.bufs.push(Buf::default());
                (x.bufs.len() - 1) as u32
            }
        };
        let b = &mut x.bufs[t as usize];
        b.generation = b.generation.wrapping_add(1);
        b.live = true;
        b.id = id;
        b.client = client;
        b.start = start;
        b.spans.clear();
        b.truncated = false;
        let generation = b.generation;
        let s = x.side_slot(r);
        s.id = id;
        s.tree = t;
        s.generation = generation;
        s.origin = NONE;
        s.role = None;
        s.stack.clear();
    }

    /// `child` was made for `parent` (a branch, an attempt, a hedge) at the node `parent` is visiting.
    #[inline(always)]
    pub(super) fn span_child(&mut self, child: u32, parent: u32, role: Role) {
        if self.exemplars.on {
            self.record_child(child, parent, role);
        }
    }

    #[inline(never)]
    fn record_child(&mut self, child: u32, parent: u32, role: Role) {
        let pid = self.reqs.get(parent).id;
        let cid = self.reqs.get(child).id;
        let x = &mut self.exemplars;
        let Some(p) = x.side(parent, pid) else {
            return;
        };
        let (tree, generation) = (p.tree, p.generation);
        let origin = p.stack.last().copied().unwrap_or(p.origin);
        let s = x.side_slot(child);
        s.id = cid;
        s.tree = tree;
        s.generation = generation;
        s.origin = origin;
        s.role = Some(role);
        s.stack.clear();
    }

    /// `req` left `from` for `to` at now, arriving at `arrive` (`None`: lost on the way; `refused`: failed at
    /// once, a cut link or the hop limit).
    #[inline(always)]
    pub(super) fn span_sent(
        &mut self,
        req: u32,
        from: u32,
        to: u32,
        arrive: Option<SimTime>,
        refused: bool,
    ) {
        if self.exemplars.on {
            self.record_sent(req, from, to, arrive, refused);
        }
    }

    #[inline(never)]
    fn record_sent(
        &mut self,
        req: u32,
        from: u32,
        to: u32,
        arrive: Option<SimTime>,
        refused: bool,
    ) {
        let now = self.queue.now;
        let id = self.reqs.get(req).id;
        let x = &mut self.exemplars;
        let Some(s) = lookup(&mut x.side, &x.bufs, req, id) else {
            return;
        };
        let parent = s.stack.last().copied().unwrap_or(s.origin);
        // The first visit of a copy says what the copy is; the visits it goes on to are the request's own.
        let role = s.role.take().unwrap_or(Role::Request);
        let b = &mut x.bufs[s.tree as usize];
        if b.spans.len() >= SPANS_PER_REQUEST {
            b.truncated = true;
            return;
        }
        let i = b.spans.len() as u32;
        b.spans.push(Span {
            node: to,
            from,
            parent: (parent != NONE).then_some(parent),
            request: id,
            role,
            sent: now,
            arrived: arrive,
            service: None,
            left: None,
            back: refused.then_some(now),
            outcome: refused.then_some(Outcome::Error),
            cancelled: false,
            critical: false,
        });
        if arrive.is_some() {
            s.stack.push(i);
        }
    }

    /// Node `node` started serving the request in its worker `slot` now, until `end`.
    #[inline(always)]
    pub(super) fn span_service(&mut self, node: u32, slot: u32, end: SimTime) {
        if self.exemplars.on {
            self.record_service(node, slot, end);
        }
    }

    #[inline(never)]
    fn record_service(&mut self, node: u32, slot: u32, end: SimTime) {
        let Some(req) = self.nodes[node as usize].job_in(slot) else {
            return;
        };
        let now = self.queue.now;
        let id = self.reqs.get(req).id;
        let x = &mut self.exemplars;
        let Some(s) = lookup(&mut x.side, &x.bufs, req, id) else {
            return;
        };
        let Some(&i) = s.stack.last() else {
            return;
        };
        if let Some(sp) = x.bufs[s.tree as usize].spans.get_mut(i as usize)
            && sp.node == node
        {
            sp.service = Some((now, end));
        }
    }

    /// `req`'s response left `node` now with `outcome`, back at its sender at `back` (`None`: lost).
    #[inline(always)]
    pub(super) fn span_left(
        &mut self,
        req: u32,
        node: u32,
        back: Option<SimTime>,
        outcome: Outcome,
    ) {
        if self.exemplars.on {
            self.record_left(req, node, back, outcome);
        }
    }

    #[inline(never)]
    fn record_left(&mut self, req: u32, node: u32, back: Option<SimTime>, outcome: Outcome) {
        let now = self.queue.now;
        let id = self.reqs.get(req).id;
        let x = &mut self.exemplars;
        let Some(s) = lookup(&mut x.side, &x.bufs, req, id) else {
            return;
        };
        let Some(&i) = s.stack.last() else {
            return;
        };
        let Some(sp) = x.bufs[s.tree as usize].spans.get_mut(i as usize) else {
            return;
        };
        if sp.node != node {
            return;
        }
        sp.left = Some(now);
        sp.back = back;
        sp.outcome = Some(outcome);
        s.stack.pop();
    }

    /// `req`, a losing copy of a tied hedge, was removed from its node's queue.
    pub(super) fn span_cancelled(&mut self, req: u32) {
        if !self.exemplars.on {
            return;
        }
        let id = self.reqs.get(req).id;
        let x = &mut self.exemplars;
        let Some(s) = lookup(&mut x.side, &x.bufs, req, id) else {
            return;
        };
        if let Some(&i) = s.stack.last()
            && let Some(sp) = x.bufs[s.tree as usize].spans.get_mut(i as usize)
        {
            sp.cancelled = true;
        }
    }

    /// Client request `req` ended for its client now with `outcome`: its tree is offered to the picks.
    #[inline(always)]
    pub(super) fn span_end(&mut self, req: u32, outcome: Outcome) {
        if self.exemplars.on {
            self.record_end(req, outcome);
        }
    }

    #[inline(never)]
    fn record_end(&mut self, req: u32, outcome: Outcome) {
        let now = self.queue.now;
        let id = self.reqs.get(req).id;
        let x = &mut self.exemplars;
        let Some(s) = x.side(req, id) else {
            return;
        };
        let t = s.tree;
        let mut b = std::mem::take(&mut x.bufs[t as usize]);
        if b.id == id {
            x.offer(&mut b, now, outcome);
        }
        b.live = false;
        b.spans.clear();
        x.bufs[t as usize] = b;
        x.free.push(t);
    }
}
