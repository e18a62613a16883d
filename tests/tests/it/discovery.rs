//! Service discovery (`service_registry`): after an instance dies, callers keep sending to it until the
//! registry has expired it (TTL after its last heartbeat) and their cached copy has been refreshed; every
//! request sent to it in that window fails.
//!
//! The window's arithmetic, with heartbeats at k × h, copy refreshes at k × f and a kill at t_k: the last
//! heartbeat is t_h = ⌊t_k / h⌋ × h, the registry lists the instance while t < t_h + TTL, the copy drops it at
//! the first refresh t_r ≥ t_h + TTL, and the window is W = t_r − t_k ∈ (TTL − h, TTL + f]. Round robin over
//! n instances sends every n-th request to the dead one, so its errors are λW / n, a Poisson count of
//! arrivals divided by n: standard error √(λW) / n, plus one request for the round robin's phase.

use playground_core::{Report, Topology, run};
use serde_json::{Value, json};

const RATE: f64 = 400.0;
const INSTANCES: f64 = 4.0;

/// A client at `RATE` req/s through a registry (edge of latency 0: the caller's own library) to four
/// one-millisecond instances; `s2` is killed at `kill_s`.
fn diagram(seed: u64, registry: Value, kill_s: f64) -> Topology {
    let server = |id: &str| {
        json!({"id": id, "kind": "server", "params": {"workers": 8, "queue_capacity": 100,
            "service_time": {"type": "constant", "ms": 1.0}}})
    };
    let t = json!({
        "settings": {"seed": seed, "duration_s": 40, "series_interval_s": 0, "trace_capacity": 0},
        "nodes": [
            {"id": "users", "kind": "client", "params": {"rate": RATE}},
            {"id": "registry", "kind": "service_registry", "params": registry},
            server("s1"), server("s2"), server("s3"), server("s4")
        ],
        "edges": [
            {"from": "users", "to": "registry", "latency": {"type": "constant", "ms": 0.0}},
            {"from": "registry", "to": "s1"}, {"from": "registry", "to": "s2"},
            {"from": "registry", "to": "s3"}, {"from": "registry", "to": "s4"}
        ],
        "faults": [{"at_s": kill_s, "action": {"type": "kill", "node": "s2"}}]
    });
    Topology::from_json(&t.to_string()).expect("parses")
}

fn errors(r: &Report) -> f64 {
    r.requests.failed() as f64
}

/// Checks the errors of `r` against λW/n within 4 standard errors (√(λW)/n) plus 2 (the round robin's phase
/// and a request in service at the kill).
fn assert_window_errors(r: &Report, window_s: f64, what: &str) {
    let expected = RATE * window_s / INSTANCES;
    let se = (RATE * window_s).sqrt() / INSTANCES;
    let got = errors(r);
    assert!(
        (got - expected).abs() <= 4.0 * se + 2.0,
        "{what}: {got} errors, expected λW/n = {RATE} × {window_s} / {INSTANCES} = {expected} ± {}",
        4.0 * se + 2.0
    );
    let d = r.nodes["registry"]
        .detail
        .as_ref()
        .and_then(|d| d.discovery())
        .expect("a discovery block");
    assert_eq!(
        d.failed_calls as f64, got,
        "{what}: every error is a call that failed at the dead instance"
    );
}

/// Heartbeat h = 1 s, TTL 3.5 s, refresh f = 2 s, kill at 21.3 s (the phase where the refresh just misses
/// the expiry): t_h = 21, expired at 24.5, still in the copy at the refresh at 24, dropped at 26. W = 26 −
/// 21.3 = 4.7 s ∈ [TTL + f − h, TTL + f] = [4.5, 5.5], and the copy dropped it exactly TTL + the wait = 5 s
/// after its last heartbeat. Errors = 400 × 4.7 / 4 = 470 (± 4 × 10.8 + 2), on seeds 1–5.
#[test]
fn a_dead_instance_gets_errors_for_the_ttl_plus_the_refresh() {
    let (ttl, h, f) = (3.5, 1.0, 2.0);
    let kill = 21.3;
    let window = 26.0 - kill;
    assert!(
        (ttl + f - h..=ttl + f).contains(&window),
        "the stated bound"
    );
    for seed in 1..=5 {
        let r = run(&diagram(
            seed,
            json!({"ttl_s": ttl, "heartbeat_s": h, "refresh_s": f}),
            kill,
        ))
        .expect("valid");
        assert_window_errors(&r, window, &format!("seed {seed}"));
        let d = r.nodes["registry"]
            .detail
            .as_ref()
            .and_then(|d| d.discovery())
            .expect("a discovery block");
        assert_eq!(d.last_stale_s, Some(5.0), "dropped 5 s after 21 s");
        assert_eq!((d.registered, d.cached, d.dropped), (3, 3, 1));
        // From the expiry (24.5) to the drop (26): the stale sends are λ × 1.5 / 4 = 150.
        let stale = RATE * 1.5 / INSTANCES;
        let se = (RATE * 1.5f64).sqrt() / INSTANCES;
        assert!(
            (d.stale_sends as f64 - stale).abs() <= 4.0 * se + 2.0,
            "seed {seed}: {} stale sends, expected {stale}",
            d.stale_sends
        );
    }
}

/// The window moves with the kill's phase, always inside (TTL − h, TTL + f] = (2.5, 5.5]: a kill at 20.3 s
/// (t_h 20, expiry 23.5, dropped at the refresh at 24): W = 3.7 s; at 21.9 s (t_h 21, expiry 24.5, dropped at
/// 26): W = 4.1 s. Without a copy (`refresh_s` 0, every request reads the registry: server-side discovery) the
/// window is the TTL part alone: kill at 21.3, t_h = 21, W = 24.5 − 21.3 = 3.2 s. Errors λW/4 each.
#[test]
fn the_window_follows_the_phase_and_shrinks_to_the_ttl_without_a_copy() {
    let cached = json!({"ttl_s": 3.5, "heartbeat_s": 1.0, "refresh_s": 2.0});
    for (kill, window) in [(20.3, 3.7), (21.9, 4.1)] {
        assert!(window > 2.5 && window <= 5.5);
        let r = run(&diagram(1, cached.clone(), kill)).expect("valid");
        assert_window_errors(&r, window, &format!("kill at {kill}"));
    }
    let direct = json!({"ttl_s": 3.5, "heartbeat_s": 1.0, "refresh_s": 0.0});
    let r = run(&diagram(2, direct, 21.3)).expect("valid");
    assert_window_errors(&r, 3.2, "no copy");
}

/// A registry whose instances all live sends nothing to a dead one and fails nothing: every request served
/// (the same diagram without the kill; a mutation that drops live instances between heartbeats would fail
/// requests here).
#[test]
fn live_instances_stay_listed_between_heartbeats() {
    let mut t = diagram(
        3,
        json!({"ttl_s": 3.5, "heartbeat_s": 1.0, "refresh_s": 2.0}),
        1.0,
    );
    t.faults.clear();
    let r = run(&t).expect("valid");
    assert_eq!(r.requests.failed(), 0);
    assert_eq!(r.requests.completed(), r.requests.sent);
}
