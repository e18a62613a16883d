//! Hedged requests on a call edge: when an attempt has not answered after a delay — a fixed one, or a
//! percentile of the latency the edge has observed — a second copy goes out (behind a load balancer, to
//! whichever backend it picks next), the first answer wins and the other copy goes on as an orphan, or, for
//! tied requests, is removed from the queue it waits in. The parameters, and the edge's estimate of its own
//! latency: the last [`HEDGE_WINDOW`] copies that answered, its percentile recomputed every
//! [`HEDGE_REFRESH`] answers; no copy is hedged on a percentile before [`HEDGE_MIN_SAMPLES`] have answered.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::checks::{check_num, check_range};
use crate::metrics::HIST_MAX_NS;
use crate::tagged;
use crate::time::SimTime;
use crate::vocab::{Family, Term, Vocab};

/// Copies' latencies the percentile is taken over (the most recent).
pub const HEDGE_WINDOW: usize = 1_000;
/// Answers between two recomputations of the percentile.
pub const HEDGE_REFRESH: u32 = 100;
/// Answers an edge must have seen before it hedges on a percentile.
pub const HEDGE_MIN_SAMPLES: usize = 100;
/// The longest fixed hedge delay [ms]: an hour.
pub const MAX_HEDGE_MS: f64 = 3.6e6;

/// Hedged requests on a call edge. JSON: `{"after": {"type": "percentile", "p": 95}, "tied": false}`;
/// omitted fields take these defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HedgePolicy {
    /// when the second copy goes, default the edge's observed 95th percentile
    pub after: HedgeAfter,
    /// tied requests: once one copy answers, the other is removed from the queue it waits in (a copy already
    /// in service or on a link runs on), default false
    pub tied: bool,
}

impl Default for HedgePolicy {
    fn default() -> Self {
        HedgePolicy {
            after: HedgeAfter::Percentile { p: 95.0 },
            tied: false,
        }
    }
}

/// When a hedge's second copy goes out. JSON: `{"type": "percentile", "p": 95}` or `{"type": "fixed",
/// "ms": 10}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HedgeAfter {
    /// this percentile of the latency the edge has observed (of the last 1000 copies that answered) [50..99.9]
    Percentile {
        /// the percentile, default 95
        p: f64,
    },
    /// a fixed delay [ms, 0..3600000; 0 sends both copies at once]
    Fixed {
        /// the delay [ms], default 10
        ms: f64,
    },
}

fn ninety_five() -> f64 {
    95.0
}
fn ten() -> f64 {
    10.0
}

static HEDGE_AFTER: tagged::Shape = tagged::Shape {
    name: "HedgeAfter",
    tag: "type",
    variants: &["percentile", "fixed"],
    fields: Some(&[&["p"], &["ms"]]),
};

/// Read by [`crate::tagged`].
impl<'de> Deserialize<'de> for HedgeAfter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        tagged::read(d, &HEDGE_AFTER, |variant, f| {
            Ok(match variant {
                0 => HedgeAfter::Percentile {
                    p: f.or("p", ninety_five)?,
                },
                _ => HedgeAfter::Fixed {
                    ms: f.or("ms", ten)?,
                },
            })
        })
    }
}

impl HedgePolicy {
    /// Range problems as `(field, message)`, fields prefixed with `prefix` (`hedge.`).
    pub fn problems(&self, prefix: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let (f, v) = match self.after {
            HedgeAfter::Percentile { p } => (format!("{prefix}after.p"), p),
            HedgeAfter::Fixed { ms } => (format!("{prefix}after.ms"), ms),
        };
        check_num(&mut out, &f, v, 0.0);
        check_range(&mut out, &f, v);
        out
    }

    /// How the inspector names a hedge's fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("after", "Second copy after").family(&HedgeAfter::FAMILY),
            Term::new("tied", "Tied (cancel the loser)"),
        ],
    };
}

impl HedgeAfter {
    /// The delays as the inspector offers them, with their fields.
    pub const FAMILY: Family = Family {
        variants: &[
            ("percentile", "Observed percentile"),
            ("fixed", "Fixed delay"),
        ],
        fields: &Vocab {
            terms: &[
                Term::new("p", "Percentile").unit("%"),
                Term::new("ms", "Delay").unit("ms"),
            ],
        },
        template: after_template,
    };
}

fn after_template(variant: &str, _old: Option<&serde_json::Value>) -> serde_json::Value {
    match variant {
        "fixed" => serde_json::json!({"type": "fixed", "ms": 10.0}),
        _ => serde_json::json!({"type": "percentile", "p": 95.0}),
    }
}

/// A hedged edge at run time: its delay, its latency estimate and what it measured.
pub(crate) struct HedgeRt {
    fixed: Option<SimTime>,
    /// the percentile as a fraction [0.5..0.999]
    q: f64,
    pub tied: bool,
    /// the latest copies' latencies [ns], a ring
    ring: Vec<u64>,
    next: usize,
    fresh: u32,
    estimate: Option<SimTime>,
    /// a copy's latency, send to successful answer, every copy (orphans' too), inside the window
    pub copies: Histogram<u32>,
    /// a call's latency as its caller waited, calls that succeeded inside the window
    pub calls: Histogram<u32>,
}

impl HedgeRt {
    pub fn new(p: &HedgePolicy) -> HedgeRt {
        let h = || {
            Histogram::new_with_bounds(1, HIST_MAX_NS, 3)
                .expect("static histogram bounds are valid")
        };
        let (fixed, q) = match p.after {
            HedgeAfter::Fixed { ms } => (Some(SimTime::from_ms(ms)), 0.95),
            HedgeAfter::Percentile { p } => (None, (p / 100.0).clamp(0.5, 0.999)),
        };
        HedgeRt {
            fixed,
            q,
            tied: p.tied,
            ring: Vec::new(),
            next: 0,
            fresh: 0,
            estimate: None,
            copies: h(),
            calls: h(),
        }
    }

    /// How long an attempt waits before its second copy goes, if it is hedged now.
    pub fn delay(&self) -> Option<SimTime> {
        self.fixed.or(self.estimate)
    }

    /// A copy answered successfully `ns` after it was sent (`counted`: it was sent inside the window).
    pub fn observe(&mut self, ns: u64, counted: bool) {
        if counted {
            self.copies.saturating_record(ns.max(1));
        }
        if self.fixed.is_some() {
            return;
        }
        if self.ring.len() < HEDGE_WINDOW {
            self.ring.push(ns);
        } else {
            self.ring[self.next] = ns;
            self.next = (self.next + 1) % HEDGE_WINDOW;
        }
        self.fresh += 1;
        if self.ring.len() >= HEDGE_MIN_SAMPLES
            && (self.fresh >= HEDGE_REFRESH || self.estimate.is_none())
        {
            self.fresh = 0;
            let mut v = self.ring.clone();
            // Nearest rank: the smallest latency at least q of the window does not exceed.
            let rank = ((self.q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
            let (_, at, _) = v.select_nth_unstable(rank);
            self.estimate = Some(SimTime(*at));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_percentile_waits_for_enough_answers_then_follows_the_latest_window() {
        let mut h = HedgeRt::new(&HedgePolicy::default());
        for ns in 1..HEDGE_MIN_SAMPLES as u64 {
            h.observe(ns, true);
        }
        assert_eq!(h.delay(), None, "no hedging before 100 answers");
        h.observe(100, true);
        // 1..=100: the 95th percentile by nearest rank is 95.
        assert_eq!(h.delay(), Some(SimTime(95)));
        // 1000 answers of 1000 ns push the first ones out of the window.
        for _ in 0..HEDGE_WINDOW {
            h.observe(1_000, true);
        }
        assert_eq!(h.delay(), Some(SimTime(1_000)));
        let fixed = HedgeRt::new(&HedgePolicy {
            after: HedgeAfter::Fixed { ms: 2.0 },
            tied: true,
        });
        assert_eq!(fixed.delay(), Some(SimTime::from_ms(2.0)));
    }

    #[test]
    fn bounds_are_enforced() {
        let bad = |after| HedgePolicy { after, tied: false }.problems("hedge.");
        assert!(bad(HedgeAfter::Percentile { p: 99.95 })[0].0 == "hedge.after.p");
        assert!(bad(HedgeAfter::Percentile { p: 40.0 })[0].0 == "hedge.after.p");
        assert!(bad(HedgeAfter::Fixed { ms: -1.0 })[0].0 == "hedge.after.ms");
        assert!(bad(HedgeAfter::Fixed { ms: f64::NAN })[0].0 == "hedge.after.ms");
        assert!(bad(HedgeAfter::Fixed { ms: 4e6 })[0].0 == "hedge.after.ms");
        assert!(bad(HedgeAfter::Percentile { p: 99.9 }).is_empty());
        assert!(bad(HedgeAfter::Fixed { ms: 3.6e6 }).is_empty());
        assert!(
            bad(HedgeAfter::Fixed { ms: 0.0 }).is_empty(),
            "both copies at once"
        );
    }
}
