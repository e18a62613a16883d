//! Sagas and read models: what a saga node's compensations cost (the sagas undone, the step that failed most,
//! the time the system spent inconsistent, sagas still unfinished at the end) and what a projection's lag did
//! to its reads (the stale share against its mean lag, a rebuild from the log after a crash and its time).

use super::{Finding, Level, NOTABLE_LOSS, percent};
use crate::report::Report;

/// One finding per saga node that compensated or did not finish, and per projection with stale reads or a
/// rebuild.
pub(super) fn event_findings(report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in &report.nodes {
        let Some(d) = n.detail.as_ref() else {
            continue;
        };
        if let Some(s) = d.saga() {
            let ended = s.completed + s.compensated;
            if s.compensated > 0 && ended > 0 {
                let worst = s.steps.iter().max_by_key(|st| st.failed);
                let retried = if s.compensation_failures > 0 {
                    format!(
                        "; {} compensations failed and were retried until they succeeded",
                        s.compensation_failures
                    )
                } else {
                    String::new()
                };
                out.push(Finding {
                    level: Level::Info,
                    node: Some(id.clone()),
                    text: format!(
                        "{id} compensated {} of its sagas ({} of {}){}: each undid the steps it had applied, \
                         in reverse ({} compensations){retried}. The system was inconsistent for {:.1} ms per \
                         saga on average (longest {:.1} ms)",
                        percent(s.compensated as f64 / ended as f64),
                        s.compensated,
                        ended,
                        worst
                            .filter(|st| st.failed > 0)
                            .map(|st| format!(", most failing at {} ({} failures)", st.node, st.failed))
                            .unwrap_or_default(),
                        s.compensations,
                        s.mean_inconsistent_ms,
                        s.max_inconsistent_ms
                    ),
                });
            }
            if s.in_progress > 0 {
                out.push(Finding {
                    level: Level::Warning,
                    node: Some(id.clone()),
                    text: format!(
                        "{id} has {} sagas still in progress ({} compensating): a step or compensation keeps \
                         failing, so the system stays inconsistent until its service answers",
                        s.in_progress, s.compensating
                    ),
                });
            }
        }
        if let Some(p) = d.projection() {
            if p.stale_reads > 0 && p.reads > 0 {
                out.push(Finding {
                    level: if p.stale_share >= NOTABLE_LOSS {
                        Level::Warning
                    } else {
                        Level::Info
                    },
                    node: Some(id.clone()),
                    text: format!(
                        "{id}: {} of reads were stale ({} of {}): the read model applies each event {:.0} ms \
                         after it arrives on average, and a read of a key written within that lag finds the old \
                         value",
                        percent(p.stale_share),
                        p.stale_reads,
                        p.reads,
                        p.mean_lag_ms
                    ),
                });
            }
            if p.rebuilds > 0 {
                out.push(Finding {
                    level: Level::Info,
                    node: Some(id.clone()),
                    text: format!(
                        "{id} lost its read model in a crash and rebuilt it from the log: {} events replayed in \
                         {:.0} ms, a time that grows with the log",
                        p.last_rebuild_events, p.last_rebuild_ms
                    ),
                });
            }
        }
    }
    out
}
