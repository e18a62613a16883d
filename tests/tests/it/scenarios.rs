//! The gallery's built-in scenarios: each parses, validates cleanly, survives a share link and has its
//! texts; and one named test per scenario runs it headless and checks the effect its text promises.

use playground_core::report::Outcome;
use playground_core::report::{CacheReport, NodeReport};
use playground_core::scenarios::{Scenario, all, by_name};
use playground_core::share::{decode, share_url_fragment};
use playground_core::{Report, Topology, run, validate};

/// Seeds every effect is checked with; the texts' claims must hold for each.
const SEEDS: [u64; 3] = [1, 2, 3];

fn scenario(name: &str) -> &'static Scenario {
    by_name(name).unwrap_or_else(|| panic!("scenario {name} exists"))
}

/// Runs scenario `name` once per seed in [`SEEDS`].
fn reports(name: &str) -> Vec<Report> {
    SEEDS
        .iter()
        .map(|&seed| {
            let mut t = scenario(name).topology();
            t.settings.seed = seed;
            t.settings.trace_capacity = 0;
            run(&t).expect("a scenario builds")
        })
        .collect()
}

fn node<'a>(r: &'a Report, id: &str) -> &'a NodeReport {
    r.nodes
        .get(id)
        .unwrap_or_else(|| panic!("node {id} is in the report"))
}

fn cache(r: &Report, id: &str) -> CacheReport {
    node(r, id)
        .cache()
        .cloned()
        .unwrap_or_else(|| panic!("{id} reports cache statistics"))
}

#[test]
fn every_scenario_parses_validates_and_has_its_texts() {
    let list = all();
    assert!(list.len() >= 6, "{} scenarios", list.len());
    let mut names: Vec<&str> = list.iter().map(|s| s.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), list.len(), "slugs are unique");
    for s in list {
        let n = s.name;
        assert!(
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{n}: a slug is lowercase words joined by hyphens"
        );
        assert!(std::ptr::eq(by_name(n).expect("found by name"), s), "{n}");
        assert!(!s.title.is_empty() && !s.topic.is_empty(), "{n}");
        let sentences = s.explanation.matches(". ").count() + 1;
        assert!(
            !s.explanation.is_empty() && sentences <= 3,
            "{n}: explanation has {sentences} sentences"
        );
        for list in [s.try_this, s.watch] {
            assert!((2..=4).contains(&list.len()), "{n}: 2–4 items");
            assert!(list.iter().all(|x| !x.trim().is_empty()), "{n}");
        }
        let t = Topology::from_json(s.json()).unwrap_or_else(|e| panic!("{n}: {e}"));
        let d = validate(&t);
        assert!(d.is_empty(), "{n}: {d:?}");
        assert!(!t.name.is_empty() && !t.nodes.is_empty(), "{n}");
        for v in &t.nodes {
            let p = v.position;
            assert!(
                p.x % 20.0 == 0.0 && p.y % 20.0 == 0.0 && p.x >= 0.0 && p.y >= 0.0,
                "{n}: {} sits on the 20 px grid",
                v.id
            );
            assert!(!v.label.is_empty(), "{n}: {} has a label", v.id);
        }
        let back = decode(&share_url_fragment(&t)).expect("a scenario's share link opens");
        assert_eq!(format!("{back:?}"), format!("{t:?}"), "{n}");
    }
    assert!(by_name("no-such-scenario").is_none());
}

#[test]
fn every_scenario_file_is_listed() {
    let dir = playground_tests::repo_root().join("examples/scenarios");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/scenarios is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    files.sort();
    let mut names: Vec<String> = all().iter().map(|s| s.name.to_string()).collect();
    names.sort();
    assert_eq!(files, names);
    for s in all() {
        let text = std::fs::read_to_string(dir.join(format!("{}.json", s.name)))
            .expect("a scenario file is readable");
        assert_eq!(
            text,
            s.json(),
            "{}: the compiled-in copy is the file",
            s.name
        );
    }
}

/// "about 40 ms of its roughly 60 ms is network latency … busy about a quarter of the time".
#[test]
fn client_server_latency_is_two_network_legs_plus_the_server() {
    for r in reports("client-server") {
        let l = r.latency_ms;
        assert!((l.network_mean - 40.0).abs() < 0.5, "{l:?}");
        assert!(l.mean > 55.0 && l.mean < 65.0, "{l:?}");
        assert!(l.in_nodes_mean > 17.0 && l.in_nodes_mean < 24.0, "{l:?}");
        let u = node(&r, "server").utilization;
        assert!(u > 0.22 && u < 0.29, "utilisation {u}");
        assert_eq!(r.requests.completed(), r.requests.sent, "{:?}", r.requests);
    }
}

/// "the resolver walks root, TLD and authoritative servers (about 90 ms here) … With a 5 s TTL the answer
/// runs out 12 times a minute, and each time the requests behind it wait for a new lookup. With a 300 s TTL
/// the name is looked up once in the run."
#[test]
fn a_short_ttl_means_a_lookup_every_few_seconds_and_a_long_one_a_single_lookup() {
    for r in reports("dns-ttl") {
        assert_eq!(r.duration_s, 60.0);
        let short = node(&r, "short-auth").arrivals;
        assert!((11..=13).contains(&short), "{short} lookups with a 5 s TTL");
        assert_eq!(node(&r, "long-auth").arrivals, 1);
        for side in ["short", "long"] {
            let root = node(&r, &format!("{side}-root")).arrivals;
            let tld = node(&r, &format!("{side}-tld")).arrivals;
            let auth = node(&r, &format!("{side}-auth")).arrivals;
            assert!(
                root == auth && tld == auth,
                "{side}: every lookup walks the chain"
            );
            let lookup = node(&r, &format!("{side}-resolver")).mean_time_ms;
            assert!(
                lookup > 85.0 && lookup < 100.0,
                "{side}: a lookup takes {lookup} ms"
            );
        }
        let waited = |side: &str| cache(&r, &format!("{side}-users")).misses;
        assert!(
            waited("short") > 3 * waited("long") && waited("short") >= short,
            "{} vs {}",
            waited("short"),
            waited("long")
        );
        assert_eq!(r.requests.completed(), r.requests.sent);
    }
}

/// "GeoDNS … answers each with the app in their own region … three in four or more from its cache (the
/// busier the edge, the more), and only misses travel to the origin … the Asian edge's mean time is over ten times the US edge's", and the try item "Delete
/// `geo` … the network part of the mean latency grows about sixfold".
#[test]
fn geodns_keeps_users_in_their_region_and_cdn_misses_far_from_the_origin_are_slow() {
    let measured_s = 55.0;
    for r in reports("multi-region") {
        for (region, rate) in [("us", 150.0), ("eu", 100.0), ("ap", 50.0)] {
            let expect = rate * 0.4 * measured_s;
            let got = node(&r, &format!("app-{region}")).arrivals as f64;
            assert!(
                (got - expect).abs() < 0.1 * expect,
                "app-{region}: {got} vs {expect}"
            );
        }
        let mut misses = 0;
        let mut busier = 1.0;
        for region in ["us", "eu", "ap"] {
            let c = cache(&r, &format!("cdn-{region}"));
            assert!(
                c.hit_ratio >= 0.72 && c.hit_ratio < busier,
                "cdn-{region}: {c:?}"
            );
            busier = c.hit_ratio;
            misses += c.misses;
        }
        let pulls = node(&r, "origin").arrivals;
        assert!(
            pulls.abs_diff(misses) * 50 < misses,
            "{pulls} pulls, {misses} misses"
        );
        let (us, ap) = (
            node(&r, "cdn-us").mean_time_ms,
            node(&r, "cdn-ap").mean_time_ms,
        );
        assert!(ap > 10.0 * us, "cdn-ap {ap} ms, cdn-us {us} ms");
    }
    let mut t = scenario("multi-region").topology();
    t.settings.trace_capacity = 0;
    let geo = run(&t).expect("a scenario builds").latency_ms.network_mean;
    let auth = t
        .nodes
        .iter_mut()
        .find(|n| n.id == "auth")
        .expect("the diagram has a GeoDNS server");
    let records = auth.params["records"]
        .as_str()
        .expect("records are text")
        .replace(" geo", "");
    auth.params.insert("records".into(), records.into());
    let plain = run(&t).expect("still valid").latency_ms.network_mean;
    assert!(
        plain > 5.0 * geo && plain < 7.0 * geo,
        "{geo} ms with GeoDNS, {plain} without"
    );
}

/// "Round robin and random … the slow server is overloaded, queues up and rejects requests. Least
/// connections and power of two choices send it fewer requests and keep p99 several times lower."
#[test]
fn least_connections_and_power_of_two_keep_p99_below_round_robin_and_random() {
    for r in reports("load-balancing") {
        let p99 = |lb: &str| node(&r, &format!("{lb}-lb")).p99_time_ms;
        let slow = |lb: &str| node(&r, &format!("{lb}-slow"));
        for even in ["rr", "rand"] {
            assert!(slow(even).utilization > 0.95, "{even}: {:?}", slow(even));
            assert!(slow(even).dropped > 0, "{even}: {:?}", slow(even));
            assert!(slow(even).mean_queue > 10.0, "{even}: {:?}", slow(even));
            let share =
                slow(even).arrivals as f64 / node(&r, &format!("{even}-lb")).arrivals as f64;
            assert!(
                (share - 1.0 / 3.0).abs() < 0.02,
                "{even}: the slow server gets {share}"
            );
            for smart in ["lc", "p2c"] {
                assert!(
                    p99(smart) * 3.0 < p99(even),
                    "{smart} p99 {} vs {even} p99 {}",
                    p99(smart),
                    p99(even)
                );
                assert!(slow(smart).arrivals * 3 < slow(even).arrivals * 2);
                assert_eq!(slow(smart).dropped, 0, "{smart}: {:?}", slow(smart));
            }
        }
    }
}

/// "both are about 75 % busy and serve the same throughput … its p99 is under half the cluster's".
#[test]
fn one_big_server_answers_faster_than_four_small_ones_at_equal_throughput() {
    for r in reports("vertical-vs-horizontal") {
        let big = node(&r, "big");
        let lb = node(&r, "h-lb");
        assert!(big.p99_time_ms * 2.0 < lb.p99_time_ms, "{big:?} {lb:?}");
        let (a, b) = (big.served as f64, lb.served as f64);
        assert!((a - b).abs() < 0.03 * a, "served {a} vs {b}");
        assert!(big.utilization > 0.7 && big.utilization < 0.8, "{big:?}");
        for i in 1..=4 {
            let s = node(&r, &format!("small{i}"));
            assert!(
                s.utilization > 0.7 && s.utilization < 0.8,
                "small{i}: {s:?}"
            );
        }
    }
}

/// "keeps sending it a third of the requests, which fail, until three health checks … have failed; then …
/// the same throughput … rejoins after two good checks" and the watch item "a burst of about two seconds".
#[test]
fn errors_last_only_until_the_health_checks_take_the_dead_server_out() {
    for r in reports("server-failure") {
        let s = &r.series;
        let app2 = s
            .node_ids
            .iter()
            .position(|id| id == "app2")
            .expect("app2 is in the series");
        let rate = |from: f64, to: f64| {
            let pts: Vec<_> = s
                .points
                .iter()
                .filter(|p| p.t_s > from && p.t_s <= to)
                .collect();
            pts.iter()
                .map(|p| p.outcomes[Outcome::Ok] as f64)
                .sum::<f64>()
                / pts.len() as f64
        };
        let mut failed_at = Vec::new();
        for p in &s.points {
            if p.outcomes[Outcome::Error] > 0 {
                failed_at.push(p.t_s);
            }
        }
        assert!(
            failed_at.iter().all(|&t| t > 20.0 && t <= 24.0),
            "failures at {failed_at:?}"
        );
        let burst: u64 = s.points.iter().map(|p| p.outcomes[Outcome::Error]).sum();
        // A third of 240 req/s for about two seconds (1.6–2.75 s).
        assert!((130..=220).contains(&burst), "{burst} failed");
        assert!(
            node(&r, "app2").dropped.abs_diff(burst) < 10,
            "the dead server failed them"
        );
        let before = rate(5.0, 20.0);
        let after = rate(25.0, 40.0);
        assert!((after - before).abs() < 0.1 * before, "{before} vs {after}");
        let util = |t: f64| {
            s.points
                .iter()
                .find(|p| (p.t_s - t).abs() < 1e-9)
                .map(|p| p.nodes[app2].utilization)
                .expect("the series covers the run")
        };
        assert!((24..=40).all(|t| util(f64::from(t)) == 0.0), "dead and out");
        assert!(util(41.0) == 0.0, "one good check is not enough to rejoin");
        assert!((44..=50).all(|t| util(f64::from(t)) > 0.2), "back in");
        assert_eq!(r.requests.timed_out() + r.requests.rejected(), 0);
    }
}

/// "Cache-aside … hits least; write-through … hits more; write-behind … fastest and sends the database the
/// fewest requests … the writes it had not yet flushed are lost."
#[test]
fn write_behind_is_fastest_but_loses_writes_and_cache_aside_hits_least() {
    for r in reports("cache-patterns") {
        let hit = |p: &str| cache(&r, &format!("{p}-cache")).hit_ratio;
        let time = |p: &str| node(&r, &format!("{p}-app")).mean_time_ms;
        let db = |p: &str| node(&r, &format!("{p}-db")).arrivals;
        assert!(
            hit("through") > hit("aside") + 0.1,
            "{} {}",
            hit("through"),
            hit("aside")
        );
        assert!(
            hit("behind") > hit("aside") + 0.1,
            "{} {}",
            hit("behind"),
            hit("aside")
        );
        assert!(
            time("behind") < time("through") && time("through") < time("aside"),
            "{} {} {}",
            time("behind"),
            time("through"),
            time("aside")
        );
        assert!(db("behind") < db("through") && db("through") < db("aside"));
        assert!(cache(&r, "behind-cache").lost_writes > 0);
        assert_eq!(cache(&r, "aside-cache").lost_writes, 0);
        assert_eq!(cache(&r, "through-cache").lost_writes, 0);
    }
}

/// "LFU … hits most, LRU comes second, and FIFO and random … hit least … the database behind LFU does the
/// least work."
#[test]
fn lfu_beats_lru_beats_fifo_and_random_on_zipf_keys() {
    for r in reports("eviction-policies") {
        let hit = |p: &str| cache(&r, &format!("{p}-cache")).hit_ratio;
        let db = |p: &str| node(&r, &format!("{p}-db")).arrivals;
        assert!(
            hit("lfu") > hit("lru") + 0.05,
            "{} {}",
            hit("lfu"),
            hit("lru")
        );
        for worst in ["fifo", "random"] {
            assert!(
                hit("lru") > hit(worst) + 0.02,
                "lru {} {worst} {}",
                hit("lru"),
                hit(worst)
            );
            assert!(db("lru") < db(worst));
        }
        assert!(db("lfu") < db("lru"));
    }
}

fn messaging(r: &Report, id: &str) -> playground_core::report::MessagingReport {
    node(r, id)
        .messaging()
        .cloned()
        .unwrap_or_else(|| panic!("{id} reports messaging counts"))
}

/// "Called directly, the workers' queue overflows in every burst and about four in ten orders are
/// rejected; through a message queue every order is acknowledged at once, waits its turn and is processed
/// between bursts. … a queued order waits over a second on average."
#[test]
fn a_queue_absorbs_the_burst_that_overflows_the_direct_workers() {
    for r in reports("queue-burst") {
        let direct = node(&r, "direct");
        let share = direct.dropped as f64 / direct.arrivals as f64;
        assert!((0.3..0.5).contains(&share), "direct rejects {share}");
        let q = messaging(&r, "orders");
        assert_eq!(q.dropped, 0);
        assert_eq!(q.acknowledged, q.published, "every order processed");
        assert_eq!(node(&r, "workers").dropped, 0);
        // The burst's excess (about 400 orders) piles up in the queue, then drains.
        assert!((250..700).contains(&q.max_depth), "{q:?}");
        assert!(q.mean_wait_ms > 1000.0 && q.mean_wait_ms < 2500.0, "{q:?}");
        assert!(r.finished && q.depth + q.in_flight == 0);
        // The producers are acknowledged at once: every request that was not rejected took two 2 ms legs,
        // so the only rejections are the direct ones.
        assert_eq!(r.requests.rejected(), direct.dropped);
        assert!(r.latency_ms.p50 < 5.0, "{:?}", r.latency_ms);
    }
}

/// "every subscriber gets its own copy … Analytics manages only 40 events a second against 50, so its
/// queue grows through the run while the email sender and audit log keep up … Checkout's latency stays at
/// the two network legs."
#[test]
fn a_topic_fans_every_order_out_and_a_slow_subscriber_only_delays_itself() {
    for r in reports("pubsub-fanout") {
        let t = messaging(&r, "orders");
        assert_eq!(t.consumers.len(), 3);
        for s in &t.consumers {
            assert_eq!(s.delivered, t.published, "{} gets every event", s.node);
            assert_eq!(s.acknowledged, t.published, "{}", s.node);
        }
        let stats = messaging(&r, "stats-q");
        let email = messaging(&r, "email-q");
        assert_eq!(
            stats.acknowledged, t.published,
            "the slow subscriber catches up after the run"
        );
        // 10 events a second too many for 60 s: hundreds behind at the end of the traffic.
        assert!(stats.max_depth > 400, "{stats:?}");
        assert!(email.max_depth < 30, "{email:?}");
        assert!(stats.mean_wait_ms > 50.0 * email.mean_wait_ms.max(1.0));
        assert!(node(&r, "audit").mean_time_ms < 10.0);
        assert!((r.latency_ms.max - 4.0).abs() < 0.1, "{:?}", r.latency_ms);
    }
}

fn database(r: &Report, id: &str) -> playground_core::report::DatabaseReport {
    node(r, id)
        .database()
        .cloned()
        .unwrap_or_else(|| panic!("{id} reports database statistics"))
}

/// "about one read in three is stale (1 − e^(−2 × 0.2)) … no read is stale … from about 3 ms to about
/// 23 ms".
#[test]
fn async_replicas_serve_a_third_stale_reads_and_sync_replicas_slow_the_writes() {
    for r in reports("read-replicas") {
        let a = database(&r, "db-async");
        let fraction = a.stale_reads as f64 / a.reads as f64;
        let predicted = 1.0 - (-0.4f64).exp();
        assert!(
            (fraction - predicted).abs() < 0.03,
            "{fraction} vs {predicted}"
        );
        let inst = &a.shards[0].instances;
        assert_eq!(inst[0].reads, 0, "the primary takes only writes");
        assert!(
            inst[1].reads.abs_diff(inst[2].reads) <= 1,
            "replicas share reads in turn"
        );
        assert_eq!(database(&r, "db-sync").stale_reads, 0);
        let (ta, ts) = (
            node(&r, "db-async").mean_time_ms,
            node(&r, "db-sync").mean_time_ms,
        );
        assert!(
            (2.5..3.5).contains(&ta) && (20.0..26.0).contains(&ts),
            "{ta} {ts}"
        );
    }
}

/// "shard 0 … serves about 80 % of the queries and is busy three quarters of the time, so that store's mean
/// time is over twice the other's … its busiest shard is the one holding key 0, with about a third".
#[test]
fn range_sharding_makes_one_hot_shard_and_the_ring_spreads_the_hot_keys() {
    use playground_core::components::database::{Router, Sharding};
    for r in reports("sharding-hot-key") {
        let range = database(&r, "db-range");
        assert!(range.shards[0].share > 0.75, "{:?}", range.shards);
        let util = range.shards[0].instances[0].utilization;
        assert!((0.65..0.85).contains(&util), "{util}");
        let ring = database(&r, "db-ring");
        let hottest = (0..4)
            .max_by(|&a, &b| ring.shards[a].share.total_cmp(&ring.shards[b].share))
            .expect("4 shards");
        let key0 = Router::new(4, Sharding::Consistent, 100, 1000).shard_of(0) as usize;
        assert_eq!(hottest, key0);
        assert!((0.28..0.4).contains(&ring.shards[hottest].share));
        let (tr, tg) = (
            node(&r, "db-range").mean_time_ms,
            node(&r, "db-ring").mean_time_ms,
        );
        assert!(tr > 2.0 * tg, "range {tr} ms, ring {tg} ms");
    }
}

/// Mean utilisation of node `id` over the series points after `from_s`.
fn late_utilization(r: &Report, id: &str, from_s: f64) -> f64 {
    let i = r
        .series
        .node_ids
        .iter()
        .position(|n| n == id)
        .unwrap_or_else(|| panic!("{id} is in the series"));
    let pts: Vec<f64> = r
        .series
        .points
        .iter()
        .filter(|p| p.t_s > from_s)
        .map(|p| p.nodes[i].utilization)
        .collect();
    pts.iter().sum::<f64>() / pts.len() as f64
}

/// "the retries alone keep it saturated long after the spike … a retry budget … and the API recovers".
#[test]
fn retries_keep_the_api_down_after_the_spike_unless_a_budget_caps_them() {
    for r in reports("retry-storm") {
        let storm = late_utilization(&r, "api", 50.0);
        let calm = late_utilization(&r, "api2", 50.0);
        assert!(storm > 0.99, "seed {}: top API at {storm}", r.seed);
        assert!(calm < 0.85, "seed {}: bottom API at {calm}", r.seed);
        let plain = &r.edges["plain->api"];
        let budgeted = &r.edges["budgeted->api2"];
        assert!(plain.amplification > 3.0, "{plain:?}");
        assert!(budgeted.amplification < 1.2, "{budgeted:?}");
        assert!(budgeted.budget_refused > 0);
    }
}

/// "Without a breaker … the queue fills and the API turns requests away. With a breaker … fail at once …
/// close the breaker again once the database has recovered."
#[test]
fn a_breaker_keeps_the_api_free_while_its_database_hangs_and_closes_after() {
    for r in reports("circuit-breaker") {
        let (plain, guarded) = (node(&r, "api"), node(&r, "api2"));
        assert!(plain.dropped > 1000, "seed {}: {}", r.seed, plain.dropped);
        assert!(guarded.dropped < plain.dropped / 10, "{}", guarded.dropped);
        let e = &r.edges["api2-db2"];
        assert!(e.breaker_opens >= 1 && e.short_circuited > 1000, "{e:?}");
        assert_eq!(e.breaker_state.as_deref(), Some("closed"));
        // Eight workers, 500 ms each: about 16 timed-out calls a second for the 20 s outage.
        let t = r.edges["api-db"].timeouts;
        assert!((200..400).contains(&t), "{t}");
    }
}

/// "the report calls take all 16 workers, so search requests … are turned away … the search requests keep
/// being served".
#[test]
fn a_bulkhead_keeps_the_search_traffic_flowing_past_slow_reports() {
    for r in reports("bulkhead") {
        let shared = node(&r, "search").served;
        let walled = node(&r, "b-search").served;
        assert!(walled > 4 * shared, "seed {}: {walled} vs {shared}", r.seed);
        let api = node(&r, "b-api").service().expect("a bulkhead reports");
        assert!(api.bulkhead_rejected > 0);
        assert!(node(&r, "api").dropped > node(&r, "b-api").dropped);
    }
}

/// "charges again for every such retry (duplicate effects) … every payment is charged once".
#[test]
fn idempotency_keys_charge_each_payment_once() {
    for r in reports("idempotency") {
        let plain = node(&r, "pay").service().expect("side effects");
        let keyed = node(&r, "pay2").service().expect("side effects");
        assert!(plain.duplicate_effects > 10, "seed {}: {plain:?}", r.seed);
        assert_eq!(keyed.duplicate_effects, 0);
        assert!(
            keyed.deduplicated + keyed.in_progress_conflicts > 10,
            "{keyed:?}"
        );
    }
}

/// A client's own end-to-end counts.
fn client(r: &Report, id: &str) -> playground_core::report::Requests {
    node(r, id)
        .requests()
        .cloned()
        .unwrap_or_else(|| panic!("{id} reports its requests"))
}

/// "the users lose half of theirs with the scraper's … refuses only the scraper's excess … every user
/// request gets through".
#[test]
fn a_per_address_limit_refuses_the_scraper_and_a_global_one_the_users_too() {
    for r in reports("rate-limiting") {
        let users = client(&r, "users");
        let share = users.rate_limited() as f64 / users.sent as f64;
        assert!((0.35..0.65).contains(&share), "seed {}: {share}", r.seed);
        let users = client(&r, "k-users");
        assert_eq!(users.rate_limited(), 0);
        assert_eq!(users.completed(), users.sent);
        let scraper = client(&r, "k-scraper");
        let admitted_per_s = scraper.completed() as f64 / r.duration_s;
        assert!(
            (9.0..11.5).contains(&admitted_per_s),
            "scraper admitted {admitted_per_s}/s"
        );
        assert!(scraper.rate_limited() > 15_000);
    }
}
