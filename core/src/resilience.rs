//! Resilience policies of a call: a timeout, retries with backoff and jitter under an optional retry budget,
//! a circuit breaker, and hedged requests (`hedge.rs`). A client carries a retry policy for its own requests; a call edge (`from` calls
//! `to`) may carry all three. The parameter types live here; `retry.rs` computes backoff delays and keeps a
//! budget, `breaker.rs` is the breaker's state machine. The engine (`sim`) applies them.

pub mod breaker;
pub mod hedge;
pub mod retry;

use serde::{Deserialize, Serialize};

use crate::checks::{check_num, check_prob, check_range};
use crate::tagged;
use crate::vocab::{Choices, Family, Term, Vocab, choices};

pub use breaker::{Breaker, BreakerState, Permit};
pub use hedge::{HedgeAfter, HedgePolicy};
pub use retry::{Budget, RetryState};

/// The most attempts a retry policy may make (the first one included).
pub const MAX_ATTEMPTS: u32 = 100;

/// When and how often a failed call is tried again. JSON:
/// `{"max_attempts": 3, "backoff": {"type": "exponential", "base_ms": 100, "cap_ms": 10000},
///   "jitter": "full", "budget": null}`; omitted fields take these defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// attempts in all, the first one included [1..100], default 3 (1 = never retry)
    pub max_attempts: u32,
    /// the wait before each retry, default exponential from 100 ms, capped at 10 s
    pub backoff: Backoff,
    /// how the wait is randomised, default full jitter
    pub jitter: Jitter,
    /// a budget that caps retries to a share of first attempts; `null` = unlimited, default `null`
    pub budget: Option<RetryBudget>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            backoff: Backoff::default(),
            jitter: Jitter::Full,
            budget: None,
        }
    }
}

/// The wait before retry number `n` (0 for the first retry), before jitter. JSON: `{"type": "fixed",
/// "delay_ms": 100}` or `{"type": "exponential", "base_ms": 100, "cap_ms": 10000}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Backoff {
    /// The same wait before every retry.
    Fixed {
        /// the wait [ms], default 100
        delay_ms: f64,
    },
    /// `min(cap_ms, base_ms · 2ⁿ)` before retry `n`.
    Exponential {
        /// the first wait [ms], default 100
        base_ms: f64,
        /// the longest wait [ms], default 10 000
        cap_ms: f64,
    },
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::Exponential {
            base_ms: 100.0,
            cap_ms: 10_000.0,
        }
    }
}

fn hundred() -> f64 {
    100.0
}
fn ten_thousand() -> f64 {
    10_000.0
}

static BACKOFF: tagged::Shape = tagged::Shape {
    name: "Backoff",
    tag: "type",
    variants: &["fixed", "exponential"],
    fields: Some(&[&["delay_ms"], &["base_ms", "cap_ms"]]),
};

/// Read by [`crate::tagged`].
impl<'de> Deserialize<'de> for Backoff {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        tagged::read(d, &BACKOFF, |variant, f| {
            Ok(match variant {
                0 => Backoff::Fixed {
                    delay_ms: f.or("delay_ms", hundred)?,
                },
                _ => Backoff::Exponential {
                    base_ms: f.or("base_ms", hundred)?,
                    cap_ms: f.or("cap_ms", ten_thousand)?,
                },
            })
        })
    }
}

/// How a backoff wait `d` is randomised (the names of the AWS Architecture Blog's "Exponential Backoff And
/// Jitter").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    /// wait exactly `d`: callers that failed together retry together
    None,
    /// wait uniformly in `[0, d]`
    #[default]
    Full,
    /// wait `d/2` plus uniformly in `[0, d/2]`
    Equal,
    /// wait uniformly in `[base, 3 × the previous wait]`, capped: each wait grows from the last one
    Decorrelated,
}

/// A retry budget: a token bucket that every first attempt fills by `ratio` and every retry empties by one,
/// so retries stay under `ratio` of the traffic (plus `burst`) however many calls fail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryBudget {
    /// retries allowed per first attempt [0..1], default 0.1
    pub ratio: f64,
    /// tokens at the start and the most the bucket holds [≥ 0], default 10
    pub burst: f64,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            ratio: 0.1,
            burst: 10.0,
        }
    }
}

/// A circuit breaker on a call edge (the Resilience4j model). Closed: calls go out and their outcomes fill
/// a sliding window; once it holds `minimum_calls` and the failure rate (or the slow-call rate) reaches its
/// threshold, the breaker opens. Open: calls fail at once without being sent, for `open_ms`. Half-open:
/// `half_open_calls` trial calls go out; their failure rate decides between closed and open again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BreakerParams {
    /// what the sliding window holds: the last `window_size` calls (`count`) or the calls of the last
    /// `window_size` seconds (`time`), default `count`
    pub window: BreakerWindow,
    /// the window's length [calls, or s for a time window; ≥ 1], default 20
    pub window_size: u32,
    /// calls the window must hold before a rate is judged [≥ 1], default 10
    pub minimum_calls: u32,
    /// failure rate that opens the breaker [0..1], default 0.5
    pub failure_rate: f64,
    /// a call slower than this counts as slow [ms], default 1000
    pub slow_call_ms: f64,
    /// slow-call rate that opens the breaker [0..1], default 1 (only when every call is slow)
    pub slow_call_rate: f64,
    /// how long the breaker stays open before trying again [ms], default 5000
    pub open_ms: f64,
    /// trial calls let through when half-open [≥ 1], default 5
    pub half_open_calls: u32,
}

impl Default for BreakerParams {
    fn default() -> Self {
        BreakerParams {
            window: BreakerWindow::Count,
            window_size: 20,
            minimum_calls: 10,
            failure_rate: 0.5,
            slow_call_ms: 1000.0,
            slow_call_rate: 1.0,
            open_ms: 5000.0,
            half_open_calls: 5,
        }
    }
}

/// What a breaker's sliding window counts over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerWindow {
    /// the last `window_size` calls
    #[default]
    Count,
    /// the calls of the last `window_size` seconds
    Time,
}

impl RetryPolicy {
    /// Range problems as `(field, message)`, fields prefixed with `prefix` (`retry.`).
    pub fn problems(&self, prefix: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.max_attempts == 0 || self.max_attempts > MAX_ATTEMPTS {
            out.push((
                format!("{prefix}max_attempts"),
                format!("`{prefix}max_attempts` must be between 1 and {MAX_ATTEMPTS}"),
            ));
        }
        match self.backoff {
            Backoff::Fixed { delay_ms } => {
                check_num(
                    &mut out,
                    &format!("{prefix}backoff.delay_ms"),
                    delay_ms,
                    0.0,
                );
            }
            Backoff::Exponential { base_ms, cap_ms } => {
                check_num(&mut out, &format!("{prefix}backoff.base_ms"), base_ms, 0.0);
                check_num(&mut out, &format!("{prefix}backoff.cap_ms"), cap_ms, 0.0);
                if base_ms.is_finite() && cap_ms.is_finite() && cap_ms < base_ms {
                    out.push((
                        format!("{prefix}backoff.cap_ms"),
                        format!("`{prefix}backoff.cap_ms` must be at least `base_ms` ({base_ms})"),
                    ));
                }
            }
        }
        if let Some(b) = &self.budget {
            check_prob(&mut out, &format!("{prefix}budget.ratio"), b.ratio);
            check_num(&mut out, &format!("{prefix}budget.burst"), b.burst, 0.0);
            check_range(&mut out, &format!("{prefix}budget.burst"), b.burst);
        }
        match self.backoff {
            Backoff::Fixed { delay_ms } => {
                check_range(&mut out, &format!("{prefix}backoff.delay_ms"), delay_ms);
            }
            Backoff::Exponential { base_ms, cap_ms } => {
                check_range(&mut out, &format!("{prefix}backoff.base_ms"), base_ms);
                check_range(&mut out, &format!("{prefix}backoff.cap_ms"), cap_ms);
            }
        }
        out
    }
}

impl BreakerParams {
    /// Range problems as `(field, message)`, fields prefixed with `prefix` (`breaker.`).
    pub fn problems(&self, prefix: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, v) in [
            ("window_size", self.window_size),
            ("minimum_calls", self.minimum_calls),
            ("half_open_calls", self.half_open_calls),
        ] {
            if v == 0 {
                out.push((
                    format!("{prefix}{name}"),
                    format!("`{prefix}{name}` must be at least 1"),
                ));
            }
        }
        check_prob(
            &mut out,
            &format!("{prefix}failure_rate"),
            self.failure_rate,
        );
        check_prob(
            &mut out,
            &format!("{prefix}slow_call_rate"),
            self.slow_call_rate,
        );
        check_num(
            &mut out,
            &format!("{prefix}slow_call_ms"),
            self.slow_call_ms,
            0.0,
        );
        check_num(&mut out, &format!("{prefix}open_ms"), self.open_ms, 0.0);
        for (name, v) in [
            ("window_size", f64::from(self.window_size)),
            ("minimum_calls", f64::from(self.minimum_calls)),
            ("half_open_calls", f64::from(self.half_open_calls)),
            ("slow_call_ms", self.slow_call_ms),
            ("open_ms", self.open_ms),
        ] {
            check_range(&mut out, &format!("{prefix}{name}"), v);
        }
        out
    }
}

impl RetryPolicy {
    /// How the inspector names a retry policy's fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("max_attempts", "Max attempts"),
            Term::new("backoff", "Backoff").family(&Backoff::FAMILY),
            Term::new("jitter", "Jitter").choices(choices::<Jitter>),
            Term::new("budget", "Retry budget")
                .optional(default_json::<RetryBudget>, &RetryBudget::VOCAB),
        ],
    };
}

impl RetryBudget {
    /// How the inspector names a retry budget's fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("ratio", "Retries per first attempt").unit("0–1"),
            Term::new("burst", "Burst").unit("req"),
        ],
    };
}

impl Backoff {
    /// The backoffs as the inspector offers them, with their fields.
    pub const FAMILY: Family = Family {
        variants: &[("exponential", "Exponential"), ("fixed", "Fixed")],
        fields: &Vocab {
            terms: &[
                Term::new("delay_ms", "Wait"),
                Term::new("base_ms", "First wait"),
                Term::new("cap_ms", "Longest wait"),
            ],
        },
        template: backoff_template,
    };
}

/// A fresh backoff of `variant`; the first wait carries over between a fixed and an exponential one.
fn backoff_template(variant: &str, old: Option<&serde_json::Value>) -> serde_json::Value {
    use serde_json::json;
    let obj = old.and_then(serde_json::Value::as_object);
    let wait = ["base_ms", "delay_ms"]
        .iter()
        .find_map(|k| {
            obj.and_then(|o| o.get(*k))
                .and_then(serde_json::Value::as_f64)
        })
        .unwrap_or(100.0);
    match variant {
        "fixed" => json!({"type": "fixed", "delay_ms": wait}),
        _ => {
            json!({"type": "exponential", "base_ms": wait, "cap_ms": (wait * 100.0).max(10_000.0)})
        }
    }
}

impl Choices for Jitter {
    const ALL: &'static [Jitter] = &[
        Jitter::None,
        Jitter::Full,
        Jitter::Equal,
        Jitter::Decorrelated,
    ];
}

impl Choices for BreakerWindow {
    const ALL: &'static [BreakerWindow] = &[BreakerWindow::Count, BreakerWindow::Time];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            BreakerWindow::Count => "Calls",
            BreakerWindow::Time => "Seconds",
        })
    }
}

impl BreakerParams {
    /// How the inspector names a circuit breaker's fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("window", "Window counts").choices(choices::<BreakerWindow>),
            Term::new("window_size", "Window size"),
            Term::new("minimum_calls", "Minimum calls"),
            Term::new("failure_rate", "Failure rate to open").unit("0–1"),
            Term::new("slow_call_ms", "Slow call above"),
            Term::new("slow_call_rate", "Slow-call rate to open").unit("0–1"),
            Term::new("open_ms", "Open for"),
            Term::new("half_open_calls", "Half-open trial calls"),
        ],
    };
}

/// A params struct's defaults as JSON: what a person gets on adding an optional object.
pub(crate) fn default_json<T: Default + serde::Serialize>() -> serde_json::Value {
    serde_json::to_value(T::default()).unwrap_or(serde_json::Value::Null)
}
