//! The circuit breaker's state machine (the Resilience4j model): closed, open, half-open; a count- or
//! time-based sliding window judged after every recorded outcome; fail fast while open.
//!
//! The engine asks [`Breaker::try_acquire`] before a call goes out and hands the call's outcome back with
//! [`Breaker::record`]. Everything is integer nanoseconds and counts; the one float step is the rate
//! comparison, `bad / calls ≥ threshold` (IEEE division, so `5 / 10` meets `0.5` and `3 / 10` meets `0.3`
//! exactly, natively and in wasm32). Nothing here draws a random number or reads a clock.
//!
//! Rules, in the order they apply:
//!
//! - **Closed**: every call is let through. Its outcome enters the sliding window, and the window is judged
//!   right after each recorded outcome (as Resilience4j does), never on a timer: once it holds at least
//!   `minimum_calls` calls and the failure rate reaches `failure_rate`, or the slow-call rate reaches
//!   `slow_call_rate`, the breaker opens. For a count window `minimum_calls` is capped at `window_size`
//!   (as Resilience4j caps it), so a window smaller than the minimum still opens once full.
//! - A call is **slow** when it took strictly longer than `slow_call_ms` (Resilience4j's `>`); a call that
//!   took exactly `slow_call_ms` is not slow. A failed call can be slow too and then counts in both rates.
//! - A rate threshold of 0 means "any": the rate opens the breaker once at least one call of that kind is
//!   in the window (a window without failures never meets a failure threshold).
//! - **Open**: every call is refused (it fails fast; [`Breaker::short_circuited`] counts it) until
//!   `open_ms` has passed since the breaker opened. The move to half-open is lazy: it happens in the first
//!   `try_acquire` at or after `opened_at + open_ms`, but it is dated `opened_at + open_ms` exactly — the
//!   change is recorded at that time and [`Breaker::state_time`] ends the open period there (also when
//!   asked before any call has come along to make the move).
//! - **Half-open**: the first `half_open_calls` calls are let through as trials, later ones are refused.
//!   When every trial's outcome is in, a failure rate or slow-call rate at its threshold opens the
//!   breaker again; otherwise it closes with an empty window.
//! - A [`Permit`] belongs to the state period it was granted in; an outcome recorded with a permit from an
//!   earlier period is ignored (a call that went out while closed and returns after the breaker opened
//!   changes nothing, nor does a pre-opening call returning into a half-open period).
//!
//! The engine must record every permitted call's outcome (a timed-out call as a failure): a half-open
//! breaker whose trial never reports back stays half-open.
//!
//! Parameters out of range (0 for `window_size`, `minimum_calls` or `half_open_calls`) are taken as 1;
//! [`BreakerParams::problems`] reports them.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::resilience::{BreakerParams, BreakerWindow};
use crate::time::{NANOS_PER_SEC, SimTime};

/// How many state changes a breaker keeps (the newest); [`Breaker::change_count`] counts all of them.
pub const CHANGES_KEPT: usize = 256;

/// A breaker's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// calls go out; their outcomes fill the sliding window
    #[default]
    Closed,
    /// calls fail fast without being sent
    Open,
    /// a few trial calls go out to decide between closed and open
    HalfOpen,
}

impl BreakerState {
    /// Every state, in [`BreakerState::index`] order.
    pub const ALL: [BreakerState; 3] = [
        BreakerState::Closed,
        BreakerState::Open,
        BreakerState::HalfOpen,
    ];

    /// 0 closed, 1 open, 2 half-open (the index into [`Breaker::state_time`]).
    pub fn index(self) -> usize {
        match self {
            BreakerState::Closed => 0,
            BreakerState::Open => 1,
            BreakerState::HalfOpen => 2,
        }
    }

    /// `"closed"`, `"open"` or `"half-open"`.
    pub fn name(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        }
    }
}

/// Proof that a call was let through, tied to the breaker's state period it started in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permit(u64);

/// Outcome counts: calls, failed calls, slow calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tally {
    calls: u64,
    failed: u64,
    slow: u64,
}

impl Tally {
    fn one(failed: bool, slow: bool) -> Tally {
        Tally {
            calls: 1,
            failed: u64::from(failed),
            slow: u64::from(slow),
        }
    }

    fn add(&mut self, o: Tally) {
        self.calls += o.calls;
        self.failed += o.failed;
        self.slow += o.slow;
    }

    fn sub(&mut self, o: Tally) {
        self.calls -= o.calls;
        self.failed -= o.failed;
        self.slow -= o.slow;
    }
}

/// One recorded outcome in a count window: bit 0 failed, bit 1 slow.
const FAILED: u8 = 1;
const SLOW: u8 = 2;

/// The closed state's sliding window, with running counts.
#[derive(Clone, Debug)]
enum Window {
    /// The last `size` outcomes: a ring buffer that grows to `size`, then overwrites its oldest slot.
    Count {
        ring: Vec<u8>,
        /// the slot the next outcome goes to once the ring is full
        next: usize,
        size: usize,
        tally: Tally,
    },
    /// The outcomes recorded in the last `span` ns, oldest first; outcomes recorded at the same instant
    /// share an entry.
    Time {
        calls: VecDeque<(SimTime, Tally)>,
        span: u64,
        tally: Tally,
    },
}

impl Window {
    fn new(p: &BreakerParams) -> Window {
        let size = p.window_size.max(1);
        match p.window {
            BreakerWindow::Count => Window::Count {
                ring: Vec::new(),
                next: 0,
                size: size as usize,
                tally: Tally::default(),
            },
            BreakerWindow::Time => Window::Time {
                calls: VecDeque::new(),
                span: u64::from(size) * NANOS_PER_SEC,
                tally: Tally::default(),
            },
        }
    }

    /// Adds an outcome recorded at `now` (dropping what leaves the window) and returns the window's counts.
    fn push(&mut self, now: SimTime, failed: bool, slow: bool) -> Tally {
        match self {
            Window::Count {
                ring,
                next,
                size,
                tally,
            } => {
                let bits = if failed { FAILED } else { 0 } | if slow { SLOW } else { 0 };
                if ring.len() < *size {
                    ring.push(bits);
                } else {
                    let old = ring[*next];
                    tally.sub(Tally::one(old & FAILED != 0, old & SLOW != 0));
                    ring[*next] = bits;
                    *next = (*next + 1) % *size;
                }
                tally.add(Tally::one(failed, slow));
                *tally
            }
            Window::Time { calls, span, tally } => {
                // A call recorded at t is in the window at `now` iff now − t < span.
                while let Some(&(t, old)) = calls.front() {
                    if now.since(t).as_nanos() < *span {
                        break;
                    }
                    tally.sub(old);
                    calls.pop_front();
                }
                let one = Tally::one(failed, slow);
                match calls.back_mut() {
                    Some((t, last)) if *t == now => last.add(one),
                    _ => calls.push_back((now, one)),
                }
                tally.add(one);
                *tally
            }
        }
    }

    /// Empties the window (and frees its memory).
    fn clear(&mut self) {
        match self {
            Window::Count {
                ring, next, tally, ..
            } => {
                *ring = Vec::new();
                *next = 0;
                *tally = Tally::default();
            }
            Window::Time { calls, tally, .. } => {
                *calls = VecDeque::new();
                *tally = Tally::default();
            }
        }
    }
}

/// Whether `bad` of `calls` reaches `threshold` (a threshold of 0 needs at least one bad call).
fn reaches(bad: u64, calls: u64, threshold: f64) -> bool {
    bad > 0 && calls > 0 && bad as f64 / calls as f64 >= threshold
}

/// A circuit breaker on one call edge (see the module docs for its rules).
#[derive(Clone, Debug)]
pub struct Breaker {
    failure_rate: f64,
    slow_rate: f64,
    /// a call that took longer than this is slow
    slow_after: SimTime,
    open_for: SimTime,
    /// calls the closed window must hold before it is judged
    minimum_calls: u64,
    half_open_calls: u64,

    state: BreakerState,
    /// bumped on every state change; a permit carries the value it was granted under
    generation: u64,
    /// when the current state began
    since: SimTime,
    /// time spent in each state before the current one began [ns]
    spent: [u64; 3],

    window: Window,
    /// half-open: trial calls let through, and the outcomes of those that came back
    trials_permitted: u64,
    trials: Tally,

    opens: u64,
    short_circuited: u64,
    changes: VecDeque<(SimTime, BreakerState)>,
    change_count: u64,
}

impl Breaker {
    /// A closed breaker at time 0 with an empty window.
    pub fn new(p: &BreakerParams) -> Breaker {
        let window_size = u64::from(p.window_size.max(1));
        let mut minimum_calls = u64::from(p.minimum_calls.max(1));
        if p.window == BreakerWindow::Count {
            minimum_calls = minimum_calls.min(window_size);
        }
        Breaker {
            failure_rate: p.failure_rate,
            slow_rate: p.slow_call_rate,
            slow_after: SimTime::from_ms(p.slow_call_ms),
            open_for: SimTime::from_ms(p.open_ms),
            minimum_calls,
            half_open_calls: u64::from(p.half_open_calls.max(1)),
            state: BreakerState::Closed,
            generation: 0,
            since: SimTime::ZERO,
            spent: [0; 3],
            window: Window::new(p),
            trials_permitted: 0,
            trials: Tally::default(),
            opens: 0,
            short_circuited: 0,
            changes: VecDeque::new(),
            change_count: 0,
        }
    }

    /// The current state. An open breaker whose `open_ms` has passed still reads open until the next
    /// [`Breaker::try_acquire`] moves it (dated back to when `open_ms` ran out).
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// When an open breaker turns half-open: `open_ms` after it opened.
    fn open_until(&self) -> SimTime {
        self.since.add(self.open_for)
    }

    /// Moves to `to` at `at`: closes the books on the current state and starts a new permit generation.
    fn enter(&mut self, to: BreakerState, at: SimTime) {
        self.spent[self.state.index()] += at.since(self.since).as_nanos();
        self.state = to;
        self.since = self.since.max(at);
        self.generation += 1;
        if self.changes.len() == CHANGES_KEPT {
            self.changes.pop_front();
        }
        self.changes.push_back((self.since, to));
        self.change_count += 1;
        match to {
            BreakerState::Closed => self.window.clear(),
            BreakerState::Open => {
                self.opens += 1;
                // The window is not used again until the breaker closes, and it closes empty.
                self.window.clear();
            }
            BreakerState::HalfOpen => {
                self.trials_permitted = 0;
                self.trials = Tally::default();
            }
        }
    }

    /// May a call go out at `now`? Closed: always. Open: no, until `open_ms` has passed; the first call at
    /// or after that moves the breaker to half-open (dated when `open_ms` ran out) and is judged there.
    /// Half-open: only while fewer than `half_open_calls` trials have been let through in this half-open
    /// period. A refused call fails fast and is counted in [`Breaker::short_circuited`].
    pub fn try_acquire(&mut self, now: SimTime) -> Option<Permit> {
        if self.state == BreakerState::Open && now >= self.open_until() {
            let at = self.open_until();
            self.enter(BreakerState::HalfOpen, at);
        }
        let granted = match self.state {
            BreakerState::Closed => true,
            BreakerState::Open => false,
            BreakerState::HalfOpen => {
                if self.trials_permitted < self.half_open_calls {
                    self.trials_permitted += 1;
                    true
                } else {
                    false
                }
            }
        };
        if granted {
            Some(Permit(self.generation))
        } else {
            self.short_circuited += 1;
            None
        }
    }

    /// The outcome of a permitted call, finishing at `now` after `took`. A permit from an earlier state
    /// period is ignored. Closed: the outcome enters the window, which is judged at once (→ open at a
    /// threshold). Half-open: when the last trial's outcome is in, a rate at its threshold → open again,
    /// else → closed with an empty window.
    pub fn record(&mut self, now: SimTime, permit: Permit, failed: bool, took: SimTime) {
        if permit.0 != self.generation {
            return;
        }
        let slow = took > self.slow_after;
        match self.state {
            BreakerState::Closed => {
                let t = self.window.push(now, failed, slow);
                if t.calls >= self.minimum_calls && self.trips(t) {
                    self.enter(BreakerState::Open, now);
                }
            }
            BreakerState::HalfOpen => {
                self.trials.add(Tally::one(failed, slow));
                if self.trials.calls >= self.half_open_calls {
                    let to = if self.trips(self.trials) {
                        BreakerState::Open
                    } else {
                        BreakerState::Closed
                    };
                    self.enter(to, now);
                }
            }
            // No permit is granted while open, so none can match.
            BreakerState::Open => {}
        }
    }

    /// Whether counts reach the failure-rate or the slow-call-rate threshold.
    fn trips(&self, t: Tally) -> bool {
        reaches(t.failed, t.calls, self.failure_rate) || reaches(t.slow, t.calls, self.slow_rate)
    }

    /// Times the breaker opened (closed → open and half-open → open).
    pub fn opens(&self) -> u64 {
        self.opens
    }

    /// Calls refused because the breaker was open (or half-open with every trial let through).
    pub fn short_circuited(&self) -> u64 {
        self.short_circuited
    }

    /// Time spent in each state from 0 to `now` [ns], indexed by [`BreakerState::index`]; sums to `now`.
    /// An open period ends `open_ms` after it began even when no call has yet moved the breaker to
    /// half-open: the time after that counts as half-open, as the move will be dated then.
    pub fn state_time(&self, now: SimTime) -> [u64; 3] {
        let mut out = self.spent;
        let (mut state, mut since) = (self.state, self.since);
        if state == BreakerState::Open && now >= self.open_until() {
            out[BreakerState::Open.index()] += self.open_until().since(since).as_nanos();
            (state, since) = (BreakerState::HalfOpen, self.open_until());
        }
        out[state.index()] += now.since(since).as_nanos();
        out
    }

    /// The state changes so far as `(when, new state)`, oldest first: the last [`CHANGES_KEPT`] of them.
    pub fn changes(&self) -> impl Iterator<Item = (SimTime, BreakerState)> + '_ {
        self.changes.iter().copied()
    }

    /// State changes so far, including those [`Breaker::changes`] no longer holds.
    pub fn change_count(&self) -> u64 {
        self.change_count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    fn ms(n: u64) -> SimTime {
        SimTime(n * MS)
    }

    fn params(window_size: u32, minimum_calls: u32, failure_rate: f64) -> BreakerParams {
        BreakerParams {
            window: BreakerWindow::Count,
            window_size,
            minimum_calls,
            failure_rate,
            slow_call_ms: 100.0,
            slow_call_rate: 1.0,
            open_ms: 1000.0,
            half_open_calls: 2,
        }
    }

    /// One call at `at` that takes `took_ms`; returns whether it was let through.
    fn call(b: &mut Breaker, at: SimTime, failed: bool, took_ms: u64) -> bool {
        match b.try_acquire(at) {
            Some(p) => {
                b.record(at.add(ms(took_ms)), p, failed, ms(took_ms));
                true
            }
            None => false,
        }
    }

    #[test]
    fn state_names_and_indices() {
        let got: Vec<(usize, &str)> = BreakerState::ALL
            .iter()
            .map(|s| (s.index(), s.name()))
            .collect();
        assert_eq!(got, [(0, "closed"), (1, "open"), (2, "half-open")]);
        assert_eq!(BreakerState::default(), BreakerState::Closed);
        let json: Vec<String> = BreakerState::ALL
            .iter()
            .map(|s| serde_json::to_string(s).unwrap())
            .collect();
        assert_eq!(json, ["\"closed\"", "\"open\"", "\"half_open\""]);
    }

    #[test]
    fn count_ring_keeps_exact_running_counts() {
        let p = params(3, 1, 2.0); // a rate of 2 is never reached: only the counts matter
        let mut w = Window::new(&p);
        let pattern = [true, false, false, true, true, false, true, false];
        for (i, &f) in pattern.iter().enumerate() {
            let t = w.push(SimTime(i as u64), f, !f);
            let lo = (i + 1).saturating_sub(3);
            let failed = pattern[lo..=i].iter().filter(|&&x| x).count() as u64;
            let calls = (i + 1 - lo) as u64;
            assert_eq!(
                t,
                Tally {
                    calls,
                    failed,
                    slow: calls - failed
                },
                "after outcome {i}"
            );
        }
    }

    #[test]
    fn time_window_prunes_at_exactly_its_span_and_merges_instants() {
        let mut p = params(1, 1, 2.0);
        p.window = BreakerWindow::Time;
        let mut w = Window::new(&p);
        let sec = NANOS_PER_SEC;
        assert_eq!(w.push(SimTime(0), true, false).calls, 1);
        assert_eq!(w.push(SimTime(0), false, false).calls, 2);
        let Window::Time { calls, .. } = &w else {
            panic!("a time window")
        };
        assert_eq!(calls.len(), 1, "same instant, one entry");
        // At 1 s − 1 ns both are still in; at 1 s + 5 they have left.
        assert_eq!(w.push(SimTime(sec - 1), false, false).calls, 3);
        let t = w.push(SimTime(sec + 5), false, true);
        assert_eq!(
            t,
            Tally {
                calls: 2,
                failed: 0,
                slow: 1
            }
        );
        // The entry at 1 s − 1 ns leaves exactly at 2 s − 1 ns.
        let t = w.push(SimTime(2 * sec - 1), false, false);
        assert_eq!(t.calls, 2);
    }

    #[test]
    fn slow_means_strictly_longer_than_the_threshold() {
        let mut p = params(2, 2, 1.0);
        p.slow_call_rate = 1.0;
        let mut b = Breaker::new(&p);
        // Exactly 100 ms twice: not slow.
        call(&mut b, ms(0), false, 100);
        call(&mut b, ms(200), false, 100);
        assert_eq!(b.state(), BreakerState::Closed);
        // 100 ms + 1 ns twice: slow.
        for at in [ms(400), ms(600)] {
            let permit = b.try_acquire(at).unwrap();
            b.record(
                at.add(ms(100)).add(SimTime(1)),
                permit,
                false,
                ms(100).add(SimTime(1)),
            );
        }
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[test]
    fn a_slow_failure_counts_in_both_rates() {
        let mut p = params(2, 2, 0.5);
        p.slow_call_rate = 0.5;
        p.failure_rate = 1.0;
        let mut b = Breaker::new(&p);
        call(&mut b, ms(0), false, 1);
        // One slow failure: failure rate 1/2 < 1, slow rate 1/2 ≥ 0.5.
        call(&mut b, ms(10), true, 500);
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[test]
    fn a_zero_threshold_needs_one_bad_call() {
        let mut p = params(5, 2, 0.0);
        p.slow_call_rate = 0.0;
        let mut b = Breaker::new(&p);
        for i in 0..5 {
            call(&mut b, ms(i * 10), false, 1);
        }
        assert_eq!(b.state(), BreakerState::Closed, "no failure, no slow call");
        call(&mut b, ms(100), true, 1);
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[test]
    fn count_window_caps_minimum_calls_at_its_size() {
        let mut b = Breaker::new(&params(3, 10, 0.5));
        for i in 0..2 {
            call(&mut b, ms(i * 10), true, 1);
        }
        assert_eq!(b.state(), BreakerState::Closed);
        call(&mut b, ms(20), true, 1);
        assert_eq!(b.state(), BreakerState::Open, "3 calls fill a window of 3");
        // A time window keeps the full minimum.
        let mut p = params(3, 10, 0.5);
        p.window = BreakerWindow::Time;
        let mut b = Breaker::new(&p);
        for i in 0..9 {
            call(&mut b, ms(i * 10), true, 1);
        }
        assert_eq!(b.state(), BreakerState::Closed);
        call(&mut b, ms(90), true, 1);
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[test]
    fn zero_parameters_are_taken_as_one() {
        let mut p = params(0, 0, 0.5);
        p.half_open_calls = 0;
        p.open_ms = 0.0;
        let mut b = Breaker::new(&p);
        call(&mut b, ms(0), true, 1);
        assert_eq!(b.state(), BreakerState::Open);
        // open_ms 0: the next call is a half-open trial, and the only one.
        let permit = b.try_acquire(ms(1)).unwrap();
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert!(b.try_acquire(ms(1)).is_none());
        b.record(ms(2), permit, false, ms(1));
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[test]
    fn the_open_to_half_open_move_is_dated_when_open_ms_ran_out() {
        let mut b = Breaker::new(&params(2, 2, 0.5));
        call(&mut b, ms(0), true, 1);
        call(&mut b, ms(10), true, 1); // opens at 11 ms, half-open from 1011 ms
        assert_eq!(b.state(), BreakerState::Open);
        // Before any call, the time past 1011 ms already reads as half-open.
        assert_eq!(b.state_time(ms(3000)), [11 * MS, 1000 * MS, 1989 * MS]);
        assert_eq!(b.state_time(ms(500)), [11 * MS, 489 * MS, 0]);
        assert!(b.try_acquire(ms(1010)).is_none());
        assert!(b.try_acquire(ms(3000)).is_some());
        assert_eq!(b.state_time(ms(3000)), [11 * MS, 1000 * MS, 1989 * MS]);
        let changes: Vec<_> = b.changes().collect();
        assert_eq!(
            changes,
            [
                (ms(11), BreakerState::Open),
                (ms(1011), BreakerState::HalfOpen)
            ]
        );
        assert_eq!(b.short_circuited(), 1);
    }

    #[test]
    fn changes_keep_the_newest_256_and_count_all() {
        let mut p = params(1, 1, 0.5);
        p.open_ms = 0.0;
        p.half_open_calls = 1;
        let mut b = Breaker::new(&p);
        // Each round: a failure opens, the next call (a failing trial) reopens: two changes per failure
        // after the first.
        let mut t = 0;
        for _ in 0..200 {
            call(&mut b, ms(t), true, 1);
            t += 2;
        }
        // 1 (closed → open) + 199 × 2 (open → half-open → open).
        assert_eq!(b.change_count(), 399);
        assert_eq!(b.opens(), 200);
        let kept: Vec<_> = b.changes().collect();
        assert_eq!(kept.len(), CHANGES_KEPT);
        assert_eq!(*kept.last().unwrap(), (ms(399), BreakerState::Open));
        assert!(kept.windows(2).all(|w| w[0].0 <= w[1].0), "oldest first");
        assert_eq!(b.state_time(ms(t)).iter().sum::<u64>(), ms(t).as_nanos());
    }

    #[test]
    fn a_permit_from_a_closed_period_before_the_last_close_is_ignored() {
        let mut p = params(2, 2, 0.5);
        p.half_open_calls = 1;
        let mut b = Breaker::new(&p);
        let old = b.try_acquire(ms(0)).unwrap();
        call(&mut b, ms(0), true, 1);
        call(&mut b, ms(1), true, 1); // open at 2 ms
        call(&mut b, ms(1002), false, 1); // half-open trial succeeds: closed at 1003 ms
        assert_eq!(b.state(), BreakerState::Closed);
        // A closed-period permit, but of the earlier closed period.
        b.record(ms(1004), old, true, ms(1004));
        call(&mut b, ms(1005), true, 1);
        assert_eq!(b.state(), BreakerState::Closed, "only one failure counts");
    }
}
