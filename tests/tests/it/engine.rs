//! Engine behaviour end to end: the outcome counts always add up (under faults, loss, cut links, timeouts,
//! overload and loops), faults do what the format promises, health checks take time to notice a dead
//! backend, the hop limit stops loops, the trace is bounded and consistent, and warm-up excludes early
//! requests.

use playground_core::fixtures::{poisson_client, server};
use playground_core::report::Outcome;
use playground_core::report::Report;
use playground_core::{
    Dist, Edge, Fault, FaultAction, HopOutcome, Node, Sim, SimTime, Topology, run,
};
use serde_json::json;

fn assert_adds_up(r: &Report) {
    let q = r.requests;
    assert_eq!(q.sent, q.accounted(), "outcomes do not add up: {q:?}");
}

fn kill(at_s: f64, node: &str) -> Fault {
    Fault {
        at_s,
        action: FaultAction::Kill { node: node.into() },
    }
}

/// Client → round-robin LB (health checks every 1 s, 3 strikes) → three servers; 300 req/s, 10 ms service.
fn three_behind_lb(health: bool) -> Topology {
    let mut t = Topology::default();
    t.settings.duration_s = 20.0;
    t.settings.trace_capacity = 0;
    t.nodes.push(
        Node::new("c", "client")
            .with("rate", json!(300))
            .with("timeout_ms", json!(1000)),
    );
    t.nodes.push(Node::new("lb", "load_balancer").with(
        "health_check",
        json!({"enabled": health, "interval_ms": 1000, "unhealthy_threshold": 3}),
    ));
    t.edges.push(Edge::new("c", "lb"));
    for id in ["s1", "s2", "s3"] {
        t.nodes
            .push(server(id, 4, Some(100), &Dist::exponential_ms(10.0)));
        t.edges.push(Edge::new("lb", id));
    }
    t
}

#[test]
fn outcomes_add_up_at_every_step_under_faults_loss_and_overload() {
    let mut t = three_behind_lb(true);
    t.settings.warmup_s = 2.0;
    // Overload s3 (slow it 20×), lose messages on one link, cut another for a while, kill and revive s1.
    t.edges[1].loss = Some(0.05);
    t.faults = vec![
        kill(4.0, "s1"),
        Fault {
            at_s: 5.0,
            action: FaultAction::Slow {
                node: "s3".into(),
                factor: 20.0,
            },
        },
        Fault {
            at_s: 6.0,
            action: FaultAction::CutLink {
                edge: "lb->s2".into(),
            },
        },
        Fault {
            at_s: 9.0,
            action: FaultAction::HealLink {
                edge: "lb->s2".into(),
            },
        },
        Fault {
            at_s: 12.0,
            action: FaultAction::Revive { node: "s1".into() },
        },
    ];
    let mut sim = Sim::new(&t).expect("valid");
    let mut step = 0;
    while !sim
        .run_until(SimTime::from_ms(f64::from(step) * 250.0), 5_000)
        .finished
    {
        assert_adds_up(&sim.report());
        step += 1;
    }
    let r = sim.report();
    assert_adds_up(&r);
    assert_eq!(
        r.requests.in_flight, 0,
        "a finished run has nothing in flight"
    );
    let q = r.requests;
    assert!(
        q.completed() > 0 && q.failed() > 0 && q.timed_out() > 0 && q.rejected() > 0 && q.lost > 0,
        "{q:?}"
    );
    assert!(r.finished);
}

#[test]
fn a_dead_backend_gets_traffic_until_health_checks_notice() {
    let mut t = three_behind_lb(true);
    t.faults = vec![kill(5.0, "s1")];
    let r = run(&t).expect("valid");
    // Probes run every second. The kill at 5 s was queued when the sim was built, so it precedes the probe
    // of the same instant (FIFO among equal times): the probes at 5, 6 and 7 s fail and s1 is out from 7 s.
    // Round robin sends it a third of 300/s meanwhile: about 200 requests, each failing at once.
    let dropped = r.nodes["s1"].dropped;
    assert!(
        (160..=240).contains(&dropped),
        "dropped at dead s1: {dropped}"
    );
    assert_eq!(r.requests.failed(), dropped);
    assert_adds_up(&r);

    // Without health checks it keeps receiving a third of the traffic to the end: 15 s × 100/s.
    let mut t = three_behind_lb(false);
    t.faults = vec![kill(5.0, "s1")];
    let r = run(&t).expect("valid");
    let dropped = r.nodes["s1"].dropped;
    assert!(
        (1350..=1650).contains(&dropped),
        "dropped without health checks: {dropped}"
    );
}

#[test]
fn a_killed_server_fails_what_it_holds_and_revives_empty() {
    let mut t = Topology::default();
    t.settings.duration_s = 10.0;
    t.nodes.push(poisson_client("c", 50.0));
    t.nodes
        .push(server("s", 1, None, &Dist::constant_ms(100.0)));
    t.edges.push(Edge::new("c", "s"));
    t.faults = vec![
        kill(3.0, "s"),
        Fault {
            at_s: 6.0,
            action: FaultAction::Revive { node: "s".into() },
        },
    ];
    let mut sim = Sim::new(&t).expect("valid");
    sim.run_until(SimTime::from_ms(2999.0), u64::MAX);
    let held = sim.gauge(sim.node_index("s").expect("s")).in_node;
    assert!(
        held > 10,
        "an overloaded server holds many requests: {held}"
    );
    let failed_before = sim.report().requests.failed();
    sim.run_until(SimTime::from_ms(3001.0), u64::MAX);
    let g = sim.gauge(sim.node_index("s").expect("s"));
    assert!(!g.alive);
    assert_eq!(
        (g.in_node, g.queue, g.busy),
        (0, 0, 0),
        "a dead server holds nothing"
    );
    assert!(sim.report().requests.failed() >= failed_before + u64::from(held) - 1);
    sim.run_until(SimTime::from_secs(6.5), u64::MAX);
    assert!(sim.gauge(sim.node_index("s").expect("s")).alive);
    sim.run_to_end();
    assert_adds_up(&sim.report());
}

#[test]
fn slowing_a_node_stretches_its_service_times() {
    let make = |factor: Option<f64>| {
        let mut t = Topology::default();
        t.settings.duration_s = 200.0;
        t.settings.link.latency = Dist::constant_ms(0.0);
        t.nodes.push(poisson_client("c", 10.0));
        t.nodes.push(server("s", 8, None, &Dist::constant_ms(10.0)));
        t.edges.push(Edge::new("c", "s"));
        if let Some(factor) = factor {
            t.faults.push(Fault {
                at_s: 0.0,
                action: FaultAction::Slow {
                    node: "s".into(),
                    factor,
                },
            });
        }
        run(&t).expect("valid")
    };
    // Eight workers at 10 req/s hardly ever queue, so time in node is the service time.
    let normal = make(None).nodes["s"].mean_time_ms;
    let slow = make(Some(3.0)).nodes["s"].mean_time_ms;
    assert!((normal - 10.0).abs() < 0.01, "{normal}");
    assert!((slow - 30.0).abs() < 0.1, "{slow}");
}

#[test]
fn a_cut_link_refuses_at_once_and_heals() {
    let mut t = Topology::default();
    t.settings.duration_s = 10.0;
    t.nodes.push(poisson_client("c", 100.0));
    t.nodes
        .push(server("s", 4, None, &Dist::exponential_ms(5.0)));
    t.edges.push(Edge::new("c", "s"));
    t.faults = vec![
        Fault {
            at_s: 2.0,
            action: FaultAction::CutLink {
                edge: "c->s".into(),
            },
        },
        Fault {
            at_s: 4.0,
            action: FaultAction::HealLink {
                edge: "c->s".into(),
            },
        },
    ];
    let r = run(&t).expect("valid");
    // Two seconds of 100 req/s are refused: about 200 failures, and the rest completes.
    assert!(
        (150..=250).contains(&r.requests.failed()),
        "{:?}",
        r.requests
    );
    assert_eq!(r.requests.timed_out(), 0);
    assert_adds_up(&r);
}

#[test]
fn injected_faults_apply_at_the_current_time() {
    let t = three_behind_lb(true);
    let mut sim = Sim::new(&t).expect("valid");
    sim.run_until(SimTime::from_secs(5.0), u64::MAX);
    sim.inject(&FaultAction::Kill { node: "s2".into() })
        .expect("known node");
    assert!(
        sim.inject(&FaultAction::Kill { node: "zz".into() })
            .is_err()
    );
    assert!(
        sim.schedule_fault(
            SimTime::from_secs(1.0),
            &FaultAction::Revive { node: "s2".into() }
        )
        .is_err()
    );
    sim.run_until(SimTime::from_ms(5001.0), u64::MAX);
    assert!(!sim.gauge(sim.node_index("s2").expect("s2")).alive);
    sim.run_to_end();
    assert!(sim.report().nodes["s2"].dropped > 100);
}

#[test]
fn the_hop_limit_stops_a_loop_and_counts_it() {
    let mut t = Topology::default();
    t.settings.duration_s = 5.0;
    t.nodes.push(poisson_client("c", 20.0));
    t.nodes.push(server("a", 64, None, &Dist::constant_ms(0.1)));
    t.nodes.push(server("b", 64, None, &Dist::constant_ms(0.1)));
    t.edges = vec![
        Edge::new("c", "a"),
        Edge::new("a", "b"),
        Edge::new("b", "a"),
    ];
    let r = run(&t).expect("a loop is legal, only warned about");
    assert!(r.requests.sent > 50);
    assert_eq!(
        r.requests.hop_limited, r.requests.sent,
        "every request loops until the limit"
    );
    assert_eq!(r.requests.failed(), r.requests.sent);
    assert_adds_up(&r);
}

#[test]
fn the_trace_is_bounded_and_consistent() {
    let mut t = playground_core::fixtures::three_tier();
    t.settings.trace_capacity = 1000;
    let mut sim = Sim::new(&t).expect("valid");
    let n = sim.node_ids().len() as u32;
    sim.run_until(SimTime::from_secs(1.0), u64::MAX);
    assert_eq!(sim.trace().len(), 1000);
    assert!(sim.trace().overwritten() > 0);
    let mut total = 0;
    let mut requests = 0;
    for _ in 0..50 {
        sim.run_until(sim.now().add(SimTime::from_ms(5.0)), u64::MAX);
        for h in sim.drain_trace() {
            assert!(h.depart <= h.arrive && h.from.0 < n && h.to.0 < n, "{h:?}");
            requests += usize::from(h.outcome == HopOutcome::Request);
            total += 1;
        }
    }
    assert!(total > 100 && requests > 0, "frames saw {total} hops");
    assert!(sim.trace().is_empty());
}

#[test]
fn stepping_reports_budget_and_finish() {
    let t = playground_core::fixtures::mm1();
    let mut sim = Sim::new(&t).expect("valid");
    let p = sim.run_until(SimTime::from_secs(100.0), 10);
    assert_eq!(p.events, 10);
    assert!(p.budget_exhausted && !p.finished);
    assert!(p.reached < SimTime::from_secs(1.0));
    let p = sim.run_until(SimTime::from_secs(1.0), u64::MAX);
    assert_eq!(p.reached, SimTime::from_secs(1.0));
    assert!(!p.budget_exhausted);
    let p = sim.run_to_end();
    assert!(p.finished && sim.is_finished());
    assert!(p.reached >= SimTime::from_secs(600.0));
    let again = sim.run_until(SimTime::MAX, 10);
    assert_eq!(again.events, 0);
}

#[test]
fn warmup_excludes_early_requests_and_the_series_covers_the_run() {
    let mut t = playground_core::fixtures::mm1();
    t.settings.duration_s = 100.0;
    t.settings.warmup_s = 0.0;
    let all = run(&t).expect("valid");
    t.settings.warmup_s = 50.0;
    let late = run(&t).expect("valid");
    // 80 req/s: about 8000 requests in all, 4000 after the warm-up (Poisson sd ≈ √n).
    assert!(
        (7_700..8_300).contains(&all.requests.sent),
        "{}",
        all.requests.sent
    );
    assert!(
        (3_750..4_250).contains(&late.requests.sent),
        "{}",
        late.requests.sent
    );
    assert!((late.throughput_rps - 80.0).abs() < 5.0);
    assert_eq!(late.series.points.len(), all.series.points.len());
    assert_eq!(
        all.series.points.len(),
        100,
        "one point per simulated second"
    );
    let series_completed: u64 = all
        .series
        .points
        .iter()
        .map(|p| p.outcomes[Outcome::Ok])
        .sum();
    // The series counts by event time; all but the last partial second's completions are in it.
    assert!(all.requests.completed() - series_completed < 200);
    let u: f64 = all
        .series
        .points
        .iter()
        .map(|p| p.nodes[1].utilization)
        .sum::<f64>()
        / 100.0;
    assert!(
        (u - all.nodes["s1"].utilization).abs() < 0.01,
        "series utilisation {u}"
    );
}

/// Requests sent so far (warm-up 0, so every request counts).
fn sent_at(sim: &mut Sim, s: f64) -> u64 {
    sim.run_until(SimTime::from_secs(s), u64::MAX);
    sim.report().requests.sent
}

fn spike_diagram(arrival: serde_json::Value) -> Topology {
    let mut t = Topology::default();
    t.settings.duration_s = 40.0;
    t.settings.warmup_s = 0.0;
    t.nodes.push(
        Node::new("c", "client")
            .with("rate", json!(100.0))
            .with("arrival", arrival),
    );
    t.nodes
        .push(server("s", 64, None, &Dist::exponential_ms(1.0)));
    t.edges.push(Edge::new("c", "s"));
    t
}

#[test]
fn a_traffic_spike_multiplies_arrivals_for_exactly_its_window() {
    // Constant arrivals make the count exact: 100 req/s, then ×5 from 10 s to 20 s, then 100 req/s again.
    let t = spike_diagram(json!({"type": "constant"}));
    let mut sim = Sim::new(&t).expect("valid");
    let before = sent_at(&mut sim, 10.0);
    sim.inject(&FaultAction::Spike {
        factor: 5.0,
        duration_s: 10.0,
    })
    .expect("a valid spike");
    let during = sent_at(&mut sim, 20.0) - before;
    let after = sent_at(&mut sim, 30.0) - before - during;
    assert!((999..=1001).contains(&before), "before {before}");
    assert!((4999..=5001).contains(&during), "during {during}");
    assert!((999..=1001).contains(&after), "after {after}");
    sim.run_to_end();
    assert_adds_up(&sim.report());

    // Poisson: the same shape in expectation (5,000 ± 4σ ≈ 283 in the window).
    let t = spike_diagram(json!({"type": "poisson"}));
    let mut sim = Sim::new(&t).expect("valid");
    let before = sent_at(&mut sim, 10.0);
    sim.inject(&FaultAction::Spike {
        factor: 5.0,
        duration_s: 10.0,
    })
    .expect("a valid spike");
    let during = sent_at(&mut sim, 20.0) - before;
    let after = sent_at(&mut sim, 30.0) - before - during;
    assert!((4717..=5283).contains(&during), "during {during}");
    assert!((873..=1127).contains(&after), "after {after}");
}

#[test]
fn a_spike_is_replayable_and_checked() {
    // Injected after running to 10 s, or written in the diagram at the time `inject` reports (10 s and a
    // nanosecond: the series tick at 10 s has run): the same run, bit for bit.
    let mut t = spike_diagram(json!({"type": "poisson"}));
    let mut live = Sim::new(&t).expect("valid");
    live.run_until(SimTime::from_secs(10.0), u64::MAX);
    let spike = FaultAction::Spike {
        factor: 5.0,
        duration_s: 10.0,
    };
    let at = live.inject(&spike).expect("a valid spike");
    assert_eq!(at, SimTime::from_secs(10.0).add(SimTime(1)));
    live.run_to_end();
    t.faults = vec![Fault {
        at_s: at.as_secs(),
        action: spike,
    }];
    let planned = run(&t).expect("valid");
    assert_eq!(live.report().digest(), planned.digest());
    // Without the spike the run differs.
    t.faults.clear();
    assert_ne!(run(&t).expect("valid").digest(), planned.digest());
    for bad in [
        FaultAction::Spike {
            factor: 0.0,
            duration_s: 10.0,
        },
        FaultAction::Spike {
            factor: 5.0,
            duration_s: f64::NAN,
        },
    ] {
        let err = live.inject(&bad).expect_err("refused");
        assert!(err.to_string().contains("spike"), "{err}");
    }
}

/// Runs `t` to the end, draining the trace every 50 ms of simulated time so nothing is overwritten.
fn all_hops(t: &Topology) -> (Sim, Vec<playground_core::HopRecord>) {
    let mut sim = Sim::new(t).expect("valid");
    let mut hops = Vec::new();
    let mut at = 0.0;
    loop {
        at += 0.05;
        let p = sim.run_until(SimTime::from_secs(at), u64::MAX);
        hops.extend(sim.drain_trace());
        if p.finished {
            break;
        }
    }
    assert_eq!(sim.trace().overwritten(), 0);
    (sim, hops)
}

#[test]
fn cache_hits_are_traced_as_such_all_the_way_back_and_flushes_as_internal() {
    use playground_core::HopClass;
    let mut t = playground_core::scenarios::by_name("cache-patterns")
        .expect("scenario")
        .topology();
    t.settings.duration_s = 5.0;
    t.settings.warmup_s = 0.0;
    let (sim, hops) = all_hops(&t);
    let idx = |id: &str| sim.node_index(id).expect("node");
    let r = sim.report();
    let count = |f: &dyn Fn(&playground_core::HopRecord) -> bool| {
        hops.iter().filter(|h| f(h)).count() as u64
    };
    for p in ["aside", "through", "behind"] {
        let (cache, app, users) = (
            idx(&format!("{p}-cache")),
            idx(&format!("{p}-app")),
            idx(&format!("{p}-users")),
        );
        let hits = r.nodes[&format!("{p}-cache")]
            .cache()
            .expect("a cache block")
            .hits;
        assert!(hits > 100, "{p}: {hits} hits");
        // Every hit the cache counted leaves it as a cache-hit response, and reaches the client as one.
        let from_cache =
            count(&|h| h.from == cache && h.to == app && h.outcome == HopOutcome::CacheHit);
        let to_client =
            count(&|h| h.from == app && h.to == users && h.outcome == HopOutcome::CacheHit);
        assert_eq!(from_cache, hits, "{p}");
        assert_eq!(to_client, hits, "{p}");
        // A miss answered by the database is a plain success.
        assert!(
            count(&|h| h.from == app && h.to == users && h.outcome == HopOutcome::Ok) > 0,
            "{p}"
        );
    }
    // Write-behind flushes are the cache's own requests to the database (its read misses go there as the
    // client's requests): the only internal traffic here, and never on a client's wire.
    let (cache, db) = (idx("behind-cache"), idx("behind-db"));
    let internal = count(&|h| h.class == HopClass::Internal);
    assert!(internal > 0);
    assert_eq!(
        count(&|h| h.class == HopClass::Internal
            && ((h.from == cache && h.to == db) || (h.from == db && h.to == cache))),
        internal
    );
    assert!(
        count(&|h| h.from == cache && h.to == db && h.class == HopClass::Client) > 0,
        "read misses are client traffic"
    );
    let users = ["aside-users", "through-users", "behind-users"].map(idx);
    assert!(
        hops.iter()
            .filter(|h| users.contains(&h.to) || users.contains(&h.from))
            .all(|h| h.class == HopClass::Client)
    );
}

#[test]
fn dns_lookups_are_traced_as_lookups() {
    use playground_core::HopClass;
    let mut t = playground_core::scenarios::by_name("dns-ttl")
        .expect("scenario")
        .topology();
    t.settings.duration_s = 12.0;
    let (sim, hops) = all_hops(&t);
    let idx = |id: &str| sim.node_index(id).expect("node");
    let dns: Vec<_> = ["short-resolver", "short-root", "short-tld", "short-auth"]
        .map(idx)
        .into();
    let lookups = hops.iter().filter(|h| h.class == HopClass::Lookup).count();
    assert!(lookups > 0);
    for h in &hops {
        let touches_dns = dns.contains(&h.from) || dns.contains(&h.to);
        if h.from == idx("short-users") || h.to == idx("short-users") || touches_dns {
            assert_eq!(h.class == HopClass::Lookup, touches_dns, "{h:?}");
        }
    }
    // The client's own requests to its web server stay client traffic.
    assert!(hops.iter().any(|h| h.from == idx("short-users")
        && h.to == idx("short-web")
        && h.class == HopClass::Client));
}

/// A front server calling two back ends, blocking or not; constant rate and service times, zero-latency
/// links, so every figure is exact arithmetic.
fn front_with_two_back_ends(blocking: bool) -> Topology {
    let mut t = Topology::default();
    t.settings.duration_s = 10.0;
    t.settings.warmup_s = 0.0;
    t.settings.trace_capacity = 0;
    t.settings.link.latency = Dist::Constant { ms: 0.0 };
    t.nodes.push(
        Node::new("c", "client")
            .with("rate", json!(10))
            .with("arrival", json!({"type": "constant"})),
    );
    t.nodes.push(
        server("front", 1, None, &Dist::Constant { ms: 5.0 })
            .with("blocking_calls", json!(blocking)),
    );
    t.nodes
        .push(server("a", 1, None, &Dist::Constant { ms: 20.0 }));
    t.nodes
        .push(server("b", 1, None, &Dist::Constant { ms: 30.0 }));
    t.edges.push(Edge::new("c", "front"));
    t.edges.push(Edge::new("front", "a"));
    t.edges.push(Edge::new("front", "b"));
    t
}

#[test]
fn a_non_blocking_server_calls_every_edge_in_turn_and_frees_its_worker() {
    // Both kinds call a, then b, after their own 5 ms: every request takes 5 + 20 + 30 = 55 ms. A blocking
    // worker is held for all 55 ms (utilisation = requests × 55 ms ÷ 10 s ≈ 0.55); a non-blocking one for its
    // 5 ms only (≈ 0.05). Requests never overlap (one every 100 ms), so the times are exact.
    for (blocking, held_ms) in [(true, 55.0), (false, 5.0)] {
        let r = run(&front_with_two_back_ends(blocking)).expect("runs");
        assert_adds_up(&r);
        let done = r.requests.completed();
        assert_eq!(done, r.requests.sent, "blocking {blocking}");
        assert!(
            done >= 99,
            "blocking {blocking}: {done} requests in 10 s at 10/s"
        );
        for id in ["a", "b"] {
            assert_eq!(
                r.nodes[id].arrivals, done,
                "{id} is called once per request"
            );
        }
        assert!(
            (r.latency_ms.mean - 55.0).abs() < 1e-6,
            "{:?}",
            r.latency_ms
        );
        assert!((r.latency_ms.max - 55.0).abs() < 0.1, "{:?}", r.latency_ms);
        let u = r.nodes["front"].utilization;
        let busy = done as f64 * held_ms / 1e3 / 10.0;
        assert!(
            (u - busy).abs() < 1e-9,
            "blocking {blocking}: utilisation {u}, want {busy}"
        );
    }
}

#[test]
fn a_fault_injected_mid_instant_replays_exactly_when_planned_at_the_time_it_reports() {
    // The page's frames may stop on the event budget right after an event at instant T (here a constant
    // client's arrival, or a series tick) while other work of T is still queued. A fault injected then must
    // land after what already ran, and the same fault planned in the diagram at the time `inject` reports
    // must give the same run, bit for bit (the e2e spike test once saw 5,998 sent live against 5,997 planned).
    let spike = FaultAction::Spike {
        factor: 5.0,
        duration_s: 10.0,
    };
    let kill = FaultAction::Kill { node: "s".into() };
    for (budget, action) in [(1, &spike), (3, &spike), (7, &kill)] {
        let mut t = spike_diagram(json!({"type": "constant"}));
        t.settings.duration_s = 30.0;
        // No series tick at 5 s: the first event at or after 5 s is the client's arrival at exactly 5 s.
        t.settings.series_interval_s = 100.0;
        let mut live = Sim::new(&t).expect("valid");
        while live.now() < SimTime::from_secs(5.0) {
            live.run_until(SimTime::from_secs(1e6), budget);
        }
        let at = live.inject(action).expect("a valid fault");
        assert!(
            at >= live.now() && at.0 <= live.now().0 + 1,
            "applied at once"
        );
        live.run_to_end();
        t.faults = vec![Fault {
            at_s: at.as_secs(),
            action: action.clone(),
        }];
        let planned = run(&t).expect("valid");
        assert_eq!(
            live.report().digest(),
            planned.digest(),
            "budget {budget}: {:?} vs {:?}",
            live.report().requests,
            planned.requests
        );
    }
}
