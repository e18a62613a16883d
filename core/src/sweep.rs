//! Sweep: one numeric parameter of one node or edge stepped over a range (linear or log), each point run on
//! the same `k` seeds as a replication set ([`Replications`]), each headline figure given as mean ± 95 %
//! interval with the diagram's monthly cost, and the knee where latency turns up ([`knee`]).
//!
//! ```text
//!  diagram ──with_value(target, param, x₁)──> Replications(seeds) ──> point 1 ─┐
//!          ──with_value(target, param, x₂)──> Replications(seeds) ──> point 2 ─┼──> SweepResult (+ knee)
//!          ──              …               ──>        …           ──>    …    ─┘
//! ```
//!
//! The parameter is named by the inspector's dotted path (`rate`, `workers`, `service_time.mean_ms`,
//! `capacity`, an edge's `timeout_ms`), set through the inspector's own edit step
//! ([`crate::editor::schema::apply_edit`]), so any numeric parameter of any kind can be swept and a value
//! outside `docs/limits.md` gets the inspector's words. An integer parameter's points are rounded and
//! repeated values dropped. [`Sweep`] runs a point's seeds in slices of events under the memory guard, as
//! `Replications` does, so the page runs a few slices per frame.

pub mod plot;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::components::Kind;
use crate::editor::edge_params::{EDGE_VOCAB, edge_defaults, edge_params, edge_with_params};
use crate::editor::schema::{self, Control, EditValue};
use crate::replicate::{self, Headline, MAX_REPLICATIONS, ReplicationError, Replications, Summary};
use crate::sim::Sim;
use crate::stats::Interval;
use crate::topology::Topology;
use crate::vocab::Vocab;

/// The most points one sweep runs.
pub const MAX_POINTS: u32 = 50;
/// The most runs (points × seeds) one sweep runs.
pub const MAX_RUNS: u32 = 1_000;
/// The knee's factor: the knee is the first point whose mean p99 exceeds this many times the flat
/// baseline (see [`knee`]).
pub const KNEE_FACTOR: f64 = 2.0;

/// How the points are spread over the range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// evenly: `from + i · (to − from) / (points − 1)`
    #[default]
    Linear,
    /// evenly in the logarithm: `from · (to / from)^(i / (points − 1))`; both ends must be positive
    Log,
}

/// What to sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepSpec {
    /// a node's id, or an edge's name (its id, or `from->to`)
    pub target: String,
    /// the parameter's dotted path, as the inspector names it (`rate`, `service_time.mean_ms`)
    pub param: String,
    /// the first value
    pub from: f64,
    /// the last value (above `from`)
    pub to: f64,
    /// how many points, 2 to [`MAX_POINTS`] (fewer run when an integer parameter's rounded points repeat)
    pub points: u32,
    /// linear or log spacing
    pub scale: Scale,
    /// replications per point, 1 to [`MAX_REPLICATIONS`]; the seeds are the diagram's and the next
    pub seeds: u32,
}

/// A numeric parameter a sweep can step: its path, label, unit and whether it takes whole numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Param {
    /// dotted path (`rate`, `service_time.mean_ms`)
    pub path: String,
    /// the inspector's label
    pub label: String,
    /// its unit, empty for a count
    pub unit: &'static str,
    /// whole numbers only
    pub integer: bool,
}

/// What a sweep target's parameters look like to the inspector: vocabulary, defaults, current values.
struct Target {
    vocab: &'static Vocab,
    defaults: Map<String, Value>,
    current: Map<String, Value>,
}

fn target_of(doc: &Topology, target: &str) -> Result<Target, String> {
    if let Some(n) = doc.node(target) {
        let kind =
            Kind::from_name(&n.kind).ok_or_else(|| format!("`{}` is not a known kind", n.kind))?;
        return Ok(Target {
            vocab: kind.vocab(),
            defaults: kind.default_params(),
            current: n.params.clone(),
        });
    }
    let e = doc
        .edges
        .iter()
        .find(|e| e.name() == target)
        .ok_or_else(|| format!("there is no node or edge `{target}`"))?;
    Ok(Target {
        vocab: &EDGE_VOCAB,
        defaults: edge_defaults(),
        current: edge_params(e),
    })
}

/// The numeric parameters of the node or edge `target`, in the inspector's order.
pub fn params(doc: &Topology, target: &str) -> Result<Vec<Param>, String> {
    let t = target_of(doc, target)?;
    Ok(schema::fields(t.vocab, &t.defaults, &t.current)
        .into_iter()
        .filter_map(|f| match f.control {
            Control::Number { unit, integer, .. } => Some(Param {
                path: f.path,
                label: f.label,
                unit,
                integer,
            }),
            _ => None,
        })
        .collect())
}

/// The parameter `path` of `target`, or why it cannot be swept.
pub fn param(doc: &Topology, target: &str, path: &str) -> Result<Param, String> {
    let all = params(doc, target)?;
    all.iter().find(|p| p.path == path).cloned().ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|p| p.path.as_str()).collect();
        format!(
            "`{target}` has no numeric parameter `{path}`; it has: {}",
            names.join(", ")
        )
    })
}

/// The value of `target`'s parameter `path` now (its default when unset), when it is a number.
pub fn current(doc: &Topology, target: &str, path: &str) -> Option<f64> {
    let t = target_of(doc, target).ok()?;
    schema::fields(t.vocab, &t.defaults, &t.current)
        .into_iter()
        .find(|f| f.path == path)
        .and_then(|f| match f.value {
            schema::FieldValue::Text(x) => x.parse::<f64>().ok(),
            schema::FieldValue::Bool(_) => None,
        })
}

/// The parameter the page's sweep starts on for `target`: a client's `rate`, a node's `workers` or
/// `instances`, a cache's `capacity`, an edge's `timeout_ms`, else the first numeric one.
pub fn default_param(doc: &Topology, target: &str) -> Option<String> {
    let all = params(doc, target).ok()?;
    ["rate", "instances", "workers", "capacity", "timeout_ms"]
        .iter()
        .find_map(|w| all.iter().find(|p| p.path == *w))
        .or(all.first())
        .map(|p| p.path.clone())
}

/// A starting range for the page: a count from 1 to twice its value (at least 4), a rate from a quarter of
/// its value to twice it, anything else from half to twice; 1 to 10 when the value is 0 or unknown.
pub fn suggest(doc: &Topology, target: &str, path: &str) -> (f64, f64) {
    let integer = param(doc, target, path).is_ok_and(|p| p.integer);
    match current(doc, target, path) {
        Some(v) if v > 0.0 && integer => (1.0, (2.0 * v).max(4.0)),
        Some(v) if v > 0.0 && path == "rate" => (v / 4.0, 2.0 * v),
        Some(v) if v > 0.0 => (v / 2.0, 2.0 * v),
        _ => (1.0, 10.0),
    }
}

/// `v` as the inspector's number box would hold it.
fn number_text(v: f64, integer: bool) -> String {
    if integer {
        format!("{}", libm::round(v) as i64)
    } else {
        format!("{v}")
    }
}

/// `doc` with `target`'s parameter `path` set to `v` through the inspector's edit step: the range checks of
/// `docs/limits.md` and the kind's own checks apply, with their words.
pub fn with_value(doc: &Topology, target: &str, path: &str, v: f64) -> Result<Topology, String> {
    let p = param(doc, target, path)?;
    let t = target_of(doc, target)?;
    let text = EditValue::Text(number_text(v, p.integer));
    let next = schema::apply_edit(t.vocab, &t.defaults, &t.current, path, &text)?;
    let mut out = doc.clone();
    if let Some(n) = out.nodes.iter_mut().find(|n| n.id == target) {
        n.params = next;
    } else if let Some(e) = out.edges.iter_mut().find(|e| e.name() == target) {
        *e = edge_with_params(e, &next)?;
    }
    Ok(out)
}

/// Why a sweep cannot run or stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepError(pub String);

impl std::fmt::Display for SweepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SweepError {}

/// The values a sweep runs: `points` spread over `from..=to` by `scale`, rounded for an integer parameter
/// with repeats dropped (so an integer sweep may run fewer points), or why the range is refused.
pub fn values(spec: &SweepSpec, integer: bool) -> Result<Vec<f64>, SweepError> {
    let err = |m: String| Err(SweepError(m));
    if !(spec.from.is_finite() && spec.to.is_finite()) {
        return err("the range's ends must be finite numbers".into());
    }
    if spec.from >= spec.to {
        return err(format!(
            "the range must rise: `from` ({}) must be below `to` ({})",
            spec.from, spec.to
        ));
    }
    if !(2..=MAX_POINTS).contains(&spec.points) {
        return err(format!(
            "a sweep has 2 to {MAX_POINTS} points, not {}",
            spec.points
        ));
    }
    if spec.scale == Scale::Log && spec.from <= 0.0 {
        return err(format!(
            "a log sweep needs a positive start, not {}",
            spec.from
        ));
    }
    let n = f64::from(spec.points - 1);
    let mut out: Vec<f64> = Vec::new();
    for i in 0..spec.points {
        let f = f64::from(i) / n;
        let v = match (spec.scale, i) {
            (_, 0) => spec.from,
            (_, i) if i == spec.points - 1 => spec.to,
            (Scale::Linear, _) => spec.from + f * (spec.to - spec.from),
            (Scale::Log, _) => spec.from * libm::pow(spec.to / spec.from, f),
        };
        let v = if integer { libm::round(v) } else { v };
        if out.last() != Some(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// One point of a finished sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepPoint {
    /// the parameter's value
    pub value: f64,
    /// the headline figures over the seeds (as [`replicate::replicate`] gives them)
    pub summary: Summary,
    /// the diagram's monthly cost at this value and each seed's traffic [USD]
    pub cost: Interval,
}

impl SweepPoint {
    /// The mean ± interval of one headline figure.
    pub fn figure(&self, figure: Headline) -> Interval {
        self.summary
            .get(figure)
            .map(|f| f.interval)
            .unwrap_or_default()
    }
}

/// A finished (or partial) sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepResult {
    /// what was swept
    pub spec: SweepSpec,
    /// the parameter
    pub param: Param,
    /// the points, in rising value
    pub points: Vec<SweepPoint>,
    /// the index of the knee in `points` ([`knee`] of the mean p99s), if latency turns up
    pub knee: Option<usize>,
}

/// The knee of a latency curve: where latency turns up.
///
/// Rule: the baseline is the smallest value on the curve (the flat, lightly loaded end). The curve rises
/// towards the end whose value is the larger of the two ends; walking from the other end towards it, the
/// knee is the first point whose value exceeds [`KNEE_FACTOR`] × the baseline. `None` when no point does
/// (the curve stays flat), or with fewer than two points. For a load sweep (a client's rate) the walk goes
/// up the range; for a capacity sweep (a server's workers) it goes down, and the knee is the largest value
/// at which latency has already doubled — one step above it is the first comfortable value.
pub fn knee(ys: &[f64]) -> Option<usize> {
    if ys.len() < 2 || ys.iter().any(|y| !y.is_finite()) {
        return None;
    }
    let base = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let limit = KNEE_FACTOR * base;
    let rising = ys[ys.len() - 1] >= ys[0];
    let order: Vec<usize> = if rising {
        (0..ys.len()).collect()
    } else {
        (0..ys.len()).rev().collect()
    };
    order.into_iter().find(|&i| ys[i] > limit)
}

impl SweepResult {
    fn of(spec: SweepSpec, param: Param, points: Vec<SweepPoint>) -> SweepResult {
        let p99: Vec<f64> = points
            .iter()
            .map(|p| p.figure(Headline::P99).mean)
            .collect();
        SweepResult {
            knee: knee(&p99),
            spec,
            param,
            points,
        }
    }

    /// The value column's header: `rate [req/s]`, `workers`.
    fn value_header(&self) -> String {
        if self.param.unit.is_empty() {
            self.param.path.clone()
        } else {
            format!("{} [{}]", self.param.path, self.param.unit)
        }
    }

    /// The sweep as CSV: a header with units, then one row per point: the value, each headline figure's mean
    /// and 95 % half-width, the monthly cost's, the seeds and whether the point is the knee (`1` or `0`).
    pub fn to_csv(&self) -> String {
        let mut head = vec![self.value_header()];
        for f in Headline::ALL {
            head.push(format!("{} [{}]", f.key(), f.unit()));
            head.push(format!("{} ±95% [{}]", f.key(), f.unit()));
        }
        head.extend(
            [
                "monthly_cost [USD]",
                "monthly_cost ±95% [USD]",
                "seeds",
                "knee",
            ]
            .map(String::from),
        );
        let mut out = head.join(",");
        out.push('\n');
        for (i, p) in self.points.iter().enumerate() {
            let mut row = vec![format!("{}", p.value)];
            for f in Headline::ALL {
                let v = p.figure(f);
                row.push(format!("{:.4}", v.mean));
                row.push(format!("{:.4}", v.half));
            }
            row.push(format!("{:.2}", p.cost.mean));
            row.push(format!("{:.2}", p.cost.half));
            row.push(p.summary.seeds.len().to_string());
            row.push(if self.knee == Some(i) { "1" } else { "0" }.into());
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }
}

/// A sweep in progress: one point's replication set at a time, in slices of events.
#[derive(Debug)]
pub struct Sweep {
    doc: Topology,
    spec: SweepSpec,
    param: Param,
    values: Vec<f64>,
    current: Option<(Topology, Replications)>,
    points: Vec<SweepPoint>,
    memory_cap: usize,
}

impl Sweep {
    /// Prepares the sweep of `doc`: refuses an unknown node, edge or parameter, a bad range, too many runs,
    /// and an end of the range the parameter's checks refuse (each message says which).
    pub fn start(doc: &Topology, spec: SweepSpec) -> Result<Sweep, SweepError> {
        let param = param(doc, &spec.target, &spec.param).map_err(SweepError)?;
        if !(1..=MAX_REPLICATIONS).contains(&spec.seeds) {
            return Err(SweepError(format!(
                "a sweep runs 1 to {MAX_REPLICATIONS} seeds per point, not {}",
                spec.seeds
            )));
        }
        let values = values(&spec, param.integer)?;
        let runs = values.len() as u64 * u64::from(spec.seeds);
        if runs > u64::from(MAX_RUNS) {
            return Err(SweepError(format!(
                "{} points × {} seeds is {runs} runs; a sweep runs at most {MAX_RUNS}",
                values.len(),
                spec.seeds
            )));
        }
        for &v in [values[0], values[values.len() - 1]].iter() {
            let t = point_doc(doc, &spec, v)?;
            Sim::new(&t).map_err(|e| SweepError(format!("at {} = {v}: {e}", spec.param)))?;
        }
        Ok(Sweep {
            doc: doc.clone(),
            spec,
            param,
            values,
            current: None,
            points: Vec::new(),
            memory_cap: crate::limits::MAX_RUN_MEMORY,
        })
    }

    /// Sets the memory guard's cap for each run [bytes].
    pub fn with_memory_cap(mut self, cap: usize) -> Sweep {
        self.memory_cap = cap;
        self
    }

    /// The values it runs, in order.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The parameter swept.
    pub fn param(&self) -> &Param {
        &self.param
    }

    /// The finished points so far.
    pub fn points(&self) -> &[SweepPoint] {
        &self.points
    }

    /// Whether every point has finished.
    pub fn finished(&self) -> bool {
        self.points.len() == self.values.len()
    }

    /// From 0 to 1: finished points plus the running one's progress, over the points.
    pub fn progress(&self) -> f64 {
        let part = self.current.as_ref().map_or(0.0, |(_, r)| r.progress());
        ((self.points.len() as f64 + part) / self.values.len() as f64).min(1.0)
    }

    /// The result so far (the finished points, with the knee among them).
    pub fn result(&self) -> SweepResult {
        SweepResult::of(self.spec.clone(), self.param.clone(), self.points.clone())
    }

    /// Runs at most `event_budget` events of the current point's current seed; the result once the last
    /// point has finished, an error (naming the point) when a value is refused or a run passes the memory cap.
    pub fn step(&mut self, event_budget: u64) -> Result<Option<SweepResult>, SweepError> {
        if self.finished() {
            return Ok(Some(self.result()));
        }
        let v = self.values[self.points.len()];
        let (t, reps) = match &mut self.current {
            Some(c) => c,
            None => {
                let t = point_doc(&self.doc, &self.spec, v)?;
                let r = Replications::start(&t, replicate::seeds(t.settings.seed, self.spec.seeds))
                    .map_err(|e| at(&self.spec, v, &e))?
                    .with_memory_cap(self.memory_cap);
                self.current.insert((t, r))
            }
        };
        let Some(summary) = reps.step(event_budget).map_err(|e| at(&self.spec, v, &e))? else {
            return Ok(None);
        };
        let cost = Interval::of(&crate::compare::monthly_costs(t, reps.reports()));
        self.points.push(SweepPoint {
            value: v,
            summary,
            cost,
        });
        self.current = None;
        Ok(self.finished().then(|| self.result()))
    }

    /// Runs every remaining point to its end.
    pub fn run_to_end(&mut self) -> Result<SweepResult, SweepError> {
        loop {
            if let Some(r) = self.step(u64::MAX)? {
                return Ok(r);
            }
        }
    }
}

fn point_doc(doc: &Topology, spec: &SweepSpec, v: f64) -> Result<Topology, SweepError> {
    with_value(doc, &spec.target, &spec.param, v)
        .map_err(|e| SweepError(format!("at {} = {v}: {e}", spec.param)))
}

fn at(spec: &SweepSpec, v: f64, e: &ReplicationError) -> SweepError {
    SweepError(format!("at {} = {v}: {e}", spec.param))
}

/// Runs the sweep of `doc` to the end.
pub fn sweep(doc: &Topology, spec: SweepSpec) -> Result<SweepResult, SweepError> {
    Sweep::start(doc, spec)?.run_to_end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::fixtures::{self, single_station};

    fn spec(target: &str, param: &str, from: f64, to: f64, points: u32, seeds: u32) -> SweepSpec {
        SweepSpec {
            target: target.into(),
            param: param.into(),
            from,
            to,
            points,
            scale: Scale::Linear,
            seeds,
        }
    }

    #[test]
    fn the_knee_is_the_first_point_past_twice_the_baseline() {
        // Baseline 10; 2 × 10 = 20: 25 at index 4 is the first above.
        assert_eq!(knee(&[10.0, 10.5, 11.0, 14.0, 25.0, 80.0]), Some(4));
        // Falling curve (a capacity sweep): walked from the right, 30 at index 1 is the first above 20.
        assert_eq!(knee(&[200.0, 30.0, 12.0, 10.0, 10.0]), Some(1));
        // Flat: no knee; exactly twice is not past it.
        assert_eq!(knee(&[10.0, 12.0, 20.0]), None);
        assert_eq!(knee(&[10.0]), None);
        assert_eq!(knee(&[10.0, f64::NAN]), None);
    }

    #[test]
    fn values_spread_linear_log_and_integer() {
        let mut s = spec("c", "rate", 10.0, 50.0, 5, 1);
        assert_eq!(values(&s, false), Ok(vec![10.0, 20.0, 30.0, 40.0, 50.0]));
        s.scale = Scale::Log;
        s.to = 10_000.0;
        s.points = 4;
        let v = values(&s, false).expect("valid");
        assert_eq!((v[0], v[3]), (10.0, 10_000.0));
        assert!((v[1] - 100.0).abs() < 1e-9 && (v[2] - 1000.0).abs() < 1e-9);
        // 1 to 3 in 5 points rounds to 1, 2, 2, 3, 3 → 1, 2, 3 (round half away from zero: 1.5 → 2, 2.5 → 3).
        let s = spec("s", "workers", 1.0, 3.0, 5, 1);
        assert_eq!(values(&s, true), Ok(vec![1.0, 2.0, 3.0]));
        for bad in [
            spec("c", "rate", 5.0, 5.0, 3, 1),
            spec("c", "rate", 1.0, 5.0, 1, 1),
            spec("c", "rate", 1.0, 5.0, MAX_POINTS + 1, 1),
            spec("c", "rate", f64::NAN, 5.0, 3, 1),
        ] {
            assert!(values(&bad, false).is_err(), "{bad:?}");
        }
        let mut log0 = spec("c", "rate", 0.0, 5.0, 3, 1);
        log0.scale = Scale::Log;
        assert!(
            values(&log0, false)
                .expect_err("log from 0")
                .0
                .contains("positive")
        );
    }

    #[test]
    fn bad_targets_params_and_values_are_named() {
        let t = fixtures::three_tier();
        let e = |s: SweepSpec| Sweep::start(&t, s).expect_err("refused").0;
        assert!(e(spec("nope", "rate", 1.0, 2.0, 2, 1)).contains("no node or edge `nope`"));
        let m = e(spec("app1", "colour", 1.0, 2.0, 2, 1));
        assert!(
            m.contains("no numeric parameter `colour`") && m.contains("workers"),
            "{m}"
        );
        let m = e(spec("app1", "workers", 1.0, 2e9, 2, 1));
        assert!(m.contains("workers") && m.contains("at most"), "{m}");
        assert!(e(spec("app1", "workers", 1.0, 4.0, 4, 0)).contains("seeds"));
        assert!(e(spec("app1", "workers", 1.0, 40.0, 40, 30)).contains("at most 1000"));
    }

    #[test]
    fn a_point_is_exactly_a_replication_set_of_the_diagram_with_that_value() {
        let t = single_station(30.0, 1, None, Dist::exponential_ms(10.0), 5.0, 4);
        let r = sweep(&t, spec("s", "workers", 1.0, 3.0, 3, 3)).expect("runs");
        assert_eq!(r.points.len(), 3);
        for p in &r.points {
            let alone = with_value(&t, "s", "workers", p.value).expect("in range");
            assert_eq!(p.summary, replicate::replicate(&alone, 3).expect("runs"));
            assert_eq!(p.summary.seeds, vec![4, 5, 6]);
        }
        // Slicing changes nothing.
        let mut s = Sweep::start(&t, spec("s", "workers", 1.0, 3.0, 3, 3)).expect("starts");
        let sliced = loop {
            if let Some(r) = s.step(300).expect("no stop") {
                break r;
            }
        };
        assert_eq!(sliced, r);
        assert!(
            r.to_csv()
                .starts_with("workers,mean [ms],mean ±95% [ms],p50 [ms]")
        );
        assert_eq!(r.to_csv().lines().count(), 4);
    }

    #[test]
    fn the_page_starts_on_a_sensible_parameter_and_range() {
        let t = fixtures::three_tier();
        assert_eq!(default_param(&t, "users").as_deref(), Some("rate"));
        assert_eq!(default_param(&t, "app1").as_deref(), Some("instances"));
        assert_eq!(current(&t, "users", "rate"), Some(200.0));
        assert_eq!(suggest(&t, "users", "rate"), (50.0, 400.0));
        assert_eq!(suggest(&t, "app1", "workers"), (1.0, 8.0));
        assert_eq!(suggest(&t, "app1", "service_time.median_ms"), (7.5, 30.0));
    }

    #[test]
    fn an_edge_timeout_can_be_swept() {
        let t = single_station(30.0, 1, None, Dist::exponential_ms(10.0), 3.0, 2);
        let ps = params(&t, "c->s").expect("edge");
        assert!(ps.iter().any(|p| p.path == "timeout_ms" && p.unit == "ms"));
        let r = sweep(&t, spec("c->s", "timeout_ms", 5.0, 100.0, 3, 2)).expect("runs");
        let err = |i: usize| r.points[i].figure(Headline::ErrorRate).mean;
        // A 5 ms timeout on 10 ms mean service fails most requests; 100 ms few.
        assert!(err(0) > 30.0 && err(2) < err(0), "{} {}", err(0), err(2));
    }

    #[test]
    fn an_mm1_sweep_of_the_arrival_rate_follows_theory_and_has_its_knee_where_theory_puts_it() {
        // M/M/1, μ = 100/s (10 ms exponential service), zero-latency links: mean time in system 1/(μ − λ);
        // p99 = ln(100)/(μ − λ). The knee rule (first p99 > 2 × the baseline at λ₀ = 10) then falls at the
        // first λ with μ − λ < (μ − λ₀)/2, i.e. λ > 55: the point λ = 60 (theory p99 there 115 ms against a
        // threshold of 102 ms; at λ = 50 it is 92 ms). Tolerance: the mean within 8 % of theory at each
        // point (400 s runs, 5 seeds; measured worst 2.1 %, at λ = 80).
        let t = single_station(10.0, 1, None, Dist::exponential_ms(10.0), 400.0, 1);
        let r = sweep(&t, spec("c", "rate", 10.0, 80.0, 8, 5)).expect("runs");
        for p in &r.points {
            let theory = 1000.0 / (100.0 - p.value);
            let got = p.figure(Headline::Mean).mean;
            assert!(
                (got - theory).abs() <= 0.08 * theory,
                "λ = {}: mean {got:.2} ms, theory {theory:.2} ms",
                p.value
            );
        }
        assert_eq!(r.knee.map(|i| r.points[i].value), Some(60.0));
    }

    #[test]
    fn more_workers_never_raise_an_mmc_mean_latency() {
        // M/M/c, λ = 40/s, 20 ms exponential service: c = 1 is at ρ = 0.8 (mean 100 ms), more workers can only
        // shorten the wait; on the same seeds the mean over the seeds is non-increasing in c.
        let t = single_station(40.0, 1, None, Dist::exponential_ms(20.0), 50.0, 3);
        let r = sweep(&t, spec("s", "workers", 1.0, 5.0, 5, 4)).expect("runs");
        let means: Vec<f64> = r
            .points
            .iter()
            .map(|p| p.figure(Headline::Mean).mean)
            .collect();
        assert!(means.windows(2).all(|w| w[1] <= w[0]), "{means:?}");
        // Falling curve: the knee is found walking down from many workers, at c = 1.
        assert_eq!(r.knee, Some(0));
    }
}
