//! Cost (issue 18): monthly costs are exact arithmetic on the dated price table (`core/src/cost.rs`,
//! `docs/cost.md`), 730 hours a month; vertical and horizontal scaling price differently.

use playground_core::cost::{
    self, DATABASE_SIZES, GATEWAY_USD_PER_MILLION, HOURS_PER_MONTH, LB_USD_PER_GB, LB_USD_PER_HOUR,
    SECONDS_PER_MONTH, SERVER_SIZES, diagram_cost, node_cost,
};
use playground_core::{Topology, run};
use serde_json::{Value, json};

fn topo(nodes: Value, edges: Value) -> Topology {
    serde_json::from_value(json!({
        "settings": {"duration_s": 10, "warmup_s": 1, "seed": 5},
        "nodes": nodes, "edges": edges
    }))
    .expect("a topology")
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} ≠ {b}");
}

/// One server of 16 workers (vertical) against four of 4 behind a load balancer (horizontal): the same 16
/// vCPUs, priced m7i.4xlarge = 0.8064 $/h × 730 = $588.672 against 4 × m7i.xlarge = 4 × 0.2016 × 730 =
/// $588.672 plus the balancer's 0.0225 × 730 = $16.425 and its data. Eight workers at speed 2 are priced as
/// 16 vCPUs too. Three one-worker servers pay the 2-vCPU minimum each: 3 × 0.1008 × 730 = $220.752, against
/// one three-worker server's m7i.xlarge, $147.168.
#[test]
fn vertical_and_horizontal_scaling_have_different_prices() {
    let vertical = topo(
        json!([{"id": "c", "kind": "client"},
               {"id": "s", "kind": "server", "params": {"workers": 16}}]),
        json!([{"from": "c", "to": "s"}]),
    );
    let v = diagram_cost(&vertical, None);
    close(v.total, 588.672);
    close(v.total, SERVER_SIZES[3].usd_per_hour * HOURS_PER_MONTH);
    assert_eq!(v.nodes[0].what, "m7i.4xlarge (16 vCPU, 64 GiB) × 1");
    let mut nodes = vec![
        json!({"id": "c", "kind": "client"}),
        json!({"id": "lb", "kind": "load_balancer"}),
    ];
    let mut edges = vec![json!({"from": "c", "to": "lb"})];
    for i in 0..4 {
        nodes.push(json!({"id": format!("s{i}"), "kind": "server", "params": {"workers": 4}}));
        edges.push(json!({"from": "lb", "to": format!("s{i}")}));
    }
    let horizontal = topo(Value::Array(nodes), Value::Array(edges));
    let h = diagram_cost(&horizontal, None);
    close(h.total, 4.0 * 0.2016 * 730.0 + 0.0225 * 730.0);
    assert!(h.total > v.total);
    let fast = topo(
        json!([{"id": "s", "kind": "server", "params": {"workers": 8, "speed": 2}}]),
        json!([]),
    );
    close(diagram_cost(&fast, None).total, 588.672);
    let three = topo(
        json!([{"id": "a", "kind": "server", "params": {"workers": 1}},
               {"id": "b", "kind": "server", "params": {"workers": 1}},
               {"id": "d", "kind": "server", "params": {"workers": 1}}]),
        json!([]),
    );
    close(diagram_cost(&three, None).total, 220.752);
    let one = topo(
        json!([{"id": "a", "kind": "server", "params": {"workers": 3}}]),
        json!([]),
    );
    close(diagram_cost(&one, None).total, 147.168);
}

/// A database with 2 shards of a primary and 1 replica is 4 instances of the size its pool needs (8
/// connections → db.m6i.2xlarge, 0.684 $/h): 4 × 0.684 × 730 = $1 997.28. A cache of 2 000 000 entries at
/// 1 KiB is 2.048 GB × $12.23 = $25.047 04; a tiny one is billed the 1 GB minimum, $12.23.
#[test]
fn databases_and_caches_are_priced_from_the_table() {
    let t = topo(
        json!([{"id": "db", "kind": "database", "params": {"workers": 8, "shards": 2, "replicas": 1}},
               {"id": "big", "kind": "cache", "params": {"capacity": 2_000_000}},
               {"id": "small", "kind": "cache", "params": {"capacity": 10}}]),
        json!([]),
    );
    let c = diagram_cost(&t, None);
    close(
        c.nodes[0].fixed,
        4.0 * DATABASE_SIZES[2].usd_per_hour * 730.0,
    );
    close(c.nodes[0].fixed, 1997.28);
    close(c.nodes[1].fixed, 25.047_04);
    close(c.nodes[2].fixed, 12.23);
    assert_eq!(
        c.per_million_requests, None,
        "no report, no per-request figure"
    );
}

/// Usage from a run: a gateway's requests a month are its arrivals over the measured window × 2 628 000 s,
/// at $3.50 a million; the load balancer's data is 2 × requests × the client's size; the cost per million
/// requests served is the total over throughput × 2 628 000 / 10⁶.
#[test]
fn usage_follows_the_reports_rates() {
    let t = topo(
        json!([{"id": "c", "kind": "client", "params": {"rate": 200, "size_bytes": 2000}},
               {"id": "g", "kind": "api_gateway"},
               {"id": "lb", "kind": "load_balancer"},
               {"id": "s", "kind": "server", "params": {"workers": 8}}]),
        json!([{"from": "c", "to": "g"}, {"from": "g", "to": "lb"}, {"from": "lb", "to": "s"}]),
    );
    let r = run(&t).expect("runs");
    let month = |id: &str| r.nodes[id].arrivals as f64 / 9.0 * SECONDS_PER_MONTH;
    let g = node_cost(&t, t.node("g").expect("g"), Some(&r)).expect("priced");
    close(g.usage, month("g") / 1e6 * GATEWAY_USD_PER_MILLION);
    assert_eq!(g.fixed, 0.0);
    let lb = node_cost(&t, t.node("lb").expect("lb"), Some(&r)).expect("priced");
    close(lb.fixed, LB_USD_PER_HOUR * 730.0);
    close(lb.usage, month("lb") * 2.0 * 2000.0 / 1e9 * LB_USD_PER_GB);
    let c = diagram_cost(&t, Some(&r));
    let egress =
        r.throughput_rps * SECONDS_PER_MONTH * 2000.0 / 1e9 * cost::EGRESS_INTERNET_USD_PER_GB;
    close(c.egress_internet, egress);
    close(c.total, g.total() + lb.total() + 0.4032 * 730.0 + egress);
    close(
        c.per_million_requests.expect("served"),
        c.total / (r.throughput_rps * SECONDS_PER_MONTH / 1e6),
    );
    // Without the report only the fixed part is known.
    assert_eq!(
        node_cost(&t, t.node("g").expect("g"), None).map(|n| n.total()),
        Some(0.0)
    );
}
