//! Sweeps and the runner's lab commands (issue 18): `playground sweep` writes CSV with units and a knee, a
//! sweep point is exactly the replication set of the diagram with that value, and `playground compare` gives
//! an exactly zero difference for identical variants and a significant one for a clearly better variant.

use playground_core::fixtures;
use playground_core::replicate::{Headline, replicate};
use playground_core::runner::lab::{
    compare_text, parse_compare_args, parse_sweep_args, sweep_text,
};
use playground_core::sweep::with_value;
use playground_core::topology::Topology;
use serde_json::Value;

fn args(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

#[test]
fn the_sweep_command_writes_csv_with_units_and_marks_the_knee() {
    let a = parse_sweep_args(&args(
        "three-tier.json --node users --param rate --from 100 --to 1000 --points 4 --seeds 2 --duration 20",
    ))
    .expect("valid");
    let (r, _) = sweep_text(&a, fixtures::THREE_TIER_JSON).expect("runs");
    let csv = r.to_csv();
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(head[0], "rate [req/s]");
    assert!(head.contains(&"p99 [ms]") && head.contains(&"throughput [req/s]"));
    assert!(head.contains(&"error_rate [%]") && head.contains(&"monthly_cost [USD]"));
    assert_eq!(head.last(), Some(&"knee"));
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|c| c.parse().expect("a number")).collect())
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows.iter().map(|r| r[0]).collect::<Vec<_>>(),
        vec![100.0, 400.0, 700.0, 1000.0]
    );
    // Three app servers of 4 workers at a 15 ms median (about 17 ms mean) serve roughly 700 req/s: the
    // sweep from 100 to 1000 req/s must cross the knee, and exactly one row carries it.
    assert_eq!(rows.iter().filter(|r| r[r.len() - 1] == 1.0).count(), 1);
    assert!(r.knee.is_some());
    // Each point is the replication set of the diagram with that rate, exactly (same seeds).
    let mut doc = Topology::from_json(fixtures::THREE_TIER_JSON).expect("example");
    doc.settings.duration_s = 20.0;
    let p = &r.points[1];
    let alone = with_value(&doc, "users", "rate", p.value).expect("in range");
    assert_eq!(p.summary, replicate(&alone, 2).expect("runs"));
}

#[test]
fn a_refused_sweep_names_the_problem() {
    for (cmd, word) in [
        (
            "t.json --node db --param workers --from 1 --to 0 --points 3",
            "must rise",
        ),
        (
            "t.json --node users --param rate --from 1 --to 2e7 --points 3",
            "at most",
        ),
        (
            "t.json --node ghost --param rate --from 1 --to 2 --points 3",
            "ghost",
        ),
    ] {
        let a = parse_sweep_args(&args(cmd)).expect("parses");
        let e = sweep_text(&a, fixtures::THREE_TIER_JSON).expect_err(cmd);
        assert!(e.starts_with("t.json: ") && e.contains(word), "{cmd}: {e}");
    }
}

#[test]
fn compare_of_identical_files_is_exactly_zero_and_of_a_better_one_significant() {
    let a = parse_compare_args(&args("a.json b.json --seeds 3 --duration 10")).expect("valid");
    let (same, _) =
        compare_text(&a, fixtures::THREE_TIER_JSON, fixtures::THREE_TIER_JSON).expect("runs");
    for f in &same.comparison.figures {
        assert_eq!((f.diff.mean, f.diff.half), (0.0, 0.0), "{:?}", f.figure);
        assert!(!f.significant);
    }
    assert_eq!(same.cost_diff.mean, 0.0);
    // At 600 req/s the three app servers of 4 workers (about 17 ms mean service, 700 req/s between them)
    // queue; B gives each 8 workers: a lower p99, significant on 3 paired seeds, and more vCPUs to pay for.
    let mut a_doc: Value = serde_json::from_str(fixtures::THREE_TIER_JSON).expect("json");
    for n in a_doc["nodes"].as_array_mut().expect("nodes") {
        if n["kind"] == "client" {
            n["params"]["rate"] = Value::from(600);
        }
    }
    let mut b = a_doc.clone();
    for n in b["nodes"].as_array_mut().expect("nodes") {
        if n["kind"] == "server" {
            n["params"]["workers"] = Value::from(8);
        }
    }
    let (better, _) = compare_text(&a, &a_doc.to_string(), &b.to_string()).expect("runs");
    let p99 = better.comparison.get(Headline::P99).expect("p99");
    assert!(p99.diff.mean < 0.0 && p99.significant, "{p99:?}");
    assert!(better.cost_diff.mean > 0.0, "more workers cost more");
    let table = better.to_table();
    assert!(table.starts_with("A vs B on 3 paired seeds") && table.contains("monthly cost"));
}
