//! The replicated key-value store and network partitions, against theory and against the guarantees that
//! hold whatever happens:
//!
//! - before propagation, a read of `R` of `N` replicas misses a write held by `W` of them with probability
//!   C(N−W, R) / C(N, R) (probabilistically bounded staleness);
//! - a read waiting for `R` replicas takes the `R`-th order statistic of their response times;
//! - with `R + W > N` a CP store never returns a stale read, and with `W > N/2` it never loses an
//!   acknowledged write, whatever the partitions (property tests over random schedules);
//! - a partition cuts exactly the links across its boundary and heals them; a CP store refuses exactly what
//!   its side cannot take, an AP store nothing.

use playground_core::components::KvReport;
use playground_core::{Report, Topology, run};
use playground_tests::assert_agrees;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Replications of each statistical check, seeds `SEED0..SEED0 + REPS` (see `assert_agrees`).
const REPS: u64 = 8;
const SEED0: u64 = 500;

fn kv(r: &Report, id: &str) -> KvReport {
    match &r.nodes[id].detail {
        Some(playground_core::components::NodeDetail::Kv(d)) => d.kv.clone(),
        other => panic!("{id} reports a kv block, not {other:?}"),
    }
}

fn build(t: Value) -> Report {
    run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid")
}

/// C(n, k).
fn choose(n: u64, k: u64) -> f64 {
    if k > n {
        return 0.0;
    }
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// Probabilistically bounded staleness, before propagation. One region whose links take 0 ms, so a replica's
/// response time is its service time alone (exponential, i.i.d.): a write's first `W` acknowledgements come
/// from a uniformly random `W` of the `N` replicas, and a read's first `R` answers from an independent uniform
/// `R`. The other replicas apply a write an hour later (`lag_ms`), i.e. never within the run, and nothing
/// repairs them. A read of a key whose newest acknowledged write is held by `W` replicas is stale exactly when
/// its `R` answers all come from the other `N − W`: probability C(N−W, R) / C(N, R). Reads racing a write of
/// their key (about 1 ms of every 1.25 s per key here, under 0.1 % of reads) can only be less stale, a bias
/// far below the tolerance: 4 standard errors of `REPS` replications of the stale share.
#[test]
fn a_read_of_r_misses_a_write_held_by_w_with_the_hypergeometric_probability() {
    for (n, r, w) in [(3u64, 1u64, 1u64), (5, 2, 2), (3, 2, 1)] {
        let p = choose(n - w, r) / choose(n, r);
        let shares: Vec<f64> = (SEED0..SEED0 + REPS)
            .map(|seed| {
                let rep = build(json!({
                    "settings": {"seed": seed, "duration_s": 20, "warmup_s": 2, "series_interval_s": 0,
                                 "trace_capacity": 0, "link": {"latency": {"type": "constant", "ms": 0}}},
                    "nodes": [
                        {"id": "users", "kind": "client",
                         "params": {"rate": 500, "read_fraction": 0.8, "keys": {"type": "uniform", "count": 100}}},
                        {"id": "kv", "kind": "kv_store",
                         "params": {"store_nodes": n, "replication": n, "r": r, "w": w, "lag_ms": 3_600_000,
                                    "read_repair": false, "hinted_handoff": false}}
                    ],
                    "edges": [{"from": "users", "to": "kv"}]
                }));
                let k = kv(&rep, "kv");
                assert!(k.reads_after_write > 6000, "{k:?}");
                k.stale_reads as f64 / k.reads_after_write as f64
            })
            .collect();
        assert_agrees(&format!("stale share, N={n} R={r} W={w}"), &shares, p, 0.0);
    }
}

/// P(X ≤ t) for a replica answering after the constant `c` plus an exponential service time of mean `mu`.
fn cdf(t: f64, c: f64, mu: f64) -> f64 {
    if t < c {
        0.0
    } else {
        1.0 - (-(t - c) / mu).exp()
    }
}

/// E[X_(k)], the k-th smallest of independent replicas' response times `c_i + Exp(mu)`, by integrating
/// P(X_(k) > t) = P(fewer than k replicas have answered by t), a Poisson-binomial sum, over t (step 1 µs).
fn order_statistic_mean(k: usize, offsets: &[f64], mu: f64) -> f64 {
    let dt = 0.001;
    let end = offsets.iter().copied().fold(0.0, f64::max) + 40.0 * mu;
    let mut t = 0.0;
    let mut sum = 0.0;
    while t < end {
        // The distribution of how many have answered by t.
        let mut count = vec![1.0];
        for &c in offsets {
            let p = cdf(t + dt / 2.0, c, mu);
            let mut next = vec![0.0; count.len() + 1];
            for (j, q) in count.iter().enumerate() {
                next[j] += q * (1.0 - p);
                next[j + 1] += q * p;
            }
            count = next;
        }
        sum += count[..k].iter().sum::<f64>() * dt;
        t += dt;
    }
    sum
}

/// A read at consistency level ONE, QUORUM or ALL answers when the R-th fastest replica has. Three store
/// nodes in three regions whose links take 10 ms each way; the caller sits in the first, so the replicas
/// answer after 0, 20 and 20 ms plus an exponential service time of mean 5 ms. The store's mean read latency
/// must be E[X_(R)] of those, computed by numerical integration (ONE ≈ 4.9 ms, QUORUM ≈ 22.5, ALL ≈ 27.5), within
/// 4 standard errors of `REPS` replications.
#[test]
fn a_read_waits_for_the_r_th_order_statistic_of_the_replicas() {
    for (level, k) in [("one", 1), ("quorum", 2), ("all", 3)] {
        let theory = order_statistic_mean(k, &[0.0, 20.0, 20.0], 5.0);
        let means: Vec<f64> = (SEED0..SEED0 + REPS)
            .map(|seed| {
                let rep = build(json!({
                    "settings": {"seed": seed, "duration_s": 10, "series_interval_s": 0, "trace_capacity": 0,
                                 "inter_region_link": {"latency": {"type": "constant", "ms": 10}}},
                    "nodes": [
                        {"id": "users", "kind": "client", "region": "a",
                         "params": {"rate": 300, "read_fraction": 1, "keys": {"type": "uniform", "count": 50}}},
                        {"id": "kv", "kind": "kv_store", "region": "a",
                         "params": {"regions": "a, b, c", "read_consistency": level,
                                    "service_time": {"type": "exponential", "mean_ms": 5}}}
                    ],
                    "edges": [{"from": "users", "to": "kv"}]
                }));
                let k = kv(&rep, "kv");
                assert!(k.reads > 2500, "{k:?}");
                k.read_ms.mean
            })
            .collect();
        assert_agrees(&format!("{level} read latency [ms]"), &means, theory, 0.0);
    }
    // The integration itself: one replica is its own distribution's mean, the max of two i.i.d.
    // exponentials 1.5 means.
    assert!((order_statistic_mean(1, &[3.0], 2.0) - 5.0).abs() < 1e-3);
    assert!((order_statistic_mean(2, &[0.0, 0.0], 2.0) - 3.0).abs() < 1e-3);
}

/// A store in regions a, b and c; a client per region; the given partitions.
fn three_regions(kv_params: Value, faults: Value, seed: u64, duration_s: f64) -> Topology {
    let client = |id: &str, region: &str| {
        json!({"id": id, "kind": "client", "region": region,
               "params": {"rate": 200, "read_fraction": 0.5, "keys": {"type": "uniform", "count": 20}}})
    };
    let mut kv_node = json!({"id": "kv", "kind": "kv_store", "region": "a", "params": kv_params});
    if kv_node["params"].get("regions").is_none() {
        kv_node["params"]["regions"] = json!("a, b, c");
    }
    let t = json!({
        "settings": {"seed": seed, "duration_s": duration_s, "series_interval_s": 0, "trace_capacity": 0,
                     "inter_region_link": {"latency": {"type": "constant", "ms": 5}}},
        "nodes": [client("ca", "a"), client("cb", "b"), client("cc", "c"), kv_node],
        "edges": [{"from": "ca", "to": "kv"}, {"from": "cb", "to": "kv"}, {"from": "cc", "to": "kv"}],
        "faults": faults
    });
    Topology::from_json(&t.to_string()).expect("parses")
}

/// A partition of region c from 1 s to 3 s of a 4 s run.
fn region_c_partition() -> Value {
    json!([
        {"at_s": 1, "action": {"type": "partition", "name": "p", "region": "c"}},
        {"at_s": 3, "action": {"type": "heal_partition", "name": "p"}}
    ])
}

/// Under QUORUM (2 of 3, one replica per region), region c alone cannot reach a quorum: the CP store refuses
/// every operation that arrives there during the partition and nothing anywhere else, so its refusals (with
/// the few operations caught in flight by the partition) are exactly the failures of c's client, and the
/// other two sides stay fully available. The AP store refuses
/// nothing, and the two sides' writes to the same 20 keys conflict when they meet.
#[test]
fn cp_refuses_exactly_what_its_side_cannot_reach_and_ap_nothing() {
    let cp = run(&three_regions(
        json!({"mode": "cp", "lag_ms": 0}),
        region_c_partition(),
        3,
        4.0,
    ))
    .expect("valid");
    let k = kv(&cp, "kv");
    let cc = cp.nodes["cc"].requests().expect("client counts");
    // c's failures: its refusals, and the few operations in flight when the partition began (they time out).
    let timed_out = k.failed_reads + k.failed_writes;
    assert_eq!(
        k.refused_reads + k.refused_writes + timed_out,
        cc.failed(),
        "{k:?}"
    );
    assert!(timed_out <= 5, "{k:?}");
    assert!(k.inside.reads + k.inside.writes > 300, "{k:?}");
    assert_eq!((k.inside.reads_ok, k.inside.writes_ok), (0, 0));
    assert_eq!(
        k.inside.reads + k.inside.writes,
        k.refused_reads + k.refused_writes
    );
    assert_eq!(k.outside.share(), 1.0, "{k:?}");
    assert!((k.split_s - 2.0).abs() < 1e-9);
    assert_eq!((k.conflicts, k.lost_updates, k.stale_reads), (0, 0, 0));
    for c in ["ca", "cb"] {
        assert_eq!(cp.nodes[c].requests().expect("counts").failed(), 0, "{c}");
    }

    let ap = run(&three_regions(
        json!({"mode": "ap", "lag_ms": 0}),
        region_c_partition(),
        3,
        4.0,
    ))
    .expect("valid");
    let k = kv(&ap, "kv");
    assert_eq!(k.refused_reads + k.refused_writes, 0);
    assert_eq!(k.inside.share(), 1.0);
    assert!(k.conflicts > 10 && k.lost_updates > 5, "{k:?}");
    assert!(k.stale_reads > 10, "{k:?}");
    // Only operations caught in flight by the partition's start fail (their coordinator times out).
    assert_eq!(ap.requests.failed(), k.failed_reads + k.failed_writes);
    assert!(ap.requests.failed() <= 5, "{k:?}");
}

/// A partition cuts the links across its boundary and no others, for as long as it is in force. Two clients
/// send 100 requests a second each (constant spacing, the first at 10 ms: 299 in 3 s), one to a server beside
/// it and one to
/// a server in eu-west (every link 0.5 ms, so nothing is on a link at 1 s or 2 s); partitioning eu-west from
/// 1 s to 2 s fails exactly the 100 requests the second sends in [1, 2) — a fault goes before the other events
/// of its instant — and nothing else.
#[test]
fn a_partition_cuts_the_links_across_its_boundary_until_it_heals() {
    let diagram = |boundary: Value| {
        let mut action = json!({"type": "partition", "name": "eu"});
        for (k, v) in boundary.as_object().expect("an object") {
            action[k] = v.clone();
        }
        json!({
            "settings": {"seed": 1, "duration_s": 3, "series_interval_s": 0, "trace_capacity": 0,
                         "inter_region_link": {"latency": {"type": "constant", "ms": 0.5}}},
            "nodes": [
                {"id": "c1", "kind": "client", "params": {"rate": 100, "arrival": {"type": "constant"}}},
                {"id": "c2", "kind": "client", "params": {"rate": 100, "arrival": {"type": "constant"}}},
                {"id": "near", "kind": "server", "params": {"service_time": {"type": "constant", "ms": 1}}},
                {"id": "far", "kind": "server", "region": "eu-west",
                 "params": {"service_time": {"type": "constant", "ms": 1}}}
            ],
            "edges": [{"from": "c1", "to": "near"}, {"from": "c2", "to": "far"}],
            "faults": [
                {"at_s": 1, "action": action},
                {"at_s": 2, "action": {"type": "heal_partition", "name": "eu"}}
            ]
        })
    };
    let r = build(diagram(json!({"region": "eu-west"})));
    assert_eq!(r.requests.sent, 598);
    assert_eq!(r.nodes["near"].served, 299);
    assert_eq!(
        r.nodes["far"].served, 199,
        "far served outside the partition only"
    );
    assert_eq!(r.nodes["c2"].requests().expect("counts").failed(), 100);
    assert_eq!(r.requests.failed(), 100);
    // Naming the server instead of its region cuts the same link; naming both ends cuts nothing.
    assert_eq!(
        build(diagram(json!({"nodes": ["far"]}))).digest(),
        r.digest()
    );
    let both = build(diagram(json!({"nodes": ["far", "c2"]})));
    assert_eq!(both.requests.failed(), 0);
}

/// A random partition schedule: each partition in force from one time to a later one (or to the end),
/// around a region or a set of the diagram's nodes.
fn schedule() -> impl Strategy<Value = Value> {
    let boundary = prop_oneof![
        prop::sample::select(vec!["a", "b", "c"]).prop_map(|r| json!({"region": r})),
        prop::sample::subsequence(vec!["ca", "cb", "cc", "kv"], 1..=3)
            .prop_map(|nodes| json!({"nodes": nodes})),
    ];
    prop::collection::vec((0.0..2.5f64, 0.1..2.0f64, boundary, any::<bool>()), 0..4).prop_map(
        |parts| {
            let mut faults = Vec::new();
            for (i, (at, len, b, heals)) in parts.into_iter().enumerate() {
                let name = format!("p{i}");
                let mut action = json!({"type": "partition", "name": name});
                for (k, v) in b.as_object().expect("an object") {
                    action[k] = v.clone();
                }
                faults.push(json!({"at_s": at, "action": action}));
                if heals {
                    faults.push(json!({"at_s": at + len, "action": {"type": "heal_partition", "name": name}}));
                }
            }
            Value::Array(faults)
        },
    )
}

/// Store shapes: nodes M, replication N ≤ M, R and W, lag, handoff, repair and conflict handling.
fn store(cp: bool) -> impl Strategy<Value = (Value, u32, u32, u32)> {
    (3u32..=6, 1u32..=5, 0.0..40.0f64, any::<bool>(), any::<bool>(), any::<bool>())
        .prop_flat_map(move |(m, n, lag, hinted, repair, siblings)| {
            let n = n.min(m);
            (1..=n, 1..=n).prop_map(move |(r, w)| {
                let params = json!({
                    "store_nodes": m, "replication": n, "r": r, "w": w, "lag_ms": lag, "mode": if cp { "cp" } else { "ap" },
                    "hinted_handoff": hinted, "read_repair": repair,
                    "conflicts": if siblings { "siblings" } else { "lww" }, "timeout_ms": 500
                });
                (params, n, r, w)
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        // The same cases on every run, so CI never meets a new one by chance (random seeds found no
        // counter-example in 1 935 and 2 950 accepted cases of the two properties).
        rng_seed: proptest::test_runner::RngSeed::Fixed(17),
        .. ProptestConfig::default()
    })]

    /// With R + W > N a CP store never returns a stale read: any R replicas it can reach include one of the W
    /// that acknowledged the newest write, whatever partitions come and go.
    #[test]
    fn cp_with_overlapping_quorums_never_reads_stale((params, n, r, w) in store(true), faults in schedule(), seed in 0u64..1000) {
        prop_assume!(r + w > n);
        let rep = run(&three_regions(params, faults, seed, 3.0)).expect("valid");
        let k = kv(&rep, "kv");
        // A schedule that cuts the whole store off from its clients leaves nothing to check.
        prop_assume!(k.reads_after_write > 0);
        prop_assert_eq!(k.stale_reads, 0, "{:?}", k);
    }

    /// With W > N/2 a CP store never takes writes on two sides of a partition at once, so no two writes
    /// conflict and no acknowledged write is ever discarded.
    #[test]
    fn cp_with_majority_writes_never_loses_an_acknowledged_write((params, n, _r, w) in store(true), faults in schedule(), seed in 0u64..1000) {
        prop_assume!(2 * w > n);
        let rep = run(&three_regions(params, faults, seed, 3.0)).expect("valid");
        let k = kv(&rep, "kv");
        // A schedule that cuts the whole store off from its clients leaves nothing to check.
        prop_assume!(k.writes > 0);
        prop_assert_eq!((k.conflicts, k.lost_updates), (0, 0), "{:?}", k);
    }
}

/// The property tests' guarantees are CP's: the same schedules with an AP store do read stale data and lose
/// acknowledged writes (so the checks above can fail).
#[test]
fn ap_under_the_same_kind_of_schedule_reads_stale_and_loses_writes() {
    let rep = run(&three_regions(
        json!({"mode": "ap", "r": 2, "w": 2}),
        region_c_partition(),
        9,
        4.0,
    ))
    .expect("valid");
    let k = kv(&rep, "kv");
    assert!(k.stale_reads > 0 && k.lost_updates > 0, "{k:?}");
}
