//! Call plans and hedged requests against theory. Links have zero latency and the leaves have far more
//! workers than they need (no queueing), so a call's latency is its leaf's service time, independent across
//! calls, and end-to-end latency is what the plan makes of them:
//!
//! - `parallel` over n exponential leaves of mean m waits for the maximum: P(max ≤ t) = (1 − e^(−t/m))^n;
//! - `sequential` waits for the sum: its mean is the sum of the means;
//! - `first_k` waits for the k-th order statistic: E = m·Σ_{i<k} 1/(n − i), P(X₍k₎ ≤ t) = P(Bin(n, F(t)) ≥ k);
//! - a `partial_ms` deadline d answers every plan by d: P(partial) = 1 − (1 − e^(−d/m))^n;
//! - a hedge after d on an exponential backend: T = min(X₁, d + X₂), so P(T > t) = e^(−t/m) for t < d and
//!   e^(−(2t − d)/m) after; E[T] = m(1 − e^(−d/m)/2); a copy is sent with probability e^(−d/m) and wins half
//!   the time (memorylessness).
//!
//! A distribution is checked at a point through the run's own quantile q̂ₚ: the theory's CDF at q̂ₚ must be
//! p within 4 binomial standard errors √(p(1 − p)/N) of the run's N requests (plus the histogram's 0.1 %
//! resolution, stated per check). Means are compared over 8 independent replications within 4 standard
//! errors of their spread (`assert_agrees`). Counts are compared within 4 binomial standard errors.

use playground_core::report::{NodeReport, Report};
use playground_core::{Topology, run};
use playground_tests::assert_agrees;
use serde_json::{Value, json};

/// A client at `rate` → `root` (calls with `root_params`) → `n` leaves, leaf i exponential with mean
/// `means[i]` (10 000 workers each: no queueing), all links zero latency.
fn fan_out(
    root_params: Value,
    means: &[f64],
    rate: f64,
    duration_s: f64,
    seed: u64,
    edge: Value,
) -> Topology {
    let mut nodes = vec![
        json!({"id": "c", "kind": "client", "params": {"rate": rate, "timeout_ms": 1e9}}),
        json!({"id": "root", "kind": "server", "params": root_params}),
    ];
    let mut edges = vec![json!({"from": "c", "to": "root"})];
    for (i, m) in means.iter().enumerate() {
        let id = format!("leaf{i}");
        nodes.push(json!({"id": id, "kind": "server", "params": {
            "workers": 10_000, "queue_capacity": null,
            "service_time": {"type": "exponential", "mean_ms": m}}}));
        let mut e = json!({"from": "root", "to": id});
        if let (Value::Object(e), Value::Object(extra)) = (&mut e, &edge) {
            e.extend(extra.clone());
        }
        edges.push(e);
    }
    let t = json!({
        "settings": {"seed": seed, "duration_s": duration_s, "warmup_s": duration_s * 0.05,
                     "trace_capacity": 0, "link": {"latency": {"type": "constant", "ms": 0}}},
        "nodes": nodes, "edges": edges});
    Topology::from_json(&t.to_string()).expect("the test diagram parses")
}

/// The root's parameters: `calls` with `extra`, 100 000 workers and no service time.
fn root(calls: &str, extra: Value) -> Value {
    let mut p = json!({"workers": 100_000, "queue_capacity": null,
                       "service_time": {"type": "constant", "ms": 0}, "calls": calls});
    if let (Value::Object(p), Value::Object(extra)) = (&mut p, extra) {
        p.extend(extra);
    }
    p
}

fn node<'a>(r: &'a Report, id: &str) -> &'a NodeReport {
    r.nodes.get(id).expect("node present")
}

fn completed(r: &Report) -> f64 {
    r.requests.completed() as f64
}

/// The theory's CDF `cdf` at the run's p-quantile `q` (ms) is p within 4 binomial standard errors of `n`
/// draws plus `resolution` (the histogram's rounding of q, mapped through the density).
fn assert_cdf_at(what: &str, cdf: impl Fn(f64) -> f64, q: f64, p: f64, n: f64, resolution: f64) {
    let f = cdf(q);
    let tol = 4.0 * (p * (1.0 - p) / n).sqrt() + resolution;
    assert!(
        (f - p).abs() <= tol,
        "{what}: the theory's CDF at the run's {p}-quantile {q:.4} ms is {f:.5}, not {p} ± {tol:.5} (n = {n})"
    );
}

/// |count − n·p| ≤ 4·√(n·p·(1 − p)).
fn assert_count(what: &str, count: u64, n: u64, p: f64) {
    let (c, n) = (count as f64, n as f64);
    let tol = 4.0 * (n * p * (1.0 - p)).sqrt();
    assert!(
        (c - n * p).abs() <= tol,
        "{what}: {c} of {n}, expected {:.1} ± {tol:.1} (p = {p})",
        n * p
    );
}

#[test]
fn parallel_fan_out_waits_for_the_maximum_of_its_calls() {
    // n = 10 leaves of mean 10 ms: P(max ≤ t) = (1 − e^(−t/10))^10. At the median (t ≈ 27 ms) the density
    // is 0.036/ms, so the histogram's 0.1 % rounding of t moves the CDF by at most 0.001; 0.002 allowed.
    let (n, m) = (10, 10.0);
    let cdf = |t: f64| (1.0 - (-t / m).exp()).powi(n);
    for seed in 1..=3 {
        let r = run(&fan_out(
            root("parallel", json!({})),
            &[m; 10],
            200.0,
            100.0,
            seed,
            json!({}),
        ))
        .expect("valid");
        let n_req = completed(&r);
        assert!(n_req > 15_000.0, "a long enough run: {n_req}");
        assert_cdf_at(
            "max of 10, median",
            cdf,
            r.latency_ms.p50,
            0.5,
            n_req,
            0.002,
        );
        assert_cdf_at("max of 10, p90", cdf, r.latency_ms.p90, 0.9, n_req, 0.002);
        let plan = node(&r, "root").plan.as_ref().expect("a plan block");
        assert_eq!(
            (plan.plan.as_str(), plan.calls_per_request),
            ("parallel", 10)
        );
        assert_eq!(plan.failed + plan.partial, 0);
        // One call is one leaf's exponential: its median m ln 2 (the plan's histogram keeps 2 digits: 1 %).
        let one = |t: f64| 1.0 - (-t / m).exp();
        assert_cdf_at(
            "one call, median",
            one,
            plan.call_p50_ms,
            0.5,
            n_req * 10.0,
            0.01,
        );
    }
}

#[test]
fn parallel_fan_out_of_a_hundred_copies_over_one_edge_is_the_same_maximum() {
    // fan_out 100 over one edge: the max of 100 draws. Median: (1 − e^(−t/m))^100 = 0.5.
    let m = 5.0;
    let cdf = |t: f64| (1.0 - (-t / m).exp()).powi(100);
    let r = run(&fan_out(
        root("parallel", json!({"fan_out": 100})),
        &[m],
        100.0,
        100.0,
        7,
        json!({}),
    ))
    .expect("valid");
    let n_req = completed(&r);
    assert_eq!(
        node(&r, "root").plan.as_ref().map(|p| p.calls_per_request),
        Some(100)
    );
    assert_cdf_at(
        "max of 100, median",
        cdf,
        r.latency_ms.p50,
        0.5,
        n_req,
        0.002,
    );
    assert_cdf_at("max of 100, p90", cdf, r.latency_ms.p90, 0.9, n_req, 0.002);
}

#[test]
fn sequential_mean_is_the_sum_of_the_means_blocking_or_not() {
    let means = [5.0, 10.0, 20.0];
    for blocking in [true, false] {
        let xs: Vec<f64> = (0..8)
            .map(|i| {
                let r = run(&fan_out(
                    root("sequential", json!({"blocking_calls": blocking})),
                    &means,
                    100.0,
                    40.0,
                    100 + i,
                    json!({}),
                ))
                .expect("valid");
                assert!(
                    node(&r, "root").plan.is_none(),
                    "sequential is the server's own"
                );
                r.latency_ms.mean
            })
            .collect();
        assert_agrees(
            &format!("sequential mean, blocking {blocking} [ms]"),
            &xs,
            35.0,
            0.0,
        );
    }
}

#[test]
fn first_k_waits_for_the_kth_order_statistic() {
    // n = 10, k = 3, m = 10: E[X₍₃₎] = 10·(1/10 + 1/9 + 1/8) = 3.3611 ms.
    let (n, k, m) = (10_i32, 3_i32, 10.0);
    let mean = m * (0..k).map(|i| 1.0 / f64::from(n - i)).sum::<f64>();
    let mut xs = Vec::new();
    for i in 0..8 {
        let r = run(&fan_out(
            root("first_k", json!({"first_k": k})),
            &[m; 10],
            200.0,
            30.0,
            200 + i,
            json!({}),
        ))
        .expect("valid");
        xs.push(r.latency_ms.mean);
        if i == 0 {
            // P(X₍k₎ ≤ t) = P(Bin(n, F(t)) ≥ k), F(t) = 1 − e^(−t/m).
            let cdf = |t: f64| {
                let f = 1.0 - (-t / m).exp();
                (k..=n)
                    .map(|j| binomial(n, j) * f.powi(j) * (1.0 - f).powi(n - j))
                    .sum::<f64>()
            };
            let n_req = completed(&r);
            assert_cdf_at(
                "3rd of 10, median",
                cdf,
                r.latency_ms.p50,
                0.5,
                n_req,
                0.002,
            );
            let plan = node(&r, "root").plan.as_ref().expect("a plan block");
            assert_eq!((plan.plan.as_str(), plan.answers_needed), ("first_k", 3));
        }
    }
    assert_agrees("first_k mean [ms]", &xs, mean, 0.0);
}

fn binomial(n: i32, k: i32) -> f64 {
    (0..k)
        .map(|i| f64::from(n - i) / f64::from(i + 1))
        .product()
}

#[test]
fn a_partial_deadline_answers_every_plan_by_then() {
    // d = 30 ms over 10 leaves of mean 10 ms: P(some call still out at d) = 1 − (1 − e^(−3))^10 = 0.3979.
    let (d, m) = (30.0, 10.0);
    let r = run(&fan_out(
        root("parallel", json!({"partial_ms": d})),
        &[m; 10],
        200.0,
        60.0,
        11,
        json!({}),
    ))
    .expect("valid");
    let plan = node(&r, "root").plan.as_ref().expect("a plan block");
    let p = 1.0 - (1.0 - (-d / m).exp()).powi(10);
    assert_count("partial answers", plan.partial, plan.plans, p);
    assert_eq!(plan.failed, 0, "every plan had a call answer within 30 ms");
    assert!(
        r.latency_ms.max <= d * 1.001,
        "no request waits past the deadline: max {} ms",
        r.latency_ms.max
    );
    assert_eq!(r.requests.completed(), r.requests.sent);
}

/// A client at `rate` → a backend of 10 000 workers, exponential with mean `m`, over an edge with `hedge`.
fn hedged(m: f64, hedge: Value, rate: f64, duration_s: f64, seed: u64) -> Topology {
    let t = json!({
        "settings": {"seed": seed, "duration_s": duration_s, "warmup_s": duration_s * 0.05,
                     "trace_capacity": 0, "link": {"latency": {"type": "constant", "ms": 0}}},
        "nodes": [
            {"id": "c", "kind": "client", "params": {"rate": rate, "timeout_ms": 1e9}},
            {"id": "b", "kind": "server", "params": {"workers": 10_000, "queue_capacity": null,
                "service_time": {"type": "exponential", "mean_ms": m}}}],
        "edges": [{"from": "c", "to": "b", "hedge": hedge}]});
    Topology::from_json(&t.to_string()).expect("the test diagram parses")
}

/// The hedged latency's CDF: T = min(X₁, d + X₂).
fn hedged_cdf(m: f64, d: f64) -> impl Fn(f64) -> f64 {
    move |t: f64| {
        if t < d {
            1.0 - (-t / m).exp()
        } else {
            1.0 - (-(2.0 * t - d) / m).exp()
        }
    }
}

#[test]
fn a_hedge_after_a_fixed_delay_matches_the_direct_calculation() {
    // d = m ln 20 (the true 95th percentile): a copy for 5 % of calls, won by half of them;
    // E[T] = m(1 − 0.05/2) = 0.975 m; the p99 is (d + m ln 100)/2 = 3.80 m against 4.61 m unhedged.
    let m = 10.0;
    let d = m * 20f64.ln();
    let mut means = Vec::new();
    for i in 0..8 {
        let r = run(&hedged(
            m,
            json!({"after": {"type": "fixed", "ms": d}}),
            400.0,
            30.0,
            300 + i,
        ))
        .expect("valid");
        means.push(r.latency_ms.mean);
        let e = r.edges.get("c->b").expect("the hedged edge reports");
        let h = e.hedge.as_ref().expect("a hedge block");
        let p_hedge = (-d / m).exp();
        assert_count("hedges per call", h.hedges, e.calls, p_hedge);
        assert_count("hedge wins per hedge", h.hedge_wins, h.hedges, 0.5);
        assert!(
            (h.delay_ms - d).abs() < 1e-6,
            "the fixed delay: {}",
            h.delay_ms
        );
        if i == 0 {
            let n_req = completed(&r);
            // Near p99 the density is 2e^(−(2t−d)/m)/m = 0.002/ms: rounding moves the CDF by under 1e-4.
            assert_cdf_at(
                "hedged p99",
                hedged_cdf(m, d),
                r.latency_ms.p99,
                0.99,
                n_req,
                1e-4,
            );
            assert_cdf_at(
                "hedged p95",
                hedged_cdf(m, d),
                r.latency_ms.p95,
                0.95,
                n_req,
                3e-4,
            );
            assert_cdf_at(
                "hedged p50",
                hedged_cdf(m, d),
                r.latency_ms.p50,
                0.5,
                n_req,
                1e-3,
            );
            // Every copy is a draw of the backend: its p99 is m ln 100.
            let copies = (e.calls + h.hedges) as f64;
            let exp = |t: f64| 1.0 - (-t / m).exp();
            assert_cdf_at("a copy's p99", exp, h.copy_p99_ms, 0.99, copies, 1e-4);
            assert!(
                h.call_p99_ms < 0.9 * h.copy_p99_ms,
                "the hedge cuts the p99: {} against {}",
                h.call_p99_ms,
                h.copy_p99_ms
            );
        }
    }
    assert_agrees("hedged mean [ms]", &means, m * (1.0 - 0.05 / 2.0), 0.0);
}

#[test]
fn a_hedge_at_the_observed_p95_matches_the_direct_calculation() {
    // The edge estimates its p95 from its last 1000 answers (nearest rank, every 100 answers). The
    // estimate's standard error is √(p(1−p)/1000)/f(q) = 0.138 m around m ln 20, so the hedge rate
    // E[e^(−d̂/m)] sits about e^(σ²/2) − 1 ≈ 1 % above 5 %: a 2 % floor covers that bias.
    let m = 10.0;
    let d = m * 20f64.ln();
    let mut means = Vec::new();
    let mut rates = Vec::new();
    for i in 0..8 {
        let r = run(&hedged(
            m,
            json!({"after": {"type": "percentile", "p": 95}}),
            400.0,
            30.0,
            400 + i,
        ))
        .expect("valid");
        means.push(r.latency_ms.mean);
        let e = r.edges.get("c->b").expect("the hedged edge reports");
        let h = e.hedge.as_ref().expect("a hedge block");
        rates.push(h.hedges as f64 / e.calls as f64);
        let se = 0.138 * m;
        assert!(
            (h.delay_ms - d).abs() <= 4.0 * se,
            "the observed p95 {} ms against m ln 20 = {d} ms",
            h.delay_ms
        );
        assert_count("hedge wins per hedge", h.hedge_wins, h.hedges, 0.5);
    }
    assert_agrees("hedges per call", &rates, 0.05, 0.02);
    assert_agrees("hedged mean [ms]", &means, m * (1.0 - 0.05 / 2.0), 0.0);
}

#[test]
fn tied_hedges_cancel_queued_losers_and_save_the_backend_work() {
    // A backend with 4 workers at ρ ≈ 0.75, hedged after 20 ms: copies queue, and a tied loser still in
    // the queue is removed. Every copy that arrives is counted; the cancelled ones are never served.
    let mk = |tied: bool| {
        let t = json!({
            "settings": {"seed": 5, "duration_s": 60.0, "trace_capacity": 0,
                         "link": {"latency": {"type": "constant", "ms": 0}}},
            "nodes": [
                {"id": "c", "kind": "client", "params": {"rate": 280.0, "timeout_ms": 1e9}},
                {"id": "b", "kind": "server", "params": {"workers": 4, "queue_capacity": null,
                    "service_time": {"type": "exponential", "mean_ms": 10.0}}}],
            "edges": [{"from": "c", "to": "b",
                       "hedge": {"after": {"type": "fixed", "ms": 20.0}, "tied": tied}}]});
        run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid")
    };
    let (free, tied) = (mk(false), mk(true));
    for r in [&free, &tied] {
        let e = &r.edges["c->b"];
        let h = e.hedge.as_ref().expect("a hedge block");
        // Zero-latency links: a copy arrives the instant it is sent. Copies are counted by their call's start,
        // arrivals by their time, so only hedges of calls started in the window's last 20 ms (about
        // 280/s × 0.02 s = 5.6 calls) may be counted without arriving inside it.
        let sent = e.attempts + h.hedges;
        let arrived = node(r, "b").arrivals;
        assert!(
            arrived <= sent && sent - arrived <= 20,
            "{arrived} arrivals of {sent} copies"
        );
    }
    let h = tied.edges["c->b"].hedge.as_ref().expect("hedged");
    let svc = node(&tied, "b")
        .service()
        .expect("a service block once it cancels");
    assert!(h.cancelled > 0, "queued losers were cancelled");
    assert_eq!(svc.cancelled, h.cancelled, "the server and the edge agree");
    assert!(
        free.edges["c->b"]
            .hedge
            .as_ref()
            .is_some_and(|h| h.cancelled == 0)
    );
    // The cancelled copies cost no service: the tied backend is less busy.
    let (u_free, u_tied) = (node(&free, "b").utilization, node(&tied, "b").utilization);
    assert!(u_tied < u_free, "tied {u_tied} against untied {u_free}");
}

#[test]
fn every_in_an_older_diagram_runs_as_sequential() {
    let mk = |calls: &str| {
        fan_out(
            root(calls, json!({})),
            &[2.0, 3.0],
            50.0,
            10.0,
            3,
            json!({}),
        )
    };
    let (old, new) = (
        run(&mk("every")).expect("valid"),
        run(&mk("sequential")).expect("valid"),
    );
    assert_eq!(old.digest(), new.digest());
    let parallel = run(&mk("parallel")).expect("valid");
    assert_ne!(parallel.digest(), new.digest(), "the plan matters");
}
