//! Intervals over independent replications, shared by "Check my design", replications and A/B compare: the
//! mean of a figure over seeds with its two-sided 95 % Student-t confidence interval,
//! mean ± t(0.975, n − 1) · s / √n, and the paired form (the same interval over per-seed differences).

/// t(0.975, df) for df = 1..=30 (the two-sided 95 % points of Student's t), from the standard tables.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The 97.5 % point of Student's t with `df` degrees of freedom; past 30 the table's last value, which errs
/// on the wide side of the normal 1.960.
pub fn t975(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        d => T975[d.min(T975.len()) - 1],
    }
}

/// Mean of independent replications and the 95 % interval around it: `(mean, low, high)`. One value gives
/// an interval of that value alone (nothing to estimate a spread from); none gives zeros.
pub fn interval95(xs: &[f64]) -> (f64, f64, f64) {
    let n = xs.len();
    if n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return (mean, mean, mean);
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let half = t975(n - 1) * (var / n as f64).sqrt();
    (mean, mean - half, mean + half)
}

/// A mean with its 95 % half-width: the interval is `mean ± half`.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    /// the mean over the replications
    pub mean: f64,
    /// t(0.975, n − 1) · s / √n; 0 with fewer than two values or no spread
    pub half: f64,
    /// how many values it is over
    pub n: u32,
}

impl Interval {
    /// The interval of `xs` (see [`interval95`]).
    pub fn of(xs: &[f64]) -> Interval {
        let (mean, _, high) = interval95(xs);
        Interval {
            mean,
            half: high - mean,
            n: u32::try_from(xs.len()).unwrap_or(u32::MAX),
        }
    }

    /// The paired interval of `b − a`, seed by seed: the interval of the differences. Pairs past the shorter
    /// side are left out.
    pub fn paired(a: &[f64], b: &[f64]) -> Interval {
        let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
        Interval::of(&d)
    }

    /// Lower end.
    pub fn low(&self) -> f64 {
        self.mean - self.half
    }

    /// Upper end.
    pub fn high(&self) -> f64 {
        self.mean + self.half
    }

    /// Whether `x` lies in the closed interval.
    pub fn contains(&self, x: f64) -> bool {
        self.low() <= x && x <= self.high()
    }

    /// For a difference: whether the interval leaves out zero (significant at the 5 % level). A difference
    /// of exactly zero on every pair is never significant; one with no spread and a non-zero mean is.
    pub fn excludes_zero(&self) -> bool {
        self.n >= 2 && (self.low() > 0.0 || self.high() < 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_is_the_student_t_one() {
        // 1, 2, 3, 4, 5: mean 3, s² = 2.5, s/√5 = √0.5; t(0.975, 4) = 2.776.
        let (m, lo, hi) = interval95(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let half = 2.776 * 0.5f64.sqrt();
        assert_eq!(m, 3.0);
        assert!((lo - (3.0 - half)).abs() < 1e-12 && (hi - (3.0 + half)).abs() < 1e-12);
        assert_eq!(interval95(&[7.0, 7.0, 7.0]), (7.0, 7.0, 7.0));
        assert_eq!(interval95(&[4.0]), (4.0, 4.0, 4.0));
        assert_eq!(interval95(&[]), (0.0, 0.0, 0.0));
    }

    #[test]
    fn paired_intervals_are_intervals_of_the_differences() {
        let a = [10.0, 12.0, 11.0];
        let same = Interval::paired(&a, &a);
        assert_eq!((same.mean, same.half), (0.0, 0.0));
        assert!(!same.excludes_zero());
        let b = [12.0, 14.5, 12.5];
        let d = Interval::paired(&a, &b);
        assert_eq!(d, Interval::of(&[2.0, 2.5, 1.5]));
        assert!(d.excludes_zero() && d.contains(2.0));
        assert!(!Interval::of(&[5.0]).excludes_zero());
    }

    #[test]
    fn t_quantiles_fall_towards_the_normal_one() {
        assert_eq!(t975(4), 2.776);
        assert_eq!(t975(30), 2.042);
        assert_eq!(t975(1000), 2.042);
        assert!(t975(0).is_infinite());
        assert!(T975.windows(2).all(|w| w[0] > w[1]));
    }
}
