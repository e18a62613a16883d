//! Real-time updates against theory: a poller's empty answers and update delay, a held connection's push
//! delay, long polling's request rate and timeouts, and the reconnect storm after a feed dies. Events are a
//! Poisson process of rate λ at the feed; links have a constant one-way latency L.

use playground_core::components::realtime::{FeedReport, SubscribersReport};
use playground_core::{Report, Topology, run};
use playground_tests::assert_agrees;
use serde_json::{Value, json};

/// One seed's run: `groups` of (id, subscriber params) all following one feed (`feed` params) over links of
/// `latency_ms`, for `duration_s` after a 20 s warm-up, with `faults`.
fn feed_run(
    groups: &[(&str, Value)],
    feed: Value,
    latency_ms: f64,
    duration_s: f64,
    faults: Value,
    seed: u64,
) -> Report {
    let mut nodes = vec![json!({"id": "feed", "kind": "event_feed", "params": feed})];
    let mut edges = Vec::new();
    for (id, p) in groups {
        nodes.push(json!({"id": id, "kind": "subscribers", "params": p}));
        edges.push(json!({"from": id, "to": "feed",
                          "latency": {"type": "constant", "ms": latency_ms}}));
    }
    let t = json!({
        "settings": {"seed": seed, "duration_s": duration_s, "warmup_s": 20, "series_interval_s": 0,
                     "trace_capacity": 0},
        "nodes": nodes, "edges": edges, "faults": faults
    });
    run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid")
}

fn subs<'a>(r: &'a Report, id: &str) -> &'a SubscribersReport {
    r.nodes[id]
        .detail
        .as_ref()
        .and_then(|d| d.subscribers())
        .expect("a subscribers block")
}

fn feed(r: &Report) -> &FeedReport {
    r.nodes["feed"]
        .detail
        .as_ref()
        .and_then(|d| d.event_feed())
        .expect("an event feed block")
}

/// Asserts a count `k` of `n` Bernoulli trials is within 4 binomial standard errors of `n p`.
fn assert_binomial(what: &str, k: u64, n: u64, p: f64) {
    let (nf, kf) = (n as f64, k as f64);
    let sd = (nf * p * (1.0 - p)).sqrt();
    assert!(
        (kf - nf * p).abs() <= 4.0 * sd,
        "{what}: {k} of {n}, expected {:.1} ± {:.1} (4 binomial standard errors)",
        nf * p,
        4.0 * sd
    );
    assert!(n >= 1000, "{what}: only {n} trials");
}

/// Polling every P: a poll's answer is empty when no event fell in the P since the last one, so the empty
/// fraction is e^(−λP) (consecutive polls cover disjoint intervals: independent trials). An event waits for
/// the next poll's arrival at the feed, uniform over [0, P), then one link back: mean update delay P/2 + L.
/// λ = 0.5/s, P = 2 s (e^(−1) = 0.368), L = 25 ms (mean 1.025 s); one subscriber, 8 seeds of 2 000 s. Empty
/// answers pooled over the seeds within 4 binomial standard errors; the delay's per-seed means within 4
/// standard errors of their spread (`assert_agrees`, no floor).
#[test]
fn polling_is_empty_e_to_the_minus_lambda_p_and_waits_half_a_poll() {
    let (lambda, p_s, l_ms): (f64, f64, f64) = (0.5, 2.0, 25.0);
    let (mut empty, mut answered, mut delays) = (0, 0, Vec::new());
    for seed in 1..=8 {
        let r = feed_run(
            &[(
                "pollers",
                json!({"subscribers": 1, "protocol": "poll", "poll_interval_ms": p_s * 1000.0}),
            )],
            json!({"events_per_s": lambda}),
            l_ms,
            2000.0,
            json!([]),
            seed,
        );
        let s = subs(&r, "pollers");
        empty += s.empty;
        answered += s.answered;
        delays.push(s.delay_mean_ms);
        // Every poll sent in the window was answered (none failed), and each sent its headers.
        assert_eq!(s.failed, 0);
        assert_eq!(s.bytes, s.requests * 700 + s.events_received * 200);
    }
    assert_binomial(
        "empty polls: e^(−λP)",
        empty,
        answered,
        (-lambda * p_s).exp(),
    );
    assert_agrees(
        "poll update delay: P/2 + L [ms]",
        &delays,
        p_s * 1000.0 / 2.0 + l_ms,
        0.0,
    );
}

/// A held connection (server-sent events or WebSocket) is pushed each event as it happens: over a link of
/// constant latency L every update arrives exactly L after its event, mean and p99 alike (the p99 within the
/// delay histogram's 1 % resolution), and no request is made after connecting.
#[test]
fn a_pushed_event_arrives_exactly_one_link_latency_later() {
    for protocol in ["sse", "websocket"] {
        let r = feed_run(
            &[("s", json!({"subscribers": 20, "protocol": protocol}))],
            json!({"events_per_s": 2.0}),
            35.0,
            200.0,
            json!([]),
            3,
        );
        let s = subs(&r, "s");
        assert!(
            s.events_received > 5000,
            "{protocol}: {}",
            s.events_received
        );
        assert_eq!(s.delay_mean_ms, 35.0, "{protocol}: mean = L exactly");
        assert!(
            (s.delay_p99_ms - 35.0).abs() <= 0.35,
            "{protocol}: p99 {} = L",
            s.delay_p99_ms
        );
        assert_eq!(s.requests, 0, "{protocol}: connected in the warm-up");
        assert_eq!(s.connected, 20);
        let f = feed(&r);
        assert_eq!(f.connections_peak, 20);
        assert!((f.connections_mean - 20.0).abs() < 1e-9);
        // 20 connections × 64 KB.
        assert!((f.memory_peak_mb - 20.0 * 64.0 / 1024.0).abs() < 1e-9);
    }
}

/// Long polling with hold timeout T over links of latency L. A request finds the events of the 2L since its
/// previous answer pending with probability 1 − p, p = e^(−2λL), and is answered at once; otherwise it is held
/// for H = min(Exp(λ), T), E[H] = (1 − e^(−λT))/λ. Each subscriber's cycle is 2L + H·1{held}, so it sends
/// 1/(2L + p E[H]) requests a second (renewal reward); a held request times out empty with probability
/// e^(−λT), and a request is empty with probability p e^(−λT). λ = 0.2/s, T = 5 s, L = 50 ms: 0.3127
/// requests/s, timeouts 0.368 of held, empty 0.361. One subscriber, 8 seeds of 2 000 s: the rate within 4
/// standard errors of the seeds' spread; timeouts and empties pooled, within 4 binomial standard errors.
#[test]
fn long_polling_rate_and_timeouts_follow_the_renewal_cycle() {
    let (lambda, t_s, l_s): (f64, f64, f64) = (0.2, 5.0, 0.05);
    let (mut timeouts, mut held, mut empty, mut answered, mut rates) = (0, 0, 0, 0, Vec::new());
    for seed in 1..=8 {
        let r = feed_run(
            &[("lp", json!({"subscribers": 1, "protocol": "long_poll"}))],
            json!({"events_per_s": lambda, "hold_timeout_ms": t_s * 1000.0}),
            l_s * 1000.0,
            2000.0,
            json!([]),
            seed,
        );
        let s = subs(&r, "lp");
        let f = feed(&r);
        timeouts += f.timeouts;
        held += f.held;
        empty += s.empty;
        answered += s.answered;
        rates.push(s.requests_per_s);
    }
    let p = (-2.0 * lambda * l_s).exp();
    let hold = (1.0 - (-lambda * t_s).exp()) / lambda;
    assert_agrees(
        "long polls a second: 1/(2L + p E[H])",
        &rates,
        1.0 / (2.0 * l_s + p * hold),
        0.0,
    );
    assert!(held >= 1000 && answered >= 1000);
    let q = (-lambda * t_s).exp();
    assert_binomial("held long polls timing out: e^(−λT)", timeouts, held, q);
    assert_binomial("empty long polls: e^(−2λL) e^(−λT)", empty, answered, p * q);
}

/// A killed feed drops every held connection; each subscriber learns it one link later and reconnects after
/// its backoff. Without jitter all N wait exactly `reconnect_ms` (10 s, the feed back after 0.5 s): all N
/// reconnect in the same second — the peak is N exactly, and reconnects = drops = N. With full jitter each
/// waits U(0, 10 s): the busiest one-second bucket holds a Binomial(N, 0.1) count, at most
/// N/10 + 5 sd over the ~11 buckets. N = 1000. WebSocket subscribers miss the events of their
/// disconnection (a multiple of N: each misses the same ones; their count is Poisson(λ · 10.05 s), within
/// 4 of its standard errors at λ = 1/s); SSE subscribers replay them and miss none.
#[test]
fn a_dead_feed_causes_a_reconnect_storm_that_jitter_spreads() {
    let n = 1000u64;
    let faults = json!([{"at_s": 60, "action": {"type": "kill", "node": "feed"}},
                        {"at_s": 60.5, "action": {"type": "revive", "node": "feed"}}]);
    let r = feed_run(
        &[
            (
                "ws",
                json!({"subscribers": n, "protocol": "websocket", "reconnect_ms": 10000, "jitter": false}),
            ),
            (
                "sse",
                json!({"subscribers": n, "protocol": "sse", "reconnect_ms": 10000, "jitter": true}),
            ),
        ],
        json!({"events_per_s": 1.0, "max_connections": null}),
        25.0,
        100.0,
        faults,
        5,
    );
    let ws = subs(&r, "ws");
    assert_eq!(ws.drops, n);
    assert_eq!(ws.reconnects, n);
    assert_eq!(ws.peak_reconnects_per_s, n, "no jitter: all N at once");
    assert_eq!(ws.connected as u64, n);
    let sse = subs(&r, "sse");
    assert_eq!(sse.drops, n);
    let sd = (n as f64 * 0.1 * 0.9).sqrt();
    assert!(
        (sse.peak_reconnects_per_s as f64) <= n as f64 * 0.1 + 5.0 * sd,
        "jitter: peak {} of {n}",
        sse.peak_reconnects_per_s
    );
    let f = feed(&r);
    assert_eq!(f.dropped, 2 * n);
    assert_eq!(
        f.missed % n,
        0,
        "every WebSocket subscriber misses the same events"
    );
    let k = (f.missed / n) as f64;
    let expect = 1.0 * 10.05;
    assert!(
        (k - expect).abs() <= 4.0 * expect.sqrt(),
        "{k} events missed, Poisson({expect})"
    );
    // SSE replays: each of its subscribers received every event of the window that a WebSocket one did,
    // plus the ones the WebSocket subscribers missed.
    assert_eq!(sse.events_received, ws.events_received + f.missed);
}

/// The connection limit: 300 WebSocket subscribers against a feed that holds at most 200. 200 connect and
/// stay; the other 100 are refused, back off and try again for the whole run (each refusal counted), and
/// the feed never holds more than its limit.
#[test]
fn a_feed_refuses_connections_past_its_limit() {
    let r = feed_run(
        &[("ws", json!({"subscribers": 300, "protocol": "websocket"}))],
        json!({"events_per_s": 1.0, "max_connections": 200}),
        10.0,
        120.0,
        json!([]),
        2,
    );
    let f = feed(&r);
    assert_eq!(f.connections_peak, 200);
    assert_eq!(f.connections, 200);
    assert!(f.refused >= 100, "{} refused", f.refused);
    let s = subs(&r, "ws");
    assert_eq!(s.connected, 200);
    // Counted where each happens (a refusal at the feed, its answer 10 ms later at the subscriber): equal up
    // to the answers in flight across the window's two edges, one per refused subscriber at each.
    assert!(
        s.failed.abs_diff(f.refused) <= 200,
        "{} vs {}",
        s.failed,
        f.refused
    );
}

/// "a message every 5 s on average (0.2 a second) … 100 poll it every second and 100 hold a WebSocket open. The
/// pollers send 100 requests a second and about 82 % of the answers are empty (e^(−λP) = e^(−0.2)); a message
/// waits … about 540 ms. The WebSocket users send nothing once connected and get every message exactly 40 ms
/// after it is posted, for 100 connections held: 6.25 MB at 64 KB each." Try: "100 ÷ 5 = 20 requests a second,
/// e^(−1) = 37 % … 2.5 s + 40 ms". Watch: the why panel's finding on empty polls. The message count is
/// Poisson: within 4 of its standard errors of 0.2 × 580 s.
pub(crate) fn polling_vs_websockets(r: &Report, c: &mut super::scenarios::Claims) {
    let window_s = r.duration_s - 20.0;
    let events = feed_of(r, "chat-room").events as f64;
    c.expected(
        "messages: 0.2 a second",
        events,
        0.2 * window_s,
        (0.2 * window_s).sqrt(),
    );
    let polls = subs(r, "pollers");
    c.check(
        (polls.requests_per_s - 100.0).abs() < 1e-6,
        "pollers send 100 requests a second",
        format!("{}", polls.requests_per_s),
    );
    c.check(
        ((-0.2f64).exp() * 100.0).round() == 82.0,
        "e^(−0.2) = 82 %",
        String::new(),
    );
    c.about("empty answers", polls.empty_fraction, 0.82);
    c.about("poll update delay [ms]", polls.delay_mean_ms, 540.0);
    let ws = subs(r, "sockets");
    c.check(
        ws.requests == 0,
        "sockets send nothing",
        format!("{}", ws.requests),
    );
    c.check(
        ws.delay_mean_ms == 40.0 && (ws.delay_p99_ms - 40.0).abs() <= 0.4,
        "every message exactly 40 ms after it is posted",
        format!("{} / {}", ws.delay_mean_ms, ws.delay_p99_ms),
    );
    let f = feed_of(r, "chat-room");
    c.check(
        f.connections_peak == 100 && (f.connections_mean - 100.0).abs() < 1e-9,
        "100 connections held",
        format!("{f:?}"),
    );
    c.check(
        (f.memory_peak_mb - 6.25).abs() < 1e-9
            && (f.connections_peak as f64 * 64.0 / 1024.0 - 6.25).abs() < 1e-9,
        "6.25 MB at 64 KB each",
        format!("{}", f.memory_peak_mb),
    );
    c.check(
        (polls.requests_per_s / 5.0 - 20.0).abs() < 1e-6 && ((-1f64).exp() * 100.0).round() == 37.0,
        "try: 20 requests a second, 37 % empty, 2.5 s + 40 ms",
        String::new(),
    );
    let t = playground_core::scenarios::by_name("polling-vs-websockets")
        .expect("the scenario")
        .topology();
    let found = playground_core::explain::explain(&t, r)
        .iter()
        .any(|f| f.node.as_deref() == Some("pollers") && f.text.contains("came back empty"));
    c.check(found, "the why panel names the empty polls", String::new());
}

fn feed_of<'a>(r: &'a Report, id: &str) -> &'a FeedReport {
    r.nodes[id]
        .detail
        .as_ref()
        .and_then(|d| d.event_feed())
        .expect("an event feed block")
}

/// `examples/reconnect-storm.json`: the price feed restarts at 40 s (back at 41 s) under 500 WebSocket and 500
/// SSE connections, both backing off 5 s. The WebSockets, without jitter, all come back 5 s after the drop
/// reached them: 500 reconnects in one second, exactly. The SSE streams, with full jitter, spread theirs
/// over U(0, 5 s): the busiest second holds a Binomial(500, 0.2) count, at most 100 + 5 sd. The sockets miss
/// the ticks of their 5.06 s away (a multiple of 500, Poisson(2 × 5.06) each, within 4 standard errors); the
/// streams replay theirs.
#[test]
fn the_reconnect_storm_example_shows_the_storm_and_what_jitter_does() {
    let text = std::fs::read_to_string(
        playground_tests::repo_root().join("examples/reconnect-storm.json"),
    )
    .expect("the example");
    let r = run(&Topology::from_json(&text).expect("parses")).expect("valid");
    let ws = subs(&r, "sockets");
    assert_eq!(
        (ws.drops, ws.reconnects, ws.peak_reconnects_per_s),
        (500, 500, 500)
    );
    let sse = subs(&r, "streams");
    assert_eq!(sse.drops, 500);
    let sd = (500.0f64 * 0.2 * 0.8).sqrt();
    assert!(
        (sse.peak_reconnects_per_s as f64) <= 100.0 + 5.0 * sd,
        "{}",
        sse.peak_reconnects_per_s
    );
    let f = feed_of(&r, "prices");
    assert_eq!(f.missed % 500, 0);
    let k = (f.missed / 500) as f64;
    let expect = 2.0 * 5.06;
    assert!((k - expect).abs() <= 4.0 * expect.sqrt(), "{k} missed each");
    assert_eq!(sse.events_received, ws.events_received + f.missed);
    assert_eq!(f.connections, 1000);
}
