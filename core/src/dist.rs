//! Probability distributions for service times and link latencies, and the key popularity law. All sampling
//! goes through `libm` (never `f64::ln`/`exp`, whose bits differ between x86-64 and wasm32).

use serde::{Deserialize, Serialize};

use crate::rng::SimRng;
use crate::time::{NANOS_PER_MS, SimTime, f64_to_nanos};
use crate::vocab::{Family, Term, Vocab};

/// A non-negative duration distribution, written in milliseconds.
///
/// JSON: `{"type": "exponential", "mean_ms": 20}`; the `type` tag selects the variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Always the same value. `ms` [ms].
    Constant {
        /// the value [ms]
        ms: f64,
    },
    /// Exponential (memoryless). `mean_ms` [ms].
    Exponential {
        /// the mean [ms]
        mean_ms: f64,
    },
    /// Uniform between `min_ms` and `max_ms` [ms].
    Uniform {
        /// lower bound [ms]
        min_ms: f64,
        /// upper bound [ms], at least `min_ms`
        max_ms: f64,
    },
    /// Log-normal: `median_ms · exp(sigma · Z)` with Z standard normal.
    LogNormal {
        /// the median [ms]
        median_ms: f64,
        /// the shape σ of the underlying normal [dimensionless], default 0.5
        #[serde(default = "default_sigma")]
        sigma: f64,
    },
    /// "Mostly fast with a slow tail": with probability `slow_probability` an exponential with mean `slow_ms`,
    /// otherwise an exponential with mean `fast_ms` (a two-phase hyperexponential).
    Bimodal {
        /// mean of the fast phase [ms]
        fast_ms: f64,
        /// mean of the slow phase [ms]
        slow_ms: f64,
        /// probability of the slow phase [0..1], default 0.05
        #[serde(default = "default_slow_probability")]
        slow_probability: f64,
    },
}

fn default_sigma() -> f64 {
    0.5
}

fn default_slow_probability() -> f64 {
    0.05
}

impl Dist {
    /// A constant distribution of `ms` milliseconds.
    pub const fn constant_ms(ms: f64) -> Dist {
        Dist::Constant { ms }
    }

    /// An exponential distribution with mean `mean_ms` milliseconds.
    pub const fn exponential_ms(mean_ms: f64) -> Dist {
        Dist::Exponential { mean_ms }
    }

    /// The mean [ms].
    pub fn mean_ms(&self) -> f64 {
        match *self {
            Dist::Constant { ms } => ms,
            Dist::Exponential { mean_ms } => mean_ms,
            Dist::Uniform { min_ms, max_ms } => 0.5 * (min_ms + max_ms),
            Dist::LogNormal { median_ms, sigma } => median_ms * libm::exp(0.5 * sigma * sigma),
            Dist::Bimodal {
                fast_ms,
                slow_ms,
                slow_probability,
            } => (1.0 - slow_probability) * fast_ms + slow_probability * slow_ms,
        }
    }

    /// Every parameter with its field name, for validation.
    pub fn params(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Dist::Constant { ms } => vec![("ms", ms)],
            Dist::Exponential { mean_ms } => vec![("mean_ms", mean_ms)],
            Dist::Uniform { min_ms, max_ms } => vec![("min_ms", min_ms), ("max_ms", max_ms)],
            Dist::LogNormal { median_ms, sigma } => {
                vec![("median_ms", median_ms), ("sigma", sigma)]
            }
            Dist::Bimodal {
                fast_ms,
                slow_ms,
                slow_probability,
            } => {
                vec![
                    ("fast_ms", fast_ms),
                    ("slow_ms", slow_ms),
                    ("slow_probability", slow_probability),
                ]
            }
        }
    }

    /// Problems with the parameters, as `(field, message)`: negative or non-finite values, inverted bounds,
    /// probabilities outside `[0, 1]`.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (name, v) in self.params() {
            if !v.is_finite() {
                out.push((name, format!("`{name}` must be a finite number")));
            } else if v < 0.0 {
                out.push((name, format!("`{name}` must not be negative (got {v})")));
            } else if let Some(m) =
                crate::limits::param(name).and_then(|l| crate::limits::out_of_range(name, v, l))
            {
                out.push((name, m));
            }
        }
        match *self {
            Dist::Uniform { min_ms, max_ms } if min_ms > max_ms => {
                out.push((
                    "max_ms",
                    format!("`max_ms` ({max_ms}) is below `min_ms` ({min_ms})"),
                ));
            }
            Dist::Bimodal {
                slow_probability, ..
            } if slow_probability > 1.0 => {
                out.push((
                    "slow_probability",
                    "`slow_probability` must be at most 1".to_string(),
                ));
            }
            _ => {}
        }
        out
    }

    /// For a constant, what [`Dist::sample`] gives at `factor` (it draws nothing): the same nanoseconds,
    /// computed once.
    pub fn constant(&self, factor: f64) -> Option<SimTime> {
        match *self {
            Dist::Constant { ms } => Some(SimTime(f64_to_nanos(ms * factor * NANOS_PER_MS as f64))),
            _ => None,
        }
    }

    /// A sample [ms] as a float.
    #[inline]
    pub fn sample_ms(&self, rng: &mut SimRng) -> f64 {
        match *self {
            Dist::Constant { ms } => ms,
            Dist::Exponential { mean_ms } => exponential(rng, mean_ms),
            Dist::Uniform { min_ms, max_ms } => min_ms + (max_ms - min_ms) * rng.unit(),
            Dist::LogNormal { median_ms, sigma } => median_ms * libm::exp(sigma * std_normal(rng)),
            Dist::Bimodal {
                fast_ms,
                slow_ms,
                slow_probability,
            } => {
                let mean = if rng.chance(slow_probability) {
                    slow_ms
                } else {
                    fast_ms
                };
                exponential(rng, mean)
            }
        }
    }

    /// A sample scaled by `factor`, rounded to whole nanoseconds.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng, factor: f64) -> SimTime {
        SimTime(f64_to_nanos(
            self.sample_ms(rng) * factor * NANOS_PER_MS as f64,
        ))
    }
}

/// An exponential variate with the given mean, by inversion through `libm::log`.
#[inline]
pub(crate) fn exponential(rng: &mut SimRng, mean: f64) -> f64 {
    -mean * libm::log(rng.unit_open0())
}

/// A standard normal variate by Box–Muller (one of the pair is used), through `libm`.
pub(crate) fn std_normal(rng: &mut SimRng) -> f64 {
    let u1 = rng.unit_open0();
    let u2 = rng.unit();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
}

/// Zipf(s) over keys `0..n`: key `k` has weight `1/(k+1)^s`. Sampled from a precomputed cumulative table by
/// binary search, so `n` is bounded (see [`ZIPF_MAX_KEYS`]).
#[derive(Clone, Debug)]
pub struct Zipf {
    cdf: Vec<f64>,
}

/// The largest key space a Zipf law may have (the table costs 8 bytes per key).
pub const ZIPF_MAX_KEYS: u64 = 1_000_000;

impl Zipf {
    /// The law over `n` keys (1 ≤ n ≤ `ZIPF_MAX_KEYS`) with exponent `s` ≥ 0.
    pub fn new(n: u64, s: f64) -> Zipf {
        let n = n.clamp(1, ZIPF_MAX_KEYS);
        let mut cdf = Vec::with_capacity(n as usize);
        let mut acc = 0.0;
        for k in 0..n {
            acc += 1.0 / libm::pow((k + 1) as f64, s);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Zipf { cdf }
    }

    /// A key in `0..n`.
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        let u = rng.unit();
        let i = self.cdf.partition_point(|&c| c <= u);
        i.min(self.cdf.len() - 1) as u64
    }
}

impl Dist {
    /// The distributions as the inspector offers them, with their fields.
    pub const FAMILY: Family = Family {
        variants: &[
            ("constant", "Constant"),
            ("exponential", "Exponential"),
            ("uniform", "Uniform"),
            ("log_normal", "Log-normal"),
            ("bimodal", "Bimodal"),
        ],
        fields: &Vocab {
            terms: &[
                Term::new("ms", "Value").unit("ms"),
                Term::new("mean_ms", "Mean"),
                Term::new("median_ms", "Median"),
                Term::new("sigma", "Sigma"),
                Term::new("min_ms", "Minimum"),
                Term::new("max_ms", "Maximum"),
                Term::new("fast_ms", "Fast mean"),
                Term::new("slow_ms", "Slow mean"),
                Term::new("slow_probability", "Slow share"),
            ],
        },
        template: dist_template,
    };
}

/// A fresh distribution of `variant`, keeping the old one's typical value [ms] as its scale.
fn dist_template(variant: &str, old: Option<&serde_json::Value>) -> serde_json::Value {
    use serde_json::json;
    let obj = old.and_then(serde_json::Value::as_object);
    let m = ["mean_ms", "ms", "median_ms", "fast_ms", "min_ms"]
        .iter()
        .find_map(|k| {
            obj.and_then(|o| o.get(*k))
                .and_then(serde_json::Value::as_f64)
        })
        .unwrap_or(20.0);
    match variant {
        "constant" => json!({"type": "constant", "ms": m}),
        "exponential" => json!({"type": "exponential", "mean_ms": m}),
        "uniform" => json!({"type": "uniform", "min_ms": m / 2.0, "max_ms": m * 1.5}),
        "log_normal" => json!({"type": "log_normal", "median_ms": m, "sigma": 0.5}),
        _ => json!({"type": variant, "fast_ms": m, "slow_ms": m * 10.0, "slow_probability": 0.05}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `constant` is what `sample` gives for a constant, to the nanosecond, for latencies a diagram may hold
    /// (0, sub-nanosecond, fractional and large milliseconds) at several factors; it draws nothing (the
    /// generator's next value is unchanged), and is `None` for a distribution that draws.
    #[test]
    fn a_constant_computed_once_equals_its_sample() {
        for ms in [
            0.0,
            1e-7,
            0.0004,
            0.5,
            1.0,
            2.5,
            7.3,
            33.333,
            150.0,
            86_400_000.0,
        ] {
            for factor in [1.0, 0.5, 3.0, 1.0 / 3.0] {
                let d = Dist::constant_ms(ms);
                let mut r = SimRng::new(5);
                let sampled = d.sample(&mut r, factor);
                assert_eq!(d.constant(factor), Some(sampled), "{ms} ms × {factor}");
                assert_eq!(r.next_u64(), SimRng::new(5).next_u64());
            }
        }
        assert_eq!(Dist::exponential_ms(1.0).constant(1.0), None);
    }

    fn mean_of(d: &Dist, n: u32) -> f64 {
        let mut r = SimRng::new(11);
        (0..n).map(|_| d.sample_ms(&mut r)).sum::<f64>() / f64::from(n)
    }

    #[test]
    fn sample_means_match_the_stated_means() {
        for d in [
            Dist::constant_ms(3.0),
            Dist::exponential_ms(10.0),
            Dist::Uniform {
                min_ms: 2.0,
                max_ms: 6.0,
            },
            Dist::LogNormal {
                median_ms: 5.0,
                sigma: 0.5,
            },
            Dist::Bimodal {
                fast_ms: 1.0,
                slow_ms: 50.0,
                slow_probability: 0.05,
            },
        ] {
            let m = mean_of(&d, 200_000);
            assert!(
                (m - d.mean_ms()).abs() < 0.03 * d.mean_ms(),
                "{d:?}: {m} vs {}",
                d.mean_ms()
            );
        }
    }

    #[test]
    fn problems_name_the_field() {
        let p = Dist::Uniform {
            min_ms: 5.0,
            max_ms: 1.0,
        }
        .problems();
        assert_eq!(p[0].0, "max_ms");
        let p = Dist::exponential_ms(-1.0).problems();
        assert_eq!(p[0].0, "mean_ms");
        assert!(!Dist::constant_ms(f64::NAN).problems().is_empty());
    }

    #[test]
    fn zipf_prefers_low_keys() {
        let z = Zipf::new(100, 1.0);
        let mut r = SimRng::new(5);
        let mut first = 0;
        for _ in 0..10_000 {
            let k = z.sample(&mut r);
            assert!(k < 100);
            first += u32::from(k == 0);
        }
        // H(100) ≈ 5.187, so key 0 has probability ≈ 0.193.
        assert!((1700..2150).contains(&first), "{first}");
    }
}
