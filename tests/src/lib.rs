//! Shared helpers for the cross-crate test binary: where the repository is, and how to read its files.

use std::path::{Path, PathBuf};

/// The repository root (the parent of this crate's folder).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives one level below the repository root")
        .to_path_buf()
}

/// Mean and standard error of the mean of independent replications.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Asserts that independent replications `xs` agree with the analytic `theory`: the replication mean must lie
/// within 4 standard errors (plus `floor`, a relative allowance for known small biases such as the finite
/// run's start-up) of it. With 8 replications, 4 standard errors is beyond the t-distribution's 99.5 % point,
/// so a correct engine fails this about once in 200 seeds; the seeds are fixed, so a pass is reproducible.
/// The standard error must also be below 5 % of the value, so the check has power.
pub fn assert_agrees(what: &str, xs: &[f64], theory: f64, floor: f64) {
    let (mean, se) = mean_se(xs);
    let tol = 4.0 * se + floor * theory.abs();
    assert!(
        (mean - theory).abs() <= tol,
        "{what}: simulated {mean:.5} ± {se:.5} (se), theory {theory:.5}, tolerance {tol:.5}; runs {xs:?}"
    );
    assert!(
        se <= 0.05 * theory.abs(),
        "{what}: standard error {se} too large for a meaningful check"
    );
}
