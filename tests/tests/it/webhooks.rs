//! The webhook provider against arithmetic: delivery with `k` attempts that each fail with probability `f`
//! (`1 − fᵏ`, `(1 − fᵏ)/(1 − f)` attempts per event), duplicates from a timeout after the consumer processed
//! the delivery and their deduplication by the consumer's idempotency keys (exact counts), and polling's delay
//! and empty polls (`P/2` + the round trip, `e^(−λP)`).

use playground_core::components::server::ServiceReport;
use playground_core::components::webhook_provider::theory;
use playground_core::components::{NodeDetail, WebhookReport};
use playground_core::{Report, Topology, run};
use serde_json::{Value, json};

/// A provider `hook` with `params` delivering to a server `shop` with `server` params, over edges of a
/// constant 5 ms each way, for `duration_s`.
fn diagram(params: Value, server: Value, duration_s: f64, seed: u64) -> Report {
    let t = json!({
        "settings": {"seed": seed, "duration_s": duration_s, "series_interval_s": 0,
                     "trace_capacity": 0, "drain_limit_s": 600},
        "nodes": [
            {"id": "hook", "kind": "webhook_provider", "params": params},
            {"id": "shop", "kind": "server", "params": server}
        ],
        "edges": [{"from": "hook", "to": "shop", "latency": {"type": "constant", "ms": 5}}]
    });
    run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid")
}

fn log(r: &Report) -> WebhookReport {
    r.nodes["hook"]
        .detail
        .as_ref()
        .and_then(NodeDetail::webhooks)
        .cloned()
        .expect("the provider reports its delivery log")
}

fn service(r: &Report) -> ServiceReport {
    r.nodes["shop"]
        .service()
        .cloned()
        .expect("the consumer reports its effects")
}

/// Each attempt fails independently with probability `f` (the consumer's `error_probability`; its answer
/// comes in 11 ms, far inside the 10 s timeout) and an event gets `k` attempts. Then an event is delivered
/// with probability `1 − fᵏ` (binomial over N events) and takes `(1 − fᵏ)/(1 − f)` attempts on average
/// (the sum over N events has variance N·Var, Var of the geometric count stopped at `k`, computed exactly
/// in `theory::attempts_variance`); first tries are Binomial(N, 1 − f). Each count within 4 of its standard
/// errors, over three seeds and three (f, k). Exactly: failed attempts = attempts − delivered (no timeouts),
/// dead = events − delivered, nothing pending after the drain.
#[test]
fn delivery_and_attempts_follow_one_minus_f_to_the_k() {
    for (f, k) in [(0.5, 3), (0.2, 2), (0.8, 5)] {
        for seed in 1..=3 {
            let r = diagram(
                json!({"event_rate": 100, "delivery_timeout_ms": 10000,
                       "retry": {"max_attempts": k, "backoff": {"type": "fixed", "delay_ms": 10},
                                 "jitter": "none"}}),
                json!({"workers": 64, "error_probability": f,
                       "service_time": {"type": "constant", "ms": 1}}),
                60.0,
                seed,
            );
            let w = log(&r);
            let n = w.events as f64;
            let what = format!("f {f}, k {k}, seed {seed}: {w:?}");
            assert!(n > 5000.0, "{what}");
            assert_eq!(w.pending, 0, "{what}");
            assert_eq!(w.dead, w.events - w.delivered, "{what}");
            assert_eq!(w.failed_attempts, w.attempts - w.delivered, "{what}");
            assert_eq!((w.timeouts, w.duplicates), (0, 0), "{what}");
            let p = theory::delivered_share(f, k);
            let se = (n * p * (1.0 - p)).sqrt();
            eprintln!(
                "f {f} k {k} seed {seed}: delivered {} of {n} (N(1 − f^k) = {:.1}), attempts {} (N(1 − f^k)/(1 − f) = {:.1})",
                w.delivered,
                n * p,
                w.attempts,
                n * theory::attempts_per_event(f, k)
            );
            assert!(
                (w.delivered as f64 - n * p).abs() <= 4.0 * se,
                "delivered {} vs N(1 − f^k) = {:.1} ± 4 × {se:.1}: {what}",
                w.delivered,
                n * p
            );
            let m = theory::attempts_per_event(f, k);
            let se = (n * theory::attempts_variance(f, k)).sqrt();
            assert!(
                (w.attempts as f64 - n * m).abs() <= 4.0 * se,
                "attempts {} vs N(1 − f^k)/(1 − f) = {:.1} ± 4 × {se:.1}: {what}",
                w.attempts,
                n * m
            );
            let se = (n * f * (1.0 - f)).sqrt();
            assert!(
                (w.first_try as f64 - n * (1.0 - f)).abs() <= 4.0 * se,
                "first tries {} vs N(1 − f): {what}",
                w.first_try
            );
        }
    }
}

/// The consumer takes a constant 300 ms; the provider waits 200 ms, then retries after a fixed wait. Every
/// first attempt times out and is processed anyway: its 2xx comes at 5 + 300 + 5 = 310 ms, after the
/// timeout (a late answer). N = 200 events, all inside the run; counts exact.
///
/// - Idempotency keys, a 500 ms wait: the retry (at 700 ms) finds the key's record and is answered from the
///   dedupe store in 10 ms. Per event 2 attempts, 1 timeout, 1 late answer, 1 duplicate; the consumer applies
///   N effects, 0 duplicate effects, N deduplicated: once per event.
/// - Idempotency keys, a 50 ms wait: the retry (at 250 ms) arrives while the first is in progress and is
///   refused (409); the third attempt (at 260 + 50 = 310 ms, arriving at 315 ms, after the first finished at
///   305 ms) is deduplicated. Per event 3 attempts, 1 failed, N in-progress conflicts, still N effects.
/// - No idempotency keys, a 500 ms wait: every attempt is processed again and times out again; after 3
///   attempts the event is dead though the consumer applied it 3 times: 3N effects, 2N duplicate effects.
#[test]
fn a_duplicate_is_a_timeout_after_the_consumer_processed_and_idempotency_applies_it_once() {
    let n = 200u64;
    let run_with = |wait_ms: f64, keyed: bool| {
        let mut server = json!({"workers": 200, "side_effects": true,
                                "service_time": {"type": "constant", "ms": 300}});
        if keyed {
            server["idempotency"] = json!({"retention_s": 60});
        }
        let r = diagram(
            json!({"event_rate": 50, "max_events": n, "delivery_timeout_ms": 200,
                   "retry": {"max_attempts": 3, "backoff": {"type": "fixed", "delay_ms": wait_ms},
                             "jitter": "none"}}),
            server,
            30.0,
            1,
        );
        (log(&r), service(&r))
    };
    let (w, s) = run_with(500.0, true);
    assert_eq!(w.events, n);
    assert_eq!(
        (w.delivered, w.first_try, w.after_retries, w.dead),
        (n, 0, n, 0),
        "{w:?}"
    );
    assert_eq!(
        (
            w.attempts,
            w.timeouts,
            w.late_answers,
            w.duplicates,
            w.processed
        ),
        (2 * n, n, n, n, n),
        "{w:?}"
    );
    assert_eq!(
        (s.effects, s.duplicate_effects, s.deduplicated),
        (n, 0, n),
        "{s:?}"
    );

    let (w, s) = run_with(50.0, true);
    assert_eq!(
        (
            w.delivered,
            w.attempts,
            w.failed_attempts,
            w.timeouts,
            w.duplicates
        ),
        (n, 3 * n, n, n, n),
        "{w:?}"
    );
    assert_eq!(
        (
            s.effects,
            s.duplicate_effects,
            s.in_progress_conflicts,
            s.deduplicated
        ),
        (n, 0, n, n),
        "{s:?}"
    );

    let (w, s) = run_with(500.0, false);
    assert_eq!(
        (
            w.delivered,
            w.dead,
            w.attempts,
            w.timeouts,
            w.late_answers,
            w.duplicates
        ),
        (0, n, 3 * n, 3 * n, 3 * n, 2 * n),
        "{w:?}"
    );
    assert_eq!((s.effects, s.duplicate_effects), (3 * n, 2 * n), "{s:?}");
}

/// A consumer with a heavy-tailed service time (log-normal, median 50 ms, σ 1.5: P(> 1 s) = P(Z > ln 20 /
/// 1.5) ≈ 2.3 %) and a 1 s timeout: some deliveries time out after the consumer processed them. Whatever
/// the draws, every 2xx the provider sees is an effect applied or a repeat answered from the dedupe store,
/// so exactly: effects = events processed, duplicate effects = 0, deduplicated = duplicates sent; without
/// keys, effects = processed + duplicates and duplicate effects = duplicates. Three seeds; the duplicates
/// must exist (over 10 per run) for the identity to say anything.
#[test]
fn at_least_once_duplicates_are_exactly_the_consumers_dedupes() {
    for seed in 1..=3 {
        for keyed in [true, false] {
            let mut server = json!({"workers": 64, "side_effects": true,
                "service_time": {"type": "log_normal", "median_ms": 50, "sigma": 1.5}});
            if keyed {
                server["idempotency"] = json!({"retention_s": 120});
            }
            let r = diagram(
                json!({"event_rate": 20, "max_events": 2000, "delivery_timeout_ms": 1000}),
                server,
                200.0,
                seed,
            );
            let (w, s) = (log(&r), service(&r));
            let what = format!("seed {seed}, keys {keyed}: {w:?} {s:?}");
            eprintln!(
                "seed {seed} keys {keyed}: processed {}, duplicates {}, late {}; effects {}, duplicate effects {}, deduplicated {}",
                w.processed,
                w.duplicates,
                w.late_answers,
                s.effects,
                s.duplicate_effects,
                s.deduplicated
            );
            assert_eq!(w.events, 2000, "{what}");
            assert!(
                w.duplicates > 10 && w.late_answers >= w.duplicates,
                "{what}"
            );
            if keyed {
                assert_eq!(
                    (s.effects, s.duplicate_effects, s.deduplicated),
                    (w.processed, 0, w.duplicates),
                    "{what}"
                );
            } else {
                assert_eq!(
                    (s.effects, s.duplicate_effects),
                    (w.processed + w.duplicates, w.duplicates),
                    "{what}"
                );
            }
        }
    }
}

/// Polling every P with events a Poisson process at λ: a poll finds nothing new with probability e^(−λP)
/// (binomial over the polls), and an event waits for the next poll a uniform time in [0, P), then the
/// delivery's round trip (5 + 1 + 5 ms, constant, no queueing with 64 workers): mean delay P/2 + 11 ms
/// with standard error P/√(12 N) over N events. Webhooks deliver the same events in exactly 11 ms. Two
/// (λ, P), three seeds; each within 4 standard errors.
#[test]
fn polling_waits_half_an_interval_and_finds_empty_polls() {
    let server = json!({"workers": 64, "service_time": {"type": "constant", "ms": 1}});
    for (rate, poll_ms) in [(1.0, 1000.0), (0.5, 4000.0)] {
        for seed in 1..=3 {
            let r = diagram(
                json!({"event_rate": rate, "delivery": "polled", "poll_interval_ms": poll_ms}),
                server.clone(),
                1200.0,
                seed,
            );
            let w = log(&r);
            let what = format!("λ {rate}, P {poll_ms} ms, seed {seed}: {w:?}");
            assert_eq!((w.delivered, w.dead, w.pending), (w.events, 0, 0), "{what}");
            let polls = w.polls as f64;
            assert_eq!(w.polls, (1_200_000.0 / poll_ms) as u64, "{what}");
            let p = theory::empty_poll_share(rate, poll_ms / 1000.0);
            let se = (polls * p * (1.0 - p)).sqrt();
            assert!(
                (w.empty_polls as f64 - polls * p).abs() <= 4.0 * se,
                "empty polls {} vs polls · e^(−λP) = {:.1} ± 4 × {se:.1}: {what}",
                w.empty_polls,
                polls * p
            );
            let n = w.delivered as f64;
            let want = poll_ms / 2.0 + 11.0;
            eprintln!(
                "λ {rate} P {poll_ms}: empty polls {} of {polls} (e^(−λP) N = {:.1}); mean delay {:.1} ms (P/2 + 11 = {want})",
                w.empty_polls,
                polls * p,
                w.mean_delay_ms
            );
            let se = poll_ms / (12.0 * n).sqrt();
            assert!(
                (w.mean_delay_ms - want).abs() <= 4.0 * se,
                "mean delay {:.1} vs P/2 + 11 = {want} ± 4 × {se:.1}: {what}",
                w.mean_delay_ms
            );
            let r = diagram(json!({"event_rate": rate}), server.clone(), 1200.0, seed);
            let w = log(&r);
            assert!(
                (w.mean_delay_ms - 11.0).abs() < 1e-3 && w.first_try == w.events,
                "webhooks: {w:?}"
            );
        }
    }
}

/// The provider's log in a scenario's report.
fn log_of(r: &Report, id: &str) -> WebhookReport {
    r.nodes[id]
        .detail
        .as_ref()
        .and_then(NodeDetail::webhooks)
        .cloned()
        .unwrap_or_else(|| panic!("{id} reports its delivery log"))
}

/// "Its retries outlast the 20 s outage and every payment is delivered, none dead … A pushed payment arrives
/// in one round trip (a median under 100 ms) where a polled one waits for the next poll (a median over half a
/// second), and outside the outage e^(−2) = 14 % of the polls come back empty. The shop takes over 1 s on
/// 2.3 % of deliveries, so the provider times out and sends a payment the shop had already processed again:
/// the shop's idempotency keys answer these duplicates without charging twice."
///
/// Empty polls: binomial over the polls outside the outage (all but its 20), within 4 standard errors of
/// e^(−λP) = e^(−2). Timeouts: an attempt that reaches the live shop (attempts − failed ones) times out when
/// its log-normal handling (median 50 ms, σ 1.5) passes 1 s − 10 ms of links: P(Z > ln(990/50)/1.5 =
/// 1.9907) = 0.02326, binomial within 4 standard errors. The rest are the bounds as worded.
pub(crate) fn webhooks_vs_polling(r: &Report, c: &mut crate::scenarios::Claims) {
    let push = log_of(r, "payments");
    let poll = log_of(r, "payments2");
    c.check(
        push.dead == 0 && push.pending == 0 && push.delivered == push.events,
        "every pushed payment delivered, none dead",
        format!("{push:?}"),
    );
    c.under("pushed median delay [ms]", push.p50_delay_ms, 100.0);
    c.over("polled median delay [ms]", poll.p50_delay_ms, 500.0);
    let outside = (poll.polls - 20) as f64;
    let p = theory::empty_poll_share(2.0, 1.0);
    c.expected(
        "share of polls outside the outage that come back empty",
        poll.empty_polls as f64 / outside,
        p,
        (p * (1.0 - p) / outside).sqrt(),
    );
    let reached = (push.attempts - push.failed_attempts) as f64;
    let q = 0.02326;
    c.expected(
        "attempts timed out (handling over 1 s)",
        push.timeouts as f64,
        reached * q,
        (reached * q * (1.0 - q)).sqrt(),
    );
    let shop = r.nodes["shop"].service().cloned().unwrap_or_default();
    c.check(
        push.duplicates > 0 && push.duplicates <= push.late_answers,
        "payments the shop had processed sent again (after a timeout)",
        format!("{push:?}"),
    );
    c.check(
        shop.duplicate_effects == 0 && shop.deduplicated > 0,
        "duplicates answered by the idempotency keys, none charged twice",
        format!("{shop:?}"),
    );
}

#[test]
fn webhooks_retry_through_an_outage_and_dedupe_where_polling_waits() {
    crate::scenarios::check_claims("webhooks-vs-polling", webhooks_vs_polling);
}

/// Try: `retry.max_attempts` 4 (1 + 2 + 4 = 7 s of retries) cannot outlast the 20 s outage: the payments of
/// its first 13 s (about 26) are dead and the why panel names them; without the top shop's idempotency keys
/// each duplicate is a duplicate effect; a 10 s poll interval leaves fewer empty polls (e^(−20) ≈ 0) and a
/// median delay over 4 s (half the interval, 5 s, for events outside the outage).
#[test]
fn webhooks_vs_polling_try_this() {
    use crate::scenarios::variant;
    for seed in crate::scenarios::SEEDS {
        let retry = json!({"max_attempts": 4, "jitter": "none",
                           "backoff": {"type": "exponential", "base_ms": 1000, "cap_ms": 16000}});
        let t = playground_core::scenarios::by_name("webhooks-vs-polling")
            .expect("the scenario")
            .topology();
        let r = variant("webhooks-vs-polling", seed, "payments", "retry", retry);
        let w = log_of(&r, "payments");
        assert!(w.dead >= 10, "seed {seed}: {w:?}");
        let findings = playground_core::explain::explain(&t, &r);
        assert!(
            findings
                .iter()
                .any(|f| f.text.contains("failed for good after 4 attempts")),
            "seed {seed}: {findings:?}"
        );
        let r = variant(
            "webhooks-vs-polling",
            seed,
            "shop",
            "idempotency",
            Value::Null,
        );
        let (w, s) = (log_of(&r, "payments"), r.nodes["shop"].service().cloned());
        let s = s.expect("the shop still has side effects");
        assert!(
            s.duplicate_effects > 0 && s.duplicate_effects <= w.duplicates,
            "seed {seed}: {w:?} {s:?}"
        );
        let r = variant(
            "webhooks-vs-polling",
            seed,
            "payments2",
            "poll_interval_ms",
            json!(10000),
        );
        let w = log_of(&r, "payments2");
        assert!(
            w.empty_polls == 0 && w.p50_delay_ms > 4000.0,
            "seed {seed}: {w:?}"
        );
    }
}

/// `examples/webhooks.json`: 1000 events to a shop whose log-normal handling (median 40 ms, σ 1.2) passes the
/// 500 ms timeout on P(Z > ln(490/40)/1.2 = 2.088) = 1.84 % of deliveries. Exactly, whatever the draws: with
/// the shop's idempotency keys every processed event is applied once (effects = processed, no duplicate
/// effect, deduplicated = duplicates sent); the same diagram without them applies every duplicate again
/// (duplicate effects = duplicates sent). Timeouts: binomial over the attempts that reached the shop, within 4
/// standard errors.
#[test]
fn the_webhooks_example_dedupes_its_redeliveries() {
    let text =
        std::fs::read_to_string(playground_tests::repo_root().join("examples/webhooks.json"))
            .expect("the example");
    let mut t = Topology::from_json(&text).expect("parses");
    for keyed in [true, false] {
        if !keyed {
            let shop = t.nodes.iter_mut().find(|n| n.id == "shop").expect("shop");
            shop.params.remove("idempotency");
        }
        let r = run(&t).expect("valid");
        let w = log_of(&r, "provider");
        let s = r.nodes["shop"].service().cloned().expect("effects");
        assert_eq!((w.events, w.delivered, w.dead), (1000, 1000, 0), "{w:?}");
        assert!(w.duplicates > 0, "{w:?}");
        if keyed {
            assert_eq!(
                (s.effects, s.duplicate_effects, s.deduplicated),
                (w.processed, 0, w.duplicates),
                "{s:?} {w:?}"
            );
        } else {
            assert_eq!(s.duplicate_effects, w.duplicates, "{s:?} {w:?}");
        }
        let reached = (w.attempts - w.failed_attempts) as f64;
        let q = 0.0184;
        let se = (reached * q * (1.0 - q)).sqrt();
        assert!(
            (w.timeouts as f64 - reached * q).abs() <= 4.0 * se,
            "timeouts {} vs {:.1} ± 4 × {se:.1}",
            w.timeouts,
            reached * q
        );
    }
}
