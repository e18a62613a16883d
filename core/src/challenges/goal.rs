//! A challenge's goals: what is measured ([`Measure`]) and the bound it must meet (`at_most` / `at_least`).
//! Run measures are read from one seed's [`Report`]; design measures (node counts, a parameter of every node
//! of a kind) from the diagram itself, the same on every seed. A cost goal, once the cost model exists, is one
//! more design measure.
//!
//! In a challenge file a goal is one object: `{"measure": "latency", "percentile": "p99", "at_most": 150}`.

use serde::{Deserialize, Serialize};

use crate::components::database::Preset;
use crate::components::{CacheParams, Kind, Params, parse_params};
use crate::dist::Dist;
use crate::explain::{self, Finding, Level};
use crate::report::{Outcome, Report};
use crate::tagged;
use crate::topology::Topology;

/// Which figure of the end-to-end latency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Percentile {
    /// the mean
    Mean,
    /// the median
    P50,
    /// the 95th percentile
    P95,
    /// the 99th percentile
    P99,
}

/// What a goal measures.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "measure", rename_all = "snake_case")]
pub enum Measure {
    /// End-to-end latency of the completed requests of every client [ms].
    Latency {
        /// which figure
        percentile: Percentile,
    },
    /// The 99th percentile of the time requests spend in one node, arrival to response [ms].
    NodeP99 {
        /// the node's id
        node: String,
    },
    /// The share of requests that did not complete — failed, timed out, rejected, rate limited, shed or
    /// blocked — of one client, or of all [0..1].
    ErrorRate {
        /// the client's id; none: every client
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client: Option<String>,
    },
    /// The share of reads answered with an old value, at caches and databases together [0..1].
    StaleReads,
    /// Acknowledged writes lost: a write-behind cache's unflushed writes at a crash, a primary's unreplicated
    /// writes at failover [writes].
    LostWrites,
    /// Side effects applied twice for one logical request (a payment charged again by a retry) [effects].
    DuplicateEffects,
    /// Attack requests that reached a service and were answered [requests].
    AttacksServed,
    /// A cache's hit ratio [0..1].
    HitRatio {
        /// the cache's id
        node: String,
    },
    /// Requests a node receives over the measured time [requests].
    Arrivals {
        /// the node's id
        node: String,
    },
    /// The share of the requests a node received that it turned away: a full queue, or down [0..1].
    Dropped {
        /// the node's id
        node: String,
    },
    /// The share of the requests an API gateway processed that it authenticated (a JWT verified or a
    /// session looked up), over the whole run [0..1].
    Authenticated {
        /// the gateway's id
        node: String,
    },
    /// Requests a node receives per second of measured time [req/s].
    Load {
        /// the node's id
        node: String,
    },
    /// Nodes in the diagram, of one kind or all (clients included) [nodes].
    Nodes {
        /// the kind's format name; none: every node
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<String>,
    },
    /// Database instances: every database's primaries and replicas over all its shards, `shards × (1 +
    /// replicas)` summed [instances].
    DatabaseInstances,
    /// One numeric parameter (a distribution counts by its mean) of every node of a kind: `at_most` bounds
    /// the largest, `at_least` the smallest.
    Param {
        /// the kind's format name
        kind: String,
        /// the parameter's name
        param: String,
    },
}

/// One goal: a measure and its bound (read by [`crate::tagged`]; fields a measure does not have are ignored).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Goal {
    /// what is measured
    #[serde(flatten)]
    pub measure: Measure,
    /// the measured value must be at most this
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
    /// the measured value must be at least this
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
}

static GOAL: tagged::Shape = tagged::Shape {
    name: "Measure",
    tag: "measure",
    variants: &[
        "latency",
        "node_p99",
        "error_rate",
        "stale_reads",
        "lost_writes",
        "duplicate_effects",
        "attacks_served",
        "hit_ratio",
        "arrivals",
        "dropped",
        "authenticated",
        "load",
        "nodes",
        "database_instances",
        "param",
    ],
    fields: None,
};

impl<'de> Deserialize<'de> for Goal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        tagged::read(d, &GOAL, |variant, f| {
            let measure = match variant {
                0 => Measure::Latency {
                    percentile: f.req("percentile")?,
                },
                1 => Measure::NodeP99 {
                    node: f.req("node")?,
                },
                2 => Measure::ErrorRate {
                    client: f.opt("client")?.flatten(),
                },
                3 => Measure::StaleReads,
                4 => Measure::LostWrites,
                5 => Measure::DuplicateEffects,
                6 => Measure::AttacksServed,
                7 => Measure::HitRatio {
                    node: f.req("node")?,
                },
                8 => Measure::Arrivals {
                    node: f.req("node")?,
                },
                9 => Measure::Dropped {
                    node: f.req("node")?,
                },
                10 => Measure::Authenticated {
                    node: f.req("node")?,
                },
                11 => Measure::Load {
                    node: f.req("node")?,
                },
                12 => Measure::Nodes {
                    kind: f.opt("kind")?.flatten(),
                },
                13 => Measure::DatabaseInstances,
                _ => Measure::Param {
                    kind: f.req("kind")?,
                    param: f.req("param")?,
                },
            };
            Ok(Goal {
                measure,
                at_most: f.opt("at_most")?.flatten(),
                at_least: f.opt("at_least")?.flatten(),
            })
        })
    }
}

/// How a measured value is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// milliseconds
    Ms,
    /// a share, shown as a percentage
    Share,
    /// a count
    Count,
    /// requests per second
    PerSecond,
    /// a parameter's own unit (its vocabulary's)
    Plain,
}

impl Measure {
    /// Whether the value comes from the diagram (the same on every seed) rather than a run.
    pub fn from_design(&self) -> bool {
        matches!(
            self,
            Measure::Nodes { .. } | Measure::DatabaseInstances | Measure::Param { .. }
        )
    }

    /// The unit its value is shown in.
    pub fn unit(&self) -> Unit {
        match self {
            Measure::Latency { .. } | Measure::NodeP99 { .. } => Unit::Ms,
            Measure::ErrorRate { .. }
            | Measure::StaleReads
            | Measure::HitRatio { .. }
            | Measure::Dropped { .. }
            | Measure::Authenticated { .. } => Unit::Share,
            Measure::LostWrites
            | Measure::DuplicateEffects
            | Measure::AttacksServed
            | Measure::Arrivals { .. }
            | Measure::Nodes { .. }
            | Measure::DatabaseInstances => Unit::Count,
            Measure::Load { .. } => Unit::PerSecond,
            Measure::Param { .. } => Unit::Plain,
        }
    }

    /// Node ids it names (they must be in the learner's diagram).
    pub fn nodes(&self) -> Vec<&str> {
        match self {
            Measure::NodeP99 { node }
            | Measure::HitRatio { node }
            | Measure::Arrivals { node }
            | Measure::Dropped { node }
            | Measure::Authenticated { node }
            | Measure::Load { node } => vec![node.as_str()],
            Measure::ErrorRate { client: Some(c) } => vec![c.as_str()],
            _ => Vec::new(),
        }
    }

    /// Its value in one seed's report; `None` for a design measure.
    pub fn of_run(&self, report: &Report) -> Option<f64> {
        let v = match self {
            Measure::Latency { percentile } => {
                let l = &report.latency_ms;
                match percentile {
                    Percentile::Mean => l.mean,
                    Percentile::P50 => l.p50,
                    Percentile::P95 => l.p95,
                    Percentile::P99 => l.p99,
                }
            }
            Measure::NodeP99 { node } => report.nodes.get(node).map_or(0.0, |n| n.p99_time_ms),
            Measure::ErrorRate { client } => {
                let r = match client {
                    None => Some(report.requests),
                    Some(c) => report.nodes.get(c).and_then(|n| n.requests().copied()),
                };
                match r {
                    Some(r) => {
                        let resolved = r.sent.saturating_sub(r.in_flight);
                        // Nothing resolved is no evidence of success: a client that sent nothing fails.
                        if resolved == 0 {
                            1.0
                        } else {
                            1.0 - r.outcomes[Outcome::Ok] as f64 / resolved as f64
                        }
                    }
                    None => 1.0,
                }
            }
            Measure::StaleReads => {
                let (mut stale, mut reads) = (0u64, 0u64);
                for n in report.nodes.values() {
                    if n.kind == Kind::Client {
                        continue;
                    }
                    if let Some(c) = n.cache() {
                        stale += c.stale_reads;
                        reads += c.hits;
                    }
                    if let Some(d) = n.database() {
                        stale += d.stale_reads;
                        reads += d.reads;
                    }
                    if let Some(k) = n.kv() {
                        stale += k.stale_reads;
                        reads += k.reads;
                    }
                }
                if reads == 0 {
                    0.0
                } else {
                    stale as f64 / reads as f64
                }
            }
            Measure::LostWrites => report
                .nodes
                .values()
                .filter(|n| n.kind != Kind::Client)
                .map(|n| {
                    n.cache().map_or(0, |c| c.lost_writes)
                        + n.database().map_or(0, |d| d.lost_writes)
                        + n.kv().map_or(0, |k| k.lost_updates)
                })
                .sum::<u64>() as f64,
            Measure::DuplicateEffects => report
                .resilience
                .as_ref()
                .map_or(0.0, |r| r.duplicate_effects as f64),
            Measure::AttacksServed => report.requests.attacks_served as f64,
            Measure::HitRatio { node } => report
                .nodes
                .get(node)
                .and_then(|n| n.cache())
                .map_or(0.0, |c| c.hit_ratio),
            Measure::Arrivals { node } => report.nodes.get(node).map_or(0.0, |n| n.arrivals as f64),
            Measure::Dropped { node } => report
                .nodes
                .get(node)
                .filter(|n| n.arrivals > 0)
                .map_or(0.0, |n| n.dropped as f64 / n.arrivals as f64),
            Measure::Authenticated { node } => report
                .nodes
                .get(node)
                .and_then(|n| n.gateway())
                .map_or(0.0, |g| {
                    // Over the whole run, as the gateway counts: every request it processed was routed,
                    // found no route, or failed its session lookup.
                    let processed = g.routed.iter().sum::<u64>() + g.unrouted + g.auth_failures;
                    if processed == 0 {
                        0.0
                    } else {
                        g.auth_checks as f64 / processed as f64
                    }
                }),
            Measure::Load { node } => {
                let secs = report.duration_s - report.warmup_s;
                match report.nodes.get(node) {
                    Some(n) if secs > 0.0 => n.arrivals as f64 / secs,
                    _ => 0.0,
                }
            }
            Measure::Nodes { .. } | Measure::DatabaseInstances | Measure::Param { .. } => {
                return None;
            }
        };
        Some(v)
    }

    /// Its value in the diagram, for a design measure: the node count, or the largest (`largest`) or smallest
    /// value of the parameter over the nodes of its kind (`None` when there are none).
    pub fn of_design(&self, design: &Topology, largest: bool) -> Option<f64> {
        match self {
            Measure::Nodes { kind } => Some(
                design
                    .nodes
                    .iter()
                    .filter(|n| kind.as_ref().is_none_or(|k| &n.kind == k))
                    .count() as f64,
            ),
            Measure::DatabaseInstances => Some(
                design
                    .nodes
                    .iter()
                    .filter(|n| n.kind == "database")
                    .map(|n| {
                        let p = |name| param_value(&n.kind, &n.params, name).unwrap_or(0.0);
                        p("shards") * (1.0 + p("replicas"))
                    })
                    .sum(),
            ),
            Measure::Param { kind, param } => {
                let values = design
                    .nodes
                    .iter()
                    .filter(|n| &n.kind == kind)
                    .filter_map(|n| param_value(&n.kind, &n.params, param));
                if largest {
                    values.reduce(f64::max)
                } else {
                    values.reduce(f64::min)
                }
            }
            _ => None,
        }
    }
}

/// A node's numeric parameter with its kind's defaults filled in; a distribution gives its mean and `null`
/// (unbounded, unlimited) infinity.
pub fn param_value(
    kind: &str,
    params: &serde_json::Map<String, serde_json::Value>,
    param: &str,
) -> Option<f64> {
    let k = Kind::from_name(kind)?;
    let mut merged = k.default_params();
    for (key, v) in params {
        merged.insert(key.clone(), v.clone());
    }
    match merged.get(param)? {
        serde_json::Value::Null => Some(f64::INFINITY),
        serde_json::Value::Bool(b) => Some(f64::from(u8::from(*b))),
        serde_json::Value::Number(n) => n.as_f64(),
        v @ serde_json::Value::Object(_) => serde_json::from_value::<Dist>(v.clone())
            .ok()
            .map(|d| d.mean_ms()),
        _ => None,
    }
}

impl Goal {
    /// Whether `value` meets the bound.
    pub fn met_by(&self, value: f64) -> bool {
        self.at_most.is_none_or(|m| value <= m) && self.at_least.is_none_or(|m| value >= m)
    }

    /// The goal in words, naming nodes by their labels in `diagram` (the challenge's start).
    pub fn text(&self, diagram: &Topology) -> String {
        let name = |id: &str| {
            diagram
                .node(id)
                .filter(|n| !n.label.is_empty())
                .map_or_else(|| id.to_string(), |n| n.label.clone())
        };
        let unit = self.measure.unit();
        let bound = match (self.at_most, self.at_least) {
            (Some(m), _) => format!("at most {}", format_value(unit, m, self.param_unit())),
            (None, Some(m)) => format!("at least {}", format_value(unit, m, self.param_unit())),
            (None, None) => "measured".to_string(),
        };
        let zero = self.at_most == Some(0.0) && self.at_least.is_none();
        match &self.measure {
            Measure::Latency { percentile } => {
                let p = match percentile {
                    Percentile::Mean => "Mean",
                    Percentile::P50 => "Median",
                    Percentile::P95 => "p95",
                    Percentile::P99 => "p99",
                };
                format!("{p} latency {bound}")
            }
            Measure::NodeP99 { node } => format!("p99 time in {} {bound}", name(node)),
            Measure::ErrorRate { client: None } if zero => "No request fails".into(),
            Measure::ErrorRate { client: Some(c) } if zero => {
                format!("No request of {} fails", name(c))
            }
            Measure::ErrorRate { client: None } => format!("Error rate {bound}"),
            Measure::ErrorRate { client: Some(c) } => {
                format!("Error rate of {} {bound}", name(c))
            }
            Measure::StaleReads if zero => "No stale read".into(),
            Measure::StaleReads => format!("Stale reads {bound} of reads"),
            Measure::LostWrites if zero => "No acknowledged write lost".into(),
            Measure::LostWrites => format!("Lost writes {bound}"),
            Measure::DuplicateEffects if zero => "No side effect applied twice".into(),
            Measure::DuplicateEffects => format!("Duplicate side effects {bound}"),
            Measure::AttacksServed if zero => "No attack request answered".into(),
            Measure::AttacksServed => format!("Attack requests answered {bound}"),
            Measure::HitRatio { node } => format!("Hit ratio of {} {bound}", name(node)),
            Measure::Arrivals { node } => format!("Requests reaching {} {bound}", name(node)),
            Measure::Load { node } => format!("Requests reaching {} {bound}", name(node)),
            Measure::Dropped { node } => format!("Requests turned away by {} {bound}", name(node)),
            Measure::Authenticated { node } => {
                format!("Requests authenticated by {} {bound}", name(node))
            }
            Measure::Nodes { kind: None } => format!("Nodes in the diagram {bound}"),
            Measure::DatabaseInstances => {
                format!("Database instances (primaries and replicas of every shard) {bound}")
            }
            Measure::Nodes { kind: Some(k) } => {
                let title = Kind::from_name(k).map_or(k.as_str(), |k| k.info().title);
                format!("{}s in the diagram {bound}", title)
            }
            Measure::Param { kind, param } => {
                let (title, label) = match Kind::from_name(kind) {
                    Some(k) => (
                        k.info().title.to_lowercase(),
                        k.vocab()
                            .term(param)
                            .map_or(param.as_str(), |t| t.label)
                            .to_lowercase(),
                    ),
                    None => (kind.clone(), param.clone()),
                };
                format!("Every {title}'s {label} {bound}")
            }
        }
    }

    /// The unit word after a parameter's value (its vocabulary's unit, or `ms` for a distribution).
    fn param_unit(&self) -> &'static str {
        let Measure::Param { kind, param } = &self.measure else {
            return "";
        };
        let Some(k) = Kind::from_name(kind) else {
            return "";
        };
        match k.vocab().term(param) {
            Some(t) if !t.unit.is_empty() => t.unit,
            Some(t) if t.family.is_some() => "ms",
            _ if param.ends_with("_ms") => "ms",
            _ if param.ends_with("_s") => "s",
            _ => "",
        }
    }

    /// `value` shown in the goal's unit.
    pub fn show(&self, value: f64) -> String {
        format_value(self.measure.unit(), value, self.param_unit())
    }
}

/// A value in its unit: `132 ms`, `1.5 s`, `0.42 %`, `37`, `320 req/s`.
pub fn format_value(unit: Unit, v: f64, plain_unit: &str) -> String {
    if v.is_infinite() {
        return "unlimited".into();
    }
    match unit {
        Unit::Ms if v >= 1000.0 => format!("{} s", sig3(v / 1000.0)),
        Unit::Ms => format!("{} ms", sig3(v)),
        Unit::Share => format!("{} %", percent_digits(v * 100.0)),
        Unit::Count => sig3(v),
        Unit::PerSecond => format!("{} req/s", sig3(v)),
        Unit::Plain if plain_unit.is_empty() => sig3(v),
        Unit::Plain => format!("{} {plain_unit}", sig3(v)),
    }
}

/// A percentage with the digits that matter: `0.42`, `4.2`, `42`, `0`.
fn percent_digits(p: f64) -> String {
    if p == 0.0 {
        "0".into()
    } else if p.abs() < 1.0 {
        trim(format!("{p:.2}"))
    } else if p.abs() < 10.0 {
        trim(format!("{p:.1}"))
    } else {
        format!("{p:.0}")
    }
}

/// Three significant figures, without trailing zeros, and whole numbers as they are: 132.4 → "132",
/// 2.146 → "2.15", 0.01234 → "0.0123", 37.0 → "37", 4200.0 → "4200".
pub fn sig3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    trim(format!("{v:.digits$}"))
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The node kinds whose findings speak to a measure, most relevant first.
fn related_kinds(m: &Measure) -> &'static [Kind] {
    match m {
        Measure::StaleReads => &[Kind::Database, Kind::Cache, Kind::KvStore],
        Measure::LostWrites => &[Kind::Cache, Kind::Database, Kind::KvStore],
        Measure::HitRatio { .. } => &[Kind::Cache, Kind::CdnEdge, Kind::Database],
        Measure::DuplicateEffects => &[Kind::Server],
        Measure::AttacksServed => &[Kind::Waf, Kind::ApiGateway],
        _ => &[],
    }
}

/// Why a goal failed on one seed: the "why" findings of that run that speak to it (warnings and worse, the
/// ones about nodes of related kinds first), at most `max`; and, where the findings name no cause, the
/// measured mechanism behind the figure.
pub fn why(goal: &Goal, world: &Topology, report: &Report, max: usize) -> Vec<String> {
    let findings = explain::explain(world, report);
    let kinds = related_kinds(&goal.measure);
    let kind_of = |f: &Finding| {
        f.node
            .as_ref()
            .and_then(|id| report.nodes.get(id))
            .map(|n| n.kind)
    };
    let rank = |f: &Finding| {
        let related = kind_of(f).is_some_and(|k| kinds.contains(&k));
        (!related, std::cmp::Reverse(f.level))
    };
    let mut picked: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.level >= Level::Warning)
        .collect();
    if !kinds.is_empty() {
        picked.retain(|f| kind_of(f).is_some_and(|k| kinds.contains(&k)) || f.node.is_none());
    }
    crate::sorting::sort_by_key(&mut picked, |f| rank(f));
    let found = picked.iter().map(|f| f.text.clone());
    let figures = mechanism(goal, world, report);
    // Where the measure has a figure of its own (lost writes, stale hits, lookups), it comes first: it names
    // the mechanism; the findings then say what else was wrong. Otherwise the findings lead.
    let mut out: Vec<String> = if figures_first(&goal.measure) {
        figures.into_iter().chain(found).collect()
    } else {
        found.take(max).chain(figures).collect()
    };
    out.truncate(max);
    let about_time = matches!(
        goal.measure,
        Measure::Latency { .. } | Measure::NodeP99 { .. } | Measure::ErrorRate { .. }
    );
    if out.len() < max && about_time {
        // Nothing else to say: the system's own state ("no bottleneck: the busiest node is at 24 %") says
        // where the time is not going.
        let info = findings
            .iter()
            .find(|f| f.level == Level::Info && !out.contains(&f.text));
        out.extend(info.map(|f| f.text.clone()));
    }
    out.truncate(max);
    out
}

/// What the subscribers following event feed `feed` sent it: their requests a second, by protocol, and the
/// share of their answers that came back empty.
fn subscriber_requests(world: &Topology, report: &Report, feed: &str) -> Vec<String> {
    world
        .edges
        .iter()
        .filter(|e| e.to == feed)
        .filter_map(|e| {
            let s = report.nodes.get(&e.from)?.detail.as_ref()?.subscribers()?;
            let how = crate::vocab::Choices::label(s.protocol).unwrap_or("");
            Some(format!(
                "{}'s {} subscribers ({how}) sent {} requests a second; {} of the answers came back empty",
                e.from,
                s.subscribers,
                sig3(s.requests_per_s),
                format_value(Unit::Share, s.empty_fraction, "")
            ))
        })
        .collect()
}

/// Whether a measure's own figure explains it better than the findings.
fn figures_first(m: &Measure) -> bool {
    matches!(
        m,
        Measure::LostWrites
            | Measure::StaleReads
            | Measure::HitRatio { .. }
            | Measure::Arrivals { .. }
            | Measure::Load { .. }
    )
}

/// Requests of each client that waited for a DNS lookup (its DNS cache's misses), and each client's label.
fn dns_waits<'a>(world: &'a Topology, report: &Report) -> Vec<(&'a str, u64, u64)> {
    world
        .nodes
        .iter()
        .filter(|n| n.kind == "client")
        .filter_map(|n| {
            let r = report.nodes.get(&n.id)?;
            let c = r.cache()?;
            let label = if n.label.is_empty() { &n.id } else { &n.label };
            Some((label.as_str(), c.misses, c.hits + c.misses))
        })
        .filter(|&(_, misses, _)| misses > 0)
        .collect()
}

/// `n` with its thousands grouped: `100,000`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// What makes a database's reads slow in its data model: no index (every read scans the table) and joins.
fn scans(world: &Topology, report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for n in world.nodes.iter().filter(|n| n.kind == "database") {
        let Ok(Params::Database(p)) = parse_params(Kind::Database, &n.params) else {
            continue;
        };
        let Some(r) = report.nodes.get(&n.id) else {
            continue;
        };
        if p.preset == Preset::Plain {
            continue;
        }
        let label = if n.label.is_empty() { &n.id } else { &n.label };
        let mean = format_value(Unit::Ms, r.mean_time_ms, "");
        if !p.indexed {
            out.push(format!(
                "{label} has no index: every read scans its {} rows, {mean} per query on average",
                grouped(p.rows)
            ));
        } else if p.indexes > 0 && r.database().is_some_and(|d| d.writes > 0) {
            out.push(format!(
                "Every write to {label} also updates its {} secondary indexes, {mean} per query on average",
                p.indexes
            ));
        } else if p.join_tables > 1 {
            out.push(format!(
                "Every read of {label} joins {} tables, {mean} per query on average",
                p.join_tables
            ));
        }
    }
    out
}

/// The figures behind a failed goal where no finding names them: DNS lookups, where the latency goes,
/// which caches lost writes and how, how a cache hit.
fn mechanism(goal: &Goal, world: &Topology, report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let dns = |out: &mut Vec<String>| {
        for (label, misses, all) in dns_waits(world, report) {
            out.push(format!(
                "{misses} of the {all} requests of {label} waited for a DNS lookup: the answer they had was \
                 missing or its TTL had run out"
            ));
        }
    };
    match &goal.measure {
        Measure::Arrivals { node } | Measure::Load { node }
            if world.node(node).is_some_and(|n| n.kind == "dns_server") =>
        {
            dns(&mut out);
            return out;
        }
        Measure::Arrivals { node } | Measure::Load { node }
            if world.node(node).is_some_and(|n| n.kind == "event_feed") =>
        {
            out.extend(subscriber_requests(world, report, node));
            return out;
        }
        Measure::Latency { .. } => {
            dns(&mut out);
            out.extend(scans(world, report));
        }
        _ => {}
    }
    let figure = || -> Option<String> {
        match &goal.measure {
        Measure::LostWrites => {
            let (id, n) = report
                .nodes
                .iter()
                .filter_map(|(id, n)| n.cache().map(|c| (id, c.lost_writes)))
                .max_by_key(|&(_, l)| l)?;
            let behind =
                world
                    .node(id)
                    .and_then(|node| match parse_params(Kind::Cache, &node.params) {
                        Ok(Params::Cache(CacheParams {
                            flush_interval_ms, ..
                        })) => Some(flush_interval_ms),
                        _ => None,
                    });
            (n > 0).then(|| {
                format!(
                    "{id} lost {n} acknowledged writes when it crashed: write-behind had not flushed them to \
                     the database yet{}",
                    behind.map_or_else(String::new, |ms| format!(
                        " (it flushes every {})",
                        format_value(Unit::Ms, ms, "")
                    ))
                )
            })
        }
        Measure::Latency { .. } => {
            let l = &report.latency_ms;
            (l.mean > 0.0).then(|| {
                format!(
                    "Of the mean latency of {}, {} is network latency (time on links) and {} is spent in \
                     nodes (queueing and service)",
                    format_value(Unit::Ms, l.mean, ""),
                    format_value(Unit::Ms, l.network_mean, ""),
                    format_value(Unit::Ms, l.in_nodes_mean, "")
                )
            })
        }
        Measure::StaleReads => {
            let (id, c) = report
                .nodes
                .iter()
                .filter_map(|(id, n)| n.cache().map(|c| (id, c)))
                .max_by_key(|(_, c)| c.stale_reads)?;
            let ttl = world
                .node(id)
                .and_then(|n| param_value(&n.kind, &n.params, "ttl_ms"))
                .map_or_else(String::new, |ms| {
                    format!(", and an entry lives {}", format_value(Unit::Ms, ms, ""))
                });
            (c.stale_reads > 0).then(|| {
                format!(
                    "{id} served {} stale hits of {}: the database changed after the entry was stored and \
                     nothing removed it{ttl}",
                    c.stale_reads, c.hits
                )
            })
        }
        Measure::HitRatio { node } => report.nodes.get(node).and_then(|n| n.cache()).map(|c| {
            format!(
                "{node} hit {} of {} reads; {} entries were evicted to make room and {} expired",
                c.hits,
                c.hits + c.misses,
                c.evictions,
                c.expirations
            )
        }),
        _ => None,
    }
    };
    out.extend(figure());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal(json: &str) -> Goal {
        serde_json::from_str(json).expect("a goal")
    }

    #[test]
    fn goals_read_and_write_their_one_object() {
        let text = r#"{"measure":"latency","percentile":"p99","at_most":150.0}"#;
        let g = goal(text);
        assert_eq!(
            g.measure,
            Measure::Latency {
                percentile: Percentile::P99
            }
        );
        assert_eq!(serde_json::to_string(&g).expect("json"), text);
        let e = goal(r#"{"measure":"error_rate","client":"users","at_most":0.01}"#);
        assert_eq!(e.measure.nodes(), vec!["users"]);
    }

    #[test]
    fn bounds_are_inclusive() {
        let g = goal(r#"{"measure":"lost_writes","at_most":0}"#);
        assert!(g.met_by(0.0) && !g.met_by(1.0));
        let h = goal(r#"{"measure":"hit_ratio","node":"c","at_least":0.8}"#);
        assert!(h.met_by(0.8) && h.met_by(0.9) && !h.met_by(0.79));
    }

    #[test]
    fn goals_say_what_they_ask_in_words() {
        let t = Topology::from_json(
            r#"{"nodes":[{"id":"users","kind":"client","label":"Users"},{"id":"db","kind":"database"}]}"#,
        )
        .expect("topology");
        let cases = [
            (
                r#"{"measure":"latency","percentile":"p99","at_most":150}"#,
                "p99 latency at most 150 ms",
            ),
            (
                r#"{"measure":"latency","percentile":"mean","at_most":1500}"#,
                "Mean latency at most 1.5 s",
            ),
            (
                r#"{"measure":"error_rate","client":"users","at_most":0.01}"#,
                "Error rate of Users at most 1 %",
            ),
            (
                r#"{"measure":"error_rate","at_most":0.001}"#,
                "Error rate at most 0.1 %",
            ),
            (
                r#"{"measure":"error_rate","client":"users","at_most":0}"#,
                "No request of Users fails",
            ),
            (
                r#"{"measure":"stale_reads","at_most":0.01}"#,
                "Stale reads at most 1 % of reads",
            ),
            (
                r#"{"measure":"lost_writes","at_most":0}"#,
                "No acknowledged write lost",
            ),
            (
                r#"{"measure":"load","node":"db","at_most":300}"#,
                "Requests reaching db at most 300 req/s",
            ),
            (
                r#"{"measure":"nodes","kind":"server","at_most":3}"#,
                "Servers in the diagram at most 3",
            ),
            (
                r#"{"measure":"param","kind":"server","param":"speed","at_most":1}"#,
                "Every server's speed at most 1 ×",
            ),
            (
                r#"{"measure":"param","kind":"database","param":"lag_ms","at_least":200}"#,
                "Every database's replication lag at least 200 ms",
            ),
        ];
        for (json, want) in cases {
            assert_eq!(goal(json).text(&t), want, "{json}");
        }
    }

    #[test]
    fn design_measures_read_the_diagram_with_defaults() {
        let t = Topology::from_json(
            r#"{"nodes":[{"id":"a","kind":"server","params":{"speed":2}},{"id":"b","kind":"server"},
                {"id":"c","kind":"server","params":{"service_time":{"type":"constant","ms":7}}},
                {"id":"u","kind":"client"}]}"#,
        )
        .expect("topology");
        let speed = Measure::Param {
            kind: "server".into(),
            param: "speed".into(),
        };
        assert_eq!(speed.of_design(&t, true), Some(2.0));
        assert_eq!(speed.of_design(&t, false), Some(1.0));
        let st = Measure::Param {
            kind: "server".into(),
            param: "service_time".into(),
        };
        assert_eq!(
            st.of_design(&t, false),
            Some(7.0),
            "exponential 20 ms by default"
        );
        assert_eq!(st.of_design(&t, true), Some(20.0));
        assert_eq!(Measure::Nodes { kind: None }.of_design(&t, true), Some(4.0));
        let servers = Measure::Nodes {
            kind: Some("server".into()),
        };
        assert_eq!(servers.of_design(&t, true), Some(3.0));
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(100_000), "100,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn values_show_in_their_units() {
        assert_eq!(format_value(Unit::Ms, 132.44, ""), "132 ms");
        assert_eq!(format_value(Unit::Ms, 2146.0, ""), "2.15 s");
        assert_eq!(format_value(Unit::Share, 0.0042, ""), "0.42 %");
        assert_eq!(format_value(Unit::Share, 0.042, ""), "4.2 %");
        assert_eq!(format_value(Unit::Share, 0.42, ""), "42 %");
        assert_eq!(format_value(Unit::Share, 0.0, ""), "0 %");
        assert_eq!(format_value(Unit::Count, 37.0, ""), "37");
        assert_eq!(format_value(Unit::Count, 2.6, ""), "2.6");
        assert_eq!(format_value(Unit::PerSecond, 312.46, ""), "312 req/s");
        assert_eq!(format_value(Unit::Plain, f64::INFINITY, ""), "unlimited");
        assert_eq!(sig3(0.012345), "0.0123");
    }
}
