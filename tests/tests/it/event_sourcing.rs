//! Sagas and projections (`components/saga.rs`, `components/projection.rs`, `docs/sagas.md`): a saga's
//! conservation at every slice of runs with injected failures (a property test), the messages of
//! orchestration and choreography and the compensations by exact arithmetic, the time a completed saga leaves
//! the system inconsistent; a projection's stale reads against its lag (1 − e^(−wD)) and its rebuild time
//! (log length × apply time); and the two gallery scenarios' claims.

use playground_core::components::{ProjectionReport, SagaReport};
use playground_core::scenarios::by_name;
use playground_core::sim::Sim;
use playground_core::time::SimTime;
use playground_core::{Report, Topology, run};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::scenarios::{Claims, check_claims};

fn saga(r: &Report, id: &str) -> SagaReport {
    r.nodes[id]
        .detail
        .as_ref()
        .and_then(|d| d.saga())
        .unwrap_or_else(|| panic!("{id} is a saga"))
        .clone()
}

fn projection(r: &Report, id: &str) -> ProjectionReport {
    r.nodes[id]
        .detail
        .as_ref()
        .and_then(|d| d.projection())
        .unwrap_or_else(|| panic!("{id} is a projection"))
        .clone()
}

fn topology(v: &Value) -> Topology {
    Topology::from_json(&v.to_string()).expect("parses")
}

/// The saga scenario on `seed` with `edit` applied to its diagram.
fn saga_scenario(seed: u64, edit: impl Fn(&mut Topology)) -> Report {
    let mut t = by_name("saga-compensation").expect("scenario").topology();
    t.settings.seed = seed;
    edit(&mut t);
    run(&t).expect("runs")
}

fn set(t: &mut Topology, node: &str, field: &str, v: Value) {
    let n = t
        .nodes
        .iter_mut()
        .find(|n| n.id == node)
        .expect("node exists");
    n.params.insert(field.into(), v);
}

/// The checks that hold at every moment of a run: every saga started is completed, compensated or in
/// progress; each applied step of a saga that ended without completing was undone (applied − undone =
/// completed × steps + what the sagas in progress still hold); no step undone more often than applied.
fn conserved(s: &SagaReport, steps: u64) -> Result<(), String> {
    if s.started != s.completed + s.compensated + s.in_progress {
        return Err(format!(
            "started ≠ completed + compensated + in progress: {s:?}"
        ));
    }
    if s.steps_applied - s.compensations != s.completed * steps + s.applied_outstanding {
        return Err(format!("a saga left half-compensated: {s:?}"));
    }
    if s.compensating > s.in_progress || s.steps.len() as u64 != steps {
        return Err(format!("{s:?}"));
    }
    for st in &s.steps {
        if st.compensations > st.applied {
            return Err(format!("{} undone more than applied: {s:?}", st.node));
        }
    }
    Ok(())
}

/// A saga of `errors.len()` steps over servers failing with those probabilities, with a kill of one of
/// them for a while, a timeout on one step's edge and a lossy link on another.
#[allow(clippy::too_many_arguments)]
fn failing_saga(
    errors: &[f64],
    choreography: bool,
    rate: f64,
    killed: usize,
    kill_at: f64,
    down_s: f64,
    timeout_step: usize,
    lossy_step: usize,
    seed: u64,
) -> Topology {
    let mut nodes = vec![
        json!({"id": "c", "kind": "client", "params": {"rate": rate, "read_fraction": 0, "timeout_ms": 2000}}),
        json!({"id": "saga", "kind": "saga", "params": {
            "coordination": if choreography { "choreography" } else { "orchestration" },
            "compensation_retry_ms": 50}}),
    ];
    let mut edges = vec![json!({"from": "c", "to": "saga"})];
    for (i, e) in errors.iter().enumerate() {
        let id = format!("s{i}");
        nodes.push(json!({"id": id, "kind": "server", "params": {
            "workers": 8, "error_probability": e,
            "service_time": {"type": "exponential", "mean_ms": 5}}}));
        let mut edge = json!({"from": "saga", "to": id});
        if i == timeout_step {
            edge["timeout_ms"] = json!(8);
        }
        if i == lossy_step {
            edge["loss"] = json!(0.05);
        }
        edges.push(edge);
    }
    let victim = format!("s{}", killed % errors.len());
    topology(&json!({
        "settings": {"seed": seed, "duration_s": 4, "drain_limit_s": 120, "series_interval_s": 0,
                     "trace_capacity": 0},
        "nodes": nodes,
        "edges": edges,
        "faults": [
            {"at_s": kill_at, "action": {"type": "kill", "node": victim}},
            {"at_s": kill_at + down_s, "action": {"type": "revive", "node": victim}}
        ]
    }))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Saga conservation under injected failures: steps failing at random (error probabilities up to 0.5,
    /// compensations failing alike and retried), a service killed for up to 3 s, a step with an 8 ms timeout
    /// (so a slow reply fails it) and a link losing 5 % of its messages, orchestrated or choreographed. Run
    /// in 100 ms slices; at every slice `started = completed + compensated + in_progress` and no saga that
    /// ended was left half-compensated (see [`conserved`]); at the end (after the drain) none is in
    /// progress. Exact identities: no tolerance.
    #[test]
    fn every_saga_ends_completed_or_fully_compensated(
        errors in proptest::collection::vec(prop_oneof![Just(0.0), Just(0.05), Just(0.2), Just(0.5)], 1..5),
        choreography in any::<bool>(),
        rate in 20.0f64..150.0,
        killed in 0usize..4,
        kill_at in 0.5f64..3.0,
        down_s in 0.1f64..3.0,
        timeout_step in 0usize..6,
        lossy_step in 0usize..6,
        seed in 1u64..1000,
    ) {
        let t = failing_saga(&errors, choreography, rate, killed, kill_at, down_s, timeout_step, lossy_step, seed);
        let steps = errors.len() as u64;
        let mut sim = Sim::new(&t).expect("builds");
        let mut at = SimTime::ZERO;
        while !sim.is_finished() {
            at = at.add(SimTime::from_ms(100.0));
            sim.run_until(at, u64::MAX);
            let s = saga(&sim.report(), "saga");
            if let Err(e) = conserved(&s, steps) {
                return Err(TestCaseError::fail(format!("at {:.1} s: {e}", at.as_secs())));
            }
        }
        let s = saga(&sim.report(), "saga");
        prop_assert_eq!(s.in_progress, 0);
        prop_assert_eq!(s.applied_outstanding, 0);
        prop_assert_eq!(s.steps_applied - s.compensations, s.completed * steps);
        prop_assert!(s.started > 0);
    }
}

/// The messages of the two coordinations, by exact arithmetic on one run of the saga scenario and the same
/// run choreographed (the choice changes no draw, so every saga goes the same way): orchestration sends 2 a
/// call (a command and its reply), choreography 1 a call (the event the service reacts to) plus the event
/// that ends each saga. And the compensations: a saga that failed at step f (1-based) undid f − 1 steps,
/// each call that failed was sent again, so undone = Σ_f (f − 1) × failed_f and compensation calls =
/// undone + their failures. Exact.
#[test]
fn orchestration_sends_two_messages_a_call_choreography_one_and_one_a_saga() {
    for seed in [1, 2] {
        let o = saga(&saga_scenario(seed, |_| {}), "saga");
        let c = saga(
            &saga_scenario(seed, |t| {
                set(t, "saga", "coordination", json!("choreography"))
            }),
            "saga",
        );
        assert_eq!(o.in_progress, 0);
        let calls = o.step_calls + o.compensation_calls;
        assert_eq!(
            o.step_calls,
            o.steps.iter().map(|s| s.applied + s.failed).sum::<u64>()
        );
        let undone: u64 = o
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| i as u64 * s.failed)
            .sum();
        assert_eq!(o.compensations, undone, "{o:?}");
        assert_eq!(
            o.compensation_calls,
            o.compensations + o.compensation_failures
        );
        assert_eq!(o.messages, 2 * calls);
        assert_eq!(
            (
                c.started,
                c.completed,
                c.compensated,
                c.step_calls,
                c.compensation_calls
            ),
            (
                o.started,
                o.completed,
                o.compensated,
                o.step_calls,
                o.compensation_calls
            )
        );
        assert_eq!(c.messages, calls + c.started);
    }
}

/// With no step failing, every saga completes and leaves the system inconsistent from the first step's
/// reply to the last step's: payment, stock and shipping, each a round trip of two 2 ms links and its
/// constant service time (20, 5 and 10 ms), 24 + 9 + 14 = 47 ms, for every saga (64 workers a service, so
/// nobody queues). Exact (to the nanosecond rounding of the mean).
#[test]
fn a_completed_saga_is_inconsistent_for_the_round_trips_after_its_first_step() {
    let r = saga_scenario(1, |t| {
        for id in ["payment", "stock", "shipping"] {
            set(t, id, "error_probability", json!(0.0));
        }
    });
    let s = saga(&r, "saga");
    assert_eq!(s.completed, s.started);
    assert!((s.mean_inconsistent_ms - 47.0).abs() < 1e-6, "{s:?}");
    assert!((s.max_inconsistent_ms - 47.0).abs() < 1e-6, "{s:?}");
    assert_eq!(s.messages, 8 * s.started);
}

/// Writers (Poisson, 200 writes/s over 100 keys, so w = 2 writes/s per key) append to a stream whose one
/// consumer is a projection over a zero-latency link, with event delay D and no apply time: every event is
/// applied exactly D after it was appended. Readers (Poisson, 400/s over the same keys) read the projection
/// at times independent of the writes, so a read is stale iff its key was written in the last D: P = 1 −
/// e^(−wD). D = 50 ms: 0.0952; D = 250 ms: 0.3935. Tolerance: 4 binomial standard errors √(P(1−P)/n) of
/// the n ≈ 22 000 reads of the 55 s window.
#[test]
fn a_projection_read_is_stale_with_probability_one_minus_e_to_the_minus_w_d() {
    let w: f64 = 200.0 / 100.0;
    for (d_ms, seed) in [(50.0, 1), (250.0, 2)] {
        let t = topology(&json!({
            "settings": {"seed": seed, "duration_s": 60, "warmup_s": 5, "series_interval_s": 0,
                         "trace_capacity": 0},
            "nodes": [
                {"id": "writers", "kind": "client",
                 "params": {"rate": 200, "read_fraction": 0, "keys": {"type": "uniform", "count": 100}}},
                {"id": "log", "kind": "stream", "params": {"partitions": 1}},
                {"id": "view", "kind": "projection", "params": {"event_delay_ms": d_ms, "apply_ms": 0}},
                {"id": "readers", "kind": "client",
                 "params": {"rate": 400, "read_fraction": 1, "keys": {"type": "uniform", "count": 100}}}
            ],
            "edges": [
                {"from": "writers", "to": "log"},
                {"from": "log", "to": "view", "latency": {"type": "constant", "ms": 0}},
                {"from": "readers", "to": "view"}
            ]
        }));
        let p = projection(&run(&t).expect("runs"), "view");
        let expected = 1.0 - (-w * d_ms / 1000.0).exp();
        let n = p.reads as f64;
        let se = (expected * (1.0 - expected) / n).sqrt();
        let share = p.stale_reads as f64 / n;
        assert!(
            (share - expected).abs() <= 4.0 * se,
            "D = {d_ms} ms: stale share {share:.4} over {n} reads, expected {expected:.4} ± 4 × {se:.4}"
        );
    }
}

/// A projection (apply 2 ms an event, no delay) crashes at `kill_s` and comes back 1 s later: it replays
/// the log from its start, every event it had received (which, over a zero-latency link with an
/// acknowledgement at once, is every event the stream had appended: read from the stream's own count just
/// before the crash), at 2 ms each. Rebuild time = log length × 2 ms, exactly; a crash twice as late
/// replays a longer log for longer.
#[test]
fn a_rebuild_takes_the_log_length_times_the_apply_time() {
    let mut took = Vec::new();
    for kill_s in [10.0, 20.0] {
        let t = topology(&json!({
            "settings": {"seed": 3, "duration_s": 30, "series_interval_s": 0, "trace_capacity": 0},
            "nodes": [
                {"id": "writers", "kind": "client", "params": {"rate": 100, "read_fraction": 0}},
                {"id": "log", "kind": "stream", "params": {"partitions": 2}},
                {"id": "view", "kind": "projection", "params": {"event_delay_ms": 0, "apply_ms": 2}}
            ],
            "edges": [
                {"from": "writers", "to": "log"},
                {"from": "log", "to": "view", "latency": {"type": "constant", "ms": 0}}
            ],
            "faults": [
                {"at_s": kill_s, "action": {"type": "kill", "node": "view"}},
                {"at_s": kill_s + 1.0, "action": {"type": "revive", "node": "view"}}
            ]
        }));
        let mut sim = Sim::new(&t).expect("builds");
        sim.run_until(
            SimTime::from_nanos(SimTime::from_secs(kill_s).as_nanos() - 1),
            u64::MAX,
        );
        let before = sim.report();
        let appended = before.nodes["log"]
            .messaging()
            .expect("a stream reports")
            .published;
        assert_eq!(projection(&before, "view").log_events, appended);
        sim.run_to_end();
        let p = projection(&sim.report(), "view");
        assert_eq!((p.rebuilds, p.last_rebuild_events), (1, appended));
        assert!(
            (p.last_rebuild_ms - 2.0 * appended as f64).abs() < 1e-6,
            "{p:?}"
        );
        assert_eq!(p.behind, 0);
        took.push(p.last_rebuild_ms);
    }
    assert!(took[1] > took[0], "{took:?}");
}

/// The saga scenario's claims. Explanation: about 84 % complete (P = 0.95 × 0.9 × 0.98 = 0.8379); every
/// saga ends completed or fully compensated (exact identities); a refund failing is retried (payment's
/// compensation failures are counted and the sagas still end); a completed saga is inconsistent 47 ms (the
/// third test above) and the mean about 50 ms: the mix of the four ends, each its round trips (payment 24,
/// stock 9, shipping 14, order 9 ms) plus, for a compensation that can fail with probability q, q/(1−q) ×
/// (its round trip + the 100 ms retry):
/// completed 47; payment refused 24 + 9 = 33; out of stock 24 + 9 + 24 + 9 + (0.05/0.95) × 124;
/// shipping failed 47 + 9 + (0.1/0.9) × 109 + 24 + (0.05/0.95) × 124 + 9. Watch: two messages a call.
pub(crate) fn saga_compensation(r: &Report, c: &mut Claims) {
    let s = saga(r, "saga");
    let (pay, stock, ship) = (0.05, 0.10, 0.02);
    let done = (1.0 - pay) * (1.0 - stock) * (1.0 - ship);
    c.about(
        "share of sagas completed",
        s.completed as f64 / s.started as f64,
        0.84,
    );
    c.check(
        s.in_progress == 0 && s.started == s.completed + s.compensated,
        "every saga ends completed or compensated",
        format!("{s:?}"),
    );
    c.check(
        s.steps_applied - s.compensations == 4 * s.completed && s.applied_outstanding == 0,
        "none is left half-done",
        format!("{s:?}"),
    );
    c.check(
        s.steps[1].compensation_failures > 0,
        "a refund that fails is retried",
        format!("{:?}", s.steps[1]),
    );
    let retry = |q: f64, rt: f64| q / (1.0 - q) * (rt + 100.0);
    let mean = done * 47.0
        + pay * 33.0
        + (1.0 - pay) * stock * (66.0 + retry(pay, 24.0))
        + (1.0 - pay) * (1.0 - stock) * ship * (89.0 + retry(stock, 9.0) + retry(pay, 24.0));
    c.about("the formula's mean inconsistent time [ms]", mean, 50.0);
    c.about("mean time inconsistent [ms]", s.mean_inconsistent_ms, 50.0);
    c.check(
        s.messages == 2 * (s.step_calls + s.compensation_calls),
        "two messages a call when orchestrated",
        format!("{s:?}"),
    );
}

#[test]
fn a_saga_compensates_what_it_applied() {
    check_claims("saga-compensation", saga_compensation);
}

/// Try this: choreographed, about 40 % fewer messages (one a call plus one a saga instead of two a call);
/// Stock killed from 20 s to 30 s: every saga that reaches Stock meanwhile is compensated (Stock fails
/// none outside, so its failures are the outage's plus 10 % of the rest), each undoing the order and the
/// payment.
#[test]
fn the_saga_changes_do_what_they_say() {
    for seed in [1, 2, 3] {
        let o = saga(&saga_scenario(seed, |_| {}), "saga");
        let c = saga(
            &saga_scenario(seed, |t| {
                set(t, "saga", "coordination", json!("choreography"))
            }),
            "saga",
        );
        let fewer = 1.0 - c.messages as f64 / o.messages as f64;
        assert!(
            (fewer - 0.40).abs() <= 0.04,
            "seed {seed}: {fewer:.3} fewer messages"
        );
        let killed = saga_scenario(seed, |t| {
            t.faults = serde_json::from_value(json!([
                {"at_s": 20, "action": {"type": "kill", "node": "stock"}},
                {"at_s": 30, "action": {"type": "revive", "node": "stock"}}
            ]))
            .expect("faults parse");
        });
        let k = saga(&killed, "saga");
        // About 10 s × 50/s × 0.95 reach Stock while it is down, on top of the usual 10 %.
        assert!(
            k.steps[2].failed > o.steps[2].failed + 350,
            "seed {seed}: {:?} vs {:?}",
            k.steps[2],
            o.steps[2]
        );
        assert_eq!(k.in_progress, 0);
        assert_eq!(k.steps_applied - k.compensations, 4 * k.completed);
        // The order is undone for each saga failing after it, the payment for each failing after that.
        let failed = |from: usize| k.steps[from..].iter().map(|s| s.failed).sum::<u64>();
        assert_eq!(k.steps[0].compensations, failed(1));
        assert_eq!(k.steps[1].compensations, failed(2));
    }
}

/// The CQRS scenario's claims. Explanation: writes per order w = 200/400 = 0.5/s; the list's lag D = its
/// 200 ms delay + the 0.5 ms link + the 1 ms apply time (queueing behind another event is rare at 20 %
/// utilisation and a fraction of a millisecond), the search's 1 001.5 ms: stale shares 1 − e^(−wD) = 9.6 %
/// and 39.4 %, each checked within 4 binomial standard errors of its reads (the list's window starts at 10
/// s, after its rebuild has caught up); the rebuild replays about 1 000 events (200/s × 5 s) in about 1 s,
/// exactly events × 1 ms.
pub(crate) fn cqrs_read_model(r: &Report, c: &mut Claims) {
    let w: f64 = 200.0 / 400.0;
    for (id, d_ms) in [("list", 201.5), ("search", 1001.5)] {
        let p = projection(r, id);
        let expected = 1.0 - (-w * d_ms / 1000.0).exp();
        let n = p.reads as f64;
        c.expected(
            &format!("{id}'s stale share"),
            p.stale_reads as f64 / n,
            expected,
            (expected * (1.0 - expected) / n).sqrt(),
        );
    }
    let list = projection(r, "list");
    c.about(
        "events the rebuild replays",
        list.last_rebuild_events as f64,
        1000.0,
    );
    c.check(
        list.rebuilds == 1 && (list.last_rebuild_ms - list.last_rebuild_events as f64).abs() < 1e-6,
        "the rebuild takes its events × 1 ms",
        format!("{list:?}"),
    );
    c.about("rebuild time [ms]", list.last_rebuild_ms, 1000.0);
}

#[test]
fn a_read_model_lags_its_log() {
    check_claims("cqrs-read-model", cqrs_read_model);
}

/// Try this: the search with a 200 ms delay is as stale as the list (both within 4 binomial standard
/// errors of 1 − e^(−0.5 × 0.2015)); the crash moved to 50 s replays a log ten times longer (about 10 000
/// events), for ten times as long.
#[test]
fn the_cqrs_changes_do_what_they_say() {
    for seed in [1, 2, 3] {
        let mut t = by_name("cqrs-read-model").expect("scenario").topology();
        t.settings.seed = seed;
        let base = run(&t).expect("runs");
        set(&mut t, "search", "event_delay_ms", json!(200));
        let r = run(&t).expect("runs");
        let expected = 1.0 - (-0.5f64 * 0.2015).exp();
        let p = projection(&r, "search");
        let se = (expected * (1.0 - expected) / p.reads as f64).sqrt();
        let share = p.stale_reads as f64 / p.reads as f64;
        assert!(
            (share - expected).abs() <= 4.0 * se,
            "seed {seed}: {share:.4} vs {expected:.4}"
        );
        let mut late = by_name("cqrs-read-model").expect("scenario").topology();
        late.settings.seed = seed;
        late.faults = serde_json::from_value(json!([
            {"at_s": 50, "action": {"type": "kill", "node": "list"}},
            {"at_s": 51, "action": {"type": "revive", "node": "list"}}
        ]))
        .expect("faults parse");
        let (a, b) = (
            projection(&base, "list"),
            projection(&run(&late).expect("runs"), "list"),
        );
        let ratio = b.last_rebuild_ms / a.last_rebuild_ms;
        assert!(
            (ratio - 10.0).abs() <= 1.0,
            "seed {seed}: rebuilds {a:?} and {b:?}"
        );
    }
}
