//! The saga: a business transaction across services (order → payment → stock → shipping) run as a sequence
//! of local steps, each with a compensating action, instead of one distributed transaction. Every request the
//! node receives starts a saga; its steps are the node's outgoing edges in order, each a call of the saga's own
//! (`Action::Spawn`, a write of the request's key). A step that fails (an error, a timeout of the edge's call
//! policy, a message lost on a link) runs the compensations of the steps applied before it, in reverse order,
//! each a call to the same service; a compensation that fails is sent again after `compensation_retry_ms`
//! until it succeeds, so every saga ends either **completed** (every step applied) or **compensated** (every
//! applied step undone). The caller waits for that end: completed is a success, compensated an error.
//!
//! ```text
//!   order ─ok─> payment ─ok─> stock ─fail─╮
//!   order <─undo─ payment <─undo─────────╯   compensations in reverse, each retried until it succeeds
//! ```
//!
//! The system is **inconsistent** from the first step the saga learns was applied until the saga ends (money
//! taken, the order not shipped nor refunded): the report sums that time over the finished sagas.
//!
//! `coordination` chooses who drives the steps. `orchestration`: this node sends each step as a command and
//! gets a reply (2 messages a call). `choreography`: each service emits an event that the next one reacts to
//! (1 message a call, plus the event that ends the saga); the steps, their order and their timing are the
//! same through a broker, only the messages and who holds the saga's state differ (`docs/sagas.md`).
//!
//! Counts are over the whole run (warm-up included), so `started = completed + compensated + in_progress`
//! holds at every moment.

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Incoming, Levels, mismatch};
use crate::components::{Action, Ctx, NodeDetail, Params, check_num, check_range};
use crate::digest::Digest;
use crate::request::{Op, Outcome};
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

/// Who drives a saga's steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coordination {
    /// A central orchestrator sends each step as a command and waits for the reply.
    #[default]
    Orchestration,
    /// Each service emits an event when its step is done; the next service reacts to it.
    Choreography,
}

impl Choices for Coordination {
    const ALL: &'static [Coordination] = &[Coordination::Orchestration, Coordination::Choreography];
}

/// Saga parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SagaParams {
    /// who drives the steps: `orchestration` or `choreography`, default `orchestration`
    #[serde(default)]
    pub coordination: Coordination,
    /// wait before a failed compensation is sent again [ms, 1..10¹⁰], default 100
    pub compensation_retry_ms: f64,
}

impl Default for SagaParams {
    fn default() -> Self {
        SagaParams {
            coordination: Coordination::Orchestration,
            compensation_retry_ms: 100.0,
        }
    }
}

impl SagaParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        check_num(
            &mut out,
            "compensation_retry_ms",
            self.compensation_retry_ms,
            0.0,
        );
        check_range(
            &mut out,
            "compensation_retry_ms",
            self.compensation_retry_ms,
        );
        out
    }

    /// How the inspector names a saga's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("coordination", "Coordination").choices(choices::<Coordination>),
            Term::new("compensation_retry_ms", "Retry a compensation after"),
        ],
    };
}

/// Where a saga is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// calling step `step` (0-based)
    Forward,
    /// undoing step `step`
    Compensate,
}

/// One saga in progress.
#[derive(Clone, Copy, Debug)]
struct Run {
    /// the request that started it, while its caller waits
    reply: Option<u32>,
    key: u64,
    phase: Phase,
    step: u32,
    /// steps applied and not yet compensated
    applied: u32,
    /// when the first step was known applied
    first: Option<SimTime>,
    /// a retry timer's token (timers of an older one are ignored)
    token: u32,
}

/// One step's counts (one outgoing edge).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct StepCounts {
    calls: u64,
    applied: u64,
    failed: u64,
    compensations: u64,
    compensation_failures: u64,
}

/// Counts over the whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counters {
    started: u64,
    completed: u64,
    compensated: u64,
    /// sagas that failed at their first step (nothing to undo; counted in `compensated` too)
    failed_first: u64,
    step_calls: u64,
    compensation_calls: u64,
    /// finished sagas that had applied a step (the ones that were ever inconsistent)
    inconsistent_sagas: u64,
    inconsistent_ns: u128,
    max_inconsistent_ns: u64,
}

/// A saga node's state machine.
pub(crate) struct Saga {
    coordination: Coordination,
    retry: SimTime,
    steps: Vec<StepCounts>,
    runs: Vec<Option<Run>>,
    free: Vec<u32>,
    /// sagas whose next call waits for the node to come back
    stalled: Vec<u32>,
    alive: bool,
    counters: Counters,
}

impl Saga {
    fn new(p: &SagaParams, ports: u32) -> Saga {
        Saga {
            coordination: p.coordination,
            retry: SimTime::from_ms(p.compensation_retry_ms),
            steps: vec![StepCounts::default(); ports as usize],
            runs: Vec::new(),
            free: Vec::new(),
            stalled: Vec::new(),
            alive: true,
            counters: Counters::default(),
        }
    }

    fn n(&self) -> u32 {
        self.steps.len() as u32
    }

    fn in_progress(&self) -> u64 {
        (self.runs.len() - self.free.len()) as u64
    }

    /// Sends saga `i`'s next call (a step or a compensation), or keeps it for when the node comes back.
    fn next(&mut self, ctx: &mut Ctx<'_>, i: u32) {
        if !self.alive {
            self.stalled.push(i);
            return;
        }
        let Some(run) = self.runs[i as usize] else {
            return;
        };
        let s = &mut self.steps[run.step as usize];
        s.calls += 1;
        match run.phase {
            Phase::Forward => self.counters.step_calls += 1,
            Phase::Compensate => self.counters.compensation_calls += 1,
        }
        ctx.out.push(Action::Spawn {
            key: run.key,
            op: Op::Write,
            port: run.step,
            slot: i,
        });
    }

    /// Saga `i` ends: completed, or compensated.
    fn finish(&mut self, ctx: &mut Ctx<'_>, i: u32, completed: bool) {
        let Some(run) = self.runs[i as usize].take() else {
            return;
        };
        self.free.push(i);
        let c = &mut self.counters;
        if completed {
            c.completed += 1;
        } else {
            c.compensated += 1;
        }
        if let Some(first) = run.first {
            let d = ctx.now.since(first).0;
            c.inconsistent_sagas += 1;
            c.inconsistent_ns += u128::from(d);
            c.max_inconsistent_ns = c.max_inconsistent_ns.max(d);
        }
        if let Some(req) = run.reply {
            ctx.out.push(if completed {
                Action::Respond {
                    req,
                    outcome: Outcome::Ok,
                }
            } else {
                Action::Fail {
                    req,
                    outcome: Outcome::Error,
                }
            });
        }
    }

    /// The call saga `i` sent came back (`ok`: it succeeded).
    fn settle(&mut self, ctx: &mut Ctx<'_>, i: u32, ok: bool) {
        let Some(mut run) = self.runs.get(i as usize).copied().flatten() else {
            return;
        };
        let step = run.step as usize;
        // What to do once the saga's new state is stored.
        enum Then {
            Next,
            Finish(bool),
            Retry,
        }
        let then = match (run.phase, ok) {
            (Phase::Forward, true) => {
                self.steps[step].applied += 1;
                run.applied += 1;
                run.first.get_or_insert(ctx.now);
                run.step += 1;
                if run.step == self.n() {
                    Then::Finish(true)
                } else {
                    Then::Next
                }
            }
            (Phase::Forward, false) => {
                self.steps[step].failed += 1;
                if run.applied == 0 {
                    self.counters.failed_first += 1;
                    Then::Finish(false)
                } else {
                    run.phase = Phase::Compensate;
                    run.step -= 1;
                    Then::Next
                }
            }
            (Phase::Compensate, true) => {
                self.steps[step].compensations += 1;
                run.applied -= 1;
                if run.applied == 0 {
                    Then::Finish(false)
                } else {
                    run.step -= 1;
                    Then::Next
                }
            }
            (Phase::Compensate, false) => {
                self.steps[step].compensation_failures += 1;
                run.token = run.token.wrapping_add(1);
                Then::Retry
            }
        };
        self.runs[i as usize] = Some(run);
        match then {
            Then::Next => self.next(ctx, i),
            Then::Finish(completed) => self.finish(ctx, i, completed),
            Then::Retry => ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(self.retry),
                slot: i,
                token: run.token,
            }),
        }
    }

    /// The node's report block at `now`, with its steps' target ids.
    fn report(&self, targets: &[&str]) -> SagaReport {
        let c = &self.counters;
        let step_calls = c.step_calls;
        let calls = step_calls + c.compensation_calls;
        let finished = c.completed + c.compensated;
        let messages = match self.coordination {
            Coordination::Orchestration => 2 * calls,
            Coordination::Choreography => calls + finished,
        };
        let live = self.runs.iter().flatten();
        SagaReport {
            coordination: self.coordination,
            started: c.started,
            completed: c.completed,
            compensated: c.compensated,
            failed_first_step: c.failed_first,
            in_progress: self.in_progress(),
            compensating: live
                .clone()
                .filter(|r| r.phase == Phase::Compensate)
                .count() as u64,
            applied_outstanding: live.map(|r| u64::from(r.applied)).sum(),
            step_calls,
            steps_applied: self.steps.iter().map(|s| s.applied).sum(),
            steps_failed: self.steps.iter().map(|s| s.failed).sum(),
            compensation_calls: c.compensation_calls,
            compensations: self.steps.iter().map(|s| s.compensations).sum(),
            compensation_failures: self.steps.iter().map(|s| s.compensation_failures).sum(),
            messages,
            inconsistent_s: c.inconsistent_ns as f64 / 1e9,
            mean_inconsistent_ms: if c.inconsistent_sagas > 0 {
                c.inconsistent_ns as f64 / c.inconsistent_sagas as f64 / 1e6
            } else {
                0.0
            },
            max_inconsistent_ms: c.max_inconsistent_ns as f64 / 1e6,
            steps: self
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| SagaStepReport {
                    node: targets
                        .get(i)
                        .map_or_else(String::new, |t| (*t).to_string()),
                    calls: s.calls,
                    applied: s.applied,
                    failed: s.failed,
                    compensations: s.compensations,
                    compensation_failures: s.compensation_failures,
                })
                .collect(),
        }
    }
}

impl Component for Saga {
    fn build(b: &Build<'_>) -> Result<Saga, String> {
        match b.params {
            Params::Saga(p) => Ok(Saga::new(p, b.ports.len() as u32)),
            other => Err(mismatch("saga", other)),
        }
    }

    /// A request starts a saga; with no steps it is completed at once.
    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        self.counters.started += 1;
        let run = Run {
            reply: Some(req),
            key: inc.key,
            phase: Phase::Forward,
            step: 0,
            applied: 0,
            first: None,
            token: 0,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.runs[i as usize] = Some(run);
                i
            }
            None => {
                self.runs.push(Some(run));
                self.runs.len() as u32 - 1
            }
        };
        if self.n() == 0 {
            self.finish(ctx, i, true);
        } else {
            self.next(ctx, i);
        }
        false
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        slot: u32,
        outcome: Outcome,
        _version: u64,
    ) {
        ctx.out.push(Action::Absorb { req });
        self.settle(ctx, slot, outcome == Outcome::Ok);
    }

    /// A compensation's retry is due.
    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        if self
            .runs
            .get(slot as usize)
            .and_then(|r| r.as_ref())
            .is_some_and(|r| r.token == token && r.phase == Phase::Compensate)
        {
            self.next(ctx, slot);
        }
    }

    /// A call was lost on a link: the saga takes it as failed (the step may have been applied all the same:
    /// a lost reply hides it).
    fn abandon(&mut self, ctx: &mut Ctx<'_>, _req: u32, slot: u32) {
        self.settle(ctx, slot, false);
    }

    /// The node dies: callers waiting on it get an error, but the sagas are durable (their state is in a
    /// log) and go on where they were when it comes back.
    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = false;
        for run in self.runs.iter_mut().flatten() {
            if let Some(req) = run.reply.take() {
                ctx.out.push(Action::Fail {
                    req,
                    outcome: Outcome::Error,
                });
            }
        }
    }

    fn revive(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = true;
        for i in std::mem::take(&mut self.stalled) {
            self.next(ctx, i);
        }
    }

    fn levels(&self) -> Option<Levels> {
        Some(Levels {
            busy: 0,
            queue: u32::try_from(self.in_progress()).unwrap_or(u32::MAX),
        })
    }

    fn holds_work(&self) -> bool {
        true
    }

    /// Sagas in progress keep a run going after the traffic, until each has ended.
    fn backlog(&self) -> u64 {
        self.in_progress()
    }

    fn queued_bytes(&self) -> usize {
        self.runs.len() * std::mem::size_of::<Option<Run>>()
    }

    fn detail(&self, _now: SimTime, _window_ns: u64, targets: &[&str]) -> Option<NodeDetail> {
        Some(NodeDetail::Saga(SagaDetail {
            saga: self.report(targets),
        }))
    }
}

/// A saga node's counts over the whole run (warm-up included): `started = completed + compensated +
/// in_progress` at every moment, and `steps_applied − compensations = completed × steps +
/// applied_outstanding`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SagaReport {
    /// who drove the steps
    pub coordination: Coordination,
    /// sagas started (requests received)
    pub started: u64,
    /// sagas that applied every step
    pub completed: u64,
    /// sagas that failed and undid every step they had applied (those that failed at their first step
    /// included: nothing to undo)
    pub compensated: u64,
    /// of the compensated, those that failed at their first step
    pub failed_first_step: u64,
    /// sagas not yet ended
    pub in_progress: u64,
    /// of them, those running their compensations
    pub compensating: u64,
    /// steps applied and not yet compensated by the sagas in progress
    pub applied_outstanding: u64,
    /// step calls sent
    pub step_calls: u64,
    /// step calls that succeeded (steps applied)
    pub steps_applied: u64,
    /// step calls that failed (each turned its saga to compensating)
    pub steps_failed: u64,
    /// compensation calls sent, retries included
    pub compensation_calls: u64,
    /// compensations that succeeded (steps undone)
    pub compensations: u64,
    /// compensation calls that failed and were sent again
    pub compensation_failures: u64,
    /// messages exchanged: orchestration 2 a call (command and reply), choreography 1 a call plus the event
    /// that ends each saga
    pub messages: u64,
    /// time the finished sagas spent inconsistent, summed (from the first step applied to the end) [s]
    pub inconsistent_s: f64,
    /// mean of that time over the finished sagas that applied a step [ms]
    pub mean_inconsistent_ms: f64,
    /// the longest of them [ms]
    pub max_inconsistent_ms: f64,
    /// one line per step (outgoing edge), in order
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<SagaStepReport>,
}

/// One step of a saga: calls to one service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SagaStepReport {
    /// the service's node id
    pub node: String,
    /// calls sent to it, steps and compensations, retries included
    pub calls: u64,
    /// steps it applied
    pub applied: u64,
    /// steps it failed
    pub failed: u64,
    /// its steps undone
    pub compensations: u64,
    /// compensations it failed (sent again)
    pub compensation_failures: u64,
}

impl SagaReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            self.started,
            self.completed,
            self.compensated,
            self.failed_first_step,
            self.in_progress,
            self.compensating,
            self.applied_outstanding,
            self.step_calls,
            self.steps_applied,
            self.steps_failed,
            self.compensation_calls,
            self.compensations,
            self.compensation_failures,
            self.messages,
        ]);
        h.f64(self.inconsistent_s);
        h.f64(self.max_inconsistent_ms);
        for s in &self.steps {
            h.str(&s.node);
            h.u64s(&[
                s.calls,
                s.applied,
                s.failed,
                s.compensations,
                s.compensation_failures,
            ]);
        }
    }

    /// The node's line in the runner's table.
    pub fn table_line(&self, id: &str) -> String {
        let mut s = format!(
            "{id:<16} saga ({}): {} started, {} completed, {} compensated, {} in progress; {} steps applied, \
             {} compensations ({} retried); {} messages; inconsistent {:.1} ms mean, {:.1} ms max",
            match self.coordination {
                Coordination::Orchestration => "orchestration",
                Coordination::Choreography => "choreography",
            },
            self.started,
            self.completed,
            self.compensated,
            self.in_progress,
            self.steps_applied,
            self.compensations,
            self.compensation_failures,
            self.messages,
            self.mean_inconsistent_ms,
            self.max_inconsistent_ms
        );
        for st in &self.steps {
            s.push_str(&format!(
                "\n  -> {:<11} applied {}  failed {}  undone {}  undo failed {}",
                st.node, st.applied, st.failed, st.compensations, st.compensation_failures
            ));
        }
        s
    }
}

/// A saga node's block of the report: `saga`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SagaDetail {
    /// its sagas (over the whole run, warm-up included)
    pub saga: SagaReport,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    /// Drives one saga of three steps by hand: step 3 fails, so steps 2 and 1 are undone in that order; the
    /// first undo fails once and is retried.
    #[test]
    fn a_failed_step_undoes_the_applied_ones_in_reverse() {
        let mut s = Saga::new(&SagaParams::default(), 3);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        let mut ctx = Ctx {
            now: SimTime::ZERO,
            rng: &mut rng,
            out: &mut out,
            counting: true,
        };
        let inc = Incoming {
            key: 7,
            ..Incoming::default()
        };
        s.on_request(&mut ctx, 100, &inc);
        let ports = |out: &[Action]| -> Vec<u32> {
            out.iter()
                .filter_map(|a| match a {
                    Action::Spawn { port, .. } => Some(*port),
                    _ => None,
                })
                .collect()
        };
        s.on_response(&mut ctx, 1, 0, Outcome::Ok, 0);
        s.on_response(&mut ctx, 2, 0, Outcome::Ok, 0);
        s.on_response(&mut ctx, 3, 0, Outcome::Error, 0);
        // Steps 0, 1, 2, then the undo of step 1.
        assert_eq!(ports(ctx.out), vec![0, 1, 2, 1]);
        s.on_response(&mut ctx, 4, 0, Outcome::Error, 0);
        assert_eq!(s.report(&[]).compensation_failures, 1);
        s.on_timer(&mut ctx, 0, 1);
        s.on_response(&mut ctx, 5, 0, Outcome::Ok, 0);
        s.on_response(&mut ctx, 6, 0, Outcome::Ok, 0);
        assert_eq!(ports(ctx.out), vec![0, 1, 2, 1, 1, 0]);
        let r = s.report(&[]);
        assert_eq!(
            (r.started, r.completed, r.compensated, r.in_progress),
            (1, 0, 1, 0)
        );
        assert_eq!((r.steps_applied, r.compensations), (2, 2));
        // Six calls: 12 messages orchestrated.
        assert_eq!(r.messages, 12);
        assert!(ctx.out.contains(&Action::Fail {
            req: 100,
            outcome: Outcome::Error
        }));
    }
}
