//! The browser's HTTP cache: fresh hits never leave the device, in the share λT / (1 + λT) that max-age T
//! predicts for Poisson reads at rate λ; a stale entry with an ETag is revalidated (a 304 when the data did
//! not change, a 200 when a write changed it); without the cache nothing changes.

use playground_core::components::client::HttpCacheReport;
use playground_core::{Report, Topology, run};
use playground_tests::assert_agrees;
use serde_json::{Value, json};

/// A client (`client`) calling a database (constant 1 ms per query), seeded; links 0.5 ms each way.
fn browse(client: Value, duration_s: f64, seed: u64) -> Report {
    let t = json!({
        "settings": {"seed": seed, "duration_s": duration_s, "series_interval_s": 0, "trace_capacity": 0},
        "nodes": [
            {"id": "browser", "kind": "client", "params": client},
            {"id": "db", "kind": "database", "params": {"service_time": {"type": "constant", "ms": 1}}}
        ],
        "edges": [{"from": "browser", "to": "db"}]
    });
    run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid")
}

fn http(r: &Report) -> HttpCacheReport {
    r.nodes["browser"]
        .http_cache()
        .cloned()
        .expect("the browser reports its HTTP cache")
}

/// One key, Poisson reads at λ, max-age T. Each read that finds no fresh entry goes out and opens a fresh
/// window of length T (its age counts from the send); the reads inside it are answered on the device. A
/// cycle is one read out plus, by the memoryless arrivals, λT reads inside on average, so the share served
/// locally is λT / (1 + λT): 2/3 at λ = 10/s, T = 0.2 s and 5/6 at T = 0.5 s. A read sent while the first
/// answer is still on its way (about 2 ms: two 0.5 ms links and 1 ms of service) also goes out, a bias of
/// at most λ × 2 ms = 2 % of the reads, taken as the tolerance's floor on top of 4 standard errors of 8
/// replications of 100 s.
#[test]
fn a_fresh_entry_answers_lambda_t_over_one_plus_lambda_t_of_the_reads() {
    let lambda = 10.0;
    for t in [0.2, 0.5] {
        let shares: Vec<f64> = (60..68)
            .map(|seed| {
                let r = browse(
                    json!({"rate": lambda, "read_fraction": 1, "keys": {"type": "uniform", "count": 1},
                           "http_cache": {"max_age_s": t}}),
                    100.0,
                    seed,
                );
                let h = http(&r);
                assert!(h.fresh_hits + h.misses + h.revalidations > 900, "{h:?}");
                // Nothing is written, so every revalidation is a 304.
                assert_eq!(h.not_modified, h.revalidations, "{h:?}");
                // The database sees only the reads that left the device.
                let served = r.nodes["db"].served;
                assert!(served.abs_diff(h.misses + h.revalidations) <= 2, "{served} {h:?}");
                h.local_share
            })
            .collect();
        let lt = lambda * t;
        assert_agrees(
            &format!("share served on the device at T = {t} s, λT/(1+λT)"),
            &shares,
            lt / (1.0 + lt),
            0.02,
        );
    }
}

/// Fresh hits take no time and no network: the end-to-end mean latency falls by the local share.
#[test]
fn fresh_hits_never_leave_the_device() {
    let c = json!({"rate": 10, "read_fraction": 1, "keys": {"type": "uniform", "count": 1}});
    let mut cached = c.clone();
    cached["http_cache"] = json!({"max_age_s": 0.5});
    let (a, b) = (browse(c, 30.0, 3), browse(cached, 30.0, 3));
    let h = http(&b);
    let ratio = b.latency_ms.mean / a.latency_ms.mean;
    assert!(
        (ratio - (1.0 - h.local_share)).abs() < 0.05,
        "{ratio} vs {}",
        1.0 - h.local_share
    );
    assert!(b.nodes["db"].arrivals < a.nodes["db"].arrivals / 3);
}

/// Writes change the key's version: a stale entry's revalidation is a 304 only when no write committed since
/// it was fetched, so with writes some revalidations fetch the body again; without ETags none are 304s.
#[test]
fn revalidation_is_a_304_only_while_the_data_is_unchanged() {
    let base = json!({"rate": 20, "read_fraction": 0.5, "keys": {"type": "uniform", "count": 1},
                      "http_cache": {"max_age_s": 0.1}});
    let h = http(&browse(base.clone(), 30.0, 5));
    assert!(h.revalidations > 50, "{h:?}");
    assert!(
        h.not_modified > 0 && h.not_modified < h.revalidations,
        "{h:?}"
    );
    let mut no_etag = base;
    no_etag["http_cache"]["etag"] = json!(false);
    let h = http(&browse(no_etag, 30.0, 5));
    assert_eq!((h.revalidations, h.not_modified), (0, 0), "{h:?}");
    assert!(h.misses > 50);
}

/// A client without the cache reports no block.
#[test]
fn without_an_http_cache_nothing_is_reported() {
    let r = browse(json!({"rate": 10}), 5.0, 1);
    assert!(r.nodes["browser"].requests().is_some());
    assert!(r.nodes["browser"].http_cache().is_none());
}
