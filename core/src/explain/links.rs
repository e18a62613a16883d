//! Busy links: a link with a bandwidth is a FIFO of bits, so as its utilisation ρ nears 1 a message waits
//! longer and longer for the ones ahead of it (for an M/M/1 link, ρ/(1 − ρ) send times). Named when a direction
//! of a link was busy at least [`BUSY_LINK`] of the run, or its messages waited at least as long for the link
//! as they took to send (and it sent at least [`LINK_MESSAGES`]).

use super::{Finding, Level, duration, percent};
use crate::report::{LinkDirection, Report};

/// A link direction this busy over the run is named [0..1].
pub const BUSY_LINK: f64 = 0.5;
/// … as a warning from this busy on, or when messages wait at least their own send time.
pub const SATURATED_LINK: f64 = 0.8;
/// Fewer messages than this in a direction say too little to name it.
pub const LINK_MESSAGES: u64 = 5;

/// One finding per busy direction of a link with a bandwidth, over the whole run.
pub(super) fn link_findings(report: &Report) -> Vec<Finding> {
    let Some(net) = &report.network else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, l) in &net.links {
        if l.bandwidth_mbps <= 0.0 {
            continue;
        }
        for (what, d, (a, b)) in [
            ("requests", &l.requests, (&l.from, &l.to)),
            ("responses", &l.responses, (&l.to, &l.from)),
        ] {
            if let Some(f) = busy(name, what, d, a, b, l.bandwidth_mbps) {
                out.push(f);
            }
        }
    }
    out
}

fn busy(
    name: &str,
    what: &str,
    d: &LinkDirection,
    from: &str,
    to: &str,
    mbps: f64,
) -> Option<Finding> {
    let send = (d.mean_transfer_ms - d.mean_wait_ms).max(0.0);
    let queued = d.messages > 0 && d.mean_wait_ms >= send && d.mean_wait_ms > 0.0;
    if d.messages < LINK_MESSAGES || (d.utilization < BUSY_LINK && !queued) {
        return None;
    }
    let level = if d.utilization >= SATURATED_LINK || queued {
        Level::Warning
    } else {
        Level::Info
    };
    Some(Finding {
        level,
        node: None,
        text: format!(
            "the link {name} ({from} → {to}) was {} busy sending {what} at {} Mbit/s: one waited {} on \
             average for those ahead of it, on top of {} to send ({} MB over the run)",
            percent(d.utilization),
            super::round_sig(mbps),
            duration(d.mean_wait_ms),
            duration(send),
            super::round_sig(d.bytes as f64 / 1e6)
        ),
    })
}
