//! The fan-out tail: a node that sends many calls at once and waits for all of them answers as slowly as the
//! slowest call, so a tail that one call meets rarely becomes the common case ("The Tail at Scale", Dean and
//! Barroso). With n calls a request meets a call slower than one call's p99 with probability 1 − 0.99ⁿ: 10 %
//! at n = 10, 63 % at n = 100. Named when the plan's own p99 wait is most of the run's p99 and far above a
//! typical call, so it is the fan-out, not a slow callee alone, that sets the tail.

use super::{Finding, Level, duration, percent};
use crate::report::Report;

/// Calls per request from which a parallel plan's tail is a fan-out tail.
pub const FAN_OUT_TAIL_CALLS: u64 = 10;
/// The plan's p99 wait must be at least this share of the run's end-to-end p99 …
pub const FAN_OUT_TAIL_SHARE: f64 = 0.5;
/// … and at least this many times one call's median.
pub const FAN_OUT_TAIL_FACTOR: f64 = 3.0;

/// The chance that a request sending `n` calls meets at least one slower than one call's p99.
pub fn meets_a_p99_call(n: u64) -> f64 {
    1.0 - libm::pow(0.99, n as f64)
}

/// One finding per node whose parallel plan's fan-out tail dominates the run's p99.
pub(super) fn fan_out_findings(report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    let p99 = report.latency_ms.p99;
    for (id, n) in &report.nodes {
        let Some(p) = &n.plan else {
            continue;
        };
        let calls = p.answers_needed;
        if p.plan != "parallel"
            || calls < FAN_OUT_TAIL_CALLS
            || p.plans == 0
            || p.call_p50_ms <= 0.0
            || p.wait_p99_ms < FAN_OUT_TAIL_SHARE * p99
            || p.wait_p99_ms < FAN_OUT_TAIL_FACTOR * p.call_p50_ms
        {
            continue;
        }
        let hedged: Vec<_> = report
            .edges
            .values()
            .filter(|e| e.from == *id)
            .filter_map(|e| e.hedge.as_ref())
            .collect();
        let mut text = format!(
            "fan-out tail at {id}: it waits for all {calls} of its calls, so the slowest sets its time; a \
             request meets a call slower than one call's p99 ({}) {} of the time, and {id}'s p99 wait is {} \
             against {} for a typical call, most of the run's p99 ({})",
            duration(p.call_p99_ms),
            percent(meets_a_p99_call(calls)),
            duration(p.wait_p99_ms),
            duration(p.call_p50_ms),
            duration(p99)
        );
        if hedged.is_empty() {
            text.push_str(
                "; hedge its calls (a second copy after their p95), or answer with the first k or at a \
                 partial_ms deadline",
            );
        } else {
            let (hedges, calls): (u64, f64) = hedged.iter().fold((0, 0.0), |(h, c), x| {
                (h + x.hedges, c + x.hedges as f64 / x.extra_load.max(1e-12))
            });
            text.push_str(&format!(
                "; its calls are hedged ({hedges} second copies, {} more calls)",
                percent(hedges as f64 / calls.max(1.0))
            ));
        }
        out.push(Finding {
            level: Level::Warning,
            node: Some(id.clone()),
            text,
        });
    }
    out
}
