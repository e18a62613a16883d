//! The figures of the event-driven kinds, keyed for the page like every other node figure: a saga node's
//! sagas (started, completed, compensated, in progress, compensations, messages, the time inconsistent) and a
//! projection's events, lag, reads and rebuilds; and the one figure each shows on its card.

use super::{Figure, compact, figure, pct};
use crate::report::NodeReport;

/// A saga node's or a projection's figures (none for other kinds).
pub(super) fn figures(n: &NodeReport) -> Vec<Figure> {
    let mut out = Vec::new();
    if let Some(s) = n.detail.as_ref().and_then(|d| d.saga()) {
        out.extend([
            figure("saga_started", "sagas started", s.started.to_string(), ""),
            figure(
                "saga_completed",
                "sagas completed",
                s.completed.to_string(),
                "",
            ),
            figure(
                "saga_compensated",
                "sagas compensated (failed at step 1)",
                format!("{} ({})", s.compensated, s.failed_first_step),
                "",
            ),
            figure(
                "saga_in_progress",
                "sagas in progress (compensating)",
                format!("{} ({})", s.in_progress, s.compensating),
                "",
            ),
            figure(
                "saga_compensations",
                "compensations run (retried)",
                format!("{} ({})", s.compensations, s.compensation_failures),
                "",
            ),
            figure("saga_messages", "saga messages", s.messages.to_string(), ""),
            figure(
                "saga_inconsistent",
                "time inconsistent, mean per saga",
                format!("{:.1}", s.mean_inconsistent_ms),
                "ms",
            ),
            figure(
                "saga_inconsistent_max",
                "time inconsistent, longest",
                format!("{:.1}", s.max_inconsistent_ms),
                "ms",
            ),
        ]);
    }
    if let Some(p) = n.detail.as_ref().and_then(|d| d.projection()) {
        out.extend([
            figure("proj_events", "events received", p.events.to_string(), ""),
            figure(
                "proj_behind",
                "events behind now (most)",
                format!("{} ({})", p.behind, p.max_behind),
                "",
            ),
            figure(
                "proj_lag",
                "projection lag, mean",
                format!("{:.1}", p.mean_lag_ms),
                "ms",
            ),
            figure("proj_reads", "reads answered", p.reads.to_string(), ""),
            figure(
                "proj_stale",
                "stale reads (share)",
                format!("{} ({})", p.stale_reads, pct(p.stale_share)),
                "",
            ),
            figure(
                "proj_rebuild",
                "rebuilds (last: events, rebuild time)",
                format!(
                    "{} ({} events, {:.0} ms)",
                    p.rebuilds, p.last_rebuild_events, p.last_rebuild_ms
                ),
                "",
            ),
        ]);
    }
    out
}

/// The card's one figure: a saga node's compensated share, a projection's stale share.
pub(super) fn card_figure(n: &NodeReport) -> Option<(&'static str, String, String)> {
    if let Some(s) = n.detail.as_ref().and_then(|d| d.saga()) {
        let ended = s.completed + s.compensated;
        if ended == 0 {
            return None;
        }
        return Some((
            "saga_compensated",
            format!("undone {}", compact(s.compensated)),
            format!(
                "{} of {} sagas compensated, {} completed, {} in progress",
                s.compensated, ended, s.completed, s.in_progress
            ),
        ));
    }
    let p = n.detail.as_ref().and_then(|d| d.projection())?;
    if p.rebuilding {
        return Some((
            "proj_rebuild",
            format!("rebuild {}", compact(p.behind)),
            format!("rebuilding from the log: {} events to apply", p.behind),
        ));
    }
    (p.reads > 0).then(|| {
        (
            "proj_stale",
            format!("stale {}", pct(p.stale_share)),
            format!(
                "{} of {} reads stale ({}), {} events behind",
                p.stale_reads,
                p.reads,
                pct(p.stale_share),
                p.behind
            ),
        )
    })
}
