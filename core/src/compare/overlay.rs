//! The compare view's overlaid charts: A's and B's time series, each averaged over its seeds interval by
//! interval (the series share one fixed grid, so interval `i` is the same simulated time on every seed), for
//! drawing on the same axes.

use crate::outcomes::Outcome;
use crate::replicate::Headline;
use crate::report::{Report, SeriesPoint};

/// One figure over simulated time for both variants.
#[derive(Clone, Debug, PartialEq)]
pub struct Overlay {
    /// which figure: p50, p95, p99 [ms] or throughput [req/s]
    pub figure: Headline,
    /// A's points `(t [s], mean over the seeds)`; an interval with no success on any seed has no latency point
    pub a: Vec<(f64, f64)>,
    /// B's
    pub b: Vec<(f64, f64)>,
}

fn value(figure: Headline, p: &SeriesPoint, interval_s: f64) -> Option<f64> {
    let ok = p.outcomes[Outcome::Ok];
    match figure {
        Headline::Throughput => Some(ok as f64 / interval_s.max(1e-9)),
        _ if ok == 0 => None,
        Headline::P50 => Some(p.p50_ms),
        Headline::P95 => Some(p.p95_ms),
        _ => Some(p.p99_ms),
    }
}

/// The mean over `reports` of `figure` in each interval the runs share.
fn side(reports: &[Report], figure: Headline) -> Vec<(f64, f64)> {
    let Some(first) = reports.first() else {
        return Vec::new();
    };
    let n = reports
        .iter()
        .map(|r| r.series.points.len())
        .min()
        .unwrap_or(0);
    (0..n)
        .filter_map(|i| {
            let vs: Vec<f64> = reports
                .iter()
                .filter_map(|r| value(figure, &r.series.points[i], r.series.interval_s))
                .collect();
            (!vs.is_empty()).then(|| {
                (
                    first.series.points[i].t_s,
                    vs.iter().sum::<f64>() / vs.len() as f64,
                )
            })
        })
        .collect()
}

/// `figure` over time for A and for B (p99 or throughput; the mean and error rate are not in the series, so
/// they fall back to p99).
pub fn overlay(a: &[Report], b: &[Report], figure: Headline) -> Overlay {
    Overlay {
        figure,
        a: side(a, figure),
        b: side(b, figure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::fixtures::single_station;
    use crate::replicate::{Replications, seeds};

    fn reports(workers: u32) -> Vec<Report> {
        let t = single_station(40.0, workers, None, Dist::exponential_ms(20.0), 10.0, 5);
        let mut r = Replications::start(&t, seeds(5, 3)).expect("builds");
        r.run_to_end().expect("runs");
        r.reports().to_vec()
    }

    #[test]
    fn identical_sides_overlay_exactly_and_the_mean_is_over_the_seeds() {
        let a = reports(1);
        let o = overlay(&a, &a, Headline::Throughput);
        assert_eq!(o.a, o.b);
        // Interval 3's throughput: the successes of the three seeds in it, averaged, over the interval.
        let dt = a[0].series.interval_s;
        let ok: f64 = a
            .iter()
            .map(|r| r.series.points[3].outcomes[Outcome::Ok] as f64)
            .sum();
        assert_eq!(o.a[3], (a[0].series.points[3].t_s, ok / 3.0 / dt));
        let b = reports(3);
        let p99 = overlay(&a, &b, Headline::P99);
        let mean = |xs: &[(f64, f64)]| xs.iter().map(|p| p.1).sum::<f64>() / xs.len() as f64;
        assert!(
            mean(&p99.b) < mean(&p99.a),
            "three workers wait less than one"
        );
    }
}
