//! Caches against theory, and the cache patterns' mechanisms through the engine.
//!
//! Hit ratios under the independent reference model (each request's key drawn independently from a Zipf
//! law): LRU against Che's approximation, FIFO and random replacement against each other and their
//! approximation (Gelenbe: both have the same hit ratio under IRM), LFU against the static top-C optimum, and
//! a TTL-only cache against the renewal result λT/(1 + λT). Each check runs `REPS` independent replications
//! of 20 000 measured reads (after 10 000 warm-up reads, several times what it takes to fill the largest
//! cache below) and uses `assert_agrees`: 4 standard errors of the replication mean plus a stated floor for
//! the approximation's own error. A single replication's hit ratio has a binomial standard error of at most
//! √(0.25/20 000) ≈ 0.0035, inflated somewhat by the correlation between successive hits; the mean of 6 has
//! about 0.0015–0.002, so the 4-standard-error band is ±0.006–0.008 absolute, tight enough to tell the policies
//! apart (LRU and FIFO differ by 0.02–0.05 here).

use playground_core::fixtures::read_cache;
use playground_core::report::CacheReport;
use playground_core::{Report, Topology, run};
use playground_tests::{assert_agrees, mean_se};
use serde_json::json;

const REPS: u64 = 6;
/// 10 000 reads/s for 3 s with a 1 s warm-up: 20 000 measured reads per replication.
const RATE: f64 = 10_000.0;
const DURATION_S: f64 = 3.0;

/// The four workloads: two catalogue sizes, two Zipf exponents, capacity a tenth or twentieth of the keys.
const CASES: [(u64, f64, u32); 4] = [
    (1_000, 0.8, 100),
    (1_000, 1.2, 100),
    (10_000, 0.8, 500),
    (10_000, 1.2, 500),
];

fn cache_of(r: &Report) -> CacheReport {
    r.nodes
        .get("cache")
        .and_then(|n| n.cache().cloned())
        .expect("the cache node reports cache statistics")
}

fn hit_ratios(make: impl Fn(u64) -> Topology) -> Vec<f64> {
    (0..REPS)
        .map(|i| {
            let r = run(&make(2000 + i)).expect("fixture topologies are valid");
            cache_of(&r).hit_ratio
        })
        .collect()
}

pub(crate) fn zipf_probs(n: u64, s: f64) -> Vec<f64> {
    let w: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-s)).collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}

/// Solves `f(t) = c` for increasing `f` by bisection over t ∈ (0, 1e12).
fn solve(f: impl Fn(f64) -> f64, c: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 1e12);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < c {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Che's approximation for LRU: the characteristic time T solves Σ(1 − e^(−p_i T)) = C, and the hit ratio is
/// Σ p_i (1 − e^(−p_i T)).
pub(crate) fn che_lru(p: &[f64], c: u32) -> f64 {
    let t = solve(
        |t| p.iter().map(|pi| 1.0 - (-pi * t).exp()).sum(),
        f64::from(c),
    );
    p.iter().map(|pi| pi * (1.0 - (-pi * t).exp())).sum()
}

/// The FIFO / random approximation (Gelenbe; Martina et al. 2014): an entry stays for an exponential time
/// with mean T, so key i is cached with probability p_i T/(1 + p_i T); T solves Σ p_i T/(1 + p_i T) = C.
fn fifo_random(p: &[f64], c: u32) -> f64 {
    let t = solve(
        |t| p.iter().map(|pi| pi * t / (1.0 + pi * t)).sum(),
        f64::from(c),
    );
    p.iter().map(|pi| pi * pi * t / (1.0 + pi * t)).sum()
}

/// The static optimum: the C most popular keys always cached.
fn top_c(p: &[f64], c: u32) -> f64 {
    p.iter().take(c as usize).sum()
}

fn policy(n: u64, s: f64, c: u32, eviction: &str) -> impl Fn(u64) -> Topology {
    move |seed| {
        read_cache(
            json!({"type": "zipf", "count": n, "s": s}),
            json!({"capacity": c, "eviction": eviction, "ttl_ms": null}),
            RATE,
            DURATION_S,
            seed,
        )
    }
}

#[test]
fn lru_hit_ratio_matches_ches_approximation() {
    for (n, s, c) in CASES {
        let theory = che_lru(&zipf_probs(n, s), c);
        // Che's approximation is within about 1 % (relative) of exact LRU at these capacities (Fricker,
        // Robert and Roberts 2012): that is the floor.
        assert_agrees(
            &format!("LRU hit ratio, {n} keys, s = {s}, C = {c}"),
            &hit_ratios(policy(n, s, c, "lru")),
            theory,
            0.01,
        );
    }
}

#[test]
fn fifo_and_random_agree_with_each_other_and_their_approximation() {
    for (n, s, c) in CASES {
        let p = zipf_probs(n, s);
        let theory = fifo_random(&p, c);
        let fifo = hit_ratios(policy(n, s, c, "fifo"));
        let random = hit_ratios(policy(n, s, c, "random"));
        let what = format!("{n} keys, s = {s}, C = {c}");
        assert_agrees(&format!("FIFO hit ratio, {what}"), &fifo, theory, 0.01);
        assert_agrees(&format!("random hit ratio, {what}"), &random, theory, 0.01);
        // With each other: the difference of two independent means, within 4 of its standard errors.
        let ((mf, sf), (mr, sr)) = (mean_se(&fifo), mean_se(&random));
        let tol = 4.0 * (sf * sf + sr * sr).sqrt() + 0.005;
        assert!(
            (mf - mr).abs() <= tol,
            "FIFO {mf:.4} and random {mr:.4} differ by more than {tol:.4} ({what})"
        );
        // And both below LRU's, as theory has it for Zipf popularity.
        assert!(
            theory < che_lru(&p, c),
            "FIFO/random approximation {theory} is not below LRU's ({what})"
        );
    }
}

#[test]
fn lfu_approaches_the_static_top_c_optimum() {
    for (n, s, c) in CASES {
        let p = zipf_probs(n, s);
        let optimum = top_c(&p, c);
        let lfu = hit_ratios(policy(n, s, c, "lfu"));
        // LFU counts every request since the start, so after 10 000 warm-up reads it holds the keys the counts
        // rank highest. Keys near rank C have close popularities and few requests each, so some are ranked
        // wrongly; each mistake swaps a key for one of nearly equal probability, which costs little. The floor
        // allows 3 % (relative) for that; LRU, for comparison, is 10–25 % below the optimum here.
        assert_agrees(
            &format!("LFU hit ratio, {n} keys, s = {s}, C = {c}"),
            &lfu,
            optimum,
            0.03,
        );
        let (m, _) = mean_se(&lfu);
        assert!(
            m > che_lru(&p, c),
            "LFU {m} should beat LRU under independent requests ({n} keys, s = {s})"
        );
    }
}

#[test]
fn ttl_only_cache_matches_lambda_t_over_one_plus_lambda_t() {
    // 1000 keys chosen uniformly from a Poisson stream of 10 000/s: each key's requests are Poisson with
    // λ = 10/s. A miss stores the key for T; the requests in the next T hit (λT of them on average), the
    // first after it misses: a renewal cycle with one miss and λT hits.
    for ttl_ms in [100.0, 300.0] {
        let lt = 10.0 * ttl_ms / 1e3;
        let theory = lt / (1.0 + lt);
        let ratios = hit_ratios(|seed| {
            read_cache(
                json!({"type": "uniform", "count": 1000}),
                json!({"capacity": null, "ttl_ms": ttl_ms}),
                RATE,
                DURATION_S,
                seed,
            )
        });
        // The result is exact for a stationary stream; the warm-up (1 s) is over three TTLs, so the floor is
        // only 0.5 %.
        assert_agrees(
            &format!("TTL-only hit ratio, T = {ttl_ms} ms"),
            &ratios,
            theory,
            0.005,
        );
    }
}

/// Client → cache → database with zero-latency links; `cache` and `client` are extra parameters.
fn with_database(
    client: serde_json::Value,
    cache: serde_json::Value,
    db_ms: f64,
    duration_s: f64,
    faults: serde_json::Value,
) -> Topology {
    let mut c = json!({
        "rate": 1000, "timeout_ms": 1e6,
        "keys": {"type": "zipf", "count": 1000, "s": 1.0}
    });
    let mut k = json!({});
    for (dst, src) in [(&mut c, client), (&mut k, cache)] {
        if let (Some(d), serde_json::Value::Object(s)) = (dst.as_object_mut(), src) {
            d.extend(s);
        }
    }
    let t = json!({
        "settings": {
            "seed": 7, "duration_s": duration_s, "warmup_s": 0, "series_interval_s": 0,
            "trace_capacity": 0, "link": {"latency": {"type": "constant", "ms": 0}}
        },
        "nodes": [
            {"id": "c", "kind": "client", "params": c},
            {"id": "cache", "kind": "cache", "params": k},
            {"id": "db", "kind": "database", "params": {
                "workers": 1000, "service_time": {"type": "constant", "ms": db_ms}
            }}
        ],
        "edges": [{"from": "c", "to": "cache"}, {"from": "cache", "to": "db"}],
        "faults": faults
    });
    Topology::from_json(&t.to_string()).expect("the test topology parses")
}

fn db_arrivals(r: &Report) -> u64 {
    r.nodes.get("db").map_or(0, |n| n.arrivals)
}

#[test]
fn a_hot_key_expiring_stampedes_the_database_unless_misses_coalesce() {
    // One key read 1000 times a second, a 100 ms TTL and a 50 ms database read: every expiry lets about 50
    // requests miss before the first read returns. Coalesced, each expiry costs one database read.
    let client = json!({"keys": {"type": "uniform", "count": 1}, "read_fraction": 1.0});
    let run_with = |coalesce: bool| {
        run(&with_database(
            client.clone(),
            json!({"ttl_ms": 100, "coalesce": coalesce, "pattern": "read_through"}),
            50.0,
            10.0,
            json!([]),
        ))
        .expect("valid")
    };
    let (stampede, coalesced) = (run_with(false), run_with(true));
    // A cycle is a 100 ms life plus a 50 ms reload (plus the 0.2 ms miss time): about 66 in 10 s.
    let cycles = 10.0 / 0.1502;
    let reads = db_arrivals(&coalesced) as f64;
    assert!(
        (reads - cycles).abs() <= 3.0,
        "coalesced: {reads} database reads for {cycles:.1} expiries"
    );
    assert!(
        db_arrivals(&stampede) as f64 > 30.0 * reads,
        "without coalescing each expiry sends ~50 reads: {} vs {reads}",
        db_arrivals(&stampede)
    );
    let c = cache_of(&coalesced);
    assert_eq!(c.misses, c.coalesced + db_arrivals(&coalesced));
}

#[test]
fn write_behind_acknowledges_fast_and_a_crash_loses_the_unflushed_writes() {
    // All writes, 1000/s, flushed every second; the cache crashes at 2.5 s, half a second after a flush.
    let r = run(&with_database(
        json!({"read_fraction": 0.0}),
        json!({"pattern": "write_behind", "flush_interval_ms": 1000}),
        5.0,
        4.0,
        json!([{"at_s": 2.5, "action": {"type": "kill", "node": "cache"}}]),
    ))
    .expect("valid");
    let c = cache_of(&r);
    // ~500 writes acknowledged in (2.0, 2.5]; Poisson, so within ±4√500 ≈ ±90.
    assert!(
        (410..=590).contains(&c.lost_writes),
        "lost writes: {}",
        c.lost_writes
    );
    // Acknowledged at hit time (0.2 ms), never waiting for the 5 ms database.
    assert!(
        r.latency_ms.p99 < 1.0,
        "write-behind p99 {} ms",
        r.latency_ms.p99
    );
    // The flushes before the crash wrote each dirty key once: fewer database writes than acknowledged ones.
    assert!(
        db_arrivals(&r) < 2000,
        "database writes {}",
        db_arrivals(&r)
    );
}

/// The mixed load of the stale-read checks: 1000 req/s, 80 % reads, Zipf keys (s = 1) over 100 keys, a 20 ms
/// database; `pattern` is the cache's, `link` the one-way latency of every link.
fn mixed_load(pattern: &str, link: serde_json::Value, seed: u64) -> Report {
    let mut t = with_database(
        json!({"read_fraction": 0.8, "keys": {"type": "zipf", "count": 100, "s": 1.0}}),
        json!({"pattern": pattern}),
        20.0,
        10.0,
        json!([]),
    );
    t.settings.seed = seed;
    t.settings.link.latency = serde_json::from_value(link).expect("a latency distribution");
    run(&t).expect("valid")
}

/// A hit is stale when its key's database has committed a write the cached value does not have. A database
/// stamps a value with the key's count of committed writes when it answers, and with constant links
/// responses arrive in the order they were sent, so the cache learns of a write (cache-aside deletes the key,
/// write-through stores the new value) one link latency L after the database committed it. A hit is stale
/// when a write to its key commits in the window from the link latency before its lookup to the end of its
/// own `hit_time` (0.2 ms): reads and commits are independent Poisson streams, so by PASTA key k's hits are
/// stale with probability 1 − e^(−w_k (L + 0.2 ms)), w_k = W p_k its write rate (W = 200 writes/s). That
/// holds per hit for either pattern; write-through holds every key (99 % hits), so its hits spread over the
/// keys as the reads do and E[stale] = hits × Σ p_k (1 − e^(−W p_k (L + 0.2 ms))). Stale hits are rare (20
/// to 200 a run), so 16 replications per latency are compared within 4 standard errors.
#[test]
fn stale_hits_are_the_hits_inside_a_writes_invalidation_window() {
    let p = zipf_probs(100, 1.0);
    for link_ms in [0.0, 2.0] {
        let window_s = (link_ms + 0.2) / 1e3;
        let per_hit: f64 = p
            .iter()
            .map(|pk| pk * (1.0 - (-200.0 * pk * window_s).exp()))
            .sum();
        let excess: Vec<f64> = (0..16)
            .map(|i| {
                let link = json!({"type": "constant", "ms": link_ms});
                let c = cache_of(&mixed_load("write_through", link, 40 + i));
                assert!(c.hit_ratio > 0.98, "{c:?}");
                let expected = c.hits as f64 * per_hit;
                (c.stale_reads as f64 - expected) / expected
            })
            .collect();
        let (m, se) = mean_se(&excess);
        assert!(
            m.abs() <= 4.0 * se,
            "L = {link_ms} ms: stale hits relative to the prediction {m:+.3} ± {se:.3} (se); runs {excess:?}"
        );
    }
    // Without writes nothing can be stale, whatever the pattern.
    for pattern in ["cache_aside", "write_through"] {
        let reads_only = run(&with_database(
            json!({"read_fraction": 1.0}),
            json!({"pattern": pattern}),
            20.0,
            10.0,
            json!([]),
        ))
        .expect("valid");
        assert_eq!(cache_of(&reads_only).stale_reads, 0, "{pattern}");
    }
}

#[test]
fn refresh_ahead_keeps_a_hot_key_from_expiring() {
    let client = json!({"keys": {"type": "uniform", "count": 1}, "read_fraction": 1.0});
    let run_with = |refresh: serde_json::Value| {
        run(&with_database(
            client.clone(),
            json!({"ttl_ms": 100, "refresh_ahead": refresh, "pattern": "read_through"}),
            5.0,
            5.0,
            json!([]),
        ))
        .expect("valid")
    };
    let (plain, ahead) = (
        cache_of(&run_with(json!(null))),
        cache_of(&run_with(json!(0.3))),
    );
    // Plain: one expiry per ~105 ms cycle, each followed by ~5 misses while the key reloads. Ahead: only the
    // reads of the first 5 ms (before the first load returns) miss, and nothing ever expires.
    assert!(plain.expirations > 40 && plain.misses > 200, "{plain:?}");
    assert_eq!(ahead.expirations, 0, "{ahead:?}");
    assert!(ahead.misses < 25, "{ahead:?}");
    assert!(ahead.refreshes > 40, "{ahead:?}");
}

#[test]
fn warming_preloads_the_hottest_keys() {
    let run_with = |warm: u32| {
        let t = read_cache(
            json!({"type": "zipf", "count": 10000, "s": 1.0}),
            json!({"capacity": 1000, "warm_keys": warm}),
            1000.0,
            1.2,
            1,
        );
        let mut t = t;
        t.settings.warmup_s = 0.0;
        cache_of(&run(&t).expect("valid"))
    };
    let (cold, warm) = (run_with(0), run_with(1000));
    // In the first 1.2 s (1200 reads) a cold cache misses every first touch; a warm one hits the top 1000
    // keys, which carry H(1000)/H(10000) ≈ 76 % of the requests.
    assert!(
        warm.hit_ratio > cold.hit_ratio + 0.2,
        "warm {warm:?} vs cold {cold:?}"
    );
    assert!(warm.hit_ratio > 0.7, "{warm:?}");
}
