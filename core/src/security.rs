//! The cost of security as arithmetic a learner can check: a login endpoint's capacity against its password
//! hash's work factor (`password_hash_ms`), and the guesses a second an attacker gets **offline** (the stolen
//! hashes on the attacker's own machine) and **online** (through the login endpoint, capped by a rate limit in
//! front of it). `docs/security.md` states the assumed attacker hardware.
//!
//! ```text
//!   offline: ATTACKER_CORES × 1000 ÷ hash_ms            (every core hashing guesses, nothing in the way)
//!   online:  min(limit ÷ window, workers × 1000 ÷ (service + hash) × speed)   per attacking address
//! ```

use crate::components::{Kind, LimiterParams, Params, ServerParams, parse_params};
use crate::topology::Topology;

/// The attacker's assumed hardware offline: one 64-core machine (a large cloud instance), each core hashing
/// as fast as one of the login server's workers at speed 1. A GPU rig does far more for a fast hash; bcrypt
/// and Argon2 are designed so it does not do much more than this.
pub const ATTACKER_CORES: u32 = 64;

/// Guesses a second `cores` cores get when each guess costs one hash of `hash_ms` [ms]; `None` for no hash.
pub fn offline_guesses_per_s(hash_ms: f64, cores: u32) -> Option<f64> {
    (hash_ms > 0.0 && hash_ms.is_finite()).then(|| f64::from(cores) * 1000.0 / hash_ms)
}

/// Logins a second a saturated endpoint serves: `workers` ÷ ((mean service + hash) ÷ `speed`).
pub fn login_capacity_per_s(p: &ServerParams) -> f64 {
    let per_login_ms = (p.service_time.mean_ms() + p.password_hash_ms) / p.speed;
    if per_login_ms > 0.0 {
        f64::from(p.workers) * 1000.0 / per_login_ms
    } else {
        f64::INFINITY
    }
}

/// A rate limit's allowed rate per key: `limit` per `window_ms` [requests/s].
pub fn allowed_per_s(l: &LimiterParams) -> f64 {
    f64::from(l.limit) * 1000.0 / l.window_ms
}

/// A login endpoint's cost and what it leaves an attacker.
#[derive(Clone, Debug, PartialEq)]
pub struct Login {
    /// CPU time of one password hash [ms at speed 1]
    pub hash_ms: f64,
    /// logins a second it serves when saturated
    pub capacity_per_s: f64,
    /// guesses a second offline on [`ATTACKER_CORES`] cores
    pub offline_guesses_per_s: f64,
    /// the rate limit directly in front of it (a rate limiter or a gateway's `rate_limit`): its node id and
    /// allowed rate per key [requests/s]; the tightest when there are several
    pub limit: Option<(String, f64)>,
    /// guesses a second one attacking address gets online: the limit, or the endpoint's capacity without one
    pub online_guesses_per_s: f64,
}

/// The decoded parameters of node `id`, when it exists and they decode.
fn params_of(doc: &Topology, id: &str) -> Option<Params> {
    let node = doc.nodes.iter().find(|n| n.id == id)?;
    parse_params(Kind::from_name(&node.kind)?, &node.params).ok()
}

/// Server `id` as a login endpoint (a server with `password_hash_ms` > 0), with its rate limit in front.
pub fn login(doc: &Topology, id: &str) -> Option<Login> {
    let Some(Params::Server(p)) = params_of(doc, id) else {
        return None;
    };
    let offline = offline_guesses_per_s(p.password_hash_ms, ATTACKER_CORES)?;
    let capacity = login_capacity_per_s(&p);
    let limit = doc
        .edges
        .iter()
        .filter(|e| e.to == id)
        .filter_map(|e| {
            let rate = match params_of(doc, &e.from)? {
                Params::RateLimiter(l) => allowed_per_s(&l),
                Params::ApiGateway(g) => allowed_per_s(g.rate_limit.as_ref()?),
                _ => return None,
            };
            Some((e.from.clone(), rate))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let online = limit.as_ref().map_or(capacity, |(_, r)| r.min(capacity));
    Some(Login {
        hash_ms: p.password_hash_ms,
        capacity_per_s: capacity,
        offline_guesses_per_s: offline,
        limit,
        online_guesses_per_s: online,
    })
}

/// Every login endpoint of the diagram, in node order.
pub fn logins(doc: &Topology) -> Vec<(String, Login)> {
    doc.nodes
        .iter()
        .filter(|n| n.kind == "server")
        .filter_map(|n| Some((n.id.clone(), login(doc, &n.id)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::{Edge, Node};
    use serde_json::json;

    #[test]
    fn offline_guesses_are_cores_times_hashes_a_second() {
        // bcrypt at 100 ms on 64 cores: 64 × 10 = 640/s; a plain SHA-256 at 1 µs: 64 million/s.
        assert_eq!(offline_guesses_per_s(100.0, 64), Some(640.0));
        assert_eq!(offline_guesses_per_s(0.001, 64), Some(64_000_000.0));
        assert_eq!(offline_guesses_per_s(250.0, 1), Some(4.0));
        assert_eq!(offline_guesses_per_s(0.0, 64), None);
    }

    fn doc(limiter: bool) -> Topology {
        let mut d = Topology::default();
        d.nodes.push(Node::new("attacker", "client"));
        d.nodes.push(
            Node::new("login", "server")
                .with("workers", json!(4))
                .with("service_time", json!({"type": "constant", "ms": 1}))
                .with("password_hash_ms", json!(100)),
        );
        if limiter {
            d.nodes.push(
                Node::new("rl", "rate_limiter")
                    .with("limit", json!(5))
                    .with("key", json!("client_address")),
            );
            d.edges.push(Edge::new("attacker", "rl"));
            d.edges.push(Edge::new("rl", "login"));
        } else {
            d.edges.push(Edge::new("attacker", "login"));
        }
        d
    }

    #[test]
    fn online_guesses_are_the_rate_limit_or_the_endpoints_capacity() {
        // 4 workers ÷ (1 + 100 ms) = 39.60…/s; a limit of 5 per 1000 ms lets 5/s through.
        let open = login(&doc(false), "login").expect("a login endpoint");
        assert!((open.capacity_per_s - 4000.0 / 101.0).abs() < 1e-9);
        assert_eq!(open.online_guesses_per_s, open.capacity_per_s);
        assert_eq!(open.offline_guesses_per_s, 640.0);
        let limited = login(&doc(true), "login").expect("a login endpoint");
        assert_eq!(limited.limit, Some(("rl".to_string(), 5.0)));
        assert_eq!(limited.online_guesses_per_s, 5.0);
        assert_eq!(logins(&doc(true)).len(), 1);
        assert!(
            login(&doc(true), "rl").is_none(),
            "a rate limiter is no login"
        );
    }
}
