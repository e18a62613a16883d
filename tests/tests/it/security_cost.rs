//! The cost of security: a password hash's work factor is CPU time per login, so a saturated login endpoint
//! serves `workers` ÷ (service + hash time) logins a second; the "bcrypt cost" scenario's claims, and the
//! attacker arithmetic of `playground_core::security` it quotes.

use playground_core::explain::explain;
use playground_core::scenarios::by_name;
use playground_core::security::{ATTACKER_CORES, login, offline_guesses_per_s};
use playground_core::{Report, Topology, run};
use serde_json::json;

use crate::scenarios::{Claims, SEEDS, check_claims, variant};

/// Logins at 400/s against 4 workers, every time constant (1 ms of work, links 0.5 ms): the endpoint is
/// saturated for every hash time tried, so its workers never idle and it serves exactly W ÷ (S + H) a
/// second: 4 ÷ 11 ms = 363.6/s at H = 10 ms, 4 ÷ 51 ms = 78.4/s at 50 ms, 4 ÷ 251 ms = 15.9/s at 250 ms
/// (bcrypt's cost 10 to 12, roughly). Tolerance 1 %: the window's two ends cut one service each per worker.
#[test]
fn a_saturated_login_endpoint_serves_workers_over_hash_time_logins_a_second() {
    let (workers, service_ms) = (4.0, 1.0);
    for hash_ms in [10.0, 50.0, 250.0] {
        let t = json!({
            "settings": {"seed": 1, "duration_s": 60, "warmup_s": 5, "series_interval_s": 0, "trace_capacity": 0},
            "nodes": [
                {"id": "users", "kind": "client", "params": {"rate": 400, "arrival": {"type": "constant"}}},
                {"id": "login", "kind": "server", "params": {"workers": 4, "queue_capacity": 50,
                    "service_time": {"type": "constant", "ms": service_ms}, "password_hash_ms": hash_ms}}
            ],
            "edges": [{"from": "users", "to": "login"}]
        });
        let r = run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid");
        let window = r.duration_s - r.warmup_s;
        let per_s = r.nodes["login"].served as f64 / window;
        let predicted = workers / ((service_ms + hash_ms) / 1000.0);
        assert!(
            (per_s - predicted).abs() <= 0.01 * predicted,
            "hash {hash_ms} ms: {per_s:.2} logins/s, predicted {predicted:.2}"
        );
        assert!(r.nodes["login"].utilization > 0.99, "saturated");
    }
}

fn window(r: &Report) -> f64 {
    r.duration_s - r.warmup_s
}

/// The login endpoint arithmetic the texts quote, from the diagram: "at most 4 ÷ (1 ms + hash) logins a
/// second, 364 at 10 ms, 40 at 100 ms and 16 at 250 ms"; "with the stolen hashes one 64-core machine tries
/// 640 a second at 100 ms (64 million with a plain SHA-256 of 1 µs)"; the limit lets 5 a second through.
/// Exact: rounded to the stated figure.
#[test]
fn the_password_hashing_texts_quote_the_security_arithmetic() {
    let t = by_name("password-hashing").expect("scenario").topology();
    for (id, stated) in [
        ("login-10", 364.0),
        ("login-100", 40.0),
        ("login-250", 16.0),
    ] {
        let l = login(&t, id).expect("a login endpoint");
        assert_eq!(l.capacity_per_s.round(), stated, "{id}: {l:?}");
    }
    let guarded = login(&t, "login-guarded").expect("a login endpoint");
    assert_eq!(guarded.offline_guesses_per_s, 640.0);
    assert_eq!(guarded.limit, Some(("limiter".to_string(), 5.0)));
    assert_eq!(guarded.online_guesses_per_s, 5.0);
    assert_eq!(offline_guesses_per_s(0.001, ATTACKER_CORES), Some(64e6));
}

/// "At 10 ms a login takes about 11 ms, at 100 ms the workers are about 75 % busy and p99 is over twice the
/// hash, and at 250 ms the endpoint is saturated: it serves about 16 a second, turns away over a third of the
/// logins and p99 is over 5 s. At the bottom an attacker guessing 100 passwords a second from one address gets
/// about 5 a second through a limit of 5 per address"; the why panel says logins are CPU-bound. (75 %: ρ = 30/s
/// × 101 ms ÷ 4 = 0.7575; 16/s: 4 ÷ 251 ms, the endpoint never idles.)
pub(crate) fn password_hashing(r: &Report, c: &mut Claims) {
    let n = |id: &str| &r.nodes[id];
    c.about(
        "10 ms: a login's mean time [ms]",
        n("login-10").mean_time_ms,
        11.0,
    );
    c.about("100 ms: utilisation", n("login-100").utilization, 0.75);
    c.over("100 ms: p99 [ms]", n("login-100").p99_time_ms, 200.0);
    c.over(
        "250 ms: utilisation (saturated)",
        n("login-250").utilization,
        0.99,
    );
    c.about(
        "250 ms: logins served a second",
        n("login-250").served as f64 / window(r),
        16.0,
    );
    let hot = n("login-250");
    c.over(
        "250 ms: share turned away",
        hot.dropped as f64 / hot.arrivals as f64,
        1.0 / 3.0,
    );
    c.over("250 ms: p99 [ms]", hot.p99_time_ms, 5000.0);
    c.about(
        "attacker's guesses a second through the limit",
        n("login-guarded").served as f64 / window(r),
        5.0,
    );
    let findings = explain(
        &by_name("password-hashing").expect("scenario").topology(),
        r,
    );
    let cpu_bound = findings
        .iter()
        .filter(|f| f.text.contains("logins are CPU-bound"))
        .count();
    c.check(
        cpu_bound == 4,
        "a CPU-bound finding per login endpoint",
        format!("{cpu_bound}"),
    );
}

#[test]
fn a_higher_work_factor_costs_login_capacity_and_the_limit_caps_online_guesses() {
    check_claims("password-hashing", password_hashing);
}

/// The try-this changes: hash 100 ms keeps up ("turns nobody away"); 8 workers "serves over 28 of the 30";
/// a limit of 1000 lets the attacker "about 40 a second", the endpoint's capacity 4 ÷ 101 ms = 39.6/s.
#[test]
fn the_password_hashing_try_this_changes_do_what_they_say() {
    for seed in SEEDS {
        let r = variant(
            "password-hashing",
            seed,
            "login-250",
            "password_hash_ms",
            json!(100),
        );
        assert_eq!(r.nodes["login-250"].dropped, 0, "seed {seed}");
        let r = variant("password-hashing", seed, "login-250", "workers", json!(8));
        let per_s = r.nodes["login-250"].served as f64 / window(&r);
        assert!(per_s > 28.0, "seed {seed}: {per_s}");
        let r = variant("password-hashing", seed, "limiter", "limit", json!(1000));
        let per_s = r.nodes["login-guarded"].served as f64 / window(&r);
        assert!((per_s - 40.0).abs() <= 4.0, "seed {seed}: {per_s}");
    }
}
