//! The database: shards, each a primary and its read replicas, every instance with its own connection pool
//! (`workers`) and bounded queue, all inside one node. Query cost comes from the data (`database/cost.rs`),
//! keys go to shards by hash, range or a consistent-hash ring (`database/sharding.rs`), and replication lag,
//! stale reads, write conflicts and writes lost in a failover are bookkept in `database/replication.rs`.
//!
//! ```text
//!   request ──> shard of the key ──> write: the primary (or, multi-primary, any instance in turn)
//!                                └─> read:  a replica in turn (the primary when there are none)
//!   cross-shard read ──> one sub-query per shard, answered when the slowest is done
//! ```
//!
//! With the defaults (preset `plain`, one shard, no replicas) it behaves exactly as the server preset it used
//! to be: one pool, `service_time` per query, the same random draws in the same order.

pub mod buffer;
pub mod cost;
pub mod denormalise;
pub mod locks;
pub mod replication;
pub mod sharding;
pub mod transactions;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Incoming, Levels, mismatch};
use crate::components::{
    Action, Ctx, NodeDetail, Params, check_dist, check_num, check_prob, check_range,
};
use crate::digest::Digest;
use crate::dist::Dist;
use crate::request::{Op, Outcome};
use crate::resilience::default_json;
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

use buffer::Buffers;
pub use buffer::{BufferCacheParams, BufferCacheReport};
pub use cost::{Costs, Preset, Table};
pub use replication::{Log, Replication};
pub use sharding::{Ring, Router, Sharding};
use transactions::Txs;
pub use transactions::{Isolation, LockReport};

/// Database parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseParams {
    /// connection pool of each instance (primary or replica) [≥ 1], default 10
    pub workers: u32,
    /// waiting room of each instance; `null` = unbounded, default 1000
    pub queue_capacity: Option<u32>,
    /// time per query at speed 1 (preset `plain`); with a preset its shape, scaled to the cost from the data,
    /// default exponential with mean 3 ms
    pub service_time: Dist,
    /// probability that a query fails [0..1], default 0
    pub error_probability: f64,
    /// speed factor: query times are divided by it [> 0], default 1
    pub speed: f64,
    /// cost model: `plain` (service time only), `sql` or `nosql`, default plain
    pub preset: Preset,
    /// rows in the table at the start, spread over the shards; every write adds one, default 10 000
    pub rows: u64,
    /// reads look the key up in an index (log rows) instead of scanning (rows), default true
    pub indexed: bool,
    /// secondary indexes each write also updates, default 0
    pub indexes: u32,
    /// tables a read joins (1 = a denormalised read) [≥ 1], default 1
    pub join_tables: u32,
    /// read replicas per shard, default 0
    pub replicas: u32,
    /// `async` (replicas apply writes `lag_ms` later) or `sync` (a write waits `lag_ms` for them), default
    /// async
    pub replication: Replication,
    /// replication lag [ms], default 50
    pub lag_ms: f64,
    /// every instance takes writes (conflicting writes to a key within the lag are counted), default false
    pub multi_primary: bool,
    /// when each shard's primary fails [s]; `null` = never, default null
    pub primary_failure_s: Option<f64>,
    /// time to detect a failed primary and promote a replica [ms], default 2000
    pub failover_ms: f64,
    /// shards [≥ 1], default 1
    pub shards: u32,
    /// `hash`, `range` or `consistent`, default hash
    pub sharding: Sharding,
    /// points per shard on the consistent-hash ring [≥ 1], default 100
    pub virtual_nodes: u32,
    /// range sharding splits keys `0..key_space` into equal slices [≥ 1], default 1000
    pub key_space: u64,
    /// reads do not carry the shard key, so each asks every shard and waits for the slowest, default false
    pub cross_shard_reads: bool,
    /// writes run as transactions that lock each row they write until they commit (`transactions.rs`),
    /// default false
    pub row_locks: bool,
    /// rows a write transaction locks, one statement (service time) each: the group of `tx_rows`
    /// consecutive keys holding its key, starting at its own (2: a transfer between two accounts) [1..16],
    /// default 1
    pub tx_rows: u32,
    /// a transaction locks its rows in key order instead of starting at its own key (no deadlocks),
    /// default false
    pub ordered_locks: bool,
    /// `read_committed` or `serializable` (a transaction that finds a row committed after it began aborts),
    /// default read_committed
    pub isolation: Isolation,
    /// retries of an aborted transaction (deadlock victim or serialization failure) before the write fails
    /// [0..100], default 3
    pub tx_retries: u32,
    /// width of a row [bytes]; with it a scan reads ⌈rows ÷ ⌊8192 ÷ width⌋⌉ pages (`database/cost.rs`),
    /// 0 = rows have no width (a scan costs per row), default 0
    pub row_bytes: u64,
    /// bytes of the columns reads need, ≤ `row_bytes`; used when `vertical_partition` is on, default 0
    pub hot_bytes: u64,
    /// vertical partitioning: the columns reads need live in a table of their own, so a scan reads
    /// `hot_bytes`-wide rows instead of `row_bytes`-wide ones, default false
    pub vertical_partition: bool,
    /// the buffer cache: pages held in memory per instance, a miss reading its page from disk
    /// (`database/buffer.rs`); `null` = none, default null
    #[serde(default)]
    pub buffer_cache: Option<BufferCacheParams>,
    /// denormalised: the columns a read would join are copied into its row, so a read looks up one table
    /// instead of `join_tables`, and an update writes `copies_per_update` rows (`database/denormalise.rs`),
    /// default false
    #[serde(default)]
    pub denormalised: bool,
    /// denormalised: rows an update writes, the row and its copies [1..1000], default 1
    #[serde(default = "one_copy")]
    pub copies_per_update: u32,
}

fn one_copy() -> u32 {
    1
}

impl Default for DatabaseParams {
    fn default() -> Self {
        DatabaseParams {
            workers: 10,
            queue_capacity: Some(1000),
            service_time: Dist::Exponential { mean_ms: 3.0 },
            error_probability: 0.0,
            speed: 1.0,
            preset: Preset::Plain,
            rows: 10_000,
            indexed: true,
            indexes: 0,
            join_tables: 1,
            replicas: 0,
            replication: Replication::Async,
            lag_ms: 50.0,
            multi_primary: false,
            primary_failure_s: None,
            failover_ms: 2000.0,
            shards: 1,
            sharding: Sharding::Hash,
            virtual_nodes: 100,
            key_space: 1000,
            cross_shard_reads: false,
            row_locks: false,
            tx_rows: 1,
            ordered_locks: false,
            isolation: Isolation::ReadCommitted,
            tx_retries: 3,
            row_bytes: 0,
            hot_bytes: 0,
            vertical_partition: false,
            buffer_cache: None,
            denormalised: false,
            copies_per_update: 1,
        }
    }
}

/// The default parameters (the palette's and the inspector's).
pub fn default_params() -> DatabaseParams {
    DatabaseParams::default()
}

impl DatabaseParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut at_least_one = |field: &str, v: u64| {
            if v == 0 {
                out.push((field.to_string(), format!("`{field}` must be at least 1")));
            }
        };
        at_least_one("workers", u64::from(self.workers));
        at_least_one("join_tables", u64::from(self.join_tables));
        at_least_one("copies_per_update", u64::from(self.copies_per_update));
        at_least_one("shards", u64::from(self.shards));
        at_least_one("virtual_nodes", u64::from(self.virtual_nodes));
        at_least_one("key_space", self.key_space);
        check_dist(&mut out, "service_time", &self.service_time);
        check_prob(&mut out, "error_probability", self.error_probability);
        check_num(&mut out, "speed", self.speed, 0.0);
        if self.speed.is_finite() && self.speed <= 0.0 {
            out.push(("speed".into(), "`speed` must be positive".into()));
        }
        check_num(&mut out, "lag_ms", self.lag_ms, 0.0);
        check_num(&mut out, "failover_ms", self.failover_ms, 0.0);
        if let Some(t) = self.primary_failure_s {
            check_num(&mut out, "primary_failure_s", t, 0.0);
            if self.replicas == 0 {
                out.push((
                    "primary_failure_s".into(),
                    "a failed primary needs a replica to promote: set `replicas` to at least 1"
                        .into(),
                ));
            }
        }
        if self.shards > 1024 {
            out.push(("shards".into(), "`shards` must be at most 1024".into()));
        }
        if self.replicas > 64 {
            out.push(("replicas".into(), "`replicas` must be at most 64".into()));
        }
        if u64::from(self.shards) * u64::from(self.virtual_nodes) > 1_000_000 {
            out.push((
                "virtual_nodes".into(),
                "`shards` × `virtual_nodes` must be at most 1 000 000".into(),
            ));
        }
        if u64::from(self.workers) * u64::from(self.shards) * (u64::from(self.replicas) + 1)
            > 1_000_000
        {
            out.push((
                "workers".into(),
                "`workers` × `shards` × (`replicas` + 1) must be at most 1 000 000".into(),
            ));
        }
        if self.row_bytes > 0 && self.hot_bytes > self.row_bytes {
            out.push((
                "hot_bytes".into(),
                "`hot_bytes` (the columns reads need) must be at most `row_bytes`".into(),
            ));
        }
        if let Some(b) = &self.buffer_cache {
            b.problems(&mut out);
        }
        let mut ranges = vec![
            ("workers", f64::from(self.workers)),
            ("speed", self.speed),
            ("rows", self.rows as f64),
            ("indexes", f64::from(self.indexes)),
            ("join_tables", f64::from(self.join_tables)),
            ("lag_ms", self.lag_ms),
            ("failover_ms", self.failover_ms),
            ("virtual_nodes", f64::from(self.virtual_nodes)),
            ("key_space", self.key_space as f64),
            ("tx_rows", f64::from(self.tx_rows)),
            ("tx_retries", f64::from(self.tx_retries)),
            ("row_bytes", self.row_bytes as f64),
            ("hot_bytes", self.hot_bytes as f64),
            ("copies_per_update", f64::from(self.copies_per_update)),
        ];
        if let Some(q) = self.queue_capacity {
            ranges.push(("queue_capacity", f64::from(q)));
        }
        if let Some(t) = self.primary_failure_s {
            ranges.push(("primary_failure_s", t));
        }
        for (field, v) in ranges {
            check_range(&mut out, field, v);
        }
        out
    }

    /// Whether the diagram uses anything beyond the plain server preset (then the report's database section
    /// is part of the digest).
    pub fn modelled(&self) -> bool {
        self.preset != Preset::Plain
            || self.replicas > 0
            || self.shards > 1
            || self.multi_primary
            || self.primary_failure_s.is_some()
            || self.row_locks
            || self.buffer_cache.is_some()
    }
}

/// Counts of a database over the measurement window (by completion time).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DbCounters {
    pub reads: u64,
    pub writes: u64,
    pub stale_reads: u64,
    pub lost_writes: u64,
    pub conflicts: u64,
    pub failed_writes: u64,
    pub cross_shard_reads: u64,
    pub failovers: u64,
    /// the longest span of acknowledged writes a failure lost: failure time − the oldest lost write's commit
    pub rpo_ns: u64,
    /// the longest a shard went without a primary: promotion time − failure time
    pub rto_ns: u64,
}

/// What an instance does now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Primary,
    Replica,
    Failed,
}

impl Role {
    /// The report's name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Replica => "replica",
            Role::Failed => "failed",
        }
    }
}

/// One primary or replica: a connection pool and its queue.
#[derive(Clone, Debug)]
pub(crate) struct Instance {
    pub shard: u32,
    pub role: Role,
    free: Vec<u32>,
    queue: VecDeque<u32>,
    pub reads: u64,
    pub writes: u64,
    pub stale_reads: u64,
    /// service time started in the window [ns]
    pub busy_ns: u64,
}

#[derive(Clone, Debug)]
struct Shard {
    primary: u32,
    /// instances serving reads, in turn
    readers: Vec<u32>,
    /// instances taking writes, in turn
    writers: Vec<u32>,
    next_read: u32,
    next_write: u32,
    rows: u64,
    /// the primary failed and no replica is promoted yet
    down: bool,
    /// when it went down
    down_since: SimTime,
}

#[derive(Clone, Copy, Debug)]
struct Job {
    req: u32,
    key: u64,
    op: Op,
    /// the cross-shard read this is part of, or `NONE`
    fan: u32,
}

#[derive(Clone, Copy, Debug)]
struct Fan {
    req: u32,
    pending: u32,
    outcome: Outcome,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    job: u32,
    token: u32,
    busy: bool,
}

const NONE: u32 = u32::MAX;
/// Timer slot: the primaries fail.
const FAIL_SLOT: u32 = u32::MAX - 1;
/// Timer slot: replicas are promoted.
const PROMOTE_SLOT: u32 = u32::MAX - 2;

/// The database's state machine.
pub(crate) struct Database {
    service: Dist,
    mean_ms: f64,
    factor: f64,
    speed: f64,
    error_p: f64,
    queue_cap: Option<u32>,
    costs: Option<Costs>,
    table: Table,
    /// rows an update writes (1, or the copies of a denormalised row)
    writes_per_update: f64,
    workers: u32,
    router: Router,
    shards: Vec<Shard>,
    pub instances: Vec<Instance>,
    slots: Vec<Slot>,
    jobs: Vec<Job>,
    free_jobs: Vec<u32>,
    fans: Vec<Fan>,
    free_fans: Vec<u32>,
    log: Log,
    /// whether the log is needed (a replication window: async replicas or multi-primary)
    logging: bool,
    /// connections taken, over all instances
    taken: u32,
    /// queries queued, over all instances
    queued: u32,
    /// extra time a write holds its connection waiting for synchronous replicas
    sync_wait: SimTime,
    cross_shard: bool,
    multi_primary: bool,
    failure: Option<SimTime>,
    failover: SimTime,
    window: (SimTime, SimTime),
    pub counters: DbCounters,
    /// write transactions and their row locks, when `row_locks` is on
    txs: Option<Txs>,
    /// the buffer cache, when `buffer_cache` is set
    buffers: Option<Buffers>,
    alive: bool,
    /// whether the report's database section enters the digest
    pub modelled: bool,
}

impl Database {
    /// A database; `window` is the measurement window (counters count only inside it).
    pub fn new(p: &DatabaseParams, window: (SimTime, SimTime)) -> Database {
        let workers = p.workers.max(1);
        let n_shards = p.shards.max(1);
        let per_shard = 1 + p.replicas;
        let mut instances = Vec::new();
        let mut shards = Vec::new();
        let base_rows = p.rows / u64::from(n_shards);
        for s in 0..n_shards {
            let first = s * per_shard;
            let all: Vec<u32> = (first..first + per_shard).collect();
            for (j, _) in all.iter().enumerate() {
                instances.push(Instance {
                    shard: s,
                    role: if j == 0 || p.multi_primary {
                        Role::Primary
                    } else {
                        Role::Replica
                    },
                    free: (0..workers).rev().collect(),
                    queue: VecDeque::new(),
                    reads: 0,
                    writes: 0,
                    stale_reads: 0,
                    busy_ns: 0,
                });
            }
            let (readers, writers) = if p.multi_primary {
                (all.clone(), all.clone())
            } else if p.replicas > 0 {
                (all[1..].to_vec(), vec![first])
            } else {
                (vec![first], vec![first])
            };
            shards.push(Shard {
                primary: first,
                readers,
                writers,
                next_read: 0,
                next_write: 0,
                rows: base_rows + u64::from(u64::from(s) < p.rows % u64::from(n_shards)),
                down: false,
                down_since: SimTime::ZERO,
            });
        }
        let lag = SimTime::from_ms(p.lag_ms);
        let replicated = p.replicas > 0;
        let window_lag = if replicated && p.replication == Replication::Async {
            lag
        } else {
            SimTime::ZERO
        };
        let slots = vec![
            Slot {
                job: 0,
                token: 0,
                busy: false
            };
            instances.len() * workers as usize
        ];
        let txs = p.row_locks.then(|| Txs::new(p, slots.len() as u32));
        let buffers = p
            .buffer_cache
            .as_ref()
            .map(|b| Buffers::new(b, instances.len(), window.1));
        Database {
            txs,
            buffers,
            service: p.service_time.clone(),
            mean_ms: p.service_time.mean_ms(),
            factor: 1.0 / p.speed,
            speed: p.speed,
            error_p: p.error_probability,
            queue_cap: p.queue_capacity,
            costs: p.preset.costs(),
            writes_per_update: f64::from(denormalise::writes_per_update(p)),
            table: Table {
                indexed: p.indexed,
                indexes: p.indexes,
                join_tables: denormalise::read_tables(p),
                scan_bytes: if p.vertical_partition && p.hot_bytes > 0 {
                    p.hot_bytes
                } else {
                    p.row_bytes
                },
            },
            workers,
            router: Router::new(n_shards, p.sharding, p.virtual_nodes, p.key_space),
            shards,
            instances,
            slots,
            jobs: Vec::new(),
            free_jobs: Vec::new(),
            fans: Vec::new(),
            free_fans: Vec::new(),
            log: Log::new(window_lag),
            logging: window_lag > SimTime::ZERO,
            taken: 0,
            queued: 0,
            sync_wait: if replicated && p.replication == Replication::Sync {
                lag
            } else {
                SimTime::ZERO
            },
            cross_shard: p.cross_shard_reads && n_shards > 1,
            multi_primary: p.multi_primary,
            failure: p.primary_failure_s.map(SimTime::from_secs),
            failover: SimTime::from_ms(p.failover_ms),
            window,
            counters: DbCounters::default(),
            alive: true,
            modelled: p.modelled(),
        }
    }

    /// Arms the primary-failure timer, if the database has one.
    pub fn init(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(at) = self.failure {
            ctx.out.push(Action::ServiceDone {
                at,
                slot: FAIL_SLOT,
                token: 0,
            });
        }
    }

    fn counting(&self, now: SimTime) -> bool {
        now >= self.window.0 && now < self.window.1
    }

    /// Connections over all instances.
    pub fn workers(&self) -> u32 {
        self.slots.len() as u32
    }

    /// Connections taken.
    pub fn busy(&self) -> u32 {
        self.taken
    }

    /// Queries waiting, over all instances.
    pub fn queue_len(&self) -> u32 {
        self.queued
    }

    /// Connections per instance.
    pub fn pool(&self) -> u32 {
        self.workers
    }

    /// Rows per shard now.
    pub fn rows(&self) -> impl Iterator<Item = u64> + '_ {
        self.shards.iter().map(|s| s.rows)
    }

    /// A query arrives; returns whether it had to wait in a queue.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, key: u64, op: Op) -> bool {
        if op == Op::Read && self.cross_shard {
            let fan = self.new_fan(req);
            let mut waited = false;
            for s in 0..self.shards.len() as u32 {
                let job = self.new_job(req, key, op, fan);
                waited |= self.route(ctx, s, job);
            }
            return waited;
        }
        let shard = self.router.shard_of(key);
        let job = self.new_job(req, key, op, NONE);
        self.route(ctx, shard, job)
    }

    fn new_job(&mut self, req: u32, key: u64, op: Op, fan: u32) -> u32 {
        let j = Job { req, key, op, fan };
        match self.free_jobs.pop() {
            Some(i) => {
                self.jobs[i as usize] = j;
                i
            }
            None => {
                self.jobs.push(j);
                self.jobs.len() as u32 - 1
            }
        }
    }

    fn new_fan(&mut self, req: u32) -> u32 {
        let f = Fan {
            req,
            pending: self.shards.len() as u32,
            outcome: Outcome::Ok,
        };
        match self.free_fans.pop() {
            Some(i) => {
                self.fans[i as usize] = f;
                i
            }
            None => {
                self.fans.push(f);
                self.fans.len() as u32 - 1
            }
        }
    }

    /// Sends `job` to the instance of `shard` that serves it; returns whether it queued.
    fn route(&mut self, ctx: &mut Ctx<'_>, shard: u32, job: u32) -> bool {
        let op = self.jobs[job as usize].op;
        let s = &mut self.shards[shard as usize];
        let blocked = op == Op::Write && s.down;
        let (list, turn) = if op == Op::Write {
            (&s.writers, &mut s.next_write)
        } else {
            (&s.readers, &mut s.next_read)
        };
        let inst = if blocked || list.is_empty() {
            None
        } else {
            let i = list[(*turn as usize) % list.len()];
            *turn = turn.wrapping_add(1) % list.len() as u32;
            Some(i)
        };
        let Some(inst) = inst else {
            // The primary failed and no replica is promoted yet: the query has nowhere to go.
            if op == Op::Write && self.counting(ctx.now) {
                self.counters.failed_writes += 1;
            }
            self.finish(ctx, job, Outcome::Error);
            return false;
        };
        self.submit(ctx, inst, job)
    }

    fn submit(&mut self, ctx: &mut Ctx<'_>, inst: u32, job: u32) -> bool {
        if let Some(w) = self.instances[inst as usize].free.pop() {
            self.start(ctx, inst * self.workers + w, job);
            false
        } else if self
            .queue_cap
            .is_none_or(|cap| (self.instances[inst as usize].queue.len() as u32) < cap)
        {
            self.instances[inst as usize].queue.push_back(job);
            self.queued += 1;
            true
        } else {
            self.finish(ctx, job, Outcome::Rejected);
            false
        }
    }

    fn start(&mut self, ctx: &mut Ctx<'_>, slot: u32, job: u32) {
        let s = &mut self.slots[slot as usize];
        s.job = job;
        s.busy = true;
        self.taken += 1;
        if self.txs.is_some() && self.jobs[job as usize].op == Op::Write {
            self.begin_tx(ctx, slot);
        } else {
            self.statement(ctx, slot, true);
        }
    }

    /// The query on `slot` runs a statement (the last of its transaction, or its only one): its service
    /// time starts.
    fn statement(&mut self, ctx: &mut Ctx<'_>, slot: u32, last: bool) {
        let job = self.slots[slot as usize].job;
        let j = self.jobs[job as usize];
        let inst = slot / self.workers;
        let shard = self.instances[inst as usize].shard as usize;
        let d = match &self.costs {
            None => self.service.sample(ctx.rng, self.factor),
            Some(c) => {
                let cost = match j.op {
                    Op::Read => c.read(&self.table, self.shards[shard].rows),
                    Op::Write => c.write(&self.table) * self.writes_per_update,
                };
                if self.mean_ms > 0.0 {
                    self.service
                        .sample(ctx.rng, self.factor * cost / self.mean_ms)
                } else {
                    SimTime::from_ms(cost * self.factor)
                }
            }
        };
        let d = if j.op == Op::Write && last {
            d.add(self.sync_wait)
        } else {
            d
        };
        let counting = self.counting(ctx.now);
        let d = match self.buffers.as_mut() {
            Some(b) if last => d.add(b.touch(inst, j.key, ctx.now, counting, ctx.rng)),
            _ => d,
        };
        if self.counting(ctx.now) {
            self.instances[inst as usize].busy_ns =
                self.instances[inst as usize].busy_ns.saturating_add(d.0);
        }
        let s = &mut self.slots[slot as usize];
        s.token = s.token.wrapping_add(1);
        ctx.out.push(Action::ServiceDone {
            at: ctx.now.add(d),
            slot,
            token: s.token,
        });
    }

    /// Frees `slot` and gives its connection to the next query queued at its instance.
    fn release(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        self.end_tx(ctx, slot, false);
        self.slots[slot as usize].busy = false;
        self.taken -= 1;
        let inst = slot / self.workers;
        let i = &mut self.instances[inst as usize];
        if !self.alive || i.role == Role::Failed {
            i.free.push(slot % self.workers);
            return;
        }
        match i.queue.pop_front() {
            Some(next) => {
                self.queued -= 1;
                self.start(ctx, slot, next);
            }
            None => i.free.push(slot % self.workers),
        }
    }

    /// A job is over: answer its request, or count it towards its cross-shard read.
    fn finish(&mut self, ctx: &mut Ctx<'_>, job: u32, outcome: Outcome) {
        let j = self.jobs[job as usize];
        self.free_jobs.push(job);
        let (req, outcome) = if j.fan == NONE {
            (j.req, outcome)
        } else {
            let f = &mut self.fans[j.fan as usize];
            if outcome != Outcome::Ok && f.outcome == Outcome::Ok {
                f.outcome = outcome;
            }
            f.pending -= 1;
            if f.pending > 0 {
                return;
            }
            self.free_fans.push(j.fan);
            (f.req, f.outcome)
        };
        if outcome == Outcome::Ok {
            ctx.out.push(Action::Respond { req, outcome });
        } else {
            ctx.out.push(Action::Fail { req, outcome });
        }
    }

    /// A query's service ends, or a failure or promotion timer fires.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        match slot {
            FAIL_SLOT => return self.fail_primaries(ctx),
            PROMOTE_SLOT => return self.promote(ctx),
            _ => {}
        }
        let s = self.slots[slot as usize];
        if !s.busy || s.token != token {
            return;
        }
        let job = s.job;
        if self.tx_restarting(slot) {
            self.tx_timer(ctx, slot);
            return;
        }
        if self.error_p > 0.0 && ctx.rng.chance(self.error_p) {
            self.finish(ctx, job, Outcome::Error);
            self.release(ctx, slot);
            return;
        }
        let j = self.jobs[job as usize];
        if j.op == Op::Write && !self.tx_timer(ctx, slot) {
            return;
        }
        let inst = slot / self.workers;
        let shard = self.instances[inst as usize].shard;
        let counting = self.counting(ctx.now);
        match j.op {
            Op::Write => {
                self.end_tx(ctx, slot, true);
                self.shards[shard as usize].rows += 1;
                let conflict = self.logging && self.log.commit(j.key, inst, ctx.now);
                if counting {
                    self.instances[inst as usize].writes += 1;
                    self.counters.writes += 1;
                    self.counters.conflicts += u64::from(conflict);
                }
            }
            Op::Read => {
                let own = j.fan == NONE || self.router.shard_of(j.key) == shard;
                let stale = self.logging && own && self.log.is_stale(j.key, inst, ctx.now);
                if counting {
                    let i = &mut self.instances[inst as usize];
                    i.reads += 1;
                    i.stale_reads += u64::from(stale);
                    self.counters.stale_reads += u64::from(stale);
                    if own {
                        self.counters.reads += 1;
                        self.counters.cross_shard_reads += u64::from(j.fan != NONE);
                    }
                }
            }
        }
        self.finish(ctx, job, Outcome::Ok);
        self.release(ctx, slot);
    }

    /// Fails every query `inst` holds (queued first, then in service).
    fn fail_instance_work(&mut self, ctx: &mut Ctx<'_>, inst: u32) {
        while let Some(job) = self.instances[inst as usize].queue.pop_front() {
            self.queued -= 1;
            self.finish(ctx, job, Outcome::Error);
        }
        for w in 0..self.workers {
            let slot = inst * self.workers + w;
            if self.slots[slot as usize].busy {
                let job = self.slots[slot as usize].job;
                self.finish(ctx, job, Outcome::Error);
                self.release(ctx, slot);
            }
        }
    }

    /// Each shard's primary fails: what it holds fails, its writes not yet replicated are lost, and writes
    /// fail until a replica is promoted `failover_ms` later (multi-primary: the other primaries go on).
    fn fail_primaries(&mut self, ctx: &mut Ctx<'_>) {
        for s in 0..self.shards.len() {
            let p = self.shards[s].primary;
            if self.instances[p as usize].role == Role::Failed {
                continue;
            }
            self.instances[p as usize].role = Role::Failed;
            let (lost, oldest) = self.log.unreplicated(p, ctx.now);
            if self.counting(ctx.now) {
                self.counters.lost_writes += lost;
                if let Some(o) = oldest {
                    let span = ctx.now.since(o).0;
                    self.counters.rpo_ns = self.counters.rpo_ns.max(span);
                }
            }
            let sh = &mut self.shards[s];
            sh.readers.retain(|&i| i != p);
            sh.writers.retain(|&i| i != p);
            if !self.multi_primary {
                sh.down = true;
                sh.down_since = ctx.now;
            } else if let Some(&next) = sh.writers.first() {
                sh.primary = next;
            }
            self.fail_instance_work(ctx, p);
        }
        if !self.multi_primary {
            ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(self.failover),
                slot: PROMOTE_SLOT,
                token: 0,
            });
        }
    }

    /// The failure is detected: in each shard the first live replica becomes the primary.
    fn promote(&mut self, ctx: &mut Ctx<'_>) {
        let counting = self.counting(ctx.now);
        for sh in &mut self.shards {
            if !sh.down {
                continue;
            }
            let Some(&r) = sh.readers.first() else {
                continue;
            };
            sh.down = false;
            sh.primary = r;
            sh.writers = vec![r];
            if sh.readers.len() > 1 {
                sh.readers.remove(0);
            }
            self.instances[r as usize].role = Role::Primary;
            if counting {
                self.counters.failovers += 1;
                let out = ctx.now.since(sh.down_since).0;
                self.counters.rto_ns = self.counters.rto_ns.max(out);
            }
        }
    }

    /// The node dies: every query it holds fails.
    pub fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = false;
        if let Some(b) = self.buffers.as_mut() {
            b.forget();
        }
        // Queued queries first, then those in service, as a server does.
        for inst in 0..self.instances.len() {
            while let Some(job) = self.instances[inst].queue.pop_front() {
                self.queued -= 1;
                self.finish(ctx, job, Outcome::Error);
            }
        }
        for slot in 0..self.slots.len() as u32 {
            if self.slots[slot as usize].busy {
                let job = self.slots[slot as usize].job;
                self.finish(ctx, job, Outcome::Error);
                self.release(ctx, slot);
            }
        }
    }

    /// The node comes back, empty.
    pub fn revive(&mut self) {
        self.alive = true;
    }

    /// Query times are multiplied by `factor` from now on (1 = normal).
    pub fn slow(&mut self, factor: f64) {
        self.factor = factor / self.speed;
    }
}

/// A database's statistics over the measurement window (counted when a query completes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseReport {
    /// whether the database uses more than the plain server preset (preset, replicas, shards, multi-primary
    /// or a primary failure); only then does this section enter the digest
    pub modelled: bool,
    /// reads completed (a cross-shard read counts once)
    pub reads: u64,
    /// writes committed
    pub writes: u64,
    /// reads that returned a value older than the last write to their key (a replica behind by the lag)
    pub stale_reads: u64,
    /// acknowledged writes a failed primary had not yet replicated, lost when a replica was promoted
    pub lost_writes: u64,
    /// multi-primary: writes to a key another primary wrote less than the lag before
    pub conflicts: u64,
    /// writes failed because the primary was down and no replica was promoted yet
    pub failed_writes: u64,
    /// reads sent to every shard (`cross_shard_reads`)
    pub cross_shard_reads: u64,
    /// replicas promoted to primary
    pub failovers: u64,
    /// recovery point of the worst failure: the span of acknowledged writes it lost, from the oldest lost
    /// write's commit to the failure [ms] (0: none lost)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rpo_ms: f64,
    /// recovery time of the worst failover: how long a shard had no primary, from the failure to the
    /// promotion [ms] (0: no failover)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rto_ms: f64,
    /// write transactions and their row locks (`row_locks`), absent otherwise
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locks: Option<LockReport>,
    /// the buffer cache's hits, misses and timeline (`buffer_cache` set only)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer_cache: Option<BufferCacheReport>,
    /// per shard, in shard order
    pub shards: Vec<ShardReport>,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// One shard of a database.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardReport {
    /// queries its instances completed (reads and writes, cross-shard sub-queries included)
    pub queries: u64,
    /// share of the database's queries [0..1]
    pub share: f64,
    /// rows at the end (the start plus one per committed write)
    pub rows: u64,
    /// its primary and replicas, primary first as configured
    pub instances: Vec<InstanceReport>,
}

/// One primary or replica of a shard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceReport {
    /// `primary`, `replica`, or `failed` (now)
    pub role: String,
    /// reads it served
    pub reads: u64,
    /// writes it committed
    pub writes: u64,
    /// of its reads, the stale ones
    pub stale_reads: u64,
    /// service time started in the window ÷ (connections × window length) [0..1]
    pub utilization: f64,
}

impl DatabaseReport {
    pub(crate) fn new(db: &Database, window_ns: u64) -> DatabaseReport {
        let c = &db.counters;
        let cap = window_ns as f64 * f64::from(db.pool());
        let mut shards: Vec<ShardReport> = db
            .rows()
            .map(|rows| ShardReport {
                rows,
                ..ShardReport::default()
            })
            .collect();
        for i in &db.instances {
            let sh = &mut shards[i.shard as usize];
            sh.queries += i.reads + i.writes;
            sh.instances.push(InstanceReport {
                role: i.role.name().to_string(),
                reads: i.reads,
                writes: i.writes,
                stale_reads: i.stale_reads,
                utilization: if cap > 0.0 {
                    i.busy_ns as f64 / cap
                } else {
                    0.0
                },
            });
        }
        let total: u64 = shards.iter().map(|s| s.queries).sum();
        for s in &mut shards {
            s.share = if total > 0 {
                s.queries as f64 / total as f64
            } else {
                0.0
            };
        }
        DatabaseReport {
            modelled: db.modelled,
            reads: c.reads,
            writes: c.writes,
            stale_reads: c.stale_reads,
            lost_writes: c.lost_writes,
            conflicts: c.conflicts,
            failed_writes: c.failed_writes,
            cross_shard_reads: c.cross_shard_reads,
            failovers: c.failovers,
            rpo_ms: SimTime(c.rpo_ns).as_ms(),
            rto_ms: SimTime(c.rto_ns).as_ms(),
            locks: db.txs.as_ref().map(|t| LockReport::new(t, window_ns)),
            buffer_cache: db.buffers.as_ref().map(BufferCacheReport::new),
            shards,
        }
    }
}

impl DatabaseReport {
    /// A plain database (the server preset it used to be) leaves its section out of the digest, so
    /// diagrams from before keep their pinned digests.
    pub(crate) fn digest(&self, h: &mut Digest) {
        if !self.modelled {
            return;
        }
        h.u64s(&[
            self.reads,
            self.writes,
            self.stale_reads,
            self.lost_writes,
            self.conflicts,
            self.failed_writes,
            self.cross_shard_reads,
            self.failovers,
            self.shards.len() as u64,
        ]);
        for s in &self.shards {
            h.u64(s.queries);
            h.f64(s.share);
            h.u64(s.rows);
            for i in &s.instances {
                h.str(&i.role);
                h.u64s(&[i.reads, i.writes, i.stale_reads]);
                h.f64(i.utilization);
            }
        }
        // Only a database that failed over or lost writes has these (so nothing else changes its digest).
        if self.rpo_ms > 0.0 || self.rto_ms > 0.0 {
            h.f64s(&[self.rpo_ms, self.rto_ms]);
        }
        if let Some(l) = &self.locks {
            l.digest(h);
        }
        if let Some(b) = &self.buffer_cache {
            b.digest(h);
        }
    }

    /// This database's lines in the runner's table (a blank line, its counts, a line per shard), when it
    /// is more than the plain preset.
    pub fn table_lines(&self, id: &str) -> Option<String> {
        use std::fmt::Write as _;
        if !self.modelled {
            return None;
        }
        let mut s = format!(
            "\ndatabase {id}: reads {}  writes {}  stale reads {}  lost writes {}  conflicts {}  failed \
             writes {}  cross-shard reads {}  failovers {}",
            self.reads,
            self.writes,
            self.stale_reads,
            self.lost_writes,
            self.conflicts,
            self.failed_writes,
            self.cross_shard_reads,
            self.failovers
        );
        if self.rpo_ms > 0.0 || self.rto_ms > 0.0 {
            let _ = write!(
                s,
                "\n  failover: RPO {} writes lost ({:.1} ms of acknowledged writes), RTO {:.1} ms without a primary",
                self.lost_writes, self.rpo_ms, self.rto_ms
            );
        }
        if let Some(l) = &self.locks {
            let _ = write!(
                s,
                "\n  transactions ({:?}): commits {}  lock waits {} ({:.1}/s, mean {:.2} ms, p99 {:.2} ms)  \
                 deadlocks {} ({:.2}/s)  aborts {} ({:.2}/s)  gave up {}",
                l.isolation,
                l.commits,
                l.waits,
                l.waits_per_s,
                l.wait_mean_ms,
                l.wait_p99_ms,
                l.deadlocks,
                l.deadlocks_per_s,
                l.aborts,
                l.aborts_per_s,
                l.gave_up
            );
        }
        if let Some(b) = &self.buffer_cache {
            let _ = write!(
                s,
                "\n  buffer cache ({} pages): hits {}  misses {} (from disk)  hit ratio {:.1}%",
                b.pages,
                b.hits,
                b.misses,
                b.hit_ratio * 100.0
            );
        }
        for (k, sh) in self.shards.iter().enumerate() {
            let _ = write!(
                s,
                "\n  shard {k}: {} queries ({:.1}%), {} rows;",
                sh.queries,
                sh.share * 100.0,
                sh.rows
            );
            for i in &sh.instances {
                let _ = write!(
                    s,
                    "  {} r{} w{} stale {} util {:.1}%",
                    i.role,
                    i.reads,
                    i.writes,
                    i.stale_reads,
                    i.utilization * 100.0
                );
            }
        }
        Some(s)
    }
}

/// A database's block of the report: `database`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseDetail {
    /// database statistics
    pub database: DatabaseReport,
}

impl Component for Database {
    fn build(b: &Build<'_>) -> Result<Database, String> {
        match b.params {
            Params::Database(p) => Ok(Database::new(p, b.window)),
            other => Err(mismatch("database", other)),
        }
    }

    /// Arms the primary-failure timers (no random draws).
    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.init(ctx);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        Database::on_request(self, ctx, req, inc.key, inc.op)
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        Database::on_timer(self, ctx, slot, token);
    }

    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        Database::kill(self, ctx);
    }

    fn revive(&mut self, _ctx: &mut Ctx<'_>) {
        Database::revive(self);
    }

    fn slow(&mut self, factor: f64) {
        Database::slow(self, factor);
    }

    fn workers(&self) -> u32 {
        Database::workers(self)
    }

    fn levels(&self) -> Option<Levels> {
        Some(Levels {
            busy: self.busy(),
            queue: self.queue_len(),
        })
    }

    fn queued_bytes(&self) -> usize {
        self.queue_len() as usize * 4
    }

    fn stores_data(&self) -> bool {
        true
    }

    fn detail(&self, _now: SimTime, window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        Some(NodeDetail::Database(DatabaseDetail {
            database: DatabaseReport::new(self, window_ns),
        }))
    }
}

impl DatabaseParams {
    /// How the inspector names a database's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("workers", "Connections"),
            Term::new("queue_capacity", "Queue capacity")
                .integer()
                .empty("unbounded"),
            Term::new("service_time", "Service time").family(&Dist::FAMILY),
            Term::new("speed", "Speed").unit("×"),
            Term::new("error_probability", "Error probability").unit("0–1"),
            Term::new("preset", "Engine").choices(choices::<Preset>),
            Term::new("rows", "Rows at start"),
            Term::new("indexed", "Indexed lookups"),
            Term::new("indexes", "Secondary indexes"),
            Term::new("join_tables", "Tables joined per read"),
            Term::new("replicas", "Read replicas per shard"),
            Term::new("replication", "Replication").choices(choices::<Replication>),
            Term::new("lag_ms", "Replication lag"),
            Term::new("multi_primary", "Multi-primary"),
            Term::new("primary_failure_s", "Primary fails at").empty("never"),
            Term::new("failover_ms", "Failover detection"),
            Term::new("shards", "Shards"),
            Term::new("sharding", "Sharding").choices(choices::<Sharding>),
            Term::new("key_space", "Key space (range)"),
            Term::new("virtual_nodes", "Virtual nodes"),
            Term::new("cross_shard_reads", "Reads fan out to all shards"),
            Term::new("row_locks", "Writes lock their rows (transactions)"),
            Term::new("tx_rows", "Rows per transaction"),
            Term::new("ordered_locks", "Lock rows in key order"),
            Term::new("isolation", "Isolation level").choices(choices::<Isolation>),
            Term::new("tx_retries", "Retries of an aborted transaction"),
            Term::new("row_bytes", "Row width").unit("bytes"),
            Term::new("hot_bytes", "Columns reads need").unit("bytes"),
            Term::new(
                "vertical_partition",
                "Vertical partition (hot columns apart)",
            ),
            Term::new("buffer_cache", "Buffer cache (pages in memory)")
                .optional(default_json::<BufferCacheParams>, &BufferCacheParams::VOCAB),
            Term::new("denormalised", "Denormalised (copies instead of joins)"),
            Term::new("copies_per_update", "Rows an update writes (denormalised)").integer(),
        ],
    };
}

impl Choices for Preset {
    const ALL: &'static [Preset] = &[Preset::Plain, Preset::Sql, Preset::Nosql];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            Preset::Plain => "Plain (service time only)",
            Preset::Sql => "SQL",
            Preset::Nosql => "NoSQL",
        })
    }
}

impl Choices for Replication {
    const ALL: &'static [Replication] = &[Replication::Async, Replication::Sync];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            Replication::Async => "Asynchronous",
            Replication::Sync => "Synchronous",
        })
    }
}

impl Choices for Sharding {
    const ALL: &'static [Sharding] = &[Sharding::Hash, Sharding::Range, Sharding::Consistent];
    fn label(self) -> Option<&'static str> {
        match self {
            Sharding::Range => Some("Key range"),
            Sharding::Consistent => Some("Consistent hashing"),
            Sharding::Hash => None,
        }
    }
}

#[cfg(test)]
mod tests;
