//! A client's connections (`connections`): a new connection pays the handshakes' round trips before its first
//! request (TCP 1, TLS 1.3 one more, TLS 1.2 two more, plain HTTP none), a connection kept alive pays none,
//! an HTTP/1.1 pool of c connections is c servers for one user's requests, HTTP/2 never waits. Checked
//! against exact arithmetic with constant latencies and service times, and against a brute-force replay of
//! the pool written here; diagrams without `connections` run exactly as before.

use playground_core::fixtures::{THREE_TIER_DIGEST, poisson_client, server, three_tier};
use playground_core::{Dist, Report, Topology, run};
use serde_json::{Value, json};

use crate::scenarios::{Claims, SEEDS, check_claims, variant};

const L_MS: f64 = 5.0;

/// Client → server over a link of constant one-way latency `L_MS`, the server answering in a constant
/// `service_ms` with 64 workers (never a queue); one user (address), constant arrivals at `rate` for
/// `duration_s` with no warm-up.
fn one_user(rate: f64, duration_s: f64, service_ms: f64, conns: Value) -> Topology {
    let mut t = Topology::default();
    t.settings.duration_s = duration_s;
    t.settings.warmup_s = 0.0;
    t.settings.link.latency = Dist::Constant { ms: L_MS };
    t.settings.trace_capacity = 0;
    t.nodes = vec![
        poisson_client("c", rate)
            .with("arrival", json!({"type": "constant"}))
            .with("addresses", json!(1))
            .with("connections", conns),
        server("s", 64, None, &Dist::Constant { ms: service_ms }),
    ];
    t.edges = vec![playground_core::topology::Edge::new("c", "s")];
    t
}

fn conns(r: &Report) -> &playground_core::components::client::ConnReport {
    r.nodes["c"]
        .connections()
        .expect("a client with `connections` reports them")
}

/// With one-way latency L = 5 ms and a constant service S = 1 ms, requests 500 ms apart (19 in 10 s, never
/// two at once) on a connection kept alive 60 s: the first pays (1 + k) round trips of 2L before it leaves,
/// so it takes (1 + k) × 2L + 2L + S, and the 18 others 2L + S = 11 ms. k = 0 (plain HTTP), 1 (TLS 1.3),
/// 2 (TLS 1.2): the mean is (19 × 11 + (1 + k) × 10) / 19 ms, the maximum (1 + k) × 10 + 11 ms. Exact (to
/// 1e-9 ms of floating point).
#[test]
fn a_new_connection_costs_its_round_trips_and_a_kept_one_none() {
    for (https, tls, k) in [(false, "1.3", 0.0), (true, "1.3", 1.0), (true, "1.2", 2.0)] {
        let r = run(&one_user(
            2.0,
            10.0,
            1.0,
            json!({"https": https, "tls_version": tls}),
        ))
        .expect("valid");
        assert_eq!(r.requests.completed(), 19);
        let first = (1.0 + k) * 2.0 * L_MS + 2.0 * L_MS + 1.0;
        let mean = (18.0 * 11.0 + first) / 19.0;
        assert!(
            (r.latency_ms.mean - mean).abs() < 1e-9,
            "k = {k}: {} ≠ {mean}",
            r.latency_ms.mean
        );
        assert!(
            (r.latency_ms.max - first).abs() < 0.05,
            "{:?}",
            r.latency_ms
        );
        let c = conns(&r);
        assert_eq!(c.opened, 1);
        assert_eq!(c.requests, 19);
        assert_eq!(c.handshake_round_trips, 1 + k as u64);
        assert!(
            (c.handshake_ms - (1.0 + k) * 2.0 * L_MS).abs() < 1e-9,
            "{c:?}"
        );
        assert_eq!(c.paid_handshake, 1);
        assert_eq!(c.requests_per_connection, 19.0);
        assert_eq!(c.pool_waits, 0);
    }
}

/// The same requests with a keep-alive of 0.4 s (shorter than the 500 ms between them): every request opens
/// a new connection, so each takes (1 + 1) × 2L + 2L + S = 31 ms with TLS 1.3, 19 connections, 38 round
/// trips. With the server terminating TLS itself (`tls_handshake_ms` h = 3 ms of CPU, its own keep-alive
/// 60 s, per address) only the first also pays h: mean (19 × 31 + 3) / 19. Exact.
#[test]
fn a_connection_idle_past_its_keepalive_is_opened_again() {
    let r = run(&one_user(2.0, 10.0, 1.0, json!({"keepalive_s": 0.4}))).expect("valid");
    assert!(
        (r.latency_ms.mean - 31.0).abs() < 1e-9,
        "{:?}",
        r.latency_ms
    );
    let c = conns(&r);
    assert_eq!(
        (c.opened, c.handshake_round_trips, c.paid_handshake),
        (19, 38, 19)
    );
    assert_eq!(c.requests_per_connection, 1.0);
    let mut t = one_user(2.0, 10.0, 1.0, json!({"keepalive_s": 0.4}));
    t.nodes[1] = t.nodes[1].clone().with("tls_handshake_ms", json!(3.0));
    let r = run(&t).expect("valid");
    let mean = (19.0 * 31.0 + 3.0) / 19.0;
    assert!(
        (r.latency_ms.mean - mean).abs() < 1e-9,
        "{:?}",
        r.latency_ms
    );
}

/// A brute-force replay of one user's pool: arrivals `a` ms apart (the first at `a`), `n` of them, `c`
/// connections (HTTP/1.1) each busy for `b` = 2L + S per request, a new one ready `h` after it is opened.
/// Each request takes a free open connection, else opens one while fewer than `c` are open, else waits
/// for the earliest to free (arrival order). Returns (mean latency [ms], pool waits, connections opened).
fn replay(a: f64, n: usize, c: usize, b: f64, h: f64) -> (f64, u64, u64) {
    let mut free_at: Vec<f64> = Vec::new();
    let (mut sum, mut waits) = (0.0, 0);
    for i in 1..=n {
        let t = a * i as f64;
        let (j, start) = if let Some(j) = free_at.iter().position(|&f| f <= t) {
            (j, t)
        } else if free_at.len() < c {
            free_at.push(0.0);
            (free_at.len() - 1, t + h)
        } else {
            waits += 1;
            let j = (0..c)
                .min_by(|&x, &y| free_at[x].total_cmp(&free_at[y]))
                .expect("c ≥ 1");
            (j, free_at[j])
        };
        free_at[j] = start + b;
        sum += start - t + b;
    }
    (sum / n as f64, waits, free_at.len() as u64)
}

/// HTTP/1.1, a pool of c = 2 connections, L = 5 ms, S = 10 ms (b = 2L + S = 20 ms a request), TLS 1.3
/// (h = 2 × 2L = 20 ms to open): requests 8 ms apart for 2 s (249) offer 20 ÷ 8 = 2.5 connections' worth,
/// more than 2, so requests queue for a connection and the wait grows. The engine's mean latency, pool waits
/// and connections opened equal the brute-force replay's (`replay`), to 1e-6 ms. With HTTP/2 the same
/// requests never wait: one connection, each request b after it leaves (those arriving during the
/// handshake leave when it ends): the replay with an unbounded pool of one connection.
#[test]
fn an_http11_pool_of_c_connections_is_c_servers_and_http2_never_waits() {
    let (a, n, b, h) = (8.0, 249, 2.0 * L_MS + 10.0, 2.0 * 2.0 * L_MS);
    let r = run(&one_user(125.0, 2.0, 10.0, json!({"pool_size": 2}))).expect("valid");
    assert_eq!(r.requests.completed(), n as u64);
    let (mean, waits, opened) = replay(a, n, 2, b, h);
    assert!(
        (r.latency_ms.mean - mean).abs() < 1e-6,
        "{} ≠ {mean}",
        r.latency_ms.mean
    );
    let c = conns(&r);
    assert_eq!((c.pool_waits, c.opened), (waits, opened), "{c:?}");
    assert!(c.pool_waits > 200, "most requests wait: {c:?}");

    let r = run(&one_user(125.0, 2.0, 10.0, json!({"http_version": "2"}))).expect("valid");
    // Requests at 8 and 16 ms arrive before the connection opened at 8 ms is ready at 28 ms: they leave
    // then. Every later one leaves at once.
    let first = [(28.0 - 8.0) + b, (28.0 - 16.0) + b, (28.0 - 24.0) + b];
    let mean = (first.iter().sum::<f64>() + (n - 3) as f64 * b) / n as f64;
    assert!(
        (r.latency_ms.mean - mean).abs() < 1e-6,
        "{} ≠ {mean}",
        r.latency_ms.mean
    );
    let c = conns(&r);
    assert_eq!(
        (c.opened, c.pool_waits, c.paid_handshake),
        (1, 0, 3),
        "{c:?}"
    );
}

/// Diagrams without `connections` draw and schedule exactly as before: the pinned three-tier digest.
#[test]
fn a_diagram_without_connections_is_unchanged() {
    let r = run(&three_tier()).expect("valid");
    assert_eq!(r.digest(), THREE_TIER_DIGEST);
    assert!(r.nodes.values().all(|n| n.connections().is_none()));
}

fn client_conns<'a>(
    r: &'a Report,
    id: &str,
) -> &'a playground_core::components::client::ConnReport {
    r.nodes[id]
        .connections()
        .unwrap_or_else(|| panic!("{id} has connections"))
}

/// "HTTP vs HTTPS: what a handshake costs": 1,000 users at 100/s in all, so each user's requests are Poisson
/// at λ = 0.1/s; keep-alive T = 10 s (and a 10 s warm-up, so every measured request could have had a
/// previous one in the last T): a request opens a connection when its user sent nothing in the T before it,
/// probability e^(−λT) = e^−1 = 0.368, plus the few that find their user's connection busy (λ × ~0.15 s ≈
/// 1.5 %): "about 37 %" (within 10 %). Every request on an open connection takes 2L + S = 110 ms exactly
/// (constant links and service, 64 workers for about 1 busy: no queue), a new one (1 + k) × 100 ms more, so
/// the client's mean is exactly 110 + share × (1 + k) × 100 (checked to 0.01 ms) and about 150, 185, 225 ms
/// for k = 0, 1, 2; its round trips are (1 + k) per connection opened, exactly; requests per connection
/// = 1 ÷ share, about 2.6.
pub(crate) fn http_vs_https(r: &Report, c: &mut Claims) {
    for (id, k, mean) in [
        ("http-users", 0u64, 150.0),
        ("tls13-users", 1, 185.0),
        ("tls12-users", 2, 225.0),
    ] {
        let p = client_conns(r, id);
        c.about(
            &format!("{id}: share of requests that paid a handshake"),
            p.handshake_share,
            0.37,
        );
        c.at_least(
            &format!("{id}: share at least e^−1 less 4 binomial standard errors"),
            p.handshake_share,
            (-1.0f64).exp() - 4.0 * (0.368 * 0.632 / p.requests as f64).sqrt(),
        );
        c.about(&format!("{id}: mean request time"), p.mean_ms, mean);
        c.expected(
            &format!("{id}: mean = 110 + share × (1 + k) × 100 ms"),
            p.mean_ms,
            110.0 + p.handshake_share * (1 + k) as f64 * 100.0,
            0.0025,
        );
        c.check(
            p.handshake_round_trips == p.opened * (1 + k),
            &format!("{id}: {} round trips per connection opened", 1 + k),
            format!("{p:?}"),
        );
        c.about(
            &format!("{id}: requests per connection"),
            p.requests_per_connection,
            2.6,
        );
    }
}

#[test]
fn the_http_vs_https_scenario_prices_each_handshake_round_trip() {
    check_claims("http-vs-https", http_vs_https);
}

/// The try-this items. Keep-alive 120 s outlives the run, so only a user's first request (in the window) opens
/// a connection: a request at t ∈ [10, 60] s had none before with probability e^(−λt), averaged over the
/// window (1/50) ∫ e^(−0.1 t) dt = 0.2 (e^−1 − e^−6) = 0.073, plus ≈ 1.4 % that find their connection busy:
/// "about 1 in 12" (0.083 within 10 %), and a mean of about 110 + 0.087 × 300 ≈ 135 ms. HTTPS for the HTTP
/// users: their mean is about the TLS 1.3 users' 185 ms.
#[test]
fn the_http_vs_https_scenarios_changes_do_what_they_say() {
    for seed in SEEDS {
        let longer = variant(
            "http-vs-https",
            seed,
            "tls12-users",
            "connections",
            json!({"https": true, "tls_version": "1.2", "keepalive_s": 120}),
        );
        let p = client_conns(&longer, "tls12-users");
        assert!(
            (p.handshake_share - 1.0 / 12.0).abs() <= 0.1 / 12.0,
            "seed {seed}: {p:?}"
        );
        assert!((p.mean_ms - 135.0).abs() <= 13.5, "seed {seed}: {p:?}");
        let https = variant(
            "http-vs-https",
            seed,
            "http-users",
            "connections",
            json!({"https": true, "keepalive_s": 10}),
        );
        let p = client_conns(&https, "http-users");
        assert!((p.mean_ms - 185.0).abs() <= 18.5, "seed {seed}: {p:?}");
    }
}

/// 30 users (addresses) behind a round-robin load balancer over three servers that keep sessions in memory,
/// 100 requests a second for 10 s, server `s1` killed at 5 s (by then all 30 users have been seen: the chance
/// that one of them is not among 500 uniform draws is 30 × (29/30)^500 ≈ 10⁻⁶) and not revived.
fn sessions_diagram(sticky: bool) -> Topology {
    let mut t = Topology::default();
    t.settings.duration_s = 10.0;
    t.settings.warmup_s = 0.0;
    t.settings.link.latency = Dist::Constant { ms: 1.0 };
    t.settings.trace_capacity = 0;
    t.nodes = vec![
        poisson_client("c", 100.0)
            .with("addresses", json!(30))
            .with("timeout_ms", json!(5000)),
        playground_core::topology::Node::new("lb", "load_balancer")
            .with("strategy", json!("round_robin"))
            .with("sticky", json!(sticky)),
    ];
    t.edges = vec![playground_core::topology::Edge::new("c", "lb")];
    for s in ["s1", "s2", "s3"] {
        t.nodes.push(
            server(s, 4, None, &Dist::Constant { ms: 2.0 }).with("sessions", json!("stateful")),
        );
        t.edges.push(playground_core::topology::Edge::new("lb", s));
    }
    t.faults = vec![playground_core::topology::Fault {
        at_s: 5.0,
        action: playground_core::topology::FaultAction::Kill { node: "s1".into() },
    }];
    t
}

fn sessions(r: &Report, id: &str) -> (u64, u64, u64) {
    let s = r.nodes[id]
        .service()
        .expect("a stateful server reports its sessions");
    (s.sessions_created, s.sessions_held, s.logged_out)
}

/// Sticky: a new user is pinned round robin, so each server logs in exactly 10 of the 30 users; the kill
/// logs out exactly s1's 10, and once the health checks take s1 out those 10 are pinned to s2 and s3 in
/// turn (5 each) and log in again: s2 and s3 each create 15 sessions and hold 15 at the end. Not sticky:
/// each user's requests go round all three, so s1 holds (nearly) every user's session and its kill logs out
/// more than the 10 the sticky balancer lost (all 30 but the few users whose requests missed s1). Exact.
#[test]
fn a_sticky_balancer_keeps_a_users_session_and_a_kill_logs_out_its_users() {
    let r = run(&sessions_diagram(true)).expect("valid");
    let (created, _, logged_out) = sessions(&r, "s1");
    assert_eq!((created, logged_out), (10, 10));
    assert_eq!(sessions(&r, "s2"), (15, 15, 0));
    assert_eq!(sessions(&r, "s3"), (15, 15, 0));
    let r = run(&sessions_diagram(false)).expect("valid");
    let (created, _, logged_out) = sessions(&r, "s1");
    assert_eq!(created, logged_out);
    assert!(logged_out > 25, "{logged_out}");
}

/// Stateless servers with a session store: nothing is held, nothing is logged out, and the store is called
/// once per request the servers serve (sequential plan: every request calls the store's edge once).
#[test]
fn a_session_store_loses_nothing_when_a_server_dies() {
    let mut t = sessions_diagram(false);
    t.nodes.push(
        playground_core::topology::Node::new("store", "cache")
            .with("capacity", json!(100_000))
            .with("ttl_ms", json!(null)),
    );
    for n in &mut t.nodes {
        if n.kind == "server" {
            n.params.insert("sessions".into(), json!("store"));
        }
    }
    for s in ["s1", "s2", "s3"] {
        t.edges
            .push(playground_core::topology::Edge::new(s, "store"));
    }
    let r = run(&t).expect("valid");
    let served: u64 = ["s1", "s2", "s3"].iter().map(|s| r.nodes[*s].served).sum();
    assert!(
        ["s1", "s2", "s3"]
            .iter()
            .all(|s| r.nodes[*s].service().is_none())
    );
    assert_eq!(r.nodes["store"].arrivals, served);
}

/// A reverse proxy: 50 users through a load balancer to one server that terminates TLS (1 ms of CPU a
/// handshake, 60 s keep-alive per client address). Passed through, the server shakes hands once per user
/// (1,000 requests over 10 s: every one of the 50 addresses is seen, the chance one is missed is
/// 50 × (49/50)^1000 ≈ 10⁻⁷): 50 handshakes. Behind a load balancer that terminates TLS the server sees one
/// pooled connection from it: 1 handshake. Exact.
#[test]
fn behind_a_tls_terminating_load_balancer_a_server_sees_one_pooled_connection() {
    for (terminates, handshakes) in [(false, 50), (true, 1)] {
        let mut t = Topology::default();
        t.settings.duration_s = 10.0;
        t.settings.trace_capacity = 0;
        t.nodes = vec![
            poisson_client("c", 100.0).with("addresses", json!(50)),
            playground_core::topology::Node::new("lb", "load_balancer")
                .with("terminates_tls", json!(terminates)),
            server("s", 4, None, &Dist::Constant { ms: 1.0 }).with("tls_handshake_ms", json!(1.0)),
        ];
        t.edges = vec![
            playground_core::topology::Edge::new("c", "lb"),
            playground_core::topology::Edge::new("lb", "s"),
        ];
        let r = run(&t).expect("valid");
        let s = r.nodes["s"].service().expect("a TLS server reports");
        assert_eq!(s.handshakes, handshakes, "terminates_tls {terminates}");
    }
}

/// "Sticky sessions vs a session store when a server dies": 2,000 users at 200/s (each Poisson at 0.1/s);
/// by the kill at 30 s a user has been seen with probability 1 − e^−3, and a sticky round-robin balancer pins
/// new users to the three servers in turn, so the dead server holds a third of the seen users' sessions:
/// 2,000 × (1 − e^−3) ÷ 3 = 633.5, within 4 standard errors of the binomial count of seen users
/// (√(2,000 × 0.95 × 0.05) ÷ 3 = 3.2, plus 1 for the turn) and "about 630" within 10 %. The other servers
/// lose nothing; the stateless servers hold and lose nothing; the store takes one call per request the
/// stateless servers serve, about 200 a second (less the requests lost to the dead one for the 3 s its
/// health checks take, 0.3 %).
pub(crate) fn sticky_sessions(r: &Report, c: &mut Claims) {
    let lost = |id: &str| r.nodes[id].service().map_or(0, |s| s.logged_out);
    let expected = 2000.0 * (1.0 - (-3.0f64).exp()) / 3.0;
    c.about("mem-1: logged-out users", lost("mem-1") as f64, 630.0);
    c.expected(
        "mem-1: logged-out users against 2,000 (1 − e^−3) / 3",
        lost("mem-1") as f64,
        expected,
        (2000.0 * 0.95 * 0.05f64).sqrt() / 3.0 + 1.0,
    );
    for id in ["mem-2", "mem-3", "app-1", "app-2", "app-3"] {
        c.check(
            lost(id) == 0,
            &format!("{id}: logs out nobody"),
            String::new(),
        );
    }
    for id in ["app-1", "app-2", "app-3"] {
        c.check(
            r.nodes[id].service().is_none(),
            &format!("{id}: holds no session"),
            String::new(),
        );
    }
    let window = r.duration_s - r.warmup_s;
    c.about(
        "session store: calls a second",
        r.nodes["session-store"].arrivals as f64 / window,
        200.0,
    );
}

#[test]
fn the_sticky_sessions_scenario_logs_out_the_dead_servers_users_only() {
    check_claims("sticky-sessions", sticky_sessions);
}

/// The try-this items. Not sticky: a user's requests land on the dead server in turn with the others, so it
/// holds the session of a user with probability 1 − E[(2/3)^N] = 1 − e^(−3/3) = 0.63 (N ~ Poisson(3)
/// requests by 30 s): about 1,260 users, "over 1,000". Twice the rate: the store's calls double, about 400
/// a second (within 10 %).
#[test]
fn the_sticky_sessions_scenarios_changes_do_what_they_say() {
    for seed in SEEDS {
        let loose = variant("sticky-sessions", seed, "sticky-lb", "sticky", json!(false));
        let lost = loose.nodes["mem-1"].service().map_or(0, |s| s.logged_out);
        assert!(lost > 1000, "seed {seed}: {lost}");
        let busy = variant("sticky-sessions", seed, "store-users", "rate", json!(400));
        let calls = busy.nodes["session-store"].arrivals as f64 / (busy.duration_s - busy.warmup_s);
        assert!((calls - 400.0).abs() <= 40.0, "seed {seed}: {calls}");
    }
}

/// The why panel: in "HTTP vs HTTPS" each client's finding names its share of requests that paid a handshake
/// (the report's `handshake_share`, as a whole percent) and its round trips per new connection (1 + k); the
/// pool test's user, whose requests nearly all waited, gets the pool warning; in "Sticky sessions" the dead
/// server's finding names exactly its logged-out users.
#[test]
fn the_why_panel_names_handshakes_pool_waits_and_logged_out_users() {
    use playground_core::explain::explain;
    use playground_core::scenarios::by_name;
    let t = by_name("http-vs-https").expect("scenario").topology();
    let r = run(&t).expect("valid");
    let findings = explain(&t, &r);
    for (id, rt) in [("http-users", 1), ("tls13-users", 2), ("tls12-users", 3)] {
        let share = format!(
            "{} %",
            (client_conns(&r, id).handshake_share * 100.0).round()
        );
        assert!(
            findings.iter().any(|f| f.text.starts_with(id)
                && f.text.contains(&share)
                && f.text.contains(&format!("({rt} round trips"))),
            "{id}: {findings:?}"
        );
    }
    let t = one_user(125.0, 2.0, 10.0, json!({"pool_size": 2}));
    let r = run(&t).expect("valid");
    assert!(
        explain(&t, &r)
            .iter()
            .any(|f| f.text.contains("waited for a free connection")),
        "pool"
    );
    let t = by_name("sticky-sessions").expect("scenario").topology();
    let r = run(&t).expect("valid");
    let lost = r.nodes["mem-1"].service().expect("sessions").logged_out;
    let findings = explain(&t, &r);
    assert!(
        findings.iter().any(|f| f
            .text
            .starts_with(&format!("mem-1 died holding {lost} users' sessions"))),
        "{findings:?}"
    );
}
