//! DNS: lookups happen, disappear for the TTL and return when it expires; the number of authoritative
//! lookups is what the TTL predicts; CNAME chains cost extra lookups; a dead resolver fails the requests that
//! need it; GeoDNS sends each client to its nearest entry point.

use playground_core::{Report, Topology, run};
use serde_json::{Value, json};

/// Clients (`id`, region, rate) with an edge to the resolver and to each entry point (`id`, region);
/// resolver → root, TLD, authoritative with `records`; links 0.5 ms one way.
fn diagram(
    clients: &[(&str, &str, f64)],
    entries: &[(&str, &str)],
    records: Value,
    duration_s: f64,
    faults: Value,
) -> Topology {
    let mut nodes = vec![
        json!({"id": "resolver", "kind": "dns_resolver"}),
        json!({"id": "root", "kind": "dns_server", "params": {"role": "root"}}),
        json!({"id": "tld", "kind": "dns_server", "params": {"role": "tld"}}),
        json!({"id": "auth", "kind": "dns_server", "params": {"records": records}}),
    ];
    let mut edges = vec![
        json!({"from": "resolver", "to": "root"}),
        json!({"from": "resolver", "to": "tld"}),
        json!({"from": "resolver", "to": "auth"}),
    ];
    for (id, region) in entries {
        nodes.push(json!({"id": id, "kind": "server", "region": region,
            "params": {"workers": 100, "service_time": {"type": "constant", "ms": 1}}}));
    }
    for (id, region, rate) in clients {
        nodes.push(json!({"id": id, "kind": "client", "region": region,
            "params": {"rate": rate, "hostname": "www.example.com", "timeout_ms": 5000}}));
        edges.push(json!({"from": id, "to": "resolver",
            "latency": {"type": "constant", "ms": 0.5}}));
        for (e, _) in entries {
            edges.push(json!({"from": id, "to": e}));
        }
    }
    let t = json!({
        "settings": {"seed": 5, "duration_s": duration_s, "series_interval_s": 0, "trace_capacity": 0},
        "nodes": nodes, "edges": edges, "faults": faults
    });
    Topology::from_json(&t.to_string()).expect("the test diagram parses")
}

fn arrivals(r: &Report, id: &str) -> u64 {
    r.nodes.get(id).map_or(0, |n| n.arrivals)
}

fn a_record(ttl_s: f64) -> Value {
    json!(format!("www.example.com A 192.0.2.10 {ttl_s}"))
}

#[test]
fn authoritative_lookups_follow_the_ttl() {
    // A Poisson client at λ = 50/s and TTL T = 1 s over D = 100 s. A cycle: the answer lives T (counted from
    // the resolver's walk; the client's copy expires one 0.5 ms leg later), then the next request comes after
    // 1/λ on average, then the walk takes R: client → resolver (0.5 ms), 0.1 ms lookup, three round trips of
    // 1 ms plus a 1 ms answer each (9 ms), back (0.5 ms). Lookups ≈ D / (T + 1/λ + R). The count's spread is
    // tiny (each cycle varies by an exponential gap of 20 ms), so ±2 covers the edges of the run.
    for (ttl_s, expected_cycle) in [(1.0, 1.0 + 0.02 + 0.0101), (5.0, 5.0 + 0.02 + 0.0101)] {
        let r = run(&diagram(
            &[("c", "", 50.0)],
            &[("app", "")],
            a_record(ttl_s),
            100.0,
            json!([]),
        ))
        .expect("valid");
        let expected = 100.0 / expected_cycle;
        let auth = arrivals(&r, "auth") as f64;
        assert!(
            (auth - expected).abs() <= 2.0,
            "T = {ttl_s}: {auth} authoritative lookups, expected {expected:.1}"
        );
        assert_eq!(arrivals(&r, "root"), arrivals(&r, "auth"));
        assert_eq!(arrivals(&r, "tld"), arrivals(&r, "auth"));
        // The client's own cache: one lookup per cycle (requests arriving during it wait for the same
        // lookup: `coalesced`), every other request a hit.
        let c = r.nodes["c"]
            .cache()
            .expect("a resolving client reports its DNS cache");
        let lookups = (c.misses - c.coalesced) as f64;
        assert!((lookups - expected).abs() <= 2.0, "{c:?}");
        assert!(c.hits as f64 > 30.0 * lookups, "{c:?}");
        assert_eq!(r.requests.completed(), r.requests.sent);
    }
}

#[test]
fn a_shared_resolver_answers_the_second_client_from_its_cache() {
    let r = run(&diagram(
        &[("c1", "", 50.0), ("c2", "", 50.0)],
        &[("app", "")],
        a_record(1.0),
        50.0,
        json!([]),
    ))
    .expect("valid");
    let resolver = r.nodes["resolver"].cache().expect("resolver cache");
    // Both clients look the name up about once a second; only about half of those walk to the authoritative
    // server, the others find it in the resolver's cache.
    assert!(resolver.hits > 0 && resolver.misses > 0, "{resolver:?}");
    assert_eq!(arrivals(&r, "auth"), resolver.misses);
    assert!(arrivals(&r, "resolver") > arrivals(&r, "auth") + 20);
}

#[test]
fn a_cname_chain_costs_one_more_authoritative_lookup_per_link() {
    let records = json!(
        "www.example.com CNAME edge.example.net 2; edge.example.net CNAME lb.example.net 2; \
         lb.example.net A 192.0.2.10 2"
    );
    let r = run(&diagram(
        &[("c", "", 20.0)],
        &[("app", "")],
        records,
        20.0,
        json!([]),
    ))
    .expect("valid");
    assert!(arrivals(&r, "root") > 5);
    assert_eq!(arrivals(&r, "auth"), 3 * arrivals(&r, "root"));
}

#[test]
fn a_dead_resolver_fails_the_requests_that_need_a_lookup() {
    // TTL 1 s; the resolver dies at 5 s: once the client's cached answer expires, its requests fail.
    let r = run(&diagram(
        &[("c", "", 50.0)],
        &[("app", "")],
        a_record(1.0),
        10.0,
        json!([{"at_s": 5, "action": {"type": "kill", "node": "resolver"}}]),
    ))
    .expect("valid");
    // About 4 s of 50/s fail (from the expiry after 5 s to the end).
    assert!(
        (150..=260).contains(&r.requests.failed()),
        "failed {}",
        r.requests.failed()
    );
    assert!(arrivals(&r, "app") > 150);
}

#[test]
fn geo_dns_sends_each_client_to_its_nearest_entry_point() {
    let records = json!("www.example.com A 192.0.2.10 60 geo");
    let r = run(&diagram(
        &[("eu", "eu-west", 80.0), ("us", "us-west", 20.0)],
        &[("app-us", "us-east"), ("app-eu", "eu-central")],
        records,
        10.0,
        json!([]),
    ))
    .expect("valid");
    // Without GeoDNS each client would spread over both (about 500 each); with it, Europe (800 requests) goes
    // to Frankfurt and Oregon (200) to Virginia.
    let (eu, us) = (arrivals(&r, "app-eu"), arrivals(&r, "app-us"));
    assert!(
        (700..=900).contains(&eu) && (120..=280).contains(&us),
        "{eu} {us}"
    );
    // Nearest means the shortest network time: 25 ms round trip for Europe, 65 ms for Oregon, plus the
    // lookups' first milliseconds.
    assert!(r.latency_ms.network_mean < 50.0, "{:?}", r.latency_ms);
}
