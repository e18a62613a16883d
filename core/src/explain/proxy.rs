//! Users behind a forward proxy: everything they send leaves from the proxy's one exit address, so a limit per
//! client address counts them as one client. Named when the clients sending through a proxy had requests rate
//! limited (429) or blocked by a firewall (403): their share, and how many users the one address stands for.

use super::{Finding, Level, percent};
use crate::components::Kind;
use crate::report::Report;
use crate::topology::Topology;

/// One finding per forward proxy whose users were refused by a limit.
pub(super) fn proxy_findings(topology: &Topology, report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in topology
        .nodes
        .iter()
        .filter(|n| n.kind == Kind::ForwardProxy.name())
    {
        let users: Vec<&str> = topology
            .edges
            .iter()
            .filter(|e| e.to == p.id)
            .map(|e| e.from.as_str())
            .filter(|id| {
                report
                    .nodes
                    .get(*id)
                    .is_some_and(|n| n.kind == Kind::Client)
            })
            .collect();
        let (mut sent, mut refused) = (0, 0);
        for q in users.iter().filter_map(|id| report.nodes[*id].requests()) {
            sent += q.sent;
            refused += q.rate_limited() + q.blocked();
        }
        if refused == 0 || sent == 0 {
            continue;
        }
        out.push(Finding {
            level: Level::Warning,
            node: Some(p.id.clone()),
            text: format!(
                "{} of the requests of the {} clients behind {} were refused ({refused} rate limited or \
                 blocked): they all leave from its one exit address, so a per-client limit counts them as one \
                 client",
                percent(refused as f64 / sent as f64),
                users.len(),
                p.id
            ),
        });
    }
    out
}
