//! Findings about connections and sessions: a client whose requests often pay a new connection's handshake
//! (its round trips, and the keep-alive that would spare them), a client whose HTTP/1.1 pool makes requests
//! wait for a free connection, and a server that died holding its users' sessions in memory.

use super::{Finding, Level, percent, round_sig};
use crate::components::{Kind, Params, parse_params};
use crate::report::Report;
use crate::topology::Topology;

/// A share of requests paying a handshake, or waiting for a connection, worth a finding.
const NOTABLE_SHARE: f64 = 0.2;

/// One finding per client with `connections` whose requests paid a handshake or waited for a connection
/// notably often, and one per server that logged users out when it died.
pub(super) fn connection_findings(topology: &Topology, report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &topology.nodes {
        let Some(Ok(Params::Client(p))) = Kind::from_name(&node.kind)
            .filter(|k| *k == Kind::Client)
            .map(|k| parse_params(k, &node.params))
        else {
            continue;
        };
        let (Some(cp), Some(c)) = (
            p.connections.as_ref(),
            report.nodes.get(&node.id).and_then(|n| n.connections()),
        ) else {
            continue;
        };
        if c.requests == 0 {
            continue;
        }
        if c.handshake_share >= NOTABLE_SHARE && c.opened > 0 {
            let rt = c.handshake_round_trips / c.opened;
            out.push(Finding {
                level: Level::Info,
                node: Some(node.id.clone()),
                text: format!(
                    "{}: {} of requests paid a new connection's handshake ({rt} round trips, {} ms each \
                     time on average): raise the keep-alive ({} s) past the gap between a user's requests{}",
                    node.id,
                    percent(c.handshake_share),
                    round_sig(c.handshake_ms / c.opened as f64),
                    round_sig(cp.keepalive_s),
                    if rt > 2 {
                        ", or use TLS 1.3 (one round trip fewer)"
                    } else {
                        ""
                    }
                ),
            });
        }
        let waited = c.pool_waits as f64 / c.requests as f64;
        if waited >= NOTABLE_SHARE {
            out.push(Finding {
                level: Level::Warning,
                node: Some(node.id.clone()),
                text: format!(
                    "{}: {} of requests waited for a free connection ({} ms on average): HTTP/1.1 carries \
                     one request per connection at a time and a user's pool has {}; use HTTP/2 or a larger \
                     pool_size",
                    node.id,
                    percent(waited),
                    round_sig(c.pool_wait_mean_ms),
                    cp.pool_size
                ),
            });
        }
    }
    for (id, n) in &report.nodes {
        let Some(s) = n.service().filter(|s| s.logged_out > 0) else {
            continue;
        };
        out.push(Finding {
            level: Level::Warning,
            node: Some(id.clone()),
            text: format!(
                "{id} died holding {} users' sessions in memory: they were logged out; keep sessions in a \
                 shared session store (stateless servers) so any server can serve any user",
                s.logged_out
            ),
        });
    }
    out
}
