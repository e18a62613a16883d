//! The replicated store's state machine: a ring of store nodes placed in regions, each key on `N` of them;
//! coordinators that send a write to the key's replicas and answer after `W` acknowledgements, and a read to
//! them and answer after `R`; hints, read repair and anti-entropy; and what a partition does to all that.
//!
//! ```text
//!   request ─> coordinator (the store node nearest the caller, on its side of any partition)
//!     write ─> every replica it can reach:  apply ─ ack ─> after the W-th ack: answer
//!              (the others, outside the first W, apply `lag` later); unreachable ones: a hint
//!     read  ─> every replica it can reach:  read ─ answer ─> after the R-th: answer the newest
//!              (all in: push the newest to the replicas found behind — read repair)
//!   CP: refuses at once what cannot reach W (R) of the key's own replicas.
//!   AP: writes to the first N nodes it can reach on the ring (stand-ins hold a hint for a missing replica)
//!       and answers after min(W, reached) — both sides of a partition go on taking writes.
//! ```
//!
//! Every message between two store nodes takes the link latency between their regions and is lost when a
//! partition separates them on arrival. Knowledge of writes is the side's: a write knows every earlier write
//! its coordinator's side of the network had taken (version vectors merged when sides meet again), so writes
//! conflict only when taken on opposite sides of a partition.

use std::collections::{BTreeMap, BTreeSet};

use hdrhistogram::Histogram;

use super::data::{Data, Ver};
use super::{KvParams, Mode};
use crate::components::{Action, Ctx};
use crate::dist::Dist;
use crate::request::Outcome;
use crate::time::SimTime;

/// Highest latency the histograms resolve [ns].
const HIST_MAX_NS: u64 = 1 << 42;
/// Most divergence samples kept.
const MAX_SAMPLES: usize = 1_000_000;
/// Most heals remembered.
const MAX_HEALS: usize = 1000;
const NONE: u32 = u32::MAX;

/// Where an operation was when it arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// no partition split the store
    Normal,
    /// the store was split and the coordinator was inside a partition's boundary
    Inside,
    /// the store was split and the coordinator was outside every boundary
    Outside,
}

/// Operations by phase: attempted and succeeded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Avail {
    pub reads: u64,
    pub reads_ok: u64,
    pub writes: u64,
    pub writes_ok: u64,
}

/// The store's counts over the measurement window (operations by their arrival).
#[derive(Clone, Debug, Default)]
pub(crate) struct Counters {
    pub reads: u64,
    pub writes: u64,
    pub refused_reads: u64,
    pub refused_writes: u64,
    pub failed_reads: u64,
    pub failed_writes: u64,
    pub by_phase: [Avail; 3],
    pub stale_reads: u64,
    pub reads_after_write: u64,
    pub sibling_reads: u64,
    pub conflicts: u64,
    pub lost_updates: u64,
    pub hints_stored: u64,
    pub hints_delivered: u64,
    pub read_repairs: u64,
    pub anti_entropy_repairs: u64,
}

/// A heal, and how long the replicas took to come back in step after it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Heal {
    pub at: SimTime,
    /// keys that differed (or had hints pending) at the heal
    pub keys: u64,
    /// when every one of them was back in step; `None` if not (yet)
    pub converged: Option<SimTime>,
}

/// A timer the store set.
#[derive(Clone, Debug)]
enum Due {
    /// version `ver` of `key` reaches store node `to` from `from`; `op` waits for its acknowledgement
    /// (`NONE`: a repair or handoff), which takes `back` to come back; `standin` is the replica a stand-in
    /// holds it for; `hint` the hint it hands off (`NONE` otherwise)
    Apply {
        op: u32,
        key: u64,
        ver: u32,
        from: u16,
        to: u16,
        back: SimTime,
        standin: u16,
        hint: u32,
    },
    /// node `from`'s acknowledgement of `op` arrives at the coordinator
    Ack {
        op: u32,
        from: u16,
    },
    /// read `op` is served at node `at`; its answer takes `back`
    ReadAt {
        op: u32,
        at: u16,
        back: SimTime,
    },
    /// node `from`'s answer `snap` to read `op` arrives at the coordinator
    ReadBack {
        op: u32,
        from: u16,
        snap: Vec<u32>,
    },
    /// the coordinator stops waiting for `op`
    Timeout {
        op: u32,
    },
    AntiEntropy,
    Sample,
}

/// A read or write in progress at its coordinator.
#[derive(Clone, Debug)]
struct Op {
    req: u32,
    key: u64,
    write: bool,
    coord: u16,
    start: SimTime,
    phase: Phase,
    counted: bool,
    /// answers needed, answers received, replicas asked
    need: u32,
    got: u32,
    asked: u32,
    answered: bool,
    /// timers still to fire for it
    pending: u32,
    /// a write's version
    ver: u32,
    /// a read: the newest acknowledged write when it arrived
    want: (u64, u64),
    /// a read's answers: who and what
    answers: Vec<(u16, Vec<u32>)>,
}

/// A hint: node `from` keeps version `ver` of `key` for replica `to`, to hand off when it can reach it.
#[derive(Clone, Copy, Debug)]
struct Hint {
    from: u16,
    to: u16,
    key: u64,
    ver: u32,
    scheduled: bool,
}

/// The store.
pub(crate) struct Store {
    m: u16,
    n: u16,
    r: u32,
    w: u32,
    ap: bool,
    lag: SimTime,
    timeout: SimTime,
    hinted: bool,
    /// time between two hints one node hands off
    handoff_gap: SimTime,
    read_repair: bool,
    anti_entropy: Option<SimTime>,
    service: Dist,
    factor: f64,
    speed: f64,
    /// each store node's region
    pub node_regions: Vec<String>,
    /// one-way latency between store nodes, `m × m` (`None` on the diagonal: a node's own replica)
    lat: Vec<Option<Dist>>,
    /// every diagram node's region, by engine index
    callers: Vec<String>,
    /// per caller: store nodes nearest first
    nearest: BTreeMap<u32, Vec<u16>>,
    /// side of each store node, and of each diagram node (empty: no partition yet)
    side: Vec<u64>,
    caller_side: Vec<u64>,
    /// `know[a * m + b]`: the highest write counter of node `b` node `a`'s side knows
    know: Vec<u32>,
    /// writes each node coordinated
    dots: Vec<u32>,
    data: Data,
    diverged: BTreeSet<u64>,
    ops: Vec<Op>,
    free_ops: Vec<u32>,
    dues: Vec<Due>,
    free_dues: Vec<u32>,
    hints: Vec<Option<Hint>>,
    free_hints: Vec<u32>,
    /// hints held, and of them scheduled for handoff
    hints_held: u64,
    hints_moving: u64,
    /// per node: when its next hint may leave
    next_handoff: Vec<SimTime>,
    writes_started: u64,
    epoch: u32,
    alive: bool,
    window: (SimTime, SimTime),
    pub counters: Counters,
    pub read_hist: Histogram<u32>,
    pub write_hist: Histogram<u32>,
    pub read_sum_ns: u128,
    pub write_sum_ns: u128,
    /// when the current split began, and the time split so far
    split_since: Option<SimTime>,
    split_ns: u64,
    pub heals: Vec<Heal>,
    /// keys the last heal is waiting for
    healing: BTreeSet<u64>,
    pub samples: Vec<u32>,
    pub sample_every: SimTime,
    pub max_diverged: u64,
}

/// A key's place on the ring.
fn ring(key: u64, m: u16) -> u16 {
    // SplitMix64's finaliser: neighbouring keys land far apart.
    let mut z = key.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z % u64::from(m)) as u16
}

fn histogram() -> Histogram<u32> {
    Histogram::new_with_bounds(1, HIST_MAX_NS, 2).expect("valid histogram bounds")
}

impl Store {
    /// A store from its parameters, the regions of its nodes, every diagram node's region, the link latency
    /// between two regions, the measurement window and the series spacing.
    pub fn new(
        p: &KvParams,
        node_regions: Vec<String>,
        callers: &[String],
        link: &dyn Fn(&str, &str) -> Dist,
        window: (SimTime, SimTime),
        sample_every: SimTime,
    ) -> Store {
        let m = node_regions.len().max(1) as u16;
        let n = (p.replication as u16).clamp(1, m);
        let mut lat = Vec::with_capacity(usize::from(m) * usize::from(m));
        for (i, a) in node_regions.iter().enumerate() {
            for (j, b) in node_regions.iter().enumerate() {
                lat.push((i != j).then(|| link(a, b)));
            }
        }
        Store {
            m,
            n,
            r: p.read_replicas(),
            w: p.write_replicas(),
            ap: p.mode == Mode::Ap,
            lag: SimTime::from_ms(p.lag_ms),
            timeout: SimTime::from_ms(p.timeout_ms),
            hinted: p.hinted_handoff,
            handoff_gap: SimTime::from_secs(1.0 / p.handoff_per_s),
            read_repair: p.read_repair,
            anti_entropy: p.anti_entropy_s.map(SimTime::from_secs),
            service: p.service_time.clone(),
            factor: 1.0,
            speed: 1.0,
            node_regions,
            lat,
            callers: callers.to_vec(),
            nearest: BTreeMap::new(),
            side: vec![0; usize::from(m)],
            caller_side: Vec::new(),
            know: vec![0; usize::from(m) * usize::from(m)],
            dots: vec![0; usize::from(m)],
            data: Data::new(p.conflicts == super::Resolution::Siblings),
            diverged: BTreeSet::new(),
            ops: Vec::new(),
            free_ops: Vec::new(),
            dues: Vec::new(),
            free_dues: Vec::new(),
            hints: Vec::new(),
            free_hints: Vec::new(),
            hints_held: 0,
            hints_moving: 0,
            next_handoff: vec![SimTime::ZERO; usize::from(m)],
            writes_started: 0,
            epoch: 0,
            alive: true,
            window,
            counters: Counters::default(),
            read_hist: histogram(),
            write_hist: histogram(),
            read_sum_ns: 0,
            write_sum_ns: 0,
            split_since: None,
            split_ns: 0,
            heals: Vec::new(),
            healing: BTreeSet::new(),
            samples: Vec::new(),
            sample_every,
            max_diverged: 0,
        }
    }

    fn counting(&self, now: SimTime) -> bool {
        now >= self.window.0 && now < self.window.1
    }

    /// Store nodes, replicas per key, replicas a read and a write wait for.
    pub fn shape(&self) -> (u16, u16, u32, u32) {
        (self.m, self.n, self.r, self.w)
    }

    /// Whether it takes writes on both sides of a partition.
    pub fn is_ap(&self) -> bool {
        self.ap
    }

    /// Keys whose replicas differ now.
    pub fn diverged(&self) -> u64 {
        self.diverged.len() as u64
    }

    /// Hints held for unreachable replicas.
    pub fn hints_held(&self) -> u64 {
        self.hints_held
    }

    /// Time the store has been split by a partition, up to `now`.
    pub fn split_time(&self, now: SimTime) -> SimTime {
        let open = self.split_since.map_or(0, |s| now.since(s).0);
        SimTime(self.split_ns + open)
    }

    /// Work that keeps the run going after the traffic: hints on their way, and differing keys anti-entropy
    /// will repair while nothing splits the store.
    pub fn backlog(&self) -> u64 {
        if !self.alive {
            return 0;
        }
        let repairable = if self.anti_entropy.is_some() && self.split_since.is_none() {
            self.diverged.len() as u64
        } else {
            0
        };
        self.hints_moving + repairable
    }

    // ------------------------------------------------------------------ placement and reachability

    /// The key's replicas: `n` nodes from its place on the ring.
    fn homes(&self, key: u64) -> Vec<u16> {
        let first = ring(key, self.m);
        (0..self.n).map(|j| (first + j) % self.m).collect()
    }

    fn is_home(&self, key: u64, node: u16) -> bool {
        let first = ring(key, self.m);
        (node + self.m - first) % self.m < self.n
    }

    fn connected(&self, a: u16, b: u16) -> bool {
        self.side[usize::from(a)] == self.side[usize::from(b)]
    }

    /// Draws the one-way latency from store node `a` to `b`.
    fn latency(&self, ctx: &mut Ctx<'_>, a: u16, b: u16) -> SimTime {
        match &self.lat[usize::from(a) * usize::from(self.m) + usize::from(b)] {
            Some(d) => d.sample(ctx.rng, 1.0),
            None => SimTime::ZERO,
        }
    }

    fn service(&self, ctx: &mut Ctx<'_>) -> SimTime {
        self.service.sample(ctx.rng, self.factor / self.speed)
    }

    /// The coordinator for a request from diagram node `caller`: the store node nearest it on its side.
    fn coordinator(&mut self, caller: u32) -> Option<u16> {
        if !self.nearest.contains_key(&caller) {
            let from = self.callers.get(caller as usize).map_or("", String::as_str);
            let mut order: Vec<u16> = (0..self.m).collect();
            let regions = &self.node_regions;
            order.sort_by(|&a, &b| {
                let d = |n: u16| {
                    let r = regions[usize::from(n)].as_str();
                    if r == from {
                        0.0
                    } else {
                        crate::regions::rtt_ms(from, r).unwrap_or(f64::INFINITY)
                    }
                };
                d(a).total_cmp(&d(b)).then(a.cmp(&b))
            });
            self.nearest.insert(caller, order);
        }
        let side = self.caller_side.get(caller as usize).copied().unwrap_or(0);
        self.nearest[&caller]
            .iter()
            .copied()
            .find(|&c| self.side[usize::from(c)] == side)
    }

    fn phase(&self, coord: u16) -> Phase {
        if self.split_since.is_none() {
            Phase::Normal
        } else if self.side[usize::from(coord)] != 0 {
            Phase::Inside
        } else {
            Phase::Outside
        }
    }

    // ------------------------------------------------------------------ timers and operations

    fn due(&mut self, ctx: &mut Ctx<'_>, at: SimTime, d: Due) {
        let slot = match self.free_dues.pop() {
            Some(i) => {
                self.dues[i as usize] = d;
                i
            }
            None => {
                self.dues.push(d);
                self.dues.len() as u32 - 1
            }
        };
        ctx.out.push(Action::ServiceDone {
            at,
            slot,
            token: self.epoch,
        });
    }

    fn new_op(&mut self, op: Op) -> u32 {
        match self.free_ops.pop() {
            Some(i) => {
                self.ops[i as usize] = op;
                i
            }
            None => {
                self.ops.push(op);
                self.ops.len() as u32 - 1
            }
        }
    }

    /// One of `op`'s timers has fired: the op goes once none is left.
    fn settle(&mut self, op: u32) {
        let o = &mut self.ops[op as usize];
        o.pending -= 1;
        if o.pending == 0 {
            let answers = std::mem::take(&mut o.answers);
            let ver = o.ver;
            for (_, snap) in answers {
                for v in snap {
                    self.data.release(v);
                }
            }
            if ver != NONE {
                self.data.release(ver);
            }
            self.free_ops.push(op);
        }
    }

    /// Answers `op`'s caller: success, or the error it ended with.
    fn answer(&mut self, ctx: &mut Ctx<'_>, op: u32, ok: bool) {
        let o = &mut self.ops[op as usize];
        o.answered = true;
        let (req, counted, write, phase) = (o.req, o.counted, o.write, o.phase);
        let took = ctx.now.since(o.start).0;
        if counted {
            let a = &mut self.counters.by_phase[phase as usize];
            if write {
                a.writes_ok += u64::from(ok);
                self.counters.writes += u64::from(ok);
                self.counters.failed_writes += u64::from(!ok);
            } else {
                a.reads_ok += u64::from(ok);
                self.counters.reads += u64::from(ok);
                self.counters.failed_reads += u64::from(!ok);
            }
            if ok {
                let (h, sum) = if write {
                    (&mut self.write_hist, &mut self.write_sum_ns)
                } else {
                    (&mut self.read_hist, &mut self.read_sum_ns)
                };
                h.saturating_record(took.clamp(1, HIST_MAX_NS));
                *sum += u128::from(took);
            }
        }
        ctx.out.push(if ok {
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

    /// Refuses a request at once (CP: its quorum is out of reach; or nothing reachable at all).
    fn refuse(&mut self, ctx: &mut Ctx<'_>, req: u32, write: bool, phase: Phase) {
        if ctx.counting {
            let a = &mut self.counters.by_phase[phase as usize];
            if write {
                a.writes += 1;
                self.counters.refused_writes += 1;
            } else {
                a.reads += 1;
                self.counters.refused_reads += 1;
            }
        }
        ctx.out.push(Action::Fail {
            req,
            outcome: Outcome::Error,
        });
    }

    /// A request arrives from diagram node `caller`.
    pub fn request(&mut self, ctx: &mut Ctx<'_>, req: u32, key: u64, write: bool, caller: u32) {
        let Some(coord) = self.coordinator(caller) else {
            self.refuse(ctx, req, write, Phase::Normal);
            return;
        };
        let phase = self.phase(coord);
        let homes = self.homes(key);
        let reach: Vec<u16> = homes
            .iter()
            .copied()
            .filter(|&h| self.connected(coord, h))
            .collect();
        let quorum = if write { self.w } else { self.r };
        // Targets, each with the replica it stands in for (itself when it is one).
        let mut targets: Vec<(u16, u16)> = reach.iter().map(|&h| (h, h)).collect();
        let mut orphans: Vec<u16> = homes
            .iter()
            .copied()
            .filter(|h| !reach.contains(h))
            .collect();
        if self.ap && self.hinted {
            // Sloppy quorum: the first nodes beyond the key's replicas stand in for the unreachable ones.
            let first = ring(key, self.m);
            let mut spare = orphans.clone().into_iter();
            for j in self.n..self.m {
                let s = (first + j) % self.m;
                if !self.connected(coord, s) {
                    continue;
                }
                let Some(home) = spare.next() else { break };
                targets.push((s, home));
                orphans.retain(|&h| h != home);
            }
        }
        let need = if self.ap {
            quorum.min(targets.len() as u32)
        } else {
            quorum
        };
        if need == 0 || (targets.len() as u32) < need {
            self.refuse(ctx, req, write, phase);
            return;
        }
        if ctx.counting {
            let a = &mut self.counters.by_phase[phase as usize];
            if write {
                a.writes += 1;
            } else {
                a.reads += 1;
            }
        }
        let want = self.data.keys.get(&key).map_or((0, 0), |r| r.acked);
        let op = self.new_op(Op {
            req,
            key,
            write,
            coord,
            start: ctx.now,
            phase,
            counted: ctx.counting,
            need,
            got: 0,
            asked: targets.len() as u32,
            answered: false,
            pending: targets.len() as u32 + 1,
            ver: NONE,
            want,
            answers: Vec::new(),
        });
        if write {
            self.start_write(ctx, op, &targets, &orphans);
        } else {
            for &(t, _) in &targets {
                let out = self.latency(ctx, coord, t);
                let s = self.service(ctx);
                let back = self.latency(ctx, t, coord);
                self.due(
                    ctx,
                    ctx.now.add(out).add(s),
                    Due::ReadAt { op, at: t, back },
                );
            }
        }
        let at = ctx.now.add(self.timeout);
        self.due(ctx, at, Due::Timeout { op });
    }

    /// A write's version, its hints for `orphans` (replicas out of reach with no stand-in) and its messages
    /// to `targets`: the `need` fastest apply it at once, the others `lag` later.
    fn start_write(&mut self, ctx: &mut Ctx<'_>, op: u32, targets: &[(u16, u16)], orphans: &[u16]) {
        let (key, coord) = (self.ops[op as usize].key, self.ops[op as usize].coord);
        let m = usize::from(self.m);
        let c = usize::from(coord);
        self.dots[c] += 1;
        let dot = self.dots[c];
        for a in 0..m {
            if self.side[a] == self.side[c] {
                self.know[a * m + c] = dot;
            }
        }
        self.writes_started += 1;
        let v = self.data.add(Ver {
            ts: ctx.now.0,
            id: self.writes_started,
            node: coord,
            dot,
            ctx: self.know[c * m..(c + 1) * m].into(),
            refs: 0,
            acked: false,
            conflicted: false,
            beaten: false,
            lost: false,
        });
        self.data.hold(v);
        self.ops[op as usize].ver = v;
        if self.hinted {
            for &h in orphans {
                self.add_hint(ctx, coord, h, key, v);
            }
        }
        let plan: Vec<(u16, u16, SimTime, SimTime, SimTime)> = targets
            .iter()
            .map(|&(t, home)| {
                let out = self.latency(ctx, coord, t);
                let s = self.service(ctx);
                let back = self.latency(ctx, t, coord);
                (t, home, out.add(s), back, out.add(s).add(back))
            })
            .collect();
        let mut order: Vec<usize> = (0..plan.len()).collect();
        order.sort_by_key(|&i| (plan[i].4, i));
        let need = self.ops[op as usize].need as usize;
        for (rank, &i) in order.iter().enumerate() {
            let (t, home, arrive, back, _) = plan[i];
            let at = if rank < need {
                ctx.now.add(arrive)
            } else {
                ctx.now.add(arrive).add(self.lag)
            };
            self.data.hold(v);
            self.due(
                ctx,
                at,
                Due::Apply {
                    op,
                    key,
                    ver: v,
                    from: coord,
                    to: t,
                    back,
                    standin: home,
                    hint: NONE,
                },
            );
        }
    }

    /// A timer fires.
    pub fn timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        if token != self.epoch || !self.alive {
            return;
        }
        let d = std::mem::replace(&mut self.dues[slot as usize], Due::Sample);
        self.free_dues.push(slot);
        match d {
            Due::Apply {
                op,
                key,
                ver,
                from,
                to,
                back,
                standin,
                hint,
            } => self.arrive(ctx, op, key, ver, (from, to), back, standin, hint),
            Due::Ack { op, from } => {
                let o = &self.ops[op as usize];
                if !o.answered && self.connected(from, o.coord) {
                    let o = &mut self.ops[op as usize];
                    o.got += 1;
                    if o.got == o.need {
                        let (key, ver) = (o.key, o.ver);
                        if self.data.ack(key, ver) && self.counting(ctx.now) {
                            self.counters.lost_updates += 1;
                        }
                        self.answer(ctx, op, true);
                    }
                }
                self.settle(op);
            }
            Due::ReadAt { op, at, back } => {
                let o = &self.ops[op as usize];
                if self.connected(o.coord, at) {
                    let snap = self.data.at(o.key, at);
                    for &v in &snap {
                        self.data.hold(v);
                    }
                    self.due(ctx, ctx.now.add(back), Due::ReadBack { op, from: at, snap });
                } else {
                    self.settle(op);
                }
            }
            Due::ReadBack { op, from, snap } => {
                self.read_back(ctx, op, from, snap);
                self.settle(op);
            }
            Due::Timeout { op } => {
                if !self.ops[op as usize].answered {
                    self.answer(ctx, op, false);
                }
                self.settle(op);
            }
            Due::AntiEntropy => {
                self.anti_entropy_round(ctx);
                if let Some(every) = self.anti_entropy {
                    self.due(ctx, ctx.now.add(every), Due::AntiEntropy);
                }
            }
            Due::Sample => {
                if self.samples.len() < MAX_SAMPLES {
                    self.samples.push(self.diverged.len() as u32);
                    self.due(ctx, ctx.now.add(self.sample_every), Due::Sample);
                }
            }
        }
    }

    /// A version reaches a store node: applied there (and acknowledged when an operation waits), or lost on
    /// the way when a partition separates the two.
    #[allow(clippy::too_many_arguments)]
    fn arrive(
        &mut self,
        ctx: &mut Ctx<'_>,
        op: u32,
        key: u64,
        ver: u32,
        (from, to): (u16, u16),
        back: SimTime,
        standin: u16,
        hint: u32,
    ) {
        let counting = self.counting(ctx.now);
        if !self.connected(from, to) {
            if hint != NONE {
                if let Some(h) = self.hints[hint as usize].as_mut() {
                    h.scheduled = false;
                    self.hints_moving -= 1;
                }
            } else if op != NONE && self.hinted {
                // A write's message lost to a partition: its coordinator keeps a hint for the replica.
                self.add_hint(ctx, from, standin, key, ver);
            }
            if op != NONE {
                self.settle(op);
            }
            self.data.release(ver);
            return;
        }
        let got = self.data.apply(key, to, ver, counting);
        self.counters.conflicts += got.conflicts;
        self.counters.lost_updates += got.lost;
        if op != NONE && standin != to {
            // A stand-in keeps the write for the replica it stands in for.
            self.add_hint(ctx, to, standin, key, ver);
        }
        if hint != NONE {
            self.hints[hint as usize] = None;
            self.free_hints.push(hint);
            self.hints_held -= 1;
            self.hints_moving -= 1;
            if let Some(r) = self.data.keys.get_mut(&key) {
                r.hints -= 1;
            }
            if counting {
                self.counters.hints_delivered += 1;
            }
            if !self.is_home(key, from) {
                self.data.drop_at(key, from, ver);
            }
            // The hint's own hold; the message's goes below.
            self.data.release(ver);
        }
        self.touch_key(ctx.now, key);
        if op != NONE {
            self.due(ctx, ctx.now.add(back), Due::Ack { op, from: to });
        }
        self.data.release(ver);
    }

    /// A read's answer from node `from` reaches the coordinator.
    fn read_back(&mut self, ctx: &mut Ctx<'_>, op: u32, from: u16, snap: Vec<u32>) {
        let coord = self.ops[op as usize].coord;
        if !self.connected(from, coord) {
            for v in snap {
                self.data.release(v);
            }
            return;
        }
        let o = &mut self.ops[op as usize];
        o.answers.push((from, snap));
        o.got += 1;
        if o.got == o.need && !o.answered {
            let mut merged = Vec::new();
            for (_, s) in &self.ops[op as usize].answers {
                for &v in s {
                    self.data.merge(&mut merged, v);
                }
            }
            let o = &self.ops[op as usize];
            let newest = merged
                .iter()
                .map(|&v| self.data.ver(v).order())
                .max()
                .unwrap_or((0, 0));
            if o.counted && o.want > (0, 0) {
                self.counters.reads_after_write += 1;
                self.counters.stale_reads += u64::from(newest < o.want);
            }
            if o.counted && merged.len() > 1 {
                self.counters.sibling_reads += 1;
            }
            self.answer(ctx, op, true);
        }
        let o = &self.ops[op as usize];
        if self.read_repair && o.got == o.asked {
            self.repair(ctx, op);
        }
    }

    /// Read repair: every answer is in, so push the newest versions to the replicas that answered with less.
    fn repair(&mut self, ctx: &mut Ctx<'_>, op: u32) {
        let o = &self.ops[op as usize];
        let (key, coord) = (o.key, o.coord);
        let mut merged = Vec::new();
        for (_, s) in &o.answers {
            for &v in s {
                self.data.merge(&mut merged, v);
            }
        }
        let behind: Vec<(u16, Vec<u32>)> = o
            .answers
            .iter()
            .filter_map(|(n, s)| {
                let missing: Vec<u32> = merged.iter().copied().filter(|v| !s.contains(v)).collect();
                (!missing.is_empty()).then_some((*n, missing))
            })
            .collect();
        let counting = self.counting(ctx.now);
        for (n, missing) in behind {
            self.counters.read_repairs += u64::from(counting);
            self.send(ctx, coord, n, key, &missing);
        }
    }

    /// Sends versions of `key` from `from` to `to` (a repair: no acknowledgement).
    fn send(&mut self, ctx: &mut Ctx<'_>, from: u16, to: u16, key: u64, vers: &[u32]) {
        let at = ctx.now.add(self.latency(ctx, from, to));
        for &v in vers {
            self.data.hold(v);
            self.due(
                ctx,
                at,
                Due::Apply {
                    op: NONE,
                    key,
                    ver: v,
                    from,
                    to,
                    back: SimTime::ZERO,
                    standin: to,
                    hint: NONE,
                },
            );
        }
    }

    // ------------------------------------------------------------------ hints, anti-entropy, divergence

    fn add_hint(&mut self, ctx: &mut Ctx<'_>, from: u16, to: u16, key: u64, ver: u32) {
        self.data.hold(ver);
        let h = Hint {
            from,
            to,
            key,
            ver,
            scheduled: false,
        };
        let i = match self.free_hints.pop() {
            Some(i) => {
                self.hints[i as usize] = Some(h);
                i
            }
            None => {
                self.hints.push(Some(h));
                self.hints.len() as u32 - 1
            }
        };
        self.hints_held += 1;
        self.data.keys.entry(key).or_default().hints += 1;
        if self.counting(ctx.now) {
            self.counters.hints_stored += 1;
        }
        if self.connected(from, to) {
            self.hand_off(ctx, i);
        }
    }

    /// Schedules hint `i`'s handoff: its node hands off one hint every `handoff_gap`.
    fn hand_off(&mut self, ctx: &mut Ctx<'_>, i: u32) {
        let Some(h) = self.hints[i as usize].as_mut() else {
            return;
        };
        if h.scheduled {
            return;
        }
        h.scheduled = true;
        let h = *h;
        self.hints_moving += 1;
        let from = usize::from(h.from);
        let leave = self.next_handoff[from].max(ctx.now).add(self.handoff_gap);
        self.next_handoff[from] = leave;
        let at = leave.add(self.latency(ctx, h.from, h.to));
        self.data.hold(h.ver);
        self.due(
            ctx,
            at,
            Due::Apply {
                op: NONE,
                key: h.key,
                ver: h.ver,
                from: h.from,
                to: h.to,
                back: SimTime::ZERO,
                standin: h.to,
                hint: i,
            },
        );
    }

    /// One anti-entropy round: the replicas of every differing key that can reach each other exchange what
    /// they lack.
    fn anti_entropy_round(&mut self, ctx: &mut Ctx<'_>) {
        let keys: Vec<u64> = self.diverged.iter().copied().collect();
        let counting = self.counting(ctx.now);
        for key in keys {
            let homes = self.homes(key);
            let mut groups: BTreeMap<u64, Vec<u16>> = BTreeMap::new();
            for &h in &homes {
                groups.entry(self.side[usize::from(h)]).or_default().push(h);
            }
            for members in groups.values().filter(|g| g.len() > 1) {
                let mut merged = Vec::new();
                let sets: Vec<Vec<u32>> = members.iter().map(|&h| self.data.at(key, h)).collect();
                for s in &sets {
                    for &v in s {
                        self.data.merge(&mut merged, v);
                    }
                }
                for (i, &h) in members.iter().enumerate() {
                    let missing: Vec<u32> = merged
                        .iter()
                        .copied()
                        .filter(|v| !sets[i].contains(v))
                        .collect();
                    if missing.is_empty() {
                        continue;
                    }
                    // From a member holding the first missing version.
                    let src = members
                        .iter()
                        .zip(&sets)
                        .find(|(_, s)| s.contains(&missing[0]))
                        .map_or(members[0], |(&m, _)| m);
                    self.counters.anti_entropy_repairs += u64::from(counting);
                    self.send(ctx, src, h, key, &missing);
                }
            }
        }
    }

    /// Key `key` changed somewhere: is it in step across its replicas now?
    fn touch_key(&mut self, now: SimTime, key: u64) {
        let homes = self.homes(key);
        let hinted = self.data.keys.get(&key).is_some_and(|r| r.hints > 0);
        if self.data.in_step(key, &homes) {
            self.diverged.remove(&key);
            if !hinted && self.healing.remove(&key) && self.healing.is_empty() {
                self.converged(now);
            }
        } else {
            self.diverged.insert(key);
            self.max_diverged = self.max_diverged.max(self.diverged.len() as u64);
        }
    }

    fn converged(&mut self, now: SimTime) {
        if let Some(h) = self.heals.last_mut()
            && h.converged.is_none()
        {
            h.converged = Some(now);
        }
    }

    // ------------------------------------------------------------------ the engine's other verbs

    /// Time zero: arm anti-entropy and the divergence samples.
    pub fn start(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(every) = self.anti_entropy {
            self.due(ctx, ctx.now.add(every), Due::AntiEntropy);
        }
        if self.sample_every > SimTime::ZERO {
            self.due(ctx, ctx.now.add(self.sample_every), Due::Sample);
        }
    }

    /// The partitions changed: `parts[j]` is store node `j`'s side, `nodes[i]` diagram node `i`'s.
    pub fn partition(&mut self, ctx: &mut Ctx<'_>, parts: &[u64], nodes: &[u64]) {
        let m = usize::from(self.m);
        if parts.len() == m {
            self.side.copy_from_slice(parts);
        }
        self.caller_side = nodes.to_vec();
        // Sides that meet again share what each knew.
        let mut groups: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for a in 0..m {
            groups.entry(self.side[a]).or_default().push(a);
        }
        for members in groups.values() {
            let mut best = vec![0u32; m];
            for &a in members {
                for (x, &k) in best.iter_mut().zip(&self.know[a * m..(a + 1) * m]) {
                    *x = (*x).max(k);
                }
            }
            for &a in members {
                self.know[a * m..(a + 1) * m].copy_from_slice(&best);
            }
        }
        let split = groups.len() > 1;
        match (self.split_since, split) {
            (None, true) => {
                self.split_since = Some(ctx.now);
                if let Some(h) = self.heals.last_mut()
                    && h.converged.is_none()
                {
                    // Split again before the replicas were back in step: that heal never converged.
                    self.healing.clear();
                }
            }
            (Some(since), false) => {
                self.split_ns += ctx.now.since(since).0;
                self.split_since = None;
                let mut keys: BTreeSet<u64> = self.diverged.clone();
                keys.extend(self.hints.iter().flatten().map(|h| h.key));
                if self.heals.len() < MAX_HEALS {
                    self.heals.push(Heal {
                        at: ctx.now,
                        keys: keys.len() as u64,
                        converged: keys.is_empty().then_some(ctx.now),
                    });
                    self.healing = keys;
                }
            }
            _ => {}
        }
        for i in 0..self.hints.len() as u32 {
            if let Some(h) = self.hints[i as usize]
                && !h.scheduled
                && self.connected(h.from, h.to)
            {
                self.hand_off(ctx, i);
            }
        }
    }

    /// The store dies: every operation in progress fails; the data and the hints stay.
    pub fn kill(&mut self, ctx: &mut Ctx<'_>) {
        // An op in progress has timers pending; a freed one has none.
        for i in 0..self.ops.len() as u32 {
            let o = &self.ops[i as usize];
            if o.pending > 0 && !o.answered {
                self.answer(ctx, i, false);
            }
        }
        self.alive = false;
        self.epoch = self.epoch.wrapping_add(1);
        // Everything in flight is gone; release what it held.
        for d in std::mem::take(&mut self.dues) {
            match d {
                Due::Apply { ver, .. } => self.data.release(ver),
                Due::ReadBack { snap, .. } => snap.into_iter().for_each(|v| self.data.release(v)),
                _ => {}
            }
        }
        self.free_dues.clear();
        for i in 0..self.ops.len() as u32 {
            if self.ops[i as usize].pending > 0 {
                self.ops[i as usize].pending = 1;
                self.settle(i);
            }
        }
        self.ops.clear();
        self.free_ops.clear();
        for h in self.hints.iter_mut().flatten() {
            h.scheduled = false;
        }
        self.hints_moving = 0;
    }

    /// The store comes back: timers re-armed, hints that can move handed off.
    pub fn revive(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = true;
        self.start(ctx);
        for i in 0..self.hints.len() as u32 {
            if let Some(h) = self.hints[i as usize]
                && self.connected(h.from, h.to)
            {
                self.hand_off(ctx, i);
            }
        }
    }

    /// Service times × `factor` from now on.
    pub fn slow(&mut self, factor: f64) {
        self.factor = factor;
    }

    /// Operations in progress.
    pub fn in_progress(&self) -> u32 {
        (self.ops.len() - self.free_ops.len()) as u32
    }
}
