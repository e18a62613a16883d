//! "Check my design": the learner's diagram run under the challenge's conditions on every seed of
//! [`CHECK_SEEDS`], each goal judged on every seed.
//!
//! The conditions are the challenge's, not the diagram's: its settings (duration, warm-up, links), its
//! faults, its clients (the traffic) and its given nodes, which the design must keep as they are, and no
//! edge may set its own latency or loss unless the starting diagram's same edge does. What the learner
//! changes is everything else: nodes added, removed, rewired, reconfigured.
//!
//! A goal passes when it holds on every seed; the value shown is the mean over the seeds with its 95 %
//! Student-t interval ([`stats::interval95`]). A failed goal names the mechanism behind it with the "why"
//! findings of its worst seed.

use serde::{Deserialize, Serialize};

use super::goal::{self, Goal};
use super::{CHECK_SEEDS, Challenge};
use crate::components::{Kind, parse_params};
use crate::report::Report;
use crate::sim::Sim;
use crate::stats;
use crate::time::SimTime;
use crate::topology::{FaultAction, Node, Topology};
use crate::validate::{Severity, validate};

/// Why a design cannot be checked, each problem a sentence saying what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// the problems, in diagram order
    pub problems: Vec<String>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for Refusal {}

/// One goal's verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalResult {
    /// the goal in words
    pub text: String,
    /// the measured value, per seed (one value for a design measure)
    pub values: Vec<f64>,
    /// their mean
    pub mean: f64,
    /// the 95 % interval's ends (equal to the mean for a design measure)
    pub low: f64,
    /// the 95 % interval's upper end
    pub high: f64,
    /// seeds on which the goal held
    pub passed_seeds: usize,
    /// whether it held on every seed
    pub passed: bool,
    /// the measured value in words: `132 ms (95 % interval 120–144 ms)`
    pub measured: String,
    /// for a failed goal, what made it fail (the worst seed's findings), else empty
    pub why: Vec<String>,
}

/// The verdict of a check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// the challenge's name
    pub challenge: String,
    /// the seeds it ran on
    pub seeds: Vec<u64>,
    /// one verdict per goal, in the challenge's order
    pub goals: Vec<GoalResult>,
    /// things the learner should know about how the design was run (its own faults left out)
    pub notes: Vec<String>,
}

impl CheckResult {
    /// Whether every goal held on every seed.
    pub fn passed(&self) -> bool {
        self.goals.iter().all(|g| g.passed)
    }

    /// One line: `Passed: 3 of 3 goals on 5 seeds` or `2 of 3 goals failed`.
    pub fn summary(&self) -> String {
        let n = self.goals.len();
        let failed = self.goals.iter().filter(|g| !g.passed).count();
        if failed == 0 {
            format!(
                "Passed: {n} of {n} goals met on all {} seeds",
                self.seeds.len()
            )
        } else {
            format!("Not yet: {failed} of {n} goals failed")
        }
    }

    /// The result as a plain-text table for the runner.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        for g in &self.goals {
            let mark = if g.passed { "pass" } else { "FAIL" };
            let seeds = if g.values.len() > 1 {
                format!(" [{} of {} seeds]", g.passed_seeds, g.values.len())
            } else {
                String::new()
            };
            out.push_str(&format!("{mark}  {}: {}{seeds}\n", g.text, g.measured));
            for w in &g.why {
                out.push_str(&format!("      why: {w}\n"));
            }
        }
        for n in &self.notes {
            out.push_str(&format!("note: {n}\n"));
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }
}

/// A node's label, or its id when it has none.
fn label(n: &Node) -> &str {
    if n.label.is_empty() { &n.id } else { &n.label }
}

/// Whether two nodes are the same for the check: kind, region and parameters as the engine reads them
/// (defaults filled in, so `{}` equals the defaults written out).
fn same_node(a: &Node, b: &Node) -> bool {
    if a.kind != b.kind || a.region != b.region {
        return false;
    }
    match Kind::from_name(&a.kind) {
        Some(k) => match (parse_params(k, &a.params), parse_params(k, &b.params)) {
            (Ok(x), Ok(y)) => x == y,
            _ => a.params == b.params,
        },
        None => a.params == b.params,
    }
}

/// The diagram the check runs: `design` under the challenge's settings, faults and clients, or the reasons it
/// cannot be run. The seed is set per run.
pub fn world(ch: &Challenge, design: &Topology) -> Result<Topology, Refusal> {
    let mut problems = Vec::new();
    let errors: Vec<String> = validate(design)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    if !errors.is_empty() {
        problems.push(format!(
            "The diagram cannot run yet: {}",
            errors
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let start = &ch.start;
    let is_client = |n: &&Node| n.kind == "client";
    for c in start.nodes.iter().filter(is_client) {
        match design.node(&c.id) {
            None => problems.push(format!(
                "Put the client “{}” back: its traffic is what the design must serve.",
                label(c)
            )),
            Some(d) if !same_node(c, d) => problems.push(format!(
                "Change the client “{}” back as the challenge gives it: its rate, keys and timeout are the \
                 traffic you design for.",
                label(c)
            )),
            Some(_) => {}
        }
    }
    for d in design.nodes.iter().filter(is_client) {
        if start.node(&d.id).is_none_or(|s| s.kind != "client") {
            problems.push(format!(
                "Remove the client “{}”: the check sends the challenge's traffic only.",
                label(d)
            ));
        }
    }
    let mut needed: Vec<&str> = ch.given.iter().map(String::as_str).collect();
    for f in &start.faults {
        match &f.action {
            FaultAction::Kill { node }
            | FaultAction::Revive { node }
            | FaultAction::Slow { node, .. } => needed.push(node),
            FaultAction::CutLink { edge } | FaultAction::HealLink { edge } => {
                if !design.edges.iter().any(|e| &e.name() == edge) {
                    problems.push(format!(
                        "Keep the link “{edge}”: the check cuts it at {} s.",
                        f.at_s
                    ));
                }
            }
            FaultAction::Partition { nodes, .. } => needed.extend(nodes.iter().map(String::as_str)),
            FaultAction::Spike { .. } | FaultAction::HealPartition { .. } => {}
        }
    }
    for g in &ch.goals {
        needed.extend(g.measure.nodes());
    }
    crate::sorting::sort_by(&mut needed, Ord::cmp);
    needed.dedup();
    for id in needed {
        let Some(s) = start.node(id) else { continue };
        if s.kind == "client" {
            continue;
        }
        let given = ch.given.iter().any(|g| g == id);
        match design.node(id) {
            None => problems.push(format!(
                "Put “{}” ({}) back: the check needs it.",
                label(s),
                s.id
            )),
            Some(d) if d.kind != s.kind => problems.push(format!(
                "“{}” must stay a {}.",
                label(s),
                s.kind.replace('_', " ")
            )),
            Some(d) if given && !same_node(s, d) => problems.push(format!(
                "Change “{}” back as the challenge gives it: it is part of the situation, not of the design.",
                label(s)
            )),
            Some(_) => {}
        }
    }
    // The wiring among given nodes is part of the situation too (a resolver's edges to the root and TLD).
    let fixed = |id: &str| ch.given.iter().any(|g| g == id);
    for e in start
        .edges
        .iter()
        .filter(|e| fixed(&e.from) && fixed(&e.to))
    {
        if !design
            .edges
            .iter()
            .any(|d| d.from == e.from && d.to == e.to)
        {
            problems.push(format!(
                "Keep the connection {} → {}: it is part of the situation.",
                start.node(&e.from).map_or(e.from.as_str(), label),
                start.node(&e.to).map_or(e.to.as_str(), label)
            ));
        }
    }
    for e in &design.edges {
        if e.latency.is_none() && e.loss.is_none() {
            continue;
        }
        let theirs = start
            .edges
            .iter()
            .find(|s| s.from == e.from && s.to == e.to);
        if theirs.is_none_or(|s| s.latency != e.latency || s.loss != e.loss) {
            problems.push(format!(
                "The link {} → {} sets its own latency or loss: links are the challenge's (move a node to \
                 another region instead).",
                e.from, e.to
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Refusal { problems });
    }
    let mut w = design.clone();
    w.settings = start.settings.clone();
    w.settings.trace_capacity = 0;
    w.faults = start.faults.clone();
    Ok(w)
}

/// A check in progress: one seed's run at a time, in slices of events, so a page can keep drawing.
#[derive(Debug)]
pub struct Check<'a> {
    challenge: &'a Challenge,
    design: Topology,
    world: Topology,
    sim: Option<Sim>,
    reports: Vec<Report>,
    notes: Vec<String>,
}

impl<'a> Check<'a> {
    /// Prepares a check of `design`, or says why it cannot be run.
    pub fn start(challenge: &'a Challenge, design: &Topology) -> Result<Check<'a>, Refusal> {
        let world = world(challenge, design)?;
        if let Err(e) = Sim::new(&world) {
            return Err(Refusal {
                problems: e
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .map(|d| d.to_string())
                    .collect(),
            });
        }
        let mut notes = Vec::new();
        if !design.faults.is_empty() && design.faults != challenge.start.faults {
            notes.push(
                "Your diagram's own faults were left out: the check applies the challenge's."
                    .into(),
            );
        }
        Ok(Check {
            challenge,
            design: design.clone(),
            world,
            sim: None,
            reports: Vec::new(),
            notes,
        })
    }

    /// Seeds finished so far, of [`CHECK_SEEDS`].
    pub fn seeds_done(&self) -> usize {
        self.reports.len()
    }

    /// How far the whole check has come, from 0 to 1: finished seeds plus the running one's simulated time
    /// over the run's duration.
    pub fn progress(&self) -> f64 {
        let n = CHECK_SEEDS.len() as f64;
        let part = match &self.sim {
            Some(s) if self.world.settings.duration_s > 0.0 => {
                (s.now().as_secs() / self.world.settings.duration_s).clamp(0.0, 1.0)
            }
            _ => 0.0,
        };
        ((self.reports.len() as f64 + part) / n).min(1.0)
    }

    /// Runs at most `event_budget` events (at least one seed's build), and returns the verdict once the last
    /// seed has finished.
    pub fn step(&mut self, event_budget: u64) -> Option<CheckResult> {
        if self.reports.len() == CHECK_SEEDS.len() {
            return Some(self.result());
        }
        let sim = match &mut self.sim {
            Some(s) => s,
            None => {
                let mut w = self.world.clone();
                w.settings.seed = CHECK_SEEDS[self.reports.len()];
                // The world was built once in `start`; only the seed differs.
                let sim = Sim::new(&w).expect("the checked world builds");
                self.sim.insert(sim)
            }
        };
        let p = sim.run_until(SimTime::MAX, event_budget.max(1));
        if p.finished {
            self.reports.push(sim.report());
            self.sim = None;
            if self.reports.len() == CHECK_SEEDS.len() {
                return Some(self.result());
            }
        }
        None
    }

    /// The verdict from the finished runs.
    fn result(&self) -> CheckResult {
        let goals = self
            .challenge
            .goals
            .iter()
            .map(|g| {
                judge(
                    g,
                    &self.challenge.start,
                    &self.design,
                    &self.world,
                    &self.reports,
                )
            })
            .collect();
        CheckResult {
            challenge: self.challenge.name.clone(),
            seeds: CHECK_SEEDS.to_vec(),
            goals,
            notes: self.notes.clone(),
        }
    }
}

/// Checks `design` against `challenge` to the end.
pub fn check(challenge: &Challenge, design: &Topology) -> Result<CheckResult, Refusal> {
    let mut c = Check::start(challenge, design)?;
    loop {
        if let Some(r) = c.step(u64::MAX) {
            return Ok(r);
        }
    }
}

/// One goal judged on the runs (or on the design).
fn judge(
    g: &Goal,
    start: &Topology,
    design: &Topology,
    world: &Topology,
    reports: &[Report],
) -> GoalResult {
    let text = g.text(start);
    if g.measure.from_design() {
        let value = g
            .measure
            .of_design(design, g.at_most.is_some())
            .unwrap_or(0.0);
        let passed = g.met_by(value);
        let why = if passed {
            Vec::new()
        } else {
            design_why(g, design)
        };
        return GoalResult {
            text,
            values: vec![value],
            mean: value,
            low: value,
            high: value,
            passed_seeds: usize::from(passed),
            passed,
            measured: g.show(value),
            why,
        };
    }
    let values: Vec<f64> = reports
        .iter()
        .map(|r| g.measure.of_run(r).unwrap_or(0.0))
        .collect();
    let (mean, low, high) = stats::interval95(&values);
    let passed_seeds = values.iter().filter(|&&v| g.met_by(v)).count();
    let passed = passed_seeds == values.len();
    let measured = if (high - low).abs() < 1e-12 {
        g.show(mean)
    } else {
        // A share or count cannot go below zero; the interval is clipped where the normal approximation
        // would put it there.
        format!(
            "{} (95 % interval {}–{})",
            g.show(mean),
            g.show(low.max(0.0)),
            g.show(high)
        )
    };
    let why = if passed {
        Vec::new()
    } else {
        // The seed furthest past the bound.
        let miss = |v: f64| {
            g.at_most
                .map_or(0.0, |m| v - m)
                .max(g.at_least.map_or(0.0, |m| m - v))
        };
        let worst = (0..values.len())
            .max_by(|&a, &b| miss(values[a]).total_cmp(&miss(values[b])))
            .unwrap_or(0);
        goal::why(g, world, &reports[worst], 2)
    };
    GoalResult {
        text,
        values,
        mean,
        low,
        high,
        passed_seeds,
        passed,
        measured,
        why,
    }
}

/// The nodes that break a design goal.
fn design_why(g: &Goal, design: &Topology) -> Vec<String> {
    match &g.measure {
        goal::Measure::Param { kind, param } => design
            .nodes
            .iter()
            .filter(|n| &n.kind == kind)
            .filter_map(|n| {
                let v = goal::param_value(&n.kind, &n.params, param)?;
                (!g.met_by(v)).then(|| format!("{} has {}", label(n), g.show(v)))
            })
            .collect(),
        _ => Vec::new(),
    }
}
