//! The database's buffer cache: an LRU of `pages` pages per instance over the keys the queries touch. Under
//! uniform keys over K keys its hit ratio is C/K; under Zipf keys it follows Che's approximation; every miss
//! adds the disk read to the query exactly; a restart empties it and the hit ratio climbs back as it warms;
//! a database without one reports nothing and runs as before.

use playground_core::components::database::BufferCacheReport;
use playground_core::{Report, Topology, run};
use playground_tests::assert_agrees;
use serde_json::{Value, json};

/// A client (Poisson reads at `rate` over `keys`) straight to a database of 64 connections answering in a
/// constant 1 ms, links without latency, with `buffer` as its `buffer_cache`; `faults` as given.
fn reads(
    rate: f64,
    keys: Value,
    buffer: Value,
    faults: Value,
    duration_s: f64,
    seed: u64,
) -> Report {
    let t = json!({
        "settings": {"seed": seed, "duration_s": duration_s, "warmup_s": duration_s * 0.25,
                     "series_interval_s": 0, "trace_capacity": 0,
                     "link": {"latency": {"type": "constant", "ms": 0}}},
        "nodes": [
            {"id": "c", "kind": "client", "params": {"rate": rate, "read_fraction": 1, "keys": keys}},
            {"id": "db", "kind": "database", "params": {"workers": 64,
                "service_time": {"type": "constant", "ms": 1}, "buffer_cache": buffer}}
        ],
        "edges": [{"from": "c", "to": "db"}],
        "faults": faults
    });
    run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid")
}

fn buffer(r: &Report) -> BufferCacheReport {
    r.nodes["db"]
        .database()
        .and_then(|d| d.buffer_cache.clone())
        .expect("the database reports its buffer cache")
}

/// Uniform keys over K = 1000 with C = 250 pages: once full, the LRU holds 250 distinct keys and the next
/// key is any of the 1000 alike, so the hit ratio is C/K = 0.25 (C = 600: 0.6). Eight seeds of 40 s at
/// 400 reads/s after a 10 s warm-up; tolerance 4 standard errors + 2 %. And each query takes exactly its
/// 1 ms plus the 5 ms disk read when it missed: mean latency = 1 + 5 × misses ÷ queries (to 10⁻⁹ ms).
#[test]
fn uniform_keys_hit_c_over_k_and_each_miss_pays_the_disk_read() {
    for (c, k) in [(250_u32, 1000_u64), (600, 1000)] {
        let ratios: Vec<f64> = (1..=8)
            .map(|seed| {
                let r = reads(
                    400.0,
                    json!({"type": "uniform", "count": k}),
                    json!({"pages": c, "disk_ms": 5}),
                    json!([]),
                    40.0,
                    seed,
                );
                let b = buffer(&r);
                let n = b.hits + b.misses;
                assert!(n > 10_000, "{b:?}");
                let expect = 1.0 + 5.0 * b.misses as f64 / n as f64;
                assert!(
                    (r.latency_ms.mean - expect).abs() < 1e-9,
                    "{} vs {expect}",
                    r.latency_ms.mean
                );
                b.hit_ratio
            })
            .collect();
        assert_agrees(
            &format!("LRU hit ratio, uniform over {k} keys, {c} pages: C/K"),
            &ratios,
            f64::from(c) / k as f64,
            0.02,
        );
    }
}

/// Che's approximation for an LRU of C pages under independent requests with key probabilities pᵢ: the
/// characteristic time T solves Σ (1 − e^(−pᵢT)) = C, and the hit ratio is Σ pᵢ (1 − e^(−pᵢT)).
fn che(p: &[f64], c: f64) -> f64 {
    let filled = |t: f64| p.iter().map(|&x| 1.0 - (-x * t).exp()).sum::<f64>();
    let (mut lo, mut hi) = (0.0, 1.0);
    while filled(hi) < c {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if filled(mid) < c {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    p.iter().map(|&x| x * (1.0 - (-x * lo).exp())).sum()
}

/// Zipf keys (s = 1 over 1000 keys, key k with weight 1/(k+1)) and 50 or 200 pages: the hit ratio agrees
/// with Che's approximation (0.54 and 0.77; known accurate to about 1 % here), tolerance 4 standard errors
/// + 3 %; and more pages never hit less.
#[test]
fn zipf_keys_follow_ches_approximation() {
    let k = 1000;
    let w: Vec<f64> = (0..k).map(|i| 1.0 / f64::from(i + 1)).collect();
    let total: f64 = w.iter().sum();
    let p: Vec<f64> = w.iter().map(|x| x / total).collect();
    let mut last = 0.0;
    for c in [50_u32, 200] {
        let theory = che(&p, f64::from(c));
        let ratios: Vec<f64> = (1..=8)
            .map(|seed| {
                let r = reads(
                    400.0,
                    json!({"type": "zipf", "count": k, "s": 1.0}),
                    json!({"pages": c}),
                    json!([]),
                    40.0,
                    seed,
                );
                buffer(&r).hit_ratio
            })
            .collect();
        assert_agrees(
            &format!("LRU hit ratio, Zipf s = 1 over {k} keys, {c} pages: Che"),
            &ratios,
            theory,
            0.03,
        );
        assert!(theory > last);
        last = theory;
    }
}

/// A restart empties memory. Uniform over 1000 keys, 500 pages, 200 reads/s; the database is killed at 30 s
/// and revived at 31 s. In the timeline (1 s buckets): the second before the kill hits about C/K = 0.5; the
/// second after the revive starts cold and hits well under half of that; ten seconds later it is back within
/// 0.1 of C/K. (Filling 500 pages takes about K ln(K/(K−C)) = 693 reads, 3.5 s at 200/s.)
#[test]
fn a_restart_starts_cold_and_the_hit_ratio_recovers_as_it_warms() {
    for seed in 1..=4 {
        let r = reads(
            200.0,
            json!({"type": "uniform", "count": 1000}),
            json!({"pages": 500}),
            json!([{"at_s": 30, "action": {"type": "kill", "node": "db"}},
                   {"at_s": 31, "action": {"type": "revive", "node": "db"}}]),
            60.0,
            seed,
        );
        let b = buffer(&r);
        assert_eq!(b.timeline_s, 1.0);
        let h = b.ratios();
        assert!((h[29] - 0.5).abs() < 0.12, "before the kill {h:?}");
        assert!(h[31] < 0.25, "just after the revive {h:?}");
        assert!((h[41] - 0.5).abs() < 0.12, "ten seconds later {h:?}");
        assert!(h[31] < h[33] && h[33] < h[41] + 0.1, "{h:?}");
    }
}

/// Without a buffer cache the database reports none; with 0 pages every query reads its page from disk.
#[test]
fn without_a_buffer_cache_nothing_is_reported() {
    let plain = reads(
        50.0,
        json!({"type": "uniform", "count": 10}),
        Value::Null,
        json!([]),
        5.0,
        1,
    );
    assert!(
        plain.nodes["db"]
            .database()
            .is_none_or(|d| d.buffer_cache.is_none())
    );
    let r = reads(
        50.0,
        json!({"type": "uniform", "count": 10}),
        json!({"pages": 0}),
        json!([]),
        5.0,
        1,
    );
    let b = buffer(&r);
    assert_eq!(
        (b.pages, b.hits),
        (0, 0),
        "no pages: every query reads from disk"
    );
    assert!(b.misses > 100);
}
