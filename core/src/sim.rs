//! The discrete-event engine. One priority queue of compact events ordered by `(time, sequence)` — integer
//! nanoseconds, FIFO among equal times — one seeded generator, requests in a slab referenced by `u32`, and
//! components driven as state machines whose actions only the engine carries out.
//!
//! ```text
//!   client ──request──> lb ──request──> server ──request──> database
//!      ^                 │                 │                     │
//!      └────response─────┴────response─────┴──────response───────┘
//!   each arrow: one event, `link latency` later; a response retraces the request's path
//! ```
//!
//! Stepping: [`Sim::run_until`] processes events up to a simulated time or an event budget, whichever comes
//! first, so a browser frame never blocks; [`Sim::run_to_end`] runs headless until the traffic is over and
//! nothing is in flight (or the drain limit passes).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};

use crate::components::cache::{Cache, DIRTY};
use crate::components::client::Client;
use crate::components::database::Database;
use crate::components::dns::{self, DnsRole, Resolver};
use crate::components::gateway::Gateway;
use crate::components::load_balancer::LoadBalancer;
use crate::components::messaging::{self, Broker};
use crate::components::rate_limiter::{RateLimiter, Who};
use crate::components::server::{Job, Server};
use crate::components::waf::Waf;
use crate::components::{Action, Ctx, Incoming, Kind, NO_SLOT, Params, ServerParams};
use crate::dist::Dist;
use crate::ids::{EdgeIdx, NodeIdx, RequestId};
use crate::metrics::{EndToEnd, NodeStats, Window};
use crate::report::{
    BreakerStateTime, CacheReport, DatabaseReport, EdgeReport, Latency, NodeReport, NodeSample,
    Report, Requests, ResilienceReport, Series, SeriesPoint,
};
use crate::request::{Hop, NO_CALL, Op, Outcome, ReqState, Slab};
use crate::resilience::{Breaker, BreakerState, Budget, Permit, RetryPolicy, RetryState};
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::topology::{FaultAction, Topology};
use crate::trace::{BreakerChange, HopClass, HopOutcome, HopRecord, Trace};
use crate::validate::{CallPolicy, Diagnostic, FaultOp, Severity, compile, resolve_fault};

#[derive(Clone, Copy, Debug)]
enum Ev {
    ClientFire {
        node: u32,
        epoch: u32,
    },
    Arrive {
        req: u32,
        node: u32,
    },
    RespArrive {
        req: u32,
    },
    ServiceDone {
        node: u32,
        slot: u32,
        token: u32,
    },
    ClientTimer {
        node: u32,
    },
    HealthCheck {
        node: u32,
    },
    Tick,
    Fault {
        index: u32,
    },
    /// attempt number `attempt` of call `call` (of generation `round`) has waited its timeout
    CallTimeout {
        call: u32,
        round: u32,
        attempt: u32,
    },
    /// call `call`'s backoff is over: the next attempt goes out
    CallRetry {
        call: u32,
        round: u32,
    },
    /// call `call`'s breaker refused it: it fails (an event of its own, so it never nests in a handler)
    CallRefused {
        call: u32,
        round: u32,
    },
    /// call `call`'s attempt was lost and no timeout waits for it: retry or fail
    AttemptFailed {
        call: u32,
        round: u32,
    },
}

/// Marks the first hop of a call's attempt: it starts at the caller, which holds the call's parent request
/// (the caller's own hop for the parent sits on the parent's path).
const CALL_SLOT: u32 = u32::MAX - 1;

/// Marks a call with no attempt out (backing off, or refused).
const NO_ATTEMPT: u32 = u32::MAX;

/// A caller's policy for one edge, in force: its budget, its breaker and what they counted.
struct PolicyRt {
    timeout: Option<SimTime>,
    retry: Option<RetryPolicy>,
    budget: Option<Budget>,
    breaker: Option<Breaker>,
    counts: CallCounts,
}

/// What a call edge counted over the measurement window.
#[derive(Clone, Copy, Debug, Default)]
struct CallCounts {
    calls: u64,
    attempts: u64,
    timeouts: u64,
    failed: u64,
    short_circuited: u64,
    budget_refused: u64,
}

/// One call over an edge with a policy: the parent request waits at the caller while attempts (requests of
/// their own, copies of the parent) go out one after another.
#[derive(Clone, Copy, Debug)]
struct Call {
    /// the request waiting at the caller
    parent: u32,
    edge: u32,
    /// the attempt out, or `NO_ATTEMPT`
    child: u32,
    /// attempts made so far
    attempts: u32,
    permit: Option<Permit>,
    /// when the attempt out was sent
    sent: SimTime,
    retry: RetryState,
    /// bumped when the slot is reused, so stale timers are recognised
    round: u32,
    live: bool,
    /// whether it started inside the measurement window (its counts go to the report)
    counted: bool,
}

/// A queued event; `key` packs `(time << 64) | sequence` so one integer comparison orders it.
#[derive(Clone, Copy, Debug)]
struct Event {
    key: u128,
    ev: Ev,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Reversed, so the standard max-heap pops the earliest event.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

enum NodeRt {
    Client(Client),
    Server(Server),
    Lb(LoadBalancer),
    /// boxed: a cache's state is twice the size of the other kinds', and nodes are visited on every event
    Cache(Box<Cache>),
    Resolver(Box<Resolver>),
    /// a queue, topic or stream
    Msg(Box<Broker>),
    Database(Box<Database>),
    Gateway(Box<Gateway>),
    Waf(Box<Waf>),
    Limiter(Box<RateLimiter>),
}

/// A client's DNS state: its browser/OS cache of one name and the requests waiting for a lookup.
struct ClientDns {
    /// the resolver's port
    port: u32,
    /// the hostname's key
    key: u64,
    /// the cached answer is good until then
    expires: SimTime,
    /// the cached answer is a GeoDNS one
    geo: bool,
    /// of the client's other ports, the one whose target is nearest the client's region
    nearest: u32,
    /// requests waiting for the lookup, with the port each drew
    pending: Vec<(u32, u32)>,
    in_flight: bool,
    counters: crate::components::cache::CacheCounters,
}

struct EdgeRt {
    from: u32,
    to: u32,
    latency: Dist,
    loss: f64,
    cut: bool,
    /// the caller's timeout, retries and breaker for calls over this edge
    policy: Option<Box<PolicyRt>>,
}

impl PolicyRt {
    fn new(p: &CallPolicy) -> PolicyRt {
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

/// A client's pending deadlines, in sending order (its timeout is fixed, so also in deadline order).
#[derive(Default)]
struct Deadlines {
    q: VecDeque<(SimTime, u32, u32)>,
    armed: bool,
}

/// The topology could not be built into a simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildError {
    /// every diagnostic, errors first
    pub diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let errors: Vec<_> = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        write!(f, "the topology has {} error(s)", errors.len())?;
        for d in errors {
            write!(f, "; {}", d.message)?;
            if let Some(field) = &d.field {
                write!(f, " (field `{field}`)")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}

/// A fault could not be applied.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultError {
    /// it names a node or edge that does not exist, or has a bad factor
    Invalid(String),
    /// it is scheduled before the current simulated time
    InThePast {
        /// when it was asked for
        at: SimTime,
        /// the simulation's clock
        now: SimTime,
    },
}

impl std::fmt::Display for FaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FaultError::Invalid(m) => write!(f, "invalid fault: {m}"),
            FaultError::InThePast { at, now } => {
                write!(
                    f,
                    "fault at {} ns is before the simulation clock ({} ns)",
                    at.0, now.0
                )
            }
        }
    }
}

impl std::error::Error for FaultError {}

/// How far a call to [`Sim::run_until`] got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunProgress {
    /// the simulation clock afterwards
    pub reached: SimTime,
    /// events processed by this call
    pub events: u64,
    /// whether the event budget ran out before the target time
    pub budget_exhausted: bool,
    /// whether the run is over
    pub finished: bool,
}

/// A node's live state, for badges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeGauge {
    /// not killed
    pub alive: bool,
    /// workers taken (0 for nodes without workers)
    pub busy: u32,
    /// workers (0 for nodes without workers)
    pub workers: u32,
    /// queue length
    pub queue: u32,
    /// requests in the node, including those waiting on its calls
    pub in_node: u32,
}

/// Bytes held by the engine's main structures (from sizes and capacities).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryUse {
    /// the request slab, its free list and spilled paths
    pub requests: usize,
    /// the event queue
    pub events: usize,
    /// the clients' deadline queues
    pub deadlines: usize,
    /// queued requests: a server's `Job` (32 bytes) or another node's `u32` index per queued request; a
    /// broker's messages (48 bytes each)
    pub queues: usize,
}

impl MemoryUse {
    /// The sum.
    pub fn total(&self) -> usize {
        self.requests + self.events + self.deadlines + self.queues
    }
}

/// Builds `topology`, runs it to the end and reports: the headless path, and what the native-versus-wasm
/// digest check runs on both sides.
pub fn run(topology: &Topology) -> Result<Report, BuildError> {
    let mut sim = Sim::new(topology)?;
    sim.run_to_end();
    Ok(sim.report())
}

/// A running simulation of one topology.
pub struct Sim {
    now: SimTime,
    seq: u64,
    heap: BinaryHeap<Event>,
    rng: SimRng,
    seed: u64,
    nodes: Vec<NodeRt>,
    kinds: Vec<Kind>,
    alive: Vec<bool>,
    node_ids: Vec<String>,
    node_index: BTreeMap<String, u32>,
    edges: Vec<EdgeRt>,
    edge_index: BTreeMap<String, u32>,
    /// outgoing edges of node n: `out_edges[out_start[n]..out_start[n + 1]]`, in topology order
    out_start: Vec<u32>,
    out_edges: Vec<u32>,
    reqs: Slab,
    next_id: u64,
    deadlines: Vec<Deadlines>,
    stats: Vec<NodeStats>,
    e2e: EndToEnd,
    series: Series,
    window: Window,
    traffic_end: SimTime,
    drain_end: SimTime,
    series_interval: SimTime,
    hop_limit: u8,
    trace: Trace,
    faults: Vec<FaultOp>,
    /// traffic spikes in force: (index of the spike in `faults`, rate factor)
    spikes: Vec<(u32, f64)>,
    actions: Vec<Action>,
    events: u64,
    /// requests whose client still waits (measured or not)
    outstanding: u64,
    finished: bool,
    /// whether databases stamp versions (only when the diagram has a cache, so others pay nothing)
    track_versions: bool,
    /// committed writes per key, over all databases: the version a database read returns
    versions: BTreeMap<u64, u64>,
    /// per node: a client's DNS state (clients with an edge to a resolver)
    dns: Vec<Option<ClientDns>>,
    /// messaging nodes: a run is not over while one holds work
    brokers: Vec<u32>,
    /// per client node: the end-to-end counts of its own measured requests (`in_flight` filled in by the
    /// report)
    by_client: Vec<Requests>,
    /// calls over edges with a policy, by index (free slots reused)
    calls: Vec<Call>,
    free_calls: Vec<u32>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("now", &self.now)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

impl Sim {
    /// Validates `topology` and builds a simulation at time zero, seeded with `topology.settings.seed`.
    pub fn new(topology: &Topology) -> Result<Sim, BuildError> {
        let (model, diagnostics) = compile(topology);
        let Some(model) = model else {
            return Err(BuildError { diagnostics });
        };
        let s = &topology.settings;
        let traffic_end = SimTime::from_secs(s.duration_s);
        let n = model.nodes.len();

        let mut out_start = Vec::with_capacity(n + 1);
        let mut out_edges = Vec::new();
        for i in 0..n as u32 {
            out_start.push(out_edges.len() as u32);
            out_edges.extend(
                (0..model.edges.len() as u32).filter(|&e| model.edges[e as usize].from == i),
            );
        }
        out_start.push(out_edges.len() as u32);
        let ports = |i: usize| &out_edges[out_start[i] as usize..out_start[i + 1] as usize];

        // Every client's request path, interned: a request carries its index, a gateway routes by it.
        let mut paths: Vec<String> = Vec::new();
        for m in &model.nodes {
            if let Params::Client(c) = &m.params
                && !paths.contains(&c.path)
            {
                paths.push(c.path.clone());
            }
        }
        let mut nodes = Vec::with_capacity(n);
        let mut stats = Vec::with_capacity(n);
        let mut dns_state = Vec::with_capacity(n);
        let target = |e: u32| &model.nodes[model.edges[e as usize].to as usize];
        let region_of = |id: &str| topology.node(id).map_or("", |n| n.region.as_str());
        let role = |e: u32| match &target(e).params {
            Params::DnsServer(d) => Some(d.role),
            _ => None,
        };
        for (i, m) in model.nodes.iter().enumerate() {
            let p = ports(i);
            let mut client_dns = None;
            let (rt, workers) = match &m.params {
                Params::Client(c) => {
                    let mut client = Client::new(c, p.len() as u32, traffic_end);
                    client.route = paths.iter().position(|x| *x == c.path).unwrap_or(0) as u32;
                    let kind_at = |i: usize| target(p[i]).kind;
                    let resolver = (0..p.len()).find(|&i| kind_at(i) == Kind::DnsResolver);
                    let cdns: Vec<u32> = (0..p.len() as u32)
                        .filter(|&i| kind_at(i as usize) == Kind::CdnEdge)
                        .collect();
                    let service: Vec<u32> = (0..p.len() as u32)
                        .filter(|&i| {
                            !matches!(kind_at(i as usize), Kind::DnsResolver | Kind::CdnEdge)
                        })
                        .collect();
                    let nearest_of = |ports: &[u32]| {
                        crate::regions::nearest(
                            region_of(&m.id),
                            ports.iter().map(|&i| region_of(&target(p[i as usize]).id)),
                        )
                        .map(|k| ports[k])
                    };
                    if !cdns.is_empty() {
                        client.cdn_port = nearest_of(&cdns);
                    }
                    if service.len() < p.len() {
                        client.service_ports = Some(service.clone());
                    }
                    if let (Some(rp), Some(nearest)) = (resolver, nearest_of(&service)) {
                        client_dns = Some(ClientDns {
                            port: rp as u32,
                            key: dns::name_key(&c.hostname),
                            expires: SimTime::ZERO,
                            geo: false,
                            nearest,
                            pending: Vec::new(),
                            in_flight: false,
                            counters: Default::default(),
                        });
                    }
                    (NodeRt::Client(client), 0)
                }
                Params::DnsServer(d) => {
                    let sp = ServerParams {
                        workers: 64,
                        queue_capacity: None,
                        service_time: d.service_time.clone(),
                        ..ServerParams::default()
                    };
                    let srv = Server::new(&sp, 0, &[]);
                    let w = srv.workers();
                    (NodeRt::Server(srv), w)
                }
                Params::DnsResolver(rp) => {
                    let roles: Vec<Option<DnsRole>> = p.iter().map(|&e| role(e)).collect();
                    let records: Vec<_> = p
                        .iter()
                        .filter(|&&e| role(e) == Some(DnsRole::Authoritative))
                        .filter_map(|&e| match &target(e).params {
                            // Checked by validation, so an error here cannot happen; it would mean no records.
                            Params::DnsServer(d) => dns::parse_records(&d.records).ok(),
                            _ => None,
                        })
                        .flatten()
                        .collect();
                    let start = SimTime::from_secs(s.warmup_s).min(traffic_end);
                    (
                        NodeRt::Resolver(Box::new(Resolver::new(
                            rp,
                            &roles,
                            dns::compile_zone(&records),
                            (start, traffic_end),
                        ))),
                        0,
                    )
                }
                Params::Server(sp) => {
                    let weights: Vec<u32> =
                        p.iter().map(|&e| model.edges[e as usize].weight).collect();
                    let srv = Server::new(sp, p.len() as u32, &weights);
                    let w = srv.workers();
                    (NodeRt::Server(srv), w)
                }
                Params::Database(dp) => {
                    let start = SimTime::from_secs(s.warmup_s).min(traffic_end);
                    let db = Database::new(dp, (start, traffic_end));
                    let w = db.workers();
                    (NodeRt::Database(Box::new(db)), w)
                }
                Params::LoadBalancer(lp) => {
                    let names: Vec<&str> = p
                        .iter()
                        .map(|&e| model.nodes[model.edges[e as usize].to as usize].id.as_str())
                        .collect();
                    let weights: Vec<u32> =
                        p.iter().map(|&e| model.edges[e as usize].weight).collect();
                    (NodeRt::Lb(LoadBalancer::new(lp, &names, &weights)), 0)
                }
                Params::Queue(_) | Params::Topic(_) | Params::Stream(_) => {
                    let b = messaging::broker(&m.params, p.len() as u32)
                        .expect("a messaging kind builds a broker");
                    let workers = b.levels().0;
                    (NodeRt::Msg(Box::new(b)), workers)
                }
                Params::ApiGateway(gp) => {
                    let targets: Vec<(&str, bool)> = p
                        .iter()
                        .map(|&e| {
                            let t = target(e);
                            (
                                t.id.as_str(),
                                matches!(t.kind, Kind::Cache | Kind::Database),
                            )
                        })
                        .collect();
                    // Validation built the same gateway, so this cannot fail for a model.
                    let g = Gateway::new(gp, &targets, &paths).map_err(|message| BuildError {
                        diagnostics: vec![Diagnostic {
                            severity: Severity::Error,
                            subject: crate::validate::Subject::Node(m.id.clone()),
                            field: Some("params.routes".into()),
                            message,
                        }],
                    })?;
                    let w = g.workers();
                    (NodeRt::Gateway(Box::new(g)), w)
                }
                Params::RateLimiter(lp) => (NodeRt::Limiter(Box::new(RateLimiter::new(lp))), 0),
                Params::Waf(wp) => {
                    let waf = Waf::new(wp, p.len() as u32);
                    let w = waf.workers();
                    (NodeRt::Waf(Box::new(waf)), w)
                }
                Params::Cache(cp) | Params::CdnEdge(cp) => {
                    let start = SimTime::from_secs(s.warmup_s).min(traffic_end);
                    (
                        NodeRt::Cache(Box::new(Cache::new(
                            cp,
                            p.len() as u32,
                            (start, traffic_end),
                        ))),
                        0,
                    )
                }
            };
            nodes.push(rt);
            stats.push(NodeStats::new(workers));
            dns_state.push(client_dns);
        }
        let edges = model
            .edges
            .iter()
            .map(|e| {
                // A retrying client's timeout and retries apply to its edges (not its resolver's); an edge's
                // own policy fields win.
                let client = match &model.nodes[e.from as usize].params {
                    Params::Client(c) if model.nodes[e.to as usize].kind != Kind::DnsResolver => c
                        .retry
                        .as_ref()
                        .map(|r| (r, SimTime::from_ms(c.timeout_ms))),
                    _ => None,
                };
                let policy = match (&e.policy, client) {
                    (Some(p), Some((r, timeout))) => Some(CallPolicy {
                        timeout: p.timeout.or(Some(timeout)),
                        retry: p.retry.clone().or_else(|| Some(r.clone())),
                        breaker: p.breaker.clone(),
                    }),
                    (None, Some((r, timeout))) => Some(CallPolicy {
                        timeout: Some(timeout),
                        retry: Some(r.clone()),
                        breaker: None,
                    }),
                    (p, None) => p.clone(),
                };
                EdgeRt {
                    from: e.from,
                    to: e.to,
                    latency: e.latency.clone(),
                    loss: e.loss,
                    cut: false,
                    policy: policy.as_ref().map(|p| Box::new(PolicyRt::new(p))),
                }
            })
            .collect();
        let window = Window {
            start: SimTime::from_secs(s.warmup_s).min(traffic_end),
            end: traffic_end,
        };
        let series_interval = SimTime::from_secs(s.series_interval_s);
        let mut sim = Sim {
            now: SimTime::ZERO,
            seq: 0,
            heap: BinaryHeap::new(),
            rng: SimRng::new(s.seed),
            seed: s.seed,
            kinds: model.nodes.iter().map(|m| m.kind).collect(),
            alive: vec![true; n],
            node_ids: model.nodes.iter().map(|m| m.id.clone()).collect(),
            node_index: model.node_index,
            edges,
            edge_index: model.edge_index,
            nodes,
            out_start,
            out_edges,
            reqs: Slab::default(),
            next_id: 1,
            deadlines: (0..n).map(|_| Deadlines::default()).collect(),
            stats,
            e2e: EndToEnd::new(),
            series: Series {
                interval_s: series_interval.as_secs(),
                node_ids: model.nodes.iter().map(|m| m.id.clone()).collect(),
                points: Vec::new(),
            },
            window,
            traffic_end,
            drain_end: traffic_end.add(SimTime::from_secs(s.drain_limit_s)),
            series_interval,
            hop_limit: s.hop_limit.min(255) as u8,
            trace: Trace::new(s.trace_capacity),
            faults: Vec::new(),
            spikes: Vec::new(),
            actions: Vec::with_capacity(16),
            events: 0,
            outstanding: 0,
            finished: false,
            track_versions: model
                .nodes
                .iter()
                .any(|m| matches!(m.kind, Kind::Cache | Kind::CdnEdge)),
            versions: BTreeMap::new(),
            dns: dns_state,
            brokers: model
                .nodes
                .iter()
                .enumerate()
                .filter(|(_, m)| messaging::is_messaging(m.kind))
                .map(|(i, _)| i as u32)
                .collect(),
            by_client: vec![Requests::default(); n],
            calls: Vec::new(),
            free_calls: Vec::new(),
        };
        // Warm caches (no random draws: a warm set never exceeds the capacity).
        for node in &mut sim.nodes {
            if let NodeRt::Cache(c) = node {
                let mut ctx = Ctx {
                    now: SimTime::ZERO,
                    rng: &mut sim.rng,
                    out: &mut sim.actions,
                };
                c.warm(&mut ctx);
            }
        }
        // Databases arm their primary-failure timers (no random draws).
        for i in 0..n {
            if let NodeRt::Database(d) = &mut sim.nodes[i] {
                let mut ctx = Ctx {
                    now: SimTime::ZERO,
                    rng: &mut sim.rng,
                    out: &mut sim.actions,
                };
                d.init(&mut ctx);
                sim.run_actions(i as u32);
            }
        }
        // Initial events, in node order so ties break the same way every run.
        for i in 0..n {
            match &sim.nodes[i] {
                NodeRt::Client(c) => {
                    if let Some(t) = c.next_arrival(SimTime::ZERO, &mut sim.rng) {
                        sim.schedule(
                            t,
                            Ev::ClientFire {
                                node: i as u32,
                                epoch: 0,
                            },
                        );
                    }
                }
                NodeRt::Lb(lb) if lb.health.enabled => {
                    let t = SimTime::from_ms(lb.health.interval_ms);
                    sim.schedule(t, Ev::HealthCheck { node: i as u32 });
                }
                _ => {}
            }
        }
        if series_interval.0 > 0 {
            sim.schedule(series_interval, Ev::Tick);
        }
        for (at, op) in model.faults {
            let index = sim.faults.len() as u32;
            sim.faults.push(op);
            sim.schedule(at, Ev::Fault { index });
        }
        Ok(sim)
    }

    // ---------------------------------------------------------------- public stepping API

    /// Processes events with time ≤ `until`, at most `event_budget` of them, then stops. When the queue holds
    /// nothing more before `until` the clock moves to `until`.
    pub fn run_until(&mut self, until: SimTime, event_budget: u64) -> RunProgress {
        let mut processed = 0u64;
        let mut budget_exhausted = false;
        while !self.finished {
            let next = self
                .heap
                .peek()
                .map_or(SimTime::MAX, |e| SimTime((e.key >> 64) as u64));
            // Over when the traffic has ended and nothing is in flight, or when the drain limit passes.
            let end = if self.outstanding == 0 && next > self.traffic_end && self.backlog() == 0 {
                Some(self.traffic_end.max(self.now))
            } else if next > self.drain_end {
                Some(self.drain_end.max(self.now))
            } else {
                None
            };
            if let Some(end) = end {
                if end <= until {
                    self.now = end;
                    self.finished = true;
                } else {
                    self.now = self.now.max(until);
                }
                break;
            }
            if next > until {
                self.now = self.now.max(until);
                break;
            }
            if processed >= event_budget {
                budget_exhausted = true;
                break;
            }
            let ev = self.heap.pop().expect("peeked an event");
            self.step(ev);
            processed += 1;
        }
        RunProgress {
            reached: self.now,
            events: processed,
            budget_exhausted,
            finished: self.finished,
        }
    }

    /// Runs until the traffic is over and nothing is in flight, or the drain limit passes.
    pub fn run_to_end(&mut self) -> RunProgress {
        self.run_until(SimTime::MAX, u64::MAX)
    }

    /// Whether the run is over.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The simulation clock.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Messages and deliveries held by messaging nodes (0 for diagrams without one): the run goes on
    /// after the traffic until they are consumed, or the drain limit passes.
    pub fn backlog(&self) -> u64 {
        self.brokers
            .iter()
            .map(|&i| match &self.nodes[i as usize] {
                NodeRt::Msg(b) => b.backlog(),
                _ => 0,
            })
            .sum()
    }

    /// Requests whose client still waits for them.
    pub fn outstanding(&self) -> u64 {
        self.outstanding
    }

    /// The hop-record buffer (read its counters).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Takes every buffered hop record, oldest first.
    pub fn drain_trace(&mut self) -> impl Iterator<Item = HopRecord> + '_ {
        self.trace.drain()
    }

    /// Takes every buffered circuit-breaker state change, oldest first.
    pub fn drain_breaker_changes(&mut self) -> impl Iterator<Item = BreakerChange> + '_ {
        self.trace.drain_changes()
    }

    /// Each edge with a circuit breaker and the breaker's state now, in edge order (for the canvas).
    pub fn breaker_states(&self) -> Vec<(EdgeIdx, BreakerState)> {
        self.edges
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let b = e.policy.as_ref()?.breaker.as_ref()?;
                Some((EdgeIdx(i as u32), b.state()))
            })
            .collect()
    }

    /// The engine index of an edge, by the name validation gives it (its id, or `from->to`).
    pub fn edge_index(&self, name: &str) -> Option<EdgeIdx> {
        self.edge_index.get(name).map(|&i| EdgeIdx(i))
    }

    /// Node ids by engine index.
    pub fn node_ids(&self) -> &[String] {
        &self.node_ids
    }

    /// The engine index of a node id.
    pub fn node_index(&self, id: &str) -> Option<NodeIdx> {
        self.node_index.get(id).map(|&i| NodeIdx(i))
    }

    /// A node's live state.
    pub fn gauge(&self, node: NodeIdx) -> NodeGauge {
        let st = &self.stats[node.ix()];
        NodeGauge {
            alive: self.alive[node.ix()],
            busy: st.busy,
            workers: st.workers,
            queue: st.queue,
            in_node: st.in_node,
        }
    }

    /// Applies a fault now (it is queued at the current time, after events already queued for it).
    pub fn inject(&mut self, action: &FaultAction) -> Result<(), FaultError> {
        self.schedule_fault(self.now, action)
    }

    /// Schedules a fault at `at` (not before the clock).
    pub fn schedule_fault(&mut self, at: SimTime, action: &FaultAction) -> Result<(), FaultError> {
        if at < self.now {
            return Err(FaultError::InThePast { at, now: self.now });
        }
        let op = resolve_fault(&self.node_index, &self.edge_index, action)
            .map_err(FaultError::Invalid)?;
        let index = self.faults.len() as u32;
        self.faults.push(op);
        self.schedule(at, Ev::Fault { index });
        Ok(())
    }

    /// Bytes held by the main structures.
    pub fn memory(&self) -> MemoryUse {
        MemoryUse {
            requests: self.reqs.bytes(),
            events: self.heap.capacity() * std::mem::size_of::<Event>(),
            deadlines: self
                .deadlines
                .iter()
                .map(|d| d.q.capacity() * std::mem::size_of::<(SimTime, u32, u32)>())
                .sum(),
            queues: self
                .nodes
                .iter()
                .map(|n| match n {
                    NodeRt::Server(s) => s.queue_len() as usize * std::mem::size_of::<Job>(),
                    NodeRt::Database(d) => d.queue_len() as usize * 4,
                    NodeRt::Gateway(g) => g.queue_len() as usize * 4,
                    NodeRt::Waf(w) => w.queue_len() as usize * 4,
                    // A message held by a queue, topic or stream (its record and its place in line).
                    NodeRt::Msg(b) => usize::try_from(b.backlog()).unwrap_or(usize::MAX / 2) * 48,
                    _ => 0,
                })
                .sum(),
        }
    }

    /// Requests held in the slab (in flight anywhere, including ones their client gave up on).
    pub fn requests_held(&self) -> u32 {
        self.reqs.live()
    }

    // ---------------------------------------------------------------- event loop

    #[inline]
    fn schedule(&mut self, at: SimTime, ev: Ev) {
        let key = (u128::from(at.0) << 64) | u128::from(self.seq);
        self.seq += 1;
        self.heap.push(Event { key, ev });
    }

    fn step(&mut self, e: Event) {
        self.now = SimTime((e.key >> 64) as u64);
        self.events += 1;
        match e.ev {
            Ev::ClientFire { node, epoch } => self.on_client_fire(node, epoch),
            Ev::Arrive { req, node } => self.on_arrive(req, node),
            Ev::RespArrive { req } => self.on_resp_arrive(req),
            Ev::ServiceDone { node, slot, token } => {
                self.touch(node);
                let mut ctx = Ctx {
                    now: self.now,
                    rng: &mut self.rng,
                    out: &mut self.actions,
                };
                let counting = self.window.contains(self.now);
                match &mut self.nodes[node as usize] {
                    NodeRt::Server(s) => {
                        s.counting = counting;
                        s.on_service_done(&mut ctx, slot, token);
                    }
                    NodeRt::Cache(c) => c.on_timer(&mut ctx, slot, token),
                    NodeRt::Resolver(r) => r.on_timer(&mut ctx, slot, token),
                    NodeRt::Msg(b) => b.on_timer(&mut ctx, slot, token),
                    NodeRt::Database(d) => d.on_timer(&mut ctx, slot, token),
                    NodeRt::Gateway(g) => g.on_timer(&mut ctx, slot, token),
                    NodeRt::Waf(w) => w.on_timer(&mut ctx, slot, token),
                    NodeRt::Limiter(l) => l.on_timer(&mut ctx, slot, token),
                    _ => {}
                }
                self.run_actions(node);
                self.set_levels(node);
            }
            Ev::ClientTimer { node } => self.on_client_timer(node),
            Ev::HealthCheck { node } => self.on_health_check(node),
            Ev::Tick => self.on_tick(),
            Ev::Fault { index } => self.apply_fault(index, self.faults[index as usize]),
            Ev::CallTimeout {
                call,
                round,
                attempt,
            } => self.on_call_timeout(call, round, attempt),
            Ev::CallRetry { call, round } => {
                if self.call_is(call, round) {
                    self.send_attempt(call);
                }
            }
            Ev::CallRefused { call, round } => {
                if self.call_is(call, round) {
                    self.finish_call(call, Outcome::Error);
                }
            }
            Ev::AttemptFailed { call, round } => {
                if self.call_is(call, round) {
                    self.after_failure(call, Outcome::Error);
                }
            }
        }
    }

    #[inline]
    fn touch(&mut self, node: u32) {
        self.stats[node as usize].advance(self.now, &self.window);
    }

    #[inline]
    fn set_levels(&mut self, node: u32) {
        let (busy, queue) = match &self.nodes[node as usize] {
            NodeRt::Server(s) => (s.busy(), s.queue_len()),
            NodeRt::Database(d) => (d.busy(), d.queue_len()),
            NodeRt::Gateway(g) => (g.busy(), g.queue_len()),
            NodeRt::Waf(w) => (w.busy(), w.queue_len()),
            NodeRt::Limiter(l) => (0, l.held()),
            NodeRt::Msg(b) => {
                let (_, busy, queue) = b.levels();
                (busy, queue)
            }
            _ => return,
        };
        let st = &mut self.stats[node as usize];
        st.busy = busy;
        st.queue = queue;
    }

    fn run_actions(&mut self, node: u32) {
        let mut acts = std::mem::take(&mut self.actions);
        for a in acts.drain(..) {
            match a {
                Action::Forward { req, port, slot } => {
                    let ports = self.out_start[node as usize + 1] - self.out_start[node as usize];
                    if port < ports {
                        self.forward(node, req, port, slot);
                    } else {
                        // A pass-through node with nothing behind it (a half-built diagram): the request fails.
                        self.respond(node, req, Outcome::Error, true);
                    }
                }
                Action::Respond { req, outcome } => self.respond(node, req, outcome, false),
                Action::Fail { req, outcome } => self.respond(node, req, outcome, true),
                Action::ServiceDone { at, slot, token } => {
                    self.schedule(at, Ev::ServiceDone { node, slot, token })
                }
                Action::Hit { req, version } => {
                    let key = self.reqs.get(req).key;
                    let truth = self.versions.get(&key).copied().unwrap_or(0);
                    if let NodeRt::Cache(c) = &mut self.nodes[node as usize]
                        && version != DIRTY
                        && version < truth
                    {
                        c.count_stale(self.now);
                    }
                    self.reqs.get_mut(req).cache_hit = true;
                    self.respond(node, req, Outcome::Ok, false);
                }
                Action::Spawn {
                    key,
                    op,
                    port,
                    slot,
                } => self.spawn(node, key, op, port, slot),
                Action::Absorb { req } => self.reqs.free(req),
                Action::Answer { req, value } => {
                    self.reqs.get_mut(req).version = value;
                    self.respond(node, req, Outcome::Ok, false);
                }
            }
        }
        self.actions = acts;
    }

    #[inline]
    fn trace_hop(&mut self, req: u32, from: u32, to: u32, arrive: SimTime, outcome: HopOutcome) {
        if self.trace.enabled() {
            let q = self.reqs.get(req);
            let id = q.id;
            let dns =
                |n: u32| matches!(self.kinds[n as usize], Kind::DnsResolver | Kind::DnsServer);
            let class = if dns(from) || dns(to) {
                HopClass::Lookup
            } else if q.internal {
                HopClass::Internal
            } else {
                HopClass::Client
            };
            let outcome = if outcome == HopOutcome::Ok && q.cache_hit {
                HopOutcome::CacheHit
            } else {
                outcome
            };
            self.trace.push(HopRecord {
                request: RequestId(id),
                from: NodeIdx(from),
                to: NodeIdx(to),
                depart: self.now,
                arrive,
                outcome,
                class,
            });
        }
    }

    fn on_client_fire(&mut self, node: u32, epoch: u32) {
        let NodeRt::Client(c) = &self.nodes[node as usize] else {
            unreachable!("client events go to clients")
        };
        if !self.alive[node as usize] || c.epoch != epoch {
            return;
        }
        let now = self.now;
        let nr = c.new_request(&mut self.rng);
        let next = c.next_arrival(now, &mut self.rng);
        // A retrying client's call layer times out each attempt; the request itself lives as long as its
        // retries may take.
        let (deadline, timer) = match c.lifetime {
            Some(l) => (now.add(l), false),
            None => (now.add(c.timeout), true),
        };
        let route = c.route;
        let measured = self.window.contains(now);

        let r = self.reqs.alloc();
        let q = self.reqs.get_mut(r);
        q.id = self.next_id;
        q.start = now;
        q.deadline = deadline;
        q.here = now;
        q.key = nr.key;
        q.client = node;
        q.addr = nr.addr;
        q.size = nr.size;
        q.op = nr.op;
        q.attempt = 0;
        q.hops = 0;
        q.measured = measured;
        q.state = ReqState::Live;
        q.outcome = Outcome::Ok;
        q.internal = false;
        q.version = 0;
        q.net = 0;
        q.idem = q.id;
        q.api_key = nr.api_key;
        q.route = route;
        q.malicious = nr.malicious;
        let generation = q.generation;
        self.next_id += 1;
        self.outstanding += 1;
        if measured {
            self.e2e.sent += 1;
            self.e2e.attacks_sent += u64::from(nr.malicious);
            let mine = &mut self.by_client[node as usize];
            mine.sent += 1;
            mine.attacks_sent += u64::from(nr.malicious);
        }
        if timer {
            let dl = &mut self.deadlines[node as usize];
            dl.q.push_back((deadline, r, generation));
            if !dl.armed {
                dl.armed = true;
                self.schedule(deadline, Ev::ClientTimer { node });
            }
        }
        if nr.is_static {
            self.forward(node, r, nr.port, NO_SLOT);
        } else {
            self.send_resolved(node, r, nr.port);
        }
        if let Some(t) = next {
            self.schedule(t, Ev::ClientFire { node, epoch });
        }
    }

    /// Sends client `node`'s new request `r` over `port`, once its hostname is resolved: at once when the
    /// client's DNS cache holds a live answer (or it has no resolver), else after a lookup.
    fn send_resolved(&mut self, node: u32, r: u32, port: u32) {
        let now = self.now;
        let counting = self.window.contains(now);
        let Some(d) = self.dns[node as usize].as_mut() else {
            self.forward(node, r, port, NO_SLOT);
            return;
        };
        if now < d.expires {
            d.counters.hits += u64::from(counting);
            let port = if d.geo { d.nearest } else { port };
            self.forward(node, r, port, NO_SLOT);
            return;
        }
        d.counters.misses += u64::from(counting);
        d.pending.push((r, port));
        if d.in_flight {
            d.counters.coalesced += u64::from(counting);
            return;
        }
        d.in_flight = true;
        let (key, rport) = (d.key, d.port);
        self.spawn(node, key, Op::Read, rport, NO_SLOT);
    }

    /// The answer to client `node`'s lookup (`None`: it failed): cache it and send the waiting requests, or
    /// fail them.
    fn on_dns_answer(&mut self, node: u32, answer: Option<u64>) {
        let now = self.now;
        let Some(d) = self.dns[node as usize].as_mut() else {
            return;
        };
        d.in_flight = false;
        let pending = std::mem::take(&mut d.pending);
        if let Some(v) = answer {
            let (ttl, geo) = dns::unpack(v);
            d.expires = now.add(ttl);
            d.geo = geo;
        }
        let (geo, nearest) = (d.geo, d.nearest);
        // A client killed while its lookup was out fails what waited for it.
        let alive = self.alive[node as usize];
        for (r, port) in pending {
            let q = self.reqs.get(r);
            if q.state == ReqState::TimedOut {
                self.reqs.free(r);
            } else if answer.is_some() && alive {
                self.forward(node, r, if geo { nearest } else { port }, NO_SLOT);
            } else {
                self.resolve(r, Outcome::Error);
            }
        }
    }

    /// Starts a request of `node`'s own (no client, no deadline) and sends it over `port`.
    fn spawn(&mut self, node: u32, key: u64, op: Op, port: u32, slot: u32) {
        let now = self.now;
        let r = self.reqs.alloc();
        let q = self.reqs.get_mut(r);
        q.id = self.next_id;
        q.start = now;
        q.deadline = SimTime::MAX;
        q.here = now;
        q.key = key;
        q.client = node;
        q.addr = 0;
        q.size = 0;
        q.op = op;
        q.attempt = 0;
        q.hops = 0;
        q.measured = false;
        q.state = ReqState::Live;
        q.outcome = Outcome::Ok;
        q.internal = true;
        q.version = 0;
        q.net = 0;
        q.idem = q.id;
        q.api_key = 0;
        q.route = 0;
        q.malicious = false;
        self.next_id += 1;
        self.forward(node, r, port, slot);
    }

    /// Sends `req` from `from` over its `port`-th outgoing edge: straight over the link, or — over an edge
    /// with a call policy — as a call whose attempts go out for it while it waits at `from`.
    fn forward(&mut self, from: u32, req: u32, port: u32, slot: u32) {
        let e = self.out_edges[(self.out_start[from as usize] + port) as usize];
        let q = self.reqs.get_mut(req);
        let here = q.here;
        q.path.push(Hop {
            edge: e,
            slot,
            here,
        });
        if self.edges[e as usize].policy.is_some() {
            self.start_call(req, e);
        } else {
            self.transmit(from, req, e);
        }
    }

    /// Puts `req`, whose hop over edge `e` is on its path, on the link.
    fn transmit(&mut self, from: u32, req: u32, e: u32) {
        let hop_limit = self.hop_limit;
        let q = self.reqs.get_mut(req);
        q.hops = q.hops.saturating_add(1);
        let edge = &self.edges[e as usize];
        let to = edge.to;
        if q.hops > hop_limit || edge.cut {
            // Fails at once, as if the callee had answered with an error: the hop limit stops loops, a cut
            // link refuses the connection.
            if q.hops > hop_limit && q.measured {
                self.e2e.hop_limited += 1;
                self.by_client[q.client as usize].hop_limited += 1;
            }
            q.outcome = Outcome::Error;
            if self.window.contains(self.now) {
                self.stats[from as usize].errors += 1;
            }
            self.schedule(self.now, Ev::RespArrive { req });
            return;
        }
        let lost = edge.loss > 0.0 && self.rng.chance(edge.loss);
        let lat = edge.latency.sample(&mut self.rng, 1.0);
        q.net += lat.0;
        let arrive = self.now.add(lat);
        if lost {
            self.lose(req, from, to, arrive);
            return;
        }
        self.trace_hop(req, from, to, arrive, HopOutcome::Request);
        self.schedule(arrive, Ev::Arrive { req, node: to });
    }

    /// Sends `req`'s response from `node` back to its caller. `caused`: this node produced the outcome.
    fn respond(&mut self, node: u32, req: u32, outcome: Outcome, caused: bool) {
        let now = self.now;
        let in_window = self.window.contains(now);
        let q = self.reqs.get_mut(req);
        let hop = q.path.last().expect("a responding node has a caller");
        q.outcome = outcome;
        if self.track_versions
            && outcome == Outcome::Ok
            && self.kinds[node as usize] == Kind::Database
        {
            let v = self.versions.entry(q.key).or_insert(0);
            if q.op == Op::Write {
                *v += 1;
            }
            q.version = *v;
        }
        let here = q.here;
        let st = &mut self.stats[node as usize];
        if self.window.contains(here) {
            st.record_time(now.since(here).0);
        }
        st.in_node -= 1;
        if in_window {
            match (outcome, caused) {
                (Outcome::Ok, _) => st.served += 1,
                (Outcome::Error, true) => st.errors += 1,
                (Outcome::Rejected, true) => st.dropped += 1,
                (Outcome::RateLimited, true) => st.rate_limited += 1,
                (Outcome::Shed, true) => st.shed += 1,
                (Outcome::Blocked, true) => st.blocked += 1,
                _ => {}
            }
        }
        let edge = &self.edges[hop.edge as usize];
        let caller = edge.from;
        let lost = edge.cut || (edge.loss > 0.0 && self.rng.chance(edge.loss));
        let lat = edge.latency.sample(&mut self.rng, 1.0);
        self.reqs.get_mut(req).net += lat.0;
        let arrive = now.add(lat);
        if lost {
            self.lose(req, node, caller, arrive);
            return;
        }
        let kind = match outcome {
            Outcome::Ok => HopOutcome::Ok,
            Outcome::Error => HopOutcome::Error,
            Outcome::Rejected => HopOutcome::Rejected,
            Outcome::RateLimited => HopOutcome::RateLimited,
            Outcome::Shed => HopOutcome::Shed,
            Outcome::Blocked => HopOutcome::Blocked,
            Outcome::TimedOut => HopOutcome::TimedOut,
        };
        self.trace_hop(req, node, caller, arrive, kind);
        self.schedule(arrive, Ev::RespArrive { req });
    }

    /// A link lost `req`'s message. If its client still waits, its timeout cleans up; if it already gave
    /// up, clean up now.
    fn lose(&mut self, req: u32, from: u32, to: u32, arrive: SimTime) {
        self.trace_hop(req, from, to, arrive, HopOutcome::Lost);
        let q = self.reqs.get(req);
        let (state, internal, call) = (q.state, q.internal, q.call);
        // An attempt counts with its call (attempts themselves are never `measured`: they are not requests of
        // a client's).
        if q.measured || (call != NO_CALL && self.calls[call as usize].counted) {
            self.e2e.lost += 1;
            self.by_client[q.client as usize].lost += 1;
        }
        if state == ReqState::Live && call != NO_CALL {
            self.attempt_lost(req);
            return;
        }
        match state {
            // Nobody times out a node's own request: release it now; a client's lookup fails its waiters.
            ReqState::Live if internal => {
                let origin = self.reqs.get(req).client;
                self.unwind(req);
                if matches!(self.nodes[origin as usize], NodeRt::Client(_)) {
                    self.on_dns_answer(origin, None);
                }
            }
            ReqState::Live => self.reqs.get_mut(req).state = ReqState::Lost,
            ReqState::TimedOut => self.unwind(req),
            ReqState::Lost => unreachable!("a lost request sends nothing more"),
        }
    }

    /// Releases what every node on `req`'s path holds for it, then frees it.
    fn unwind(&mut self, req: u32) {
        let mut acts = Vec::new();
        while let Some(hop) = self.reqs.get_mut(req).path.pop() {
            if hop.slot == CALL_SLOT {
                // An attempt's first hop: its caller holds the parent, not this request.
                continue;
            }
            let node = self.edges[hop.edge as usize].from;
            self.touch(node);
            let mut ctx = Ctx {
                now: self.now,
                rng: &mut self.rng,
                out: &mut acts,
            };
            let internal_origin = match &mut self.nodes[node as usize] {
                NodeRt::Client(_) => continue,
                NodeRt::Server(s) => {
                    s.abandon(&mut ctx, req, hop.slot);
                    false
                }
                NodeRt::Lb(lb) => {
                    lb.abandon(hop.slot);
                    false
                }
                NodeRt::Resolver(r) => {
                    r.abandon(hop.slot);
                    false
                }
                // A broker is on a path only as the origin of its own delivery, never counted in it.
                NodeRt::Msg(b) => {
                    b.abandon(&mut ctx, hop.slot);
                    true
                }
                // A database calls nothing, so it is never a caller on a path.
                NodeRt::Database(_) => false,
                NodeRt::Gateway(g) => {
                    g.abandon(&mut ctx, hop.slot);
                    // A gateway's session lookup was never counted in the gateway.
                    self.reqs.get(req).internal && self.reqs.get(req).path.last().is_none()
                }
                // A firewall and a rate limiter pass requests on without a slot: nothing to release.
                NodeRt::Waf(_) | NodeRt::Limiter(_) => false,
                NodeRt::Cache(c) => {
                    c.abandon(&mut ctx, hop.slot);
                    // A cache's own request was never counted in the cache.
                    self.reqs.get(req).internal && self.reqs.get(req).path.last().is_none()
                }
            };
            if !internal_origin {
                self.stats[node as usize].in_node -= 1;
            }
            for a in acts.drain(..) {
                match a {
                    Action::ServiceDone { at, slot, token } => {
                        self.schedule(at, Ev::ServiceDone { node, slot, token });
                    }
                    // A cache fails the requests that waited on a lost fetch.
                    Action::Fail { req: w, outcome } => self.respond(node, w, outcome, true),
                    // A broker's freed poller takes the next message.
                    Action::Spawn {
                        key,
                        op,
                        port,
                        slot,
                    } => self.spawn(node, key, op, port, slot),
                    other => unreachable!("abandoning only starts queued work, got {other:?}"),
                }
            }
            self.set_levels(node);
        }
        self.reqs.free(req);
    }

    fn on_arrive(&mut self, req: u32, node: u32) {
        self.touch(node);
        let now = self.now;
        let q = self.reqs.get_mut(req);
        q.here = now;
        let (addr, key, op) = (q.addr, q.key, q.op);
        let st = &mut self.stats[node as usize];
        if self.window.contains(now) {
            st.arrivals += 1;
        }
        st.in_node += 1;
        if !self.alive[node as usize] {
            if self.window.contains(now) {
                st.dropped += 1;
            }
            self.respond(node, req, Outcome::Error, false);
            return;
        }
        let mut ctx = Ctx {
            now,
            rng: &mut self.rng,
            out: &mut self.actions,
        };
        match &mut self.nodes[node as usize] {
            NodeRt::Server(s) => {
                s.counting = self.window.contains(now);
                let q = self.reqs.get(req);
                let job = Job {
                    req,
                    deadline: q.deadline,
                    idem: q.idem,
                    key,
                    op,
                };
                if s.on_request(&mut ctx, job) && self.window.contains(now) {
                    self.stats[node as usize].waited += 1;
                }
            }
            NodeRt::Lb(lb) => lb.on_request(&mut ctx, req, addr),
            NodeRt::Cache(c) => c.on_request(&mut ctx, req, key, op),
            NodeRt::Resolver(r) => r.on_request(&mut ctx, req, key),
            NodeRt::Msg(b) => b.on_request(&mut ctx, req, key, op),
            NodeRt::Database(d) => {
                if d.on_request(&mut ctx, req, key, op) && self.window.contains(now) {
                    self.stats[node as usize].waited += 1;
                }
            }
            NodeRt::Gateway(g) => g.on_request(&mut ctx, req, &incoming(self.reqs.get(req))),
            NodeRt::Waf(w) => w.on_request(&mut ctx, req, &incoming(self.reqs.get(req))),
            NodeRt::Limiter(l) => {
                let q = self.reqs.get(req);
                let who = Who {
                    client: q.client,
                    addr,
                    api_key: q.api_key,
                };
                l.on_request(&mut ctx, req, who);
            }
            NodeRt::Client(_) => ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            }),
        }
        self.run_actions(node);
        self.set_levels(node);
    }

    fn on_resp_arrive(&mut self, req: u32) {
        let hop = self
            .reqs
            .get_mut(req)
            .path
            .pop()
            .expect("a response retraces a hop");
        if hop.slot == CALL_SLOT {
            self.attempt_returned(req);
        } else {
            self.deliver(req, hop);
        }
    }

    /// `req`'s response, whose last hop was `hop` (already popped), reaches the caller of that hop.
    fn deliver(&mut self, req: u32, hop: Hop) {
        let q = self.reqs.get_mut(req);
        q.here = hop.here;
        let (outcome, version) = (q.outcome, q.version);
        let node = self.edges[hop.edge as usize].from;
        self.touch(node);
        if matches!(self.nodes[node as usize], NodeRt::Client(_)) {
            if self.reqs.get(req).internal {
                self.reqs.free(req);
                self.on_dns_answer(node, (outcome == Outcome::Ok).then_some(version));
            } else {
                self.resolve(req, outcome);
            }
            return;
        }
        let mut ctx = Ctx {
            now: self.now,
            rng: &mut self.rng,
            out: &mut self.actions,
        };
        match &mut self.nodes[node as usize] {
            NodeRt::Client(_) => unreachable!("handled above"),
            NodeRt::Server(s) => s.on_response(&mut ctx, req, hop.slot, outcome),
            NodeRt::Lb(lb) => lb.on_response(&mut ctx, req, hop.slot, outcome),
            NodeRt::Cache(c) => c.on_response(&mut ctx, req, hop.slot, outcome, version),
            NodeRt::Resolver(r) => r.on_response(&mut ctx, req, hop.slot, outcome),
            NodeRt::Msg(b) => b.on_response(&mut ctx, req, hop.slot, outcome),
            NodeRt::Gateway(g) => g.on_response(&mut ctx, req, hop.slot, outcome),
            NodeRt::Waf(w) => w.on_response(&mut ctx, req, hop.slot, outcome),
            NodeRt::Limiter(l) => l.on_response(&mut ctx, req, hop.slot, outcome),
            NodeRt::Database(_) => {
                unreachable!("a database calls nothing (validation allows no edge from it)")
            }
        }
        self.run_actions(node);
        self.set_levels(node);
    }

    // ---------------------------------------------------------------- call layer
    //
    // A request forwarded over an edge with a policy does not travel itself: it waits at the caller (its hop
    // over the edge on its path) while attempts — requests of their own, copies of it with the same logical
    // id — go out one after another. An attempt's first hop is marked `CALL_SLOT`. An attempt that outlives
    // its timeout is orphaned: it goes on downstream (the work is not cancelled) and is freed when its
    // response comes back. Failures retry after a backoff while the policy, its budget and the parent's
    // deadline allow; a breaker that refuses an attempt fails the call at once.

    /// Whether call `c` is still the one of generation `round`.
    fn call_is(&self, c: u32, round: u32) -> bool {
        let call = &self.calls[c as usize];
        call.live && call.round == round
    }

    fn policy_mut(&mut self, e: u32) -> &mut PolicyRt {
        self.edges[e as usize]
            .policy
            .as_deref_mut()
            .expect("a call's edge has a policy")
    }

    /// `parent`, whose hop over edge `e` is on its path, starts a call over `e`.
    fn start_call(&mut self, parent: u32, e: u32) {
        let counted = self.window.contains(self.now);
        let c = match self.free_calls.pop() {
            Some(c) => c,
            None => {
                self.calls.push(Call {
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
                u32::try_from(self.calls.len() - 1).expect("fewer than 4 billion calls at once")
            }
        };
        let call = &mut self.calls[c as usize];
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
    fn send_attempt(&mut self, c: u32) {
        let now = self.now;
        let Call {
            parent,
            edge: e,
            counted,
            round,
            ..
        } = self.calls[c as usize];
        if self.calls[c as usize].attempts > 0 && now >= self.reqs.get(parent).deadline {
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
            self.trace.push_change(EdgeIdx(e), now, state);
        }
        if refused {
            self.schedule(now, Ev::CallRefused { call: c, round });
            return;
        }
        let call = &mut self.calls[c as usize];
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
        self.calls[c as usize].child = child;
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
        let from = self.edges[e as usize].from;
        self.transmit(from, child, e);
    }

    /// Tells call `c`'s breaker how the attempt out ended.
    fn record_breaker(&mut self, c: u32, failed: bool) {
        let now = self.now;
        let call = &mut self.calls[c as usize];
        let (permit, took, e) = (call.permit.take(), now.since(call.sent), call.edge);
        let (Some(permit), Some(b)) = (permit, self.policy_mut(e).breaker.as_mut()) else {
            return;
        };
        let before = b.state();
        b.record(now, permit, failed, took);
        let after = b.state();
        if after != before {
            self.trace.push_change(EdgeIdx(e), now, after);
        }
    }

    /// An attempt's response is back at its caller.
    fn attempt_returned(&mut self, child: u32) {
        let q = self.reqs.get(child);
        let c = q.call;
        let (outcome, version, cache_hit, net) = (q.outcome, q.version, q.cache_hit, q.net);
        self.reqs.free(child);
        if c == NO_CALL {
            return; // an orphan: its call timed out and has moved on
        }
        let parent = self.calls[c as usize].parent;
        self.calls[c as usize].child = NO_ATTEMPT;
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
    fn attempt_lost(&mut self, child: u32) {
        let c = self.reqs.get(child).call;
        let Call { edge, round, .. } = self.calls[c as usize];
        if self.policy_mut(edge).timeout.is_some() {
            self.reqs.get_mut(child).state = ReqState::Lost;
            return;
        }
        self.reqs.get_mut(child).call = NO_CALL;
        self.unwind(child);
        self.calls[c as usize].child = NO_ATTEMPT;
        self.record_breaker(c, true);
        // Decided at an event of its own: this runs inside the sender's actions.
        self.schedule(self.now, Ev::AttemptFailed { call: c, round });
    }

    fn on_call_timeout(&mut self, c: u32, round: u32, attempt: u32) {
        let call = self.calls[c as usize];
        if !self.call_is(c, round) || call.attempts != attempt || call.child == NO_ATTEMPT {
            return;
        }
        let child = call.child;
        let from = self.edges[call.edge as usize].from;
        self.policy_mut(call.edge).counts.timeouts += u64::from(call.counted);
        self.trace_hop(child, from, from, self.now, HopOutcome::TimedOut);
        self.calls[c as usize].child = NO_ATTEMPT;
        let q = self.reqs.get_mut(child);
        q.call = NO_CALL;
        match q.state {
            ReqState::Live => q.state = ReqState::TimedOut,
            ReqState::Lost => self.unwind(child),
            ReqState::TimedOut => unreachable!("an attempt times out once"),
        }
        self.record_breaker(c, true);
        self.after_failure(c, Outcome::TimedOut);
    }

    /// Call `c`'s attempt failed with `outcome`: retry after a backoff, or end the call with it.
    fn after_failure(&mut self, c: u32, outcome: Outcome) {
        let now = self.now;
        let call = self.calls[c as usize];
        let parent_waits = now < self.reqs.get(call.parent).deadline;
        let pol = self.edges[call.edge as usize]
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
                let delay = retry.next_delay(&mut self.calls[c as usize].retry, &mut self.rng);
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
    fn finish_call(&mut self, c: u32, outcome: Outcome) {
        let call = self.calls[c as usize];
        let slot = &mut self.calls[c as usize];
        slot.live = false;
        slot.round = slot.round.wrapping_add(1);
        self.free_calls.push(c);
        if outcome != Outcome::Ok {
            self.policy_mut(call.edge).counts.failed += u64::from(call.counted);
        }
        let q = self.reqs.get_mut(call.parent);
        q.outcome = outcome;
        let hop = q.path.pop().expect("the parent's hop over the call's edge");
        self.deliver(call.parent, hop);
    }

    /// A response reached its client.
    fn resolve(&mut self, req: u32, outcome: Outcome) {
        let now = self.now;
        let q = self.reqs.get(req);
        let client = q.client;
        match q.state {
            ReqState::Live => {
                self.outstanding -= 1;
                let e = &mut self.e2e;
                match outcome {
                    Outcome::Ok => {
                        e.tick_completed += 1;
                        e.attacks_served += u64::from(q.measured && q.malicious);
                        let ns = now.since(q.start).0;
                        e.tick_hist.saturating_record(ns.max(1));
                        if q.measured {
                            e.completed += 1;
                            e.record_latency(ns);
                            e.net_sum_ns += u128::from(q.net);
                        }
                    }
                    Outcome::Error => {
                        e.tick_failed += 1;
                        e.failed += u64::from(q.measured);
                    }
                    Outcome::Rejected => {
                        e.tick_rejected += 1;
                        e.rejected += u64::from(q.measured);
                    }
                    Outcome::RateLimited => {
                        e.tick_rate_limited += 1;
                        e.rate_limited += u64::from(q.measured);
                    }
                    Outcome::Shed => {
                        e.tick_shed += 1;
                        e.shed += u64::from(q.measured);
                    }
                    Outcome::Blocked => {
                        e.tick_blocked += 1;
                        e.blocked += u64::from(q.measured);
                    }
                    // The last attempt of a client with retries timed out.
                    Outcome::TimedOut => {
                        e.tick_timed_out += 1;
                        e.timed_out += u64::from(q.measured);
                    }
                }
            }
            ReqState::TimedOut => {}
            ReqState::Lost => unreachable!("a lost request has no response"),
        }
        if q.measured && q.state == ReqState::Live {
            let mine = &mut self.by_client[client as usize];
            mine.attacks_served += u64::from(outcome == Outcome::Ok && q.malicious);
            *match outcome {
                Outcome::Ok => &mut mine.completed,
                Outcome::Error => &mut mine.failed,
                Outcome::Rejected => &mut mine.rejected,
                Outcome::RateLimited => &mut mine.rate_limited,
                Outcome::Shed => &mut mine.shed,
                Outcome::Blocked => &mut mine.blocked,
                Outcome::TimedOut => &mut mine.timed_out,
            } += 1;
        }
        self.reqs.free(req);
        // Drop resolved entries from the front of the client's deadline queue, so its timer sleeps until
        // the oldest request still waiting.
        let dl = &mut self.deadlines[client as usize];
        while let Some(&(_, r, generation)) = dl.q.front() {
            if self.reqs.get(r).generation == generation {
                break;
            }
            dl.q.pop_front();
        }
    }

    fn on_client_timer(&mut self, node: u32) {
        self.deadlines[node as usize].armed = false;
        while let Some(&(deadline, r, generation)) = self.deadlines[node as usize].q.front() {
            if self.reqs.get(r).generation != generation {
                self.deadlines[node as usize].q.pop_front();
                continue;
            }
            if deadline > self.now {
                self.deadlines[node as usize].armed = true;
                self.schedule(deadline, Ev::ClientTimer { node });
                break;
            }
            self.deadlines[node as usize].q.pop_front();
            self.outstanding -= 1;
            self.e2e.tick_timed_out += 1;
            let q = self.reqs.get_mut(r);
            if q.measured {
                self.e2e.timed_out += 1;
                self.by_client[node as usize].timed_out += 1;
            }
            let state = q.state;
            self.trace_hop(r, node, node, self.now, HopOutcome::TimedOut);
            match state {
                ReqState::Live => self.reqs.get_mut(r).state = ReqState::TimedOut,
                ReqState::Lost => self.unwind(r),
                ReqState::TimedOut => unreachable!("a deadline is queued once"),
            }
        }
    }

    fn on_health_check(&mut self, node: u32) {
        let (start, end) = (
            self.out_start[node as usize] as usize,
            self.out_start[node as usize + 1] as usize,
        );
        let ports = &self.out_edges[start..end];
        let (edges, alive) = (&self.edges, &self.alive);
        let NodeRt::Lb(lb) = &mut self.nodes[node as usize] else {
            unreachable!("health checks belong to balancers")
        };
        if alive[node as usize] {
            lb.health_check(|b| {
                let e = &edges[ports[b as usize] as usize];
                alive[e.to as usize] && !e.cut
            });
        }
        let next = self
            .now
            .add(SimTime::from_ms(lb.health.interval_ms).max(SimTime(1)));
        self.schedule(next, Ev::HealthCheck { node });
    }

    fn on_tick(&mut self) {
        let interval = self.series_interval;
        let mut nodes = Vec::with_capacity(self.nodes.len());
        for i in 0..self.nodes.len() {
            self.touch(i as u32);
            let st = &mut self.stats[i];
            let cap = interval.0 as f64 * f64::from(st.workers);
            let utilization = if cap > 0.0 {
                st.tick_busy_area as f64 / cap
            } else {
                0.0
            };
            st.tick_busy_area = 0;
            nodes.push(NodeSample {
                queue: st.queue,
                in_node: st.in_node,
                utilization,
            });
        }
        let e = &mut self.e2e;
        let q = |p: f64| {
            if e.tick_hist.is_empty() {
                0.0
            } else {
                e.tick_hist.value_at_quantile(p) as f64 / 1e6
            }
        };
        let point = SeriesPoint {
            t_s: self.now.as_secs(),
            completed: e.tick_completed,
            failed: e.tick_failed,
            timed_out: e.tick_timed_out,
            rejected: e.tick_rejected,
            rate_limited: e.tick_rate_limited,
            shed: e.tick_shed,
            blocked: e.tick_blocked,
            p50_ms: q(0.5),
            p95_ms: q(0.95),
            p99_ms: q(0.99),
            nodes,
        };
        e.tick_completed = 0;
        e.tick_failed = 0;
        e.tick_timed_out = 0;
        e.tick_rejected = 0;
        e.tick_rate_limited = 0;
        e.tick_shed = 0;
        e.tick_blocked = 0;
        e.tick_hist.reset();
        self.series.points.push(point);
        self.schedule(self.now.add(interval), Ev::Tick);
    }

    fn apply_fault(&mut self, index: u32, op: FaultOp) {
        match op {
            FaultOp::Kill(n) => {
                if !self.alive[n as usize] {
                    return;
                }
                self.touch(n);
                self.alive[n as usize] = false;
                let mut ctx = Ctx {
                    now: self.now,
                    rng: &mut self.rng,
                    out: &mut self.actions,
                };
                match &mut self.nodes[n as usize] {
                    NodeRt::Server(s) => s.kill(&mut ctx),
                    NodeRt::Lb(lb) => lb.alive = false,
                    NodeRt::Cache(c) => c.kill(&mut ctx),
                    NodeRt::Resolver(r) => r.kill(&mut ctx),
                    NodeRt::Msg(b) => b.kill(),
                    NodeRt::Database(d) => d.kill(&mut ctx),
                    NodeRt::Gateway(g) => g.kill(&mut ctx),
                    NodeRt::Waf(w) => w.kill(&mut ctx),
                    NodeRt::Limiter(l) => l.kill(&mut ctx),
                    NodeRt::Client(c) => {
                        c.alive = false;
                        c.epoch = c.epoch.wrapping_add(1);
                    }
                }
                self.run_actions(n);
                self.set_levels(n);
            }
            FaultOp::Revive(n) => {
                if self.alive[n as usize] {
                    return;
                }
                self.alive[n as usize] = true;
                match &mut self.nodes[n as usize] {
                    NodeRt::Server(s) => s.revive(),
                    NodeRt::Resolver(r) => r.revive(),
                    NodeRt::Database(d) => d.revive(),
                    NodeRt::Gateway(g) => g.revive(),
                    NodeRt::Waf(w) => w.revive(),
                    NodeRt::Limiter(l) => l.revive(),
                    NodeRt::Cache(c) => {
                        let mut ctx = Ctx {
                            now: self.now,
                            rng: &mut self.rng,
                            out: &mut self.actions,
                        };
                        c.revive(&mut ctx);
                    }
                    NodeRt::Lb(lb) => lb.alive = true,
                    NodeRt::Msg(b) => {
                        let mut ctx = Ctx {
                            now: self.now,
                            rng: &mut self.rng,
                            out: &mut self.actions,
                        };
                        b.revive(&mut ctx);
                        self.run_actions(n);
                        self.set_levels(n);
                    }
                    NodeRt::Client(c) => {
                        c.alive = true;
                        let epoch = c.epoch;
                        if let Some(t) = c.next_arrival(self.now, &mut self.rng) {
                            self.schedule(t, Ev::ClientFire { node: n, epoch });
                        }
                    }
                }
            }
            FaultOp::Slow(n, factor) => match &mut self.nodes[n as usize] {
                NodeRt::Server(s) => s.slow(factor),
                NodeRt::Database(d) => d.slow(factor),
                _ => {}
            },
            FaultOp::Cut(e) => self.edges[e as usize].cut = true,
            FaultOp::Heal(e) => self.edges[e as usize].cut = false,
            FaultOp::Spike { factor, duration } => {
                self.spikes.push((index, factor));
                let end = self.faults.len() as u32;
                self.faults.push(FaultOp::SpikeEnd(index));
                self.schedule(self.now.add(duration), Ev::Fault { index: end });
                self.set_boost();
            }
            FaultOp::SpikeEnd(start) => {
                self.spikes.retain(|(i, _)| *i != start);
                self.set_boost();
            }
        }
    }

    /// Gives every client the product of the spikes in force as its rate multiplier, and redraws the next
    /// arrival of each live one from now at the new rate (the pending one, drawn at the old rate, is dropped by
    /// the epoch). For Poisson arrivals this is exact: the process is memoryless.
    fn set_boost(&mut self) {
        let boost = self.spikes.iter().map(|(_, f)| f).product::<f64>();
        for n in 0..self.nodes.len() {
            let alive = self.alive[n];
            let NodeRt::Client(c) = &mut self.nodes[n] else {
                continue;
            };
            c.boost = boost;
            c.epoch = c.epoch.wrapping_add(1);
            if !alive {
                continue;
            }
            let epoch = c.epoch;
            if let Some(t) = c.next_arrival(self.now, &mut self.rng) {
                self.schedule(
                    t,
                    Ev::ClientFire {
                        node: n as u32,
                        epoch,
                    },
                );
            }
        }
    }

    // ---------------------------------------------------------------- report

    /// Everything measured so far (call after [`Sim::run_to_end`] for the final report).
    pub fn report(&self) -> Report {
        let w = Window {
            start: self.window.start,
            end: self.window.end.min(self.now).max(self.window.start),
        };
        let mut by_client = self.by_client.clone();
        let mut in_flight = 0;
        for r in
            self.reqs.items.iter().filter(|r| {
                r.measured && r.live && matches!(r.state, ReqState::Live | ReqState::Lost)
            })
        {
            in_flight += 1;
            by_client[r.client as usize].in_flight += 1;
        }
        let e = &self.e2e;
        let edges = self.edge_reports();
        let [mean, p50, p90, p95, p99, p999, max] = e.latency_ms();
        let secs = w.len().as_secs();
        let mut nodes = BTreeMap::new();
        for (i, st) in self.stats.iter().enumerate() {
            let (busy, queue, in_node) = st.areas_until(self.now, &w);
            let len = w.len().0 as f64;
            let per = |a: f64| if len > 0.0 { a / len } else { 0.0 };
            nodes.insert(
                self.node_ids[i].clone(),
                NodeReport {
                    kind: self.kinds[i].name().to_string(),
                    arrivals: st.arrivals,
                    served: st.served,
                    dropped: st.dropped,
                    errors: st.errors,
                    waited: st.waited,
                    utilization: if st.workers > 0 {
                        per(busy) / f64::from(st.workers)
                    } else {
                        0.0
                    },
                    mean_queue: per(queue),
                    mean_in_node: per(in_node),
                    mean_time_ms: st.mean_time_ms(),
                    p99_time_ms: st.p99_time_ms(),
                    rate_limited: st.rate_limited,
                    shed: st.shed,
                    blocked: st.blocked,
                    service: match &self.nodes[i] {
                        NodeRt::Server(s) if s.reports_service() => Some(s.counters.clone()),
                        _ => None,
                    },
                    cache: match (&self.nodes[i], &self.dns[i]) {
                        (NodeRt::Cache(c), _) => Some(CacheReport::new(&c.counters, c.entries())),
                        (NodeRt::Resolver(r), _) => {
                            Some(CacheReport::new(&r.counters, r.entries()))
                        }
                        (NodeRt::Client(_), Some(d)) => Some(CacheReport::new(
                            &d.counters,
                            u32::from(now_live(d, self.now)),
                        )),
                        _ => None,
                    },
                    messaging: match &self.nodes[i] {
                        NodeRt::Msg(b) => {
                            let ports = &self.out_edges
                                [self.out_start[i] as usize..self.out_start[i + 1] as usize];
                            let consumers: Vec<&str> = ports
                                .iter()
                                .map(|&e| {
                                    self.node_ids[self.edges[e as usize].to as usize].as_str()
                                })
                                .collect();
                            Some(b.report(self.now, &consumers))
                        }
                        _ => None,
                    },
                    database: match &self.nodes[i] {
                        NodeRt::Database(d) => Some(DatabaseReport::new(d, w.len().0)),
                        _ => None,
                    },
                    gateway: match &self.nodes[i] {
                        NodeRt::Gateway(g) => Some(g.report(self.now)),
                        _ => None,
                    },
                    waf: match &self.nodes[i] {
                        NodeRt::Waf(f) => Some(f.report(self.now)),
                        _ => None,
                    },
                    requests: matches!(self.nodes[i], NodeRt::Client(_)).then_some(by_client[i]),
                    limiter: match &self.nodes[i] {
                        NodeRt::Limiter(l) => Some(l.report()),
                        NodeRt::Gateway(g) => g.limiter_report(),
                        _ => None,
                    },
                },
            );
        }
        Report {
            format: 1,
            seed: self.seed,
            duration_s: self.traffic_end.as_secs(),
            warmup_s: self.window.start.as_secs(),
            end_s: self.now.as_secs(),
            finished: self.finished,
            requests: Requests {
                sent: e.sent,
                completed: e.completed,
                failed: e.failed,
                timed_out: e.timed_out,
                rejected: e.rejected,
                rate_limited: e.rate_limited,
                shed: e.shed,
                blocked: e.blocked,
                in_flight,
                hop_limited: e.hop_limited,
                lost: e.lost,
                attacks_sent: e.attacks_sent,
                attacks_served: e.attacks_served,
            },
            latency_ms: Latency {
                network_mean: e.network_mean_ms(),
                in_nodes_mean: if e.completed > 0 {
                    mean - e.network_mean_ms()
                } else {
                    0.0
                },
                mean,
                p50,
                p90,
                p95,
                p99,
                p999,
                max,
            },
            throughput_rps: if secs > 0.0 {
                e.completed as f64 / secs
            } else {
                0.0
            },
            events: self.events,
            wall_ms: 0.0,
            resilience: self.resilience_report(&nodes, &edges),
            nodes,
            edges,
            series: self.series.clone(),
        }
    }

    /// The report of every edge with a call policy, by edge name.
    fn edge_reports(&self) -> BTreeMap<String, EdgeReport> {
        let names: BTreeMap<u32, &String> = self.edge_index.iter().map(|(n, &i)| (i, n)).collect();
        let mut out = BTreeMap::new();
        for (i, e) in self.edges.iter().enumerate() {
            let Some(p) = &e.policy else { continue };
            let c = &p.counts;
            let b = p.breaker.as_ref();
            let time = b.map(|b| {
                let t = b.state_time(self.now);
                let s = |ns: u64| SimTime(ns).as_secs();
                BreakerStateTime {
                    closed_s: s(t[0]),
                    open_s: s(t[1]),
                    half_open_s: s(t[2]),
                }
            });
            let name = names.get(&(i as u32)).map_or_else(
                || {
                    format!(
                        "{}->{}",
                        self.node_ids[e.from as usize], self.node_ids[e.to as usize]
                    )
                },
                |n| (*n).clone(),
            );
            out.insert(
                name,
                EdgeReport {
                    from: self.node_ids[e.from as usize].clone(),
                    to: self.node_ids[e.to as usize].clone(),
                    calls: c.calls,
                    attempts: c.attempts,
                    retries: c.attempts.saturating_sub(c.calls),
                    amplification: ratio(c.attempts, c.calls),
                    timeouts: c.timeouts,
                    failed: c.failed,
                    budget_refused: c.budget_refused,
                    breaker_state: b.map(|b| b.state().name().to_string()),
                    breaker_opens: b.map_or(0, Breaker::opens),
                    short_circuited: c.short_circuited,
                    breaker_state_time: time,
                },
            );
        }
        out
    }

    /// The diagram-wide resilience totals, when the diagram uses any mechanism.
    fn resilience_report(
        &self,
        nodes: &BTreeMap<String, NodeReport>,
        edges: &BTreeMap<String, EdgeReport>,
    ) -> Option<ResilienceReport> {
        let services: Vec<_> = nodes.values().filter_map(|n| n.service.as_ref()).collect();
        let uses = !edges.is_empty()
            || !services.is_empty()
            || self.e2e.rate_limited + self.e2e.shed + self.e2e.blocked + self.e2e.attacks_sent > 0;
        if !uses {
            return None;
        }
        let client_edges = edges.values().filter(|e| {
            self.node_index
                .get(&e.from)
                .is_some_and(|&n| self.kinds[n as usize] == Kind::Client)
        });
        let (mut calls, mut attempts) = (0, 0);
        for e in client_edges {
            calls += e.calls;
            attempts += e.attempts;
        }
        Some(ResilienceReport {
            client_calls: calls,
            client_attempts: attempts,
            retries: edges.values().map(|e| e.retries).sum(),
            amplification: ratio(attempts, calls),
            call_timeouts: edges.values().map(|e| e.timeouts).sum(),
            budget_refused: edges.values().map(|e| e.budget_refused).sum(),
            breaker_opens: edges.values().map(|e| e.breaker_opens).sum(),
            short_circuited: edges.values().map(|e| e.short_circuited).sum(),
            duplicate_effects: services.iter().map(|s| s.duplicate_effects).sum(),
            deduplicated: services.iter().map(|s| s.deduplicated).sum(),
        })
    }
}

/// What a node may know about request `q`.
fn incoming(q: &crate::request::Request) -> Incoming {
    Incoming {
        key: q.key,
        op: q.op,
        client: q.client,
        addr: q.addr,
        api_key: q.api_key,
        route: q.route,
        malicious: q.malicious,
        internal: q.internal,
    }
}

/// `a / b`, or 0 when `b` is 0.
fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Whether a client's DNS cache holds a live answer at `now`.
fn now_live(d: &ClientDns, now: SimTime) -> bool {
    now < d.expires
}
