//! The headless runner's logic: overrides, the JSON field names the issue fixes, and errors that name the
//! field instead of panicking.

use playground_core::fixtures;
use playground_core::runner::{RunArgs, format_report, run_text};
use serde_json::Value;

fn args(json: bool) -> RunArgs {
    RunArgs {
        file: "t.json".into(),
        seed: None,
        duration_s: Some(20.0),
        warmup_s: Some(2.0),
        json,
        max_memory: None,
        seeds: None,
    }
}

#[test]
fn json_output_has_the_documented_fields() {
    let out = run_text(&args(true), fixtures::THREE_TIER_JSON).expect("the example runs");
    let v: Value =
        serde_json::from_str(&format_report(&out.report, true)).expect("one JSON object");
    for path in [
        "/requests/sent",
        "/requests/completed",
        "/requests/failed",
        "/requests/timed_out",
        "/requests/rejected",
        "/requests/in_flight",
        "/latency_ms/mean",
        "/latency_ms/p50",
        "/latency_ms/p90",
        "/latency_ms/p95",
        "/latency_ms/p99",
        "/latency_ms/p999",
        "/latency_ms/max",
        "/throughput_rps",
        "/events",
        "/wall_ms",
    ] {
        assert!(
            v.pointer(path).is_some_and(Value::is_number),
            "missing {path}"
        );
    }
    for field in [
        "arrivals",
        "served",
        "dropped",
        "errors",
        "utilization",
        "mean_queue",
        "mean_time_ms",
        "p99_time_ms",
    ] {
        assert!(
            v.pointer(&format!("/nodes/app1/{field}"))
                .is_some_and(Value::is_number),
            "missing {field}"
        );
    }
    assert_eq!(v.pointer("/nodes/db/kind"), Some(&Value::from("database")));
    assert_eq!(
        v.pointer("/duration_s"),
        Some(&Value::from(20.0)),
        "the override applies"
    );
}

#[test]
fn overrides_change_the_run_and_the_table_reads() {
    let a = run_text(&args(false), fixtures::MM1_JSON).expect("runs");
    let mut other = args(false);
    other.seed = Some(99);
    let b = run_text(&other, fixtures::MM1_JSON).expect("runs");
    assert_eq!(b.report.seed, 99);
    assert_ne!(a.report.digest(), b.report.digest());
    let table = format_report(&a.report, false);
    assert!(
        table.contains("latency")
            && table.contains(" p95 ")
            && table.contains("s1")
            && table.contains("server"),
        "{table}"
    );
}

#[test]
fn bad_files_give_messages_naming_the_field() {
    let e = run_text(&args(true), "{\"nodes\": [{\"id\": \"a\"}]}").expect_err("missing kind");
    assert!(e.contains("missing field `kind`"), "{e}");
    let e = run_text(&args(true), "{\"nodes\": [").expect_err("truncated");
    assert!(e.contains("t.json"), "{e}");
    let e = run_text(&args(true), "{\"setings\": {}}").expect_err("typo");
    assert!(e.contains("setings"), "{e}");
    let bad = fixtures::MM1_JSON.replace("\"rate\": 80", "\"rate\": -80");
    let e = run_text(&args(true), &bad).expect_err("negative rate");
    assert!(e.contains("params.rate") && e.contains("c1"), "{e}");
    let mut neg = args(true);
    neg.duration_s = Some(f64::INFINITY);
    let e = run_text(&neg, fixtures::MM1_JSON).expect_err("infinite duration");
    assert!(e.contains("duration_s"), "{e}");
}

#[test]
fn warnings_are_reported_but_do_not_stop_the_run() {
    let text = r#"{"nodes": [{"id": "c1", "kind": "client"}, {"id": "lb1", "kind": "load_balancer"}],
                   "edges": [{"from": "c1", "to": "lb1"}], "settings": {"duration_s": 1}}"#;
    let out = run_text(&args(false), text).expect("warnings only");
    assert_eq!(
        out.warnings,
        ["t.json: warning: load balancer `lb1` has no backends"]
    );
}

#[test]
fn cache_and_latency_split_fields_reach_the_json_and_the_table() {
    let text =
        std::fs::read_to_string(playground_tests::repo_root().join("examples/cache-aside.json"))
            .expect("the example is readable");
    let out = run_text(&args(true), &text).expect("the example runs");
    let v: Value =
        serde_json::from_str(&format_report(&out.report, true)).expect("one JSON object");
    for path in ["/latency_ms/network_mean", "/latency_ms/in_nodes_mean"] {
        assert!(
            v.pointer(path).is_some_and(Value::is_number),
            "missing {path}"
        );
    }
    for field in [
        "hits",
        "misses",
        "hit_ratio",
        "evictions",
        "expirations",
        "stale_reads",
        "lost_writes",
        "coalesced",
        "refreshes",
        "entries",
    ] {
        let path = format!("/nodes/cache/cache/{field}");
        assert!(
            v.pointer(&path).is_some_and(Value::is_number),
            "missing {path}"
        );
    }
    assert!(
        v.pointer("/nodes/db/cache").is_none(),
        "only caches carry the block"
    );
    let table = format_report(&out.report, false);
    assert!(
        table.contains("hit %") && table.contains("network"),
        "{table}"
    );
}
