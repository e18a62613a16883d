//! Share format v2: the v1 layout of the diagram without its edges' call policies, then a column of those
//! policies (see `docs/share-format.md`).
//!
//! ```text
//! payload  = v1 payload of the diagram, call policies left out
//!            · count k · k×(varint edge index · object policy)                    (nothing may follow)
//! policy   = the edge's `timeout_ms`, `retry` and `breaker` fields that are set, as a v1 object
//! ```
//!
//! A diagram without call policies is still written as v1, byte for byte, so its links do not change.
//! Architecture invariant: once released, this layout never changes; v1 links keep decoding beside it.

use serde::{Deserialize, Serialize};

use super::ShareError;
use super::extras::{self, EdgeExtras};
use crate::resilience::{BreakerParams, RetryPolicy};
use crate::topology::{Edge, Topology};

/// An edge's call policy as the link carries it: the fields the edge sets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Policy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry: Option<RetryPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    breaker: Option<BreakerParams>,
}

impl EdgeExtras for Policy {
    const ONE: &'static str = "a call policy";
    const MANY: &'static str = "call policies";

    fn take(e: &mut Edge) -> Self {
        Policy {
            timeout_ms: e.timeout_ms.take(),
            retry: e.retry.take(),
            breaker: e.breaker.take(),
        }
    }

    fn put(self, e: &mut Edge) {
        let Edge {
            timeout_ms,
            retry,
            breaker,
            ..
        } = e;
        *timeout_ms = self.timeout_ms;
        *retry = self.retry;
        *breaker = self.breaker;
    }
}

/// Whether `t` needs v2: some edge carries a call policy.
pub(crate) fn needed(t: &Topology) -> bool {
    t.edges.iter().any(Edge::has_policy)
}

/// The v2 payload of `t`.
pub(crate) fn encode(t: &Topology) -> Vec<u8> {
    extras::encode::<Policy>(t)
}

/// The topology in a v2 payload.
pub(crate) fn decode(bytes: &[u8], budget: usize) -> Result<Topology, ShareError> {
    extras::decode::<Policy>(bytes, budget)
}
