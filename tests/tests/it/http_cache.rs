//! The browser's HTTP cache: fresh hits never leave the device, in the share λT / (1 + λT) that max-age T
//! predicts for Poisson reads at rate λ; a stale entry with an ETag is revalidated (a 304 when the data did
//! not change, a 200 when a write changed it); without the cache nothing changes. And the gallery scenario
//! "Browser cache: max-age and ETags": its claims on every seed of `scenarios::SEEDS` and its try-this changes.

use playground_core::components::client::HttpCacheReport;
use playground_core::{Report, Topology, run};
use playground_tests::assert_agrees;
use serde_json::{Value, json};

use crate::scenarios::{Claims, check_claims, variant};

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

fn cache_of(r: &Report, id: &str) -> HttpCacheReport {
    r.nodes[id]
        .http_cache()
        .cloned()
        .unwrap_or_else(|| panic!("{id} has a browser cache"))
}

/// "Three browsers each read 20 pages of a site, 20 reads a second, … while editors change a page 2 times a
/// second. … a fresh copy answers about 3 reads in 4 on the device (λT / (1 + λT) = 3/4) … over half of
/// the revalidations (2 in 3 on average) come back 304 … The site hears about 32 requests a second instead of the 62 it would
/// without the two caches."
///
/// Theory: each page is read at λ = 20/20 = 1/s and lives T = 3 s, so λT / (1 + λT) = 3/4 of the reads are
/// local (less the reads sent while an answer is on its way, λ × 42 ms per cycle ≈ 1 %). A stale page is read
/// again T + Exp(λ) after it was fetched; it is unchanged when none of the page's writes (μ = 2/20 = 0.1/s)
/// fell in between: e^(−μT) · λ / (λ + μ) = 0.741 × 0.909 = 0.674, checked within 4 binomial standard
/// errors √(p(1 − p)/n) of the n revalidations (about 280 a run: ±0.11), and "over half" strictly. The site gets the uncached
/// browser's 20/s, a quarter of each caching browser's 20/s and the editors' 2/s: 32/s (62/s without the
/// caches). "About" is within 10 % (`scenarios.rs`).
pub(crate) fn browser_cache(r: &Report, c: &mut Claims) {
    c.check(
        r.nodes["no-cache"].http_cache().is_none(),
        "the first browser keeps nothing",
        String::new(),
    );
    let max_age = cache_of(r, "max-age");
    c.about(
        "max-age: share answered on the device",
        max_age.local_share,
        0.75,
    );
    c.check(
        max_age.revalidations == 0 && max_age.misses > 0,
        "max-age without ETags fetches a stale page again",
        format!("{max_age:?}"),
    );
    let etag = cache_of(r, "etag");
    c.about("ETag: share answered on the device", etag.local_share, 0.75);
    let p = etag.not_modified as f64 / etag.revalidations as f64;
    c.over("ETag: 304s / revalidations", p, 0.5);
    let theory = (-0.1f64 * 3.0).exp() * 1.0 / 1.1;
    c.expected(
        "ETag: 304s / revalidations against e^(−μT) λ/(λ+μ)",
        p,
        theory,
        (theory * (1.0 - theory) / etag.revalidations as f64).sqrt(),
    );
    c.check(
        etag.not_modified < etag.revalidations,
        "the rest are 200s with the new page",
        format!("{etag:?}"),
    );
    let window = r.duration_s - r.warmup_s;
    c.about(
        "site: requests a second",
        r.nodes["site"].arrivals as f64 / window,
        32.0,
    );
}

#[test]
fn the_browser_cache_scenario_answers_three_reads_in_four_on_the_device() {
    check_claims("browser-cache", browser_cache);
}

/// The try-this items: max-age 9 s answers λT / (1 + λT) = 9/10 of the reads locally (within 10 %, as
/// "about"); without the editors' writes no page changes, so every revalidation is a 304.
#[test]
fn the_browser_cache_scenarios_changes_do_what_they_say() {
    for seed in [1, 2, 3] {
        let longer = variant(
            "browser-cache",
            seed,
            "max-age",
            "http_cache",
            json!({"max_age_s": 9, "etag": false}),
        );
        let share = cache_of(&longer, "max-age").local_share;
        assert!((share - 0.9).abs() <= 0.09, "seed {seed}: {share}");
        let quiet = variant("browser-cache", seed, "editors", "rate", json!(0));
        let h = cache_of(&quiet, "etag");
        assert!(h.revalidations > 100, "seed {seed}: {h:?}");
        assert_eq!(h.not_modified, h.revalidations, "seed {seed}: {h:?}");
    }
}

/// A 304 carries headers, not the body. Reads of one key exactly 500 ms apart with max-age 0.25 s: the first
/// is a miss, the 18 after it each find a stale entry and revalidate, and with no write every one is a 304. On
/// an idle 100 Mbit/s link of 5 ms with a server answering in 1 ms with 250 000-byte bodies, exactly
/// - a 200 takes 125 000 B × 8 ÷ 100 Mbit/s (10 ms) + 5 ms + 1 ms + 250 000 B × 8 ÷ 100 Mbit/s (20 ms) + 5 ms
///   = 41 ms, a 304 the same with 200 B of headers (0.016 ms) instead of the body: 21.016 ms;
/// - the responses carry 250 000 + 18 × 200 bytes, and the 304s saved 18 × (250 000 − 200) bytes.
///
/// Without ETags every read is a 200 and nothing is saved.
#[test]
fn a_304_carries_headers_only_and_saves_the_body_on_the_link() {
    use playground_core::components::client::http_cache::NOT_MODIFIED_BYTES;
    use playground_core::fixtures::{poisson_client, server};
    use playground_core::sim::send_ns;
    use playground_core::topology::Edge;
    use playground_core::{Dist, Topology};
    let topo = |etag: bool| {
        let mut t = Topology::default();
        t.settings.duration_s = 10.0;
        t.settings.link.latency = Dist::Constant { ms: 5.0 };
        t.nodes = vec![
            poisson_client("c", 2.0)
                .with("arrival", json!({"type": "constant"}))
                .with("read_fraction", json!(1))
                .with("keys", json!({"type": "uniform", "count": 1}))
                .with("size_bytes", json!(125_000))
                .with("http_cache", json!({"max_age_s": 0.25, "etag": etag})),
            server("s", 1, None, &Dist::Constant { ms: 1.0 })
                .with("response_bytes", json!(250_000)),
        ];
        let mut e = Edge::new("c", "s");
        e.bandwidth_mbps = Some(100.0);
        t.edges = vec![e];
        t
    };
    assert_eq!(NOT_MODIFIED_BYTES, 200);
    let r = run(&topo(true)).expect("valid");
    let h = r.nodes["c"].http_cache().cloned().expect("http cache");
    assert_eq!(
        (h.misses, h.revalidations, h.not_modified),
        (1, 18, 18),
        "{h:?}"
    );
    assert_eq!(h.bytes_saved, 18 * (250_000 - 200));
    let l = &r.network.as_ref().expect("network").links["c->s"];
    assert_eq!(l.responses.bytes, 250_000 + 18 * 200);
    assert_eq!(send_ns(200, 100.0), 16_000);
    let mean = (41.0 + 18.0 * 21.016) / 19.0;
    assert!(
        (r.latency_ms.mean - mean).abs() < 1e-9,
        "{:?} vs {mean}",
        r.latency_ms
    );
    let r = run(&topo(false)).expect("valid");
    let h = r.nodes["c"].http_cache().cloned().expect("http cache");
    assert_eq!(
        (h.misses, h.not_modified, h.bytes_saved),
        (19, 0, 0),
        "{h:?}"
    );
    assert_eq!(
        r.network.as_ref().expect("network").links["c->s"]
            .responses
            .bytes,
        19 * 250_000
    );
    assert_eq!(r.latency_ms.mean, 41.0);
}
