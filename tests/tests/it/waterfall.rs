//! One request's waterfall: the exemplars the engine keeps when asked (every visit of a request and of the
//! copies made for it), their critical path, what they cost (nothing: the run's numbers are the same), their
//! bounds, and the runner's `trace` text.

use playground_core::request::Outcome;
use playground_core::runner::{TraceArgs, parse_run_args, trace_text};
use playground_core::sim::{
    KEPT_INTERVALS, KEPT_SPANS, RECORDED_AT_ONCE, SAMPLED_PER_INTERVAL, SLOWEST_PER_INTERVAL, Sim,
};
use playground_core::waterfall::{Pick, RequestTree, Role};
use playground_core::{Topology, fixtures, scenarios};
use serde_json::json;

/// A client → `root` (with `calls` and `extra`) → `n` leaves (exponential, 10 ms) diagram, zero links.
fn fan(
    calls: &str,
    extra: serde_json::Value,
    n: usize,
    seed: u64,
    edge: serde_json::Value,
) -> Topology {
    let mut root = json!({"workers": 1000, "queue_capacity": null, "calls": calls,
                          "service_time": {"type": "constant", "ms": 1}});
    if let (Some(r), Some(e)) = (root.as_object_mut(), extra.as_object()) {
        r.extend(e.clone());
    }
    let mut nodes = vec![
        json!({"id": "c", "kind": "client", "params": {"rate": 50.0, "timeout_ms": 1e9}}),
        json!({"id": "root", "kind": "server", "params": root}),
    ];
    let mut edges = vec![json!({"from": "c", "to": "root"})];
    for i in 0..n {
        nodes.push(
            json!({"id": format!("leaf{i}"), "kind": "server", "params": {
            "workers": 100, "service_time": {"type": "exponential", "mean_ms": 10}}}),
        );
        let mut e = json!({"from": "root", "to": format!("leaf{i}")});
        if let (Some(a), Some(b)) = (e.as_object_mut(), edge.as_object()) {
            a.extend(b.clone());
        }
        edges.push(e);
    }
    let t = json!({"settings": {"seed": seed, "duration_s": 20, "trace_capacity": 0,
                                "link": {"latency": {"type": "constant", "ms": 0}}},
                   "nodes": nodes, "edges": edges});
    Topology::from_json(&t.to_string()).expect("parses")
}

fn run_keeping(t: &Topology) -> (Sim, Vec<std::sync::Arc<RequestTree>>) {
    let mut sim = Sim::new(t).expect("valid");
    sim.keep_requests(true);
    sim.run_to_end();
    let trees = sim.request_trees();
    (sim, trees)
}

#[test]
fn keeping_requests_changes_no_number_of_the_run() {
    for t in [
        fixtures::three_tier(),
        fan("parallel", json!({}), 5, 1, json!({})),
        fan("first_k", json!({"first_k": 2}), 4, 2, json!({"hedge": {}})),
        scenarios::by_name("retry-storm")
            .expect("a scenario")
            .topology(),
    ] {
        let plain = playground_core::run(&t).expect("valid");
        let (sim, trees) = run_keeping(&t);
        assert_eq!(sim.report().digest(), plain.digest(), "{}", t.name);
        assert!(!trees.is_empty(), "{}: trees were kept", t.name);
    }
}

#[test]
fn a_parallel_plan_shows_every_call_and_only_the_last_answer_is_critical() {
    let (sim, trees) = run_keeping(&fan("parallel", json!({}), 10, 3, json!({})));
    let report = sim.report();
    let slowest = trees
        .iter()
        .max_by_key(|t| t.latency())
        .expect("trees kept");
    // Each interval keeps its slowest, so the slowest kept is the run's slowest request.
    let max_ms = report.latency_ms.max;
    let got = slowest.latency() as f64 / 1e6;
    assert!(
        (got - max_ms).abs() <= max_ms * 1e-3,
        "slowest kept {got} ms, slowest in the run {max_ms} ms"
    );
    let root: Vec<_> = slowest.children(None).collect();
    assert_eq!(root.len(), 1, "one visit from the client");
    let r = &slowest.spans[root[0] as usize];
    assert_eq!(sim.node_ids()[r.node as usize], "root");
    let calls: Vec<_> = slowest.children(Some(root[0])).collect();
    assert_eq!(calls.len(), 10, "a row per parallel call");
    let spans = &slowest.spans;
    assert!(
        calls
            .iter()
            .all(|&c| spans[c as usize].role == Role::Branch)
    );
    // They leave together, after the root's 1 ms of service.
    let (s0, s1) = r.service.expect("the root's service");
    assert_eq!(s1.since(s0).as_ms(), 1.0);
    assert!(calls.iter().all(|&c| spans[c as usize].sent == s1));
    let last = calls
        .iter()
        .copied()
        .max_by_key(|&c| spans[c as usize].back)
        .expect("calls");
    let critical: Vec<_> = calls
        .iter()
        .copied()
        .filter(|&c| spans[c as usize].critical)
        .collect();
    assert_eq!(critical, [last], "only the call the plan waited for");
    assert_eq!(
        r.left, spans[last as usize].back,
        "the root answers when it is back"
    );
    assert!(r.critical);
    assert_eq!(slowest.outcome, Outcome::Ok);
}

#[test]
fn sequential_calls_are_all_critical_and_a_winning_hedge_is_the_critical_copy() {
    let (_, trees) = run_keeping(&fan("sequential", json!({}), 3, 4, json!({})));
    let t = trees.iter().max_by_key(|t| t.latency()).expect("kept");
    let root = t.children(None).next().expect("the root visit");
    let calls: Vec<_> = t.children(Some(root)).collect();
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|&c| t.spans[c as usize].critical));
    assert!(
        calls
            .windows(2)
            .all(|w| t.spans[w[0] as usize].back <= Some(t.spans[w[1] as usize].sent))
    );

    // Hedged after 5 ms (a leaf's median is 6.9 ms): the slowest requests are the ones a hedge rescued or
    // could not; in each kept tree, a hedge that answered first is critical and its first copy is not.
    let (_, trees) = run_keeping(&fan(
        "parallel",
        json!({}),
        2,
        5,
        json!({"hedge": {"after": {"type": "fixed", "ms": 5}}}),
    ));
    let mut wins = 0;
    for t in &trees {
        for (i, s) in t.spans.iter().enumerate() {
            if s.role != Role::Hedge || !s.critical {
                continue;
            }
            wins += 1;
            let first = t
                .spans
                .iter()
                .find(|f| {
                    f.parent == s.parent && matches!(f.role, Role::Attempt(1)) && f.node == s.node
                })
                .expect("the first copy of the same call");
            assert!(!first.critical, "{i}: the first copy lost");
        }
    }
    assert!(wins > 0, "some kept request was won by a hedge");
}

#[test]
fn the_kept_trees_are_bounded_and_each_interval_keeps_its_slowest_and_a_sample() {
    let mut t = fan("parallel", json!({}), 3, 6, json!({}));
    t.settings.duration_s = 200.0;
    let (_, trees) = run_keeping(&t);
    let per = SLOWEST_PER_INTERVAL + SAMPLED_PER_INTERVAL;
    // The last intervals' picks, and the current interval's so far.
    assert!(
        trees.len() <= (KEPT_INTERVALS + 1) * per,
        "{} trees",
        trees.len()
    );
    let current = trees.last().map_or(0, |t| t.end.0 / 1_000_000_000);
    let past: usize = trees
        .iter()
        .filter(|t| t.end.0 / 1_000_000_000 < current)
        .map(|t| t.spans.len())
        .sum();
    assert!(past <= KEPT_SPANS, "{past} spans kept");
    let mut by_second = std::collections::BTreeMap::<u64, Vec<&RequestTree>>::new();
    for t in &trees {
        by_second
            .entry(t.end.0 / 1_000_000_000)
            .or_default()
            .push(t);
    }
    // The oldest intervals were dropped: only the last ones are kept (and the current one), each with at
    // most 6 trees.
    assert!(
        by_second.len() <= KEPT_INTERVALS + 1,
        "{} intervals",
        by_second.len()
    );
    assert!(
        by_second
            .keys()
            .next()
            .is_some_and(|&s| s >= 200 - KEPT_INTERVALS as u64 - 1)
    );
    for (s, ts) in &by_second {
        assert!(ts.len() <= per, "second {s}: {} trees", ts.len());
        let slow: Vec<_> = ts.iter().filter(|t| t.pick == Pick::Slowest).collect();
        assert!(
            !slow.is_empty() && slow.len() <= SLOWEST_PER_INTERVAL,
            "second {s}: {:?}",
            ts.iter()
                .map(|t| (t.id, t.end.0, t.pick, t.latency()))
                .collect::<Vec<_>>()
        );
        let slowest_typical = ts
            .iter()
            .filter(|t| t.pick == Pick::Typical)
            .map(|t| t.latency())
            .max()
            .unwrap_or(0);
        assert!(
            slow.iter().all(|t| t.latency() >= slowest_typical),
            "second {s}"
        );
    }
}

#[test]
fn the_runner_prints_the_slowest_waterfall_as_text() {
    let t = fan("parallel", json!({"fan_out": 3}), 2, 7, json!({}));
    let run = parse_run_args(&["t.json".to_string()]).expect("valid");
    let out = trace_text(&TraceArgs { run, slowest: 2 }, &t.to_json()).expect("runs");
    assert_eq!(out.matches("slowest #").count(), 2, "{out}");
    assert_eq!(
        out.matches("(parallel call)").count(),
        12,
        "two trees of 6 calls: {out}"
    );
    // The critical path: the client's visit to the root and one call in each tree.
    assert_eq!(
        out.lines().filter(|l| l.starts_with("* ")).count(),
        4,
        "{out}"
    );
    let empty = r#"{"nodes": [{"id": "s", "kind": "server"}]}"#;
    let run = parse_run_args(&["e.json".to_string()]).expect("valid");
    assert!(
        trace_text(&TraceArgs { run, slowest: 1 }, empty)
            .expect_err("nothing to show")
            .contains("no client request")
    );
}

/// What the recorder holds counts toward the memory guard: nothing when off, the trees' spans when on.
#[test]
fn the_recorded_trees_count_toward_the_memory_guard() {
    let t = fan("parallel", json!({"fan_out": 20}), 5, 8, json!({}));
    let mut off = Sim::new(&t).expect("valid");
    off.run_to_end();
    assert_eq!(off.memory().exemplars, 0);
    let (on, trees) = run_keeping(&t);
    let m = on.memory();
    let kept: usize = trees.iter().map(|t| t.spans.len()).sum();
    let span = std::mem::size_of::<playground_core::waterfall::Span>();
    assert!(m.exemplars >= kept * span, "{m:?}: {kept} spans kept");
    assert_eq!(
        m.total(),
        m.requests + m.events + m.deadlines + m.queues + m.exemplars
    );
}

/// A flood (a million requests a second into one 100 ms worker, as the page's pathological test runs it)
/// holds hundreds of thousands of requests in flight; recording stops at `RECORDED_AT_ONCE` trees at once, so
/// what the recorder holds stays bounded (each recorded tree here holds one open visit: its buffer, its side
/// entry and a span or two) instead of growing with the queue, and the run's other memory is unchanged.
#[test]
fn a_flood_records_a_bounded_number_of_trees() {
    let t: Topology = serde_json::from_value(json!({
        "version": 1, "name": "flood", "settings": {"duration_s": 600},
        "nodes": [
            {"id": "flood", "kind": "client", "params": {"rate": 1000000}},
            {"id": "slow", "kind": "server", "params": {"workers": 1, "queue_capacity": null,
             "service_time": {"type": "constant", "ms": 100}}}],
        "edges": [{"from": "flood", "to": "slow"}]}))
    .expect("a topology");
    let until = playground_core::SimTime::from_secs(0.2);
    let mut off = Sim::new(&t).expect("valid");
    off.run_until(until, u64::MAX);
    let mut on = Sim::new(&t).expect("valid");
    on.keep_requests(true);
    on.run_until(until, u64::MAX);
    let (a, b) = (off.memory(), on.memory());
    assert!(on.requests_held() > 150_000, "{}", on.requests_held());
    assert_eq!(
        (a.requests, a.events, a.queues),
        (b.requests, b.events, b.queues)
    );
    // 10 000 trees at well under 1 KB each; recording all 200 000 would pass 20 MB.
    assert!(
        b.exemplars < RECORDED_AT_ONCE * 1024,
        "{} bytes recorded for {} requests in flight",
        b.exemplars,
        on.requests_held()
    );
}

/// `playground trace` runs under the memory guard as `run` does: the flood (10 minutes of a million requests a
/// second into one slow worker) stops with the guard's message naming the limit, instead of growing until the
/// machine runs out of memory.
#[test]
fn the_runner_traces_under_the_memory_guard() {
    let flood = json!({
        "version": 1, "name": "flood", "settings": {"duration_s": 600},
        "nodes": [
            {"id": "flood", "kind": "client", "params": {"rate": 1000000}},
            {"id": "slow", "kind": "server", "params": {"workers": 1, "queue_capacity": null,
             "service_time": {"type": "constant", "ms": 100}}}],
        "edges": [{"from": "flood", "to": "slow"}]});
    let args = ["f.json", "--max-memory", "64"].map(String::from);
    let run = parse_run_args(&args).expect("valid");
    let err = trace_text(&TraceArgs { run, slowest: 1 }, &flood.to_string())
        .expect_err("the guard stops it");
    assert!(err.starts_with("f.json: the run was stopped"), "{err}");
    assert!(err.contains("--max-memory"), "{err}");
}
