//! CDN: static requests go to the client's nearest edge, which answers from its cache and pulls from the
//! origin on a miss; its hit ratio is what its keys, capacity and TTL make it.

use playground_core::{Report, Topology, run};
use serde_json::json;

/// Users in Europe and the US, half their requests static (100 Zipf keys); CDN edges in eu-west and
/// us-east, the origin and the app in us-east.
fn world(ttl_ms: f64) -> Report {
    let client = |id: &str, region: &str| {
        json!({"id": id, "kind": "client", "region": region, "params": {
            "rate": 100, "static_fraction": 0.5, "keys": {"type": "zipf", "count": 100, "s": 1.0}
        }})
    };
    let edge = |id: &str, region: &str| json!({"id": id, "kind": "cdn_edge", "region": region, "params": {"ttl_ms": ttl_ms}});
    let t = json!({
        "settings": {"seed": 9, "duration_s": 20, "series_interval_s": 0, "trace_capacity": 0},
        "nodes": [
            client("eu", "eu-west"), client("us", "us-east"),
            edge("cdn-eu", "eu-west"), edge("cdn-us", "us-east"),
            {"id": "origin", "kind": "server", "region": "us-east", "params": {
                "service_time": {"type": "constant", "ms": 5}}},
            {"id": "app", "kind": "server", "region": "us-east"}
        ],
        "edges": [
            {"from": "eu", "to": "cdn-eu"}, {"from": "eu", "to": "cdn-us"}, {"from": "eu", "to": "app"},
            {"from": "us", "to": "cdn-eu"}, {"from": "us", "to": "cdn-us"}, {"from": "us", "to": "app"},
            {"from": "cdn-eu", "to": "origin"}, {"from": "cdn-us", "to": "origin"}
        ]
    });
    run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid")
}

fn node<'a>(r: &'a Report, id: &str) -> &'a playground_core::report::NodeReport {
    &r.nodes[id]
}

#[test]
fn static_requests_go_to_the_nearest_edge_and_misses_pull_from_the_origin() {
    let r = world(3_600_000.0);
    let (eu, us) = (node(&r, "cdn-eu"), node(&r, "cdn-us"));
    // Each client sends ~2000 requests, half static; each edge sees only its own region's users.
    for n in [eu, us] {
        assert!((850..=1150).contains(&n.arrivals), "{}", n.arrivals);
        let c = n.cache().expect("an edge reports its cache");
        assert_eq!(c.hits + c.misses, n.arrivals);
        // 100 keys and an hour's TTL: only the first request of each key misses (at most 100).
        assert!(c.misses <= 100 && c.hit_ratio > 0.85, "{c:?}");
    }
    let pulls = eu.cache().map_or(0, |c| c.misses) + us.cache().map_or(0, |c| c.misses);
    assert_eq!(node(&r, "origin").arrivals, pulls);
    // Dynamic requests (the other half) all reach the app.
    assert!((1700..=2300).contains(&node(&r, "app").arrivals));
}

#[test]
fn a_short_cdn_ttl_sends_more_requests_to_the_origin() {
    let long = world(3_600_000.0);
    let short = world(1_000.0);
    let ratio = |r: &Report| node(r, "cdn-eu").cache().map_or(0.0, |c| c.hit_ratio);
    assert!(
        node(&short, "origin").arrivals > 3 * node(&long, "origin").arrivals,
        "{} vs {}",
        node(&short, "origin").arrivals,
        node(&long, "origin").arrivals
    );
    assert!(ratio(&short) < ratio(&long) - 0.1);
}
