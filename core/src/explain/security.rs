//! Findings about a login endpoint's password hashing (`password_hash_ms`): logins are CPU-bound, how many a
//! second its workers can serve, and what the work factor leaves an attacker offline and online
//! (`crate::security`); and a server that terminates TLS itself: the share of its workers its handshakes take.

use super::{Finding, Level, percent, round_sig};
use crate::components::{Kind, Params, parse_params};
use crate::report::Report;
use crate::security::{ATTACKER_CORES, logins};
use crate::topology::Topology;

/// One finding per login endpoint that received requests: its capacity from the hash's CPU time, and the
/// attacker's guesses a second offline and online.
pub(super) fn login_findings(topology: &Topology, report: &Report) -> Vec<Finding> {
    logins(topology)
        .into_iter()
        .filter(|(id, _)| report.nodes.get(id).is_some_and(|n| n.arrivals > 0))
        .map(|(id, l)| {
            let online = match &l.limit {
                Some((by, rate)) => format!(
                    "online, {by}'s limit of {}/s lets one address try {}/s",
                    round_sig(*rate),
                    round_sig(l.online_guesses_per_s)
                ),
                None => format!(
                    "online, with no rate limit in front, one address may try as many as it serves, {}/s",
                    round_sig(l.online_guesses_per_s)
                ),
            };
            Finding {
                level: Level::Info,
                node: Some(id.clone()),
                text: format!(
                    "{id}: logins are CPU-bound: each spends {} ms hashing the password, so it serves at \
                     most {} logins/s; an attacker with the stolen hashes tries {} guesses/s offline on \
                     {ATTACKER_CORES} cores, {online}",
                    round_sig(l.hash_ms),
                    round_sig(l.capacity_per_s),
                    round_sig(l.offline_guesses_per_s),
                ),
            }
        })
        .collect()
}

/// A server that terminates TLS (`tls_handshake_ms`): its handshakes a second and the share of its workers
/// they take, handshakes/s × handshake ÷ (workers × speed), which terminating at the edge would free.
pub(super) fn tls_findings(topology: &Topology, report: &Report) -> Vec<Finding> {
    let window = (report.end_s.min(report.duration_s) - report.warmup_s).max(1e-9);
    let mut out = Vec::new();
    for node in &topology.nodes {
        let Some(Ok(Params::Server(p))) = Kind::from_name(&node.kind)
            .filter(|k| *k == Kind::Server)
            .map(|k| parse_params(k, &node.params))
        else {
            continue;
        };
        let Some(h) = report
            .nodes
            .get(&node.id)
            .and_then(|n| n.service())
            .map(|s| s.handshakes)
            .filter(|&h| h > 0)
        else {
            continue;
        };
        let per_s = h as f64 / window;
        let share = per_s * p.tls_handshake_ms / 1000.0 / (f64::from(p.workers) * p.speed);
        out.push(Finding {
            level: Level::Info,
            node: Some(node.id.clone()),
            text: format!(
                "{} terminates TLS itself: {} handshakes/s of {} ms take {} of its {} workers; \
                 terminating TLS at the edge (a gateway) would free them",
                node.id,
                round_sig(per_s),
                round_sig(p.tls_handshake_ms),
                percent(share),
                p.workers
            ),
        });
    }
    out
}
