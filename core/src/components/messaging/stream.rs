//! The partitioned stream (a log): a message goes to the partition its key hashes to and is appended there,
//! so messages with one key keep their order. Every outgoing edge is a consumer group that reads every
//! partition from its own committed offset, one message at a time per partition (that is what keeps the
//! order, and why a group's parallelism is capped by the partition count). A consumed message commits the
//! offset; a failed one is retried after `retry_ms` at the same offset, holding the partition back. A
//! group's lag on a partition is the log's end offset minus the group's committed offset.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::MsgCounters;
use crate::components::{Action, Ctx, check_num, check_range};
use crate::request::{Op, Outcome};
use crate::time::SimTime;
use crate::vocab::{Term, Vocab};

/// Stream parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamParams {
    /// partitions the log is split into by key [1..=1024], default 4
    pub partitions: u32,
    /// wait before a failed message is delivered again [ms], default 100
    pub retry_ms: f64,
}

impl Default for StreamParams {
    fn default() -> Self {
        StreamParams {
            partitions: 4,
            retry_ms: 100.0,
        }
    }
}

impl StreamParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !(1..=1024).contains(&self.partitions) {
            out.push((
                "partitions".into(),
                "`partitions` must be between 1 and 1024".into(),
            ));
        }
        check_num(&mut out, "retry_ms", self.retry_ms, 0.0);
        check_range(&mut out, "retry_ms", self.retry_ms);
        out
    }
}

/// The partition of a key: a SplitMix64 finaliser, then the remainder (no `usize` involved).
pub fn partition_of(key: u64, partitions: u32) -> u32 {
    let mut z = key.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z % u64::from(partitions.max(1))) as u32
}

struct Partition {
    /// offset of `log[0]`
    base: u64,
    /// messages from `base` on: when appended, key, operation
    log: VecDeque<(SimTime, u64, Op)>,
}

impl Partition {
    fn end(&self) -> u64 {
        self.base + self.log.len() as u64
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Cursor {
    committed: u64,
    /// a delivery (or its retry timer) is out
    busy: bool,
    token: u32,
}

/// A consumer group's counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct GroupCounters {
    pub delivered: u64,
    pub acknowledged: u64,
    pub failed: u64,
    /// messages behind now, over all partitions
    pub lag: u64,
    /// the most messages the group was ever behind
    pub max_lag: u64,
}

/// The stream's state machine.
pub(crate) struct Stream {
    retry: SimTime,
    parts: Vec<Partition>,
    /// `cursors[group * partitions + partition]`
    cursors: Vec<Cursor>,
    pub groups: Vec<GroupCounters>,
    alive: bool,
    /// counts over the whole run
    pub counters: MsgCounters,
    /// it feeds a projection: its appended writes are the data's committed versions (`stores_data`)
    pub event_store: bool,
}

impl Stream {
    pub fn new(p: &StreamParams, groups: u32) -> Stream {
        let n = p.partitions.clamp(1, 1024);
        Stream {
            retry: SimTime::from_ms(p.retry_ms),
            parts: (0..n)
                .map(|_| Partition {
                    base: 0,
                    log: VecDeque::new(),
                })
                .collect(),
            cursors: vec![Cursor::default(); (groups * n) as usize],
            groups: vec![GroupCounters::default(); groups as usize],
            alive: true,
            counters: MsgCounters::default(),
            event_store: false,
        }
    }

    fn n(&self) -> u32 {
        self.parts.len() as u32
    }

    /// Group `g`'s lag on each partition.
    pub fn lag(&self, g: u32) -> Vec<u64> {
        (0..self.n())
            .map(|p| {
                self.parts[p as usize].end() - self.cursors[(g * self.n() + p) as usize].committed
            })
            .collect()
    }

    /// When the oldest message some group has not yet committed was appended.
    pub fn oldest(&self) -> Option<SimTime> {
        let n = self.n();
        (0..self.groups.len() as u32)
            .flat_map(|g| (0..n).map(move |p| (g, p)))
            .filter_map(|(g, p)| {
                let part = &self.parts[p as usize];
                let c = self.cursors[(g * n + p) as usize].committed;
                part.log.get((c - part.base) as usize).map(|m| m.0)
            })
            .min()
    }

    /// Messages some group has still to commit, summed over groups (what keeps a run going).
    pub fn backlog(&self) -> u64 {
        (0..self.groups.len() as u32)
            .map(|g| self.lag(g).iter().sum::<u64>())
            .sum()
    }

    /// A producer's message arrives: append it to its key's partition and acknowledge.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, key: u64, op: Op) {
        self.counters.published += 1;
        self.counters.enqueued += 1;
        ctx.out.push(Action::Respond {
            req,
            outcome: Outcome::Ok,
        });
        let p = partition_of(key, self.n());
        self.parts[p as usize].log.push_back((ctx.now, key, op));
        for g in &mut self.groups {
            g.lag += 1;
            g.max_lag = g.max_lag.max(g.lag);
        }
        for g in 0..self.groups.len() as u32 {
            self.pull(ctx, g, p);
        }
    }

    /// Delivers group `g`'s next message on partition `p` if nothing is out there.
    fn pull(&mut self, ctx: &mut Ctx<'_>, g: u32, p: u32) {
        let i = (g * self.n() + p) as usize;
        let part = &self.parts[p as usize];
        let c = &mut self.cursors[i];
        if !self.alive || c.busy || c.committed >= part.end() {
            return;
        }
        let (_, key, op) = part.log[(c.committed - part.base) as usize];
        c.busy = true;
        self.counters.delivered += 1;
        self.counters.in_flight += 1;
        self.groups[g as usize].delivered += 1;
        ctx.out.push(Action::Spawn {
            key,
            op,
            port: g,
            slot: i as u32,
        });
    }

    /// Drops messages every group has committed.
    fn trim(&mut self, p: u32) {
        let n = self.n();
        let part = &mut self.parts[p as usize];
        let min = (0..self.groups.len() as u32)
            .map(|g| self.cursors[(g * n + p) as usize].committed)
            .min()
            .unwrap_or(part.end());
        while part.base < min {
            part.log.pop_front();
            part.base += 1;
        }
    }

    /// A consumer group answers a delivery.
    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32, outcome: Outcome) {
        ctx.out.push(Action::Absorb { req });
        self.settle(ctx, slot, outcome == Outcome::Ok);
    }

    fn settle(&mut self, ctx: &mut Ctx<'_>, slot: u32, ok: bool) {
        let (g, p) = (slot / self.n(), slot % self.n());
        self.counters.in_flight -= 1;
        if ok {
            self.counters.acknowledged += 1;
            self.groups[g as usize].acknowledged += 1;
            self.groups[g as usize].lag -= 1;
            let c = &mut self.cursors[slot as usize];
            c.committed += 1;
            c.busy = false;
            self.trim(p);
            self.pull(ctx, g, p);
        } else {
            // Retry the same offset later: skipping it would break the order.
            self.counters.failed += 1;
            self.groups[g as usize].failed += 1;
            let c = &mut self.cursors[slot as usize];
            c.token = c.token.wrapping_add(1);
            ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(self.retry),
                slot,
                token: c.token,
            });
        }
    }

    /// A retry timer fires.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        let c = &mut self.cursors[slot as usize];
        if !c.busy || c.token != token {
            return;
        }
        c.busy = false;
        self.counters.redelivered += 1;
        let (g, p) = (slot / self.n(), slot % self.n());
        self.pull(ctx, g, p);
    }

    /// A delivery was lost on a link: retry it like a failure.
    pub fn abandon(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        self.settle(ctx, slot, false);
    }

    /// The broker stops delivering (the log is kept).
    pub fn kill(&mut self) {
        self.alive = false;
    }

    /// The broker delivers again from the committed offsets.
    pub fn revive(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = true;
        for g in 0..self.groups.len() as u32 {
            for p in 0..self.n() {
                self.pull(ctx, g, p);
            }
        }
    }
}

impl StreamParams {
    /// How the inspector names a stream's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("partitions", "Partitions"),
            Term::new("retry_ms", "Retry failed after"),
        ],
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    #[test]
    fn one_key_stays_on_one_partition_and_in_order() {
        let mut s = Stream::new(&StreamParams::default(), 1);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        let mut ctx = Ctx {
            now: SimTime::ZERO,
            rng: &mut rng,
            out: &mut out,
            counting: true,
        };
        for r in 0..3 {
            s.on_request(&mut ctx, r, 99, Op::Write);
        }
        let p = partition_of(99, 4);
        // One delivery out on that partition; the other two wait behind it.
        assert_eq!(s.lag(0)[p as usize], 3);
        assert_eq!(s.counters.delivered, 1);
        s.on_response(&mut ctx, 10, p, Outcome::Ok);
        assert_eq!(s.lag(0)[p as usize], 2);
        assert_eq!(s.counters.delivered, 2);
        s.on_response(&mut ctx, 11, p, Outcome::Error);
        assert_eq!(s.lag(0)[p as usize], 2, "a failure does not commit");
    }

    #[test]
    fn keys_spread_over_partitions() {
        let mut counts = [0u32; 4];
        for k in 0..4000 {
            counts[partition_of(k, 4) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (900..1100).contains(&c)),
            "{counts:?}"
        );
    }
}
