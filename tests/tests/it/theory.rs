//! Agreement with queueing theory. Each check runs independent replications (different seeds) and compares
//! the replication mean with the analytic value within 4 standard errors (see `assert_agrees`); run lengths
//! are chosen so that standard error is a few percent or less. Links have zero latency, so end-to-end
//! response time is the station's sojourn time.

use playground_core::fixtures::{balanced, single_station, tandem};
use playground_core::{Dist, Report, Topology, run};
use playground_tests::{assert_agrees, mean_se};

const REPS: u64 = 8;

fn replicate(make: impl Fn(u64) -> Topology, reps: u64) -> Vec<Report> {
    (0..reps)
        .map(|i| run(&make(1000 + i)).expect("fixture topologies are valid"))
        .collect()
}

fn node<'a>(r: &'a Report, id: &str) -> &'a playground_core::report::NodeReport {
    r.nodes.get(id).expect("node present")
}

fn each(rs: &[Report], f: impl Fn(&Report) -> f64) -> Vec<f64> {
    rs.iter().map(f).collect()
}

/// Little's law L = λW at every station of every replication, within 2 %: the time average of the number in
/// the node against arrivals per second of the window times the mean time in node. Both sides come from the
/// same run, so only the requests straddling the window's edges separate them.
fn assert_little(rs: &[Report], ids: &[&str]) {
    for r in rs {
        let window = r.duration_s - r.warmup_s;
        for id in ids {
            let n = node(r, id);
            let lambda = n.arrivals as f64 / window;
            let l = lambda * n.mean_time_ms / 1e3;
            let rel = (n.mean_in_node - l).abs() / l;
            assert!(
                rel < 0.02,
                "little's law at {id}: L = {} but λW = {l} (seed {})",
                n.mean_in_node,
                r.seed
            );
        }
    }
}

#[test]
fn mm1_matches_the_textbook() {
    // λ = 800/s, 1 ms mean service: ρ = 0.8, W = 1/(μ − λ) = 5 ms, Lq = ρ²/(1 − ρ) = 3.2, P(wait) = ρ.
    let rs = replicate(
        |s| single_station(800.0, 1, None, Dist::exponential_ms(1.0), 100.0, s),
        REPS,
    );
    assert_agrees(
        "M/M/1 mean response [ms]",
        &each(&rs, |r| r.latency_ms.mean),
        5.0,
        0.01,
    );
    assert_agrees(
        "M/M/1 mean queue",
        &each(&rs, |r| node(r, "s").mean_queue),
        3.2,
        0.01,
    );
    assert_agrees(
        "M/M/1 utilisation",
        &each(&rs, |r| node(r, "s").utilization),
        0.8,
        0.002,
    );
    let wait = each(&rs, |r| {
        node(r, "s").waited as f64 / node(r, "s").arrivals as f64
    });
    assert_agrees("M/M/1 waiting probability", &wait, 0.8, 0.002);
    // The median of an exponential sojourn with rate μ − λ: ln 2 / 200 s.
    assert_agrees(
        "M/M/1 median response [ms]",
        &each(&rs, |r| r.latency_ms.p50),
        1e3 * 2f64.ln() / 200.0,
        0.01,
    );
    assert_little(&rs, &["s"]);
}

/// Erlang C: the probability that an arrival waits in M/M/c with offered load `a` = λ/μ.
pub(crate) fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / f64::from(c);
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let top = term * a / f64::from(c) / (1.0 - rho);
    top / (sum + top)
}

#[test]
fn mmc_matches_erlang_c() {
    // c = 4, λ = 800/s, 4 ms service: a = 3.2, ρ = 0.8; C(4, 3.2) ≈ 0.5964; W = C/(cμ − λ) + 1/μ.
    let c = erlang_c(4, 3.2);
    assert!((c - 0.5964).abs() < 1e-3, "erlang c formula check: {c}");
    let w = c / (4.0 * 250.0 - 800.0) * 1e3 + 4.0;
    let rs = replicate(
        |s| single_station(800.0, 4, None, Dist::exponential_ms(4.0), 100.0, s),
        REPS,
    );
    assert_agrees(
        "M/M/4 mean response [ms]",
        &each(&rs, |r| r.latency_ms.mean),
        w,
        0.01,
    );
    let wait = each(&rs, |r| {
        node(r, "s").waited as f64 / node(r, "s").arrivals as f64
    });
    assert_agrees("M/M/4 waiting probability", &wait, c, 0.005);
    assert_agrees(
        "M/M/4 utilisation",
        &each(&rs, |r| node(r, "s").utilization),
        0.8,
        0.002,
    );
    assert_little(&rs, &["s"]);
}

#[test]
fn mm1k_matches_the_blocking_formula() {
    // K = 5 (one in service, four waiting), ρ = 0.9: P_K = (1 − ρ)ρ^K / (1 − ρ^(K+1)) ≈ 0.1260;
    // L = ρ/(1 − ρ) − (K+1)ρ^(K+1)/(1 − ρ^(K+1)); admitted requests' W = L / (λ(1 − P_K)).
    let (rho, k) = (0.9f64, 5i32);
    let pk = (1.0 - rho) * rho.powi(k) / (1.0 - rho.powi(k + 1));
    let l = rho / (1.0 - rho) - f64::from(k + 1) * rho.powi(k + 1) / (1.0 - rho.powi(k + 1));
    let w = l / (900.0 * (1.0 - pk)) * 1e3;
    let rs = replicate(
        |s| single_station(900.0, 1, Some(4), Dist::exponential_ms(1.0), 100.0, s),
        REPS,
    );
    let blocked = each(&rs, |r| {
        r.requests.rejected() as f64 / r.requests.sent as f64
    });
    assert_agrees("M/M/1/5 blocking probability", &blocked, pk, 0.005);
    assert_agrees(
        "M/M/1/5 mean response of admitted [ms]",
        &each(&rs, |r| r.latency_ms.mean),
        w,
        0.01,
    );
    for r in &rs {
        assert_eq!(
            node(r, "s").dropped,
            r.requests.rejected(),
            "every rejection is counted at the server"
        );
    }
    assert_little(&rs, &["s"]);
}

#[test]
fn mg1_matches_pollaczek_khinchine() {
    // M/D/1, ρ = 0.8, S = 1 ms: Wq = ρS / (2(1 − ρ)) = 2 ms, W = 3 ms.
    let rs = replicate(
        |s| single_station(800.0, 1, None, Dist::constant_ms(1.0), 100.0, s),
        REPS,
    );
    assert_agrees(
        "M/D/1 mean response [ms]",
        &each(&rs, |r| r.latency_ms.mean),
        3.0,
        0.01,
    );
    assert_little(&rs, &["s"]);
    // M/H2/1 ("bimodal"), ρ = 0.6: E[S] = 0.9·0.5 + 0.1·5.5 = 1 ms, E[S²] = 2(0.9·0.25 + 0.1·30.25) = 6.5 ms²,
    // Wq = λE[S²] / (2(1 − ρ)) = 0.6·6.5/0.8 = 4.875 ms, W = 5.875 ms.
    let h2 = Dist::Bimodal {
        fast_ms: 0.5,
        slow_ms: 5.5,
        slow_probability: 0.1,
    };
    let rs = replicate(
        |s| single_station(600.0, 1, None, h2.clone(), 100.0, s),
        REPS,
    );
    assert_agrees(
        "M/H2/1 mean response [ms]",
        &each(&rs, |r| r.latency_ms.mean),
        5.875,
        0.01,
    );
    assert_little(&rs, &["s"]);
}

#[test]
fn tandem_matches_jackson() {
    // λ = 500/s through μ1 = 1000/s then μ2 = 800/s: each station is M/M/1 on its own (Jackson), so
    // W = 1/(μ1 − λ) + 1/(μ2 − λ) = 2 + 3.333 ms; station 2 alone 3.333 ms; Lq1 = 0.5²/0.5, Lq2 = 0.625²/0.375.
    let rs = replicate(|s| tandem(500.0, &[1.0, 1.25], 100.0, s), REPS);
    assert_agrees(
        "tandem mean response [ms]",
        &each(&rs, |r| r.latency_ms.mean),
        2.0 + 10.0 / 3.0,
        0.01,
    );
    assert_agrees(
        "tandem station 2 sojourn [ms]",
        &each(&rs, |r| node(r, "s2").mean_time_ms),
        10.0 / 3.0,
        0.01,
    );
    assert_agrees(
        "tandem station 1 queue",
        &each(&rs, |r| node(r, "s1").mean_queue),
        0.5,
        0.01,
    );
    assert_agrees(
        "tandem station 2 queue",
        &each(&rs, |r| node(r, "s2").mean_queue),
        0.625 * 0.625 / 0.375,
        0.01,
    );
    assert_little(&rs, &["s1", "s2"]);
}

/// Mean number in system per server, averaged over the `n` servers.
fn per_server_l(r: &Report, n: u32) -> f64 {
    (0..n)
        .map(|i| node(r, &format!("s{i}")).mean_in_node)
        .sum::<f64>()
        / f64::from(n)
}

#[test]
fn balancing_strategies_give_the_predicted_queue_lengths() {
    // Ten single-worker servers (1 ms exponential), Poisson 9000/s: ρ = 0.9 per server.
    let (n, rate, rho) = (10u32, 9000.0, 0.9f64);
    let reps = 4;
    let make = |strategy: &'static str| move |s| balanced(rate, n, strategy, 1.0, 12.0, s);

    // Random: each server is M/M/1 at ρ, L = ρ/(1 − ρ) = 9.
    let random = replicate(make("random"), reps);
    assert_agrees(
        "random L per server",
        &each(&random, |r| per_server_l(r, n)),
        rho / (1.0 - rho),
        0.02,
    );

    // Round robin: each server sees every n-th Poisson arrival, Erlang-n gaps: E_n/M/1. GI/M/1 theory:
    // σ = A*(μ(1 − σ)) with A*(s) = (λ/(λ + s))^n, and L = ρ/(1 − σ).
    let mu = 1000.0;
    let mut sigma: f64 = 0.5;
    for _ in 0..10_000 {
        sigma = (rate / (rate + mu * (1.0 - sigma))).powi(n as i32);
    }
    let rr_l = rho / (1.0 - sigma);
    let rr = replicate(make("round_robin"), reps);
    assert_agrees(
        "round robin L per server",
        &each(&rr, |r| per_server_l(r, n)),
        rr_l,
        0.02,
    );

    // Power of two choices: the supermarket model (Mitzenmacher 2001) gives, as n → ∞, a fraction ρ^(2^i − 1)
    // of servers holding at least i requests, so L = Σ_{i≥1} ρ^(2^i − 1) ≈ 2.35 at ρ = 0.9. With n = 10
    // the finite system sits a little above the limit (the two picks are fewer, relatively), so we accept
    // [limit, limit + 20 %], and demand it beat random by more than a factor of three.
    let limit: f64 = (1..20).map(|i| rho.powi((1i32 << i) - 1)).sum();
    let p2c = replicate(make("power_of_two"), reps);
    let (l, _) = mean_se(&each(&p2c, |r| per_server_l(r, n)));
    assert!(
        l >= limit * 0.98 && l <= limit * 1.2,
        "power of two L per server {l}, supermarket limit {limit}"
    );
    let (l_random, _) = mean_se(&each(&random, |r| per_server_l(r, n)));
    assert!(
        l * 3.0 < l_random,
        "p2c {l} is not clearly better than random {l_random}"
    );
    let (l_rr, _) = mean_se(&each(&rr, |r| per_server_l(r, n)));
    assert!(
        l_rr < l_random,
        "round robin {l_rr} beats random {l_random}"
    );
}
