//! Retry arithmetic: the wait before each retry (backoff, then jitter) and the retry budget's token bucket.
//! Every draw comes from the run's one generator, so a run with retries replays exactly.

use crate::resilience::{Backoff, Jitter, RetryBudget, RetryPolicy};
use crate::rng::SimRng;
use crate::time::SimTime;

/// What one call remembers between its retries: how many it made and the last wait (for decorrelated
/// jitter).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RetryState {
    /// retries made so far
    pub retries: u32,
    /// the last wait [ms], 0 before the first retry
    pub last_ms: f64,
}

impl RetryPolicy {
    /// The backoff before retry `n` (0 for the first retry), before jitter [ms]: `delay_ms` for a fixed
    /// backoff, `min(cap_ms, base_ms · 2ⁿ)` for an exponential one.
    pub fn backoff_ms(&self, n: u32) -> f64 {
        match self.backoff {
            Backoff::Fixed { delay_ms } => delay_ms,
            Backoff::Exponential { base_ms, cap_ms } => {
                // 2ⁿ by doubling, stopping at the cap, so no overflow and no `pow`.
                let mut d = base_ms;
                for _ in 0..n {
                    if d >= cap_ms || d <= 0.0 {
                        break;
                    }
                    d *= 2.0;
                }
                d.min(cap_ms)
            }
        }
    }

    /// The smallest and the largest backoff [ms]: decorrelated jitter draws between the first and three times
    /// the last wait, never past the largest.
    fn bounds_ms(&self) -> (f64, f64) {
        match self.backoff {
            Backoff::Fixed { delay_ms } => (delay_ms, delay_ms),
            Backoff::Exponential { base_ms, cap_ms } => (base_ms, cap_ms),
        }
    }

    /// The wait before the next retry of a call in `state`, with jitter drawn from `rng`; advances `state`.
    /// Jitter `none` draws nothing, so a run without jitter uses no random numbers here.
    pub fn next_delay(&self, state: &mut RetryState, rng: &mut SimRng) -> SimTime {
        let d = self.backoff_ms(state.retries);
        let ms = match self.jitter {
            Jitter::None => d,
            Jitter::Full => rng.unit() * d,
            Jitter::Equal => d / 2.0 + rng.unit() * (d / 2.0),
            Jitter::Decorrelated => {
                let (base, cap) = self.bounds_ms();
                let last = if state.retries == 0 {
                    base
                } else {
                    state.last_ms
                };
                let hi = (last * 3.0).max(base);
                (base + rng.unit() * (hi - base)).min(cap)
            }
        };
        state.retries += 1;
        state.last_ms = ms;
        SimTime::from_ms(ms)
    }
}

/// A retry budget's token bucket (see [`RetryBudget`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Budget {
    ratio: f64,
    burst: f64,
    tokens: f64,
    /// retries it refused
    pub refused: u64,
}

impl Budget {
    /// A full bucket.
    pub fn new(p: &RetryBudget) -> Budget {
        Budget {
            ratio: p.ratio,
            burst: p.burst,
            tokens: p.burst,
            refused: 0,
        }
    }

    /// A first attempt goes out: it earns `ratio` of a retry.
    pub fn on_first_attempt(&mut self) {
        self.tokens = (self.tokens + self.ratio).min(self.burst);
    }

    /// Whether a retry may go out now; takes a token when it may.
    pub fn try_retry(&mut self) -> bool {
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            self.refused += 1;
            false
        }
    }

    /// Tokens left.
    pub fn tokens(&self) -> f64 {
        self.tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(backoff: Backoff, jitter: Jitter) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 10,
            backoff,
            jitter,
            budget: None,
        }
    }

    const EXP: Backoff = Backoff::Exponential {
        base_ms: 100.0,
        cap_ms: 1000.0,
    };

    #[test]
    fn exponential_backoff_doubles_up_to_its_cap() {
        let p = policy(EXP, Jitter::None);
        let waits: Vec<f64> = (0..6).map(|n| p.backoff_ms(n)).collect();
        assert_eq!(waits, [100.0, 200.0, 400.0, 800.0, 1000.0, 1000.0]);
        assert_eq!(p.backoff_ms(1_000_000), 1000.0, "no overflow far out");
        let f = policy(Backoff::Fixed { delay_ms: 50.0 }, Jitter::None);
        assert_eq!(f.backoff_ms(7), 50.0);
    }

    #[test]
    fn no_jitter_draws_nothing_and_waits_exactly() {
        let p = policy(EXP, Jitter::None);
        let (mut rng, mut s) = (SimRng::new(3), RetryState::default());
        let waits: Vec<u64> = (0..3).map(|_| p.next_delay(&mut s, &mut rng).0).collect();
        assert_eq!(waits, [100_000_000, 200_000_000, 400_000_000]);
        assert_eq!(
            rng.next_u64(),
            SimRng::new(3).next_u64(),
            "no draw was made"
        );
    }

    #[test]
    fn jittered_waits_stay_in_their_ranges() {
        let mut rng = SimRng::new(11);
        for (jitter, lo, hi) in [(Jitter::Full, 0.0, 1.0), (Jitter::Equal, 0.5, 1.0)] {
            let p = policy(EXP, jitter);
            let mut sum = 0.0;
            for _ in 0..2000 {
                let mut s = RetryState {
                    retries: 2,
                    last_ms: 0.0,
                };
                let ms = p.next_delay(&mut s, &mut rng).as_ms();
                assert!((lo * 400.0..=hi * 400.0).contains(&ms), "{jitter:?} {ms}");
                sum += ms;
            }
            let mean = sum / 2000.0;
            let want = (lo + hi) / 2.0 * 400.0;
            assert!((mean - want).abs() < 10.0, "{jitter:?} mean {mean}");
        }
        let p = policy(EXP, Jitter::Decorrelated);
        let mut s = RetryState::default();
        let mut last: f64 = 100.0;
        for _ in 0..50 {
            let ms = p.next_delay(&mut s, &mut rng).as_ms();
            assert!(ms >= 100.0 - 1e-6 && ms <= (last * 3.0).min(1000.0) + 1e-6);
            last = ms;
        }
    }

    #[test]
    fn a_budget_caps_retries_at_its_ratio_plus_burst() {
        let mut b = Budget::new(&RetryBudget {
            ratio: 0.1,
            burst: 5.0,
        });
        let mut granted = 0;
        for _ in 0..1000 {
            b.on_first_attempt();
            // Every call fails and wants a retry.
            granted += u32::from(b.try_retry());
        }
        assert!((100..=105).contains(&granted), "{granted}");
        assert_eq!(u64::from(1000 - granted), b.refused);
    }
}
