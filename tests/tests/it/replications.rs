//! Replications with intervals and A/B compare (issue 18): the 95 % Student-t interval over seeds is honest
//! (it covers a known mean about 95 % of the time), `playground run FILE --seeds K` prints the intervals, and
//! paired differences are exactly zero for identical variants and significant for a clearly better one.

use playground_core::Dist;
use playground_core::compare::{Compare, Side};
use playground_core::fixtures::{self, single_station};
use playground_core::replicate::{Headline, replicate};
use playground_core::runner::{RunArgs, format_summary, parse_run_args, replicate_text};
use serde_json::Value;

/// Coverage: `BATCHES` independent replication sets of an M/M/1 (λ = 50/s, exponential service of mean
/// 10 ms, so μ = 100/s and W = 1/(μ − λ) = 20 ms), each of 10 seeds of a 20 s run (1 s warm-up, about 950
/// requests a run). Each set's 95 % interval of the mean response time should contain 20 ms with
/// probability 0.95, so the number that do is Binomial(200, 0.95): mean 190, sd 3.1. We accept 180 to 199
/// (P(X < 180) ≈ 0.002, P(X = 200) = 0.95^200 ≈ 4e-5): fewer would mean intervals too narrow or the run
/// mean biased; all 200 would mean intervals too wide. The seed sets are disjoint (base 10 000 + 10 b).
#[test]
fn the_interval_covers_the_mm1_mean_about_95_percent_of_the_time() {
    const BATCHES: u64 = 200;
    const W_MS: f64 = 20.0;
    let mut covered = 0;
    let mut widths = 0.0;
    for b in 0..BATCHES {
        let t = single_station(
            50.0,
            1,
            None,
            Dist::exponential_ms(10.0),
            20.0,
            10_000 + 10 * b,
        );
        let s = replicate(&t, 10).expect("the M/M/1 runs");
        let mean = s.get(Headline::Mean).expect("present").interval;
        assert_eq!(mean.n, 10);
        covered += u32::from(mean.contains(W_MS));
        widths += mean.half;
    }
    let half = widths / BATCHES as f64;
    assert!(
        (180..=199).contains(&covered),
        "{covered} of {BATCHES} intervals covered W = {W_MS} ms (mean half-width {half:.3} ms)"
    );
    // The intervals are informative, not merely wide: a half-width of a few percent of W.
    assert!(half > 0.1 && half < 2.0, "mean half-width {half} ms");
}

fn args(seeds: u32, json: bool) -> RunArgs {
    RunArgs {
        file: "three-tier.json".into(),
        json,
        duration_s: Some(10.0),
        seeds: Some(seeds),
        ..RunArgs::default()
    }
}

#[test]
fn run_with_seeds_prints_each_headline_figure_as_an_interval() {
    let (s, _) = replicate_text(&args(4, false), fixtures::THREE_TIER_JSON).expect("runs");
    assert_eq!(s.seeds, vec![42, 43, 44, 45]);
    let table = format_summary(&s, false);
    assert!(table.starts_with("4 seeds (seeds 42–45), mean ± 95 % Student-t half-width"));
    for label in [
        "mean latency",
        "p50",
        "p95",
        "p99",
        "throughput",
        "error rate",
    ] {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(label) && l.contains(" ± ")),
            "{label} in\n{table}"
        );
    }
    // The JSON carries each figure's values per seed and the interval; the same seeds give the same numbers.
    let v: Value = serde_json::from_str(&format_summary(&s, true)).expect("one JSON object");
    assert_eq!(v.pointer("/figures/3/figure"), Some(&Value::from("p99")));
    assert!(
        v.pointer("/figures/3/interval/half")
            .is_some_and(Value::is_number)
    );
    assert_eq!(
        v.pointer("/figures/3/values")
            .and_then(Value::as_array)
            .map(Vec::len),
        Some(4)
    );
    let (again, _) = replicate_text(&args(4, false), fixtures::THREE_TIER_JSON).expect("runs");
    assert_eq!(s, again);
    // Seeds start from `--seed` when given.
    let mut a = args(2, false);
    a.seed = Some(7);
    assert_eq!(
        replicate_text(&a, fixtures::THREE_TIER_JSON)
            .expect("runs")
            .0
            .seeds,
        vec![7, 8]
    );
}

#[test]
fn run_with_seeds_refuses_bad_counts_and_stops_at_the_memory_guard() {
    let parsed = |s: &str| parse_run_args(&s.split(' ').map(String::from).collect::<Vec<_>>());
    assert!(
        parsed("x.json --seeds 0")
            .expect_err("zero")
            .contains("--seeds")
    );
    assert_eq!(parsed("x.json --seeds").map(|a| a.seeds), Ok(Some(10)));
    let flood = serde_json::json!({
        "settings": {"seed": 1, "duration_s": 60},
        "nodes": [
            {"id": "flood", "kind": "client", "params": {"rate": 1_000_000, "timeout_ms": 1e9}},
            {"id": "slow", "kind": "server", "params": {"workers": 1, "queue_capacity": null,
                "service_time": {"type": "constant", "ms": 100}}}
        ],
        "edges": [{"from": "flood", "to": "slow"}]
    });
    let a = RunArgs {
        file: "flood.json".into(),
        max_memory: Some(16 << 20),
        seeds: Some(3),
        ..RunArgs::default()
    };
    let e = replicate_text(&a, &flood.to_string()).expect_err("stopped");
    assert!(e.starts_with("flood.json: seed 1: the run was"), "{e}");
}

/// A/B with identical variants: every paired difference is exactly 0 (same diagram, same seeds, same bits),
/// with a zero-width interval, and none is significant; no node figure changed.
#[test]
fn identical_variants_differ_by_exactly_zero() {
    let a = fixtures::three_tier();
    let c = Compare::start(&a, &a.clone(), 5)
        .expect("both build")
        .run_to_end()
        .expect("runs");
    assert_eq!(c.seeds, vec![42, 43, 44, 45, 46]);
    for f in &c.figures {
        assert_eq!((f.diff.mean, f.diff.half), (0.0, 0.0), "{:?}", f.figure);
        assert!(!f.significant && f.better.is_none(), "{:?}", f.figure);
        assert_eq!(f.a, f.b);
        assert_eq!(f.verdict(), "no significant difference");
    }
    assert!(c.nodes.is_empty() && c.added.is_empty() && c.removed.is_empty());
}

/// A clearly better variant: an M/M/1 at ρ = 0.9 (λ = 900/s, 1 ms mean service, W = 10 ms) against the same
/// server with 2 workers (M/M/2 at ρ = 0.45, W ≈ 1.25 ms). On 5 paired seeds the mean and p99 differences are
/// negative with intervals far from zero, so B is better; throughput (the same arrivals) is not significantly
/// different; the server's mean time is the node figure that changed most.
#[test]
fn twice_the_workers_under_load_is_significantly_better() {
    let a = single_station(900.0, 1, None, Dist::exponential_ms(1.0), 20.0, 3);
    let b = single_station(900.0, 2, None, Dist::exponential_ms(1.0), 20.0, 99);
    let mut cmp = Compare::start(&a, &b, 5).expect("both build");
    let c = loop {
        if let Some(c) = cmp.step(2_000).expect("no memory stop") {
            break c;
        }
    };
    assert_eq!(c.seeds, vec![3, 4, 5, 6, 7], "B runs on A's seeds");
    for fig in [Headline::Mean, Headline::P99] {
        let f = c.get(fig).expect("present");
        assert!(f.significant && f.better == Some(Side::B), "{f:?}");
        assert!(f.diff.high() < 0.0);
    }
    let mean = c.get(Headline::Mean).expect("present");
    assert!(
        (mean.a.mean - 10.0).abs() < 1.5 && mean.b.mean < 2.0,
        "{mean:?}"
    );
    let top = &c.nodes[0];
    assert_eq!((top.node.as_str(), top.figure), ("s", "mean time"));
    // Slicing does not change it: the same comparison to the end in one go.
    let whole = Compare::start(&a, &b, 5)
        .expect("builds")
        .run_to_end()
        .expect("runs");
    assert_eq!(c, whole);
    assert!(c.to_table().contains("B is better"));
}
