//! The call layer. A request forwarded over an edge with a policy does not travel itself: it waits at the
//! caller (its hop over the edge on its path) while attempts — requests of their own, copies of it with the
//! same logical id — go out one after another. An attempt's first hop is marked `CALL_SLOT`. An attempt that
//! outlives its timeout is orphaned: it goes on downstream (the work is not cancelled) and is freed when its
//! response comes back. Failures retry after a backoff while the policy, its budget and the parent's deadline
//! allow; a breaker that refuses an attempt fails the call at once.
//!
//! Hedging: on an edge with a hedge, an attempt that has not answered after the hedge's delay gets a second
//! copy (no breaker permit of its own, the same deadline); the first successful answer of the two ends the
//! attempt, a failure waits for the other copy, and the copy still out is orphaned — or, tied, removed from
//! the queue it waits in. Every copy that answers (the orphans too) teaches the edge its latency.

use super::{Ev, Sim, ctx};
use crate::ids::EdgeIdx;
use crate::request::{Hop, NO_CALL, Outcome, ReqState};
use crate::resilience::hedge::HedgeRt;
use crate::resilience::{Breaker, Budget, Permit, RetryPolicy, RetryState};
use crate::time::SimTime;
use crate::trace::HopOutcome;
use crate::validate::CallPolicy;
use crate::waterfall::Role;

/// Marks the first hop of a call's attempt: it starts at the caller, which holds the call's parent request
/// (the caller's own hop for the parent sits on the parent's path).
pub(super) const CALL_SLOT: u32 = u32::MAX - 1;

/// Marks a call with no attempt out (backing off, or refused).
const NO_ATTEMPT: u32 = u32::MAX;

/// A caller's policy for one edge, in force: its budget, its breaker and what they counted.
pub(super) struct PolicyRt {
    pub(super) timeout: Option<SimTime>,
    pub(super) retry: Option<RetryPolicy>,
    pub(super) budget: Option<Budget>,
    pub(super) breaker: Option<Breaker>,
    pub(super) hedge: Option<Box<HedgeRt>>,
    pub(super) counts: CallCounts,
}

/// What a call edge counted over the measurement window.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct CallCounts {
    pub(super) calls: u64,
    pub(super) attempts: u64,
    pub(super) timeouts: u64,
    pub(super) failed: u64,
    pub(super) short_circuited: u64,
    pub(super) budget_refused: u64,
    /// second copies sent
    pub(super) hedges: u64,
    /// calls a second copy answered first
    pub(super) hedge_wins: u64,
    /// losing copies removed from a queue (tied)
    pub(super) hedge_cancelled: u64,
}

/// One call over an edge with a policy: the parent request waits at the caller while attempts (requests of
/// their own, copies of the parent) go out one after another.
#[derive(Clone, Copy, Debug)]
pub(super) struct Call {
    /// the request waiting at the caller
    pub(super) parent: u32,
    pub(super) edge: u32,
    /// the attempt out, or `NO_ATTEMPT`
    pub(super) child: u32,
    /// the attempt's second copy out (a hedge), or `NO_ATTEMPT`
    pub(super) hedge: u32,
    /// when the call started (its latency as the caller waits it)
    pub(super) started: SimTime,
    /// attempts made so far
    pub(super) attempts: u32,
    pub(super) permit: Option<Permit>,
    /// when the attempt out was sent
    pub(super) sent: SimTime,
    pub(super) retry: RetryState,
    /// bumped when the slot is reused, so stale timers are recognised
    pub(super) round: u32,
    pub(super) live: bool,
    /// whether it started inside the measurement window (its counts go to the report)
    pub(super) counted: bool,
}

impl PolicyRt {
    pub(super) fn new(p: &CallPolicy) -> PolicyRt {
        PolicyRt {
            timeout: p.timeout,
            retry: p.retry.clone(),
            budget: p
                .retry
                .as_ref()
                .and_then(|r| r.budget.as_ref())
                .map(Budget::new),
            breaker: p.breaker.as_ref().map(Breaker::new),
            hedge: p.hedge.as_ref().map(|h| Box::new(HedgeRt::new(h))),
            counts: CallCounts::default(),
        }
    }
}

impl Sim {
    // ---------------------------------------------------------------- call layer
    //
    // A request forwarded over an edge with a policy does not travel itself: it waits at the caller (its hop
    // over the edge on its path) while attempts — requests of their own, copies of it with the same logical
    // id — go out one after another. An attempt's first hop is marked `CALL_SLOT`. An attempt that outlives
    // its timeout is orphaned: it goes on downstream (the work is not cancelled) and is freed when its
    // response comes back. Failures retry after a backoff while the policy, its budget and the parent's
    // deadline allow; a breaker that refuses an attempt fails the call at once.

    /// Whether call `c` is still the one of generation `round`.
    pub(super) fn call_is(&self, c: u32, round: u32) -> bool {
        let call = &self.calls.list[c as usize];
        call.live && call.round == round
    }

    pub(super) fn policy_mut(&mut self, e: u32) -> &mut PolicyRt {
        self.graph.edges[e as usize]
            .policy
            .as_deref_mut()
            .expect("a call's edge has a policy")
    }

    /// `parent`, whose hop over edge `e` is on its path, starts a call over `e`.
    pub(super) fn start_call(&mut self, parent: u32, e: u32) {
        let counted = self.meters.window.contains(self.queue.now);
        let c = match self.calls.free.pop() {
            Some(c) => c,
            None => {
                self.calls.list.push(Call {
                    parent: 0,
                    edge: 0,
                    child: NO_ATTEMPT,
                    hedge: NO_ATTEMPT,
                    started: SimTime::ZERO,
                    attempts: 0,
                    permit: None,
                    sent: SimTime::ZERO,
                    retry: RetryState::default(),
                    round: 0,
                    live: false,
                    counted: false,
                });
                u32::try_from(self.calls.list.len() - 1)
                    .expect("fewer than 4 billion calls at once")
            }
        };
        let call = &mut self.calls.list[c as usize];
        call.parent = parent;
        call.edge = e;
        call.child = NO_ATTEMPT;
        call.hedge = NO_ATTEMPT;
        call.started = self.queue.now;
        call.attempts = 0;
        call.permit = None;
        call.retry = RetryState::default();
        call.live = true;
        call.counted = counted;
        let pol = self.policy_mut(e);
        pol.counts.calls += u64::from(counted);
        if let Some(b) = &mut pol.budget {
            b.on_first_attempt();
        }
        self.send_attempt(c);
    }

    /// Sends call `c`'s next attempt, if its breaker lets it.
    pub(super) fn send_attempt(&mut self, c: u32) {
        let now = self.queue.now;
        let Call {
            parent,
            edge: e,
            counted,
            round,
            ..
        } = self.calls.list[c as usize];
        if self.calls.list[c as usize].attempts > 0 && now >= self.reqs.get(parent).deadline {
            // The backoff outlasted the parent's deadline: nobody waits for this call any more.
            self.finish_call(c, Outcome::TimedOut);
            return;
        }
        let pol = self.policy_mut(e);
        let mut permit = None;
        let mut changed = None;
        if let Some(b) = &mut pol.breaker {
            let before = b.state();
            permit = b.try_acquire(now);
            if b.state() != before {
                changed = Some(b.state());
            }
            if permit.is_none() {
                pol.counts.short_circuited += u64::from(counted);
            }
        }
        let refused = pol.breaker.is_some() && permit.is_none();
        let timeout = pol.timeout;
        if !refused {
            pol.counts.attempts += u64::from(counted);
        }
        if let Some(state) = changed {
            self.meters.trace.push_change(EdgeIdx(e), now, state);
        }
        if refused {
            self.schedule(now, Ev::CallRefused { call: c, round });
            return;
        }
        let call = &mut self.calls.list[c as usize];
        call.attempts += 1;
        call.permit = permit;
        call.sent = now;
        let attempt = call.attempts;
        let p = self.reqs.get(parent);
        let deadline = match timeout {
            Some(t) => p.deadline.min(now.add(t)),
            None => p.deadline,
        };
        let child = self.new_copy(c, deadline, attempt, Role::Attempt(attempt.min(255) as u8));
        self.calls.list[c as usize].child = child;
        if let Some(t) = timeout {
            self.schedule(
                now.add(t),
                Ev::CallTimeout {
                    call: c,
                    round,
                    attempt,
                },
            );
        }
        if let Some(d) = self.policy_mut(e).hedge.as_ref().and_then(|h| h.delay()) {
            self.schedule(
                now.add(d),
                Ev::Hedge {
                    call: c,
                    round,
                    attempt,
                },
            );
        }
        let from = self.graph.edges[e as usize].from;
        self.transmit(from, child, e);
    }

    /// A copy of call `c`'s parent for attempt number `attempt` (its first or second copy), whose caller
    /// stops waiting at `deadline`: a request of its own with the parent's logical id.
    fn new_copy(&mut self, c: u32, deadline: SimTime, attempt: u32, role: Role) -> u32 {
        let Call {
            parent, edge: e, ..
        } = self.calls.list[c as usize];
        let first_hop = Hop {
            edge: e,
            slot: CALL_SLOT,
            here: self.queue.now,
            hops: 0,
        };
        let attempt = (attempt - 1).min(255) as u8;
        self.child_request(parent, deadline, attempt, c, first_hop, role)
    }

    /// A request made for `parent` — a call's copy or a plan's branch — started now: the parent's key, client,
    /// address, size, operation, hop count and flags, its own id, `deadline`, `attempt` and `call`, and
    /// `first_hop` on its path (the edge it leaves by, and how its answer finds its way back); recorded as
    /// `parent`'s child in the waterfall.
    pub(super) fn child_request(
        &mut self,
        parent: u32,
        deadline: SimTime,
        attempt: u8,
        call: u32,
        first_hop: Hop,
        role: Role,
    ) -> u32 {
        let now = self.queue.now;
        let p = self.reqs.get(parent);
        let (key, client, addr, size, op, hops, internal) =
            (p.key, p.client, p.addr, p.size, p.op, p.hops, p.internal);
        let idem = self.reqs.idem(parent);
        let pc = *self.reqs.cold(parent);
        let child = self.reqs.alloc();
        let q = self.reqs.get_mut(child);
        q.id = self.next_id;
        q.start = now;
        q.deadline = deadline;
        q.here = now;
        q.key = key;
        q.client = client;
        q.addr = addr;
        q.size = size;
        q.resp = 0;
        q.op = op;
        q.attempt = attempt;
        q.hops = hops;
        q.measured = false;
        q.state = ReqState::Live;
        q.outcome = Outcome::Ok;
        q.internal = internal;
        q.net = 0;
        let r = &mut self.reqs;
        r.set_idem(child, idem);
        r.set_call(child, call);
        r.set_body(child, pc.body);
        r.set_api_key(child, pc.api_key);
        r.set_route(child, pc.route);
        r.set_malicious(child, pc.malicious);
        r.set_validator(child, pc.validator);
        r.set_via(child, pc.via);
        // The child's first hop holds the hops its parent had, as a forward's does.
        r.push_hop(child, Hop { hops, ..first_hop });
        self.next_id += 1;
        self.span_child(child, parent, role);
        child
    }

    /// Call `c`'s attempt `attempt` has waited its hedge delay: if it is still out with no second copy, one
    /// goes now.
    pub(super) fn on_hedge(&mut self, c: u32, round: u32, attempt: u32) {
        let now = self.queue.now;
        let call = self.calls.list[c as usize];
        if !self.call_is(c, round)
            || call.attempts != attempt
            || call.child == NO_ATTEMPT
            || call.hedge != NO_ATTEMPT
            || now >= self.reqs.get(call.parent).deadline
        {
            return;
        }
        let deadline = self.reqs.get(call.child).deadline;
        let copy = self.new_copy(c, deadline, attempt, Role::Hedge);
        self.calls.list[c as usize].hedge = copy;
        self.policy_mut(call.edge).counts.hedges += u64::from(call.counted);
        let from = self.graph.edges[call.edge as usize].from;
        self.transmit(from, copy, call.edge);
    }

    /// The copy of call `c` still out when its attempt was decided: nobody waits for it any more (it is
    /// freed when it comes back); tied, it is removed from the queue it waits in.
    fn orphan_copy(&mut self, c: u32, copy: u32, cancel: bool) {
        self.reqs.set_call(copy, NO_CALL);
        let q = self.reqs.get_mut(copy);
        match q.state {
            ReqState::Live => q.state = ReqState::TimedOut,
            ReqState::Lost => {
                self.unwind(copy);
                return;
            }
            ReqState::TimedOut => {}
        }
        let Some(hop) = self.reqs.last_hop(copy).filter(|_| cancel) else {
            return;
        };
        let node = self.graph.edges[hop.edge as usize].to;
        self.touch(node);
        let mut ctx = ctx!(self);
        if self.nodes[node as usize].cancel(&mut ctx, copy) {
            let Call { edge, counted, .. } = self.calls.list[c as usize];
            self.policy_mut(edge).counts.hedge_cancelled += u64::from(counted);
            self.span_cancelled(copy);
        }
        self.run_actions(node);
        self.set_levels(node);
    }

    /// Tells call `c`'s breaker how the attempt out ended.
    pub(super) fn record_breaker(&mut self, c: u32, failed: bool) {
        let now = self.queue.now;
        let call = &mut self.calls.list[c as usize];
        let (permit, took, e) = (call.permit.take(), now.since(call.sent), call.edge);
        let (Some(permit), Some(b)) = (permit, self.policy_mut(e).breaker.as_mut()) else {
            return;
        };
        let before = b.state();
        b.record(now, permit, failed, took);
        let after = b.state();
        if after != before {
            self.meters.trace.push_change(EdgeIdx(e), now, after);
        }
    }

    /// An attempt's response (of one of its copies) is back at its caller, over edge `e`.
    pub(super) fn attempt_returned(&mut self, child: u32, e: u32) {
        let now = self.queue.now;
        let q = self.reqs.get(child);
        let (c, version) = (self.reqs.cold(child).call, self.reqs.cold(child).version);
        let (outcome, cache_hit, net, start, resp) =
            (q.outcome, q.cache_hit, q.net, q.start, q.resp);
        self.reqs.free(child);
        if outcome == Outcome::Ok
            && let Some(h) = self.graph.edges[e as usize]
                .policy
                .as_deref_mut()
                .and_then(|p| p.hedge.as_deref_mut())
        {
            // A hedged edge learns its latency from every copy that answers, the orphans' too.
            h.observe(now.since(start).0, self.meters.window.contains(start));
        }
        if c == NO_CALL {
            return; // an orphan: its call timed out, or another copy answered, and it has moved on
        }
        let call = &mut self.calls.list[c as usize];
        let second = call.hedge == child;
        if second {
            call.hedge = NO_ATTEMPT;
        } else {
            call.child = NO_ATTEMPT;
        }
        if outcome != Outcome::Ok && (call.child != NO_ATTEMPT || call.hedge != NO_ATTEMPT) {
            return; // the other copy may still answer
        }
        let (parent, counted) = (call.parent, call.counted);
        let p = self.reqs.get_mut(parent);
        p.net += net;
        if outcome == Outcome::Ok {
            p.cache_hit = cache_hit;
            p.resp = resp;
            self.reqs.set_version(parent, version);
        }
        self.record_breaker(c, outcome != Outcome::Ok);
        if outcome == Outcome::Ok {
            if second {
                self.policy_mut(e).counts.hedge_wins += u64::from(counted);
            }
            self.finish_call(c, Outcome::Ok);
        } else {
            self.after_failure(c, outcome);
        }
    }

    /// A link lost a live attempt. With a timeout, the timeout will notice; without one the caller learns it
    /// at once (as a reset connection) — once no other copy of the attempt is out.
    pub(super) fn attempt_lost(&mut self, child: u32) {
        let c = self.reqs.cold(child).call;
        let Call { edge, round, .. } = self.calls.list[c as usize];
        if self.policy_mut(edge).timeout.is_some() {
            self.reqs.get_mut(child).state = ReqState::Lost;
            return;
        }
        self.reqs.set_call(child, NO_CALL);
        self.unwind(child);
        let call = &mut self.calls.list[c as usize];
        if call.hedge == child {
            call.hedge = NO_ATTEMPT;
        } else {
            call.child = NO_ATTEMPT;
        }
        if call.child != NO_ATTEMPT || call.hedge != NO_ATTEMPT {
            return; // the other copy may still answer
        }
        self.record_breaker(c, true);
        // Decided at an event of its own: this runs inside the sender's actions.
        self.schedule(self.queue.now, Ev::AttemptFailed { call: c, round });
    }

    pub(super) fn on_call_timeout(&mut self, c: u32, round: u32, attempt: u32) {
        let call = self.calls.list[c as usize];
        if !self.call_is(c, round)
            || call.attempts != attempt
            || (call.child == NO_ATTEMPT && call.hedge == NO_ATTEMPT)
        {
            return;
        }
        let from = self.graph.edges[call.edge as usize].from;
        self.policy_mut(call.edge).counts.timeouts += u64::from(call.counted);
        self.calls.list[c as usize].child = NO_ATTEMPT;
        self.calls.list[c as usize].hedge = NO_ATTEMPT;
        for copy in [call.child, call.hedge] {
            if copy == NO_ATTEMPT {
                continue;
            }
            self.trace_hop(copy, from, from, self.queue.now, HopOutcome::TimedOut);
            self.reqs.set_call(copy, NO_CALL);
            let q = self.reqs.get_mut(copy);
            match q.state {
                ReqState::Live => q.state = ReqState::TimedOut,
                ReqState::Lost => self.unwind(copy),
                // An attempt times out once: a timed-out one is no longer its call's child.
                ReqState::TimedOut => {}
            }
        }
        self.record_breaker(c, true);
        self.after_failure(c, Outcome::TimedOut);
    }

    /// Call `c`'s attempt failed with `outcome`: retry after a backoff, or end the call with it.
    pub(super) fn after_failure(&mut self, c: u32, outcome: Outcome) {
        let now = self.queue.now;
        let call = self.calls.list[c as usize];
        let parent_waits = now < self.reqs.get(call.parent).deadline;
        let pol = self.graph.edges[call.edge as usize]
            .policy
            .as_deref_mut()
            .expect("a call's edge has a policy");
        let wants = outcome.retryable()
            && parent_waits
            && pol
                .retry
                .as_ref()
                .is_some_and(|r| call.attempts < r.max_attempts);
        if wants {
            let allowed = pol.budget.as_mut().is_none_or(Budget::try_retry);
            if allowed {
                let retry = pol.retry.as_ref().expect("checked above");
                let delay = retry.next_delay(&mut self.calls.list[c as usize].retry, &mut self.rng);
                self.schedule(
                    now.add(delay),
                    Ev::CallRetry {
                        call: c,
                        round: call.round,
                    },
                );
                return;
            }
            pol.counts.budget_refused += u64::from(call.counted);
        }
        self.finish_call(c, outcome);
    }

    /// Ends call `c` with `outcome`: its parent's response arrives at the caller.
    pub(super) fn finish_call(&mut self, c: u32, outcome: Outcome) {
        let now = self.queue.now;
        let call = self.calls.list[c as usize];
        let slot = &mut self.calls.list[c as usize];
        slot.live = false;
        slot.round = slot.round.wrapping_add(1);
        slot.child = NO_ATTEMPT;
        slot.hedge = NO_ATTEMPT;
        self.calls.free.push(c);
        let pol = self.policy_mut(call.edge);
        if outcome != Outcome::Ok {
            pol.counts.failed += u64::from(call.counted);
        }
        let mut tied = false;
        if let Some(h) = pol.hedge.as_deref_mut() {
            tied = h.tied && outcome == Outcome::Ok;
            if outcome == Outcome::Ok && call.counted {
                h.calls.saturating_record(now.since(call.started).0.max(1));
            }
        }
        // The copy that lost (a hedged attempt's other copy) goes on as an orphan, or is cancelled.
        for copy in [call.child, call.hedge] {
            if copy != NO_ATTEMPT {
                self.orphan_copy(c, copy, tied);
            }
        }
        self.reqs.get_mut(call.parent).outcome = outcome;
        let hop = self
            .reqs
            .pop_hop(call.parent)
            .expect("the parent's hop over the call's edge");
        self.deliver(call.parent, hop);
    }
}
