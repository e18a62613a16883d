//! Validation: a topology in, diagnostics out, each naming the node, edge, fault or setting it concerns. A
//! half-built diagram is normal: what cannot run is an error, what runs but is probably not meant is a
//! warning. When there are no errors, validation also yields the resolved model the engine is built from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Port};
use crate::components::node::NodeRt;
use crate::components::{Kind, Params, parse_params};
use crate::dist::Dist;
use crate::limits::{self, Limit};
use crate::resilience::{BreakerParams, HedgePolicy, RetryPolicy};
use crate::time::SimTime;
use crate::topology::{FORMAT_VERSION, FaultAction, LinkDefaults, Topology};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// the diagram cannot run until this is fixed
    Error,
    /// it runs, but probably not as meant
    Warning,
}

/// What a diagnostic is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// the document as a whole
    Topology,
    /// `settings`
    Settings,
    /// a node, by id
    Node(String),
    /// an edge, by id (or `from->to`)
    Edge(String),
    /// a scheduled fault, by position in `faults`
    Fault(u32),
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// error or warning
    pub severity: Severity,
    /// the node, edge, fault or setting concerned
    pub subject: Subject,
    /// the field concerned, dotted for nested fields (`params.service_time.mean_ms`), if one is
    pub field: Option<String>,
    /// what is wrong, in lowercase prose naming the subject
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: {}", self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field `{field}`)")?;
        }
        Ok(())
    }
}

/// A resolved node.
#[derive(Clone, Debug)]
pub(crate) struct ModelNode {
    pub id: String,
    pub kind: Kind,
    /// its region (`""` when none)
    pub region: String,
    pub params: Params,
}

/// A resolved edge.
#[derive(Clone, Debug)]
pub(crate) struct ModelEdge {
    pub from: u32,
    pub to: u32,
    pub latency: Dist,
    pub loss: f64,
    /// the link's bandwidth each way [Mbit/s]; 0 = unlimited
    pub bandwidth_mbps: f64,
    pub weight: u32,
    /// the caller's policy for calls over this edge, when it has one
    pub policy: Option<CallPolicy>,
}

/// How a caller makes calls over one edge: a timeout per attempt, retries, a circuit breaker.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CallPolicy {
    pub timeout: Option<SimTime>,
    pub retry: Option<RetryPolicy>,
    pub breaker: Option<BreakerParams>,
    pub hedge: Option<HedgePolicy>,
}

/// A fault with its subject resolved to an index.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FaultOp {
    Kill(u32),
    Revive(u32),
    Slow(u32, f64),
    Cut(u32),
    Heal(u32),
    /// every client's rate × factor for the duration
    Spike {
        factor: f64,
        duration: SimTime,
    },
    /// the end of the spike that is fault number `.0` of the sim's list
    SpikeEnd(u32),
    /// a partition: its name, the nodes named inside its boundary and the region inside (`""`: none)
    Partition {
        name: String,
        nodes: Vec<u32>,
        region: String,
    },
    /// the partition of this name heals
    HealPartition(String),
}

/// What the engine is built from.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    pub nodes: Vec<ModelNode>,
    pub edges: Vec<ModelEdge>,
    pub node_index: BTreeMap<String, u32>,
    pub edge_index: BTreeMap<String, u32>,
    pub faults: Vec<(SimTime, FaultOp)>,
    /// every client's request path, interned (a request carries its index)
    pub paths: Vec<String>,
}

/// Every diagnostic for `t`, errors first, in a stable order.
pub fn validate(t: &Topology) -> Vec<Diagnostic> {
    compile(t).1
}

/// Whether any diagnostic is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.severity == Severity::Error)
}

struct Diags(Vec<Diagnostic>);

impl Diags {
    fn err(&mut self, subject: Subject, field: Option<String>, message: String) {
        self.0.push(Diagnostic {
            severity: Severity::Error,
            subject,
            field,
            message,
        });
    }
    fn warn(&mut self, subject: Subject, field: Option<String>, message: String) {
        self.0.push(Diagnostic {
            severity: Severity::Warning,
            subject,
            field,
            message,
        });
    }
}

fn article(kind: Kind) -> String {
    kind.info().title.to_lowercase()
}

/// Validates and, when there is no error, resolves.
pub(crate) fn compile(t: &Topology) -> (Option<Model>, Vec<Diagnostic>) {
    let mut d = Diags(Vec::new());
    if t.version != FORMAT_VERSION {
        d.err(
            Subject::Topology,
            Some("version".into()),
            format!(
                "format version {} is not supported (this build reads version {FORMAT_VERSION})",
                t.version
            ),
        );
    }
    // A diagram past the size caps is refused whole, before any per-node work (`docs/limits.md`).
    if let Some(m) = limits::check_counts(t.nodes.len(), t.edges.len(), t.faults.len()) {
        d.err(
            Subject::Topology,
            None,
            format!("this diagram is too large: {m}"),
        );
        return (None, d.0);
    }
    check_settings(t, &mut d);

    // Nodes.
    let mut node_index = BTreeMap::new();
    let mut nodes: Vec<Option<ModelNode>> = Vec::new();
    for (i, n) in t.nodes.iter().enumerate() {
        let subject = Subject::Node(n.id.clone());
        if n.id.is_empty() {
            d.err(
                Subject::Node(format!("#{i}")),
                Some("id".into()),
                format!("node #{i} has an empty id"),
            );
        } else if node_index.contains_key(&n.id) {
            d.err(
                subject.clone(),
                Some("id".into()),
                format!("node id `{}` is used more than once", n.id),
            );
        }
        node_index.entry(n.id.clone()).or_insert(i as u32);
        let Some(kind) = Kind::from_name(&n.kind) else {
            d.err(
                subject,
                Some("kind".into()),
                format!("node `{}` has unknown kind `{}`", n.id, n.kind),
            );
            nodes.push(None);
            continue;
        };
        match parse_params(kind, &n.params) {
            Ok(params) => {
                for (field, msg) in params.problems() {
                    d.err(
                        subject.clone(),
                        Some(format!("params.{field}")),
                        format!("{} `{}`: {msg}", article(kind), n.id),
                    );
                }
                nodes.push(Some(ModelNode {
                    id: n.id.clone(),
                    kind,
                    region: n.region.clone(),
                    params,
                }));
            }
            Err(p) => {
                let field = if p.field.is_empty() {
                    "params".to_string()
                } else {
                    format!("params.{}", p.field)
                };
                d.err(
                    subject,
                    Some(field),
                    format!("{} `{}`: {}", article(kind), n.id, p.message),
                );
                nodes.push(None);
            }
        }
    }

    let slots: u64 = nodes
        .iter()
        .flatten()
        .map(|n| n.params.worker_slots())
        .sum();
    if slots > limits::MAX_TOTAL_WORKERS {
        d.err(
            Subject::Topology,
            None,
            format!(
                "the diagram's nodes have {} worker slots in all; the most a diagram may have is {} (workers, \
                 database workers × shards × (replicas + 1), queue consumers)",
                limits::show(slots as f64),
                limits::show(limits::MAX_TOTAL_WORKERS as f64)
            ),
        );
    }

    // Edges.
    let mut edge_index = BTreeMap::new();
    let mut edges = Vec::new();
    let mut out_degree = vec![0u32; t.nodes.len()];
    let mut in_degree = vec![0u32; t.nodes.len()];
    for (i, e) in t.edges.iter().enumerate() {
        let name = e.name();
        let subject = Subject::Edge(name.clone());
        if edge_index.insert(name.clone(), i as u32).is_some() {
            d.err(
                subject.clone(),
                Some("id".into()),
                format!("edge id `{name}` is used more than once"),
            );
        }
        let from = node_index.get(&e.from).copied();
        let to = node_index.get(&e.to).copied();
        if from.is_none() {
            d.err(
                subject.clone(),
                Some("from".into()),
                format!("edge `{name}` starts at unknown node `{}`", e.from),
            );
        }
        if to.is_none() {
            d.err(
                subject.clone(),
                Some("to".into()),
                format!("edge `{name}` ends at unknown node `{}`", e.to),
            );
        }
        // A node spanning regions (a replicated store) is reached at its part nearest the caller.
        let spans = |b: &crate::topology::Node| -> Option<String> {
            let m = nodes
                .get(node_index.get(&b.id).copied()? as usize)?
                .as_ref()?;
            let parts = NodeRt::regions(m.kind, &m.params, &m.region);
            let from = t.node(&e.from).map_or("", |a| a.region.as_str());
            let i = crate::regions::nearest(from, parts.iter().map(String::as_str))?;
            parts.get(i).cloned()
        };
        let (region_differs, table) = match (t.node(&e.from), t.node(&e.to)) {
            (Some(a), Some(b)) => {
                let to = spans(b).unwrap_or_else(|| b.region.clone());
                (a.region != to, crate::regions::link_latency(&a.region, &to))
            }
            _ => (false, None),
        };
        let base: &LinkDefaults = if region_differs {
            &t.settings.inter_region_link
        } else {
            &t.settings.link
        };
        // An edge's own latency wins; then the region table (two different known regions); then the settings.
        let latency = e
            .latency
            .clone()
            .or(table)
            .unwrap_or_else(|| base.latency.clone());
        for (f, m) in latency.problems() {
            d.err(
                subject.clone(),
                Some(format!("latency.{f}")),
                format!("edge `{name}`: latency {m}"),
            );
        }
        let loss = e.loss.unwrap_or(base.loss);
        if !(loss.is_finite() && (0.0..=1.0).contains(&loss)) {
            d.err(
                subject.clone(),
                Some("loss".into()),
                format!("edge `{name}`: `loss` must be a probability in [0, 1] (got {loss})"),
            );
        }
        let bandwidth_mbps = e.bandwidth_mbps.unwrap_or(0.0);
        if !(bandwidth_mbps.is_finite() && bandwidth_mbps >= 0.0) {
            d.err(
                subject.clone(),
                Some("bandwidth_mbps".into()),
                format!("edge `{name}`: `bandwidth_mbps` must be a positive number of Mbit/s, or 0 for unlimited (got {bandwidth_mbps})"),
            );
        } else if let Some(m) = (bandwidth_mbps > 0.0)
            .then(|| edge_range("bandwidth_mbps", bandwidth_mbps))
            .flatten()
        {
            d.err(
                subject.clone(),
                Some("bandwidth_mbps".into()),
                format!("edge `{name}`: {m}"),
            );
        }
        let weight = e.weight.unwrap_or(1);
        if weight == 0 {
            d.err(
                subject.clone(),
                Some("weight".into()),
                format!("edge `{name}`: `weight` must be at least 1"),
            );
        } else if let Some(m) = edge_range("weight", f64::from(weight)) {
            d.err(
                subject.clone(),
                Some("weight".into()),
                format!("edge `{name}`: {m}"),
            );
        }
        if let Some(ms) = e.timeout_ms
            && !(ms.is_finite() && ms > 0.0)
        {
            d.err(
                subject.clone(),
                Some("timeout_ms".into()),
                format!("edge `{name}`: `timeout_ms` must be a positive number of milliseconds (got {ms})"),
            );
        } else if let Some(m) = e.timeout_ms.and_then(|ms| edge_range("timeout_ms", ms)) {
            d.err(
                subject.clone(),
                Some("timeout_ms".into()),
                format!("edge `{name}`: {m}"),
            );
        }
        for (field, msg) in e
            .retry
            .iter()
            .flat_map(|r| r.problems("retry."))
            .chain(e.breaker.iter().flat_map(|b| b.problems("breaker.")))
            .chain(e.hedge.iter().flat_map(|h| h.problems("hedge.")))
        {
            d.err(
                subject.clone(),
                Some(field),
                format!("edge `{name}`: {msg}"),
            );
        }
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        let (fk, tk) = (
            Kind::from_name(&t.nodes[from as usize].kind),
            Kind::from_name(&t.nodes[to as usize].kind),
        );
        if let (Some(fk), Some(tk)) = (fk, tk)
            && !fk.may_connect_to(tk)
        {
            d.err(
                subject.clone(),
                None,
                format!(
                    "{} `{}` cannot call {} `{}`",
                    article(fk),
                    e.from,
                    article(tk),
                    e.to
                ),
            );
        }
        if from == to {
            d.warn(
                subject.clone(),
                None,
                format!(
                    "node `{}` calls itself; the hop limit will stop such requests",
                    e.from
                ),
            );
        }
        out_degree[from as usize] += 1;
        in_degree[to as usize] += 1;
        let policy = e.has_policy().then(|| CallPolicy {
            timeout: e.timeout_ms.map(SimTime::from_ms),
            retry: e.retry.clone(),
            breaker: e.breaker.clone(),
            hedge: e.hedge.clone(),
        });
        edges.push(ModelEdge {
            from,
            to,
            latency,
            loss,
            bandwidth_mbps,
            weight,
            policy,
        });
    }

    // Every client's request path, interned: a request carries its index, a gateway routes by it.
    let mut paths: Vec<String> = Vec::new();
    for m in nodes.iter().flatten() {
        if let Params::Client(c) = &m.params
            && !paths.contains(&c.path)
        {
            paths.push(c.path.clone());
        }
    }
    // Then every screen's resource paths (after the clients' own, so those keep their indices).
    for m in nodes.iter().flatten() {
        if let Params::Client(c) = &m.params
            && let Some(sc) = &c.screen
        {
            for r in crate::components::client::screen::parse_resources(&sc.resources)
                .unwrap_or_default()
            {
                if !paths.contains(&r.path) {
                    paths.push(r.path);
                }
            }
        }
    }

    // Shape: the half-built diagram, by the registry's rules, then each kind's own check of its parameters
    // against what it is connected to.
    let regions: Vec<String> = t.nodes.iter().map(|n| n.region.clone()).collect();
    for (i, n) in t.nodes.iter().enumerate() {
        let Some(kind) = Kind::from_name(&n.kind) else {
            continue;
        };
        if node_index.get(&n.id) != Some(&(i as u32)) {
            continue; // a duplicate id: its error is enough
        }
        let subject = Subject::Node(n.id.clone());
        let info = kind.info();
        let shape = if let (0, Some(text)) = (out_degree[i], info.unconnected) {
            Some(text)
        } else if info.single_output && out_degree[i] > 1 {
            Some("forwards only over its first connection; the others carry nothing")
        } else if !info.source && in_degree[i] == 0 {
            Some("receives no traffic")
        } else {
            None
        };
        if let Some(text) = shape {
            d.warn(
                subject.clone(),
                None,
                format!("{} `{}` {text}", article(kind), n.id),
            );
        }
        let Some(Some(m)) = nodes.get(i) else {
            continue;
        };
        let ports: Option<Vec<Port<'_>>> = edges
            .iter()
            .filter(|e| e.from == i as u32)
            .map(|e| {
                let t = nodes.get(e.to as usize)?.as_ref()?;
                Some(Port {
                    id: &t.id,
                    kind: t.kind,
                    region: &t.region,
                    params: &t.params,
                    weight: e.weight,
                })
            })
            .collect();
        // A target with errors of its own: they come first, and this node is checked once they are fixed.
        let Some(ports) = ports else {
            continue;
        };
        let b = Build {
            params: &m.params,
            region: &m.region,
            ports: &ports,
            paths: &paths,
            window: (SimTime::ZERO, SimTime::ZERO),
            regions: &regions,
            link: &|a: &str, b: &str| region_link(&t.settings, a, b),
            series: SimTime::ZERO,
        };
        for f in NodeRt::check(kind, &b) {
            let field = f.field.map(|f| format!("params.{f}"));
            let message = format!("{} `{}`{}", article(kind), n.id, f.text);
            if f.warning {
                // A node that receives no traffic is told that first; what its traffic would meet, after.
                if in_degree[i] > 0 || info.source {
                    d.warn(subject.clone(), field, message);
                }
            } else {
                d.err(subject.clone(), field, message);
            }
        }
    }

    // Parallel plans multiply calls: a diagram where one request could cause too many is refused.
    let params: Vec<Option<&Params>> = nodes
        .iter()
        .map(|m| m.as_ref().map(|m| &m.params))
        .collect();
    let pairs: Vec<(u32, u32)> = edges.iter().map(|e| (e.from, e.to)).collect();
    for (v, calls) in
        crate::components::server::fan_out::too_many_calls(&params, &pairs, t.settings.hop_limit)
    {
        let n = &t.nodes[v as usize];
        let field =
            matches!(params[v as usize], Some(Params::Server(_))).then(|| "params.fan_out".into());
        d.err(
            Subject::Node(n.id.clone()),
            field,
            format!(
                "one request reaching `{}` could cause {calls:.3e} calls through parallel plans (within the \
                 hop limit of {}); at most {:.0} are simulated",
                n.id,
                t.settings.hop_limit,
                crate::components::server::fan_out::MAX_CALLS_PER_REQUEST
            ),
        );
    }

    // Faults.
    let mut faults = Vec::new();
    for (i, f) in t.faults.iter().enumerate() {
        let subject = Subject::Fault(i as u32);
        if !(f.at_s.is_finite() && f.at_s >= 0.0) {
            d.err(
                subject.clone(),
                Some("at_s".into()),
                format!("fault #{i}: `at_s` must be a finite, non-negative time"),
            );
        } else if let Some(m) = limits::out_of_range("at_s", f.at_s, &limits::FAULT_AT_S) {
            d.err(
                subject.clone(),
                Some("at_s".into()),
                format!("fault #{i}: {m}"),
            );
        }
        match resolve_fault(&node_index, &edge_index, &f.action) {
            Ok(op) => faults.push((SimTime::from_secs(f.at_s), op)),
            Err(msg) => d.err(subject, Some("action".into()), format!("fault #{i}: {msg}")),
        }
    }

    let mut diags = d.0;
    crate::sorting::sort_by_key(&mut diags, |d| d.severity);
    if has_errors(&diags) {
        return (None, diags);
    }
    let nodes = nodes
        .into_iter()
        .map(|n| n.expect("a node without errors resolved"))
        .collect();
    // Faults at the same instant apply in the order written.
    crate::sorting::sort_by_key(&mut faults, |f| f.0);
    (
        Some(Model {
            nodes,
            edges,
            node_index,
            edge_index,
            faults,
            paths,
        }),
        diags,
    )
}

/// Resolves a fault's node or edge name.
pub(crate) fn resolve_fault(
    nodes: &BTreeMap<String, u32>,
    edges: &BTreeMap<String, u32>,
    action: &FaultAction,
) -> Result<FaultOp, String> {
    let node = |id: &str| {
        nodes
            .get(id)
            .copied()
            .ok_or_else(|| format!("unknown node `{id}`"))
    };
    let edge = |id: &str| {
        edges
            .get(id)
            .copied()
            .ok_or_else(|| format!("unknown edge `{id}`"))
    };
    Ok(match action {
        FaultAction::Kill { node: n } => FaultOp::Kill(node(n)?),
        FaultAction::Revive { node: n } => FaultOp::Revive(node(n)?),
        FaultAction::Slow { node: n, factor } => {
            if !(factor.is_finite() && *factor > 0.0) {
                return Err(format!(
                    "slow-down `factor` must be a positive finite number (got {factor})"
                ));
            }
            if let Some(m) = limits::out_of_range("factor", *factor, &limits::FAULT_FACTOR) {
                return Err(format!("slow-down {m}"));
            }
            FaultOp::Slow(node(n)?, *factor)
        }
        FaultAction::Partition {
            name,
            nodes: inside,
            region,
        } => {
            if name.is_empty() {
                return Err("a partition needs a `name` (its heal names it)".into());
            }
            if inside.is_empty() && region.is_empty() {
                return Err(format!(
                    "partition `{name}` has an empty boundary: give `nodes` or a `region`"
                ));
            }
            FaultOp::Partition {
                name: name.clone(),
                nodes: inside.iter().map(|n| node(n)).collect::<Result<_, _>>()?,
                region: region.clone(),
            }
        }
        FaultAction::HealPartition { name } => FaultOp::HealPartition(name.clone()),
        FaultAction::CutLink { edge: e } => FaultOp::Cut(edge(e)?),
        FaultAction::HealLink { edge: e } => FaultOp::Heal(edge(e)?),
        FaultAction::Spike { factor, duration_s } => {
            if !(factor.is_finite() && *factor > 0.0) {
                return Err(format!(
                    "spike `factor` must be a positive finite number (got {factor})"
                ));
            }
            if !(duration_s.is_finite() && *duration_s > 0.0) {
                return Err(format!(
                    "spike `duration_s` must be a positive finite number of seconds (got {duration_s})"
                ));
            }
            if let Some(m) =
                limits::out_of_range("factor", *factor, &limits::FAULT_FACTOR).or_else(|| {
                    limits::out_of_range("duration_s", *duration_s, &limits::FAULT_DURATION_S)
                })
            {
                return Err(format!("spike {m}"));
            }
            FaultOp::Spike {
                factor: *factor,
                duration: SimTime::from_secs(*duration_s),
            }
        }
    })
}

/// The default one-way latency of a link from region `a` to region `b`: the settings' link within a region,
/// the region table between two known regions, the settings' inter-region link otherwise.
pub(crate) fn region_link(s: &crate::topology::Settings, a: &str, b: &str) -> Dist {
    if a == b {
        s.link.latency.clone()
    } else {
        crate::regions::link_latency(a, b).unwrap_or_else(|| s.inter_region_link.latency.clone())
    }
}

fn check_settings(t: &Topology, d: &mut Diags) {
    let s = &t.settings;
    let mut num = |field: &str, v: f64| {
        if !(v.is_finite() && v >= 0.0) {
            d.err(
                Subject::Settings,
                Some(format!("settings.{field}")),
                format!("setting `{field}` must be a finite, non-negative number (got {v})"),
            );
        }
    };
    num("duration_s", s.duration_s);
    num("warmup_s", s.warmup_s);
    num("series_interval_s", s.series_interval_s);
    num("drain_limit_s", s.drain_limit_s);
    num("link.loss", s.link.loss);
    num("inter_region_link.loss", s.inter_region_link.loss);
    let ranged: [(&str, f64, &Limit); 5] = [
        ("duration_s", s.duration_s, &limits::DURATION_S),
        ("warmup_s", s.warmup_s, &limits::WARMUP_S),
        ("drain_limit_s", s.drain_limit_s, &limits::DRAIN_LIMIT_S),
        (
            "series_interval_s",
            s.series_interval_s,
            &limits::SERIES_INTERVAL_S,
        ),
        (
            "trace_capacity",
            f64::from(s.trace_capacity),
            &limits::TRACE_CAPACITY,
        ),
    ];
    for (field, v, limit) in ranged {
        // A negative value has its message above.
        if v >= 0.0
            && let Some(m) = limits::out_of_range(field, v, limit)
        {
            d.err(
                Subject::Settings,
                Some(format!("settings.{field}")),
                format!("setting {m}"),
            );
        }
    }
    if s.series_interval_s > 0.0
        && s.series_interval_s.is_finite()
        && s.duration_s / s.series_interval_s > 1e6
    {
        d.err(
            Subject::Settings,
            Some("settings.series_interval_s".into()),
            "setting `series_interval_s` is too small for the duration (more than a million points)".into(),
        );
    }
    if s.warmup_s.is_finite()
        && s.duration_s.is_finite()
        && s.warmup_s >= s.duration_s
        && s.duration_s > 0.0
    {
        d.warn(
            Subject::Settings,
            Some("settings.warmup_s".into()),
            "the warm-up lasts the whole run, so nothing is measured".into(),
        );
    }
    if s.hop_limit == 0 || s.hop_limit > 255 {
        d.err(
            Subject::Settings,
            Some("settings.hop_limit".into()),
            "setting `hop_limit` must be between 1 and 255".into(),
        );
    }
    for (name, link) in [
        ("link", &s.link),
        ("inter_region_link", &s.inter_region_link),
    ] {
        for (f, m) in link.latency.problems() {
            d.err(
                Subject::Settings,
                Some(format!("settings.{name}.latency.{f}")),
                format!("setting `{name}.latency`: {m}"),
            );
        }
        if link.loss > 1.0 {
            d.err(
                Subject::Settings,
                Some(format!("settings.{name}.loss")),
                format!("setting `{name}.loss` must be at most 1"),
            );
        }
    }
}

/// The problem with an edge's `field` against its documented range.
fn edge_range(field: &str, v: f64) -> Option<String> {
    limits::param(field).and_then(|l| limits::out_of_range(field, v, l))
}
