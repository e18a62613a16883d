//! The five limiting algorithms as one rule (the limit, window, burst and emission interval in integer
//! nanoseconds) over a small per-key state: `decide` checks and updates, `record` applies an admission
//! without checking (what a distributed limiter's sync does with the other instances' admissions).

use std::collections::VecDeque;

use crate::components::rate_limiter::{Algorithm, Decision, LimiterParams};
use crate::time::SimTime;

/// An algorithm with its numbers, all integers: `window` W [ns, ≥ 1], `limit` L [≥ 1], `burst` B, and the
/// emission interval T = max(1, ⌊W / L⌋) [ns].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rule {
    pub algorithm: Algorithm,
    pub limit: u64,
    pub window: u64,
    pub burst: u64,
    pub interval: u64,
}

/// One key's state. Every fresh state is the same whatever the time, so creating one early changes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// fixed window: the window index ⌊t / W⌋ last seen and the admissions counted in it
    Fixed { idx: u64, count: u64 },
    /// sliding log: the times of the admissions in (now − W, now], oldest first
    Log(VecDeque<u64>),
    /// sliding window counter: the current fixed window's index, its count and the previous window's count
    Sliding { idx: u64, prev: u64, cur: u64 },
    /// token bucket: credit [ns of emission time; negative = debt] as of `last`
    Token { credit: i128, last: u64 },
    /// leaky bucket: the earliest time the next request may leave
    Leaky { next_free: u64 },
}

impl Rule {
    /// The rule of `p`, with every number clamped to where it means something (`limit` and the window at
    /// least 1).
    pub fn new(p: &LimiterParams) -> Rule {
        let limit = u64::from(p.limit.max(1));
        let window = SimTime::from_ms(p.window_ms).as_nanos().max(1);
        Rule {
            algorithm: p.algorithm,
            limit,
            window,
            burst: u64::from(p.burst.unwrap_or(p.limit)),
            interval: (window / limit).max(1),
        }
    }

    /// The token bucket's capacity B·T [ns of credit].
    fn capacity(&self) -> i128 {
        i128::from(self.burst) * i128::from(self.interval)
    }

    /// A key's state before its first request.
    pub fn fresh(&self) -> State {
        match self.algorithm {
            Algorithm::FixedWindow => State::Fixed { idx: 0, count: 0 },
            Algorithm::SlidingLog => State::Log(VecDeque::new()),
            Algorithm::SlidingWindow => State::Sliding {
                idx: 0,
                prev: 0,
                cur: 0,
            },
            Algorithm::TokenBucket => State::Token {
                credit: self.capacity(),
                last: 0,
            },
            Algorithm::LeakyBucket => State::Leaky { next_free: 0 },
        }
    }

    /// Moves `s` to time `now` (a new window, log entries falling out, credit refilled) without deciding.
    fn advance(&self, s: &mut State, now: u64) {
        match s {
            State::Fixed { idx, count } => {
                let k = now / self.window;
                if k > *idx {
                    *idx = k;
                    *count = 0;
                }
            }
            State::Log(log) => {
                while log
                    .front()
                    .is_some_and(|&t| t.saturating_add(self.window) <= now)
                {
                    log.pop_front();
                }
            }
            State::Sliding { idx, prev, cur } => {
                let k = now / self.window;
                if k > *idx {
                    *prev = if k == *idx + 1 { *cur } else { 0 };
                    *cur = 0;
                    *idx = k;
                }
            }
            State::Token { credit, last } => {
                if now > *last {
                    *credit = (*credit + i128::from(now - *last)).min(self.capacity());
                    *last = now;
                }
            }
            State::Leaky { .. } => {}
        }
    }

    /// Whether a request at `now` may pass, and what that does to `s` (an admission is counted; a rejection
    /// leaves only the move to `now`).
    pub fn decide(&self, s: &mut State, now: u64) -> Decision {
        self.advance(s, now);
        let ok = match s {
            State::Fixed { count, .. } => *count < self.limit,
            State::Log(log) => (log.len() as u64) < self.limit,
            State::Sliding { idx, prev, cur } => {
                // prev·(W − elapsed)/W + cur < L, multiplied out by W so that it is exact
                let w = u128::from(self.window);
                let elapsed = u128::from(now - *idx * self.window);
                let estimate = u128::from(*prev)
                    .saturating_mul(w - elapsed)
                    .saturating_add(u128::from(*cur).saturating_mul(w));
                estimate < u128::from(self.limit) * w
            }
            State::Token { credit, .. } => *credit >= i128::from(self.interval),
            State::Leaky { next_free } => {
                let wait = next_free.saturating_sub(now);
                u128::from(wait) <= u128::from(self.burst) * u128::from(self.interval)
            }
        };
        if !ok {
            return Decision::Reject;
        }
        let release = self.take(s, now);
        if release > now {
            Decision::Delay(SimTime(release))
        } else {
            Decision::Admit
        }
    }

    /// Applies an admission at `now` whatever the state says: counts may pass the limit, credit may go into
    /// debt, the leaky bucket's queue may pass its room.
    pub fn record(&self, s: &mut State, now: u64) {
        self.advance(s, now);
        self.take(s, now);
    }

    /// Counts an admission at `now` (after `advance`); returns when it leaves (later than `now` only for the
    /// leaky bucket).
    fn take(&self, s: &mut State, now: u64) -> u64 {
        match s {
            State::Fixed { count, .. } | State::Sliding { cur: count, .. } => *count += 1,
            State::Log(log) => log.push_back(now),
            State::Token { credit, .. } => *credit -= i128::from(self.interval),
            State::Leaky { next_free } => {
                let release = now.max(*next_free);
                *next_free = release.saturating_add(self.interval);
                return release;
            }
        }
        now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(algorithm: Algorithm, limit: u32, window_ms: f64, burst: Option<u32>) -> Rule {
        Rule::new(&LimiterParams {
            algorithm,
            limit,
            window_ms,
            burst,
            ..LimiterParams::default()
        })
    }

    const MS: u64 = 1_000_000;

    #[test]
    fn the_rule_is_in_whole_nanoseconds() {
        let r = rule(Algorithm::TokenBucket, 3, 1000.0, None);
        assert_eq!((r.limit, r.window, r.burst), (3, 1000 * MS, 3));
        assert_eq!(r.interval, 333_333_333, "T = ⌊W / L⌋");
        let r = rule(Algorithm::TokenBucket, 1000, 0.0001, Some(7));
        assert_eq!(
            (r.window, r.interval, r.burst),
            (100, 1, 7),
            "T is at least 1 ns"
        );
        assert_eq!(rule(Algorithm::FixedWindow, 0, 0.0, None).window, 1);
    }

    #[test]
    fn a_forced_record_passes_the_limit_and_the_state_remembers() {
        let r = rule(Algorithm::FixedWindow, 1, 1000.0, None);
        let mut s = r.fresh();
        assert_eq!(r.decide(&mut s, 0), Decision::Admit);
        r.record(&mut s, 1);
        assert_eq!(s, State::Fixed { idx: 0, count: 2 });
        assert_eq!(r.decide(&mut s, 999 * MS), Decision::Reject);
        assert_eq!(r.decide(&mut s, 1000 * MS), Decision::Admit);

        let r = rule(Algorithm::TokenBucket, 10, 1000.0, Some(1));
        let mut s = r.fresh();
        r.record(&mut s, 0);
        r.record(&mut s, 0);
        assert_eq!(
            s,
            State::Token {
                credit: -100 * MS as i128,
                last: 0
            },
            "debt"
        );
        assert_eq!(r.decide(&mut s, 199 * MS), Decision::Reject);
        assert_eq!(r.decide(&mut s, 200 * MS), Decision::Admit);
    }

    #[test]
    fn the_sliding_log_drops_what_leaves_the_window() {
        let r = rule(Algorithm::SlidingLog, 2, 1000.0, None);
        let mut s = r.fresh();
        for t in [0, 10, 20, 999, 1000, 1010, 1011] {
            r.decide(&mut s, t * MS);
        }
        // admitted: 0, 10, then 1000 (0 has left) and 1010 (10 has left); the log keeps only (11 ms, 1011 ms]
        assert_eq!(s, State::Log(VecDeque::from([1000 * MS, 1010 * MS])));
    }

    #[test]
    fn the_sliding_counter_weighs_the_previous_window_and_forgets_a_skipped_one() {
        let r = rule(Algorithm::SlidingWindow, 2, 1000.0, None);
        let mut s = r.fresh();
        assert_eq!(r.decide(&mut s, 0), Decision::Admit);
        assert_eq!(r.decide(&mut s, MS), Decision::Admit);
        assert_eq!(r.decide(&mut s, 2 * MS), Decision::Reject);
        // 2·(1000 − 200)/1000 + 0 = 1.6 < 2
        assert_eq!(r.decide(&mut s, 1200 * MS), Decision::Admit);
        // 2·0.7 + 1 = 2.4
        assert_eq!(r.decide(&mut s, 1300 * MS), Decision::Reject);
        // exactly 2·0.5 + 1 = 2 is not below 2: the integer comparison has no rounding to hide behind
        assert_eq!(r.decide(&mut s, 1500 * MS), Decision::Reject);
        assert_eq!(r.decide(&mut s, 3100 * MS), Decision::Admit);
        assert_eq!(
            s,
            State::Sliding {
                idx: 3,
                prev: 0,
                cur: 1
            },
            "window 2 was empty"
        );
    }
}
