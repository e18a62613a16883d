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

/// One login-free API server, 4 workers, constant 5 ms of work, 100 requests a second from 1000 addresses
/// (each every 10 s, connections kept 5 s), run twice on the same seed: terminating TLS itself (a 5 ms
/// handshake) and not. Nothing random depends on TLS, so the runs see the same requests, and the server's
/// utilisation differs by exactly the handshakes' CPU: Δρ = handshakes/s × 5 ms ÷ 4 workers. Tolerance 0.5 %
/// of Δρ: a service straddling the window's ends is counted in part.
#[test]
fn terminating_tls_on_a_server_costs_handshakes_times_their_cpu_over_workers() {
    let topo = |tls_ms: f64| {
        let t = json!({
            "settings": {"seed": 3, "duration_s": 60, "warmup_s": 5, "series_interval_s": 0, "trace_capacity": 0},
            "nodes": [
                {"id": "users", "kind": "client", "params": {"rate": 100, "addresses": 1000}},
                {"id": "api", "kind": "server", "params": {"workers": 4,
                    "service_time": {"type": "constant", "ms": 5}, "tls_handshake_ms": tls_ms, "keepalive_s": 5}}
            ],
            "edges": [{"from": "users", "to": "api"}]
        });
        run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid")
    };
    let (plain, tls) = (topo(0.0), topo(5.0));
    let handshakes = tls.nodes["api"].service().map_or(0, |s| s.handshakes);
    assert_eq!(plain.nodes["api"].service(), None, "no TLS, no block");
    assert_eq!(plain.nodes["api"].arrivals, tls.nodes["api"].arrivals);
    // Each address sends every 10 s on average: the connection is gone (idle over 5 s) for about e^(-0.5)
    // = 61 % of requests.
    let share = handshakes as f64 / tls.nodes["api"].served as f64;
    assert!(
        (share - (-0.5f64).exp()).abs() < 0.03,
        "handshake share {share}"
    );
    let per_s = handshakes as f64 / window(&tls);
    let predicted = per_s * 0.005 / 4.0;
    let measured = tls.nodes["api"].utilization - plain.nodes["api"].utilization;
    assert!(
        (measured - predicted).abs() <= 0.005 * predicted,
        "Δρ {measured:.5}, predicted {predicted:.5} ({per_s:.1} handshakes/s)"
    );
}

/// "About 3 in 5 requests find their connection closed after the 5 s keep-alive" (e^(-10 s⁻¹/10 × 5) =
/// 0.61); "the app servers behind [the gateway] are about 25 % busy, while the gateway does about 250
/// handshakes a second"; the TLS-terminating servers shake hands "about 125 times a second, so [each] is about
/// 41 % busy: handshakes × 5 ms ÷ 4 workers, 16 points" — that last is checked exactly: each server's
/// utilisation = (served + handshakes) × 5 ms ÷ (4 × window), within 0.5 % (services straddling the window's
/// ends); the why panel names both servers as terminating TLS.
pub(crate) fn tls_termination(r: &Report, c: &mut Claims) {
    let w = window(r);
    let gw = r.nodes["gateway"].gateway().cloned().unwrap_or_default();
    c.about(
        "gateway: share of requests with a handshake",
        gw.handshakes as f64 / r.nodes["gateway"].arrivals as f64,
        0.6,
    );
    c.about(
        "gateway: handshakes a second",
        gw.handshakes as f64 / w,
        250.0,
    );
    for id in ["edge-a", "edge-b"] {
        c.about(&format!("{id}: utilisation"), r.nodes[id].utilization, 0.25);
    }
    for id in ["tls-a", "tls-b"] {
        let n = &r.nodes[id];
        let h = n.service().map_or(0, |s| s.handshakes) as f64;
        c.about(&format!("{id}: handshakes a second"), h / w, 125.0);
        c.about(&format!("{id}: utilisation"), n.utilization, 0.41);
        let predicted = (n.served as f64 + h) * 0.005 / (4.0 * w);
        c.check(
            (n.utilization - predicted).abs() <= 0.005 * predicted,
            &format!("{id}: utilisation = (served + handshakes) × 5 ms ÷ 4 workers"),
            format!("{:.5} vs {predicted:.5}", n.utilization),
        );
        c.about(
            &format!("{id}: TLS's points of CPU"),
            h / w * 0.005 / 4.0,
            0.16,
        );
    }
    let findings = explain(&by_name("tls-termination").expect("scenario").topology(), r);
    let named = findings
        .iter()
        .filter(|f| f.text.contains("terminates TLS itself"))
        .count();
    c.check(
        named == 2,
        "a finding per TLS-terminating server",
        format!("{named}"),
    );
}

#[test]
fn terminating_tls_at_the_edge_frees_the_servers_handshake_cpu() {
    check_claims("tls-termination", tls_termination);
}

/// Try: tls-a's keep-alive 60 s: "under 1 in 5 of its requests needs a handshake and it is under a third busy
/// while tls-b stays about 41 %"; the gateway's handshake at 1 ms: "the gateway is about 4 % busy" ((400 ×
/// 0.2 ms + 250 × 1 ms) ÷ 8 workers = 4.1 %).
#[test]
fn the_tls_termination_try_this_changes_do_what_they_say() {
    for seed in SEEDS {
        let r = variant("tls-termination", seed, "tls-a", "keepalive_s", json!(60));
        let a = &r.nodes["tls-a"];
        let h = a.service().map_or(0, |s| s.handshakes) as f64;
        assert!(h / (a.served as f64) < 0.2, "seed {seed}: {h}");
        assert!(a.utilization < 1.0 / 3.0, "seed {seed}: {}", a.utilization);
        assert!(
            (r.nodes["tls-b"].utilization - 0.41).abs() < 0.041,
            "seed {seed}"
        );
        let r = variant(
            "tls-termination",
            seed,
            "gateway",
            "tls_handshake_ms",
            json!(1),
        );
        let u = r.nodes["gateway"].utilization;
        assert!((u - 0.04).abs() <= 0.004, "seed {seed}: {u}");
    }
}

/// "The session store takes about 200 lookups a second, one per request, and a request takes about 4.4 ms
/// longer: 2 × 2 ms of links plus the store's 0.5 ms, less the 0.1 ms signature check"; the JWT gateway sends
/// no lookups. One lookup per request: the gateway counts a lookup when sent and the store when it arrives,
/// so they may differ by the lookups on the link as the window opens or closes (at most 2).
pub(crate) fn jwt_vs_session(r: &Report, c: &mut Claims) {
    let w = window(r);
    let gw = |id: &str| r.nodes[id].gateway().cloned().unwrap_or_default();
    let store = r.nodes["sessions"].arrivals;
    c.about("session store: lookups a second", store as f64 / w, 200.0);
    c.check(
        gw("gw-session").session_lookups.abs_diff(store) <= 2
            && gw("gw-session").session_lookups == gw("gw-session").auth_checks,
        "one lookup per request",
        format!("{:?}, store {store}", gw("gw-session")),
    );
    c.check(
        gw("gw-jwt").session_lookups == 0,
        "no lookups with a JWT",
        format!("{:?}", gw("gw-jwt")),
    );
    c.about(
        "the session gateway's extra mean time [ms]",
        r.nodes["gw-session"].mean_time_ms - r.nodes["gw-jwt"].mean_time_ms,
        4.4,
    );
}

#[test]
fn a_session_lookup_costs_a_round_trip_per_request_and_a_jwt_none() {
    check_claims("jwt-vs-session", jwt_vs_session);
}

/// On an idle system (constant arrivals 5 ms apart, 4 workers of 5 ms: nothing waits) the difference is exact:
/// 2 × 2 ms + 0.5 ms − 0.1 ms = 4.4 ms, to 1 µs (the mean of equal constants). Try: `auth` jwt at the bottom:
/// "no lookups and both halves take the same time"; rate 400: "about 400 a second".
#[test]
fn the_session_lookup_adds_exactly_its_round_trip_on_an_idle_system() {
    let mut t = by_name("jwt-vs-session").expect("scenario").topology();
    for n in t.nodes.iter_mut().filter(|n| n.kind == "client") {
        n.params
            .insert("arrival".into(), json!({"type": "constant"}));
    }
    let r = run(&t).expect("runs");
    let diff = r.nodes["gw-session"].mean_time_ms - r.nodes["gw-jwt"].mean_time_ms;
    assert!((diff - 4.4).abs() < 1e-3, "{diff}");
    for seed in SEEDS {
        let r = variant("jwt-vs-session", seed, "gw-session", "auth", json!("jwt"));
        assert_eq!(r.nodes["sessions"].arrivals, 0, "seed {seed}");
        let diff = r.nodes["gw-session"].mean_time_ms - r.nodes["gw-jwt"].mean_time_ms;
        assert!(diff.abs() < 0.1, "seed {seed}: {diff}");
        let r = variant("jwt-vs-session", seed, "users-session", "rate", json!(400));
        let per_s = r.nodes["sessions"].arrivals as f64 / window(&r);
        assert!((per_s - 400.0).abs() <= 40.0, "seed {seed}: {per_s}");
    }
}

/// "4 round trips, 80 ms of network, plus each step's work, 1 + 5 + 3 + 2 ms: 91 ms in all, on an idle system
/// exactly": constant latencies and service times, logins 200 ms apart, so nothing waits; the login's
/// latency is Σ hops (2 × 10 ms + the step's service), to 1 µs.
pub(crate) fn oauth_login(r: &Report, c: &mut Claims) {
    let exact = |measured: f64, stated: f64| (measured - stated).abs() < 1e-3;
    c.check(
        exact(r.latency_ms.mean, 4.0 * 20.0 + 11.0),
        "a login takes 91 ms",
        format!("{}", r.latency_ms.mean),
    );
    c.check(
        exact(r.latency_ms.network_mean, 80.0),
        "80 ms of network",
        format!("{}", r.latency_ms.network_mean),
    );
    for (id, ms) in [("authorize", 5.0), ("token", 3.0), ("api", 2.0)] {
        c.check(
            exact(r.nodes[id].mean_time_ms, ms),
            &format!("{id} takes {ms} ms"),
            format!("{}", r.nodes[id].mean_time_ms),
        );
    }
}

#[test]
fn an_oauth_login_takes_the_sum_of_its_round_trips() {
    check_claims("oauth-login", oauth_login);
}

/// Try: the token exchange at 50 ms makes every login "47 ms longer"; the link at 50 ms makes the network
/// part "400 ms".
#[test]
fn the_oauth_try_this_changes_do_what_they_say() {
    let r = variant(
        "oauth-login",
        1,
        "token",
        "service_time",
        json!({"type": "constant", "ms": 50}),
    );
    assert!(
        (r.latency_ms.mean - 138.0).abs() < 1e-3,
        "{}",
        r.latency_ms.mean
    );
    let mut t = by_name("oauth-login").expect("scenario").topology();
    t.settings.link.latency =
        serde_json::from_value(json!({"type": "constant", "ms": 50})).expect("a dist");
    let r = run(&t).expect("runs");
    assert!(
        (r.latency_ms.network_mean - 400.0).abs() < 1e-3,
        "{}",
        r.latency_ms.network_mean
    );
}
