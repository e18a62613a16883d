//! The projection: a read model (the query side of CQRS) built from an event log. A stream's consumer group
//! delivers it every event the write side appended; it acknowledges each at once, takes it `event_delay_ms`
//! later (its fetch interval) and applies the events one at a time in log order, `apply_ms` each. Queries (a
//! client's reads) are answered from the events applied so far, so a read is **stale** when the log holds a
//! write to its key that the projection has not applied yet: the engine compares the key's version the
//! projection holds (its applied writes to the key) with the writes the log has committed (a stream feeding a
//! projection counts as the data's store), as it does for a cache's hits.
//!
//! ```text
//!   write side ──> stream (the log) ──event──> projection: +event_delay_ms, then apply_ms each, in order
//!   reads ─────────────────────────────────> projection: answered from what is applied (stale if behind)
//! ```
//!
//! A crash (the kill fault) loses the read model, which lives in memory. When the node comes back it rebuilds
//! it by replaying the log from its start (the event store keeps every event): `L` events at `apply_ms` each
//! take `L × apply_ms`, during which reads see a partial model; events that arrive meanwhile wait behind the
//! replay. Writes sent straight to a projection are refused (a read model takes no commands: they go to the
//! log).

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Incoming, Levels, mismatch};
use crate::components::{Action, Ctx, NodeDetail, Params, check_num, check_range};
use crate::digest::Digest;
use crate::request::{Op, Outcome};
use crate::time::SimTime;
use crate::vocab::{Term, Vocab};

/// Projection parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectionParams {
    /// how long after it arrives an event is taken for applying (the consumer's fetch interval) [ms,
    /// 0..10¹⁰], default 100
    pub event_delay_ms: f64,
    /// time to apply one event to the read model, live and in a replay [ms, 0..60 000], default 1
    pub apply_ms: f64,
}

impl Default for ProjectionParams {
    fn default() -> Self {
        ProjectionParams {
            event_delay_ms: 100.0,
            apply_ms: 1.0,
        }
    }
}

impl ProjectionParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        check_num(&mut out, "event_delay_ms", self.event_delay_ms, 0.0);
        check_num(&mut out, "apply_ms", self.apply_ms, 0.0);
        check_range(&mut out, "event_delay_ms", self.event_delay_ms);
        check_range(&mut out, "apply_ms", self.apply_ms);
        out
    }

    /// How the inspector names a projection's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("event_delay_ms", "Event delay"),
            Term::new("apply_ms", "Apply time per event"),
        ],
    };
}

/// An event waiting to be applied.
#[derive(Clone, Copy, Debug)]
struct Pending {
    /// when it may be applied
    ready: SimTime,
    key: u64,
    /// a write (changes the key's version); other events are applied as no-ops
    write: bool,
    /// when it arrived; `None` for a replayed event
    arrived: Option<SimTime>,
}

/// Counts: events over the whole run, reads inside the measurement window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Counters {
    events: u64,
    applied: u64,
    max_behind: u64,
    reads: u64,
    stale_reads: u64,
    refused_writes: u64,
    lag_ns: u128,
    lagged: u64,
    max_lag_ns: u64,
    rebuilds: u64,
    last_rebuild_events: u64,
    last_rebuild_ns: u64,
    rebuild_ns: u128,
}

/// A projection's state machine.
pub(crate) struct Projection {
    delay: SimTime,
    apply: SimTime,
    factor: f64,
    /// every event received, in order: the log as it reached this projection (key, write)
    log: Vec<(u64, bool)>,
    pending: VecDeque<Pending>,
    /// the read model: each key's version (writes applied to it)
    model: BTreeMap<u64, u64>,
    /// an event is being applied (its timer is out)
    busy: bool,
    token: u32,
    alive: bool,
    /// replayed events still to apply, and when the replay started
    replay: Option<(u64, SimTime)>,
    window: (SimTime, SimTime),
    counters: Counters,
}

impl Projection {
    fn new(p: &ProjectionParams, window: (SimTime, SimTime)) -> Projection {
        Projection {
            delay: SimTime::from_ms(p.event_delay_ms),
            apply: SimTime::from_ms(p.apply_ms),
            factor: 1.0,
            log: Vec::new(),
            pending: VecDeque::new(),
            model: BTreeMap::new(),
            busy: false,
            token: 0,
            alive: true,
            replay: None,
            window,
            counters: Counters::default(),
        }
    }

    /// Starts applying the next event if none is being applied: at once if it is ready, else when it is.
    fn kick(&mut self, ctx: &mut Ctx<'_>) {
        if self.busy || !self.alive {
            return;
        }
        let Some(head) = self.pending.front() else {
            return;
        };
        let apply = if self.factor == 1.0 {
            self.apply
        } else {
            SimTime::from_ms(self.apply.as_ms() * self.factor)
        };
        self.busy = true;
        self.token = self.token.wrapping_add(1);
        ctx.out.push(Action::ServiceDone {
            at: head.ready.max(ctx.now).add(apply),
            slot: 0,
            token: self.token,
        });
    }

    fn behind(&self) -> u64 {
        self.pending.len() as u64
    }

    fn report(&self) -> ProjectionReport {
        let c = &self.counters;
        ProjectionReport {
            events: c.events,
            applied: c.applied,
            behind: self.behind(),
            max_behind: c.max_behind,
            log_events: self.log.len() as u64,
            reads: c.reads,
            stale_reads: c.stale_reads,
            stale_share: if c.reads > 0 {
                c.stale_reads as f64 / c.reads as f64
            } else {
                0.0
            },
            refused_writes: c.refused_writes,
            mean_lag_ms: if c.lagged > 0 {
                c.lag_ns as f64 / c.lagged as f64 / 1e6
            } else {
                0.0
            },
            max_lag_ms: c.max_lag_ns as f64 / 1e6,
            rebuilds: c.rebuilds,
            rebuilding: self.replay.is_some(),
            last_rebuild_events: c.last_rebuild_events,
            last_rebuild_ms: c.last_rebuild_ns as f64 / 1e6,
            rebuild_ms: c.rebuild_ns as f64 / 1e6,
        }
    }
}

impl Component for Projection {
    fn build(b: &Build<'_>) -> Result<Projection, String> {
        match b.params {
            Params::Projection(p) => Ok(Projection::new(p, b.window)),
            other => Err(mismatch("projection", other)),
        }
    }

    /// An event from the log (a node's own request: a stream's delivery) is acknowledged and queued; a
    /// client's read is answered from the read model; a client's write is refused.
    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        if inc.internal {
            let write = inc.op == Op::Write;
            self.counters.events += 1;
            self.log.push((inc.key, write));
            self.pending.push_back(Pending {
                ready: ctx.now.add(self.delay),
                key: inc.key,
                write,
                arrived: Some(ctx.now),
            });
            self.counters.max_behind = self.counters.max_behind.max(self.behind());
            ctx.out.push(Action::Respond {
                req,
                outcome: Outcome::Ok,
            });
            self.kick(ctx);
        } else if inc.op == Op::Read {
            self.counters.reads += u64::from(ctx.counting);
            ctx.out.push(Action::Hit {
                req,
                version: self.model.get(&inc.key).copied().unwrap_or(0),
            });
        } else {
            self.counters.refused_writes += u64::from(ctx.counting);
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            });
        }
        false
    }

    /// The event at the head is applied.
    fn on_timer(&mut self, ctx: &mut Ctx<'_>, _slot: u32, token: u32) {
        if !self.alive || !self.busy || token != self.token {
            return;
        }
        self.busy = false;
        let Some(e) = self.pending.pop_front() else {
            return;
        };
        if e.write {
            *self.model.entry(e.key).or_insert(0) += 1;
        }
        let c = &mut self.counters;
        match e.arrived {
            Some(at) => {
                c.applied += 1;
                let lag = ctx.now.since(at).0;
                c.lag_ns += u128::from(lag);
                c.lagged += 1;
                c.max_lag_ns = c.max_lag_ns.max(lag);
            }
            None => {
                if let Some((left, started)) = self.replay.as_mut() {
                    *left -= 1;
                    if *left == 0 {
                        let took = ctx.now.since(*started).0;
                        c.last_rebuild_ns = took;
                        c.rebuild_ns += u128::from(took);
                        self.replay = None;
                    }
                }
            }
        }
        self.kick(ctx);
    }

    /// The node dies: the read model, in memory, is lost with the events waiting to be applied (they are
    /// in the log).
    fn kill(&mut self, _ctx: &mut Ctx<'_>) {
        self.alive = false;
        self.busy = false;
        self.token = self.token.wrapping_add(1);
        self.model.clear();
        self.pending.clear();
        self.replay = None;
    }

    /// The node comes back and rebuilds the read model from the log's start.
    fn revive(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = true;
        let n = self.log.len() as u64;
        let c = &mut self.counters;
        c.rebuilds += 1;
        c.last_rebuild_events = n;
        if n == 0 {
            c.last_rebuild_ns = 0;
        } else {
            self.replay = Some((n, ctx.now));
            self.pending
                .extend(self.log.iter().map(|&(key, write)| Pending {
                    ready: ctx.now,
                    key,
                    write,
                    arrived: None,
                }));
            self.counters.max_behind = self.counters.max_behind.max(self.behind());
        }
        self.kick(ctx);
    }

    fn slow(&mut self, factor: f64) {
        self.factor = factor;
    }

    fn stale_hit(&mut self, now: SimTime) {
        self.counters.stale_reads += u64::from(now >= self.window.0 && now < self.window.1);
    }

    /// Events waiting to be applied show as its queue.
    fn levels(&self) -> Option<Levels> {
        Some(Levels {
            busy: u32::from(self.busy),
            queue: u32::try_from(self.behind()).unwrap_or(u32::MAX),
        })
    }

    fn holds_work(&self) -> bool {
        true
    }

    /// Events not yet applied keep a run going after the traffic.
    fn backlog(&self) -> u64 {
        if self.alive { self.behind() } else { 0 }
    }

    /// The log's copy (16 bytes an event), the waiting events and the read model's keys.
    fn queued_bytes(&self) -> usize {
        self.log.len() * 16
            + self.pending.len() * std::mem::size_of::<Pending>()
            + self.model.len() * 16
    }

    fn detail(&self, _now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        Some(NodeDetail::Projection(ProjectionDetail {
            projection: self.report(),
        }))
    }
}

/// A projection's counts: events over the whole run, reads inside the measurement window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectionReport {
    /// events received from the log
    pub events: u64,
    /// of them, applied (replays not counted)
    pub applied: u64,
    /// events received and not yet applied now (a replay's included)
    pub behind: u64,
    /// the most events behind at once
    pub max_behind: u64,
    /// events in the log as it reached this projection: what a rebuild replays
    pub log_events: u64,
    /// reads answered
    pub reads: u64,
    /// of them, stale: the log held a write to the key the projection had not applied
    pub stale_reads: u64,
    /// stale reads over reads
    pub stale_share: f64,
    /// writes sent straight to it, refused
    pub refused_writes: u64,
    /// mean time from an event's arrival to its application [ms]
    pub mean_lag_ms: f64,
    /// the longest [ms]
    pub max_lag_ms: f64,
    /// times the read model was rebuilt from the log (after a crash)
    pub rebuilds: u64,
    /// a rebuild is under way now
    pub rebuilding: bool,
    /// events the last rebuild replayed
    pub last_rebuild_events: u64,
    /// how long the last rebuild took: its events × `apply_ms` [ms]
    pub last_rebuild_ms: f64,
    /// every finished rebuild's time, summed [ms]
    pub rebuild_ms: f64,
}

impl ProjectionReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            self.events,
            self.applied,
            self.behind,
            self.max_behind,
            self.log_events,
            self.reads,
            self.stale_reads,
            self.refused_writes,
            self.rebuilds,
            u64::from(self.rebuilding),
            self.last_rebuild_events,
        ]);
        h.f64(self.mean_lag_ms);
        h.f64(self.max_lag_ms);
        h.f64(self.last_rebuild_ms);
        h.f64(self.rebuild_ms);
    }

    /// The node's line in the runner's table.
    pub fn table_line(&self, id: &str) -> String {
        format!(
            "{id:<16} projection: {} events, {} behind (max {}), lag {:.1} ms mean; {} reads, {} stale ({:.1}%); \
             {} rebuilds (last {} events in {:.1} ms)",
            self.events,
            self.behind,
            self.max_behind,
            self.mean_lag_ms,
            self.reads,
            self.stale_reads,
            self.stale_share * 100.0,
            self.rebuilds,
            self.last_rebuild_events,
            self.last_rebuild_ms
        )
    }
}

/// A projection's block of the report: `projection`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectionDetail {
    /// its events, reads and rebuilds
    pub projection: ProjectionReport,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    /// Three events, then a crash and a rebuild: the replay applies the three at `apply_ms` each.
    #[test]
    fn a_rebuild_replays_the_log_at_apply_time_each() {
        let p = ProjectionParams {
            event_delay_ms: 0.0,
            apply_ms: 2.0,
        };
        let mut x = Projection::new(&p, (SimTime::ZERO, SimTime::MAX));
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        let mut ctx = Ctx {
            now: SimTime::ZERO,
            rng: &mut rng,
            out: &mut out,
            counting: true,
        };
        let event = |key| Incoming {
            key,
            op: Op::Write,
            internal: true,
            ..Incoming::default()
        };
        for (r, k) in [(1, 5), (2, 6), (3, 5)] {
            x.on_request(&mut ctx, r, &event(k));
        }
        assert_eq!(x.behind(), 3);
        x.kill(&mut ctx);
        ctx.now = SimTime::from_ms(1000.0);
        x.revive(&mut ctx);
        for _ in 0..3 {
            let Some(&Action::ServiceDone { at, token, .. }) = ctx.out.last() else {
                panic!("an apply timer")
            };
            ctx.now = at;
            x.on_timer(&mut ctx, 0, token);
        }
        let r = x.report();
        assert_eq!((r.rebuilds, r.last_rebuild_events), (1, 3));
        assert_eq!(r.last_rebuild_ms, 6.0);
        assert_eq!(x.model.get(&5), Some(&2));
        assert!(!r.rebuilding);
    }
}
