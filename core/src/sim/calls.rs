//! The call layer. A request forwarded over an edge with a policy does not travel itself: it waits at the
//! caller (its hop over the edge on its path) while attempts — requests of their own, copies of it with the
//! same logical id — go out one after another. An attempt's first hop is marked `CALL_SLOT`. An attempt that
//! outlives its timeout is orphaned: it goes on downstream (the work is not cancelled) and is freed when its
//! response comes back. Failures retry after a backoff while the policy, its budget and the parent's deadline
//! allow; a breaker that refuses an attempt fails the call at once.

use super::{Ev, Sim};
use crate::ids::EdgeIdx;
use crate::request::{Hop, NO_CALL, Outcome, ReqState};
use crate::resilience::{Breaker, Budget, Permit, RetryPolicy, RetryState};
use crate::time::SimTime;
use crate::trace::HopOutcome;
use crate::validate::CallPolicy;

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
        let (key, client, addr, size, op, hops, internal) =
            (p.key, p.client, p.addr, p.size, p.op, p.hops, p.internal);
        let (idem, api_key, route, malicious) = (p.idem, p.api_key, p.route, p.malicious);
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
        q.op = op;
        q.attempt = (attempt - 1).min(255) as u8;
        q.hops = hops;
        q.measured = false;
        q.state = ReqState::Live;
        q.outcome = Outcome::Ok;
        q.internal = internal;
        q.version = 0;
        q.net = 0;
        q.idem = idem;
        q.call = c;
        q.api_key = api_key;
        q.route = route;
        q.malicious = malicious;
        q.path.push(Hop {
            edge: e,
            slot: CALL_SLOT,
            here: now,
        });
        self.next_id += 1;
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
        let from = self.graph.edges[e as usize].from;
        self.transmit(from, child, e);
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

    /// An attempt's response is back at its caller.
    pub(super) fn attempt_returned(&mut self, child: u32) {
        let q = self.reqs.get(child);
        let c = q.call;
        let (outcome, version, cache_hit, net) = (q.outcome, q.version, q.cache_hit, q.net);
        self.reqs.free(child);
        if c == NO_CALL {
            return; // an orphan: its call timed out and has moved on
        }
        let parent = self.calls.list[c as usize].parent;
        self.calls.list[c as usize].child = NO_ATTEMPT;
        let p = self.reqs.get_mut(parent);
        p.net += net;
        if outcome == Outcome::Ok {
            p.version = version;
            p.cache_hit = cache_hit;
        }
        self.record_breaker(c, outcome != Outcome::Ok);
        if outcome == Outcome::Ok {
            self.finish_call(c, Outcome::Ok);
        } else {
            self.after_failure(c, outcome);
        }
    }

    /// A link lost a live attempt. With a timeout, the timeout will notice; without one the caller learns it
    /// at once (as a reset connection).
    pub(super) fn attempt_lost(&mut self, child: u32) {
        let c = self.reqs.get(child).call;
        let Call { edge, round, .. } = self.calls.list[c as usize];
        if self.policy_mut(edge).timeout.is_some() {
            self.reqs.get_mut(child).state = ReqState::Lost;
            return;
        }
        self.reqs.get_mut(child).call = NO_CALL;
        self.unwind(child);
        self.calls.list[c as usize].child = NO_ATTEMPT;
        self.record_breaker(c, true);
        // Decided at an event of its own: this runs inside the sender's actions.
        self.schedule(self.queue.now, Ev::AttemptFailed { call: c, round });
    }

    pub(super) fn on_call_timeout(&mut self, c: u32, round: u32, attempt: u32) {
        let call = self.calls.list[c as usize];
        if !self.call_is(c, round) || call.attempts != attempt || call.child == NO_ATTEMPT {
            return;
        }
        let child = call.child;
        let from = self.graph.edges[call.edge as usize].from;
        self.policy_mut(call.edge).counts.timeouts += u64::from(call.counted);
        self.trace_hop(child, from, from, self.queue.now, HopOutcome::TimedOut);
        self.calls.list[c as usize].child = NO_ATTEMPT;
        let q = self.reqs.get_mut(child);
        q.call = NO_CALL;
        match q.state {
            ReqState::Live => q.state = ReqState::TimedOut,
            ReqState::Lost => self.unwind(child),
            // An attempt times out once: a timed-out one is no longer its call's child.
            ReqState::TimedOut => {}
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
        let call = self.calls.list[c as usize];
        let slot = &mut self.calls.list[c as usize];
        slot.live = false;
        slot.round = slot.round.wrapping_add(1);
        self.calls.free.push(c);
        if outcome != Outcome::Ok {
            self.policy_mut(call.edge).counts.failed += u64::from(call.counted);
        }
        let q = self.reqs.get_mut(call.parent);
        q.outcome = outcome;
        let hop = q.path.pop().expect("the parent's hop over the call's edge");
        self.deliver(call.parent, hop);
    }
}
