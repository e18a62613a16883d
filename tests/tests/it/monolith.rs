//! Monolith against microservices: the same modules run in process in one server (`modules`), or as one
//! service each, called over edges. With constant times the services' extra latency is exactly the added
//! hops' 2L and serialisation; the cost to absorb a hot module comes exactly from the price table
//! (`core/src/cost.rs`): the monolith adds whole copies, sized for every module's memory, the services add
//! copies of the hot one only.

use playground_core::cost::{HOURS_PER_MONTH, SERVER_SIZES, diagram_cost};
use playground_core::{Topology, run};
use serde_json::json;

/// Link latency (the default in a region) and the serialisation CPU a call costs [ms].
const L: f64 = 0.5;
const SER: f64 = 1.0;

fn monolith(search_ms: f64, arrival: &str) -> Topology {
    let t = json!({
        "settings": {"seed": 1, "duration_s": 30, "series_interval_s": 0, "trace_capacity": 0},
        "nodes": [
            {"id": "users", "kind": "client", "params": {"rate": 10, "arrival": {"type": arrival}}},
            {"id": "mono", "kind": "server", "params": {"workers": 4,
                "service_time": {"type": "constant", "ms": 2.0}, "serialisation_ms": SER,
                "modules": format!("catalog 4ms 8GiB; cart 3ms 2GiB; search {search_ms}ms 8GiB")}}
        ],
        "edges": [{"from": "users", "to": "mono"}]
    });
    Topology::from_json(&t.to_string()).expect("parses")
}

fn services(search_ms: f64, arrival: &str) -> Topology {
    let svc = |id: &str, m: &str| {
        json!({"id": id, "kind": "server", "params": {"workers": 2,
            "service_time": {"type": "constant", "ms": 0.0}, "serialisation_ms": SER, "modules": m}})
    };
    let t = json!({
        "settings": {"seed": 1, "duration_s": 30, "series_interval_s": 0, "trace_capacity": 0},
        "nodes": [
            {"id": "users", "kind": "client", "params": {"rate": 10, "arrival": {"type": arrival}}},
            {"id": "front", "kind": "server", "params": {"workers": 2, "blocking_calls": false,
                "service_time": {"type": "constant", "ms": 2.0}, "serialisation_ms": SER}},
            svc("catalog", "catalog 4ms 8GiB"), svc("cart", "cart 3ms 2GiB"),
            svc("search", &format!("search {search_ms}ms 8GiB"))
        ],
        "edges": [{"from": "users", "to": "front"}, {"from": "front", "to": "catalog"},
                  {"from": "front", "to": "cart"}, {"from": "front", "to": "search"}]
    });
    Topology::from_json(&t.to_string()).expect("parses")
}

/// Constant times, requests 100 ms apart (so none waits): the monolith's request takes
/// L + (1 + 2 + 4 + 3 + 12) + L = 23 ms, the services' the same plus, for each of the three calls, 2L of link and 1 ms of
/// serialisation: 23 + 3 × (2 × 0.5 + 1) = 29 ms. Exact (to the nanosecond rounding of 1e-6 ms).
#[test]
fn services_pay_two_link_latencies_and_serialisation_per_call() {
    let m = run(&monolith(12.0, "constant")).expect("valid");
    let s = run(&services(12.0, "constant")).expect("valid");
    let mono = 2.0 * L + SER + 2.0 + 4.0 + 3.0 + 12.0;
    let calls = 3.0;
    assert!(
        (m.latency_ms.mean - mono).abs() < 1e-6,
        "{}",
        m.latency_ms.mean
    );
    assert!(
        (s.latency_ms.mean - (mono + calls * (2.0 * L + SER))).abs() < 1e-6,
        "{}",
        s.latency_ms.mean
    );
    let d = m.nodes["mono"]
        .detail
        .as_ref()
        .and_then(|d| d.modules())
        .expect("a modules block");
    // Search's share of the monolith's worker time: 12 of 22 ms, exact with constant times.
    assert!((d.modules[2].share - 12.0 / 22.0).abs() < 1e-9, "{d:?}");
    assert_eq!(d.memory_gib, 18.0);
}

/// The cost to absorb a hot search (6 ms → 40 ms a request at 100 req/s), from the table: the monolith's
/// copy carries 8 + 2 + 8 = 18 GiB, so each is an m7i.2xlarge (32 GiB, $0.4032/h) whatever its 4 workers
/// need, and it goes from 1 copy to 2: + 1 × 0.4032 × 730 = $294.34 a month. The services' search copy
/// carries 8 GiB (an m7i.large, $0.1008/h) and goes from 1 copy to 3: + 2 × 0.1008 × 730 = $147.17. Exact to
/// the cent.
#[test]
fn absorbing_a_hot_module_costs_the_monolith_whole_copies() {
    let price = |name: &str| {
        SERVER_SIZES
            .iter()
            .find(|s| s.name == name)
            .expect("a size")
            .usd_per_hour
            * HOURS_PER_MONTH
    };
    let with = |mut t: Topology, id: &str, instances: u32| {
        let n = t.nodes.iter_mut().find(|n| n.id == id).expect("node");
        n.params.insert("instances".into(), json!(instances));
        diagram_cost(&t, None).total
    };
    let mono_cool = with(monolith(6.0, "poisson"), "mono", 1);
    let mono_hot = with(monolith(40.0, "poisson"), "mono", 2);
    let svc_cool = with(services(6.0, "poisson"), "search", 1);
    let svc_hot = with(services(40.0, "poisson"), "search", 3);
    let cents = |a: f64, b: f64| (a - b).abs() < 0.005;
    assert!(cents(mono_cool, price("m7i.2xlarge")), "{mono_cool}");
    assert!(cents(mono_hot - mono_cool, price("m7i.2xlarge")));
    assert!(cents(svc_cool, 4.0 * price("m7i.large")), "{svc_cool}");
    assert!(cents(svc_hot - svc_cool, 2.0 * price("m7i.large")));
    assert!(cents(mono_hot - mono_cool, 294.336));
    assert!(cents(svc_hot - svc_cool, 147.168));
}
