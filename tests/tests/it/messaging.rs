//! Asynchronous messaging against theory and invariants: a queue with c pollers feeding c workers is an M/M/c
//! system (Erlang C for the wait and the depth); messages are conserved at every step of a run with drops,
//! failures, redeliveries, dead letters and a consumer crash; at-least-once delivery acknowledges every
//! message despite a crash; a topic gives every subscriber every message; a stream's consumer group is
//! capped by its partitions and its lag shows it; and a run is the same however it is sliced.

use playground_core::fixtures::{poisson_client, server};
use playground_core::report::MessagingReport;
use playground_core::topology::{Edge, Fault, FaultAction, Node};
use playground_core::{Dist, Report, Sim, SimTime, Topology, run};
use playground_tests::assert_agrees;
use serde_json::json;

/// Zero-latency, lossless links and no trace, as the theory tests use.
fn ideal(duration_s: f64, seed: u64) -> Topology {
    let mut t = Topology::default();
    t.settings.seed = seed;
    t.settings.duration_s = duration_s;
    t.settings.warmup_s = duration_s * 0.05;
    t.settings.link.latency = Dist::Constant { ms: 0.0 };
    t.settings.trace_capacity = 0;
    t
}

fn messaging(r: &Report, id: &str) -> MessagingReport {
    r.nodes
        .get(id)
        .and_then(|n| n.messaging().cloned())
        .unwrap_or_else(|| panic!("{id} reports messaging counts"))
}

/// Client (Poisson λ) → queue (c pollers, unbounded, no timeouts in reach) → c exponential workers.
fn mmc_queue(rate: f64, c: u32, mean_ms: f64, duration_s: f64, seed: u64) -> Topology {
    let mut t = ideal(duration_s, seed);
    t.nodes = vec![
        poisson_client("p", rate),
        Node::new("q", "queue")
            .with("capacity", json!(null))
            .with("consumers", json!(c))
            .with("visibility_timeout_ms", json!(1.0e9))
            .with("max_receives", json!(null)),
        server("w", c, None, &Dist::exponential_ms(mean_ms)),
    ];
    t.edges = vec![Edge::new("p", "q"), Edge::new("q", "w")];
    t
}

#[test]
fn a_queue_with_c_consumers_waits_as_erlang_c_predicts() {
    // c = 4 pollers and workers, λ = 800/s, 4 ms service: a = 3.2, ρ = 0.8, C ≈ 0.5964,
    // Wq = C / (cμ − λ) ≈ 2.98 ms, Lq = λ Wq ≈ 2.39 messages.
    let c = crate::theory::erlang_c(4, 3.2);
    let wq_ms = c / (4.0 * 250.0 - 800.0) * 1e3;
    let rs: Vec<Report> = (0..6)
        .map(|i| run(&mmc_queue(800.0, 4, 4.0, 100.0, 2000 + i)).expect("valid"))
        .collect();
    let each = |f: &dyn Fn(&Report) -> f64| rs.iter().map(f).collect::<Vec<f64>>();
    assert_agrees(
        "queue mean wait [ms]",
        &each(&|r| messaging(r, "q").mean_wait_ms),
        wq_ms,
        0.02,
    );
    assert_agrees(
        "queue mean depth",
        &each(&|r| r.nodes["q"].mean_queue),
        800.0 * wq_ms / 1e3,
        0.02,
    );
    assert_agrees(
        "share of messages that waited",
        &each(&|r| {
            let m = messaging(r, "q");
            m.waited as f64 / m.delivered as f64
        }),
        c,
        0.01,
    );
    assert_agrees(
        "poller utilisation",
        &each(&|r| r.nodes["q"].utilization),
        0.8,
        0.005,
    );
    for r in &rs {
        let m = messaging(r, "q");
        assert_eq!(
            m.acknowledged, m.published,
            "drained: every message acknowledged"
        );
        assert_eq!(r.requests.rejected() + r.requests.failed(), 0);
        // The worker pool never queues: the queue holds the waiting.
        assert_eq!(r.nodes["w"].mean_queue, 0.0);
    }
}

/// A queue under stress: bursts against a small capacity (drops), a consumer that fails a fifth of its
/// messages and sometimes takes longer than the visibility timeout (redeliveries, duplicates, dead letters),
/// killed for two seconds mid-run.
fn stressed_queue(when_full: &str, seed: u64) -> Topology {
    let mut t = ideal(30.0, seed);
    t.settings.link.latency = Dist::Constant { ms: 1.0 };
    t.nodes = vec![
        Node::new("p", "client")
            .with("rate", json!(600))
            .with("arrival", json!({"type": "bursty", "on_s": 1, "off_s": 2}))
            .with("timeout_ms", json!(5000)),
        Node::new("q", "queue")
            .with("capacity", json!(300))
            .with("when_full", json!(when_full))
            .with("consumers", json!(6))
            .with("visibility_timeout_ms", json!(150))
            .with("max_receives", json!(3)),
        server(
            "w",
            6,
            Some(20),
            &Dist::Bimodal {
                fast_ms: 10.0,
                slow_ms: 200.0,
                slow_probability: 0.05,
            },
        )
        .with("error_probability", json!(0.2)),
    ];
    t.edges = vec![Edge::new("p", "q"), Edge::new("q", "w")];
    t.faults = vec![
        Fault {
            at_s: 10.0,
            action: FaultAction::Kill { node: "w".into() },
        },
        Fault {
            at_s: 12.0,
            action: FaultAction::Revive { node: "w".into() },
        },
    ];
    t
}

fn assert_conserved(m: &MessagingReport, at: SimTime) {
    assert_eq!(
        m.published,
        m.acknowledged + m.dead_lettered + m.depth + m.in_flight + m.dropped,
        "published = acknowledged + dead-lettered + waiting + in flight + dropped at {at:?}: {m:?}"
    );
    assert_eq!(m.published, m.enqueued + m.dropped);
}

#[test]
fn queue_messages_are_conserved_at_every_step() {
    for (when_full, seed) in [("reject", 5), ("drop", 6)] {
        let mut sim = Sim::new(&stressed_queue(when_full, seed)).expect("valid");
        let mut t = SimTime::ZERO;
        let mut checks = 0;
        while !sim.is_finished() {
            t = t.add(SimTime::from_ms(100.0));
            sim.run_until(t, u64::MAX);
            assert_conserved(&messaging(&sim.report(), "q"), t);
            checks += 1;
        }
        let r = sim.report();
        let m = messaging(&r, "q");
        assert!(checks >= 300, "{checks} checks");
        assert_eq!(m.depth + m.in_flight, 0, "the run ends drained");
        // Every mechanism was exercised, so the balance above means something.
        assert!(m.dropped > 0 && m.redelivered > 0, "{m:?}");
        assert!(m.dead_lettered > 0 && m.duplicates > 0, "{m:?}");
        // The capacity counts waiting and delivered messages; six pollers hold at most six.
        assert!(
            (294..=300).contains(&m.max_depth),
            "bursts fill the queue: {m:?}"
        );
        // Back-pressure reaches the producer; dropping does not.
        let rejected = r.requests.rejected();
        match when_full {
            "reject" => assert!(rejected > 0),
            _ => assert_eq!(rejected, 0),
        }
    }
}

#[test]
fn a_consumer_crash_causes_redelivery_and_every_message_is_acknowledged() {
    let mut t = stressed_queue("reject", 9);
    // No dead-letter queue, no drops, no errors: only the crash and the slow tail cause redelivery.
    for n in &mut t.nodes {
        if n.id == "q" {
            n.params.insert("max_receives".into(), json!(null));
            n.params.insert("capacity".into(), json!(null));
        }
        if n.id == "w" {
            n.params.insert("error_probability".into(), json!(0.0));
        }
    }
    let r = run(&t).expect("valid");
    let m = messaging(&r, "q");
    assert_eq!(m.dropped + m.dead_lettered, 0);
    assert_eq!(
        m.acknowledged, m.published,
        "at-least-once: each message acknowledged"
    );
    assert!(
        m.redelivered > 0,
        "the crash and the slow tail redeliver: {m:?}"
    );
    assert!(
        m.duplicates > 0,
        "a slow consumer past its visibility timeout is a duplicate: {m:?}"
    );
    // Every delivery ends as an acknowledgement, a duplicate or a failure.
    assert_eq!(
        m.delivered,
        m.acknowledged + m.duplicates + m.failed_deliveries
    );
    assert!(
        m.failed_deliveries > 0,
        "the crash failed in-flight messages"
    );
}

#[test]
fn a_consumer_that_always_fails_sends_everything_to_the_dead_letter_queue() {
    let mut t = mmc_queue(50.0, 2, 5.0, 10.0, 3);
    for n in &mut t.nodes {
        if n.id == "q" {
            n.params.insert("max_receives".into(), json!(3));
            n.params.insert("visibility_timeout_ms".into(), json!(50));
        }
        if n.id == "w" {
            n.params.insert("error_probability".into(), json!(1.0));
        }
    }
    let r = run(&t).expect("valid");
    let m = messaging(&r, "q");
    assert_eq!(m.dead_lettered, m.published);
    assert_eq!(m.acknowledged, 0);
    assert_eq!(m.delivered, 3 * m.published, "three receives each");
    assert_eq!(m.redelivered, 2 * m.published);
}

fn fanout(seed: u64) -> Topology {
    let mut t = ideal(20.0, seed);
    t.nodes = vec![
        poisson_client("p", 200.0),
        Node::new("topic", "topic"),
        Node::new("q", "queue").with("consumers", json!(1)),
        server("slow", 1, None, &Dist::Constant { ms: 10.0 }),
        server("fast", 2, None, &Dist::exponential_ms(1.0)),
    ];
    t.edges = vec![
        Edge::new("p", "topic"),
        Edge::new("topic", "q"),
        Edge::new("topic", "fast"),
        Edge::new("q", "slow"),
    ];
    t
}

#[test]
fn a_topic_gives_every_subscriber_every_message() {
    let mut sim = Sim::new(&fanout(4)).expect("valid");
    let mut t = SimTime::ZERO;
    while !sim.is_finished() {
        t = t.add(SimTime::from_ms(250.0));
        sim.run_until(t, u64::MAX);
        let m = messaging(&sim.report(), "topic");
        assert_eq!(m.delivered, 2 * m.published, "two subscriptions");
        assert_eq!(
            m.delivered,
            m.acknowledged + m.failed_deliveries + m.in_flight
        );
    }
    let r = sim.report();
    let m = messaging(&r, "topic");
    assert!(m.published > 3000);
    for s in &m.consumers {
        assert_eq!(s.acknowledged, m.published, "{} got every message", s.node);
    }
    // The queue subscriber takes the topic's copies at once and works through them at its own pace:
    // at 200/s against 100/s it falls behind while the fast subscriber keeps up.
    let q = messaging(&r, "q");
    assert_eq!(q.published, m.published);
    assert_eq!(q.acknowledged, m.published);
    assert!(q.max_depth > 1000, "{q:?}");
    assert!(r.nodes["fast"].mean_time_ms < 5.0);
}

fn stream(seed: u64) -> Topology {
    let mut t = ideal(30.0, seed);
    t.settings.drain_limit_s = 2.0;
    t.nodes = vec![
        Node::new("p", "client")
            .with("rate", json!(100))
            .with("read_fraction", json!(0.0)),
        Node::new("s", "stream").with("partitions", json!(4)),
        server("billing", 4, None, &Dist::exponential_ms(5.0)),
        server("indexer", 8, None, &Dist::Constant { ms: 50.0 }),
    ];
    t.edges = vec![
        Edge::new("p", "s"),
        Edge::new("s", "billing"),
        Edge::new("s", "indexer"),
    ];
    t
}

#[test]
fn a_stream_group_is_capped_by_its_partitions_and_lags() {
    let mut sim = Sim::new(&stream(8)).expect("valid");
    let mut t = SimTime::ZERO;
    while !sim.is_finished() {
        t = t.add(SimTime::from_ms(500.0));
        sim.run_until(t, u64::MAX);
        let m = messaging(&sim.report(), "s");
        for g in &m.consumers {
            assert_eq!(
                m.published,
                g.acknowledged + g.lag,
                "{}: offsets balance",
                g.node
            );
            assert_eq!(g.lag, g.partition_lag.iter().sum::<u64>());
        }
    }
    let r = sim.report();
    let m = messaging(&r, "s");
    let (billing, indexer) = (&m.consumers[0], &m.consumers[1]);
    // 8 workers, but one message at a time per partition: 4 × 20/s = 80/s < 100/s, so the indexer falls
    // about 20 messages a second behind and never uses more than half its workers.
    assert!(r.nodes["indexer"].utilization <= 0.5 + 1e-9);
    assert!(r.nodes["indexer"].utilization > 0.45);
    assert!(
        indexer.max_lag > 400 && billing.max_lag < 50,
        "{billing:?} {indexer:?}"
    );
    // Still behind when the drain limit stops the run, on every partition.
    assert!(indexer.partition_lag.iter().all(|&l| l > 20), "{indexer:?}");
    assert_eq!(billing.lag, 0);
}

#[test]
fn messaging_runs_are_the_same_however_sliced() {
    let whole = run(&stressed_queue("drop", 11)).expect("valid");
    let mut sim = Sim::new(&stressed_queue("drop", 11)).expect("valid");
    let mut t = SimTime::ZERO;
    while !sim.is_finished() {
        t = t.add(SimTime::from_ms(37.0));
        sim.run_until(t, 500);
    }
    assert_eq!(sim.report().digest(), whole.digest());
    let s1 = run(&stream(2)).expect("valid");
    let s2 = run(&stream(2)).expect("valid");
    assert_eq!(s1.digest(), s2.digest());
}
