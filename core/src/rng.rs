//! The run's single random source: PCG-64 (MCG variant, `rand_pcg::Pcg64Mcg`), seeded from the topology's
//! seed. Every draw is derived from `next_u64` with integer or exact IEEE arithmetic, so native and wasm32
//! produce identical streams.

use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// The seeded, portable generator owned by the simulation and passed as `&mut` to whoever draws.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: Pcg64Mcg,
}

impl SimRng {
    /// A generator for `seed`; the same seed gives the same stream everywhere.
    pub fn new(seed: u64) -> SimRng {
        SimRng {
            inner: Pcg64Mcg::seed_from_u64(seed),
        }
    }

    /// 64 uniformly random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform in `[0, 1)`, 53 bits of precision.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `(0, 1]`, safe to take the logarithm of.
    #[inline]
    pub fn unit_open0(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `[0, n)`; `n` must be positive. Lemire's multiply-shift with rejection, so it is
    /// unbiased and uses only `u64`/`u128` arithmetic.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0, "below(0) has no value to return");
        if n <= 1 {
            return 0;
        }
        // The threshold (2^64 mod n) is below n, so a draw whose low half is at least n is kept without
        // computing it: the same draws kept and rejected as always dividing, one division in n/2^64 draws.
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// True with probability `p` (clamped to `[0, 1]`).
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            false
        } else if p >= 1.0 {
            true
        } else {
            self.unit() < p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_other_seed_other_stream() {
        let (mut a, mut b, mut c) = (SimRng::new(7), SimRng::new(7), SimRng::new(8));
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = SimRng::new(1);
        let mut seen = [0u32; 5];
        for _ in 0..5000 {
            seen[r.below(5) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 800), "{seen:?}");
        assert_eq!(r.below(1), 0);
    }

    #[test]
    fn units_stay_in_their_intervals() {
        let mut r = SimRng::new(3);
        for _ in 0..10_000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            let v = r.unit_open0();
            assert!(v > 0.0 && v <= 1.0);
        }
    }
}
