//! Regions and distance: the built-in round-trip table gives links between regions their default latency,
//! an edge's own latency still wins, and the report splits end-to-end latency into network time and time in
//! nodes.

use playground_core::regions::{JITTER_SIGMA, rtt_ms};
use playground_core::{Report, Topology, run};
use serde_json::json;

/// Client in `from` → server in `to` (1000 workers, constant 10 ms service), 200 req/s for 5 s.
fn two_regions(from: &str, to: &str, edge: serde_json::Value) -> Report {
    let mut e = json!({"from": "c", "to": "s"});
    if let (Some(m), serde_json::Value::Object(extra)) = (e.as_object_mut(), edge) {
        m.extend(extra);
    }
    let t = json!({
        "settings": {"seed": 3, "duration_s": 5, "series_interval_s": 0, "trace_capacity": 0},
        "nodes": [
            {"id": "c", "kind": "client", "region": from, "params": {"rate": 200}},
            {"id": "s", "kind": "server", "region": to, "params": {
                "workers": 1000, "service_time": {"type": "constant", "ms": 10}
            }}
        ],
        "edges": [e]
    });
    run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid")
}

#[test]
fn a_link_between_table_regions_costs_the_round_trip_with_jitter() {
    let r = two_regions("us-east", "eu-west", json!({}));
    let rtt = rtt_ms("us-east", "eu-west").expect("both are in the table");
    // Two one-way legs, each log-normal with median rtt/2: mean rtt·e^(σ²/2). Each request's network time has
    // a standard deviation of about (rtt/2)·σ·√2 ≈ 2.5 ms; over ~1000 requests the mean's is under 0.1 ms.
    let expected = rtt * (JITTER_SIGMA * JITTER_SIGMA / 2.0).exp();
    let l = r.latency_ms;
    assert!(
        (l.network_mean - expected).abs() < 0.5,
        "network {} ms, expected {expected}",
        l.network_mean
    );
    assert!(
        (l.in_nodes_mean - 10.0).abs() < 1e-6,
        "in nodes {}",
        l.in_nodes_mean
    );
    // Jitter: the slowest request's network time is above the fastest's.
    assert!(l.max > l.p50 + 1.0, "{l:?}");
}

#[test]
fn an_edge_latency_overrides_the_region_table() {
    let r = two_regions(
        "us-east",
        "ap-southeast",
        json!({"latency": {"type": "constant", "ms": 5}}),
    );
    assert!((r.latency_ms.network_mean - 10.0).abs() < 1e-6);
    assert!((r.latency_ms.mean - 20.0).abs() < 1e-6);
}

#[test]
fn unknown_regions_fall_back_to_the_inter_region_setting_and_same_region_to_the_link_setting() {
    // settings.inter_region_link defaults to 40 ms one way, settings.link to 0.5 ms.
    let r = two_regions("mars", "venus", json!({}));
    assert!((r.latency_ms.network_mean - 80.0).abs() < 1e-6);
    let r = two_regions("us-east", "us-east", json!({}));
    assert!((r.latency_ms.network_mean - 1.0).abs() < 1e-6);
}

#[test]
fn farther_regions_cost_more_network_time_and_the_same_node_time() {
    let near = two_regions("eu-west", "eu-central", json!({}));
    let far = two_regions("eu-west", "ap-northeast", json!({}));
    assert!(far.latency_ms.network_mean > 5.0 * near.latency_ms.network_mean);
    assert!((far.latency_ms.in_nodes_mean - near.latency_ms.in_nodes_mean).abs() < 1e-6);
}
