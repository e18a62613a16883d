//! The rate limiter's decisions against hand-computed ones: data-driven tables of arrival sequences per
//! algorithm (the fixed window's boundary burst, token bucket refill, leaky bucket delays and overflow, the
//! sliding counter's weighting), per-key independence, distributed over-admission and its payback, and
//! property tests: the token bucket is GCRA on every arrival, a central store is one exact limiter, the
//! sliding log never admits more than L in any window, the leaky bucket never lets two out within T.

use playground_core::SimTime;
use playground_core::components::rate_limiter::{
    Algorithm, Decision, LimitKey, Limiter, LimiterParams, LimiterReport, Who,
};
use proptest::prelude::*;

const ANYONE: Who = Who {
    client: 0,
    addr: 0,
    api_key: 0,
};

fn params(algorithm: Algorithm, limit: u32, window_ms: f64, burst: Option<u32>) -> LimiterParams {
    LimiterParams {
        algorithm,
        limit,
        window_ms,
        burst,
        ..LimiterParams::default()
    }
}

/// One letter per decision: `A` admitted at once, `D` delayed, `R` refused.
fn letter(d: Decision) -> char {
    match d {
        Decision::Admit => 'A',
        Decision::Delay(_) => 'D',
        Decision::Reject => 'R',
    }
}

/// Feeds `arrivals` (ms, who) to a fresh limiter; returns its decisions and counts.
fn run(p: &LimiterParams, arrivals: &[(f64, Who)]) -> (Vec<Decision>, LimiterReport) {
    let mut l = Limiter::new(p);
    let ds = arrivals
        .iter()
        .map(|&(ms, who)| l.decide(SimTime::from_ms(ms), who))
        .collect();
    (ds, l.counters())
}

/// Asserts the decisions for arrivals at `arrivals_ms` (all from one sender) spell `expected`, and that the
/// counts agree with them; returns the counts.
fn check(p: &LimiterParams, arrivals_ms: &[f64], expected: &str) -> LimiterReport {
    let arrivals: Vec<_> = arrivals_ms.iter().map(|&t| (t, ANYONE)).collect();
    check_who(p, &arrivals, expected)
}

fn check_who(p: &LimiterParams, arrivals: &[(f64, Who)], expected: &str) -> LimiterReport {
    let (ds, r) = run(p, arrivals);
    let got: String = ds.iter().map(|&d| letter(d)).collect();
    assert_eq!(got, expected, "{p:?}");
    let n = |c| expected.chars().filter(|&x| x == c).count() as u64;
    assert_eq!(r.admitted, n('A') + n('D'));
    assert_eq!(r.delayed, n('D'));
    assert_eq!(r.rate_limited, n('R'));
    r
}

/// 5 requests 2 ms apart just before the 1 s boundary and 5 just after it.
const BOUNDARY: [f64; 10] = [
    990.0, 992.0, 994.0, 996.0, 998.0, 1000.0, 1002.0, 1004.0, 1006.0, 1008.0,
];

#[test]
fn the_fixed_window_lets_a_double_burst_through_its_boundary() {
    use Algorithm::*;
    let cases: &[(Algorithm, &str)] = &[
        // window [0, 1 s) admits 5, window [1 s, 2 s) 5 more: 10 in 18 ms against a limit of 5 per second
        (FixedWindow, "AAAAAAAAAA"),
        // the log holds 990…998 until 1990 ms
        (SlidingLog, "AAAAARRRRR"),
        // at 1000: 5·1000/1000 + 0 = 5, not < 5; at 1002: 5·998/1000 = 4.99 < 5; at 1004: 4.98 + 1 = 5.98 …
        (SlidingWindow, "AAAAARARRR"),
        // 5 tokens, one back every 200 ms: empty after 998, 2 ms of credit at 1000, 10 ms at 1008
        (TokenBucket, "AAAAARRRRR"),
        // one leaves every 200 ms from 990: 992…1000 wait (at 1000 four are waiting, 1190…1790, so the
        // fifth place is free); at 1002 the wait would be 1188 ms > 5·200
        (LeakyBucket, "ADDDDDRRRR"),
    ];
    for &(alg, expected) in cases {
        check(&params(alg, 5, 1000.0, None), &BOUNDARY, expected);
    }
}

#[test]
fn window_algorithms_on_a_burst_then_a_later_trickle() {
    use Algorithm::*;
    let arrivals = [
        0.0, 1.0, 2.0, 3.0, 4.0, 1500.0, 1500.0, 1500.0, 1500.0, 1800.0, 1800.0,
    ];
    let cases: &[(Algorithm, &str)] = &[
        (FixedWindow, "AAAAAAAAAAR"),
        // (500, 1500] is empty
        (SlidingLog, "AAAAAAAAAAR"),
        // at 1500: 5·0.5 = 2.5, 3.5, 4.5, then 5.5; at 1800: 5·0.2 + 3 = 4, then 5
        (SlidingWindow, "AAAAAAAARAR"),
    ];
    for &(alg, expected) in cases {
        check(&params(alg, 5, 1000.0, None), &arrivals, expected);
    }
    // the sliding counter weighs only the window just before: after an empty window it counts nothing
    let p = params(Algorithm::SlidingWindow, 2, 1000.0, None);
    check(&p, &[0.0, 1.0, 2100.0, 2100.0], "AAAA");
    // while right after a full one, 2·(1000 − 100)/1000 = 1.8, then 2.8
    check(&p, &[0.0, 1.0, 1100.0, 1100.0], "AAAR");
}

#[test]
fn the_token_bucket_refills_at_limit_per_window_up_to_its_burst() {
    // (limit, burst, arrivals ms, decisions); window 1 s
    let cases: &[(u32, Option<u32>, &[f64], &str)] = &[
        // T = 500 ms, 2 tokens: empty at 0; 499 ms of credit at 499; one token at 500; full (not more) at 1500
        (
            2,
            None,
            &[0.0, 0.0, 0.0, 499.0, 500.0, 1500.0, 1500.0, 1500.0],
            "AARRAAAR",
        ),
        // T = 100 ms, 3 tokens: 3 at once, then one per 100 ms; 300 ms idle refill only to 3
        (
            10,
            Some(3),
            &[
                0.0, 0.0, 0.0, 0.0, 100.0, 150.0, 200.0, 500.0, 500.0, 500.0, 500.0,
            ],
            "AAARARAAAAR",
        ),
        // burst 1: requests must be T = 100 ms apart, whatever the idle time
        (
            10,
            Some(1),
            &[0.0, 99.0, 100.0, 5000.0, 5050.0, 5100.0],
            "ARAARA",
        ),
        // T = ⌊10⁹ / 3⌋ = 333 333 333 ns, not a nanosecond more: the credit is T at 333.333333 ms and one
        // nanosecond short of it at 666.666665 ms
        (
            3,
            Some(1),
            &[0.0, 333.333333, 666.666665, 666.666666],
            "AARA",
        ),
    ];
    for &(limit, burst, arrivals, expected) in cases {
        check(
            &params(Algorithm::TokenBucket, limit, 1000.0, burst),
            arrivals,
            expected,
        );
    }
}

#[test]
fn the_leaky_bucket_delays_to_a_constant_rate_and_overflows_when_full() {
    // (limit, burst, arrivals ms, decisions, release times ms of the delayed ones); window 1 s
    type Case<'a> = (u32, u32, &'a [f64], &'a str, &'a [f64]);
    let cases: &[Case] = &[
        // T = 100 ms, room for 2: at 0 one leaves and two wait (100, 200); the fourth would wait 300 > 200;
        // at 50 the wait is 250; at 250 it is 50 (to 300); at 400 the bucket is empty
        (
            10,
            2,
            &[0.0, 0.0, 0.0, 0.0, 50.0, 250.0, 400.0],
            "ADDRRDA",
            &[100.0, 200.0, 300.0],
        ),
        // room for 1: a request arriving just before the waiting one leaves finds the bucket full
        (
            10,
            1,
            &[0.0, 10.0, 99.0, 100.0, 150.0],
            "ADRDR",
            &[100.0, 200.0],
        ),
    ];
    for &(limit, burst, arrivals, expected, releases) in cases {
        let p = params(Algorithm::LeakyBucket, limit, 1000.0, Some(burst));
        check(&p, arrivals, expected);
        let who: Vec<_> = arrivals.iter().map(|&t| (t, ANYONE)).collect();
        let (ds, _) = run(&p, &who);
        let got: Vec<SimTime> = ds
            .iter()
            .filter_map(|d| match d {
                Decision::Delay(t) => Some(*t),
                _ => None,
            })
            .collect();
        let want: Vec<SimTime> = releases.iter().map(|&t| SimTime::from_ms(t)).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn each_key_has_its_own_limit() {
    let who = |client, addr, api_key| Who {
        client,
        addr,
        api_key,
    };
    // addresses 1, 1, 2, 1, 2, 2, then client 1 from address 1; API keys cut across addresses
    let arrivals = [
        (0.0, who(0, 1, 7)),
        (1.0, who(0, 1, 8)),
        (2.0, who(0, 2, 7)),
        (3.0, who(0, 1, 8)),
        (4.0, who(0, 2, 7)),
        (5.0, who(0, 2, 8)),
        (6.0, who(1, 1, 7)),
    ];
    // (key, decisions, keys tracked); fixed window, 2 per second
    let cases = [
        (LimitKey::Global, "AARRRRR", 1),
        (LimitKey::ClientAddress, "AAARARA", 3),
        // key 7: 0, 2, 4 (refused); key 8: 1, 3, 5 (refused); client 1's key 7 is its own
        (LimitKey::ApiKey, "AAAARRA", 3),
    ];
    for (key, expected, keys) in cases {
        let p = LimiterParams {
            key,
            ..params(Algorithm::FixedWindow, 2, 1000.0, None)
        };
        assert_eq!(check_who(&p, &arrivals, expected).keys, keys, "{key:?}");
    }
}

fn distributed(p: LimiterParams, instances: u32, sync_ms: f64) -> LimiterParams {
    LimiterParams {
        instances,
        sync_ms,
        ..p
    }
}

#[test]
fn distributed_instances_over_admit_until_they_sync() {
    // 4 instances, a fixed window of 100 per second, one request every 1 ms for 2 s. Each instance takes every
    // fourth request and admits its first 100 in each window on its own view: all the requests in [0, 400)
    // and [1000, 1400) ms. The sync at 1 s comes too late to matter: the window restarts then.
    let p = params(Algorithm::FixedWindow, 100, 1000.0, None);
    let arrivals: Vec<f64> = (0..2000).map(f64::from).collect();
    let second = "A".repeat(400) + &"R".repeat(600);
    let r = check(
        &distributed(p.clone(), 4, 1000.0),
        &arrivals,
        &second.repeat(2),
    );
    assert_eq!((r.admitted, r.over_admitted), (800, 600));
    // a central store (Δ = 0) is one exact limiter: 100 per window
    let exact = "A".repeat(100) + &"R".repeat(900);
    let r = check(&distributed(p.clone(), 4, 0.0), &arrivals, &exact.repeat(2));
    assert_eq!((r.admitted, r.over_admitted), (200, 0));
    // syncing every 100 ms: 4·25 = 100 (all of [0, 100)) before the first sync sees them, then nothing
    let r = check(&distributed(p, 4, 100.0), &arrivals, &exact.repeat(2));
    assert_eq!(r.over_admitted, 0);
}

#[test]
fn distributed_over_admission_by_hand() {
    // 2 instances syncing every 100 ms, a fixed window of 2 per second. 0 → instance 0, 10 → 1, 20 → 0,
    // 30 → 1, 40 → 0 (its own two): 4 admitted before the sync; at 100 and 110 both views hold 4; at 1000 the
    // window is new. The exact limiter admits 0, 10 and 1000: over-admitted 2.
    let p = distributed(params(Algorithm::FixedWindow, 2, 1000.0, None), 2, 100.0);
    let r = check(
        &p,
        &[0.0, 10.0, 20.0, 30.0, 40.0, 100.0, 110.0, 1000.0],
        "AAAARRRA",
    );
    assert_eq!(r.over_admitted, 2);
}

#[test]
fn syncs_happen_at_whole_multiples_of_the_interval() {
    // 2 instances syncing every 100 ms, a fixed window of 3 per 10 s. 0 → instance 0; the sync due at 100
    // happens at 150, before 150 → instance 1 (its view: 1, admitted); 160 → instance 0 (view 1 + its own 1,
    // admitted). The next sync is due at 200, not 150 + 100: at 210 instance 1 sees all 3.
    let p = distributed(params(Algorithm::FixedWindow, 3, 10_000.0, None), 2, 100.0);
    let r = check(&p, &[0.0, 150.0, 160.0, 210.0], "AAAR");
    assert_eq!(r.over_admitted, 0);
    // a sync skipped over (none due between 210 and 520 ms had admissions to share) changes nothing
    let r = check(&p, &[0.0, 150.0, 160.0, 520.0, 521.0], "AAARR");
    assert_eq!(r.over_admitted, 0);
}

#[test]
fn a_distributed_token_bucket_pays_its_debt_back() {
    // 2 instances syncing every 100 ms; T = 100 ms, burst 1. Both views are full at first: 0 and 1 are
    // admitted. The sync at 100 records both: credit 100 − 100 at 0, then +1 − 100 = −99 ms at 1. At 100
    // the credit is 0 (refused); at 200 it is 100 (admitted). The exact bucket admitted 0, 100 and 200:
    // the same count, so nothing is over-admitted in the end.
    let p = distributed(
        params(Algorithm::TokenBucket, 10, 1000.0, Some(1)),
        2,
        100.0,
    );
    let r = check(&p, &[0.0, 1.0], "AA");
    assert_eq!(r.over_admitted, 1, "until the sync, one too many");
    let r = check(&p, &[0.0, 1.0, 100.0, 200.0], "AARA");
    assert_eq!(r.over_admitted, 0);
    // at 150 the debt leaves −99 + 149 = 50 ms of credit: refused (a view that forgot the other instance's
    // admission would hold a full token); the exact bucket refuses 1 and 151 instead
    let r = check(&p, &[0.0, 1.0, 150.0, 151.0], "AARR");
    assert_eq!(r.over_admitted, 0);
}

#[test]
fn a_distributed_token_bucket_keeps_the_long_run_rate() {
    // 4 instances, 100 per second, burst 100, syncing every second; 1000 requests per second for 20 s. The
    // exact bucket admits ⌊(B·T + t)/T⌋ by t = 19 999 ms: 2099. The instances over-admit in the first
    // second, then the shared debt holds them back: an instance admits only while its view (the shared
    // credit S plus the refill since the sync, less its own admissions) holds a token, so the merged credit
    // never falls below −(N − 1)·(B·T + Δ) = −3·2 s; over the run at most 3·200 + 1 (the exact bucket's
    // leftover credit) more are admitted.
    // Before the first sync each instance is a token bucket of its own over every fourth request: GCRA each.
    let p = distributed(params(Algorithm::TokenBucket, 100, 1000.0, None), 4, 1000.0);
    let mut l = Limiter::new(&p);
    let mut alone = Gcra::new(100, SimTime::from_secs(1.0), 100);
    let (mut first_second, mut over_at_1s) = (0, 0);
    for ms in 0..20_000u64 {
        if ms == 1000 {
            over_at_1s = l.counters().over_admitted;
        }
        let d = l.decide(SimTime::from_nanos(ms * 1_000_000), ANYONE);
        assert!(!matches!(d, Decision::Delay(_)));
        if ms < 1000 {
            let want = alone.admit((ms % 4) as u32, ms * 1_000_000);
            assert_eq!(d == Decision::Admit, want, "at {ms} ms");
            first_second += u64::from(want);
        }
    }
    let r = l.counters();
    assert_eq!(r.admitted - r.over_admitted, 2099, "the exact bucket");
    assert!(
        first_second > 4 * 166,
        "{first_second}: each instance spends its 100 tokens and refills"
    );
    // the exact bucket admitted ⌊(1000 + 999)/10⌋ = 199 in the first second
    assert_eq!(over_at_1s, first_second - 199);
    assert!(r.over_admitted <= 601, "{r:?}");
    assert!(
        r.over_admitted < over_at_1s / 2,
        "the debt is paid back: {r:?}"
    );
}

#[test]
fn a_distributed_leaky_bucket_lets_two_out_at_once() {
    // 2 instances syncing every 100 ms; T = 100 ms, room for 1. Each view starts empty: 0 → 0 (at once),
    // 0 → 1 (at once), 0 → 0 (waits to 100), 0 → 1 (waits to 100). The sync records all four: next_free
    // 400. At 150 the wait would be 250 > 100; at 300 it is 100 (to 400). The exact bucket: 0 at once, one
    // waits to 100, two refused, 150 waits to 200, 300 at once: 4 admitted, the instances 5.
    let p = distributed(
        params(Algorithm::LeakyBucket, 10, 1000.0, Some(1)),
        2,
        100.0,
    );
    let arrivals = [0.0, 0.0, 0.0, 0.0, 150.0, 300.0];
    let r = check(&p, &arrivals, "AADDRD");
    assert_eq!(r.over_admitted, 1);
    let who: Vec<_> = arrivals.iter().map(|&t| (t, ANYONE)).collect();
    let (ds, _) = run(&p, &who);
    assert_eq!(ds[3], Decision::Delay(SimTime::from_ms(100.0)));
    assert_eq!(ds[5], Decision::Delay(SimTime::from_ms(400.0)));
}

/// GCRA by virtual scheduling, the oracle for the token bucket: a theoretical arrival time per key.
struct Gcra {
    interval: u64,
    tolerance: i128,
    tat: std::collections::BTreeMap<u32, u64>,
}

impl Gcra {
    fn new(limit: u32, window: SimTime, burst: u32) -> Gcra {
        let interval = (window.as_nanos() / u64::from(limit)).max(1);
        Gcra {
            interval,
            tolerance: (i128::from(burst) - 1) * i128::from(interval),
            tat: std::collections::BTreeMap::new(),
        }
    }

    fn admit(&mut self, key: u32, now: u64) -> bool {
        let tat = self.tat.entry(key).or_insert(0);
        let t = (*tat).max(now);
        if i128::from(t - now) <= self.tolerance {
            *tat = t + self.interval;
            true
        } else {
            false
        }
    }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::FixedWindow),
        Just(Algorithm::SlidingLog),
        Just(Algorithm::SlidingWindow),
        Just(Algorithm::TokenBucket),
        Just(Algorithm::LeakyBucket),
    ]
}

/// The gap before an arrival, in terms of a `unit` of time (the emission interval or a window's share).
#[derive(Clone, Copy, Debug)]
enum Gap {
    /// at the same instant as the one before
    Same,
    /// this many thousandths of a unit (0 to 3 units)
    Frac(u32),
    /// a whole number of units give or take a few nanoseconds: where an off-by-one shows
    Near(u32, i64),
}

fn gaps(max: usize) -> impl Strategy<Value = Vec<Gap>> {
    let gap = prop_oneof![
        Just(Gap::Same),
        (0u32..3000).prop_map(Gap::Frac),
        (0u32..4, -2i64..=2).prop_map(|(k, d)| Gap::Near(k, d)),
    ];
    prop::collection::vec(gap, 1..max)
}

/// Arrival times [ns] from gaps.
fn times(unit: u64, gaps: &[Gap]) -> Vec<u64> {
    let mut t = 0u64;
    gaps.iter()
        .map(|&g| {
            t += match g {
                Gap::Same => 0,
                Gap::Frac(f) => unit * u64::from(f) / 1000,
                Gap::Near(k, d) => (unit * u64::from(k)).saturating_add_signed(d),
            };
            t
        })
        .collect()
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn the_token_bucket_is_gcra_on_every_arrival(
        limit in 1u32..50,
        window_us in 1u64..5_000_000,
        burst in prop::option::of(1u32..20),
        keyed in any::<bool>(),
        gaps in gaps(300),
        addrs in prop::collection::vec(0u32..3, 300),
    ) {
        let window_ms = window_us as f64 / 1000.0;
        let p = LimiterParams {
            key: if keyed { LimitKey::ClientAddress } else { LimitKey::Global },
            ..params(Algorithm::TokenBucket, limit, window_ms, burst)
        };
        let mut oracle = Gcra::new(limit, SimTime::from_ms(window_ms), burst.unwrap_or(limit));
        let unit = oracle.interval;
        let mut l = Limiter::new(&p);
        let ts = times(unit, &gaps);
        for (i, (&t, &addr)) in ts.iter().zip(&addrs).enumerate() {
            let who = Who { addr, ..ANYONE };
            let want = oracle.admit(if keyed { addr } else { 0 }, t);
            let got = l.decide(SimTime::from_nanos(t), who);
            prop_assert_eq!(got == Decision::Admit, want, "arrival {} at {} ns", i, t);
            prop_assert!(!matches!(got, Decision::Delay(_)), "a token bucket never delays");
        }
    }

    #[test]
    fn a_central_store_or_one_instance_is_the_exact_limiter(
        alg in algorithm(),
        limit in 1u32..20,
        window_ms in 1u32..2000,
        burst in prop::option::of(1u32..10),
        gaps in gaps(200),
    ) {
        let p = params(alg, limit, f64::from(window_ms), burst);
        let ts = times(u64::from(window_ms) * 1_000_000 / u64::from(limit), &gaps);
        let one = |p: &LimiterParams| {
            let mut l = Limiter::new(p);
            let ds: Vec<_> = ts.iter().map(|&t| l.decide(SimTime::from_nanos(t), ANYONE)).collect();
            (ds, l.counters())
        };
        let exact = one(&p);
        prop_assert_eq!(&one(&distributed(p.clone(), 5, 0.0)), &exact);
        prop_assert_eq!(&one(&distributed(p.clone(), 1, 50.0)), &exact);
        // with instances that sync, over_admitted is measured against that same exact limiter
        let (_, r) = one(&distributed(p, 3, 50.0));
        prop_assert_eq!(r.over_admitted, r.admitted.saturating_sub(exact.1.admitted));
    }

    #[test]
    fn the_sliding_log_never_admits_more_than_the_limit_in_any_window(
        limit in 1u32..10,
        window_ms in 1u32..100,
        gaps in gaps(300),
    ) {
        let p = params(Algorithm::SlidingLog, limit, f64::from(window_ms), None);
        let w = u64::from(window_ms) * 1_000_000;
        let ts = times(w / u64::from(limit), &gaps);
        let mut l = Limiter::new(&p);
        let mut admitted: Vec<u64> = Vec::new();
        for &t in &ts {
            let d = l.decide(SimTime::from_nanos(t), ANYONE);
            let in_window = admitted.iter().filter(|&&a| a + w > t).count() as u32;
            // the log is exact: admit iff fewer than L in (t − W, t]
            prop_assert_eq!(d == Decision::Admit, in_window < limit);
            if d == Decision::Admit {
                admitted.push(t);
            }
        }
    }

    #[test]
    fn the_leaky_bucket_releases_one_per_interval_and_holds_at_most_its_room(
        limit in 1u32..20,
        burst in 1u32..6,
        gaps in gaps(300),
    ) {
        let p = params(Algorithm::LeakyBucket, limit, 1000.0, Some(burst));
        let interval = 1_000_000_000 / u64::from(limit);
        let ts = times(interval, &gaps);
        let mut l = Limiter::new(&p);
        let mut releases: Vec<u64> = Vec::new();
        for &t in &ts {
            let held = releases.iter().filter(|&&r| r > t).count() as u32;
            match l.decide(SimTime::from_nanos(t), ANYONE) {
                Decision::Admit => {
                    prop_assert_eq!(held, 0);
                    releases.push(t);
                }
                Decision::Delay(at) => {
                    prop_assert!(held < burst, "{} held, room {}", held, burst);
                    prop_assert!(at.as_nanos() > t);
                    releases.push(at.as_nanos());
                }
                Decision::Reject => prop_assert_eq!(held, burst),
            }
        }
        for pair in releases.windows(2) {
            prop_assert!(pair[1] >= pair[0] + interval, "{:?}", pair);
        }
    }
}
