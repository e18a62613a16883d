//! Architecture patterns: a service registry whose callers kept sending to a dead instance until its TTL and
//! their next refresh had passed, and a monolith whose copies all carry a hot module (scaling it scales
//! every module).

use super::{Finding, Level, percent};
use crate::report::Report;

/// A module taking at least this share of a monolith's worker time is worth naming.
const HOT_MODULE_SHARE: f64 = 0.5;

/// One finding per registry that sent requests to a dead instance, and per monolith with a hot module.
pub(super) fn architecture_findings(report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in &report.nodes {
        let Some(d) = n.detail.as_ref() else {
            continue;
        };
        if let Some(r) = d.discovery()
            && r.failed_calls > 0
        {
            let stale = r.last_stale_s.map_or(String::new(), |s| {
                format!(", and its callers' copy dropped the dead instance {s:.1} s after its last heartbeat")
            });
            out.push(Finding {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "{id}'s callers sent to a dead instance until the registry's TTL and their next refresh \
                     had passed: {} calls failed, {} of them after the registry had already expired it{stale}",
                    r.failed_calls, r.stale_sends
                ),
            });
        }
        if let Some(m) = d.modules()
            && let Some(top) = m.modules.iter().max_by(|a, b| a.share.total_cmp(&b.share))
            && top.share >= HOT_MODULE_SHARE
            && m.modules.len() > 1
        {
            out.push(Finding {
                level: Level::Info,
                node: Some(id.clone()),
                text: format!(
                    "{id} is a monolith whose module {} takes {} of its worker time: scaling it for {} adds \
                     copies of every module ({:.0} GiB each)",
                    top.name,
                    percent(top.share),
                    top.name,
                    m.memory_gib
                ),
            });
        }
    }
    out
}
