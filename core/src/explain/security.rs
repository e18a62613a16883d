//! Findings about a login endpoint's password hashing (`password_hash_ms`): logins are CPU-bound, how many a
//! second its workers can serve, and what the work factor leaves an attacker offline and online
//! (`crate::security`).

use super::{Finding, Level, round_sig};
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
