//! Bytes and bandwidth: a link's time for a message is its latency plus size ÷ bandwidth after the messages
//! ahead of it (a FIFO server of bits per direction). Checked against exact arithmetic on an idle link and
//! against M/M/1 and M/D/1 (Pollaczek–Khinchine) with Poisson arrivals; diagrams without a bandwidth run
//! exactly as before.

use playground_core::fixtures::{THREE_TIER_DIGEST, poisson_client, server, three_tier};
use playground_core::report::LinkReport;
use playground_core::sim::{Sim, send_ns};
use playground_core::topology::Edge;
use playground_core::{Dist, Report, Topology, run};
use playground_tests::assert_agrees;
use serde_json::json;

fn link<'a>(r: &'a Report, name: &str) -> &'a LinkReport {
    r.network
        .as_ref()
        .expect("a diagram with a bandwidth reports its network")
        .links
        .get(name)
        .expect("the link is reported")
}

/// Client → server over one link of `mbps`, zero latency unless `latency_ms`, a server that takes no time
/// and never queues (64 workers), its responses `bytes` large (`sizes`: constant or exponential).
fn one_link(rate: f64, mbps: f64, bytes: u32, sizes: &str, duration_s: f64, seed: u64) -> Topology {
    let mut t = Topology::default();
    t.settings.seed = seed;
    t.settings.duration_s = duration_s;
    t.settings.warmup_s = duration_s * 0.05;
    t.settings.link.latency = Dist::Constant { ms: 0.0 };
    t.settings.trace_capacity = 0;
    t.settings.series_interval_s = 0.0;
    t.nodes = vec![
        poisson_client("c", rate).with("size_bytes", json!(0)),
        server("s", 64, None, &Dist::Constant { ms: 0.0 })
            .with("response_bytes", json!(bytes))
            .with("response_sizes", json!(sizes)),
    ];
    let mut e = Edge::new("c", "s");
    e.bandwidth_mbps = Some(mbps);
    t.edges = vec![e];
    t
}

#[test]
fn send_time_is_size_times_eight_over_the_bandwidth() {
    // 125 000 bytes = 10⁶ bits: 1 s at 1 Mbit/s, 10 ms at 100 Mbit/s; an unlimited link takes no time.
    assert_eq!(send_ns(125_000, 1.0), 1_000_000_000);
    assert_eq!(send_ns(125_000, 100.0), 10_000_000);
    assert_eq!(send_ns(1, 8.0), 1_000);
    assert_eq!(send_ns(1_000_000, 0.0), 0);
}

/// On an idle link (requests exactly 500 ms apart, each done in 41 ms: 19 in 10 s) every request takes exactly
/// request size ÷ bandwidth + latency + service + response size ÷ bandwidth + latency
/// = 125 000 B × 8 ÷ 100 Mbit/s (10 ms) + 5 ms + 1 ms + 250 000 B × 8 ÷ 100 Mbit/s (20 ms) + 5 ms = 41 ms.
#[test]
fn an_idle_link_takes_size_over_bandwidth_plus_latency() {
    let mut t = Topology::default();
    t.settings.duration_s = 10.0;
    t.settings.link.latency = Dist::Constant { ms: 5.0 };
    t.nodes = vec![
        poisson_client("c", 2.0)
            .with("arrival", json!({"type": "constant"}))
            .with("size_bytes", json!(125_000)),
        server("s", 1, None, &Dist::Constant { ms: 1.0 }).with("response_bytes", json!(250_000)),
    ];
    let mut e = Edge::new("c", "s");
    e.bandwidth_mbps = Some(100.0);
    t.edges = vec![e];
    let r = run(&t).expect("valid");
    let n = r.requests.completed();
    // The first request leaves at 0.5 s; the last one the 10 s of traffic allows at 9.5 s.
    assert_eq!(n, 19, "{:?}", r.requests);
    assert_eq!(r.latency_ms.mean, 41.0, "{:?}", r.latency_ms);
    assert_eq!(r.latency_ms.network_mean, 40.0);
    let l = link(&r, "c->s");
    assert_eq!(l.requests.mean_transfer_ms, 10.0);
    assert_eq!(l.responses.mean_transfer_ms, 20.0);
    assert_eq!(l.requests.mean_wait_ms, 0.0);
    assert_eq!(l.responses.mean_wait_ms, 0.0);
    assert_eq!(l.requests.bytes, 19 * 125_000);
    assert_eq!(l.responses.bytes, 19 * 250_000);
    // 19 responses × 20 ms of a 10 s window.
    assert!((l.responses.utilization - 0.038).abs() < 1e-12, "{l:?}");
    let net = &r.network.as_ref().expect("network").nodes;
    assert_eq!(net["c"].sent, 19 * 125_000);
    assert_eq!(net["c"].received, 19 * 250_000);
    assert_eq!(net["s"].sent, 19 * 250_000);
}

/// A link's responses as a queue of bits: Poisson arrivals at λ = 70/s, exponential sizes of mean 10 000 B
/// on 8 Mbit/s (μ = 8·10⁶ ÷ 80 000 = 100/s, ρ = 0.7): M/M/1, so the mean wait for the link is
/// Wq = ρ/(μ − λ) = 23.33 ms, the mean time to the last bit W = 1/(μ − λ) = 33.33 ms and the utilisation ρ.
/// Eight seeds of 400 s; tolerance 4 standard errors + 2 % (`assert_agrees`).
#[test]
fn a_link_with_exponential_sizes_is_an_mm1_queue() {
    let rs: Vec<Report> = (0..8)
        .map(|i| run(&one_link(70.0, 8.0, 10_000, "exponential", 400.0, 1000 + i)).expect("valid"))
        .collect();
    let each = |f: &dyn Fn(&LinkReport) -> f64| -> Vec<f64> {
        rs.iter().map(|r| f(link(r, "c->s"))).collect()
    };
    assert_agrees(
        "M/M/1 wait",
        &each(&|l| l.responses.mean_wait_ms),
        70.0 / 3.0,
        0.02,
    );
    assert_agrees(
        "M/M/1 sojourn",
        &each(&|l| l.responses.mean_transfer_ms),
        100.0 / 3.0,
        0.02,
    );
    assert_agrees("M/M/1 ρ", &each(&|l| l.responses.utilization), 0.7, 0.02);
}

/// The same link with every response exactly 10 000 B: M/D/1, whose mean wait is Pollaczek–Khinchine's
/// Wq = ρ/(2μ(1 − ρ)) = 0.7/(2·100·0.3) s = 11.67 ms, and time to the last bit Wq + 1/μ = 21.67 ms.
/// Eight seeds of 400 s; tolerance 4 standard errors + 2 %.
#[test]
fn a_link_with_constant_sizes_is_an_md1_queue() {
    let rs: Vec<Report> = (0..8)
        .map(|i| run(&one_link(70.0, 8.0, 10_000, "constant", 400.0, 2000 + i)).expect("valid"))
        .collect();
    let wait: Vec<f64> = rs
        .iter()
        .map(|r| link(r, "c->s").responses.mean_wait_ms)
        .collect();
    let total: Vec<f64> = rs
        .iter()
        .map(|r| link(r, "c->s").responses.mean_transfer_ms)
        .collect();
    assert_agrees("M/D/1 wait", &wait, 35.0 / 3.0, 0.02);
    assert_agrees("M/D/1 time to last bit", &total, 35.0 / 3.0 + 10.0, 0.02);
}

/// A bandwidth of 0 is unlimited: the three-tier example with `bandwidth_mbps: 0` on every edge runs
/// exactly as without (the pinned digest), and reports no network block.
#[test]
fn a_zero_bandwidth_changes_nothing() {
    let mut t = three_tier();
    for e in &mut t.edges {
        e.bandwidth_mbps = Some(0.0);
    }
    let r = run(&t).expect("valid");
    assert!(r.network.is_none());
    assert_eq!(r.digest(), THREE_TIER_DIGEST);
}

/// A bandwidth out of its range is refused with the range; a negative one is named.
#[test]
fn an_absurd_bandwidth_is_refused() {
    for (b, words) in [(1e9, "1 000 000"), (-1.0, "positive"), (1e-6, "0.001")] {
        let mut t = one_link(1.0, 1.0, 1, "constant", 1.0, 1);
        t.edges[0].bandwidth_mbps = Some(b);
        let err = Sim::new(&t).expect_err("refused").to_string();
        assert!(err.contains(words), "{b}: {err}");
    }
}

/// The shared-link example: an office's 10 Mbit/s link carries 20 kB pages and 500 kB files back (half the
/// requests each). Offered: 1.5 files/s × 4 Mbit = 6 Mbit/s plus 1.5 pages/s × 0.16 Mbit, about 62 % of
/// the link; a page alone would take 16 ms to send, but responses wait on average far longer behind the
/// files ahead of them. On three seeds: utilisation 0.5–0.75, mean wait for the link above 100 ms, and the
/// office's bytes received equal to the link's response bytes.
#[test]
fn the_shared_link_example_makes_small_responses_wait_behind_big_ones() {
    let text =
        std::fs::read_to_string(playground_tests::repo_root().join("examples/shared-link.json"))
            .expect("examples/shared-link.json");
    for seed in 1..=3 {
        let mut t = Topology::from_json(&text).expect("parses");
        t.settings.seed = seed;
        let r = run(&t).expect("valid");
        let up = link(&r, "uplink");
        assert!(
            (0.5..0.75).contains(&up.responses.utilization),
            "seed {seed}: {up:?}"
        );
        assert!(up.responses.mean_wait_ms > 100.0, "seed {seed}: {up:?}");
        let office = r.network.as_ref().expect("network").nodes["office"];
        assert_eq!(office.received, up.responses.bytes);
        assert_eq!(link(&r, "router-files").bandwidth_mbps, 0.0);
    }
}

/// The "why" panel names the busy link of the shared-link example: how busy, the wait and the send time.
#[test]
fn the_why_panel_names_a_busy_link() {
    let text =
        std::fs::read_to_string(playground_tests::repo_root().join("examples/shared-link.json"))
            .expect("examples/shared-link.json");
    let t = Topology::from_json(&text).expect("parses");
    let r = run(&t).expect("valid");
    let findings = playground_core::explain::explain(&t, &r);
    let f = findings
        .iter()
        .find(|f| f.text.starts_with("the link uplink (router → office)"))
        .unwrap_or_else(|| panic!("{findings:?}"));
    assert!(
        f.text.contains("busy sending responses at 10 Mbit/s"),
        "{}",
        f.text
    );
    assert!(!findings.iter().any(|f| f.text.starts_with("No bottleneck")));
    // A diagram without bandwidths says nothing about links.
    let plain = run(&three_tier()).expect("valid");
    assert!(
        !playground_core::explain::explain(&three_tier(), &plain)
            .iter()
            .any(|f| f.text.starts_with("the link"))
    );
}
