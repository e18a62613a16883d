//! The simulation running in the page. The `Sim` lives outside the render cycle in a [`Live`] cell that the
//! animation-frame loop advances (pacing from `core::playback`), draws the traffic canvas from, and
//! summarises a few times a second into an immutable [`Snap`] that views render. Commands ([`Cmd`]) come
//! from the controls and the inspector; diagram edits restart the run with the same seed and replay the
//! faults applied so far, so what is on screen is always reproducible.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use playground_core::animation::{DEFAULT_MAX_DOTS, Dot, Flights};
use playground_core::editor::geometry::{self, NODE_H, NODE_W, Point, Viewport};
use playground_core::editor::recovery;
use playground_core::explain::{Faults, Finding, History, Recent, explain_run};
use playground_core::limits::{self, MAX_RUN_MEMORY};
use playground_core::marks::{Mechanisms, RejectBadge, card_figure, reject_badges};
use playground_core::playback::Pacer;
use playground_core::resilience::BreakerState;
use playground_core::sim::{changed_params, live_params};
use playground_core::waterfall::RequestTree;
use playground_core::{
    FaultAction, HopClass, HopOutcome, NodeGauge, Report, Severity, Sim, SimTime, Topology,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

/// The frame callback handed to `requestAnimationFrame` (one, reused every frame).
type FrameFn = Closure<dyn FnMut(f64)>;

/// Wall time between two summaries while running [ms]: each re-renders the badges, edges and panels, which
/// costs a frame or so on a 100-node diagram, so a few per second.
const PUBLISH_MS: f64 = 400.0;

/// Where the run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// no simulation built
    Idle,
    /// advancing every frame
    Running,
    /// built, not advancing
    Paused,
    /// the run reached its end
    Finished,
}

impl Status {
    /// The word tests and styles read (`data-status`).
    pub fn word(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Finished => "finished",
        }
    }
}

/// A node's live badge. Its utilisation and "saturated" come from the same recent window as the "why"
/// findings (`explain::Recent`), so a red card is the node the panel names.
#[derive(Clone, Debug, PartialEq)]
pub struct Badge {
    /// share of worker time taken over the recent window [0..1], to 5 % (0 for kinds without workers)
    pub util: f64,
    /// waiting requests
    pub queue: u32,
    /// errors and drops counted at the node so far
    pub errors: u64,
    /// killed
    pub dead: bool,
    /// cannot keep up over the recent window (`explain::NodeRecent::saturated`)
    pub saturated: bool,
    /// the kind has workers (else no utilisation ring)
    pub has_workers: bool,
    /// requests it rate-limited, blocked, shed or refused at a bulkhead, the non-zero ones
    pub rejects: Rc<Vec<RejectBadge>>,
    /// its kind's one figure (a cache's hit ratio, a client's success share): key, text, tooltip
    pub figure: Option<(&'static str, String, String)>,
    /// an autoscaled server's instances: ready, booting
    pub fleet: Option<(u32, u32)>,
}

/// What the views render of the run: replaced as a whole (a new `Rc`) on each summary.
#[derive(Clone, Debug)]
pub struct Snap {
    /// changes with every summary (views compare it)
    pub serial: u64,
    /// where the run is
    pub status: Status,
    /// why Run is refused ("Fix 2 problems before running"), or a fault that could not be applied
    pub problem: Option<String>,
    /// the simulation clock
    pub now: SimTime,
    /// the report so far (the final one once finished)
    pub report: Option<Rc<Report>>,
    /// the "why" findings for the report
    pub findings: Rc<Vec<Finding>>,
    /// the recent window the badges, the node figures and the findings share
    pub recent: Rc<Recent>,
    /// per node id
    pub badges: Rc<BTreeMap<String, Badge>>,
    /// per edge name: share of the busiest edge's messages since the last summary [0..1]
    pub edge_load: Rc<BTreeMap<String, f64>>,
    /// per edge name with a bandwidth: the share of it the messages sent since the last summary take, to the
    /// nearest 5 % (above 1: more offered than the link can send)
    pub link_util: Rc<BTreeMap<String, f64>>,
    /// per edge name with a circuit breaker: its state now
    pub breakers: Rc<BTreeMap<String, BreakerState>>,
    /// the resilience and security mechanisms the diagram uses (what the legend and metrics list)
    pub mechanisms: Mechanisms,
    /// chosen speed [× real time]
    pub speed: f64,
    /// speed achieved over the last second, when slower than chosen [× real time]
    pub achieved: Option<f64>,
    /// share of requests drawn on the traffic layer [0..1]
    pub shown_fraction: f64,
    /// dots drawn in the last frame
    pub dots: usize,
    /// of which per traffic class, in `CLASS_SHAPES` order
    pub dots_by_class: [usize; 3],
    /// wall time the last frames spent simulating and drawing, smoothed [ms]
    pub work_ms: f64,
    /// wall time the previous summary took to compute (report, findings, badges) [ms]
    pub summary_ms: f64,
    /// seed of the run (the diagram's unless overridden)
    pub seed: u64,
    /// traffic duration of the run [s]
    pub duration_s: f64,
    /// faults applied by hand, replayed on restart
    pub faults: Rc<Vec<(SimTime, FaultAction)>>,
    /// the diagram changed and the run restarted (cleared by the next command)
    pub restarted: bool,
    /// an edit was applied to the running simulation: what and when (cleared by the next command)
    pub live_note: Option<String>,
    /// an edit needs a restart from time zero: why; the run is paused until Restart or Undo
    pub pending: Option<String>,
    /// the requests the engine kept for their waterfall (each interval's slowest and a sample), by end time
    pub requests: Rc<Vec<Arc<RequestTree>>>,
    /// the engine's node ids, by index (what a waterfall's spans name)
    pub node_ids: Rc<Vec<String>>,
    /// the network partitions in force and what they cut (empty without one)
    pub partition: Rc<PartitionShown>,
}

/// The partitions in force as the canvas draws them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartitionShown {
    /// their names, in the order they were applied
    pub names: Vec<String>,
    /// nodes inside a boundary (every part of them)
    pub inside: Vec<String>,
    /// nodes split by a boundary (a replicated store with replicas on both sides)
    pub split: Vec<String>,
    /// edges a partition cuts, by name
    pub cut: Vec<String>,
}

impl PartialEq for Snap {
    fn eq(&self, other: &Self) -> bool {
        self.serial == other.serial
    }
}

impl Default for Snap {
    fn default() -> Snap {
        Snap {
            serial: 0,
            status: Status::Idle,
            problem: None,
            now: SimTime::ZERO,
            report: None,
            findings: Rc::default(),
            recent: Rc::default(),
            badges: Rc::default(),
            edge_load: Rc::default(),
            link_util: Rc::default(),
            breakers: Rc::default(),
            mechanisms: Mechanisms::default(),
            speed: 1.0,
            achieved: None,
            shown_fraction: 1.0,
            dots: 0,
            dots_by_class: [0; 3],
            work_ms: 0.0,
            summary_ms: 0.0,
            seed: 1,
            duration_s: 60.0,
            faults: Rc::default(),
            restarted: false,
            live_note: None,
            pending: None,
            requests: Rc::default(),
            node_ids: Rc::default(),
            partition: Rc::default(),
        }
    }
}

/// A command from a control.
#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    /// start or resume (from the start after the end)
    Run,
    /// stop advancing
    Pause,
    /// advance one frame's worth of simulated time at the chosen speed, then pause
    Step,
    /// drop the run and the recorded faults
    Reset,
    /// chosen speed [× real time]
    Speed(f64),
    /// seed (restarts a built run)
    Seed(u64),
    /// traffic duration [s] (restarts a built run)
    Duration(f64),
    /// apply a fault now and record it
    Fault(FaultAction),
    /// rebuild from time zero with the diagram as it is (after an edit that cannot apply live)
    Restart,
}

/// The run as views see it: the last summary and a way to send commands.
#[derive(Clone)]
pub struct RunCtx {
    /// the last summary
    pub snap: Rc<Snap>,
    /// send a command
    pub cmd: Callback<Cmd>,
}

impl PartialEq for RunCtx {
    fn eq(&self, other: &Self) -> bool {
        self.snap == other.snap
    }
}

/// Dot colours by outcome (the legend and the cards' rejection badges use the same values). The last three
/// are the guards' answers; the legend lists them when the diagram has the guard or the run met one.
pub const OUTCOME_COLOURS: [(HopOutcome, &str, &str); 10] = [
    (HopOutcome::Request, "#4f6bed", "request"),
    (HopOutcome::Ok, "#12a150", "success"),
    (HopOutcome::CacheHit, "#06aed4", "cache hit"),
    (HopOutcome::Error, "#d92d20", "error"),
    (HopOutcome::TimedOut, "#9e77ed", "timeout"),
    (HopOutcome::Rejected, "#dc8a00", "rejected"),
    (HopOutcome::Lost, "#667085", "lost"),
    (HopOutcome::RateLimited, "#ee46bc", "rate limited (429)"),
    (HopOutcome::Shed, "#a39b0b", "shed"),
    (HopOutcome::Blocked, "#9c5a28", "blocked (403)"),
];

/// The colour of an outcome's dots.
pub fn outcome_colour(outcome: HopOutcome) -> &'static str {
    OUTCOME_COLOURS
        .iter()
        .find(|(o, _, _)| *o == outcome)
        .map_or("#667085", |(_, c, _)| c)
}

/// The colour of a card's rejection badge, by its `RejectBadge::key`: the dots' colour for the same answer.
pub fn reject_colour(key: &str) -> &'static str {
    outcome_colour(match key {
        "rate_limited" => HopOutcome::RateLimited,
        "blocked" => HopOutcome::Blocked,
        "shed" => HopOutcome::Shed,
        _ => HopOutcome::Rejected,
    })
}

/// Dot shapes by traffic class (the legend draws the same): a client's request is a filled square, a DNS
/// lookup a hollow square, a node's own request (a cache flush, an asynchronous message) a diamond.
pub const CLASS_SHAPES: [(HopClass, &str, &str); 3] = [
    (HopClass::Client, "square", "client request"),
    (HopClass::Lookup, "hollow", "DNS lookup"),
    (HopClass::Internal, "diamond", "async / internal"),
];

/// The diagram without what the simulation ignores (name, labels, positions): equal keys, equal runs.
/// A server's fixed fleet, when it has more than one instance and no autoscaling.
fn fixed_fleet(doc: &Topology, id: &str) -> Option<u32> {
    let n = doc.node(id)?;
    if n.kind != "server" || !n.params.contains_key("instances") {
        return None;
    }
    match playground_core::parse_params(playground_core::Kind::Server, &n.params).ok()? {
        playground_core::Params::Server(p) if p.autoscale.is_none() && p.instances > 1 => {
            Some(p.instances)
        }
        _ => None,
    }
}

fn sim_key(doc: &Topology) -> Topology {
    let mut t = doc.clone();
    t.name.clear();
    for n in &mut t.nodes {
        n.label.clear();
        n.position = Default::default();
    }
    t
}

/// The running simulation and everything the frame loop needs; lives in an `Rc<RefCell<_>>` outside
/// rendering.
pub struct Live {
    doc: Rc<Topology>,
    key: Option<Topology>,
    sim: Option<Sim>,
    flights: Flights,
    pacer: Pacer,
    status: Status,
    faults: Vec<(SimTime, FaultAction)>,
    seed: Option<u64>,
    duration_s: Option<f64>,
    problem: Option<String>,
    restarted: bool,
    /// an edit applied live: what and when
    live_note: Option<String>,
    /// an edit waiting for a restart: why it cannot apply live
    pending: Option<String>,
    /// whether the run was going when the pending edit paused it
    resume: bool,
    serial: u64,
    last_publish_ms: f64,
    report: Option<Rc<Report>>,
    findings: Rc<Vec<Finding>>,
    recent: Rc<Recent>,
    /// the reports' counts as the run went, for the recent window
    history: History,
    /// the diagram is a gallery scenario (its planned faults are "the scenario's")
    scenario: bool,
    dots: Vec<Dot>,
    /// per engine node index: card position (world px)
    positions: Vec<Option<(f64, f64)>>,
    /// (from, to) engine indices → the wire's curve, name and messages (one map, not three: each map type
    /// costs its own copy of the B-tree's code in the Wasm)
    wires: Wires,
    /// engine edge index → edge name, for breaker states
    edge_by_index: Vec<Option<String>>,
    /// what the diagram uses, recomputed when it changes
    mechanisms: Mechanisms,
    /// each link's sending time so far and the clock, at the last summary (links with a bandwidth)
    offered: (Vec<u64>, SimTime),
    viewport: Viewport,
    /// the `<canvas data-layer="traffic">`
    pub canvas: NodeRef,
    /// a GIF recording the frame loop feeds (`gif`)
    pub gif: crate::gif::GifSlot,
    /// the last summary's badges (the GIF draws them)
    badges: Rc<BTreeMap<String, Badge>>,
    ctx2d: Option<web_sys::CanvasRenderingContext2d>,
    frame: Option<Rc<FrameFn>>,
    frame_pending: bool,
    /// smoothed wall cost of a frame's simulating and drawing [ms]
    work_ms: f64,
    /// of which drawing [ms]
    draw_ms: f64,
    /// the test-only panic on the first running frame (`editor::recovery::test_panic`)
    test_panic: bool,
    /// wall cost of the last summary (report, findings, badges) [ms]
    summary_ms: f64,
}

/// Milliseconds on the page's monotonic clock (`performance.now()`), for budgets within a frame.
pub(crate) fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl Live {
    /// No run yet, on `doc`.
    pub fn new(doc: Rc<Topology>) -> Live {
        let mechanisms = Mechanisms::of(&doc);
        Live {
            doc,
            key: None,
            sim: None,
            flights: Flights::new(DEFAULT_MAX_DOTS),
            pacer: Pacer::new(1.0),
            status: Status::Idle,
            faults: Vec::new(),
            seed: None,
            duration_s: None,
            problem: None,
            restarted: false,
            live_note: None,
            pending: None,
            resume: false,
            serial: 0,
            last_publish_ms: 0.0,
            report: None,
            findings: Rc::default(),
            recent: Rc::default(),
            history: History::new(),
            scenario: false,
            dots: Vec::new(),
            positions: Vec::new(),
            wires: Wires::new(),
            edge_by_index: Vec::new(),
            mechanisms,
            offered: (Vec::new(), SimTime::ZERO),
            viewport: Viewport::default(),
            canvas: NodeRef::default(),
            gif: crate::gif::GifSlot::default(),
            badges: Rc::default(),
            ctx2d: None,
            frame: None,
            frame_pending: false,
            work_ms: 0.0,
            draw_ms: 0.0,
            summary_ms: 0.0,
            test_panic: recovery::test_panic(
                &crate::session::current_search(),
                crate::state::local_storage()
                    .and_then(|s| s.get_item(recovery::TEST_PANIC_KEY).ok().flatten())
                    .as_deref(),
            ) == Some(recovery::TestPanic::Run),
        }
    }

    fn topology(&self) -> Topology {
        let mut t = (*self.doc).clone();
        if let Some(s) = self.seed {
            t.settings.seed = s;
        }
        if let Some(d) = self.duration_s {
            t.settings.duration_s = d;
        }
        t
    }

    /// Builds the simulation from the current diagram and replays the recorded faults.
    fn build(&mut self) -> bool {
        let topo = self.topology();
        self.flights.clear();
        clear_hops(&mut self.wires);
        self.offered = (Vec::new(), SimTime::ZERO);
        self.pacer.pause();
        self.report = None;
        self.findings = Rc::default();
        self.recent = Rc::default();
        self.history.clear();
        match Sim::new(&topo) {
            Ok(mut sim) => {
                // Whole request trees for the waterfall: recording changes no number of the run.
                sim.keep_requests(true);
                // A fault naming something deleted since no longer applies; the rest replay in order.
                self.faults
                    .retain(|(at, f)| sim.schedule_fault(*at, f).is_ok());
                self.sim = Some(sim);
                self.key = Some(sim_key(&self.doc));
                self.problem = None;
                self.pending = None;
                self.layout_indices();
                true
            }
            Err(e) => {
                let n = e
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count()
                    .max(1);
                self.problem = Some(format!(
                    "Fix {n} problem{} before running",
                    if n == 1 { "" } else { "s" }
                ));
                self.sim = None;
                self.key = None;
                self.status = Status::Idle;
                false
            }
        }
    }

    /// Recomputes where messages travel (card positions and edge curves by engine index).
    fn edge_name(&self, i: u32) -> Option<&String> {
        self.edge_by_index.get(i as usize).and_then(Option::as_ref)
    }

    fn layout_indices(&mut self) {
        self.positions.clear();
        // The messages counted since the last summary stay.
        for w in self.wires.values_mut() {
            (w.curve, w.name) = (None, None);
        }
        self.edge_by_index.clear();
        let Some(sim) = &self.sim else {
            return;
        };
        let doc = &self.doc;
        self.positions = sim
            .node_ids()
            .iter()
            .map(|id| doc.node(id).map(|n| (n.position.x, n.position.y)))
            .collect();
        for e in &doc.edges {
            let (Some(a), Some(b)) = (sim.node_index(&e.from), sim.node_index(&e.to)) else {
                continue;
            };
            let (Some(na), Some(nb)) = (doc.node(&e.from), doc.node(&e.to)) else {
                continue;
            };
            let c = geometry::edge_curve(na.position, nb.position);
            let forward = self.wires.entry((a.0, b.0)).or_default();
            forward.curve = Some((c, false));
            forward.name = Some(e.name());
            self.wires
                .entry((b.0, a.0))
                .or_default()
                .curve
                .get_or_insert((c, true));
            if let Some(i) = sim.edge_index(&e.name()) {
                let i = i.0 as usize;
                if self.edge_by_index.len() <= i {
                    self.edge_by_index.resize(i + 1, None);
                }
                self.edge_by_index[i] = Some(e.name());
            }
        }
    }

    /// The diagram or its view changed: restart when the simulation would differ, else just re-lay out.
    pub fn set_doc(&mut self, doc: Rc<Topology>, viewport: Viewport) -> bool {
        self.viewport = viewport;
        if Rc::ptr_eq(&doc, &self.doc) {
            self.draw();
            return false;
        }
        self.doc = doc;
        self.mechanisms = Mechanisms::of(&self.doc);
        let key = sim_key(&self.doc);
        let changed = self.key.as_ref().is_some_and(|k| *k != key);
        if self.sim.is_some() && changed {
            self.live_note = None;
            match self.retune(&key) {
                // Rates, speeds and capacities: applied at the clock, the run goes on.
                Ok(note) => {
                    self.key = Some(key);
                    self.pending = None;
                    self.live_note = Some(note);
                }
                // Anything else rebuilds from time zero: the run pauses and the page asks first.
                Err(why) => {
                    if self.pending.is_none() {
                        self.resume = self.status == Status::Running;
                    }
                    if self.status == Status::Running {
                        self.status = Status::Paused;
                        self.pacer.pause();
                    }
                    self.pending = Some(why);
                }
            }
            self.layout_indices();
        } else {
            if self.sim.is_some() && self.pending.take().is_some() {
                // Undone back to what is running: carry on.
                if self.resume {
                    self.status = Status::Running;
                    self.pacer.pause();
                }
            }
            self.layout_indices();
        }
        self.draw();
        true
    }

    /// Applies the edit from the diagram the run has (`self.key`) to `key` to the running simulation when
    /// every change is one it takes live (`Sim::retune`); returns what changed, or why it cannot.
    fn retune(&mut self, key: &Topology) -> Result<String, String> {
        let (Some(built), Some(sim)) = (&self.key, &mut self.sim) else {
            return Err("no run".into());
        };
        let same_shape = built.settings == key.settings
            && built.edges == key.edges
            && built.faults == key.faults
            && built.nodes.len() == key.nodes.len()
            && built
                .nodes
                .iter()
                .zip(&key.nodes)
                .all(|(a, b)| a.id == b.id && a.kind == b.kind);
        if !same_shape {
            return Err("a component, connection or setting changed".into());
        }
        let changed: Vec<(&playground_core::Node, &playground_core::Node)> = built
            .nodes
            .iter()
            .zip(&key.nodes)
            .filter(|(a, b)| a.params != b.params)
            .collect();
        // Every change must be live before any is applied, so a refusal leaves the run as it was.
        for (a, b) in &changed {
            let kind = playground_core::Kind::from_name(&b.kind)
                .ok_or_else(|| "an unknown kind changed".to_string())?;
            let live = live_params(kind);
            if let Some(k) = changed_params(a, b)
                .into_iter()
                .find(|k| !live.contains(&k.as_str()))
            {
                return Err(format!(
                    "`{k}` of {} takes effect only from the start",
                    b.id
                ));
            }
        }
        let mut words = Vec::new();
        for (a, b) in changed {
            sim.retune(a, b).map_err(|e| e.0)?;
            words.push(format!("{} {}", b.id, changed_params(a, b).join(", ")));
        }
        Ok(format!(
            "Applied live at {:.1} s: {}",
            sim.now().as_secs(),
            words.join("; ")
        ))
    }

    /// Applies a command; returns whether the frame loop should run.
    pub fn command(&mut self, cmd: Cmd) {
        self.restarted = false;
        if !matches!(cmd, Cmd::Speed(_)) {
            self.live_note = None;
        }
        // With an edit waiting, running means running the diagram as it is: from the start.
        let cmd = match cmd {
            Cmd::Run | Cmd::Step if self.pending.is_some() => Cmd::Restart,
            c => c,
        };
        match cmd {
            Cmd::Restart => {
                self.pending = None;
                if self.build() {
                    self.restarted = true;
                    self.status = Status::Running;
                }
            }
            Cmd::Run => {
                if matches!(self.status, Status::Running) {
                    return;
                }
                if (self.sim.is_none() || self.status == Status::Finished) && !self.build() {
                    return;
                }
                self.status = Status::Running;
                self.pacer.pause();
            }
            Cmd::Pause => {
                if self.status == Status::Running {
                    self.status = Status::Paused;
                    self.pacer.pause();
                }
            }
            Cmd::Step => {
                if (self.sim.is_none() || self.status == Status::Finished) && !self.build() {
                    return;
                }
                self.status = Status::Paused;
                self.pacer.pause();
                let span = self.pacer.step_span();
                let budget = self.pacer.budget();
                if let Some(sim) = &mut self.sim {
                    let target = SimTime(sim.now().0.saturating_add(span.0));
                    let (p, stop) = limits::run_guarded(sim, target, budget, MAX_RUN_MEMORY);
                    if p.finished {
                        self.status = Status::Finished;
                    }
                    if let Some(m) = stop {
                        self.stop_for_memory(&m);
                    }
                }
                self.ingest();
                self.draw();
            }
            Cmd::Reset => {
                self.pending = None;
                self.sim = None;
                self.key = None;
                self.status = Status::Idle;
                self.faults.clear();
                self.flights.clear();
                clear_hops(&mut self.wires);
                self.report = None;
                self.findings = Rc::default();
                self.recent = Rc::default();
                self.history.clear();
                self.problem = None;
                self.draw();
            }
            Cmd::Speed(s) => self.pacer.set_speed(s),
            Cmd::Seed(s) => {
                self.seed = Some(s);
                self.restart_if_built();
            }
            Cmd::Duration(d) => match limits::run_duration(d) {
                Ok(d) => {
                    self.duration_s = Some(d);
                    self.problem = None;
                    self.restart_if_built();
                }
                Err(m) => self.problem = Some(m),
            },
            Cmd::Fault(action) => {
                let Some(sim) = &mut self.sim else {
                    self.problem = Some("Start a run to apply a fault".into());
                    return;
                };
                match sim.inject(&action) {
                    Ok(at) => {
                        self.faults.push((at, action));
                        self.problem = None;
                    }
                    Err(e) => self.problem = Some(format!("Could not apply: {e}")),
                }
            }
        }
    }

    fn restart_if_built(&mut self) {
        if self.sim.is_some() {
            let was = self.status;
            if self.build() {
                self.status = if was == Status::Paused {
                    Status::Paused
                } else {
                    Status::Running
                };
            }
        }
    }

    /// Whether the diagram is a gallery scenario (the findings then name its planned faults "the scenario's").
    pub fn set_scenario(&mut self, scenario: bool) {
        self.scenario = scenario;
    }

    /// Whether the frame loop has work.
    pub fn running(&self) -> bool {
        self.status == Status::Running
    }

    /// Takes the engine's new hop records into the animation and the per-edge counts.
    fn ingest(&mut self) {
        let Some(sim) = &mut self.sim else {
            return;
        };
        let now = sim.now();
        let wires = &mut self.wires;
        let records = sim.drain_trace().inspect(|r| {
            if r.outcome == HopOutcome::Request {
                wires.entry((r.from.0, r.to.0)).or_default().hops += 1;
            }
        });
        self.flights.ingest(records, now);
    }

    /// One animation frame at wall time `wall_ms`; returns a summary when one is due.
    pub fn frame(&mut self, wall_ms: f64) -> Option<Snap> {
        self.frame_pending = false;
        if self.status != Status::Running {
            return None;
        }
        if self.test_panic {
            crate::panic::set_during(recovery::During::Run);
            panic!("a deliberate test panic while running (?test-panic=run)");
        }
        let sim = self.sim.as_mut()?;
        let before = sim.now();
        crate::panic::set_during(recovery::During::Run);
        let target = self.pacer.target(wall_ms, before);
        let t0 = now_ms();
        // The frame's budget of events, with the memory guard looking every 65 536 of them.
        let (p, stop) = limits::run_guarded(sim, target, self.pacer.budget(), MAX_RUN_MEMORY);
        let cost = now_ms() - t0;
        crate::panic::set_during(recovery::During::Other);
        if let Some(m) = stop {
            return Some(self.stop_for_memory(&m));
        }
        self.pacer
            .record(before, p.reached, p.events, p.budget_exhausted, cost);
        self.ingest();
        let t1 = now_ms();
        self.draw();
        let t2 = now_ms();
        self.work_ms = 0.9 * self.work_ms + 0.1 * (t2 - t0);
        self.draw_ms = 0.9 * self.draw_ms + 0.1 * (t2 - t1);
        if p.finished {
            self.status = Status::Finished;
        }
        self.record(wall_ms, p.finished);
        let due = p.finished || wall_ms - self.last_publish_ms >= PUBLISH_MS;
        due.then(|| {
            self.last_publish_ms = wall_ms;
            let t = now_ms();
            let mut snap = self.snap();
            self.summary_ms = now_ms() - t;
            snap.summary_ms = self.summary_ms;
            snap
        })
    }

    /// The memory guard: the run ends here with `why` shown (Run starts afresh, freeing what it held).
    fn stop_for_memory(&mut self, why: &limits::MemoryStop) -> Snap {
        self.status = Status::Finished;
        self.pacer.pause();
        self.problem = Some(why.short());
        self.ingest();
        self.draw();
        self.snap()
    }

    /// The partitions in force, by node id and edge name.
    fn partition_shown(&self) -> PartitionShown {
        let Some(sim) = &self.sim else {
            return PartitionShown::default();
        };
        let view = sim.partition_view();
        if view.names.is_empty() {
            return PartitionShown::default();
        }
        let mut shown = PartitionShown {
            names: view.names.clone(),
            ..PartitionShown::default()
        };
        for (id, sides) in sim.node_ids().iter().zip(&view.sides) {
            if sides.iter().all(|&s| s != 0) {
                shown.inside.push(id.clone());
            } else if sides.iter().any(|&s| s != sides[0]) {
                shown.split.push(id.clone());
            }
        }
        shown.cut = view
            .cut
            .iter()
            .filter_map(|e| self.edge_name(e.0).cloned())
            .collect();
        shown
    }

    /// The summary views render.
    pub fn snap(&mut self) -> Snap {
        self.serial += 1;
        let mut badges = BTreeMap::new();
        let mut edge_load = BTreeMap::new();
        let mut link_util = BTreeMap::new();
        let mut breakers = BTreeMap::new();
        let mut requests = Rc::default();
        let mut node_ids = Rc::default();
        if let Some(sim) = &self.sim {
            requests = Rc::new(sim.request_trees());
            node_ids = Rc::new(sim.node_ids().to_vec());
            let report = Rc::new(sim.report());
            // One recent window for the badges, the inspector's figures and the findings.
            self.history.record(&report);
            let recent = Rc::new(Recent::of(&report, Some(&self.history)));
            let faults = Faults::new(&self.topology(), &self.faults, report.end_s, self.scenario);
            // Findings cost a pass over the series; a few times a second is plenty.
            self.findings = Rc::new(explain_run(&self.doc, &report, &recent, &faults));
            for (i, id) in sim.node_ids().iter().enumerate() {
                let g: NodeGauge = sim.gauge(playground_core::NodeIdx(i as u32));
                let node = report.nodes.get(id);
                let errors = node.map_or(0, |n| n.errors + n.dropped);
                let rejects = Rc::new(node.map(reject_badges).unwrap_or_default());
                let r = recent.nodes.get(id);
                // Quantised to what the ring can show (5 %), so an unchanged badge does not re-render its card.
                let util = r.map_or(0.0, |r| (r.utilization * 20.0).round() / 20.0);
                badges.insert(
                    id.clone(),
                    Badge {
                        util,
                        queue: g.queue,
                        errors,
                        dead: !g.alive,
                        saturated: g.alive && r.is_some_and(|r| r.saturated),
                        has_workers: g.workers > 0,
                        rejects,
                        figure: node.and_then(|n| card_figure(n, r)),
                        fleet: node
                            .and_then(|n| n.detail.as_ref()?.fleet())
                            .map(|f| (f.instances, f.booting))
                            .or_else(|| fixed_fleet(&self.doc, id).map(|n| (n, 0))),
                    },
                );
            }
            self.recent = recent;
            for (i, state) in sim.breaker_states() {
                if let Some(name) = self.edge_name(i.0) {
                    breakers.insert(name.clone(), state);
                }
            }
            let max = self.wires.values().map(|w| w.hops).max().unwrap_or(0);
            if max > 0 {
                for w in self.wires.values() {
                    let (Some(name), n) = (&w.name, w.hops) else {
                        continue;
                    };
                    // Tenths: a thickness change smaller than that is not visible and would cost a repaint.
                    edge_load.insert(name.clone(), (n as f64 / max as f64 * 10.0).round() / 10.0);
                }
            }
            clear_hops(&mut self.wires);
            if let Some(now_sent) = sim.link_offered_ns() {
                let (before, at) = &self.offered;
                let span = sim.now().since(*at).0;
                if span > 0 {
                    for (i, &sent) in now_sent.iter().enumerate() {
                        let name = self.edge_name(i as u32);
                        let was = before.get(i).copied().unwrap_or(0);
                        if let Some(name) = name.filter(|_| sim.link_bandwidth(i) > 0.0) {
                            let u = sent.saturating_sub(was) as f64 / span as f64;
                            link_util.insert(name.clone(), (u * 20.0).round() / 20.0);
                        }
                    }
                    self.offered = (now_sent, sim.now());
                }
            }
            self.report = Some(report);
        }
        let partition = Rc::new(self.partition_shown());
        let topo_settings = self.topology().settings;
        let badges = Rc::new(badges);
        self.badges = Rc::clone(&badges);
        Snap {
            serial: self.serial,
            status: self.status,
            problem: self.problem.clone(),
            now: self.sim.as_ref().map_or(SimTime::ZERO, Sim::now),
            report: self.report.clone(),
            findings: Rc::clone(&self.findings),
            recent: Rc::clone(&self.recent),
            badges,
            edge_load: Rc::new(edge_load),
            link_util: Rc::new(link_util),
            breakers: Rc::new(breakers),
            partition,
            mechanisms: self.mechanisms,
            speed: self.pacer.speed(),
            achieved: self.pacer.behind().then(|| self.pacer.achieved()).flatten(),
            shown_fraction: self.flights.shown_fraction(),
            dots: self.dots.len(),
            dots_by_class: CLASS_SHAPES
                .map(|(class, _, _)| self.dots.iter().filter(|d| d.class == class).count()),
            work_ms: self.work_ms,
            summary_ms: self.summary_ms,
            seed: topo_settings.seed,
            duration_s: topo_settings.duration_s,
            faults: Rc::new(self.faults.clone()),
            restarted: self.restarted,
            live_note: self.live_note.clone(),
            pending: self.pending.clone(),
            requests,
            node_ids,
        }
    }

    /// Draws the dots in flight on the traffic canvas (cleared when there is no run).
    fn draw(&mut self) {
        let Some(canvas) = self.canvas.cast::<web_sys::HtmlCanvasElement>() else {
            return;
        };
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let (cw, ch) = (canvas.client_width().max(0), canvas.client_height().max(0));
        let (pw, ph) = (
            (f64::from(cw) * dpr).round() as u32,
            (f64::from(ch) * dpr).round() as u32,
        );
        if canvas.width() != pw || canvas.height() != ph {
            canvas.set_width(pw);
            canvas.set_height(ph);
        }
        if self.ctx2d.is_none() {
            self.ctx2d = canvas
                .get_context("2d")
                .ok()
                .flatten()
                .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
        }
        let Some(ctx) = &self.ctx2d else {
            return;
        };
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, f64::from(pw), f64::from(ph));
        let Some(sim) = &self.sim else {
            return;
        };
        let now = sim.now();
        self.flights.dots_at(now, &mut self.dots);
        let v = self.viewport;
        let _ = ctx.set_transform(
            dpr * v.zoom,
            0.0,
            0.0,
            dpr * v.zoom,
            dpr * v.pan.x,
            dpr * v.pan.y,
        );
        paint_dots(ctx, &self.dots, &self.positions, &self.wires);
    }

    /// Feeds the GIF recording, if one is under way, with this frame (it keeps one every 100 ms of wall time).
    fn record(&mut self, wall_ms: f64, finished: bool) {
        let Ok(mut slot) = self.gif.0.try_borrow_mut() else {
            return;
        };
        let Some(capture) = slot.as_mut().filter(|c| !c.done()) else {
            return;
        };
        let strip = self
            .report
            .as_deref()
            .map(|r| {
                crate::live::strip_line(r, self.sim.as_ref().map_or(0.0, |s| s.now().as_secs()))
            })
            .unwrap_or_default();
        capture.frame(
            wall_ms,
            &crate::gif::Scene {
                doc: &self.doc,
                dots: &self.dots,
                positions: &self.positions,
                wires: &self.wires,
                badges: &self.badges,
                strip,
            },
        );
        if finished {
            capture.end();
        }
    }
}

/// What the page knows of one (from, to) pair of engine node indices.
#[derive(Default)]
pub struct Wire {
    /// the edge's curve, and whether messages from `from` to `to` run it backwards (both directions)
    curve: Option<([Point; 4], bool)>,
    /// the edge's name, for its load (its own direction only)
    name: Option<String>,
    /// messages since the last summary
    hops: u64,
}

/// The wires by (from, to) engine node indices.
pub type Wires = BTreeMap<(u32, u32), Wire>;

/// Forgets the messages counted since the last summary.
fn clear_hops(wires: &mut Wires) {
    for w in wires.values_mut() {
        w.hops = 0;
    }
}

/// The world-to-canvas transform is set: draws the dots (colour by outcome, shape by traffic class) at their
/// places on their wires. The page's traffic layer and the GIF recorder draw with it.
pub fn paint_dots(
    ctx: &web_sys::CanvasRenderingContext2d,
    dots: &[Dot],
    positions: &[Option<(f64, f64)>],
    wires: &Wires,
) {
    let r = 3.5;
    ctx.set_line_width(1.6);
    for (outcome, colour, _) in OUTCOME_COLOURS {
        ctx.set_fill_style_str(colour);
        ctx.set_stroke_style_str(colour);
        for (class, _, _) in CLASS_SHAPES {
            ctx.begin_path();
            let mut any = false;
            for d in dots
                .iter()
                .filter(|d| d.outcome == outcome && d.class == class)
            {
                let at = if d.from == d.to {
                    // A client's timeout: a marker on its card.
                    positions
                        .get(d.from.0 as usize)
                        .copied()
                        .flatten()
                        .map(|(x, y)| Point::new(x + NODE_W - 14.0, y + NODE_H - 10.0))
                } else {
                    wires
                        .get(&(d.from.0, d.to.0))
                        .and_then(|w| w.curve.as_ref())
                        .map(|(c, back)| {
                            let t = if *back { 1.0 - d.progress } else { d.progress };
                            geometry::bezier_at(c, t)
                        })
                };
                let Some(p) = at else {
                    continue;
                };
                // Squares, not arcs: a software rasteriser fills 2,000 of them far faster.
                match class {
                    HopClass::Internal => {
                        let q = r * 1.3;
                        ctx.move_to(p.x, p.y - q);
                        ctx.line_to(p.x + q, p.y);
                        ctx.line_to(p.x, p.y + q);
                        ctx.line_to(p.x - q, p.y);
                        ctx.close_path();
                    }
                    _ => ctx.rect(p.x - r, p.y - r, 2.0 * r, 2.0 * r),
                }
                any = true;
            }
            if any {
                if class == HopClass::Lookup {
                    ctx.stroke();
                } else {
                    ctx.fill();
                }
            }
        }
    }
}

/// Creates the run state for `doc` and the frame loop that advances it, publishing summaries with `set`.
pub fn start_loop(live: &Rc<RefCell<Live>>, set: UseStateSetter<Rc<Snap>>) {
    let weak = Rc::downgrade(live);
    let frame = Closure::<dyn FnMut(f64)>::new(move |ts: f64| {
        let Some(live) = weak.upgrade() else {
            return;
        };
        let snap = match live.try_borrow_mut() {
            Ok(mut l) => l.frame(ts),
            Err(_) => None,
        };
        request_frame(&live);
        if let Some(s) = snap {
            set.set(Rc::new(s));
        }
    });
    if let Ok(mut l) = live.try_borrow_mut() {
        l.frame = Some(Rc::new(frame));
    }
}

/// Asks for the next animation frame when running and none is pending.
pub fn request_frame(live: &Rc<RefCell<Live>>) {
    let Ok(mut l) = live.try_borrow_mut() else {
        return;
    };
    if !l.running() || l.frame_pending {
        return;
    }
    let Some(f) = l.frame.clone() else {
        return;
    };
    if let Some(w) = web_sys::window()
        && w.request_animation_frame(f.as_ref().as_ref().unchecked_ref())
            .is_ok()
    {
        l.frame_pending = true;
    }
}
