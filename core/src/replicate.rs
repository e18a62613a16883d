//! Replications: one diagram run on `k` seeds (default [`DEFAULT_REPLICATIONS`]), each headline figure
//! (mean, p50, p95, p99 latency, throughput, error rate) given as its mean over the seeds with a 95 %
//! Student-t interval ([`stats::Interval`]).
//!
//! The seeds are the diagram's own seed and the next `k − 1` (`seed, seed + 1, …`, wrapping), so a
//! replication set is reproducible from the diagram alone and two variants compared on "the same seeds" run
//! exactly the same ones. [`Replications`] runs them one seed at a time in slices of events
//! ([`Replications::step`]), the pattern of `challenges::Check`, so the page can run a few per frame; every
//! slice runs under the memory guard.

use serde::Serialize;

use crate::limits::{self, MAX_RUN_MEMORY};
use crate::report::Report;
use crate::sim::Sim;
use crate::stats::Interval;
use crate::time::SimTime;
use crate::topology::Topology;

/// Replications when none are asked for.
pub const DEFAULT_REPLICATIONS: u32 = 10;
/// The most replications one set runs (each is a whole run).
pub const MAX_REPLICATIONS: u32 = 200;

/// A figure every run reports, summarised over the seeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Headline {
    /// mean latency of the successes [ms]
    Mean,
    /// median latency of the successes [ms]
    P50,
    /// 95th percentile [ms]
    P95,
    /// 99th percentile [ms]
    P99,
    /// successes per second of the measured window [req/s]
    Throughput,
    /// of the requests that ended, the share that did not succeed (failed, timed out, rejected, …), 0–1
    ErrorRate,
}

impl Headline {
    /// Every headline figure, in the order they are shown.
    pub const ALL: [Headline; 6] = [
        Headline::Mean,
        Headline::P50,
        Headline::P95,
        Headline::P99,
        Headline::Throughput,
        Headline::ErrorRate,
    ];

    /// The key the page and the JSON use: `mean`, `p50`, `p95`, `p99`, `throughput`, `error_rate`.
    pub fn key(self) -> &'static str {
        match self {
            Headline::Mean => "mean",
            Headline::P50 => "p50",
            Headline::P95 => "p95",
            Headline::P99 => "p99",
            Headline::Throughput => "throughput",
            Headline::ErrorRate => "error_rate",
        }
    }

    /// The label in words.
    pub fn label(self) -> &'static str {
        match self {
            Headline::Mean => "mean latency",
            Headline::P50 => "p50",
            Headline::P95 => "p95",
            Headline::P99 => "p99",
            Headline::Throughput => "throughput",
            Headline::ErrorRate => "error rate",
        }
    }

    /// The unit the value is shown in (the error rate as a percentage).
    pub fn unit(self) -> &'static str {
        match self {
            Headline::Throughput => "req/s",
            Headline::ErrorRate => "%",
            _ => "ms",
        }
    }

    /// Whether a smaller value is the better one (all but throughput).
    pub fn lower_is_better(self) -> bool {
        self != Headline::Throughput
    }

    /// The figure in one report, in its unit (the error rate in percent).
    pub fn of(self, r: &Report) -> f64 {
        let l = &r.latency_ms;
        match self {
            Headline::Mean => l.mean,
            Headline::P50 => l.p50,
            Headline::P95 => l.p95,
            Headline::P99 => l.p99,
            Headline::Throughput => r.throughput_rps,
            Headline::ErrorRate => {
                let ended = r.requests.outcomes.total();
                if ended == 0 {
                    0.0
                } else {
                    100.0 * (ended - r.requests.completed()) as f64 / ended as f64
                }
            }
        }
    }

    /// A value of this figure as text, without the unit: `12.34` ms, `812.5` req/s, `0.40` %.
    pub fn show(self, v: f64) -> String {
        match self {
            Headline::Throughput => format!("{v:.1}"),
            _ => format!("{v:.2}"),
        }
    }
}

/// One headline figure over the seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FigureInterval {
    /// which figure
    pub figure: Headline,
    /// its value on each seed, in seed order
    pub values: Vec<f64>,
    /// their mean and 95 % half-width
    pub interval: Interval,
}

impl FigureInterval {
    /// `12.34 ± 0.56 ms`.
    pub fn text(&self) -> String {
        let f = self.figure;
        format!(
            "{} ± {} {}",
            f.show(self.interval.mean),
            f.show(self.interval.half),
            f.unit()
        )
    }
}

/// The headline figures of a finished replication set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// the seeds, in the order they ran
    pub seeds: Vec<u64>,
    /// one entry per [`Headline::ALL`]
    pub figures: Vec<FigureInterval>,
}

impl Summary {
    /// The summary of finished runs.
    pub fn of(reports: &[Report]) -> Summary {
        Summary {
            seeds: reports.iter().map(|r| r.seed).collect(),
            figures: Headline::ALL
                .iter()
                .map(|&figure| {
                    let values: Vec<f64> = reports.iter().map(|r| figure.of(r)).collect();
                    FigureInterval {
                        figure,
                        interval: Interval::of(&values),
                        values,
                    }
                })
                .collect(),
        }
    }

    /// One figure's entry.
    pub fn get(&self, figure: Headline) -> Option<&FigureInterval> {
        self.figures.iter().find(|f| f.figure == figure)
    }

    /// The summary as the runner prints it: one line per figure, `p99  12.34 ± 0.56 ms  (11.78 to 12.90)`.
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "{} seeds ({}), mean ± 95 % Student-t half-width\n",
            self.seeds.len(),
            seed_range(&self.seeds)
        );
        for f in &self.figures {
            out.push_str(&format!(
                "{:<13} {:<24} ({} to {})\n",
                f.figure.label(),
                f.text(),
                f.figure.show(f.interval.low()),
                f.figure.show(f.interval.high())
            ));
        }
        out
    }
}

/// `1–10`, or the seeds listed when they are not consecutive.
fn seed_range(seeds: &[u64]) -> String {
    match (seeds.first(), seeds.last()) {
        (Some(a), Some(b)) if seeds.windows(2).all(|w| w[1] == w[0].wrapping_add(1)) => {
            if a == b {
                format!("seed {a}")
            } else {
                format!("seeds {a}–{b}")
            }
        }
        _ => seeds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The `k` seeds a replication set of a diagram with seed `base` runs: `base, base + 1, …` (wrapping).
pub fn seeds(base: u64, k: u32) -> Vec<u64> {
    (0..u64::from(k)).map(|i| base.wrapping_add(i)).collect()
}

/// Why replications could not run or stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicationError(pub String);

impl std::fmt::Display for ReplicationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReplicationError {}

/// A replication set in progress: one seed's run at a time, in slices of events.
#[derive(Debug)]
pub struct Replications {
    topo: Topology,
    seeds: Vec<u64>,
    sim: Option<Sim>,
    reports: Vec<Report>,
    memory_cap: usize,
}

impl Replications {
    /// Prepares `topo` on `seeds` (see [`seeds`]); refuses a diagram that does not build, no seeds or more
    /// than [`MAX_REPLICATIONS`]. The trace is not kept (nothing animates these runs).
    pub fn start(topo: &Topology, seeds: Vec<u64>) -> Result<Replications, ReplicationError> {
        if seeds.is_empty() || seeds.len() > MAX_REPLICATIONS as usize {
            return Err(ReplicationError(format!(
                "replications run on 1 to {MAX_REPLICATIONS} seeds, not {}",
                seeds.len()
            )));
        }
        let mut topo = topo.clone();
        topo.settings.trace_capacity = 0;
        Sim::new(&topo).map_err(|e| ReplicationError(e.to_string()))?;
        Ok(Replications {
            topo,
            seeds,
            sim: None,
            reports: Vec::new(),
            memory_cap: MAX_RUN_MEMORY,
        })
    }

    /// Sets the memory guard's cap for each run [bytes] (default [`MAX_RUN_MEMORY`]).
    pub fn with_memory_cap(mut self, cap: usize) -> Replications {
        self.memory_cap = cap;
        self
    }

    /// The seeds it runs.
    pub fn seeds(&self) -> &[u64] {
        &self.seeds
    }

    /// Seeds finished so far.
    pub fn seeds_done(&self) -> usize {
        self.reports.len()
    }

    /// Whether every seed has finished.
    pub fn finished(&self) -> bool {
        self.reports.len() == self.seeds.len()
    }

    /// The finished runs' reports, in seed order.
    pub fn reports(&self) -> &[Report] {
        &self.reports
    }

    /// From 0 to 1: finished seeds plus the running one's simulated time over the run's duration.
    pub fn progress(&self) -> f64 {
        let part = match &self.sim {
            Some(s) if self.topo.settings.duration_s > 0.0 => {
                (s.now().as_secs() / self.topo.settings.duration_s).clamp(0.0, 1.0)
            }
            _ => 0.0,
        };
        ((self.reports.len() as f64 + part) / self.seeds.len() as f64).min(1.0)
    }

    /// Runs at most `event_budget` events of the current seed (building its simulation first if needed);
    /// the summary once the last seed has finished, an error when a run passes the memory cap.
    pub fn step(&mut self, event_budget: u64) -> Result<Option<Summary>, ReplicationError> {
        if self.finished() {
            return Ok(Some(self.summary()));
        }
        let sim = match &mut self.sim {
            Some(s) => s,
            None => {
                let mut t = self.topo.clone();
                t.settings.seed = self.seeds[self.reports.len()];
                let sim = Sim::new(&t).map_err(|e| ReplicationError(e.to_string()))?;
                self.sim.insert(sim)
            }
        };
        let (p, stop) =
            limits::run_guarded(sim, SimTime::MAX, event_budget.max(1), self.memory_cap);
        if let Some(m) = stop {
            let seed = self.seeds[self.reports.len()];
            self.sim = None;
            return Err(ReplicationError(format!("seed {seed}: the run was {m}")));
        }
        if p.finished {
            self.reports.push(sim.report());
            self.sim = None;
            if self.finished() {
                return Ok(Some(self.summary()));
            }
        }
        Ok(None)
    }

    /// The summary of the seeds finished so far.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.reports)
    }

    /// Runs every remaining seed to its end.
    pub fn run_to_end(&mut self) -> Result<Summary, ReplicationError> {
        loop {
            if let Some(s) = self.step(u64::MAX)? {
                return Ok(s);
            }
        }
    }
}

/// Runs `topo` on `k` seeds from its own ([`seeds`]) to the end.
pub fn replicate(topo: &Topology, k: u32) -> Result<Summary, ReplicationError> {
    Replications::start(topo, seeds(topo.settings.seed, k))?.run_to_end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::fixtures::single_station;

    #[test]
    fn seeds_follow_the_diagrams_own() {
        assert_eq!(seeds(7, 3), vec![7, 8, 9]);
        assert_eq!(seeds(u64::MAX, 2), vec![u64::MAX, 0]);
        assert_eq!(seed_range(&[3, 4, 5]), "seeds 3–5");
        assert_eq!(seed_range(&[3]), "seed 3");
        assert_eq!(seed_range(&[3, 9]), "3, 9");
    }

    #[test]
    fn slicing_does_not_change_the_summary() {
        let t = single_station(200.0, 1, None, Dist::exponential_ms(2.0), 5.0, 11);
        let whole = replicate(&t, 3).expect("runs");
        let mut r = Replications::start(&t, seeds(11, 3)).expect("builds");
        let sliced = loop {
            if let Some(s) = r.step(500).expect("no memory stop") {
                break s;
            }
        };
        assert_eq!(whole, sliced);
        assert_eq!(whole.seeds, vec![11, 12, 13]);
        let p99 = whole.get(Headline::P99).expect("present");
        assert_eq!(p99.values.len(), 3);
        assert!(p99.interval.half > 0.0);
    }

    #[test]
    fn no_seeds_or_too_many_are_refused() {
        let t = single_station(10.0, 1, None, Dist::exponential_ms(2.0), 1.0, 1);
        assert!(Replications::start(&t, vec![]).is_err());
        assert!(Replications::start(&t, seeds(1, MAX_REPLICATIONS + 1)).is_err());
    }
}
