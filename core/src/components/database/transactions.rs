//! Write transactions and their row locks (`row_locks`). A write is a transaction on its connection: it locks
//! its rows one after another (`tx_rows` of them: the group of consecutive keys holding its key, starting at
//! its own, or in key order with `ordered_locks`), runs one statement (a service time) on each once it holds
//! it, and commits, handing every row on to the first transaction waiting for it. A transaction keeps its
//! connection while it waits, so a hot row also starves the pool.
//!
//! ```text
//!   write ──> lock row 1 ─(wait)─> statement ──> lock row 2 ─(wait)─> statement ──> commit: rows handed on
//!                 │ a cycle of waits: deadlock ──> abort ──> retry from row 1 (at most `tx_retries` times)
//!                 └ serializable, row committed since the transaction began ──> abort (serialization failure)
//! ```
//!
//! Under `read_committed` a transaction that waited goes on with the row as the holder left it. Under
//! `serializable` it aborts when the row changed after it began (first updater wins), so contention turns
//! into aborts and retries. Reads take no locks (they read the last committed version). With `row_locks`
//! off none of this exists and no number changes.

use std::collections::{BTreeMap, VecDeque};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::Database;
use super::locks::{Ask, LockTable};
use crate::components::{Action, Ctx};
use crate::request::Outcome;
use crate::time::SimTime;
use crate::vocab::Choices;

/// Isolation level of write transactions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Isolation {
    /// a transaction that waited for a row goes on with the row's newest version
    #[default]
    ReadCommitted,
    /// a transaction that finds a row committed after it began aborts and is retried
    Serializable,
}

impl Choices for Isolation {
    const ALL: &'static [Isolation] = &[Isolation::ReadCommitted, Isolation::Serializable];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            Isolation::ReadCommitted => "Read committed",
            Isolation::Serializable => "Serializable",
        })
    }
}

/// Where a connection's transaction is.
#[derive(Clone, Copy, Debug, Default)]
struct TxSlot {
    /// a transaction runs on this connection
    active: bool,
    /// it aborted and waits for its retry timer
    restarting: bool,
    /// the row it is at, `0..rows`
    step: u32,
    /// aborts so far
    aborts: u32,
    /// when this attempt began (its snapshot)
    begun: SimTime,
    /// when it asked for the row it waits for
    asked: SimTime,
}

/// Counts over the measurement window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LockCounters {
    pub acquisitions: u64,
    pub waits: u64,
    pub wait_sum_ns: u128,
    pub deadlocks: u64,
    pub serialization_failures: u64,
    pub gave_up: u64,
    pub commits: u64,
}

/// The transactions of one database node.
pub(crate) struct Txs {
    locks: LockTable,
    rows: u64,
    ordered: bool,
    serializable: bool,
    retries: u32,
    slots: Vec<TxSlot>,
    /// last commit per row (serializable only), pruned of commits older than every running transaction
    commits: BTreeMap<u64, SimTime>,
    prune_at: usize,
    pub counters: LockCounters,
    hist: Histogram<u64>,
}

const PRUNE_MIN: usize = 4096;

impl Txs {
    pub fn new(p: &super::DatabaseParams, connections: u32) -> Txs {
        Txs {
            locks: LockTable::new(connections),
            rows: u64::from(p.tx_rows.max(1)),
            ordered: p.ordered_locks,
            serializable: p.isolation == Isolation::Serializable,
            retries: p.tx_retries,
            slots: vec![TxSlot::default(); connections as usize],
            commits: BTreeMap::new(),
            prune_at: PRUNE_MIN,
            counters: LockCounters::default(),
            hist: Histogram::new_with_bounds(1, crate::metrics::HIST_MAX_NS, 2)
                .expect("static histogram bounds are valid"),
        }
    }

    /// The row a transaction on `key` locks at `step`.
    pub fn row_of(&self, key: u64, step: u32) -> u64 {
        let k = self.rows;
        let own = key % k;
        let base = key - own;
        let at = if self.ordered {
            u64::from(step)
        } else {
            (own + u64::from(step)) % k
        };
        base.wrapping_add(at)
    }

    /// Mean wait of the waits [ms].
    pub fn wait_mean_ms(&self) -> f64 {
        if self.counters.waits == 0 {
            0.0
        } else {
            self.counters.wait_sum_ns as f64 / self.counters.waits as f64 / 1e6
        }
    }

    /// 99th percentile of the waits [ms].
    pub fn wait_p99_ms(&self) -> f64 {
        if self.counters.waits == 0 {
            0.0
        } else {
            self.hist.value_at_quantile(0.99) as f64 / 1e6
        }
    }

    fn remember_commit(&mut self, row: u64, now: SimTime) {
        self.commits.insert(row, now);
        if self.commits.len() >= self.prune_at {
            let oldest = self
                .slots
                .iter()
                .filter(|s| s.active)
                .map(|s| s.begun)
                .min()
                .unwrap_or(now);
            self.commits.retain(|_, t| *t > oldest);
            self.prune_at = PRUNE_MIN.max(2 * self.commits.len());
        }
    }
}

impl Database {
    /// A write starts on connection `slot`: begin its transaction.
    pub(super) fn begin_tx(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        let Some(t) = self.txs.as_mut() else { return };
        t.slots[slot as usize] = TxSlot {
            active: true,
            begun: ctx.now,
            ..TxSlot::default()
        };
        let handed = self.ask_row(ctx, slot);
        self.settle(ctx, handed);
    }

    /// The transaction on `slot` asks for the row of its step; returns rows an abort handed on.
    fn ask_row(&mut self, ctx: &mut Ctx<'_>, slot: u32) -> Vec<(u32, u64)> {
        let key = self.jobs[self.slots[slot as usize].job as usize].key;
        let counting = self.counting(ctx.now);
        let Some(t) = self.txs.as_mut() else {
            return Vec::new();
        };
        let row = t.row_of(key, t.slots[slot as usize].step);
        match t.locks.ask(slot, row) {
            Ask::Granted => self.granted(ctx, slot, row, false),
            Ask::Waits => {
                t.slots[slot as usize].asked = ctx.now;
                Vec::new()
            }
            Ask::Deadlock => {
                if counting {
                    t.counters.deadlocks += 1;
                }
                self.abort(ctx, slot)
            }
        }
    }

    /// The transaction on `slot` holds `row` now: run its statement, or abort when serializable and the row
    /// changed after it began. Returns rows an abort handed on.
    fn granted(&mut self, ctx: &mut Ctx<'_>, slot: u32, row: u64, waited: bool) -> Vec<(u32, u64)> {
        let counting = self.counting(ctx.now);
        let Some(t) = self.txs.as_mut() else {
            return Vec::new();
        };
        let s = t.slots[slot as usize];
        if counting {
            t.counters.acquisitions += 1;
            if waited {
                let w = ctx.now.since(s.asked).0;
                t.counters.waits += 1;
                t.counters.wait_sum_ns += u128::from(w);
                t.hist.saturating_record(w.max(1));
            }
        }
        if t.serializable && t.commits.get(&row).is_some_and(|&c| c > s.begun) {
            if counting {
                t.counters.serialization_failures += 1;
            }
            return self.abort(ctx, slot);
        }
        let last = u64::from(s.step) + 1 == t.rows;
        self.statement(ctx, slot, last);
        Vec::new()
    }

    /// The transaction on `slot` aborts: it gives up its rows and waits for its retry (or, out of retries,
    /// for the timer that fails it). Returns the rows handed on.
    fn abort(&mut self, ctx: &mut Ctx<'_>, slot: u32) -> Vec<(u32, u64)> {
        let Some(t) = self.txs.as_mut() else {
            return Vec::new();
        };
        let handed = t.locks.release(slot);
        let s = &mut t.slots[slot as usize];
        s.aborts += 1;
        s.restarting = true;
        let sl = &mut self.slots[slot as usize];
        sl.token = sl.token.wrapping_add(1);
        ctx.out.push(Action::ServiceDone {
            at: ctx.now,
            slot,
            token: sl.token,
        });
        handed
    }

    /// Rows handed on: each new holder goes on (unless its instance is down), and any abort that causes
    /// hands rows on in turn.
    fn settle(&mut self, ctx: &mut Ctx<'_>, handed: Vec<(u32, u64)>) {
        let mut work: VecDeque<(u32, u64)> = handed.into();
        while let Some((tx, row)) = work.pop_front() {
            let inst = tx / self.workers;
            if !self.alive || self.instances[inst as usize].role == super::Role::Failed {
                continue;
            }
            work.extend(self.granted(ctx, tx, row, true));
        }
    }

    /// A timer of the transaction on `slot`: its retry is due, or its statement is done. Returns `true` when
    /// the write committed (the caller completes it), `false` when the transaction goes on or was failed.
    pub(super) fn tx_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32) -> bool {
        let counting = self.counting(ctx.now);
        let Some(t) = self.txs.as_mut() else {
            return true;
        };
        let s = t.slots[slot as usize];
        if !s.active {
            return true;
        }
        if s.restarting {
            if s.aborts > t.retries {
                if counting {
                    t.counters.gave_up += 1;
                }
                let job = self.slots[slot as usize].job;
                self.finish(ctx, job, Outcome::Error);
                self.release(ctx, slot);
                return false;
            }
            let ts = &mut t.slots[slot as usize];
            ts.restarting = false;
            ts.step = 0;
            ts.begun = ctx.now;
            let handed = self.ask_row(ctx, slot);
            self.settle(ctx, handed);
            return false;
        }
        if u64::from(s.step) + 1 < t.rows {
            t.slots[slot as usize].step += 1;
            let handed = self.ask_row(ctx, slot);
            self.settle(ctx, handed);
            return false;
        }
        true
    }

    /// Whether the transaction on `slot` is waiting for its retry timer.
    pub(super) fn tx_restarting(&self, slot: u32) -> bool {
        self.txs
            .as_ref()
            .is_some_and(|t| t.slots[slot as usize].active && t.slots[slot as usize].restarting)
    }

    /// The transaction on `slot` ends (commits, fails or is killed): its rows go to their next waiters.
    pub(super) fn end_tx(&mut self, ctx: &mut Ctx<'_>, slot: u32, committed: bool) {
        let counting = self.counting(ctx.now);
        let Some(t) = self.txs.as_mut() else { return };
        if !t.slots[slot as usize].active {
            return;
        }
        t.slots[slot as usize].active = false;
        if committed {
            if counting {
                t.counters.commits += 1;
            }
            if t.serializable {
                for row in t.locks.held(slot).to_vec() {
                    t.remember_commit(row, ctx.now);
                }
            }
        }
        let handed = t.locks.release(slot);
        self.settle(ctx, handed);
    }
}

/// The transactions' block of a database's report (`database.locks`), when `row_locks` is on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockReport {
    /// isolation level: `read_committed` or `serializable`
    pub isolation: Isolation,
    /// write transactions committed
    pub commits: u64,
    /// row locks granted (each row of each attempt)
    pub acquisitions: u64,
    /// of those, locks a transaction had to wait for (the row was held)
    pub waits: u64,
    /// mean wait of the locks that waited [ms]
    pub wait_mean_ms: f64,
    /// 99th percentile of those waits [ms]
    pub wait_p99_ms: f64,
    /// deadlocks detected (each aborts the transaction that closed the cycle)
    pub deadlocks: u64,
    /// serializable transactions aborted because a row they locked changed after they began
    pub serialization_failures: u64,
    /// aborts of either kind (each retried, or failed when out of retries)
    pub aborts: u64,
    /// transactions that failed after `tx_retries` retries
    pub gave_up: u64,
    /// lock waits per second of the window
    pub waits_per_s: f64,
    /// aborts per second of the window
    pub aborts_per_s: f64,
    /// deadlocks per second of the window
    pub deadlocks_per_s: f64,
}

impl LockReport {
    pub(crate) fn new(t: &Txs, window_ns: u64) -> LockReport {
        let c = &t.counters;
        let secs = window_ns as f64 / 1e9;
        let per_s = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let aborts = c.deadlocks + c.serialization_failures;
        LockReport {
            isolation: if t.serializable {
                Isolation::Serializable
            } else {
                Isolation::ReadCommitted
            },
            commits: c.commits,
            acquisitions: c.acquisitions,
            waits: c.waits,
            wait_mean_ms: t.wait_mean_ms(),
            wait_p99_ms: t.wait_p99_ms(),
            deadlocks: c.deadlocks,
            serialization_failures: c.serialization_failures,
            aborts,
            gave_up: c.gave_up,
            waits_per_s: per_s(c.waits),
            aborts_per_s: per_s(aborts),
            deadlocks_per_s: per_s(c.deadlocks),
        }
    }

    pub(crate) fn digest(&self, h: &mut crate::digest::Digest) {
        h.u64s(&[
            self.commits,
            self.acquisitions,
            self.waits,
            self.deadlocks,
            self.serialization_failures,
            self.gave_up,
        ]);
        h.f64s(&[self.wait_mean_ms, self.wait_p99_ms]);
    }
}
