//! Parallel call plans. A node's `Action::Scatter` sends copies of a request over all its ports at once —
//! each copy a request of its own, a *branch*, with the parent's key, deadline and logical id — while the
//! parent waits at the node. The plan ends when enough branches have answered successfully (all of them for
//! `parallel`, k for `first_k`), fails as soon as too many have failed to get there, or — with a `partial`
//! deadline — ends at that deadline with what arrived. Its end reaches the node as one response to the parent
//! (`Component::on_response` with the slot it scattered with), so a plan looks to the node like one call.
//!
//! ```text
//!             ┌─ branch ──> leaf 1 ─┐
//!   parent ── node ─ branch ──> leaf 2 ─┼──> plan ends ──> node.on_response(parent)
//!   (waits)   └─ branch ──> leaf n ─┘   (branches still out go on, and are freed when they come back)
//! ```
//!
//! A branch's first hop carries `BRANCH_SLOT` and, where other hops keep the caller's arrival time, its group
//! and the group's round; a branch whose group has ended (or moved on to another plan) is an orphan, freed
//! when it returns. A branch lost on a link fails at once (nobody else would time it out).

use hdrhistogram::Histogram;

use super::{Ev, Sim};
use crate::components::interface::Plan;
use crate::metrics::HIST_MAX_NS;
use crate::request::{Hop, NO_CALL, Outcome};
use crate::time::SimTime;

/// Marks a branch's first hop: its caller holds the plan's parent, not the branch.
pub(super) const BRANCH_SLOT: u32 = u32::MAX - 2;

/// One plan in progress: the parent waiting at `node` and its branches' answers so far.
#[derive(Clone, Copy, Debug)]
pub(super) struct Group {
    parent: u32,
    node: u32,
    /// branches not yet answered
    out: u32,
    ok: u32,
    failed: u32,
    /// successful answers that end the plan
    need: u32,
    total: u32,
    /// ends at a deadline with what arrived, rather than failing at the first failure
    partial: bool,
    last_fail: Outcome,
    started: SimTime,
    /// the answer that ended the plan: its time on links (the parent's critical path), version and cache hit
    net: u64,
    version: u64,
    cache_hit: bool,
    /// bumped when the group ends, so its orphans and stale deadlines are recognised
    round: u32,
    live: bool,
    /// started inside the measurement window
    counted: bool,
}

/// What a node's plans measured (over the measurement window).
pub(super) struct PlanMeter {
    pub(super) plans: u64,
    pub(super) failed: u64,
    pub(super) partial: u64,
    /// branch answers the partial plans went without
    pub(super) missing: u64,
    pub(super) branches: u64,
    pub(super) wait_sum_ns: u128,
    /// from the calls leaving to the plan's end, plans that ended successfully
    pub(super) wait: Histogram<u32>,
    /// one branch's latency, send to successful answer (every branch, those that outlived their plan too)
    pub(super) call: Histogram<u32>,
}

impl PlanMeter {
    fn new() -> PlanMeter {
        let h = || {
            Histogram::new_with_bounds(1, HIST_MAX_NS, 2)
                .expect("static histogram bounds are valid")
        };
        PlanMeter {
            plans: 0,
            failed: 0,
            partial: 0,
            missing: 0,
            branches: 0,
            wait_sum_ns: 0,
            wait: h(),
            call: h(),
        }
    }
}

/// The plans in progress, by index (free slots reused), and each node's plan.
#[derive(Default)]
pub(super) struct Groups {
    list: Vec<Group>,
    free: Vec<u32>,
    /// per node: its plan (read once, at build)
    pub(super) plans: Vec<Option<Plan>>,
    /// per node with a plan: what its plans measured
    pub(super) meters: Vec<Option<Box<PlanMeter>>>,
}

impl Groups {
    /// The runtime for nodes whose plans are `plans`.
    pub(super) fn new(plans: Vec<Option<Plan>>) -> Groups {
        let meters = plans
            .iter()
            .map(|p| p.map(|_| Box::new(PlanMeter::new())))
            .collect();
        Groups {
            list: Vec::new(),
            free: Vec::new(),
            plans,
            meters,
        }
    }
}

/// A branch's group and round, as its first hop carries them.
fn tag(group: u32, round: u32) -> SimTime {
    SimTime((u64::from(group) << 32) | u64::from(round))
}

fn untag(t: SimTime) -> (u32, u32) {
    ((t.0 >> 32) as u32, t.0 as u32)
}

impl Sim {
    /// Node `node` sends copies of `req` over all its ports, as its plan says; `slot` comes back with the
    /// plan's end.
    pub(super) fn scatter(&mut self, node: u32, req: u32, slot: u32) {
        let now = self.queue.now;
        let n = node as usize;
        let ports = self.graph.out_start[n + 1] - self.graph.out_start[n];
        let Some(plan) = self.groups.plans[n].filter(|_| ports > 0) else {
            // Nothing to call (a half-built diagram): the request fails, as a forward over no edge does.
            self.respond(node, req, Outcome::Error, true);
            return;
        };
        let total = ports * plan.copies;
        let first_edge = self.graph.out_edges[self.graph.out_start[n] as usize];
        let q = self.reqs.get(req);
        let (here, hops) = (q.here, q.hops);
        // The parent's hop for the plan: what its end is delivered over (to the node, with `slot`).
        self.reqs.push_hop(
            req,
            Hop {
                edge: first_edge,
                slot,
                here,
                hops,
            },
        );
        let counted = self.meters.window.contains(now);
        let g = match self.groups.free.pop() {
            Some(g) => g,
            None => {
                self.groups.list.push(Group {
                    parent: 0,
                    node: 0,
                    out: 0,
                    ok: 0,
                    failed: 0,
                    need: 0,
                    total: 0,
                    partial: false,
                    last_fail: Outcome::Error,
                    started: SimTime::ZERO,
                    net: 0,
                    version: 0,
                    cache_hit: false,
                    round: 0,
                    live: false,
                    counted: false,
                });
                u32::try_from(self.groups.list.len() - 1)
                    .expect("fewer than 4 billion plans at once")
            }
        };
        let grp = &mut self.groups.list[g as usize];
        let round = grp.round;
        *grp = Group {
            parent: req,
            node,
            out: total,
            ok: 0,
            failed: 0,
            need: plan.need.min(total),
            total,
            partial: plan.partial.is_some(),
            last_fail: Outcome::Error,
            started: now,
            net: 0,
            version: 0,
            cache_hit: false,
            round,
            live: true,
            counted,
        };
        if counted && let Some(m) = self.groups.meters[n].as_deref_mut() {
            m.branches += u64::from(total);
        }
        self.screen_call(node, req, u64::from(total));
        for port in 0..ports {
            for _ in 0..plan.copies {
                self.send_branch(node, req, port, tag(g, round));
            }
        }
        if let Some(d) = plan.partial {
            self.schedule(now.add(d), Ev::PlanDeadline { group: g, round });
        }
    }

    /// Sends one branch of `parent`'s plan over `node`'s `port`.
    fn send_branch(&mut self, node: u32, parent: u32, port: u32, tag: SimTime) {
        let e = self.graph.out_edges[(self.graph.out_start[node as usize] + port) as usize];
        let deadline = self.reqs.get(parent).deadline;
        let first_hop = Hop {
            edge: e,
            slot: BRANCH_SLOT,
            here: tag,
            hops: 0,
        };
        let b = self.child_request(
            parent,
            deadline,
            0,
            NO_CALL,
            first_hop,
            crate::waterfall::Role::Branch,
        );
        if self.graph.edges[e as usize].policy.is_some() {
            self.start_call(b, e);
        } else {
            self.transmit(node, b, e);
        }
    }

    /// Branch `b`'s response is back at the node that scattered it (`hop`, its first hop, already popped).
    pub(super) fn branch_returned(&mut self, b: u32, hop: Hop) {
        let now = self.queue.now;
        let q = self.reqs.get(b);
        let version = self.reqs.cold(b).version;
        let (outcome, net, cache_hit, start) = (q.outcome, q.net, q.cache_hit, q.start);
        self.reqs.free(b);
        let node = self.graph.edges[hop.edge as usize].from as usize;
        if outcome == Outcome::Ok
            && self.meters.window.contains(start)
            && let Some(m) = self.groups.meters[node].as_deref_mut()
        {
            m.call.saturating_record(now.since(start).0.max(1));
        }
        let (g, round) = untag(hop.here);
        self.branch_answered(g, round, outcome, net, version, cache_hit);
    }

    /// A link lost branch `b` (its response or itself): it fails at once, in an event of its own (this runs
    /// inside the sender's actions).
    pub(super) fn branch_lost(&mut self, b: u32) {
        let first = self
            .reqs
            .first_hop(b)
            .expect("a branch's first hop is on its path");
        let (group, round) = untag(first.here);
        self.unwind(b);
        self.schedule(self.queue.now, Ev::BranchFailed { group, round });
    }

    /// Whether `req` is a branch of a plan that its client still waits for (not an attempt of a call).
    pub(super) fn is_branch(&self, req: u32) -> bool {
        self.reqs.cold(req).call == NO_CALL
            && self
                .reqs
                .first_hop(req)
                .is_some_and(|h| h.slot == BRANCH_SLOT)
    }

    /// One branch of group `g` (of round `round`) answered with `outcome`.
    pub(super) fn branch_answered(
        &mut self,
        g: u32,
        round: u32,
        outcome: Outcome,
        net: u64,
        version: u64,
        cache_hit: bool,
    ) {
        let Some(grp) = self.groups.list.get_mut(g as usize) else {
            return;
        };
        if !grp.live || grp.round != round {
            return; // an orphan: its plan has ended
        }
        grp.out -= 1;
        let end = if outcome == Outcome::Ok {
            grp.ok += 1;
            grp.net = net;
            grp.version = version;
            grp.cache_hit = cache_hit;
            (grp.ok >= grp.need).then_some(Outcome::Ok)
        } else {
            grp.failed += 1;
            grp.last_fail = outcome;
            (!grp.partial && grp.failed > grp.total - grp.need).then_some(outcome)
        };
        // A partial plan whose every branch has answered ends now, successful when one was.
        let end = end.or_else(|| {
            (grp.out == 0).then_some(if grp.ok > 0 {
                Outcome::Ok
            } else {
                grp.last_fail
            })
        });
        if let Some(outcome) = end {
            self.end_plan(g, outcome);
        }
    }

    /// Group `g`'s partial deadline passed: the plan ends with what arrived (nothing: timed out).
    pub(super) fn on_plan_deadline(&mut self, g: u32, round: u32) {
        let grp = &self.groups.list[g as usize];
        if grp.live && grp.round == round {
            let outcome = if grp.ok > 0 {
                Outcome::Ok
            } else {
                Outcome::TimedOut
            };
            self.end_plan(g, outcome);
        }
    }

    /// Ends group `g` with `outcome`: the parent's response reaches the node; branches still out are orphans.
    fn end_plan(&mut self, g: u32, outcome: Outcome) {
        let now = self.queue.now;
        let grp = self.groups.list[g as usize];
        let slot = &mut self.groups.list[g as usize];
        slot.live = false;
        slot.round = slot.round.wrapping_add(1);
        self.groups.free.push(g);
        if grp.counted
            && let Some(m) = self.groups.meters[grp.node as usize].as_deref_mut()
        {
            m.plans += 1;
            if outcome == Outcome::Ok {
                let wait = now.since(grp.started).0;
                m.wait_sum_ns += u128::from(wait);
                m.wait.saturating_record(wait.max(1));
                if grp.ok < grp.need {
                    m.partial += 1;
                    m.missing += u64::from(grp.total - grp.ok);
                }
            } else {
                m.failed += 1;
            }
        }
        let q = self.reqs.get_mut(grp.parent);
        q.outcome = outcome;
        if outcome == Outcome::Ok {
            q.net += grp.net;
            q.cache_hit = grp.cache_hit;
            self.reqs.set_version(grp.parent, grp.version);
        }
        let hop = self
            .reqs
            .pop_hop(grp.parent)
            .expect("the parent's hop for its plan");
        self.deliver(grp.parent, hop);
    }
}
