//! The recent window: what the last [`WINDOW_S`] seconds of simulated time say about each node. The cards'
//! alarms (utilisation ring, the red "saturated" outline, a cache's hit ratio), the metrics panel's "last 5 s"
//! figures and the "why" findings all read this one [`Recent`], so they tell one story with the same numbers.
//!
//! Utilisation and queues come from the report's time series (one point per interval); counts (arrivals,
//! drops, errors, a cache's hits and misses) are differences between the report now and the report a window
//! ago, which a [`History`] remembers as the run advances. Without a history (a finished run read from the
//! command line) the counts are the whole run's.

use std::collections::{BTreeMap, VecDeque};

use crate::report::Report;

/// Length of the recent window [s of simulated time].
pub const WINDOW_S: f64 = 5.0;
/// Utilisation at or above which a node is saturated, whatever its queue does [0..1].
pub const SATURATED: f64 = 0.95;
/// Utilisation at or above which a node that also turns requests away or whose queue grows is saturated.
pub const LOADED: f64 = 0.85;
/// Queue growth [requests/s] that, with [`LOADED`] utilisation, means the node cannot keep up.
pub const GROWING: f64 = 1.0;
/// The queue's growth is a trend: its slope is fitted over this many windows (a 5 s slope of a random queue
/// swings too much to quote).
const TREND_WINDOWS: f64 = 2.0;

/// A node's running totals at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Counts {
    arrivals: u64,
    served: u64,
    dropped: u64,
    errors: u64,
    hits: u64,
    misses: u64,
    evictions: u64,
    expirations: u64,
}

impl Counts {
    fn minus(self, o: Counts) -> Counts {
        Counts {
            arrivals: self.arrivals.saturating_sub(o.arrivals),
            served: self.served.saturating_sub(o.served),
            dropped: self.dropped.saturating_sub(o.dropped),
            errors: self.errors.saturating_sub(o.errors),
            hits: self.hits.saturating_sub(o.hits),
            misses: self.misses.saturating_sub(o.misses),
            evictions: self.evictions.saturating_sub(o.evictions),
            expirations: self.expirations.saturating_sub(o.expirations),
        }
    }
}

/// Each node's totals, in the order of the report's nodes (sorted by id, each once): a `Vec` searched by
/// id rather than a `BTreeMap`, whose code would be compiled for this one type (the Wasm's size).
type Totals = Vec<(String, Counts)>;

/// The totals of node `id`.
fn totals_of(totals: &Totals, id: &str) -> Option<Counts> {
    let i = totals.binary_search_by(|(k, _)| k.as_str().cmp(id)).ok()?;
    Some(totals[i].1)
}

fn counts(report: &Report) -> Totals {
    report
        .nodes
        .iter()
        .map(|(id, n)| {
            let c = n.cache();
            (
                id.clone(),
                Counts {
                    arrivals: n.arrivals,
                    served: n.served,
                    dropped: n.dropped,
                    errors: n.errors,
                    hits: c.map_or(0, |c| c.hits),
                    misses: c.map_or(0, |c| c.misses),
                    evictions: c.map_or(0, |c| c.evictions),
                    expirations: c.map_or(0, |c| c.expirations),
                },
            )
        })
        .collect()
}

/// The reports' totals at successive moments of one run, kept for as long as the window needs them. Record
/// a report every so often (the page does at each summary); clear it when the run restarts.
#[derive(Clone, Debug, Default)]
pub struct History {
    samples: VecDeque<(f64, Totals)>,
}

impl History {
    /// An empty history.
    pub fn new() -> History {
        History::default()
    }

    /// Forgets everything (a new run).
    pub fn clear(&mut self) {
        self.samples.clear();
    }

    /// Remembers `report`'s totals at its clock, and forgets samples the window no longer reaches (keeping
    /// the last one before it, the window's start).
    pub fn record(&mut self, report: &Report) {
        let now = report.end_s;
        if self.samples.back().is_some_and(|(t, _)| *t > now) {
            // The clock went back: a new run.
            self.samples.clear();
        }
        if self.samples.back().is_some_and(|(t, _)| *t == now) {
            self.samples.pop_back();
        }
        self.samples.push_back((now, counts(report)));
        while self.samples.len() > 2 && self.samples[1].0 <= now - WINDOW_S {
            self.samples.pop_front();
        }
    }

    /// The sample the window ending at `now` starts from: the latest at or before `now − WINDOW_S`, else the
    /// earliest one older than `now`.
    fn base(&self, now: f64) -> Option<&(f64, Totals)> {
        self.samples
            .iter()
            .rev()
            .find(|(t, _)| *t <= now - WINDOW_S)
            .or_else(|| self.samples.iter().find(|(t, _)| *t < now))
    }
}

/// What the recent window says about one node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeRecent {
    /// mean share of worker time taken over the window [0..1] (0 for kinds without workers)
    pub utilization: f64,
    /// requests waiting at the window's last grid point
    pub queue: u32,
    /// least-squares slope of the queue length over the last two windows [requests/s]
    pub queue_growth: f64,
    /// requests that arrived in the window
    pub arrivals: u64,
    /// requests answered successfully in the window
    pub served: u64,
    /// requests turned away (full queue, or down) in the window
    pub dropped: u64,
    /// requests failed in the window
    pub errors: u64,
    /// a cache's hits and misses in the window
    pub cache: Option<(u64, u64)>,
    /// a cache's evictions and expirations in the window
    pub churn: Option<(u64, u64)>,
    /// whether the node measured any utilisation (it has workers)
    pub has_workers: bool,
    /// the node cannot keep up: busy at least [`SATURATED`] of the time, or at least [`LOADED`] while it
    /// turns requests away or its queue grows by [`GROWING`] or more
    pub saturated: bool,
}

impl NodeRecent {
    /// A cache's hit ratio over the window, when it had reads.
    pub fn hit_ratio(&self) -> Option<f64> {
        let (h, m) = self.cache?;
        (h + m > 0).then(|| h as f64 / (h + m) as f64)
    }
}

/// The recent window of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recent {
    /// where the window starts [s of simulated time]
    pub from_s: f64,
    /// where it ends: the run's clock [s]
    pub to_s: f64,
    /// whether the counts are the window's (else, with no history, the whole run's)
    pub windowed: bool,
    /// per node id
    pub nodes: BTreeMap<String, NodeRecent>,
}

impl Recent {
    /// The window ending at `report`'s clock; counts from `history` when there is one.
    pub fn of(report: &Report, history: Option<&History>) -> Recent {
        let to_s = report.end_s;
        let now = counts(report);
        let base = history.and_then(|h| h.base(to_s));
        let from_s = base.map_or(0.0, |(t, _)| *t);
        let in_last = |span: f64| -> Vec<&crate::report::SeriesPoint> {
            report
                .series
                .points
                .iter()
                .filter(|p| p.t_s > to_s - span - 1e-9 && p.t_s <= to_s + 1e-9)
                .collect()
        };
        let points = in_last(WINDOW_S);
        let trend = in_last(TREND_WINDOWS * WINDOW_S);
        let mut nodes = BTreeMap::new();
        for (id, n) in &report.nodes {
            let c = totals_of(&now, id).unwrap_or_default();
            let d = base
                .and_then(|(_, b)| totals_of(b, id))
                .map_or(c, |b| c.minus(b));
            let index = report.series.node_ids.iter().position(|x| x == id);
            let sample = |pts: &[&crate::report::SeriesPoint]| -> Vec<(f64, f64, f64)> {
                index
                    .map(|i| {
                        pts.iter()
                            .filter_map(|p| {
                                p.nodes
                                    .get(i)
                                    .map(|s| (p.t_s, f64::from(s.queue), s.utilization))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let samples = sample(&points);
            let (utilization, queue, queue_growth) = if samples.is_empty() {
                // No grid point yet: the whole run so far.
                (n.utilization, n.mean_queue.round() as u32, 0.0)
            } else {
                (
                    samples.iter().map(|s| s.2).sum::<f64>() / samples.len() as f64,
                    samples.last().map_or(0, |s| s.1 as u32),
                    slope(sample(&trend).iter().map(|s| (s.0, s.1))),
                )
            };
            let has_workers = utilization > 0.0 || n.utilization > 0.0;
            let saturated = utilization >= SATURATED
                || (utilization >= LOADED && (d.dropped > 0 || queue_growth >= GROWING));
            let is_cache = n.cache().is_some();
            nodes.insert(
                id.clone(),
                NodeRecent {
                    utilization,
                    queue,
                    queue_growth,
                    arrivals: d.arrivals,
                    served: d.served,
                    dropped: d.dropped,
                    errors: d.errors,
                    cache: is_cache.then_some((d.hits, d.misses)),
                    churn: is_cache.then_some((d.evictions, d.expirations)),
                    has_workers,
                    saturated,
                },
            );
        }
        Recent {
            from_s,
            to_s,
            windowed: base.is_some(),
            nodes,
        }
    }

    /// The saturated nodes, by id.
    pub fn saturated(&self) -> Vec<&str> {
        self.nodes
            .iter()
            .filter(|(_, n)| n.saturated)
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// How the window of the utilisation and queues is named: "in the last 5 s" ("so far" before the first
    /// grid point).
    pub fn busy_words(&self) -> String {
        let span = self.to_s.min(WINDOW_S);
        if self.to_s >= 1.0 {
            format!("in the last {} s", super::round_sig(span.floor().max(1.0)))
        } else {
            "so far".to_string()
        }
    }

    /// How the window of the counts is named: "in the last 5 s" (or "over the run" without a history).
    pub fn span_words(&self) -> String {
        if self.windowed {
            let span = self.to_s - self.from_s;
            format!("in the last {} s", super::round_sig(span.max(0.1)))
        } else {
            "over the run".to_string()
        }
    }
}

/// Least-squares slope of y over x; 0 with fewer than two distinct x.
pub(super) fn slope(points: impl Iterator<Item = (f64, f64)>) -> f64 {
    let pts: Vec<(f64, f64)> = points.collect();
    let n = pts.len() as f64;
    if pts.len() < 2 {
        return 0.0;
    }
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx == 0.0 { 0.0 } else { sxy / sxx }
}
