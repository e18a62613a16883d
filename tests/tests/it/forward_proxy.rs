//! The forward proxy: users behind it reach the site from its one exit address, so a per-address rate limit
//! counts them together; its shared cache answers what another user already fetched.

use playground_core::{Report, Topology, run};
use playground_tests::assert_agrees;
use serde_json::{Value, json};

/// `n` users (clients of one address each, Poisson at `rate`, reads over `keys`), through `proxy` (its
/// params; `None` = the users reach the limiter directly) to a fixed-window rate limiter of `limit` per 1 s
/// per client address, in front of a server of 64 workers answering in 1 ms.
fn users(n: usize, rate: f64, keys: u64, proxy: Option<Value>, limit: u32, seed: u64) -> Report {
    let mut nodes = vec![
        json!({"id": "limiter", "kind": "rate_limiter",
               "params": {"algorithm": "fixed_window", "limit": limit, "window_ms": 1000, "key": "client_address"}}),
        json!({"id": "site", "kind": "server",
               "params": {"workers": 64, "service_time": {"type": "constant", "ms": 1}}}),
    ];
    let mut edges = vec![json!({"from": "limiter", "to": "site"})];
    let entry = if let Some(p) = &proxy {
        nodes.push(json!({"id": "proxy", "kind": "forward_proxy", "params": p}));
        edges.push(json!({"from": "proxy", "to": "limiter"}));
        "proxy"
    } else {
        "limiter"
    };
    for i in 0..n {
        let id = format!("user{i}");
        nodes.push(
            json!({"id": id, "kind": "client", "params": {"rate": rate, "addresses": 1,
            "read_fraction": 1, "keys": {"type": "uniform", "count": keys}}}),
        );
        edges.push(json!({"from": id, "to": entry}));
    }
    let t = json!({
        "settings": {"seed": seed, "duration_s": 60, "warmup_s": 10, "series_interval_s": 0,
                     "trace_capacity": 0},
        "nodes": nodes,
        "edges": edges
    });
    run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid")
}

/// Requests the site served per second of the 50 s window (what the limiter let through).
fn admitted_per_s(r: &Report) -> f64 {
    r.nodes["site"].served as f64 / 50.0
}

/// Five users at 20 req/s each against a limit of 50 per second per client address. Reaching the limiter
/// directly each user is its own client and under the limit: all N r = 100/s pass. Behind one proxy they are
/// one client: min(N r, L) = 50/s pass (Poisson(100) arrivals per 1 s window almost never fall under 50),
/// the rest are refused 429. With a limit of 200 the proxy's 100/s all pass. Eight seeds each; tolerance
/// 4 standard errors + 2 %.
#[test]
fn users_behind_one_proxy_share_one_per_client_limit() {
    let (n, r) = (5, 20.0);
    let proxy = json!({"workers": 8, "forward_ms": 0.2});
    for (via, limit, expect) in [(false, 50, 100.0), (true, 50, 50.0), (true, 200, 100.0)] {
        let xs: Vec<f64> = (1..=8)
            .map(|seed| {
                let rep = users(n, r, 100, via.then(|| proxy.clone()), limit, seed);
                if via {
                    assert!(rep.nodes["proxy"].served > 0);
                }
                admitted_per_s(&rep)
            })
            .collect();
        assert_agrees(
            &format!("admitted per s, proxy {via}, limit {limit}: min(N r, L) or N r"),
            &xs,
            expect,
            0.02,
        );
    }
}

/// A shared cache with a TTL T and room for every key: each key's reads from all users arrive at
/// λ = N r ÷ K, and a miss opens a window of T in which every read of it is a hit, so the hit ratio is
/// λT ÷ (1 + λT) — the browser cache's law with the users' rates added. Five users at 20/s over 100 keys,
/// T = 2 s: λT = 2, hit ratio 2/3 (one user alone: 0.4 ÷ 1.4 = 0.29). A miss in flight (about 3 ms) biases it
/// by under 1 %; tolerance 4 standard errors + 2 %.
#[test]
fn the_shared_cache_hits_as_all_users_together() {
    let proxy = json!({"cache": {"capacity": 1000, "ttl_ms": 2000}});
    for (n, expect) in [(5, 2.0 / 3.0), (1, 0.4 / 1.4)] {
        let xs: Vec<f64> = (1..=8)
            .map(|seed| {
                let rep = users(n, 20.0, 100, Some(proxy.clone()), 100_000, seed);
                let c = rep.nodes["proxy"]
                    .cache()
                    .expect("the proxy reports its cache");
                assert_eq!(c.stale_reads, 0, "nothing is written");
                c.hit_ratio
            })
            .collect();
        assert_agrees(
            &format!("proxy cache hit ratio, {n} users: λT/(1+λT)"),
            &xs,
            expect,
            0.02,
        );
    }
}

/// Without a cache the proxy reports no block and adds its CPU: the latency grows by `forward_ms` (5 ms
/// constant, no queueing at this load) over the direct path plus one link of the default latency.
#[test]
fn the_proxy_is_one_more_hop() {
    let direct = users(2, 10.0, 10, None, 100_000, 3);
    let via = users(2, 10.0, 10, Some(json!({"forward_ms": 5})), 100_000, 3);
    assert!(via.nodes["proxy"].cache().is_none());
    let extra = via.latency_ms.mean - direct.latency_ms.mean;
    assert!(extra > 5.0, "{extra}");
}
