//! Parameters changed during a run (`Sim::retune`): a client's rate and a server's speed take effect at the
//! clock, checked against arithmetic; a worker count, which the utilisation is measured against, is refused
//! and leaves the run exactly as it was.

use playground_core::sim::{NotLive, changed_params, live_params};
use playground_core::{Dist, Kind, Node, Sim, SimTime, Topology, fixtures};
use serde_json::json;

fn node<'a>(t: &'a Topology, id: &str) -> &'a Node {
    t.nodes.iter().find(|n| n.id == id).expect("in the diagram")
}

fn with(t: &Topology, id: &str, key: &str, value: serde_json::Value) -> Node {
    node(t, id).clone().with(key, value)
}

/// Poisson client at 100 req/s → a server with plenty of workers, 1 ms service, zero-latency links.
fn open_system() -> Topology {
    let mut t = fixtures::single_station(100.0, 64, None, Dist::Constant { ms: 1.0 }, 20.0, 9);
    t.settings.trace_capacity = 0;
    t.settings.warmup_s = 0.0;
    t
}

#[test]
fn a_rate_raised_during_the_run_sends_at_the_new_rate_from_then_on() {
    let t = open_system();
    let client = t
        .nodes
        .iter()
        .find(|n| n.kind == "client")
        .expect("a client")
        .id
        .clone();
    let server = t
        .nodes
        .iter()
        .find(|n| n.kind == "server")
        .expect("a server")
        .id
        .clone();
    let mut sim = Sim::new(&t).expect("builds");
    sim.run_until(SimTime::from_secs(10.0), u64::MAX);
    let before = sim.report().nodes[&server].arrivals;
    let faster = with(&t, &client, "rate", json!(300.0));
    sim.retune(node(&t, &client), &faster)
        .expect("a rate changes live");
    sim.run_until(SimTime::from_secs(20.0), u64::MAX);
    let after = sim.report().nodes[&server].arrivals - before;
    // Poisson counts: 1,000 ± 4·√1000 in the first 10 s, 3,000 ± 4·√3000 in the next 10 s.
    assert!(
        (before as f64 - 1000.0).abs() <= 4.0 * 1000f64.sqrt(),
        "{before}"
    );
    assert!(
        (after as f64 - 3000.0).abs() <= 4.0 * 3000f64.sqrt(),
        "{after}"
    );
}

#[test]
fn a_faster_server_serves_in_the_new_time_from_the_change() {
    // Constant arrivals every 20 ms and a constant 10 ms service: nobody waits, so a request's time in the
    // server is exactly its service time: 10 ms before the change, 10 ms / 2 = 5 ms after it.
    let mut t = open_system();
    let client = t
        .nodes
        .iter()
        .position(|n| n.kind == "client")
        .expect("a client");
    t.nodes[client] = t.nodes[client]
        .clone()
        .with("rate", json!(50.0))
        .with("arrival", json!({"type": "constant"}));
    let s = t
        .nodes
        .iter()
        .position(|n| n.kind == "server")
        .expect("a server");
    t.nodes[s] = t.nodes[s]
        .clone()
        .with("service_time", json!({"type": "constant", "ms": 10.0}));
    let id = t.nodes[s].id.clone();
    let mut sim = Sim::new(&t).expect("builds");
    sim.run_until(SimTime::from_secs(10.0), u64::MAX);
    let r1 = sim.report();
    let (n1, m1) = (r1.nodes[&id].served, r1.nodes[&id].mean_time_ms);
    assert!((m1 - 10.0).abs() < 1e-6, "{m1}");
    let twice = with(&t, &id, "speed", json!(2.0));
    sim.retune(node(&t, &id), &twice)
        .expect("a speed changes live");
    sim.run_until(SimTime::from_secs(20.0), u64::MAX);
    let r2 = sim.report();
    let (n2, m2) = (r2.nodes[&id].served, r2.nodes[&id].mean_time_ms);
    let second = (m2 * n2 as f64 - m1 * n1 as f64) / (n2 - n1) as f64;
    // At most one request was in service at the change and kept its 10 ms: ±5 ms / 500 requests.
    assert!(
        (second - 5.0).abs() <= 5.0 / (n2 - n1) as f64 + 1e-9,
        "{second}"
    );
}

#[test]
fn a_worker_count_is_refused_and_the_run_is_untouched() {
    let t = open_system();
    let id = t
        .nodes
        .iter()
        .find(|n| n.kind == "server")
        .expect("a server")
        .id
        .clone();
    assert!(!live_params(Kind::Server).contains(&"workers"));
    let more = with(&t, &id, "workers", json!(8));
    assert_eq!(
        changed_params(node(&t, &id), &more),
        vec!["workers".to_string()]
    );
    let mut edited = Sim::new(&t).expect("builds");
    let mut untouched = Sim::new(&t).expect("builds");
    edited.run_until(SimTime::from_secs(5.0), u64::MAX);
    untouched.run_until(SimTime::from_secs(5.0), u64::MAX);
    let refused = edited.retune(node(&t, &id), &more);
    assert!(
        matches!(refused, Err(NotLive(ref why)) if why.contains("workers")),
        "{refused:?}"
    );
    // A change that mixes a live and a refused parameter is refused whole.
    let both = more.clone().with("speed", json!(3.0));
    assert!(edited.retune(node(&t, &id), &both).is_err());
    edited.run_to_end();
    untouched.run_to_end();
    assert_eq!(edited.report().digest(), untouched.report().digest());
}
