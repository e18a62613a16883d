//! The replicated key-value store (Dynamo/Cassandra style): a ring of store nodes placed in regions, every
//! key on `N` of them, writes acknowledged by `W` replicas and reads answered by `R` (consistency levels ONE,
//! QUORUM, ALL, or explicit numbers), replication to the others with a lag, per-key versions with version
//! vectors, and what a network partition does to it:
//!
//! - **CP** refuses a read or write whose coordinator cannot reach `R` (`W`) of the key's own replicas;
//! - **AP** accepts it on whichever side it arrives (a sloppy quorum of the nodes it can reach, stand-ins
//!   keeping hints for the replicas out of reach), so the sides diverge; when they meet again, concurrent
//!   writes are resolved by last-writer-wins (the losers are lost updates) or kept as siblings.
//!
//! Hinted handoff, read repair and anti-entropy bring the replicas back in step; the report says how long
//! that took after each heal, how available the store was inside and outside the partition, and how many
//! reads were stale. The state machine is `kv/store.rs`, the versions and their rules `kv/data.rs`.

mod data;
mod store;

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Finding, Incoming, mismatch};
use crate::components::{Ctx, NodeDetail, Params, check_dist, check_num, check_range};
use crate::digest::Digest;
use crate::dist::Dist;
use crate::explain::{Finding as Why, Level, duration, percent};
use crate::report::Report;
use crate::request::Op;
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

use store::{Avail, Phase, Store};

/// How many replicas a read or a write waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consistency {
    /// one replica
    One,
    /// a majority: ⌊N/2⌋ + 1
    Quorum,
    /// every replica
    All,
}

impl Consistency {
    /// Replicas this level waits for out of `n`.
    pub fn of(self, n: u32) -> u32 {
        match self {
            Consistency::One => 1,
            Consistency::Quorum => n / 2 + 1,
            Consistency::All => n,
        }
    }
}

/// What the store gives up under a partition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// consistency: refuse what cannot reach its quorum of the key's replicas
    #[default]
    Cp,
    /// availability: accept on any side (sloppy quorum, hinted handoff) and reconcile after the heal
    Ap,
}

/// How concurrent writes are reconciled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// last writer wins: the write with the later timestamp stays, the other is lost
    Lww,
    /// both are kept as siblings; a read returns them all, the next write that knows them replaces them
    Siblings,
}

/// Replicated key-value store parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KvParams {
    /// store nodes on the ring [1..64], default 3
    pub store_nodes: u32,
    /// replicas of each key, `N` [1..store_nodes, at most 64], default 3
    pub replication: u32,
    /// the regions the store nodes sit in, in turn (node `i` in the `i mod len`-th), comma-separated; empty:
    /// every node in the store's own region. At most 64 names, default empty
    pub regions: String,
    /// replicas a read waits for: `one`, `quorum` or `all`, default quorum
    pub read_consistency: Consistency,
    /// replicas a write waits for, default quorum
    pub write_consistency: Consistency,
    /// replicas a read waits for, `R`, instead of `read_consistency` [1..replication]; `null`: from the level
    pub r: Option<u32>,
    /// replicas a write waits for, `W`, instead of `write_consistency` [1..replication]; `null`: from the
    /// level
    pub w: Option<u32>,
    /// under a partition, `cp` (refuse what cannot reach its quorum) or `ap` (accept on both sides),
    /// default cp
    pub mode: Mode,
    /// concurrent writes: `lww` (last writer wins) or `siblings`, default lww
    pub conflicts: Resolution,
    /// time a replica takes to serve a read or apply a write, default exponential with mean 1 ms
    pub service_time: Dist,
    /// replicas beyond a write's first `W` apply it this much later [ms, 0..10¹⁰], default 50
    pub lag_ms: f64,
    /// a coordinator stops waiting for replicas after this long and fails the operation [ms, 0.001..10¹⁰],
    /// default 2000
    pub timeout_ms: f64,
    /// coordinators (and AP's stand-ins) keep hints for replicas out of reach and hand them off when they can
    /// reach them again, default true
    pub hinted_handoff: bool,
    /// hints one node hands off per second [0.001..1 000 000], default 1000
    pub handoff_per_s: f64,
    /// a read, once every replica asked has answered, sends the newest versions to those that answered with
    /// less, default true
    pub read_repair: bool,
    /// replicas compare their keys every this many seconds and exchange what differs [s, 0.1..1 000 000];
    /// `null`: never, default null
    pub anti_entropy_s: Option<f64>,
}

impl Default for KvParams {
    fn default() -> Self {
        KvParams {
            store_nodes: 3,
            replication: 3,
            regions: String::new(),
            read_consistency: Consistency::Quorum,
            write_consistency: Consistency::Quorum,
            r: None,
            w: None,
            mode: Mode::Cp,
            conflicts: Resolution::Lww,
            service_time: Dist::Exponential { mean_ms: 1.0 },
            lag_ms: 50.0,
            timeout_ms: 2000.0,
            hinted_handoff: true,
            handoff_per_s: 1000.0,
            read_repair: true,
            anti_entropy_s: None,
        }
    }
}

/// Most store nodes, and most region names (`store_nodes` in `core::limits`).
pub const MAX_NODES: u32 = 64;

impl KvParams {
    /// `R`: replicas a read waits for.
    pub fn read_replicas(&self) -> u32 {
        self.r
            .unwrap_or_else(|| self.read_consistency.of(self.replication))
    }

    /// `W`: replicas a write waits for.
    pub fn write_replicas(&self) -> u32 {
        self.w
            .unwrap_or_else(|| self.write_consistency.of(self.replication))
    }

    /// The region names of `regions`, trimmed.
    pub fn region_list(&self) -> Vec<String> {
        if self.regions.trim().is_empty() {
            return Vec::new();
        }
        self.regions
            .split(',')
            .map(|r| r.trim().to_string())
            .collect()
    }

    /// Each store node's region: `regions` in turn, or `own` for all.
    pub fn placement(&self, own: &str) -> Vec<String> {
        let list = self.region_list();
        (0..self.store_nodes.clamp(1, MAX_NODES) as usize)
            .map(|i| {
                if list.is_empty() {
                    own.to_string()
                } else {
                    list[i % list.len()].clone()
                }
            })
            .collect()
    }

    /// Range problems as `(field, message)`: every number's range is in `core::limits` (`docs/limits.md`);
    /// `replication` is at most `store_nodes`, `r` and `w` at most `replication`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        check_range(&mut out, "store_nodes", f64::from(self.store_nodes));
        check_range(&mut out, "replication", f64::from(self.replication));
        if !out.iter().any(|(f, _)| f == "replication") && self.replication > self.store_nodes {
            out.push((
                "replication".into(),
                "`replication` must be at most `store_nodes`".into(),
            ));
        }
        for (field, v) in [("r", self.r), ("w", self.w)] {
            if let Some(v) = v {
                check_range(&mut out, field, f64::from(v));
                if !out.iter().any(|(f, _)| f == field) && v > self.replication {
                    out.push((
                        field.into(),
                        format!("`{field}` must be at most `replication`"),
                    ));
                }
            }
        }
        let list = self.region_list();
        if list.len() > MAX_NODES as usize {
            out.push((
                "regions".into(),
                format!("`regions` names at most {MAX_NODES} regions"),
            ));
        }
        if list.iter().any(String::is_empty) {
            out.push((
                "regions".into(),
                "`regions` has an empty name between commas".into(),
            ));
        }
        check_dist(&mut out, "service_time", &self.service_time);
        check_num(&mut out, "lag_ms", self.lag_ms, 0.0);
        check_range(&mut out, "lag_ms", self.lag_ms);
        check_num(&mut out, "timeout_ms", self.timeout_ms, 0.0);
        check_range(&mut out, "timeout_ms", self.timeout_ms);
        check_num(&mut out, "handoff_per_s", self.handoff_per_s, 0.0);
        check_range(&mut out, "handoff_per_s", self.handoff_per_s);
        if let Some(s) = self.anti_entropy_s {
            check_num(&mut out, "anti_entropy_s", s, 0.0);
            check_range(&mut out, "anti_entropy_s", s);
        }
        out
    }
}

/// Reads and writes that arrived in one phase, and how many succeeded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Availability {
    /// reads that arrived
    pub reads: u64,
    /// of which answered
    pub reads_ok: u64,
    /// writes that arrived
    pub writes: u64,
    /// of which acknowledged
    pub writes_ok: u64,
}

impl Availability {
    fn of(a: Avail) -> Availability {
        Availability {
            reads: a.reads,
            reads_ok: a.reads_ok,
            writes: a.writes,
            writes_ok: a.writes_ok,
        }
    }

    /// Share of operations that succeeded [0..1]; 1 without any.
    pub fn share(&self) -> f64 {
        let all = self.reads + self.writes;
        if all == 0 {
            1.0
        } else {
            (self.reads_ok + self.writes_ok) as f64 / all as f64
        }
    }

    /// Share of writes refused or failed [0..1]; 0 without any.
    pub fn writes_failed(&self) -> f64 {
        if self.writes == 0 {
            0.0
        } else {
            (self.writes - self.writes_ok) as f64 / self.writes as f64
        }
    }

    /// Share of reads refused or failed [0..1]; 0 without any.
    pub fn reads_failed(&self) -> f64 {
        if self.reads == 0 {
            0.0
        } else {
            (self.reads - self.reads_ok) as f64 / self.reads as f64
        }
    }
}

/// Latency of successful operations at the store, from arrival to answer [ms].
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OpLatency {
    /// mean (exact)
    pub mean: f64,
    /// median
    pub p50: f64,
    /// 99th percentile
    pub p99: f64,
}

/// A heal of the partitions that split the store, and how long its replicas took to come back in step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HealReport {
    /// when the last partition splitting the store healed [s]
    pub at_s: f64,
    /// keys whose replicas differed (or had hints pending) at the heal
    pub keys: u64,
    /// time from the heal until every one of them was back in step [ms]; `null`: not by the end of the run
    /// (or split again first)
    pub converge_ms: Option<f64>,
}

/// A replicated store's statistics (operations counted by their arrival in the measurement window).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KvReport {
    /// store nodes on the ring
    pub nodes: u32,
    /// replicas per key, `N`
    pub replication: u32,
    /// replicas a read waits for, `R`
    pub r: u32,
    /// replicas a write waits for, `W`
    pub w: u32,
    /// `cp` or `ap`
    pub mode: Mode,
    /// reads answered
    pub reads: u64,
    /// writes acknowledged
    pub writes: u64,
    /// reads refused at once: their quorum was out of reach (CP under a partition)
    pub refused_reads: u64,
    /// writes refused at once
    pub refused_writes: u64,
    /// reads whose replicas did not answer within `timeout_ms`
    pub failed_reads: u64,
    /// writes whose replicas did not acknowledge within `timeout_ms` (they may still have been applied)
    pub failed_writes: u64,
    /// operations that arrived while no partition split the store
    pub normal: Availability,
    /// operations that arrived while the store was split, at a coordinator inside a partition's boundary
    pub inside: Availability,
    /// the same, at a coordinator outside every boundary
    pub outside: Availability,
    /// time a partition split the store's nodes [s]
    pub split_s: f64,
    /// reads of a key with an acknowledged write when they arrived (the reads that can be stale)
    pub reads_after_write: u64,
    /// of those, reads that returned an older version than the newest write acknowledged before they
    /// arrived
    pub stale_reads: u64,
    /// reads that returned more than one version (siblings)
    pub sibling_reads: u64,
    /// writes found concurrent with another (taken on opposite sides of a partition)
    pub conflicts: u64,
    /// acknowledged writes discarded by last-writer-wins
    pub lost_updates: u64,
    /// hints stored for replicas out of reach
    pub hints_stored: u64,
    /// hints handed off
    pub hints_delivered: u64,
    /// hints still held at the end
    pub hints_pending: u64,
    /// replicas a read repaired
    pub read_repairs: u64,
    /// replicas anti-entropy repaired
    pub anti_entropy_repairs: u64,
    /// keys whose replicas differ at the end
    pub diverged_keys: u64,
    /// most keys that differed at once
    pub max_diverged_keys: u64,
    /// keys whose replicas differ, sampled every series interval (the first sample one interval in)
    pub divergence: Vec<u32>,
    /// each heal of the partitions that split the store
    pub heals: Vec<HealReport>,
    /// latency of answered reads at the store [ms]
    pub read_ms: OpLatency,
    /// latency of acknowledged writes at the store [ms]
    pub write_ms: OpLatency,
}

impl KvReport {
    fn new(s: &Store, now: SimTime) -> KvReport {
        let c = &s.counters;
        let (m, n, r, w) = s.shape();
        let lat = |h: &hdrhistogram::Histogram<u32>, sum: u128| {
            let count = h.len();
            if count == 0 {
                return OpLatency::default();
            }
            OpLatency {
                mean: sum as f64 / count as f64 / 1e6,
                p50: h.value_at_quantile(0.5) as f64 / 1e6,
                p99: h.value_at_quantile(0.99) as f64 / 1e6,
            }
        };
        KvReport {
            nodes: u32::from(m),
            replication: u32::from(n),
            r,
            w,
            mode: if s.is_ap() { Mode::Ap } else { Mode::Cp },
            reads: c.reads,
            writes: c.writes,
            refused_reads: c.refused_reads,
            refused_writes: c.refused_writes,
            failed_reads: c.failed_reads,
            failed_writes: c.failed_writes,
            normal: Availability::of(c.by_phase[Phase::Normal as usize]),
            inside: Availability::of(c.by_phase[Phase::Inside as usize]),
            outside: Availability::of(c.by_phase[Phase::Outside as usize]),
            split_s: s.split_time(now).as_secs(),
            reads_after_write: c.reads_after_write,
            stale_reads: c.stale_reads,
            sibling_reads: c.sibling_reads,
            conflicts: c.conflicts,
            lost_updates: c.lost_updates,
            hints_stored: c.hints_stored,
            hints_delivered: c.hints_delivered,
            hints_pending: s.hints_held(),
            read_repairs: c.read_repairs,
            anti_entropy_repairs: c.anti_entropy_repairs,
            diverged_keys: s.diverged(),
            max_diverged_keys: s.max_diverged,
            divergence: s.samples.clone(),
            heals: s
                .heals
                .iter()
                .map(|h| HealReport {
                    at_s: h.at.as_secs(),
                    keys: h.keys,
                    converge_ms: h.converged.map(|t| t.since(h.at).as_ms()),
                })
                .collect(),
            read_ms: lat(&s.read_hist, s.read_sum_ns),
            write_ms: lat(&s.write_hist, s.write_sum_ns),
        }
    }

    /// Every operation during the split, both sides together.
    pub fn during(&self) -> Availability {
        let (a, b) = (self.inside, self.outside);
        Availability {
            reads: a.reads + b.reads,
            reads_ok: a.reads_ok + b.reads_ok,
            writes: a.writes + b.writes,
            writes_ok: a.writes_ok + b.writes_ok,
        }
    }

    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            u64::from(self.nodes),
            u64::from(self.replication),
            u64::from(self.r),
            u64::from(self.w),
            u64::from(self.mode == Mode::Ap),
            self.reads,
            self.writes,
            self.refused_reads,
            self.refused_writes,
            self.failed_reads,
            self.failed_writes,
        ]);
        for a in [self.normal, self.inside, self.outside] {
            h.u64s(&[a.reads, a.reads_ok, a.writes, a.writes_ok]);
        }
        h.f64(self.split_s);
        h.u64s(&[
            self.reads_after_write,
            self.stale_reads,
            self.sibling_reads,
            self.conflicts,
            self.lost_updates,
            self.hints_stored,
            self.hints_delivered,
            self.hints_pending,
            self.read_repairs,
            self.anti_entropy_repairs,
            self.diverged_keys,
            self.max_diverged_keys,
            self.divergence.len() as u64,
        ]);
        for &d in &self.divergence {
            h.u64(u64::from(d));
        }
        for x in &self.heals {
            h.f64(x.at_s);
            h.u64(x.keys);
            h.f64(x.converge_ms.unwrap_or(-1.0));
        }
        for l in [self.read_ms, self.write_ms] {
            h.f64s(&[l.mean, l.p50, l.p99]);
        }
    }

    /// This store's lines in the runner's table.
    pub fn table_lines(&self, id: &str) -> String {
        let during = self.during();
        let mut s = format!(
            "\nkv store {id} ({}, N={} R={} W={}): reads {} (p50 {:.2} ms)  writes {} (p50 {:.2} ms)  \
             refused {}r/{}w  stale reads {} of {}  conflicts {}  lost updates {}  hints {}/{}  \
             repairs {}+{}  diverged keys {} (max {})",
            match self.mode {
                Mode::Cp => "CP",
                Mode::Ap => "AP",
            },
            self.replication,
            self.r,
            self.w,
            self.reads,
            self.read_ms.p50,
            self.writes,
            self.write_ms.p50,
            self.refused_reads,
            self.refused_writes,
            self.stale_reads,
            self.reads_after_write,
            self.conflicts,
            self.lost_updates,
            self.hints_delivered,
            self.hints_stored,
            self.read_repairs,
            self.anti_entropy_repairs,
            self.diverged_keys,
            self.max_diverged_keys,
        );
        if self.split_s > 0.0 {
            s.push_str(&format!(
                "\n  split {:.1} s: available {:.1} % inside, {:.1} % outside; {:.1} % outside partitions",
                self.split_s,
                self.inside.share() * 100.0,
                self.outside.share() * 100.0,
                self.normal.share() * 100.0,
            ));
            let _ = during;
        }
        for h in &self.heals {
            s.push_str(&format!(
                "\n  heal at {:.1} s: {} keys differed; {}",
                h.at_s,
                h.keys,
                h.converge_ms
                    .map_or("not in step by the end".to_string(), |ms| format!(
                        "in step {ms:.0} ms later"
                    ))
            ));
        }
        s
    }
}

/// A replicated store's block of the report: `kv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KvDetail {
    /// the store's statistics
    pub kv: KvReport,
}

/// The store node: its state machine.
pub(crate) struct KvStore {
    store: Store,
}

impl Component for KvStore {
    fn build(b: &Build<'_>) -> Result<KvStore, String> {
        match b.params {
            Params::KvStore(p) => Ok(KvStore {
                store: Store::new(
                    p,
                    p.placement(b.region),
                    b.regions,
                    b.link,
                    b.window,
                    b.series,
                ),
            }),
            other => Err(mismatch("replicated store", other)),
        }
    }

    /// A CP store whose writes need no majority cannot keep both sides of a partition from taking writes.
    fn check(b: &Build<'_>) -> Vec<Finding> {
        let Params::KvStore(p) = b.params else {
            return Vec::new();
        };
        let (n, w) = (p.replication, p.write_replicas());
        if p.mode == Mode::Cp && w <= n / 2 && n > 1 {
            return vec![Finding {
                warning: true,
                field: Some("w"),
                text: format!(
                    " is CP but a write needs only W = {w} of N = {n} replicas: both sides of a partition can \
                     reach that many, so conflicting writes are still possible (QUORUM or ALL writes prevent it)"
                ),
            }];
        }
        Vec::new()
    }

    fn regions(params: &Params, region: &str) -> Vec<String> {
        match params {
            Params::KvStore(p) => p.placement(region),
            _ => Vec::new(),
        }
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.store.start(ctx);
    }

    fn partition(&mut self, ctx: &mut Ctx<'_>, parts: &[u64], nodes: &[u64]) {
        self.store.partition(ctx, parts, nodes);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        self.store
            .request(ctx, req, inc.key, inc.op == Op::Write, inc.caller);
        false
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        self.store.timer(ctx, slot, token);
    }

    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.store.kill(ctx);
    }

    fn revive(&mut self, ctx: &mut Ctx<'_>) {
        self.store.revive(ctx);
    }

    fn slow(&mut self, factor: f64) {
        self.store.slow(factor);
    }

    fn holds_work(&self) -> bool {
        true
    }

    fn backlog(&self) -> u64 {
        self.store.backlog()
    }

    fn queued_bytes(&self) -> usize {
        self.store.in_progress() as usize * 4
    }

    fn detail(&self, now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        Some(NodeDetail::Kv(KvDetail {
            kv: KvReport::new(&self.store, now),
        }))
    }
}

impl KvParams {
    /// How the inspector names a replicated store's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("mode", "Under a partition").choices(choices::<Mode>),
            Term::new("store_nodes", "Store nodes"),
            Term::new("replication", "Replicas per key (N)"),
            Term::new("regions", "Regions, in turn").text("us-east, eu-west", false),
            Term::new("read_consistency", "Read consistency").choices(choices::<Consistency>),
            Term::new("write_consistency", "Write consistency").choices(choices::<Consistency>),
            Term::new("r", "Read replicas (R)")
                .integer()
                .empty("from the level"),
            Term::new("w", "Write replicas (W)")
                .integer()
                .empty("from the level"),
            Term::new("conflicts", "Concurrent writes").choices(choices::<Resolution>),
            Term::new("service_time", "Replica service time").family(&Dist::FAMILY),
            Term::new("lag_ms", "Replication lag"),
            Term::new("timeout_ms", "Coordinator timeout"),
            Term::new("hinted_handoff", "Hinted handoff"),
            Term::new("handoff_per_s", "Hints handed off").unit("/s"),
            Term::new("read_repair", "Read repair"),
            Term::new("anti_entropy_s", "Anti-entropy every")
                .unit("s")
                .empty("never"),
        ],
    };
}

impl Choices for Consistency {
    const ALL: &'static [Consistency] = &[Consistency::One, Consistency::Quorum, Consistency::All];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            Consistency::One => "ONE",
            Consistency::Quorum => "QUORUM",
            Consistency::All => "ALL",
        })
    }
}

impl Choices for Mode {
    const ALL: &'static [Mode] = &[Mode::Cp, Mode::Ap];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            Mode::Cp => "CP: refuse without a quorum",
            Mode::Ap => "AP: accept on both sides",
        })
    }
}

impl Choices for Resolution {
    const ALL: &'static [Resolution] = &[Resolution::Lww, Resolution::Siblings];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            Resolution::Lww => "Last writer wins",
            Resolution::Siblings => "Keep siblings",
        })
    }
}

/// Share of operations that must fail during a split before it is worth a finding [0..1].
const NOTABLE_REFUSED: f64 = 0.01;

/// The "why" findings of every replicated store in `report`: what the partition cost (refused operations,
/// stale reads), what the heal found (lost updates, siblings) and how long the replicas took to agree.
pub(crate) fn findings(report: &Report) -> Vec<Why> {
    let mut out = Vec::new();
    for (id, n) in &report.nodes {
        let Some(NodeDetail::Kv(d)) = &n.detail else {
            continue;
        };
        let k = &d.kv;
        let during = k.during();
        let split = duration(k.split_s * 1e3);
        let mode = match k.mode {
            Mode::Cp => "CP",
            Mode::Ap => "AP",
        };
        if k.split_s > 0.0 && during.writes_failed().max(during.reads_failed()) >= NOTABLE_REFUSED {
            out.push(Why {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "during the {split} partition the {mode} store {id} refused {} of writes ({} of {}) and {} \
                     of reads: {}",
                    percent(during.writes_failed()),
                    during.writes - during.writes_ok,
                    during.writes,
                    percent(during.reads_failed()),
                    if k.mode == Mode::Cp {
                        format!(
                            "a side that cannot reach W = {} (R = {}) of a key's {} replicas refuses rather than \
                             diverge",
                            k.w, k.r, k.replication
                        )
                    } else {
                        "their coordinators reached no replica in time".to_string()
                    }
                ),
            });
        } else if k.split_s > 0.0 && k.mode == Mode::Ap && during.writes > 0 {
            out.push(Why {
                level: Level::Info,
                node: Some(id.clone()),
                text: format!(
                    "during the {split} partition the AP store {id} stayed available ({} of operations \
                     succeeded) and both sides took writes",
                    percent(during.share())
                ),
            });
        }
        if k.lost_updates > 0 {
            out.push(Why {
                level: Level::Critical,
                node: Some(id.clone()),
                text: format!(
                    "{mode}: {} lost updates after the heal at {id}: writes acknowledged on opposite sides of the \
                     partition conflicted ({} writes) and last-writer-wins kept only the later of each",
                    k.lost_updates, k.conflicts
                ),
            });
        } else if k.conflicts > 0 {
            out.push(Why {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "{id} kept {} conflicting writes as siblings; {} reads returned more than one value for the \
                     application to merge",
                    k.conflicts, k.sibling_reads
                ),
            });
        }
        if k.stale_reads > 0 && k.reads_after_write > 0 {
            let share = k.stale_reads as f64 / k.reads_after_write as f64;
            let why = if k.r + k.w <= k.replication {
                format!(
                    "R + W = {} does not exceed N = {}, so a read's replicas can all miss the latest write",
                    k.r + k.w,
                    k.replication
                )
            } else {
                "the sides of the partition diverged, so a side's reads missed the other side's writes"
                    .to_string()
            };
            out.push(Why {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "{id}: {} of reads were stale ({} of {}): {why}",
                    percent(share),
                    k.stale_reads,
                    k.reads_after_write
                ),
            });
        }
        for h in &k.heals {
            let text = match h.converge_ms {
                Some(ms) => format!(
                    "{id}'s replicas were back in step {ms:.0} ms after the heal at {:.1} s ({} keys had differed)",
                    h.at_s, h.keys
                ),
                None => format!(
                    "{id}'s replicas were not back in step after the heal at {:.1} s: {} keys still differ — \
                     hinted handoff, read repair or anti-entropy bring them together",
                    h.at_s, k.diverged_keys
                ),
            };
            out.push(Why {
                level: if h.converge_ms.is_some() {
                    Level::Info
                } else {
                    Level::Warning
                },
                node: Some(id.clone()),
                text,
            });
        }
    }
    out
}
