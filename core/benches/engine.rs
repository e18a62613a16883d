//! Engine throughput and memory benchmarks (a plain `main`, timed with `Instant`). Run with
//! `cargo bench -p playground-core --bench engine`; figures go to `BENCHMARKS.md`, section "Engine (native)".
//!
//! ```text
//!   mm1         client ─> server (1 worker, ρ = 0.9)
//!   three-tier  client 10k/s ─> least-connections lb ─> 8 servers ─> database pool
//!   resilient   three-tier with retrying clients (timeout, 3 attempts, jitter, budget), a breaker and a
//!               timeout on every server → database call, servers shedding expired work
//!   N nodes     N/2 independent client ─> server pairs, same total rate
//!   overload    1 M requests queued at once, bytes per in-flight request
//! ```

use std::time::Instant;

use playground_core::fixtures::{many_pairs, single_station, three_tier_bench};
use playground_core::{Dist, Sim, SimTime, Topology};

fn bench(name: &str, t: &Topology) {
    let mut sim = Sim::new(t).expect("bench topologies are valid");
    let start = Instant::now();
    sim.run_to_end();
    let secs = start.elapsed().as_secs_f64();
    let r = sim.report();
    println!(
        "{name:<34} {:>12} events {:>10} requests {:>7.3} s wall  {:>6.2} M events/s  {:>6.2} M requests/s  (p99 {:.3} ms)",
        r.events,
        r.requests.sent,
        secs,
        r.events as f64 / secs / 1e6,
        r.requests.sent as f64 / secs / 1e6,
        r.latency_ms.p99
    );
}

fn main() {
    println!(
        "request slot: {} bytes",
        playground_core::request::request_slot_bytes()
    );
    // M/M/1 at ρ = 0.9: 1000 req/s, 0.9 ms service, 2000 s → 2 M requests.
    let mut mm1 = single_station(1000.0, 1, None, Dist::exponential_ms(0.9), 2000.0, 1);
    mm1.settings.warmup_s = 0.0;
    bench("mm1 rho=0.9", &mm1);
    let mut traced = mm1.clone();
    traced.settings.trace_capacity = 4096;
    bench("mm1 rho=0.9, trace on", &traced);
    // Three tier: 10 000 req/s for 100 s → 1 M requests.
    bench(
        "three-tier 10k/s, 8 servers",
        &three_tier_bench(10_000.0, 8, 100.0, 1),
    );
    // The same three tier with every call under a policy: the call layer's cost per request.
    let mut resilient = three_tier_bench(10_000.0, 8, 100.0, 1);
    for n in &mut resilient.nodes {
        match n.kind.as_str() {
            "client" => {
                n.params.insert(
                    "retry".into(),
                    serde_json::json!({"max_attempts": 3, "budget": {"ratio": 0.1, "burst": 10}}),
                );
                n.params.insert("timeout_ms".into(), serde_json::json!(500));
            }
            "server" => {
                n.params
                    .insert("shed_expired".into(), serde_json::json!(true));
            }
            _ => {}
        }
    }
    let servers: Vec<String> = resilient
        .nodes
        .iter()
        .filter(|n| n.kind == "server")
        .map(|n| n.id.clone())
        .collect();
    for e in &mut resilient.edges {
        if servers.contains(&e.from) {
            e.timeout_ms = Some(200.0);
            e.breaker = Some(playground_core::resilience::BreakerParams::default());
        }
    }
    bench("three-tier, every call with a policy", &resilient);
    // Scaling with node count, 100 000 req/s in total for 20 s.
    for nodes in [10u32, 100, 1000] {
        let pairs = nodes / 2;
        bench(
            &format!("{nodes} nodes"),
            &many_pairs(pairs, 100_000.0 / f64::from(pairs), 20.0, 1),
        );
    }
    // Overload: a million requests sent in one simulated second to a server that serves one per second.
    let mut t = single_station(1_000_000.0, 1, None, Dist::constant_ms(1000.0), 2.0, 1);
    t.settings.series_interval_s = 0.0;
    let mut sim = Sim::new(&t).expect("valid");
    let start = Instant::now();
    sim.run_until(SimTime::from_secs(1.0), u64::MAX);
    let secs = start.elapsed().as_secs_f64();
    let held = u64::from(sim.requests_held());
    let m = sim.memory();
    println!(
        "overload: {held} requests in flight after {secs:.3} s wall; {} bytes total = {:.1} bytes per request \
         (slab {} B, event queue {} B, deadlines {} B, server queue {} B)",
        m.total(),
        m.total() as f64 / held as f64,
        m.requests,
        m.events,
        m.deadlines,
        m.queues
    );
}
