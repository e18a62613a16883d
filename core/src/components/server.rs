//! The server: `workers` slots fed by a FIFO queue of bounded capacity. A worker serves a request for a time
//! drawn from the service-time distribution (divided by `speed`, multiplied by a slow-down fault), then either
//! responds, fails it (error probability), or calls its downstream edges by its call plan: each in turn
//! (`sequential`), all at once (`parallel`, optionally answering with what arrived by a `partial_ms`
//! deadline), all at once until `first_k` have answered, or the one its key picks (`one`). With
//! `blocking_calls` the worker waits for the plan (a thread-per-request server); without, it is freed once the
//! calls are sent — a sequential plan's next call goes out when the previous answers — and the response leaves
//! when the plan ends (an event-loop server). The engine carries out a parallel plan (`Action::Scatter`): a
//! plan looks to the server like one call.
//!
//! Resilience: with `shed_expired` a request whose deadline has passed is dropped unserved (load shedding),
//! on arrival and again when a worker would take it from the queue; a `bulkhead` caps the workers that may
//! wait on any one dependency, so a slow dependency fails its own calls fast instead of taking every worker;
//! with `side_effects` each served write has an effect outside the system (a payment), counted per logical
//! request so duplicates caused by retries show, and `idempotency` keys keep a dedupe store that answers a
//! repeated request from its record instead of repeating the effect.

pub(crate) mod fan_out;
pub mod fleet;
pub mod graphql;
pub mod modules;
pub mod sessions;

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::components::connections::Connections;
use crate::components::interface::{Build, Component, Finding, Incoming, Levels, Plan, mismatch};
use crate::components::{
    Action, Ctx, NodeDetail, Params, check_dist, check_num, check_prob, check_range,
};
use crate::digest::Digest;
use crate::dist::Dist;
use crate::request::{Op, Outcome};
use crate::resilience::default_json;
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};
use fleet::{Autoscale, Fleet, FleetReport};
use graphql::{GraphQlParams, Resolver};
use sessions::SessionTable;
pub use sessions::Sessions;

/// A non-blocking server's call over port `p` carries slot `FREED_CALL + p`: no worker waits for it (worker
/// slots are below it; `NO_SLOT` is above every port).
const FREED_CALL: u32 = 0x8000_0000;

/// A non-blocking server's parallel plan carries this slot (no worker waits for it).
const FREED_PLAN: u32 = u32::MAX - 3;

/// A worker waiting on a parallel plan waits on every port.
const ALL_PORTS: u32 = u32::MAX;

/// The most calls a parallel plan sends over each edge (`fan_out`).
pub const MAX_FAN_OUT: u32 = 1_000;

/// The most successful answers a `first_k` plan may wait for (and at most the calls it sends).
pub const MAX_FIRST_K: u32 = 1_000;

/// The longest `partial_ms` deadline [ms]: an hour.
pub const MAX_PARTIAL_MS: f64 = 3.6e6;

/// How far back a server with side effects remembers the logical requests it applied [s]: a duplicate
/// effect is one that repeats a logical request within this span (longer than any default retry sequence).
pub const EFFECT_MEMORY_S: f64 = 120.0;

/// Server parameters (also the database's, with other defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerParams {
    /// parallel workers (threads, or a database's connection pool) [≥ 1], default 4
    pub workers: u32,
    /// waiting room in front of the workers; `null` = unbounded, default 100. A request arriving to a full
    /// queue is rejected.
    pub queue_capacity: Option<u32>,
    /// time a worker spends on one request at speed 1, default exponential with mean 20 ms
    pub service_time: Dist,
    /// probability that a served request fails [0..1], default 0
    pub error_probability: f64,
    /// CPU speed factor (vertical scaling): service times are divided by it [> 0], default 1
    pub speed: f64,
    /// whether a worker waits for its downstream calls (true) or is freed once it has sent them, default true
    pub blocking_calls: bool,
    /// the call plan: how a request calls the downstream edges, default `sequential` (each in turn)
    #[serde(default)]
    pub calls: Calls,
    /// `parallel` and `first_k`: calls sent over each edge at once (a scatter to that many shards or leaves
    /// behind it) [1..1000], default 1
    #[serde(default = "one")]
    pub fan_out: u32,
    /// `first_k`: the plan ends when this many calls have answered successfully [1..1000, at most the
    /// calls sent], default 1
    #[serde(default = "one")]
    pub first_k: u32,
    /// `parallel`: answer with what arrived this long after the calls left (a partial answer, successful
    /// when one call was) instead of waiting for every call; `null` = wait for all and fail when one fails
    /// [ms, 0.001..3600000], default `null`
    #[serde(default)]
    pub partial_ms: Option<f64>,
    /// load shedding: drop a request unserved when its deadline has passed, or will before a mean service
    /// time could end (checked on arrival and when a worker would take it from the queue), default false
    #[serde(default)]
    pub shed_expired: bool,
    /// bulkhead: at most this many workers may wait on any one downstream dependency; a call past it fails
    /// fast (rejected). `null` = no bulkhead, default `null`
    #[serde(default)]
    pub bulkhead: Option<u32>,
    /// each write it serves has an effect outside the system (charging a card); effects that repeat a
    /// logical request are counted as duplicates, default false
    #[serde(default)]
    pub side_effects: bool,
    /// idempotency keys: a dedupe store remembers each served request for `retention_s`; a repeat is
    /// answered from it without running again. `null` = none, default `null`
    #[serde(default)]
    pub idempotency: Option<Idempotency>,
    /// the body of a successful response it sends [bytes, 0..10⁹], default 4096; it takes time on a link
    /// only where the link has a bandwidth
    #[serde(default = "default_response_bytes")]
    pub response_bytes: u32,
    /// how response sizes vary: `constant` (every response `response_bytes`) or `exponential` (mean
    /// `response_bytes`), default `constant`
    #[serde(default)]
    pub response_sizes: Sizes,
    /// a login endpoint: the CPU time of hashing one password (the bcrypt, scrypt or Argon2 work factor),
    /// added to each request's service time and divided by `speed` like it [ms], default 0
    #[serde(default)]
    pub password_hash_ms: f64,
    /// identical instances the node stands for, each with `workers` workers behind one address (a fixed
    /// fleet; with `autoscale`, the fleet it starts with) [1..1000], default 1
    #[serde(default = "one")]
    pub instances: u32,
    /// target-tracking autoscaling between `min` and `max` instances (`server/fleet.rs`); `null` = a
    /// fixed fleet, default `null`
    #[serde(default)]
    pub autoscale: Option<Autoscale>,
    /// the server terminates TLS itself: the CPU of a full handshake, paid by a request whose client address
    /// has no open connection, added to its service time and divided by `speed` [ms]; 0 = TLS ends before it
    /// (at a gateway) or there is none, default 0
    #[serde(default)]
    pub tls_handshake_ms: f64,
    /// with `tls_handshake_ms`: a client address's connection is reused while idle less than this (HTTP
    /// keep-alive) [s], default 60
    #[serde(default = "default_keepalive_s")]
    pub keepalive_s: f64,
    /// where users' sessions live: `none` (default), `stateful` (in memory, lost when it dies) or `store`
    /// (a session store it calls on each request; `server/sessions.rs`)
    #[serde(default)]
    pub sessions: Sessions,
    /// a GraphQL resolver: each request is a query whose list and nested fields it resolves with several
    /// calls to its back end (`server/graphql.rs`); `null` = none, default `null`
    #[serde(default)]
    pub graphql: Option<GraphQlParams>,
    /// a monolith's modules, run in process by the same worker after the server's own work (`server/modules.rs`):
    /// `catalog 4ms 2GiB; search ~24ms 8GiB`, default none
    #[serde(default)]
    pub modules: String,
    /// CPU to decode each request it receives and encode its answer (a service called over the network) [ms],
    /// added to its service time and divided by `speed`, default 0
    #[serde(default)]
    pub serialisation_ms: f64,
}

fn default_keepalive_s() -> f64 {
    60.0
}

fn default_response_bytes() -> u32 {
    4096
}

/// How message sizes vary around their mean.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sizes {
    /// every message the same size
    #[default]
    Constant,
    /// exponentially distributed with the given mean (many small, a few large)
    Exponential,
}

fn one() -> u32 {
    1
}

/// A server's call plan: which downstream edges a request calls, and how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calls {
    /// every downstream edge, one after another (stopping at the first failure); `every` in older diagrams
    #[default]
    #[serde(alias = "every")]
    Sequential,
    /// every downstream edge (`fan_out` times each) at once; the plan ends when all have answered, or fails
    /// when one fails (with `partial_ms`: at that deadline, with what arrived)
    Parallel,
    /// every downstream edge (`fan_out` times each) at once; the plan ends when `first_k` have answered
    /// successfully (a quorum read, a scatter-gather with a cut-off), or fails when that can no longer happen
    FirstK,
    /// one edge, chosen by the request's key in proportion to the edges' weights (a service whose requests
    /// each need one dependency)
    One,
}

/// A dedupe store keyed by idempotency key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Idempotency {
    /// how long a served request's record is kept [s, > 0], default 60
    pub retention_s: f64,
}

impl Default for Idempotency {
    fn default() -> Self {
        Idempotency { retention_s: 60.0 }
    }
}

/// What a server knows of a request it takes (24 bytes: what a queued request costs in its queue).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Job {
    /// the request's slab index
    pub req: u32,
    /// the port it calls first (`Server::first_port` of its key, fixed by the diagram; ports ≤ `MAX_EDGES`)
    pub port: u16,
    /// when its caller stops waiting
    pub deadline: SimTime,
    /// its logical request (idempotency key)
    pub idem: u64,
    pub op: Op,
    /// it opens a TLS connection: a full handshake before its work (`tls_handshake_ms`)
    pub handshake: bool,
}

/// A server's resilience counts over the measurement window (the report's `service` block).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceReport {
    /// requests dropped unserved because their deadline had passed
    pub shed: u64,
    /// calls refused because the dependency's bulkhead was full
    pub bulkhead_rejected: u64,
    /// side effects applied (served writes)
    pub effects: u64,
    /// effects that repeated a logical request already applied: what retries cost without idempotency
    pub duplicate_effects: u64,
    /// repeats answered from the dedupe store without running again
    pub deduplicated: u64,
    /// repeats that arrived while the first was still in progress (refused, as HTTP 409)
    pub in_progress_conflicts: u64,
    /// queued copies of hedged calls removed unserved because another copy had answered (tied requests)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cancelled: u64,
    /// full TLS handshakes it did (a server that terminates TLS: `tls_handshake_ms`)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub handshakes: u64,
    /// sessions created here (`sessions: stateful`: a user's request found none here)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sessions_created: u64,
    /// users logged out: sessions lost when the server died (`sessions: stateful`)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub logged_out: u64,
    /// sessions held at the end (`sessions: stateful`)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sessions_held: u64,
    /// GraphQL queries it began resolving (`graphql`)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub graphql_queries: u64,
    /// the back-end calls its resolver made for them
    #[serde(default, skip_serializing_if = "is_zero")]
    pub graphql_calls: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl Default for ServerParams {
    fn default() -> Self {
        ServerParams {
            workers: 4,
            queue_capacity: Some(100),
            service_time: Dist::Exponential { mean_ms: 20.0 },
            error_probability: 0.0,
            speed: 1.0,
            blocking_calls: true,
            calls: Calls::Sequential,
            fan_out: 1,
            first_k: 1,
            partial_ms: None,
            shed_expired: false,
            bulkhead: None,
            side_effects: false,
            idempotency: None,
            response_bytes: default_response_bytes(),
            response_sizes: Sizes::Constant,
            password_hash_ms: 0.0,
            instances: 1,
            autoscale: None,
            tls_handshake_ms: 0.0,
            keepalive_s: default_keepalive_s(),
            sessions: Sessions::None,
            graphql: None,
            modules: String::new(),
            serialisation_ms: 0.0,
        }
    }
}

impl ServerParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.workers == 0 {
            out.push(("workers".into(), "`workers` must be at least 1".into()));
        }
        check_dist(&mut out, "service_time", &self.service_time);
        check_prob(&mut out, "error_probability", self.error_probability);
        check_num(&mut out, "speed", self.speed, 0.0);
        check_num(&mut out, "password_hash_ms", self.password_hash_ms, 0.0);
        check_num(&mut out, "tls_handshake_ms", self.tls_handshake_ms, 0.0);
        check_num(&mut out, "keepalive_s", self.keepalive_s, 0.0);
        check_num(&mut out, "serialisation_ms", self.serialisation_ms, 0.0);
        if let Err(m) = modules::parse_modules(&self.modules) {
            out.push(("modules".into(), m));
        }
        if self.tls_handshake_ms > 0.0 && self.keepalive_s.is_finite() && self.keepalive_s <= 0.0 {
            out.push((
                "keepalive_s".into(),
                "`keepalive_s` must be positive".into(),
            ));
        }
        if self.speed.is_finite() && self.speed <= 0.0 {
            out.push(("speed".into(), "`speed` must be positive".into()));
        }
        if let Some(ms) = self.partial_ms {
            check_num(&mut out, "partial_ms", ms, 0.0);
        }
        if self.bulkhead == Some(0) {
            out.push((
                "bulkhead".into(),
                "`bulkhead` must be at least 1 (or empty for none)".into(),
            ));
        }
        if let Some(i) = &self.idempotency {
            check_num(&mut out, "idempotency.retention_s", i.retention_s, 0.0);
            if i.retention_s.is_finite() && i.retention_s <= 0.0 {
                out.push((
                    "idempotency.retention_s".into(),
                    "`idempotency.retention_s` must be positive".into(),
                ));
            }
        }
        if let Some(a) = &self.autoscale {
            a.problems(&mut out);
        }
        if let Some(g) = &self.graphql {
            g.problems(&mut out);
        }
        let mut ranges = vec![
            ("instances", f64::from(self.instances)),
            ("workers", f64::from(self.workers)),
            ("speed", self.speed),
            ("password_hash_ms", self.password_hash_ms),
            ("tls_handshake_ms", self.tls_handshake_ms),
            ("keepalive_s", self.keepalive_s),
            ("serialisation_ms", self.serialisation_ms),
            ("fan_out", f64::from(self.fan_out)),
            ("first_k", f64::from(self.first_k)),
            ("response_bytes", f64::from(self.response_bytes)),
        ];
        if let Some(ms) = self.partial_ms {
            ranges.push(("partial_ms", ms));
        }
        if let Some(q) = self.queue_capacity {
            ranges.push(("queue_capacity", f64::from(q)));
        }
        if let Some(b) = self.bulkhead {
            ranges.push(("bulkhead", f64::from(b)));
        }
        if let Some(i) = &self.idempotency {
            ranges.push(("idempotency.retention_s", i.retention_s));
        }
        for (field, v) in ranges {
            check_range(&mut out, field, v);
        }
        out
    }
}

impl ServerParams {
    /// The engine's part of a `parallel` or `first_k` plan over `ports` edges (`None` for the others, or
    /// without edges).
    pub(crate) fn plan(&self, ports: u32) -> Option<Plan> {
        let copies = self.fan_out.clamp(1, MAX_FAN_OUT);
        let total = ports.saturating_mul(copies);
        if total == 0 {
            return None;
        }
        match self.calls {
            Calls::Parallel => Some(Plan {
                name: "parallel",
                copies,
                need: total,
                partial: self.partial_ms.map(SimTime::from_ms),
            }),
            Calls::FirstK => Some(Plan {
                name: "first_k",
                copies,
                need: self.first_k.clamp(1, total),
                partial: None,
            }),
            Calls::Sequential | Calls::One => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum SlotState {
    Free,
    Serving,
    /// waiting for the response of the call on this port (`ALL_PORTS`: of a parallel plan)
    Waiting(u32),
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    job: Job,
    token: u32,
    state: SlotState,
    /// the server's epoch when the slot was taken; a kill bumps the epoch
    epoch: u32,
}

/// A dedupe-store record.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Record {
    /// the first request with this key is being served
    InProgress,
    /// served; repeats are answered from the record until it expires
    Done,
}

/// The idempotency keys' dedupe store, and the memory of applied effects that counts duplicates.
#[derive(Default)]
struct Effects {
    /// retention of a served record (None: no idempotency keys)
    retention: Option<SimTime>,
    records: BTreeMap<u64, (Record, SimTime)>,
    /// (expiry, key) of `Done` records, in expiry order (retention is fixed), for pruning
    expiry: VecDeque<(SimTime, u64)>,
    /// logical requests whose effect was applied, with when; pruned after `EFFECT_MEMORY_S`
    applied: BTreeMap<u64, SimTime>,
    applied_order: VecDeque<(SimTime, u64)>,
}

impl Effects {
    fn prune(&mut self, now: SimTime) {
        while let Some(&(t, k)) = self.expiry.front() {
            if t > now {
                break;
            }
            self.expiry.pop_front();
            if self.records.get(&k).is_some_and(|r| r.1 == t) {
                self.records.remove(&k);
            }
        }
        let memory = SimTime::from_secs(EFFECT_MEMORY_S);
        while let Some(&(t, k)) = self.applied_order.front() {
            if now.since(t) < memory {
                break;
            }
            self.applied_order.pop_front();
            if self.applied.get(&k) == Some(&t) {
                self.applied.remove(&k);
            }
        }
    }
}

/// The server's state machine. Laid out by hand (`repr(C)`): what a request's arrival and its service's end
/// read comes first, in about four cache lines; what only some servers or some paths use comes after.
#[repr(C)]
pub(crate) struct Server {
    slots: Vec<Slot>,
    free: Vec<u32>,
    queue: VecDeque<Job>,
    service: Dist,
    /// cumulative edge weights, for `calls: one`
    weight_ends: Vec<u64>,
    error_p: f64,
    /// service-time multiplier: `slow / speed`
    factor: f64,
    /// password hashing per request [ms at speed 1] (0: not a login endpoint)
    hash_ms: f64,
    serial_ms: f64,
    /// the mean service time at the current speed, what shedding expects a request still needs
    mean_service: SimTime,
    /// the autoscaled fleet (`None`: a fixed one)
    fleet: Option<Box<Fleet>>,
    effects: Option<Box<Effects>>,
    /// a monolith's modules, run in process after the own work; and the serialisation CPU [ms at speed 1]
    modules: Option<Box<modules::Modules>>,
    /// terminating TLS: the handshake's CPU [ms at speed 1] and the connections open per client address
    tls: Option<Box<(f64, Connections)>>,
    /// its users' sessions, when it keeps them in memory
    sessions: Option<Box<SessionTable>>,
    /// the GraphQL resolver (`None`: a plain server)
    resolver: Option<Box<Resolver>>,
    queue_cap: Option<u32>,
    ports: u32,
    /// slots serving (not waiting)
    serving: u32,
    epoch: u32,
    calls: Calls,
    shed: bool,
    blocking: bool,
    alive: bool,
    /// whether counts are being taken (the engine sets it from the measurement window)
    pub counting: bool,
    side_effects: bool,
    /// the engine's part of a `parallel` or `first_k` plan
    plan: Option<Plan>,
    speed: f64,
    bulkhead: Option<u32>,
    /// workers waiting on each port
    waiting_on: Vec<u32>,
    /// counts (the engine adds them up only inside the measurement window: see `counting`)
    pub counters: ServiceReport,
}

impl Server {
    /// A server with `ports` downstream edges whose weights are `weights` (empty: all 1).
    pub fn new(p: &ServerParams, ports: u32, weights: &[u32]) -> Server {
        let per = p.workers.max(1);
        let fleet = p.autoscale.as_ref().map(|a| {
            Box::new(Fleet::new(
                a,
                per,
                p.instances,
                (SimTime::ZERO, SimTime::MAX),
            ))
        });
        let workers = match &fleet {
            Some(f) => per * f.inst.len() as u32,
            None => per * p.instances.max(1),
        };
        let open = fleet.as_ref().map_or(workers, |f| per * f.ready());
        let mut acc = 0u64;
        let weight_ends = (0..ports as usize)
            .map(|i| {
                acc += u64::from(weights.get(i).copied().unwrap_or(1).max(1));
                acc
            })
            .collect();
        Server {
            service: p.service_time.clone(),
            queue_cap: p.queue_capacity,
            error_p: p.error_probability,
            factor: 1.0 / p.speed,
            speed: p.speed,
            blocking: p.blocking_calls,
            ports,
            calls: p.calls,
            plan: p.plan(ports),
            weight_ends,
            shed: p.shed_expired,
            mean_service: SimTime::from_ms(p.service_time.mean_ms() / p.speed),
            hash_ms: p.password_hash_ms,
            tls: (p.tls_handshake_ms > 0.0).then(|| {
                Box::new((
                    p.tls_handshake_ms,
                    Connections::new(SimTime::from_secs(p.keepalive_s)),
                ))
            }),
            sessions: (p.sessions == Sessions::Stateful).then(Box::default),
            bulkhead: p.bulkhead,
            waiting_on: vec![0; ports as usize],
            side_effects: p.side_effects,
            effects: (p.side_effects || p.idempotency.is_some()).then(|| {
                Box::new(Effects {
                    retention: p
                        .idempotency
                        .as_ref()
                        .map(|i| SimTime::from_secs(i.retention_s)),
                    ..Effects::default()
                })
            }),
            slots: vec![
                Slot {
                    job: Job::default(),
                    token: 0,
                    state: SlotState::Free,
                    epoch: 0
                };
                workers as usize
            ],
            free: (0..open).rev().collect(),
            queue: VecDeque::new(),
            serving: 0,
            alive: true,
            epoch: 0,
            fleet,
            resolver: p
                .graphql
                .as_ref()
                .filter(|_| p.plan(ports).is_none())
                .map(|g| Box::new(Resolver::new(g))),
            modules: modules::Modules::new(&p.modules).map(Box::new),
            serial_ms: p.serialisation_ms,
            counters: ServiceReport::default(),
            counting: true,
        }
    }

    /// Workers.
    pub fn workers(&self) -> u32 {
        self.slots.len() as u32
    }

    /// Workers taken (serving or waiting on a call).
    pub fn busy(&self) -> u32 {
        match &self.fleet {
            Some(f) => f.taken,
            None => self.slots.len() as u32 - self.free.len() as u32,
        }
    }

    /// Requests waiting in the queue.
    pub fn queue_len(&self) -> u32 {
        self.queue.len() as u32
    }

    /// Whether the server uses any resilience feature (then its `service` block is reported).
    pub fn reports_service(&self) -> bool {
        self.shed
            || self.bulkhead.is_some()
            || self.effects.is_some()
            || self.counters.cancelled > 0
            || self.tls.is_some()
            || self.sessions.is_some()
            || self.resolver.is_some()
    }

    /// The port a request calls first: 0, or for `calls: one` the edge its key falls on.
    fn first_port(&self, key: u64) -> u32 {
        match (self.calls, self.weight_ends.last()) {
            (Calls::One, Some(&total)) if self.ports > 1 => {
                let h = crate::components::load_balancer::mix64(key) % total;
                self.weight_ends.partition_point(|&end| end <= h) as u32
            }
            _ => 0,
        }
    }

    /// Whether the server sheds `job`: its deadline has passed, or will before a mean service could end
    /// (work that would only finish for a caller who has stopped waiting).
    fn expired(&self, now: SimTime, job: &Job) -> bool {
        self.shed && now.add(self.mean_service) >= job.deadline
    }

    fn start(&mut self, ctx: &mut Ctx<'_>, slot: u32, job: Job) {
        let s = &mut self.slots[slot as usize];
        s.job = job;
        s.token = s.token.wrapping_add(1);
        s.state = SlotState::Serving;
        s.epoch = self.epoch;
        self.serving += 1;
        let d = self.service.sample(ctx.rng, self.factor);
        let d = if self.hash_ms > 0.0 {
            d.add(SimTime::from_ms(self.hash_ms * self.factor))
        } else {
            d
        };
        let d = match self.tls.as_deref() {
            Some((ms, _)) if job.handshake => {
                self.counters.handshakes += u64::from(self.counting);
                d.add(SimTime::from_ms(ms * self.factor))
            }
            _ => d,
        };
        let token = self.slots[slot as usize].token;
        let d = self.in_process(ctx, d);
        ctx.out.push(Action::ServiceDone {
            at: ctx.now.add(d),
            slot,
            token,
        });
    }

    /// Fails `job` with `outcome`, forgetting its in-progress record.
    fn fail(&mut self, ctx: &mut Ctx<'_>, job: &Job, outcome: Outcome) {
        self.forget(job);
        ctx.out.push(Action::Fail {
            req: job.req,
            outcome,
        });
    }

    /// Sheds `job`: dropped unserved, its deadline passed.
    fn shed_job(&mut self, ctx: &mut Ctx<'_>, job: &Job) {
        self.counters.shed += u64::from(self.counting);
        self.fail(ctx, job, Outcome::Shed);
    }

    /// Gives the worker to the next queued request (shedding expired ones on the way), or frees it.
    fn release(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        if self.slots[slot as usize].state == SlotState::Serving {
            self.serving -= 1;
        }
        self.slots[slot as usize].state = SlotState::Free;
        if let Some(f) = self.fleet.as_deref_mut() {
            f.taken -= 1;
            if !f.open(slot) {
                self.close(ctx.now, slot);
                return;
            }
        }
        self.open_slot(ctx, slot);
    }

    /// Gives a free worker the next queued request (shedding expired ones on the way), or puts it in the free
    /// list.
    fn open_slot(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        while self.alive
            && let Some(next) = self.queue.pop_front()
        {
            if self.expired(ctx.now, &next) {
                self.shed_job(ctx, &next);
                continue;
            }
            if let Some(f) = self.fleet.as_deref_mut() {
                f.taken += 1;
            }
            self.start(ctx, slot, next);
            return;
        }
        self.free.push(slot);
    }

    /// A request arrives; returns whether it had to wait in the queue.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, job: Job) -> bool {
        if let Some(f) = self.fleet.as_deref_mut() {
            f.arrivals += 1;
        }
        if self.expired(ctx.now, &job) {
            self.shed_job(ctx, &job);
            return false;
        }
        if let Some(fx) = self.effects.as_deref_mut()
            && fx.retention.is_some()
            && job.op == Op::Write
        {
            fx.prune(ctx.now);
            match fx.records.get(&job.idem) {
                Some((Record::Done, _)) => {
                    self.counters.deduplicated += u64::from(self.counting);
                    ctx.out.push(Action::Respond {
                        req: job.req,
                        outcome: Outcome::Ok,
                    });
                    return false;
                }
                Some((Record::InProgress, _)) => {
                    self.counters.in_progress_conflicts += u64::from(self.counting);
                    ctx.out.push(Action::Fail {
                        req: job.req,
                        outcome: Outcome::Rejected,
                    });
                    return false;
                }
                None => {}
            }
        }
        let queued = if let Some(slot) = self.free.pop() {
            if let Some(f) = self.fleet.as_deref_mut() {
                f.taken += 1;
            }
            self.start(ctx, slot, job);
            false
        } else if self
            .queue_cap
            .is_none_or(|cap| (self.queue.len() as u32) < cap)
        {
            self.queue.push_back(job);
            true
        } else {
            ctx.out.push(Action::Fail {
                req: job.req,
                outcome: Outcome::Rejected,
            });
            return false;
        };
        if let Some(fx) = self.effects.as_deref_mut()
            && fx.retention.is_some()
            && job.op == Op::Write
        {
            fx.records
                .insert(job.idem, (Record::InProgress, SimTime::MAX));
        }
        queued
    }

    /// Drops the in-progress record of a job that failed, so a retry may run.
    fn forget(&mut self, job: &Job) {
        if let Some(fx) = self.effects.as_deref_mut()
            && fx.retention.is_some()
            && job.op == Op::Write
            && matches!(fx.records.get(&job.idem), Some((Record::InProgress, _)))
        {
            fx.records.remove(&job.idem);
        }
    }

    /// A served write's effect: counted, checked against the logical requests already applied, and recorded
    /// in the dedupe store.
    fn apply_effect(&mut self, now: SimTime, job: &Job) {
        let Some(fx) = self.effects.as_deref_mut() else {
            return;
        };
        if job.op != Op::Write {
            return;
        }
        fx.prune(now);
        if self.side_effects {
            self.counters.effects += u64::from(self.counting);
            if fx.applied.insert(job.idem, now).is_some() {
                self.counters.duplicate_effects += u64::from(self.counting);
            }
            fx.applied_order.push_back((now, job.idem));
        }
        if let Some(retention) = fx.retention {
            let until = now.add(retention);
            fx.records.insert(job.idem, (Record::Done, until));
            fx.expiry.push_back((until, job.idem));
        }
    }

    /// The ports a worker waiting on `port` waits on: that one, or every one for a parallel plan.
    fn ports_of(&self, port: u32) -> std::ops::Range<usize> {
        if port == ALL_PORTS {
            0..self.ports as usize
        } else {
            port as usize..port as usize + 1
        }
    }

    /// Sends `job` on its call over `port` (`ALL_PORTS`: its parallel plan; a blocking worker waits in
    /// `slot`), unless a port's bulkhead is full: then the call fails fast and the worker is freed.
    fn call(&mut self, ctx: &mut Ctx<'_>, slot: u32, port: u32) {
        let req = self.slots[slot as usize].job.req;
        if let Some(cap) = self.bulkhead
            && self.ports_of(port).any(|p| self.waiting_on[p] >= cap)
        {
            self.counters.bulkhead_rejected += u64::from(self.counting);
            let job = self.slots[slot as usize].job;
            self.fail(ctx, &job, Outcome::Rejected);
            self.release(ctx, slot);
            return;
        }
        for p in self.ports_of(port) {
            self.waiting_on[p] += 1;
        }
        if self.slots[slot as usize].state == SlotState::Serving {
            self.serving -= 1;
        }
        self.slots[slot as usize].state = SlotState::Waiting(port);
        ctx.out.push(if port == ALL_PORTS {
            Action::Scatter { req, slot }
        } else {
            Action::Forward { req, port, slot }
        });
    }

    /// A service ends; returns whether it was current (stale ones, from before a kill, are ignored).
    pub fn on_service_done(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) -> bool {
        let s = self.slots[slot as usize];
        if s.state != SlotState::Serving || s.token != token {
            return false;
        }
        let job = s.job;
        let req = job.req;
        if self.error_p > 0.0 && ctx.rng.chance(self.error_p) {
            self.fail(ctx, &job, Outcome::Error);
            self.release(ctx, slot);
            return true;
        }
        self.apply_effect(ctx.now, &job);
        if self.ports == 0 {
            ctx.out.push(Action::Respond {
                req,
                outcome: Outcome::Ok,
            });
            self.release(ctx, slot);
        } else if self.plan.is_some() {
            if self.blocking {
                self.call(ctx, slot, ALL_PORTS);
            } else {
                // Non-blocking: the worker is freed; the response leaves when the plan ends.
                ctx.out.push(Action::Scatter {
                    req,
                    slot: FREED_PLAN,
                });
                self.release(ctx, slot);
            }
        } else if self.blocking {
            let port = u32::from(job.port);
            self.resolve_begin(req);
            self.call(ctx, slot, port);
        } else {
            // Non-blocking: the worker is freed; the calls go out one after another as each answers.
            let port = u32::from(job.port);
            self.resolve_begin(req);
            ctx.out.push(Action::Forward {
                req,
                port,
                slot: FREED_CALL + port,
            });
            self.release(ctx, slot);
        }
        true
    }

    /// The response to one of this server's calls comes back.
    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32, outcome: Outcome) {
        if slot == FREED_PLAN {
            let outcome = if self.alive { outcome } else { Outcome::Error };
            ctx.out.push(Action::Respond { req, outcome });
            return;
        }
        if slot >= FREED_CALL {
            // Non-blocking: the worker was freed when the call went out. With `calls: every` the next edge is
            // called once this one has answered successfully; the response leaves after the last.
            let port = slot - FREED_CALL;
            let again = outcome == Outcome::Ok && self.alive && self.resolve_again(req);
            if !again {
                self.resolve_end(req);
            }
            if !self.alive {
                ctx.out.push(Action::Respond {
                    req,
                    outcome: Outcome::Error,
                });
            } else if again {
                self.count_resolver_call();
                ctx.out.push(Action::Recall {
                    req,
                    port,
                    slot: FREED_CALL + port,
                });
            } else if outcome == Outcome::Ok
                && self.calls == Calls::Sequential
                && port + 1 < self.ports
            {
                ctx.out.push(Action::Forward {
                    req,
                    port: port + 1,
                    slot: FREED_CALL + port + 1,
                });
            } else {
                ctx.out.push(Action::Respond { req, outcome });
            }
            return;
        }
        let s = self.slots[slot as usize];
        let SlotState::Waiting(port) = s.state else {
            unreachable!("a response returns to a waiting worker")
        };
        debug_assert_eq!(s.job.req, req, "the waiting worker holds this request");
        for p in self.ports_of(port) {
            self.waiting_on[p] -= 1;
        }
        let again = outcome == Outcome::Ok
            && port != ALL_PORTS
            && self.alive
            && s.epoch == self.epoch
            && self.resolve_again(req);
        if !again {
            self.resolve_end(req);
        }
        if !self.alive || s.epoch != self.epoch {
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            });
            self.release(ctx, slot);
        } else if again {
            self.count_resolver_call();
            self.call(ctx, slot, port);
            graphql::recall(ctx, req);
        } else if outcome == Outcome::Ok
            && port != ALL_PORTS
            && self.calls == Calls::Sequential
            && port + 1 < self.ports
        {
            self.call(ctx, slot, port + 1);
        } else {
            ctx.out.push(Action::Respond { req, outcome });
            self.release(ctx, slot);
        }
    }

    /// A call this server made was lost and its client gave up: free the waiting worker.
    pub fn abandon(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32) {
        self.resolve_end(req);
        if slot >= FREED_CALL {
            return; // a non-blocking call holds no worker
        }
        let s = self.slots[slot as usize];
        if let SlotState::Waiting(port) = s.state
            && s.job.req == req
        {
            for p in self.ports_of(port) {
                self.waiting_on[p] -= 1;
            }
            self.release(ctx, slot);
        }
    }

    /// A tied hedge's losing copy: if `req` waits in the queue, it leaves it unserved, answered at once.
    pub fn cancel(&mut self, ctx: &mut Ctx<'_>, req: u32) -> bool {
        let Some(i) = self.queue.iter().position(|j| j.req == req) else {
            return false;
        };
        let job = self.queue.remove(i).expect("the position is in the queue");
        self.forget(&job);
        self.counters.cancelled += u64::from(self.counting);
        ctx.out.push(Action::Respond {
            req,
            outcome: Outcome::Error,
        });
        true
    }

    /// The node dies: queued and in-service requests fail now; workers waiting on calls fail when the calls
    /// return.
    pub fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = false;
        if let Some((_, conns)) = self.tls.as_deref_mut() {
            conns.clear();
        }
        if let Some(t) = &mut self.sessions {
            t.lose(self.counting, &mut self.counters);
        }
        self.epoch = self.epoch.wrapping_add(1);
        while let Some(job) = self.queue.pop_front() {
            self.fail(ctx, &job, Outcome::Error);
        }
        for slot in 0..self.slots.len() as u32 {
            if self.slots[slot as usize].state == SlotState::Serving {
                let job = self.slots[slot as usize].job;
                self.fail(ctx, &job, Outcome::Error);
                self.release(ctx, slot);
            }
        }
    }

    /// The node comes back, empty.
    pub fn revive(&mut self) {
        self.alive = true;
    }

    /// New service time, speed, error probability and queue capacity from now on (a live edit). Requests in
    /// service keep the time they drew; a slow-down applied as a fault stays in force.
    pub fn retune(&mut self, p: &ServerParams) {
        let slow = self.factor * self.speed;
        self.service = p.service_time.clone();
        self.speed = p.speed;
        self.factor = slow / self.speed;
        self.mean_service = SimTime::from_ms(self.service.mean_ms() * self.factor);
        self.error_p = p.error_probability;
        self.queue_cap = p.queue_capacity;
    }

    /// Service times are multiplied by `factor` from now on (1 = normal).
    pub fn slow(&mut self, factor: f64) {
        self.factor = factor / self.speed;
        self.mean_service = SimTime::from_ms(self.service.mean_ms() * self.factor);
    }
}

impl ServiceReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            self.shed,
            self.bulkhead_rejected,
            self.effects,
            self.duplicate_effects,
            self.deduplicated,
            self.in_progress_conflicts,
        ]);
        // Only tied hedges cancel and only TLS-terminating servers shake hands: other diagrams keep their
        // digests.
        if self.cancelled > 0 {
            h.u64(self.cancelled);
        }
        if self.handshakes > 0 {
            h.u64(self.handshakes);
        }
        sessions::digest(self, h);
        if self.graphql_queries > 0 {
            h.u64s(&[self.graphql_queries, self.graphql_calls]);
        }
    }

    /// Its part of the node's guard line in the runner's table.
    pub fn table_part(&self) -> String {
        let mut s = format!(
            "shed {}  bulkhead rejected {}  effects {}  duplicate effects {}  deduplicated {}  in-progress \
             conflicts {}",
            self.shed,
            self.bulkhead_rejected,
            self.effects,
            self.duplicate_effects,
            self.deduplicated,
            self.in_progress_conflicts
        );
        if self.cancelled > 0 {
            s.push_str(&format!("  cancelled {}", self.cancelled));
        }
        if self.handshakes > 0 {
            s.push_str(&format!("  TLS handshakes {}", self.handshakes));
        }
        s.push_str(&sessions::table_part(self));
        if self.graphql_queries > 0 {
            s.push_str(&format!(
                "  GraphQL queries {} (back-end calls {})",
                self.graphql_queries, self.graphql_calls
            ));
        }
        s
    }
}

/// A server's block of the report, when it uses a resilience feature: `service`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDetail {
    /// shedding, bulkhead, side-effect and idempotency counts
    pub service: ServiceReport,
}

/// An autoscaled server's block: `fleet`, and its `service` counts when it uses a resilience feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetDetail {
    /// the instances over time, their billed time and the scaling actions
    pub fleet: FleetReport,
    /// shedding, bulkhead, side-effect and idempotency counts
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceReport>,
}

impl Component for Server {
    fn build(b: &Build<'_>) -> Result<Server, String> {
        match b.params {
            Params::Server(p) => {
                let weights: Vec<u32> = b.ports.iter().map(|t| t.weight).collect();
                let mut s = Server::new(p, b.ports.len() as u32, &weights);
                s.bill_window(b.window);
                Ok(s)
            }
            // A name server answers from its zone: a server with many workers and its lookup time.
            Params::DnsServer(d) => {
                let p = ServerParams {
                    workers: 64,
                    queue_capacity: None,
                    service_time: d.service_time.clone(),
                    ..ServerParams::default()
                };
                Ok(Server::new(&p, 0, &[]))
            }
            other => Err(mismatch("server", other)),
        }
    }

    fn check(b: &Build<'_>) -> Vec<Finding> {
        let Params::Server(p) = b.params else {
            return Vec::new();
        };
        let mut out: Vec<Finding> = sessions::check(p.sessions, b.ports).into_iter().collect();
        let calls = (b.ports.len() as u64) * u64::from(p.fan_out.max(1));
        if p.calls == Calls::FirstK && !b.ports.is_empty() && u64::from(p.first_k) > calls {
            out.push(Finding {
                warning: false,
                field: Some("first_k"),
                text: format!(
                    " waits for {} answers (`first_k`) but sends only {calls} calls ({} edges × `fan_out` {})",
                    p.first_k,
                    b.ports.len(),
                    p.fan_out
                ),
            });
        }
        if p.fan_out > 1 && !matches!(p.calls, Calls::Parallel | Calls::FirstK) {
            out.push(Finding {
                warning: true,
                field: Some("fan_out"),
                text: " sets `fan_out`, which only a `parallel` or `first_k` plan uses".into(),
            });
        }
        if let Some(a) = &p.autoscale
            && a.max < a.min
        {
            out.push(Finding {
                warning: true,
                field: Some("autoscale.max"),
                text: format!(
                    " scales between {} and {} instances: `autoscale.max` below `min` is taken as {}",
                    a.min, a.max, a.min
                ),
            });
        }
        if p.graphql.is_some() && matches!(p.calls, Calls::Parallel | Calls::FirstK) {
            out.push(Finding {
                warning: true,
                field: Some("graphql"),
                text: " resolves GraphQL, which needs a `sequential` or `one` call plan: its plan ignores it"
                    .into(),
            });
        }
        if p.partial_ms.is_some() && p.calls != Calls::Parallel {
            out.push(Finding {
                warning: true,
                field: Some("partial_ms"),
                text: " sets `partial_ms`, which only a `parallel` plan uses".into(),
            });
        }
        out
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.arm(ctx);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        self.counting = ctx.counting;
        self.meter(ctx.now);
        let handshake = match self.tls.as_deref_mut() {
            Some((_, conns)) if !inc.internal => {
                let conn = (inc.client, inc.addr);
                let new = !conns.is_open(conn, ctx.now);
                conns.touch(conn, ctx.now);
                new
            }
            _ => false,
        };
        if let Some(t) = &mut self.sessions
            && !inc.internal
        {
            t.seen((inc.client, inc.addr), ctx.counting, &mut self.counters);
        }
        let job = Job {
            req,
            deadline: inc.deadline,
            idem: inc.idem,
            port: self.first_port(inc.key) as u16,
            op: inc.op,
            handshake,
        };
        Server::on_request(self, ctx, job)
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        slot: u32,
        outcome: Outcome,
        _version: u64,
    ) {
        self.meter(ctx.now);
        Server::on_response(self, ctx, req, slot, outcome);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        self.counting = ctx.counting;
        self.meter(ctx.now);
        if !self.fleet_timer(ctx, slot, token) {
            self.on_service_done(ctx, slot, token);
        }
    }

    fn abandon(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32) {
        self.meter(ctx.now);
        Server::abandon(self, ctx, req, slot);
    }

    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.meter(ctx.now);
        Server::kill(self, ctx);
    }

    fn revive(&mut self, _ctx: &mut Ctx<'_>) {
        Server::revive(self);
    }

    fn slow(&mut self, factor: f64) {
        Server::slow(self, factor);
    }

    fn retune(&mut self, params: &Params) -> bool {
        match params {
            Params::Server(p) => {
                Server::retune(self, p);
                true
            }
            _ => false,
        }
    }

    fn workers(&self) -> u32 {
        Server::workers(self)
    }

    fn open_worker_ns(&mut self, now: SimTime) -> Option<u128> {
        self.meter(now);
        self.fleet.as_deref_mut().map(fleet::Fleet::take_open)
    }

    fn levels(&self) -> Option<Levels> {
        Some(Levels {
            busy: self.busy(),
            queue: self.queue_len(),
        })
    }

    fn queued_bytes(&self) -> usize {
        self.queue_len() as usize * std::mem::size_of::<Job>()
    }

    fn plan(&self) -> Option<Plan> {
        self.plan
    }

    fn job_in(&self, slot: u32) -> Option<u32> {
        let s = self.slots.get(slot as usize)?;
        (s.state == SlotState::Serving).then_some(s.job.req)
    }

    fn cancel(&mut self, ctx: &mut Ctx<'_>, req: u32) -> bool {
        self.counting = ctx.counting;
        self.meter(ctx.now);
        Server::cancel(self, ctx, req)
    }

    fn detail(&self, now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        if let Some(m) = &self.modules {
            return Some(NodeDetail::Modules(modules::ModulesDetail {
                modules: m.report(),
                fleet: self.fleet_report(now),
                service: self.reports_service().then(|| self.counters.clone()),
            }));
        }
        if let Some(fleet) = self.fleet_report(now) {
            return Some(NodeDetail::Fleet(FleetDetail {
                fleet,
                service: self.reports_service().then(|| self.counters.clone()),
            }));
        }
        self.reports_service().then(|| {
            let mut service = self.counters.clone();
            service.sessions_held = self.sessions.as_deref().map_or(0, SessionTable::held);
            NodeDetail::Service(ServiceDetail { service })
        })
    }
}

impl Choices for Calls {
    const ALL: &'static [Calls] = &[
        Calls::Sequential,
        Calls::Parallel,
        Calls::FirstK,
        Calls::One,
    ];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            Calls::Sequential => "Sequential: all, in turn",
            Calls::Parallel => "Parallel: all at once",
            Calls::FirstK => "First k of all at once",
            Calls::One => "One, by key",
        })
    }
}

impl ServerParams {
    /// How the inspector names a server's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("workers", "Workers"),
            Term::new("queue_capacity", "Queue capacity")
                .integer()
                .empty("unbounded")
                .live(),
            Term::new("service_time", "Service time")
                .family(&Dist::FAMILY)
                .live(),
            Term::new("speed", "Speed").unit("×").live(),
            Term::new("password_hash_ms", "Password hash per login (work factor)"),
            Term::new("tls_handshake_ms", "TLS handshake here (0: ends before)"),
            Term::new("keepalive_s", "TLS keep-alive"),
            Term::new("sessions", "Sessions").choices(choices::<Sessions>),
            Term::new("error_probability", "Error probability")
                .unit("0–1")
                .live(),
            Term::new("blocking_calls", "Blocking calls"),
            Term::new("calls", "Call plan").choices(choices::<Calls>),
            Term::new("fan_out", "Calls per edge (fan-out)").integer(),
            Term::new("first_k", "Answers needed (k)").integer(),
            Term::new("partial_ms", "Partial answer after")
                .unit("ms")
                .empty("wait for all"),
            Term::new("bulkhead", "Bulkhead (per dependency)")
                .integer()
                .empty("none"),
            Term::new("shed_expired", "Shed expired work"),
            Term::new("side_effects", "Writes have side effects"),
            Term::new("idempotency", "Idempotency keys")
                .optional(default_json::<Idempotency>, &Idempotency::VOCAB),
            Term::new("response_bytes", "Response size")
                .unit("bytes")
                .integer(),
            Term::new("response_sizes", "Response sizes").choices(choices::<Sizes>),
            Term::new("instances", "Instances").integer(),
            Term::new("autoscale", "Autoscaling")
                .optional(default_json::<Autoscale>, &Autoscale::VOCAB),
            Term::new("graphql", "GraphQL resolver")
                .optional(default_json::<GraphQlParams>, &GraphQlParams::VOCAB),
            Term::new("modules", "Modules in process (monolith)")
                .text("catalog 4ms 2GiB; search ~24ms 8GiB", true),
            Term::new("serialisation_ms", "Serialisation per request").unit("ms"),
        ],
    };
}

impl Choices for Sizes {
    const ALL: &'static [Sizes] = &[Sizes::Constant, Sizes::Exponential];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            Sizes::Constant => "All the same",
            Sizes::Exponential => "Exponential (mean)",
        })
    }
}

impl Idempotency {
    /// How the inspector names idempotency keys' fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[Term::new("retention_s", "Keys kept for")],
    };
}

#[cfg(test)]
mod tests;
