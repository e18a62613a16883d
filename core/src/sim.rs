//! The discrete-event engine. One priority queue of compact events ordered by `(time, sequence)` — integer
//! nanoseconds, FIFO among equal times — one seeded generator, requests in a slab referenced by `u32`, and
//! components driven through their one interface (`components::interface::Component`), whose actions only
//! the engine carries out.
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
//!
//! The parts: `build` (the runtime from a validated model), `transport` (actions, links, arrivals and
//! responses), `calls` (the call layer: timeouts, retries, breakers, hedges), `plans` (parallel call plans),
//! `clients` (the traffic sources and their DNS), `faults` (kill, revive, slow, cut, spikes, health
//! checks), `exemplars` (request trees kept for their waterfall), `wire` (bandwidths, bytes) and `report` (runtime state into a
//! [`Report`]).

mod body;
mod build;
mod calls;
mod clients;
mod conns;
mod exemplars;
mod faults;
mod plans;
mod push;
mod queue;
mod report;
mod screens;
mod transport;
mod wire;
pub use wire::send_ns;

mod retune;
pub use retune::{NotLive, changed_params, live_params};

use std::collections::{BTreeMap, VecDeque};

use crate::components::node::NodeRt;
use crate::components::{Action, Kind};
use crate::dist::Dist;
use crate::ids::{EdgeIdx, NodeIdx};
use crate::metrics::{EndToEnd, NodeStats, Window};
use crate::outcomes::Requests;
use crate::report::{Report, Series};
use crate::request::Slab;
use crate::resilience::BreakerState;
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::topology::{FaultAction, Topology};
use crate::trace::{BreakerChange, HopRecord, Trace};
use crate::validate::{Diagnostic, FaultOp, Severity, resolve_fault};

use calls::{CALL_SLOT, Call, PolicyRt};
pub use exemplars::{
    KEPT_INTERVALS, KEPT_SPANS, RECORDED_AT_ONCE, SAMPLED_PER_INTERVAL, SLOWEST_PER_INTERVAL,
    SPANS_PER_REQUEST,
};
pub use faults::{MAX_PARTITIONS, PartitionView};
use plans::BRANCH_SLOT;

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
    /// a timer a node set (a service's end, a cache's hit latency, a broker's redelivery …)
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
    /// call `call`'s attempt `attempt` has waited its hedge delay: a second copy goes out if none answered
    Hedge {
        call: u32,
        round: u32,
        attempt: u32,
    },
    /// plan `group`'s partial deadline: it ends with what arrived
    PlanDeadline {
        group: u32,
        round: u32,
    },
    /// a branch of plan `group` was lost: it counts as failed
    BranchFailed {
        group: u32,
        round: u32,
    },
    /// the connection client request `req` (of `generation`) waits for is open: it leaves over `edge`
    Connected {
        req: u32,
        generation: u32,
        edge: u32,
    },
    /// piece `pull` of a body (`body.rs`) reached the end of a hop
    Body {
        pull: u32,
    },
    /// server-sent message `id` (`push.rs`) reaches its caller
    Push {
        id: u32,
    },
}

/// A queued event; `key` packs `(time << 64) | sequence` so one integer comparison orders it.
#[derive(Clone, Copy, Debug)]
struct Event {
    key: u128,
    ev: Ev,
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
    /// the request slab (slots, the cold and spill side tables, their free lists)
    pub requests: usize,
    /// the event queue
    pub events: usize,
    /// the clients' deadline queues
    pub deadlines: usize,
    /// queued requests: a server's `Job` (24 bytes) or another node's `u32` index per queued request; a
    /// broker's messages (48 bytes each)
    pub queues: usize,
    /// the request trees recorded for a waterfall (`Sim::keep_requests`): those being recorded and those kept
    pub exemplars: usize,
}

impl MemoryUse {
    /// The sum.
    pub fn total(&self) -> usize {
        self.requests + self.events + self.deadlines + self.queues + self.exemplars
    }
}

/// Builds `topology`, runs it to the end and reports: the headless path, and what the native-versus-wasm
/// digest check runs on both sides.
pub fn run(topology: &Topology) -> Result<Report, BuildError> {
    let mut sim = Sim::new(topology)?;
    sim.run_to_end();
    Ok(sim.report())
}

/// Sequence numbers of ordinary events start here; below it, a fault's event carries its index in the fault
/// list, so a fault is applied before every other event at its instant, and a fault injected while running
/// orders exactly as the same fault planned in the diagram.
const FIRST_SEQ: u64 = 1 << 32;

/// The event queue and the clock.
struct Queue {
    now: SimTime,
    /// the next ordinary event's sequence number (from `FIRST_SEQ`)
    seq: u64,
    /// when the last event processed happened (so an injected fault lands after every event already run)
    last: Option<SimTime>,
    pending: queue::Pending,
    /// events processed so far
    events: u64,
}

/// One edge at run time: its link, and the caller's policy for calls over it.
struct EdgeRt {
    from: u32,
    to: u32,
    latency: Dist,
    /// the latency when it is a constant (what `latency.sample(_, 1.0)` gives, without the arithmetic)
    fixed: Option<SimTime>,
    loss: f64,
    cut: bool,
    /// the caller's timeout, retries and breaker for calls over this edge
    policy: Option<Box<PolicyRt>>,
}

impl EdgeRt {
    /// One message's time on the link (a sample of its latency).
    #[inline]
    fn delay(&self, rng: &mut SimRng) -> SimTime {
        match self.fixed {
            Some(t) => t,
            None => self.latency.sample(rng, 1.0),
        }
    }
}

/// The diagram as the engine walks it: node ids, kinds and liveness, edges and each node's outgoing ports.
struct Graph {
    ids: Vec<String>,
    index: BTreeMap<String, u32>,
    kinds: Vec<Kind>,
    alive: Vec<bool>,
    edges: Vec<EdgeRt>,
    edge_index: BTreeMap<String, u32>,
    /// outgoing edges of node n: `out_edges[out_start[n]..out_start[n + 1]]`, in topology order
    out_start: Vec<u32>,
    out_edges: Vec<u32>,
}

impl Graph {
    /// Node `n`'s outgoing edges, in port order.
    fn ports(&self, n: usize) -> &[u32] {
        &self.out_edges[self.out_start[n] as usize..self.out_start[n + 1] as usize]
    }
}

/// What the run measures: per-node statistics, end-to-end and per-client counts, the series and the trace.
struct Meters {
    stats: Vec<NodeStats>,
    e2e: EndToEnd,
    /// per client node: the end-to-end counts of its own measured requests (`in_flight` filled in by the
    /// report)
    by_client: Vec<Requests>,
    series: Series,
    series_interval: SimTime,
    window: Window,
    trace: Trace,
}

/// The calls over edges with a policy, by index (free slots reused).
#[derive(Default)]
struct Calls {
    list: Vec<Call>,
    free: Vec<u32>,
}

/// The data's committed versions: a database (or an event store: a stream feeding a projection) stamps each
/// successful answer with its key's version, and cache hits (a projection's reads) older than it are stale.
/// Kept only when the diagram has a cache or a projection (so others pay nothing).
struct Versions {
    track: bool,
    /// committed writes per key, over all databases
    by_key: BTreeMap<u64, u64>,
}

/// A client's pending deadlines, in sending order (its timeout is fixed, so also in deadline order): each
/// request's slab index and generation (its deadline is in its slot while the generation matches).
#[derive(Default)]
struct Deadlines {
    q: VecDeque<(u32, u32)>,
    armed: bool,
}

/// A running simulation of one topology.
pub struct Sim {
    queue: Queue,
    graph: Graph,
    nodes: Vec<NodeRt>,
    reqs: Slab,
    next_id: u64,
    rng: SimRng,
    seed: u64,
    /// actions pushed by the verb running now
    actions: Vec<Action>,
    meters: Meters,
    calls: Calls,
    /// parallel plans in progress, and each node's plan
    groups: plans::Groups,
    /// request trees recorded for their waterfall (off unless asked for)
    exemplars: exemplars::Exemplars,
    versions: Versions,
    /// per node: a client's pending deadlines
    deadlines: Vec<Deadlines>,
    /// requests whose client still waits (measured or not)
    outstanding: u64,
    traffic_end: SimTime,
    drain_end: SimTime,
    hop_limit: u8,
    finished: bool,
    faults: Vec<FaultOp>,
    /// traffic spikes in force: (index of the spike in `faults`, rate factor)
    spikes: Vec<(u32, f64)>,
    /// nodes that may hold work after the traffic (brokers): a run is not over while one does
    holders: Vec<u32>,
    /// the network partitions in force and what they cut
    partitions: faults::Partitions,
    /// links' bandwidths and bytes (only in a diagram with a bandwidth)
    wire: Option<Box<wire::Wire>>,
    /// bodies pulled, redirects followed, bodies kept (`body.rs`; empty unless a node uses them)
    bodies: body::Bodies,
    /// server-sent messages on their way (only a kind that pushes sends any)
    pushes: push::Pushes,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("now", &self.queue.now)
            .field("events", &self.queue.events)
            .finish_non_exhaustive()
    }
}

/// The context a component verb gets: the time, the generator, the action buffer and whether counts are
/// taken now. A macro, so the borrow of `nodes` beside it stays disjoint.
macro_rules! ctx {
    ($sim:expr) => {
        $crate::components::Ctx {
            now: $sim.queue.now,
            rng: &mut $sim.rng,
            out: &mut $sim.actions,
            counting: $sim.meters.window.contains($sim.queue.now),
        }
    };
}
use ctx;

impl Sim {
    // ---------------------------------------------------------------- public stepping API

    /// Processes events with time ≤ `until`, at most `event_budget` of them, then stops. When the queue holds
    /// nothing more before `until` the clock moves to `until`.
    pub fn run_until(&mut self, until: SimTime, event_budget: u64) -> RunProgress {
        let mut processed = 0u64;
        let mut budget_exhausted = false;
        // An event at or before `fast` (the target and the drain limit) that is before the traffic's end, or
        // comes while requests are outstanding, cannot end the run: it runs without the checks below.
        let fast = until.min(self.drain_end);
        let traffic_end = self.traffic_end;
        while !self.finished {
            let key = self.queue.pending.next_key();
            // Nothing queued: `u128::MAX`, whose time is `SimTime::MAX`.
            let next = SimTime((key >> 64) as u64);
            if next <= fast
                && (next <= traffic_end || self.outstanding != 0)
                && processed < event_budget
            {
                let ev = self.queue.pending.pop_next(key);
                self.step(ev);
                processed += 1;
                continue;
            }
            let now = self.queue.now;
            // Over when the traffic has ended and nothing is in flight, or when the drain limit passes.
            let end = if self.outstanding == 0 && next > self.traffic_end && self.backlog() == 0 {
                Some(self.traffic_end.max(now))
            } else if next > self.drain_end {
                Some(self.drain_end.max(now))
            } else {
                None
            };
            if let Some(end) = end {
                if end <= until {
                    self.queue.now = end;
                    self.finished = true;
                } else {
                    self.queue.now = now.max(until);
                }
                break;
            }
            if next > until {
                self.queue.now = now.max(until);
                break;
            }
            if processed >= event_budget {
                budget_exhausted = true;
                break;
            }
            if key == u128::MAX {
                break;
            }
            let ev = self.queue.pending.pop_next(key);
            self.step(ev);
            processed += 1;
        }
        RunProgress {
            reached: self.queue.now,
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
        self.queue.now
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.queue.events
    }

    /// Messages and deliveries held by messaging nodes (0 for diagrams without one): the run goes on
    /// after the traffic until they are consumed, or the drain limit passes.
    pub fn backlog(&self) -> u64 {
        self.holders
            .iter()
            .map(|&i| self.nodes[i as usize].backlog())
            .sum()
    }

    /// Requests whose client still waits for them.
    pub fn outstanding(&self) -> u64 {
        self.outstanding
    }

    /// The hop-record buffer (read its counters).
    pub fn trace(&self) -> &Trace {
        &self.meters.trace
    }

    /// Takes every buffered hop record, oldest first.
    pub fn drain_trace(&mut self) -> impl Iterator<Item = HopRecord> + '_ {
        self.meters.trace.drain()
    }

    /// Takes every buffered circuit-breaker state change, oldest first.
    pub fn drain_breaker_changes(&mut self) -> impl Iterator<Item = BreakerChange> + '_ {
        self.meters.trace.drain_changes()
    }

    /// Each edge with a circuit breaker and the breaker's state now, in edge order (for the canvas).
    pub fn breaker_states(&self) -> Vec<(EdgeIdx, BreakerState)> {
        self.graph
            .edges
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
        self.graph.edge_index.get(name).map(|&i| EdgeIdx(i))
    }

    /// Node ids by engine index.
    pub fn node_ids(&self) -> &[String] {
        &self.graph.ids
    }

    /// The engine index of a node id.
    pub fn node_index(&self, id: &str) -> Option<NodeIdx> {
        self.graph.index.get(id).map(|&i| NodeIdx(i))
    }

    /// A node's live state.
    pub fn gauge(&self, node: NodeIdx) -> NodeGauge {
        let st = &self.meters.stats[node.ix()];
        NodeGauge {
            alive: self.graph.alive[node.ix()],
            busy: st.busy,
            workers: st.workers,
            queue: st.queue,
            in_node: st.in_node,
        }
    }

    /// Applies a fault now and returns the time it is applied at: the clock, or one nanosecond later when an
    /// event at the clock's instant has already run — so planning the same fault at that time in the diagram
    /// replays the run exactly (a fault goes before every other event of its instant).
    pub fn inject(&mut self, action: &FaultAction) -> Result<SimTime, FaultError> {
        let now = self.queue.now;
        let at = if self.queue.last == Some(now) {
            now.add(SimTime(1))
        } else {
            now
        };
        self.schedule_fault(at, action)?;
        Ok(at)
    }

    /// Schedules a fault at `at` (not before the clock).
    pub fn schedule_fault(&mut self, at: SimTime, action: &FaultAction) -> Result<(), FaultError> {
        let now = self.queue.now;
        if at < now {
            return Err(FaultError::InThePast { at, now });
        }
        let op = resolve_fault(&self.graph.index, &self.graph.edge_index, action)
            .map_err(FaultError::Invalid)?;
        self.plan_fault(at, op);
        Ok(())
    }

    /// Queues fault `op` at `at`, keyed by its index so it goes before the instant's other events.
    fn plan_fault(&mut self, at: SimTime, op: FaultOp) {
        let index = self.faults.len() as u32;
        self.faults.push(op);
        let key = (u128::from(at.0) << 64) | u128::from(index);
        // The heap, always: its sequence is below those of events already due now.
        self.queue.pending.push(
            Event {
                key,
                ev: Ev::Fault { index },
            },
            false,
        );
    }

    /// Bytes held by the main structures.
    pub fn memory(&self) -> MemoryUse {
        MemoryUse {
            requests: self.reqs.bytes() + self.bodies.bytes(),
            events: self.queue.pending.bytes(),
            deadlines: self
                .deadlines
                .iter()
                .map(|d| d.q.capacity() * std::mem::size_of::<(u32, u32)>())
                .sum(),
            queues: self.nodes.iter().map(NodeRt::queued_bytes).sum::<usize>()
                + self.pushes.bytes(),
            exemplars: self.exemplars.bytes(),
        }
    }

    /// Requests held in the slab (in flight anywhere, including ones their client gave up on).
    pub fn requests_held(&self) -> u32 {
        self.reqs.live()
    }

    // ---------------------------------------------------------------- event loop

    #[inline]
    fn schedule(&mut self, at: SimTime, ev: Ev) {
        let q = &mut self.queue;
        let key = (u128::from(at.0) << 64) | u128::from(q.seq);
        q.seq += 1;
        q.pending.push(Event { key, ev }, at == q.now);
    }

    fn step(&mut self, e: Event) {
        self.queue.now = SimTime((e.key >> 64) as u64);
        self.queue.last = Some(self.queue.now);
        self.queue.events += 1;
        match e.ev {
            Ev::ClientFire { node, epoch } => self.on_client_fire(node, epoch),
            Ev::Arrive { req, node } => self.on_arrive(req, node),
            Ev::RespArrive { req } => self.on_resp_arrive(req),
            Ev::ServiceDone { node, slot, token } => {
                self.touch(node);
                let mut ctx = ctx!(self);
                self.nodes[node as usize].on_timer(&mut ctx, slot, token);
                self.run_actions(node);
                self.set_levels(node);
            }
            Ev::ClientTimer { node } => self.on_client_timer(node),
            Ev::HealthCheck { node } => self.on_health_check(node),
            Ev::Tick => self.on_tick(),
            Ev::Fault { index } => self.apply_fault(index, self.faults[index as usize].clone()),
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
                    self.finish_call(call, crate::request::Outcome::Error);
                }
            }
            Ev::AttemptFailed { call, round } => {
                if self.call_is(call, round) {
                    self.after_failure(call, crate::request::Outcome::Error);
                }
            }
            Ev::Hedge {
                call,
                round,
                attempt,
            } => self.on_hedge(call, round, attempt),
            Ev::PlanDeadline { group, round } => self.on_plan_deadline(group, round),
            Ev::BranchFailed { group, round } => {
                self.branch_answered(group, round, crate::request::Outcome::Error, 0, 0, false)
            }
            Ev::Connected {
                req,
                generation,
                edge,
            } => self.on_connected(req, generation, edge),
            Ev::Body { pull } => self.body_hop(pull),
            Ev::Push { id } => self.on_push(id),
        }
    }

    /// Integrates node `node`'s levels up to now (before they change).
    #[inline]
    fn touch(&mut self, node: u32) {
        self.meters.stats[node as usize].advance(self.queue.now, &self.meters.window);
    }

    /// Copies node `node`'s workers taken and queue length into its statistics.
    #[inline]
    fn set_levels(&mut self, node: u32) {
        if let Some(l) = self.nodes[node as usize].levels() {
            let st = &mut self.meters.stats[node as usize];
            st.busy = l.busy;
            st.queue = l.queue;
        }
    }
}
