//! Regions and the distance between them: a built-in table of round-trip times between a handful of cloud
//! regions, which gives the default latency of a link whose ends sit in two different known regions.
//!
//! The figures are typical median round-trip times between the corresponding AWS regions (`us-east` =
//! us-east-1 N. Virginia, `us-west` = us-west-2 Oregon, `eu-west` = eu-west-1 Ireland, `eu-central` =
//! eu-central-1 Frankfurt, `ap-southeast` = ap-southeast-1 Singapore, `ap-northeast` = ap-northeast-1 Tokyo,
//! `sa-east` = sa-east-1 São Paulo), as published by cloudping.co's inter-region latency matrix (p50), rounded
//! to 5 ms; see `docs/regions.md`. They move by a few milliseconds from day to day: good for teaching, not for
//! capacity planning.
//!
//! A link between two table regions is one way, so it takes half the round trip, with jitter: log-normal
//! around that median with σ = [`JITTER_SIGMA`] (p99 about 12 % above the median), since a wide-area path is
//! usually at its floor and now and then a little slower.

use crate::dist::Dist;

/// The known regions, in table order.
pub const REGIONS: &[&str] = &[
    "us-east",
    "us-west",
    "eu-west",
    "eu-central",
    "ap-southeast",
    "ap-northeast",
    "sa-east",
];

/// Round-trip times [ms] between the regions of [`REGIONS`] (symmetric; the diagonal is unused, links inside
/// a region take `settings.link`).
const RTT_MS: [[f64; 7]; 7] = [
    // us-east us-west eu-west eu-central ap-southeast ap-northeast sa-east
    [0.0, 65.0, 70.0, 90.0, 215.0, 145.0, 115.0],
    [65.0, 0.0, 120.0, 140.0, 165.0, 100.0, 175.0],
    [70.0, 120.0, 0.0, 25.0, 175.0, 200.0, 180.0],
    [90.0, 140.0, 25.0, 0.0, 160.0, 225.0, 200.0],
    [215.0, 165.0, 175.0, 160.0, 0.0, 70.0, 325.0],
    [145.0, 100.0, 200.0, 225.0, 70.0, 0.0, 255.0],
    [115.0, 175.0, 180.0, 200.0, 325.0, 255.0, 0.0],
];

/// Spread of the one-way latency between regions: σ of the log-normal around its median.
pub const JITTER_SIGMA: f64 = 0.05;

fn index(region: &str) -> Option<usize> {
    REGIONS.iter().position(|r| *r == region)
}

/// The round-trip time [ms] between two different known regions; `None` for the same region or an unknown
/// name.
pub fn rtt_ms(a: &str, b: &str) -> Option<f64> {
    let (i, j) = (index(a)?, index(b)?);
    (i != j).then(|| RTT_MS[i][j])
}

/// The default one-way latency of a link from region `a` to region `b`, when both are known and differ.
pub fn link_latency(a: &str, b: &str) -> Option<Dist> {
    rtt_ms(a, b).map(|rtt| Dist::LogNormal {
        median_ms: rtt / 2.0,
        sigma: JITTER_SIGMA,
    })
}

/// Of `candidates` (regions), the index of the one nearest to `from`: the same region first, then the
/// smallest round trip; unknown regions last; ties by order.
pub fn nearest<'a>(from: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<usize> {
    candidates
        .into_iter()
        .enumerate()
        .min_by(|(i, a), (j, b)| {
            let d = |r: &str| {
                if r == from {
                    0.0
                } else {
                    rtt_ms(from, r).unwrap_or(f64::INFINITY)
                }
            };
            d(a).total_cmp(&d(b)).then(i.cmp(j))
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_symmetric_with_an_empty_diagonal() {
        for i in 0..REGIONS.len() {
            assert_eq!(RTT_MS[i][i], 0.0);
            for j in 0..REGIONS.len() {
                assert_eq!(RTT_MS[i][j], RTT_MS[j][i], "{} {}", REGIONS[i], REGIONS[j]);
                if i != j {
                    assert!(RTT_MS[i][j] >= 20.0);
                }
            }
        }
        assert_eq!(rtt_ms("us-east", "eu-west"), Some(70.0));
        assert_eq!(rtt_ms("us-east", "us-east"), None);
        assert_eq!(rtt_ms("us-east", "moon"), None);
    }

    #[test]
    fn nearest_prefers_the_same_region_then_the_shortest_round_trip() {
        let c = ["us-east", "eu-west", "ap-southeast"];
        assert_eq!(nearest("eu-west", c), Some(1));
        assert_eq!(nearest("eu-central", c), Some(1));
        assert_eq!(nearest("ap-northeast", c), Some(2));
        assert_eq!(nearest("sa-east", c), Some(0));
        assert_eq!(nearest("moon", c), Some(0));
    }
}
