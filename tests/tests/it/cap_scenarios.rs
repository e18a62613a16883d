//! The replicated store's gallery scenarios ("CAP: a partition between two regions, CP vs AP", "Tunable
//! consistency", "Read repair after a partition") and its "why" findings: every number their texts claim,
//! on every seed of [`SEEDS`], as `scenarios.rs` words its claims ("about x": within 10 %; "over", "under",
//! "at most", "within": the bound itself, strictly where the text says so). The try-this items are run too:
//! the change they propose, and the effect they promise.
//!
//! The findings are checked for the numbers they quote against the report they were written from (a
//! percentage recomputed from the counts, a count copied), so a finding that quotes the wrong figure fails.

use playground_core::components::KvReport;
use playground_core::explain::{Level, explain};
use playground_core::scenarios::by_name;
use playground_core::validate::{Severity, validate};
use playground_core::{Report, Topology, run};
use serde_json::{Value, json};

use crate::scenarios::{Claims, check_claims};

/// Seeds every claim is checked on.
const SEEDS: [u64; 3] = [1, 2, 3];

fn topology(name: &str) -> Topology {
    by_name(name)
        .unwrap_or_else(|| panic!("scenario {name}"))
        .topology()
}

fn run_with(mut t: Topology, seed: u64) -> Report {
    t.settings.seed = seed;
    t.settings.trace_capacity = 0;
    run(&t).expect("the scenario runs")
}

/// Scenario `name` on every seed, with `change` applied to its diagram first.
fn runs(name: &str, change: impl Fn(&mut Topology)) -> Vec<(Topology, Report)> {
    SEEDS
        .iter()
        .map(|&seed| {
            let mut t = topology(name);
            change(&mut t);
            let r = run_with(t.clone(), seed);
            (t, r)
        })
        .collect()
}

fn kv(r: &Report, id: &str) -> KvReport {
    r.nodes[id]
        .kv()
        .unwrap_or_else(|| panic!("{id} reports a kv block"))
        .clone()
}

/// Sets parameter `key` of node `id` to `v`.
fn set(t: &mut Topology, id: &str, key: &str, v: Value) {
    let n = t
        .nodes
        .iter_mut()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("node {id}"));
    n.params.insert(key.to_string(), v);
}

/// CAP: CP refuses everything arriving in eu-west during the split (about half its writes: 40–60 %) and
/// nothing in us-east; it never reads stale, conflicts or loses a write. AP refuses nothing, and at the heal
/// over 400 acknowledged writes are lost to last-writer-wins. Both back in step within 1.5 s of the heal.
pub(crate) fn cap_partition(r: &Report, c: &mut Claims) {
    let cp = kv(r, "kv-cp");
    c.about("CP split seconds", cp.split_s, 10.0);
    c.check(
        (cp.inside.reads_ok, cp.inside.writes_ok) == (0, 0),
        "CP answers nothing in eu-west",
        format!("{:?}", cp.inside),
    );
    c.over(
        "CP operations arriving in eu-west",
        (cp.inside.reads + cp.inside.writes) as f64,
        800.0,
    );
    c.at_least("CP availability in us-east", cp.outside.share(), 1.0);
    let half = cp.during().writes_failed();
    c.at_least("CP writes refused during the split", half, 0.4);
    c.at_most("CP writes refused during the split", half, 0.6);
    c.at_most(
        "CP stale reads, conflicts, lost updates",
        (cp.stale_reads + cp.conflicts + cp.lost_updates) as f64,
        0.0,
    );
    let ap = kv(r, "kv-ap");
    c.at_most(
        "AP refused",
        (ap.refused_reads + ap.refused_writes) as f64,
        0.0,
    );
    c.at_least("AP available during the split", ap.during().share(), 0.995);
    c.over("AP lost updates", ap.lost_updates as f64, 400.0);
    c.over(
        "AP conflicts over lost updates",
        ap.conflicts as f64,
        ap.lost_updates as f64,
    );
    for k in [&cp, &ap] {
        let ms = k.heals.first().and_then(|h| h.converge_ms);
        c.under(
            "converge after the heal [ms]",
            ms.unwrap_or(f64::INFINITY),
            1500.0,
        );
    }
}

#[test]
fn cap_cp_refuses_half_its_writes_and_ap_loses_over_400_at_the_heal() {
    check_claims("cap-partition", cap_partition);
}

/// CAP try-this: siblings keep the conflicts and lose nothing; W = 1 makes the CP store take writes on both
/// sides (no write refused) and validation warns on `w`.
#[test]
fn cap_siblings_lose_nothing_and_a_w_of_one_takes_writes_on_both_sides() {
    for (_, r) in runs("cap-partition", |t| {
        set(t, "kv-ap", "conflicts", json!("siblings"))
    }) {
        let ap = kv(&r, "kv-ap");
        assert!(ap.conflicts > 100, "seed {}: {ap:?}", r.seed);
        assert_eq!(ap.lost_updates, 0, "seed {}", r.seed);
    }
    for (t, r) in runs("cap-partition", |t| set(t, "kv-cp", "w", json!(1))) {
        let cp = kv(&r, "kv-cp");
        assert_eq!(cp.refused_writes, 0, "seed {}: {cp:?}", r.seed);
        assert!(cp.inside.writes_ok > 400, "seed {}", r.seed);
        assert!(validate(&t).iter().any(|d| d.severity == Severity::Warning
            && d.message.contains("kv-cp")
            && d.field.as_deref().is_some_and(|f| f.ends_with('w'))));
    }
}

/// Tunable consistency: a read's median at ONE under 1 ms, at QUORUM about 71 ms (the us-east ↔ eu-west
/// round trip, 70 ms, plus service), at ALL 180–220 ms; only ONE reads stale, 5–10 % of reads after a write.
pub(crate) fn tunable_consistency(r: &Report, c: &mut Claims) {
    let (one, quorum, all) = (kv(r, "kv-one"), kv(r, "kv-quorum"), kv(r, "kv-all"));
    c.check(
        (one.r, one.w, quorum.r, all.r) == (1, 1, 2, 3),
        "R and W of the levels",
        format!("{:?}", (one.r, one.w, quorum.r, all.r)),
    );
    c.under("ONE read p50 [ms]", one.read_ms.p50, 1.0);
    c.about("QUORUM read p50 [ms]", quorum.read_ms.p50, 71.0);
    c.at_least("ALL read p50 [ms]", all.read_ms.p50, 180.0);
    c.at_most("ALL read p50 [ms]", all.read_ms.p50, 220.0);
    let stale = one.stale_reads as f64 / one.reads_after_write as f64;
    c.at_least("ONE stale share", stale, 0.05);
    c.at_most("ONE stale share", stale, 0.10);
    c.at_most(
        "QUORUM and ALL stale reads",
        (quorum.stale_reads + all.stale_reads) as f64,
        0.0,
    );
}

#[test]
fn tunable_one_is_fast_and_stale_quorum_and_all_pay_the_round_trips() {
    check_claims("tunable-consistency", tunable_consistency);
}

/// Tunable try-this: ONE reads with ALL writes (R + W = 4 > 3) read nothing stale and stay under 1 ms; with
/// the far replica in us-west instead of ap-southeast, ALL's median read falls.
#[test]
fn tunable_all_writes_stop_stale_reads_and_a_nearer_replica_speeds_all() {
    let before: Vec<f64> = runs("tunable-consistency", |_| {})
        .iter()
        .map(|(_, r)| kv(r, "kv-all").read_ms.p50)
        .collect();
    for (_, r) in runs("tunable-consistency", |t| {
        set(t, "kv-one", "write_consistency", json!("all"))
    }) {
        let one = kv(&r, "kv-one");
        assert_eq!(one.stale_reads, 0, "seed {}", r.seed);
        assert!(one.reads_after_write > 1000);
        assert!(one.read_ms.p50 < 1.0, "seed {}: {:?}", r.seed, one.read_ms);
    }
    let moved = runs("tunable-consistency", |t| {
        set(t, "kv-all", "regions", json!("us-east, eu-west, us-west"))
    });
    for ((_, r), b) in moved.iter().zip(before) {
        let p50 = kv(r, "kv-all").read_ms.p50;
        assert!(p50 < b, "seed {}: {p50} against {b}", r.seed);
    }
}

/// Read repair: without repair over 30 keys still differ at the end; read repair leaves at most 30 (and fewer
/// than without); anti-entropy every 3 s converges within 1.5 s of the heal. Without anti-entropy neither
/// of the first two is back in step by the end.
pub(crate) fn read_repair(r: &Report, c: &mut Claims) {
    let (none, rr, ae) = (kv(r, "kv-none"), kv(r, "kv-rr"), kv(r, "kv-ae"));
    c.over("keys apart without repair", none.diverged_keys as f64, 30.0);
    c.at_most("keys apart with read repair", rr.diverged_keys as f64, 30.0);
    c.under(
        "read repair leaves fewer apart",
        rr.diverged_keys as f64,
        none.diverged_keys as f64,
    );
    c.check(
        none.read_repairs == 0 && rr.anti_entropy_repairs == 0 && rr.read_repairs > 0,
        "each store repairs only as configured",
        format!("{none:?} {rr:?}"),
    );
    for k in [&none, &rr] {
        c.check(
            k.heals.len() == 1 && k.heals[0].converge_ms.is_none(),
            "not back in step by the end",
            format!("{:?}", k.heals),
        );
    }
    let ms = ae.heals.first().and_then(|h| h.converge_ms);
    c.under(
        "anti-entropy converges [ms]",
        ms.unwrap_or(f64::INFINITY),
        1500.0,
    );
    c.at_most("keys apart with anti-entropy", ae.diverged_keys as f64, 0.0);
}

#[test]
fn read_repair_mends_what_is_read_and_anti_entropy_the_rest() {
    check_claims("read-repair", read_repair);
}

/// Read repair try-this: hinted handoff brings the store without repair back in step; with uniform keys every
/// key is read about as often, and read repair leaves fewer keys apart than with Zipf keys' cold tail.
#[test]
fn read_repair_handoff_converges_and_uniform_keys_leave_fewer_apart() {
    let zipf: Vec<u64> = runs("read-repair", |_| {})
        .iter()
        .map(|(_, r)| kv(r, "kv-rr").diverged_keys)
        .collect();
    let uniform = runs("read-repair", |t| {
        for id in ["users-us-rr", "users-eu-rr"] {
            set(t, id, "keys", json!({"type": "uniform", "count": 500}));
        }
        set(t, "kv-none", "hinted_handoff", json!(true));
    });
    for ((_, r), z) in uniform.iter().zip(zipf) {
        let rr = kv(r, "kv-rr");
        assert!(
            rr.diverged_keys < z,
            "seed {}: {} vs {z}",
            r.seed,
            rr.diverged_keys
        );
        let none = kv(r, "kv-none");
        assert!(
            none.heals[0].converge_ms.is_some(),
            "seed {}: {none:?}",
            r.seed
        );
    }
}

/// The findings quote the report: the CP store's refused share of writes during the partition (recomputed
/// from the counts), the AP store's lost updates and conflicts, each store's time to converge.
#[test]
fn the_findings_quote_what_the_partition_cost() {
    for (t, r) in runs("cap-partition", |_| {}) {
        let why = explain(&t, &r);
        let texts: Vec<&str> = why.iter().map(|f| f.text.as_str()).collect();
        let cp = kv(&r, "kv-cp");
        let d = cp.during();
        let share = (d.writes - d.writes_ok) as f64 / d.writes as f64;
        let refused = format!(
            "during the 10 s partition the CP store kv-cp refused {} % of writes ({} of {})",
            (share * 100.0).round(),
            d.writes - d.writes_ok,
            d.writes
        );
        let f = why
            .iter()
            .find(|f| f.text.starts_with(&refused))
            .unwrap_or_else(|| panic!("seed {}: no “{refused}” in {texts:#?}", r.seed));
        assert_eq!(f.level, Level::Warning);
        assert_eq!(f.node.as_deref(), Some("kv-cp"));

        let ap = kv(&r, "kv-ap");
        let lost = format!(
            "AP: {} lost updates after the heal at kv-ap: writes acknowledged on opposite sides of the \
             partition conflicted ({} writes)",
            ap.lost_updates, ap.conflicts
        );
        let f = why
            .iter()
            .find(|f| f.text.starts_with(&lost))
            .unwrap_or_else(|| panic!("seed {}: no “{lost}” in {texts:#?}", r.seed));
        assert_eq!(f.level, Level::Critical);
        assert!(
            why.iter().any(|f| f
                .text
                .starts_with("during the 10 s partition the AP store kv-ap stayed available")),
            "{texts:#?}"
        );
        for (id, k) in [("kv-cp", &cp), ("kv-ap", &ap)] {
            let ms = k.heals[0].converge_ms.expect("converged");
            let back =
                format!("{id}'s replicas were back in step {ms:.0} ms after the heal at 20.0 s");
            assert!(
                texts.iter().any(|x| x.starts_with(&back)),
                "seed {}: no “{back}” in {texts:#?}",
                r.seed
            );
        }
        // Nothing in CP's block is lost or stale, so no such finding names it.
        assert!(!why.iter().any(|f| f.node.as_deref() == Some("kv-cp")
            && (f.text.contains("lost updates") || f.text.contains("stale"))));
    }
}

/// The findings of a store without repair say it is not back in step, with the keys that still differ; the
/// ONE store's stale reads are blamed on R + W ≤ N.
#[test]
fn the_findings_say_what_is_still_apart_and_why_one_reads_stale() {
    let (t, r) = runs("read-repair", |_| {}).remove(0);
    let why = explain(&t, &r);
    let none = kv(&r, "kv-none");
    let still = format!(
        "kv-none's replicas were not back in step after the heal at 20.0 s: {} keys still differ",
        none.diverged_keys
    );
    assert!(why.iter().any(|f| f.text.starts_with(&still)), "{why:#?}");

    let (t, r) = runs("tunable-consistency", |_| {}).remove(0);
    let why = explain(&t, &r);
    let one = kv(&r, "kv-one");
    let share = one.stale_reads as f64 / one.reads_after_write as f64;
    let stale = format!(
        "kv-one: {} % of reads were stale ({} of {}): R + W = 2 does not exceed N = 3",
        (share * 100.0).round(),
        one.stale_reads,
        one.reads_after_write
    );
    assert!(why.iter().any(|f| f.text.starts_with(&stale)), "{why:#?}");
    assert!(
        !why.iter()
            .any(|f| f.text.starts_with("kv-quorum:") || f.text.starts_with("kv-all:")),
        "{why:#?}"
    );
}
