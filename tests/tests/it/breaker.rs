//! The circuit breaker against a written state table: fixed sequences of successes, failures, slow calls,
//! waits and tries, with the state expected after every step, the opens and the calls refused.

use playground_core::SimTime;
use playground_core::resilience::{Breaker, BreakerParams, BreakerState, BreakerWindow, Permit};

const MS: u64 = 1_000_000;

fn ms(n: u64) -> SimTime {
    SimTime(n * MS)
}

/// A count window of `size` calls; slow means over 100 ms; open for 1 s; 3 half-open trials; the slow-call
/// rate only opens when every call is slow.
fn count(size: u32, minimum_calls: u32, failure_rate: f64) -> BreakerParams {
    BreakerParams {
        window: BreakerWindow::Count,
        window_size: size,
        minimum_calls,
        failure_rate,
        slow_call_ms: 100.0,
        slow_call_rate: 1.0,
        open_ms: 1000.0,
        half_open_calls: 3,
    }
}

/// The same with a time window of `secs` seconds.
fn time(secs: u32, minimum_calls: u32, failure_rate: f64) -> BreakerParams {
    BreakerParams {
        window: BreakerWindow::Time,
        ..count(secs, minimum_calls, failure_rate)
    }
}

/// One row of the table.
///
/// Steps, separated by spaces (the clock starts at 0):
/// - `S` / `F`: a call that succeeds / fails: asked for at the current time, the clock moves on 1 ms, and
///   (if it went out) its outcome is recorded then, `took` 1 ms. `L`: a slow success, the same but taking
///   `slow_call_ms` + 1 ms.
/// - `W<ms>`: the clock moves on.
/// - `T`: a call is asked for and, if let through, never reports back (the permit is dropped).
/// - `B<k>`: a call is asked for and its permit held in slot `k`; `E<k>s` / `E<k>f` records that call's
///   success / failure now, `took` since its `B`.
///
/// States, one per step: `C` closed, `O` open, `H` half-open, after the step. Lower case (`o`, `h`) marks a
/// step whose call was refused (failed fast).
struct Row {
    what: &'static str,
    params: BreakerParams,
    steps: &'static str,
    states: &'static str,
    opens: u64,
    short_circuited: u64,
}

fn letter(s: BreakerState) -> char {
    match s {
        BreakerState::Closed => 'C',
        BreakerState::Open => 'O',
        BreakerState::HalfOpen => 'H',
    }
}

/// A whole call asked for at `now` and taking `took`; returns whether it was refused.
fn whole_call(b: &mut Breaker, now: &mut SimTime, failed: bool, took: SimTime) -> bool {
    let permit = b.try_acquire(*now);
    *now = now.add(took);
    match permit {
        Some(p) => {
            b.record(*now, p, failed, took);
            false
        }
        None => true,
    }
}

/// Runs a row's steps, returning the state letters, the opens and the calls refused; checks after each step that the state times add up to
/// the clock and that the change log is a chain from closed to the current state.
fn play(row: &Row) -> (String, u64, u64) {
    let mut b = Breaker::new(&row.params);
    let slow = ms(row.params.slow_call_ms as u64 + 1);
    let mut now = SimTime::ZERO;
    let mut held: [Option<(Permit, SimTime)>; 4] = [None; 4];
    let mut out = Vec::new();
    for step in row.steps.split_whitespace() {
        let refused = match step.as_bytes() {
            b"S" => whole_call(&mut b, &mut now, false, ms(1)),
            b"F" => whole_call(&mut b, &mut now, true, ms(1)),
            b"L" => whole_call(&mut b, &mut now, false, slow),
            b"T" => b.try_acquire(now).is_none(),
            [b'W', n @ ..] => {
                now = now.add(ms(std::str::from_utf8(n).unwrap().parse().unwrap()));
                false
            }
            [b'B', k] => {
                let p = b.try_acquire(now);
                held[usize::from(k - b'0')] = p.map(|p| (p, now));
                p.is_none()
            }
            [b'E', k, outcome] => {
                let (p, began) = held[usize::from(k - b'0')]
                    .take()
                    .expect("E<k> without a held call");
                b.record(now, p, *outcome == b'f', now.since(began));
                false
            }
            _ => panic!("{}: unknown step {step}", row.what),
        };
        let c = letter(b.state());
        out.push(if refused { c.to_ascii_lowercase() } else { c });

        let times = b.state_time(now);
        assert_eq!(
            times.iter().sum::<u64>(),
            now.as_nanos(),
            "{}: state times {times:?} do not add up to {now:?}",
            row.what
        );
        let mut from = BreakerState::Closed;
        let mut last = SimTime::ZERO;
        for (at, to) in b.changes() {
            assert!(
                to != from && at >= last && at <= now,
                "{}: bad change log",
                row.what
            );
            (from, last) = (to, at);
        }
        assert_eq!(from, b.state(), "{}: change log ends elsewhere", row.what);
        assert_eq!(b.changes().count() as u64, b.change_count());
    }
    let states: Vec<String> = out.into_iter().map(String::from).collect();
    (states.join(" "), b.opens(), b.short_circuited())
}

fn table() -> Vec<Row> {
    vec![
        Row {
            what: "minimum_calls not reached: closed at 100 % failures, opens at the 5th",
            params: count(10, 5, 0.5),
            steps: "F F F F F F",
            states: "C C C C O o",
            opens: 1,
            short_circuited: 1,
        },
        Row {
            what: "opens at exactly the failure rate, when minimum_calls is reached",
            params: count(10, 4, 0.5),
            steps: "F S F S",
            states: "C C C O",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "5 of 10 meets 0.5 at the 10th call",
            params: count(10, 10, 0.5),
            steps: "F S F S F S F S F S",
            states: "C C C C C C C C C O",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "4 of 10 stays under 0.5",
            params: count(10, 10, 0.5),
            steps: "F S F S F S F S S S",
            states: "C C C C C C C C C C",
            opens: 0,
            short_circuited: 0,
        },
        Row {
            what: "3 of 10 meets 0.3 exactly (no float slack)",
            params: count(10, 10, 0.3),
            steps: "S S S S S S S F F F",
            states: "C C C C C C C C C O",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "count window: two failures within 4 calls reach 0.4",
            params: count(4, 4, 0.4),
            steps: "F S S F",
            states: "C C C O",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "count window slides: each failure has left when the next arrives 4 calls later",
            params: count(4, 4, 0.4),
            steps: "F S S S F S S S F S S S F",
            states: "C C C C C C C C C C C C C",
            opens: 0,
            short_circuited: 0,
        },
        Row {
            what: "count window slides: old successes leave, 2 of the last 4 open (3 of all 9 would not)",
            params: count(4, 4, 0.5),
            steps: "S F S S S S F S F",
            states: "C C C C C C C C O",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "count window smaller than minimum_calls opens once full",
            params: count(3, 10, 0.5),
            steps: "F F F",
            states: "C C O",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "time window: a failure recorded 999 ms earlier is still in",
            params: time(1, 2, 0.5),
            steps: "F W998 F",
            states: "C C O",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "time window: a failure recorded exactly 1 s earlier has left",
            params: time(1, 2, 0.5),
            steps: "F W999 F",
            states: "C C C",
            opens: 0,
            short_circuited: 0,
        },
        Row {
            what: "time window: minimum_calls counts only the calls still in the window",
            params: time(1, 3, 0.5),
            steps: "F F W2000 F S F",
            states: "C C C C C O",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "slow-call rate opens (2 of 4 slow at 0.5) while failures are not counted",
            params: BreakerParams {
                slow_call_rate: 0.5,
                ..count(4, 4, 1.0)
            },
            steps: "L S L S",
            states: "C C C O",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "slow-call rate under its threshold stays closed",
            params: BreakerParams {
                slow_call_rate: 0.5,
                ..count(4, 4, 1.0)
            },
            steps: "L S S S L S S S",
            states: "C C C C C C C C",
            opens: 0,
            short_circuited: 0,
        },
        Row {
            what: "open fails fast; half-open exactly open_ms after opening; 3 trials then refusals",
            params: count(4, 4, 0.5),
            // Opens at 4 ms; half-open from 1004 ms.
            steps: "F F F F T T W999 T W1 T T T T T",
            states: "C C C O o o O o O H H H h h",
            opens: 1,
            short_circuited: 5,
        },
        Row {
            what: "half-open closes on successful trials, with an empty window",
            params: count(10, 4, 0.5),
            // Closes at 1007 ms; the three failures after it are below minimum_calls again.
            steps: "F F F F W1000 S S S F F F F",
            states: "C C C O O H H C C C C O",
            opens: 2,
            short_circuited: 0,
        },
        Row {
            what: "half-open closes when one trial in three fails (under 0.5)",
            params: count(4, 4, 0.5),
            steps: "F F F F W1000 S S F",
            states: "C C C O O H H C",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "half-open reopens on failing trials, for open_ms from the reopening",
            params: count(4, 4, 0.5),
            // Reopens at 1007 ms; half-open again from 2007 ms.
            steps: "F F F F W1000 S F F T W999 T W1 T",
            states: "C C C O O H H O o O o O H",
            opens: 2,
            short_circuited: 2,
        },
        Row {
            what: "half-open reopens on slow trials",
            params: BreakerParams {
                slow_call_rate: 0.5,
                ..count(4, 4, 1.0)
            },
            steps: "L L L L W1000 L L S",
            states: "C C C O O H H O",
            opens: 2,
            short_circuited: 0,
        },
        Row {
            what: "a call held across a period counts in its own closed period",
            params: count(4, 4, 0.5),
            steps: "B1 F F F E1f",
            states: "C C C C O",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "a stale permit (from before the opening) is ignored by half-open",
            params: BreakerParams {
                half_open_calls: 2,
                ..count(4, 4, 0.5)
            },
            // Counted, the stale failure would make 1 of 2 trials failed and reopen.
            steps: "B1 F F F F W1000 S E1f S",
            states: "C C C C O O H H C",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "a stale permit (from the closed period before the opening) is ignored once closed again",
            params: count(10, 4, 0.5),
            // Counted, the stale failure would be the 4th of 4 in the new window.
            steps: "B1 F F F F W1000 S S S F F F E1f",
            states: "C C C C O O H H C C C C C",
            opens: 1,
            short_circuited: 0,
        },
        Row {
            what: "a stale permit returning while open changes nothing",
            params: count(4, 4, 0.5),
            steps: "B1 F F F F E1s W1000 T",
            states: "C C C C O O O H",
            opens: 1,
            short_circuited: 0,
        },
    ]
}

#[test]
fn breaker_follows_the_state_table() {
    let mut wrong = Vec::new();
    for row in table() {
        assert_eq!(
            row.steps.split_whitespace().count(),
            row.states.split_whitespace().count(),
            "{}: the row's steps and states differ in length",
            row.what
        );
        let got = play(&row);
        let want = (row.states.to_string(), row.opens, row.short_circuited);
        if got != want {
            wrong.push(format!(
                "{}\n  steps {}\n  want  {} (opens {}, short-circuited {})\n  got   {} (opens {}, short-circuited {})",
                row.what, row.steps, want.0, want.1, want.2, got.0, got.1, got.2
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn breaker_state_time_splits_at_the_open_deadline_and_sums_to_now() {
    let mut b = Breaker::new(&count(4, 4, 0.5));
    let mut now = SimTime::ZERO;
    for _ in 0..4 {
        whole_call(&mut b, &mut now, true, ms(1));
    }
    assert_eq!(b.state(), BreakerState::Open);
    assert_eq!(b.state_time(ms(500)), [4 * MS, 496 * MS, 0]);
    // Nobody calls for 3 s: the state still reads open, but the time past 1004 ms is half-open already.
    now = ms(3004);
    assert_eq!(b.state(), BreakerState::Open);
    assert_eq!(b.state_time(now), [4 * MS, 1000 * MS, 2000 * MS]);
    for _ in 0..3 {
        whole_call(&mut b, &mut now, false, ms(1)); // three successful trials close it at 3007 ms
    }
    assert_eq!(b.state(), BreakerState::Closed);
    assert_eq!(
        b.state_time(ms(5000)),
        [(4 + 5000 - 3007) * MS, 1000 * MS, (3007 - 1004) * MS]
    );
    let changes: Vec<_> = b.changes().collect();
    assert_eq!(
        changes,
        [
            (ms(4), BreakerState::Open),
            (ms(1004), BreakerState::HalfOpen),
            (ms(3007), BreakerState::Closed),
        ]
    );
    assert_eq!(b.change_count(), 3);
    assert_eq!((b.opens(), b.short_circuited()), (1, 0));
}

#[test]
fn breaker_state_names_and_indices() {
    let all = [
        BreakerState::Closed,
        BreakerState::Open,
        BreakerState::HalfOpen,
    ];
    let got: Vec<(usize, &str)> = all.iter().map(|s| (s.index(), s.name())).collect();
    assert_eq!(got, [(0, "closed"), (1, "open"), (2, "half-open")]);
    assert_eq!(
        Breaker::new(&BreakerParams::default()).state(),
        BreakerState::Closed
    );
}
