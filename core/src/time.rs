//! Simulated time: an integer count of nanoseconds, so event ordering and results are exact on every platform.

use serde::{Deserialize, Serialize};

/// Nanoseconds in one millisecond.
pub const NANOS_PER_MS: u64 = 1_000_000;
/// Nanoseconds in one second.
pub const NANOS_PER_SEC: u64 = 1_000_000_000;

/// An instant or a span of simulated time [ns]. Never derived from a wall clock.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct SimTime(pub u64);

impl SimTime {
    /// Time zero, when every run starts.
    pub const ZERO: SimTime = SimTime(0);
    /// The far future; used as "never".
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// From whole nanoseconds.
    pub const fn from_nanos(ns: u64) -> SimTime {
        SimTime(ns)
    }

    /// From milliseconds, rounded to the nearest nanosecond; negative or non-finite input saturates to 0 or MAX.
    pub fn from_ms(ms: f64) -> SimTime {
        SimTime(f64_to_nanos(ms * NANOS_PER_MS as f64))
    }

    /// From seconds, rounded to the nearest nanosecond; negative or non-finite input saturates to 0 or MAX.
    pub fn from_secs(s: f64) -> SimTime {
        SimTime(f64_to_nanos(s * NANOS_PER_SEC as f64))
    }

    /// Whole nanoseconds.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// In milliseconds.
    pub fn as_ms(self) -> f64 {
        self.0 as f64 / NANOS_PER_MS as f64
    }

    /// In seconds.
    pub fn as_secs(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }

    /// `self + d`, saturating at `MAX`.
    pub const fn add(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    /// `self - earlier`, or zero when `earlier` is later.
    pub const fn since(self, earlier: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(earlier.0))
    }
}

/// Rounds a non-negative nanosecond count to an integer; `+ 0.5` then truncation is exact IEEE arithmetic, so
/// native and wasm32 agree bit for bit.
pub(crate) fn f64_to_nanos(ns: f64) -> u64 {
    if ns.is_nan() || ns <= 0.0 {
        0
    } else if ns >= u64::MAX as f64 {
        u64::MAX
    } else {
        (ns + 0.5) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_to_the_nearest_nanosecond() {
        assert_eq!(SimTime::from_ms(1.5), SimTime(1_500_000));
        assert_eq!(SimTime::from_secs(2.0).as_nanos(), 2 * NANOS_PER_SEC);
        assert_eq!(SimTime::from_ms(-3.0), SimTime::ZERO);
        assert_eq!(SimTime::from_ms(f64::NAN), SimTime::ZERO);
        assert_eq!(SimTime::from_secs(f64::INFINITY), SimTime::MAX);
        assert_eq!(SimTime(5).since(SimTime(9)), SimTime::ZERO);
    }
}
