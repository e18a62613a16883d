//! The cache: a key store with a capacity, an eviction policy and a TTL, placed in front of a database (its
//! first outgoing edge). What the hit ratio is comes out of the mechanism — the keys requests carry, the
//! capacity, the policy and the TTL — never from a probability parameter.
//!
//! ```text
//!   caller ──read──> cache ──hit──────────────────────────> response after `hit_time`
//!                      └──miss (after `miss_time`)──> database ──> store the value, respond
//!   caller ──write─> cache ──> per `pattern`: write-through / write-around / cache-aside (invalidate)
//!                      └──write-behind: store, acknowledge after `hit_time`; flush to the database later
//! ```
//!
//! Values carry versions: a database stamps each read with the key's count of committed writes, and the
//! engine compares a hit's version with that count to find stale reads (a race in cache-aside, a TTL that
//! outlives a write made elsewhere). A write-behind entry holds a version newer than any database's
//! until it is flushed. A cache without outgoing edges answers a miss itself, storing the key (a memo cache).
//!
//! The cache also starts requests of its own — write-behind flushes and refresh-ahead reads — which the
//! engine carries like any other but answers back to the cache instead of a client.

pub(crate) mod store;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Incoming, mismatch};
use crate::components::{
    Action, Ctx, NodeDetail, Params, check_dist, check_num, check_prob, check_range,
};
use crate::digest::Digest;
use crate::dist::Dist;
use crate::request::{Op, Outcome};
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

pub use store::Eviction;
use store::{Displaced, Lookup, Store};

/// The version of a value written to a write-behind cache and not yet flushed: newer than the database's.
pub(crate) const DIRTY: u64 = u64::MAX;

/// The timer slot of the write-behind flush.
const FLUSH_SLOT: u32 = u32::MAX - 1;

/// How the service around the cache reads and writes through it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// Lazy loading by the application: on a miss it reads the database, then sets the key in the cache (one
    /// more `hit_time`); a write goes to the database, then deletes the key.
    #[default]
    CacheAside,
    /// The cache loads a missing key from the database itself; writes as cache-aside.
    ReadThrough,
    /// A write goes to the database, then the new value is stored in the cache; reads load lazily.
    WriteThrough,
    /// A write goes to the database and deletes the key, so only reads fill the cache.
    WriteAround,
    /// A write is stored in the cache and acknowledged at once; the database gets it at the next flush
    /// (`flush_interval_ms`). A crash before the flush loses it (`lost_writes`).
    WriteBehind,
}

/// Cache parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheParams {
    /// maximum entries; `null` = unlimited, default 1000
    pub capacity: Option<u32>,
    /// which entry a full cache evicts, default `lru`
    pub eviction: Eviction,
    /// time an entry lives after it is stored [ms]; `null` = forever, default 60 000
    pub ttl_ms: Option<f64>,
    /// time to answer a hit (and to set or delete a key) [distribution], default constant 0.2 ms
    pub hit_time: Dist,
    /// time to find a key missing before the database is asked [distribution], default constant 0.2 ms
    pub miss_time: Dist,
    /// how reads and writes use the cache and the database behind it, default `cache_aside`
    pub pattern: Pattern,
    /// refresh-ahead: a hit in the last `refresh_ahead` fraction of an entry's TTL reloads the key in the
    /// background [0..1]; `null` = off, default off
    pub refresh_ahead: Option<f64>,
    /// concurrent misses on one key wait for a single database read (request coalescing), default false
    pub coalesce: bool,
    /// keys `0..warm_keys` (the hottest of a Zipf key law) are loaded at the start, default 0
    pub warm_keys: u32,
    /// write-behind: time between flushes of the pending writes [ms], default 1000
    pub flush_interval_ms: f64,
}

impl Default for CacheParams {
    fn default() -> Self {
        CacheParams {
            capacity: Some(1000),
            eviction: Eviction::Lru,
            ttl_ms: Some(60_000.0),
            hit_time: Dist::Constant { ms: 0.2 },
            miss_time: Dist::Constant { ms: 0.2 },
            pattern: Pattern::CacheAside,
            refresh_ahead: None,
            coalesce: false,
            warm_keys: 0,
            flush_interval_ms: 1000.0,
        }
    }
}

/// CDN edge defaults: 100 000 objects, LRU, a one-hour TTL, read-through (origin pull), 1 ms to serve a hit
/// or find a miss (a bigger object store than an in-memory cache).
pub fn cdn_defaults() -> CacheParams {
    CacheParams {
        capacity: Some(100_000),
        ttl_ms: Some(3_600_000.0),
        hit_time: Dist::Constant { ms: 1.0 },
        miss_time: Dist::Constant { ms: 1.0 },
        pattern: Pattern::ReadThrough,
        ..CacheParams::default()
    }
}

impl CacheParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(ttl) = self.ttl_ms {
            check_num(&mut out, "ttl_ms", ttl, 0.0);
            if ttl.is_finite() && ttl <= 0.0 {
                out.push(("ttl_ms".into(), "`ttl_ms` must be positive".into()));
            }
        }
        check_dist(&mut out, "hit_time", &self.hit_time);
        check_dist(&mut out, "miss_time", &self.miss_time);
        if let Some(f) = self.refresh_ahead {
            check_prob(&mut out, "refresh_ahead", f);
        }
        check_num(&mut out, "flush_interval_ms", self.flush_interval_ms, 0.0);
        if self.flush_interval_ms.is_finite() && self.flush_interval_ms <= 0.0 {
            out.push((
                "flush_interval_ms".into(),
                "`flush_interval_ms` must be positive".into(),
            ));
        }
        let mut ranges = vec![
            ("warm_keys", f64::from(self.warm_keys)),
            ("flush_interval_ms", self.flush_interval_ms),
        ];
        if let Some(c) = self.capacity {
            ranges.push(("capacity", f64::from(c)));
        }
        if let Some(t) = self.ttl_ms {
            ranges.push(("ttl_ms", t));
        }
        for (field, v) in ranges {
            check_range(&mut out, field, v);
        }
        out
    }
}

/// Counters over the measurement window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CacheCounters {
    pub hits: u64,
    pub misses: u64,
    pub evictions: u64,
    pub expirations: u64,
    pub stale_reads: u64,
    pub lost_writes: u64,
    pub coalesced: u64,
    pub refreshes: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Free,
    /// answering a hit with this version after `hit_time`
    Hit(u64),
    /// a miss, paying `miss_time` before the database is asked
    Miss,
    /// responding with this outcome after `hit_time` (a set or delete after the database answered, a
    /// write-behind acknowledgement)
    Done(Outcome),
    /// waiting for the database's answer to a read
    Fetch,
    /// waiting for the database's answer to a write
    Write,
    /// the cache's own background read
    Refresh,
    /// the cache's own flush of this many acknowledged writes
    Flush(u64),
}

#[derive(Clone, Debug)]
struct OpSlot {
    req: u32,
    key: u64,
    token: u32,
    phase: Phase,
    /// the cache's epoch when the slot was taken; a crash bumps the epoch
    epoch: u32,
    /// coalesced requests waiting for this fetch
    waiters: Vec<u32>,
}

/// The cache's state machine.
pub(crate) struct Cache {
    store: Store,
    ttl: Option<SimTime>,
    hit_time: Dist,
    miss_time: Dist,
    pattern: Pattern,
    refresh_ahead: Option<f64>,
    coalesce: bool,
    warm_keys: u32,
    flush_interval: SimTime,
    backed: bool,
    ops: Vec<OpSlot>,
    free: Vec<u32>,
    /// coalescing: the fetch slot per key in flight
    inflight: BTreeMap<u64, u32>,
    /// refresh-ahead reads in flight
    refreshing: BTreeSet<u64>,
    /// write-behind: acknowledged writes per key not yet sent to the database
    dirty: BTreeMap<u64, u64>,
    flush_token: u32,
    flush_armed: bool,
    alive: bool,
    epoch: u32,
    window: (SimTime, SimTime),
    /// counters inside the measurement window
    pub counters: CacheCounters,
}

impl Cache {
    /// A cache with `ports` outgoing edges (the first is its database), counting inside `[start, end)`.
    pub fn new(p: &CacheParams, ports: u32, window: (SimTime, SimTime)) -> Cache {
        Cache {
            store: Store::new(p.capacity, p.eviction),
            ttl: p.ttl_ms.map(SimTime::from_ms),
            hit_time: p.hit_time.clone(),
            miss_time: p.miss_time.clone(),
            pattern: p.pattern,
            refresh_ahead: p.refresh_ahead,
            coalesce: p.coalesce,
            warm_keys: p.warm_keys.min(p.capacity.unwrap_or(u32::MAX)),
            flush_interval: SimTime::from_ms(p.flush_interval_ms).max(SimTime(1)),
            backed: ports > 0,
            ops: Vec::new(),
            free: Vec::new(),
            inflight: BTreeMap::new(),
            refreshing: BTreeSet::new(),
            dirty: BTreeMap::new(),
            flush_token: 0,
            flush_armed: false,
            alive: true,
            epoch: 0,
            window,
            counters: CacheCounters::default(),
        }
    }

    /// Entries held.
    pub fn entries(&self) -> u32 {
        self.store.len()
    }

    /// Acknowledged writes not yet sent to the database.
    pub fn pending_writes(&self) -> u64 {
        self.dirty.values().sum()
    }

    fn counting(&self, now: SimTime) -> bool {
        now >= self.window.0 && now < self.window.1
    }

    fn expires(&self, now: SimTime) -> SimTime {
        self.ttl.map_or(SimTime::MAX, |t| now.add(t))
    }

    /// Loads keys `0..warm_keys` (hottest last, so recency-ordered policies keep them longest).
    pub fn warm(&mut self, ctx: &mut Ctx<'_>) {
        let expires = self.expires(ctx.now);
        for k in (0..u64::from(self.warm_keys)).rev() {
            self.store.insert(k, 0, expires, ctx.now, ctx.rng);
        }
    }

    fn count_displaced(&mut self, now: SimTime, d: Displaced) {
        if self.counting(now) {
            self.counters.evictions += u64::from(d.evicted);
            self.counters.expirations += u64::from(d.expired);
        }
    }

    fn put(&mut self, ctx: &mut Ctx<'_>, key: u64, version: u64) {
        let expires = self.expires(ctx.now);
        let d = self.store.insert(key, version, expires, ctx.now, ctx.rng);
        self.count_displaced(ctx.now, d);
    }

    fn take_slot(&mut self, req: u32, key: u64, phase: Phase) -> u32 {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.ops.push(OpSlot {
                    req: 0,
                    key: 0,
                    token: 0,
                    phase: Phase::Free,
                    epoch: 0,
                    waiters: Vec::new(),
                });
                self.ops.len() as u32 - 1
            }
        };
        let o = &mut self.ops[slot as usize];
        o.req = req;
        o.key = key;
        o.phase = phase;
        o.epoch = self.epoch;
        slot
    }

    fn release(&mut self, slot: u32) {
        let o = &mut self.ops[slot as usize];
        o.phase = Phase::Free;
        o.token = o.token.wrapping_add(1);
        o.waiters.clear();
        self.free.push(slot);
    }

    /// Waits `d` in `slot`, then [`Cache::on_timer`] continues; a zero wait continues at once.
    fn after(&mut self, ctx: &mut Ctx<'_>, slot: u32, d: SimTime) {
        if d.0 == 0 {
            let token = self.ops[slot as usize].token;
            self.on_timer(ctx, slot, token);
        } else {
            ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(d),
                slot,
                token: self.ops[slot as usize].token,
            });
        }
    }

    /// A request for `key` arrives.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, key: u64, op: Op) {
        let counting = self.counting(ctx.now);
        self.store.count_request(key);
        match op {
            Op::Read => match self.store.get(key, ctx.now) {
                Lookup::Hit { version, expires } => {
                    if counting {
                        self.counters.hits += 1;
                    }
                    self.maybe_refresh(ctx, key, expires);
                    let slot = self.take_slot(req, key, Phase::Hit(version));
                    let d = self.hit_time.sample(ctx.rng, 1.0);
                    self.after(ctx, slot, d);
                }
                found => {
                    if counting {
                        self.counters.misses += 1;
                        self.counters.expirations += u64::from(found == Lookup::Expired);
                    }
                    // Coalescing decides with the lookup: a read of this key already out takes the request.
                    if let Some(&leader) = self.inflight.get(&key) {
                        self.ops[leader as usize].waiters.push(req);
                        if counting {
                            self.counters.coalesced += 1;
                        }
                        return;
                    }
                    let slot = self.take_slot(req, key, Phase::Miss);
                    if self.coalesce && self.backed {
                        self.inflight.insert(key, slot);
                    }
                    let d = self.miss_time.sample(ctx.rng, 1.0);
                    self.after(ctx, slot, d);
                }
            },
            Op::Write if self.pattern == Pattern::WriteBehind || !self.backed => {
                self.put(ctx, key, if self.backed { DIRTY } else { 0 });
                if self.backed {
                    *self.dirty.entry(key).or_insert(0) += 1;
                    if !self.flush_armed {
                        self.flush_armed = true;
                        ctx.out.push(Action::ServiceDone {
                            at: ctx.now.add(self.flush_interval),
                            slot: FLUSH_SLOT,
                            token: self.flush_token,
                        });
                    }
                }
                let slot = self.take_slot(req, key, Phase::Done(Outcome::Ok));
                let d = self.hit_time.sample(ctx.rng, 1.0);
                self.after(ctx, slot, d);
            }
            Op::Write => {
                let slot = self.take_slot(req, key, Phase::Write);
                ctx.out.push(Action::Forward { req, port: 0, slot });
            }
        }
    }

    /// Refresh-ahead: reload `key` in the background when a hit falls in the last part of its life.
    fn maybe_refresh(&mut self, ctx: &mut Ctx<'_>, key: u64, expires: SimTime) {
        let (Some(f), Some(ttl)) = (self.refresh_ahead, self.ttl) else {
            return;
        };
        let left = expires.since(ctx.now).0 as f64;
        if !self.backed || left > f * ttl.0 as f64 || self.refreshing.contains(&key) {
            return;
        }
        self.refreshing.insert(key);
        if self.counting(ctx.now) {
            self.counters.refreshes += 1;
        }
        let slot = self.take_slot(0, key, Phase::Refresh);
        ctx.out.push(Action::Spawn {
            key,
            op: Op::Read,
            port: 0,
            slot,
        });
    }

    /// A timer of this cache fires (a hit or miss latency, a set, or the flush).
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        if slot == FLUSH_SLOT {
            if token == self.flush_token && self.alive {
                self.flush(ctx);
            }
            return;
        }
        let o = &self.ops[slot as usize];
        if o.token != token {
            return;
        }
        let (req, key) = (o.req, o.key);
        match o.phase {
            Phase::Hit(version) => {
                ctx.out.push(Action::Hit { req, version });
                self.release(slot);
            }
            Phase::Done(outcome) => {
                ctx.out.push(Action::Respond { req, outcome });
                self.release(slot);
            }
            Phase::Miss if !self.backed => {
                self.put(ctx, key, 0);
                ctx.out.push(Action::Respond {
                    req,
                    outcome: Outcome::Ok,
                });
                self.release(slot);
            }
            Phase::Miss => {
                self.ops[slot as usize].phase = Phase::Fetch;
                ctx.out.push(Action::Forward { req, port: 0, slot });
            }
            other => unreachable!("no timer runs in phase {other:?}"),
        }
    }

    /// Sends every pending write-behind write to the database, one request per key.
    fn flush(&mut self, ctx: &mut Ctx<'_>) {
        self.flush_armed = false;
        let dirty = std::mem::take(&mut self.dirty);
        for (key, writes) in dirty {
            let slot = self.take_slot(0, key, Phase::Flush(writes));
            ctx.out.push(Action::Spawn {
                key,
                op: Op::Write,
                port: 0,
                slot,
            });
        }
    }

    fn arm_flush(&mut self, ctx: &mut Ctx<'_>) {
        if !self.flush_armed && self.alive {
            self.flush_armed = true;
            ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(self.flush_interval),
                slot: FLUSH_SLOT,
                token: self.flush_token,
            });
        }
    }

    /// The database answers a call of this cache; `version` is the value's version it stamped.
    pub fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        slot: u32,
        outcome: Outcome,
        version: u64,
    ) {
        let o = &mut self.ops[slot as usize];
        let (key, phase) = (o.key, o.phase);
        let stale_epoch = o.epoch != self.epoch || !self.alive;
        let waiters = std::mem::take(&mut o.waiters);
        match phase {
            Phase::Fetch | Phase::Write if stale_epoch => {
                // The cache crashed while the call was out: what it held is gone.
                ctx.out.push(Action::Fail {
                    req,
                    outcome: Outcome::Error,
                });
                self.release(slot);
            }
            Phase::Fetch => {
                if self.coalesce && self.inflight.get(&key) == Some(&slot) {
                    self.inflight.remove(&key);
                }
                if outcome == Outcome::Ok {
                    self.put(ctx, key, version);
                }
                for w in waiters {
                    ctx.out.push(Action::Respond { req: w, outcome });
                }
                if outcome == Outcome::Ok && self.pattern == Pattern::CacheAside {
                    // The application sets the key it read: one more round to the cache.
                    self.ops[slot as usize].phase = Phase::Done(outcome);
                    let d = self.hit_time.sample(ctx.rng, 1.0);
                    self.after(ctx, slot, d);
                } else {
                    ctx.out.push(Action::Respond { req, outcome });
                    self.release(slot);
                }
            }
            Phase::Write => {
                if outcome == Outcome::Ok {
                    if self.pattern == Pattern::WriteThrough {
                        self.put(ctx, key, version);
                    } else {
                        self.store.remove(key);
                    }
                    self.ops[slot as usize].phase = Phase::Done(outcome);
                    let d = self.hit_time.sample(ctx.rng, 1.0);
                    self.after(ctx, slot, d);
                } else {
                    ctx.out.push(Action::Respond { req, outcome });
                    self.release(slot);
                }
            }
            Phase::Refresh => {
                self.refreshing.remove(&key);
                if outcome == Outcome::Ok && !stale_epoch && !self.dirty.contains_key(&key) {
                    self.put(ctx, key, version);
                }
                ctx.out.push(Action::Absorb { req });
                self.release(slot);
            }
            Phase::Flush(writes) => {
                if stale_epoch {
                    // Sent before the crash; the database has it or not, the cache no longer cares.
                } else if outcome == Outcome::Ok {
                    if !self.dirty.contains_key(&key)
                        && self
                            .store
                            .peek(key, ctx.now)
                            .is_some_and(|(v, _)| v == DIRTY)
                    {
                        // Clean now: the entry holds what the database holds.
                        self.put_version(ctx, key, version);
                    }
                } else {
                    *self.dirty.entry(key).or_insert(0) += writes;
                    self.arm_flush(ctx);
                }
                ctx.out.push(Action::Absorb { req });
                self.release(slot);
            }
            other => unreachable!("no call is out in phase {other:?}"),
        }
    }

    /// Marks `key`'s entry as holding `version`, keeping its expiry.
    fn put_version(&mut self, ctx: &mut Ctx<'_>, key: u64, version: u64) {
        if let Some((_, expires)) = self.store.peek(key, ctx.now) {
            self.store.insert(key, version, expires, ctx.now, ctx.rng);
        }
    }

    /// A call of this cache was lost and nobody waits for it any more: free its slot. Coalesced requests
    /// waiting on a lost fetch fail; a lost flush is retried.
    pub fn abandon(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        let o = &mut self.ops[slot as usize];
        let (key, phase) = (o.key, o.phase);
        let waiters = std::mem::take(&mut o.waiters);
        match phase {
            Phase::Fetch => {
                if self.inflight.get(&key) == Some(&slot) {
                    self.inflight.remove(&key);
                }
                for w in waiters {
                    ctx.out.push(Action::Fail {
                        req: w,
                        outcome: Outcome::Error,
                    });
                }
            }
            Phase::Refresh => {
                self.refreshing.remove(&key);
            }
            Phase::Flush(writes) if o.epoch == self.epoch => {
                *self.dirty.entry(key).or_insert(0) += writes;
                self.arm_flush(ctx);
            }
            _ => {}
        }
        self.release(slot);
    }

    /// A hit the engine found stale (its version is older than the database's).
    pub fn count_stale(&mut self, now: SimTime) {
        if self.counting(now) {
            self.counters.stale_reads += 1;
        }
    }

    /// The node crashes: its memory is gone, acknowledged writes not yet flushed are lost, requests it holds
    /// fail (those waiting on the database when the answer comes back).
    pub fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = false;
        self.epoch = self.epoch.wrapping_add(1);
        let lost = self.pending_writes();
        if self.counting(ctx.now) {
            self.counters.lost_writes += lost;
        }
        self.dirty.clear();
        self.flush_token = self.flush_token.wrapping_add(1);
        self.flush_armed = false;
        self.store.clear();
        self.inflight.clear();
        self.refreshing.clear();
        for slot in 0..self.ops.len() as u32 {
            let waiters = std::mem::take(&mut self.ops[slot as usize].waiters);
            for w in waiters {
                ctx.out.push(Action::Fail {
                    req: w,
                    outcome: Outcome::Error,
                });
            }
            let o = &self.ops[slot as usize];
            if matches!(o.phase, Phase::Hit(_) | Phase::Miss | Phase::Done(_)) {
                ctx.out.push(Action::Fail {
                    req: o.req,
                    outcome: Outcome::Error,
                });
                self.release(slot);
            }
        }
    }

    /// The node comes back empty (and warms again, if it warms).
    pub fn revive(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = true;
        self.warm(ctx);
    }
}

/// A cache's statistics over the measurement window. Reads are hits or misses; writes are neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheReport {
    /// reads answered from a live entry
    pub hits: u64,
    /// reads that found no live entry (absent, evicted or expired)
    pub misses: u64,
    /// hits ÷ (hits + misses) [0..1]; 0 without reads
    pub hit_ratio: f64,
    /// live entries removed to make room
    pub evictions: u64,
    /// entries found expired by a read, or removed expired to make room
    pub expirations: u64,
    /// hits whose value was older than the database's (a write had committed since it was loaded)
    pub stale_reads: u64,
    /// write-behind: acknowledged writes lost because the cache crashed before flushing them
    pub lost_writes: u64,
    /// misses that waited for another request's database read of the same key (`coalesce`)
    pub coalesced: u64,
    /// background reloads started by refresh-ahead
    pub refreshes: u64,
    /// entries held at the end
    pub entries: u64,
}

impl CacheReport {
    pub(crate) fn new(c: &CacheCounters, entries: u32) -> CacheReport {
        let reads = c.hits + c.misses;
        CacheReport {
            hits: c.hits,
            misses: c.misses,
            hit_ratio: if reads > 0 {
                c.hits as f64 / reads as f64
            } else {
                0.0
            },
            evictions: c.evictions,
            expirations: c.expirations,
            stale_reads: c.stale_reads,
            lost_writes: c.lost_writes,
            coalesced: c.coalesced,
            refreshes: c.refreshes,
            entries: u64::from(entries),
        }
    }
}

impl CacheReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            self.hits,
            self.misses,
            self.evictions,
            self.expirations,
            self.stale_reads,
            self.lost_writes,
            self.coalesced,
            self.refreshes,
            self.entries,
        ]);
        h.f64(self.hit_ratio);
    }

    /// The caches' table header in the runner's table.
    pub fn table_header() -> String {
        format!(
            "{:<16} {:>10} {:>10} {:>7} {:>9} {:>8} {:>7} {:>6} {:>9} {:>8} {:>8}",
            "cache",
            "hits",
            "misses",
            "hit %",
            "evictions",
            "expired",
            "stale",
            "lost",
            "coalesced",
            "refresh",
            "entries"
        )
    }

    /// This cache's row in that table.
    pub fn table_row(&self, id: &str) -> String {
        format!(
            "{:<16} {:>10} {:>10} {:>6.1}% {:>9} {:>8} {:>7} {:>6} {:>9} {:>8} {:>8}",
            id,
            self.hits,
            self.misses,
            self.hit_ratio * 100.0,
            self.evictions,
            self.expirations,
            self.stale_reads,
            self.lost_writes,
            self.coalesced,
            self.refreshes,
            self.entries
        )
    }
}

/// A cache's block of the report: `cache`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheDetail {
    /// cache statistics
    pub cache: CacheReport,
}

impl Component for Cache {
    fn build(b: &Build<'_>) -> Result<Cache, String> {
        match b.params {
            Params::Cache(p) | Params::CdnEdge(p) => {
                Ok(Cache::new(p, b.ports.len() as u32, b.window))
            }
            other => Err(mismatch("cache", other)),
        }
    }

    /// Warm caches load their keys (no random draws: a warm set never exceeds the capacity).
    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.warm(ctx);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        Cache::on_request(self, ctx, req, inc.key, inc.op);
        false
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        slot: u32,
        outcome: Outcome,
        version: u64,
    ) {
        Cache::on_response(self, ctx, req, slot, outcome, version);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        Cache::on_timer(self, ctx, slot, token);
    }

    fn abandon(&mut self, ctx: &mut Ctx<'_>, _req: u32, slot: u32) {
        Cache::abandon(self, ctx, slot);
    }

    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        Cache::kill(self, ctx);
    }

    fn revive(&mut self, ctx: &mut Ctx<'_>) {
        Cache::revive(self, ctx);
    }

    fn stale_hit(&mut self, now: SimTime) {
        self.count_stale(now);
    }

    fn detail(&self, _now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        Some(NodeDetail::Cache(CacheDetail {
            cache: CacheReport::new(&self.counters, self.entries()),
        }))
    }
}

impl Choices for Pattern {
    const ALL: &'static [Pattern] = &[
        Pattern::CacheAside,
        Pattern::ReadThrough,
        Pattern::WriteThrough,
        Pattern::WriteAround,
        Pattern::WriteBehind,
    ];
}

impl Choices for Eviction {
    const ALL: &'static [Eviction] = &[
        Eviction::Lru,
        Eviction::Lfu,
        Eviction::Fifo,
        Eviction::Random,
    ];
    fn label(self) -> Option<&'static str> {
        match self {
            Eviction::Lru => Some("LRU"),
            Eviction::Lfu => Some("LFU"),
            Eviction::Fifo => Some("FIFO"),
            Eviction::Random => None,
        }
    }
}

impl CacheParams {
    /// How the inspector names a cache's (and a CDN edge's) parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("capacity", "Capacity")
                .integer()
                .empty("unlimited"),
            Term::new("eviction", "Eviction").choices(choices::<Eviction>),
            Term::new("ttl_ms", "TTL").empty("forever"),
            Term::new("pattern", "Pattern").choices(choices::<Pattern>),
            Term::new("hit_time", "Hit time").family(&Dist::FAMILY),
            Term::new("miss_time", "Miss time").family(&Dist::FAMILY),
            Term::new("coalesce", "Coalesce misses"),
            Term::new("refresh_ahead", "Refresh ahead")
                .unit("0–1")
                .empty("off"),
            Term::new("warm_keys", "Warm keys"),
            Term::new("flush_interval_ms", "Flush interval"),
        ],
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    fn ctx<'a>(now: SimTime, rng: &'a mut SimRng, out: &'a mut Vec<Action>) -> Ctx<'a> {
        Ctx {
            now,
            rng,
            out,
            counting: true,
        }
    }

    fn instant(pattern: Pattern) -> CacheParams {
        CacheParams {
            hit_time: Dist::Constant { ms: 0.0 },
            miss_time: Dist::Constant { ms: 0.0 },
            pattern,
            ..CacheParams::default()
        }
    }

    const ALWAYS: (SimTime, SimTime) = (SimTime::ZERO, SimTime::MAX);

    #[test]
    fn a_miss_loads_and_the_next_read_hits() {
        let mut c = Cache::new(&instant(Pattern::ReadThrough), 1, ALWAYS);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        c.on_request(&mut ctx(SimTime(0), &mut rng, &mut out), 1, 42, Op::Read);
        let Action::Forward { slot, .. } = out[0] else {
            panic!("a miss goes to the database, got {out:?}")
        };
        out.clear();
        c.on_response(
            &mut ctx(SimTime(5), &mut rng, &mut out),
            1,
            slot,
            Outcome::Ok,
            3,
        );
        assert_eq!(
            out,
            [Action::Respond {
                req: 1,
                outcome: Outcome::Ok
            }]
        );
        out.clear();
        c.on_request(&mut ctx(SimTime(6), &mut rng, &mut out), 2, 42, Op::Read);
        assert_eq!(out, [Action::Hit { req: 2, version: 3 }]);
        assert_eq!((c.counters.hits, c.counters.misses), (1, 1));
    }

    #[test]
    fn coalesced_misses_make_one_database_read() {
        let p = CacheParams {
            coalesce: true,
            ..instant(Pattern::ReadThrough)
        };
        let mut c = Cache::new(&p, 1, ALWAYS);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        for req in 0..5 {
            c.on_request(&mut ctx(SimTime(0), &mut rng, &mut out), req, 7, Op::Read);
        }
        assert_eq!(out.len(), 1, "one fetch: {out:?}");
        assert_eq!(c.counters.coalesced, 4);
        let Action::Forward { slot, .. } = out[0] else {
            panic!("a fetch")
        };
        out.clear();
        c.on_response(
            &mut ctx(SimTime(1), &mut rng, &mut out),
            0,
            slot,
            Outcome::Ok,
            0,
        );
        assert_eq!(out.len(), 5, "every waiter answered: {out:?}");
    }

    #[test]
    fn write_behind_acknowledges_then_a_crash_loses_the_unflushed_writes() {
        let mut c = Cache::new(&instant(Pattern::WriteBehind), 1, ALWAYS);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        for req in 0..3 {
            c.on_request(&mut ctx(SimTime(0), &mut rng, &mut out), req, 9, Op::Write);
        }
        let acks = out
            .iter()
            .filter(|a| matches!(a, Action::Respond { .. }))
            .count();
        assert_eq!(acks, 3);
        assert_eq!(c.pending_writes(), 3);
        out.clear();
        c.kill(&mut ctx(SimTime(1), &mut rng, &mut out));
        assert_eq!(c.counters.lost_writes, 3);
        assert_eq!(c.entries(), 0);
    }

    #[test]
    fn write_behind_flush_sends_one_write_per_key() {
        let mut c = Cache::new(&instant(Pattern::WriteBehind), 1, ALWAYS);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        for (req, key) in [(0, 1), (1, 2), (2, 1)] {
            c.on_request(
                &mut ctx(SimTime(0), &mut rng, &mut out),
                req,
                key,
                Op::Write,
            );
        }
        let Some(&Action::ServiceDone { slot, token, .. }) =
            out.iter().find(|a| matches!(a, Action::ServiceDone { .. }))
        else {
            panic!("a flush is scheduled: {out:?}")
        };
        out.clear();
        c.on_timer(&mut ctx(SimTime(10), &mut rng, &mut out), slot, token);
        let spawned: Vec<u64> = out
            .iter()
            .filter_map(|a| match a {
                Action::Spawn { key, .. } => Some(*key),
                _ => None,
            })
            .collect();
        assert_eq!(spawned, [1, 2]);
        assert_eq!(c.pending_writes(), 0);
    }
}
