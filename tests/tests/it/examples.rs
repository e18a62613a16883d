//! Every diagram in `examples/`: it parses, validates without a diagnostic, survives a share link, runs to
//! the end with traffic completing, and each cache example's cache reports what its pattern is about.

use playground_core::report::Outcome;
use playground_core::share::{decode, share_url_fragment};
use playground_core::{Report, Topology, run, validate};
use playground_tests::repo_root;

fn examples() -> Vec<(String, Topology)> {
    let dir = repo_root().join("examples");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("an example is readable");
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let t = Topology::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, t)
        })
        .collect()
}

fn report(name: &str) -> Report {
    let (_, t) = examples()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("example {name} exists"));
    run(&t).expect("examples are valid")
}

fn cache(r: &Report) -> playground_core::report::CacheReport {
    r.nodes
        .get("cache")
        .and_then(|n| n.cache())
        .copied()
        .expect("the example has a cache node")
}

#[test]
fn every_example_validates_cleanly_and_survives_a_share_link() {
    let all = examples();
    assert!(all.len() >= 12, "{} examples", all.len());
    for (name, t) in all {
        let d = validate(&t);
        assert!(d.is_empty(), "{name}: {d:?}");
        let back = decode(&share_url_fragment(&t)).expect("an example's link opens");
        assert_eq!(format!("{back:?}"), format!("{t:?}"), "{name}");
    }
}

#[test]
fn cache_pattern_examples_show_their_pattern() {
    let aside = cache(&report("cache-aside"));
    assert!(aside.hit_ratio > 0.4 && aside.evictions > 0, "{aside:?}");
    let behind = cache(&report("write-behind"));
    assert!(behind.lost_writes > 0, "{behind:?}");
    let ahead = cache(&report("refresh-ahead"));
    assert!(ahead.refreshes > 0, "{ahead:?}");
    let stampede = report("cache-stampede");
    assert!(cache(&stampede).expirations > 0);
    let warm = cache(&report("cache-warming"));
    assert!(warm.hit_ratio > cache(&report("read-through")).hit_ratio);
}

#[test]
fn the_multi_region_example_splits_network_from_node_time() {
    let r = report("multi-region");
    assert_eq!(r.requests.completed(), r.requests.sent);
    // Half the requests cross the Atlantic twice (app-eu → db in us-east): about 35 ms of network each on
    // average; the in-node time includes app-eu's worker waiting on that call.
    assert!(
        (25.0..50.0).contains(&r.latency_ms.network_mean),
        "{:?}",
        r.latency_ms
    );
}

#[test]
fn the_dns_example_resolves_through_a_cname_and_re_resolves_after_the_ttl() {
    let r = report("dns");
    let arrivals = |id: &str| r.nodes.get(id).map_or(0, |n| n.arrivals);
    // 120 s with a 30 s TTL: four walks, each with two authoritative lookups (the CNAME).
    assert_eq!(arrivals("root"), 4);
    assert_eq!(arrivals("auth"), 2 * arrivals("root"));
    assert_eq!(r.requests.completed(), r.requests.sent);
}

#[test]
fn the_global_example_serves_static_content_from_the_nearest_edge() {
    let r = report("global");
    let n = |id: &str| &r.nodes[id];
    // Each region's users reach their own edge; Asia has no app, so GeoDNS sends it to Europe's.
    assert!(n("cdn-ap").arrivals > 0 && n("cdn-eu").arrivals > 0 && n("cdn-us").arrivals > 0);
    assert_eq!(
        n("app-us").arrivals + n("app-eu").arrivals,
        n("db").arrivals
    );
    assert!(
        n("auth").arrivals >= 2,
        "the 20 s geo record is looked up again"
    );
    let pulls: u64 = ["cdn-us", "cdn-eu", "cdn-ap"]
        .iter()
        .map(|id| n(id).cache().map_or(0, |c| c.misses))
        .sum();
    assert!(n("origin").arrivals >= pulls - 3 && n("origin").arrivals <= pulls + 3);
}

/// The read-replicas example: replicas serve every read, some of them stale, the primary fails at 30 s and
/// a replica is promoted; the writes of the lag window are lost and writes fail during the 2 s detection.
#[test]
fn read_replicas_example_shows_stale_reads_and_a_failover() {
    let r = report("read-replicas");
    let d = r.nodes["db"].database().expect("a database block");
    assert!(
        d.modelled && d.stale_reads > 0 && d.stale_reads < d.reads,
        "{d:?}"
    );
    assert_eq!(d.failovers, 1);
    assert!(d.lost_writes > 0 && d.failed_writes > 0, "{d:?}");
    let roles: Vec<&str> = d.shards[0]
        .instances
        .iter()
        .map(|i| i.role.as_str())
        .collect();
    assert_eq!(roles, ["failed", "primary", "replica"]);
    // Every failed request failed at the database: writes during the failover or queries the primary held.
    assert_eq!(r.requests.failed(), r.nodes["db"].errors);
}

/// The sharded-hot-key example: the shard holding key 0 (Zipf's hottest) serves the most queries.
#[test]
fn sharded_hot_key_example_has_its_hot_shard_where_key_zero_lives() {
    use playground_core::components::database::Ring;
    let r = report("sharded-hot-key");
    let d = r.nodes["store"].database().expect("a database block");
    let hot = Ring::new(4, 100).shard_of(0) as usize;
    let max = d.shards.iter().map(|s| s.share).fold(0.0, f64::max);
    assert_eq!(d.shards[hot].share, max, "{:?}", d.shards);
    assert!(max > 0.3, "{max}");
}

fn client(r: &Report, id: &str) -> playground_core::report::Requests {
    r.nodes
        .get(id)
        .and_then(|n| n.requests())
        .copied()
        .unwrap_or_else(|| panic!("{id} is a client"))
}

#[test]
fn resilience_examples_show_their_pattern() {
    // The storm stays; a budget or shedding ends it.
    let storm = report("retry-storm");
    let late = |r: &Report| {
        r.series
            .points
            .iter()
            .filter(|p| p.t_s > 60.0)
            .map(|p| p.outcomes[Outcome::Ok])
            .sum::<u64>()
    };
    assert!(late(&storm) < 600, "{}", late(&storm));
    for healed in ["retry-storm-budget", "deadline-shedding"] {
        assert!(late(&report(healed)) > 7_000, "{healed}");
    }
    // The breaker opens during the outage and is closed at the end.
    let e = report("circuit-breaker").edges["api-db"].clone();
    assert!(e.breaker_opens > 0 && e.short_circuited > 0);
    assert_eq!(e.breaker_state.as_deref(), Some("closed"));
    // Every one of the ten contending clients got its row, with retries.
    let j = report("retries-jitter");
    assert_eq!(j.requests.completed(), 10);
    assert!(j.resilience.expect("retries").retries > 0);
    // Duplicate charges only without idempotency keys.
    let i = report("idempotency");
    let dup = |id: &str| i.nodes[id].service().expect("effects").duplicate_effects;
    assert!(dup("pay") > 0);
    assert_eq!(dup("pay2"), 0);
    let b = report("bulkhead");
    assert!(
        b.nodes["api"]
            .service()
            .expect("bulkhead")
            .bulkhead_rejected
            > 0
    );
}

#[test]
fn security_examples_show_their_pattern() {
    // The gateway routes by path, looks sessions up, and limits the mobile app's API key.
    let g = report("api-gateway");
    let gw = g.nodes["gw"].gateway().expect("a gateway");
    assert_eq!(gw.unrouted, 0);
    assert_eq!(gw.session_lookups, gw.auth_checks);
    assert_eq!(gw.routed[2], client(&g, "shop").completed());
    assert!(client(&g, "mobile").rate_limited() > 0);
    assert_eq!(client(&g, "shop").rate_limited(), 0);
    // The firewall stops the lone attacker (its payloads and then its address) but not the botnet spread
    // over 5,000 addresses; no attack reaches the app.
    let w = report("waf-botnet");
    let attacker = client(&w, "attacker");
    assert!(attacker.blocked() as f64 > 0.9 * attacker.sent as f64);
    assert_eq!(client(&w, "botnet").blocked(), 0);
    assert_eq!(client(&w, "users").blocked(), 0);
    assert_eq!(w.requests.attacks_served, 0);
    // The distributed limiter over-admits; the per-address one spares the users.
    let d = report("distributed-rate-limiter");
    assert!(
        d.nodes["limiter"]
            .limiter()
            .expect("a limiter")
            .over_admitted
            > 1_000
    );
    let p = report("rate-limiter");
    assert_eq!(client(&p, "k-users").rate_limited(), 0);
    assert!(client(&p, "k-scraper").rate_limited() > 0);
}
