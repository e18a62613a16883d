//! Metric accumulators: per-node counters and time-weighted levels, end-to-end outcome counters and latency
//! histograms, and the fixed-grid time series. Only the engine writes them. Statistics cover the
//! measurement window `[warmup, duration)`: time averages integrate over it, per-node times and end-to-end
//! outcomes count requests that arrived (or started) inside it.

use hdrhistogram::Histogram;

use crate::outcomes::{OutcomeCounts, Requests};
use crate::time::SimTime;

/// Highest latency the histograms resolve [ns] (about 73 minutes); longer ones are clamped to it.
pub(crate) const HIST_MAX_NS: u64 = 1 << 42;

/// The measurement window.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    pub start: SimTime,
    pub end: SimTime,
}

impl Window {
    #[inline]
    pub fn contains(&self, t: SimTime) -> bool {
        t >= self.start && t < self.end
    }

    pub fn len(&self) -> SimTime {
        self.end.since(self.start)
    }
}

/// One node's accumulators. Laid out by hand, each node's starting a cache line, so what every event at
/// the node reads sits together: the areas `advance` integrates (line 0), the levels, the clock and the
/// arrival and time counts (line 1), the histogram (lines 2–3), the rarer counts after it.
#[repr(C, align(64))]
pub(crate) struct NodeStats {
    busy_area: u128,
    queue_area: u128,
    in_node_area: u128,
    /// busy worker-time since the last series tick [ns]
    pub tick_busy_area: u128,
    time_sum: u128,
    last: SimTime,
    pub workers: u32,
    /// workers taken, now
    pub busy: u32,
    /// requests waiting in the queue, now
    pub queue: u32,
    /// requests that arrived and whose response has not left, now
    pub in_node: u32,
    pub arrivals: u64,
    pub served: u64,
    time_count: u64,
    hist: Histogram<u32>,
    /// arrivals that found every worker taken and joined the queue
    pub waited: u64,
    pub dropped: u64,
    pub errors: u64,
    /// requests it refused by rate limit, dropped past their deadline, blocked as hostile
    pub rate_limited: u64,
    pub shed: u64,
    pub blocked: u64,
}

impl NodeStats {
    pub fn new(workers: u32) -> NodeStats {
        NodeStats {
            arrivals: 0,
            served: 0,
            dropped: 0,
            errors: 0,
            rate_limited: 0,
            shed: 0,
            blocked: 0,
            waited: 0,
            workers,
            busy: 0,
            queue: 0,
            in_node: 0,
            last: SimTime::ZERO,
            busy_area: 0,
            queue_area: 0,
            in_node_area: 0,
            tick_busy_area: 0,
            time_sum: 0,
            time_count: 0,
            hist: Histogram::new_with_bounds(1, HIST_MAX_NS, 2)
                .expect("static histogram bounds are valid"),
        }
    }

    /// Integrates the current levels up to `now`; call before any level changes.
    #[inline]
    pub fn advance(&mut self, now: SimTime, w: &Window) {
        if now <= self.last {
            return;
        }
        let lo = self.last.max(w.start);
        let hi = now.min(w.end);
        if hi > lo {
            let dt = u128::from(hi.0 - lo.0);
            self.busy_area += u128::from(self.busy) * dt;
            self.queue_area += u128::from(self.queue) * dt;
            self.in_node_area += u128::from(self.in_node) * dt;
        }
        self.tick_busy_area += u128::from(self.busy) * u128::from(now.0 - self.last.0);
        self.last = now;
    }

    /// Records one request's time in this node.
    #[inline]
    pub fn record_time(&mut self, ns: u64) {
        self.time_sum += u128::from(ns);
        self.time_count += 1;
        self.hist.saturating_record(ns.max(1));
    }

    /// The (busy, queue, in-node) areas over the window, including the stretch from the last update to `now`
    /// at the current levels [level·ns].
    pub fn areas_until(&self, now: SimTime, w: &Window) -> (f64, f64, f64) {
        let lo = self.last.max(w.start);
        let hi = now.min(w.end);
        let dt = if hi > lo { u128::from(hi.0 - lo.0) } else { 0 };
        (
            (self.busy_area + u128::from(self.busy) * dt) as f64,
            (self.queue_area + u128::from(self.queue) * dt) as f64,
            (self.in_node_area + u128::from(self.in_node) * dt) as f64,
        )
    }

    /// Mean time in node [ms] of requests that arrived in the window and have left.
    pub fn mean_time_ms(&self) -> f64 {
        if self.time_count == 0 {
            0.0
        } else {
            self.time_sum as f64 / self.time_count as f64 / 1e6
        }
    }

    /// 99th percentile of the time in node [ms].
    pub fn p99_time_ms(&self) -> f64 {
        if self.time_count == 0 {
            0.0
        } else {
            self.hist.value_at_quantile(0.99) as f64 / 1e6
        }
    }
}

/// End-to-end outcome counters and latency, for requests started in the window.
pub(crate) struct EndToEnd {
    /// measured requests: sent, how they ended, hop-limited, lost, attacks (`in_flight` is filled in by the
    /// report)
    pub totals: Requests,
    hist: Histogram<u64>,
    sum_ns: u128,
    /// time on links of the completed measured requests [ns]
    pub net_sum_ns: u128,
    /// this series interval, by event time, measured or not
    pub tick: OutcomeCounts,
    /// this series interval's successful latencies, measured or not
    pub tick_latency: TickLatencies,
}

impl EndToEnd {
    /// With a series (`series`), each interval's latencies are kept for its percentiles.
    pub fn new(series: bool) -> EndToEnd {
        EndToEnd {
            totals: Requests::default(),
            hist: latency_histogram(),
            sum_ns: 0,
            net_sum_ns: 0,
            tick: OutcomeCounts::default(),
            tick_latency: TickLatencies::new(series),
        }
    }

    /// A successful response reached its client `ns` after it was sent.
    #[inline]
    pub fn record_latency(&mut self, ns: u64) {
        self.sum_ns += u128::from(ns);
        self.hist.saturating_record(ns.max(1));
    }

    /// Mean time on links of completed requests [ms] (0 without any).
    pub fn network_mean_ms(&self) -> f64 {
        let n = self.hist.len();
        if n == 0 {
            0.0
        } else {
            self.net_sum_ns as f64 / n as f64 / 1e6
        }
    }

    /// Latency summary of completed requests [ms]: mean, p50, p90, p95, p99, p99.9, max.
    pub fn latency_ms(&self) -> [f64; 7] {
        let n = self.hist.len();
        if n == 0 {
            return [0.0; 7];
        }
        let q = |p: f64| self.hist.value_at_quantile(p) as f64 / 1e6;
        [
            self.sum_ns as f64 / n as f64 / 1e6,
            q(0.5),
            q(0.9),
            q(0.95),
            q(0.99),
            q(0.999),
            self.hist.max() as f64 / 1e6,
        ]
    }
}

fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIST_MAX_NS, 3).expect("static histogram bounds are valid")
}

/// One series interval's latencies, for its p50, p95 and p99. The values are kept and ranked at the tick:
/// the q-quantile of an HDR histogram is the top of the bucket holding its k-th smallest value (k = ⌈q·n⌉,
/// at least 1), so ranking gives exactly what recording them into `hist` would — without clearing its
/// 270 KB of counts every interval. A value past the histogram's range (clamped by it) makes the interval
/// go through `hist` itself.
pub(crate) struct TickLatencies {
    on: bool,
    values: Vec<u64>,
    /// a value above `HIST_MAX_NS` was recorded this interval
    over: bool,
    /// the bucketing (and the ranking, for an interval with a value past its range)
    hist: Histogram<u64>,
}

impl TickLatencies {
    fn new(on: bool) -> TickLatencies {
        TickLatencies {
            on,
            values: Vec::new(),
            over: false,
            hist: latency_histogram(),
        }
    }

    /// Records a latency [ns] (nothing without a series).
    #[inline]
    pub fn record(&mut self, ns: u64) {
        if self.on {
            let v = ns.max(1);
            self.over |= v > HIST_MAX_NS;
            self.values.push(v);
        }
    }

    /// The interval's `quantiles` (ascending) [ms], 0 each without a latency; then starts the next interval.
    pub fn take(&mut self, quantiles: [f64; 3]) -> [f64; 3] {
        let mut out = [0.0; 3];
        if self.values.is_empty() {
            return out;
        }
        if self.over {
            for &v in &self.values {
                self.hist.saturating_record(v);
            }
            for (o, q) in out.iter_mut().zip(quantiles) {
                *o = self.hist.value_at_quantile(q) as f64 / 1e6;
            }
            self.hist.reset();
        } else {
            let n = self.values.len();
            let mut from = 0;
            for (o, q) in out.iter_mut().zip(quantiles) {
                // hdrhistogram's own count to reach: ⌈q·n⌉, at least 1.
                let k = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
                let (_, v, _) = self.values[from..].select_nth_unstable(k - from);
                *o = self.hist.highest_equivalent(*v) as f64 / 1e6;
                from = k;
            }
        }
        self.values.clear();
        self.over = false;
        out
    }

    /// Bytes held.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.values.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each node's statistics start a cache line and span five: the layout the comment on `NodeStats`
    /// describes (the areas in line 0; levels, clock and counts in line 1; the histogram from line 2).
    #[test]
    fn node_stats_start_a_cache_line_and_keep_the_hot_fields_in_the_first_two() {
        assert_eq!(std::mem::align_of::<NodeStats>(), 64);
        assert_eq!(std::mem::size_of::<NodeStats>(), 320);
        let s = NodeStats::new(1);
        let base = &s as *const NodeStats as usize;
        let at = |p: usize| (p - base) / 64;
        assert_eq!(at(&s.busy_area as *const u128 as usize), 0);
        assert_eq!(at(&s.tick_busy_area as *const u128 as usize), 0);
        for p in [
            &s.time_sum as *const u128 as usize,
            &s.last as *const SimTime as usize,
            &s.busy as *const u32 as usize,
            &s.in_node as *const u32 as usize,
            &s.arrivals as *const u64 as usize,
            &s.served as *const u64 as usize,
            &s.time_count as *const u64 as usize,
        ] {
            assert_eq!(at(p), 1);
        }
        assert_eq!(at(&s.hist as *const Histogram<u32> as usize), 2);
    }

    #[test]
    fn latency_summary_has_each_percentile_in_its_place() {
        let mut e = EndToEnd::new(false);
        // 1 ms, 2 ms, ... 1000 ms: the q-quantile is q × 1000 ms, to the histogram's 3 significant digits.
        for ms in 1..=1000u64 {
            e.record_latency(ms * 1_000_000);
        }
        let [mean, p50, p90, p95, p99, p999, max] = e.latency_ms();
        let near = |got: f64, want: f64| (got - want).abs() <= want * 2e-3;
        assert!(near(mean, 500.5), "mean {mean}");
        assert!(near(p50, 500.0), "p50 {p50}");
        assert!(near(p90, 900.0), "p90 {p90}");
        assert!(near(p95, 950.0), "p95 {p95}");
        assert!(near(p99, 990.0), "p99 {p99}");
        assert!(near(p999, 999.0), "p99.9 {p999}");
        assert!(near(max, 1000.0), "max {max}");
    }

    /// The ranked percentiles equal an HDR histogram's of the same values, bit for bit, over small and
    /// large intervals, ties, one value, and values past the histogram's range.
    #[test]
    fn tick_percentiles_are_exactly_the_histograms() {
        let mut rng = crate::rng::SimRng::new(7);
        let qs = [0.5, 0.95, 0.99];
        let mut t = TickLatencies::new(true);
        for (round, n) in [1usize, 2, 3, 7, 100, 101, 999, 5000]
            .into_iter()
            .enumerate()
        {
            for over in [false, true] {
                let mut h = latency_histogram();
                for i in 0..n {
                    let v = match i % 4 {
                        0 => 1_000_000 + rng.below(5) * 1000,
                        1 => rng.below(1 << 20),
                        _ => rng.below(1 << 36),
                    };
                    let v = if over && i == n / 2 {
                        HIST_MAX_NS * 3
                    } else {
                        v
                    };
                    t.record(v);
                    h.saturating_record(v.max(1));
                }
                let want = qs.map(|q| h.value_at_quantile(q) as f64 / 1e6);
                assert_eq!(t.take(qs), want, "round {round}, {n} values, over {over}");
            }
        }
        assert_eq!(t.take(qs), [0.0; 3], "an empty interval");
        let mut off = TickLatencies::new(false);
        off.record(5);
        assert_eq!(
            (off.take(qs), off.bytes()),
            ([0.0; 3], 0),
            "no series keeps nothing"
        );
    }

    #[test]
    fn levels_integrate_only_inside_the_window() {
        let w = Window {
            start: SimTime(10),
            end: SimTime(20),
        };
        let mut s = NodeStats::new(2);
        s.busy = 2;
        s.queue = 3;
        s.advance(SimTime(15), &w);
        s.busy = 1;
        s.queue = 0;
        s.advance(SimTime(30), &w);
        // busy: 2 workers over [10,15) + 1 over [15,20) = 15 worker-ns; queue: 3 over [10,15) = 15.
        assert_eq!(s.areas_until(SimTime(30), &w), (15.0, 15.0, 0.0));
        assert_eq!(s.tick_busy_area, 2 * 15 + 15);
    }
}
