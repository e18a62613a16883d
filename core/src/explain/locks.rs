//! Findings about a database's write transactions (`row_locks`): lock contention (a large share of the row
//! locks had to wait, with the waits' rate, mean and p99), deadlocks (with the remedy of one lock order) and
//! serializable isolation's aborts.

use super::{Finding, Level, duration, percent};
use crate::components::DatabaseParams;

/// Share of a database's row locks that must wait before it is worth a finding [0..1].
const NOTABLE_LOCK_WAITS: f64 = 0.1;

/// Lock contention (a large share of the row locks waited), deadlocks and serialization failures of a
/// database whose writes run as transactions.
pub(super) fn lock_findings(
    id: &str,
    l: &crate::components::database::LockReport,
    params: Option<&DatabaseParams>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let share = l.waits as f64 / l.acquisitions.max(1) as f64;
    if l.acquisitions > 0 && share >= NOTABLE_LOCK_WAITS {
        out.push(Finding {
            level: Level::Warning,
            node: Some(id.to_string()),
            text: format!(
                "{id}: lock contention: {} of row locks waited for another transaction ({} waits, {:.1}/s; \
                 mean {}, p99 {}): writers of the same rows queue one behind another, holding their \
                 connections; spread the writes over more rows or shorten the transactions",
                percent(share),
                l.waits,
                l.waits_per_s,
                duration(l.wait_mean_ms),
                duration(l.wait_p99_ms)
            ),
        });
    }
    if l.deadlocks > 0 {
        let ordered = params.is_some_and(|p| p.ordered_locks);
        out.push(Finding {
            level: Level::Warning,
            node: Some(id.to_string()),
            text: format!(
                "{id} had {} deadlocks ({:.2}/s): two transactions each held a row the other wanted, so \
                 one was aborted and retried{}",
                l.deadlocks,
                l.deadlocks_per_s,
                if ordered {
                    ""
                } else {
                    "; locking rows in one order (ordered_locks) prevents them"
                }
            ),
        });
    }
    if l.serialization_failures > 0 {
        out.push(Finding {
            level: Level::Warning,
            node: Some(id.to_string()),
            text: format!(
                "{id}: serializable isolation aborted {} transactions ({:.1}/s) whose rows changed after \
                 they began, and {} writes failed after their retries: under contention it trades waits \
                 for aborts (read committed would have waited)",
                l.serialization_failures,
                l.aborts_per_s,
                l.gave_up
            ),
        });
    }
    out
}
