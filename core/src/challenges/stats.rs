//! The statistics "Check my design" reports: the mean of a goal's measured value over independent seeds and
//! its two-sided 95 % Student-t confidence interval, mean ± t(0.975, n − 1) · s / √n.
//!
//! Kept small and local on purpose: the replication helper of issue 18 (compare) computes the same interval
//! and the two are to be unified when both are merged.

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
    fn t_quantiles_fall_towards_the_normal_one() {
        assert_eq!(t975(4), 2.776);
        assert_eq!(t975(30), 2.042);
        assert_eq!(t975(1000), 2.042);
        assert!(t975(0).is_infinite());
        assert!(T975.windows(2).all(|w| w[0] > w[1]));
    }
}
